// Rules on RoleBindings and ClusterRoleBindings, and malformed RBAC input for every rbac-* rule.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Rule } from '../../src/engine/rule-kit.ts';
import bindingMissingRole from '../../rules/rbac-binding-missing-role.ts';
import broadSubject from '../../rules/rbac-broad-subject.ts';
import clusterAdminBinding from '../../rules/rbac-cluster-admin-binding.ts';
import csrApproval from '../../rules/rbac-csr-approval.ts';
import defaultServiceAccountBinding from '../../rules/rbac-default-service-account-binding.ts';
import escalateBindImpersonate from '../../rules/rbac-escalate-bind-impersonate.ts';
import nodesProxy from '../../rules/rbac-nodes-proxy.ts';
import podExec from '../../rules/rbac-pod-exec.ts';
import rbacWrite from '../../rules/rbac-rbac-write.ts';
import secretsRead from '../../rules/rbac-secrets-read.ts';
import secretsWrite from '../../rules/rbac-secrets-write.ts';
import tokenRequest from '../../rules/rbac-token-request.ts';
import webhookConfig from '../../rules/rbac-webhook-config.ts';
import wildcard from '../../rules/rbac-wildcard.ts';
import workloadCreate from '../../rules/rbac-workload-create.ts';
import { runRule, testRule } from '../helpers/rule-tester.ts';

type Json = Record<string, unknown>;
const RBAC = 'rbac.authorization.k8s.io/v1';
const doc = (o: Json) => '---\n' + stringify(o);

const sa = (name: string, namespace = 'apps') => ({ kind: 'ServiceAccount', name, namespace });
const group = (name: string) => ({ kind: 'Group', name, apiGroup: 'rbac.authorization.k8s.io' });
const user = (name: string) => ({ kind: 'User', name, apiGroup: 'rbac.authorization.k8s.io' });

const crb = (name: string, roleName: string, subjects: unknown) =>
  doc({ apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects });
const rb = (name: string, roleKind: string, roleName: string, subjects: unknown, namespace?: string) =>
  doc({
    apiVersion: RBAC,
    kind: 'RoleBinding',
    metadata: { name, ...(namespace ? { namespace } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: roleName },
    subjects,
  });
const clusterRole = (name: string, rules: unknown, extra: Json = {}) => doc({ apiVersion: RBAC, kind: 'ClusterRole', metadata: { name }, rules, ...extra });
const role = (name: string, rules: unknown, namespace?: string) => doc({ apiVersion: RBAC, kind: 'Role', metadata: { name, ...(namespace ? { namespace } : {}) }, rules });

const severities = (rule: Rule, yaml: string, unit?: 'chart') =>
  runRule(rule, yaml, unit ? { unit } : {})
    .map((f) => `${f.object.kind}/${f.object.name} ${f.path} ${f.severity}`)
    .sort();

// ---------------------------------------------------------------------------------------------------

testRule(clusterAdminBinding, {
  valid: [
    { name: 'ClusterRoleBinding to view', yaml: crb('viewers', 'view', [group('auditors')]) },
    { name: 'RoleBinding to admin', yaml: rb('ns-admin', 'ClusterRole', 'admin', [user('alice')], 'apps') },
    {
      name: 'a Role called cluster-admin is not the ClusterRole',
      yaml: role('cluster-admin', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }], 'apps') + rb('b', 'Role', 'cluster-admin', [sa('app')], 'apps'),
    },
    { name: 'roleRef that is not an object', yaml: doc({ apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name: 'x' }, roleRef: 'cluster-admin', subjects: [] }) },
  ],
  invalid: [
    {
      name: 'ClusterRoleBinding to cluster-admin',
      yaml: crb('operator-admin', 'cluster-admin', [sa('operator', 'ops')]),
      findings: [{ path: '/roleRef/name', message: 'binds cluster-admin cluster-wide: ServiceAccount ops/operator get every permission on every resource in every namespace' }],
    },
    {
      name: 'RoleBinding to cluster-admin',
      yaml: rb('ns-owner', 'ClusterRole', 'cluster-admin', [user('bob')], 'team-a'),
      findings: [{ path: '/roleRef/name', message: 'binds cluster-admin in namespace team-a' }],
    },
    {
      name: "ClusterRoleBinding to the chart's own cluster-admin equivalent",
      yaml: clusterRole('superuser', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]) + crb('superuser', 'superuser', [sa('controller')]),
      findings: [{ path: '/roleRef/name', message: 'binds ClusterRole superuser cluster-wide, which allows every verb on every resource like cluster-admin' }],
    },
    {
      name: 'ClusterRoleBinding to an aggregated ClusterRole with an empty selector',
      yaml: clusterRole('everything', [], { aggregationRule: { clusterRoleSelectors: [{}] } }) + crb('everything', 'everything', [sa('controller')]),
      findings: [{ path: '/roleRef/name' }],
    },
  ],
});

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const ALL_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const CORE_RESOURCES = ['pods', 'secrets', 'serviceaccounts', 'configmaps', 'services', 'endpoints', 'persistentvolumeclaims', 'persistentvolumes', 'nodes', 'namespaces'];
/** Every verb on every core and RBAC resource, without a single "*". */
const enumeratedAdmin = (name: string) =>
  clusterRole(name, [
    { apiGroups: [''], resources: CORE_RESOURCES, verbs: ALL_VERBS },
    { apiGroups: ['apps'], resources: ['deployments', 'daemonsets', 'statefulsets'], verbs: ALL_VERBS },
    { apiGroups: [RBAC_GROUP], resources: ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'], verbs: ALL_VERBS },
  ]);

testRule(clusterAdminBinding, {
  valid: [
    {
      name: 'an operator with every verb on the few resources it manages',
      yaml:
        clusterRole('operator', [
          { apiGroups: [''], resources: ['pods', 'services', 'configmaps', 'secrets', 'serviceaccounts', 'persistentvolumeclaims'], verbs: ALL_VERBS },
          { apiGroups: ['apps'], resources: ['statefulsets', 'deployments'], verbs: ALL_VERBS },
          { apiGroups: [RBAC_GROUP], resources: ['roles', 'rolebindings'], verbs: ALL_VERBS },
        ]) + crb('operator', 'operator', [sa('operator')]),
    },
    {
      name: 'bind limited to a named ClusterRole other than cluster-admin',
      yaml: clusterRole('granter', [{ apiGroups: [RBAC_GROUP], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['view'] }, { apiGroups: [RBAC_GROUP], resources: ['clusterrolebindings'], verbs: ['create'] }]) + crb('granter', 'granter', [sa('granter')]),
    },
    {
      name: 'bind without create on bindings cannot bind anything',
      yaml: clusterRole('binder', [{ apiGroups: [RBAC_GROUP], resources: ['clusterroles'], verbs: ['bind'] }]) + crb('binder', 'binder', [sa('binder')]),
    },
    {
      name: 'impersonation from a RoleBinding reaches no users or groups',
      yaml: clusterRole('imp', [{ apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] }]) + rb('imp', 'ClusterRole', 'imp', [sa('x')], 'apps'),
    },
  ],
  invalid: [
    {
      name: 'ClusterRoleBinding to a role enumerating every verb on every core and RBAC resource',
      yaml: enumeratedAdmin('enumerated-admin') + crb('enumerated-admin', 'enumerated-admin', [sa('controller', 'ops')]),
      findings: [{ path: '/roleRef/name', message: 'binds ClusterRole enumerated-admin cluster-wide, which allows every verb on every core and RBAC resource without "*", like cluster-admin: ServiceAccount ops/controller get every permission in every namespace' }],
    },
    {
      name: 'RoleBinding to a Role enumerating every namespaced core and RBAC resource',
      yaml:
        role('ns-admin', [
          { apiGroups: ['', RBAC_GROUP], resources: ['pods', 'secrets', 'serviceaccounts', 'configmaps', 'services', 'persistentvolumeclaims', 'roles', 'rolebindings'], verbs: ['*'] },
        ], 'apps') + rb('ns-admin', 'Role', 'ns-admin', [sa('app')], 'apps'),
      findings: [{ path: '/roleRef/name', message: 'binds Role ns-admin in namespace apps, which allows every verb on every core and RBAC resource of the namespace without "*"' }],
    },
    {
      name: 'resources "*" with every verb enumerated',
      yaml: clusterRole('all-resources', [{ apiGroups: ['*'], resources: ['*'], verbs: ALL_VERBS }]) + crb('all-resources', 'all-resources', [sa('x')]),
      findings: [{ path: '/roleRef/name', message: 'like cluster-admin' }],
    },
    {
      name: 'bind on every ClusterRole with create on clusterrolebindings',
      yaml: clusterRole('binder', [{ apiGroups: [RBAC_GROUP], resources: ['clusterroles'], verbs: ['bind'] }, { apiGroups: [RBAC_GROUP], resources: ['clusterrolebindings'], verbs: ['create', 'get'] }]) + crb('binder', 'binder', [sa('binder')]),
      findings: [{ path: '/roleRef/name', message: 'which can bind any ClusterRole, cluster-admin included (bind on clusterroles), and create clusterrolebindings: ServiceAccount apps/binder can make themselves cluster-admin' }],
    },
    {
      name: 'bind limited by name to cluster-admin',
      yaml:
        clusterRole('named-binder', [{ apiGroups: [RBAC_GROUP], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['cluster-admin'] }, { apiGroups: [RBAC_GROUP], resources: ['rolebindings'], verbs: ['create'] }]) +
        rb('named-binder', 'ClusterRole', 'named-binder', [sa('x')], 'apps'),
      findings: [{ path: '/roleRef/name', message: 'in namespace apps, which can bind any ClusterRole, cluster-admin included (bind on clusterroles), and create rolebindings' }],
    },
    {
      name: 'escalate and patch on its own ClusterRole',
      yaml: clusterRole('self-editor', [{ apiGroups: [RBAC_GROUP], resources: ['clusterroles'], verbs: ['escalate', 'patch', 'get'] }]) + crb('self-editor', 'self-editor', [sa('x')]),
      findings: [{ path: '/roleRef/name', message: 'can escalate and patch clusterroles, its own included, to any permission' }],
    },
    {
      name: 'impersonating system:masters by name',
      yaml: clusterRole('masters', [{ apiGroups: [''], resources: ['groups'], verbs: ['impersonate'], resourceNames: ['system:masters'] }]) + crb('masters', 'masters', [user('ci')]),
      findings: [{ path: '/roleRef/name', message: 'can impersonate any group, system:masters included' }],
    },
  ],
});

describe('rbac-cluster-admin-binding severity and joins', () => {
  it('an enumerated or escalating equivalent weighs like cluster-admin: critical cluster-wide, high in a namespace', () => {
    expect(severities(clusterAdminBinding, enumeratedAdmin('e') + crb('a', 'e', [user('x')]))).toEqual(['ClusterRoleBinding/a /roleRef/name critical']);
    expect(severities(clusterAdminBinding, enumeratedAdmin('e') + rb('b', 'ClusterRole', 'e', [user('x')], 'ns'))).toEqual(['RoleBinding/b /roleRef/name high']);
    const impersonator = clusterRole('i', [{ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] }]);
    expect(severities(clusterAdminBinding, impersonator + crb('c', 'i', [user('x')]))).toEqual(['ClusterRoleBinding/c /roleRef/name critical']);
  });

  it('critical cluster-wide, high in a namespace', () => {
    expect(severities(clusterAdminBinding, crb('a', 'cluster-admin', [user('x')]))).toEqual(['ClusterRoleBinding/a /roleRef/name critical']);
    expect(severities(clusterAdminBinding, rb('b', 'ClusterRole', 'cluster-admin', [user('x')], 'ns'))).toEqual(['RoleBinding/b /roleRef/name high']);
  });

  it('names the equivalent role in related', () => {
    const [finding] = runRule(clusterAdminBinding, clusterRole('superuser', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]) + crb('s', 'superuser', []));
    expect(finding!.related).toEqual([{ apiVersion: RBAC, kind: 'ClusterRole', name: 'superuser' }]);
    expect(finding!.message).toContain('its subjects (none listed yet)');
  });
});

// ---------------------------------------------------------------------------------------------------

const secretReader = clusterRole('secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }]);
const nodeProxy = clusterRole('node-proxy', [{ apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get'] }]);

testRule(broadSubject, {
  valid: [
    { name: 'a service account subject', yaml: secretReader + crb('reader', 'secret-reader', [sa('app')]) },
    { name: 'every service account of one namespace', yaml: rb('ns-view', 'ClusterRole', 'view', [group('system:serviceaccounts:apps')], 'apps') },
    { name: 'system:anonymous as a Group matches nobody (it is a user name)', yaml: crb('odd', 'view', [group('system:anonymous')]) },
    { name: 'subjects that are not a list', yaml: crb('odd2', 'view', { kind: 'Group', name: 'system:authenticated' }) },
  ],
  invalid: [
    {
      name: 'anonymous and unauthenticated reading secrets',
      yaml: secretReader + crb('open', 'secret-reader', [sa('app'), group('system:unauthenticated'), user('system:anonymous')]),
      findings: [
        { path: '/subjects/1', message: 'Group system:unauthenticated (every unauthenticated request) is bound to ClusterRole secret-reader cluster-wide, which can read secrets' },
        { path: '/subjects/2', message: 'User system:anonymous (anonymous requests)' },
      ],
    },
    {
      name: 'every authenticated user bound to view',
      yaml: crb('all-view', 'view', [group('system:authenticated')]),
      findings: [{ path: '/subjects/0', message: 'which has no permission from the dangerous-permission catalog' }],
    },
    {
      name: 'every service account bound to a role outside the scan',
      yaml: crb('sa-all', 'some-operator-role', [group('system:serviceaccounts')]),
      findings: [{ path: '/subjects/0', message: 'whose permissions the scan cannot see' }],
    },
    {
      name: 'RoleBinding of a nodes/proxy ClusterRole grants no nodes/proxy',
      yaml: nodeProxy + rb('ns-proxy', 'ClusterRole', 'node-proxy', [group('system:authenticated')], 'apps'),
      findings: [{ path: '/subjects/0', message: 'in namespace apps, which has no permission from the dangerous-permission catalog' }],
    },
    {
      name: 'discovery role re-bound to the unauthenticated',
      yaml: crb('discovery', 'system:discovery', [group('system:unauthenticated')]),
      findings: [{ path: '/subjects/0', message: 'only exposes discovery' }],
    },
  ],
});

describe('rbac-broad-subject severity', () => {
  it('critical for dangerous or unknown roles, medium for harmless ones, low for discovery roles', () => {
    expect(severities(broadSubject, secretReader + crb('a', 'secret-reader', [group('system:authenticated')]))).toEqual(['ClusterRoleBinding/a /subjects/0 critical']);
    expect(severities(broadSubject, crb('b', 'missing', [group('system:serviceaccounts')]))).toEqual(['ClusterRoleBinding/b /subjects/0 critical']);
    expect(severities(broadSubject, crb('c', 'edit', [group('system:serviceaccounts')]))).toEqual(['ClusterRoleBinding/c /subjects/0 critical']);
    expect(severities(broadSubject, crb('d', 'view', [group('system:authenticated')]))).toEqual(['ClusterRoleBinding/d /subjects/0 medium']);
    expect(severities(broadSubject, nodeProxy + crb('e', 'node-proxy', [group('system:authenticated')]))).toEqual(['ClusterRoleBinding/e /subjects/0 critical']);
    expect(severities(broadSubject, nodeProxy + rb('f', 'ClusterRole', 'node-proxy', [group('system:authenticated')], 'apps'))).toEqual(['RoleBinding/f /subjects/0 medium']);
    expect(severities(broadSubject, crb('g', 'system:public-info-viewer', [group('system:unauthenticated')]))).toEqual(['ClusterRoleBinding/g /subjects/0 low']);
  });

  it('names the bound role in related when the scan holds it', () => {
    const [finding] = runRule(broadSubject, secretReader + crb('a', 'secret-reader', [group('system:authenticated')]));
    expect(finding!.related).toEqual([{ apiVersion: RBAC, kind: 'ClusterRole', name: 'secret-reader' }]);
  });
});

// ---------------------------------------------------------------------------------------------------

const configReader = clusterRole('config-reader', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }]);
const secretWriter = role('secret-writer', [{ apiGroups: [''], resources: ['secrets'], verbs: ['create', 'patch'] }], 'apps');

testRule(defaultServiceAccountBinding, {
  valid: [
    { name: 'a dedicated service account', yaml: secretReader + crb('reader', 'secret-reader', [sa('app')]) },
    { name: 'a service account of another name in a RoleBinding', yaml: secretWriter + rb('writer', 'Role', 'secret-writer', [{ kind: 'ServiceAccount', name: 'default-app' }], 'apps') },
    { name: 'every service account of the cluster is rbac-broad-subject\'s', yaml: crb('all-sa', 'view', [group('system:serviceaccounts')]) },
    { name: 'a user called default is not the service account', yaml: rb('u', 'ClusterRole', 'edit', [user('default')], 'apps') },
    { name: 'another account through its user name', yaml: rb('u2', 'ClusterRole', 'edit', [user('system:serviceaccount:apps:builder')], 'apps') },
    { name: 'discovery roles every account already holds', yaml: crb('disc', 'system:discovery', [sa('default', 'apps')]) },
    { name: 'a ClusterRoleBinding subject without a namespace names no account', yaml: crb('no-ns', 'edit', [{ kind: 'ServiceAccount', name: 'default' }]) },
  ],
  invalid: [
    {
      name: 'RoleBinding of a secret-writing Role to default (namespace from the binding)',
      yaml: secretWriter + rb('hook', 'Role', 'secret-writer', [sa('installer'), { kind: 'ServiceAccount', name: 'default' }], 'apps'),
      findings: [
        {
          path: '/subjects/1',
          message: 'RoleBinding hook binds Role secret-writer in namespace apps to ServiceAccount apps/default: every pod in namespace apps that names no other service account inherits it, which can create, change or delete secrets',
        },
      ],
    },
    {
      name: 'ClusterRoleBinding of a secret reader to the default account of another namespace',
      yaml: secretReader + crb('reader', 'secret-reader', [sa('default', 'batch')]),
      findings: [{ path: '/subjects/0', message: 'ClusterRoleBinding reader binds ClusterRole secret-reader cluster-wide to ServiceAccount batch/default: every pod in namespace batch' }],
    },
    {
      name: "the default account's user name and its namespace's group",
      yaml: configReader + rb('cfg', 'ClusterRole', 'config-reader', [user('system:serviceaccount:apps:default'), group('system:serviceaccounts:apps')], 'apps'),
      findings: [
        { path: '/subjects/0', message: 'User system:serviceaccount:apps:default (the default service account of apps)' },
        { path: '/subjects/1', message: 'Group system:serviceaccounts:apps (every service account of apps, default included)' },
      ],
    },
    {
      name: 'cluster-admin by enumeration bound to default',
      yaml: enumeratedAdmin('enum') + crb('enum', 'enum', [sa('default', 'kube-system')]),
      findings: [{ path: '/subjects/0', message: 'which allows every verb on every core and RBAC resource (cluster-admin-equivalent)' }],
    },
    {
      name: 'a role outside the scan bound to default',
      yaml: rb('x', 'Role', 'elsewhere', [sa('default')], 'apps'),
      findings: [{ path: '/subjects/0', message: 'with permissions the scan cannot see' }],
    },
  ],
});

describe('rbac-default-service-account-binding severity', () => {
  it('high for dangerous, cluster-admin-equivalent or unknown roles, medium otherwise', () => {
    expect(severities(defaultServiceAccountBinding, secretWriter + rb('a', 'Role', 'secret-writer', [sa('default')], 'apps'))).toEqual(['RoleBinding/a /subjects/0 high']);
    expect(severities(defaultServiceAccountBinding, configReader + crb('b', 'config-reader', [sa('default')]))).toEqual(['ClusterRoleBinding/b /subjects/0 medium']);
    expect(severities(defaultServiceAccountBinding, rb('c', 'ClusterRole', 'view', [group('system:serviceaccounts:apps')], 'apps'))).toEqual(['RoleBinding/c /subjects/0 medium']);
    expect(severities(defaultServiceAccountBinding, rb('d', 'ClusterRole', 'edit', [sa('default')], 'apps'))).toEqual(['RoleBinding/d /subjects/0 high']);
    expect(severities(defaultServiceAccountBinding, crb('e', 'cluster-admin', [sa('default', 'apps')]))).toEqual(['ClusterRoleBinding/e /subjects/0 high']);
    expect(severities(defaultServiceAccountBinding, rb('f', 'Role', 'missing', [sa('default')], 'apps'))).toEqual(['RoleBinding/f /subjects/0 high']);
  });

  it('names the bound role in related', () => {
    const [finding] = runRule(defaultServiceAccountBinding, secretReader + crb('r', 'secret-reader', [sa('default')]));
    expect(finding!.related).toEqual([{ apiVersion: RBAC, kind: 'ClusterRole', name: 'secret-reader' }]);
  });
});

// ---------------------------------------------------------------------------------------------------

testRule(bindingMissingRole, {
  valid: [
    { name: 'binding to a Role of the chart', unit: 'chart', yaml: role('app', []) + rb('app', 'Role', 'app', [sa('app')]) },
    { name: 'binding to a built-in user-facing ClusterRole', unit: 'chart', yaml: rb('view', 'ClusterRole', 'view', [sa('app')]) },
    { name: 'binding to a system: ClusterRole', unit: 'chart', yaml: crb('delegator', 'system:auth-delegator', [sa('metrics-server', 'kube-system')]) },
    {
      name: 'kube-system bootstrap Role of aggregated API servers',
      unit: 'chart',
      yaml: rb('auth-reader', 'Role', 'extension-apiserver-authentication-reader', [sa('metrics-server', 'kube-system')], 'kube-system'),
    },
    { name: 'plain manifests are not a whole app', yaml: rb('app', 'Role', 'elsewhere', [sa('app')]) },
  ],
  invalid: [
    {
      name: 'RoleBinding to a Role the chart does not ship',
      unit: 'chart',
      yaml: rb('app', 'Role', 'app-reader', [sa('app')]),
      findings: [{ path: '/roleRef/name', message: 'Role "app-reader" is neither in the chart nor built in in namespace default' }],
    },
    {
      name: 'RoleBinding to a Role in another namespace',
      unit: 'chart',
      yaml: role('reader', [], 'other') + rb('app', 'Role', 'reader', [sa('app')], 'apps'),
      findings: [{ path: '/roleRef/name', message: 'the chart has a Role "reader" in namespace other' }],
    },
    {
      name: 'RoleBinding naming a ClusterRole of the chart as a Role',
      unit: 'chart',
      yaml: clusterRole('reader', []) + rb('app', 'Role', 'reader', [sa('app')]),
      findings: [{ path: '/roleRef/name', message: 'set roleRef.kind to ClusterRole' }],
    },
    {
      name: 'ClusterRoleBinding to a ClusterRole of another release',
      unit: 'chart',
      yaml: crb('scrape', 'prometheus-scraper', [sa('app')]),
      findings: [{ path: '/roleRef/name', message: 'ClusterRole "prometheus-scraper" is neither in the chart nor built in:' }],
    },
  ],
});

// ---------------------------------------------------------------------------------------------------

describe('malformed RBAC objects', () => {
  const all: Rule[] = [
    wildcard, secretsRead, secretsWrite, workloadCreate, podExec, escalateBindImpersonate, rbacWrite, tokenRequest, nodesProxy, csrApproval, webhookConfig,
    clusterAdminBinding, broadSubject, bindingMissingRole, defaultServiceAccountBinding,
  ];
  const malformed = [
    doc({ apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: 'a' }, rules: 'x' }),
    doc({ apiVersion: RBAC, kind: 'Role', metadata: { name: 'b' }, rules: [{ apiGroups: '', resources: 7, verbs: [1, null, {}] }, null, 'x', [], { verbs: ['get'] }] }),
    doc({ apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: 'c', labels: 'x' }, aggregationRule: { clusterRoleSelectors: 'x' }, rules: null }),
    doc({ apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: 'd' }, aggregationRule: { clusterRoleSelectors: ['x', { matchLabels: 'y' }, { matchExpressions: [{ key: 'k', operator: 'Bogus' }] }] } }),
    doc({ apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: 'e' }, aggregationRule: 'x' }),
    doc({ apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name: 'f' }, roleRef: 'x', subjects: {} }),
    doc({ apiVersion: RBAC, kind: 'RoleBinding', metadata: { name: 'g' }, roleRef: { kind: 7, name: null }, subjects: [null, 'x', { kind: 1 }] }),
    // unit.ts resolves built-in roles with a plain index: `toString` and `__proto__` come from Object.prototype.
    doc({ apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name: 'h' }, roleRef: { kind: 'ClusterRole', name: 'toString' }, subjects: [{ kind: 'Group', name: 'system:authenticated' }] }),
    doc({ apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name: 'i' }, roleRef: { kind: 'ClusterRole', name: '__proto__' }, subjects: [{ kind: 'Group', name: 'system:authenticated' }] }),
    doc({ apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name: 'j' }, roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 7 }, { kind: 'User', name: ['system:serviceaccount:a:default'] }, { kind: 'Group', name: 'system:serviceaccounts:' }] }),
  ].join('');

  for (const unit of ['manifests', 'chart'] as const) {
    it(`no rule crashes (${unit})`, () => {
      const found = all.flatMap((rule) => runRule(rule, malformed, { unit }).map((f) => `${f.ruleId} ${f.object.name} ${f.path}`));
      // The only findings: system:authenticated bound to roles the scan cannot resolve; missing roles in a chart.
      expect(found.sort()).toEqual(
        [
          'rbac-broad-subject h /subjects/0',
          'rbac-broad-subject i /subjects/0',
          ...(unit === 'chart' ? ['rbac-binding-missing-role h /roleRef/name', 'rbac-binding-missing-role i /roleRef/name'] : []),
        ].sort(),
      );
    });
  }
});
