// Helpers shared by the rbac-* rules (references, severities, messages, locations). The authorizer's
// semantics (scope, resourceNames, `*`, aggregation) live in src/k8s/rbac.ts and
// src/k8s/rbac-aggregation.ts, shared with the unit's grants and the blast radius, and are re-exported here.
import { SEVERITIES, type ObjectRef, type ScannedObject, type Severity } from '../../src/model/model.ts';
import type { UnitIndex } from '../../src/engine/unit.ts';
import type { AggregatedSource, SourcedRule } from '../../src/k8s/rbac-aggregation.ts';
import {
  BUILTIN_CLUSTER_ROLES,
  DANGEROUS_PERMISSIONS,
  USER_FACING_ROLES,
  isNamed,
  type DangerousPermission,
  type Grant,
  type PolicyRule,
  type Request,
  type Subject,
} from '../../src/k8s/rbac.ts';

export { dangerousGranted, grantedRequests, isNamed, reachableInNamespace, reachOf, type Reach, type Request } from '../../src/k8s/rbac.ts';

const RBAC_DOC = 'https://kubernetes.io/docs/reference/access-authn-authz/rbac/';
const GOOD_PRACTICES = 'https://kubernetes.io/docs/concepts/security/rbac-good-practices/';

/** Reference helpers: the RBAC reference and the RBAC good-practices page (optionally at a section). */
export const docs = {
  rbac: (anchor?: string, title = 'Using RBAC Authorization') => ({ title, url: RBAC_DOC + (anchor ? `#${anchor}` : '') }),
  goodPractices: (anchor?: string, title = 'RBAC good practices') => ({ title, url: GOOD_PRACTICES + (anchor ? `#${anchor}` : '') }),
};


/** A severity `steps` lower, never below `low`. */
export function lower(severity: Severity, steps = 1): Severity {
  const floor = SEVERITIES.indexOf('low');
  return SEVERITIES[Math.min(Math.max(SEVERITIES.indexOf(severity), 0) + steps, floor)]!;
}



export function permission(id: string): DangerousPermission {
  const found = DANGEROUS_PERMISSIONS.find((p) => p.id === id);
  if (!found) throw new Error(`no dangerous permission "${id}" in DANGEROUS_PERMISSIONS`);
  return found;
}

/** A rule using `*` for verbs, resources and API groups, without resourceNames: every permission. */
export function isFullWildcard(rule: PolicyRule): boolean {
  return rule.verbs.includes('*') && rule.resources.includes('*') && rule.apiGroups.includes('*') && !isNamed(rule);
}

/** "get, list, watch on secrets; create on pods/exec": the requests grouped by identical verb lists. */
export function describeRequests(requests: readonly Request[]): string {
  const verbsByResource = new Map<string, string[]>();
  for (const [verb, , resource] of requests) {
    const verbs = verbsByResource.get(resource);
    if (!verbs) verbsByResource.set(resource, [verb]);
    else if (!verbs.includes(verb)) verbs.push(verb);
  }
  const resourcesByVerbs = new Map<string, string[]>();
  for (const [resource, verbs] of verbsByResource) {
    const key = verbs.join(', ');
    const list = resourcesByVerbs.get(key);
    if (list) list.push(resource);
    else resourcesByVerbs.set(key, [resource]);
  }
  return [...resourcesByVerbs].map(([verbs, resources]) => `${verbs} on ${resources.join(', ')}`).join('; ');
}

// ---------------------------------------------------------------------------------------------------
// Aggregation (resolved once per unit: src/k8s/rbac-aggregation.ts)

export { CLUSTER_ADMIN, isRbacObject, RBAC_API_GROUP, rulesOf, type AggregatedSource, type IndexedRule, type SourcedRule } from '../../src/k8s/rbac-aggregation.ts';

/** The ClusterRoles an aggregated ClusterRole pulls rules from (see RbacAggregation.sources). */
export function aggregatedSources(role: ScannedObject, unit: UnitIndex): AggregatedSource[] {
  return unit.aggregation().sources(role);
}

/** Own rules first (in order), then aggregated ones. */
export function sourcedRules(role: ScannedObject, unit: UnitIndex): SourcedRule[] {
  return unit.aggregation().sourcedRules(role);
}

/** "ClusterRole name", or for a role of the bootstrap policy, what makes it one every cluster has. */
export function describeSource(source: AggregatedSource): string {
  if (!source.builtin) return `ClusterRole ${source.ref.name}`;
  return `built-in ClusterRole ${source.ref.name} (its aggregationRule selector matches the labels this role of the Kubernetes bootstrap policy has on every cluster)`;
}

/** Where a finding about a sourced rule points, and the object it joins. */
export function locate(source: SourcedRule): { path: string; related?: ObjectRef[] } {
  if (source.index !== undefined) return { path: `/rules/${source.index}` };
  return { path: '/aggregationRule', ...(source.from ? { related: [source.from.ref] } : {}) };
}

// ---------------------------------------------------------------------------------------------------
// Bindings

const grantCache = new WeakMap<UnitIndex, Map<ScannedObject, Grant>>();

/** The unit's resolution of a binding (role, rules, scope). */
export function grantOf(binding: ScannedObject, unit: UnitIndex): Grant | undefined {
  let cache = grantCache.get(unit);
  if (!cache) {
    cache = new Map();
    for (const grant of unit.allGrants()) cache.set(grant.binding, grant);
    grantCache.set(unit, cache);
  }
  return cache.get(binding);
}

/**
 * The grant of a binding to a built-in ClusterRole whose rules preadmit models, when its permissions are
 * worth reporting on the binding: not cluster-admin (rbac-cluster-admin-binding reports it), and not
 * admin, edit or view bound in one namespace (the delegation Kubernetes designed them for).
 */
export function builtinGrantOf(binding: ScannedObject, unit: UnitIndex): Grant | undefined {
  const grant = grantOf(binding, unit);
  if (grant?.resolved !== 'builtin' || grant.roleRef.kind !== 'ClusterRole') return undefined;
  const name = grant.roleRef.name;
  if (!Object.hasOwn(BUILTIN_CLUSTER_ROLES, name) || !Array.isArray(grant.rules) || name === 'cluster-admin') return undefined;
  if (grant.namespace !== undefined && USER_FACING_ROLES.has(name)) return undefined;
  return grant;
}

/** "ServiceAccount ns/name, Group g" for messages. */
export function describeSubjects(subjects: readonly Subject[]): string {
  if (subjects.length === 0) return 'its subjects (none listed yet)';
  return subjects.map((s) => `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`).join(', ');
}

/** Built-in ClusterRoles that only expose discovery and self-review information. */
export const DISCOVERY_ROLES: ReadonlySet<string> = new Set(['system:discovery', 'system:basic-user', 'system:public-info-viewer']);

/**
 * The rules a binding grants, with aggregation resolved as in the rbac-* role rules; undefined when they are
 * unknown (the role is neither in the unit nor a built-in role whose rules are modelled).
 */
export function boundRules(grant: Grant, unit: UnitIndex): PolicyRule[] | undefined {
  if (grant.resolved === 'scan' && grant.role && grant.roleRef.kind === 'ClusterRole') return sourcedRules(grant.role, unit).map((s) => s.rule);
  // Array check: unit.ts looks built-in roles up with a plain index, so a roleRef named `toString` resolves to a function.
  if (grant.resolved !== 'missing') return Array.isArray(grant.rules) ? grant.rules : undefined;
  if (grant.roleRef.kind === 'ClusterRole' && DISCOVERY_ROLES.has(grant.roleRef.name)) return [];
  return undefined;
}

/**
 * Roles every cluster has without any chart shipping them: the user-facing ClusterRoles, the `system:`
 * ClusterRoles (the prefix is reserved), and the bootstrap Roles of kube-system and kube-public
 * (e.g. `extension-apiserver-authentication-reader`, which every aggregated API server binds).
 */
export function isBuiltinRole(kind: string, name: string, namespace: string | undefined): boolean {
  if (kind === 'ClusterRole') return Object.hasOwn(BUILTIN_CLUSTER_ROLES, name) || name.startsWith('system:');
  if (kind !== 'Role') return false;
  if (namespace === 'kube-system') return name === 'extension-apiserver-authentication-reader' || name.startsWith('system:');
  return namespace === 'kube-public' && name.startsWith('system:');
}
