import { isObj } from '../../k8s/values.ts';
import { joinQuote, pluralize } from '../format.ts';
import type { CheckDefinition, CheckFn } from '../types.ts';

/** v1.0: no hostPath volumes. */
export const hostPathVolumes_1_0: CheckFn = (pod) => {
  const bad: string[] = [];
  const paths: string[] = [];
  for (const v of pod.volumes) {
    if (isObj(v.volume.hostPath)) {
      bad.push(v.name);
      paths.push(`${v.pointer}/hostPath`);
    }
  }
  if (bad.length === 0) return undefined;
  return { reason: 'hostPath volumes', detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)}`, paths };
};

export const hostPathVolumes: CheckDefinition = {
  id: 'hostPathVolumes',
  level: 'baseline',
  title: 'HostPath volumes',
  versions: [{ minVersion: 0, evaluate: hostPathVolumes_1_0 }],
};
