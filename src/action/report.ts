// The Markdown the Action publishes (PR comment, check run summary, job summary): the shared markdown
// reporter plus what only the Action adds — the sticky comment's hidden marker, links to the files at the
// PR head, and the workloads with the largest blast radius. Pure functions; sizes are budgeted here.
import { blastGraph } from '../reporters/blast-graph.ts';
import type { BlastRating, Finding, ScanResult } from '../model/model.ts';
import { blockingNoun } from '../reporters/base.ts';
import { clip, isBlocking, largestBlastRadii, locationLabel, objectLabel, outcomeOf, plural, type RuleLike } from '../reporters/common.ts';
import { escapeHtmlText, escapeMarkdown, render } from '../reporters/index.ts';
import { safeUrl, size } from '../reporters/markdown.ts';

/** GitHub rejects issue comments longer than this many characters. */
export const COMMENT_LIMIT = 65_536;
/** The Checks API's maxLength for output.summary. */
export const CHECK_SUMMARY_LIMIT = 65_535;
/** The runner refuses a step summary over 1 MiB (bytes). */
export const JOB_SUMMARY_LIMIT = 1024 * 1024;
export const LIMIT_NAMES = {
  comment: "GitHub's 65,536-character limit for comments",
  check: "GitHub's 65,535-character limit for check run summaries",
  summary: "GitHub's 1 MiB limit for job summaries",
} as const;
/** Workloads pictured as a graph (critical and high only). */
const GRAPHS = 3;

/** Workloads listed in the blast-radius section. */
export const TOP_BLAST_RADIUS = 5;

export type FileUrl = (file: string, line?: number) => string | undefined;

/** Links to a repository file (and line) at a commit; undefined for paths outside the repository. */
export function blobUrl(serverUrl: string, owner: string, repo: string, sha: string): FileUrl {
  return (file, line) => {
    const clean = file.replace(/^(\.\/)+/, '');
    if (clean === '' || clean === '.' || clean.startsWith('../') || clean.startsWith('/') || clean.startsWith('<')) return undefined;
    const encoded = clean.split('/').map(encodeURIComponent).join('/');
    return `${serverUrl}/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/blob/${sha}/${encoded}${line !== undefined ? `#L${line}` : ''}`;
  };
}

/** The hidden first line that finds the sticky comment again; one per check name. */
export function commentMarker(checkName: string): string {
  const safe = checkName.replace(/[^A-Za-z0-9 ._/()+:-]/g, '_').replace(/-{2,}/g, '-');
  return `<!-- preadmit:sticky-comment check="${safe}" -->`;
}

const RATING_BADGE: Record<BlastRating, string> = { critical: '🔴 Critical', high: '🟠 High', medium: '🟡 Medium', low: '🔵 Low' };

/** The workloads a compromise would hurt most (rating medium or above), or '' when none. */
export function blastRadiusSection(result: ScanResult, fileUrl: FileUrl | undefined, limit = TOP_BLAST_RADIUS): string {
  // One row per workload: the same Deployment rendered with several value sets is one workload (its worst).
  const workloads = largestBlastRadii(result, Infinity, 'medium').map((row) => row.record);
  if (workloads.length === 0) return '';
  const rows = workloads.slice(0, limit).map((o) => {
    const reasons = o.blastRadius.reasons;
    const why = reasons.slice(0, 3).map((r) => escapeMarkdown(clip(r, 160))).join('; ') + (reasons.length > 3 ? ` (+${reasons.length - 3} more)` : '');
    const label = escapeMarkdown(clip(locationLabel(o.source.file, o.source.line), 200));
    const href = safeUrl(fileUrl?.(o.source.file, o.source.line));
    const where = href === undefined ? label : `[${label}](${href})`;
    return `| ${RATING_BADGE[o.blastRadius.rating]} | ${escapeMarkdown(clip(objectLabel(o.object), 200))} | ${where} | ${why || '—'} |`;
  });
  const shown = rows.length < workloads.length ? ` (top ${rows.length} of ${workloads.length})` : '';
  // The worst few as pictures, collapsed: the dangerous edges from the workload outwards.
  const pictured = workloads.filter((o) => o.blastRadius.rating === 'critical' || o.blastRadius.rating === 'high').slice(0, GRAPHS);
  const graphs = pictured.map((o) => `<details><summary>${escapeHtmlText(clip(objectLabel(o.object), 200))}: what a compromise reaches</summary>\n\n${blastGraph(o.object, o.blastRadius)}\n\n</details>`);
  return [
    `#### Largest blast radius${shown}`,
    '',
    'What an attacker who compromises the workload could reach: privileges, API access, network reachability and secrets.',
    '',
    '| Rating | Workload | Source | Why |',
    '| --- | --- | --- | --- |',
    ...rows,
    ...(graphs.length > 0 ? ['', ...graphs] : []),
  ].join('\n');
}

/** Puts a section before the collapsed details of the report (or at its end). */
function insertSection(report: string, section: string): string {
  if (section === '') return report;
  // Escaped values never contain a raw `<details>`: this one is the reporter's collapsed section.
  const at = report.indexOf('\n<details>\n<summary>');
  if (at === -1) return `${report.replace(/\n+$/, '')}\n\n${section}\n`;
  return `${report.slice(0, at)}\n${section}\n${report.slice(at)}`;
}

/**
 * What the pull request did, for the first line of the comment and the summaries: "2 new findings
 * (1 blocking) · 14 existing · 3 fixed". Undefined without a comparison (no base, no baseline file).
 * Blocking counts the new findings that block at fail-on; with gate: all, existing ones that block too.
 */
export function leadLine(result: ScanResult): string | undefined {
  if (result.base === undefined && result.baselineFile === undefined) return undefined;
  const fresh = result.findings.filter((f) => f.status === 'new');
  const blocking = fresh.filter((f) => f.suppressed === undefined && isBlocking(f.severity, result.summary.failOn)).length;
  const existing = result.findings.length - fresh.length;
  const existingBlocking = result.base?.gate === 'all' ? result.findings.filter((f) => f.status !== 'new' && f.suppressed === undefined && isBlocking(f.severity, result.summary.failOn)).length : 0;
  const parts = [
    `${plural(fresh.length, 'new finding')}${fresh.length > 0 ? ` (${blocking} blocking)` : ''}`,
    `${existing} existing${existingBlocking > 0 ? ` (${existingBlocking} blocking: gate all)` : ''}`,
    ...(result.base !== undefined ? [`${result.summary.fixed ?? result.fixed?.length ?? 0} fixed`] : []),
  ];
  return parts.join(' · ');
}

/** The lines that lead the report: what the pull request did, or why it could not be compared. */
function leadSection(result: ScanResult, baseNote: string | undefined): string {
  const lines: string[] = [];
  const lead = leadLine(result);
  if (lead !== undefined) lines.push(`**${lead}**`);
  if (baseNote !== undefined) lines.push(`> [!WARNING]\n> **${escapeMarkdown(clip(baseNote, 2_000))}**`);
  return lines.length === 0 ? '' : `${lines.join('\n\n')}\n\n`;
}

export interface ComposeOptions {
  rules: readonly RuleLike[];
  fileUrl?: FileUrl;
  /** Upper bound in UTF-8 bytes (so also in characters) for the whole text. */
  limit: number;
  /** Text before the report (the marker, a resolved note). */
  prefix?: string;
  /** Text after the report (publishing notes). */
  suffix?: string;
  /** How the shortening note names the limit, e.g. "GitHub's 65,536-character limit for comments". */
  limitName?: string;
  /** Why a pull request could not be compared with its base (then every finding gates). */
  baseNote?: string;
  /** How provenance located the findings: in the job summary, not in the comment or check run. */
  statistics?: boolean;
  /** The findings whose proven fixes the report lists (default: every fixable one), and the section's opening sentence. */
  fixes?: readonly Finding[];
  fixesIntro?: string;
}

/** The full report within `limit`: the reporter cuts rows (and says so) to make room for what we add. */
export function composeReport(result: ScanResult, options: ComposeOptions): string {
  const blast = blastRadiusSection(result, options.fileUrl);
  const prefix = (options.prefix ?? '') + leadSection(result, options.baseNote);
  const suffix = options.suffix ? `\n${options.suffix}\n` : '';
  const overhead = size(prefix) + size(suffix) + (blast === '' ? 0 : size(blast) + 4);
  const maxLength = Math.max(1_000, options.limit - overhead);
  let report = render('markdown', result, {
    rules: options.rules,
    ...(options.fileUrl !== undefined && { fileUrl: options.fileUrl }),
    maxLength,
    statistics: options.statistics === true,
    ...(options.fixes !== undefined && { fixes: options.fixes }),
    ...(options.fixesIntro !== undefined && { fixesIntro: options.fixesIntro }),
  });
  if (options.limitName !== undefined) {
    // The reporter names its own budget, which is the limit less what we add; name the real limit instead.
    report = report.replace(`Shortened to stay under ${maxLength.toLocaleString('en-US')} characters`, `Shortened to fit ${options.limitName}`);
  }
  const text = prefix + insertSection(report, blast) + suffix;
  if (size(text) <= options.limit) return text;
  // Only a tiny limit gets here; keep the start, whole characters only.
  let out = '';
  for (const c of text) {
    if (size(out) + size(c) > options.limit - 40) break;
    out += c;
  }
  return `${out}\n\n_… cut to fit._\n`;
}

/**
 * A scan with nothing to say: no findings, no errors. Compared with a pull request's base: nothing new and
 * nothing fixed (the findings the base already had are no news on every pull request).
 */
export function isClean(result: ScanResult): boolean {
  if (result.errors.length > 0 || result.summary.verdict !== 'pass') return false;
  if (result.base !== undefined) return result.findings.every((f) => f.status !== 'new') && (result.fixed?.length ?? 0) === 0;
  return result.findings.length === 0;
}

export type Conclusion = 'success' | 'failure' | 'neutral';

export function conclusionOf(result: ScanResult, advisory: boolean): Conclusion {
  if (result.summary.verdict === 'pass') return 'success';
  return advisory ? 'neutral' : 'failure';
}

/** The check run's one-line title. */
export function checkTitle(result: ScanResult, conclusion: Conclusion): string {
  const { summary } = result;
  const advisory = conclusion === 'neutral' ? ' (advisory)' : '';
  switch (outcomeOf(result)) {
    case 'fail':
      return `${plural(summary.blocking, `blocking ${blockingNoun(result)}`)} at or above ${summary.failOn}${advisory}`;
    case 'fail-errors':
      return `Scan failed: ${plural(summary.errors, 'input error')}${advisory}`;
    case 'incomplete':
      return `No blocking findings, but ${plural(summary.errors, 'input')} not scanned`;
    case 'pass':
      if (summary.findings === 0) return 'No findings';
      return summary.failOn === 'never'
        ? `${plural(summary.findings, 'finding')}, none blocking (fail-on: never)`
        : `No blocking findings (${plural(summary.findings, 'finding')} below ${summary.failOn})`;
  }
}
