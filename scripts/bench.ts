// Corpus benchmark: preadmit (the bundled CLI, all rules) against bare `helm template`, measured side by
// side in one run, alternating which goes first. Needs ../shared/corpus. Usage: npm run bench [-- --rounds N --helm v3|v4]
//
// By default it times the default run as shipped (value sets from ci/, second renders, provenance) against
// bare `helm template` of the same value-set renders (each chart's defaults and every ci/*-values.yaml),
// both at the concurrency preadmit renders with (os.availableParallelism()), in wall time and CPU seconds
// (the process tree's, helm's included), with preadmit's peak RSS. Then, once each, with the render cache
// (--cache): a cold run filling it, a warm run of the unchanged charts, and a run after one chart changed
// (`--changed NAME`, default kubernetes-sigs__metrics-server) against bare helm rendering that chart's value
// sets twice. The charts are copied to a temporary folder for these (one of them is changed there).
// `--cache-only` makes only the render-cache runs. `--compare OTHER/dist/cli.js` also times another build's default run in the same rounds (before/after).
// `--defaults-only` times the earlier comparison instead: each chart's defaults, no value sets, no provenance.
//
// `--provenance` measures locating findings at values and template lines instead: the scan pipeline
// run in-process (render every value set, evaluate, locate, lint, merge, suppress) with provenance on
// and with `provenance: false`, alternating, and prints the extra renders, the wall-time ratio and the
// share of chart findings located at a values line, a template line, or the object only.
// `--no-ci` renders the defaults only; `--out FILE` writes every located finding as JSON (for review).
// `--quick` leaves out the one full-defaults run (value sets + provenance) timed after the rounds;
// `--node PATH` runs preadmit with another node (the Action runs on node24; CI machines have node 20).
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Finding } from '../src/model/model.ts';
import { scan } from '../src/pipeline/scan.ts';
import { corpusCharts, corpusConfig, type CorpusChart } from './corpus.ts';
import { GO_RUNTIME_DEFAULTS } from '../src/render/helm.ts';
import { ciValuesFiles } from '../src/render/value-sets.ts';
import { provisionHelm, type HelmMajor } from './provision-helm.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface RunStats {
  ms: number;
  peakRssMb: number;
  code: number;
}

/** CPU seconds of this process's waited-for children and their own waited-for children (/proc/self/stat). */
function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Wall time and CPU seconds of an async step. */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; cpu: number }> {
  const cpu = childrenCpuSeconds();
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started, cpu: childrenCpuSeconds() - cpu };
}

/** The value-set renders preadmit makes by default: each chart's defaults, then each ci/*-values.yaml. */
function valueSetRenders(charts: CorpusChart[]): CorpusChart[] {
  return charts.flatMap((chart) => [chart, ...ciValuesFiles(chart.dir).map((file) => ({ ...chart, values: [...chart.values, file] }))]);
}

/** Runs a command, polling its peak resident set (VmHWM) from /proc while it runs. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunStats> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
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

async function bareHelm(helm: string, charts: CorpusChart[], concurrency: number, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < charts.length) {
      const chart = charts[next++]!;
      const args = ['template', 'release', chart.dir, '--namespace', 'default'];
      for (const v of chart.values) args.push('--values', v);
      for (const s of chart.set) args.push('--set', s);
      await timed(helm, args, env);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - started;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface ProvenanceRun {
  ms: number;
  renders: number;
  extraRenders: number;
  findings: Finding[];
  shares: { values: number; template: number; object: number };
}

/** One in-process scan of the corpus, with provenance on or off (the same pipeline as the CLI's). */
async function pipelineRun(corpus: string, configFile: string, helm: string, provenance: boolean): Promise<ProvenanceRun> {
  const started = performance.now();
  const result = await scan({ paths: [path.join(corpus, 'charts')], configFile, helmPath: helm, kubeVersion: '1.33.0', provenance });
  const shares = result.summary.provenance ?? { values: 0, template: 0, object: 0, renders: 0 };
  return {
    ms: performance.now() - started,
    renders: result.charts.length,
    extraRenders: shares.renders,
    findings: result.findings,
    shares: { values: shares.values, template: shares.template, object: shares.object },
  };
}

async function provenanceBench(corpus: string, charts: CorpusChart[], helm: string, rounds: number, ci: boolean, outFile?: string): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'preadmit-bench-'));
  const config = path.join(work, 'bench.preadmit.yaml');
  writeFileSync(config, corpusConfig(charts, { failOn: 'never', failOnErrors: false, valueSets: { ci } }));
  await pipelineRun(corpus, config, helm, false); // warm-up
  const on: ProvenanceRun[] = [];
  const off: ProvenanceRun[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      off.push(await pipelineRun(corpus, config, helm, false));
      on.push(await pipelineRun(corpus, config, helm, true));
    } else {
      on.push(await pipelineRun(corpus, config, helm, true));
      off.push(await pipelineRun(corpus, config, helm, false));
    }
  }
  rmSync(work, { recursive: true, force: true });
  const last = on[on.length - 1]!;
  const located = last.findings.filter((f) => f.source.located !== undefined);
  const total = located.length;
  const pct = (n: number) => `${((100 * n) / Math.max(1, total)).toFixed(1)}%`;
  const mOn = median(on.map((r) => r.ms));
  const mOff = median(off.map((r) => r.ms));
  const byRule = new Map<string, Record<'values' | 'template' | 'object', number>>();
  for (const f of located) {
    const row = byRule.get(f.ruleId) ?? { values: 0, template: 0, object: 0 };
    row[f.source.located!]++;
    byRule.set(f.ruleId, row);
  }
  const lines = [
    `corpus: ${charts.length} charts, ${last.renders} renders (value sets: defaults${ci ? ' + ci/*-values.yaml' : ''}), ${last.findings.length} findings, ${total} located in charts`,
    `provenance: ${last.extraRenders} extra renders (${(last.extraRenders / last.renders).toFixed(2)} per render), ${rounds} rounds (median)`,
    `wall time with provenance:    ${mOn.toFixed(0)} ms  (all: ${on.map((r) => r.ms.toFixed(0)).join(', ')})`,
    `wall time without provenance: ${mOff.toFixed(0)} ms  (all: ${off.map((r) => r.ms.toFixed(0)).join(', ')})`,
    `ratio:                        ${(mOn / mOff).toFixed(2)}`,
    '',
    '| located at | findings | share |',
    '|---|---:|---:|',
    `| a values line | ${last.shares.values} | ${pct(last.shares.values)} |`,
    `| a template line only | ${last.shares.template} | ${pct(last.shares.template)} |`,
    `| the object only | ${last.shares.object} | ${pct(last.shares.object)} |`,
    '',
    '| rule | values | template | object |',
    '|---|---:|---:|---:|',
    ...[...byRule.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([rule, r]) => `| ${rule} | ${r.values} | ${r.template} | ${r.object} |`),
  ];
  console.log(lines.join('\n'));
  if (outFile) writeFileSync(outFile, JSON.stringify(located.map((f) => ({ ruleId: f.ruleId, object: f.object, path: f.path, valueSets: f.valueSets, source: f.source })), null, 1));
}

async function main() {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '5' },
      helm: { type: 'string', default: 'v3' },
      provenance: { type: 'boolean', default: false },
      'defaults-only': { type: 'boolean', default: false },
      'no-ci': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      node: { type: 'string', default: process.execPath },
      changed: { type: 'string', default: 'kubernetes-sigs__metrics-server' },
      compare: { type: 'string' },
      'cache-only': { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  });
  const corpus = process.env.PREADMIT_SHARED ? path.join(process.env.PREADMIT_SHARED, 'corpus') : path.resolve(root, '..', 'shared', 'corpus');
  if (!existsSync(corpus)) {
    console.error(`bench: ${corpus} not found: the benchmark needs the shared chart corpus (set PREADMIT_SHARED)`);
    process.exit(2);
  }
  if (values.provenance) {
    const helmPath = await provisionHelm(values.helm as HelmMajor, console.error);
    await provenanceBench(corpus, corpusCharts(corpus), helmPath, Number(values.rounds), !values['no-ci'], values.out);
    return;
  }
  if (values['defaults-only']) return defaultsOnly(values, corpus);
  await defaultRun(values, corpus);
}

interface Report {
  summary: { charts: number; findings: number; errors: number; provenance?: { renders: number; values: number; template: number; object: number } };
  errors: { file: string; message: string }[];
}

/** The default run as shipped against bare helm of the same value-set renders; then the render cache. */
async function defaultRun(values: Record<string, string | boolean | undefined>, corpus: string) {
  const nodeBinary = values.node as string;
  const nodeVersion = execFileSync(nodeBinary, ['--version']).toString().trim();
  const cli = path.join(root, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js missing: run npm run bundle');
  const helm = await provisionHelm(values.helm as HelmMajor, console.error);
  const charts = corpusCharts(corpus);
  const renders = valueSetRenders(charts);
  const concurrency = Math.max(1, os.availableParallelism());
  const work = mkdtempSync(path.join(os.tmpdir(), 'preadmit-bench-'));
  // As shipped: only the values each chart needs to render; fail-on never so the exit status says nothing.
  const config = path.join(work, 'default.preadmit.yaml');
  writeFileSync(config, corpusConfig(charts, { failOn: 'never', failOnErrors: false }));
  const report = path.join(work, 'report.json');
  const scanArgs = (dir: string, configFile: string, extra: string[] = []) => [cli, 'scan', dir, '--config', configFile, '--helm', helm, '--format', 'json', '--output', report, ...extra];

  if (values['cache-only']) {
    await cacheRuns(nodeBinary, scanArgs, corpus, helm, concurrency, work, values.changed as string);
    rmSync(work, { recursive: true, force: true });
    return;
  }
  // Warm-up: file cache and helm's first start are not what we measure.
  await bareHelm(helm, renders, concurrency);
  const rounds = Number(values.rounds);
  const runs: { ms: number; cpu: number; rss: number }[] = [];
  const other: { ms: number; cpu: number; rss: number; report: Report }[] = [];
  const bare: { ms: number; cpu: number }[] = [];
  const compare = values.compare as string | undefined;
  const steps = [
    ...(compare === undefined
      ? []
      : [
          async () => {
            const otherReport = path.join(work, 'other.json');
            const args = scanArgs(path.join(corpus, 'charts'), config).map((arg) => (arg === cli ? compare : arg === report ? otherReport : arg));
            const { value, ms, cpu } = await measured(() => timed(nodeBinary, args));
            other.push({ ms, cpu, rss: value.peakRssMb, report: JSON.parse(readFileSync(otherReport, 'utf8')) as Report });
          },
        ]),
    async () => {
      const { value, ms, cpu } = await measured(() => timed(nodeBinary, scanArgs(path.join(corpus, 'charts'), config)));
      runs.push({ ms, cpu, rss: value.peakRssMb });
    },
    async () => {
      const { ms, cpu } = await measured(() => bareHelm(helm, renders, concurrency));
      bare.push({ ms, cpu });
    },
  ];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < steps.length; i++) await steps[(round + i) % steps.length]!();
  }
  const result = JSON.parse(readFileSync(report, 'utf8')) as Report;
  const p = median(runs.map((r) => r.ms));
  const h = median(bare.map((r) => r.ms));
  const pc = median(runs.map((r) => r.cpu));
  const hc = median(bare.map((r) => r.cpu));
  const prov = result.summary.provenance;
  const lines = [
    `corpus: ${charts.length} charts, ${result.summary.charts} value-set renders, ${result.summary.findings} findings, ${result.summary.errors} errors, ${prov?.renders ?? 0} provenance renders ` +
      `(located: ${prov?.values ?? 0} values, ${prov?.template ?? 0} template, ${prov?.object ?? 0} object)`,
    `helm: ${values.helm} (${helm}), node ${nodeVersion} for preadmit, concurrency ${concurrency} (preadmit's render slots and bare helm's), ${rounds} rounds (median)`,
    `default run (as shipped):            ${(p / 1000).toFixed(1)} s wall, ${pc.toFixed(1)} CPU-s  (all: ${runs.map((r) => (r.ms / 1000).toFixed(1)).join(', ')})`,
    `bare helm template, ${renders.length} value sets: ${(h / 1000).toFixed(1)} s wall, ${hc.toFixed(1)} CPU-s  (all: ${bare.map((r) => (r.ms / 1000).toFixed(1)).join(', ')})`,
    `ratio:                               ${(p / h).toFixed(2)} wall, ${(pc / hc).toFixed(2)} CPU  (target <= 1.3)`,
    `peak RSS (node):                     ${Math.max(...runs.map((r) => r.rss)).toFixed(0)} MB  (target <= 300 MB)`,
  ];
  if (other.length > 0) {
    const o = median(other.map((r) => r.ms));
    const oc = median(other.map((r) => r.cpu));
    const op = other[other.length - 1]!.report.summary.provenance;
    lines.push(
      `compared build (${compare}): ${(o / 1000).toFixed(1)} s wall, ${oc.toFixed(1)} CPU-s, ratio ${(o / h).toFixed(2)} wall, ${(oc / hc).toFixed(2)} CPU, peak RSS ${Math.max(...other.map((r) => r.rss)).toFixed(0)} MB, ` +
        `${op?.renders ?? 0} provenance renders (located: ${op?.values ?? 0} values, ${op?.template ?? 0} template, ${op?.object ?? 0} object)  (all: ${other.map((r) => (r.ms / 1000).toFixed(1)).join(', ')})`,
    );
  }
  for (const error of result.errors) lines.push(`error: ${error.file}: ${error.message.split('\n')[0]}`);
  console.log(lines.join('\n'));
  if (!values.quick) await cacheRuns(nodeBinary, scanArgs, corpus, helm, concurrency, work, values.changed as string);
  rmSync(work, { recursive: true, force: true });
}

/**
 * The render cache: a cold run filling it, a warm run, and a run after one chart changed; then the pull
 * request making that change, without a cache and with the cache as the base branch saved it.
 */
async function cacheRuns(
  nodeBinary: string,
  scanArgs: (dir: string, configFile: string, extra?: string[]) => string[],
  corpus: string,
  helm: string,
  concurrency: number,
  work: string,
  changedName: string,
): Promise<void> {
  // A copy of the charts (outside the project), so one can be changed.
  const copy = path.join(work, 'corpus');
  cpSync(path.join(corpus, 'charts'), path.join(copy, 'charts'), { recursive: true });
  cpSync(path.join(corpus, 'values'), path.join(copy, 'values'), { recursive: true });
  cpSync(path.join(corpus, 'render-args.tsv'), path.join(copy, 'render-args.tsv'));
  const charts = corpusCharts(copy);
  const config = path.join(work, 'copy.preadmit.yaml');
  writeFileSync(config, corpusConfig(charts, { failOn: 'never', failOnErrors: false }));
  // A git repository, so the pull-request run (--base) compares with the commit before the change.
  const git = (...args: string[]) => execFileSync('git', args, { cwd: copy, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: work, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.com' } });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  const cache = path.join(work, 'render-cache');
  const run = async () => {
    const { value, ms, cpu } = await measured(() => timed(nodeBinary, scanArgs(path.join(copy, 'charts'), config, ['--cache', cache])));
    return { ms, cpu, rss: value.peakRssMb };
  };
  const cold = await run();
  const warm = await run();
  // What the base branch's push runs saved (README "Render cache": restored by pull requests, never saved by
  // them): the cache as it stands before the change, for the pull request below.
  const baseCache = path.join(work, 'render-cache-base');
  cpSync(cache, baseCache, { recursive: true });
  const changed = charts.find((c) => c.name === changedName);
  if (changed === undefined) throw new Error(`--changed ${changedName}: no such corpus chart`);
  // A one-line change to one template of that chart (a YAML comment: every render of it changes).
  const template = readdirSync(path.join(changed.dir, 'templates')).filter((f) => f.endsWith('.yaml')).sort()[0]!;
  appendFileSync(path.join(changed.dir, 'templates', template), '\n# changed by the benchmark\n');
  const one = await run();
  git('commit', '-q', '-am', 'change one chart');
  // The pull request as the Action runs it: the head against its base, only the changed chart rendered
  // (on both sides), no render cache.
  // The same with the render cache restored from the base branch (the Action set up as "Render cache" says):
  // the base's renders are read from it, the head's are made; what a round writes is removed after it (a
  // pull request's own entries are not saved). Short runs: five alternating rounds, medians.
  const mine = valueSetRenders([changed]);
  const prRuns: { ms: number; cpu: number; rss: number }[] = [];
  const prCachedRuns: { ms: number; cpu: number; rss: number }[] = [];
  const twiceRuns: { ms: number; cpu: number }[] = [];
  const entries = (dir: string) => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  const saved = new Set(entries(baseCache));
  for (let round = 0; round < 5; round++) {
    const noCache = await measured(() => timed(nodeBinary, scanArgs(path.join(copy, 'charts'), config, ['--base', 'HEAD~1'])));
    prRuns.push({ ms: noCache.ms, cpu: noCache.cpu, rss: noCache.value.peakRssMb });
    const withCache = await measured(() => timed(nodeBinary, scanArgs(path.join(copy, 'charts'), config, ['--base', 'HEAD~1', '--cache', baseCache])));
    prCachedRuns.push({ ms: withCache.ms, cpu: withCache.cpu, rss: withCache.value.peakRssMb });
    for (const file of entries(baseCache)) if (!saved.has(file)) rmSync(file, { force: true });
    const bare = await measured(async () => {
      await bareHelm(helm, mine, concurrency);
      await bareHelm(helm, mine, concurrency);
    });
    twiceRuns.push({ ms: bare.ms, cpu: bare.cpu });
  }
  const middle = <T extends { cpu: number }>(runs: T[]): T => [...runs].sort((a, b) => a.cpu - b.cpu)[Math.floor(runs.length / 2)]!;
  const pr = middle(prRuns);
  const prCached = middle(prCachedRuns);
  const twice = middle(twiceRuns);
  const fmt = (r: { ms: number; cpu: number; rss: number }) => `${(r.ms / 1000).toFixed(1)} s wall, ${r.cpu.toFixed(1)} CPU-s, peak RSS ${r.rss.toFixed(0)} MB`;
  console.log(
    [
      `render cache, cold (filling it):     ${fmt(cold)}`,
      `render cache, warm (nothing changed): ${fmt(warm)}`,
      `one chart changed (${changedName}, templates/${template}): ${fmt(one)}`,
      `the pull request changing it (--base HEAD~1, no cache; median of 5 by CPU): ${fmt(pr)}`,
      `the pull request with the render cache its base branch saved (median of 5): ${fmt(prCached)}`,
      `bare helm rendering that chart's ${mine.length} value sets twice (median of 5): ${(twice.ms / 1000).toFixed(1)} s wall, ${twice.cpu.toFixed(1)} CPU-s; ratio of the pull request ${(pr.ms / twice.ms).toFixed(2)} wall, ${(pr.cpu / twice.cpu).toFixed(2)} CPU (target <= 1.5), with the base branch's cache ${(prCached.ms / twice.ms).toFixed(2)} wall, ${(prCached.cpu / twice.cpu).toFixed(2)} CPU; of the cached full scan ${(one.ms / twice.ms).toFixed(2)} wall`,
    ].join('\n'),
  );
}

async function defaultsOnly(values: Record<string, string | boolean | undefined>, corpus: string) {
  const nodeBinary = values.node as string;
  const nodeVersion = execFileSync(nodeBinary, ['--version']).toString().trim();
  const cli = path.join(root, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js missing: run npm run bundle');
  const helm = await provisionHelm(values.helm as HelmMajor, console.error);
  const charts = corpusCharts(corpus);
  const concurrency = Math.max(1, os.availableParallelism());
  const work = mkdtempSync(path.join(os.tmpdir(), 'preadmit-bench-'));
  const config = path.join(work, 'bench.preadmit.yaml');
  // Side by side with bare helm, preadmit does the same renders: each chart's defaults, no value sets,
  // no provenance re-renders. The full default run (value sets + provenance) is timed once after.
  writeFileSync(config, corpusConfig(charts, { failOn: 'never', failOnErrors: false, valueSets: { ci: false }, provenance: false }));
  const fullConfig = path.join(work, 'full.preadmit.yaml');
  writeFileSync(fullConfig, corpusConfig(charts, { failOn: 'never', failOnErrors: false }));
  const report = path.join(work, 'report.json');
  const preadmitArgs = [cli, 'scan', path.join(corpus, 'charts'), '--config', config, '--helm', helm, '--format', 'json', '--output', report];
  const fullArgs = [cli, 'scan', path.join(corpus, 'charts'), '--config', fullConfig, '--helm', helm, '--format', 'json', '--output', path.join(work, 'full.json')];

  // Warm-up: file cache and helm's first start are not what we measure.
  await bareHelm(helm, charts, concurrency);
  await timed(nodeBinary, preadmitArgs);

  const rounds = Number(values.rounds);
  // Bare helm as a user runs it (helm's own Go runtime settings), and with the settings preadmit gives
  // helm (GOGC, GOMEMLIMIT): the first ratio is the one the target is about, the second is preadmit's own
  // overhead with helm's work held equal.
  const tunedEnv = { ...process.env, ...GO_RUNTIME_DEFAULTS };
  const helmMs: number[] = [];
  const tunedMs: number[] = [];
  const preadmitMs: number[] = [];
  const rss: number[] = [];
  const steps = [
    async () => {
      const stats = await timed(nodeBinary, preadmitArgs);
      preadmitMs.push(stats.ms);
      rss.push(stats.peakRssMb);
    },
    async () => helmMs.push(await bareHelm(helm, charts, concurrency)),
    async () => tunedMs.push(await bareHelm(helm, charts, concurrency, tunedEnv)),
  ];
  // Each round starts with a different one, so no measurement always follows the same other.
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < steps.length; i++) await steps[(round + i) % steps.length]!();
  }
  const result = JSON.parse(readFileSync(report, 'utf8')) as {
    summary: { objects: number; findings: number; errors: number; charts: number };
    errors: { file: string; message: string }[];
  };
  const fullStats = values.quick ? undefined : await timed(nodeBinary, fullArgs);
  const full = fullStats === undefined ? undefined : (JSON.parse(readFileSync(path.join(work, 'full.json'), 'utf8')) as {
    summary: { charts: number; findings: number; errors: number; provenance?: { renders: number; values: number; template: number; object: number } };
    errors: { file: string; message: string }[];
  });
  rmSync(work, { recursive: true, force: true });

  const p = median(preadmitMs);
  const h = median(helmMs);
  const tuned = median(tunedMs);
  const lines = [
    `corpus: ${charts.length} charts, ${result.summary.charts} rendered, ${result.summary.objects} objects, ${result.summary.findings} findings, ${result.summary.errors} errors`,
    `helm: ${values.helm} (${helm}), node ${nodeVersion} for preadmit, concurrency ${concurrency}, ${rounds} rounds (median)`,
    `bare helm template: ${h.toFixed(0)} ms  (all ${rounds}: ${helmMs.map((x) => x.toFixed(0)).join(', ')})`,
    `preadmit scan:      ${p.toFixed(0)} ms  (all ${rounds}: ${preadmitMs.map((x) => x.toFixed(0)).join(', ')})`,
    `ratio:              ${(p / h).toFixed(3)}  (target <= 1.15)`,
    `bare helm template with preadmit's Go settings (${Object.entries(GO_RUNTIME_DEFAULTS).map(([k, v]) => `${k}=${v}`).join(' ')}): ${tuned.toFixed(0)} ms  (all ${rounds}: ${tunedMs.map((x) => x.toFixed(0)).join(', ')})`,
    `ratio to it:        ${(p / tuned).toFixed(3)}  (preadmit's own overhead, helm's work held equal)`,
    `outside helm:       ${(((p - tuned) / result.summary.objects) * 1000).toFixed(0)} µs per object (against the same helm settings)`,
    `peak RSS (node):    ${Math.max(...rss).toFixed(0)} MB  (target <= 300 MB)`,
  ];
  if (full !== undefined && fullStats !== undefined) {
    const prov = full.summary.provenance;
    lines.push(
      `full defaults (ci/*-values.yaml value sets + provenance), one run: ${fullStats.ms.toFixed(0)} ms, ratio to bare helm ${(fullStats.ms / h).toFixed(2)}, ` +
        `${full.summary.charts} renders + ${prov?.renders ?? 0} provenance renders, ${full.summary.findings} findings ` +
        `(located: ${prov?.values ?? 0} values, ${prov?.template ?? 0} template, ${prov?.object ?? 0} object), ${full.summary.errors} errors, peak RSS ${fullStats.peakRssMb.toFixed(0)} MB`,
    );
    for (const error of full.errors) lines.push(`full run error: ${error.file}: ${error.message.split('\n')[0]}`);
  }
  for (const error of result.errors) lines.push(`error: ${error.file}: ${error.message.split('\n')[0]}`);
  console.log(lines.join('\n'));
}

await main();
