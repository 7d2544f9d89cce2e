// Where the default run's time and memory go (issue 18): the scan pipeline run in-process over the shared
// corpus with the defaults as shipped (value sets, variants, provenance), with helm runs counted and timed
// by purpose (value set, variant, provenance), node's own CPU profiled by source folder, and CPU seconds of
// node and of its helm children. Usage: npx tsx scripts/profile-default.ts [--cache DIR] [--no-profile]
// The process set-up the CLI and the Action run first (V8 tiering, the heap's growth): measured as shipped.
import '../src/v8-tiering.ts';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { scan } from '../src/pipeline/scan.ts';
import { render as renderReport } from '../src/reporters/index.ts';
import { renderStats, resetRenderStats } from '../src/render/helm.ts';
import { corpusCharts, corpusConfig } from './corpus.ts';
import { RULES } from '../rules/index.ts';
import { provisionHelm } from './provision-helm.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** CPU seconds of this process's waited-for children (helm), from /proc/self/stat (cutime + cstime). */
export function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): cutime is field 16, cstime field 17.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

interface ProfileNode {
  id: number;
  callFrame: { url: string; functionName: string };
  hitCount?: number;
  children?: number[];
}

/** Node's CPU by what it was doing: the source folder of the sampled function. */
function categorise(url: string, fn: string): string {
  if (fn === '(garbage collector)') return 'garbage collection';
  if (fn === '(idle)') return 'idle (waiting for helm)';
  if (fn === '(program)') return 'native (program: spawning, I/O, compiling)';
  const at = url.replace(/^file:\/\//, '');
  const rel = at.startsWith(root) ? path.relative(root, at) : at;
  if (rel.includes('node_modules/yaml')) return 'YAML decoding (yaml)';
  if (rel.includes('node_modules/')) return `dependency ${rel.split('node_modules/')[1]!.split('/')[0]}`;
  if (rel.startsWith('src/loaders')) return 'YAML decoding (src/loaders)';
  if (rel.startsWith('rules/') || rel.startsWith('src/engine') || rel.startsWith('src/pss') || rel.startsWith('src/k8s') || rel.startsWith('src/admission')) return 'rules (rules, engine, pss, k8s, admission)';
  if (rel.startsWith('src/provenance')) return 'provenance (locate, line proof, lint)';
  if (rel === 'src/render/render-variants.ts') return 'variants (render-variants.ts)';
  if (rel.startsWith('src/render')) return 'render adapter and parsing (src/render)';
  if (rel.startsWith('src/reporters')) return 'reporting';
  if (rel.startsWith('src/pipeline')) return 'pipeline';
  if (rel.startsWith('node:') || rel === '' || !rel.startsWith('/')) return 'node internals';
  return 'other';
}

async function main() {
  const { values } = parseArgs({ options: { cache: { type: 'string' }, 'no-profile': { type: 'boolean', default: false }, helm: { type: 'string', default: 'v3' }, top: { type: 'string' }, out: { type: 'string' } } });
  const corpus = process.env.PREADMIT_SHARED ? path.join(process.env.PREADMIT_SHARED, 'corpus') : path.resolve(root, '..', 'shared', 'corpus');
  const charts = corpusCharts(corpus);
  const helm = await provisionHelm(values.helm as 'v3' | 'v4', console.error);
  const work = mkdtempSync(path.join(os.tmpdir(), 'preadmit-profile-'));
  const config = path.join(work, 'full.preadmit.yaml');
  writeFileSync(config, corpusConfig(charts, { failOn: 'never', failOnErrors: false }));
  const session = new Session();
  if (!values['no-profile']) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 1000 });
    await session.post('Profiler.start');
  }
  // Memory over the run: the highest RSS and heap while rendering and after (provenance, reports).
  const memory = { rendering: { rss: 0, heap: 0 }, after: { rss: 0, heap: 0 } };
  let phase: 'rendering' | 'after' = 'rendering';
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    memory[phase].rss = Math.max(memory[phase].rss, m.rss);
    memory[phase].heap = Math.max(memory[phase].heap, m.heapUsed);
  }, 250);
  resetRenderStats();
  const cpuBefore = process.cpuUsage();
  const childBefore = childrenCpuSeconds();
  const started = performance.now();
  const result = await scan({ paths: [path.join(corpus, 'charts')], configFile: config, helmPath: helm, onProgress: ({ renders }) => (phase = renders >= 201 ? 'after' : 'rendering'), ...(values.cache ? { cacheDir: values.cache } : {}) });
  const scanned = performance.now();
  clearInterval(sampler);
  const live = (globalThis as { gc?: () => void }).gc;
  live?.();
  const retained = process.memoryUsage();
  const json = renderReport('json', result, { rules: RULES });
  const sarif = renderReport('sarif', result, { rules: RULES });
  const ended = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  const children = childrenCpuSeconds() - childBefore;
  const lines = [
    `charts ${charts.length}, renders: value sets ${result.charts.length}, findings ${result.findings.length}, errors ${result.errors.length}`,
    `wall ${((ended - started) / 1000).toFixed(1)} s (scan ${((scanned - started) / 1000).toFixed(1)} s, reports json+sarif ${((ended - scanned) / 1000).toFixed(2)} s, ${(json.length / 1e6).toFixed(1)} + ${(sarif.length / 1e6).toFixed(1)} MB)`,
    `CPU: node ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, helm (children) ${children.toFixed(1)} s`,
    `peak RSS (node) ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; while rendering: RSS ${(memory.rendering.rss / 2 ** 20).toFixed(0)} MB, heap ${(memory.rendering.heap / 2 ** 20).toFixed(0)} MB; after: RSS ${(memory.after.rss / 2 ** 20).toFixed(0)} MB, heap ${(memory.after.heap / 2 ** 20).toFixed(0)} MB` +
      (live ? `; heap still reachable at the end ${(retained.heapUsed / 2 ** 20).toFixed(0)} MB (with the result)` : ''),
    `helm runs by purpose: ${Object.entries(renderStats.helm).map(([k, v]) => `${k} ${v} (${(renderStats.helmMs[k as 'variant'] / 1000).toFixed(1)} s summed wall)`).join(', ')}`,
    `cache hits by purpose: ${Object.entries(renderStats.cached).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `value sets rendered with the defaults (they add nothing to them): ${renderStats.sameAsDefaults}; provenance renders of a template subset: ${renderStats.subset.runs} (made again whole: ${renderStats.subset.again})`,
    `provenance: ${JSON.stringify(result.summary.provenance)}`,
  ];
  if (!values['no-profile']) {
    const { profile } = (await session.post('Profiler.stop')) as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const ms = new Map<number, number>();
    profile.samples.forEach((id, i) => ms.set(id, (ms.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
    const totals = new Map<string, number>();
    for (const [id, t] of ms) {
      const node = byId.get(id)!;
      const cat = categorise(node.callFrame.url, node.callFrame.functionName);
      totals.set(cat, (totals.get(cat) ?? 0) + t);
    }
    const byFunction = new Map<string, number>();
    for (const [id, t] of ms) {
      const { url, functionName } = byId.get(id)!.callFrame;
      const name = `${functionName || '(anonymous)'} ${path.relative(root, url.replace(/^file:\/\//, '')) || url}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + t);
    }
    lines.push('node main thread by activity (sampled self time):');
    for (const [cat, t] of [...totals].sort((a, b) => b[1] - a[1])) lines.push(`  ${cat.padEnd(48)} ${(t / 1000).toFixed(2)} s`);
    if (values.top) {
      lines.push('top functions (self time):');
      for (const [name, t] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) lines.push(`  ${(t / 1000).toFixed(2)} s  ${name}`);
    }
  }
  rmSync(work, { recursive: true, force: true });
  // Every chart finding with where it was located, for comparing provenance before and after a change.
  if (values.out) writeFileSync(values.out, JSON.stringify(result.findings.filter((f) => f.source.kind === 'helm').map((f) => ({ ruleId: f.ruleId, fingerprint: f.fingerprint, chart: f.source.chart, valueSets: f.valueSets, path: f.path, source: f.source })), null, 1));
  console.log(lines.join('\n'));
}

await main();
