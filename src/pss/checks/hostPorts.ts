import { arr, num, obj } from '../../k8s/values.ts';
import { containerPhrase, pluralize, sortedSet } from '../format.ts';
import type { CheckDefinition, CheckFn, PssField } from '../types.ts';

/** v1.0: no container port may set a non-zero hostPort. */
export const hostPorts_1_0: CheckFn = (pod) => {
  const bad: string[] = [];
  const ports: string[] = [];
  const fields: PssField[] = [];
  for (const c of pod.containers) {
    let containerBad = false;
    arr(c.container.ports).forEach((port, index) => {
      const hostPort = num(obj(port)?.hostPort);
      if (hostPort === undefined || hostPort === 0) return;
      containerBad = true;
      ports.push(String(hostPort));
      fields.push({ path: `${c.pointer}/ports/${index}/hostPort`, detail: `${containerPhrase([c.name])} uses hostPort ${hostPort}` });
    });
    if (containerBad) bad.push(c.name);
  }
  if (bad.length === 0) return undefined;
  const distinct = sortedSet(ports);
  return {
    reason: 'hostPort',
    detail: `${containerPhrase(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', distinct.length)} ${distinct.join(', ')}`,
    fields,
  };
};

export const hostPorts: CheckDefinition = {
  id: 'hostPorts',
  level: 'baseline',
  title: 'Host ports',
  versions: [{ minVersion: 0, evaluate: hostPorts_1_0 }],
};
