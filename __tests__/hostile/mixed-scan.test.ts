// One scan of a directory that mixes the 40 charts of the shared corpus with 40 broken inputs: every
// chart's findings are reported as if the broken inputs were not there, each broken input is exactly one
// error naming it, and the CLI exits 1. The corpus is copied to a temporary directory (symlinks to it are
// refused by design: they lead out of the scanned tree, and one of the 40 broken inputs is such a link).
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { corpusCharts, corpusConfig } from '../../scripts/corpus.ts';
import type { Finding, ScanResult } from '../../src/model/model.ts';
import { scan } from '../../src/pipeline/scan.ts';
import { repoRoot, sharedPath, skipMessage } from '../helpers/shared.ts';
import { chart, deepBlockNesting, fromCorpus, helm3, link, nodeFlood, oversizedFile, utf16Manifest, workspace } from './helpers.ts';

const corpus = sharedPath('corpus');

/**
 * Broken inputs from the committed hostile corpus, each exactly one error. (A duplicate key is not one:
 * Kubernetes reads the last value, and so does preadmit; hostile/manifests covers it.)
 */
const BROKEN_MANIFESTS = [
  'yaml-syntax-error.yaml',
  'yaml-tab-indentation.yaml',
  'yaml-billion-laughs.yaml',
  'yaml-recursive-alias.yaml',
  'yaml-deep-flow-nesting.yaml',
  'yaml-nul-byte.yaml',
  'yaml-unclosed-quote-in-secret.yaml',
  'yaml-invalid-escape-in-secret.yaml',
  'object-spec-string.yaml',
  'object-containers-strings.yaml',
  'object-metadata-number.yaml',
  'object-kind-number.yaml',
  'object-securitycontext-list.yaml',
  'object-privileged-string.yaml',
  'object-rbac-rules-string.yaml',
  'json-truncated.json',
];
const BROKEN_CHARTS = [
  'chart-template-fail',
  'chart-template-parse-error',
  'chart-template-required',
  'chart-missing-dependency',
  'chart-yaml-not-a-chart',
  'chart-yaml-syntax-error',
  'chart-yaml-no-name',
  'chart-render-hangs',
  'chart-render-include-recursion',
  'chart-renders-invalid-yaml',
  'chart-renders-string-spec',
  'chart-values-syntax-error',
  'chart-values-schema-violation',
  'chart-values-schema-file-ref',
  'chart-values-schema-remote-ref',
];
/** Generated at test time (too large, or filesystem tricks): name -> how to make it in `broken/`. */
const GENERATED: Record<string, (dir: string) => void> = {
  'oversized-file.yaml': (dir) => oversizedFile(dir),
  'node-flood.yaml': (dir) => writeFileSync(path.join(dir, 'node-flood.yaml'), nodeFlood(3)),
  'deep-block-nesting.yaml': (dir) => writeFileSync(path.join(dir, 'deep-block-nesting.yaml'), deepBlockNesting(1_000)),
  // kubectl reads UTF-16 without a byte order mark as UTF-8, and a JSON stream stops at what follows two values
  'utf16-no-bom.yaml': (dir) => writeFileSync(path.join(dir, 'utf16-no-bom.yaml'), utf16Manifest().subarray(2)),
  'json-stream-then-garbage.json': (dir) => writeFileSync(path.join(dir, 'json-stream-then-garbage.json'), '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}\n{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}\ngarbage: [\n'),
  'symlink-to-etc-passwd.yaml': (dir) => link(dir, 'symlink-to-etc-passwd.yaml', '/etc/passwd'),
  'symlink-dangling.yaml': (dir) => link(dir, 'symlink-dangling.yaml', path.join(dir, 'nothing.yaml')),
  'symlink-to-corpus-chart': (dir) => link(dir, 'symlink-to-corpus-chart', path.join(corpus!, 'charts', 'bitnami__nginx')),
  'chart-symlink-out-of-repo': (dir) => {
    const target = chart(dir, 'chart-symlink-out-of-repo');
    link(target, 'templates/passwd.yaml', '/etc/passwd');
  },
};

/**
 * What identifies a finding across two scans of the same chart in two places. Some charts name test pods
 * with `randAlphaNum 5` on every render: five-character name segments are masked (on both sides).
 */
function key(f: Finding): string {
  const name = f.object.name.replace(/(^|-)[a-z0-9]{5}(?=-|$)/g, '$1*****');
  return [f.ruleId, f.severity, f.object.kind, f.object.namespace ?? '', name, f.path].join(' ');
}

function byChart(findings: Finding[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of findings) {
    const name = (f.source.chart ?? '').split('/').pop()!;
    out.set(name, [...(out.get(name) ?? []), key(f)].sort());
  }
  return out;
}

describe.skipIf(!corpus)('a scan mixing the 40 corpus charts with 40 broken inputs', () => {
  it('reports all 40 charts\' findings and 40 errors, nothing missing, and exits 1', async () => {
    const charts = corpusCharts(corpus!);
    expect(charts).toHaveLength(40);
    const mixed = workspace('preadmit-mixed-');
    const broken = path.join(mixed, 'broken');
    // The corpus, copied: chart directories under mixed/charts, with their required values.
    cpSync(path.join(corpus!, 'charts'), path.join(mixed, 'charts'), { recursive: true });
    const copies = charts.map((c) => ({
      ...c,
      dir: path.join(mixed, 'charts', c.name),
      values: c.values.map((v) => (v.startsWith(path.join(corpus!, 'charts')) ? v.replace(path.join(corpus!, 'charts'), path.join(mixed, 'charts')) : v)),
    }));
    for (const name of BROKEN_MANIFESTS) fromCorpus('manifests', name, broken);
    for (const name of BROKEN_CHARTS) fromCorpus('charts', name, broken);
    for (const make of Object.values(GENERATED)) make(broken);
    const names = [...BROKEN_MANIFESTS, ...BROKEN_CHARTS, ...Object.keys(GENERATED)];
    expect(names).toHaveLength(40);

    const configDir = workspace('preadmit-mixed-config-');
    const config = path.join(configDir, '.preadmit.yaml');
    // Each chart's default values, no provenance re-renders (as the corpus suite): those have suites of their own.
    writeFileSync(config, corpusConfig(copies, { helm: { timeoutSeconds: 20 }, valueSets: { ci: false }, provenance: false }));

    // The mixed scan, through the CLI as CI runs it.
    const report = path.join(configDir, 'report.json');
    const cli = await execa(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'scan', mixed, '--helm', helm3(), '--config', config, '--kube-version', '1.33.0', '--format', 'json', '--output', report], { reject: false, cwd: repoRoot });
    expect(cli.exitCode).toBe(1);
    const result = JSON.parse(readFileSync(report, 'utf8')) as ScanResult;

    // 40 errors, one per broken input, each naming it.
    expect(result.errors).toHaveLength(40);
    for (const name of names) {
      const naming = result.errors.filter((e) => e.file.split('/').includes(name) || e.chart?.split('/').pop() === name);
      expect(naming, name).toHaveLength(1);
    }
    // stderr repeats every error on one line, with no stack trace
    expect(cli.stderr.split('\n').filter((l) => l.startsWith('preadmit: error: '))).toHaveLength(40);
    expect(cli.stderr).not.toMatch(/\n\s+at /);

    // All 40 charts rendered, with the same findings as a scan of the corpus alone.
    const rendered = new Map(result.charts.map((c) => [c.chart.split('/').pop()!, c]));
    for (const c of charts) expect(rendered.get(c.name)?.objects, c.name).toBeGreaterThan(0);
    const aloneConfig = path.join(workspace('preadmit-mixed-config-'), '.preadmit.yaml');
    writeFileSync(aloneConfig, corpusConfig(charts, { valueSets: { ci: false }, provenance: false }));
    const alone = await scan({ paths: [path.join(corpus!, 'charts')], configFile: aloneConfig, helmPath: helm3(), kubeVersion: '1.33.0' });
    expect(alone.errors).toEqual([]);
    const expected = byChart(alone.findings);
    const actual = byChart(result.findings.filter((f) => f.source.chart?.includes('/charts/') && !f.source.chart.includes('/broken/')));
    expect(expected.size).toBeGreaterThanOrEqual(38);
    for (const c of charts) expect(actual.get(c.name) ?? [], c.name).toEqual(expected.get(c.name) ?? []);
  }, 300_000);
});

// Said once on stderr too: the default reporter lists skipped files, not their tests' names.
if (!corpus) console.warn(skipMessage('mixed corpus scan'));
describe.skipIf(corpus)('a scan mixing the corpus with broken inputs (corpus absent)', () => {
  it.skip(skipMessage('mixed corpus scan'), () => {});
});
