// Chart rendering: one `helm template` per chart render, in parallel up to the number of CPUs, each
// document kept with its `# Source:` template and the repository file it maps to.
import os from 'node:os';
import { minimatch } from 'minimatch';
import { objectsFromDocuments } from '../loaders/objects.ts';
import { missingDependencies, readChartInfo, renderChart, splitRendered, templateFile, type HelmBinary } from '../loaders/helm.ts';
import { parseRenderedDocument } from '../loaders/rendered-yaml.ts';
import type { Config } from './config.ts';
import { relativeTo } from './discover.ts';
import type { ChartRecord, ScanError, ScannedObject } from './model.ts';

export interface RenderedCharts {
  objects: ScannedObject[];
  errors: ScanError[];
  charts: ChartRecord[];
  /** Sum of the renders' own durations (they overlap). */
  renderMs: number;
}

export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function renderCharts(dirs: string[], helm: () => Promise<HelmBinary>, config: Config, repoRoot: string): Promise<RenderedCharts> {
  const loaded: RenderedCharts = { objects: [], errors: [], charts: [], renderMs: 0 };
  const concurrency = Math.max(1, os.availableParallelism());
  await mapLimit(dirs, concurrency, (dir) => renderOne(dir, helm, config, repoRoot, loaded));
  loaded.charts.sort((a, b) => a.chart.localeCompare(b.chart));
  return loaded;
}

async function renderOne(dir: string, helm: () => Promise<HelmBinary>, config: Config, repoRoot: string, loaded: RenderedCharts): Promise<void> {
  const chartPath = relativeTo(repoRoot, dir);
  const info = readChartInfo(dir);
  if (typeof info === 'string') {
    loaded.errors.push({ kind: 'render', file: `${chartPath}/Chart.yaml`, chart: chartPath, message: info });
    return;
  }
  if (info.type === 'library') return; // library charts only provide helpers to other charts
  const missing = missingDependencies(info);
  if (missing.length > 0) {
    loaded.errors.push({
      kind: 'dependency',
      file: `${chartPath}/Chart.yaml`,
      chart: chartPath,
      message: `declared ${missing.length === 1 ? 'dependency' : 'dependencies'} ${missing.map((m) => `"${m}"`).join(', ')} missing from charts/; preadmit renders offline and never downloads dependencies (run helm dependency build before the scan, or vendor them)`,
    });
    return;
  }
  const binary = await helm();
  const own = config.charts.filter((entry) => entry.path === dir || minimatch(dir, entry.path));
  const outcome = await renderChart({
    helm: binary,
    chartDir: dir,
    releaseName: config.helm.releaseName,
    namespace: config.helm.namespace,
    valuesFiles: [...config.helm.valuesFiles, ...own.flatMap((entry) => entry.valuesFiles)],
    set: [...config.helm.set, ...own.flatMap((entry) => entry.set)],
    ...(config.helm.kubeVersion ? { kubeVersion: config.helm.kubeVersion } : {}),
    timeoutMs: config.helm.timeoutSeconds * 1000,
  });
  loaded.renderMs += outcome.ms;
  if (!outcome.ok) {
    loaded.errors.push({ kind: 'render', file: chartPath, chart: chartPath, message: outcome.message });
    return;
  }
  const before = loaded.objects.length;
  const files = new Map<string, string>();
  for (const [index, doc] of splitRendered(outcome.stdout).entries()) {
    let file = files.get(doc.template);
    if (file === undefined) {
      file = relativeTo(repoRoot, doc.template ? templateFile(dir, doc.template) : dir);
      files.set(doc.template, file);
    }
    const parsed = parseRenderedDocument(doc.text);
    for (const problem of parsed.problems) {
      loaded.errors.push({ kind: 'render', file, chart: chartPath, message: `rendered output is not valid YAML: ${problem.message}` });
    }
    const source = { kind: 'helm' as const, file, chart: chartPath, template: doc.template, valueSet: 'default' };
    const { objects, problems } = objectsFromDocuments(parsed.documents, {
      source,
      defaultNamespace: config.helm.namespace,
      linesAreSource: false,
      strict: true,
    });
    for (const object of objects) object.source.document = index;
    for (const problem of problems) loaded.errors.push({ kind: 'render', file, chart: chartPath, message: problem.message });
    loaded.objects.push(...objects);
  }
  loaded.charts.push({ chart: chartPath, name: info.name, valueSet: 'default', objects: loaded.objects.length - before, renderMs: Math.round(outcome.ms) });
}

