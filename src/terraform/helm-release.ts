// `helm_release`: a render request when the chart is a local directory of the repository, else a clear
// "not analysable offline" notice; in both cases a pseudo-object carrying the release's values (parsed,
// as planned: sensitive ones too, listed in `sensitive` so they are never printed) for the rules that
// need no rendering (tf-helm-values-danger) and for values that are unknown until apply. helm provider 2.x (list blocks, `[]`) and 3.x (nested attribute
// lists, `null`) shapes are read alike.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { arr, isObj, str, type Obj } from '../k8s/values.ts';
import { parseYamlDocuments } from '../loaders/yaml-docs.ts';
import { child, sensitiveStrings } from './marks.ts';
import { providerValues, StrvalsError, type SetEntry } from './strvals.ts';

/** A `set`, `set_list`, `set_sensitive` (or 1.x `set_string`) entry, applied as the provider applies it (strvals.ts). */
export type HelmSetEntry = SetEntry;

export interface HelmReleaseRequest {
  address: string;
  name: string;
  namespace: string;
  /** The `chart` attribute as planned. */
  chart: string;
  /** Absolute chart directory, when the chart is a local directory inside the repository. */
  chartDir?: string;
  /** Remote chart coordinates, when it is not in the repository. */
  remote?: { repository?: string; chart: string; version?: string };
  /** YAML texts of `values`, in order (only the known ones). */
  values: string[];
  /** `set`, `set_list`, `set_sensitive` entries with known values (the provider applies them in attribute order). */
  set: HelmSetEntry[];
  /** Pointers (into the release's planned value) unknown until apply: `/values`, `/set/4/value`... */
  unknown: string[];
  /** Values marked sensitive (set_sensitive, sensitive `set` values and `values` texts): never printed. */
  sensitive: string[];
}

export type ChartSource = 'local' | 'remote' | 'missing' | 'archive' | 'unknown';

export interface ReleaseDraft {
  request: HelmReleaseRequest;
  chartSource: ChartSource;
  /** Raw of the helm_release pseudo-object. */
  raw: Obj;
  problems: string[];
  /** Not analysable offline (remote chart), or a local chart that is not there. */
  notice?: string;
}

const REMOTE_CHART = /^(oci|https?):\/\//i;
const REPO_ALIAS = /^[\w.-]+\/[\w.-]+$/;

function inside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Where the chart is. Terraform runs helm from the root module directory, so a relative `chart` is read
 * from there (`${path.module}/chart` already includes the module's path); the module directory is tried
 * second for charts written relative to their module.
 */
export function resolveChart(after: Obj, dirs: { rootDir: string; moduleDir?: string; repoRoot: string }): { source: ChartSource; dir?: string; tried: string[] } {
  const chart = str(after.chart);
  const repository = str(after.repository);
  if (chart === undefined || chart === '') return { source: 'unknown', tried: [] };
  if ((repository !== undefined && repository !== '') || REMOTE_CHART.test(chart)) return { source: 'remote', tried: [] };
  const candidates = [path.resolve(dirs.rootDir, chart)];
  if (dirs.moduleDir !== undefined && dirs.moduleDir !== dirs.rootDir) candidates.push(path.resolve(dirs.moduleDir, chart));
  for (const candidate of candidates) {
    if (!inside(dirs.repoRoot, candidate) || !existsSync(candidate)) continue;
    const stat = statSync(candidate);
    if (stat.isDirectory() && existsSync(path.join(candidate, 'Chart.yaml'))) return { source: 'local', dir: candidate, tried: candidates };
    if (stat.isFile() && /\.tgz$/.test(candidate)) return { source: 'archive', dir: candidate, tried: candidates };
  }
  // `repo/chart` names a chart of a repository added with `helm repo add`.
  if (REPO_ALIAS.test(chart) && !chart.startsWith('.')) return { source: 'remote', tried: candidates };
  return { source: 'missing', tried: candidates };
}

function setEntries(
  value: unknown,
  unknown: unknown,
  sensitive: unknown,
  attribute: 'set' | 'set_list' | 'set_sensitive' | 'set_string',
  unknownOut: string[],
  secrets: { pointers: string[]; values: Set<string> },
): { entries: HelmSetEntry[]; raw: Obj[] } {
  const entries: HelmSetEntry[] = [];
  const raw: Obj[] = [];
  if (child(unknown, attribute) === true) {
    unknownOut.push(`/${attribute}`);
    return { entries, raw };
  }
  arr(value).forEach((item, i) => {
    if (!isObj(item)) return;
    const u = child(child(unknown, attribute), i);
    const name = str(item.name);
    const secret = attribute === 'set_sensitive' || child(child(child(sensitive, attribute), i), 'value') === true || child(child(sensitive, attribute), i) === true;
    raw.push({ name: name ?? null, type: item.type ?? null, value: item.value ?? null });
    if (secret) {
      secrets.pointers.push(`/${attribute}/${raw.length - 1}/value`);
      sensitiveStrings(item.value, true, secrets.values);
    }
    if (u === true || child(u, 'name') === true) {
      unknownOut.push(`/${attribute}/${i}`);
      return;
    }
    if (child(u, 'value') === true) {
      unknownOut.push(`/${attribute}/${i}/value`);
      return;
    }
    if (name === undefined) return;
    const type = str(item.type);
    // a known null value is "" to the provider (ValueString); set_list drops null elements itself
    const entryValue = attribute === 'set_list'
      ? arr(item.value).map((v) => (v === null ? null : typeof v === 'string' ? v : String(v)))
      : item.value === null || item.value === undefined ? null : String(item.value);
    entries.push({ attribute, index: i, name, value: entryValue, ...(type ? { type } : {}), ...(secret ? { sensitive: true } : {}) });
  });
  return { entries, raw };
}

export function fromHelmRelease(address: string, after: Obj, afterUnknown: unknown, afterSensitive: unknown, dirs: { rootDir: string; moduleDir?: string; repoRoot: string }): ReleaseDraft {
  const unknown: string[] = [];
  for (const key of ['chart', 'repository', 'version', 'name', 'namespace']) if (child(afterUnknown, key) === true) unknown.push(`/${key}`);
  const chart = str(after.chart) ?? '';
  const resolved = unknown.includes('/chart') ? { source: 'unknown' as const, tried: [] } : resolveChart(after, dirs);
  const problems: string[] = [];
  const secrets = { pointers: [] as string[], values: new Set<string>() };

  // values: YAML texts, later ones override earlier ones
  const values: string[] = [];
  const parsedValues: unknown[] = [];
  const valuesUnknown = child(afterUnknown, 'values');
  const valuesSensitive = child(afterSensitive, 'values');
  if (valuesUnknown === true) unknown.push('/values');
  else {
    arr(after.values).forEach((text, i) => {
      if (child(valuesUnknown, i) === true) {
        unknown.push(`/values/${i}`);
        parsedValues.push(null);
        return;
      }
      if (typeof text !== 'string') {
        parsedValues.push(null);
        return;
      }
      values.push(text);
      const parsed = parseYamlDocuments(text);
      if (parsed.problems.length > 0) problems.push(`values[${i}] is not valid YAML${parsed.problems[0]!.line ? ` (line ${parsed.problems[0]!.line})` : ''}`);
      const doc = parsed.documents[0]?.value ?? null;
      if (valuesSensitive === true || child(valuesSensitive, i) === true) {
        secrets.pointers.push(`/values/${parsedValues.length}`);
        sensitiveStrings(doc, true, secrets.values);
      }
      parsedValues.push(doc);
    });
  }

  const set = setEntries(after.set, afterUnknown, afterSensitive, 'set', unknown, secrets);
  const setList = setEntries(after.set_list, afterUnknown, afterSensitive, 'set_list', unknown, secrets);
  const setSensitive = setEntries(after.set_sensitive, afterUnknown, afterSensitive, 'set_sensitive', unknown, secrets);
  // helm provider 1.x had set_string
  const setString = setEntries(after.set_string, afterUnknown, afterSensitive, 'set_string', unknown, secrets);

  const name = str(after.name) ?? '';
  const namespace = str(after.namespace) ?? 'default';
  const repository = str(after.repository);
  const version = str(after.version);
  const request: HelmReleaseRequest = {
    address,
    name,
    namespace,
    chart,
    values,
    set: [...set.entries, ...setString.entries, ...setList.entries, ...setSensitive.entries],
    unknown,
    sensitive: [...secrets.values],
  };
  if (resolved.source === 'local' && resolved.dir) request.chartDir = resolved.dir;
  if (resolved.source === 'remote' || resolved.source === 'missing' || resolved.source === 'archive') {
    request.remote = { chart, ...(repository ? { repository } : {}), ...(version ? { version } : {}) };
  }

  const raw: Obj = {
    name,
    namespace,
    chart,
    repository: repository ?? null,
    version: version ?? null,
    chartSource: resolved.source,
    values: parsedValues,
    set: set.raw,
    set_list: setList.raw,
    set_sensitive: setSensitive.raw,
    // pointers of the values above that the plan marks sensitive: judged, never printed
    sensitive: secrets.pointers,
  };

  if (resolved.source !== 'local') {
    // a local chart's render reports it; elsewhere it is said here: the provider fails, nothing is applied
    try {
      providerValues(values, request.set);
    } catch (error) {
      if (!(error instanceof StrvalsError)) throw error;
      problems.push(`the helm provider cannot build the release's values: ${error.message}`);
    }
  }

  const what = `chart "${chart}"${repository ? ` from ${repository}` : ''}${version ? ` version ${version}` : ''}`;
  let notice: string | undefined;
  const postRenderer = postRendererOf(after.postrender, child(afterUnknown, 'postrender'));
  if (postRenderer !== undefined) {
    // The program rewrites what helm renders before it is applied; preadmit never runs a program named by
    // the plan (it comes with the pull request), so the applied manifests cannot be known.
    delete request.chartDir;
    notice = `helm_release ${address}: post-renderer ${postRenderer} rewrites the rendered manifests before they are applied, and preadmit never runs a program named by the plan: the release is not analysable (its rendered manifests are not what reaches the cluster); only its values were checked`;
  } else if (resolved.source === 'remote') {
    notice = `helm_release ${address}: ${what} is not in the repository and not analysable offline (preadmit never downloads charts): its manifests were not checked, only its values; vendor the chart into the repository and point chart at its path to have it rendered`;
  } else if (resolved.source === 'missing') {
    notice = `helm_release ${address}: local ${what} was not found in the repository (looked at ${resolved.tried.map((t) => path.relative(dirs.repoRoot, t).split(path.sep).join('/') || '.').join(', ')}): not analysable; only its values were checked`;
  } else if (resolved.source === 'archive') {
    notice = `helm_release ${address}: ${what} is a packaged chart archive, which preadmit does not unpack: not analysed; only its values were checked`;
  }
  return { request, chartSource: resolved.source, raw, problems, ...(notice ? { notice } : {}) };
}

/** The post-renderer as the message names it (`"sed" (postrender.binary_path)`), or undefined when there is none. */
function postRendererOf(value: unknown, unknown: unknown): string | undefined {
  // provider 2.x: a list of blocks ([] when unset); 3.x: an object (null when unset)
  const block = Array.isArray(value) ? value[0] : value;
  const blockUnknown = Array.isArray(unknown) ? unknown[0] : unknown;
  if (unknown === true || blockUnknown === true) return '(unknown until apply)';
  if (!isObj(block)) return undefined;
  if (child(blockUnknown, 'binary_path') === true) return '(binary_path unknown until apply)';
  const binary = str(block.binary_path);
  if (binary === undefined || binary === '') return undefined;
  const args = arr(block.args).filter((a): a is string => typeof a === 'string');
  return `"${binary}"${args.length > 0 ? ` with ${args.length} argument${args.length === 1 ? '' : 's'}` : ''} (postrender.binary_path)`;
}

/** Pointer in the pseudo-object's raw -> attribute path (+ place inside a values YAML document). */
export function releaseAttributeOf(raw: Obj, pointer: string): { path: (string | number)[]; yaml?: { document: number; pointer: string } } {
  const match = /^\/values\/(\d+)(\/.*)?$/.exec(pointer);
  if (match) {
    const index = Number(match[1]);
    return match[2] ? { path: ['values', index], yaml: { document: 0, pointer: match[2] } } : { path: ['values', index] };
  }
  const set = /^\/(set|set_list|set_sensitive)\/(\d+)(\/(name|value|type))?/.exec(pointer);
  if (set) return { path: [set[1]!, Number(set[2]), ...(set[4] ? [set[4]] : [])] };
  const top = /^\/([^/]+)/.exec(pointer);
  return { path: top ? [top[1]!] : [] };
}

/** Dotted name of a values pointer for messages: `/values/0/securityContext/privileged` -> `securityContext.privileged`. */
export function valuesKeyOf(pointer: string): string {
  return pointer.split('/').slice(3).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
}
