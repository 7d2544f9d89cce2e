import { obj, str } from '../../k8s/values.ts';
import { containerPhrase, joinQuote, joinSetters, pluralize, podAndContainerSetters, sortedSet } from '../format.ts';
import type { CheckDefinition, CheckFn, PssField } from '../types.ts';

const TYPES_1_0: ReadonlySet<string> = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const TYPES_1_31: ReadonlySet<string> = new Set([...TYPES_1_0, 'container_engine_t']);

function seLinuxOptions(allowedTypes: ReadonlySet<string>): CheckFn {
  return (pod) => {
    const badTypes: string[] = [];
    const fields: PssField[] = [];
    let setUser = false;
    let setRole = false;

    /** Records the problems of one options object; true when it is bad. */
    const bad = (setter: string, options: unknown, base: string): boolean => {
      const opts = obj(options);
      if (opts === undefined) return false;
      let invalid = false;
      const type = str(opts.type) ?? '';
      if (!allowedTypes.has(type)) {
        invalid = true;
        badTypes.push(type);
        fields.push({ path: `${base}/type`, detail: `${setter} must not set securityContext.seLinuxOptions.type to ${joinQuote([type])}` });
      }
      if ((str(opts.user) ?? '') !== '') {
        invalid = setUser = true;
        fields.push({ path: `${base}/user`, detail: `${setter} must not set securityContext.seLinuxOptions.user` });
      }
      if ((str(opts.role) ?? '') !== '') {
        invalid = setRole = true;
        fields.push({ path: `${base}/role`, detail: `${setter} must not set securityContext.seLinuxOptions.role` });
      }
      return invalid;
    };

    const podBad = bad('pod', pod.podSC?.seLinuxOptions, '/spec/securityContext/seLinuxOptions');
    const badContainers: string[] = [];
    for (const c of pod.containers) {
      if (bad(containerPhrase([c.name]), c.sc?.seLinuxOptions, `${c.pointer}/securityContext/seLinuxOptions`)) badContainers.push(c.name);
    }
    const setters = podAndContainerSetters(podBad, badContainers);
    if (setters.length === 0) return undefined;

    const parts: string[] = [];
    const types = sortedSet(badTypes);
    if (types.length > 0) parts.push(`${pluralize('type', 'types', types.length)} ${joinQuote(types)}`);
    if (setUser) parts.push('user may not be set');
    if (setRole) parts.push('role may not be set');
    return {
      reason: 'seLinuxOptions',
      detail: `${joinSetters(setters)} set forbidden securityContext.seLinuxOptions: ${parts.join('; ')}`,
      fields,
    };
  };
}

/** v1.0: type in {"", container_t, container_init_t, container_kvm_t}; user and role unset. */
export const seLinuxOptions_1_0: CheckFn = seLinuxOptions(TYPES_1_0);
/** v1.31: also allows container_engine_t. */
export const seLinuxOptions_1_31: CheckFn = seLinuxOptions(TYPES_1_31);

export const seLinuxOptionsCheck: CheckDefinition = {
  id: 'seLinuxOptions',
  level: 'baseline',
  title: 'SELinux options',
  versions: [
    { minVersion: 0, evaluate: seLinuxOptions_1_0 },
    { minVersion: 31, evaluate: seLinuxOptions_1_31 },
  ],
};
