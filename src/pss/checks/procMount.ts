import { str } from '../../k8s/values.ts';
import { containerPhrase, joinQuote, sortedSet } from '../format.ts';
import type { CheckDefinition, CheckFn, PssField } from '../types.ts';

/** v1.0: containers must not set a procMount other than Default. */
export const procMount_1_0: CheckFn = (pod) => {
  const bad: string[] = [];
  const values: string[] = [];
  const fields: PssField[] = [];
  for (const c of pod.containers) {
    const value = str(c.sc?.procMount);
    if (value === undefined || value === 'Default') continue;
    bad.push(c.name);
    values.push(value);
    fields.push({ path: `${c.pointer}/securityContext/procMount`, detail: `${containerPhrase([c.name])} must not set securityContext.procMount to ${joinQuote([value])}` });
  }
  if (bad.length === 0) return undefined;
  return {
    reason: 'procMount',
    detail: `${containerPhrase(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(values))}`,
    fields,
  };
};

/** v1.35: a pod in its own user namespace (hostUsers: false) may use any procMount. */
export const procMount_1_35: CheckFn = (pod) => (pod.userNamespace ? undefined : procMount_1_0(pod));

export const procMount: CheckDefinition = {
  id: 'procMount',
  level: 'baseline',
  title: '/proc mount type',
  versions: [
    { minVersion: 0, evaluate: procMount_1_0 },
    { minVersion: 35, evaluate: procMount_1_35 },
  ],
};
