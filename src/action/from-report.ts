// Publishing a report made elsewhere: the second half of the two-workflow pattern for pull requests from
// forks. A `pull_request` workflow (read-only token) scans and uploads its JSON report; a `workflow_run`
// workflow (write token, never running the fork's code) publishes it with the `report` input. The report
// is untrusted data: it must match schemas/scan-result.schema.json, and everything from it is escaped
// like any scanned value before it reaches a comment. The fork's workflow writes it (a pull request can
// change that workflow), so nothing in it is believed that can be worked out: the verdict, the blocking
// count and the other summary counts are computed again from the findings and errors it lists, with the
// fail-on and failOnErrors of THIS run's configuration (recomputeVerdict).
import { isBlocking, type FailOn, type ScanResult, type Severity } from '../model/model.ts';
import { UsageError } from '../model/errors.ts';
import { readReport } from '../pipeline/read-report.ts';
import { ConfigurationError } from './inputs.ts';

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
