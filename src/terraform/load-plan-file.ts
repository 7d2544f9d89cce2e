// The whole Terraform input path for the scan pipeline in one call: a classified plan file in, objects
// (local helm_release charts rendered), errors, chart records and notes out.
import path from 'node:path';
import type { ChartRecord, ScanError, SkippedPath } from '../model/model.ts';
import type { HelmBinary } from '../render/helm.ts';
import { loadPlan, type PlanLoad, type PlanNote } from './plan.ts';
import { renderHelmRelease } from './render-release.ts';
import type { TerraformObject } from './unknown.ts';
import { redactable, valuesSecrets } from '../secrets/redact.ts';
import { nodesOf } from '../render/effective-values.ts';
import { parseYamlDocuments } from '../loaders/yaml-docs.ts';

export interface PlanFileOptions {
  /** Absolute path of the plan file. */
  file: string;
  /** Absolute repository root. */
  repoRoot: string;
  /** Absolute root module directory when it is not the plan's directory. */
  rootModuleDir?: string;
  /** Helm, located on first use (only when a helm_release has a local chart). */
  helm: () => Promise<HelmBinary>;
  timeoutMs: number;
  kubeVersion?: string;
}

export interface PlanFileLoad {
  objects: TerraformObject[];
  errors: ScanError[];
  charts: ChartRecord[];
  notes: PlanNote[];
  renderMs: number;
  plan: Omit<PlanLoad, 'objects' | 'errors' | 'helmReleases' | 'notes' | 'secrets' | 'skipped'>;
  /** Resources that write to the cluster and were not read, with why. */
  skipped: SkippedPath[];
  /** Values no report may show: what the plan marks sensitive (set_sensitive entries included), credential-named helm_release `values`. */
  secrets: string[];
}

export async function loadPlanFile(json: unknown, options: PlanFileOptions): Promise<PlanFileLoad> {
  const planFile = path.relative(options.repoRoot, options.file).split(path.sep).join('/');
  const loaded = loadPlan(json, {
    planFile,
    planDir: path.dirname(options.file),
    repoRoot: options.repoRoot,
    ...(options.rootModuleDir ? { rootModuleDir: options.rootModuleDir } : {}),
  });
  const result: PlanFileLoad = {
    objects: loaded.objects,
    errors: loaded.errors,
    charts: [],
    notes: loaded.notes,
    skipped: loaded.skipped,
    renderMs: 0,
    // Names and words (`cluster-admin`) would garble rule ids and messages everywhere: the findings on
    // their object hide them instead (sensitive.ts).
    secrets: loaded.secrets.filter(redactable),
    plan: { formatVersion: loaded.formatVersion, instances: loaded.instances, ...(loaded.terraformVersion ? { terraformVersion: loaded.terraformVersion } : {}) },
  };
  if (loaded.helmReleases.length === 0) return result;
  let helm: HelmBinary;
  try {
    helm = await options.helm();
  } catch (error) {
    for (const release of loaded.helmReleases) {
      result.errors.push({ kind: 'helm', file: release.source.file, ...(release.source.line ? { line: release.source.line } : {}), message: `helm_release ${release.address}: the local chart cannot be rendered: ${(error as Error).message}` });
    }
    return result;
  }
  for (const release of loaded.helmReleases) {
    for (const text of release.values) for (const doc of parseYamlDocuments(text).documents) result.secrets.push(...valuesSecrets(nodesOf(doc.value)));
    const rendered = await renderHelmRelease(release, { helm, timeoutMs: options.timeoutMs, repoRoot: options.repoRoot, ...(options.kubeVersion ? { kubeVersion: options.kubeVersion } : {}) });
    result.objects.push(...rendered.objects);
    result.errors.push(...rendered.errors);
    if (rendered.chart) result.charts.push(rendered.chart);
    result.renderMs += rendered.ms;
  }
  return result;
}
