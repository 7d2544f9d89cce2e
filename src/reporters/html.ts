// The HTML report: one self-contained file a platform team opens in a browser. The verdict and counts
// first, then errors, the findings grouped by chart and value set (or file) with the line to change and
// the fix, filters and search, the blast radius of the riskiest workloads drawn as SVG, and the Pod
// Security verdict of every workload.
//
// Nothing is loaded at view time: no script, style, font or image from anywhere; the Content-Security-
// Policy allows exactly the one inline style sheet and the one inline script by their SHA-256 hashes, so
// even markup that slipped through escaping could not run. Every value from the scan (names, messages,
// file names, helm's errors) is written as escaped text by `esc`: markup, entities, bidirectional and
// control characters, and the `::` and `##[` a workflow runner would read as a command never get through.
// The script builds no markup: it only hides and shows what the report already holds.
import { createHash } from 'node:crypto';
import { SEVERITIES, type Finding, type ObjectRecord, type ScanResult, type Severity } from '../model/model.ts';
import type { RuleMeta } from '../engine/rule-kit.ts';
import { baseCharts, baseCounts, baselineLine, blockingNoun } from './base.ts';
import { blastGraphModel, type BlastGraphModel } from './blast-graph.ts';
import {
  blocks,
  chain,
  chartVerdict,
  compareFindingsBySeverity,
  compareText,
  errorCount,
  formatMs,
  isBlocking,
  largestBlastRadii,
  locationLabel,
  objectLabel,
  outcomeOf,
  plural,
  pssLabel,
  ruleMetas,
  suppressionLabel,
  suppressionProblems,
  templateLabel,
  valueSetLabel,
  type RuleLike,
} from './common.ts';

export interface HtmlOptions {
  rules?: readonly RuleLike[];
  /** Most findings listed (most severe first); the rest are counted and left to the JSON report. Default 2,000. */
  maxFindings?: number;
}

export const DEFAULT_MAX_FINDINGS = 2_000;
/** Workloads whose blast radius is listed, and how many of them (critical or high) are drawn. */
const BLAST_LISTED = 10;
const BLAST_DRAWN = 5;

// ---------------------------------------------------------------------------------------------------------
// Escaping

// C0/C1 controls and the bidirectional marks, embeddings, overrides and isolates ("Trojan Source").
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// `:` and `[` and `#` as references too: no `::` or `##[` for a runner reading the report on stdout.
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;', ':': '&#58;', '[': '&#91;', '#': '&#35;' };

/** Controls and bidi characters shown as visible escapes (`\u202e`); tabs and, unless kept, line breaks too. */
function visible(value: string, keepLines = false): string {
  return value.replace(UNSAFE, escapeCode).replace(/[\t\n\r]/g, (c) => (keepLines && c === '\n' ? c : escapeCode(c)));
}

function escapeCode(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** A value from the scan as HTML text or a quoted attribute value: inert, on one line (or lines kept). */
export function esc(value: string, keepLines = false): string {
  return visible(value, keepLines).replace(/[&<>"'`:[#]/g, (c) => ENTITIES[c]!);
}

/** Escaped text whose backtick pairs (Markdown code in remediations) become code elements; the text stays escaped. */
function codeSpans(escaped: string): string {
  const parts = escaped.split('&#96;');
  if (parts.length < 3 || parts.length % 2 === 0) return escaped;
  return parts.map((part, i) => (i % 2 === 1 ? `<code>${part}</code>` : part)).join('');
}

/** Shortens to `max` code points, ending in an ellipsis. */
function clipped(value: string, max: number): string {
  const chars = [...value];
  return chars.length <= max ? value : `${chars.slice(0, max - 1).join('')}…`;
}

const LIMIT = { label: 300, message: 2_000, diff: 6_000 } as const;

// ---------------------------------------------------------------------------------------------------------
// Pieces

const SEVERITY_LABEL: Record<Severity, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', info: 'Info' };

function sevBadge(severity: Severity, suppressed = false): string {
  return suppressed ? `<span class="sev s-suppressed" title="suppressed (${severity})">Suppressed</span>` : `<span class="sev s-${severity}">${SEVERITY_LABEL[severity]}</span>`;
}

/** Where a finding is listed: its chart (helm) or its file. */
function whereOf(f: Finding): string {
  return f.source.kind === 'helm' && f.source.chart !== undefined ? f.source.chart : f.source.file;
}

interface Group {
  where: string;
  heading: string;
  verdict?: { text: string; allowed: boolean };
  objects?: number;
  order: [number, string, string];
  findings: Finding[];
}

function groupFindings(result: ScanResult, findings: readonly Finding[]): Group[] {
  const groups = new Map<string, Group>();
  const charts = new Map(result.charts.map((c) => [`${c.chart}\u0000${c.valueSet}`, c]));
  for (const f of findings) {
    const helm = f.source.kind === 'helm' && f.source.chart !== undefined;
    const set = f.source.valueSet ?? 'default';
    const key = helm ? `c\u0000${f.source.chart}\u0000${set}` : `f\u0000${f.source.file}`;
    let group = groups.get(key);
    if (group === undefined) {
      const chart = helm ? charts.get(`${f.source.chart}\u0000${set}`) : undefined;
      group = {
        where: whereOf(f),
        heading: helm ? `chart ${f.source.chart} · values: ${set}` : `${f.source.kind === 'terraform' ? 'Terraform plan' : 'file'} ${f.source.file}`,
        order: [helm ? 0 : 1, whereOf(f), set === 'default' ? '' : `\u0001${set}`],
        findings: [],
        ...(chart?.admission !== undefined && { verdict: { text: chartVerdict(chart.admission), allowed: chart.admission.allowed } }),
        ...(chart !== undefined && { objects: chart.objects }),
      };
      groups.set(key, group);
    }
    group.findings.push(f);
  }
  return [...groups.values()].sort((a, b) => chain(a.order[0] - b.order[0], compareText(a.order[1], b.order[1]), compareText(a.order[2], b.order[2])));
}

/** The rule id, linking to its entry in the rules section (its description, fix and references). */
function ruleLink(ruleId: string): string {
  return `<a class="rule" href="#rule-${esc(ruleId)}">${esc(ruleId)}</a>`;
}

/** Every rule the findings name, once: title, why it matters, the fix, references (https only, no referrer). */
function rulesHtml(findings: readonly Finding[], rules: ReadonlyMap<string, RuleMeta>): string {
  const ids = [...new Set(findings.map((f) => f.ruleId))].sort(compareText);
  if (ids.length === 0) return '';
  const items = ids.map((id) => {
    const meta = rules.get(id);
    if (meta === undefined) return `<div class="ruledoc" id="rule-${esc(id)}"><h3><code>${esc(id)}</code></h3></div>`;
    const refs = meta.references
      .filter((r) => /^https:\/\/[^\s"'<>]+$/.test(r.url))
      .map((r) => `<a href="${esc(r.url)}" rel="noreferrer noopener" target="_blank">${esc(r.title)}</a>`)
      .join(' · ');
    return `<div class="ruledoc" id="rule-${esc(id)}"><h3><code>${esc(id)}</code> ${esc(meta.title)} <span class="dim">${esc(meta.defaultSeverity)} · ${esc(meta.category)}</span></h3><p>${esc(meta.description)}</p><p><strong>Fix:</strong> ${codeSpans(esc(meta.remediation))}</p>${refs ? `<p class="dim">${refs}</p>` : ''}</div>`;
  });
  return `<section id="rules"><h2>Rules in this report (${ids.length})</h2>${items.join('\n')}</section>`;
}

function findingHtml(f: Finding, gates: (f: Finding) => boolean): string {
  const { source } = f;
  const blocking = gates(f);
  const rows: string[] = [];
  if (source.values !== undefined) {
    rows.push(`<dt>Change</dt><dd><code>${esc(clipped(locationLabel(source.values.file, source.values.line), LIMIT.label))}</code> <code class="key">${esc(clipped(source.values.key, LIMIT.label))}</code></dd>`);
    const template = locationLabel(source.templateLocation?.file ?? source.file, source.templateLocation?.line ?? source.line);
    rows.push(`<dt>Template</dt><dd><code>${esc(clipped(template, LIMIT.label))}</code></dd>`);
  } else {
    rows.push(`<dt>${source.kind === 'helm' ? 'Template' : 'File'}</dt><dd><code>${esc(clipped(locationLabel(source.file, source.line), LIMIT.label))}</code>${source.address !== undefined ? ` <code>${esc(clipped(source.address, LIMIT.label))}</code>` : ''}</dd>`);
    const template = templateLabel(source);
    if (template !== undefined) rows.push(`<dt>Emitted at</dt><dd><code>${esc(clipped(template, LIMIT.label))}</code></dd>`);
    if (source.kind === 'helm' && source.unproven !== undefined) rows.push(`<dt>Values line</dt><dd class="dim">${esc(clipped(source.unproven, LIMIT.message))}</dd>`);
  }
  // Only a finding some value sets alone give says so; the chart's defaults are the rule.
  const sets = valueSetLabel(f);
  if (sets !== undefined && !sets.startsWith('in ')) rows.push(`<dt>Value sets</dt><dd>${esc(clipped(sets, LIMIT.label))}</dd>`);
  rows.push(`<dt>Field</dt><dd><code>${esc(clipped(f.path || '/', LIMIT.label))}</code></dd>`);
  if (f.related !== undefined && f.related.length > 0) rows.push(`<dt>Related</dt><dd>${f.related.slice(0, 5).map((r) => esc(clipped(objectLabel(r), LIMIT.label))).join(', ')}${f.related.length > 5 ? ` and ${f.related.length - 5} more` : ''}</dd>`);
  if (f.remediation) rows.push(`<dt>Fix</dt><dd>${codeSpans(esc(clipped(f.remediation, LIMIT.message)))}</dd>`);
  if (f.fix !== undefined) {
    rows.push(
      `<dt>Proven fix</dt><dd>${esc(clipped(f.fix.description, LIMIT.message))} <span class="dim">(<code>${esc(clipped(`${f.fix.file}:${f.fix.line}`, LIMIT.label))}</code>, checked by re-rendering)</span><pre class="diff">${esc(clipped(f.fix.diff, LIMIT.diff), true)}</pre></dd>`,
    );
  }
  const suppressed = suppressionLabel(f);
  if (suppressed !== undefined) rows.push(`<dt>Suppressed</dt><dd>${esc(clipped(suppressed, LIMIT.message))}${f.suppressed?.expires !== undefined ? ` (expires ${esc(f.suppressed.expires)})` : ''}</dd>`);
  const marks = [
    blocking ? '<span class="mark m-block">blocks</span>' : '',
    f.status === 'new' ? `<span class="mark m-new">new${f.baseSeverity !== undefined ? ` (was ${esc(f.baseSeverity)})` : ''}</span>` : f.status === 'existing' ? '<span class="mark m-existing">existing</span>' : '',
  ].join('');
  const data = [
    `data-sev="${f.severity}"`,
    `data-rule="${esc(f.ruleId)}"`,
    `data-where="${esc(whereOf(f))}"`,
    `data-status="${f.status ?? ''}"`,
    `data-blocks="${blocking ? 1 : 0}"`,
    `data-sup="${f.suppressed !== undefined ? 1 : 0}"`,
  ].join(' ');
  const suppressedClass = f.suppressed !== undefined ? ' suppressed' : '';
  return (
    `<article class="finding${suppressedClass}" ${data}>` +
    `<div class="fh">${sevBadge(f.severity, f.suppressed !== undefined)}${ruleLink(f.ruleId)}${marks}<span class="obj">${esc(clipped(objectLabel(f.object), LIMIT.label))}</span>${f.suppressed !== undefined ? `<span class="dim"> (${f.severity}, never blocks)</span>` : ''}</div>` +
    `<p class="msg">${esc(clipped(f.message, LIMIT.message))}</p>` +
    `<dl>${rows.join('')}</dl></article>`
  );
}

function header(result: ScanResult): { title: string; html: string } {
  const { summary } = result;
  const errors = errorCount(result);
  const noun = blockingNoun(result);
  const threshold = summary.failOn === 'never' ? 'fail-on never' : `at or above ${summary.failOn}`;
  let title: string;
  let verdict: string;
  const outcome = outcomeOf(result);
  switch (outcome) {
    case 'fail':
      title = `FAIL: ${plural(summary.blocking, `blocking ${noun}`)}`;
      verdict = `${plural(summary.blocking, noun)} ${threshold} ${summary.blocking === 1 ? 'blocks' : 'block'} this change${errors > 0 ? `, and ${plural(errors, 'error')} kept parts of the input from being scanned` : ''}.`;
      break;
    case 'fail-errors':
      title = 'FAIL: scan incomplete';
      verdict = `${plural(errors, 'error')} kept parts of the input from being scanned, and errors fail the run.`;
      break;
    case 'incomplete':
      title = 'PASS, scan incomplete';
      verdict = `No ${noun}s ${threshold}, but ${plural(errors, 'error')} kept parts of the input from being scanned.`;
      break;
    case 'pass':
      title = 'PASS: no blocking findings';
      verdict = summary.failOn === 'never' ? 'Findings never block (fail-on: never).' : `No ${noun}s ${threshold}.`;
      break;
  }
  const scope = `Scanned ${plural(summary.objects, 'object')}${summary.charts > 0 ? ` from ${plural(summary.charts, 'chart render')}` : ''} · Pod Security ${pssLabel(result.pss.level, result.pss.version)} · fail-on ${summary.failOn} · preadmit ${result.tool.version}`;
  const cls = outcome === 'pass' ? 'pass' : outcome === 'incomplete' ? 'warn' : 'fail';
  return { title, html: `<header class="verdict v-${cls}"><h1>${esc(title)}</h1><p class="lead">${esc(verdict)}</p><p class="dim">${esc(scope)}</p></header>` };
}

function summaryHtml(result: ScanResult, listed: number, total: number): string {
  const { summary } = result;
  const tiles: string[] = [
    tile('blocking', summary.blocking, summary.blocking > 0 ? 'bad' : 'good'),
    tile('findings', summary.findings),
    tile('errors', errorCount(result), errorCount(result) > 0 ? 'bad' : 'good'),
  ];
  if (summary.suppressed !== undefined) tiles.push(tile('suppressed', summary.suppressed));
  if (result.base !== undefined || result.baselineFile !== undefined) {
    tiles.push(tile('new', summary.new ?? 0, (summary.new ?? 0) > 0 ? 'bad' : 'good'), tile('existing', summary.existing ?? 0));
    if (result.base !== undefined) tiles.push(tile('fixed', summary.fixed ?? 0, 'good'));
  }
  const counts = SEVERITIES.map(
    (s) => `<tr><td>${sevBadge(s)}</td><td class="num">${summary.bySeverity[s]}</td><td>${isBlocking(s, summary.failOn) ? 'blocks' : '<span class="dim">does not block</span>'}</td></tr>`,
  ).join('');
  const notes: string[] = [];
  const base = baseCounts(result) ?? baselineLine(result);
  if (base !== undefined) notes.push(`<p><strong>${esc(base)}</strong></p>`);
  const charts = baseCharts(result);
  if (charts !== undefined) notes.push(`<p class="dim">${esc(charts)}</p>`);
  if (result.policy?.from === 'fallback') notes.push(`<p class="warn">Policy of the base commit unavailable: ${esc(result.policy.message ?? '')}</p>`);
  else if (result.policy !== undefined) notes.push(`<p class="dim">Policy from the base commit ${esc(result.policy.revision.slice(0, 12))}${result.policy.file !== undefined ? ` (${esc(result.policy.file)})` : ' (defaults)'}: what this change alters in it takes effect once merged.</p>`);
  for (const s of (result.skipped ?? []).slice(0, 20)) notes.push(`<p class="dim">Not searched: <code>${esc(clipped(s.path, LIMIT.label))}</code>: ${esc(clipped(s.reason, LIMIT.message))}</p>`);
  if (listed < total) notes.push(`<p class="warn">The ${plural(listed, 'most severe finding')} of ${total} are listed here; the JSON and SARIF reports have every one.</p>`);
  return `<section id="summary"><div class="sumrow"><div class="tiles">${tiles.join('')}</div><table class="counts"><thead><tr><th>Severity</th><th>Findings</th><th>fail-on ${esc(summary.failOn)}</th></tr></thead><tbody>${counts}</tbody></table></div>${notes.join('')}</section>`;
}

function tile(label: string, count: number, tone: 'good' | 'bad' | '' = ''): string {
  return `<div class="tile${tone ? ` t-${tone}` : ''}"><span class="n">${count}</span><span class="l">${label}</span></div>`;
}

function errorsHtml(result: ScanResult): string {
  if (result.errors.length === 0) return '';
  const errors = [...result.errors].sort((a, b) => chain(compareText(a.file, b.file), (a.line ?? 0) - (b.line ?? 0)));
  const items = errors.map((e) => `<li><span class="ekind">${esc(e.kind)}</span> ${e.file === '' ? '' : `<code>${esc(clipped(locationLabel(e.file, e.line), LIMIT.label))}</code> `}<span class="emsg">${esc(clipped(e.message.trim(), LIMIT.message), true)}</span></li>`);
  return `<section id="errors" class="errors"><h2>Errors (${result.errors.length}): these inputs were not scanned, or not completely</h2><ul>${items.join('')}</ul></section>`;
}

function filtersHtml(findings: readonly Finding[], groups: readonly Group[], rules: ReadonlyMap<string, RuleMeta>, compared: boolean): string {
  const bySev = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const severities = SEVERITIES.map((s) => `<label class="chk"><input type="checkbox" name="sev" value="${s}" checked> ${SEVERITY_LABEL[s]} <span class="dim">${bySev(s)}</span></label>`).join('');
  const ruleCounts = new Map<string, number>();
  for (const f of findings) ruleCounts.set(f.ruleId, (ruleCounts.get(f.ruleId) ?? 0) + 1);
  const ruleOptions = [...ruleCounts.entries()]
    .sort((a, b) => compareText(a[0], b[0]))
    .map(([id, n]) => `<option value="${esc(id)}">${esc(id)}${rules.has(id) ? ` (${esc(rules.get(id)!.title)})` : ''}: ${n}</option>`)
    .join('');
  const wheres = [...new Set(groups.map((g) => g.where))].sort(compareText);
  const whereOptions = wheres.map((w) => `<option value="${esc(w)}">${esc(clipped(w, 120))}</option>`).join('');
  return (
    `<form id="filters" class="filters" autocomplete="off">` +
    `<div class="row">${severities}</div>` +
    `<div class="row"><label>Rule <select name="rule"><option value="">every rule</option>${ruleOptions}</select></label>` +
    `<label>Chart or file <select name="where"><option value="">every chart and file</option>${whereOptions}</select></label>` +
    `<label class="grow">Search <input type="search" name="q" placeholder="object, message, file, values key…"></label></div>` +
    `<div class="row"><label class="chk"><input type="checkbox" name="blocking"> blocking only</label>` +
    `<label class="chk"><input type="checkbox" name="new"${compared ? '' : ' disabled title="no base to compare with (--base or a baseline file)"'}> new only</label>` +
    `<label class="chk"><input type="checkbox" name="sup" checked> show suppressed</label>` +
    `<output id="shown" class="dim">${plural(findings.length, 'finding')}</output></div></form>`
  );
}

function findingsHtml(result: ScanResult, listed: readonly Finding[], rules: ReadonlyMap<string, RuleMeta>, gates: (f: Finding) => boolean): string {
  const groups = groupFindings(result, listed);
  const compared = result.base !== undefined || result.baselineFile !== undefined;
  const body = groups
    .map((g) => {
      const verdict = g.verdict === undefined ? '' : ` <span class="${g.verdict.allowed ? 'ok' : 'bad'}">${esc(g.verdict.text)}</span>`;
      const objects = g.objects === undefined ? '' : ` <span class="dim">· ${plural(g.objects, 'object')}</span>`;
      const items = g.findings.map((f) => findingHtml(f, gates)).join('\n');
      return `<section class="group" data-where="${esc(g.where)}"><h3>${esc(g.heading)}${objects}${verdict}</h3>\n${items}\n</section>`;
    })
    .join('\n');
  const empty = listed.length === 0 ? '<p class="dim">No findings.</p>' : '';
  return `<section id="findings"><h2>Findings</h2>${filtersHtml(listed, groups, rules, compared)}${empty}<p id="none" class="dim" hidden>No finding matches the filters.</p>\n${body}\n</section>`;
}

// ---------------------------------------------------------------------------------------------------------
// Blast radius, drawn as a layered graph: what exposes the workload on the left, the workload, then what it
// reaches (node, service account, secrets), the bindings, the permissions they give.

const NODE_W = 190;
const GAP_X = 60;
const GAP_Y = 14;
const PAD = 12;
const LABEL_CHARS = 27;
const LABEL_LINES = 3;
const LINE_H = 15;

/** A label on at most three lines of the box, broken after a space or separator where one is near, clipped. */
function labelLines(label: string): string[] {
  let rest = [...visible(label)];
  const lines: string[] = [];
  while (rest.length > 0 && lines.length < LABEL_LINES) {
    if (rest.length <= LABEL_CHARS) {
      lines.push(rest.join(''));
      rest = [];
      break;
    }
    let cut = LABEL_CHARS;
    for (let i = LABEL_CHARS - 1; i > LABEL_CHARS / 2; i--) {
      if (rest[i] === ' ' || rest[i] === '/' || rest[i] === '>' || rest[i] === ',' || rest[i] === '-') {
        cut = i + 1;
        break;
      }
    }
    lines.push(rest.slice(0, cut).join('').trimEnd());
    rest = rest.slice(cut);
  }
  if (rest.length > 0) lines[lines.length - 1] = `${[...lines[lines.length - 1]!].slice(0, LABEL_CHARS - 1).join('')}…`;
  return lines;
}

/** Columns by distance from the workload: nodes pointing at it to its left, what it reaches to its right. */
export function layoutBlastGraph(graph: BlastGraphModel): { column: Map<string, number>; row: Map<string, number>; columns: number; rows: number[] } {
  const depth = new Map<string, number>([['n0', 0]]);
  for (const e of graph.edges) if (e.to === 'n0' && !depth.has(e.from)) depth.set(e.from, -1);
  // Edges only ever point away from nodes already placed (the model adds a node with its edge).
  for (const e of graph.edges) if (depth.has(e.from) && !depth.has(e.to)) depth.set(e.to, depth.get(e.from)! + 1);
  for (const n of graph.nodes) if (!depth.has(n.id)) depth.set(n.id, 1);
  const min = Math.min(...depth.values());
  const column = new Map<string, number>();
  const row = new Map<string, number>();
  const rows: number[] = [];
  for (const n of graph.nodes) {
    const c = depth.get(n.id)! - min;
    column.set(n.id, c);
    row.set(n.id, rows[c] ?? 0);
    rows[c] = (rows[c] ?? 0) + 1;
  }
  for (let c = 0; c < rows.length; c++) rows[c] ??= 0;
  return { column, row, columns: rows.length, rows };
}

/** The graph as inline SVG (index: a number unique in the page, for the arrow marker's id). */
export function blastSvg(graph: BlastGraphModel, index: number): string {
  const title = `What a compromise of ${graph.nodes[0]?.label ?? 'the workload'} reaches`;
  const { column, row, columns, rows } = layoutBlastGraph(graph);
  const labels = new Map(graph.nodes.map((n) => [n.id, labelLines(n.label)]));
  // One height for every box: room for the longest label.
  const nodeH = Math.max(...[...labels.values()].map((l) => l.length)) * LINE_H + 14;
  const tallest = Math.max(...rows);
  const height = PAD * 2 + tallest * nodeH + (tallest - 1) * GAP_Y;
  const width = PAD * 2 + columns * NODE_W + (columns - 1) * GAP_X;
  const position = (id: string) => {
    const c = column.get(id)!;
    const offset = ((tallest - rows[c]!) * (nodeH + GAP_Y)) / 2;
    return { x: PAD + c * (NODE_W + GAP_X), y: PAD + offset + row.get(id)! * (nodeH + GAP_Y) };
  };
  const marker = `arrow${index}`;
  const edges = graph.edges.map((e) => {
    const a = position(e.from);
    const b = position(e.to);
    const x1 = a.x + NODE_W;
    const y1 = a.y + nodeH / 2;
    const x2 = b.x - 2;
    const y2 = b.y + nodeH / 2;
    const mx = (x1 + x2) / 2;
    const path = `<path d="M${x1} ${y1} C${mx} ${y1} ${mx} ${y2} ${x2} ${y2}" marker-end="url(#${marker})"/>`;
    // The label just before the arrow's head: fanned-out edges start together but end apart.
    const label = e.label === undefined ? '' : `<text class="el" x="${x2 - 8}" y="${y2 - 5}" text-anchor="end">${esc(clipped(e.label, 24))}</text>`;
    return `<g class="edge" data-from="${e.from}" data-to="${e.to}">${path}${label}</g>`;
  });
  const nodes = graph.nodes.map((n) => {
    const { x, y } = position(n.id);
    const lines = labels.get(n.id)!;
    const texts = lines.map((l, i) => `<text x="${x + NODE_W / 2}" y="${y + nodeH / 2 + (i - (lines.length - 1) / 2) * LINE_H + 4}" text-anchor="middle">${esc(l)}</text>`).join('');
    return `<g class="node k-${n.kind}" data-node="${n.id}"><title>${esc(clipped(n.label, LIMIT.label))}</title><rect x="${x}" y="${y}" width="${NODE_W}" height="${nodeH}" rx="6"/>${texts}</g>`;
  });
  return (
    `<svg class="blast" role="img" aria-label="${esc(clipped(title, LIMIT.label))}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">` +
    `<defs><marker id="${marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z"/></marker></defs>` +
    `${edges.join('')}${nodes.join('')}</svg>`
  );
}

function blastHtml(result: ScanResult): string {
  const rows = largestBlastRadii(result, BLAST_LISTED, 'medium');
  if (rows.length === 0) return '';
  let drawn = 0;
  const items = rows.map((row) => {
    const sets = row.valueSets.length > 1 || row.valueSets[0] !== 'default' ? ` <span class="dim">values: ${esc(clipped(row.valueSets.join(', '), LIMIT.label))}</span>` : '';
    const reasons = row.reasons.map((r) => `<li>${esc(clipped(r, LIMIT.message))}</li>`).join('');
    const picture = (row.rating === 'critical' || row.rating === 'high') && drawn < BLAST_DRAWN ? `<div class="graph">${blastSvg(blastGraphModel(row.object, row.record.blastRadius), drawn++)}</div>` : '';
    return `<article class="workload"><h3><span class="sev s-${row.rating}">${SEVERITY_LABEL[row.rating]}</span> ${esc(clipped(objectLabel(row.object), LIMIT.label))} <span class="dim">${esc(clipped(row.where, LIMIT.label))}</span>${sets}</h3><ul>${reasons}</ul>${picture}</article>`;
  });
  return `<section id="blast"><h2>Largest blast radius</h2><p class="dim">What an attacker who compromises the workload could reach: privileges on the node, API permissions through its token, exposure, secrets. The ${plural(Math.min(drawn, BLAST_DRAWN), 'worst workload')} drawn, dangerous edges only.</p>${items.join('\n')}</section>`;
}

// ---------------------------------------------------------------------------------------------------------
// Pod Security verdict per workload (one row per workload and verdict, with the value sets that give it)

function levelCell(record: ObjectRecord, level: 'baseline' | 'restricted'): { html: string; denied: boolean } {
  const verdict = record.admission?.[level];
  if (verdict === undefined) return { html: '<span class="dim">—</span>', denied: false };
  if (verdict.allowed) return { html: '<span class="ok">admitted</span>', denied: false };
  const denied = [...new Set(verdict.violations.filter((v) => v.unknown === undefined).map((v) => v.check))];
  const unknown = [...new Set(verdict.violations.filter((v) => v.unknown !== undefined).map((v) => v.check))].filter((c) => !denied.includes(c));
  const parts = [denied.length > 0 ? `<span class="bad">denied</span>: ${esc(denied.join(', '))}` : '', unknown.length > 0 ? `<span class="warn">undecided</span>: ${esc(unknown.join(', '))} unknown until apply` : ''].filter(Boolean);
  return { html: parts.join('; ') || '<span class="bad">denied</span>', denied: denied.length > 0 };
}

function pssHtml(result: ScanResult): string {
  const level = result.pss.level;
  const rows = new Map<string, { record: ObjectRecord; where: string; sets: string[]; baseline: string; restricted: string; denied: boolean }>();
  for (const record of result.objects) {
    if (record.admission === undefined) continue;
    const where = record.source.chart ?? record.source.address ?? record.source.file;
    const baseline = levelCell(record, 'baseline');
    const restricted = levelCell(record, 'restricted');
    const key = [where, record.object.kind, record.object.namespace ?? '', record.object.name, baseline.html, restricted.html].join('\u0000');
    const set = record.source.valueSet;
    const row = rows.get(key);
    if (row === undefined) rows.set(key, { record, where, sets: set === undefined ? [] : [set], baseline: baseline.html, restricted: restricted.html, denied: (level === 'baseline' ? baseline : restricted).denied });
    else if (set !== undefined && !row.sets.includes(set)) row.sets.push(set);
  }
  if (rows.size === 0) return '';
  const sorted = [...rows.values()].sort((a, b) => chain(Number(b.denied) - Number(a.denied), compareText(a.where, b.where), compareText(objectLabel(a.record.object), objectLabel(b.record.object))));
  const denied = sorted.filter((r) => r.denied).length;
  const body = sorted
    .map((r) => `<tr class="${r.denied ? 'denied' : ''}"><td>${esc(clipped(objectLabel(r.record.object), LIMIT.label))}</td><td><code>${esc(clipped(r.where, LIMIT.label))}</code></td><td>${esc(clipped(r.sets.join(', ') || '—', LIMIT.label))}</td><td>${r.baseline}</td><td>${r.restricted}</td></tr>`)
    .join('\n');
  const at = pssLabel(level, result.pss.version);
  return `<section id="pss"><h2>Pod Security per workload</h2><p class="dim">${plural(sorted.length, 'workload verdict')}, ${denied} denied at the configured level (${esc(at)}); the upstream Pod Security check ids.</p><details${sorted.length <= 60 ? ' open' : ''}><summary>${plural(sorted.length, 'row')}</summary><table class="pss"><thead><tr><th>Workload</th><th>Chart or file</th><th>Value sets</th><th>baseline</th><th>restricted</th></tr></thead><tbody>\n${body}\n</tbody></table></details></section>`;
}

function suppressionsHtml(result: ScanResult): string {
  const problems = suppressionProblems(result);
  if (problems.length === 0) return '';
  const items = problems.map((p) => {
    const status = p.status === 'expired' ? `expired ${p.expires ?? ''}`.trim() : p.status;
    const why = p.message ?? (p.status === 'unused' ? 'matches no finding' : '');
    return `<li><span class="warn">${esc(status)}</span> ${esc(p.kind)} <code>${esc(clipped(locationLabel(p.file, p.line), LIMIT.label))}</code>: <code>${esc(p.rule)}</code>${p.container !== undefined ? ` (container ${esc(p.container)})` : ''}${why ? ` — ${esc(clipped(why, LIMIT.message))}` : ''}</li>`;
  });
  return `<section id="suppressions"><h2>Suppressions needing attention (${problems.length})</h2><ul>${items.join('')}</ul></section>`;
}

function fixedHtml(result: ScanResult): string {
  const fixed = [...(result.fixed ?? [])].sort(compareFindingsBySeverity);
  if (fixed.length === 0) return '';
  const items = fixed.slice(0, 500).map((f) => `<li>${sevBadge(f.severity)} <code>${esc(f.ruleId)}</code> ${esc(clipped(objectLabel(f.object), LIMIT.label))} <code>${esc(clipped(f.path || '/', LIMIT.label))}</code> <span class="dim">${esc(clipped(locationLabel(f.source.file, f.source.line), LIMIT.label))}</span></li>`);
  return `<section id="fixed"><h2>Fixed: in the base, gone now (${fixed.length})</h2><ul>${items.join('')}</ul>${fixed.length > 500 ? `<p class="dim">and ${fixed.length - 500} more</p>` : ''}</section>`;
}

// ---------------------------------------------------------------------------------------------------------
// Style and script (written without a line that starts with `::` or holds `##[`)

/** How the blast-radius SVG looks (also used by scripts/screenshots.ts for the comment's graphs). */
export const BLAST_STYLE = `
svg.blast{max-width:100%;height:auto}
svg.blast text{font:12px system-ui,sans-serif;fill:#1f2328}
svg.blast rect{fill:#fff;stroke:#8c959f;stroke-width:1.2}
svg.blast .k-workload rect{fill:#ffebe9;stroke:#cf222e;stroke-width:2}
svg.blast .k-exposure rect{fill:#ddf4ff;stroke:#0969da}
svg.blast .k-node rect{fill:#fbefff;stroke:#8250df}
svg.blast .k-account rect,svg.blast .k-role rect{fill:#f6f8fa}
svg.blast .k-permission rect{fill:#fff8c5;stroke:#bf8700}
svg.blast .k-secret rect{fill:#fff1e5;stroke:#bc4c00}
svg.blast .edge path{fill:none;stroke:#59636e;stroke-width:1.4}
svg.blast marker path{fill:#59636e}
svg.blast text.el{font-size:11px;fill:#59636e;paint-order:stroke;stroke:#fff;stroke-width:3px}
`;

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#1f2328;background:#f6f8fa}
main{max-width:1200px;margin:0 auto;padding:16px 20px 48px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 8px}
code,pre{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;overflow-wrap:anywhere}
[hidden]{display:none!important}
nav{display:flex;gap:14px;flex-wrap:wrap;margin:8px 0 0}
nav a{color:#0969da;text-decoration:none}
.verdict{border-radius:8px;padding:14px 18px;color:#fff}
.v-fail{background:#cf222e}.v-warn{background:#9a6700}.v-pass{background:#1a7f37}
.verdict .dim{color:#ffffffcc}
.lead{font-size:15px;margin:4px 0}
.dim{color:#59636e}
.ok{color:#1a7f37;font-weight:600}.bad{color:#cf222e;font-weight:600}.warn{color:#9a6700;font-weight:600}
.sumrow{display:flex;gap:24px;flex-wrap:wrap;align-items:flex-start;margin:14px 0}
.tiles{display:flex;gap:10px;flex-wrap:wrap;max-width:560px}
.tile{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:8px 14px;min-width:96px}
.tile .n{display:block;font-size:22px;font-weight:700}.tile .l{color:#59636e}
.t-bad .n{color:#cf222e}.t-good .n{color:#1a7f37}
table{border-collapse:collapse;background:#fff}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
td.num{text-align:right}
.sev{display:inline-block;min-width:76px;text-align:center;border-radius:10px;padding:0 8px;font-size:12px;font-weight:700;color:#fff;margin-right:8px}
.s-critical{background:#8250df}.s-high{background:#cf222e}.s-medium{background:#bf8700}.s-low{background:#0969da}.s-info{background:#6e7781}.s-suppressed{background:#afb8c1;color:#1f2328}
.errors{background:#fff0f0;border:1px solid #ff818266;border-radius:8px;padding:4px 14px;margin-top:16px}
.errors h2{border:0;color:#cf222e}
.emsg{white-space:pre-wrap}
.ekind{display:inline-block;min-width:72px;font-weight:600;color:#cf222e}
.filters{position:sticky;top:0;z-index:1;background:#f6f8fa;border-bottom:1px solid #d0d7de;padding:8px 0}
.filters .row{display:flex;gap:14px;flex-wrap:wrap;align-items:center;margin:4px 0}
.filters select{max-width:330px}
.filters .grow{flex:1}.filters input[type=search]{width:100%;min-width:200px;padding:3px 6px}
.chk{white-space:nowrap}
.group{margin-top:10px}
.group h3{background:#eaeef2;border-radius:6px;padding:6px 10px}
.finding{background:#fff;border:1px solid #d0d7de;border-left:4px solid #d0d7de;border-radius:6px;padding:8px 12px;margin:8px 0}
.finding[data-sev=critical]{border-left-color:#8250df}.finding[data-sev=high]{border-left-color:#cf222e}.finding[data-sev=medium]{border-left-color:#bf8700}.finding[data-sev=low]{border-left-color:#0969da}
.finding.suppressed{opacity:.72;border-left-color:#afb8c1;border-style:dashed}
.fh{display:flex;flex-wrap:wrap;gap:4px;align-items:center}
.obj{font-weight:600;margin-left:6px}
.rule{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;background:#eaeef2;border-radius:4px;padding:0 4px;color:#0969da;text-decoration:none}
.ruledoc{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:2px 12px;margin:8px 0}
.ruledoc:target{outline:2px solid #0969da}
.mark{font-size:11px;font-weight:700;text-transform:uppercase;border-radius:4px;padding:0 5px;margin-left:4px}
.m-block{background:#ffebe9;color:#cf222e}.m-new{background:#fff8c5;color:#7d4e00}.m-existing{background:#eaeef2;color:#59636e}
.msg{margin:6px 0}
dl{display:grid;grid-template-columns:110px 1fr;gap:2px 10px;margin:4px 0 0}
dt{color:#59636e}dd{margin:0;overflow-wrap:anywhere}
.key{background:#ddf4ff;border-radius:4px;padding:0 4px}
pre.diff{background:#f6f8fa;border:1px solid #d0d7de;padding:6px;margin:4px 0;white-space:pre-wrap}
.workload{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:4px 12px 8px;margin:8px 0}
.workload ul{margin:4px 0}
.graph{overflow-x:auto}
${BLAST_STYLE}table.pss{width:100%;font-size:13px}
tr.denied td:first-child{border-left:3px solid #cf222e}
footer{margin-top:32px;color:#59636e;font-size:12px}
`;

const SCRIPT = `
(function () {
  'use strict';
  var form = document.getElementById('filters');
  if (!form) return;
  var findings = Array.prototype.slice.call(document.querySelectorAll('article.finding'));
  var groups = Array.prototype.slice.call(document.querySelectorAll('section.group'));
  var texts = findings.map(function (f) { return f.textContent.toLowerCase(); });
  var shown = document.getElementById('shown');
  var none = document.getElementById('none');
  function apply() {
    var sev = {};
    Array.prototype.forEach.call(form.querySelectorAll('input[name=sev]'), function (i) { sev[i.value] = i.checked; });
    var rule = form.elements.rule.value;
    var where = form.elements.where.value;
    var q = form.elements.q.value.trim().toLowerCase();
    var blocking = form.elements.blocking.checked;
    var newOnly = form.elements['new'].checked;
    var sup = form.elements.sup.checked;
    var count = 0;
    findings.forEach(function (f, i) {
      var d = f.dataset;
      var show = sev[d.sev] === true && (rule === '' || d.rule === rule) && (where === '' || d.where === where) &&
        (!blocking || d.blocks === '1') && (!newOnly || d.status === 'new') && (sup || d.sup !== '1') &&
        (q === '' || texts[i].indexOf(q) !== -1);
      f.hidden = !show;
      if (show) count++;
    });
    groups.forEach(function (g) { g.hidden = g.querySelector('article.finding:not([hidden])') === null; });
    shown.textContent = count + ' of ' + findings.length + ' findings shown';
    none.hidden = count !== 0 || findings.length === 0;
  }
  form.addEventListener('input', apply);
  form.addEventListener('change', apply);
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  apply();
})();
`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** No network, no plugin, no form target, no base: the one style sheet and the one script, by hash. */
export const CONTENT_SECURITY_POLICY = `default-src 'none'; script-src ${sha256(SCRIPT)}; style-src ${sha256(STYLE)}; img-src 'none'; font-src 'none'; connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'`;

export function renderHtml(result: ScanResult, options: HtmlOptions = {}): string {
  const rules = new Map(ruleMetas(options.rules).map((r) => [r.id, r]));
  const max = options.maxFindings ?? DEFAULT_MAX_FINDINGS;
  const existingApart = result.base?.gate === 'new' || result.baselineFile !== undefined;
  const gates = (f: Finding) => blocks(f, result.summary.failOn) && !(existingApart && f.status === 'existing');
  // Blocking first, then by severity: when the list is capped, what blocks is never what is left out.
  const sorted = [...result.findings].sort((a, b) => chain(Number(gates(b)) - Number(gates(a)), compareFindingsBySeverity(a, b)));
  const listed = sorted.slice(0, max);
  const head = header(result);
  const blast = blastHtml(result);
  const pss = pssHtml(result);
  const nav = [
    ['#summary', 'Summary'],
    ...(result.errors.length > 0 ? [['#errors', `Errors (${result.errors.length})`]] : []),
    ['#findings', `Findings (${result.findings.length})`],
    ...(blast !== '' ? [['#blast', 'Blast radius']] : []),
    ...(pss !== '' ? [['#pss', 'Pod Security']] : []),
  ]
    .map(([href, label]) => `<a href="${href}">${esc(label!)}</a>`)
    .join('');
  const body = [
    head.html,
    `<nav>${nav}</nav>`,
    summaryHtml(result, listed.length, sorted.length),
    errorsHtml(result),
    findingsHtml(result, listed, rules, gates),
    blast,
    pss,
    suppressionsHtml(result),
    fixedHtml(result),
    rulesHtml(listed, rules),
    `<footer>preadmit ${esc(result.tool.version)} · ${esc(formatMs(result.summary.totalMs))} · self-contained report: nothing is loaded from the network.</footer>`,
  ]
    .filter(Boolean)
    .join('\n');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>preadmit: ${esc(head.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    body,
    '</main>',
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

