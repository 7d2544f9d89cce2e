// `preadmit merge`: the JSON reports of a scan's shards (`--shard K/N`, shard.ts) made into the report the
// whole scan would have made. Reports are refused (UsageError, exit 2) unless they are every shard of one
// scan exactly once: same preadmit version, same base commit and gate, same configuration and options
// (digest), same checkout (digest of every unit's files, shard.ts contentDigest), shards 1..N each once.
// Findings, objects, charts and errors are united; joins across shards are finished from the facts each
// shard carries (shard-joins.ts); suppressions count across shards (one unused in a shard but used in
// another was used); the summary and verdict are computed again from what the merged report lists.
import { RULES } from '../../rules/index.ts';
import { interpolate } from '../engine/evaluate.ts';
import { UsageError } from '../model/errors.ts';
import {
  isBlocking,
  SEVERITIES,
  type FailOn,
  type Finding,
  type PolicyChange,
  type ScanError,
  type ScanResult,
  type Severity,
  type ShardInfo,
  type ShardNamespace,
  type SkippedPath,
  type SuppressionRecord,
} from '../model/model.ts';
import { resolvePssVersion } from '../pss/index.ts';
import { mergeValueSets, withoutRepeatedVariantFindings } from './evaluate.ts';
import { NAMESPACE_JOIN_RULE } from './shard-joins.ts';

export interface ShardReport {
  /** Where the report was read from, for messages. */
  file: string;
  result: ScanResult;
}

export interface MergeOptions {
  /** Overrides the reports' fail-on. */
  failOn?: FailOn;
}

type Sharded = ShardReport & { shard: ShardInfo };

/** Refusals: reports that are not every shard of one scan exactly once. */
function checkShards(reports: readonly ShardReport[]): Sharded[] {
  if (reports.length === 0) throw new UsageError('preadmit merge needs the JSON reports of every shard (preadmit scan --shard K/N --format json)');
  const sharded: Sharded[] = reports.map((r) => {
    if (r.result.shard === undefined) throw new UsageError(`${r.file} is not a shard's report: it was made without --shard K/N`);
    return { ...r, shard: r.result.shard };
  });
  const first = sharded[0]!;
  for (const r of sharded.slice(1)) {
    if (r.result.tool.version !== first.result.tool.version) {
      throw new UsageError(`${r.file} was made by preadmit ${r.result.tool.version}, ${first.file} by ${first.result.tool.version}: shards of one scan run the same version`);
    }
    if (r.shard.count !== first.shard.count) throw new UsageError(`${r.file} is a shard of ${r.shard.count}, ${first.file} of ${first.shard.count}: shards of one scan split it the same way`);
    if (r.shard.assignment !== first.shard.assignment) throw new UsageError(`${r.file} assigns units by ${r.shard.assignment}, ${first.file} by ${first.shard.assignment}`);
    // The base comparison decides which findings are new and whether only those gate: a shard compared with
    // another base (or with none, its findings without status) would be gated by the first shard's rule.
    if (r.result.base?.sha !== first.result.base?.sha || r.result.base?.gate !== first.result.base?.gate) {
      throw new UsageError(`${r.file} was scanned ${baseOf(r)}, ${first.file} ${baseOf(first)}: every shard must compare with the same base revision (--base) and gate (--gate)`);
    }
    if (r.shard.config !== first.shard.config || r.result.pss.level !== first.result.pss.level || r.result.pss.version !== first.result.pss.version) {
      throw new UsageError(`${r.file} and ${first.file} were scanned with different configurations or options (configuration digest ${r.shard.config} and ${first.shard.config}): every shard must use the same .preadmit.yaml and flags`);
    }
    if (r.shard.inputs !== first.shard.inputs) {
      const what = r.shard.total !== first.shard.total ? `${r.shard.total} and ${first.shard.total} units` : `${r.shard.total} units each, their names or the content of their files differ: inputs digest ${r.shard.inputs.slice(0, 12)} and ${first.shard.inputs.slice(0, 12)}`;
      throw new UsageError(
        `${r.file} and ${first.file} saw different charts, manifests or plans (${what}): every shard must scan the same commit and paths, and nothing may be written into the scanned paths between the shards' scans (write reports elsewhere)`,
      );
    }
  }
  const byIndex = new Map<number, Sharded>();
  for (const r of sharded) {
    const same = byIndex.get(r.shard.index);
    if (same) throw new UsageError(`shard ${r.shard.index}/${r.shard.count} given twice: ${same.file} and ${r.file}`);
    byIndex.set(r.shard.index, r);
  }
  const count = first.shard.count;
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    throw new UsageError(`${missing.length === 1 ? 'shard' : 'shards'} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: the merged report would lack ${missing.length === 1 ? 'its' : 'their'} charts (given: ${[...byIndex.keys()].sort((a, b) => a - b).map((i) => `${i}/${count}`).join(', ')})`);
  }
  const owner = new Map<string, string>();
  for (const r of sharded) {
    for (const unit of r.shard.units) {
      const other = owner.get(unit);
      if (other !== undefined) throw new UsageError(`${unit} was scanned by two shards (${other} and ${r.file}): reports of different scans`);
      owner.set(unit, r.file);
    }
  }
  if (owner.size !== first.shard.total) throw new UsageError(`the shards scanned ${owner.size} of the scan's ${first.shard.total} units: reports of different scans`);
  // A ValidatingAdmissionPolicy among one shard's objects applies to every object of the scan, which the
  // other shards never saw: the merged report would silently miss its denials.
  const policies = sharded.filter((r) => r.shard.policies.length > 0);
  if (count > 1 && policies.length > 0) {
    const named = policies.flatMap((r) => r.shard.policies).slice(0, 5).join(', ');
    throw new UsageError(
      `ValidatingAdmissionPolicies in ${named} apply to the objects of every shard, which shards do not share: give the policies to every shard with --policies (the Action's policies input) and keep them out of the scanned paths, or scan without --shard`,
    );
  }
  return [...byIndex.values()].sort((a, b) => a.shard.index - b.shard.index);
}

/** The base comparison a shard's report was made with, in words. */
function baseOf(r: ShardReport): string {
  const base = r.result.base;
  return base === undefined ? 'without --base' : `with --base ${base.revision} (commit ${base.sha}) and --gate ${base.gate}`;
}

function key(...parts: (string | number | undefined)[]): string {
  return parts.map((p) => String(p ?? '')).join('\u0000');
}

/**
 * The join findings another shard's Namespace decides: a pod of shard S whose Namespace S does not hold is
 * judged by the Namespace of that name another shard holds (the last one in path order when several do,
 * as the scan's own map of Namespaces keeps the last it reads), at the level and version it enforces.
 */
function joinFindings(shards: readonly Sharded[]): { findings: Finding[]; joined: Map<Finding, Sharded> } {
  const template = RULES.find((r) => r.meta.id === NAMESPACE_JOIN_RULE)?.meta.messages.rejected ?? '';
  const namespaces = new Map<string, { fact: ShardNamespace; shard: number }[]>();
  for (const s of shards) {
    for (const fact of s.shard.namespaces) {
      const k = key(fact.valueSet, fact.name);
      namespaces.set(k, [...(namespaces.get(k) ?? []), { fact, shard: s.shard.index }]);
    }
  }
  const findings: Finding[] = [];
  const joined = new Map<Finding, Sharded>();
  for (const s of shards) {
    for (const join of s.shard.joins) {
      const held = (namespaces.get(key(join.valueSet, join.namespace)) ?? []).filter((n) => n.shard !== s.shard.index);
      const fact = held.sort((a, b) => (a.fact.file < b.fact.file ? -1 : a.fact.file > b.fact.file ? 1 : 0)).at(-1)?.fact;
      if (fact?.level !== join.level) continue;
      const minor = resolvePssVersion(fact.version);
      if (minor === undefined || !join.minors.includes(minor)) continue;
      const finding: Finding = structuredClone(join.finding);
      finding.message = interpolate(template, { ...join.data, policy: `${fact.level}:${fact.version}` });
      finding.related = [fact.object];
      findings.push(finding);
      joined.set(finding, s);
    }
  }
  return { findings, joined };
}

/** The record of the suppression that accepted a join finding, among the merged ones. */
function recordOf(finding: Finding, records: readonly SuppressionRecord[]): SuppressionRecord | undefined {
  const applied = finding.suppressed;
  if (applied === undefined) return undefined;
  return records.find(
    (r) =>
      r.kind === applied.kind &&
      r.file === (applied.file ?? r.file) &&
      r.line === applied.line &&
      (r.rule === '*' || r.rule === finding.ruleId) &&
      (r.kind !== 'annotation' || (r.object?.kind === finding.object.kind && r.object?.name === finding.object.name && r.object?.namespace === finding.object.namespace)),
  );
}

/** Suppression records of all shards: one per suppression, matched counts added, applied if any shard applied it. */
function mergeSuppressions(shards: readonly Sharded[]): SuppressionRecord[] | undefined {
  if (shards.every((s) => s.result.suppressions === undefined)) return undefined;
  const merged = new Map<string, SuppressionRecord>();
  for (const s of shards) {
    for (const record of s.result.suppressions ?? []) {
      const k = JSON.stringify({ ...record, matched: 0, status: record.status === 'applied' ? 'unused' : record.status });
      const known = merged.get(k);
      if (known === undefined) merged.set(k, { ...record });
      else {
        known.matched += record.matched;
        if (record.status === 'applied') known.status = 'applied';
      }
    }
  }
  return [...merged.values()];
}

/** Errors every shard reports alike (discovery, configuration) once; the rest as reported. */
function mergeErrors(shards: readonly Sharded[]): ScanError[] {
  const counts = new Map<string, number>();
  for (const s of shards) for (const k of new Set(s.result.errors.map((e) => JSON.stringify(e)))) counts.set(k, (counts.get(k) ?? 0) + 1);
  const out: ScanError[] = [];
  const common = new Set<string>();
  for (const s of shards) {
    for (const error of s.result.errors) {
      const k = JSON.stringify(error);
      if (shards.length > 1 && counts.get(k) === shards.length) {
        if (common.has(k)) continue;
        common.add(k);
      }
      out.push(error);
    }
  }
  return out;
}

export function mergeReports(reports: readonly ShardReport[], options: MergeOptions = {}): ScanResult {
  const shards = checkShards(reports);
  const first = shards[0]!;
  const { findings: joins, joined } = joinFindings(shards);
  // As the scan does after evaluation: second renders' repeats dropped, value sets merged.
  const diverging = new Set(shards.flatMap((s) => s.shard.diverging));
  const visible = withoutRepeatedVariantFindings(joins, diverging);
  const merged = mergeValueSets(visible, { valueSets: { ci: true, severity: first.shard.valueSets.severity }, lockedRules: first.shard.valueSets.lockedRules });
  const suppressions = mergeSuppressions(shards);
  for (const finding of merged) {
    const from = joined.get(visible.find((f) => f.fingerprint === finding.fingerprint && f.source.chart === finding.source.chart) ?? finding);
    const record = suppressions !== undefined ? recordOf(finding, suppressions) : undefined;
    if (record !== undefined && record.status === 'unused') record.status = 'applied';
    if (record !== undefined) record.matched++;
    // A baseline entry for a join finding matched nothing in its own shard (stale there): it is existing.
    if (from?.result.baselineFile !== undefined) finding.status = from.result.baselineFile.stale.some((e) => e.fingerprint === finding.fingerprint) ? 'existing' : 'new';
    else if (from?.result.base !== undefined) finding.status = 'new';
  }
  const findings = [...shards.flatMap((s) => s.result.findings), ...merged];
  const errors = mergeErrors(shards);
  const failOn = options.failOn ?? first.result.summary.failOn;
  const failOnErrors = first.shard.failOnErrors;

  const result: ScanResult = {
    tool: first.result.tool,
    pss: first.result.pss,
    findings,
    objects: shards.flatMap((s) => s.result.objects),
    charts: shards.flatMap((s) => s.result.charts),
    errors,
    summary: first.result.summary,
    ...(suppressions !== undefined ? { suppressions } : {}),
  };
  const policy = first.result.policy;
  if (policy !== undefined) {
    const changes = new Map<string, PolicyChange>();
    for (const s of shards) for (const change of s.result.policy?.changes ?? []) changes.set(JSON.stringify(change), change);
    result.policy = { ...policy, changes: [...changes.values()] };
  }
  // Discovery's skips are every shard's; a library chart is skipped by the shard that rendered it.
  const skipped = new Map<string, SkippedPath>();
  for (const s of shards) for (const entry of s.result.skipped ?? []) skipped.set(`${entry.path}\u0000${entry.reason}`, entry);
  if (skipped.size > 0) result.skipped = [...skipped.values()];
  if (shards.some((s) => s.result.base !== undefined)) {
    const bases = shards.flatMap((s) => (s.result.base ? [s.result.base] : []));
    const base = bases[0]!;
    const allBecause = bases.find((b) => b.allBecause !== undefined)?.allBecause;
    const missing = [...new Set(bases.flatMap((b) => b.missing ?? []))].sort();
    result.base = {
      revision: base.revision,
      sha: base.sha,
      gate: base.gate,
      rendered: [...new Set(bases.flatMap((b) => b.rendered))].sort(),
      unchanged: [...new Set(bases.flatMap((b) => b.unchanged))].sort(),
      ...(allBecause !== undefined ? { allBecause } : {}),
      ...(base.mergeBaseOf !== undefined ? { mergeBaseOf: base.mergeBaseOf } : {}),
      ...(missing.length > 0 ? { missing } : {}),
      errors: bases.reduce((n, b) => n + b.errors, 0),
    };
    result.fixed = shards.flatMap((s) => s.result.fixed ?? []);
  }
  if (first.result.baselineFile !== undefined) {
    // Stale in the whole scan: matched by no finding of any shard (nor by a join finding kept above).
    const matched = new Set(findings.map((f) => f.fingerprint));
    const stale = first.result.baselineFile.stale.filter((e) => !matched.has(e.fingerprint) && shards.every((s) => s.result.baselineFile?.stale.some((x) => x.fingerprint === e.fingerprint)));
    result.baselineFile = { ...first.result.baselineFile, stale };
  }
  result.summary = summaryOf(result, shards, failOn, failOnErrors, merged);
  return result;
}

function summaryOf(result: ScanResult, shards: readonly Sharded[], failOn: FailOn, failOnErrors: boolean, joins: readonly Finding[]): ScanResult['summary'] {
  const { findings } = result;
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) bySeverity[f.severity]++;
  const compared = result.base !== undefined || result.baselineFile !== undefined;
  const gate = result.base?.gate ?? (result.baselineFile !== undefined ? 'new' : 'all');
  const gated = compared && gate === 'new' ? findings.filter((f) => f.status === 'new') : findings;
  const blocking = gated.filter((f) => !f.suppressed && isBlocking(f.severity, failOn)).length;
  const failed = blocking > 0 || (failOnErrors && result.errors.length > 0);
  const fresh = findings.filter((f) => f.status === 'new').length;
  const provenances = shards.flatMap((s) => (s.result.summary.provenance ? [s.result.summary.provenance] : []));
  const provenance =
    provenances.length > 0
      ? {
          values: provenances.reduce((n, p) => n + p.values, 0) + joins.filter((f) => f.source.located === 'values').length,
          template: provenances.reduce((n, p) => n + p.template, 0) + joins.filter((f) => f.source.located === 'template').length,
          object: provenances.reduce((n, p) => n + p.object, 0) + joins.filter((f) => f.source.located === 'object').length,
          renders: provenances.reduce((n, p) => n + p.renders, 0),
          ms: provenances.reduce((n, p) => n + p.ms, 0),
        }
      : undefined;
  return {
    verdict: failed ? 'fail' : 'pass',
    findings: findings.length,
    bySeverity,
    blocking,
    failOn,
    objects: result.objects.length,
    charts: result.charts.length,
    errors: result.errors.length,
    // Render time added up; wall time is the slowest shard's (they run side by side).
    renderMs: shards.reduce((n, s) => n + s.result.summary.renderMs, 0),
    totalMs: Math.max(...shards.map((s) => s.result.summary.totalMs)),
    suppressed: findings.filter((f) => f.suppressed).length,
    ...(provenance !== undefined ? { provenance } : {}),
    ...(compared ? { new: fresh, existing: findings.length - fresh } : {}),
    ...(result.base !== undefined ? { fixed: result.fixed?.length ?? 0 } : {}),
  };
}
