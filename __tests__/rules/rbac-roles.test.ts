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
    { name: 'portforward read only', yaml: role('pf-get', [core(['pods/portforward'], ['get'])]) },
  ],
  invalid: [
    {
      name: 'Role execs into pods',
      yaml: role('debugger', [core(['pods'], ['get']), core(['pods/exec'], ['create'])]),
      findings: [{ path: '/rules/1', message: 'can exec into, attach to or port-forward pods in namespace apps: rule 1 allows create on pods/exec' }],
    },
    {
      name: 'ClusterRole with the */exec subresource wildcard',
      yaml: clusterRole('exec-all', [r([''], ['*/exec', '*/attach'], ['create'])]),
      findings: [{ path: '/rules/0', message: 'create on pods/exec, pods/attach' }],
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
  const all = [wildcard, secretsRead, workloadCreate, podExec, escalateBindImpersonate, rbacWrite, tokenRequest, nodesProxy, csrApproval, webhookConfig];

  it('a full-wildcard ClusterRole: one finding per rule, all on the wildcard rule', () => {
    const yaml = clusterRole('god', [core(['configmaps'], ['get']), r(['*'], ['*'], ['*'])]);
    for (const rule of all) expect(severities(rule, yaml).map((s) => s.split(' ')[1]), rule.meta.id).toEqual(['/rules/1']);
  });

  it('a full-wildcard Role: only the namespaced permissions', () => {
    const yaml = role('ns-god', [r(['*'], ['*'], ['*'])]);
    const fired = all.filter((rule) => runRule(rule, yaml).length > 0).map((rule) => rule.meta.id);
    expect(fired).toEqual(['rbac-wildcard', 'rbac-secrets-read', 'rbac-workload-create', 'rbac-pod-exec', 'rbac-escalate-bind-impersonate', 'rbac-rbac-write', 'rbac-token-request']);
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
