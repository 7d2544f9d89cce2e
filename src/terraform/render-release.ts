// Renders a helm_release whose chart is a local directory, through the same helm path as charts
// (renderChart: `helm template`, private HELM_* homes), with the release's name, namespace, `values` and
// `set*` entries from the plan. Objects are attributed to the release address. Values are written to a
// private temporary directory (mode 0600) so none of them, sensitive ones included, reaches a command line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChartRecord, ScanError } from '../model/model.ts';
import { isObj, type Obj } from '../k8s/values.ts';
import { missingDependencies, readChartInfo, renderChart, splitRendered, type HelmBinary } from '../render/helm.ts';
import { objectsFromDocuments } from '../loaders/objects.ts';
import { parseYamlDocuments } from '../loaders/yaml-docs.ts';
import type { HelmSetEntry } from './helm-release.ts';
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

/** helm's typing of --set values: booleans, null and integers without leading zeros; the rest are strings. */
export function typedValue(value: string): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (value === 'null') return null;
  if (/^(0|-?[1-9]\d*)$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
  return value.replace(/\\,/g, ',');
}

/** The `set*` entries as one values document, applied in order after the `values` texts. */
export function setEntriesToValues(entries: readonly HelmSetEntry[]): Obj {
  const root: Obj = {};
  for (const entry of entries) {
    const steps = parseSetName(entry.name);
    if (steps.length === 0 || typeof steps[0] !== 'string') continue;
    const value = entry.list
      ? (entry.value as string[]).map((v) => (entry.type === 'string' ? v : typedValue(v)))
      : entry.type === 'string'
        ? String(entry.value)
        : typedValue(String(entry.value));
    let node: Obj | unknown[] = root;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      const last = i === steps.length - 1;
      const nextIsIndex = typeof steps[i + 1] === 'number';
      if (Array.isArray(node)) {
        if (typeof step !== 'number') break;
        while (node.length <= step) node.push(null);
        if (last) node[step] = value;
        else {
          if (nextIsIndex ? !Array.isArray(node[step]) : !isObj(node[step])) node[step] = nextIsIndex ? [] : {};
          node = node[step] as Obj | unknown[];
        }
      } else {
        const key = String(step);
        if (last) node[key] = value;
        else {
          if (nextIsIndex ? !Array.isArray(node[key]) : !isObj(node[key])) node[key] = nextIsIndex ? [] : {};
          node = node[key] as Obj | unknown[];
        }
      }
    }
  }
  return root;
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

  const temp = mkdtempSync(path.join(os.tmpdir(), 'preadmit-tf-release-'));
  try {
    const valuesFiles: string[] = [];
    release.values.forEach((text, i) => {
      const file = path.join(temp, `values-${i}.yaml`);
      writeFileSync(file, text, { mode: 0o600 });
      valuesFiles.push(file);
    });
    if (release.set.length > 0) {
      const file = path.join(temp, 'set.yaml');
      writeFileSync(file, JSON.stringify(setEntriesToValues(release.set)), { mode: 0o600 });
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
      const message = outcome.message.split(temp + path.sep).join('').replace(/values-(\d+)\.yaml/g, 'values[$1]').replace(/set\.yaml/g, 'set entries');
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
