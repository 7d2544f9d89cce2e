// `*` in a role: it grants today's and tomorrow's verbs, resources and API groups (CRDs included).
import { severityRank, type Severity } from '../src/model/model.ts';
import { defineRule } from '../src/engine/rule-kit.ts';
import { adminEquivalence, type PolicyRule } from '../src/k8s/rbac.ts';
import { describeSource, docs, isNamed, isRbacObject, locate, sourcedRules, type SourcedRule } from './_templates/rbac.ts';

interface Wildcard {
  messageId: 'rule' | 'nonResource';
  severity: Severity;
  data: Record<string, string>;
}

const list = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

/** What a rule's wildcards grant, or undefined when it has none (or grants nothing at all). */
function wildcardOf(rule: PolicyRule, namespaced: boolean): Wildcard | undefined {
  if (rule.resources.length === 0) {
    // A non-resource rule (ClusterRole only): `*` is every URL the API server serves (/metrics, /debug/pprof, /logs...).
    if (namespaced || rule.verbs.length === 0 || !rule.nonResourceURLs.includes('*')) return undefined;
    return { messageId: 'nonResource', severity: 'low', data: { verbs: rule.verbs.includes('*') ? 'every verb' : rule.verbs.join(', ') } };
  }
  if (rule.verbs.length === 0 || rule.apiGroups.length === 0) return undefined; // matches no request
  const fields = (['verbs', 'resources', 'apiGroups'] as const).filter((f) => rule[f].includes('*'));
  if (fields.length === 0) return undefined;
  const full = fields.length === 3;
  const named = isNamed(rule);
  const severity: Severity = named ? 'low' : full ? (namespaced ? 'high' : 'critical') : namespaced ? 'medium' : 'high';
  const verbs = rule.verbs.includes('*') ? 'every verb' : rule.verbs.join(', ');
  const resources = rule.resources.includes('*') ? 'every resource' : rule.resources.join(', ');
  const groups = rule.apiGroups.includes('*') ? 'every API group' : `API group ${rule.apiGroups.map((g) => (g === '' ? 'core' : g)).join(', ')}`;
  const where = namespaced ? ' of the namespace' : '';
  const effect = full && !named ? `every verb on every resource${where}${namespaced ? '' : ', like cluster-admin'}` : `${verbs} on ${resources}${where} in ${groups}`;
  const limit = named ? ` (only the objects named in resourceNames: ${rule.resourceNames.join(', ')})` : '';
  return { messageId: 'rule', severity, data: { fields: list([...fields]), effect: effect + limit } };
}

/** The finding for rules that together allow every verb on every core and RBAC resource, if they do. */
function equivalentFinding(sources: readonly SourcedRule[], namespaced: boolean) {
  const equivalence = adminEquivalence(sources.map((s) => s.rule), namespaced, ['everything']);
  if (!equivalence) return undefined;
  const used = equivalence.ruleIndexes.map((i) => sources[i]!);
  const where = namespaced ? ' of the namespace' : '';
  const like = namespaced ? 'like cluster-admin bound in the namespace' : 'like cluster-admin';
  if (used.length === 1) {
    const { path, related } = locate(used[0]!);
    const index = used[0]!.index;
    const from = used[0]!.from;
    const data = { where, like, ...(index !== undefined ? { index } : { source: from ? describeSource(from) : '' }) };
    return { messageId: index !== undefined ? 'equivalentRule' : 'equivalentAggregated', path, data, ...(related ? { related } : {}) };
  }
  const own = used.filter((s) => s.index !== undefined).map((s) => String(s.index));
  const aggregated = [...new Set(used.filter((s) => s.index === undefined).map((s) => (s.from?.builtin ? `built-in ${s.from.ref.name}` : (s.from?.ref.name ?? ''))))];
  const parts = [...(own.length > 0 ? [`rules ${list(own)}`] : []), ...(aggregated.length > 0 ? [`aggregated ClusterRole${aggregated.length > 1 ? 's' : ''} ${list(aggregated)}`] : [])];
  const related = [...new Map(used.flatMap((s) => (s.from ? [[s.from.ref.name, s.from.ref] as const] : []))).values()];
  return {
    messageId: 'equivalentRules',
    path: aggregated.length > 0 ? '/aggregationRule' : '/rules',
    data: { where, like, rules: list(parts) },
    ...(related.length > 0 ? { related } : {}),
  };
}

export default defineRule({
  target: 'object',
  kinds: ['Role', 'ClusterRole'],
  meta: {
    id: 'rbac-wildcard',
    title: 'Roles should not use wildcards or enumerate every permission',
    category: 'rbac',
    defaultSeverity: 'high',
    description:
      '`*` in verbs, resources or apiGroups grants every current and future verb, resource and API group, custom resources included, so the role keeps gaining permissions as the cluster grows; with all three it is cluster-admin. Rules that allow every verb (get, list, watch, create, update, patch, delete) on every resource of the core and RBAC API groups are cluster-admin too, whether they write `*` or enumerate the verbs and resources, and are reported the same way. Critical for such a ClusterRole (high for a Role), medium for a namespaced Role with a partial wildcard, low when resourceNames confines the wildcard to named objects.',
    remediation:
      'List the verbs, resources and API groups the workload uses (`kubectl auth can-i --list` or the audit log show them) instead of `*`; for an aggregated ClusterRole, select only the ClusterRoles meant to be aggregated.',
    references: [docs.goodPractices('least-privilege', 'RBAC good practices: least privilege'), docs.rbac('aggregated-clusterroles', 'RBAC: aggregated ClusterRoles')],
    messages: {
      rule: 'rule {{index}} uses "*" in {{fields}}: {{effect}}',
      nonResource: 'rule {{index}} allows {{verbs}} on every non-resource URL ("*")',
      aggregated: 'it aggregates {{source}}, which uses "*" in {{fields}}: {{effect}}',
      aggregatedNonResource: 'it aggregates {{source}}, which allows {{verbs}} on every non-resource URL ("*")',
      everything: 'its aggregationRule has an empty selector, which aggregates every ClusterRole of the cluster, cluster-admin included: every permission on every resource',
      equivalentRule: 'rule {{index}} allows every verb (get, list, watch, create, update, patch, delete) on every core and RBAC resource{{where}} (pods, secrets, serviceaccounts, roles, bindings...), {{like}}, "*" or not',
      equivalentAggregated: 'it aggregates {{source}}, which allows every verb (get, list, watch, create, update, patch, delete) on every core and RBAC resource{{where}}, {{like}}, "*" or not',
      equivalentRules: '{{rules}} together allow every verb (get, list, watch, create, update, patch, delete) on every core and RBAC resource{{where}} (pods, secrets, serviceaccounts, roles, bindings...), {{like}}: enumerating them grants what "*" grants',
    },
  },
  *check(role, { unit }) {
    if (!isRbacObject(role)) return;
    const namespaced = role.ref.kind === 'Role';
    let best: { source: SourcedRule; wildcard: Wildcard } | undefined;
    const sources = sourcedRules(role, unit);
    for (const source of sources) {
      const wildcard = wildcardOf(source.rule, namespaced);
      if (wildcard && (!best || severityRank(wildcard.severity) > severityRank(best.wildcard.severity))) best = { source, wildcard };
    }
    // Every verb on every core and RBAC resource is cluster-admin however it is written: `*` in one or two
    // fields with the rest enumerated, or no `*` at all. Reported like the full wildcard it amounts to.
    const fullSeverity: Severity = namespaced ? 'high' : 'critical';
    if (!best || severityRank(best.wildcard.severity) < severityRank(fullSeverity)) {
      const equivalent = equivalentFinding(sources, namespaced);
      if (equivalent) {
        yield { ...equivalent, severity: fullSeverity };
        return;
      }
    }
    if (!best) return;
    const { source, wildcard } = best;
    const { path, related } = locate(source);
    let messageId: string = wildcard.messageId;
    const data: Record<string, string | number> = { ...wildcard.data };
    if (source.index !== undefined) data.index = source.index;
    else if (source.from?.everything) messageId = 'everything';
    else {
      messageId = wildcard.messageId === 'rule' ? 'aggregated' : 'aggregatedNonResource';
      data.source = source.from ? describeSource(source.from) : '';
    }
    yield { messageId, path, data, severity: wildcard.severity, ...(related ? { related } : {}) };
  },
});
