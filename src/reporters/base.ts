// What reporters say about a comparison with a base revision (--base): the counts, the charts left out,
// the fixed findings, and which findings are new. Shared by the text and Markdown reporters.
import type { Finding, ScanResult } from '../model/model.ts';
import { plural } from './common.ts';

/** "2 new · 14 existing · 3 fixed against abc123def456", or undefined without a base. */
export function baseCounts(result: ScanResult): string | undefined {
  const { base, summary } = result;
  if (base === undefined) return undefined;
  const against =
    base.mergeBaseOf !== undefined
      ? `${base.sha.slice(0, 12)}, where HEAD left ${base.revision} (${base.mergeBaseOf.slice(0, 12)})`
      : base.revision === base.sha
        ? base.sha.slice(0, 12)
        : `${base.revision} (${base.sha.slice(0, 12)})`;
  return `${summary.new ?? 0} new · ${summary.existing ?? 0} existing · ${summary.fixed ?? 0} fixed against ${against}`;
}

/** Which charts were rendered and which left out, in one line. */
export function baseCharts(result: ScanResult): string | undefined {
  const { base } = result;
  if (base === undefined) return undefined;
  const missing = base.missing === undefined ? '' : `; not in the base's export (submodules not checked out or their commits not fetched: their findings count as new): ${base.missing.join(', ')}`;
  if (base.allBecause !== undefined) return `every chart rendered on both sides: ${base.allBecause}${missing}`;
  if (base.rendered.length === 0 && base.unchanged.length === 0) return missing === '' ? undefined : missing.slice(2);
  const left = base.unchanged.length === 0 ? '' : `; ${plural(base.unchanged.length, 'chart')} left out as unchanged since the base: ${base.unchanged.join(', ')}`;
  return `${plural(base.rendered.length, 'changed chart')} rendered on both sides${base.rendered.length > 0 ? ` (${base.rendered.join(', ')})` : ''}${left}${missing}`;
}

/** The noun for counted blocking findings: with a base gating on new ones, "new finding". */
export function blockingNoun(result: ScanResult): string {
  return result.base?.gate === 'new' || result.baselineFile !== undefined ? 'new finding' : 'finding';
}

/** "baseline file .preadmit-baseline.yaml: 12 entries (...), 2 stale", or undefined without one. */
export function baselineLine(result: ScanResult): string | undefined {
  const b = result.baselineFile;
  if (b === undefined) return undefined;
  return `baseline file ${b.file}: ${plural(b.entries, 'entry', 'entries')} (${result.summary.existing ?? 0} findings existing, ${result.summary.new ?? 0} new), ${b.stale.length} stale${b.stale.length > 0 ? ' (matching no finding: remove them from the file)' : ''}`;
}

export const isNew = (f: Finding): boolean => f.status === 'new';
