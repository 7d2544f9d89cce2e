// Broken and hostile charts, rendered with the real helm 3 and helm 4: each is an error naming the chart,
// the other charts of the scan finish, and nothing the chart does reaches outside the repository.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/pipeline/scan.ts';
import { locateHelm, renderChart } from '../../src/render/helm.ts';
import { chart, corpusDir, fromCorpus, HELMS, link, PRIVILEGED_POD, workspace, writeTree } from './helpers.ts';

const charts = path.join(corpusDir, 'charts');

/** A configuration outside the scanned tree: a short render timeout. */
function config(timeoutSeconds = 5): string {
  const file = path.join(workspace('preadmit-hostile-config-'), '.preadmit.yaml');
  writeFileSync(file, `helm:\n  timeoutSeconds: ${timeoutSeconds}\n`);
  return file;
}

/** A chart that renders one privileged Pod: proof that the rest of the scan went on. */
function goodChart(dir: string): string {
  return chart(dir, 'good', { 'templates/pod.yaml': PRIVILEGED_POD });
}

/** Committed charts that fail, with the error each one must produce. */
const FAILING: Record<string, { kind?: string; file?: string; message: RegExp }> = {
  'chart-template-fail': { message: /execution error at \(chart-template-fail\/templates\/fail\.yaml:1:4\): chart-template-fail: this chart refuses to render/ },
  'chart-template-required': { message: /auth\.password is required/ },
  'chart-template-parse-error': { message: /parse error at \(chart-template-parse-error\/templates\/cm\.yaml:5\): unclosed action/ },
  'chart-missing-dependency': { kind: 'dependency', file: 'Chart.yaml', message: /dependency "redis" missing from charts\/; preadmit renders offline and never downloads/ },
  'chart-yaml-not-a-chart': { file: 'Chart.yaml', message: /^Chart\.yaml is not a mapping$/ },
  'chart-yaml-syntax-error': { file: 'Chart.yaml', message: /^Chart\.yaml could not be parsed: line 3: Flow sequence/ },
  'chart-yaml-no-name': { file: 'Chart.yaml', message: /^Chart\.yaml has no name$/ },
  'chart-render-hangs': { message: /did not finish within 5 s \(helm\.timeoutSeconds; a template that loops\?\); stopped/ },
  'chart-render-include-recursion': { message: /nested reference name: again/ },
  'chart-renders-invalid-yaml': { message: /YAML parse error on chart-renders-invalid-yaml\/templates\/cm\.yaml/ },
  'chart-renders-scalar-document': { message: /YAML parse error on chart-renders-scalar-document\/templates\/text\.yaml/ },
  'chart-renders-string-spec': { file: 'templates/deploy.yaml', message: /^Deployment string-spec: spec\.template\.spec is a string, not a mapping/ },
  'chart-values-syntax-error': { message: /cannot load values\.yaml/ },
  'chart-values-schema-violation': { message: /values don't meet the specifications of the schema/ },
  'chart-values-schema-file-ref': { message: /^values\.schema\.json: "\$ref" refers to another document \(file:\/\/\/etc\/passwd\); only references inside the schema/ },
  'chart-values-schema-remote-ref': { message: /^values\.schema\.json: "\$ref" refers to another document \(http:\/\/169\.254\.169\.254/ },
  'chart-values-schema-remote-meta': { message: /^values\.schema\.json: "\$schema" is not a json-schema\.org meta-schema/ },
  'chart-fail-quotes-operator-values': { message: /cannot render with password$/ },
  'chart-fail-hostile-message': { message: /onerror=alert/ },
};

/** Committed charts that render (with what they show). */
const RENDERING = ['chart-renders-nothing', 'chart-render-huge-output', 'chart-source-comment-spoof'];

describe('the committed hostile charts', () => {
  it('are all accounted for', () => {
    expect(readdirSync(charts).sort()).toEqual([...Object.keys(FAILING), ...RENDERING].sort());
  });
});

describe.each(HELMS)('%s', (_, helmVar) => {
  const helmPath = () => process.env[helmVar]!;

  it('reports every failing chart once, naming it, while the good chart still renders', async () => {
    const dir = workspace();
    for (const name of Object.keys(FAILING)) fromCorpus('charts', name, dir);
    goodChart(dir);
    const started = performance.now();
    const result = await scan({ paths: [dir], helmPath: helmPath(), configFile: config(5) });
    // The hanging chart is stopped at its timeout; helm ignores SIGTERM, so it is killed outright.
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(result.errors).toHaveLength(Object.keys(FAILING).length);
    for (const [name, expected] of Object.entries(FAILING)) {
      const errors = result.errors.filter((e) => e.chart?.endsWith(name) || e.file.includes(`/${name}/`) || e.file.endsWith(`/${name}`));
      expect(errors, name).toHaveLength(1);
      const error = errors[0]!;
      expect(error.kind, name).toBe(expected.kind ?? 'render');
      expect(error.file, name).toMatch(new RegExp(`/${name}${expected.file ? `/${expected.file.replace('.', '\\.')}` : ''}$`));
      expect(error.message, name).toMatch(expected.message);
    }
    expect(result.charts.map((c) => c.chart.split('/').pop())).toContain('good');
    expect(result.findings.some((f) => f.ruleId === 'pss-privileged' && f.source.chart?.endsWith('/good'))).toBe(true);
    expect(result.summary.verdict).toBe('fail');
  }, 60_000);

  it('never lets a chart quote values given from outside it (configuration or command line)', async () => {
    const dir = workspace();
    const target = fromCorpus('charts', 'chart-fail-quotes-operator-values', dir);
    const values = path.join(workspace(), 'operator-values.yaml');
    writeFileSync(values, 'db:\n  password: Operator-Secret-Password-123\n');
    const result = await scan({ paths: [target], helmPath: helmPath(), valuesFiles: [values], set: ['other.token=Set-Secret-Token-456'] });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.message).toContain('cannot render with password [redacted]');
    expect(JSON.stringify(result)).not.toMatch(/Operator-Secret|Set-Secret/);
  });

  it('accepts a chart that renders nothing, and renders megabytes of output', async () => {
    const dir = workspace();
    fromCorpus('charts', 'chart-renders-nothing', dir);
    const huge = fromCorpus('charts', 'chart-render-huge-output', dir);
    const empty = await scan({ paths: [path.join(dir, 'chart-renders-nothing')], helmPath: helmPath() });
    expect(empty.errors).toEqual([]);
    expect(empty.charts).toEqual([expect.objectContaining({ objects: 0 })]);
    // 3,000 ConfigMaps of 2 KB: 6 MB of output
    const big = await scan({ paths: [huge], helmPath: helmPath(), set: ['count=3000', 'padding=2000'] });
    expect(big.errors).toEqual([]);
    expect(big.charts[0]!.objects).toBe(3000);
  }, 60_000);

  it('stops a render whose output passes the limit', async () => {
    const dir = workspace();
    const huge = fromCorpus('charts', 'chart-render-huge-output', dir);
    const helm = await locateHelm(helmPath());
    const outcome = await renderChart({ helm, chartDir: huge, releaseName: 'r', namespace: 'default', valuesFiles: [], set: ['count=2000', 'padding=1000'], timeoutMs: 30_000, maxOutputBytes: 1024 * 1024 });
    expect(outcome).toMatchObject({ ok: false, message: 'helm template produced more than 1 MiB of output (helm.maxOutputMiB); stopped' });
  });

  it('locates objects of a template that prints its own "# Source:" line inside the chart', async () => {
    const result = await scan({ paths: [path.join(charts, 'chart-source-comment-spoof')], helmPath: helmPath() });
    expect(result.errors).toEqual([]);
    for (const finding of result.findings) expect(finding.source.file).toMatch(/^__tests__\/hostile\/corpus\/charts\/chart-source-comment-spoof(\/|$)/);
  });

  describe('symlinks', () => {
    const outside = () => {
      const dir = workspace('preadmit-hostile-outside-');
      writeTree(dir, { 'secret.txt': 'Outside-Secret-Content\n', 'templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: outside}\n' });
      return dir;
    };
    const cases: [string, (chartDir: string, out: string) => void, RegExp][] = [
      ['a file read with .Files.Get', (c, out) => link(c, 'secret.txt', path.join(out, 'secret.txt')), /^secret\.txt is a symlink leading outside the chart \(helm would read what it points to\); not rendered$/],
      ['a template', (c, out) => link(c, 'templates/cm.yaml', path.join(out, 'templates', 'cm.yaml')), /^templates\/cm\.yaml is a symlink leading outside the chart/],
      ['the templates directory', (c, out) => link(c, 'templates', path.join(out, 'templates')), /^templates is a symlink leading outside the chart/],
      ['values.yaml', (c, out) => link(c, 'values.yaml', path.join(out, 'secret.txt')), /^values\.yaml is a symlink leading outside the chart/],
      ['/proc/self/environ', (c) => link(c, 'env.txt', '/proc/self/environ'), /^env\.txt is a symlink leading outside the chart/],
      ['nothing', (c) => link(c, 'templates/gone.yaml', '/nonexistent/gone.yaml'), /^templates\/gone\.yaml is a symlink to nothing/],
      ['its own directory (a loop)', (c) => link(c, 'templates/loop', path.join(c, 'templates')), /^templates\/loop is a symlink to a directory that holds it/],
    ];

    it.each(cases)('refuses a chart with a symlink out of it: %s', async (_, make, message) => {
      const dir = workspace();
      const target = chart(dir, 'linked', {
        'templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: leak}\ndata:\n  x: {{ .Files.Get "secret.txt" | quote }}\n  env: {{ .Files.Get "env.txt" | quote }}\n',
      });
      make(target, outside());
      goodChart(dir);
      const result = await scan({ paths: [dir], helmPath: helmPath() });
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatchObject({ kind: 'render', file: expect.stringMatching(/\/linked$/) });
      expect(result.errors[0]!.message).toMatch(message);
      expect(JSON.stringify(result)).not.toContain('Outside-Secret-Content');
      expect(result.charts.map((c) => c.chart.split('/').pop())).toEqual(['good']);
    });

    it('refuses a chart directory that is itself a link out of the repository it is named from', async () => {
      const repo = workspace();
      mkdirSync(path.join(repo, '.git'));
      const elsewhere = chart(workspace('preadmit-hostile-outside-'), 'elsewhere', { 'templates/pod.yaml': PRIVILEGED_POD });
      const named = link(repo, 'charts/app', elsewhere);
      const helm = await locateHelm(helmPath());
      const outcome = await renderChart({ helm, chartDir: named, root: repo, releaseName: 'r', namespace: 'default', valuesFiles: [], set: [], timeoutMs: 30_000 });
      expect(outcome).toMatchObject({ ok: false, message: 'the chart directory leads outside the repository (through a symlink?); not rendered' });
    });

    it('reports a dangling link or a file where charts/ should be, instead of crashing', async () => {
      const dir = workspace();
      const dangling = chart(dir, 'dangling-subchart', { 'templates/pod.yaml': PRIVILEGED_POD }, 'apiVersion: v2\nname: dangling-subchart\nversion: 0.1.0\ndependencies:\n  - name: sub\n    version: 0.1.0\n');
      link(dangling, 'charts/sub', path.join(dir, 'nowhere'));
      chart(dir, 'charts-is-a-file', { 'templates/pod.yaml': PRIVILEGED_POD, charts: 'not a directory\n' });
      goodChart(dir);
      const result = await scan({ paths: [dir], helmPath: helmPath() });
      const errors = result.errors.map((e) => [e.kind, e.file.split('/').slice(-2).join('/'), e.message]).sort((a, b) => a[1]!.localeCompare(b[1]!));
      expect(errors).toEqual([
        ['dependency', 'dangling-subchart/Chart.yaml', expect.stringMatching(/dependency "sub" missing from charts\//)],
        ['render', `${path.basename(dir)}/charts-is-a-file`, 'charts is not a directory; not rendered'],
      ]);
      expect(result.charts.map((c) => c.chart.split('/').pop())).toEqual(['good']);
    });

    it('renders a chart whose symlinks stay inside its repository', async () => {
      const repo = workspace();
      mkdirSync(path.join(repo, '.git'));
      writeTree(repo, { 'shared/pod.yaml': PRIVILEGED_POD });
      const target = chart(path.join(repo, 'charts'), 'app');
      link(target, 'templates/pod.yaml', path.join(repo, 'shared', 'pod.yaml'));
      const result = await scan({ paths: [target], helmPath: helmPath() });
      expect(result.errors).toEqual([]);
      expect(result.findings.some((f) => f.ruleId === 'pss-privileged')).toBe(true);
    });
  });

  it('refuses a subchart archive whose values.schema.json loads another document', async () => {
    const dir = workspace();
    const parent = chart(dir, 'parent', { 'templates/pod.yaml': PRIVILEGED_POD }, 'apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n  - name: sub\n    version: 0.1.0\n');
    const staging = workspace();
    chart(staging, 'sub', { 'values.schema.json': '{"properties": {"x": {"$ref": "file:///etc/shadow"}}}' });
    mkdirSync(path.join(parent, 'charts'));
    tar.create({ gzip: true, file: path.join(parent, 'charts', 'sub-0.1.0.tgz'), cwd: staging, sync: true }, ['sub']);
    const result = await scan({ paths: [parent], helmPath: helmPath() });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.message).toMatch(/^charts\/sub-0\.1\.0\.tgz: sub\/values\.schema\.json: "\$ref" refers to another document \(file:\/\/\/etc\/shadow\)/);
  });
});
