// The Markdown report behind the sticky PR comment and the job summary. Every value that comes from a
// scanned file goes through escapeMarkdown, so a chart cannot inject Markdown, HTML, mentions, links or
// images. The report stays under maxLength by cutting the least important rows first and saying so.
import { SEVERITIES, type ChartRecord, type Finding, type ScanError, type ScanResult, type Severity } from '../model/model.ts';
import { codeBlock, fixableFindings, groupFixes, visibleCode, type FixEntry } from './suggested-fixes.ts';
import type { RuleMeta } from '../engine/rule-kit.ts';
import { baseCharts, baseCounts, baselineLine, blockingNoun } from './base.ts';
import {
  chain,
  chartVerdict,
  clip,
  compareFindingsBySeverity,
  compareSources,
  compareText,
  errorCount,
  isBlocking,
  locationLabel,
  objectVerdict,
  objectLabel,
  outcomeOf,
  plural,
  pssLabel,
  ruleMetas,
  suppressionLabel,
  suppressionProblems,
  templateLabel,
  valueSetLabel,
  blocks,
  type RuleLike,
} from './common.ts';

export interface MarkdownOptions {
  rules?: readonly RuleLike[];
  /** A link to a file (and line) in the repository, or undefined for no link. Only http(s) links are used. */
  fileUrl?: (file: string, line?: number) => string | undefined;
  /**
   * Upper bound on the report's size in UTF-8 bytes, which is never less than its length in characters
   * (default 65,000: a PR comment takes 65,536 characters, a job summary 1 MiB).
   */
  maxLength?: number;
  /** How provenance located the findings (counts): for the job summary; a pull-request comment leaves it out. */
  statistics?: boolean;
  /**
   * The findings whose proven fixes are listed, collapsed with their diffs (default: every fixable finding,
   * see fixableFindings). The Action's comment lists only those not suggested on the pull request's diff.
   */
  fixes?: readonly Finding[];
  /** A sentence (trusted Markdown) that opens the fixes' section, e.g. why they are not suggested on the diff. */
  fixesIntro?: string;
}

export const DEFAULT_MAX_LENGTH = 65_000;

// ---------------------------------------------------------------------------------------------------------
// Escaping

const ZWSP = '\u200b';
const ZWJ = '\u200d';

// Controls and the bidirectional overrides ("Trojan Source"); line breaks become spaces so a value can never
// start a new block (heading, list, quote, table row, HTML block).
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// Backslash-escaped everywhere: emphasis, code, links and images, headings, list markers, tables,
// strikethrough, math ($), footnotes.
const PUNCTUATION = new Set('\\`*_{}[]()#+-.!|~$^');
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * Makes a value from a scanned file inert inline Markdown for GitHub: the text reads the same, but
 * - Markdown metacharacters are backslash-escaped (including `|`, so it is safe in a table cell),
 * - `<`, `>`, `&` and `"` become HTML entities, so no tag, comment or entity survives,
 * - `@mention`s and `#123` / `GH-123` references get an invisible joiner after `@`, `#` or `GH-`, so
 *   GitHub neither notifies anyone nor cross-references an issue,
 * - autolinks (`scheme://`, `www.`, `mailto:`, `xmpp:`) get an invisible space so nothing turns into a link,
 * - line breaks and control characters become spaces.
 */
export function escapeMarkdown(value: string): string {
  let out = '';
  for (const c of defuse(value)) out += ENTITIES[c] ?? (PUNCTUATION.has(c) ? `\\${c}` : c);
  return out;
}

/**
 * A value from a scanned file as inert text inside a raw HTML block (e.g. a `<summary>`), where GitHub does
 * not read Markdown, so a backslash escape would show: escaped as escapeMarkdown does, without backslashes.
 */
export function escapeHtmlText(value: string): string {
  let out = '';
  for (const c of defuse(value)) out += ENTITIES[c] ?? c;
  return out;
}

/** Line breaks and controls to spaces; mentions, references and autolinks broken by invisible characters. */
function defuse(value: string): string {
  return value
    .replace(CONTROLS, ' ')
    .replace(/([A-Za-z][A-Za-z0-9+.-]*):(?=\/\/)/g, `$1:${ZWSP}`)
    .replace(/\b(mailto|xmpp):/gi, `$1:${ZWSP}`)
    .replace(/\b(www)\./gi, `$1${ZWSP}.`)
    .replace(/@/g, `@${ZWJ}`)
    .replace(/#(?=[0-9])/g, `#${ZWJ}`)
    .replace(/\b(gh-)(?=[0-9])/gi, `$1${ZWJ}`);
}

/** An http(s) URL made safe as a Markdown link destination inside a table, or undefined. */
export function safeUrl(url: string | undefined): string | undefined {
  if (url === undefined || !/^https?:\/\/[^\s/]/i.test(url)) return undefined;
  return url.replace(/[^A-Za-z0-9\-._~:/?#@!$&*+,;=%]/gu, percentEncode);
}

/** UTF-8 percent-encoding of one character (a lone surrogate becomes U+FFFD). */
function percentEncode(c: string): string {
  const code = c.codePointAt(0)!;
  if (code < 0x80) return `%${code.toString(16).toUpperCase().padStart(2, '0')}`;
  try {
    return encodeURIComponent(c);
  } catch {
    return '%EF%BF%BD';
  }
}

function capitalize(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

function text(value: string, max: number): string {
  return escapeMarkdown(clip(value, max));
}

function link(label: string, url: string | undefined): string {
  const href = safeUrl(url);
  return href === undefined ? label : `[${label}](${href})`;
}

// ---------------------------------------------------------------------------------------------------------
// Pieces

export const SEVERITY_BADGE: Record<Severity, string> = {
  critical: '🔴 Critical',
  high: '🟠 High',
  medium: '🟡 Medium',
  low: '🔵 Low',
  info: '⚪ Info',
};

const LIMIT = { object: 200, path: 200, message: 400, file: 200, error: 500, diff: 4_000 } as const;

/** A rule id as inert Markdown (code when it is a plain id), linked to its first reference. */
export function ruleCell(ruleId: string, rules: ReadonlyMap<string, RuleMeta>): string {
  const label = /^[a-z0-9][a-z0-9-]*$/.test(ruleId) ? `\`${ruleId}\`` : text(ruleId, 100);
  return link(label, rules.get(ruleId)?.references[0]?.url);
}

function findingRow(f: Finding, rules: ReadonlyMap<string, RuleMeta>, fileUrl: MarkdownOptions['fileUrl']): string {
  let object = text(objectLabel(f.object), LIMIT.object);
  if (f.source.address !== undefined) object += ` <sub>${text(f.source.address, LIMIT.object)}</sub>`;
  let where = link(text(locationLabel(f.source.file, f.source.line), LIMIT.file), fileUrl?.(f.source.file, f.source.line));
  const values = f.source.values;
  if (values !== undefined) {
    // The values line first: it is what a chart maintainer changes.
    const at = link(text(locationLabel(values.file, values.line), LIMIT.file), fileUrl?.(values.file, values.line));
    where = `${at} <code>${text(values.key, LIMIT.path)}</code><br><sub>template: ${where}</sub>`;
  }
  const template = templateLabel(f.source);
  if (template !== undefined && f.source.templateLocation !== undefined) {
    where += ` <sub>emitted at ${link(text(template, LIMIT.file), fileUrl?.(f.source.templateLocation.file, f.source.templateLocation.line))}</sub>`;
  }
  if (f.valueSets !== undefined && !f.valueSets.includes('default')) where += ` <sub>${text(valueSetLabel(f)!, LIMIT.file)}</sub>`;
  else if (f.valueSets === undefined && f.source.valueSet !== undefined && f.source.valueSet !== 'default') where += ` <sub>values: ${text(f.source.valueSet, LIMIT.file)}</sub>`;
  if (f.suppressed !== undefined) where += ` <sub>${text(suppressionLabel(f)!, LIMIT.message)}</sub>`;
  // The path goes under the message, small: a column of its own made the table wider than a PR comment.
  const path = `<br><sub><code>${text(f.path || '/', LIMIT.path)}</code></sub>`;
  return `| ${SEVERITY_BADGE[f.severity]}${f.status === 'new' ? (f.baseSeverity !== undefined ? ` **new** (was ${f.baseSeverity})` : ' **new**') : ''} | ${ruleCell(f.ruleId, rules)} | ${object} | ${text(f.message, LIMIT.message)}${path} | ${where} |`;
}

const FINDING_HEAD = ['| Severity | Rule | Object | Message | Location |', '| --- | --- | --- | --- | --- |'];

function errorRow(e: ScanError, fileUrl: MarkdownOptions['fileUrl']): string {
  const file = e.file === '' ? '—' : link(text(locationLabel(e.file, e.line), LIMIT.file), fileUrl?.(e.file, e.line));
  return `| ${e.kind} | ${file} | ${text(e.message, LIMIT.error)} |`;
}

function chartRow(c: ChartRecord & { admission: NonNullable<ChartRecord['admission']> }): string {
  const icon = c.admission.allowed ? '✅' : '❌';
  return `| ${text(c.chart, LIMIT.file)} | ${text(c.valueSet, LIMIT.file)} | ${plural(c.objects, 'object')} | ${icon} ${text(chartVerdict(c.admission), LIMIT.error)} |`;
}

/** A titled list of rows that can be shortened; `render(n)` shows the first n rows. */
interface Section {
  /** How the omission note names the rows: `other findings`, `errors`, ... */
  noun: string;
  rows: string[];
  render(shown: number): string;
}

function moreLine(section: Section, shown: number): string {
  const hidden = section.rows.length - shown;
  return hidden > 0 ? `\n\n_… and ${hidden} more ${section.noun} not shown here._` : '';
}

function tableSection(noun: string, title: string, head: string[], rows: string[], intro = ''): Section {
  const section: Section = {
    noun,
    rows,
    render(shown) {
      if (rows.length === 0) return '';
      const table = shown > 0 ? `\n\n${[...head, ...rows.slice(0, shown)].join('\n')}` : '';
      return `#### ${title}${intro}${table}${moreLine(section, shown)}`;
    },
  };
  return section;
}

function detailsSection(noun: string, summary: string, head: string[], rows: string[]): Section {
  const section: Section = {
    noun,
    rows,
    render(shown) {
      if (rows.length === 0) return '';
      const table = shown > 0 ? `\n\n${[...head, ...rows.slice(0, shown)].join('\n')}` : '';
      return `<details>\n<summary>${summary}</summary>${table}${moreLine(section, shown)}\n\n</details>`;
    },
  };
  return section;
}

/** A unified diff for a code block: whole lines up to LIMIT.diff characters, and whether it was cut. */
function clipDiff(diff: string): { text: string; cut: boolean } {
  const lines = visibleCode(diff).replace(/\n+$/, '').split('\n');
  const kept: string[] = [];
  let length = 0;
  for (const line of lines) {
    if (length + line.length + 1 > LIMIT.diff && kept.length > 0) return { text: kept.join('\n'), cut: true };
    kept.push(line.length > LIMIT.diff ? `${line.slice(0, LIMIT.diff)}…` : line);
    length += line.length + 1;
  }
  return { text: kept.join('\n'), cut: false };
}

function fixRow(entry: FixEntry, rules: ReadonlyMap<string, RuleMeta>, fileUrl: MarkdownOptions['fileUrl']): string {
  const { fix, findings } = entry;
  const range = fix.endLine > fix.line ? `${fix.file}:${fix.line}-${fix.endLine}` : locationLabel(fix.file, fix.line);
  const where = link(text(range, LIMIT.file), fileUrl?.(fix.file, fix.line));
  const removes = findings
    .slice(0, 3)
    .map((f) => `${ruleCell(f.ruleId, rules)} ${SEVERITY_BADGE[f.severity]} ${text(objectLabel(f.object), LIMIT.object)}`)
    .join('; ');
  const more = findings.length > 3 ? ` and ${findings.length - 3} more` : '';
  const diff = clipDiff(fix.diff);
  const cut = diff.cut ? '\n\n_The diff is cut here: `preadmit fix --dry-run` prints all of it._' : '';
  return `**${where}**: ${text(fix.description, LIMIT.message)}<br>Removes ${removes}${more}\n\n${codeBlock('diff', diff.text)}${cut}`;
}

/** Proven fixes, collapsed: where, what, which findings they remove, the diff, and how to apply them. */
function fixesSection(entries: readonly FixEntry[], rules: ReadonlyMap<string, RuleMeta>, options: MarkdownOptions): Section {
  const rows = entries.map((e) => fixRow(e, rules, options.fileUrl));
  const intro = `${options.fixesIntro !== undefined ? `${options.fixesIntro} ` : ''}Each edit was proven by rendering again: its findings are gone and nothing new appears. Run \`preadmit fix\` in the repository to apply them (\`preadmit fix --dry-run\` prints the diff).`;
  const section: Section = {
    noun: 'proven fixes',
    rows,
    render(shown) {
      if (rows.length === 0) return '';
      const listed = shown > 0 ? `\n\n${rows.slice(0, shown).join('\n\n')}` : '';
      return `<details>\n<summary>Proven fixes (${rows.length}): apply with <code>preadmit fix</code></summary>\n\n${intro}${listed}${moreLine(section, shown)}\n\n</details>`;
    },
  };
  return section;
}

function header(result: ScanResult): string {
  const { summary } = result;
  const errors = plural(errorCount(result), 'error');
  const threshold = `**${summary.failOn}**`;
  const notScanned = `${errors} kept parts of the input from being scanned`;
  let title: string;
  let verdict: string;
  switch (outcomeOf(result)) {
    case 'fail':
      title = `### ❌ preadmit: ${plural(summary.blocking, `blocking ${blockingNoun(result)}`)}`;
      verdict = `${plural(summary.blocking, blockingNoun(result))} at or above ${threshold} ${summary.blocking === 1 ? 'blocks' : 'block'} this change.`;
      if (errorCount(result) > 0) verdict += ` Also, ${notScanned}.`;
      break;
    case 'fail-errors':
      title = '### ❌ preadmit: scan failed';
      verdict = `${capitalize(notScanned)}, and errors fail this check.`;
      break;
    case 'incomplete':
      title = '### ⚠️ preadmit: passed, scan incomplete';
      verdict =
        summary.failOn === 'never'
          ? `Findings never block (fail-on: **never**), but ${notScanned}.`
          : `No ${blockingNoun(result)}s at or above ${threshold}, but ${notScanned}.`;
      break;
    case 'pass':
      title = '### ✅ preadmit: no blocking findings';
      verdict = summary.failOn === 'never' ? 'Findings never block (fail-on: **never**).' : `No ${blockingNoun(result)}s at or above ${threshold}.`;
      break;
  }
  const scope =
    `Scanned ${plural(summary.objects, 'object')}` +
    (summary.charts > 0 ? ` from ${plural(summary.charts, 'chart render')}` : '') +
    ` · Pod Security ${text(pssLabel(result.pss.level, result.pss.version), 40)} · preadmit ${text(result.tool.version, 40)}`;
  const base = baseCounts(result) ?? baselineLine(result);
  const charts = baseCharts(result);
  return `${title}\n\n${verdict}${base !== undefined ? `\n\n**${text(base, LIMIT.error)}**${charts !== undefined ? ` · ${text(charts, LIMIT.error)}` : ''}` : ''}\n\n${scope}`;
}

function countsTable(result: ScanResult): string {
  const { summary } = result;
  const rows = SEVERITIES.map(
    (s) => `| ${SEVERITY_BADGE[s]} | ${summary.bySeverity[s]} | ${isBlocking(s, summary.failOn) ? 'yes' : 'no'} |`,
  );
  return ['| Severity | Findings | Blocks |', '| :-- | --: | :-: |', ...rows].join('\n');
}

/** "denied by ValidatingAdmissionPolicy p (binding b)" per Deny finding of rules/admission-policy, deduplicated. */
function policyDenials(findings: readonly Finding[]): string {
  const seen = new Set<string>();
  for (const f of findings) {
    // With a base, a denial of the UPDATE (or DELETE) the change sends says so.
    const m = /^Denied by ValidatingAdmissionPolicy (\S+) \(binding (\S+), validation \d+\)( on (?:UPDATE|DELETE))?/.exec(f.message);
    if (m) seen.add(`denied by ValidatingAdmissionPolicy ${m[1]} (binding ${m[2]})${m[3] ?? ''}`);
  }
  return [...seen].join('; ');
}

function admissionSection(result: ScanResult): Section {
  // The cluster's own policies (issue 19) get a column, only when one of them denies something.
  const vapDenied = result.findings.filter((f) => f.ruleId === 'admission-policy' && !f.suppressed && f.message.startsWith('Denied by '));
  const charts = [...result.charts]
    .filter((c): c is ChartRecord & { admission: NonNullable<ChartRecord['admission']> } => c.admission !== undefined)
    .sort((a, b) => chain(Number(a.admission.allowed) - Number(b.admission.allowed), compareText(a.chart, b.chart), compareText(a.valueSet, b.valueSet)));
  const at = pssLabel(result.pss.level, result.pss.version);
  const denied = result.objects
    .filter((o) => o.source.kind !== 'helm')
    .map((o) => ({ record: o, verdict: objectVerdict(o, result.pss.level, at) }))
    .filter((o): o is { record: (typeof o)['record']; verdict: string } => o.verdict !== undefined)
    .sort((a, b) => compareSources(a.record.source, b.record.source));
  const rows = [
    ...charts.map(chartRow),
    ...denied.map(({ record, verdict }) => {
      const mark = verdict.startsWith('denied') ? '❌' : '❔';
      return `| ${text(record.source.file, LIMIT.file)} | — | ${text(objectLabel(record.object), LIMIT.object)} | ${mark} ${text(verdict, LIMIT.error)} |`;
    }),
  ];
  if (vapDenied.length === 0) {
    return tableSection('admission verdicts', `Pod Security admission (${text(at, 40)})`, ['| Chart or file | Values | Objects | Verdict |', '| --- | --- | --- | --- |'], rows);
  }
  const cell = (s: string) => (s === '' ? '✅' : `❌ ${text(s, LIMIT.error)}`);
  const chartCells = charts.map((c) => cell(policyDenials(vapDenied.filter((f) => f.source.chart === c.chart && (f.valueSets?.includes(c.valueSet) ?? f.source.valueSet === c.valueSet)))));
  const listed = new Set(denied.map(({ record }) => `${record.source.file}\u0000${objectLabel(record.object)}`));
  const extra = vapDenied.filter((f) => f.source.kind !== 'helm' && !listed.has(`${f.source.file}\u0000${objectLabel(f.object)}`));
  const extraKeys = [...new Set(extra.map((f) => `${f.source.file}\u0000${objectLabel(f.object)}`))];
  const withColumn = [
    ...rows.slice(0, charts.length).map((r, i) => `${r} ${chartCells[i]} |`),
    ...denied.map(({ record }, i) => `${rows[charts.length + i]} ${cell(policyDenials(vapDenied.filter((f) => f.source.file === record.source.file && objectLabel(f.object) === objectLabel(record.object))))} |`),
    ...extraKeys.map((key) => {
      const [file, label] = key.split('\u0000') as [string, string];
      return `| ${text(file, LIMIT.file)} | — | ${text(label, LIMIT.object)} | ✅ | ${cell(policyDenials(extra.filter((f) => f.source.file === file && objectLabel(f.object) === label)))} |`;
    }),
  ];
  return tableSection('admission verdicts', `Admission (Pod Security ${text(at, 40)}, ValidatingAdmissionPolicies)`, ['| Chart or file | Values | Objects | Pod Security | Admission policies |', '| --- | --- | --- | --- | --- |'], withColumn);
}

/** Where the policy came from, under the verdict: the base commit, or why not. */
function policyNote(result: ScanResult): string {
  const policy = result.policy;
  if (policy === undefined) return '';
  if (policy.from === 'fallback') return `\n\n> [!WARNING]\n> **Policy of the base commit unavailable**: ${text(policy.message ?? '', LIMIT.error * 2)}`;
  const file = policy.file !== undefined ? ` (${text(policy.file, LIMIT.file)})` : ' (no configuration file: the defaults)';
  return `\n\nPolicy from the base commit ${text(policy.revision.slice(0, 12), 40)}${file}: configuration, suppressions and locks this pull request changes take effect once merged.`;
}

function policyChangesSection(result: ScanResult, fileUrl: MarkdownOptions['fileUrl']): Section {
  const changes = result.policy?.changes ?? [];
  return tableSection(
    'policy changes',
    `Policy changes in this pull request (take effect once merged) (${changes.length})`,
    ['| Change | Kind | Where | What |', '| --- | --- | --- | --- |'],
    changes.map((c) => {
      const where = c.file === undefined ? '—' : link(text(locationLabel(c.file, c.line), LIMIT.file), fileUrl?.(c.file, c.line));
      return `| ${c.change} | ${c.kind} | ${where} | ${text(c.summary, LIMIT.error)} |`;
    }),
    '\n\nReview these: the gate above applies the base branch\'s policy, not these changes.',
  );
}

// ---------------------------------------------------------------------------------------------------------
// Assembly within the length budget

function omissionNote(sections: readonly Section[], shown: readonly number[], maxLength: number): string {
  const cut = sections
    .map((s, i) => ({ s, hidden: s.rows.length - shown[i]! }))
    .filter(({ hidden }) => hidden > 0)
    .map(({ s, hidden }) => `${hidden} of ${s.rows.length} ${s.noun}`);
  if (cut.length === 0) return '';
  return `> [!NOTE]\n> Shortened to stay under ${maxLength.toLocaleString('en-US')} characters: ${cut.join(', ')} are not shown. The JSON and SARIF reports have everything.`;
}

export function renderMarkdown(result: ScanResult, options: MarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  const rules = new Map(ruleMetas(options.rules).map((r) => [r.id, r]));
  const failOn = result.summary.failOn;
  const sorted = [...result.findings].sort(compareFindingsBySeverity);
  // With a base gating on new findings, existing ones never block: they are listed apart, collapsed.
  const existingApart = result.base?.gate === 'new' || result.baselineFile !== undefined;
  const gates = (f: Finding) => blocks(f, failOn) && !(existingApart && f.status === 'existing');
  const blocking = sorted.filter(gates);
  const others = sorted.filter((f) => !gates(f) && f.suppressed === undefined && !(existingApart && f.status === 'existing'));
  const existing = existingApart ? sorted.filter((f) => f.status === 'existing' && f.suppressed === undefined) : [];
  const fixed = [...(result.fixed ?? [])].sort(compareFindingsBySeverity);
  const suppressed = sorted.filter((f) => f.suppressed !== undefined);
  const errors = [...result.errors].sort((a, b) => chain(compareText(a.file, b.file), (a.line ?? 0) - (b.line ?? 0)));

  // Display order; the cut order (least important first) is further down.
  const blockingSection = tableSection(
    'blocking findings',
    `Blocking findings (${blocking.length})`,
    FINDING_HEAD,
    blocking.map((f) => findingRow(f, rules, options.fileUrl)),
  );
  const admission = admissionSection(result);
  const errorSection = tableSection(
    'errors',
    `Errors (${errors.length})`,
    ['| Kind | File | Message |', '| --- | --- | --- |'],
    errors.map((e) => errorRow(e, options.fileUrl)),
    '\n\nThese inputs were not scanned, or not completely.',
  );
  // Compared with a base, the other findings are new ones: shown in full, only existing ones are collapsed.
  const otherSection = (existingApart ? tableSection : detailsSection)(
    failOn === 'never' ? `${existingApart ? 'new ' : ''}findings` : `other ${existingApart ? 'new ' : ''}findings`,
    `${failOn === 'never' ? (existingApart ? 'New findings' : 'Findings') : existingApart ? 'Other new findings' : 'Other findings'} (${others.length})`,
    FINDING_HEAD,
    others.map((f) => findingRow(f, rules, options.fileUrl)),
  );
  const existingSection = detailsSection('existing findings', `Existing findings, ${result.baselineFile !== undefined ? 'listed in the baseline file' : 'already in the base'} (${existing.length})`, FINDING_HEAD, existing.map((f) => findingRow(f, rules, options.fileUrl)));
  const fixedSection = detailsSection('fixed findings', `Fixed: in the base, gone now (${fixed.length})`, FINDING_HEAD, fixed.map((f) => findingRow(f, rules, options.fileUrl)));
  const suppressedSection = detailsSection('suppressed findings', `Suppressed findings (${suppressed.length})`, FINDING_HEAD, suppressed.map((f) => findingRow(f, rules, options.fileUrl)));
  // Pending suppressions are listed with the pull request's other policy changes.
  const problems = suppressionProblems(result).filter((p) => p.status !== 'pending' || result.policy?.from !== 'revision');
  const problemSection = tableSection(
    'suppression problems',
    `Suppressions needing attention (${problems.length})`,
    ['| Status | Kind | Where | Rule | Note |', '| --- | --- | --- | --- | --- |'],
    problems.map((p) => {
      const status = p.status === 'expired' ? `expired ${p.expires ?? ''}`.trim() : p.status;
      const rule = p.container === undefined ? p.rule : `${p.rule} (container ${p.container})`;
      const where = link(text(locationLabel(p.file, p.line), LIMIT.file), options.fileUrl?.(p.file, p.line));
      return `| ${status} | ${p.kind} | ${where} | ${text(rule, 100)} | ${text(p.message ?? (p.status === 'unused' ? 'matches no finding' : ''), LIMIT.error)} |`;
    }),
  );
  const policySection = policyChangesSection(result, options.fileUrl);
  const fixes = fixesSection(groupFixes(options.fixes ?? fixableFindings(result)), rules, options);
  const sections = [blockingSection, admission, errorSection, policySection, problemSection, otherSection, fixes, existingSection, fixedSection, suppressedSection];
  const head = header(result) + policyNote(result);
  let counts = result.findings.length > 0 || result.summary.findings > 0 ? countsTable(result) : '_No findings._';
  // One paragraph under the table: what is suppressed (when anything is) and where chart findings were located.
  const notes: string[] = [];
  if (result.summary.suppressed !== undefined && result.summary.suppressed > 0) notes.push(`${plural(result.summary.suppressed, 'finding')} suppressed (kept below, never blocking).`);
  const p = result.summary.provenance;
  if (options.statistics !== false && p !== undefined && p.values + p.template + p.object > 0) {
    notes.push(`Chart findings located at a values line: ${p.values}, at a template line only: ${p.template}, at the object only: ${p.object}.`);
  }
  if (notes.length > 0) counts += `\n\n${notes.join(' ')}`;
  const failedRenders = result.charts.flatMap((c) =>
    [['second render', c.variant], ["render with the cluster's answers", c.answers], ...(c.literals ?? []).map((r) => ['render with a further literal', r])].flatMap(([label, r]) =>
      typeof r === 'object' && r?.error !== undefined ? [`${text(c.chart, LIMIT.file)} (${text(c.valueSet, 60)}), ${label as string}: ${text(r.error, LIMIT.message)}`] : [],
    ),
  );
  if (failedRenders.length > 0) {
    counts += `\n\nRenders that failed (what they would show is unknown): ${failedRenders.slice(0, 10).join('; ')}${failedRenders.length > 10 ? `; and ${failedRenders.length - 10} more` : ''}.`;
  }
  if (result.skipped !== undefined && result.skipped.length > 0) {
    counts += `\n\nNot searched: ${result.skipped.slice(0, 10).map((s) => `${text(s.path, LIMIT.file)} (${text(s.reason, LIMIT.message)})`).join('; ')}${result.skipped.length > 10 ? `; and ${result.skipped.length - 10} more` : ''}.`;
  }

  const assemble = (shown: readonly number[]): string =>
    [head, omissionNote(sections, shown, maxLength), counts, ...sections.map((s, i) => s.render(shown[i]!))].filter(Boolean).join('\n\n') + '\n';

  const shown = sections.map((s) => s.rows.length);
  let report = assemble(shown);
  if (size(report) <= maxLength) return report;

  // Cut the least important rows first: suppressed, existing and fixed findings, proven fixes (a fix helps
  // less than knowing what is wrong, and `preadmit fix` reproduces them), other findings, admission
  // verdicts, suppression problems, blocking findings, and errors last (what was not scanned at all must
  // stay visible).
  for (const section of [suppressedSection, existingSection, fixedSection, fixes, otherSection, admission, problemSection, policySection, blockingSection, errorSection]) {
    const i = sections.indexOf(section);
    let lo = 0;
    let hi = section.rows.length;
    shown[i] = 0;
    if (size(assemble(shown)) > maxLength) continue; // even without this section's rows it does not fit
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      shown[i] = mid;
      if (size(assemble(shown)) <= maxLength) lo = mid;
      else hi = mid - 1;
    }
    shown[i] = lo;
    report = assemble(shown);
    if (size(report) <= maxLength) return report;
  }
  // Only a tiny maxLength gets here: keep the beginning.
  const tail = '\n\n_… cut to fit._\n';
  return size(tail) > maxLength ? '' : truncateBytes(assemble(shown), maxLength - size(tail)) + tail;
}

/** Size as GitHub counts its limits here: UTF-8 bytes (never fewer than characters). */
export function size(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The longest prefix of whole characters that fits in maxBytes of UTF-8. */
function truncateBytes(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const c of text) {
    bytes += size(c);
    if (bytes > maxBytes) break;
    end += c.length;
  }
  return text.slice(0, end);
}
