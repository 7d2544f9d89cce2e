// Helpers every reporter shares: ordering, labels, verdicts. Pure functions of the ScanResult.
import {
  isBlocking,
  SEVERITIES,
  severityRank,
  type BlastRadius,
  type BlastRating,
  type ChartRecord,
  type FailOn,
  type Finding,
  type ObjectRecord,
  type ObjectRef,
  type ScanResult,
  type Severity,
  type SourceInfo,
} from '../model/model.ts';
import type { RuleMeta } from '../engine/rule-kit.ts';

/** Plain code-unit order: the same on every machine and locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Chains comparisons: the first non-zero result wins. */
export function chain(...results: number[]): number {
  for (const r of results) if (r !== 0) return r;
  return 0;
}

/** Most severe first. */
export function compareSeverity(a: Severity, b: Severity): number {
  return severityRank(b) - severityRank(a);
}

export { isBlocking };

/** `Deployment shop/web`, or `ClusterRole admin` for cluster-scoped objects. */
export function objectLabel(ref: ObjectRef): string {
  return ref.namespace === undefined ? `${ref.kind} ${ref.name}` : `${ref.kind} ${ref.namespace}/${ref.name}`;
}

/** `Deployment/shop/web`, or `ClusterRole/admin`: the object's identity as one path. */
export function qualifiedName(ref: ObjectRef): string {
  return ref.namespace === undefined ? `${ref.kind}/${ref.name}` : `${ref.kind}/${ref.namespace}/${ref.name}`;
}

export function compareRefs(a: ObjectRef, b: ObjectRef): number {
  return chain(
    compareText(a.kind, b.kind),
    compareText(a.namespace ?? '', b.namespace ?? ''),
    compareText(a.name, b.name),
    compareText(a.apiVersion, b.apiVersion),
  );
}

/** `file:line`, or just the file when the line is unknown. */
export function locationLabel(file: string, line: number | undefined): string {
  return line === undefined ? file : `${file}:${line}`;
}

export function compareSources(a: SourceInfo, b: SourceInfo): number {
  return chain(
    compareText(a.chart ?? '', b.chart ?? ''),
    compareText(a.valueSet ?? '', b.valueSet ?? ''),
    compareText(a.file, b.file),
    (a.document ?? -1) - (b.document ?? -1),
    (a.line ?? 0) - (b.line ?? 0),
    compareText(a.address ?? '', b.address ?? ''),
  );
}

/** Where a finding lives, then what it is: the order of a file listing. */
export function compareFindingsByPlace(a: Finding, b: Finding): number {
  return chain(
    compareSources(a.source, b.source),
    compareRefs(a.object, b.object),
    compareText(a.path, b.path),
    compareText(a.ruleId, b.ruleId),
    compareText(a.fingerprint, b.fingerprint),
  );
}

/** Most severe first, then by place: the order of a to-do list. */
export function compareFindingsBySeverity(a: Finding, b: Finding): number {
  return chain(compareSeverity(a.severity, b.severity), compareFindingsByPlace(a, b));
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity] += 1;
  return counts;
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** `restricted:v1.37`: how the PSS level and version are written everywhere. */
export function pssLabel(level: string, version: string): string {
  return `${level}:${version}`;
}

/** `admissible at restricted:v1.37` or `denied at restricted:latest by privileged, runAsNonRoot`. */
export function chartVerdict(admission: NonNullable<ChartRecord['admission']>): string {
  const at = pssLabel(admission.level, admission.version);
  if (admission.allowed) return `admissible at ${at}`;
  return admission.deniedBy.length === 0 ? `denied at ${at}` : `denied at ${at} by ${admission.deniedBy.join(', ')}`;
}

/**
 * `denied at restricted:latest by privileged`, `undecided at restricted:latest: runAsNonRoot unknown until
 * apply` (a plan's value the check needs), or both; undefined when not evaluated or admitted.
 */
export function objectVerdict(record: ObjectRecord, level: ScanResult['pss']['level'], at: string): string | undefined {
  const verdict = record.admission?.[level];
  if (verdict === undefined || verdict.allowed) return undefined;
  const denied = [...new Set(verdict.violations.filter((v) => v.unknown === undefined).map((v) => v.check))];
  const undecided = [...new Set(verdict.violations.filter((v) => v.unknown !== undefined).map((v) => v.check))].filter((c) => !denied.includes(c));
  const unknownText = `${undecided.join(', ')} unknown until apply`;
  if (denied.length === 0) return undecided.length === 0 ? `denied at ${at}` : `undecided at ${at}: ${unknownText}`;
  return `denied at ${at} by ${denied.join(', ')}${undecided.length > 0 ? `; ${unknownText}` : ''}`;
}

/**
 * fail: blocking findings remain. fail-errors: no blocking finding, but inputs failed and errors fail the run.
 * incomplete: the run passes although inputs failed (errors configured not to fail it). pass: clean.
 * Follows summary.verdict, which the exit status follows too.
 */
export type Outcome = 'fail' | 'fail-errors' | 'incomplete' | 'pass';

export function outcomeOf(result: ScanResult): Outcome {
  const errors = errorCount(result);
  if (result.summary.verdict === 'fail') return result.summary.blocking > 0 || errors === 0 ? 'fail' : 'fail-errors';
  return errors > 0 ? 'incomplete' : 'pass';
}

export function errorCount(result: ScanResult): number {
  return Math.max(result.summary.errors, result.errors.length);
}

/** Reporters take rule metadata, or the rule modules themselves. */
export type RuleLike = RuleMeta | { meta: RuleMeta };

export function ruleMetas(rules: readonly RuleLike[] | undefined): RuleMeta[] {
  return (rules ?? []).map((r) => ('meta' in r ? r.meta : r));
}

/** Groups findings by a key while keeping first-seen order of keys. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return groups;
}

/** Shortens text to at most `max` characters (code points), ending in an ellipsis when cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return chars.slice(0, Math.max(0, max - 1)).join('') + '…';
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Whether a finding blocks the run: severe enough and not suppressed. */
export function blocks(finding: Finding, failOn: FailOn): boolean {
  return finding.suppressed === undefined && isBlocking(finding.severity, failOn);
}

/**
 * Where a chart finding's value set puts it: "in the chart's defaults" (a dangerous default) or "only
 * with values ci/a-values.yaml, prod"; undefined outside charts.
 */
export function valueSetLabel(finding: Finding): string | undefined {
  const sets = finding.valueSets ?? (finding.source.kind === 'helm' && finding.source.valueSet !== undefined ? [finding.source.valueSet] : undefined);
  if (sets === undefined || sets.length === 0) return undefined;
  if (sets.includes('default')) return "in the chart's defaults";
  return `only with values ${sets.join(', ')}`;
}

/** `charts/x/values.yaml:42 securityContext.privileged`, when provenance found the values key. */
export function valuesLabel(source: SourceInfo): string | undefined {
  const v = source.values;
  return v === undefined ? undefined : `${locationLabel(v.file, v.line)} ${v.key}`;
}

/** The template line that emits the field, when it is not already source.file:source.line. */
export function templateLabel(source: SourceInfo): string | undefined {
  const t = source.templateLocation;
  if (t === undefined || (t.file === source.file && t.line === source.line)) return undefined;
  return locationLabel(t.file, t.line);
}

/** `config .preadmit.yaml:12: reason`, `comment values.yaml:8: reason`, `annotation: reason`. */
export function suppressionLabel(finding: Finding): string | undefined {
  const s = finding.suppressed;
  if (s === undefined) return undefined;
  const where = s.file === undefined ? '' : ` ${locationLabel(s.file, s.line)}`;
  return `suppressed by ${s.kind}${where}: ${s.reason}`;
}

/** Suppressions that need attention: expired, unused or invalid ones. */
export function suppressionProblems(result: ScanResult): NonNullable<ScanResult['suppressions']> {
  return (result.suppressions ?? []).filter((s) => s.status !== 'applied');
}

export const RATING_ORDER: Record<BlastRating, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** One workload's blast radius for a report: the worst of its value sets' records, and where it is. */
export interface BlastRow {
  object: ObjectRecord['object'];
  where: string;
  rating: BlastRating;
  reasons: string[];
  valueSets: string[];
  /** The record rated worst (its source for links, its radius for pictures). */
  record: ObjectRecord & { blastRadius: BlastRadius };
}

/**
 * The workloads with the largest blast radius at or above `minimum` (default high), worst first: one row
 * per workload (its chart or file, kind, namespace and name), whatever number of value sets render it.
 */
export function largestBlastRadii(result: ScanResult, limit = 10, minimum: BlastRating = 'high'): BlastRow[] {
  const rows = new Map<string, BlastRow>();
  for (const record of result.objects) {
    const radius = record.blastRadius;
    if (radius === undefined || RATING_ORDER[radius.rating] > RATING_ORDER[minimum]) continue;
    const where = record.source.chart ?? record.source.address ?? record.source.file;
    const key = [where, record.object.kind, record.object.namespace ?? '', record.object.name].join('\u0000');
    const set = record.source.valueSet ?? 'default';
    const row = rows.get(key);
    if (row === undefined || RATING_ORDER[radius.rating] < RATING_ORDER[row.rating]) {
      rows.set(key, { object: record.object, where, rating: radius.rating, reasons: radius.reasons, valueSets: [...(row?.valueSets ?? []), set], record: { ...record, blastRadius: radius } });
    } else if (!row.valueSets.includes(set)) row.valueSets.push(set);
  }
  return [...rows.values()]
    .sort((a, b) => RATING_ORDER[a.rating] - RATING_ORDER[b.rating] || b.reasons.length - a.reasons.length || compareText(a.where, b.where) || compareText(a.object.name, b.object.name))
    .slice(0, limit);
}
