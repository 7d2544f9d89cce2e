// RBAC as the API server's authorizer reads it: rule matching (with `*` and `*/subresource`), the
// permissions that matter for a compromised workload, and who a binding grants them to.
import type { ScannedObject, Severity } from '../model/model.ts';
import { BOOTSTRAP_RULES } from './rbac-bootstrap.ts';
import type { PolicyRule } from './policy-rule.ts';
import { arr, isObj, str, type Obj } from './values.ts';

export type { PolicyRule };

const strings = (value: unknown) => arr(value).filter((v): v is string => typeof v === 'string');

/** Policy rules, index for index: an entry that is not an object becomes a rule that grants nothing. */
export function policyRules(value: unknown): PolicyRule[] {
  return arr(value).map((entry) => {
    const rule = isObj(entry) ? entry : {};
    return {
      apiGroups: strings(rule.apiGroups),
      resources: strings(rule.resources),
      verbs: strings(rule.verbs),
      resourceNames: strings(rule.resourceNames),
      nonResourceURLs: strings(rule.nonResourceURLs),
    };
  });
}

/** Whether a rule allows a verb on `group` `resource` (resource may carry a subresource: `pods/exec`). */
export function allows(rule: PolicyRule, verb: string, group: string, resource: string): boolean {
  if (!rule.verbs.includes(verb) && !rule.verbs.includes('*')) return false;
  if (!rule.apiGroups.includes(group) && !rule.apiGroups.includes('*')) return false;
  if (rule.resources.includes('*') || rule.resources.includes(resource)) return true;
  const slash = resource.indexOf('/');
  return slash !== -1 && rule.resources.includes('*' + resource.slice(slash));
}

export type Request = readonly [verb: string, group: string, resource: string];

/** Resources (before any `/subresource`) that live outside namespaces: a Role's rules never reach them. */
const CLUSTER_SCOPED = new Set([
  'nodes', 'namespaces', 'persistentvolumes', 'users', 'groups', 'uids', 'userextras', 'clusterroles', 'clusterrolebindings',
  'certificatesigningrequests', 'signers', 'mutatingwebhookconfigurations', 'validatingwebhookconfigurations',
  'validatingadmissionpolicies', 'validatingadmissionpolicybindings', 'customresourcedefinitions', 'apiservices',
]);

/**
 * Whether a request can be authorized by a rule of a namespaced grant (a Role, or a ClusterRole bound by a
 * RoleBinding). `bind` on clusterroles is checked in the namespace of the RoleBinding being written, so a
 * namespaced grant can hold it (it lets the holder bind any ClusterRole inside that namespace).
 */
export function reachableInNamespace([verb, , resource]: Request): boolean {
  const base = resource.split('/')[0] ?? resource;
  if (base === 'clusterroles' && verb === 'bind') return true;
  // A request on one Namespace object (/api/v1/namespaces/NAME) is authorized in namespace NAME, so a
  // namespaced grant reaches its own Namespace (the reason view can `get namespaces`); creating or listing
  // namespaces is not in any namespace.
  if (base === 'namespaces') return !['create', 'list', 'watch', 'deletecollection'].includes(verb);
  return !CLUSTER_SCOPED.has(base);
}

/** `all`: any object; `named`: only the objects listed in resourceNames. */
export type Reach = 'all' | 'named';

/** Requests that carry no object name, so a rule limited by resourceNames never authorizes them. */
function nameless([verb, , resource]: Request): boolean {
  return verb === 'deletecollection' || (verb === 'create' && !resource.includes('/'));
}

export function isNamed(rule: PolicyRule): boolean {
  return rule.resourceNames.length > 0 && !rule.resourceNames.includes('');
}

/** How far a rule grants a request in a grant of the given scope, or undefined when it does not grant it. */
export function reachOf(rule: PolicyRule, request: Request, namespaced: boolean): Reach | undefined {
  const [verb, group, resource] = request;
  if (!allows(rule, verb, group, resource)) return undefined;
  if (namespaced && !reachableInNamespace(request)) return undefined;
  if (!isNamed(rule)) return 'all';
  return nameless(request) ? undefined : 'named';
}

/** The requests among `requests` a rule grants. */
export function grantedRequests(rule: PolicyRule, requests: readonly Request[], namespaced: boolean): Request[] {
  return requests.filter((request) => reachOf(rule, request, namespaced) !== undefined);
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
  {
    // Whoever overwrites a Secret redirects every reader of it (a database URL, a registry credential, a
    // webhook's serving key); creating one first claims a name a chart or controller will read later.
    id: 'secrets-write',
    summary: 'can create, change or delete secrets',
    severity: 'high',
    requests: ['create', 'update', 'patch', 'delete', 'deletecollection'].map((verb) => [verb, '', 'secrets'] as [string, string, string]),
  },
  { id: 'token-request', summary: 'can mint service-account tokens (serviceaccounts/token)', severity: 'high', requests: [['create', '', 'serviceaccounts/token']] },
  {
    id: 'pod-exec',
    summary: 'can exec into, attach to, port-forward or add ephemeral containers to pods',
    severity: 'high',
    // Since Kubernetes 1.30 the WebSocket streaming protocol opens exec and attach (1.31: port-forward) with
    // a GET upgrade request, which the authorizer checks as `get`: on those clusters `get` is as good as
    // `create`, so both count whatever version the chart is installed on.
    // An ephemeral container (update or patch on pods/ephemeralcontainers) runs a command of the holder's
    // choosing inside a running pod, with its volumes and service-account token: exec by another name.
    requests: [
      ...['create', 'get'].flatMap((verb) => ['pods/exec', 'pods/attach', 'pods/portforward'].map((r) => [verb, '', r] as [string, string, string])),
      ['update', '', 'pods/ephemeralcontainers'],
      ['patch', '', 'pods/ephemeralcontainers'],
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
    // A PersistentVolume names its own backing store: a hostPath (or local) volume is any directory of the
    // node, which a pod then mounts through a claim bound to it, past any hostPath check on pods.
    id: 'persistentvolume-create',
    summary: "can create persistent volumes (a hostPath volume mounts any path of a node's filesystem)",
    severity: 'high',
    requests: [['create', '', 'persistentvolumes']],
  },
  {
    // Pod Security admission reads its level from the namespace's labels: whoever relabels a namespace
    // `pod-security.kubernetes.io/enforce: privileged` may run privileged pods there.
    id: 'namespace-modify',
    summary: 'can change namespaces (relabel their Pod Security enforce level to privileged)',
    severity: 'high',
    requests: [['update', '', 'namespaces'], ['patch', '', 'namespaces']],
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

/** Dangerous permissions some rule of a grant gives, within its scope. */
export function dangerousGranted(rules: readonly PolicyRule[], namespaced: boolean): DangerousPermission[] {
  return DANGEROUS_PERMISSIONS.filter((p) => rules.some((rule) => grantedRequests(rule, p.requests, namespaced).length > 0));
}

/**
 * The dangerous permissions a set of rules grants within its scope, each with the index of the rule that
 * grants it most broadly (a rule without resourceNames before a named one).
 */
export function dangerousIn(rules: readonly PolicyRule[], namespaced: boolean): { permission: DangerousPermission; ruleIndex: number; limitedByName: boolean }[] {
  const found: { permission: DangerousPermission; ruleIndex: number; limitedByName: boolean }[] = [];
  for (const permission of DANGEROUS_PERMISSIONS) {
    let best: { ruleIndex: number; limitedByName: boolean } | undefined;
    rules.forEach((rule, ruleIndex) => {
      const reaches = permission.requests.map((request) => reachOf(rule, request, namespaced)).filter((r) => r !== undefined);
      if (reaches.length === 0) return;
      const limitedByName = !reaches.includes('all');
      if (best === undefined || (best.limitedByName && !limitedByName)) best = { ruleIndex, limitedByName };
    });
    if (best) found.push({ permission, ...best });
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------
// Cluster-admin equivalence.
//
// cluster-admin is dangerous because it is every permission, not because its rules are written `*`. A set
// of rules (own and aggregated, as the authorizer unions them) is cluster-admin-equivalent in its scope
// when, counting only grants not limited by resourceNames, it has either route:
// - `everything`: every standard verb (get, list, watch, create, update, patch, delete) on every resource
//   of the core group and of rbac.authorization.k8s.io, whether written `*` or enumerated. These groups
//   hold every credential (Secrets, service-account tokens), every workload identity (Pods run as any
//   service account, kube-system's controllers included), the nodes and namespaces, and RBAC itself.
//   Probed with the resources below: an enumeration must name each of them (a controller listing many
//   verbs on a few resources, or on its own API group, never does).
// - `escalation`: a direct step to everything: `bind` on clusterroles with create on the bindings of the
//   scope (it binds cluster-admin), `escalate` with update or patch on the roles of the scope (it rewrites
//   its own role), or, cluster-wide, `impersonate` on users, groups or service accounts (it acts as
//   system:masters or a control-plane account). A grant limited by resourceNames counts when it names
//   the target (bind on `cluster-admin`, impersonate `system:masters`).
// In a namespace (a Role, or a ClusterRole bound by a RoleBinding) the same routes over the namespaced
// resources give the namespace's admin: everything in it, its Secrets and RBAC included.

export const STANDARD_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] as const;

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** The resources an enumeration must cover to count as "every resource" (cluster-scoped ones only cluster-wide). */
export const ADMIN_PROBE_RESOURCES: readonly (readonly [group: string, resource: string])[] = [
  ['', 'pods'], ['', 'secrets'], ['', 'serviceaccounts'], ['', 'configmaps'], ['', 'services'], ['', 'persistentvolumeclaims'],
  ['', 'nodes'], ['', 'namespaces'], ['', 'persistentvolumes'],
  [RBAC_GROUP, 'roles'], [RBAC_GROUP, 'rolebindings'], [RBAC_GROUP, 'clusterroles'], [RBAC_GROUP, 'clusterrolebindings'],
];

export interface AdminEquivalence {
  route: 'everything' | 'escalation';
  /** Phrase for messages: "can bind any ClusterRole (cluster-admin included) and create clusterrolebindings". */
  how: string;
  /** Indexes (into the rules given) of the rules that make it up, in order. */
  ruleIndexes: number[];
}

interface AdminStep {
  how: string;
  requests: Request[];
  /** resourceNames that make a named grant of the step's first request as good as an unrestricted one. */
  targets?: readonly string[];
}

function escalationSteps(namespaced: boolean): AdminStep[] {
  const roles = namespaced ? 'roles' : 'clusterroles';
  const bindings = namespaced ? 'rolebindings' : 'clusterrolebindings';
  const steps: AdminStep[] = [
    {
      how: `can bind any ClusterRole, cluster-admin included (bind on clusterroles), and create ${bindings}`,
      requests: [['bind', RBAC_GROUP, 'clusterroles'], ['create', RBAC_GROUP, bindings]],
      targets: namespaced ? ['cluster-admin', 'admin'] : ['cluster-admin'],
    },
    ...(['update', 'patch'] as const).map((verb): AdminStep => ({
      how: `can escalate and ${verb} ${roles}, its own included, to any permission`,
      requests: [['escalate', RBAC_GROUP, roles], [verb, RBAC_GROUP, roles]],
    })),
  ];
  if (!namespaced) {
    steps.push(
      { how: 'can impersonate any group, system:masters included', requests: [['impersonate', '', 'groups']], targets: ['system:masters'] },
      { how: 'can impersonate any user, control-plane users included', requests: [['impersonate', '', 'users']] },
      { how: "can impersonate any service account, kube-system's controllers included", requests: [['impersonate', '', 'serviceaccounts']] },
    );
  }
  return steps;
}

/** Whether a rule grants a request on every object (or on one of `targets`). */
function grantsFully(rule: PolicyRule, request: Request, namespaced: boolean, targets: readonly string[] = []): boolean {
  const reach = reachOf(rule, request, namespaced);
  return reach === 'all' || (reach === 'named' && rule.resourceNames.some((name) => targets.includes(name)));
}

/**
 * The rules that together grant every request, or undefined. Each request is credited to the granting rule
 * that grants the most of them, so a narrow rule that also happens to grant one is not named in messages.
 */
function stepIndexes(rules: readonly PolicyRule[], requests: readonly Request[], namespaced: boolean, targets?: readonly string[]): number[] | undefined {
  const granted = rules.map((rule) => requests.map((request, i) => grantsFully(rule, request, namespaced, i === 0 ? targets : undefined)));
  const counts = granted.map((row) => row.filter(Boolean).length);
  const indexes = new Set<number>();
  for (let i = 0; i < requests.length; i++) {
    let best = -1;
    for (let r = 0; r < rules.length; r++) if (granted[r]![i] && (best === -1 || counts[r]! > counts[best]!)) best = r;
    if (best === -1) return undefined;
    indexes.add(best);
  }
  return [...indexes].sort((a, b) => a - b);
}

/** Every standard verb on every probe resource of the scope. */
export function everythingRequests(namespaced: boolean): Request[] {
  // Probed with `list`: a namespaced grant reaches its own Namespace object, but no list of namespaces.
  const probes = ADMIN_PROBE_RESOURCES.filter(([group, resource]) => !namespaced || reachableInNamespace(['list', group, resource]));
  return probes.flatMap(([group, resource]) => STANDARD_VERBS.map((verb): Request => [verb, group, resource]));
}

/**
 * Whether a set of rules is cluster-admin-equivalent in its scope (see above), and how; `everything` is
 * preferred to an escalation route when both hold.
 */
export function adminEquivalence(rules: readonly PolicyRule[], namespaced: boolean, routes: readonly AdminEquivalence['route'][] = ['everything', 'escalation']): AdminEquivalence | undefined {
  if (routes.includes('everything')) {
    const indexes = stepIndexes(rules, everythingRequests(namespaced), namespaced);
    if (indexes) return { route: 'everything', how: `allows every verb on every core and RBAC resource${namespaced ? ' of the namespace' : ''}`, ruleIndexes: indexes };
  }
  if (routes.includes('escalation')) {
    for (const step of escalationSteps(namespaced)) {
      const indexes = stepIndexes(rules, step.requests, namespaced, step.targets);
      if (indexes) return { route: 'escalation', how: step.how, ruleIndexes: indexes };
    }
  }
  return undefined;
}

/**
 * Built-in ClusterRoles a chart binds to without shipping them: every role of the Kubernetes bootstrap policy
 * (rbac-bootstrap.ts), with admin, edit and view aggregated as on a cluster.
 */
export const BUILTIN_CLUSTER_ROLES: Readonly<Record<string, PolicyRule[]>> = Object.freeze(
  Object.fromEntries(Object.entries(BOOTSTRAP_RULES).map(([name, rules]) => [name, [...rules]])),
);

/** The user-facing roles Kubernetes means to be bound per namespace (RBAC: user-facing roles). */
export const USER_FACING_ROLES: ReadonlySet<string> = new Set(['admin', 'edit', 'view']);

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

/** The index key of a binding subject . */
export function subjectKey(subject: Subject, bindingNamespace: string | undefined): string | undefined {
  switch (subject.kind) {
    case 'ServiceAccount': {
      // The authorizer reads an empty namespace like a missing one: the RoleBinding's own.
      const namespace = subject.namespace || bindingNamespace;
      return namespace === undefined ? undefined : `sa:${namespace}/${subject.name}`;
    }
    case 'User':
      return `user:${subject.name}`;
    case 'Group':
      return `group:${subject.name}`;
    default:
      return undefined;
  }
}

/**
 * Every subject key that covers a service account: itself, its user name, and the groups every service
 * account (of its namespace) and every authenticated caller belong to.
 */
export function serviceAccountKeys(namespace: string, name: string): string[] {
  return [
    `sa:${namespace}/${name}`,
    `user:system:serviceaccount:${namespace}:${name}`,
    'group:system:serviceaccounts',
    `group:system:serviceaccounts:${namespace}`,
    'group:system:authenticated',
  ];
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
