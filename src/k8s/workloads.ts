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
  // OpenShift runs DeploymentConfig pods like a Deployment's; before API groups it was served as plain `v1`.
  'apps.openshift.io/DeploymentConfig': '/spec/template',
  'v1/DeploymentConfig': '/spec/template',
  // Workload CRDs with a standard pod template.
  'argoproj.io/Rollout': '/spec/template',
  'apps.kruise.io/CloneSet': '/spec/template',
  'apps.kruise.io/StatefulSet': '/spec/template',
  'apps.kruise.io/DaemonSet': '/spec/template',
  'apps.kruise.io/BroadcastJob': '/spec/template',
  'apps.kruise.io/AdvancedCronJob': '/spec/template/jobTemplate/spec/template',
  'serving.knative.dev/Service': '/spec/template',
  'serving.knative.dev/Configuration': '/spec/template',
  'keda.sh/ScaledJob': '/spec/jobTargetRef/template',
};

/** Kinds Kubernetes itself serves; any other pod carrier is a custom resource (or OpenShift's own API). */
const KUBERNETES_KINDS: ReadonlySet<string> = new Set(['v1/Pod', 'v1/PodTemplate', 'v1/ReplicationController', 'apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet', 'apps/ReplicaSet', 'batch/Job', 'batch/CronJob']);
const KUBERNETES_GROUPS: ReadonlySet<string> = new Set(['', 'apps', 'batch', 'extensions']);

/**
 * Where any other kind may hold a pod template: the shapes workload controllers use (a Deployment-like
 * `spec.template`, a CronJob-like `spec.jobTemplate`, KEDA's `spec.jobTargetRef`, OpenKruise's cron
 * template). A node counts only when its `spec.containers` is a non-empty list of mappings, so a `template`
 * that is a string (Helm-like CRs), a list of steps (Argo Workflows, Tekton) or a partial pod override
 * without containers is not judged as a pod.
 */
const STRUCTURAL_POINTERS = ['/spec/template', '/spec/jobTemplate/spec/template', '/spec/jobTargetRef/template', '/spec/template/jobTemplate/spec/template'];

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
  /**
   * 'kubernetes': a Kubernetes workload kind; 'custom-resource': the pod template of another kind (OpenShift
   * DeploymentConfig, Argo Rollout, Knative Service, ...), judged as a pod because the cluster runs it as one.
   */
  origin?: 'kubernetes' | 'custom-resource';
  /** 'kind': a kind preadmit knows carries a pod; 'shape': found by the shape of the object's spec. */
  detected?: 'kind' | 'shape';
  /**
   * Labels the controller adds to every pod it creates, on top of the template's, where their value is
   * known from the object (a Job's `job-name`, a DeploymentConfig's `deploymentconfig`, a Knative
   * Service's `serving.knative.dev/service`): selectors of policies and Services may use them.
   */
  controllerLabels?: Readonly<Record<string, string>>;
}

/** Labels a controller puts on its pods, by kind, from the object's name. */
const CONTROLLER_LABELS: Record<string, (name: string) => Record<string, string>> = {
  'batch/Job': (name) => ({ 'job-name': name, 'batch.kubernetes.io/job-name': name }),
  'apps.openshift.io/DeploymentConfig': (name) => ({ deploymentconfig: name }),
  'v1/DeploymentConfig': (name) => ({ deploymentconfig: name }),
  'serving.knative.dev/Service': (name) => ({ 'serving.knative.dev/service': name, 'serving.knative.dev/configuration': name }),
  'serving.knative.dev/Configuration': (name) => ({ 'serving.knative.dev/configuration': name }),
};

/** True when the kind carries a pod template, whether or not this object has one filled in. */
export function isPodCarrier(apiVersion: string, kind: string): boolean {
  return kindKey(apiVersion, kind) in POD_TEMPLATE_POINTERS;
}

function nodeAt(object: Obj, pointer: string): unknown {
  let node: unknown = object;
  for (const token of pointer.split('/').slice(1)) node = isObj(node) ? node[token] : undefined;
  return node;
}

/** A pod template by shape: a mapping whose `spec.containers` is a non-empty list of mappings. */
function looksLikePodTemplate(node: unknown): node is Obj & { spec: Obj } {
  if (!isObj(node) || !isObj(node.spec)) return false;
  if (node.metadata !== undefined && node.metadata !== null && !isObj(node.metadata)) return false;
  const containers = node.spec.containers;
  return Array.isArray(containers) && containers.length > 0 && containers.every(isObj);
}

/** The pod (metadata and spec) an object runs, or undefined when it has none or it is malformed. */
export function podTemplateOf(object: Obj): PodTemplateView | undefined {
  const apiVersion = str(object.apiVersion);
  const kind = str(object.kind);
  if (apiVersion === undefined || kind === undefined) return undefined;
  const key = kindKey(apiVersion, kind);
  const known = POD_TEMPLATE_POINTERS[key];
  if (known !== undefined) {
    const node = nodeAt(object, known);
    if (!isObj(node)) return undefined;
    const spec = node.spec;
    if (!isObj(spec)) return undefined;
    const metadata = isObj(node.metadata) ? node.metadata : {};
    const name = isObj(object.metadata) ? str(object.metadata.name) : undefined;
    const controllerLabels = name !== undefined && name !== '' ? CONTROLLER_LABELS[key]?.(name) : undefined;
    return { base: known, metadata, spec, origin: KUBERNETES_KINDS.has(key) ? 'kubernetes' : 'custom-resource', detected: 'kind', ...(controllerLabels ? { controllerLabels } : {}) };
  }
  // Kubernetes' own pod carriers are all listed above: only custom resources are recognised by shape.
  if (KUBERNETES_GROUPS.has(apiGroup(apiVersion))) return undefined;
  for (const pointer of STRUCTURAL_POINTERS) {
    const node = nodeAt(object, pointer);
    if (looksLikePodTemplate(node)) return { base: pointer, metadata: isObj(node.metadata) ? node.metadata : {}, spec: node.spec, origin: 'custom-resource', detected: 'shape' };
  }
  return undefined;
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
