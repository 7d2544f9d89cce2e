import { obj } from '../../k8s/values.ts';
import { containerPhrase, joinSetters, podAndContainerSetters } from '../format.ts';
import type { CheckDefinition, CheckFn, PssField } from '../types.ts';

function hostProcess(sc: unknown): boolean {
  return obj(obj(sc)?.windowsOptions)?.hostProcess === true;
}

/** v1.0: neither the pod nor a container may set windowsOptions.hostProcess=true. */
export const windowsHostProcess_1_0: CheckFn = (pod) => {
  const fields: PssField[] = [];
  const podBad = hostProcess(pod.podSC);
  if (podBad) fields.push({ path: '/spec/securityContext/windowsOptions/hostProcess', detail: 'pod must not set securityContext.windowsOptions.hostProcess=true' });
  const bad: string[] = [];
  for (const c of pod.containers) {
    if (!hostProcess(c.sc)) continue;
    bad.push(c.name);
    fields.push({ path: `${c.pointer}/securityContext/windowsOptions/hostProcess`, detail: `${containerPhrase([c.name])} must not set securityContext.windowsOptions.hostProcess=true` });
  }
  const setters = podAndContainerSetters(podBad, bad);
  if (setters.length === 0) return undefined;
  return {
    reason: 'hostProcess',
    detail: `${joinSetters(setters)} must not set securityContext.windowsOptions.hostProcess=true`,
    fields,
  };
};

export const windowsHostProcess: CheckDefinition = {
  id: 'windowsHostProcess',
  level: 'baseline',
  title: 'Windows HostProcess',
  versions: [{ minVersion: 0, evaluate: windowsHostProcess_1_0 }],
};
