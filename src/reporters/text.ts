// The human report for a terminal: errors first, then findings grouped by chart (or file) and object,
// then a summary and the verdict. Values from scanned files are stripped of control characters so a
// chart cannot move the cursor, recolour or rewrite the terminal.
import { SEVERITIES, type ChartRecord, type Finding, type ObjectRecord, type ScanResult, type Severity } from '../model/model.ts';
import { baseCharts, baseCounts, baselineLine, blockingNoun } from './base.ts';
import {
  chain,
  chartVerdict,
  compareFindingsBySeverity,
  compareRefs,
  compareSeverity,
  compareText,
  errorCount,
  formatMs,
  groupBy,
  largestBlastRadii,
  locationLabel,
  objectVerdict,
  objectLabel,
  outcomeOf,
  plural,
  pssLabel,
  suppressionLabel,
  suppressionProblems,
  templateLabel,
  valueSetLabel,
} from './common.ts';

export interface TextOptions {
  color?: boolean;
  /** Terminal columns to wrap messages at (a TTY's width); unset: no wrapping. */
  width?: number;
  /** Show each finding's JSON pointer. */
  verbose?: boolean;
  /** Hide findings below this severity from the listing (the verdict and the summary still count them). */
  minSeverity?: Severity;
}

/** Words of `text` on lines of at most `width` columns after `indent` (a longer word gets its own line). */
function wrap(text: string, indent: string, width: number | undefined): string[] {
  if (width === undefined || width <= indent.length + 20) return [indent + text];
  const room = width - indent.length;
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > room) {
      lines.push(indent + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'magenta' | 'cyan' | 'gray';
const SGR: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
};
const SEVERITY_STYLE: Record<Severity, Style[]> = {
  critical: ['bold', 'magenta'],
  high: ['bold', 'red'],
  medium: ['yellow'],
  low: ['cyan'],
  info: ['gray'],
};

type Paint = (text: string, ...styles: Style[]) => string;

function painter(color: boolean): Paint {
  if (!color) return (text) => text;
  return (text, ...styles) => styles.reduceRight((t, s) => `\u001b[${SGR[s][0]}m${t}\u001b[${SGR[s][1]}m`, text);
}

// C0 and C1 controls (ESC, CR, BS, ...) and the bidirectional overrides used for "Trojan Source" tricks.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A value from a scanned file, made safe to print: controls shown as escapes, on one line. */
export function terminalSafe(value: string): string {
  return value.replace(UNSAFE, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return ' ';
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

const SEVERITY_WIDTH = Math.max(...SEVERITIES.map((s) => s.length));

function severityTag(severity: Severity, paint: Paint): string {
  return paint(severity.toUpperCase().padEnd(SEVERITY_WIDTH), ...SEVERITY_STYLE[severity]);
}

interface Group {
  heading: string;
  chart?: ChartRecord;
  findings: Finding[];
  order: [number, string, string];
}

function groupKey(f: Finding): string {
  return f.source.kind === 'helm' && f.source.chart !== undefined
    ? `chart\u0000${f.source.chart}\u0000${f.source.valueSet ?? 'default'}`
    : `file\u0000${f.source.file}`;
}

/** A chart's default values first, then its other value sets by name. */
function setOrder(valueSet: string): string {
  return valueSet === 'default' ? '' : `\u0001${valueSet}`;
}

function buildGroups(result: ScanResult, shown: (f: Finding) => boolean): Group[] {
  const groups = new Map<string, Group>();
  for (const chart of result.charts) {
    groups.set(`chart\u0000${chart.chart}\u0000${chart.valueSet}`, {
      heading: `chart ${terminalSafe(chart.chart)} (values: ${terminalSafe(chart.valueSet)})`,
      chart,
      findings: [],
      order: [0, chart.chart, setOrder(chart.valueSet)],
    });
  }
  for (const f of result.findings) {
    if (!shown(f)) continue;
    const key = groupKey(f);
    let group = groups.get(key);
    if (group === undefined) {
      group =
        f.source.kind === 'helm' && f.source.chart !== undefined
          ? {
              heading: `chart ${terminalSafe(f.source.chart)} (values: ${terminalSafe(f.source.valueSet ?? 'default')})`,
              findings: [],
              order: [0, f.source.chart, setOrder(f.source.valueSet ?? 'default')],
            }
          : { heading: `${f.source.kind === 'terraform' ? 'terraform' : 'file'} ${terminalSafe(f.source.file)}`, findings: [], order: [1, f.source.file, ''] };
      groups.set(key, group);
    }
    group.findings.push(f);
  }
  // A value set whose findings were all merged into the defaults' (the same finding, labelled with every
  // set that shows it) has nothing of its own to list: no section for it.
  return [...groups.values()]
    .filter((group) => group.findings.length > 0 || group.chart === undefined || group.chart.valueSet === 'default')
    .sort((a, b) => chain(a.order[0] - b.order[0], compareText(a.order[1], b.order[1]), compareText(a.order[2], b.order[2])));
}

function objectKey(f: Finding | ObjectRecord): string {
  const { object: ref, source } = f;
  return [ref.apiVersion, ref.kind, ref.namespace ?? '', ref.name, source.file, source.valueSet ?? '', source.address ?? ''].join('\u0000');
}

function renderGroup(group: Group, result: ScanResult, records: Map<string, ObjectRecord>, paint: Paint, options: TextOptions, explained: Set<string>): string[] {
  const lines: string[] = [];
  let heading = paint(group.heading, 'bold');
  if (group.chart !== undefined) {
    heading += ` · ${plural(group.chart.objects, 'object')}`;
    if (group.chart.admission !== undefined) {
      const verdict = terminalSafe(chartVerdict(group.chart.admission));
      heading += ` — ${paint(verdict, group.chart.admission.allowed ? 'green' : 'red')}`;
    }
  }
  lines.push(heading);
  // A second or third render that could not be made: what it would have shown is unknown, never safe.
  for (const [label, render] of [['the second render', group.chart?.variant], ['the render with the cluster\'s answers', group.chart?.answers], ...(group.chart?.literals ?? []).map((r) => ['a render with a further literal', r] as const)] as const) {
    if (render?.error !== undefined) lines.push(...wrap(terminalSafe(`${label} (${render.variant}) failed: ${render.error}`), '  ', options.width).map((l) => paint(l, 'yellow')));
  }
  if (group.findings.length === 0) {
    lines.push(`  ${paint('no findings', 'dim')}`);
    return lines;
  }
  const byObject = [...groupBy(group.findings, objectKey).values()].sort((a, b) =>
    chain(compareSeverity(worst(a), worst(b)), compareRefs(a[0]!.object, b[0]!.object)),
  );
  for (const findings of byObject) {
    const first = findings[0]!;
    let objectLine = `  ${paint(terminalSafe(objectLabel(first.object)), 'bold')}`;
    if (first.source.address !== undefined) objectLine += paint(` (${terminalSafe(first.source.address)})`, 'dim');
    const record = records.get(objectKey(first));
    const verdict = group.chart === undefined && record !== undefined ? objectVerdict(record, result.pss.level, pssLabel(result.pss.level, result.pss.version)) : undefined;
    if (verdict !== undefined) objectLine += ` — ${paint(terminalSafe(verdict), verdict.startsWith('denied') ? 'red' : 'yellow')}`;
    lines.push(objectLine);
    // file:line, severity and rule first (what to open); the message under it; the fix once per rule.
    for (const f of [...findings].sort(compareFindingsBySeverity)) {
      const where = terminalSafe(leadLocation(f));
      const tag = f.suppressed === undefined ? severityTag(f.severity, paint) : paint('SUPPRESSED'.padEnd(SEVERITY_WIDTH), 'dim');
      const mark = f.status === undefined ? '' : f.status === 'new' ? ` ${paint(f.baseSeverity !== undefined ? `NEW (was ${f.baseSeverity})` : 'NEW', 'bold', 'yellow')}` : '';
      lines.push(`    ${tag}  ${paint(terminalSafe(f.ruleId), 'bold')}${mark}  ${where}`);
      const indent = '      ';
      lines.push(...wrap(terminalSafe(f.suppressed === undefined ? f.message : `${f.message} (${f.severity})`), indent, options.width));
      const detail = findingDetail(f);
      if (detail.length > 0) lines.push(...wrap(terminalSafe(detail.join(' · ')), indent, options.width).map((l) => paint(l.replace(indent, `${indent}↳ `), 'dim')));
      if (options.verbose) lines.push(paint(`${indent}at ${terminalSafe(f.path || '/')}`, 'dim'));
      // A fix proven by re-rendering every value set (src/fix): what it does and the command that applies it.
      if (f.fix !== undefined) lines.push(...wrap(terminalSafe(`proven fix: ${f.fix.description} (line ${f.fix.line}; apply: preadmit fix --rule ${f.ruleId}${f.source.chart ? ` ${f.source.chart}` : ''})`), indent, options.width).map((l) => paint(l, 'green')));
      if (!explained.has(f.ruleId) && f.remediation && f.suppressed === undefined) {
        explained.add(f.ruleId);
        lines.push(...wrap(`fix: ${terminalSafe(f.remediation)}`, indent, options.width).map((l) => paint(l, 'dim')));
      }
    }
  }
  return lines;
}

/** The line to change: the values line (with its key) when provenance found it, else the finding's own line. */
function leadLocation(f: Finding): string {
  const values = f.source.values;
  return values !== undefined ? `${locationLabel(values.file, values.line)} (${values.key})` : locationLabel(f.source.file, f.source.line);
}

/** What provenance, value sets and suppressions add to a finding: values line, template line, set, suppression. */
function findingDetail(f: Finding): string[] {
  const parts: string[] = [];
  // The values line leads the finding (leadLocation); the template line that renders it follows.
  const template = f.source.values !== undefined ? locationLabel(f.source.templateLocation?.file ?? f.source.file, f.source.templateLocation?.line ?? f.source.line) : templateLabel(f.source);
  if (template !== undefined) parts.push(`template ${template}`);
  const set = valueSetLabel(f);
  if (set !== undefined && !set.startsWith('in ')) parts.push(set);
  const suppressed = suppressionLabel(f);
  if (suppressed !== undefined) parts.push(suppressed);
  return parts;
}

function renderSuppressions(result: ScanResult, paint: Paint): string[] {
  const problems = suppressionProblems(result);
  if (problems.length === 0) return [];
  const lines = [paint(`SUPPRESSIONS needing attention (${problems.length})`, 'bold', 'yellow')];
  for (const s of problems) {
    const what = s.status === 'expired' ? `expired ${s.expires ?? ''}`.trim() : s.status;
    const scope = s.container === undefined ? s.rule : `${s.rule} (container ${s.container})`;
    const why = s.message ?? (s.status === 'unused' ? 'matches no finding' : '');
    lines.push(`  ${paint('!', 'yellow')} ${what.padEnd(18)} ${s.kind.padEnd(10)} ${terminalSafe(locationLabel(s.file, s.line))}: ${terminalSafe(scope)}${why ? ` — ${terminalSafe(why)}` : ''}`);
  }
  return lines;
}

/** Where the policy came from, what the scanned files change in it, and what the search did not enter. */
function renderPolicy(result: ScanResult, paint: Paint): string[] {
  const lines: string[] = [];
  const policy = result.policy;
  if (policy?.from === 'fallback') lines.push(paint(`POLICY: ${terminalSafe(policy.message ?? '')}`, 'bold', 'yellow'));
  else if (policy !== undefined) lines.push(paint(`POLICY from ${terminalSafe(policy.revision.slice(0, 12))}${policy.file !== undefined ? ` (${terminalSafe(policy.file)})` : ' (defaults)'}`, 'bold'));
  if (policy !== undefined && policy.changes.length > 0) {
    lines.push(paint(`Policy changes (${policy.changes.length}), in effect once merged:`, 'bold', 'yellow'));
    for (const c of policy.changes) lines.push(`  ${paint('~', 'yellow')} ${c.change.padEnd(8)} ${c.kind.padEnd(11)} ${c.file !== undefined ? `${terminalSafe(locationLabel(c.file, c.line))}: ` : ''}${terminalSafe(c.summary)}`);
  }
  for (const s of result.skipped ?? []) lines.push(paint(`not searched: ${terminalSafe(s.path)} — ${terminalSafe(s.reason)}`, 'dim'));
  return lines;
}

/** With a base: the counts, the charts left out as unchanged, and the base's findings now gone. */
function renderBase(result: ScanResult, paint: Paint): string[] {
  const baseline = baselineLine(result);
  if (baseline !== undefined) {
    const stale = (result.baselineFile?.stale ?? []).map((e) => `  ${paint('stale', 'yellow')} ${terminalSafe(e.rule)}  ${terminalSafe(e.object)} ${terminalSafe(e.path || '/')}  ${paint(terminalSafe(e.where), 'dim')}`);
    return [paint(terminalSafe(baseline.replace(/^baseline file/, 'BASELINE')), 'bold'), ...stale];
  }
  const counts = baseCounts(result);
  if (counts === undefined) return [];
  const lines = [paint(`BASE: ${terminalSafe(counts)}`, 'bold')];
  const charts = baseCharts(result);
  if (charts !== undefined) lines.push(paint(terminalSafe(charts), 'dim'));
  if ((result.base?.errors ?? 0) > 0) lines.push(paint(`the base's own scan had ${plural(result.base!.errors, 'error')}: findings of what it could not read count as new`, 'yellow'));
  for (const f of [...(result.fixed ?? [])].sort(compareFindingsBySeverity)) {
    lines.push(`  ${paint('fixed', 'green')} ${f.severity.padEnd(SEVERITY_WIDTH)}  ${terminalSafe(f.ruleId)}  ${terminalSafe(objectLabel(f.object))} ${terminalSafe(f.path || '/')}  ${paint(terminalSafe(locationLabel(f.source.file, f.source.line)), 'dim')}`);
  }
  return lines;
}

function worst(findings: readonly Finding[]): Severity {
  return findings.reduce<Severity>((w, f) => (compareSeverity(f.severity, w) < 0 ? f.severity : w), 'info');
}

function renderErrors(result: ScanResult, paint: Paint): string[] {
  if (result.errors.length === 0) return [];
  const lines = [paint(`ERRORS (${result.errors.length}): parts of the input were not scanned`, 'bold', 'red')];
  const errors = [...result.errors].sort((a, b) => chain(compareText(a.file, b.file), (a.line ?? 0) - (b.line ?? 0)));
  for (const e of errors) {
    const where = e.file === '' ? '' : `${terminalSafe(locationLabel(e.file, e.line))}: `;
    lines.push(`  ${paint('✖', 'red')} ${paint(e.kind.padEnd(10), 'red')} ${where}${terminalSafe(e.message)}`);
  }
  return lines;
}

function renderSummary(result: ScanResult, paint: Paint): string[] {
  const { summary } = result;
  const counts = SEVERITIES.map((s) => `${summary.bySeverity[s]} ${s}`).join(', ');
  const parts = [
    `${plural(summary.findings, 'finding')} (${counts})`,
    plural(summary.objects, 'object'),
    plural(summary.charts, 'chart render'),
    plural(summary.errors, 'error'),
    formatMs(summary.totalMs),
  ];
  if (summary.suppressed !== undefined) parts.splice(1, 0, `${summary.suppressed} suppressed`);
  if (summary.provenance !== undefined) {
    const p = summary.provenance;
    parts.splice(parts.length - 1, 0, `located: ${p.values} at values, ${p.template} at templates, ${p.object} at objects (${plural(p.renders, 'extra render')})`);
  }
  const lines = [`Summary: ${parts.join(' · ')}`];
  const threshold = summary.failOn === 'never' ? '' : ` at or above ${summary.failOn}`;
  const errors = plural(errorCount(result), 'error');
  switch (outcomeOf(result)) {
    case 'fail':
      lines.push(paint(`FAIL: ${plural(summary.blocking, blockingNoun(result))}${threshold}${errorCount(result) > 0 ? `, and ${errors}` : ''}`, 'bold', 'red'));
      break;
    case 'fail-errors':
      lines.push(paint(`FAIL: ${errors} kept parts of the input from being scanned (no findings${threshold})`, 'bold', 'red'));
      break;
    case 'incomplete':
      lines.push(paint(`PASS (incomplete): no ${blockingNoun(result)}s${threshold}, but ${errors} kept parts of the input from being scanned`, 'bold', 'yellow'));
      break;
    case 'pass':
      lines.push(paint(summary.failOn === 'never' ? 'PASS: fail-on is never' : `PASS: no ${blockingNoun(result)}s${threshold}`, 'bold', 'green'));
      break;
  }
  return lines;
}

export function renderText(result: ScanResult, options: TextOptions = {}): string {
  const paint = painter(options.color === true);
  const records = new Map(result.objects.map((r) => [objectKey(r), r]));
  const sections: string[][] = [];
  sections.push([
    paint(`preadmit ${terminalSafe(result.tool.version)}`, 'bold') +
      ` · Pod Security ${terminalSafe(pssLabel(result.pss.level, result.pss.version))} · fail-on ${result.summary.failOn}`,
  ]);
  const errors = renderErrors(result, paint);
  if (errors.length > 0) sections.push(errors);
  const minimum = options.minSeverity;
  const shown = (f: Finding) => minimum === undefined || compareSeverity(f.severity, minimum) <= 0;
  const explained = new Set<string>();
  for (const group of buildGroups(result, shown)) sections.push(renderGroup(group, result, records, paint, options, explained));
  const hidden = result.findings.filter((f) => !shown(f)).length;
  if (hidden > 0) sections.push([paint(`${plural(hidden, 'finding')} below ${minimum} not listed (--min-severity ${minimum}); the verdict counts them as always`, 'dim')]);
  const blast = largestBlastRadii(result);
  if (blast.length > 0) {
    sections.push([
      paint('LARGEST BLAST RADIUS (what a compromise of the workload reaches)', 'bold'),
      ...blast.flatMap((row) => [
        `  ${paint(row.rating.toUpperCase().padEnd(SEVERITY_WIDTH), ...SEVERITY_STYLE[row.rating])}  ${paint(terminalSafe(objectLabel(row.object)), 'bold')}  ${paint(terminalSafe(row.where), 'dim')}${row.valueSets.length > 1 || row.valueSets[0] !== 'default' ? paint(` (values: ${terminalSafe(row.valueSets.join(', '))})`, 'dim') : ''}`,
        ...wrap(terminalSafe(row.reasons.join('; ')), '      ', options.width),
      ]),
    ]);
  }
  const suppressions = renderSuppressions(result, paint);
  if (suppressions.length > 0) sections.push(suppressions);
  const policy = renderPolicy(result, paint);
  if (policy.length > 0) sections.push(policy);
  const base = renderBase(result, paint);
  if (base.length > 0) sections.push(base);
  if (result.findings.length === 0 && result.charts.length === 0) sections.push([paint('No findings.', 'dim')]);
  sections.push(renderSummary(result, paint));
  return sections.map((lines) => lines.join('\n')).join('\n\n') + '\n';
}
