// Renders a helm_release whose chart is a local directory, through the same helm path as charts
// (renderChart: `helm template`, private HELM_* homes), with the release's name, namespace and the values
// the provider would give helm: its `values` texts merged and its `set*` entries applied onto them, as the
// provider does (strvals.ts), written as one values file. Objects are attributed to the release address.
// The values file is in a private temporary directory (mode 0600) so no value, sensitive ones included,
// reaches a command line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChartRecord, ScanError } from '../model/model.ts';
import { isObj, type Obj } from '../k8s/values.ts';
import { missingDependencies, readChartInfo, renderChart, splitRendered, type HelmBinary } from '../render/helm.ts';
import { objectsFromDocuments } from '../loaders/objects.ts';
import { parseYamlDocuments } from '../loaders/yaml-docs.ts';
import type { HelmSetEntry } from './helm-release.ts';
import { providerValues, StrvalsError, typedVal } from './strvals.ts';
import { redactSecretPayload } from './marks.ts';
import type { PlanHelmRelease } from './plan.ts';
import type { TerraformObject } from './unknown.ts';

export interface RenderReleaseOptions {
  helm: HelmBinary;
  timeoutMs: number;
  kubeVersion?: string;
  /** Absolute repository root (chart paths in records are relative to it). */
  repoRoot: string;
}

export interface RenderedRelease {
  objects: TerraformObject[];
  errors: ScanError[];
  /** A chart record for the render (valueSet names the release address). */
  chart?: ChartRecord;
  ms: number;
}

/** Splits a helm --set name on unescaped dots; `a\.b[0].c` -> ['a.b', 0, 'c']. */
export function parseSetName(name: string): (string | number)[] {
  const out: (string | number)[] = [];
  let current = '';
  const flush = () => {
    if (current !== '') out.push(current);
    current = '';
  };
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '\\' && i + 1 < name.length) {
      current += name[++i];
    } else if (c === '.') {
      flush();
    } else if (c === '[') {
      const end = name.indexOf(']', i);
      const index = end === -1 ? NaN : Number(name.slice(i + 1, end));
      if (!Number.isInteger(index) || index < 0) {
        current += c;
        continue;
      }
      flush();
      out.push(index);
      i = end;
    } else {
      current += c;
    }
  }
  flush();
  return out;
}

/** helm's typing of a --set value (strvals typedVal): for rules that judge one entry without rendering. */
export function typedValue(value: string): unknown {
  return typedVal(value, false);
}

/** The values the provider gives helm for the release's `values` texts and set entries (strvals.ts). */
export function setEntriesToValues(entries: readonly HelmSetEntry[], texts: readonly string[] = []): Obj {
  return providerValues(texts, entries);
}

export async function renderHelmRelease(release: PlanHelmRelease, options: RenderReleaseOptions): Promise<RenderedRelease> {
  const dir = release.chartDir;
  if (dir === undefined) return { objects: [], errors: [], ms: 0 };
  const chartPath = path.relative(options.repoRoot, dir).split(path.sep).join('/') || '.';
  const at = { file: release.source.file, ...(release.source.line !== undefined ? { line: release.source.line } : {}), chart: chartPath };
  const info = readChartInfo(dir);
  if (typeof info === 'string') return { objects: [], errors: [{ kind: 'render', ...at, message: `helm_release ${release.address}: ${info}` }], ms: 0 };
  if (info.type === 'library') return { objects: [], errors: [{ kind: 'render', ...at, message: `helm_release ${release.address}: ${chartPath} is a library chart, which cannot be installed` }], ms: 0 };
  const missing = missingDependencies(info);
  if (missing.length > 0) {
    return {
      objects: [],
      errors: [{
        kind: 'dependency',
        ...at,
        message: `helm_release ${release.address}: chart ${chartPath} declares ${missing.map((m) => `"${m}"`).join(', ')} missing from charts/; preadmit renders offline and never downloads dependencies (run helm dependency build before the scan, or vendor them)`,
      }],
      ms: 0,
    };
  }

  let values: Obj;
  try {
    values = providerValues(release.values, release.set);
  } catch (error) {
    if (!(error instanceof StrvalsError)) throw error;
    // the provider fails the same way: nothing of the release is applied, and nothing can be judged
    return { objects: [], errors: [{ kind: 'render', ...at, message: `helm_release ${release.address}: the helm provider cannot build the release's values: ${error.message}` }], ms: 0 };
  }
  const temp = mkdtempSync(path.join(os.tmpdir(), 'preadmit-tf-release-'));
  try {
    const valuesFiles: string[] = [];
    if (Object.keys(values).length > 0) {
      const file = path.join(temp, 'values.json');
      writeFileSync(file, JSON.stringify(values), { mode: 0o600 });
      valuesFiles.push(file);
    }
    const outcome = await renderChart({
      helm: options.helm,
      chartDir: dir,
      releaseName: release.name || 'release',
      namespace: release.namespace,
      valuesFiles,
      set: [],
      ...(options.kubeVersion ? { kubeVersion: options.kubeVersion } : {}),
      timeoutMs: options.timeoutMs,
      root: options.repoRoot,
    });
    if (!outcome.ok) {
      // name the plan's values, never the temporary files that hold them
      let message = outcome.message.split(temp + path.sep).join('').replace(/values\.json/g, "the release's values");
      // A chart's fail or required message may print a sensitive value (or its base64): helm's own redaction
      // takes values of 6 characters and more, a sensitive one of any length goes here.
      const hidden = release.sensitive.filter((v) => v.length >= 2).flatMap((v) => [v, Buffer.from(v).toString('base64'), Buffer.from(v).toString('base64').replace(/=+$/, ''), Buffer.from(v).toString('hex')]);
      for (const value of [...new Set(hidden)].sort((a, b) => b.length - a.length)) message = message.split(value).join('***');
      return { objects: [], errors: [{ kind: 'render', ...at, message: `helm_release ${release.address}: ${message}` }], ms: outcome.ms };
    }
    const objects: TerraformObject[] = [];
    const errors: ScanError[] = [];
    for (const [index, doc] of splitRendered(outcome.stdout).entries()) {
      const parsed = parseYamlDocuments(doc.text);
      for (const problem of parsed.problems) errors.push({ kind: 'render', ...at, message: `helm_release ${release.address}: rendered output is not valid YAML: ${problem.message}` });
      const rendered = objectsFromDocuments(parsed.documents, {
        source: { ...release.source, chart: chartPath, template: doc.template, valueSet: release.address },
        defaultNamespace: release.namespace,
        linesAreSource: false,
        strict: true,
      });
      for (const problem of rendered.problems) errors.push({ kind: 'render', ...at, message: `helm_release ${release.address}: ${problem.message}` });
      for (const object of rendered.objects) {
        object.source.document = index;
        objects.push({ ...object, raw: redactSecretPayload(object.raw), unknown: [], ...(release.sensitive.length > 0 ? { sensitive: release.sensitive } : {}) });
      }
    }
    return {
      objects,
      errors,
      chart: { chart: chartPath, name: info.name, valueSet: release.address, objects: objects.length, renderMs: Math.round(outcome.ms) },
      ms: outcome.ms,
    };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}
