// `preadmit fix`: the edits the scan proved (src/fix) written to the working tree, or printed as a unified
// diff. Files are edited in place only when they are still regular files inside their chart (never through
// a link, never outside the repository), all edits of a file at once.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { editedFiles, unifiedDiff, FIX_MODES, type FixMode, type FixReport } from '../fix/index.ts';
import { editableProblem } from '../fix/prove.ts';

export { FIX_MODES, type FixMode, type FixReport };

export interface AppliedFixes {
  /** The unified diff of every edited file (what --dry-run prints). */
  diff: string;
  /** Findings whose fix was applied (or would be, with dryRun). */
  findings: number;
  files: string[];
  /** Lines for stderr: what was done, and why other findings got no fix. */
  notes: string[];
}

export function applyFixReport(report: FixReport | undefined, repoRoot: string, options: { dryRun: boolean }): AppliedFixes {
  const out: AppliedFixes = { diff: '', findings: 0, files: [], notes: [] };
  if (report === undefined) {
    out.notes.push('no chart finding has a fix to prove');
    return out;
  }
  const edits = report.charts.flatMap((chart) => chart.proven.filter((edit) => editableProblem(repoRoot, chart.chart, edit.file) === undefined));
  const files = editedFiles(repoRoot, edits);
  for (const [file, { before, after }] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    if (before === after) continue;
    out.diff += unifiedDiff(file, before, after);
    out.files.push(file);
    if (!options.dryRun) writeFileSync(path.join(repoRoot, file), after);
  }
  out.findings = edits.reduce((n, edit) => n + edit.findings.length, 0);
  const renders = report.charts.reduce((n, chart) => n + chart.renders, 0);
  const verb = options.dryRun ? 'would fix' : 'fixed';
  out.notes.push(`${verb} ${out.findings} finding${out.findings === 1 ? '' : 's'} with ${edits.length} edit${edits.length === 1 ? '' : 's'} in ${out.files.length} file${out.files.length === 1 ? '' : 's'} (proven by ${renders} helm render${renders === 1 ? '' : 's'} of ${report.charts.length} chart${report.charts.length === 1 ? '' : 's'})`);
  for (const edit of edits) out.notes.push(`  ${edit.description} (${[...new Set(edit.findings.map((f) => f.ruleId))].join(', ')})`);
  for (const chart of report.charts) for (const { edit, reason } of chart.rejected) out.notes.push(`not proven: ${edit.description}: ${reason}`);
  for (const { finding, reason } of report.skipped) out.notes.push(`no fix: ${finding.ruleId} ${finding.object.kind}/${finding.object.name} ${finding.path}: ${reason}`);
  return out;
}
