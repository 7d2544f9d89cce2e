// Resource exhaustion from a hostile pull request (issue 15): templates that allocate without end, more
// value sets than a scan should render, a render that never ends, a configuration that allows hours, a
// pattern that backtracks. Each is bounded, and each bound ends in an error naming the chart and the bound.
// Bounds are small here so the tests run fast.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.ts';
import { scan } from '../../src/pipeline/scan.ts';
import { boundedHelm, locateHelm, renderChart } from '../../src/render/helm.ts';
import { MiB, RenderBudget, runWithRenderBudget } from '../../src/config/render-budget.ts';
import { chart, helm3, HELMS, PRIVILEGED_POD, workspace } from './helpers.ts';

/** A configuration beside the scanned charts, with the given `helm:` lines. */
function configWith(dir: string, helm: Record<string, number>): string {
  const file = path.join(dir, '.preadmit.yaml');
  writeFileSync(file, `provenance: false\nhelm:\n${Object.entries(helm).map(([k, v]) => `  ${k}: ${v}\n`).join('')}`);
  return file;
}

/** 10^10 iterations that print nothing and allocate nothing: helm spins until it is killed. */
const SPINS = '{{- range $i := until 100000 }}{{- range $j := until 100000 }}{{- end }}{{- end }}\n';

describe.each(HELMS)('%s', (_, helmVar) => {
  const helmPath = () => process.env[helmVar]!;

  it.each([
    ['a range over 10^8 numbers', '{{ range until 100000000 }}x{{ end }}\n'],
    ['a string of a gigabyte', '{{ repeat 1000000000 "x" }}\n'],
    ['two strings of 300 MB (the first one allocated past the data limit)', '{{ repeat 300000000 "x" }}{{ repeat 300000000 "y" }}\n'],
    ['nested ranges that print', '{{ range until 20000 }}{{ range until 20000 }}xxxxxxxx{{ end }}{{ end }}\n'],
  ])('stops %s at the memory limit, naming the chart and the limit', async (_name, template) => {
    const dir = workspace();
    chart(dir, 'hog', { 'templates/a.yaml': template });
    chart(dir, 'good', { 'templates/pod.yaml': PRIVILEGED_POD });
    const started = performance.now();
    const result = await scan({ paths: [dir], helmPath: helmPath(), configFile: configWith(dir, { memoryLimitMiB: 128 }) });
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(result.errors.map((e) => [e.kind, path.basename(e.file), e.message])).toEqual([
      ['render', 'hog', 'helm template ran out of memory at its limit of 128 MiB (helm.memoryLimitMiB, --helm-memory-limit); stopped'],
    ]);
    expect(result.charts.map((c) => path.basename(c.chart))).toEqual(['good']);
  });

  it('renders a normal chart under the smallest memory limit accepted', async () => {
    const dir = workspace();
    chart(dir, 'good', { 'templates/pod.yaml': PRIVILEGED_POD, 'templates/cm.yaml': '{{ range until 200 }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{{ . }}\ndata:\n  a: {{ repeat 1000 "x" | quote }}\n{{ end }}' });
    const result = await scan({ paths: [dir], helmPath: helmPath(), bounds: { memoryLimitMiB: 128 } });
    expect(result.errors).toEqual([]);
    expect(result.charts[0]!.objects).toBe(201);
  });

  it('stops a render whose output passes the configured limit', async () => {
    const dir = workspace();
    chart(dir, 'loud', { 'templates/a.yaml': '{{ range until 3000 }}# {{ repeat 1000 "x" }}\n{{ end }}' });
    const result = await scan({ paths: [dir], helmPath: helmPath(), configFile: configWith(dir, { maxOutputMiB: 1 }) });
    expect(result.errors.map((e) => [path.basename(e.file), e.message])).toEqual([['loud', 'helm template produced more than 1 MiB of output (helm.maxOutputMiB); stopped']]);
  });

  it('renders at most maxRenders per scan and names every value set left out', async () => {
    const dir = workspace();
    const ci: Record<string, string> = {};
    for (let i = 0; i < 5; i++) ci[`ci/v${i}-values.yaml`] = `n: ${i}\n`;
    chart(dir, 'many', { 'templates/pod.yaml': PRIVILEGED_POD, ...ci });
    // The defaults' second render counts too: default, its second render, ci/v0, ci/v1.
    const result = await scan({ paths: [dir], helmPath: helmPath(), configFile: configWith(dir, { maxRenders: 4 }) });
    expect(result.charts.map((c) => c.valueSet)).toEqual(['default', 'ci/v0-values.yaml', 'ci/v1-values.yaml']);
    const limit = 'not rendered: this scan reached its limit of 4 helm renders (helm.maxRenders, --max-renders); raise it or split the scan';
    expect(result.errors.map((e) => [path.basename(e.file), e.message])).toEqual([
      ['many', `with value set ci/v2-values.yaml: ${limit}`],
      ['many', `with value set ci/v3-values.yaml: ${limit}`],
      ['many', `with value set ci/v4-values.yaml: ${limit}`],
      ['many', `3 helm renders not made or stopped (value sets, Terraform releases, re-renders locating findings at values and template lines) of ${path.relative(process.cwd(), path.join(dir, 'many'))}: ${limit.slice('not rendered: '.length)}`],
    ]);
    expect(result.summary.verdict).toBe('fail');
  });

  it('counts provenance re-renders too, and says which findings were not located', async () => {
    const dir = workspace();
    chart(dir, 'priv', { 'values.yaml': 'privileged: true\n', 'templates/pod.yaml': PRIVILEGED_POD.replace('privileged: true', 'privileged: {{ .Values.privileged }}') });
    const config = path.join(dir, '.preadmit.yaml');
    writeFileSync(config, 'helm:\n  maxRenders: 1\n');
    const result = await scan({ paths: [dir], helmPath: helmPath(), configFile: config });
    expect(result.charts).toHaveLength(1);
    const privileged = result.findings.find((f) => f.ruleId === 'pss-privileged')!;
    expect(privileged.source.located).toBe('object');
    expect(privileged.source.unproven).toContain('not rendered: this scan reached its limit of 1 helm renders (helm.maxRenders, --max-renders)');
    expect(result.errors).toEqual([expect.objectContaining({ kind: 'render', file: path.relative(process.cwd(), path.join(dir, 'priv')), message: expect.stringMatching(/^\d+ helm renders? not made or stopped .* of [^,]*priv: this scan reached its limit of 1 helm renders/) })]);
  });

  it('kills renders still running at the scan deadline and starts no other', async () => {
    const dir = workspace();
    chart(dir, 'spin1', { 'templates/a.yaml': SPINS });
    chart(dir, 'spin2', { 'templates/a.yaml': SPINS });
    chart(dir, 'spin3', { 'templates/a.yaml': SPINS });
    const started = performance.now();
    const result = await scan({ paths: [dir], helmPath: helmPath(), configFile: configWith(dir, { timeoutSeconds: 60, totalTimeoutSeconds: 1.5 }) });
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeLessThan(10);
    const deadline = "this scan's rendering passed its time limit of 1.5 s (helm.totalTimeoutSeconds, --total-timeout)";
    const byChart = result.errors.filter((e) => e.chart !== undefined).map((e) => e.message);
    expect(byChart).toHaveLength(3);
    for (const message of byChart) expect([`helm template stopped: ${deadline}`, `not rendered: ${deadline}`]).toContain(message);
    // (each chart's defaults and their further renders: at least one per chart)
    const [, count] = /^(\d+) helm renders not made or stopped .*spin1, .*spin2, .*spin3: this scan's rendering passed its time limit/.exec(result.errors.at(-1)!.message) ?? [];
    expect(Number(count)).toBeGreaterThanOrEqual(3);
  });

  it('stops every render when the caller aborts (the CLI does on SIGINT/SIGTERM)', async () => {
    const dir = workspace();
    chart(dir, 'spin', { 'templates/a.yaml': SPINS });
    const stop = new AbortController();
    setTimeout(() => stop.abort('SIGTERM'), 500);
    const started = performance.now();
    const result = await scan({ paths: [dir], helmPath: helmPath(), signal: stop.signal });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(result.errors[0]).toMatchObject({ kind: 'render', message: 'helm template stopped: the scan was stopped (SIGTERM)' });
  });

  it('tells about a render still running after a while', async () => {
    const dir = workspace();
    const spin = chart(dir, 'spin', { 'templates/a.yaml': SPINS });
    const helm = await locateHelm(helmPath());
    const told: [string, number][] = [];
    const budget = new RenderBudget({ onSlowRender: (chartDir, seconds) => told.push([chartDir, seconds]), slowAfterMs: 300 });
    const outcome = await runWithRenderBudget(budget, () => renderChart({ helm, chartDir: spin, releaseName: 'r', namespace: 'default', valuesFiles: [], set: [], timeoutMs: 1_000 }));
    expect(outcome).toMatchObject({ ok: false, message: expect.stringContaining('did not finish within 1 s') });
    expect(told.length).toBeGreaterThanOrEqual(2);
    expect(told[0]![0]).toBe(spin);
  });
});

describe('render bounds in the configuration and on the command line', () => {
  it('refuses a configuration allowing more than 600 s per render, naming the line and the maximum', async () => {
    const dir = workspace();
    chart(dir, 'good', { 'templates/pod.yaml': PRIVILEGED_POD });
    const file = path.join(dir, '.preadmit.yaml');
    writeFileSync(file, 'failOn: high\nhelm:\n  timeoutSeconds: 3600\n');
    await expect(scan({ paths: [dir], configFile: file })).rejects.toThrow(/\.preadmit\.yaml:3: helm\.timeoutSeconds must be <= 600/);
  });

  it.each([
    ['memoryLimitMiB', 100000, 'must be <= 8192'],
    ['memoryLimitMiB', 16, 'must be >= 128'],
    ['maxRenders', 0, 'must be >= 1'],
    ['totalTimeoutSeconds', 86400, 'must be <= 3600'],
    ['maxOutputMiB', 4096, 'must be <= 512'],
  ])('refuses helm.%s: %s', async (key, value, message) => {
    const dir = workspace();
    const file = configWith(dir, { [key]: value });
    await expect(scan({ paths: [dir], configFile: file })).rejects.toThrow(`helm.${key} ${message}`);
  });

  it('checks command-line bounds against the same maxima', async () => {
    const dir = workspace();
    await expect(scan({ paths: [dir], bounds: { timeoutSeconds: 601 } })).rejects.toThrow('--helm-timeout must be a number of seconds from above 0 to 600 (got 601)');
    await expect(scan({ paths: [dir], bounds: { maxRenders: 2.5 } })).rejects.toThrow('--max-renders must be a whole number from 1 to 10000 (got 2.5)');
  });

  it('spawns helm through /bin/sh with the limit and helm as arguments, never in the shell text', () => {
    const hostile = '/tmp/x"; rm -rf / #/helm';
    const spawned = boundedHelm(hostile, ['template', '--', '$(id)', '/chart'], 256 * MiB);
    expect(spawned.file).toBe('/bin/sh');
    expect(spawned.args.slice(2)).toEqual(['262144', String(256 * 1024 + 2048 * 1024), hostile, 'template', '--', '$(id)', '/chart']);
    expect(spawned.args[1]).not.toContain('rm');
    expect(spawned.env.GOMEMLIMIT).toBe('192MiB');
  });

  it('takes the bounds as command-line flags and refuses what is not a number', async () => {
    const dir = workspace();
    chart(dir, 'hog', { 'templates/a.yaml': '{{ range until 100000000 }}x{{ end }}\n' });
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['scan', dir, '--max-renders', '10x'])).toBe(2);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain('preadmit: --max-renders expects a number (got "10x")');
      stderr.mockClear();
      expect(await main(['scan', dir, '--helm', helm3(), '--helm-memory-limit', '128', '--format', 'json'])).toBe(1);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain('hog: helm template ran out of memory at its limit of 128 MiB (helm.memoryLimitMiB, --helm-memory-limit); stopped');
    } finally {
      stderr.mockRestore();
      stdout.mockRestore();
    }
  });
});
