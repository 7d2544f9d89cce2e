// The RBAC semantics behind the rbac-* rules (rules/_templates/rbac.ts): request matching with scope and
// resourceNames, rule indexes, aggregation.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { defaultConfig } from '../../src/core/config.ts';
import { evaluate } from '../../src/engine/evaluate.ts';
import type { UnitIndex } from '../../src/engine/unit.ts';
import type { PolicyRule } from '../../src/k8s/rbac.ts';
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
