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
        entries.push({ path: dir, values: chart.values.map((v) => path.relative(corpus, v)), set: chart.set });
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

/** preadmit from the sources (as `npx tsx src/bin.ts`, run in the project for tsx), its wall time measured from outside. */
function preadmit(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'bin.ts'), ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
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

function differences(a: ScanResult, b: ScanResult): string[] {
  const x = comparable(a);
  const y = comparable(b);
  const out: string[] = [];
  for (const key of Object.keys(x) as (keyof typeof x)[]) if (JSON.stringify(x[key]) !== JSON.stringify(y[key])) out.push(key);
  if (out.includes('findings')) {
    const fa = new Set(a.findings.map((f) => JSON.stringify(f)));
    const fb = new Set(b.findings.map((f) => JSON.stringify(f)));
    out.push(`findings only merged: ${[...fa].filter((f) => !fb.has(f)).length}, only unsharded: ${[...fb].filter((f) => !fa.has(f)).length}`);
  }
  return out;
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
  console.log(`repository ${repo}: ${charts} charts (${copies} copies of the corpus), configuration ${values.fast ? 'fast (valueSets.ci false, provenance off)' : 'default'}, helm ${helm}, ${os.availableParallelism()} CPUs, load ${os.loadavg()[0]!.toFixed(1)}`);
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
      `${count} shards: slowest shard ${seconds(Math.max(...times))} s (${(Math.max(...times) / whole.ms).toFixed(2)}x the unsharded scan), sum ${seconds(times.reduce((a, b) => a + b, 0))} s, merge ${seconds(merge.ms)} s; merged ${diff.length === 0 ? 'EQUALS' : `DIFFERS from (${diff.join('; ')})`} the unsharded report (${merged.findings.length} findings)`,
    );
  }
  if (!values.keep) {
    rmSync(repo, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  } else console.log(`kept ${repo} and ${out}`);
}

await main();
