import { containerPhrase, joinQuote, joinSetters, podAndContainerSetters, sortedSet } from '../format.ts';
import type { CheckDefinition, CheckFn, PssField } from '../types.ts';
import { seccompType, validSeccompType } from './seccompProfileBaseline.ts';

const POD_FIELD = '/spec/securityContext/seccompProfile/type';

/** v1.19: a RuntimeDefault/Localhost profile at pod level or on every container; no other type anywhere. */
export const seccompProfileRestricted_1_19: CheckFn = (pod) => {
  const badValues: string[] = [];
  const fields: PssField[] = [];
  const podType = seccompType(pod.podSC?.seccompProfile);
  const podBad = podType !== undefined && !validSeccompType(podType);
  const podCovers = podType !== undefined && !podBad;
  if (podBad) {
    badValues.push(podType);
    fields.push({ path: POD_FIELD, detail: `pod must not set securityContext.seccompProfile.type to ${joinQuote([podType])}` });
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of pod.containers) {
    const type = seccompType(c.sc?.seccompProfile);
    if (type !== undefined) {
      if (validSeccompType(type)) continue;
      explicit.push(c.name);
      badValues.push(type);
      fields.push({
        path: `${c.pointer}/securityContext/seccompProfile/type`,
        detail: `${containerPhrase([c.name])} must not set securityContext.seccompProfile.type to ${joinQuote([type])}`,
      });
    } else if (!podCovers) {
      implicit.push(c.name);
    }
  }
  // Upstream names only the bad values when there are any; the fields also name the containers left
  // unconfined, which the pod's field fixes (unless that field is itself bad and already reported).
  const mustSet = `pod or ${containerPhrase(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`;
  if (implicit.length > 0 && !podBad) fields.push({ path: POD_FIELD, detail: mustSet });
  const setters = podAndContainerSetters(podBad, explicit);
  if (setters.length > 0) {
    return {
      reason: 'seccompProfile',
      detail: `${joinSetters(setters)} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`,
      fields,
    };
  }
  if (implicit.length > 0) return { reason: 'seccompProfile', detail: mustSet, fields };
  return undefined;
};

/** v1.25: Windows pods are exempt. */
export const seccompProfileRestricted_1_25: CheckFn = (pod) => (pod.windows ? undefined : seccompProfileRestricted_1_19(pod));

export const seccompProfileRestricted: CheckDefinition = {
  id: 'seccompProfile_restricted',
  level: 'restricted',
  title: 'Seccomp profile required',
  versions: [
    { minVersion: 19, overrides: ['seccompProfile_baseline'], evaluate: seccompProfileRestricted_1_19 },
    { minVersion: 25, overrides: ['seccompProfile_baseline'], evaluate: seccompProfileRestricted_1_25 },
  ],
};
