import { bool } from '../../k8s/values.ts';
import { containerPhrase, joinSetters, podAndContainerSetters } from '../format.ts';
import type { CheckDefinition, CheckFn, PssField } from '../types.ts';

const POD_FIELD = '/spec/securityContext/runAsNonRoot';

/** v1.0: runAsNonRoot=true at pod level or on every container, and false nowhere. */
export const runAsNonRoot_1_0: CheckFn = (pod) => {
  const podValue = bool(pod.podSC?.runAsNonRoot);
  const podBad = podValue === false;
  const podCovers = podValue === true;
  const fields: PssField[] = podBad ? [{ path: POD_FIELD, detail: 'pod must not set securityContext.runAsNonRoot=false' }] : [];
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of pod.containers) {
    const value = bool(c.sc?.runAsNonRoot);
    if (value === false) {
      explicit.push(c.name);
      fields.push({ path: `${c.pointer}/securityContext/runAsNonRoot`, detail: `${containerPhrase([c.name])} must not set securityContext.runAsNonRoot=false` });
    } else if (value === undefined && !podCovers) {
      implicit.push(c.name);
    }
  }
  // Containers that inherit from the pod are fixed at the pod's field; when that field is itself false,
  // its own field already says so.
  const mustSet = `pod or ${containerPhrase(implicit)} must set securityContext.runAsNonRoot=true`;
  if (implicit.length > 0 && !podBad) fields.push({ path: POD_FIELD, detail: mustSet });
  const setters = podAndContainerSetters(podBad, explicit);
  if (setters.length > 0) {
    return { reason: 'runAsNonRoot != true', detail: `${joinSetters(setters)} must not set securityContext.runAsNonRoot=false`, fields };
  }
  if (implicit.length > 0) return { reason: 'runAsNonRoot != true', detail: mustSet, fields };
  return undefined;
};

/** v1.35: pods in their own user namespace (hostUsers: false) pass. */
export const runAsNonRoot_1_35: CheckFn = (pod) => (pod.userNamespace ? undefined : runAsNonRoot_1_0(pod));

export const runAsNonRoot: CheckDefinition = {
  id: 'runAsNonRoot',
  level: 'restricted',
  title: 'Running as non-root',
  versions: [
    { minVersion: 0, evaluate: runAsNonRoot_1_0 },
    { minVersion: 35, evaluate: runAsNonRoot_1_35 },
  ],
};
