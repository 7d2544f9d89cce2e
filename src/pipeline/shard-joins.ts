// Joins across shards. Inside a unit (a chart render, a plan, the plain manifests) every join (workload ->
// service account -> bindings, policies -> pods, services -> pods, blast radius) stays in one shard, since
// shards split units, never a unit. Two joins read the whole scan:
//   - pss-namespace-rejection: a pod is judged by the Pod Security level its Namespace enforces, and the
//     Namespace may come from another unit (a `namespaces` chart). Each shard lists its Namespaces, and for
//     every pod whose Namespace it does not hold, the finding that each possible enforcement (level, and
//     the policy versions giving the same checks) would make, located and suppressed as the scan does. The
//     merge keeps those whose Namespace another shard holds with that enforcement (merge.ts).
//   - admission-policy with ValidatingAdmissionPolicies among the scanned objects: they apply to every
//     object of the scan. The merge refuses shards when a chart, plan or manifest of one shard carries
//     such a policy (give them with --policies instead, which every shard reads).
import type { Config } from '../config/config.ts';
import { fingerprintOf, interpolate } from '../engine/evaluate.ts';
import type { Rule } from '../engine/rule-kit.ts';
import { podTemplateOf } from '../k8s/workloads.ts';
import type { Finding, ScannedObject, ShardJoin, ShardNamespace } from '../model/model.ts';
import { activeChecks, evaluatePod, forbiddenReasons, PSS_LATEST_MINOR } from '../pss/index.ts';
import { namespaceEnforcement } from '../pss/namespace-labels.ts';
import { DEFAULT_VALUE_SET } from '../render/value-sets.ts';

export const NAMESPACE_JOIN_RULE = 'pss-namespace-rejection';
/** Kinds that make admission-policy read the whole scan when a shard's inputs hold them. */
export const POLICY_KINDS: ReadonlySet<string> = new Set(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);

/** The partition of scan-scope evaluation an object is in (pipeline/evaluate.ts valueSetOf). */
export function joinValueSet(object: ScannedObject): string {
  return object.source.kind === 'helm' ? (object.source.valueSet ?? DEFAULT_VALUE_SET) : DEFAULT_VALUE_SET;
}

export function namespaceFacts(objects: readonly ScannedObject[]): ShardNamespace[] {
  return objects
    .filter((o) => o.ref.kind === 'Namespace' && o.source.variant === undefined)
    .map((o) => {
      const enforcement = namespaceEnforcement(o.raw);
      return { name: o.ref.name, valueSet: joinValueSet(o), object: o.ref, file: o.source.file, ...(enforcement.level ? { level: enforcement.level } : {}), version: enforcement.version };
    });
}

/** Minor versions grouped by the checks a level runs at them: a pod's verdict is the same within a group. */
const versionClasses = (() => {
  const cache = new Map<string, number[][]>();
  return (level: 'baseline' | 'restricted'): number[][] => {
    let classes = cache.get(level);
    if (classes) return classes;
    const bySignature = new Map<string, number[]>();
    for (let minor = 0; minor <= PSS_LATEST_MINOR; minor++) {
      const signature = activeChecks(level, minor).join(',');
      bySignature.set(signature, [...(bySignature.get(signature) ?? []), minor]);
    }
    cache.set(level, (classes = [...bySignature.values()]));
    return classes;
  };
})();

/**
 * The pss-namespace-rejection findings this shard's pods would get from a Namespace it does not hold, one
 * per level and group of versions giving a different finding (unlocated; scan.ts locates and suppresses them).
 */
export function pendingNamespaceJoins(objects: readonly ScannedObject[], rules: readonly Rule[], config: Config): (ShardJoin & { source: ScannedObject })[] {
  const rule = rules.find((r) => r.meta.id === NAMESPACE_JOIN_RULE);
  if (rule === undefined || config.rules[NAMESPACE_JOIN_RULE]?.enabled === false) return [];
  const held = new Set(objects.filter((o) => o.ref.kind === 'Namespace').map((o) => `${joinValueSet(o)}\u0000${o.ref.name}`));
  const out: (ShardJoin & { source: ScannedObject })[] = [];
  for (const object of objects) {
    const template = podTemplateOf(object.raw);
    if (template === undefined) continue;
    const namespace = object.ref.namespace ?? 'default';
    const valueSet = joinValueSet(object);
    if (held.has(`${valueSet}\u0000${namespace}`)) continue;
    const pod = { metadata: template.metadata, spec: template.spec };
    for (const level of ['baseline', 'restricted'] as const) {
      const outcomes = new Map<string, ShardJoin & { source: ScannedObject }>();
      for (const minors of versionClasses(level)) {
        const verdict = evaluatePod(pod, level, `v1.${minors[0]}`);
        if (verdict.allowed) continue;
        const path = template.base + (verdict.violations[0]!.fields[0]?.path ?? '/spec');
        const reasons = forbiddenReasons(verdict.violations);
        const key = `${path}\u0000${reasons}`;
        const known = outcomes.get(key);
        if (known) {
          known.minors.push(...minors);
          continue;
        }
        const source = { ...object.source };
        const line = object.lineOf?.(path);
        if (line !== undefined) source.line = line;
        const finding: Finding = {
          ruleId: rule.meta.id,
          severity: config.rules[rule.meta.id]?.severity ?? rule.meta.defaultSeverity,
          category: rule.meta.category,
          // The policy is the Namespace's, known at the merge (merge.ts writes the message again).
          message: interpolate(rule.meta.messages.rejected ?? '', { kind: object.ref.kind, name: object.ref.name, namespace, reasons, policy: '<enforced level>' }),
          object: object.ref,
          path,
          source,
          fingerprint: fingerprintOf(rule.meta.id, object, path),
          remediation: rule.meta.remediation,
        };
        outcomes.set(key, { valueSet, namespace, level, minors: [...minors], finding, data: { kind: object.ref.kind, name: object.ref.name, namespace, reasons }, source: object });
      }
      out.push(...outcomes.values());
    }
  }
  return out;
}

/** Where a finding is in the render: the same place gets the same location from provenance, whatever the rule. */
export function placeKey(f: Finding): string {
  const s = f.source;
  return [s.chart ?? '', s.valueSet ?? DEFAULT_VALUE_SET, s.variant ?? '', s.file, s.document ?? '', f.object.kind, f.object.namespace ?? '', f.object.name, f.path].join('\u0000');
}

/** Copies the location provenance gave a finding at the same place (values, template line), if one has it. */
export function borrowLocation(target: Finding, located: ReadonlyMap<string, Finding>): boolean {
  const from = located.get(placeKey(target));
  if (from === undefined || from.source.located === undefined) return false;
  const { line, values, templateLocation, located: how, unproven } = from.source;
  const source = { ...target.source };
  delete source.line;
  if (line !== undefined) source.line = line;
  if (values !== undefined) source.values = { ...values };
  if (templateLocation !== undefined) source.templateLocation = { ...templateLocation };
  source.located = how;
  if (unproven !== undefined) source.unproven = unproven;
  target.source = source;
  return true;
}
