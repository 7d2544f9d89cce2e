// Template for the "role grants a dangerous permission" family (kube-linter style: one template, one rule per
// entry of DANGEROUS_PERMISSIONS). A rule reads Roles and ClusterRoles and reports at most one finding per
// role: the granting rule with the highest severity (unrestricted before resourceNames-limited, own rules
// before aggregated ones, then the first). Grants come from the role's own rules (`/rules/N`) or, for an
// aggregated ClusterRole, from the ClusterRoles it aggregates (`/aggregationRule`, the source in `related`).
// A wildcard rule grants the permission like any other rule: rbac-wildcard reports the wildcard itself,
// these rules report what it hands out, because each has its own remediation and can be configured alone.
import { severityRank, type Severity } from '../../src/model/model.ts';
import type { ObjectRule, RuleMeta } from '../../src/engine/rule-kit.ts';
import type { UnitIndex } from '../../src/engine/unit.ts';
import type { ScannedObject } from '../../src/model/model.ts';
import type { DangerousPermission, PolicyRule } from '../../src/k8s/rbac.ts';
import { BOOTSTRAP_POLICY } from '../../src/k8s/rbac-bootstrap.ts';
import {
  builtinGrantOf,
  describeRequests,
  describeSource,
  grantedRequests,
  isNamed,
  isRbacObject,
  locate,
  lower,
  permission,
  sourcedRules,
  type Reach,
  type Request,
  type SourcedRule,
} from './rbac.ts';

export interface PermissionHit {
  source: SourcedRule;
  /** The catalog requests this rule grants. */
  requests: Request[];
  permissions: DangerousPermission[];
  reach: Reach;
  namespaced: boolean;
}

export interface PermissionRuleSpec {
  id: string;
  title: string;
  description: string;
  remediation: string;
  references: RuleMeta['references'];
  /** Ids of DANGEROUS_PERMISSIONS entries the rule reports. */
  permissions: readonly string[];
  /** Severity for a ClusterRole that grants the permission on any object. */
  severity: Severity;
  /** For a namespaced Role (default: one step lower: the grant cannot leave its namespace). */
  roleSeverity?: Severity;
  /** When the granting rule is limited by resourceNames (default: one step below the scope's severity). */
  namedSeverity?: (base: Severity, hit: PermissionHit) => Severity;
  /** Last word on a hit, given every effective rule of the role (e.g. CSR approval also needs `approve` on a signer). */
  refine?: (hit: PermissionHit, severity: Severity, effective: readonly PolicyRule[]) => { severity: Severity; note?: string };
}

export function rolePermissionRule(spec: PermissionRuleSpec): ObjectRule {
  const permissions = spec.permissions.map(permission);
  const meta: RuleMeta = {
    id: spec.id,
    title: spec.title,
    category: 'rbac',
    defaultSeverity: spec.severity,
    description: `${spec.description} A binding to a built-in ClusterRole that grants it (system:node, a system:controller: role, edit or admin bound cluster-wide; modelled from the Kubernetes ${BOOTSTRAP_POLICY.kubernetes} bootstrap policy) is reported on the binding's roleRef the same way.`,
    remediation: spec.remediation,
    references: spec.references,
    messages: {
      rule: '{{summary}}{{scope}}: rule {{index}} allows {{grants}}{{limit}}{{note}}',
      aggregated: '{{summary}}: it aggregates {{source}}, which allows {{grants}}{{limit}}{{note}}',
      builtinBinding: '{{summary}}{{scope}}: binds built-in ClusterRole {{role}} (Kubernetes bootstrap policy), which allows {{grants}}{{limit}}{{note}}',
      everything: '{{summary}}: its aggregationRule has an empty selector, which aggregates every ClusterRole of the cluster, cluster-admin included{{note}}',
    },
  };
  /** The granting rule with the highest severity among `sources` (the first on a tie), if any. */
  function best(sources: readonly SourcedRule[], namespaced: boolean) {
    let found: { hit: PermissionHit; severity: Severity; note?: string } | undefined;
    for (const source of sources) {
      const granted = permissions
        .map((p) => ({ p, requests: grantedRequests(source.rule, p.requests, namespaced) }))
        .filter((g) => g.requests.length > 0);
      if (granted.length === 0) continue;
      const hit: PermissionHit = {
        source,
        requests: granted.flatMap((g) => g.requests),
        permissions: granted.map((g) => g.p),
        reach: isNamed(source.rule) ? 'named' : 'all',
        namespaced,
      };
      let severity = namespaced ? (spec.roleSeverity ?? lower(spec.severity)) : spec.severity;
      if (hit.reach === 'named') severity = spec.namedSeverity ? spec.namedSeverity(severity, hit) : lower(severity);
      let note: string | undefined;
      if (spec.refine) ({ severity, note } = spec.refine(hit, severity, sources.map((s) => s.rule)));
      if (!found || severityRank(severity) > severityRank(found.severity)) found = note === undefined ? { hit, severity } : { hit, severity, note };
    }
    return found;
  }
  const hitData = (hit: PermissionHit, note: string | undefined): Record<string, string | number> => ({
    summary: hit.permissions.map((p) => p.summary).join('; '),
    grants: describeRequests(hit.requests),
    limit: hit.reach === 'named' ? ` (only the objects named in resourceNames: ${hit.source.rule.resourceNames.join(', ')})` : '',
    note: note ? `; ${note}` : '',
  });

  /** A binding to a built-in role: its rules are reported on the binding, the only object the chart ships. */
  function* checkBinding(binding: ScannedObject, unit: UnitIndex) {
    const grant = builtinGrantOf(binding, unit);
    if (!grant) return;
    const namespaced = grant.namespace !== undefined;
    const found = best(grant.rules.map((rule): SourcedRule => ({ rule })), namespaced);
    if (!found) return;
    const data = { ...hitData(found.hit, found.note), role: grant.roleRef.name, scope: namespaced ? ` in namespace ${grant.namespace}` : ' cluster-wide' };
    yield { messageId: 'builtinBinding', path: '/roleRef/name', data, severity: found.severity };
  }

  return {
    meta,
    target: 'object',
    kinds: ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
    *check(object, { unit }) {
      if (!isRbacObject(object)) return;
      if (object.ref.kind === 'RoleBinding' || object.ref.kind === 'ClusterRoleBinding') {
        yield* checkBinding(object, unit);
        return;
      }
      const role = object;
      const namespaced = role.ref.kind === 'Role';
      const found = best(sourcedRules(role, unit), namespaced);
      if (!found) return;
      const { hit, severity, note } = found;
      const { path, related } = locate(hit.source);
      const data: Record<string, string | number> = { ...hitData(hit, note), scope: namespaced ? ` in namespace ${unit.namespaceOf(role)}` : '' };
      const from = hit.source.from;
      if (hit.source.index !== undefined) data.index = hit.source.index;
      else if (from) data.source = describeSource(from);
      const messageId = hit.source.index !== undefined ? 'rule' : from?.everything ? 'everything' : 'aggregated';
      yield { messageId, path, data, severity, ...(related ? { related } : {}) };
    },
  };
}
