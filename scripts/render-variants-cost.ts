// What the second render (render-variants.ts) costs on the shared chart corpus: the default scan (every
// value set, provenance as configured off) without and with it, alternating, and what it finds.
// Usage: npx tsx scripts/render-variants-cost.ts [helm] [rounds] (needs ../shared/corpus or PREADMIT_SHARED)
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scan } from '../src/pipeline/scan.ts';
import { corpusCharts, corpusConfig } from './corpus.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpus = process.env.PREADMIT_SHARED ? path.join(process.env.PREADMIT_SHARED, 'corpus') : path.resolve(root, '..', 'shared', 'corpus');
if (!existsSync(corpus)) {
  console.error(`render-variants-cost: ${corpus} not found (set PREADMIT_SHARED)`);
  process.exit(2);
}
const helm = path.resolve(process.argv[2] ?? path.join(root, '.cache', 'helm', 'v3', 'helm'));
const rounds = Number(process.argv[3] ?? 1);
const charts = corpusCharts(corpus);
const config = path.join(mkdtempSync(path.join(os.tmpdir(), 'preadmit-variants-cost-')), '.preadmit.yaml');
writeFileSync(config, corpusConfig(charts, { provenance: false }));

for (let round = 0; round < rounds; round++) {
  for (const variants of [false, true]) {
    const started = performance.now();
    const result = await scan({ paths: [path.join(corpus, 'charts')], configFile: config, helmPath: helm, renderVariants: variants });
    const wallMs = Math.round(performance.now() - started);
    const second = result.charts.filter((c) => c.variant);
    console.log(
      JSON.stringify({
        variants,
        wallMs,
        renders: result.charts.length + second.length,
        secondRenders: second.length,
        chartsWithSecondRender: new Set(second.map((c) => c.chart)).size,
        failedSecondRenders: second.filter((c) => c.variant!.error).map((c) => `${path.basename(c.chart)} ${c.valueSet}`),
        divergingObjects: second.reduce((n, c) => n + c.variant!.diverging, 0),
        findings: result.findings.length,
        renderDivergence: result.findings.filter((f) => f.ruleId === 'render-divergence').length,
        renderLookup: result.findings.filter((f) => f.ruleId === 'render-lookup').length,
        onlyInSecondRender: result.findings.filter((f) => f.source.variant !== undefined).length,
      }),
    );
  }
}
