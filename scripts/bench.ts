// Corpus benchmark: preadmit (the bundled CLI, all rules) against bare `helm template` over the same
// charts at the same concurrency, measured side by side in one run, alternating which goes first.
// Needs ../shared/corpus. Usage: npm run bench [-- --rounds N --helm v3|v4]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { corpusCharts, corpusConfig, type CorpusChart } from './corpus.ts';
import { provisionHelm, type HelmMajor } from './provision-helm.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface RunStats {
  ms: number;
  peakRssMb: number;
  code: number;
}

/** Runs a command, polling its peak resident set (VmHWM) from /proc while it runs. */
function timed(command: string, args: string[]): Promise<RunStats> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let peakKb = 0;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const poll = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
        if (hwm > peakKb) peakKb = hwm;
      } catch {
        // the process has just exited
      }
    }, 20);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      if (code !== 0 && code !== 1) reject(new Error(`${command} exited ${code}: ${stderr.slice(0, 2000)}`));
      else resolve({ ms: performance.now() - started, peakRssMb: peakKb / 1024, code: code ?? 0 });
    });
  });
}

async function bareHelm(helm: string, charts: CorpusChart[], concurrency: number): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < charts.length) {
      const chart = charts[next++]!;
      const args = ['template', 'release', chart.dir, '--namespace', 'default'];
      for (const v of chart.values) args.push('--values', v);
      for (const s of chart.set) args.push('--set', s);
      await timed(helm, args);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - started;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, helm: { type: 'string', default: 'v3' } } });
  const corpus = process.env.PREADMIT_SHARED ? path.join(process.env.PREADMIT_SHARED, 'corpus') : path.resolve(root, '..', 'shared', 'corpus');
  if (!existsSync(corpus)) {
    console.error(`bench: ${corpus} not found: the benchmark needs the shared chart corpus (set PREADMIT_SHARED)`);
    process.exit(2);
  }
  const cli = path.join(root, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js missing: run npm run bundle');
  const helm = await provisionHelm(values.helm as HelmMajor, console.error);
  const charts = corpusCharts(corpus);
  const concurrency = Math.max(1, os.availableParallelism());
  const work = mkdtempSync(path.join(os.tmpdir(), 'preadmit-bench-'));
  const config = path.join(work, 'bench.preadmit.yaml');
  writeFileSync(config, corpusConfig(charts, { failOn: 'never', failOnErrors: false }));
  const report = path.join(work, 'report.json');
  const preadmitArgs = [cli, 'scan', path.join(corpus, 'charts'), '--config', config, '--helm', helm, '--format', 'json', '--output', report];

  // Warm-up: file cache and helm's first start are not what we measure.
  await bareHelm(helm, charts, concurrency);
  await timed(process.execPath, preadmitArgs);

  const rounds = Number(values.rounds);
  const helmMs: number[] = [];
  const preadmitMs: number[] = [];
  const rss: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const runPreadmit = async () => {
      const stats = await timed(process.execPath, preadmitArgs);
      preadmitMs.push(stats.ms);
      rss.push(stats.peakRssMb);
    };
    const runHelm = async () => helmMs.push(await bareHelm(helm, charts, concurrency));
    if (round % 2 === 0) {
      await runHelm();
      await runPreadmit();
    } else {
      await runPreadmit();
      await runHelm();
    }
  }
  const result = JSON.parse(readFileSync(report, 'utf8')) as {
    summary: { objects: number; findings: number; errors: number; charts: number };
    errors: { file: string; message: string }[];
  };
  rmSync(work, { recursive: true, force: true });

  const p = median(preadmitMs);
  const h = median(helmMs);
  const lines = [
    `corpus: ${charts.length} charts, ${result.summary.charts} rendered, ${result.summary.objects} objects, ${result.summary.findings} findings, ${result.summary.errors} errors`,
    `helm: ${values.helm} (${helm}), concurrency ${concurrency}, ${rounds} rounds (median)`,
    `bare helm template: ${h.toFixed(0)} ms`,
    `preadmit scan:      ${p.toFixed(0)} ms  (all ${rounds}: ${preadmitMs.map((x) => x.toFixed(0)).join(', ')})`,
    `ratio:              ${(p / h).toFixed(3)}  (target <= 1.15)`,
    `outside helm:       ${(((p - h) / result.summary.objects) * 1000).toFixed(0)} µs per object`,
    `peak RSS (node):    ${Math.max(...rss).toFixed(0)} MB  (target <= 300 MB)`,
  ];
  for (const error of result.errors) lines.push(`error: ${error.file}: ${error.message.split('\n')[0]}`);
  console.log(lines.join('\n'));
}

await main();
