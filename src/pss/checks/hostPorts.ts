import { arr, num, obj } from '../../k8s/values.ts';
import { containerPhrase, pluralize, sortedSet } from '../format.ts';
import type { CheckDefinition, CheckFn } from '../types.ts';

/** v1.0: no container port may set a non-zero hostPort. */
export const hostPorts_1_0: CheckFn = (pod) => {
  const bad: string[] = [];
  const ports: string[] = [];
  const paths: string[] = [];
  for (const c of pod.containers) {
    let containerBad = false;
    arr(c.container.ports).forEach((port, index) => {
      const hostPort = num(obj(port)?.hostPort);
      if (hostPort === undefined || hostPort === 0) return;
      containerBad = true;
      ports.push(String(hostPort));
      paths.push(`${c.pointer}/ports/${index}/hostPort`);
    });
    if (containerBad) bad.push(c.name);
  }
  if (bad.length === 0) return undefined;
  const distinct = sortedSet(ports);
  return {
    reason: 'hostPort',
    detail: `${containerPhrase(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', distinct.length)} ${distinct.join(', ')}`,
    paths,
  };
};

export const hostPorts: CheckDefinition = {
  id: 'hostPorts',
  level: 'baseline',
  title: 'Host ports',
  versions: [{ minVersion: 0, evaluate: hostPorts_1_0 }],
};
