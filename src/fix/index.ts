// Proven fixes (issue 17): for chart findings located at a values key, the edit a maintainer would make
// (derive.ts, from the rule's `fix` recipe), written as the file's author writes it (yaml-edit.ts), offered
// only once a re-render of every value set proves it (prove.ts). attachFixes sets `finding.fix`;
// fixedTexts gives the edited files for `preadmit fix`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Rule } from '../engine/rule-kit.ts';
import type { Finding, ScannedObject } from '../model/model.ts';
import { applyEdit, deriveEdit, deriveTemplateEdit, type CandidateEdit } from './derive.ts';
import { changedLines, unifiedDiff } from './lines.ts';
import { applyEdits, editableProblem, proveChart, type ChartProof, type ProofContext } from './prove.ts';

export type { ProofContext, ChartProof, CandidateEdit };
export { unifiedDiff } from './lines.ts';

/** Which findings get a proven fix in `scan`: none, the ones that gate the run (default), or all. */
export const FIX_MODES = ['off', 'gating', 'all'] as const;
export type FixMode = (typeof FIX_MODES)[number];

export interface FixOptions {
  rules: readonly Rule[];
  /** Rule ids whose opt-in recipes may be used (`--fix-rule`). */
  optIn?: readonly string[];
  /** The scan's objects: the rendered object each finding is about. */
  objects: readonly ScannedObject[];
}

export interface FixReport {
  /** Findings that had a candidate edit, and those proven. */
  candidates: number;
  proven: number;
  /** Per chart: renders and trials the proofs made, edits kept and refused. */
  charts: ChartProof[];
  /** Findings without a candidate, with why (the rule has a recipe; values-located findings only). */
  skipped: { finding: Finding; reason: string }[];
}

function objectKey(f: { source: { chart?: string; valueSet?: string; template?: string }; object: { apiVersion: string; kind: string; namespace?: string; name: string } }, valueSet?: string): string {
  return [f.source.chart, valueSet ?? f.source.valueSet ?? 'default', f.source.template, f.object.apiVersion, f.object.kind, f.object.namespace ?? '', f.object.name].join('\u0000');
}

/** A rule's recipe as this run may use it: an opt-in recipe only when named with --fix-rule. */
export function recipeOf(rule: Rule | undefined, optIn: readonly string[] = []): Rule['fix'] | undefined {
  if (rule?.fix === undefined) return undefined;
  return rule.fix.optIn === true && !optIn.includes(rule.meta.id) ? undefined : rule.fix;
}

/** Candidate edits for findings, grouped by chart; one edit for the findings that need the same one. */
export function candidatesOf(findings: readonly Finding[], repoRoot: string, options: FixOptions): { byChart: Map<string, CandidateEdit[]>; skipped: FixReport['skipped'] } {
  const rules = new Map(options.rules.map((rule) => [rule.meta.id, rule]));
  const objects = new Map<string, ScannedObject>();
  for (const object of options.objects) if (object.source.kind === 'helm' && object.source.variant === undefined) objects.set(objectKey({ source: object.source, object: object.ref }), object);
  const byChart = new Map<string, CandidateEdit[]>();
  const skipped: FixReport['skipped'] = [];
  const texts = new Map<string, string | undefined>();
  for (const finding of findings) {
    const recipe = recipeOf(rules.get(finding.ruleId), options.optIn);
    const chart = finding.source.chart;
    if (recipe === undefined || finding.source.kind !== 'helm' || chart === undefined) continue;
    // No values key decides it: a template line that writes the field as a literal can still be fixed.
    const atTemplate = finding.source.values === undefined;
    if (atTemplate && finding.source.templateLocation === undefined) {
      skipped.push({ finding, reason: finding.source.unproven ?? 'no values key was proven for the finding' });
      continue;
    }
    const file = atTemplate ? finding.source.templateLocation!.file : finding.source.values!.file;
    const problem = editableProblem(repoRoot, chart, file);
    if (problem !== undefined) {
      skipped.push({ finding, reason: `${problem}: never edited` });
      continue;
    }
    const object = objects.get(objectKey(finding, finding.valueSets?.[0]));
    if (object === undefined) {
      skipped.push({ finding, reason: 'the rendered object was not found' });
      continue;
    }
    if (!texts.has(file)) texts.set(file, readText(path.join(repoRoot, file)));
    const text = texts.get(file);
    if (text === undefined) {
      skipped.push({ finding, reason: `${file} cannot be read` });
      continue;
    }
    const derived = atTemplate ? deriveTemplateEdit(finding, recipe, text) : deriveEdit(finding, recipe, object.raw, text);
    if ('reason' in derived) {
      skipped.push({ finding, reason: derived.reason });
      continue;
    }
    // The edit must apply to the file as it is.
    const alone = applyEdit(text, derived.edit);
    if ('reason' in alone) {
      skipped.push({ finding, reason: `${derived.edit.description}: ${alone.reason}` });
      continue;
    }
    const list = byChart.get(chart) ?? [];
    const same = list.find((e) => e.file === derived.edit.file && JSON.stringify(e.path) === JSON.stringify(derived.edit.path) && e.templateLine?.line === derived.edit.templateLine?.line);
    if (same && JSON.stringify(same.value) === JSON.stringify(derived.edit.value)) same.findings.push(finding);
    else if (same) skipped.push({ finding, reason: `another finding needs ${same.description}` });
    else list.push(derived.edit);
    byChart.set(chart, list);
  }
  return { byChart, skipped };
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Proves candidate edits chart by chart and sets `fix` on each finding whose edit is proven: the lines of
 * the values file it replaces (as the file is now), the replacement, the diff and a one-line description.
 * `scanFindings` are every finding of the scan (what counts as new in a proof).
 */
export async function attachFixes(findings: readonly Finding[], scanFindings: readonly Finding[], options: FixOptions, context: ProofContext): Promise<FixReport> {
  const report: FixReport = { candidates: 0, proven: 0, charts: [], skipped: [] };
  const { byChart, skipped } = candidatesOf(findings, context.repoRoot, options);
  report.skipped = skipped;
  let budget = context.maxRenders;
  for (const [chart, edits] of byChart) {
    report.candidates += edits.reduce((n, e) => n + e.findings.length, 0);
    const proof = await proveChart(chart, edits, scanFindings, { ...context, maxRenders: budget });
    budget -= proof.renders;
    report.charts.push(proof);
    for (const edit of proof.proven) {
      const text = readFileSync(path.join(context.repoRoot, edit.file), 'utf8');
      const outcome = applyEdit(text, edit);
      if ('reason' in outcome) continue;
      const lines = changedLines(text, outcome.text);
      if (lines === undefined) continue;
      const diff = unifiedDiff(edit.file, text, outcome.text);
      for (const finding of edit.findings) {
        finding.fix = { file: edit.file, line: lines.line, endLine: lines.endLine, replacement: lines.replacement, diff, description: edit.description };
        report.proven++;
      }
    }
  }
  return report;
}

/** Each values file the edits touch: its text now and with every edit applied (edits in order). */
export function editedFiles(repoRoot: string, edits: readonly CandidateEdit[]): Map<string, { before: string; after: string }> {
  const originals = new Map<string, string>();
  for (const edit of edits) if (!originals.has(edit.file)) originals.set(edit.file, readFileSync(path.join(repoRoot, edit.file), 'utf8'));
  const texts = new Map(originals);
  applyEdits(texts, edits);
  return new Map([...originals].map(([file, before]) => [file, { before, after: texts.get(file)! }]));
}
