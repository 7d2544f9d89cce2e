// The read-only view of one pod every check works on, built once per evaluation.
import { arr, bool, isObj, obj, str, type Obj } from '../k8s/values.ts';
import { containersOf } from '../k8s/workloads.ts';

export interface ContainerContext {
  name: string;
  /** Pointer of the container relative to the pod template node, e.g. `/spec/containers/0`. */
  pointer: string;
  container: Obj;
  /** `securityContext`, when it is an object. */
  sc: Obj | undefined;
}

export interface VolumeContext {
  name: string;
  pointer: string;
  /** The volume as PSA sees it, i.e. after API-server defaulting (never the caller's object mutated). */
  volume: Obj;
}

export interface PodContext {
  metadata: Obj;
  spec: Obj;
  annotations: Obj | undefined;
  /** `spec.securityContext`, when it is an object. */
  podSC: Obj | undefined;
  containers: ContainerContext[];
  volumes: VolumeContext[];
  /** `spec.os.name === 'windows'` (exact). */
  windows: boolean;
  /** `spec.hostUsers` is explicitly false: the pod runs in its own user namespace. */
  userNamespace: boolean;
}

/** Every volume source of core/v1 VolumeSource; a volume with none of them is defaulted to emptyDir. */
export const VOLUME_SOURCE_KEYS: readonly string[] = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs',
  'iscsi', 'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker',
  'downwardAPI', 'fc', 'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk',
  'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral',
  'image',
];

function hasVolumeSource(volume: Obj): boolean {
  for (const key of VOLUME_SOURCE_KEYS) if (isObj(volume[key])) return true;
  return false;
}

/** SetDefaults_Volume: a volume naming no source becomes `emptyDir: {}` (a copy; the input is untouched). */
export function defaultVolume(volume: Obj): Obj {
  return hasVolumeSource(volume) ? volume : { ...volume, emptyDir: {} };
}

export function podContext(metadata: unknown, spec: unknown): PodContext {
  const meta = obj(metadata) ?? {};
  const podSpec = obj(spec) ?? {};
  const containers: ContainerContext[] = containersOf(podSpec).map((view) => ({
    name: view.name,
    pointer: view.pointer,
    container: view.container,
    sc: obj(view.container.securityContext),
  }));
  const volumes: VolumeContext[] = [];
  arr(podSpec.volumes).forEach((volume, index) => {
    if (!isObj(volume)) return;
    volumes.push({ name: str(volume.name) ?? '', pointer: `/spec/volumes/${index}`, volume: defaultVolume(volume) });
  });
  return {
    metadata: meta,
    spec: podSpec,
    annotations: obj(meta.annotations),
    podSC: obj(podSpec.securityContext),
    containers,
    volumes,
    windows: str(obj(podSpec.os)?.name) === 'windows',
    userNamespace: bool(podSpec.hostUsers) === false,
  };
}
