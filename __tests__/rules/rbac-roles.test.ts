// Rules on Roles and ClusterRoles: rbac-wildcard and the "role grants a dangerous permission" family.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Rule } from '../../src/engine/rule-kit.ts';
import csrApproval from '../../rules/rbac-csr-approval.ts';
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

/** A policy rule; `names` become resourceNames. */
const r = (apiGroups: string[], resources: string[], verbs: string[], names?: string[]): Json => ({ apiGroups, resources, verbs, ...(names ? { resourceNames: names } : {}) });
const core = (resources: string[], verbs: string[], names?: string[]) => r([''], resources, verbs, names);

const clusterRole = (name: string, rules: unknown, extra: { labels?: Json; aggregationRule?: unknown } = {}) =>
  '---\n' +
  stringify({
    apiVersion: RBAC,
    kind: 'ClusterRole',
    metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}) },
    ...(extra.aggregationRule !== undefined ? { aggregationRule: extra.aggregationRule } : {}),
    rules,
  });
const role = (name: string, rules: unknown, namespace = 'apps') => '---\n' + stringify({ apiVersion: RBAC, kind: 'Role', metadata: { name, namespace }, rules });
const aggregator = (name: string, selector: Json) => clusterRole(name, [], { aggregationRule: { clusterRoleSelectors: [selector] } });

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const ALL_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
/** "Every core resource" as a chart would enumerate it (kubectl api-resources --api-group=''). */
const CORE_RESOURCES = ['pods', 'pods/log', 'secrets', 'serviceaccounts', 'configmaps', 'services', 'endpoints', 'events', 'persistentvolumeclaims', 'persistentvolumes', 'nodes', 'namespaces', 'replicationcontrollers'];
const RBAC_RESOURCES = ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'];

/** `Kind/name path severity` of every finding, sorted. */
const severities = (rule: Rule, yaml: string) =>
  runRule(rule, yaml)
    .map((f) => `${f.object.kind}/${f.object.name} ${f.path} ${f.severity}`)
    .sort();

// ---------------------------------------------------------------------------------------------------

testRule(wildcard, {
  valid: [
    { name: 'explicit verbs, resources and groups', yaml: clusterRole('reader', [core(['pods', 'services'], ['get', 'list', 'watch']), r(['apps'], ['deployments'], ['get'])]) },
    { name: 'every verb on one named non-resource URL', yaml: clusterRole('metrics', [{ nonResourceURLs: ['/metrics'], verbs: ['*'] }]) },
    { name: 'a wildcard rule without resources grants nothing', yaml: role('empty', [{ apiGroups: ['*'], verbs: ['*'] }]) },
    { name: 'a custom resource called Role is not RBAC', yaml: '---\n' + stringify({ apiVersion: 'example.com/v1', kind: 'Role', metadata: { name: 'x' }, rules: [r(['*'], ['*'], ['*'])] }) },
    { name: 'aggregation selecting nothing in the unit', yaml: aggregator('monitoring', { matchLabels: { 'example.com/aggregate-to-monitoring': 'true' } }) },
    {
      name: 'a controller enumerating every verb on a few core resources is not cluster-admin',
      yaml: clusterRole('operator', [core(['pods', 'services', 'configmaps', 'secrets', 'serviceaccounts', 'persistentvolumeclaims'], [...ALL_VERBS, 'deletecollection']), r(['apps'], ['deployments', 'statefulsets'], ALL_VERBS)]),
    },
    {
      name: 'every verb enumerated on every core and RBAC resource, but one rule limited by resourceNames',
      yaml: clusterRole('almost', [core(CORE_RESOURCES, ALL_VERBS), r([RBAC_GROUP], RBAC_RESOURCES.slice(1), ALL_VERBS), r([RBAC_GROUP], ['roles'], ALL_VERBS, ['mine'])]),
    },
  ],
  invalid: [
    {
      name: 'full wildcard ClusterRole after a malformed rule keeps its index',
      yaml: clusterRole('everything', ['x', r(['*'], ['*'], ['*'])]),
      findings: [{ path: '/rules/1', message: 'rule 1 uses "*" in verbs, resources and apiGroups: every verb on every resource, like cluster-admin' }],
    },
    {
      name: 'Role with every verb on configmaps',
      yaml: role('cm-admin', [core(['configmaps'], ['*'])]),
      findings: [{ path: '/rules/0', message: 'every verb on configmaps of the namespace in API group core' }],
    },
    {
      name: 'one finding per role, on the worst rule',
      yaml: clusterRole('mixed', [core(['configmaps'], ['*'], ['leader']), r(['apps'], ['*'], ['get']), r(['*'], ['*'], ['*'])]),
      findings: [{ path: '/rules/2' }],
    },
    {
      name: 'aggregated ClusterRole pulls a wildcard from the role it selects',
      yaml: clusterRole('crd-admin', [r(['example.com'], ['*'], ['*'])], { labels: { 'example.com/aggregate-to-ops': 'true' } }) + aggregator('ops', { matchLabels: { 'example.com/aggregate-to-ops': 'true' } }),
      findings: [{ path: '/rules/0' }, { path: '/aggregationRule', message: 'it aggregates ClusterRole crd-admin, which uses "*" in verbs and resources' }],
    },
    {
      name: 'empty aggregation selector aggregates cluster-admin',
      yaml: aggregator('all', {}),
      findings: [{ path: '/aggregationRule', message: 'empty selector' }],
    },
    {
      name: 'every verb enumerated on every resource of every group is cluster-admin',
      yaml: clusterRole('enumerated-verbs', [r(['*'], ['*'], [...ALL_VERBS, 'deletecollection'])]),
      findings: [{ path: '/rules/0', message: 'rule 0 allows every verb (get, list, watch, create, update, patch, delete) on every core and RBAC resource (pods, secrets, serviceaccounts, roles, bindings...), like cluster-admin, "*" or not' }],
    },
    {
      name: '"*" verbs on an exhaustive resource enumeration is cluster-admin',
      yaml: clusterRole('enumerated-resources', [r(['', 'apps', 'batch', RBAC_GROUP], [...CORE_RESOURCES, 'deployments', 'daemonsets', 'jobs', ...RBAC_RESOURCES], ['*'])]),
      findings: [{ path: '/rules/0', message: 'like cluster-admin' }],
    },
    {
      name: 'no "*" anywhere: rules enumerating core and RBAC together are cluster-admin',
      yaml: clusterRole('enumerated', [
        core(['configmaps'], ['get'], ['lock']),
        core(CORE_RESOURCES, [...ALL_VERBS, 'deletecollection']),
        r(['apps'], ['deployments', 'daemonsets', 'statefulsets'], ALL_VERBS),
        r([RBAC_GROUP], RBAC_RESOURCES, ALL_VERBS),
      ]),
      findings: [{ path: '/rules', message: 'rules 1 and 3 together allow every verb (get, list, watch, create, update, patch, delete) on every core and RBAC resource' }],
    },
    {
      name: 'a Role enumerating every verb on the namespaced core and RBAC resources',
      yaml: role('ns-enumerated', [core(['pods', 'secrets', 'serviceaccounts', 'configmaps', 'services', 'persistentvolumeclaims'], ALL_VERBS), r([RBAC_GROUP], ['roles', 'rolebindings'], ALL_VERBS)]),
      findings: [{ path: '/rules', message: 'rules 0 and 1 together allow every verb (get, list, watch, create, update, patch, delete) on every core and RBAC resource of the namespace' }],
    },
    {
      name: 'an aggregated ClusterRole completing an enumeration',
      yaml:
        clusterRole('rbac-all', [r([RBAC_GROUP], RBAC_RESOURCES, ALL_VERBS)], { labels: { 'example.com/aggregate-to-ops': 'true' } }) +
        clusterRole('ops', [core(CORE_RESOURCES, ALL_VERBS)], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'example.com/aggregate-to-ops': 'true' } }] } }),
      findings: [{ path: '/aggregationRule', message: 'rules 0 and aggregated ClusterRole rbac-all together allow every verb' }],
    },
    {
      name: 'every non-resource URL',
      yaml: clusterRole('urls', [{ nonResourceURLs: ['*'], verbs: ['get'] }]),
      findings: [{ path: '/rules/0', message: 'get on every non-resource URL' }],
    },
  ],
});

describe('rbac-wildcard severity', () => {
  it('critical for a full-wildcard ClusterRole, high for such a Role, medium/high for partial wildcards, low when resourceNames confine it', () => {
    expect(severities(wildcard, clusterRole('a', [r(['*'], ['*'], ['*'])]))).toEqual(['ClusterRole/a /rules/0 critical']);
    expect(severities(wildcard, role('b', [r(['*'], ['*'], ['*'])]))).toEqual(['Role/b /rules/0 high']);
    expect(severities(wildcard, clusterRole('c', [r(['apps'], ['*'], ['get'])]))).toEqual(['ClusterRole/c /rules/0 high']);
    expect(severities(wildcard, role('d', [r(['apps'], ['*'], ['get'])]))).toEqual(['Role/d /rules/0 medium']);
    expect(severities(wildcard, role('e', [core(['configmaps'], ['*'], ['leader-lock'])]))).toEqual(['Role/e /rules/0 low']);
    expect(severities(wildcard, aggregator('f', {}))).toEqual(['ClusterRole/f /aggregationRule critical']);
  });

  it('an enumeration as good as cluster-admin weighs like the full wildcard: critical in a ClusterRole, high in a Role', () => {
    expect(severities(wildcard, clusterRole('a', [r(['*'], ['*'], ALL_VERBS)]))).toEqual(['ClusterRole/a /rules/0 critical']);
    expect(severities(wildcard, clusterRole('b', [core(CORE_RESOURCES, ALL_VERBS), r([RBAC_GROUP], RBAC_RESOURCES, ALL_VERBS)]))).toEqual(['ClusterRole/b /rules critical']);
    expect(severities(wildcard, role('c', [r(['', RBAC_GROUP], ['*'], ['*'])]))).toEqual(['Role/c /rules/0 high']);
    // The same partial wildcard short of the RBAC group stays a partial wildcard.
    expect(severities(wildcard, role('d', [r([''], ['*'], ['*'])]))).toEqual(['Role/d /rules/0 medium']);
    expect(severities(wildcard, clusterRole('e', [r([''], ['*'], ['*'])]))).toEqual(['ClusterRole/e /rules/0 high']);
    // Every verb but delete is not every verb: a partial wildcard, not cluster-admin.
    expect(severities(wildcard, clusterRole('f', [r(['*'], ['*'], ALL_VERBS.filter((v) => v !== 'delete'))]))).toEqual(['ClusterRole/f /rules/0 high']);
  });

  it('names the aggregated source in related', () => {
    const yaml = clusterRole('src', [r(['*'], ['*'], ['*'])], { labels: { agg: 'yes' } }) + aggregator('sink', { matchLabels: { agg: 'yes' } });
    const sink = runRule(wildcard, yaml).find((f) => f.object.name === 'sink')!;
    expect(sink.related).toEqual([{ apiVersion: RBAC, kind: 'ClusterRole', name: 'src' }]);
  });
});

// ---------------------------------------------------------------------------------------------------

testRule(secretsRead, {
  valid: [
    { name: 'configmaps and pods only', yaml: role('reader', [core(['configmaps', 'pods'], ['get', 'list', 'watch'])]) },
    { name: 'write-only access to secrets', yaml: role('writer', [core(['secrets'], ['create', 'update', 'patch', 'delete'])]) },
    { name: 'secrets in another API group are not core secrets', yaml: clusterRole('other', [r(['example.com'], ['secrets'], ['get', 'list'])]) },
    { name: 'nonResourceURLs do not grant resources', yaml: clusterRole('urls', [{ nonResourceURLs: ['*'], verbs: ['get'] }]) },
    { name: 'rules that are not objects', yaml: role('odd', ['x', 1, null]) },
  ],
  invalid: [
    {
      name: 'ClusterRole reads every secret',
      yaml: clusterRole('secret-reader', [core(['secrets'], ['get', 'list', 'watch'])]),
      findings: [{ path: '/rules/0', message: 'can read secrets: rule 0 allows get, list, watch on secrets' }],
    },
    {
      name: 'Role reads one named secret',
      yaml: role('own-secret', [core(['secrets'], ['get'], ['app-credentials'])]),
      findings: [{ path: '/rules/0', message: 'only the objects named in resourceNames: app-credentials' }],
    },
    {
      name: 'unrestricted list wins over an earlier named get',
      yaml: role('both', [core(['secrets'], ['get'], ['mine']), core(['secrets'], ['list'])]),
      findings: [{ path: '/rules/1', message: 'in namespace apps: rule 1 allows list on secrets' }],
    },
    {
      name: 'every core resource includes secrets',
      yaml: role('core-reader', [core(['*'], ['get'])]),
      findings: [{ path: '/rules/0' }],
    },
    {
      name: 'aggregated ClusterRole reading secrets through its source',
      yaml: clusterRole('secrets-view', [core(['secrets'], ['list'])], { labels: { 'example.com/aggregate-to-view': 'true' } }) + aggregator('view-plus', { matchLabels: { 'example.com/aggregate-to-view': 'true' } }),
      findings: [{ path: '/rules/0' }, { path: '/aggregationRule', message: 'it aggregates ClusterRole secrets-view, which allows list on secrets' }],
    },
  ],
});

testRule(secretsWrite, {
  valid: [
    { name: 'read-only access to secrets (rbac-secrets-read reports it)', yaml: clusterRole('reader', [core(['secrets'], ['get', 'list', 'watch'])]) },
    { name: 'create limited by resourceNames authorizes no create', yaml: role('named-create', [core(['secrets'], ['create'], ['app-tls'])]) },
    { name: 'secrets of another API group', yaml: clusterRole('other', [r(['example.com'], ['secrets'], ['create', 'update'])]) },
    { name: 'writing configmaps', yaml: role('cm-writer', [core(['configmaps'], ['create', 'update', 'patch', 'delete'])]) },
  ],
  invalid: [
    {
      name: 'a hook ClusterRole creating and patching secrets without reading them',
      yaml: clusterRole('cert-hook', [core(['secrets'], ['create', 'patch'])]),
      findings: [{ path: '/rules/0', message: 'can create, change or delete secrets: rule 0 allows create, patch on secrets' }],
    },
    {
      name: 'a Role deleting every secret of its namespace',
      yaml: role('cleaner', [core(['configmaps'], ['delete']), core(['secrets'], ['delete', 'deletecollection'])]),
      findings: [{ path: '/rules/1', message: 'in namespace apps: rule 1 allows delete, deletecollection on secrets' }],
    },
    {
      name: 'updating its own named secret',
      yaml: role('own-secret', [core(['secrets'], ['get', 'update'], ['app-credentials'])]),
      findings: [{ path: '/rules/0', message: 'update on secrets (only the objects named in resourceNames: app-credentials)' }],
    },
    {
      name: 'unrestricted write wins over an earlier named update',
      yaml: role('both', [core(['secrets'], ['update'], ['mine']), core(['secrets'], ['create'])]),
      findings: [{ path: '/rules/1', message: 'rule 1 allows create on secrets' }],
    },
    {
      name: 'every verb on core resources writes secrets',
      yaml: role('core-writer', [core(['*'], ['*'])]),
      findings: [{ path: '/rules/0', message: 'create, update, patch, delete, deletecollection on secrets' }],
    },
    {
      name: 'an aggregated ClusterRole writing secrets through its source',
      yaml: clusterRole('secrets-edit', [core(['secrets'], ['update'])], { labels: { 'example.com/aggregate-to-edit': 'true' } }) + aggregator('edit-plus', { matchLabels: { 'example.com/aggregate-to-edit': 'true' } }),
      findings: [{ path: '/rules/0' }, { path: '/aggregationRule', message: 'it aggregates ClusterRole secrets-edit, which allows update on secrets' }],
    },
  ],
});

describe('rbac-secrets-write severity', () => {
  it('high for a ClusterRole, medium for a Role, low when limited to named secrets', () => {
    expect(severities(secretsWrite, clusterRole('a', [core(['secrets'], ['update'])]))).toEqual(['ClusterRole/a /rules/0 high']);
    expect(severities(secretsWrite, role('b', [core(['secrets'], ['create'])]))).toEqual(['Role/b /rules/0 medium']);
    expect(severities(secretsWrite, role('c', [core(['secrets'], ['patch'], ['tls'])]))).toEqual(['Role/c /rules/0 low']);
    expect(severities(secretsWrite, clusterRole('d', [core(['secrets'], ['update', 'delete'], ['tls'])]))).toEqual(['ClusterRole/d /rules/0 low']);
  });
});

describe('rbac-secrets-read severity', () => {
  it('high for a ClusterRole, medium for a Role, low for get limited by resourceNames', () => {
    expect(severities(secretsRead, clusterRole('a', [core(['secrets'], ['list'])]))).toEqual(['ClusterRole/a /rules/0 high']);
    expect(severities(secretsRead, role('b', [core(['secrets'], ['watch'])]))).toEqual(['Role/b /rules/0 medium']);
    expect(severities(secretsRead, role('c', [core(['secrets'], ['get'], ['tls'])]))).toEqual(['Role/c /rules/0 low']);
    expect(severities(secretsRead, clusterRole('d', [core(['secrets'], ['get'], ['tls'])]))).toEqual(['ClusterRole/d /rules/0 low']);
  });
});

// ---------------------------------------------------------------------------------------------------

testRule(workloadCreate, {
  valid: [
    { name: 'read-only pods and deployments', yaml: clusterRole('viewer', [core(['pods'], ['get', 'list', 'watch']), r(['apps'], ['deployments'], ['get', 'list'])]) },
    { name: 'create limited by resourceNames authorizes no create', yaml: role('named-create', [core(['pods'], ['create'], ['job-runner'])]) },
    { name: 'scale and eviction subresources are not the workload', yaml: role('scaler', [r(['apps'], ['deployments/scale'], ['patch', 'update']), core(['pods/eviction'], ['create'])]) },
  ],
  invalid: [
    {
      name: 'Role creates deployments',
      yaml: role('deployer', [r(['apps'], ['deployments'], ['create', 'get'])]),
      findings: [{ path: '/rules/0', message: 'can create or change pods and pod controllers in namespace apps: rule 0 allows create on deployments' }],
    },
    {
      name: 'ClusterRole patches daemonsets and jobs',
      yaml: clusterRole('patcher', [core(['configmaps'], ['get']), r(['apps', 'batch'], ['daemonsets', 'jobs'], ['patch'])]),
      findings: [{ path: '/rules/1', message: 'patch on daemonsets, jobs' }],
    },
    {
      name: 'update of one named deployment',
      yaml: role('restarter', [r(['apps'], ['deployments'], ['get', 'patch'], ['web'])]),
      findings: [{ path: '/rules/0', message: 'resourceNames: web' }],
    },
  ],
});

describe('rbac-workload-create severity', () => {
  it('high for a ClusterRole, medium for a Role, one step lower when limited to named objects', () => {
    expect(severities(workloadCreate, clusterRole('a', [core(['pods'], ['create'])]))).toEqual(['ClusterRole/a /rules/0 high']);
    expect(severities(workloadCreate, role('b', [core(['pods'], ['create'])]))).toEqual(['Role/b /rules/0 medium']);
    expect(severities(workloadCreate, role('c', [r(['apps'], ['deployments'], ['patch'], ['web'])]))).toEqual(['Role/c /rules/0 low']);
  });
});

// ---------------------------------------------------------------------------------------------------

testRule(podExec, {
  valid: [
    { name: "a Role's permissions on pods do not include pods/exec", yaml: role('pod-admin', [core(['pods'], ['get', 'list', 'create', 'delete'])]) },
    { name: 'pod logs', yaml: clusterRole('logs', [core(['pods', 'pods/log'], ['get', 'list'])]) },
    { name: 'pods/* is not a subresource wildcard (only */exec is)', yaml: clusterRole('pods-star', [core(['pods/*'], ['get', 'create'])]) },
    { name: 'list and watch on pods/attach open no stream', yaml: clusterRole('attach-list', [core(['pods/attach', 'pods/exec'], ['list', 'watch'])]) },
    { name: 'get on pods/log and pods/status', yaml: clusterRole('pod-reader', [core(['pods/log', 'pods/status'], ['get'])]) },
  ],
  invalid: [
    {
      name: 'Role execs into pods',
      yaml: role('debugger', [core(['pods'], ['get']), core(['pods/exec'], ['create'])]),
      findings: [{ path: '/rules/1', message: 'can exec into, attach to, port-forward or add ephemeral containers to pods in namespace apps: rule 1 allows create on pods/exec' }],
    },
    {
      name: 'ClusterRole with the */exec subresource wildcard',
      yaml: clusterRole('exec-all', [r([''], ['*/exec', '*/attach'], ['create'])]),
      findings: [{ path: '/rules/0', message: 'create on pods/exec, pods/attach' }],
    },
    {
      name: 'get on pods/attach attaches over WebSocket (Kubernetes 1.30+)',
      yaml: clusterRole('attacher', [core(['pods'], ['get', 'list']), core(['pods/attach'], ['get'])]),
      findings: [{ path: '/rules/1', message: 'can exec into, attach to, port-forward or add ephemeral containers to pods: rule 1 allows get on pods/attach' }],
    },
    {
      name: 'get on pods/exec in a Role names the verb and subresource',
      yaml: role('ws-exec', [core(['pods/exec'], ['get'])]),
      findings: [{ path: '/rules/0', message: 'rule 0 allows get on pods/exec' }],
    },
    {
      name: 'get through the */attach subresource wildcard',
      yaml: clusterRole('attach-all', [r([''], ['*/attach'], ['get'])]),
      findings: [{ path: '/rules/0', message: 'get on pods/attach' }],
    },
    {
      name: 'get on a named pod is still exec into that pod',
      yaml: role('named-exec', [core(['pods/exec', 'pods/attach'], ['get'], ['debug-0'])]),
      findings: [{ path: '/rules/0', message: 'get on pods/exec, pods/attach (only the objects named in resourceNames: debug-0)' }],
    },
    {
      name: 'get on pods/portforward (WebSocket port-forward) is reported one step lower',
      yaml: role('pf-get', [core(['pods/portforward'], ['get'])]),
      findings: [{ path: '/rules/0', message: "get on pods/portforward; port-forward reaches the pods' ports, not their files or tokens" }],
    },
    {
      name: 'every verb on every resource of the core group includes attach',
      yaml: clusterRole('core-all', [core(['*'], ['*'])]),
      findings: [{ path: '/rules/0', message: 'create, get on pods/exec, pods/attach, pods/portforward' }],
    },
    {
      name: 'port-forward to named pods',
      yaml: role('pf', [core(['pods/portforward'], ['create'], ['db-0'])]),
      findings: [{ path: '/rules/0', message: 'resourceNames: db-0' }],
    },
  ],
});

describe('rbac-pod-exec severity', () => {
  it('high for a ClusterRole, medium for a Role, low for named pods in a Role', () => {
    expect(severities(podExec, clusterRole('a', [core(['pods/attach'], ['create'])]))).toEqual(['ClusterRole/a /rules/0 high']);
    expect(severities(podExec, role('b', [core(['pods/exec'], ['get'])]))).toEqual(['Role/b /rules/0 medium']);
    expect(severities(podExec, role('c', [core(['pods/exec'], ['create'], ['db-0'])]))).toEqual(['Role/c /rules/0 low']);
  });

  it('get on exec or attach weighs like create; port-forward alone one step lower', () => {
    expect(severities(podExec, clusterRole('a', [core(['pods/attach'], ['get'])]))).toEqual(['ClusterRole/a /rules/0 high']);
    expect(severities(podExec, clusterRole('b', [core(['pods/portforward'], ['get', 'create'])]))).toEqual(['ClusterRole/b /rules/0 medium']);
    expect(severities(podExec, role('c', [core(['pods/portforward'], ['create'])]))).toEqual(['Role/c /rules/0 low']);
    // The worst rule wins: port-forward in one rule, exec in another.
    expect(severities(podExec, clusterRole('d', [core(['pods/portforward'], ['create']), core(['pods/exec'], ['get'])]))).toEqual(['ClusterRole/d /rules/1 high']);
  });
});

// ---------------------------------------------------------------------------------------------------

testRule(escalateBindImpersonate, {
  valid: [
    { name: 'reading roles and bindings', yaml: clusterRole('rbac-viewer', [r(['rbac.authorization.k8s.io'], ['roles', 'clusterroles', 'rolebindings'], ['get', 'list', 'watch'])]) },
    { name: 'impersonating users from a Role reaches nothing (users are cluster-scoped)', yaml: role('imp', [core(['users', 'groups'], ['impersonate'])]) },
    { name: 'escalate on clusterroles from a Role reaches nothing', yaml: role('esc', [r(['rbac.authorization.k8s.io'], ['clusterroles'], ['escalate'])]) },
  ],
  invalid: [
    {
      name: 'ClusterRole binds any ClusterRole',
      yaml: clusterRole('binder', [r(['rbac.authorization.k8s.io'], ['clusterroles'], ['bind'])]),
      findings: [{ path: '/rules/0', message: 'can grant itself any permission (escalate or bind on roles): rule 0 allows bind on clusterroles' }],
    },
    {
      name: 'ClusterRole impersonates service accounts and users',
      yaml: clusterRole('impersonator', [core(['users', 'serviceaccounts'], ['impersonate'])]),
      findings: [{ path: '/rules/0', message: 'can impersonate users, groups or service accounts' }],
    },
    {
      name: 'Role escalates roles of its namespace and binds ClusterRoles there',
      yaml: role('ns-escalator', [r(['rbac.authorization.k8s.io'], ['roles'], ['escalate']), r(['rbac.authorization.k8s.io'], ['clusterroles'], ['bind'], ['view'])]),
      findings: [{ path: '/rules/0' }],
    },
    {
      name: 'impersonation through a wildcard verb',
      yaml: clusterRole('core-admin', [core(['*'], ['*'])]),
      findings: [{ path: '/rules/0', message: 'impersonate on users, groups, serviceaccounts' }],
    },
  ],
});

describe('rbac-escalate-bind-impersonate severity', () => {
  it('critical for a ClusterRole, high for a Role or for bind limited to named roles', () => {
    expect(severities(escalateBindImpersonate, clusterRole('a', [r(['rbac.authorization.k8s.io'], ['roles'], ['escalate'])]))).toEqual(['ClusterRole/a /rules/0 critical']);
    expect(severities(escalateBindImpersonate, role('b', [core(['serviceaccounts'], ['impersonate'])]))).toEqual(['Role/b /rules/0 high']);
    expect(severities(escalateBindImpersonate, clusterRole('c', [r(['rbac.authorization.k8s.io'], ['clusterroles'], ['bind'], ['view', 'edit'])]))).toEqual(['ClusterRole/c /rules/0 high']);
  });
});

// ---------------------------------------------------------------------------------------------------

testRule(rbacWrite, {
  valid: [
    { name: 'reading RBAC', yaml: clusterRole('rbac-viewer', [r(['rbac.authorization.k8s.io'], ['*'], ['get', 'list'])]) },
    { name: 'cluster-scoped RBAC objects from a Role reach nothing', yaml: role('crb-writer', [r(['rbac.authorization.k8s.io'], ['clusterrolebindings', 'clusterroles'], ['create', 'patch'])]) },
  ],
  invalid: [
    {
      name: 'ClusterRole creates ClusterRoleBindings',
      yaml: clusterRole('crb-writer', [r(['rbac.authorization.k8s.io'], ['clusterrolebindings'], ['create'])]),
      findings: [{ path: '/rules/0', message: 'can change RBAC roles and bindings: rule 0 allows create on clusterrolebindings' }],
    },
    {
      name: 'Role patches rolebindings',
      yaml: role('rb-writer', [r(['rbac.authorization.k8s.io'], ['rolebindings', 'clusterrolebindings'], ['patch'])]),
      findings: [{ path: '/rules/0', message: 'patch on rolebindings' }],
    },
  ],
});

describe('rbac-rbac-write severity', () => {
  it('high for a ClusterRole, medium for a Role', () => {
    expect(severities(rbacWrite, clusterRole('a', [r(['rbac.authorization.k8s.io'], ['roles'], ['update'])]))).toEqual(['ClusterRole/a /rules/0 high']);
    expect(severities(rbacWrite, role('b', [r(['rbac.authorization.k8s.io'], ['roles'], ['update'])]))).toEqual(['Role/b /rules/0 medium']);
  });
});

// ---------------------------------------------------------------------------------------------------

testRule(tokenRequest, {
  valid: [
    { name: 'creating service accounts is not requesting their tokens', yaml: role('sa-admin', [core(['serviceaccounts'], ['create', 'get'])]) },
    { name: 'get on serviceaccounts/token', yaml: clusterRole('token-get', [core(['serviceaccounts/token'], ['get'])]) },
  ],
  invalid: [
    {
      name: 'ClusterRole mints any token',
      yaml: clusterRole('token-minter', [core(['serviceaccounts/token'], ['create'])]),
      findings: [{ path: '/rules/0', message: 'can mint service-account tokens' }],
    },
    {
      name: 'Role mints the token of one named service account',
      yaml: role('one-token', [core(['serviceaccounts/token'], ['create'], ['builder'])]),
      findings: [{ path: '/rules/0', message: 'resourceNames: builder' }],
    },
  ],
});

describe('rbac-token-request severity', () => {
  it('high for a ClusterRole, medium for a Role, low for a named service account in a Role', () => {
    expect(severities(tokenRequest, clusterRole('a', [core(['serviceaccounts/token'], ['create'])]))).toEqual(['ClusterRole/a /rules/0 high']);
    expect(severities(tokenRequest, role('b', [core(['serviceaccounts/token'], ['create'])]))).toEqual(['Role/b /rules/0 medium']);
    expect(severities(tokenRequest, role('c', [core(['serviceaccounts/token'], ['create'], ['x'])]))).toEqual(['Role/c /rules/0 low']);
  });
});

// ---------------------------------------------------------------------------------------------------

testRule(nodesProxy, {
  valid: [
    { name: 'node metrics and stats', yaml: clusterRole('scraper', [core(['nodes', 'nodes/metrics', 'nodes/stats'], ['get', 'list'])]) },
    { name: 'nodes/proxy in a Role reaches nothing (nodes are cluster-scoped)', yaml: role('proxy', [core(['nodes/proxy'], ['get'])]) },
  ],
  invalid: [
    {
      name: 'get on nodes/proxy is enough',
      yaml: clusterRole('kubelet-proxy', [core(['nodes/proxy'], ['get'])]),
      findings: [{ path: '/rules/0', message: 'can reach the kubelet API through nodes/proxy' }],
    },
    {
      name: 'every core resource includes nodes/proxy',
      yaml: clusterRole('core-reader', [core(['*'], ['get', 'list'])]),
      findings: [{ path: '/rules/0', message: 'get on nodes/proxy' }],
    },
  ],
});

describe('rbac-nodes-proxy severity', () => {
  it('critical, high for named nodes', () => {
    expect(severities(nodesProxy, clusterRole('a', [core(['nodes/proxy'], ['create'])]))).toEqual(['ClusterRole/a /rules/0 critical']);
    expect(severities(nodesProxy, clusterRole('b', [core(['nodes/proxy'], ['get'], ['node-1'])]))).toEqual(['ClusterRole/b /rules/0 high']);
  });
});

// ---------------------------------------------------------------------------------------------------

const CERTS = 'certificates.k8s.io';
const approval = r([CERTS], ['certificatesigningrequests/approval'], ['update']);

testRule(csrApproval, {
  valid: [
    { name: 'creating and reading CSRs', yaml: clusterRole('csr-client', [r([CERTS], ['certificatesigningrequests'], ['create', 'get', 'list', 'watch'])]) },
    { name: 'approval from a Role reaches nothing (CSRs are cluster-scoped)', yaml: role('approver', [approval]) },
  ],
  invalid: [
    {
      name: 'approval with approve on the API client signer',
      yaml: clusterRole('client-approver', [approval, r([CERTS], ['signers'], ['approve'], ['kubernetes.io/kube-apiserver-client'])]),
      findings: [{ path: '/rules/0', message: 'with approve on signer kubernetes.io/kube-apiserver-client' }],
    },
    {
      name: 'approval without approve on any signer',
      yaml: clusterRole('half-approver', [approval]),
      findings: [{ path: '/rules/0', message: 'it has no approve on signers' }],
    },
    {
      name: 'approval limited to the kubelet-serving signer',
      yaml: clusterRole('serving-approver', [approval, r([CERTS], ['signers'], ['approve'], ['kubernetes.io/kubelet-serving'])]),
      findings: [{ path: '/rules/0', message: 'approve is limited to signer(s) kubernetes.io/kubelet-serving' }],
    },
  ],
});

describe('rbac-csr-approval severity', () => {
  it('high with approve on an API client signer, medium otherwise', () => {
    expect(severities(csrApproval, clusterRole('a', [approval, r([CERTS], ['signers'], ['approve'])]))).toEqual(['ClusterRole/a /rules/0 high']);
    expect(severities(csrApproval, clusterRole('b', [approval, r([CERTS], ['signers'], ['approve'], ['kubernetes.io/*'])]))).toEqual(['ClusterRole/b /rules/0 high']);
    expect(severities(csrApproval, clusterRole('c', [approval]))).toEqual(['ClusterRole/c /rules/0 medium']);
    expect(severities(csrApproval, clusterRole('d', [approval, r([CERTS], ['signers'], ['approve'], ['example.com/internal'])]))).toEqual(['ClusterRole/d /rules/0 medium']);
  });
});

// ---------------------------------------------------------------------------------------------------

const ADMISSION = 'admissionregistration.k8s.io';

testRule(webhookConfig, {
  valid: [
    { name: 'reading webhook configurations', yaml: clusterRole('viewer', [r([ADMISSION], ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'], ['get', 'list', 'watch'])]) },
    { name: 'admission configuration from a Role reaches nothing', yaml: role('hooks', [r([ADMISSION], ['mutatingwebhookconfigurations'], ['patch'])]) },
  ],
  invalid: [
    {
      name: 'ClusterRole patches mutating webhooks',
      yaml: clusterRole('hook-admin', [r([ADMISSION], ['mutatingwebhookconfigurations'], ['get', 'patch'])]),
      findings: [{ path: '/rules/0', message: 'patch on mutatingwebhookconfigurations' }],
    },
    {
      name: 'ClusterRole deletes admission policies',
      yaml: clusterRole('policy-remover', [r([ADMISSION], ['validatingadmissionpolicies', 'validatingadmissionpolicybindings'], ['delete'])]),
      findings: [{ path: '/rules/0', message: 'delete on validatingadmissionpolicies, validatingadmissionpolicybindings' }],
    },
    {
      name: 'caBundle rotation on its own webhook',
      yaml: clusterRole('ca-injector', [r([ADMISSION], ['validatingwebhookconfigurations'], ['get', 'update'], ['my-webhook'])]),
      findings: [{ path: '/rules/0', message: 'resourceNames: my-webhook' }],
    },
  ],
});

describe('rbac-webhook-config severity', () => {
  it('high, medium for named configurations', () => {
    expect(severities(webhookConfig, clusterRole('a', [r([ADMISSION], ['validatingwebhookconfigurations'], ['create'])]))).toEqual(['ClusterRole/a /rules/0 high']);
    expect(severities(webhookConfig, clusterRole('b', [r([ADMISSION], ['validatingwebhookconfigurations'], ['patch'], ['mine'])]))).toEqual(['ClusterRole/b /rules/0 medium']);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('a wildcard role across the rbac rules', () => {
  const all = [wildcard, secretsRead, secretsWrite, workloadCreate, podExec, escalateBindImpersonate, rbacWrite, tokenRequest, nodesProxy, csrApproval, webhookConfig];

  it('a full-wildcard ClusterRole: one finding per rule, all on the wildcard rule', () => {
    const yaml = clusterRole('god', [core(['configmaps'], ['get']), r(['*'], ['*'], ['*'])]);
    for (const rule of all) expect(severities(rule, yaml).map((s) => s.split(' ')[1]), rule.meta.id).toEqual(['/rules/1']);
  });

  it('a full-wildcard Role: only the namespaced permissions', () => {
    const yaml = role('ns-god', [r(['*'], ['*'], ['*'])]);
    const fired = all.filter((rule) => runRule(rule, yaml).length > 0).map((rule) => rule.meta.id);
    expect(fired).toEqual(['rbac-wildcard', 'rbac-secrets-read', 'rbac-secrets-write', 'rbac-workload-create', 'rbac-pod-exec', 'rbac-escalate-bind-impersonate', 'rbac-rbac-write', 'rbac-token-request']);
  });

  it('an empty aggregation selector reports every permission on /aggregationRule, naming cluster-admin', () => {
    const yaml = aggregator('all', {});
    for (const rule of all) {
      const findings = runRule(rule, yaml);
      expect(findings.map((f) => f.path), rule.meta.id).toEqual(['/aggregationRule']);
      expect(findings[0]!.related).toEqual([{ apiVersion: RBAC, kind: 'ClusterRole', name: 'cluster-admin' }]);
    }
  });
});
