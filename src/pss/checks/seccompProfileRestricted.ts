import { containerPhrase, joinQuote, joinSetters, podAndContainerSetters, sortedSet } from '../format.ts';
import type { CheckDefinition, CheckFn } from '../types.ts';
import { seccompType, validSeccompType } from './seccompProfileBaseline.ts';

const POD_FIELD = '/spec/securityContext/seccompProfile/type';

/** v1.19: a RuntimeDefault/Localhost profile at pod level or on every container; no other type anywhere. */
export const seccompProfileRestricted_1_19: CheckFn = (pod) => {
  const badValues: string[] = [];
  const explicitPaths: string[] = [];
  const podType = seccompType(pod.podSC?.seccompProfile);
  const podBad = podType !== undefined && !validSeccompType(podType);
  const podCovers = podType !== undefined && !podBad;
  if (podBad) {
    badValues.push(podType);
    explicitPaths.push(POD_FIELD);
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of pod.containers) {
    const type = seccompType(c.sc?.seccompProfile);
    if (type !== undefined) {
      if (validSeccompType(type)) continue;
      explicit.push(c.name);
      badValues.push(type);
      explicitPaths.push(`${c.pointer}/securityContext/seccompProfile/type`);
    } else if (!podCovers) {
      implicit.push(c.name);
    }
  }
  const setters = podAndContainerSetters(podBad, explicit);
  if (setters.length > 0) {
    return {
      reason: 'seccompProfile',
      detail: `${joinSetters(setters)} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`,
      paths: explicitPaths,
    };
  }
  if (implicit.length > 0) {
    return {
      reason: 'seccompProfile',
      detail: `pod or ${containerPhrase(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
      paths: [POD_FIELD],
    };
  }
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
