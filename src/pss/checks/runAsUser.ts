import { num } from '../../k8s/values.ts';
import { containerPhrase, joinSetters, podAndContainerSetters } from '../format.ts';
import type { CheckDefinition, CheckFn, PssField } from '../types.ts';

/** v1.23: neither the pod nor a container may set runAsUser=0. */
export const runAsUser_1_23: CheckFn = (pod) => {
  const fields: PssField[] = [];
  const podBad = num(pod.podSC?.runAsUser) === 0;
  if (podBad) fields.push({ path: '/spec/securityContext/runAsUser', detail: 'pod must not set runAsUser=0' });
  const bad: string[] = [];
  for (const c of pod.containers) {
    if (num(c.sc?.runAsUser) !== 0) continue;
    bad.push(c.name);
    fields.push({ path: `${c.pointer}/securityContext/runAsUser`, detail: `${containerPhrase([c.name])} must not set runAsUser=0` });
  }
  const setters = podAndContainerSetters(podBad, bad);
  if (setters.length === 0) return undefined;
  return { reason: 'runAsUser=0', detail: `${joinSetters(setters)} must not set runAsUser=0`, fields };
};

/** v1.35: pods in their own user namespace (hostUsers: false) pass. */
export const runAsUser_1_35: CheckFn = (pod) => (pod.userNamespace ? undefined : runAsUser_1_23(pod));

export const runAsUser: CheckDefinition = {
  id: 'runAsUser',
  level: 'restricted',
  title: 'Running as non-root user',
  versions: [
    { minVersion: 23, evaluate: runAsUser_1_23 },
    { minVersion: 35, evaluate: runAsUser_1_35 },
  ],
};
