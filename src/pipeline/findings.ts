// After evaluation: locate chart findings (provenance), lint values, merge value sets, apply suppressions.
import type { Config } from '../config/config.ts';
import type { Finding, ProvenanceSummary, ScannedObject, SuppressionRecord } from '../model/model.ts';
import { attachProvenance, provenanceSummary } from '../provenance/index.ts';
import { lintValues } from '../provenance/lint.ts';
import type { ChartRender } from '../render/charts.ts';
import { mergeValueSets, regradeSuppressedDivergences } from './evaluate.ts';
import { applySuppressions, CommentFiles, type PendingSuppressions } from './suppress.ts';

export interface ProcessInput {
  /** Findings of evaluateValueSets (one per value set that shows them). */
  findings: Finding[];
  /** RenderedCharts.renders. */
  renders: readonly ChartRender[];
  /** Every scanned object (annotations, container names). */
  objects: readonly ScannedObject[];
  config: Config;
  repoRoot: string;
  /** Rule ids the scan knows (suppressions naming others are invalid). */
  ruleIds: readonly string[];
  /** YYYY-MM-DD for suppression expiry (default today, UTC). */
  today?: string;
  /** Suppression comments already read as renders arrived (else the renders' files are read here). */
  comments?: CommentFiles;
  /** Suppressions a pull request adds (policy from its base): reported as pending, never applied. */
  pending?: PendingSuppressions;
}

export interface ProcessOutput {
  /** Merged across value sets, located, with the values lint's findings, suppressed ones marked. */
  findings: Finding[];
  suppressions: SuppressionRecord[];
  provenance: ProvenanceSummary;
}

/**
 * Everything after evaluation, in order: locate chart findings (attachProvenance), lint values
 * (lintValues), merge value sets (mergeValueSets), apply suppressions (applySuppressions), weigh divergences
 * again without what was suppressed (regradeSuppressedDivergences).
 */
export async function processFindings(input: ProcessInput): Promise<ProcessOutput> {
  const located = await attachProvenance(input.findings, input.renders, input.config);
  const linted = lintValues(input.findings, input.renders, input.config, located.defaults);
  const findings = mergeValueSets([...input.findings, ...linted], input.config);
  const suppressions = applySuppressions(findings, {
    config: input.config,
    repoRoot: input.repoRoot,
    objects: input.objects,
    // Read here for the renders the scan did not hand over as they arrived.
    comments: (input.comments ?? new CommentFiles()).comments(input.renders),
    ruleIds: input.ruleIds,
    ...(input.today !== undefined ? { today: input.today } : {}),
    ...(input.pending !== undefined ? { pending: input.pending } : {}),
  });
  const graded = regradeSuppressedDivergences(findings, input.config);
  return { findings: graded, suppressions, provenance: provenanceSummary(graded, located) };
}
