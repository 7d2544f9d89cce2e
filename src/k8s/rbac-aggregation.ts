// ClusterRole aggregation as the controller resolves it: an aggregated ClusterRole gets the rules of every
// ClusterRole its selectors match (transitively); an empty selector matches every ClusterRole of the
// cluster, cluster-admin included. Resolved once per set of ClusterRoles (a unit) and cached.
import type { ObjectRef, ScannedObject } from '../model/model.ts';
import { BUILTIN_CLUSTER_ROLES, policyRules, type PolicyRule } from './rbac.ts';
import { BOOTSTRAP_CLUSTER_ROLES, BOOTSTRAP_RULES, bootstrapLabels, type BootstrapClusterRole } from './rbac-bootstrap.ts';
import { labelSelector, labelsOf } from './selectors.ts';
import { arr, isObj } from './values.ts';

export const RBAC_API_GROUP = 'rbac.authorization.k8s.io';

/** Whether an object is an RBAC object (not a custom resource that happens to be called `Role`). */
export function isRbacObject(object: ScannedObject): boolean {
  return object.ref.apiVersion.startsWith(`${RBAC_API_GROUP}/`);
}

export interface IndexedRule {
  /** Index in the object's `rules` list. */
  index: number;
  rule: PolicyRule;
}

/** The policy rules of a role, each with its index in the raw list (entries that are not objects are skipped, not renumbered). */
export function rulesOf(value: unknown): IndexedRule[] {
  const out: IndexedRule[] = [];
  arr(value).forEach((entry, index) => {
    if (!isObj(entry)) return;
    const [rule] = policyRules([entry]);
    if (rule) out.push({ index, rule });
  });
  return out;
}


export const CLUSTER_ADMIN: ObjectRef = { apiVersion: `${RBAC_API_GROUP}/v1`, kind: 'ClusterRole', name: 'cluster-admin' };

export interface AggregatedSource {
  /** The ClusterRole whose rules are aggregated (cluster-admin for an empty selector). */
  ref: ObjectRef;
  rules: PolicyRule[];
  /** An empty selector: every ClusterRole of the cluster is aggregated. */
  everything?: boolean;
  /** A ClusterRole of the Kubernetes bootstrap policy (every cluster has it), not one of the scan. */
  builtin?: boolean;
}

interface AggregationGraph {
  /** The ClusterRoles each aggregated ClusterRole of the unit selects directly. */
  selects: Map<ScannedObject, ScannedObject[]>;
  /** ClusterRoles with an empty selector: they aggregate every ClusterRole of the cluster. */
  everything: Set<ScannedObject>;
  /** The built-in (bootstrap) ClusterRoles each aggregated ClusterRole of the unit selects. */
  builtins: Map<ScannedObject, BootstrapClusterRole[]>;
  sources: Map<ScannedObject, AggregatedSource[]>;
}


function buildGraph(clusterRoles: readonly ScannedObject[]): AggregationGraph {
  const roles = clusterRoles.filter(isRbacObject);
  const graph: AggregationGraph = { selects: new Map(), everything: new Set(), builtins: new Map(), sources: new Map() };
  // A ClusterRole of the scan with a built-in role's name stands for it (applying it replaces the built-in).
  const shipped = new Set(roles.map((role) => role.ref.name));
  const builtins = BOOTSTRAP_CLUSTER_ROLES.filter((b) => !shipped.has(b.name));
  for (const role of roles) {
    const aggregation = role.raw.aggregationRule;
    if (!isObj(aggregation)) continue;
    const selectors = arr(aggregation.clusterRoleSelectors).map(labelSelector);
    // The controller turns an empty selector into "everything" (metav1.LabelSelectorAsSelector).
    if (selectors.some((s) => s.empty)) graph.everything.add(role);
    graph.selects.set(role, roles.filter((other) => other !== role && selectors.some((s) => s.matches(labelsOf(other.raw.metadata)))));
    // The controller selects among every ClusterRole of the cluster, not just the chart's: every bootstrap
    // role carries kubernetes.io/bootstrapping=rbac-defaults, and admin, edit and view the aggregate-to-*
    // labels, so a selector on those pulls in cluster-admin or admin. (An empty selector is cluster-admin already.)
    if (!graph.everything.has(role)) {
      const matched = builtins.filter((b) => selectors.some((s) => s.matches(bootstrapLabels(b))));
      if (matched.length > 0) graph.builtins.set(role, matched);
    }
  }
  return graph;
}

const CLUSTER_ADMIN_RULES = (): PolicyRule[] => BUILTIN_CLUSTER_ROLES['cluster-admin'] ?? [];
const builtinRules = (role: BootstrapClusterRole): PolicyRule[] => [...(BOOTSTRAP_RULES[role.name] ?? [])];
const builtinRef = (role: BootstrapClusterRole): ObjectRef => ({ apiVersion: `${RBAC_API_GROUP}/v1`, kind: 'ClusterRole', name: role.name });

/**
 * The ClusterRoles an aggregated ClusterRole pulls rules from, each with the rules that reach it through
 * that source: the source's own rules plus everything the source aggregates, transitively. Cycles resolve
 * to the controller's fixed point (every role on a cycle ends up with the rules of all of them).
 */
function aggregatedSources(role: ScannedObject, graph: AggregationGraph): AggregatedSource[] {
  const cached = graph.sources.get(role);
  if (cached) return cached;
  const sources: AggregatedSource[] = [];
  if (role.ref.kind === 'ClusterRole' && graph.selects.has(role)) {
    if (graph.everything.has(role)) sources.push({ ref: CLUSTER_ADMIN, rules: CLUSTER_ADMIN_RULES(), everything: true });
    for (const source of graph.selects.get(role) ?? []) {
      const rules: PolicyRule[] = [];
      // The walk may pass through `role` itself: on a cycle, its other sources flow back into this one.
      const seen = new Set<ScannedObject>([source]);
      const queue = [source];
      while (queue.length > 0) {
        const next = queue.shift()!;
        rules.push(...rulesOf(next.raw.rules).map((r) => r.rule));
        if (graph.everything.has(next)) rules.push(...CLUSTER_ADMIN_RULES());
        for (const builtin of graph.builtins.get(next) ?? []) rules.push(...builtinRules(builtin));
        for (const further of graph.selects.get(next) ?? []) {
          if (seen.has(further)) continue;
          seen.add(further);
          queue.push(further);
        }
      }
      sources.push({ ref: source.ref, rules });
    }
    for (const builtin of graph.builtins.get(role) ?? []) sources.push({ ref: builtinRef(builtin), rules: builtinRules(builtin), builtin: true });
  }
  graph.sources.set(role, sources);
  return sources;
}

/** A rule of a role and where it comes from: the role's own `rules[index]`, or an aggregated ClusterRole. */
export interface SourcedRule {
  rule: PolicyRule;
  index?: number;
  from?: AggregatedSource;
}

/** Own rules first (in order), then aggregated ones. */
function sourcedRules(role: ScannedObject, graph: AggregationGraph): SourcedRule[] {
  const own: SourcedRule[] = rulesOf(role.raw.rules).map(({ index, rule }) => ({ index, rule }));
  const aggregated = aggregatedSources(role, graph).flatMap((from) => from.rules.map((rule): SourcedRule => ({ rule, from })));
  return [...own, ...aggregated];
}


/** The aggregation of one set of ClusterRoles (a unit's), resolved lazily and cached. */
export class RbacAggregation {
  private graph?: AggregationGraph;
  constructor(private readonly clusterRoles: readonly ScannedObject[]) {}

  private resolved(): AggregationGraph {
    return (this.graph ??= buildGraph(this.clusterRoles));
  }

  /** The ClusterRoles an aggregated ClusterRole pulls rules from, with the rules reaching it through each. */
  sources(role: ScannedObject): AggregatedSource[] {
    return aggregatedSources(role, this.resolved());
  }

  /** A role's own rules first (in order), then its aggregated ones. */
  sourcedRules(role: ScannedObject): SourcedRule[] {
    return sourcedRules(role, this.resolved());
  }

  /** Every rule a ClusterRole grants once aggregation is applied. */
  effectiveRules(role: ScannedObject): PolicyRule[] {
    return this.sourcedRules(role).map((s) => s.rule);
  }
}
