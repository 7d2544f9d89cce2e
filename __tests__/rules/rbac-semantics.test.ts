// The RBAC semantics behind the rbac-* rules (rules/_templates/rbac.ts): request matching with scope and
// resourceNames, rule indexes, aggregation.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { defaultConfig } from '../../src/config/config.ts';
import { evaluate } from '../../src/engine/evaluate.ts';
import type { UnitIndex } from '../../src/engine/unit.ts';
import { adminEquivalence, type PolicyRule } from '../../src/k8s/rbac.ts';
import { aggregatedSources, describeRequests, lower, reachOf, rulesOf, type Request } from '../../rules/_templates/rbac.ts';
import { loadObjects } from '../helpers/rule-tester.ts';

const rule = (p: Partial<PolicyRule>): PolicyRule => ({ apiGroups: [''], resources: [], verbs: [], resourceNames: [], nonResourceURLs: [], ...p });

describe('reachOf', () => {
  const exec: Request = ['create', '', 'pods/exec'];

  it('"" is the core group; other groups do not match it', () => {
    expect(reachOf(rule({ resources: ['secrets'], verbs: ['get'] }), ['get', '', 'secrets'], true)).toBe('all');
    expect(reachOf(rule({ apiGroups: ['apps'], resources: ['secrets'], verbs: ['get'] }), ['get', '', 'secrets'], true)).toBeUndefined();
  });

  it('pods does not cover pods/exec; */exec and * do', () => {
    expect(reachOf(rule({ resources: ['pods'], verbs: ['create'] }), exec, true)).toBeUndefined();
    expect(reachOf(rule({ resources: ['*/exec'], verbs: ['create'] }), exec, true)).toBe('all');
    expect(reachOf(rule({ resources: ['*'], verbs: ['*'] }), exec, true)).toBe('all');
  });

  it('resourceNames never authorize nameless requests (top-level create, deletecollection)', () => {
    const named = (verbs: string[], resources: string[]) => rule({ resources, verbs, resourceNames: ['x'] });
    expect(reachOf(named(['create'], ['pods']), ['create', '', 'pods'], true)).toBeUndefined();
    expect(reachOf(named(['deletecollection'], ['pods']), ['deletecollection', '', 'pods'], true)).toBeUndefined();
    expect(reachOf(named(['create'], ['pods/exec']), exec, true)).toBe('named');
    expect(reachOf(named(['list'], ['secrets']), ['list', '', 'secrets'], true)).toBe('named');
    expect(reachOf(named(['patch'], ['pods']), ['patch', '', 'pods'], true)).toBe('named');
  });

  it('a namespaced grant never reaches cluster-scoped resources, except bind on clusterroles', () => {
    const all = rule({ apiGroups: ['*'], resources: ['*'], verbs: ['*'] });
    expect(reachOf(all, ['get', '', 'nodes/proxy'], true)).toBeUndefined();
    expect(reachOf(all, ['get', '', 'nodes/proxy'], false)).toBe('all');
    expect(reachOf(all, ['impersonate', '', 'users'], true)).toBeUndefined();
    expect(reachOf(all, ['impersonate', '', 'serviceaccounts'], true)).toBe('all');
    expect(reachOf(all, ['escalate', 'rbac.authorization.k8s.io', 'clusterroles'], true)).toBeUndefined();
    expect(reachOf(all, ['bind', 'rbac.authorization.k8s.io', 'clusterroles'], true)).toBe('all');
  });

  it('nonResourceURLs grant no resource', () => {
    expect(reachOf(rule({ apiGroups: [], nonResourceURLs: ['*'], verbs: ['*'] }), ['get', '', 'secrets'], false)).toBeUndefined();
  });
});

describe('helpers', () => {
  it('rulesOf keeps raw indexes and skips entries that are not objects', () => {
    expect(rulesOf(['x', null, { verbs: ['get', 1] }]).map((r) => [r.index, r.rule.verbs])).toEqual([[2, ['get']]]);
    expect(rulesOf('x')).toEqual([]);
  });

  it('lower never goes below low', () => {
    expect([lower('critical'), lower('critical', 2), lower('high', 2), lower('low'), lower('medium', 5)]).toEqual(['high', 'medium', 'low', 'low', 'low']);
  });

  it('describeRequests groups resources with the same verbs', () => {
    expect(describeRequests([['get', '', 'secrets'], ['list', '', 'secrets'], ['create', '', 'pods/exec'], ['create', '', 'pods/attach']])).toBe('get, list on secrets; create on pods/exec, pods/attach');
  });
});

describe('aggregatedSources', () => {
  const RBAC = 'rbac.authorization.k8s.io/v1';
  const cr = (name: string, labels: Record<string, string>, selectors?: unknown[], rules: unknown[] = []) =>
    '---\n' + stringify({ apiVersion: RBAC, kind: 'ClusterRole', metadata: { name, labels }, ...(selectors ? { aggregationRule: { clusterRoleSelectors: selectors } } : {}), rules });
  const unitOf = (yaml: string): UnitIndex => evaluate(loadObjects(yaml), [], defaultConfig()).units[0]!;
  const sources = (yaml: string, name: string) => {
    const unit = unitOf(yaml);
    const role = unit.ofKind('ClusterRole').find((r) => r.ref.name === name)!;
    return aggregatedSources(role, unit).map((s) => [s.ref.name, s.rules.flatMap((r) => r.resources).join(',')]);
  };
  const secrets = [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }];

  it('follows aggregation transitively and survives cycles', () => {
    const yaml = cr('top', {}, [{ matchLabels: { to: 'top' } }]) + cr('mid', { to: 'top' }, [{ matchLabels: { to: 'mid' } }]) + cr('leaf', { to: 'mid' }, undefined, secrets) + cr('loop', { to: 'mid' }, [{ matchLabels: { to: 'top' } }]);
    // top selects mid; mid selects leaf and loop; loop selects mid again (a cycle mid <-> loop).
    expect(sources(yaml, 'top')).toEqual([['mid', 'secrets']]);
    expect(sources(yaml, 'mid')).toEqual([
      ['leaf', 'secrets'],
      ['loop', 'secrets'],
    ]);
    expect(sources(yaml, 'loop')).toEqual([['mid', 'secrets']]);
  });

  it('matchExpressions select like the API server; an empty selector selects every ClusterRole, cluster-admin included', () => {
    const yaml = cr('agg', {}, [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['ops'] }] }]) + cr('ops', { tier: 'ops' }, undefined, secrets) + cr('dev', { tier: 'dev' }, undefined, secrets);
    expect(sources(yaml, 'agg')).toEqual([['ops', 'secrets']]);
    expect(sources(cr('all', {}, [{}]) + cr('x', {}, undefined, secrets), 'all')).toEqual([
      ['cluster-admin', '*'],
      ['x', 'secrets'],
    ]);
  });
});

describe('adminEquivalence (what counts as cluster-admin)', () => {
  const RBAC_GROUP = 'rbac.authorization.k8s.io';
  const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
  const core = rule({ resources: ['pods', 'secrets', 'serviceaccounts', 'configmaps', 'services', 'persistentvolumeclaims', 'nodes', 'namespaces', 'persistentvolumes'], verbs: VERBS });
  const rbac = rule({ apiGroups: [RBAC_GROUP], resources: ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'], verbs: VERBS });

  it('every standard verb on every core and RBAC resource, across rules, with the rules that make it up', () => {
    expect(adminEquivalence([rule({ resources: ['configmaps'], verbs: ['get'] }), core, rbac], false)).toEqual({ route: 'everything', how: 'allows every verb on every core and RBAC resource', ruleIndexes: [1, 2] });
    expect(adminEquivalence([rule({ apiGroups: ['*'], resources: ['*'], verbs: ['*'] })], false)?.route).toBe('everything');
  });

  it('one missing verb or resource, or resourceNames on a needed rule, is not everything', () => {
    expect(adminEquivalence([core, rule({ ...rbac, verbs: VERBS.filter((v) => v !== 'watch') })], false)).toBeUndefined();
    expect(adminEquivalence([core, rule({ ...rbac, resources: ['roles', 'rolebindings', 'clusterroles'] })], false)).toBeUndefined();
    expect(adminEquivalence([core, rule({ ...rbac, resourceNames: ['mine'] })], false)).toBeUndefined();
  });

  it('in a namespace only the namespaced resources are needed, and cluster-scoped escalation routes do not apply', () => {
    const namespacedCore = rule({ resources: ['pods', 'secrets', 'serviceaccounts', 'configmaps', 'services', 'persistentvolumeclaims'], verbs: VERBS });
    const namespacedRbac = rule({ apiGroups: [RBAC_GROUP], resources: ['roles', 'rolebindings'], verbs: VERBS });
    expect(adminEquivalence([namespacedCore, namespacedRbac], true)?.route).toBe('everything');
    expect(adminEquivalence([namespacedCore, namespacedRbac], false)).toBeUndefined();
    expect(adminEquivalence([rule({ resources: ['groups'], verbs: ['impersonate'] })], true)).toBeUndefined();
  });

  it('escalation routes: bind plus create bindings, escalate plus update, impersonation; names count only for the target', () => {
    const bind = (names?: string[]) => rule({ apiGroups: [RBAC_GROUP], resources: ['clusterroles'], verbs: ['bind'], ...(names ? { resourceNames: names } : {}) });
    const createCrb = rule({ apiGroups: [RBAC_GROUP], resources: ['clusterrolebindings'], verbs: ['create'] });
    expect(adminEquivalence([bind(), createCrb], false)).toMatchObject({ route: 'escalation', ruleIndexes: [0, 1] });
    expect(adminEquivalence([bind(['cluster-admin']), createCrb], false)?.route).toBe('escalation');
    expect(adminEquivalence([bind(['view']), createCrb], false)).toBeUndefined();
    expect(adminEquivalence([bind()], false)).toBeUndefined();
    expect(adminEquivalence([rule({ apiGroups: [RBAC_GROUP], resources: ['roles'], verbs: ['escalate', 'update'] })], true)?.how).toBe('can escalate and update roles, its own included, to any permission');
    expect(adminEquivalence([rule({ resources: ['users'], verbs: ['impersonate'], resourceNames: ['alice'] })], false)).toBeUndefined();
  });
});
