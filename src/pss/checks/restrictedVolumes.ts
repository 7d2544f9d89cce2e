import { isObj } from '../../k8s/values.ts';
import { joinQuote, pluralize, sortedSet } from '../format.ts';
import type { CheckDefinition, CheckFn, PssField } from '../types.ts';

/** Volume sources allowed at restricted (at every version, retroactively for csi, ephemeral, image). */
export const ALLOWED_VOLUME_SOURCES: readonly string[] = [
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret',
];

/** Labels of forbidden sources, in upstream priority order. */
export const RESTRICTED_VOLUME_SOURCES: readonly string[] = [
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd',
  'flexVolume', 'cinder', 'cephfs', 'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk',
  'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'storageos',
];

/** v1.0: volumes must use one of the allowed sources. */
export const restrictedVolumes_1_0: CheckFn = (pod) => {
  const bad: string[] = [];
  const types: string[] = [];
  const fields: PssField[] = [];
  for (const v of pod.volumes) {
    if (ALLOWED_VOLUME_SOURCES.some((key) => isObj(v.volume[key]))) continue;
    bad.push(v.name);
    const key = RESTRICTED_VOLUME_SOURCES.find((k) => isObj(v.volume[k]));
    types.push(key ?? 'unknown');
    fields.push({
      path: key === undefined ? v.pointer : `${v.pointer}/${key}`,
      detail: `volume ${joinQuote([v.name])} uses restricted volume type ${joinQuote([key ?? 'unknown'])}`,
    });
  }
  if (bad.length === 0) return undefined;
  const distinct = sortedSet(types);
  return {
    reason: 'restricted volume types',
    detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('restricted volume type', 'restricted volume types', distinct.length)} ${joinQuote(distinct)}`,
    fields,
  };
};

export const restrictedVolumes: CheckDefinition = {
  id: 'restrictedVolumes',
  level: 'restricted',
  title: 'Volume types',
  versions: [{ minVersion: 0, overrides: ['hostPathVolumes'], evaluate: restrictedVolumes_1_0 }],
};
