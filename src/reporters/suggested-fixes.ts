// Proven fixes (Finding.fix, issue 17) as reports and the Action show them: which findings' fixes are worth
// offering, one entry per edit (several findings removed by the same edit share it), and code fences that
// text from a pull request cannot close. Pure functions.
import { severityRank, type Finding, type ProvenFix, type ScanResult } from '../model/model.ts';
import { chain, compareFindingsBySeverity, compareText } from './common.ts';

/** One edit and the findings it removes (most severe first). */
export interface FixEntry {
  fix: ProvenFix;
  findings: Finding[];
}

/**
 * The findings whose fix is offered: not suppressed, and new when the scan was compared with a base (or a
 * baseline file); every finding otherwise. A finding already in the base is no news on this pull request.
 */
export function fixableFindings(result: Pick<ScanResult, 'findings'>): Finding[] {
  return result.findings.filter((f) => f.fix !== undefined && f.suppressed === undefined && (f.status === undefined || f.status === 'new'));
}

function fixKey(fix: ProvenFix): string {
  return [fix.file, fix.line, fix.endLine, fix.replacement].join('\u0000');
}

/** One entry per distinct edit, the entry of the most severe finding first, then by file and line. */
export function groupFixes(findings: readonly Finding[]): FixEntry[] {
  const entries = new Map<string, FixEntry>();
  for (const f of [...findings].sort(compareFindingsBySeverity)) {
    if (f.fix === undefined) continue;
    const key = fixKey(f.fix);
    const entry = entries.get(key);
    if (entry === undefined) entries.set(key, { fix: f.fix, findings: [f] });
    else entry.findings.push(f);
  }
  return [...entries.values()].sort((a, b) =>
    chain(severityRank(b.findings[0]!.severity) - severityRank(a.findings[0]!.severity), compareText(a.fix.file, b.fix.file), a.fix.line - b.fix.line),
  );
}

/** Whether two edits touch a common line of the same file (then only one of them can be applied as is). */
export function overlaps(a: ProvenFix, b: ProvenFix): boolean {
  return a.file === b.file && a.line <= b.endLine && b.line <= a.endLine;
}

/** A backtick fence longer than any run of backticks in `text` (at least three), so `text` cannot end it. */
export function fenceFor(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return '`'.repeat(Math.max(3, longest + 1));
}

// Controls and bidirectional overrides (tab and line feed excepted): inside a code block nothing escapes
// them, so they are shown as \u{…} and text cannot read differently from what it does ("Trojan Source").
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/gu;

export function hasInvisible(text: string): boolean {
  return new RegExp(INVISIBLE.source, 'u').test(text.replace(/\r\n/g, '\n'));
}

/** Text for a code block: CRLF as LF, invisible characters spelt out. */
export function visibleCode(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(INVISIBLE, (c) => `\\u{${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}}`);
}

/** A fenced code block of `text` (with an info string such as `diff` or `suggestion`). */
export function codeBlock(info: string, text: string): string {
  const fence = fenceFor(text);
  return `${fence}${info}\n${text}\n${fence}`;
}
