// Value sets: a chart is rendered with its defaults, with every ci/*-values.yaml (the chart-testing
// convention) and with the sets named for it in .preadmit.yaml. Findings are evaluated per set (a
// finding's fingerprint leaves the set out on purpose) and merged afterwards, labelled with the sets
// that show them: in the chart's defaults, or only with values set X.
import type { ChartRender } from '../render/charts.ts';
import type { Config } from '../config/config.ts';
import { severityRank, type AdmissionVerdict, type Finding, type ScannedObject, type Severity } from '../model/model.ts';
import { blastRadiiOf } from '../engine/blast-radius.ts';
import { evaluate, type Evaluation } from '../engine/evaluate.ts';
import type { ChartContext, Rule } from '../engine/rule-kit.ts';
import { variantDescription } from '../render/render-variants.ts';
import { releaseValuesOfRender, RenderChartContext, valuesOfRender } from '../provenance/chart-context.ts';
import { DANGEROUS_RULE_ID, prepareLint, renderedFieldsOf, renderMayHoldDangerousDefault } from '../provenance/lint.ts';
import type { EffectiveValues, ValuesFileCache } from '../render/effective-values.ts';
import { compareValueSets, DEFAULT_VALUE_SET } from '../render/value-sets.ts';

function valueSetOf(object: ScannedObject): string {
  return object.source.kind === 'helm' ? (object.source.valueSet ?? DEFAULT_VALUE_SET) : DEFAULT_VALUE_SET;
}

function renderKey(chart: string, valueSet: string, variant = ''): string {
  return `${chart}\u0000${valueSet}\u0000${variant}`;
}

/**
 * Adds an evaluation's results. The scan-scoped pass evaluates pods a render pass already did: its units are
 * left out (`units` false) and an error already reported (`seen`, by file and message) is not repeated.
 */
function append(into: Evaluation, part: Evaluation, units: boolean, seen: Set<string>): void {
  into.findings.push(...part.findings);
  for (const [object, verdict] of part.admission) into.admission.set(object, verdict);
  for (const error of part.errors) {
    const key = `${error.file}\u0000${error.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    into.errors.push(error);
  }
  if (units) into.units.push(...part.units);
}

/**
 * evaluate() once per value set, fed render by render. The manifests and plans go with the default
 * renders, every other value set is evaluated alone, so the same finding in two sets is kept twice (for
 * mergeValueSets); rules see each render's values and template sources (RuleContext.chart).
 *
 * Rules run per unit, and a chart render is a unit: `add` runs them on a render as soon as it is parsed,
 * while other renders still run, and computes its values for the values lint and provenance. `finish`
 * evaluates what is left (manifests, plans, renders not added) and the rules that read the whole scan
 * (scope: 'scan'). The result is the same as one evaluate() per value set after the last render.
 */
export class ValueSetEvaluation {
  private readonly unitRules: readonly Rule[];
  private readonly scanRules: readonly Rule[];
  /** The value sets of a chart share its values.yaml files: parsed once for all of them. */
  private readonly files: ValuesFileCache = new Map();
  private readonly contexts = new Map<string, RenderChartContext>();
  private readonly done = new Map<ChartRender, Evaluation>();

  constructor(
    rules: readonly Rule[],
    private readonly config: Config,
  ) {
    this.unitRules = rules.filter((rule) => rule.scope !== 'scan');
    this.scanRules = rules.filter((rule) => rule.scope === 'scan');
  }

  private readonly chartOf = (object: ScannedObject): ChartContext | undefined => {
    const { source } = object;
    if (source.kind !== 'helm' || source.chart === undefined || source.valueSet === undefined) return undefined;
    return this.contexts.get(renderKey(source.chart, source.valueSet, source.variant));
  };

  add(render: ChartRender): void {
    if (this.done.has(render)) return;
    const context = new RenderChartContext(render, this.files);
    this.contexts.set(renderKey(render.chart, render.valueSet.name, render.variant), context);
    // The values lint (and provenance) read the default render's values: computed now, while other renders
    // run, when the chart may ship a dangerous default or provenance is on. Other value sets' values are
    // computed on demand (a rule's RuleContext.chart, provenance): kept for every render, they cost ~150 MB
    // on the corpus' 201 renders.
    // A chart's second render (render-variants.ts) has the main render's values: linted there, once.
    const values = render.variant === undefined && render.valueSet.kind === 'default' && (this.config.provenance.enabled || renderMayHoldDangerousDefault(render)) ? valuesOfRender(render, this.files) : undefined;
    if (render.variant === undefined && this.config.rules[DANGEROUS_RULE_ID]?.enabled !== false) this.prepareValuesLint(render, values);
    const evaluation = evaluate(render.objects, this.unitRules, this.config, { chartOf: () => context });
    // Blast radii read only the render's unit: computed now too, not after the last render.
    for (const unit of evaluation.units) blastRadiiOf(unit);
    this.done.set(render, evaluation);
    context.release();
    if (render.variant === undefined && render.valueSet.kind === 'default') this.defaultFingerprints.set(render.chart, new Set(evaluation.findings.map((f) => f.fingerprint)));
  }

  /** Fingerprints of each chart's default render's findings (by chart). */
  private readonly defaultFingerprints = new Map<string, Set<string>>();

  /**
   * Lets go of a value set's effective values once its render is evaluated, when nothing will read them
   * again: provenance is off, or every finding of the render is also a finding of the chart's defaults
   * (provenance locates those in the default render, and the values lint reads only the defaults' values).
   * Otherwise provenance lets them go once it has located the render's findings. (If read again after all,
   * they are computed again: memory, issue 18.)
   */
  releaseValues(render: ChartRender): void {
    if (render.variant !== undefined || render.valueSet.kind === 'default') return;
    const evaluation = this.done.get(render);
    const defaults = this.defaultFingerprints.get(render.chart);
    const located = !this.config.provenance.enabled || (evaluation !== undefined && defaults !== undefined && evaluation.findings.every((f) => defaults.has(f.fingerprint)));
    if (located) releaseValuesOfRender(render);
  }

  /** A render's effective values (valuesOfRender), its chart's values files parsed once for all its value sets. */
  valuesOf(render: ChartRender): EffectiveValues {
    return valuesOfRender(render, this.files);
  }

  /** Charts whose defaults hold a dangerous leaf: their renders are searched for it as they arrive. */
  private readonly lintCharts = new Set<string>();

  private prepareValuesLint(render: ChartRender, values: EffectiveValues | undefined): void {
    if (values !== undefined && prepareLint(render, values)) {
      this.lintCharts.add(render.chart);
      for (const done of this.done.keys()) if (done.chart === render.chart) renderedFieldsOf(done);
    }
    if (this.lintCharts.has(render.chart)) renderedFieldsOf(render);
  }

  finish(objects: readonly ScannedObject[], renders: readonly ChartRender[]): Evaluation {
    const result: Evaluation = { findings: [], admission: new Map<ScannedObject, AdmissionVerdict>(), errors: [], units: [] };
    const covered = new Set<ScannedObject>();
    const seen = new Set<string>();
    for (const render of renders) {
      this.add(render);
      append(result, this.done.get(render)!, true, seen);
      for (const object of render.objects) covered.add(object);
    }
    const partitions = new Map<string, ScannedObject[]>([[DEFAULT_VALUE_SET, []]]);
    for (const object of objects) {
      const key = valueSetOf(object);
      const list = partitions.get(key);
      if (list) list.push(object);
      else partitions.set(key, [object]);
    }
    for (const members of partitions.values()) {
      const rest = members.filter((object) => !covered.has(object));
      if (rest.length > 0) append(result, evaluate(rest, this.unitRules, this.config, { chartOf: this.chartOf }), true, seen);
      if (members.length > 0 && this.scanRules.length > 0) append(result, evaluate(members, this.scanRules, this.config, { chartOf: this.chartOf }), false, seen);
    }
    const diverging = new Set(renders.filter((r) => r.variant !== undefined && r.diverges === true).map((r) => `${r.chart}\u0000${r.valueSet.name}`));
    result.findings = withoutRepeatedVariantFindings(result.findings, diverging);
    // A severity set in the configuration is the user's; otherwise a divergence weighs what it hides.
    if (this.config.rules[DIVERGENCE_RULE_ID]?.severity === undefined) {
      const unseen = new Set(renders.flatMap((r) => r.objects.filter((o) => o.renderDependence?.divergence?.failed !== undefined).map((o) => objectKey(o.source, o.ref))));
      result.findings = gradeDivergences(result.findings, unseen);
    }
    // Evaluated: the renders' evaluations are in `result`; what they were made of can go (memory, issue 18),
    // and so can the rules' chart contexts (their values' strings, template lines) and the parsed values files.
    this.done.clear();
    this.contexts.clear();
    this.files.clear();
    return result;
  }
}

/**
 * Findings of a chart's second render (render-variants.ts) that its main render shows too (same chart,
 * value set and fingerprint) are dropped: the main render's finding stands for both. So are all of a
 * second render none of whose objects differ in security fields from the main render (`diverging` lists
 * the chart and value set of the others): what differs there is a generated name, not a setting. The rest
 * is what only the upgrade (or CRD-API) render shows; provenance re-renders only main renders, so those
 * keep the object's location, and say why.
 */
export function withoutRepeatedVariantFindings(findings: readonly Finding[], diverging: ReadonlySet<string>): Finding[] {
  const key = (f: Finding) => `${f.source.chart}\u0000${f.source.valueSet ?? DEFAULT_VALUE_SET}\u0000${f.fingerprint}`;
  const main = new Set(findings.filter((f) => f.source.kind === 'helm' && f.source.variant === undefined).map(key));
  const out: Finding[] = [];
  const kept = new Set<string>();
  for (const finding of findings) {
    if (finding.source.variant === undefined) {
      out.push(finding);
      continue;
    }
    if (main.has(key(finding)) || kept.has(key(finding)) || !diverging.has(`${finding.source.chart}\u0000${finding.source.valueSet ?? DEFAULT_VALUE_SET}`)) continue;
    kept.add(key(finding));
    // Said in the message too: the install render a reader would reproduce does not show it.
    if (finding.ruleId !== 'render-divergence') finding.message += ` (only when rendered ${variantDescription(finding.source.variant)})`;
    if (finding.source.located === undefined) {
      finding.source.located = 'object';
      finding.source.unproven = `shown only by the chart's ${finding.source.variant} render, which provenance does not re-render`;
    }
    out.push(finding);
  }
  return out;
}

const DIVERGENCE_RULE_ID = 'render-divergence';
/** Rules about the render itself, not about what it deploys. */
const RENDER_RULES = new Set([DIVERGENCE_RULE_ID, 'render-lookup']);

function objectKey(source: Finding['source'], ref: Finding['object']): string {
  return [source.chart, source.valueSet ?? DEFAULT_VALUE_SET, source.variant ?? '', ref.kind, ref.namespace ?? '', ref.name].join('\u0000');
}

/**
 * A render-divergence finding weighs what the other render deploys that the scanned one does not: the
 * highest severity among the findings only that render shows on the object, named in the message; `info`
 * when no rule finds it worse there (an OpenShift branch that drops runAsUser, another image tag). The
 * other render's own findings (withoutRepeatedVariantFindings) block like any other, so a branch that
 * turns privileged on for the cluster blocks twice, and a harmless one does not block at all. A render
 * that failed (`unseen` objects) keeps the rule's severity: what it would deploy is unknown, not safe.
 */
export function gradeDivergences(findings: readonly Finding[], unseen: ReadonlySet<string>): Finding[] {
  const hidden = new Map<string, Finding[]>();
  for (const finding of findings) {
    if (finding.source.variant === undefined || RENDER_RULES.has(finding.ruleId)) continue;
    const key = objectKey(finding.source, finding.object);
    hidden.set(key, [...(hidden.get(key) ?? []), finding]);
  }
  return findings.map((finding) => {
    if (finding.ruleId !== DIVERGENCE_RULE_ID || finding.source.variant === undefined) return finding;
    const key = objectKey(finding.source, finding.object);
    if (unseen.has(key)) return finding;
    const worse = (hidden.get(key) ?? []).sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
    if (worse.length === 0) return { ...finding, severity: 'info', message: `${finding.message}; no rule finds that render worse than the scanned one` };
    return { ...finding, severity: worse[0]!.severity, message: `${finding.message}${ONLY_THAT_RENDER}${listedFindings(worse)}` };
  });
}

const ONLY_THAT_RENDER = '; only that render shows ';

function listedFindings(worse: readonly Finding[]): string {
  const named = [...new Set(worse.map((f) => `${f.ruleId} (${f.severity})`))];
  return named.slice(0, 3).join(', ') + (named.length > 3 ? ` and ${named.length - 3} more` : '');
}

/**
 * After suppressions: a divergence graded by findings of the other render that are all suppressed (accepted)
 * weighs only what is left, so a suppression cannot be outweighed by the divergence that repeats it. Never
 * raises a severity; a divergence the configuration grades (or one whose render failed) is left as it is.
 */
export function regradeSuppressedDivergences(findings: readonly Finding[], config: Config): Finding[] {
  if (config.rules[DIVERGENCE_RULE_ID]?.severity !== undefined) return [...findings];
  const hidden = new Map<string, Finding[]>();
  for (const finding of findings) {
    if (finding.source.variant === undefined || RENDER_RULES.has(finding.ruleId) || finding.suppressed) continue;
    const key = objectKey(finding.source, finding.object);
    hidden.set(key, [...(hidden.get(key) ?? []), finding]);
  }
  return findings.map((finding) => {
    if (finding.ruleId !== DIVERGENCE_RULE_ID || finding.suppressed || !finding.message.includes(ONLY_THAT_RENDER)) return finding;
    const left = (hidden.get(objectKey(finding.source, finding.object)) ?? []).sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
    const base = finding.message.slice(0, finding.message.lastIndexOf(ONLY_THAT_RENDER));
    if (left.length === 0) return { ...finding, severity: 'info', message: `${base}; what only that render shows is suppressed` };
    if (severityRank(left[0]!.severity) >= severityRank(finding.severity)) return finding;
    return { ...finding, severity: left[0]!.severity, message: `${base}${ONLY_THAT_RENDER}${listedFindings(left)} (the rest is suppressed)` };
  });
}

/** All at once: see ValueSetEvaluation. */
export function evaluateValueSets(objects: readonly ScannedObject[], rules: readonly Rule[], config: Config, renders: readonly ChartRender[] = []): Evaluation {
  return new ValueSetEvaluation(rules, config).finish(objects, renders);
}

function capSeverity(severity: Severity, cap: Severity | 'keep'): Severity {
  if (cap === 'keep') return severity;
  return severityRank(severity) > severityRank(cap) ? cap : severity;
}

/**
 * Merges the findings of a chart's value sets: one finding per fingerprint, kept as the default render
 * saw it when the defaults show it (a dangerous default), else as the first value set that shows it,
 * with its severity capped at config.valueSets.severity (never a locked rule's). `valueSets` lists every
 * set that shows it. Findings outside charts pass through unchanged.
 */
export function mergeValueSets(findings: readonly Finding[], config: Pick<Config, 'valueSets'> & Partial<Pick<Config, 'lockedRules'>>): Finding[] {
  const out: Finding[] = [];
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    if (finding.source.kind !== 'helm') {
      out.push(finding);
      continue;
    }
    const key = `${finding.source.chart ?? finding.source.file}\u0000${finding.fingerprint}`;
    const group = groups.get(key);
    if (group) group.push(finding);
    else groups.set(key, [finding]);
  }
  for (const group of groups.values()) {
    const sorted = [...group].sort((a, b) => compareValueSets(a.source.valueSet ?? DEFAULT_VALUE_SET, b.source.valueSet ?? DEFAULT_VALUE_SET));
    const first = sorted[0]!;
    const sets = [...new Set(sorted.map((f) => f.source.valueSet ?? DEFAULT_VALUE_SET))];
    const merged: Finding = { ...first, valueSets: sets };
    if (!sets.includes(DEFAULT_VALUE_SET) && !config.lockedRules?.includes(first.ruleId)) merged.severity = capSeverity(first.severity, config.valueSets.severity);
    out.push(merged);
  }
  return out;
}
