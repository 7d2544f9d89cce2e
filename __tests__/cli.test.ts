// The bundled CLI as users run it: exit status, formats, stdin, output files, usage errors.
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { tieringFlags } from '../src/v8-tiering.ts';
import { repoRoot } from './helpers/shared.ts';

const cli = path.join(repoRoot, 'dist', 'cli.js');
const run = (args: string[], input?: string) => execa(process.execPath, [cli, ...args], { cwd: repoRoot, reject: false, ...(input !== undefined ? { input } : {}) });
const helm = process.env.PREADMIT_TEST_HELM3!;
const chart = 'examples/insecure-chart';

const privilegedPod = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: c
      image: c:1
      securityContext: {privileged: true}
`;

describe('preadmit CLI', () => {
  it('exits 1 with blocking findings and prints them as text', async () => {
    const result = await run(['scan', chart, '--helm', helm]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('pss-privileged');
    expect(result.stdout).toContain('examples/insecure-chart/templates/deployment.yaml');
    expect(result.stdout).not.toMatch(/\x1b\[/); // no colour when not a terminal
  });

  it('exits 0 when nothing reaches --fail-on', async () => {
    expect((await run(['scan', chart, '--helm', helm, '--fail-on', 'never'])).exitCode).toBe(0);
  });

  it('writes JSON to --output and keeps stdout empty', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'preadmit-cli-')), 'report.json');
    const result = await run(['scan', chart, '--helm', helm, '--format', 'json', '--output', out]);
    expect(result.stdout).toBe('');
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.summary.charts).toBe(1);
    expect(report.findings.some((f: { ruleId: string; path: string }) => f.ruleId === 'pss-privileged' && f.path === '/spec/template/spec/containers/0/securityContext/privileged')).toBe(true);
  });

  it('reads manifests from stdin', async () => {
    const result = await run(['scan', '-', '--format', 'json'], privilegedPod);
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.findings.find((f: { ruleId: string }) => f.ruleId === 'pss-privileged').source).toMatchObject({ kind: 'manifest', file: '<stdin>', line: 8 });
  });

  it('evaluates at the requested policy version', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-cli-'));
    writeFileSync(path.join(dir, 'pod.yaml'), privilegedPod.replace('{privileged: true}', '{runAsUser: 0, runAsNonRoot: false}'));
    const at = async (version: string) => JSON.parse((await run(['scan', path.join(dir, 'pod.yaml'), '--format', 'json', '--pss-version', version])).stdout);
    const ids = (report: { findings: { ruleId: string }[] }) => report.findings.map((f) => f.ruleId);
    expect(ids(await at('v1.22'))).not.toContain('pss-run-as-user');
    expect(ids(await at('v1.23'))).toContain('pss-run-as-user');
  });

  it.each([
    [['scan', '--format', 'xml'], /--format must be one of/],
    [['scan', '--fail-on', 'severe'], /--fail-on must be one of/],
    [['scan', '--pss-version', 'v2.0'], /invalid PSS version/],
    [['scan', '--bogus'], /unknown option --bogus/],
    [['lint'], /unknown command "lint"/],
    [['scan', chart, '--helm', '/nonexistent/helm'], /could not be run.*Install helm/s],
    // Renders start while `helm version` runs: a binary that is not helm still ends the scan as a usage error.
    [['scan', chart, '--helm', '/bin/true'], /\/bin\/true reports version ""; preadmit needs helm 3\.8 or newer/],
    [['scan', '--config', 'no-such-file.yaml'], /configuration/],
  ])('exits 2 on a usage error: %j', async (args, message) => {
    const result = await run(args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace for a user's mistake
  });

  it('reports an unreadable input as an error and still scans the rest', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-cli-'));
    writeFileSync(path.join(dir, 'bad.yaml'), 'kind: [unclosed\n');
    writeFileSync(path.join(dir, 'pod.yaml'), privilegedPod);
    const result = await run(['scan', path.join(dir, 'bad.yaml'), path.join(dir, 'pod.yaml'), '--format', 'json', '--fail-on', 'never']);
    expect(result.exitCode).toBe(1); // errors fail the run unless failOnErrors: false
    const report = JSON.parse(result.stdout);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0].file).toMatch(/bad\.yaml$/);
    expect(report.findings.some((f: { ruleId: string }) => f.ruleId === 'pss-privileged')).toBe(true);
    expect(result.stderr).toMatch(/bad\.yaml:\d+: /);
  });

  it('prints help and version', async () => {
    expect((await run(['--help'])).stdout).toContain('Usage: preadmit scan');
    const version = await run(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    // The V8 tiering flags (src/v8-tiering.ts) are ones this node knows: V8 prints nothing about them.
    expect(version.stderr).toBe('');
  });

  it('chooses V8 tiering flags by V8 version (interrupt budget up to V8 11, invocation counts after)', () => {
    expect(tieringFlags('11.3.244.8-node.38')).toEqual(['--interrupt-budget=1081344']);
    expect(tieringFlags('12.4.254.21-node.57')).toEqual(['--invocation-count-for-turbofan=48000', '--invocation-count-for-maglev=1600']);
    expect(tieringFlags('13.6.233.17-node.53')).toEqual(['--invocation-count-for-turbofan=48000', '--invocation-count-for-maglev=1600']);
    expect(tieringFlags('unknown')).toEqual([]);
  });
});

describe('usage mistakes: exit 2 and a message that says what to do', () => {
  const empty = mkdtempSync(path.join(os.tmpdir(), 'preadmit-empty-'));
  it.each([
    [['scan', '--fromat', 'json', empty], 'unknown option --fromat; did you mean --format?'],
    [['scna', empty], 'unknown command "scna"; did you mean scan?'],
    [['scan', path.join(empty, 'missing')], `${path.join(empty, 'missing')}: no such file or directory`],
    [['scan', empty], `nothing to scan under ${empty}: no chart, manifest or Terraform plan found`],
    [['scan', empty, '--pss-version', 'v1.99'], 'invalid PSS version "v1.99": use latest or v1.N (v1.0 to v1.37)'],
    [['scan', empty, '--values', path.join(empty, 'nope.yaml')], `--values ${path.join(empty, 'nope.yaml')}: no such file`],
    [['explain', 'pss-privilged'], 'unknown rule "pss-privilged"; did you mean pss-privileged?'],
    [['explain'], 'preadmit explain takes one rule id'],
    [['scan', empty, '--fail-on-errors', 'maybe'], '--fail-on-errors must be one of true, false'],
  ])('preadmit %j', async (args, message) => {
    const { exitCode, stderr, stdout } = await run(args);
    expect(exitCode).toBe(2);
    expect(stderr).toContain(message);
    expect(stdout).toBe('');
  });

  it('--fail-on-errors false reports an unreadable input without failing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-errors-'));
    writeFileSync(path.join(dir, 'bad.yaml'), 'a: [\n');
    const failing = await run(['scan', dir]);
    expect(failing.exitCode).toBe(1);
    const reported = await run(['scan', dir, '--fail-on-errors', 'false']);
    expect(reported.exitCode).toBe(0);
    expect(reported.stdout).toContain('bad.yaml');
  });

  it('preadmit baseline: a broken existing file is a usage error before any scan; a link there is replaced, not followed', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-baseline-'));
    writeFileSync(path.join(dir, 'pod.yaml'), privilegedPod);
    writeFileSync(path.join(dir, 'broken.yaml'), 'entries: [\n');
    const broken = await run(['baseline', path.join(dir, 'pod.yaml'), '--output', path.join(dir, 'broken.yaml')]);
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr).toContain('broken.yaml:2: invalid YAML');
    mkdirSync(path.join(dir, 'elsewhere'));
    symlinkSync('elsewhere', path.join(dir, 'link.yaml'));
    const linked = await run(['baseline', path.join(dir, 'pod.yaml'), '--output', path.join(dir, 'link.yaml')]);
    expect(linked.exitCode).toBe(0);
    expect(lstatSync(path.join(dir, 'link.yaml')).isFile()).toBe(true);
    expect(readdirSync(path.join(dir, 'elsewhere'))).toEqual([]);
  });

  it('preadmit rules lists every rule; preadmit explain prints one', async () => {
    const rules = await run(['rules']);
    expect(rules.exitCode).toBe(0);
    expect(rules.stdout).toMatch(/^pss-privileged\s+critical\s+pod-security\s+No privileged containers$/m);
    const explained = await run(['explain', 'rbac-wildcard']);
    expect(explained.exitCode).toBe(0);
    expect(explained.stdout).toMatch(/^rbac-wildcard — /);
    expect(explained.stdout).toContain('Fix: ');
  });

  it('--help covers Terraform plans and points at the configuration and rule documentation', async () => {
    const { exitCode, stdout } = await run(['--help']);
    expect(exitCode).toBe(0);
    expect(stdout).toContain('Terraform plan (terraform show -json plan > plan.json)');
    expect(stdout).toContain('docs/rules.md');
    expect(stdout).toContain('preadmit explain RULE');
  });
});

describe('progress', () => {
  it('scan reports each chart render read: renders so far, charts with one, charts in all', async () => {
    const { scan } = await import('../src/pipeline/scan.ts');
    const seen: { renders: number; charts: number; totalCharts: number }[] = [];
    await scan({ paths: [path.join(repoRoot, chart)], helmPath: helm, provenance: false, onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen.map((p) => p.renders)).toEqual(seen.map((_, i) => i + 1));
    expect(seen.at(-1)).toMatchObject({ charts: 1, totalCharts: 1 });
  }, 60_000);
});
