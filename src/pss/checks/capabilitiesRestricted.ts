import { arr, obj } from '../../k8s/values.ts';
import { containerPhrase, joinQuote, sortedSet } from '../format.ts';
import type { CheckDefinition, CheckFn, PssField } from '../types.ts';

/** v1.22: every container drops ALL and adds nothing but NET_BIND_SERVICE. */
export const capabilitiesRestricted_1_22: CheckFn = (pod) => {
  const missingDropAll: string[] = [];
  const adding: string[] = [];
  const forbidden: string[] = [];
  const fields: PssField[] = [];
  for (const c of pod.containers) {
    const base = `${c.pointer}/securityContext/capabilities`;
    const capabilities = obj(c.sc?.capabilities);
    const dropAll = { path: `${base}/drop`, detail: `${containerPhrase([c.name])} must set securityContext.capabilities.drop=["ALL"]` };
    if (capabilities === undefined) {
      missingDropAll.push(c.name);
      fields.push(dropAll);
      continue;
    }
    if (!arr(capabilities.drop).includes('ALL')) {
      missingDropAll.push(c.name);
      fields.push(dropAll);
    }
    let addsForbidden = false;
    arr(capabilities.add).forEach((cap, index) => {
      if (typeof cap !== 'string' || cap === 'NET_BIND_SERVICE') return;
      addsForbidden = true;
      forbidden.push(cap);
      fields.push({ path: `${base}/add/${index}`, detail: `${containerPhrase([c.name])} must not include ${joinQuote([cap])} in securityContext.capabilities.add` });
    });
    if (addsForbidden) adding.push(c.name);
  }
  const parts: string[] = [];
  if (missingDropAll.length > 0) parts.push(`${containerPhrase(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  if (adding.length > 0) {
    parts.push(`${containerPhrase(adding)} must not include ${joinQuote(sortedSet(forbidden))} in securityContext.capabilities.add`);
  }
  if (parts.length === 0) return undefined;
  return { reason: 'unrestricted capabilities', detail: parts.join('; '), fields };
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
