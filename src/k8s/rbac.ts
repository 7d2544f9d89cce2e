// RBAC as the API server's authorizer reads it: rule matching (with `*` and `*/subresource`), the
// permissions that matter for a compromised workload, and who a binding grants them to.
import type { ScannedObject, Severity } from '../core/model.ts';
import { labelSelector, labelsOf } from './selectors.ts';
import { arr, isObj, str, type Obj } from './values.ts';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

const strings = (value: unknown) => arr(value).filter((v): v is string => typeof v === 'string');

export function policyRules(value: unknown): PolicyRule[] {
  return arr(value)
    .filter(isObj)
    .map((rule) => ({
      apiGroups: strings(rule.apiGroups),
      resources: strings(rule.resources),
      verbs: strings(rule.verbs),
      resourceNames: strings(rule.resourceNames),
      nonResourceURLs: strings(rule.nonResourceURLs),
    }));
}

/** Whether a rule allows a verb on `group` `resource` (resource may carry a subresource: `pods/exec`). */
export function allows(rule: PolicyRule, verb: string, group: string, resource: string): boolean {
  if (!rule.verbs.includes(verb) && !rule.verbs.includes('*')) return false;
  if (!rule.apiGroups.includes(group) && !rule.apiGroups.includes('*')) return false;
  if (rule.resources.includes('*') || rule.resources.includes(resource)) return true;
  const slash = resource.indexOf('/');
  return slash !== -1 && rule.resources.includes('*' + resource.slice(slash));
}

/** A permission that gives a compromised workload a way to move further in the cluster. */
export interface DangerousPermission {
  id: string;
  /** Phrase for messages: "can read secrets". */
  summary: string;
  severity: Severity;
  requests: [verb: string, group: string, resource: string][];
}

const WORKLOADS: [string, string][] = [
  ['', 'pods'],
  ['apps', 'deployments'],
  ['apps', 'daemonsets'],
  ['apps', 'statefulsets'],
  ['apps', 'replicasets'],
  ['batch', 'jobs'],
  ['batch', 'cronjobs'],
  ['', 'replicationcontrollers'],
];

export const DANGEROUS_PERMISSIONS: readonly DangerousPermission[] = [
  {
    id: 'escalate-bind',
    summary: 'can grant itself any permission (escalate or bind on roles)',
    severity: 'critical',
    requests: [
      ['escalate', 'rbac.authorization.k8s.io', 'roles'],
      ['escalate', 'rbac.authorization.k8s.io', 'clusterroles'],
      ['bind', 'rbac.authorization.k8s.io', 'roles'],
      ['bind', 'rbac.authorization.k8s.io', 'clusterroles'],
    ],
  },
  {
    id: 'impersonate',
    summary: 'can impersonate users, groups or service accounts',
    severity: 'critical',
    requests: [
      ['impersonate', '', 'users'],
      ['impersonate', '', 'groups'],
      ['impersonate', '', 'serviceaccounts'],
      ['impersonate', 'authentication.k8s.io', 'uids'],
    ],
  },
  { id: 'nodes-proxy', summary: 'can reach the kubelet API through nodes/proxy (exec into any pod on the node)', severity: 'critical', requests: [['get', '', 'nodes/proxy'], ['create', '', 'nodes/proxy']] },
  {
    id: 'rbac-write',
    summary: 'can change RBAC roles and bindings',
    severity: 'critical',
    requests: ['create', 'update', 'patch'].flatMap((verb) =>
      ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings'].map((r) => [verb, 'rbac.authorization.k8s.io', r] as [string, string, string]),
    ),
  },
  { id: 'secrets-read', summary: 'can read secrets', severity: 'high', requests: [['get', '', 'secrets'], ['list', '', 'secrets'], ['watch', '', 'secrets']] },
  { id: 'token-request', summary: 'can mint service-account tokens (serviceaccounts/token)', severity: 'high', requests: [['create', '', 'serviceaccounts/token']] },
  {
    id: 'pod-exec',
    summary: 'can exec into, attach to or port-forward pods',
    severity: 'high',
    requests: [
      ['create', '', 'pods/exec'],
      ['get', '', 'pods/exec'],
      ['create', '', 'pods/attach'],
      ['create', '', 'pods/portforward'],
    ],
  },
  {
    id: 'workload-create',
    summary: 'can create or change pods and pod controllers',
    severity: 'high',
    requests: ['create', 'update', 'patch'].flatMap((verb) => WORKLOADS.map(([g, r]) => [verb, g, r] as [string, string, string])),
  },
  {
    id: 'webhook-config',
    summary: 'can change admission webhooks (intercept or disable admission control)',
    severity: 'high',
    requests: ['create', 'update', 'patch', 'delete'].flatMap((verb) =>
      ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings'].map(
        (r) => [verb, 'admissionregistration.k8s.io', r] as [string, string, string],
      ),
    ),
  },
  {
    id: 'csr-approval',
    summary: 'can approve certificate signing requests (issue cluster credentials)',
    severity: 'high',
    requests: [
      ['update', 'certificates.k8s.io', 'certificatesigningrequests/approval'],
      ['patch', 'certificates.k8s.io', 'certificatesigningrequests/approval'],
    ],
  },
];

export function isWildcardRule(rule: PolicyRule): boolean {
  return rule.verbs.includes('*') || rule.resources.includes('*') || rule.apiGroups.includes('*');
}

/** The dangerous permissions a set of rules grants, each with the index of the first rule granting it. */
export function dangerousIn(rules: readonly PolicyRule[]): { permission: DangerousPermission; ruleIndex: number; limitedByName: boolean }[] {
  const found: { permission: DangerousPermission; ruleIndex: number; limitedByName: boolean }[] = [];
  for (const permission of DANGEROUS_PERMISSIONS) {
    let best: { ruleIndex: number; limitedByName: boolean } | undefined;
    rules.forEach((rule, ruleIndex) => {
      if (!permission.requests.some(([verb, group, resource]) => allows(rule, verb, group, resource))) return;
      const limitedByName = rule.resourceNames.length > 0;
      if (best === undefined || (best.limitedByName && !limitedByName)) best = { ruleIndex, limitedByName };
    });
    if (best) found.push({ permission, ...best });
  }
  return found;
}

/** Built-in ClusterRoles a chart binds to without shipping them (approximations of the defaults). */
const ALL = ['*'];
export const BUILTIN_CLUSTER_ROLES: Readonly<Record<string, PolicyRule[]>> = {
  'cluster-admin': [{ apiGroups: ALL, resources: ALL, verbs: ALL, resourceNames: [], nonResourceURLs: [] }],
  admin: [
    { apiGroups: ['', 'apps', 'batch', 'rbac.authorization.k8s.io'], resources: ['pods', 'pods/exec', 'pods/attach', 'pods/portforward', 'secrets', 'deployments', 'daemonsets', 'statefulsets', 'replicasets', 'jobs', 'cronjobs', 'roles', 'rolebindings', 'serviceaccounts', 'serviceaccounts/token'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], resourceNames: [], nonResourceURLs: [] },
  ],
  edit: [
    { apiGroups: ['', 'apps', 'batch'], resources: ['pods', 'pods/exec', 'pods/attach', 'pods/portforward', 'secrets', 'deployments', 'daemonsets', 'statefulsets', 'replicasets', 'jobs', 'cronjobs', 'serviceaccounts/token'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], resourceNames: [], nonResourceURLs: [] },
  ],
  view: [{ apiGroups: ['', 'apps', 'batch'], resources: ['pods', 'services', 'configmaps', 'deployments', 'daemonsets', 'statefulsets', 'replicasets', 'jobs', 'cronjobs'], verbs: ['get', 'list', 'watch'], resourceNames: [], nonResourceURLs: [] }],
};

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

export function subjectsOf(binding: Obj): Subject[] {
  return arr(binding.subjects)
    .filter(isObj)
    .map((s) => {
      const subject: Subject = { kind: str(s.kind) ?? '', name: str(s.name) ?? '' };
      const namespace = str(s.namespace);
      if (namespace !== undefined) subject.namespace = namespace;
      return subject;
    });
}

/** Subjects that reach every service account or every authenticated caller. */
export const BROAD_GROUPS: Readonly<Record<string, string>> = {
  'system:anonymous': 'anonymous requests',
  'system:unauthenticated': 'every unauthenticated request',
  'system:authenticated': 'every authenticated user and service account',
  'system:serviceaccounts': 'every service account in the cluster',
};

/** Whether a binding subject covers a service account. */
export function subjectCovers(subject: Subject, bindingNamespace: string | undefined, saNamespace: string, saName: string): boolean {
  switch (subject.kind) {
    case 'ServiceAccount':
      return subject.name === saName && (subject.namespace ?? bindingNamespace) === saNamespace;
    case 'User':
      return subject.name === `system:serviceaccount:${saNamespace}:${saName}`;
    case 'Group':
      return subject.name === 'system:serviceaccounts' || subject.name === 'system:authenticated' || subject.name === `system:serviceaccounts:${saNamespace}`;
    default:
      return false;
  }
}

export interface Grant {
  binding: ScannedObject;
  /** The role object when the scan holds it. */
  role?: ScannedObject;
  roleRef: { kind: string; name: string };
  /** undefined: cluster-wide (ClusterRoleBinding); otherwise the namespace the rules apply in. */
  namespace?: string;
  rules: PolicyRule[];
  /** Known only by name (built-in, or not in the scan). */
  resolved: 'scan' | 'builtin' | 'missing';
}

/** Effective rules of every ClusterRole in a set of objects, with aggregation resolved. */
export function clusterRoleRules(clusterRoles: readonly ScannedObject[]): Map<string, PolicyRule[]> {
  const own = new Map<string, PolicyRule[]>();
  for (const role of clusterRoles) own.set(role.ref.name, policyRules(role.raw.rules));
  const effective = new Map(own);
  for (const role of clusterRoles) {
    const aggregation = role.raw.aggregationRule;
    if (!isObj(aggregation)) continue;
    const selectors = arr(aggregation.clusterRoleSelectors).map(labelSelector);
    const rules = [...(own.get(role.ref.name) ?? [])];
    for (const other of clusterRoles) {
      if (other === role) continue;
      const labels = labelsOf(other.raw.metadata);
      if (selectors.some((s) => !s.empty && s.matches(labels))) rules.push(...(own.get(other.ref.name) ?? []));
    }
    effective.set(role.ref.name, rules);
  }
  return effective;
}
