// The Kubernetes bootstrap ClusterRoles in the rbac-* rules: aggregationRule selectors that match them,
// bindings to them (system:node, system:controller:*, edit cluster-wide), and the escalation paths of the
// RBAC good-practices page added with them (PersistentVolume creation, Namespace changes, ephemeral containers).
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Rule } from '../../src/engine/rule-kit.ts';
import { BUILTIN_CLUSTER_ROLES } from '../../src/k8s/rbac.ts';
import { BOOTSTRAP_CLUSTER_ROLES, BOOTSTRAP_RULES } from '../../src/k8s/rbac-bootstrap.ts';
import clusterAdminBinding from '../../rules/rbac-cluster-admin-binding.ts';
import escalateBindImpersonate from '../../rules/rbac-escalate-bind-impersonate.ts';
import namespaceModify from '../../rules/rbac-namespace-modify.ts';
import persistentVolumeCreate from '../../rules/rbac-persistentvolume-create.ts';
import podExec from '../../rules/rbac-pod-exec.ts';
import rbacWrite from '../../rules/rbac-rbac-write.ts';
import secretsRead from '../../rules/rbac-secrets-read.ts';
import wildcard from '../../rules/rbac-wildcard.ts';
import workloadCreate from '../../rules/rbac-workload-create.ts';
import { runRule, testRule } from '../helpers/rule-tester.ts';

type Json = Record<string, unknown>;
const RBAC = 'rbac.authorization.k8s.io/v1';
const doc = (o: Json) => '---\n' + stringify(o);
const sa = (name: string, namespace = 'apps') => ({ kind: 'ServiceAccount', name, namespace });

const crb = (name: string, roleName: string, subjects: unknown = [sa('app')]) =>
  doc({ apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects });
const rb = (name: string, roleName: string, namespace = 'apps', subjects: unknown = [sa('app')]) =>
  doc({ apiVersion: RBAC, kind: 'RoleBinding', metadata: { name, namespace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects });
const clusterRole = (name: string, rules: unknown, extra: { labels?: Json; aggregationRule?: unknown } = {}) =>
  doc({ apiVersion: RBAC, kind: 'ClusterRole', metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}) }, ...(extra.aggregationRule !== undefined ? { aggregationRule: extra.aggregationRule } : {}), rules });
const role = (name: string, rules: unknown, namespace = 'apps') => doc({ apiVersion: RBAC, kind: 'Role', metadata: { name, namespace }, rules });
const aggregator = (name: string, selector: Json) => clusterRole(name, [], { aggregationRule: { clusterRoleSelectors: [selector] } });
const r = (apiGroups: string[], resources: string[], verbs: string[]): Json => ({ apiGroups, resources, verbs });
const core = (resources: string[], verbs: string[]) => r([''], resources, verbs);

/** The reviewer's reproduction: every bootstrap role carries kubernetes.io/bootstrapping=rbac-defaults. */
const BOOTSTRAPPING = { matchExpressions: [{ key: 'kubernetes.io/bootstrapping', operator: 'Exists' }] };
const TO_ADMIN = { matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' } };
const TO_VIEW = { matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } };

const severities = (rule: Rule, yaml: string) =>
  runRule(rule, yaml)
    .map((f) => `${f.object.kind}/${f.object.name} ${f.path} ${f.severity}`)
    .sort();

describe('bootstrap policy table', () => {
  it('models the dangerous system roles the review named, with the rules that make them dangerous', () => {
    const names = BOOTSTRAP_CLUSTER_ROLES.map((role) => role.name);
    for (const name of ['cluster-admin', 'admin', 'edit', 'view', 'system:node', 'system:kube-controller-manager', 'system:kube-scheduler', 'system:controller:clusterrole-aggregation-controller', 'system:controller:namespace-controller', 'system:controller:generic-garbage-collector']) {
      expect(names).toContain(name);
    }
    expect(new Set(names).size).toBe(names.length);
    // system:masters is a group (it bypasses RBAC), never a ClusterRole.
    expect(names).not.toContain('system:masters');
  });

  it('aggregates admin from edit and view as the aggregation controller does', () => {
    const grants = (name: string, verb: string, resource: string, group = '') =>
      (BOOTSTRAP_RULES[name] ?? []).some((rule) => rule.verbs.includes(verb) && rule.apiGroups.includes(group) && rule.resources.includes(resource));
    expect(grants('admin', 'create', 'rolebindings', 'rbac.authorization.k8s.io')).toBe(true);
    expect(grants('admin', 'get', 'secrets')).toBe(true);
    expect(grants('admin', 'list', 'pods')).toBe(true);
    expect(grants('edit', 'create', 'rolebindings', 'rbac.authorization.k8s.io')).toBe(false);
    expect(grants('edit', 'impersonate', 'serviceaccounts')).toBe(true);
    expect(grants('view', 'get', 'secrets')).toBe(false);
    expect(Object.keys(BUILTIN_CLUSTER_ROLES)).toEqual(BOOTSTRAP_CLUSTER_ROLES.map((role) => role.name));
  });
});

// ---------------------------------------------------------------------------------------------------
// 1. aggregationRule selectors that match built-in roles

testRule(wildcard, {
  valid: [
    { name: 'a selector on labels no built-in role has', yaml: aggregator('ops', { matchLabels: { 'example.com/aggregate-to-ops': 'true' } }) },
    { name: 'a selector that pulls in view only', yaml: aggregator('viewers', TO_VIEW) },
    { name: 'bootstrapping label with a value no role has', yaml: aggregator('odd', { matchLabels: { 'kubernetes.io/bootstrapping': 'other' } }) },
  ],
  invalid: [
    {
      name: 'kubernetes.io/bootstrapping Exists aggregates cluster-admin',
      yaml: aggregator('sneaky', BOOTSTRAPPING) + crb('sneaky', 'sneaky'),
      findings: [{ path: '/aggregationRule', message: 'it aggregates built-in ClusterRole cluster-admin (its aggregationRule selector matches the labels this role of the Kubernetes bootstrap policy has on every cluster), which uses "*" in verbs, resources and apiGroups' }],
    },
    {
      name: 'matchLabels kubernetes.io/bootstrapping=rbac-defaults',
      yaml: aggregator('sneaky', { matchLabels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } }),
      findings: [{ path: '/aggregationRule', message: 'built-in ClusterRole cluster-admin' }],
    },
    {
      name: 'DoesNotExist on a label nobody sets matches every built-in role',
      yaml: aggregator('sneaky', { matchExpressions: [{ key: 'example.com/nothing', operator: 'DoesNotExist' }] }),
      findings: [{ path: '/aggregationRule', message: 'built-in ClusterRole cluster-admin' }],
    },
    {
      name: 'through another ClusterRole of the chart that selects the built-in roles',
      yaml: clusterRole('middle', [], { labels: { 'example.com/agg': 'true' }, aggregationRule: { clusterRoleSelectors: [BOOTSTRAPPING] } }) + aggregator('outer', { matchLabels: { 'example.com/agg': 'true' } }),
      // One finding on each: middle names the built-in role, outer the chart's role it gets it through.
      findings: [{ path: '/aggregationRule' }, { path: '/aggregationRule' }],
    },
  ],
});

describe('aggregation selectors on built-in roles', () => {
  it('the reviewer reproduction is critical on the role and on its binding', () => {
    const yaml = aggregator('sneaky', BOOTSTRAPPING) + crb('sneaky', 'sneaky');
    expect(severities(wildcard, yaml)).toEqual(['ClusterRole/sneaky /aggregationRule critical']);
    expect(severities(clusterAdminBinding, yaml)).toEqual(['ClusterRoleBinding/sneaky /roleRef/name critical']);
    expect(runRule(escalateBindImpersonate, yaml).map((f) => f.message)).toEqual([expect.stringContaining('built-in ClusterRole cluster-admin')]);
  });

  it('the middle role of a chain is reported too, once each', () => {
    const yaml = clusterRole('middle', [], { labels: { 'example.com/agg': 'true' }, aggregationRule: { clusterRoleSelectors: [BOOTSTRAPPING] } }) + aggregator('outer', { matchLabels: { 'example.com/agg': 'true' } });
    expect(severities(wildcard, yaml)).toEqual(['ClusterRole/middle /aggregationRule critical', 'ClusterRole/outer /aggregationRule critical']);
    const messages = runRule(wildcard, yaml).map((f) => `${f.object.name}: ${f.message}`).sort();
    expect(messages[0]).toContain('middle: it aggregates built-in ClusterRole cluster-admin');
    expect(messages[1]).toContain('outer: it aggregates ClusterRole middle, which uses "*" in verbs, resources and apiGroups');
  });

  it('a chart ClusterRole with a built-in name stands for it: its own labels and rules count', () => {
    const yaml = clusterRole('cluster-admin', [core(['configmaps'], ['get'])]) + aggregator('sneaky', { matchLabels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } });
    // The built-in cluster-admin is replaced by the chart's; the other bootstrap roles still match, the first
    // with a partial wildcard named (high, not critical).
    expect(runRule(wildcard, yaml).map((f) => `${f.severity} ${f.message}`)).toEqual([expect.stringContaining('high it aggregates built-in ClusterRole system:kubelet-api-admin')]);
  });
});

testRule(rbacWrite, {
  valid: [{ name: 'aggregate-to-view pulls in no RBAC write', yaml: aggregator('viewers', TO_VIEW) }],
  invalid: [
    {
      name: 'aggregate-to-admin pulls in system:aggregate-to-admin (roles and rolebindings, cluster-wide once bound so)',
      yaml: aggregator('admins', TO_ADMIN),
      findings: [{ path: '/aggregationRule', message: 'it aggregates built-in ClusterRole system:aggregate-to-admin' }],
    },
  ],
});

testRule(escalateBindImpersonate, {
  valid: [{ name: 'aggregate-to-view impersonates nobody', yaml: aggregator('viewers', TO_VIEW) }],
  invalid: [
    {
      name: 'aggregate-to-admin pulls in edit, which impersonates service accounts',
      yaml: aggregator('admins', TO_ADMIN),
      findings: [{ path: '/aggregationRule', message: 'it aggregates built-in ClusterRole edit' }],
    },
    {
      name: 'a binding to system:controller:clusterrole-aggregation-controller',
      yaml: crb('steal', 'system:controller:clusterrole-aggregation-controller'),
      findings: [{ path: '/roleRef/name', message: 'cluster-wide: binds built-in ClusterRole system:controller:clusterrole-aggregation-controller (Kubernetes bootstrap policy), which allows escalate on clusterroles' }],
    },
  ],
});

// ---------------------------------------------------------------------------------------------------
// 2. Bindings to built-in system: roles

testRule(secretsRead, {
  valid: [
    { name: 'system:auth-delegator (token and access reviews only)', yaml: crb('delegator', 'system:auth-delegator') },
    { name: 'system:heapster reads no secrets', yaml: crb('heapster', 'system:heapster') },
    { name: 'edit bound in one namespace is the delegation Kubernetes designed', yaml: rb('editors', 'edit') },
    { name: 'admin bound in one namespace', yaml: rb('admins', 'admin') },
    { name: 'view bound cluster-wide', yaml: crb('viewers', 'view') },
    { name: 'cluster-admin is rbac-cluster-admin-binding\'s', yaml: crb('root', 'cluster-admin') },
    { name: 'an unknown system: role is rbac-binding-missing-role\'s business, not a guess', yaml: crb('vendor', 'system:openshift:scc:privileged') },
  ],
  invalid: [
    {
      name: 'system:node bound to an app service account reads every secret',
      yaml: crb('node', 'system:node'),
      findings: [{ path: '/roleRef/name', message: 'can read secrets cluster-wide: binds built-in ClusterRole system:node (Kubernetes bootstrap policy), which allows get, list, watch on secrets' }],
    },
    {
      name: 'system:controller:generic-garbage-collector reads everything',
      yaml: crb('gc', 'system:controller:generic-garbage-collector'),
      findings: [{ path: '/roleRef/name', message: 'binds built-in ClusterRole system:controller:generic-garbage-collector' }],
    },
    {
      name: 'system:node bound in one namespace',
      yaml: rb('node', 'system:node'),
      findings: [{ path: '/roleRef/name', message: 'can read secrets in namespace apps: binds built-in ClusterRole system:node' }],
    },
    {
      name: 'edit bound cluster-wide',
      yaml: crb('editors', 'edit'),
      findings: [{ path: '/roleRef/name', message: 'binds built-in ClusterRole edit' }],
    },
  ],
});

testRule(clusterAdminBinding, {
  valid: [
    { name: 'system:node has no route to cluster-admin', yaml: crb('node', 'system:node') },
    { name: 'admin bound in one namespace (the remediation this rule gives)', yaml: rb('admins', 'admin') },
    { name: 'system:auth-delegator', yaml: crb('delegator', 'system:auth-delegator') },
  ],
  invalid: [
    {
      name: 'the aggregation controller escalates clusterroles',
      yaml: crb('steal', 'system:controller:clusterrole-aggregation-controller'),
      findings: [{ path: '/roleRef/name', message: 'binds built-in ClusterRole system:controller:clusterrole-aggregation-controller cluster-wide, which can escalate and update clusterroles, its own included, to any permission: ServiceAccount apps/app can make themselves cluster-admin' }],
    },
    {
      name: 'edit bound cluster-wide impersonates every service account',
      yaml: crb('editors', 'edit'),
      findings: [{ path: '/roleRef/name', message: "binds built-in ClusterRole edit cluster-wide, which can impersonate any service account, kube-system's controllers included" }],
    },
  ],
});

testRule(workloadCreate, {
  valid: [{ name: 'system:kube-scheduler binds and deletes pods but creates none', yaml: crb('sched', 'system:kube-scheduler') }],
  invalid: [{ name: 'system:controller:daemon-set-controller creates pods', yaml: crb('ds', 'system:controller:daemon-set-controller'), findings: [{ path: '/roleRef/name', message: 'create, patch on pods' }] }],
});

describe('bindings to built-in roles', () => {
  it('cluster-wide at the rule severity, one step lower in a namespace', () => {
    expect(severities(secretsRead, crb('node', 'system:node'))).toEqual(['ClusterRoleBinding/node /roleRef/name high']);
    expect(severities(secretsRead, rb('node', 'system:node'))).toEqual(['RoleBinding/node /roleRef/name medium']);
    expect(severities(escalateBindImpersonate, crb('steal', 'system:controller:clusterrole-aggregation-controller'))).toEqual(['ClusterRoleBinding/steal /roleRef/name critical']);
  });
});

// ---------------------------------------------------------------------------------------------------
// 3. Escalation paths of the RBAC good-practices page

testRule(persistentVolumeCreate, {
  valid: [
    { name: 'reading persistent volumes', yaml: clusterRole('pv-reader', [core(['persistentvolumes'], ['get', 'list', 'watch'])]) },
    { name: 'a Role never reaches persistent volumes (cluster-scoped)', yaml: role('pv', [core(['persistentvolumes'], ['create'])]) },
    { name: 'claims are not volumes', yaml: clusterRole('pvc', [core(['persistentvolumeclaims'], ['create'])]) },
  ],
  invalid: [
    {
      name: 'a ClusterRole creates persistent volumes',
      yaml: clusterRole('pv-maker', [core(['configmaps'], ['get']), core(['persistentvolumes'], ['create', 'delete'])]),
      findings: [{ path: '/rules/1', message: "can create persistent volumes (a hostPath volume mounts any path of a node's filesystem): rule 1 allows create on persistentvolumes" }],
    },
    {
      name: 'a binding to system:persistent-volume-provisioner',
      yaml: crb('provisioner', 'system:persistent-volume-provisioner'),
      findings: [{ path: '/roleRef/name', message: 'binds built-in ClusterRole system:persistent-volume-provisioner' }],
    },
  ],
});

testRule(namespaceModify, {
  valid: [
    { name: 'reading namespaces', yaml: clusterRole('ns-reader', [core(['namespaces'], ['get', 'list', 'watch'])]) },
    { name: 'a Role cannot create namespaces', yaml: role('ns', [core(['namespaces'], ['create'])]) },
    { name: 'namespace status is not its labels', yaml: clusterRole('ns-status', [core(['namespaces/status'], ['update', 'patch'])]) },
  ],
  invalid: [
    {
      name: 'a ClusterRole patches namespaces',
      yaml: clusterRole('ns-labeller', [core(['namespaces'], ['get', 'patch'])]),
      findings: [{ path: '/rules/0', message: 'can change namespaces (relabel their Pod Security enforce level to privileged): rule 0 allows patch on namespaces' }],
    },
    {
      name: 'a Role reaches its own Namespace object',
      yaml: role('ns-labeller', [core(['configmaps'], ['get']), core(['namespaces'], ['update'])]),
      findings: [{ path: '/rules/1', message: 'in namespace apps: rule 1 allows update on namespaces' }],
    },
  ],
});

testRule(podExec, {
  valid: [{ name: 'reading ephemeral containers', yaml: clusterRole('debug-reader', [core(['pods/ephemeralcontainers'], ['get'])]) }],
  invalid: [
    {
      name: 'patch on pods/ephemeralcontainers runs a container in any pod',
      yaml: clusterRole('debugger', [core(['pods/ephemeralcontainers'], ['patch', 'update'])]),
      findings: [{ path: '/rules/0', message: 'rule 0 allows update, patch on pods/ephemeralcontainers' }],
    },
  ],
});

describe('severities of the new escalation paths', () => {
  it('high for a ClusterRole, medium for a Role', () => {
    expect(severities(persistentVolumeCreate, clusterRole('pv', [core(['persistentvolumes'], ['create'])]))).toEqual(['ClusterRole/pv /rules/0 high']);
    expect(severities(namespaceModify, clusterRole('ns', [core(['namespaces'], ['patch'])]))).toEqual(['ClusterRole/ns /rules/0 high']);
    expect(severities(namespaceModify, role('ns', [core(['namespaces'], ['patch'])]))).toEqual(['Role/ns /rules/0 medium']);
    expect(severities(podExec, clusterRole('dbg', [core(['pods/ephemeralcontainers'], ['patch'])]))).toEqual(['ClusterRole/dbg /rules/0 high']);
    expect(severities(podExec, role('dbg', [core(['pods/ephemeralcontainers'], ['patch'])]))).toEqual(['Role/dbg /rules/0 medium']);
  });
});
