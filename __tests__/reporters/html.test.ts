import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Finding, ScanResult } from '../../src/model/model.ts';
import { blastGraphModel } from '../../src/reporters/blast-graph.ts';
import { CONTENT_SECURITY_POLICY, esc, layoutBlastGraph, renderHtml } from '../../src/reporters/html.ts';
import { hasRunnerCommand } from '../../src/reporters/runner-commands.ts';
import { blastRadius, finding, helmSource, HOSTILE, HOSTILE_ALL, manifestSource, ref, RULES, sampleResult } from './fixtures.ts';

const SCRIPT_ATTACK = '</script><script>alert(1)</script><img src=x onerror=alert(2)>{{ .Values.x }}\u202eevil\u2066';

/** The findings' articles, in order, with their data attributes. */
function articles(html: string): Record<string, string>[] {
  return [...html.matchAll(/<article class="finding[^"]*" ([^>]*)>/g)].map((m) => Object.fromEntries([...m[1]!.matchAll(/data-(\w+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])));
}

function withBlast(result: ScanResult): ScanResult {
  result.objects[0]!.blastRadius = blastRadius();
  return result;
}

describe('HTML report', () => {
  it('is one self-contained document: no URL it would load, the inline style and script allowed by their hashes', () => {
    const html = renderHtml(withBlast(sampleResult()), { rules: RULES });
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html.endsWith('</html>\n')).toBe(true);
    expect(html).not.toMatch(/<link|<iframe|<object|<embed|<img|@import|url\((?!#arrow\d+\))/i);
    expect(html).not.toMatch(/\ssrc=/i);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html.match(/<style/g)).toHaveLength(1);
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    expect(CONTENT_SECURITY_POLICY).toContain(`script-src ${hash(script)};`);
    expect(CONTENT_SECURITY_POLICY).toContain(`style-src ${hash(style)};`);
    expect(CONTENT_SECURITY_POLICY).toMatch(/^default-src 'none';/);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`);
    // The only links are the rules' https references, opened without a referrer.
    for (const m of html.matchAll(/href="([^"]*)"/g)) expect(m[1]!.replaceAll('&#58;', ':').replaceAll('&#35;', '#')).toMatch(/^(#[a-z]+|https:\/\/kubernetes\.io\/)/);
  });

  it('leads with the verdict and the counts, then the errors', () => {
    const html = renderHtml(sampleResult(), { rules: RULES });
    expect(html).toContain('<title>preadmit: FAIL&#58; 4 blocking findings</title>');
    expect(html).toContain('<header class="verdict v-fail"><h1>FAIL&#58; 4 blocking findings</h1>');
    const order = ['id="summary"', 'id="errors"', 'id="findings"', 'id="pss"'].map((s) => html.indexOf(s));
    expect(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
    expect(html).toContain('<span class="ekind">render</span> <code>charts/broken</code>');
    expect(html).toContain('<code>deploy/bad.yaml&#58;4</code> <span class="emsg">mapping values are not allowed here</span>');
    const clean = renderHtml({ ...sampleResult(), findings: [], errors: [], summary: { ...sampleResult().summary, verdict: 'pass', blocking: 0, findings: 0, errors: 0 } }, { rules: RULES });
    expect(clean).toContain('<header class="verdict v-pass"><h1>PASS&#58; no blocking findings</h1>');
    expect(clean).not.toContain('id="errors"');
  });

  it('groups findings by chart and value set (defaults first), then files, with the values line, template line and fix', () => {
    const result = sampleResult();
    const f = result.findings[0]!;
    f.source = { ...f.source, values: { file: 'charts/shop/values.yaml', line: 12, key: 'securityContext.privileged' }, templateLocation: { file: 'charts/shop/templates/deployment.yaml', line: 31 } };
    f.fix = { file: 'charts/shop/values.yaml', line: 12, endLine: 12, replacement: '  privileged: false', diff: '-  privileged: true\n+  privileged: false', description: 'set securityContext.privileged to false' };
    f.remediation = 'Set `privileged: false`, or `<b>` odd ` ticks.';
    result.findings[2]!.valueSets = ['prod'];
    const html = renderHtml(result, { rules: RULES });
    // Remediations' Markdown code becomes code elements only in pairs; the text stays escaped.
    expect(html).toContain('<dt>Fix</dt><dd>Set &#96;privileged&#58; false&#96;, or &#96;&lt;b&gt;&#96; odd &#96; ticks.</dd>');
    result.findings[0]!.remediation = 'Set `privileged: false` or `<b>`.';
    expect(renderHtml(result, { rules: RULES })).toContain('<dt>Fix</dt><dd>Set <code>privileged&#58; false</code> or <code>&lt;b&gt;</code>.</dd>');
    // Which value sets show a finding, when not the chart's defaults.
    expect(html.match(/<dt>Value sets<\/dt><dd>[^<]*<\/dd>/g)).toEqual(['<dt>Value sets</dt><dd>only with values prod</dd>']);
    const headings = [...html.matchAll(/<section class="group" data-where="([^"]*)"><h3>([^<]*)/g)].map((m) => m[2]!.trim());
    expect(headings).toEqual(['chart charts/shop · values&#58; default', 'chart charts/shop · values&#58; prod', 'file deploy/app.yaml', 'file deploy/rbac.yaml', 'Terraform plan infra/main.tf']);
    expect(html).toContain('<dt>Change</dt><dd><code>charts/shop/values.yaml&#58;12</code> <code class="key">securityContext.privileged</code></dd><dt>Template</dt><dd><code>charts/shop/templates/deployment.yaml&#58;31</code></dd>');
    expect(html).toContain('<dt>Fix</dt><dd>Fix it.</dd>');
    expect(html).toContain('set securityContext.privileged to false');
    expect(html).toContain('<pre class="diff">-  privileged&#58; true\n+  privileged&#58; false</pre>');
    expect(html).toContain('denied at restricted&#58;latest by privileged, runAsNonRoot');
    const rows = articles(html);
    expect(rows).toHaveLength(8);
    expect(rows[0]).toEqual({ sev: 'critical', rule: 'pss-privileged', where: 'charts/shop', status: '', blocks: '1', sup: '0' });
    expect(rows.filter((r) => r.where === 'deploy/app.yaml').map((r) => r.rule)).toEqual(['pss-privileged', 'resources-missing']);
  });

  it('shows a suppressed finding as suppressed, never blocking', () => {
    const result = sampleResult();
    result.findings[0]!.suppressed = { kind: 'config', reason: 'accepted for the migration', file: '.preadmit.yaml', line: 7, expires: '2027-01-01' };
    const html = renderHtml(result, { rules: RULES });
    const article = /<article class="finding suppressed"[\s\S]*?<\/article>/.exec(html)![0];
    expect(article).toContain('data-blocks="0" data-sup="1"');
    expect(article).toContain('<span class="sev s-suppressed" title="suppressed (critical)">Suppressed</span>');
    expect(article).not.toContain('m-block');
    expect(article).toContain('suppressed by config .preadmit.yaml&#58;7&#58; accepted for the migration (expires 2027-01-01)');
  });

  it('marks new and existing findings against a base, and enables the new-only filter', () => {
    const result = sampleResult();
    result.base = { revision: 'main', sha: 'a'.repeat(40), gate: 'new', rendered: ['charts/shop'], unchanged: [], errors: 0 };
    result.findings.forEach((f, i) => (f.status = i === 0 ? 'new' : 'existing'));
    result.summary = { ...result.summary, new: 1, existing: 7, fixed: 2 };
    const html = renderHtml(result, { rules: RULES });
    expect(html).toContain('<div class="tile t-bad"><span class="n">1</span><span class="l">new</span></div>');
    expect(html).toContain('<span class="n">2</span><span class="l">fixed</span>');
    expect(html).toContain('<input type="checkbox" name="new"> new only');
    expect(html).toContain('1 new · 7 existing · 2 fixed against main (aaaaaaaaaaaa)');
    // Existing findings never gate when the base gates on new ones.
    expect(articles(html).filter((r) => r.blocks === '1').map((r) => r.status)).toEqual(['new']);
    expect(renderHtml(sampleResult(), { rules: RULES })).toMatch(/name="new" disabled/);
  });

  it('lists the most severe findings when capped, blocking first, and says so', () => {
    const result = sampleResult();
    const html = renderHtml(result, { rules: RULES, maxFindings: 3 });
    expect(articles(html).map((r) => r.sev).sort()).toEqual(['critical', 'critical', 'high']);
    expect(html).toContain('The 3 most severe findings of 8 are listed here; the JSON and SARIF reports have every one.');
  });

  it('draws the blast radius of the riskiest workloads as SVG: the same nodes and edges as the Mermaid graph', () => {
    const result = withBlast(sampleResult());
    const html = renderHtml(result, { rules: RULES });
    const svg = /<svg class="blast"[\s\S]*?<\/svg>/.exec(html)![0];
    const model = blastGraphModel(ref('Deployment', 'web', 'shop'), blastRadius());
    const nodes = [...svg.matchAll(/<g class="node k-(\w+)" data-node="(n\d+)"><title>([^<]*)<\/title>/g)].map((m) => [m[2], m[1], m[3]]);
    expect(nodes).toEqual(model.nodes.map((n) => [n.id, n.kind, esc(n.label)]));
    expect(nodes.map((n) => n[2])).toEqual(['Deployment shop/web', 'Ingress web', 'node&#58; privileged', 'ServiceAccount shop/web', 'ClusterRoleBinding/web-admin -&gt; ClusterRole/cluster-admin', 'read all secrets (cluster)', 'reads every Secret in the cluster', 'Secrets db-password']);
    const edges = [...svg.matchAll(/<g class="edge" data-from="(n\d+)" data-to="(n\d+)">/g)].map((m) => `${m[1]}>${m[2]}`);
    expect(edges).toEqual(model.edges.map((e) => `${e.from}>${e.to}`));
    expect(html).toContain('<li>can read all secrets in the cluster</li>');
  });

  it('lays the graph out in layers: what exposes the workload, the workload, what it reaches, bindings, permissions', () => {
    const model = blastGraphModel(ref('Deployment', 'web', 'shop'), blastRadius());
    const { column, columns } = layoutBlastGraph(model);
    const byLabel = (label: string) => column.get(model.nodes.find((n) => n.label === label)!.id);
    expect(columns).toBe(5);
    expect([byLabel('Ingress web'), byLabel('Deployment shop/web'), byLabel('ServiceAccount shop/web'), byLabel('ClusterRoleBinding/web-admin -> ClusterRole/cluster-admin'), byLabel('read all secrets (cluster)')]).toEqual([0, 1, 2, 3, 4]);
  });

  it('gives the Pod Security verdict of every workload, denied first', () => {
    const html = renderHtml(sampleResult(), { rules: RULES });
    const rows = [...html.matchAll(/<tr class="(denied)?"><td>([^<]*)<\/td><td><code>([^<]*)<\/code><\/td><td>([^<]*)<\/td>/g)].map((m) => [m[1] ?? '', m[2], m[3], m[4]]);
    expect(rows).toEqual([
      ['denied', 'Deployment shop/web', 'charts/shop', 'default'],
      ['denied', 'Deployment shop/web', 'charts/shop', 'prod'],
      ['denied', 'Pod default/debug', 'deploy/app.yaml', '—'],
      ['', 'StatefulSet shop/worker', 'charts/shop', 'default'],
      ['', 'Deployment prod/api', 'module.app.kubernetes_manifest.web', '—'],
    ]);
    expect(html).toContain('<span class="bad">denied</span>: privileged, runAsNonRoot');
  });

  it('writes every scanned value as inert text: no markup, entity, bidi or control character, no runner command', () => {
    const hostile = `${HOSTILE_ALL} ${SCRIPT_ATTACK} ::error::x ##[add-mask]y`;
    const object = ref('Deployment', hostile, hostile);
    const f: Finding = finding({ ruleId: hostile, object, message: hostile, path: `/${hostile}`, remediation: hostile, source: helmSource({ chart: hostile, file: hostile, valueSet: hostile, values: { file: hostile, line: 1, key: hostile } }) });
    f.suppressed = { kind: 'comment', reason: hostile, file: hostile };
    f.fix = { file: hostile, line: 1, endLine: 1, replacement: hostile, diff: `${hostile}\n${hostile}`, description: hostile };
    const result = sampleResult({ findings: [f, finding({ object, source: manifestSource({ file: hostile }) })], errors: [{ kind: 'render', file: hostile, message: hostile }] });
    result.objects.push({ object, source: manifestSource({ file: hostile }), admission: { version: 'latest', baseline: { allowed: false, violations: [{ check: hostile, reason: hostile, detail: hostile }] }, restricted: { allowed: true, violations: [] } }, blastRadius: { ...blastRadius(), reasons: [hostile], secrets: { mounted: [hostile], readable: 'cluster' } } });
    result.suppressions = [{ kind: 'config', status: 'unused', rule: hostile, file: hostile, matched: 0, message: hostile }];
    const html = renderHtml(result, { rules: RULES });
    expect(html).toContain('onerror=alert(2)'); // there, as text
    const markup = html.replace(/<\/?(!doctype|html|head|meta|title|style|body|main|header|h[123]|p|nav|a|section|div|span|table|thead|tbody|tr|th|td|ul|li|code|form|label|input|select|option|output|article|dl|dt|dd|pre|strong|details|summary|svg|defs|marker|path|g|text|rect|footer|script)\b[^>]*>/gi, '');
    expect(markup).not.toMatch(/[<>]/);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(html).toContain('\\u202eevil\\u2066');
    expect(hasRunnerCommand(html)).toBe(false);
    // Only the entities the escaper writes: an entity in the scanned text shows as written.
    expect(html).toContain('&amp;lt;b&amp;gt; &amp;amp;');
    for (const m of html.matchAll(/&([^;\s]*);/g)) expect(m[1]).toMatch(/^(amp|lt|gt|quot|#39|#96|#58|#91|#35)$/);
    // Attributes cannot be closed early: no value contains a raw quote.
    for (const m of html.matchAll(/data-(?:rule|where)="([^"]*)"/g)) expect(m[1]).not.toMatch(/["'<>]/);
  });

  it('esc shows controls and bidi characters as escapes, keeps line breaks only when asked', () => {
    expect(esc('a\u202eb\u0007c\nd')).toBe('a\\u202eb\\x07c\\x0ad');
    expect(esc('a\nb', true)).toBe('a\nb');
    expect(esc(`${HOSTILE.html} "q" 'q' \`x\` a::b ##[c]`)).toBe('&lt;img src=x onerror=alert(1)&gt; &quot;q&quot; &#39;q&#39; &#96;x&#96; a&#58;&#58;b &#35;&#35;&#91;c]');
  });
});
