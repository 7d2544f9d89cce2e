// Sharding benchmark (issue 18): a synthetic repository of the 40 corpus charts copied N times under new
// directory names (400 charts at the default 10 copies), built in the system's temporary folder (never in
// the project), scanned unsharded, then on 2 and 4 shards run one after another (as matrix jobs would run
// side by side), each shard's wall time measured, then `preadmit merge` timed, and the merged report
// compared with the unsharded one finding for finding (fingerprint, rule, severity, path, source lines,
// message, suppression, value sets) and on objects, charts, errors, suppressions and verdict.
// Needs ../shared/corpus. Usage:
//   npx tsx scripts/bench-shards.ts [--copies 10] [--shards 2,4] [--fast] [--keep] [--helm v3|v4] [--corpus DIR]
// `--fast` scans with `valueSets.ci: false` and `provenance.enabled: false` (the defaults render every
// ci/*-values.yaml and prove values lines by re-rendering, which takes many times longer on a loaded machine).
// `--core` also leaves out the second renders (install/upgrade, CRD APIs: ScanOptions.renderVariants, a
// measurement switch): one render per chart. The render bounds are raised to their maxima (--total-timeout
// 3600, --max-renders 10000) so that a slow machine does not cut the unsharded scan short.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import type { ScanResult } from '../src/model/model.ts';
import { corpusCharts } from './corpus.ts';
import { provisionHelm, type HelmMajor } from './provision-helm.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const { values } = parseArgs({
  options: {
    copies: { type: 'string', default: '10' },
    shards: { type: 'string', default: '2,4' },
    fast: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    helm: { type: 'string', default: 'v3' },
    corpus: { type: 'string' },
    core: { type: 'boolean', default: false },
    // Internal: one scan in this process (the `--core` scans), its JSON report written to --child-output.
    child: { type: 'string' },
    'child-output': { type: 'string' },
    'child-shard': { type: 'string' },
  },
});

/** The synthetic repository: charts/<chart>-<copy>/, the required values files under values/, one .preadmit.yaml. */
function buildRepository(corpus: string, copies: number, fast: boolean): { repo: string; charts: number } {
  const repo = mkdtempSync(path.join(os.tmpdir(), 'preadmit-shard-bench-'));
  mkdirSync(path.join(repo, '.git'));
  writeFileSync(path.join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  cpSync(path.join(corpus, 'values'), path.join(repo, 'values'), { recursive: true });
  const charts = corpusCharts(corpus);
  const entries: { path: string; values: string[]; set: string[] }[] = [];
  for (let copy = 0; copy < copies; copy++) {
    for (const chart of charts) {
      const dir = `charts/${chart.name}-${copy}`;
      cpSync(chart.dir, path.join(repo, dir), { recursive: true });
      if (chart.values.length + chart.set.length > 0) {
        // A values file inside the chart (loki's ci/default-values.yaml) is the copy's own.
        const own = `charts/${chart.name}/`;
        entries.push({ path: dir, values: chart.values.map((v) => path.relative(corpus, v)).map((v) => (v.startsWith(own) ? `${dir}/${v.slice(own.length)}` : v)), set: chart.set });
      }
    }
  }
  const config: Record<string, unknown> = { charts: entries };
  if (fast) Object.assign(config, { valueSets: { ci: false }, provenance: { enabled: false } });
  writeFileSync(path.join(repo, '.preadmit.yaml'), stringify(config));
  return { repo, charts: charts.length * copies };
}

interface Run {
  ms: number;
  code: number;
}

const BOUNDS = ['--total-timeout', '3600', '--max-renders', '10000'];

/** preadmit from the sources (as `npx tsx src/bin.ts`, run in the project for tsx), its wall time measured from outside. */
function preadmit(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // With --core a scan runs in a child of this script (scan() without second renders); merge is always the CLI.
    const command = values.core && args[0] === 'scan' ? [fileURLToPath(import.meta.url), '--child', args[1]!, '--child-output', args[args.indexOf('--output') + 1]!, ...(args.includes('--shard') ? ['--child-shard', args[args.indexOf('--shard') + 1]!] : [])] : [path.join(root, 'src', 'bin.ts'), ...args, ...(args[0] === 'scan' ? BOUNDS : [])];
    const child = spawn(process.execPath, ['--import', 'tsx', ...command], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 && code !== 1) reject(new Error(`preadmit ${args.join(' ')} exited ${code}: ${stderr.slice(0, 3000)}`));
      else resolve({ ms: performance.now() - started, code: code ?? 0 });
    });
  });
}

/** What must be equal between the merged and the unsharded report (timings and render counts left out). */
function comparable(result: ScanResult) {
  return {
    findings: result.findings,
    objects: result.objects,
    charts: result.charts.map(({ renderMs: _r, provenance: _p, variant, answers, ...c }) => ({ ...c, ...(variant ? { variant: { ...variant, renderMs: 0 } } : {}), ...(answers ? { answers: { ...answers, renderMs: 0 } } : {}) })),
    errors: result.errors,
    suppressions: result.suppressions,
    summary: { ...result.summary, renderMs: 0, totalMs: 0, provenance: undefined },
  };
}

/** A finding as the comparison sees it: identity, rule, severity, place, lines, value sets, suppression, status. */
function findingKey(f: ScanResult['findings'][number]): string {
  return JSON.stringify({ fingerprint: f.fingerprint, ruleId: f.ruleId, severity: f.severity, path: f.path, source: f.source, valueSets: f.valueSets, suppressed: f.suppressed, status: f.status });
}

/**
 * What differs between the merged and the unsharded report. Findings are compared by identity, rule,
 * severity, path and source lines (the must-show), then in full: a chart whose template names an object
 * with randAlpha (elasticsearch's test pod) names it differently on every render, sharded or not, so
 * those differences are counted apart, by fingerprint.
 */
function differences(a: ScanResult, b: ScanResult): { keyed: string[]; full: string[] } {
  const x = comparable(a);
  const y = comparable(b);
  const keyed: string[] = [];
  const ka = a.findings.map(findingKey).sort();
  const kb = b.findings.map(findingKey).sort();
  if (JSON.stringify(ka) !== JSON.stringify(kb)) {
    const sb = new Set(kb);
    const sa = new Set(ka);
    keyed.push(`findings only merged: ${ka.filter((k) => !sb.has(k)).length}, only unsharded: ${kb.filter((k) => !sa.has(k)).length}`);
  }
  for (const key of ['charts', 'errors', 'suppressions', 'summary'] as const) if (JSON.stringify(x[key]) !== JSON.stringify(y[key])) keyed.push(key);
  if (a.objects.length !== b.objects.length) keyed.push(`objects ${a.objects.length} vs ${b.objects.length}`);
  const full: string[] = [];
  const fb = new Set(b.findings.map((f) => JSON.stringify(f)));
  const named = a.findings.filter((f) => !fb.has(JSON.stringify(f)));
  if (named.length > 0) full.push(`${named.length} findings differ in message or object name only (${[...new Set(named.map((f) => f.source.file))].join(', ')})`);
  const ob = new Set(b.objects.map((o) => JSON.stringify(o)));
  const objects = a.objects.filter((o) => !ob.has(JSON.stringify(o)));
  if (objects.length > 0) full.push(`${objects.length} objects differ (${objects.map((o) => `${o.object.kind}/${o.object.name}`).join(', ')})`);
  return { keyed, full };
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

async function main(): Promise<void> {
  const corpus = path.resolve(values.corpus ?? path.join(root, '..', 'shared', 'corpus'));
  const copies = Number(values.copies);
  const counts = values.shards.split(',').map(Number);
  const helm = await provisionHelm(values.helm as HelmMajor);
  const { repo, charts } = buildRepository(corpus, copies, values.fast);
  const out = path.join(repo, '..', `${path.basename(repo)}-reports`);
  mkdirSync(out);
  console.log(`repository ${repo}: ${charts} charts (${copies} copies of the corpus), configuration ${values.fast ? 'fast (valueSets.ci false, provenance off)' : 'default'}${values.core ? ', second renders off' : ''}, helm ${helm}, ${os.availableParallelism()} CPUs, load ${os.loadavg()[0]!.toFixed(1)}`);
  const common = ['--helm', helm, '--format', 'json'];
  const whole = await preadmit(['scan', repo, ...common, '--output', path.join(out, 'whole.json')]);
  const unsharded = JSON.parse(readFileSync(path.join(out, 'whole.json'), 'utf8')) as ScanResult;
  console.log(`1 shard (unsharded scan): ${seconds(whole.ms)} s, ${unsharded.findings.length} findings, ${unsharded.charts.length} chart renders, exit ${whole.code}`);
  for (const count of counts) {
    const times: number[] = [];
    const files: string[] = [];
    for (let k = 1; k <= count; k++) {
      const file = path.join(out, `shard-${k}-of-${count}.json`);
      const run = await preadmit(['scan', repo, ...common, '--shard', `${k}/${count}`, '--output', file]);
      times.push(run.ms);
      files.push(file);
      const report = JSON.parse(readFileSync(file, 'utf8')) as ScanResult;
      console.log(`  shard ${k}/${count}: ${seconds(run.ms)} s, ${report.shard!.units.length} units, ${report.findings.length} findings, ${report.shard!.joins.length} pending joins, ${(readFileSync(file).length / 1024 / 1024).toFixed(1)} MiB`);
    }
    const mergedFile = path.join(out, `merged-${count}.json`);
    const merge = await preadmit(['merge', ...files, '--format', 'json', '--output', mergedFile]);
    const merged = JSON.parse(readFileSync(mergedFile, 'utf8')) as ScanResult;
    const diff = differences(merged, unsharded);
    console.log(
      `${count} shards: slowest shard ${seconds(Math.max(...times))} s (${(Math.max(...times) / whole.ms).toFixed(2)}x the unsharded scan), sum ${seconds(times.reduce((a, b) => a + b, 0))} s, merge ${seconds(merge.ms)} s; merged ${diff.keyed.length === 0 ? 'EQUALS' : `DIFFERS from (${diff.keyed.join('; ')})`} the unsharded report finding for finding (${merged.findings.length} findings: fingerprint, rule, severity, path, source lines, value sets, suppression)${diff.full.length > 0 ? `; in full: ${diff.full.join('; ')}` : ''}`,
    );
  }
  if (!values.keep) {
    rmSync(repo, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  } else console.log(`kept ${repo} and ${out}`);
}

/** `--child REPO`: one scan as `preadmit scan REPO --format json` would make it, with second renders off. */
async function child(repo: string): Promise<void> {
  const { scan } = await import('../src/pipeline/scan.ts');
  const { parseShard } = await import('../src/pipeline/shard.ts');
  const { renderJson } = await import('../src/reporters/json.ts');
  const helm = await provisionHelm(values.helm as HelmMajor);
  const shard = values['child-shard'] !== undefined ? parseShard(values['child-shard']) : undefined;
  const result = await scan({ paths: [repo], helmPath: helm, renderVariants: false, bounds: { totalTimeoutSeconds: 3600, maxRenders: 10000 }, ...(shard ? { shard } : {}) });
  writeFileSync(values['child-output']!, renderJson(result));
  process.exitCode = result.summary.verdict === 'fail' ? 1 : 0;
}

if (values.child !== undefined) await child(values.child);
else await main();
