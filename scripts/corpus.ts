// The shared chart corpus (../shared/corpus): each chart with the values it requires to render, as
// listed in its render-args.tsv. Used by the benchmark and the corpus test suites.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';

export interface CorpusChart {
  name: string;
  dir: string;
  values: string[];
  set: string[];
}

export function corpusCharts(corpus: string): CorpusChart[] {
  const extra = new Map<string, string[]>();
  for (const line of readFileSync(path.join(corpus, 'render-args.tsv'), 'utf8').split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const [name, args = ''] = line.split('\t');
    extra.set(name!, args.split(/\s+/).filter(Boolean));
  }
  return readdirSync(path.join(corpus, 'charts'))
    .sort()
    .map((name) => {
      const args = extra.get(name) ?? [];
      const chart: CorpusChart = { name, dir: path.join(corpus, 'charts', name), values: [], set: [] };
      for (let i = 0; i < args.length; i += 2) {
        if (args[i] === '--set') chart.set.push(args[i + 1]!);
        else if (args[i] === '-f' || args[i] === '--values') chart.values.push(path.join(corpus, args[i + 1]!));
      }
      return chart;
    });
}

/** A .preadmit.yaml that gives each corpus chart its required values. */
export function corpusConfig(charts: CorpusChart[], extra: Record<string, unknown> = {}): string {
  return stringify({
    ...extra,
    charts: charts.filter((c) => c.values.length + c.set.length > 0).map((c) => ({ path: c.dir, values: c.values, set: c.set })),
  });
}
