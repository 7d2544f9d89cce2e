// Provenance renders of a subset of a chart's templates (issue 18): which files may be left out, and with
// real helm 3 and 4, that the kept templates render exactly as in the full render, that a file included by
// its path comes along, that data another file changes keeps that file, and that a subset render helm
// refuses for a missing template is made again with every file.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { locateHelm, renderChart, renderStats, resetRenderStats, splitRendered, type HelmBinary, type RenderRequest } from '../../src/render/helm.ts';
import { omittedTemplates, templateIndex } from '../../src/render/template-subset.ts';
import { RenderCache, runWithRenderCache } from '../../src/render/render-cache.ts';
import { scan } from '../../src/pipeline/scan.ts';

function chart(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'preadmit-subset-'));
  mkdirSync(path.join(root, '.git'));
  const dir = path.join(root, 'c');
  const all = { 'Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n', 'values.yaml': 'x: original\n', ...files };
  for (const [name, text] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const cm = (name: string, data = 'a: "1"') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  ${data}\n`;

describe('which template files a subset render leaves out', () => {
  it('leaves out the other templates, never helpers, defines or files that change shared data', () => {
    const dir = chart({
      'templates/_helpers.tpl': '{{- define "c.name" -}}c{{- end -}}\n',
      'templates/a.yaml': cm('{{ include "c.name" . }}-a'),
      'templates/b.yaml': cm('b'),
      'templates/sub/c.yaml': cm('c'),
      'templates/defines.yaml': '{{- define "c.other" -}}o{{- end -}}\n' + cm('d'),
      'templates/mutates.yaml': '{{- $_ := set .Values "x" "changed" }}\n' + cm('m'),
    });
    const omitted = omittedTemplates(templateIndex(dir), ['templates/a.yaml']);
    // A folder all of whose files are left out is named instead of its files.
    expect(omitted.sort()).toEqual(['templates/b.yaml', 'templates/sub']);
  });

  it('keeps a file that calls a named template which changes data, and what a kept file names by path', () => {
    const dir = chart({
      'templates/_helpers.tpl': '{{- define "c.merge" -}}{{- $_ := merge .Values.labels (dict "a" "b") -}}{{- end -}}\n',
      'templates/a.yaml': cm('a', 'sum: {{ include (print $.Template.BasePath "/config/b.yaml") . | sha256sum }}'),
      'templates/config/b.yaml': cm('b'),
      'templates/calls.yaml': '{{- include "c.merge" . }}\n' + cm('calls'),
      'templates/other.yaml': cm('other'),
    });
    const omitted = omittedTemplates(templateIndex(dir), ['templates/a.yaml']);
    expect(omitted).toEqual(['templates/other.yaml']);
  });

  it('treats a named template no file here defines (an archived subchart, a computed name) as one that changes data', () => {
    const dir = chart({
      'templates/a.yaml': cm('a'),
      'templates/uses-archive.yaml': '{{- include "common.labels" . }}\n' + cm('u'),
      'templates/plain.yaml': cm('p'),
    });
    expect(omittedTemplates(templateIndex(dir), ['templates/a.yaml'])).toEqual(['templates/plain.yaml']);
  });

  it('a dict the file made may have its own keys changed; a merge into one (its maps may be shared) or of shared data may not', () => {
    const dir = chart({
      'templates/a.yaml': cm('a'),
      'templates/own-keys.yaml': '{{- $d := dict "a" .Values.a }}{{- $_ := set $d "k" "v" }}\n' + cm('own'),
      'templates/parsed.yaml': '{{- $p := include "x" . | fromYaml }}{{- $_ := set $p "nodeAffinity" (mergeOverwrite $p.nodeAffinity (dict "a" "b")) }}\n' + cm('parsed'),
      'templates/_x.tpl': '{{- define "x" -}}a: {}{{- end -}}\n',
      'templates/deep-merge.yaml': '{{- $d := dict }}{{- $_ := merge $d .Values.a }}{{- $_ := mergeOverwrite $d (dict "sub" (dict "x" "changed")) }}\n' + cm('deep'),
      'templates/pick.yaml': '{{- $_ := mergeOverwrite (pick .Values "a") (dict "a" (dict "x" "changed")) }}\n' + cm('pick'),
      'templates/values.yaml': '{{- $_ := set .Values "x" "changed" }}\n' + cm('values'),
      'templates/sorts.yaml': '{{- $_ := sortAlpha .Chart.Keywords }}\n' + cm('sorts'),
      'templates/fails.yaml': '{{- if .Values.strict }}{{ fail "strict" }}{{ end }}\n' + cm('fails'),
      'templates/strings.yaml': '{{- /* set merge */ -}}\n' + cm('strings', 'a: {{ "please set merge" | quote }}'),
    });
    expect(omittedTemplates(templateIndex(dir), ['templates/a.yaml']).sort()).toEqual(['templates/own-keys.yaml', 'templates/parsed.yaml', 'templates/strings.yaml']);
  });

  it('reads what tpl may be handed: the chart\'s other files and the render\'s values files', () => {
    const dir = chart({
      'templates/a.yaml': cm('a'),
      'templates/runs-tpl.yaml': '{{ tpl .Values.init . }}\n' + cm('t'),
      'templates/_h.tpl': '{{- define "c.touch" -}}{{- $_ := set .Values "x" "y" -}}{{- end -}}\n',
    });
    const index = templateIndex(dir);
    expect(omittedTemplates(index, ['templates/a.yaml'])).toEqual(['templates/runs-tpl.yaml']);
    expect(omittedTemplates(index, ['templates/a.yaml'], ['init: \'{{ $_ := set .Values "app" .Values.hardened }}\''])).toEqual([]);
    expect(omittedTemplates(index, ['templates/a.yaml'], ['init: "{{ include \\"c.touch\\" . }}"'])).toEqual([]);
    expect(omittedTemplates(index, ['templates/a.yaml'], ['init: "{{ .Release.Name }}"'])).toEqual(['templates/runs-tpl.yaml']);
    const files = chart({
      'templates/a.yaml': cm('a'),
      'templates/runs-tpl.yaml': '{{ tpl (.Files.Get "files/init.tpl") . }}\n' + cm('t'),
      'files/init.tpl': '{{ $_ := set .Values "app" "x" }}',
    });
    expect(omittedTemplates(templateIndex(files), ['templates/a.yaml'])).toEqual([]);
  });

  it('keeps the file a define named like its path stands for, and every caller when a subchart archive is there', () => {
    const dir = chart({
      'templates/a.yaml': cm('a', 'x: {{ include "c/templates/config.yaml" . | quote }}'),
      'templates/deeper/_d.tpl': '{{- define "c/templates/config.yaml" -}}from-define{{- end -}}\n',
      'templates/config.yaml': '# from-file\n',
      'templates/other.yaml': cm('other'),
    });
    expect(omittedTemplates(templateIndex(dir), ['templates/a.yaml'])).toEqual(['templates/other.yaml']);
    const archived = chart({
      'templates/a.yaml': cm('a'),
      'templates/_init.tpl': '{{- define "c.init" -}}{{- end -}}\n',
      'templates/z.yaml': '{{- include "c.init" . }}\n' + cm('z'),
      'templates/plain.yaml': cm('plain'),
      'charts/sub-0.1.0.tgz': 'not read',
    });
    expect(omittedTemplates(templateIndex(archived), ['templates/a.yaml'])).toEqual(['templates/plain.yaml']);
  });

  it('sees effects however they are written: after := with no space, a value piped into set, a variable assigned inside a pipeline', () => {
    const dir = chart({
      'templates/a.yaml': cm('a'),
      'templates/no-space.yaml': '{{ $_:=set .Values "x" "changed" }}\n' + cm('n'),
      'templates/piped.yaml': '{{ $a := dict }}{{ $_ := .Values.shared | set $a "inner" }}{{ $_ := mergeOverwrite $a.inner (dict "k" "changed") }}\n' + cm('p'),
      'templates/paren.yaml': '{{ $d := dict }}{{ if ($d = .Values.shared) }}{{ end }}{{ $_ := set $d "k" "changed" }}\n' + cm('q'),
      'templates/plain.yaml': cm('plain'),
    });
    expect(omittedTemplates(templateIndex(dir), ['templates/a.yaml'])).toEqual(['templates/plain.yaml']);
  });

  it('reads tpl of anything but values or a chart file as doing anything, and values as YAML decodes them', () => {
    const dir = chart({
      'templates/a.yaml': cm('a'),
      'templates/_h.tpl': '{{- define "c.touch" -}}{{- $_ := set .Values "x" "y" -}}{{- end -}}\n',
      'templates/literal.yaml': '{{ tpl "{{ $_ := set .Values \\"x\\" \\"changed\\" }}" . }}\n' + cm('l'),
      'templates/decoded.yaml': '{{ tpl (b64dec .Values.code) . }}\n' + cm('d'),
      'templates/values.yaml': '{{ tpl .Values.init . }}\n' + cm('v'),
      'templates/plain.yaml': cm('plain'),
    });
    const index = templateIndex(dir);
    expect(omittedTemplates(index, ['templates/a.yaml']).sort()).toEqual(['templates/plain.yaml', 'templates/values.yaml']);
    expect(omittedTemplates(index, ['templates/a.yaml'], ['init: "\\x7B{ $_ := set .Values \\"x\\" \\"changed\\" }}"\n'])).toEqual(['templates/plain.yaml']);
  });

  it('reads a called name as Go reads its escapes', () => {
    const dir = chart({
      'templates/a.yaml': cm('a', 'x: {{ include "c/templates/q\\"b.yaml" . | sha256sum }}'),
      'templates/q"b.yaml': cm('qb'),
      'templates/other.yaml': cm('other'),
    });
    expect(omittedTemplates(templateIndex(dir), ['templates/a.yaml'])).toEqual(['templates/other.yaml']);
  });

  it('keeps a file a define named like its path stands for, whatever characters the name holds', () => {
    const dir = chart({
      'templates/a.yaml': cm('a', 'x: {{ include "c/templates/my config.yaml" . | quote }}'),
      'templates/deeper/_d.tpl': '{{- define "c/templates/my config.yaml" -}}from-define{{- end -}}\n',
      'templates/my config.yaml': '# from-file\n',
      'templates/other.yaml': cm('other'),
    });
    expect(omittedTemplates(templateIndex(dir), ['templates/a.yaml'])).toEqual(['templates/other.yaml']);
  });

  it('keeps the files reading a values key the render changes (they may fail with it as the chart would)', () => {
    const dir = chart({
      'templates/a.yaml': cm('a', 'h: {{ .Values.hostNetwork | quote }}'),
      'templates/dns.yaml': '{{- if eq .Values.hostNetwork true }}\n' + cm('dns') + '{{- end }}\n',
      'templates/by-name.yaml': '{{- if index .Values "hostNetwork" }}\n' + cm('by-name') + '{{- end }}\n',
      'templates/whole.yaml': cm('whole', 'v: {{ toYaml .Values | quote }}'),
      'templates/computed.yaml': '{{- $k := "x" }}{{- if index .Values $k }}\n' + cm('computed') + '{{- end }}\n',
      'templates/through-root.yaml': '{{- $r := . }}{{- range $k, $v := $r.Values }}{{ end }}\n' + cm('root'),
      'templates/by-string.yaml': '{{- if index $ "Values" }}{{ end }}\n' + cm('by-string'),
      'templates/other.yaml': cm('other', 'r: {{ .Values.replicas | quote }}'),
    });
    const index = templateIndex(dir);
    expect(omittedTemplates(index, ['templates/a.yaml']).sort()).toEqual(['templates/by-name.yaml', 'templates/by-string.yaml', 'templates/computed.yaml', 'templates/dns.yaml', 'templates/other.yaml', 'templates/through-root.yaml', 'templates/whole.yaml']);
    expect(omittedTemplates(index, ['templates/a.yaml'], [], ['hostNetwork'])).toEqual(['templates/other.yaml']);
    // Go reads identifiers in any script.
    const unicode = chart({ 'templates/a.yaml': cm('a', 'p: {{ .Values.путь | quote }}'), 'templates/reads.yaml': '{{ if eq .Values.путь "x" }}{{ end }}\n' + cm('r'), 'templates/other.yaml': cm('other') });
    expect(omittedTemplates(templateIndex(unicode), ['templates/a.yaml'], [], ['путь'])).toEqual(['templates/other.yaml']);
  });

  it('stays linear on many templates and on text with unclosed actions', () => {
    const names = Array.from({ length: 2000 }, (_, i) => `t${i}.yaml`);
    const files: Record<string, string> = {};
    for (const name of names) files[`templates/${name}`] = `{{ if false }}{{ include (print "x") . }}{{ end }}\n# ${names.join(' ')}\n`;
    files['files/big.txt'] = '{{'.repeat(200_000);
    const dir = chart(files);
    const started = performance.now();
    const index = templateIndex(dir);
    expect(omittedTemplates(index, ['templates/t0.yaml'])).toEqual([]);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('reads unpacked subcharts, and leaves nothing out when a kept file is not one of the template files', () => {
    const dir = chart({
      'templates/a.yaml': cm('a'),
      'charts/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\n',
      'charts/sub/templates/s.yaml': cm('s'),
      'charts/sub/templates/_h.tpl': '{{- define "sub.h" -}}h{{- end -}}\n',
    });
    const index = templateIndex(dir);
    expect(omittedTemplates(index, ['templates/a.yaml'])).toEqual(['charts/sub/templates/s.yaml']);
    expect(omittedTemplates(templateIndex(chart({ 'templates/a.yaml': cm('a'), 'charts/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\n', 'charts/sub/templates/s.yaml': cm('s'), 'charts/sub/templates/t/u.yaml': cm('u') })), ['templates/a.yaml'])).toEqual(['charts/sub/templates']);
    expect(omittedTemplates(index, ['charts/sub/templates/s.yaml'])).toEqual(['templates']);
    expect(omittedTemplates(index, ['charts/other.tgz'])).toEqual([]);
    expect(omittedTemplates(index, [])).toEqual([]);
  });
});

let helms: HelmBinary[] = [];
beforeAll(async () => {
  helms = [await locateHelm(process.env.PREADMIT_TEST_HELM3!), await locateHelm(process.env.PREADMIT_TEST_HELM4!)];
});

function request(helm: HelmBinary, dir: string, extra: Partial<RenderRequest> = {}): RenderRequest {
  return { helm, chartDir: dir, releaseName: 'rel', namespace: 'apps', valuesFiles: [], set: [], kubeVersion: '1.33.0', timeoutMs: 60_000, checkedCharts: new Map(), ...extra };
}

async function documents(req: RenderRequest): Promise<Map<string, string>> {
  const outcome = await renderChart(req);
  if (!outcome.ok) throw new Error(outcome.message);
  return new Map(splitRendered(outcome.stdout).map((d) => [d.template, d.text]));
}

describe('provenance with subset renders', () => {
  it('does not prove a values key by a render the whole chart fails (a template left out compares the sentinel with a boolean)', async () => {
    const dir = chart({
      'values.yaml': 'hostNetwork: true\nnp: {}\n',
      'templates/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      hostNetwork: {{ .Values.hostNetwork }}\n      containers:\n        - name: web\n          image: nginx:1.27\n',
      'templates/dns.yaml': '{{- if eq .Values.hostNetwork true }}\n' + cm('host-dns') + '{{- end }}\n',
      'templates/netpol.yaml': '{{- if not .Values.hostNetwork }}\n' + cm('np', 'cidr: {{ .Values.np.from.cidr }}') + '{{- end }}\n',
    });
    const result = await scan({ paths: [dir], helmPath: process.env.PREADMIT_TEST_HELM3! });
    const host = result.findings.filter((f) => f.ruleId === 'pss-host-namespaces');
    expect(host.map((f) => [f.source.located, f.source.values, f.source.line])).toEqual([['template', undefined, 12]]);
    expect(host[0]!.source.unproven).toContain('does not render with this value changed');
  });
});

describe.each([0, 1])('subset renders with real helm (%s: helm 3, helm 4)', (which) => {
  it('renders the kept templates exactly as the full render does, the others not at all', async () => {
    const helm = helms[which]!;
    const dir = chart({
      'templates/_helpers.tpl': '{{- define "c.name" -}}{{ .Release.Name }}-c{{- end -}}\n',
      // Rendered before b.yaml (helm renders deeper paths first, then names in reverse order): b.yaml prints the changed value.
      'templates/z-mutates.yaml': '{{- $_ := set .Values "x" "changed" }}\n' + cm('m'),
      'templates/b.yaml': cm('{{ include "c.name" . }}-b', 'x: {{ .Values.x | quote }}\n  sum: {{ include (print $.Template.BasePath "/config/c.yaml") . | sha256sum }}'),
      'templates/config/c.yaml': cm('c'),
      'templates/other.yaml': cm('other', 'key: {{ genCA "x" 365 | toString | len | quote }}'),
    });
    const full = await documents(request(helm, dir));
    const subset = await documents(request(helm, dir, { onlyTemplates: ['templates/b.yaml'] }));
    expect([...subset.keys()].sort()).toEqual(['c/templates/b.yaml', 'c/templates/config/c.yaml', 'c/templates/z-mutates.yaml']);
    expect(subset.get('c/templates/b.yaml')).toBe(full.get('c/templates/b.yaml'));
    expect(subset.get('c/templates/b.yaml')).toContain('x: "changed"');
    expect(full.has('c/templates/other.yaml')).toBe(true);
  });

  it('leaves files out through the view\'s .helmignore, whatever their names, after the chart\'s own rules', async () => {
    const helm = helms[which]!;
    const dir = chart({
      '.helmignore': '# the chart\'s own\n*.md\n',
      'templates/a.yaml': cm('a'),
      'templates/b[1].yaml': cm('b1'),
      'templates/c*.yaml': cm('c'),
      'templates/d?.yaml': cm('d'),
      'templates/e\\f.yaml': cm('e'),
      'templates/in dir/g.yaml': cm('g'),
      'templates/ h.yaml': cm('h'),
      // Go trims U+0085 off a rule's end: such a name is staged out too.
      'templates/i.yaml\u0085': cm('i'),
      'templates/notes.md': 'not rendered',
      'charts/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\n',
      'charts/sub/templates/s.yaml': cm('s'),
    });
    const full = await documents(request(helm, dir));
    expect(full.size).toBe(9);
    resetRenderStats();
    const subset = await documents(request(helm, dir, { onlyTemplates: ['templates/a.yaml'], purpose: 'provenance' }));
    // A name with a space at its start cannot be a rule: its folder is staged instead.
    expect([...subset.keys()]).toEqual(['c/templates/a.yaml']);
    expect(renderStats.subset).toEqual({ runs: 1, again: 0 });
  });

  it('makes the render again with every file when the subset lacks a template a kept file includes', async () => {
    const helm = helms[which]!;
    // The included file's name is built from a value: no kept text names it.
    const dir = chart({
      'values.yaml': 'part: "con"\n',
      'templates/b.yaml': cm('b', 'sum: {{ include (printf "%s/%sfig.yaml" $.Template.BasePath .Values.part) . | sha256sum }}'),
      'templates/config.yaml': cm('config'),
    });
    resetRenderStats();
    const subset = await documents(request(helm, dir, { onlyTemplates: ['templates/b.yaml'], purpose: 'provenance' }));
    expect(renderStats.helm.provenance).toBe(2);
    expect(renderStats.subset).toEqual({ runs: 1, again: 1 });
    expect(subset.has('c/templates/config.yaml')).toBe(true);
    // A failure of the chart's own is not made again.
    resetRenderStats();
    const failing = chart({ 'templates/b.yaml': '{{ fail "no" }}', 'templates/other.yaml': cm('other') });
    const outcome = await renderChart(request(helm, failing, { onlyTemplates: ['templates/b.yaml'], purpose: 'provenance' }));
    expect(outcome.ok).toBe(false);
    expect(renderStats.helm.provenance).toBe(1);
  });

  it('caches a subset render apart from the full render', async () => {
    const helm = helms[which]!;
    const dir = chart({ 'templates/b.yaml': cm('b'), 'templates/other.yaml': cm('other') });
    const cache = new RenderCache(mkdtempSync(path.join(os.tmpdir(), 'preadmit-subset-cache-')));
    const checkedCharts = new Map<string, string | undefined>();
    const run = (extra: Partial<RenderRequest>) => runWithRenderCache(cache, () => renderChart(request(helm, dir, { checkedCharts, ...extra })));
    const full = await run({});
    const subset = await run({ onlyTemplates: ['templates/b.yaml'] });
    const again = await run({ onlyTemplates: ['templates/b.yaml'] });
    if (!full.ok || !subset.ok || !again.ok) throw new Error('render failed');
    expect(full.stdout).toContain('other');
    expect(subset.stdout).not.toContain('other');
    expect(again.stdout).toBe(subset.stdout);
    expect(cache.counters.hits).toBe(1);
  });
});
