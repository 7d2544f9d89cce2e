import { isObj, str } from '../../k8s/values.ts';
import { goQuote, joinQuote, pluralize } from '../format.ts';
import type { CheckDefinition, CheckFn, PssField } from '../types.ts';

/** v1.0: no hostPath volumes. */
export const hostPathVolumes_1_0: CheckFn = (pod) => {
  const bad: string[] = [];
  const fields: PssField[] = [];
  for (const v of pod.volumes) {
    const hostPath = v.volume.hostPath;
    if (isObj(hostPath)) {
      bad.push(v.name);
      const at = str(hostPath.path);
      fields.push({ path: `${v.pointer}/hostPath`, detail: `volume ${joinQuote([v.name])} mounts host path ${at === undefined ? '(unset)' : goQuote(at)}` });
    }
  }
  if (bad.length === 0) return undefined;
  return { reason: 'hostPath volumes', detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)}`, fields };
};

export const hostPathVolumes: CheckDefinition = {
  id: 'hostPathVolumes',
  level: 'baseline',
  title: 'HostPath volumes',
  versions: [{ minVersion: 0, evaluate: hostPathVolumes_1_0 }],
};
