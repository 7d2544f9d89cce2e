// The ClusterRoles the API server creates at start-up (the RBAC bootstrap policy), as far as preadmit needs
// them: a chart binds them without shipping them, and an aggregationRule selector can match them. Declared
// from kubernetes/kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy: policy.go (clusterRoles) and
// controller_policy.go (buildControllerRoles, the `system:controller:` roles), as of Kubernetes v1.34.
// Roles behind feature gates that are off by default are left out, and so are the Roles of kube-system and
// kube-public (namespaced, never aggregated). Every role carries `kubernetes.io/bootstrapping: rbac-defaults`;
// admin, edit and view are themselves aggregated from the system:aggregate-to-* roles, as on a cluster.
import type { PolicyRule } from './policy-rule.ts';

export const BOOTSTRAP_POLICY = {
  kubernetes: 'v1.34',
  source: 'https://github.com/kubernetes/kubernetes/tree/master/plugin/pkg/auth/authorizer/rbac/bootstrappolicy (policy.go, controller_policy.go)',
} as const;

export const BOOTSTRAP_LABEL = { key: 'kubernetes.io/bootstrapping', value: 'rbac-defaults' } as const;

const AGGREGATE_TO = (role: 'admin' | 'edit' | 'view') => `rbac.authorization.k8s.io/aggregate-to-${role}`;

export interface BootstrapClusterRole {
  name: string;
  /** Labels besides kubernetes.io/bootstrapping (the aggregate-to-* labels). */
  labels: Readonly<Record<string, string>>;
  rules: readonly PolicyRule[];
  /** matchLabels of its aggregationRule (admin, edit, view). */
  aggregates?: Readonly<Record<string, string>>;
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const READ_WRITE = [...READ, ...WRITE];
const CORE = '';
const APPS = 'apps';
const BATCH = 'batch';
const RBAC = 'rbac.authorization.k8s.io';
const CERTS = 'certificates.k8s.io';
const STORAGE = 'storage.k8s.io';
const COORDINATION = 'coordination.k8s.io';
const AUTHN = 'authentication.k8s.io';
const AUTHZ = 'authorization.k8s.io';

function rule(verbs: string[], apiGroups: string[], resources: string[], resourceNames: string[] = []): PolicyRule {
  return { apiGroups, resources, verbs, resourceNames, nonResourceURLs: [] };
}
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ apiGroups: [], resources: [], verbs, resourceNames: [], nonResourceURLs });
const events = () => rule(['create', 'update', 'patch'], [CORE, 'events.k8s.io'], ['events']);
const reviews = () => [rule(['create'], [AUTHN], ['tokenreviews']), rule(['create'], [AUTHZ], ['subjectaccessreviews'])];

const role = (name: string, rules: PolicyRule[], labels: Record<string, string> = {}, aggregates?: Record<string, string>): BootstrapClusterRole => ({
  name,
  labels,
  rules,
  ...(aggregates ? { aggregates } : {}),
});
const controller = (name: string, rules: PolicyRule[]) => role(`system:controller:${name}`, [...rules, events()]);

/** cluster-admin first: where several built-in roles grant the same thing, messages name it. */
export const BOOTSTRAP_CLUSTER_ROLES: readonly BootstrapClusterRole[] = [
  role('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
  role('admin', [], {}, { [AGGREGATE_TO('admin')]: 'true' }),
  role('edit', [], { [AGGREGATE_TO('admin')]: 'true' }, { [AGGREGATE_TO('edit')]: 'true' }),
  role('view', [], { [AGGREGATE_TO('edit')]: 'true' }, { [AGGREGATE_TO('view')]: 'true' }),
  role('system:aggregate-to-admin', [rule(['create'], [AUTHZ], ['localsubjectaccessreviews']), rule(READ_WRITE, [RBAC], ['roles', 'rolebindings'])], { [AGGREGATE_TO('admin')]: 'true' }),
  role(
    'system:aggregate-to-edit',
    [
      rule(READ, [CORE], ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy']),
      rule(['impersonate'], [CORE], ['serviceaccounts']),
      rule(WRITE, [CORE], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
      // endpoints left edit in 1.22 (CVE-2021-25740).
      rule(WRITE, [CORE], ['replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/proxy', 'persistentvolumeclaims', 'configmaps', 'secrets']),
      rule(WRITE, [APPS], ['statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'replicasets', 'replicasets/scale']),
      rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
      rule(WRITE, [BATCH], ['jobs', 'cronjobs']),
      rule(WRITE, ['policy'], ['poddisruptionbudgets']),
      rule(WRITE, ['networking.k8s.io'], ['networkpolicies', 'ingresses']),
    ],
    { [AGGREGATE_TO('edit')]: 'true' },
  ),
  role(
    'system:aggregate-to-view',
    [
      rule(READ, [CORE], ['pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps']),
      rule(READ, [CORE], ['limitranges', 'resourcequotas', 'bindings', 'events', 'pods/status', 'resourcequotas/status', 'namespaces/status', 'replicationcontrollers/status', 'pods/log']),
      rule(READ, [CORE], ['namespaces']),
      rule(READ, [APPS], ['controllerrevisions', 'statefulsets', 'statefulsets/status', 'statefulsets/scale', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/status', 'deployments/scale', 'replicasets', 'replicasets/status', 'replicasets/scale']),
      rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
      rule(READ, [BATCH], ['jobs', 'cronjobs', 'cronjobs/status', 'jobs/status']),
      rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
      rule(READ, ['networking.k8s.io'], ['networkpolicies', 'ingresses', 'ingresses/status']),
    ],
    { [AGGREGATE_TO('view')]: 'true' },
  ),
  role('system:discovery', [urls(['get'], ['/livez', '/readyz', '/healthz', '/version', '/version/', '/openapi', '/openapi/*', '/api', '/api/*', '/apis', '/apis/*'])]),
  role('system:basic-user', [rule(['create'], [AUTHZ], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'])]),
  role('system:public-info-viewer', [urls(['get'], ['/livez', '/readyz', '/healthz', '/version', '/version/'])]),
  role('system:monitoring', [urls(['get'], ['/metrics', '/metrics/slis', '/livez', '/readyz', '/healthz', '/livez/*', '/readyz/*', '/healthz/*'])]),
  role('system:service-account-issuer-discovery', [urls(['get'], ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/'])]),
  role('system:heapster', [rule(READ, [CORE], ['events', 'pods', 'nodes', 'namespaces']), rule(READ, ['extensions'], ['deployments'])]),
  role('system:auth-delegator', reviews()),
  role('system:kube-aggregator', [rule(READ, [CORE], ['services', 'endpoints'])]),
  role('system:kube-dns', [rule(['list', 'watch'], [CORE], ['endpoints', 'services'])]),
  role('system:node-bootstrapper', [rule(['create', 'get', 'list', 'watch'], [CERTS], ['certificatesigningrequests'])]),
  role('system:node-problem-detector', [rule(['get'], [CORE], ['nodes']), rule(['patch'], [CORE], ['nodes/status']), events()]),
  role('system:node-proxier', [rule(['list', 'watch'], [CORE], ['services', 'endpoints']), rule(READ, [CORE], ['nodes']), events(), rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices'])]),
  role('system:kubelet-api-admin', [rule(READ, [CORE], ['nodes']), rule(['proxy'], [CORE], ['nodes']), rule(['*'], [CORE], ['nodes/proxy', 'nodes/metrics', 'nodes/spec', 'nodes/stats', 'nodes/log'])]),
  role('system:node', [
    ...reviews(),
    rule(['create'], [AUTHZ], ['localsubjectaccessreviews']),
    rule(READ, [CORE], ['services']),
    rule(['create', 'get', 'list', 'watch'], [CORE], ['nodes']),
    rule(['update', 'patch'], [CORE], ['nodes/status']),
    rule(['update', 'patch'], [CORE], ['nodes']),
    rule(['create', 'update', 'patch'], [CORE], ['events']),
    rule(READ, [CORE], ['pods']),
    rule(['create', 'delete'], [CORE], ['pods']),
    rule(['update', 'patch'], [CORE], ['pods/status']),
    rule(['create'], [CORE], ['pods/eviction']),
    // The Node authorizer narrows these to a node's own pods; bound through RBAC they hold cluster-wide.
    rule(READ, [CORE], ['secrets', 'configmaps']),
    rule(['get'], [CORE], ['persistentvolumeclaims', 'persistentvolumes']),
    rule(['get'], [CORE], ['endpoints']),
    rule(['create', 'get', 'list', 'watch'], [CERTS], ['certificatesigningrequests']),
    rule(['get', 'create', 'update', 'patch', 'delete'], [COORDINATION], ['leases']),
    rule(['get'], [STORAGE], ['volumeattachments']),
    rule(['get', 'update', 'patch'], [CORE], ['persistentvolumeclaims/status']),
    rule(['create'], [CORE], ['serviceaccounts/token']),
    rule(READ, [STORAGE], ['csidrivers']),
    rule(['get', 'create', 'update', 'patch', 'delete'], [STORAGE], ['csinodes']),
    rule(READ, ['node.k8s.io'], ['runtimeclasses']),
  ]),
  role('system:kube-controller-manager', [
    events(),
    rule(['create'], [COORDINATION], ['leases']),
    rule(['get', 'update'], [COORDINATION], ['leases'], ['kube-controller-manager']),
    rule(['create'], [CORE], ['secrets', 'serviceaccounts']),
    rule(['delete'], [CORE], ['secrets']),
    rule(['get'], [CORE], ['namespaces', 'secrets', 'serviceaccounts', 'configmaps']),
    rule(['update'], [CORE], ['secrets', 'serviceaccounts']),
    ...reviews(),
    rule(['list', 'watch'], ['*'], ['*']),
    rule(['create'], [CORE], ['serviceaccounts/token']),
  ]),
  role('system:kube-scheduler', [
    events(),
    rule(['create'], [COORDINATION], ['leases']),
    rule(['get', 'update'], [COORDINATION], ['leases'], ['kube-scheduler']),
    rule(READ, [CORE], ['nodes']),
    rule(['get', 'list', 'watch', 'delete'], [CORE], ['pods']),
    rule(['create'], [CORE], ['pods/binding', 'bindings']),
    rule(['patch', 'update'], [CORE], ['pods/status']),
    rule(READ, [CORE], ['services', 'replicationcontrollers']),
    rule(READ, [APPS, 'extensions'], ['replicasets']),
    rule(READ, [APPS], ['statefulsets']),
    rule(READ, ['policy'], ['poddisruptionbudgets']),
    rule(READ, [CORE], ['persistentvolumeclaims', 'persistentvolumes']),
    ...reviews(),
    rule(READ, [STORAGE], ['csinodes', 'csidrivers', 'csistoragecapacities']),
  ]),
  role('system:volume-scheduler', [rule([...READ, 'update', 'patch'], [CORE], ['persistentvolumes', 'persistentvolumeclaims']), rule(READ, [STORAGE], ['storageclasses'])]),
  role('system:persistent-volume-provisioner', [
    rule(['get', 'list', 'watch', 'create', 'delete'], [CORE], ['persistentvolumes']),
    rule(['get', 'list', 'watch', 'update'], [CORE], ['persistentvolumeclaims']),
    rule(READ, [STORAGE], ['storageclasses']),
    rule(['watch'], [CORE], ['events']),
    events(),
  ]),
  role('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [rule(['create'], [CERTS], ['certificatesigningrequests/nodeclient'])]),
  role('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [rule(['create'], [CERTS], ['certificatesigningrequests/selfnodeclient'])]),
  role('system:certificates.k8s.io:legacy-unknown-approver', [rule(['approve'], [CERTS], ['signers'], ['kubernetes.io/legacy-unknown'])]),
  role('system:certificates.k8s.io:kubelet-serving-approver', [rule(['approve'], [CERTS], ['signers'], ['kubernetes.io/kubelet-serving'])]),
  role('system:certificates.k8s.io:kube-apiserver-client-approver', [rule(['approve'], [CERTS], ['signers'], ['kubernetes.io/kube-apiserver-client'])]),
  role('system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', [rule(['approve'], [CERTS], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet'])]),
  // controller_policy.go
  controller('attachdetach-controller', [
    rule(['list', 'watch'], [CORE], ['persistentvolumes', 'persistentvolumeclaims']),
    rule(READ, [CORE], ['nodes']),
    rule(['patch', 'update'], [CORE], ['nodes/status']),
    rule(['list', 'watch'], [CORE], ['pods']),
    rule(['get', 'create', 'delete', 'list', 'watch'], [STORAGE], ['volumeattachments']),
    rule(READ, [STORAGE], ['csidrivers', 'csinodes']),
  ]),
  controller('clusterrole-aggregation-controller', [rule(['escalate', 'get', 'list', 'watch', 'update', 'patch'], [RBAC], ['clusterroles'])]),
  controller('cronjob-controller', [
    rule(['get', 'list', 'watch', 'update'], [BATCH], ['cronjobs']),
    rule(['get', 'list', 'watch', 'create', 'update', 'delete', 'patch'], [BATCH], ['jobs']),
    rule(['update'], [BATCH], ['cronjobs/status', 'cronjobs/finalizers']),
    rule(['list', 'watch', 'delete'], [CORE], ['pods']),
  ]),
  controller('daemon-set-controller', [
    rule(READ, ['extensions', APPS], ['daemonsets']),
    rule(['update'], ['extensions', APPS], ['daemonsets/status', 'daemonsets/finalizers']),
    rule(['list', 'watch'], [CORE], ['nodes']),
    rule(['list', 'watch', 'create', 'delete', 'patch'], [CORE], ['pods']),
    rule(['create'], [CORE], ['pods/binding']),
    rule(['get', 'list', 'watch', 'create', 'delete', 'update', 'patch'], [APPS], ['controllerrevisions']),
  ]),
  controller('deployment-controller', [
    rule(['get', 'list', 'watch', 'update'], ['extensions', APPS], ['deployments']),
    rule(['update'], ['extensions', APPS], ['deployments/status', 'deployments/finalizers']),
    rule(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], [APPS, 'extensions'], ['replicasets']),
    rule(['get', 'list', 'watch', 'update'], [CORE], ['pods']),
  ]),
  controller('disruption-controller', [
    rule(READ, ['extensions', APPS], ['deployments', 'replicasets', 'statefulsets']),
    rule(READ, [CORE], ['replicationcontrollers']),
    rule(READ, ['policy'], ['poddisruptionbudgets']),
    rule(['update'], ['policy'], ['poddisruptionbudgets/status']),
    rule(['patch', 'update'], [CORE], ['pods/status']),
    rule(['get'], ['*'], ['*/scale']),
  ]),
  controller('endpoint-controller', [
    rule(READ, [CORE], ['services', 'pods']),
    rule(['get', 'list', 'watch', 'create', 'update', 'delete'], [CORE], ['endpoints']),
    rule(['create'], [CORE], ['endpoints/restricted']),
  ]),
  controller('endpointslice-controller', [
    rule(READ, [CORE], ['services', 'pods', 'nodes']),
    rule(['update'], [CORE], ['services/finalizers']),
    rule(['get', 'list', 'watch', 'create', 'update', 'delete'], ['discovery.k8s.io'], ['endpointslices']),
  ]),
  controller('endpointslicemirroring-controller', [
    rule(READ, [CORE], ['services', 'endpoints']),
    rule(['update'], [CORE], ['services/finalizers', 'endpoints/finalizers']),
    rule(['get', 'list', 'watch', 'create', 'update', 'delete'], ['discovery.k8s.io'], ['endpointslices']),
  ]),
  controller('expand-controller', [
    rule(['get', 'list', 'watch', 'update', 'patch'], [CORE], ['persistentvolumes']),
    rule(['update', 'patch'], [CORE], ['persistentvolumeclaims/status']),
    rule(READ, [CORE], ['persistentvolumeclaims']),
    rule(['get'], [CORE], ['services']),
  ]),
  controller('ephemeral-volume-controller', [
    rule(READ, [CORE], ['pods']),
    rule(['update'], [CORE], ['pods/finalizers']),
    rule(['get', 'list', 'watch', 'create'], [CORE], ['persistentvolumeclaims']),
  ]),
  controller('generic-garbage-collector', [rule(['get', 'list', 'watch', 'patch', 'update', 'delete'], ['*'], ['*'])]),
  controller('horizontal-pod-autoscaler', [
    rule(READ, ['autoscaling'], ['horizontalpodautoscalers']),
    rule(['update'], ['autoscaling'], ['horizontalpodautoscalers/status']),
    rule(['get', 'update'], ['*'], ['*/scale']),
    rule(['list', 'watch'], [CORE], ['pods']),
    rule(['list', 'watch'], ['metrics.k8s.io'], ['pods']),
    rule(READ, ['custom.metrics.k8s.io', 'external.metrics.k8s.io'], ['*']),
  ]),
  controller('job-controller', [
    rule(['get', 'list', 'watch', 'update', 'patch'], [BATCH], ['jobs']),
    rule(['update'], [BATCH], ['jobs/status', 'jobs/finalizers']),
    rule(['list', 'watch', 'create', 'delete', 'patch'], [CORE], ['pods']),
  ]),
  controller('namespace-controller', [
    rule(['get', 'list', 'watch', 'delete'], [CORE], ['namespaces']),
    rule(['update'], [CORE], ['namespaces/finalize', 'namespaces/status']),
    rule(['get', 'list', 'watch', 'delete', 'deletecollection'], ['*'], ['*']),
  ]),
  controller('node-controller', [
    rule(['get', 'list', 'watch', 'update', 'delete', 'patch'], [CORE], ['nodes']),
    rule(['patch', 'update'], [CORE], ['nodes/status', 'pods/status']),
    rule(['list', 'watch', 'get', 'delete'], [CORE], ['pods']),
  ]),
  controller('persistent-volume-binder', [
    rule(['get', 'list', 'watch', 'update', 'create', 'delete'], [CORE], ['persistentvolumes']),
    rule(['update'], [CORE], ['persistentvolumes/status', 'persistentvolumeclaims/status']),
    rule(['get', 'list', 'watch', 'update'], [CORE], ['persistentvolumeclaims']),
    rule(['list', 'watch', 'get', 'create', 'delete'], [CORE], ['pods']),
    rule(READ, [STORAGE], ['storageclasses']),
    rule(['list', 'watch'], [CORE], ['nodes']),
    rule(['watch'], [CORE], ['events']),
    rule(['get'], [CORE], ['services']),
  ]),
  controller('pod-garbage-collector', [rule(['list', 'watch', 'delete'], [CORE], ['pods']), rule(READ, [CORE], ['nodes']), rule(['patch'], [CORE], ['pods/status'])]),
  controller('replicaset-controller', [
    rule(['get', 'list', 'watch', 'update'], [APPS, 'extensions'], ['replicasets']),
    rule(['update'], [APPS, 'extensions'], ['replicasets/status', 'replicasets/finalizers']),
    rule(['list', 'watch', 'patch', 'create', 'delete'], [CORE], ['pods']),
  ]),
  controller('replication-controller', [
    rule(['get', 'list', 'watch', 'update'], [CORE], ['replicationcontrollers']),
    rule(['update'], [CORE], ['replicationcontrollers/status', 'replicationcontrollers/finalizers']),
    rule(['list', 'watch', 'patch', 'create', 'delete'], [CORE], ['pods']),
  ]),
  controller('resourcequota-controller', [rule(['list', 'watch'], ['*'], ['*']), rule(['update'], [CORE], ['resourcequotas/status'])]),
  controller('route-controller', [rule(['list', 'watch'], [CORE], ['nodes']), rule(['patch'], [CORE], ['nodes/status'])]),
  controller('service-account-controller', [rule(['create'], [CORE], ['serviceaccounts'])]),
  controller('service-controller', [rule(READ, [CORE], ['services']), rule(['patch', 'update'], [CORE], ['services/status']), rule(['list', 'watch'], [CORE], ['nodes'])]),
  controller('statefulset-controller', [
    rule(['list', 'watch'], [CORE], ['pods']),
    rule(READ, [APPS], ['statefulsets']),
    rule(['update'], [APPS], ['statefulsets/status', 'statefulsets/finalizers']),
    rule(['get', 'create', 'delete', 'update', 'patch'], [CORE], ['pods']),
    rule(['get', 'create', 'delete', 'update', 'patch', 'list', 'watch'], [APPS], ['controllerrevisions']),
    rule(['get', 'create', 'list', 'watch', 'update', 'delete'], [CORE], ['persistentvolumeclaims']),
    rule(['update'], [CORE], ['pods/finalizers']),
  ]),
  controller('ttl-controller', [rule(['update', 'patch', 'list', 'watch'], [CORE], ['nodes'])]),
  controller('certificate-controller', [
    rule(['get', 'list', 'watch', 'delete'], [CERTS], ['certificatesigningrequests']),
    rule(['update'], [CERTS], ['certificatesigningrequests/status', 'certificatesigningrequests/approval']),
    rule(['approve'], [CERTS], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet']),
    rule(['sign'], [CERTS], ['signers'], ['kubernetes.io/legacy-unknown', 'kubernetes.io/kube-apiserver-client', 'kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving']),
    rule(['create'], [AUTHZ], ['subjectaccessreviews']),
  ]),
  controller('pvc-protection-controller', [rule(['get', 'list', 'watch', 'update'], [CORE], ['persistentvolumeclaims']), rule(READ, [CORE], ['pods'])]),
  controller('pv-protection-controller', [rule(['get', 'list', 'watch', 'update'], [CORE], ['persistentvolumes'])]),
  controller('ttl-after-finished-controller', [rule(['get', 'list', 'watch', 'delete'], [BATCH], ['jobs'])]),
  controller('root-ca-cert-publisher', [rule(['create', 'update'], [CORE], ['configmaps'])]),
  controller('validatingadmissionpolicy-status-controller', [
    rule(READ, ['admissionregistration.k8s.io'], ['validatingadmissionpolicies']),
    rule(['get', 'patch', 'update'], ['admissionregistration.k8s.io'], ['validatingadmissionpolicies/status']),
  ]),
  role('system:controller:legacy-service-account-token-cleaner', [rule(['get'], [CORE], ['configmaps'], ['kube-apiserver-legacy-service-account-token-tracking']), rule(['patch', 'delete'], [CORE], ['secrets'])]),
];

/** Every label of a bootstrap role, kubernetes.io/bootstrapping included. */
export function bootstrapLabels(role: BootstrapClusterRole): Record<string, string> {
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  Object.assign(labels, role.labels, { [BOOTSTRAP_LABEL.key]: BOOTSTRAP_LABEL.value });
  return labels;
}

const matchesLabels = (want: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>) => Object.entries(want).every(([k, v]) => labels[k] === v);

/**
 * A bootstrap role's rules once the aggregation controller has run on a cluster with nothing else: its own
 * rules plus those of every bootstrap role its selector matches, transitively (admin gets edit and view).
 */
function effectiveRules(role: BootstrapClusterRole, seen = new Set<string>([role.name])): PolicyRule[] {
  const rules = [...role.rules];
  if (!role.aggregates) return rules;
  for (const other of BOOTSTRAP_CLUSTER_ROLES) {
    if (seen.has(other.name) || !matchesLabels(role.aggregates, bootstrapLabels(other))) continue;
    seen.add(other.name);
    rules.push(...effectiveRules(other, seen));
  }
  return rules;
}

/** The effective rules of every bootstrap ClusterRole, by name. */
export const BOOTSTRAP_RULES: Readonly<Record<string, readonly PolicyRule[]>> = Object.freeze(
  Object.fromEntries(BOOTSTRAP_CLUSTER_ROLES.map((r) => [r.name, effectiveRules(r)])),
);
