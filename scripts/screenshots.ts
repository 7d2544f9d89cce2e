// The screenshots in docs/screenshots/ (not part of the test suite): preadmit's three faces on the example
// chart, photographed with Debian's headless Chromium through playwright-core (no browser download).
//   npx tsx scripts/screenshots.ts [--chromium /usr/bin/chromium] [--helm PATH] [--out docs/screenshots]
//
// - terminal.png: `preadmit scan examples/insecure-chart --min-severity medium` as a 100-column colour
//   terminal shows it (the text reporter's ANSI output, coloured and wrapped here the way a terminal would);
// - pr-comment.png: the sticky pull-request comment the Action composes, turned into HTML by the small
//   converter below (only the Markdown the comment uses: headings, tables, alerts, details, code spans,
//   links, emphasis) with GitHub-like styling. Three liberties, for this picture only: the severity emoji
//   become coloured dots (the machine has no emoji font), each Mermaid block is drawn with the HTML
//   report's own SVG layout of the same nodes and edges (GitHub draws it with Mermaid), and the collapsed
//   blast-radius pictures are shown opened;
// - html-report.png, html-report-blast.png: the HTML report (--format html), its top and its blast radius,
//   of the example chart and a small ops-agent chart written here whose token reaches secrets, exec and
//   the kubelet through a ClusterRole (the blast radius the example chart alone does not show).
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { RULES } from '../rules/index.ts';
import { blobUrl, commentMarker, composeReport } from '../src/action/report.ts';
import type { BlastGraphModel } from '../src/reporters/blast-graph.ts';
import { BLAST_STYLE, blastSvg, renderHtml } from '../src/reporters/html.ts';
import { renderText } from '../src/reporters/text.ts';
import { scan } from '../src/pipeline/scan.ts';
import { provisionHelm } from './provision-helm.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { chromium: { type: 'string' }, helm: { type: 'string' }, out: { type: 'string' } } });
const out = path.resolve(values.out ?? path.join(root, 'docs', 'screenshots'));
const COLUMNS = 100;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

// ---------------------------------------------------------------------------------------------------------
// A terminal: ANSI SGR codes (bold, dim, the colours text.ts uses) to spans.

const SGR_CLASS: Record<number, string> = { 1: 'b', 2: 'd', 31: 'red', 32: 'green', 33: 'yellow', 35: 'magenta', 36: 'cyan', 90: 'gray' };

function ansiToHtml(text: string): string {
  let bold = false;
  let dim = false;
  let color: string | undefined;
  let html = '';
  for (const part of text.split(/(\u001b\[[0-9;]*m)/)) {
    const sgr = /^\u001b\[([0-9;]*)m$/.exec(part);
    if (sgr === null) {
      if (part === '') continue;
      const classes = [bold ? 'b' : '', dim ? 'd' : '', color ?? ''].filter(Boolean).join(' ');
      html += classes === '' ? escapeHtml(part) : `<span class="${classes}">${escapeHtml(part)}</span>`;
      continue;
    }
    for (const code of (sgr[1] || '0').split(';').map(Number)) {
      if (code === 0) [bold, dim, color] = [false, false, undefined];
      else if (code === 1) bold = true;
      else if (code === 2) dim = true;
      else if (code === 22) [bold, dim] = [false, false];
      else if (code === 39) color = undefined;
      else if (SGR_CLASS[code] !== undefined) color = SGR_CLASS[code];
    }
  }
  return html;
}

function terminalPage(ansi: string, command: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;background:#d7dce2;padding:20px;display:inline-block}
.win{background:#1e1f22;border-radius:8px;box-shadow:0 4px 18px #0004;overflow:hidden;display:inline-block}
.bar{background:#33363b;padding:7px 12px;display:flex;gap:7px;align-items:center}
.bar i{width:12px;height:12px;border-radius:50%;display:inline-block}
.bar span{color:#aab;font:12px "DejaVu Sans",sans-serif;margin-left:12px}
pre{margin:0;padding:12px 14px;color:#d4d4d4;font:13px/1.35 "DejaVu Sans Mono",monospace;width:calc(${COLUMNS}ch + 28px);white-space:pre-wrap;word-break:break-all}
.b{font-weight:bold}.d{opacity:.62}.red{color:#f14c4c}.green{color:#23d18b}.yellow{color:#e5c07b}.magenta{color:#d670d6}.cyan{color:#29b8db}.gray{color:#8a8a8a}
.prompt{color:#23d18b}
</style></head><body><div class="win"><div class="bar"><i style="background:#ff5f57"></i><i style="background:#febc2e"></i><i style="background:#28c840"></i><span>bash — ${COLUMNS} columns</span></div>
<pre><span class="prompt">$</span> ${escapeHtml(command)}
${ansiToHtml(ansi)}</pre></div></body></html>`;
}

// ---------------------------------------------------------------------------------------------------------
// The comment's Markdown, the subset it uses, to HTML.

const EMOJI: Record<string, string> = {
  '🔴': '<i class="dot" style="background:#d1242f"></i>',
  '🟠': '<i class="dot" style="background:#fb8500"></i>',
  '🟡': '<i class="dot" style="background:#e3b341"></i>',
  '🔵': '<i class="dot" style="background:#218bff"></i>',
  '⚪': '<i class="dot" style="background:#fff;border:1px solid #8c959f"></i>',
  '❌': '<b style="color:#d1242f">✖</b>',
  '✅': '<b style="color:#1a7f37">✔</b>',
  '⚠️': '<b style="color:#9a6700">⚠</b>',
  '❔': '<b style="color:#59636e">?</b>',
};

function inline(text: string): string {
  const held: string[] = [];
  const hold = (html: string) => `\u0000${held.push(html) - 1}\u0000`;
  let s = text
    .replace(/\\([\\`*_{}[\]()#+\-.!|~$^<>])/g, (_, c: string) => hold(escapeHtml(c)))
    .replace(/`([^`]+)`/g, (_, code: string) => hold(`<code>${escapeHtml(code)}</code>`));
  s = s
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, label: string, url: string) => `<a href="${url}">${label}</a>`)
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[\s(>])_(\S(?:.*?\S)?)_(?=$|[\s).,:;<])/g, '$1<em>$2</em>');
  for (const [emoji, html] of Object.entries(EMOJI)) s = s.split(emoji).join(html);
  return s.replace(/\u0000(\d+)\u0000/g, (_, i: string) => held[Number(i)]!);
}

function cells(row: string): string[] {
  const parts: string[] = [];
  let cell = '';
  const body = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\' && i + 1 < body.length) {
      cell += body[i]! + body[i + 1]!;
      i++;
    } else if (body[i] === '|') {
      parts.push(cell.trim());
      cell = '';
    } else cell += body[i];
  }
  parts.push(cell.trim());
  return parts;
}

/** A Mermaid `graph LR` block as preadmit writes it (blast-graph.ts) back to nodes and edges. */
function mermaidModel(lines: string[]): BlastGraphModel {
  const decode = (label: string) => label.replace(/#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)));
  const model: BlastGraphModel = { nodes: [], edges: [] };
  for (const line of lines) {
    const node = /^\s*(n\d+)\["(.*)"\]$/.exec(line);
    if (node !== null) model.nodes.push({ id: node[1]!, kind: node[1] === 'n0' ? 'workload' : 'role', label: decode(node[2]!) });
    const edge = /^\s*(n\d+) -->(?:\|"(.*)"\|)? (n\d+)$/.exec(line);
    if (edge !== null) model.edges.push({ from: edge[1]!, to: edge[3]!, ...(edge[2] !== undefined && { label: decode(edge[2]) }) });
  }
  // Colour the picture as the HTML report does, from what each node says.
  for (const n of model.nodes) {
    if (n.id === 'n0') continue;
    if (/^(Ingress|LoadBalancer|NodePort|ClusterIP)/.test(n.label)) n.kind = 'exposure';
    else if (/^node/.test(n.label)) n.kind = 'node';
    else if (/^ServiceAccount /.test(n.label)) n.kind = 'account';
    else if (/Secret/.test(n.label)) n.kind = 'secret';
    else if (/\((cluster|[a-z0-9-]+)\)$/.test(n.label)) n.kind = 'permission';
  }
  return model;
}

function markdownToHtml(markdown: string): string {
  const lines = markdown.split('\n');
  const html: string[] = [];
  let graphs = 0;
  for (let i = 0; i < lines.length; ) {
    const line = lines[i]!;
    if (line.trim() === '' || /^<!--.*-->$/.test(line.trim())) {
      i++;
    } else if (line.startsWith('```')) {
      const lang = line.slice(3).trim();
      const block: string[] = [];
      for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) block.push(lines[i]!);
      i++;
      html.push(lang === 'mermaid' ? `<div class="mermaid">${blastSvg(mermaidModel(block), graphs++)}</div>` : `<pre>${escapeHtml(block.join('\n'))}</pre>`);
    } else if (/^#{1,6} /.test(line)) {
      const level = /^#+/.exec(line)![0].length;
      html.push(`<h${level}>${inline(line.slice(level + 1))}</h${level}>`);
      i++;
    } else if (line.startsWith('|') && lines[i + 1]?.startsWith('| ---') === true || (line.startsWith('|') && /^\|\s*:?-/.test(lines[i + 1] ?? ''))) {
      const head = cells(line);
      const align = cells(lines[i + 1]!).map((c) => (c.endsWith(':') && c.startsWith(':') ? 'center' : c.endsWith(':') ? 'right' : ''));
      const rows: string[][] = [];
      for (i += 2; i < lines.length && lines[i]!.startsWith('|'); i++) rows.push(cells(lines[i]!));
      const td = (tag: string, c: string, k: number) => `<${tag}${align[k] ? ` align="${align[k]}"` : ''}>${inline(c)}</${tag}>`;
      html.push(`<table><thead><tr>${head.map((c, k) => td('th', c, k)).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c, k) => td('td', c, k)).join('')}</tr>`).join('')}</tbody></table>`);
    } else if (line.startsWith('>')) {
      const quote: string[] = [];
      for (; i < lines.length && lines[i]!.startsWith('>'); i++) quote.push(lines[i]!.replace(/^> ?/, ''));
      const kind = /^\[!(NOTE|WARNING)\]$/.exec(quote[0] ?? '')?.[1];
      html.push(kind === undefined ? `<blockquote>${inline(quote.join(' '))}</blockquote>` : `<div class="alert ${kind.toLowerCase()}"><p class="title">${kind === 'NOTE' ? 'ⓘ Note' : '⚠ Warning'}</p><p>${inline(quote.slice(1).join(' '))}</p></div>`);
    } else if (/^<\/?(details|summary)/.test(line)) {
      // The blast-radius pictures are opened (a reader clicks them open on GitHub); the rest stays collapsed.
      html.push(inline(line.replace(/^<details>(?=<summary>.*what a compromise reaches)/, '<details open>')));
      i++;
    } else {
      const para: string[] = [];
      for (; i < lines.length && lines[i]!.trim() !== '' && !/^(#{1,6} |\||>|```|<\/?details|<summary)/.test(lines[i]!); i++) para.push(lines[i]!);
      html.push(`<p>${inline(para.join(' '))}</p>`);
    }
  }
  return html.join('\n');
}

function commentPage(body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;background:#fff;font:14px/1.5 -apple-system,"Segoe UI","Noto Sans","Liberation Sans",Helvetica,Arial,sans-serif;color:#1f2328;display:inline-block}
.frame{width:960px;margin:16px;border:1px solid #d0d7de;border-radius:6px}
.head{background:#f6f8fa;border-bottom:1px solid #d0d7de;padding:8px 16px;color:#59636e;border-radius:6px 6px 0 0}
.head b{color:#1f2328}.bot{border:1px solid #d0d7de;border-radius:2em;padding:0 6px;font-size:12px;margin:0 4px}
.md{padding:16px}
h3{font-size:20px;margin:0 0 16px}h4{font-size:16px;margin:24px 0 12px}
p{margin:0 0 12px}
table{border-collapse:collapse;margin:0 0 16px}
table:has(th:nth-child(5)){width:100%}table:has(th:nth-child(5)) td:last-child{width:28%}td:last-child a,td:last-child code{overflow-wrap:anywhere}
th,td{border:1px solid #d0d7de;padding:6px 13px;vertical-align:top}th{font-weight:600}
tr:nth-child(2n){background:#f6f8fa}
code{font:85% "DejaVu Sans Mono",monospace;background:#818b981f;border-radius:6px;padding:.2em .4em}
sub{font-size:75%}
a{color:#0969da;text-decoration:none}
details{margin:0 0 12px}summary{cursor:pointer}
.alert{border-left:4px solid #0969da;padding:4px 16px;margin:0 0 16px}.alert .title{color:#0969da;font-weight:600;margin:0 0 4px}
.alert.warning{border-color:#9a6700}.alert.warning .title{color:#9a6700}
.dot{display:inline-block;width:12px;height:12px;border-radius:50%;vertical-align:-1px;margin-right:2px}
.mermaid{border:1px solid #d0d7de;border-radius:6px;padding:8px;margin:8px 0 16px;overflow:auto}
${BLAST_STYLE}
</style></head><body><div class="frame"><div class="head"><b>github-actions</b><span class="bot">bot</span> commented</div>
<div class="md">${body}</div></div></body></html>`;
}

// ---------------------------------------------------------------------------------------------------------

const OPS_AGENT: Record<string, string> = {
  'Chart.yaml': 'apiVersion: v2\nname: ops-agent\nversion: 0.3.0\n',
  'values.yaml': 'image: registry.example/ops-agent:0.3.0\nservice:\n  type: LoadBalancer\ningress:\n  host: ops.example.com\n',
  'templates/rbac.yaml': `apiVersion: v1
kind: ServiceAccount
metadata: {name: ops-agent}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ops-agent}
rules:
  - {apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}
  - {apiGroups: [""], resources: [pods/exec], verbs: [create]}
  - {apiGroups: [""], resources: [nodes/proxy], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-agent}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ops-agent}
subjects: [{kind: ServiceAccount, name: ops-agent, namespace: "{{ .Release.Namespace }}"}]
`,
  'templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: ops-agent, labels: {app: ops-agent}}
spec:
  selector: {matchLabels: {app: ops-agent}}
  template:
    metadata: {labels: {app: ops-agent}}
    spec:
      serviceAccountName: ops-agent
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: agent
          image: {{ .Values.image }}
          securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
          envFrom: [{secretRef: {name: ops-agent-credentials}}]
---
apiVersion: v1
kind: Service
metadata: {name: ops-agent}
spec: {type: {{ .Values.service.type }}, selector: {app: ops-agent}, ports: [{port: 8080}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ops-agent}
spec:
  rules:
    - host: {{ .Values.ingress.host }}
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: ops-agent, port: {number: 8080}}}}]}
`,
};

async function shoot(page: Page, html: string, png: string, select?: string): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-shot-'));
  const file = path.join(dir, 'page.html');
  writeFileSync(file, html);
  await page.goto(`file://${file}`);
  // A selector: that element whole; none: what the window shows.
  if (select === undefined) await page.screenshot({ path: png });
  else await page.locator(select).screenshot({ path: png });
  console.log(path.relative(root, png));
}

const helm = values.helm ?? (await provisionHelm('v3'));
process.chdir(root);
const result = await scan({ paths: ['examples/insecure-chart'], helmPath: helm });
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: values.chromium ?? process.env.PREADMIT_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--hide-scrollbars', '--force-device-scale-factor=1'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // --min-severity medium keeps the picture to one screen of findings; lines wrap at 100 columns as a terminal wraps them.
  await shoot(page, terminalPage(renderText(result, { color: true, width: COLUMNS, minSeverity: 'medium' }), 'preadmit scan examples/insecure-chart --min-severity medium'), path.join(out, 'terminal.png'), '.win');
  const comment = composeReport(result, { rules: RULES, limit: 65_536, prefix: `${commentMarker('preadmit')}\n`, fileUrl: blobUrl('https://github.com', 'octo-org', 'charts', 'a1b2c3d') });
  await shoot(page, commentPage(markdownToHtml(comment)), path.join(out, 'pr-comment.png'), '.frame');
  const work = mkdtempSync(path.join(os.tmpdir(), 'preadmit-shots-'));
  cpSync(path.join(root, 'examples', 'insecure-chart'), path.join(work, 'charts', 'insecure-chart'), { recursive: true });
  for (const [file, text] of Object.entries(OPS_AGENT)) {
    mkdirSync(path.dirname(path.join(work, 'charts', 'ops-agent', file)), { recursive: true });
    writeFileSync(path.join(work, 'charts', 'ops-agent', file), text);
  }
  process.chdir(work);
  const report = renderHtml(await scan({ paths: ['charts'], helmPath: helm }), { rules: RULES });
  await page.setViewportSize({ width: 1280, height: 1400 });
  await shoot(page, report, path.join(out, 'html-report.png'));
  await page.locator('#blast').screenshot({ path: path.join(out, 'html-report-blast.png') });
  console.log(path.relative(root, path.join(out, 'html-report-blast.png')));
} finally {
  await browser.close();
}
