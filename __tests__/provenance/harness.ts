// The scan pipeline with value sets, provenance, the values lint and suppressions, composed the way
// src/pipeline/scan.ts composes it (discover -> renderCharts -> evaluate -> locate -> lint -> merge ->
// suppress). Tests drive the provenance stages through this, independent of scan.ts.
import { RULES } from '../../rules/index.ts';
import { renderCharts, type RenderedCharts } from '../../src/render/charts.ts';
import type { Config } from '../../src/config/config.ts';
import { discover, findRepoRoot } from '../../src/pipeline/discover.ts';
import type { Finding, ProvenanceSummary, ScannedObject, SuppressionRecord } from '../../src/model/model.ts';
import { resolveConfig, ruleIds, type ScanOptions } from '../../src/pipeline/scan.ts';
import { locateHelm } from '../../src/render/helm.ts';
import { evaluateValueSets } from '../../src/pipeline/evaluate.ts';
import { processFindings } from '../../src/pipeline/findings.ts';

export interface PipelineResult {
  config: Config;
  rendered: RenderedCharts;
  objects: ScannedObject[];
  /** Before merging (and before the values lint): one finding per value set that shows it. */
  perSet: Finding[];
  findings: Finding[];
  suppressions: SuppressionRecord[];
  provenance: ProvenanceSummary;
}

export async function pipeline(options: ScanOptions & { configure?: (config: Config) => void; today?: string; allowErrors?: boolean }): Promise<PipelineResult> {
  const firstPath = options.paths.find((p) => p !== '-') ?? '.';
  const repoRoot = findRepoRoot(firstPath);
  const config = resolveConfig(options, repoRoot);
  options.configure?.(config);
  const discovery = discover(options.paths, { repoRoot, include: config.include, exclude: config.exclude });
  const helm = await locateHelm(options.helmPath);
  const dirs = discovery.inputs.flatMap((input) => (input.kind === 'chart' ? [input.dir] : []));
  const rendered = await renderCharts(dirs, async () => helm, config, repoRoot, { valueSets: true });
  if (rendered.errors.length > 0 && !options.allowErrors) throw new Error(rendered.errors.map((e) => `${e.file}: ${e.message}`).join('\n'));
  const evaluation = evaluateValueSets(rendered.objects, RULES, config, rendered.renders);
  const perSet = [...evaluation.findings];
  const processed = await processFindings({
    findings: evaluation.findings,
    renders: rendered.renders,
    objects: rendered.objects,
    config,
    repoRoot,
    ruleIds: ruleIds(RULES),
    ...(options.today ? { today: options.today } : {}),
  });
  const { findings, suppressions, provenance } = processed;
  return { config, rendered, objects: rendered.objects, perSet, findings, suppressions, provenance };
}

/** `rule object path -> values file:line key | template file:line` for compact assertions. */
export function where(f: Finding): string {
  const v = f.source.values;
  const t = f.source.templateLocation;
  return [
    v ? `${v.file.split('/').slice(-2).join('/')}:${v.line ?? '?'} ${v.key}` : '-',
    t ? `${t.file.split('/').slice(-2).join('/')}:${t.line}` : '-',
  ].join(' | ');
}
