import { containerPhrase } from '../format.ts';
import type { CheckDefinition, CheckFn, PssField } from '../types.ts';

/** v1.0: no container may set securityContext.privileged=true. */
export const privileged_1_0: CheckFn = (pod) => {
  const bad: string[] = [];
  const fields: PssField[] = [];
  for (const c of pod.containers) {
    if (c.sc?.privileged === true) {
      bad.push(c.name);
      fields.push({ path: `${c.pointer}/securityContext/privileged`, detail: `${containerPhrase([c.name])} must not set securityContext.privileged=true` });
    }
  }
  if (bad.length === 0) return undefined;
  return { reason: 'privileged', detail: `${containerPhrase(bad)} must not set securityContext.privileged=true`, fields };
};

export const privileged: CheckDefinition = {
  id: 'privileged',
  level: 'baseline',
  title: 'Privileged containers',
  versions: [{ minVersion: 0, evaluate: privileged_1_0 }],
};
