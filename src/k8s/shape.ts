// The structure rules rely on, checked where the API server's decoder would refuse the object: a field
// that is present (not null) with the wrong JSON type, e.g. `spec: "x"`, `containers: ["a", "b"]` or
// `privileged: "true"`. Rules read such a field as absent, so without this check a malformed object would
// pass silently; with it the object is still scanned and the malformation is reported as an error.
// Only types are checked, never required fields or values: absence stays legal everywhere.
import { join } from '../model/pointer.ts';
import { isObj } from './values.ts';

type Expected = 'mapping' | 'list' | 'string' | 'boolean' | 'integer';

/** A field with the wrong type: where it is (JSON pointer) and what it is. */
export interface ShapeProblem {
  pointer: string;
  message: string;
}

/** A field and the type it must have; `each` types the items of a list, `fields` the entries of a mapping. */
interface Field {
  type: Expected;
  each?: Expected | Fields;
  fields?: Fields;
}
type Fields = Record<string, Field | Expected>;

const STRINGS: Field = { type: 'list', each: 'string' };

const SECURITY_CONTEXT_COMMON: Fields = {
  runAsUser: 'integer',
  runAsGroup: 'integer',
  runAsNonRoot: 'boolean',
  seLinuxOptions: 'mapping',
  seccompProfile: 'mapping',
  appArmorProfile: 'mapping',
  windowsOptions: 'mapping',
};

const CONTAINER: Fields = {
  name: 'string',
  image: 'string',
  ports: { type: 'list', each: 'mapping' },
  env: { type: 'list', each: 'mapping' },
  envFrom: { type: 'list', each: 'mapping' },
  volumeMounts: { type: 'list', each: 'mapping' },
  resources: 'mapping',
  livenessProbe: 'mapping',
  readinessProbe: 'mapping',
  startupProbe: 'mapping',
  lifecycle: 'mapping',
  securityContext: {
    type: 'mapping',
    fields: {
      ...SECURITY_CONTEXT_COMMON,
      privileged: 'boolean',
      allowPrivilegeEscalation: 'boolean',
      readOnlyRootFilesystem: 'boolean',
      procMount: 'string',
      capabilities: { type: 'mapping', fields: { add: STRINGS, drop: STRINGS } },
    },
  },
};

const POD_SPEC: Fields = {
  containers: { type: 'list', each: CONTAINER },
  initContainers: { type: 'list', each: CONTAINER },
  ephemeralContainers: { type: 'list', each: CONTAINER },
  volumes: { type: 'list', each: { name: 'string', hostPath: 'mapping' } },
  securityContext: {
    type: 'mapping',
    fields: { ...SECURITY_CONTEXT_COMMON, sysctls: { type: 'list', each: 'mapping' }, supplementalGroups: { type: 'list', each: 'integer' } },
  },
  hostNetwork: 'boolean',
  hostPID: 'boolean',
  hostIPC: 'boolean',
  hostUsers: 'boolean',
  automountServiceAccountToken: 'boolean',
  serviceAccountName: 'string',
  os: 'mapping',
};

const POLICY_RULE: Fields = { verbs: STRINGS, apiGroups: STRINGS, resources: STRINGS, resourceNames: STRINGS, nonResourceURLs: STRINGS };

/** Kinds by `group/kind` (the core group written `v1`), with the fields checked. */
const KINDS: Record<string, Fields> = {
  'rbac.authorization.k8s.io/Role': { rules: { type: 'list', each: POLICY_RULE } },
  'rbac.authorization.k8s.io/ClusterRole': {
    rules: { type: 'list', each: POLICY_RULE },
    aggregationRule: { type: 'mapping', fields: { clusterRoleSelectors: { type: 'list', each: 'mapping' } } },
  },
  'rbac.authorization.k8s.io/RoleBinding': { roleRef: 'mapping', subjects: { type: 'list', each: 'mapping' } },
  'rbac.authorization.k8s.io/ClusterRoleBinding': { roleRef: 'mapping', subjects: { type: 'list', each: 'mapping' } },
  'v1/Service': {
    spec: {
      type: 'mapping',
      fields: { type: 'string', selector: 'mapping', ports: { type: 'list', each: 'mapping' }, externalIPs: STRINGS, loadBalancerSourceRanges: STRINGS },
    },
  },
  'v1/ServiceAccount': { automountServiceAccountToken: 'boolean' },
  'v1/ConfigMap': { data: 'mapping', binaryData: 'mapping' },
  'v1/Secret': { data: 'mapping', stringData: 'mapping' },
  'networking.k8s.io/NetworkPolicy': {
    spec: {
      type: 'mapping',
      fields: { podSelector: 'mapping', policyTypes: STRINGS, ingress: { type: 'list', each: 'mapping' }, egress: { type: 'list', each: 'mapping' } },
    },
  },
  'networking.k8s.io/Ingress': { spec: { type: 'mapping', fields: { rules: { type: 'list', each: 'mapping' }, tls: { type: 'list', each: 'mapping' } } } },
};

/** The steps from an object to its pod template (the pointers of podTemplateOf in workloads.ts). */
const POD_PATHS: Record<string, string[]> = {
  'v1/Pod': [],
  'v1/PodTemplate': ['template'],
  'v1/ReplicationController': ['spec', 'template'],
  'apps/Deployment': ['spec', 'template'],
  'apps/StatefulSet': ['spec', 'template'],
  'apps/DaemonSet': ['spec', 'template'],
  'apps/ReplicaSet': ['spec', 'template'],
  'batch/Job': ['spec', 'template'],
  'batch/CronJob': ['spec', 'jobTemplate', 'spec', 'template'],
};

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'mapping';
  if (typeof value === 'number') return Number.isInteger(value) ? 'number' : 'non-integer number';
  return typeof value;
}

function matches(value: unknown, expected: Expected): boolean {
  switch (expected) {
    case 'mapping':
      return isObj(value);
    case 'list':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
  }
}

/** `spec.containers[0].securityContext` for a pointer. */
export function fieldLabel(pointer: string): string {
  let label = '';
  for (const token of pointer.split('/').slice(1)) {
    const t = token.replace(/~1/g, '/').replace(/~0/g, '~');
    label += /^\d+$/.test(t) ? `[${t}]` : label === '' ? t : `.${t}`;
  }
  return label || 'the object';
}

function check(value: unknown, field: Field | Expected, pointer: string, out: ShapeProblem[]): void {
  if (value === undefined || value === null) return; // absent (null decodes as absent)
  const spec: Field = typeof field === 'string' ? { type: field } : field;
  if (!matches(value, spec.type)) {
    out.push({ pointer, message: `${fieldLabel(pointer)} is a ${typeOf(value)}, not ${spec.type === 'integer' ? 'an integer' : `a ${spec.type}`}` });
    return;
  }
  if (spec.fields && isObj(value)) checkFields(value, spec.fields, pointer, out);
  if (spec.each && Array.isArray(value)) {
    const each = spec.each;
    value.forEach((item, i) => {
      if (typeof each === 'string') check(item, each, join(pointer, i), out);
      else check(item, { type: 'mapping', fields: each }, join(pointer, i), out);
    });
  }
}

function checkFields(value: Record<string, unknown>, fields: Fields, pointer: string, out: ShapeProblem[]): void {
  for (const [key, field] of Object.entries(fields)) {
    if (Object.hasOwn(value, key)) check(value[key], field, join(pointer, key), out);
  }
}

/** API group of an apiVersion, with the core group as `v1`. */
function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  if (slash === -1) return 'v1';
  const group = apiVersion.slice(0, slash);
  return group === 'extensions' ? 'apps' : group;
}

/**
 * Fields of a Kubernetes object (apiVersion and kind already known to be strings) whose JSON type the API
 * server would refuse, in document order. Custom resources are not checked.
 */
export function shapeProblems(raw: Record<string, unknown>, apiVersion: string, kind: string): ShapeProblem[] {
  const out: ShapeProblem[] = [];
  const key = `${groupOf(apiVersion)}/${kind}`;
  const metadata = raw.metadata;
  if (isObj(metadata)) checkFields(metadata, { labels: 'mapping', annotations: 'mapping', name: 'string', namespace: 'string' }, '/metadata', out);
  const fields = KINDS[key];
  if (fields) checkFields(raw, fields, '', out);
  const steps = POD_PATHS[key];
  if (steps) {
    // Every step to the pod template is a mapping, then the template's metadata and spec.
    let node: unknown = raw;
    let pointer = '';
    for (const step of steps) {
      if (!isObj(node)) return out;
      const next = node[step];
      pointer = join(pointer, step);
      if (next === undefined || next === null) return out;
      if (!isObj(next)) {
        check(next, 'mapping', pointer, out);
        return out;
      }
      node = next;
    }
    if (!isObj(node)) return out;
    checkFields(node, { metadata: 'mapping', spec: { type: 'mapping', fields: POD_SPEC } }, pointer, out);
  }
  return out;
}
