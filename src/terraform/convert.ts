// One converter, driven by the tables below, from the typed resources of the hashicorp/kubernetes
// provider (`kubernetes_deployment`, `kubernetes_deployment_v1`, ...) to Kubernetes API objects, so every
// rule runs on them unchanged. The provider's JSON differs from the API in regular ways (K8S-RESOURCES.md):
//   - every nested block is a list, single blocks included: `spec[0].template[0]` -> `spec.template`;
//   - names are snake_case and repeated blocks singular: `init_container` -> `initContainers`;
//   - maps (labels, limits, data) are JSON objects whose keys stay as they are;
//   - unset blocks are `[]`, unset scalars `null`: both become absent;
//   - some integers are strings (`replicas`, `run_as_user`, ports), file modes octal strings.
// Unknown values (after_unknown) become JSON pointers into the converted object; sensitive values
// (after_sensitive) are converted as planned, for the rules to judge, and listed apart so reports never
// print them; every Secret payload is redacted (it is never scanned). A pointer into the
// converted object maps back to the Terraform attribute path (tfPathOf), for .tf lines.
import { escapeToken, tokens } from '../model/pointer.ts';
import { isObj, type Obj } from '../k8s/values.ts';
import { child, redactDeep, sensitiveStrings } from './marks.ts';

export interface TypedSpec {
  apiVersion: string;
  kind: string;
  /** Top-level attributes that are part of the Kubernetes object; the rest (timeouts, wait_for_*) is Terraform's. */
  top: readonly string[];
  /** A fixed object name (kubernetes_default_service_account manages `default`). */
  name?: string;
}

const WORKLOAD = ['metadata', 'spec'] as const;
const SERVICE_ACCOUNT = ['metadata', 'automount_service_account_token', 'image_pull_secret', 'secret'] as const;

/** Every typed resource converted, both spellings (`_v1` and un-suffixed) where the provider has both. */
export const TYPED_RESOURCES: Readonly<Record<string, TypedSpec>> = (() => {
  const table: Record<string, TypedSpec> = {};
  const add = (names: string[], spec: TypedSpec) => {
    for (const name of names) table[name] = spec;
  };
  add(['kubernetes_pod', 'kubernetes_pod_v1'], { apiVersion: 'v1', kind: 'Pod', top: WORKLOAD });
  add(['kubernetes_deployment', 'kubernetes_deployment_v1'], { apiVersion: 'apps/v1', kind: 'Deployment', top: WORKLOAD });
  add(['kubernetes_stateful_set', 'kubernetes_stateful_set_v1'], { apiVersion: 'apps/v1', kind: 'StatefulSet', top: WORKLOAD });
  add(['kubernetes_daemonset', 'kubernetes_daemon_set', 'kubernetes_daemon_set_v1'], { apiVersion: 'apps/v1', kind: 'DaemonSet', top: WORKLOAD });
  add(['kubernetes_job', 'kubernetes_job_v1'], { apiVersion: 'batch/v1', kind: 'Job', top: WORKLOAD });
  add(['kubernetes_cron_job'], { apiVersion: 'batch/v1beta1', kind: 'CronJob', top: WORKLOAD });
  add(['kubernetes_cron_job_v1'], { apiVersion: 'batch/v1', kind: 'CronJob', top: WORKLOAD });
  add(['kubernetes_replication_controller', 'kubernetes_replication_controller_v1'], { apiVersion: 'v1', kind: 'ReplicationController', top: WORKLOAD });
  add(['kubernetes_service_account', 'kubernetes_service_account_v1'], { apiVersion: 'v1', kind: 'ServiceAccount', top: SERVICE_ACCOUNT });
  add(['kubernetes_default_service_account', 'kubernetes_default_service_account_v1'], { apiVersion: 'v1', kind: 'ServiceAccount', top: SERVICE_ACCOUNT, name: 'default' });
  add(['kubernetes_role', 'kubernetes_role_v1'], { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', top: ['metadata', 'rule'] });
  add(['kubernetes_cluster_role', 'kubernetes_cluster_role_v1'], { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', top: ['metadata', 'rule', 'aggregation_rule'] });
  add(['kubernetes_role_binding', 'kubernetes_role_binding_v1'], { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', top: ['metadata', 'role_ref', 'subject'] });
  add(['kubernetes_cluster_role_binding', 'kubernetes_cluster_role_binding_v1'], { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', top: ['metadata', 'role_ref', 'subject'] });
  add(['kubernetes_network_policy', 'kubernetes_network_policy_v1'], { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', top: WORKLOAD });
  add(['kubernetes_namespace', 'kubernetes_namespace_v1'], { apiVersion: 'v1', kind: 'Namespace', top: ['metadata'] });
  add(['kubernetes_secret', 'kubernetes_secret_v1'], { apiVersion: 'v1', kind: 'Secret', top: ['metadata', 'data', 'binary_data', 'type', 'immutable'] });
  add(['kubernetes_config_map', 'kubernetes_config_map_v1'], { apiVersion: 'v1', kind: 'ConfigMap', top: ['metadata', 'data', 'binary_data', 'immutable'] });
  // *_v1_data resources write keys into an existing object (server-side apply): the keys they write are judged
  add(['kubernetes_config_map_v1_data'], { apiVersion: 'v1', kind: 'ConfigMap', top: ['metadata', 'data'] });
  add(['kubernetes_secret_v1_data'], { apiVersion: 'v1', kind: 'Secret', top: ['metadata', 'data'] });
  add(['kubernetes_service', 'kubernetes_service_v1'], { apiVersion: 'v1', kind: 'Service', top: WORKLOAD });
  add(['kubernetes_ingress'], { apiVersion: 'networking.k8s.io/v1beta1', kind: 'Ingress', top: WORKLOAD });
  add(['kubernetes_ingress_v1'], { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', top: WORKLOAD });
  return table;
})();

/**
 * Repeated blocks: Terraform's singular block name -> the API's list field. A function decides by the
 * enclosing block's Terraform name (and the kind) where one name means different things.
 */
type Plural = string | ((parent: string, kind: string) => string | undefined);
const REPEATED: Readonly<Record<string, Plural>> = {
  container: 'containers',
  init_container: 'initContainers',
  volume: 'volumes',
  volume_mount: 'volumeMounts',
  volume_device: 'volumeDevices',
  // container and service ports are lists; an Ingress backend's `service[0].port[0]` is one object
  port: (parent) => (parent === 'service' ? undefined : 'ports'),
  // NetworkPolicy rules spell their port list `ports`
  ports: (parent) => (parent === 'ingress' || parent === 'egress' ? 'ports' : undefined),
  env: 'env',
  env_from: 'envFrom',
  toleration: 'tolerations',
  host_aliases: 'hostAliases',
  topology_spread_constraint: 'topologySpreadConstraints',
  readiness_gate: 'readinessGates',
  resize_policy: 'resizePolicy',
  sysctl: 'sysctls',
  rule: 'rules',
  subject: 'subjects',
  // StatefulSet claim templates are a list; an ephemeral volume has one template
  volume_claim_template: (parent) => (parent === 'ephemeral' ? undefined : 'volumeClaimTemplates'),
  image_pull_secrets: 'imagePullSecrets',
  image_pull_secret: 'imagePullSecrets',
  // a ServiceAccount's `secret` blocks are its secrets list; elsewhere `secret` is a volume source
  secret: (parent, kind) => (parent === '' && kind === 'ServiceAccount' ? 'secrets' : undefined),
  http_header: 'httpHeaders',
  path: 'paths',
  tls: 'tls',
  match_expressions: 'matchExpressions',
  match_fields: 'matchFields',
  items: 'items',
  sources: 'sources',
  node_selector_term: 'nodeSelectorTerms',
  preferred_during_scheduling_ignored_during_execution: 'preferredDuringSchedulingIgnoredDuringExecution',
  // node affinity's required term is one NodeSelector; pod (anti-)affinity's is a list of terms
  required_during_scheduling_ignored_during_execution: (parent) => (parent === 'node_affinity' ? undefined : 'requiredDuringSchedulingIgnoredDuringExecution'),
  option: 'options',
  ingress: (parent, kind) => (kind === 'NetworkPolicy' && parent === 'spec' ? 'ingress' : undefined),
  egress: (parent, kind) => (kind === 'NetworkPolicy' && parent === 'spec' ? 'egress' : undefined),
  from: 'from',
  to: 'to',
  cluster_role_selectors: 'clusterRoleSelectors',
};

/** Names a plain lower-camel-case conversion gets wrong (initialisms and the odd spelling). */
const IRREGULAR: Readonly<Record<string, string>> = {
  host_pid: 'hostPID',
  host_ipc: 'hostIPC',
  host_ip: 'hostIP',
  external_ips: 'externalIPs',
  cluster_ip: 'clusterIP',
  cluster_ips: 'clusterIPs',
  load_balancer_ip: 'loadBalancerIP',
  client_ip: 'clientIP',
  non_resource_urls: 'nonResourceURLs',
  se_linux_options: 'seLinuxOptions',
  downward_api: 'downwardAPI',
  run_as_username: 'runAsUserName',
  timezone: 'timeZone',
  target_wwns: 'targetWWNs',
  scale_io: 'scaleIO',
};
/** Names that differ for one kind only: `${kind}|${enclosing Terraform block}|${attribute}`. */
const KIND_RENAMES: Readonly<Record<string, string>> = {
  // kubernetes_daemonset calls the DaemonSet's updateStrategy `strategy`
  'DaemonSet|spec|strategy': 'updateStrategy',
};
const IRREGULAR_INVERSE: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(IRREGULAR).map(([k, v]) => [v, k]));

/** Computed metadata that says nothing about the object (and is unknown on every create). */
const METADATA_COMPUTED = new Set(['uid', 'resource_version', 'generation', 'self_link']);
/** Integers the provider keeps as strings. */
const INTEGER_STRINGS = new Set(['replicas', 'run_as_user', 'run_as_group', 'fs_group', 'toleration_seconds', 'ttl_seconds_after_finished']);
/** IntOrString fields: a numeric string becomes a number, a name ("http", "25%") stays. */
const INT_OR_STRING = new Set(['port', 'target_port', 'max_surge', 'max_unavailable', 'service_port']);
/** File modes the provider takes as octal strings ("0644"); the API wants the integer. */
const OCTAL_MODES = new Set(['default_mode', 'mode']);
/** Map-typed attributes (JSON objects whose keys are data): used to map pointers past a missing map. */
const MAP_ATTRIBUTES = new Set(['labels', 'annotations', 'match_labels', 'node_selector', 'data', 'binary_data', 'limits', 'requests', 'volume_attributes', 'selector']);

/** Converted nodes that were Terraform maps: their keys are data, not attribute names. */
const MAP_NODES = new WeakSet<object>();
/** (kind, enclosing Terraform block, API field) -> Terraform attribute, learnt while converting. */
const INVERSE = new Map<string, string>();

function camel(key: string): string {
  return IRREGULAR[key] ?? key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function pluralOf(key: string, parent: string, kind: string): string | undefined {
  const entry = REPEATED[key];
  return typeof entry === 'function' ? entry(parent, kind) : entry;
}

interface Naming {
  /** Whether a list value is a repeated block (kept a list, under the `list` name). */
  repeated: boolean;
  /** API name when the value is a list (a repeated block), else the plain name. */
  list: string;
  plain: string;
  listEscaped: string;
  plainEscaped: string;
}

/** kind -> enclosing block -> attribute -> names: computed once per vocabulary entry, not per node. */
const NAMES = new Map<string, Map<string, Map<string, Naming>>>();

function namingOf(kind: string, parent: string, key: string): Naming {
  let byParent = NAMES.get(kind);
  if (byParent === undefined) NAMES.set(kind, (byParent = new Map()));
  let byKey = byParent.get(parent);
  if (byKey === undefined) byParent.set(parent, (byKey = new Map()));
  let naming = byKey.get(key);
  if (naming === undefined) {
    const plain = KIND_RENAMES[`${kind}|${parent}|${key}`] ?? camel(key);
    const plural = pluralOf(key, parent, kind);
    const list = plural ?? plain;
    naming = { repeated: plural !== undefined, list, plain, listEscaped: escapeToken(list), plainEscaped: escapeToken(plain) };
    byKey.set(key, naming);
    INVERSE.set(`${kind}|${parent}|${plain}`, key);
    INVERSE.set(`${kind}|${parent}|${list}`, key);
  }
  return naming;
}

function fixScalar(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if ((INTEGER_STRINGS.has(key) || INT_OR_STRING.has(key)) && /^-?\d+$/.test(value)) return Number(value);
  if (OCTAL_MODES.has(key) && /^0[0-7]*$/.test(value)) return parseInt(value, 8);
  if (OCTAL_MODES.has(key) && /^\d+$/.test(value)) return Number(value);
  return value;
}

function asMap(value: Obj): Obj {
  MAP_NODES.add(value);
  return value;
}

interface Walk {
  kind: string;
  unknown: string[];
}

/**
 * Converts one block. `pointer` is only maintained while there are unknown marks below (it is built
 * for nothing else), which keeps large plans cheap.
 */
function convertBlock(tf: Obj, unknown: unknown, sensitive: unknown, parent: string, pointer: string, walk: Walk, top?: readonly string[]): Obj {
  const out: Obj = {};
  for (const key in tf) convertKey(tf, key, unknown, sensitive, parent, pointer, walk, top, out);
  if (unknown !== null && typeof unknown === 'object' && !Array.isArray(unknown)) {
    for (const key in unknown as Obj) if (!(key in tf)) convertKey(tf, key, unknown, sensitive, parent, pointer, walk, top, out);
  }
  return out;
}

function convertKey(tf: Obj, key: string, unknown: unknown, sensitive: unknown, parent: string, pointer: string, walk: Walk, top: readonly string[] | undefined, out: Obj): void {
  if (top !== undefined && !top.includes(key)) return;
  if (parent === 'metadata' && METADATA_COMPUTED.has(key)) return;
  const value = tf[key];
  const u = unknown === undefined ? undefined : child(unknown, key);
  const s = sensitive === undefined ? undefined : child(sensitive, key);
  const naming = namingOf(walk.kind, parent, key);
  // a repeated block is a list (or, unknown as a whole, `true`); `path` and `port` are also scalar names
  const listy = Array.isArray(value) || (value === undefined && (u === true || Array.isArray(u)));
  const repeated = listy && naming.repeated;
  const name = repeated ? naming.list : naming.plain;
  const at = u === undefined || u === false ? '' : `${pointer}/${repeated ? naming.listEscaped : naming.plainEscaped}`;
  if (u === true) walk.unknown.push(at);
  let converted: unknown;
  if (Array.isArray(value)) {
    if (value.length === 0) converted = undefined;
    else if (repeated) {
      const list: unknown[] = new Array(value.length);
      for (let i = 0; i < value.length; i++) {
        const element = value[i];
        const ue = u === undefined ? undefined : child(u, i);
        if (ue === true && u !== true) walk.unknown.push(`${at}/${i}`);
        const se = s === undefined ? undefined : child(s, i);
        if (isObj(element)) list[i] = convertBlock(element, ue, se, key, ue === undefined ? '' : `${at}/${i}`, walk);
        else list[i] = s === true || se === true ? redactDeep(element) : element;
      }
      converted = list;
    } else if (value[0] === null && child(u, 0) === true) {
      // an unknown block limited to one element
      if (u !== true) walk.unknown.push(at);
      converted = undefined;
    } else if (isObj(value[0])) {
      // a block limited to one element
      const ue = u === undefined ? undefined : child(u, 0);
      if (ue === true && u !== true) walk.unknown.push(at);
      converted = convertBlock(value[0], ue, s === undefined ? undefined : child(s, 0), key, at, walk);
    } else {
      const list: unknown[] = new Array(value.length);
      for (let i = 0; i < value.length; i++) {
        const ue = u === undefined ? undefined : child(u, i);
        if (ue === true && u !== true) walk.unknown.push(`${at}/${i}`);
        const fixed = fixScalar(key, value[i]);
        list[i] = s === true || (s !== undefined && child(s, i) === true) ? redactDeep(fixed) : fixed;
      }
      converted = list;
    }
  } else if (isObj(value)) {
    const map: Obj = {};
    for (const k in value) {
      const v = value[k];
      if (v === null) continue;
      map[k] = s === true || (s !== undefined && child(s, k) === true) ? redactDeep(v) : v;
    }
    if (isObj(u)) for (const k in u) if (u[k] === true) walk.unknown.push(`${at}/${escapeToken(k)}`);
    converted = asMap(map);
  } else if (value !== null && value !== undefined) {
    converted = s === true ? redactDeep(fixScalar(key, value)) : fixScalar(key, value);
  }
  if (converted !== undefined) out[name] = converted;
}

export interface Converted {
  raw: Obj;
  /** Pointers (into raw) whose planned value is unknown until apply. */
  unknown: string[];
  /** Strings the plan marks sensitive (after_sensitive): in raw for the rules, kept out of every report. */
  sensitive: string[];
}

/**
 * Converts a typed resource's planned value. `after` null or not an object means the whole value is
 * unknown: an object with only apiVersion and kind, unknown at ''.
 */
export function convertTyped(type: string, after: unknown, afterUnknown: unknown, afterSensitive: unknown): Converted | undefined {
  const spec = TYPED_RESOURCES[type];
  if (spec === undefined) return undefined;
  const walk: Walk = { kind: spec.kind, unknown: [] };
  const head: Obj = { apiVersion: spec.apiVersion, kind: spec.kind };
  if (!isObj(after)) return { raw: head, unknown: [''], sensitive: [] };
  // A Secret's payload is never scanned, whatever after_sensitive says (plans before 0.15 carry no
  // sensitivity); any other value marked sensitive is judged as planned (the cluster gets it as planned).
  const redacted = spec.kind === 'Secret' ? { data: true, binary_data: true } : undefined;
  const body = convertBlock(after, afterUnknown, redacted, '', '', walk, spec.top);
  const raw: Obj = { ...head, ...body };
  if (spec.name !== undefined) {
    const metadata = isObj(raw.metadata) ? raw.metadata : {};
    raw.metadata = { ...metadata, name: spec.name };
  }
  return { raw, unknown: walk.unknown, sensitive: [...sensitiveStrings(after, afterSensitive)] };
}

function snake(name: string): string {
  return IRREGULAR_INVERSE[name] ?? name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * The Terraform attribute path (`['spec', 0, 'template', 0, ...]`) of a pointer into a converted object.
 * Past the end of the object (a rule pointing where a missing field belongs) names are mapped as they
 * would have been, assuming blocks for non-map names.
 */
export function tfPathOf(kind: string, raw: Obj, pointer: string): (string | number)[] {
  const path: (string | number)[] = [];
  const steps = tokens(pointer);
  let node: unknown = raw;
  let parent = '';
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (Array.isArray(node)) {
      path.push(Number(step));
      node = node[Number(step)];
      continue;
    }
    if (isObj(node) && MAP_NODES.has(node)) {
      path.push(step);
      node = node[step];
      continue;
    }
    if (i === 0 && (step === 'apiVersion' || step === 'kind')) return [];
    const key = INVERSE.get(`${kind}|${parent}|${step}`) ?? snake(step);
    path.push(key);
    const next = isObj(node) ? node[step] : undefined;
    const following = steps[i + 1];
    if (isObj(next) && !MAP_NODES.has(next)) path.push(0);
    else if (next === undefined && following !== undefined && !/^\d+$/.test(following) && !MAP_ATTRIBUTES.has(key)) path.push(0);
    node = next;
    parent = key;
  }
  return path;
}
