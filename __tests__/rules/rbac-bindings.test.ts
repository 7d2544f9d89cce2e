// Rules on RoleBindings and ClusterRoleBindings, and malformed RBAC input for every rbac-* rule.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Rule } from '../../src/engine/rule-kit.ts';
import bindingMissingRole from '../../rules/rbac-binding-missing-role.ts';
import broadSubject from '../../rules/rbac-broad-subject.ts';
import clusterAdminBinding from '../../rules/rbac-cluster-admin-binding.ts';
import csrApproval from '../../rules/rbac-csr-approval.ts';
import escalateBindImpersonate from '../../rules/rbac-escalate-bind-impersonate.ts';
import nodesProxy from '../../rules/rbac-nodes-proxy.ts';
import podExec from '../../rules/rbac-pod-exec.ts';
import rbacWrite from '../../rules/rbac-rbac-write.ts';
import secretsRead from '../../rules/rbac-secrets-read.ts';
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

describe('rbac-cluster-admin-binding severity and joins', () => {
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
  const all: Rule[] = [wildcard, secretsRead, workloadCreate, podExec, escalateBindImpersonate, rbacWrite, tokenRequest, nodesProxy, csrApproval, webhookConfig, clusterAdminBinding, broadSubject, bindingMissingRole];
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
