import { arr, obj } from '../../k8s/values.ts';
import { containerPhrase, joinQuote, sortedSet } from '../format.ts';
import type { CheckDefinition, CheckFn, PssField } from '../types.ts';

export const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);

/** v1.0: capabilities.add may only name the default container runtime capabilities. */
export const capabilitiesBaseline_1_0: CheckFn = (pod) => {
  const bad: string[] = [];
  const caps: string[] = [];
  const fields: PssField[] = [];
  for (const c of pod.containers) {
    const capabilities = obj(c.sc?.capabilities);
    if (capabilities === undefined) continue;
    let containerBad = false;
    arr(capabilities.add).forEach((cap, index) => {
      if (typeof cap !== 'string' || BASELINE_CAPABILITIES.has(cap)) return;
      containerBad = true;
      caps.push(cap);
      fields.push({
        path: `${c.pointer}/securityContext/capabilities/add/${index}`,
        detail: `${containerPhrase([c.name])} must not include ${joinQuote([cap])} in securityContext.capabilities.add`,
      });
    });
    if (containerBad) bad.push(c.name);
  }
  if (bad.length === 0) return undefined;
  return {
    reason: 'non-default capabilities',
    detail: `${containerPhrase(bad)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add`,
    fields,
  };
};

export const capabilitiesBaseline: CheckDefinition = {
  id: 'capabilities_baseline',
  level: 'baseline',
  title: 'Non-default capabilities',
  versions: [{ minVersion: 0, evaluate: capabilitiesBaseline_1_0 }],
};
