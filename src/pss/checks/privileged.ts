import { containerPhrase } from '../format.ts';
import type { CheckDefinition, CheckFn } from '../types.ts';

/** v1.0: no container may set securityContext.privileged=true. */
export const privileged_1_0: CheckFn = (pod) => {
  const bad: string[] = [];
  const paths: string[] = [];
  for (const c of pod.containers) {
    if (c.sc?.privileged === true) {
      bad.push(c.name);
      paths.push(`${c.pointer}/securityContext/privileged`);
    }
  }
  if (bad.length === 0) return undefined;
  return { reason: 'privileged', detail: `${containerPhrase(bad)} must not set securityContext.privileged=true`, paths };
};

export const privileged: CheckDefinition = {
  id: 'privileged',
  level: 'baseline',
  title: 'Privileged containers',
  versions: [{ minVersion: 0, evaluate: privileged_1_0 }],
};
