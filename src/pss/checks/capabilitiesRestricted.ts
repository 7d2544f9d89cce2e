import { arr, obj } from '../../k8s/values.ts';
import { containerPhrase, joinQuote, sortedSet } from '../format.ts';
import type { CheckDefinition, CheckFn } from '../types.ts';

/** v1.22: every container drops ALL and adds nothing but NET_BIND_SERVICE. */
export const capabilitiesRestricted_1_22: CheckFn = (pod) => {
  const missingDropAll: string[] = [];
  const adding: string[] = [];
  const forbidden: string[] = [];
  const paths: string[] = [];
  for (const c of pod.containers) {
    const base = `${c.pointer}/securityContext/capabilities`;
    const capabilities = obj(c.sc?.capabilities);
    if (capabilities === undefined) {
      missingDropAll.push(c.name);
      paths.push(`${base}/drop`);
      continue;
    }
    if (!arr(capabilities.drop).includes('ALL')) {
      missingDropAll.push(c.name);
      paths.push(`${base}/drop`);
    }
    let addsForbidden = false;
    for (const cap of arr(capabilities.add)) {
      if (typeof cap !== 'string' || cap === 'NET_BIND_SERVICE') continue;
      addsForbidden = true;
      forbidden.push(cap);
    }
    if (addsForbidden) {
      adding.push(c.name);
      paths.push(`${base}/add`);
    }
  }
  const parts: string[] = [];
  if (missingDropAll.length > 0) parts.push(`${containerPhrase(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  if (adding.length > 0) {
    parts.push(`${containerPhrase(adding)} must not include ${joinQuote(sortedSet(forbidden))} in securityContext.capabilities.add`);
  }
  if (parts.length === 0) return undefined;
  return { reason: 'unrestricted capabilities', detail: parts.join('; '), paths };
};

/** v1.25: Windows pods are exempt. */
export const capabilitiesRestricted_1_25: CheckFn = (pod) => (pod.windows ? undefined : capabilitiesRestricted_1_22(pod));

export const capabilitiesRestricted: CheckDefinition = {
  id: 'capabilities_restricted',
  level: 'restricted',
  title: 'Capabilities not dropped',
  versions: [
    { minVersion: 22, overrides: ['capabilities_baseline'], evaluate: capabilitiesRestricted_1_22 },
    { minVersion: 25, overrides: ['capabilities_baseline'], evaluate: capabilitiesRestricted_1_25 },
  ],
};
