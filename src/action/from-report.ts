// Publishing a report made elsewhere: the second half of the two-workflow pattern for pull requests from
// forks. A `pull_request` workflow (read-only token) scans and uploads its JSON report; a `workflow_run`
// workflow (write token, never running the fork's code) publishes it with the `report` input. The report
// is untrusted data: it must match schemas/scan-result.schema.json, and everything from it is escaped
// like any scanned value before it reaches a comment. The fork's workflow writes it (a pull request can
// change that workflow), so nothing in it is believed that can be worked out: the verdict, the blocking
// count and the other summary counts are computed again from the findings and errors it lists, with the
// fail-on and failOnErrors of THIS run's configuration (recomputeVerdict).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Minimatch } from 'minimatch';
import { isBlocking, type FailOn, type ScanResult, type Severity } from '../model/model.ts';
import { UsageError } from '../model/errors.ts';
import { mergeReports } from '../pipeline/merge.ts';
import { readReport } from '../pipeline/read-report.ts';
import { ConfigurationError } from './inputs.ts';

const GLOB = /[*?[\]{}]/;
/** Folders a report glob searches at most (download-artifact puts each artifact one folder down). */
const MAX_DEPTH = 8;

/**
 * The files the `report` input names, in order, each once: a line is a file or a glob relative to the
 * workspace (`reports/**\/*.json`). A glob that matches nothing is an error: a shard whose report was not
 * downloaded must not pass unnoticed (the merge names which shard is missing).
 */
export function expandReports(patterns: readonly string[], workspace: string): string[] {
  const out: string[] = [];
  for (const pattern of patterns) {
    if (!GLOB.test(pattern)) {
      out.push(path.resolve(workspace, pattern));
      continue;
    }
    const parts = pattern.split('/');
    const fixed = parts.findIndex((part) => GLOB.test(part));
    const base = path.resolve(workspace, parts.slice(0, fixed).join('/') || '.');
    const matcher = new Minimatch(parts.slice(fixed).join('/'), { dot: false });
    const found: string[] = [];
    const walk = (dir: string, depth: number) => {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory() && entry.name !== '.git' && depth < MAX_DEPTH) walk(full, depth + 1);
        else if (entry.isFile() && matcher.match(path.relative(base, full).split(path.sep).join('/'))) found.push(full);
      }
    };
    walk(base, 0);
    if (found.length === 0) throw new ConfigurationError(`input report: no file matches ${pattern}`);
    out.push(...found);
  }
  return [...new Set(out)];
}

/**
 * The report the `report` input publishes: one report as it is, or the reports of a sharded scan's
 * shards merged (`preadmit merge`), refused unless they are every shard of one scan exactly once.
 */
export function loadReports(files: readonly string[], read: (file: string) => ScanResult = loadReport): ScanResult {
  const reports = files.map((file) => ({ file, result: read(file) }));
  if (reports.length === 1 && reports[0]!.result.shard === undefined) return reports[0]!.result;
  try {
    return mergeReports(reports);
  } catch (error) {
    if (error instanceof UsageError) throw new ConfigurationError(`input report: ${error.message}`);
    throw error;
  }
}

/** Reads and validates a JSON report written by preadmit (`--format json`, or the Action's report-json output). */
export function loadReport(file: string): ScanResult {
  try {
    return readReport(file);
  } catch (error) {
    if (error instanceof UsageError) throw new ConfigurationError(error.message);
    throw error;
  }
}

export interface VerdictPolicy {
  failOn: FailOn;
  /** Whether input errors fail the run (the configuration's failOnErrors, default true). */
  failOnErrors: boolean;
  /** This run's `gate` input: all makes every finding of a compared report gate; otherwise the report's gate. */
  gate?: 'new' | 'all';
}

/**
 * The report's summary worked out again from the findings and errors it publishes, under this run's
 * policy: a doctored `summary` (verdict pass, blocking 0) changes nothing. Suppressed findings never
 * block, as in a scan.
 */
export function recomputeVerdict(result: ScanResult, policy: VerdictPolicy): ScanResult {
  const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of result.findings) bySeverity[f.severity]++;
  // A report compared with a base (or a baseline file) gates on its new findings, like the scan that made
  // it. The statuses are believed as the findings are: whoever could mark a finding existing could as
  // well have left it out; this run's gate: all makes every finding gate.
  const compared = result.base !== undefined || result.baselineFile !== undefined;
  const gate = compared ? (policy.gate ?? result.base?.gate ?? 'new') : 'all';
  const gated = gate === 'new' ? result.findings.filter((f) => f.status === 'new') : result.findings;
  const blocking = gated.filter((f) => !f.suppressed && isBlocking(f.severity, policy.failOn)).length;
  const failed = blocking > 0 || (policy.failOnErrors && result.errors.length > 0);
  const fresh = result.findings.filter((f) => f.status === 'new').length;
  return {
    ...result,
    ...(result.base !== undefined && { base: { ...result.base, gate } }),
    summary: {
      ...result.summary,
      ...(compared && { new: fresh, existing: result.findings.length - fresh }),
      ...(result.base !== undefined && { fixed: result.fixed?.length ?? 0 }),
      verdict: failed ? 'fail' : 'pass',
      findings: result.findings.length,
      bySeverity,
      blocking,
      failOn: policy.failOn,
      objects: result.objects.length,
      charts: result.charts.length,
      errors: result.errors.length,
      suppressed: result.findings.filter((f) => f.suppressed).length,
    },
  };
}
