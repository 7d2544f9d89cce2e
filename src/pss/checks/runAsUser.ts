import { num } from '../../k8s/values.ts';
import { joinSetters, podAndContainerSetters } from '../format.ts';
import type { CheckDefinition, CheckFn } from '../types.ts';

/** v1.23: neither the pod nor a container may set runAsUser=0. */
export const runAsUser_1_23: CheckFn = (pod) => {
  const paths: string[] = [];
  const podBad = num(pod.podSC?.runAsUser) === 0;
  if (podBad) paths.push('/spec/securityContext/runAsUser');
  const bad: string[] = [];
  for (const c of pod.containers) {
    if (num(c.sc?.runAsUser) !== 0) continue;
    bad.push(c.name);
    paths.push(`${c.pointer}/securityContext/runAsUser`);
  }
  const setters = podAndContainerSetters(podBad, bad);
  if (setters.length === 0) return undefined;
  return { reason: 'runAsUser=0', detail: `${joinSetters(setters)} must not set runAsUser=0`, paths };
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
