// Where each kind keeps its pod: rules never switch on kind themselves.
import { isObj, str, type Obj } from './values.ts';

/** Pointer (inside the object) of the pod template, i.e. the node holding `metadata` and `spec`. */
const POD_TEMPLATE_POINTERS: Record<string, string> = {
  'v1/Pod': '',
  'v1/PodTemplate': '/template',
  'v1/ReplicationController': '/spec/template',
  'apps/Deployment': '/spec/template',
  'apps/StatefulSet': '/spec/template',
  'apps/DaemonSet': '/spec/template',
  'apps/ReplicaSet': '/spec/template',
  'batch/Job': '/spec/template',
  'batch/CronJob': '/spec/jobTemplate/spec/template',
  // Workload CRDs with a standard pod template.
  'argoproj.io/Rollout': '/spec/template',
  'apps.kruise.io/CloneSet': '/spec/template',
  'apps.kruise.io/StatefulSet': '/spec/template',
  'apps.kruise.io/DaemonSet': '/spec/template',
};

/** API group of an apiVersion: '' for the core group. */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

function kindKey(apiVersion: string, kind: string): string {
  const group = apiGroup(apiVersion);
  // Older API groups (extensions/v1beta1, apps/v1beta2) carry the same shapes.
  const normalised = group === '' ? 'v1' : group === 'extensions' ? 'apps' : group;
  return `${normalised}/${kind}`;
}

export interface PodTemplateView {
  /** Pointer of the template node (holds `metadata` and `spec`); '' for a Pod. */
  base: string;
  metadata: Obj;
  spec: Obj;
}

/** True when the kind carries a pod template, whether or not this object has one filled in. */
export function isPodCarrier(apiVersion: string, kind: string): boolean {
  return kindKey(apiVersion, kind) in POD_TEMPLATE_POINTERS;
}

/** The pod (metadata and spec) an object runs, or undefined when it has none or it is malformed. */
export function podTemplateOf(object: Obj): PodTemplateView | undefined {
  const apiVersion = str(object.apiVersion);
  const kind = str(object.kind);
  if (apiVersion === undefined || kind === undefined) return undefined;
  const base = POD_TEMPLATE_POINTERS[kindKey(apiVersion, kind)];
  if (base === undefined) return undefined;
  let node: unknown = object;
  for (const token of base.split('/').slice(1)) node = isObj(node) ? node[token] : undefined;
  if (!isObj(node)) return undefined;
  const spec = node.spec;
  if (!isObj(spec)) return undefined;
  const metadata = isObj(node.metadata) ? node.metadata : {};
  return { base, metadata, spec };
}

export const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
export type ContainerList = (typeof CONTAINER_LISTS)[number];

export interface ContainerView {
  container: Obj;
  list: ContainerList;
  index: number;
  name: string;
  /** Pointer relative to the pod template base, e.g. '/spec/containers/0'. */
  pointer: string;
}

/** Every container of a pod spec in upstream visit order: init, regular, ephemeral. */
export function containersOf(spec: Obj): ContainerView[] {
  const views: ContainerView[] = [];
  for (const list of CONTAINER_LISTS) {
    const items = spec[list];
    if (!Array.isArray(items)) continue;
    items.forEach((container, index) => {
      if (!isObj(container)) return;
      views.push({ container, list, index, name: str(container.name) ?? '', pointer: `/spec/${list}/${index}` });
    });
  }
  return views;
}
