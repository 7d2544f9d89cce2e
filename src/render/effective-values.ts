// The values a chart render sees, with where each one comes from. Helm's merge order is rebuilt here:
// a subchart's own values.yaml, overridden by the parent's `<alias>:` section, overridden by the value
// set's files in order, overridden by `--set` pairs. Every node of the result remembers the last layer
// that defines it, so a values key maps back to the file and line that set it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isObj } from '../k8s/values.ts';
import { readChartMetadata } from './helm.ts';
import { dependenciesOf as helmDependencies } from './chart-metadata.ts';
import { loadYamlDocuments, type YamlDocument } from '../loaders/yaml-docs.ts';
import { escapeToken } from '../model/pointer.ts';

export type Token = string | number;
export type ValuePath = readonly Token[];

/** A file (or --set pair) that contributes values, placed at `prefix` in the top-level values space. */
export interface ValuesLayer {
  /** Absolute path of the values file; for a --set pair, the pair itself. */
  file: string;
  kind: 'chart' | 'file' | 'set';
  prefix: ValuePath;
  value: unknown;
  /** Positions in the file (absent for --set pairs). */
  doc?: YamlDocument;
  /** The chart scope (alias chain) whose values.yaml this is, for kind chart. */
  scope?: ValuePath;
}

export interface Origin {
  layer: ValuesLayer;
  /** Path inside the layer's own document. */
  inner: ValuePath;
}

/** A subchart as a scope of the top-level values: its alias chain and directory. */
export interface ChartScope {
  /** Keys from the top level to the subchart's values (empty for the chart itself). */
  path: ValuePath;
  /** Names helm prints in `# Source:` paths (`charts/<name>`): alias or chart name, per level. */
  sourceNames: string[];
  /** Directory of the (sub)chart; undefined for a packaged (.tgz) subchart. */
  dir?: string;
  name: string;
}

export interface EffectiveValues {
  /** The merged values in the top-level space (subchart values under their alias). */
  value: Record<string, unknown>;
  layers: ValuesLayer[];
  scopes: ChartScope[];
  /** The layer that last defined a node, or undefined when no layer did. */
  originOf(path: ValuePath): Origin | undefined;
}

export function pathKey(p: ValuePath): string {
  return JSON.stringify(p);
}

export function getAt(root: unknown, p: ValuePath): unknown {
  let node = root;
  for (const token of p) {
    if (Array.isArray(node) && typeof token === 'number') node = node[token];
    else if (isObj(node) && typeof token === 'string') node = node[token];
    else return undefined;
  }
  return node;
}

/** `a.b[0].c`, with keys that are not plain identifiers quoted: `podAnnotations["x.io/y"]`. */
export function displayKey(p: ValuePath): string {
  let out = '';
  for (const token of p) {
    if (typeof token === 'number') out += `[${token}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(token)) out += out === '' ? token : `.${token}`;
    else out += `[${JSON.stringify(token)}]`;
  }
  return out;
}

export function pointerOf(p: ValuePath): string {
  return p.map((t) => '/' + escapeToken(t)).join('');
}

function readValuesFileOnce(file: string): { value: unknown; doc?: YamlDocument } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = loadYamlDocuments(text);
  const doc = parsed.documents[0];
  if (parsed.problems.length > 0 || doc === undefined) return { value: {} };
  return { value: doc.value ?? {}, doc };
}

/** Deep merge with helm's rules: maps merge, anything else replaces, null deletes. */
function mergeInto(base: unknown, over: unknown): unknown {
  if (isObj(base) && isObj(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(over)) {
      if (value === null) delete out[key];
      else out[key] = key in out ? mergeInto(out[key], value) : clone(value);
    }
    return out;
  }
  return clone(over);
}

export function clone<T>(value: T): T {
  return value === undefined ? value : (structuredClone(value) as T);
}

function placeAt(prefix: ValuePath, value: unknown): unknown {
  let out = value;
  for (let i = prefix.length - 1; i >= 0; i--) out = { [prefix[i] as string]: out };
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// --set pairs (helm strvals, the common subset: dotted keys, [n] indexes, {a,b} lists, typed scalars)

function typedScalar(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  if (/^-?(0|[1-9][0-9]*)$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  return text;
}

function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      current += text[i + 1];
      i++;
    } else if (c === separator) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/** The assignments of one `--set` argument: `a.b=1,c[0]=x` -> [[a,b],1], [[c,0],'x']. */
export function parseSetPairs(argument: string): { path: Token[]; value: unknown }[] {
  const out: { path: Token[]; value: unknown }[] = [];
  // Commas inside {a,b} belong to the list.
  const pieces: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = 0; i < argument.length; i++) {
    const c = argument[i]!;
    if (c === '\\' && i + 1 < argument.length) {
      current += c + argument[i + 1];
      i++;
      continue;
    }
    if (c === '{') depth++;
    if (c === '}') depth = Math.max(0, depth - 1);
    if (c === ',' && depth === 0) {
      pieces.push(current);
      current = '';
    } else current += c;
  }
  pieces.push(current);
  for (const piece of pieces) {
    const eq = piece.search(/(?<!\\)=/);
    if (eq <= 0) continue;
    const keyText = piece.slice(0, eq);
    const valueText = piece.slice(eq + 1);
    const keyPath: Token[] = [];
    for (const part of splitUnescaped(keyText, '.')) {
      const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
      if (!m) {
        keyPath.push(part);
        continue;
      }
      if (m[1] !== '') keyPath.push(m[1]!);
      for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) keyPath.push(Number(idx[1]));
    }
    let value: unknown;
    if (valueText.startsWith('{') && valueText.endsWith('}')) value = splitUnescaped(valueText.slice(1, -1), ',').map(typedScalar);
    else value = typedScalar(valueText.replace(/\\(.)/g, '$1'));
    out.push({ path: keyPath, value });
  }
  return out;
}

function setValue(root: Record<string, unknown>, p: Token[], value: unknown): void {
  let node: unknown = root;
  for (let i = 0; i < p.length - 1; i++) {
    const token = p[i]!;
    const nextIsIndex = typeof p[i + 1] === 'number';
    if (Array.isArray(node) && typeof token === 'number') {
      while (node.length <= token) node.push(null);
      if (!isObj(node[token]) && !Array.isArray(node[token])) node[token] = nextIsIndex ? [] : {};
      node = node[token];
    } else if (isObj(node)) {
      const key = String(token);
      if (!isObj(node[key]) && !Array.isArray(node[key])) node[key] = nextIsIndex ? [] : {};
      node = node[key];
    } else return;
  }
  const last = p[p.length - 1];
  if (last === undefined) return;
  if (Array.isArray(node) && typeof last === 'number') {
    while (node.length <= last) node.push(null);
    node[last] = value;
  } else if (isObj(node)) node[String(last)] = value;
}

// ---------------------------------------------------------------------------------------------------------
// Chart structure

interface Dependency {
  name: string;
  alias?: string;
  condition?: string;
  tags: string[];
}

function readChartYaml(dir: string): { name: string; dependencies: Dependency[] } | undefined {
  // Only charts that render reach provenance (their Chart.yaml passed readChartInfo's size and symlink
  // checks). helm's own view: requirements.yaml merged into Chart.yaml whatever the apiVersion.
  const metadata = readChartMetadata(dir);
  if (typeof metadata === 'string') return undefined;
  return {
    name: metadata.name,
    dependencies: helmDependencies(metadata).map((d) => ({
      name: d.name,
      ...(d.alias !== '' ? { alias: d.alias } : {}),
      ...(d.condition !== '' ? { condition: d.condition } : {}),
      tags: d.tags,
    })),
  };
}

/** Subcharts vendored in `charts/`: directory name or Chart.yaml name -> directory (or .tgz). */
function vendored(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const chartsDir = path.join(dir, 'charts');
  let entries: string[];
  try {
    entries = readdirSync(chartsDir).sort();
  } catch {
    return found; // no charts/, or not a directory
  }
  for (const entry of entries) {
    const full = path.join(chartsDir, entry);
    try {
      if (entry.endsWith('.tgz')) found.set(entry.replace(/-v?\d+\.\d+\.\d+[^/]*\.tgz$/, '').replace(/\.tgz$/, ''), full);
      else if (statSync(full).isDirectory() && existsSync(path.join(full, 'Chart.yaml'))) {
        const info = readChartYaml(full);
        found.set(info?.name ?? entry, full);
      }
    } catch {
      // unreadable entry: helm will say so
    }
  }
  return found;
}

function enabled(dep: Dependency, values: unknown): boolean {
  if (dep.condition) {
    for (const condition of dep.condition.split(',')) {
      const v = getAt(values, condition.trim().split('.'));
      if (typeof v === 'boolean') return v;
    }
  }
  if (dep.tags.length > 0) {
    const tags = isObj(values) && isObj(values.tags) ? values.tags : {};
    const states = dep.tags.map((t) => tags[t]).filter((v): v is boolean => typeof v === 'boolean');
    if (states.length > 0) return states.some(Boolean);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Effective values

/** Parsed values files shared by the effectiveValues calls of one scan, by absolute path; never mutated. */
export type ValuesFileCache = Map<string, { value: unknown; doc?: YamlDocument } | undefined>;

export interface ValuesRequest {
  chartDir: string;
  /** Values files in helm's order (absolute). */
  valuesFiles: readonly string[];
  set: readonly string[];
  /** Read each values file once across calls (the value sets of a chart share its values.yaml files). */
  files?: ValuesFileCache;
}

/**
 * The values of one render with every node's origin. Subcharts appear under their alias (name when
 * none), with their own values.yaml as the lowest layer; disabled subcharts are left out.
 */
export function effectiveValues(request: ValuesRequest): EffectiveValues {
  const files = request.files;
  const readValuesFile = (file: string) => {
    if (files === undefined) return readValuesFileOnce(file);
    if (!files.has(file)) files.set(file, readValuesFileOnce(file));
    return files.get(file);
  };
  const userLayers: ValuesLayer[] = [];
  for (const file of request.valuesFiles) {
    const read = readValuesFile(file);
    if (read === undefined) continue;
    userLayers.push({ file, kind: 'file', prefix: [], value: isObj(read.value) ? read.value : {}, ...(read.doc ? { doc: read.doc } : {}) });
  }
  for (const argument of request.set) {
    for (const pair of parseSetPairs(argument)) {
      const value: Record<string, unknown> = {};
      setValue(value, pair.path, pair.value);
      userLayers.push({ file: argument, kind: 'set', prefix: [], value });
    }
  }

  const chartLayers: ValuesLayer[] = [];
  const scopes: ChartScope[] = [];
  const root = readChartYaml(request.chartDir);

  // Layers in increasing precedence: deepest subchart defaults first.
  const collect = (dir: string | undefined, scopePath: Token[], sourceNames: string[], name: string, above: unknown) => {
    scopes.push({ path: scopePath, sourceNames, ...(dir ? { dir } : {}), name });
    if (dir === undefined) return;
    const own = readValuesFile(path.join(dir, 'values.yaml'));
    const ownLayer: ValuesLayer | undefined = own
      ? { file: path.join(dir, 'values.yaml'), kind: 'chart', prefix: scopePath, value: isObj(own.value) ? own.value : {}, scope: scopePath, ...(own.doc ? { doc: own.doc } : {}) }
      : undefined;
    // What this chart sees: its defaults overridden by everything above.
    const seen = mergeInto(ownLayer?.value ?? {}, above ?? {});
    const info = scopePath.length === 0 ? root : readChartYaml(dir);
    const subs = vendored(dir);
    const declared = new Map<string, Dependency>();
    for (const dep of info?.dependencies ?? []) declared.set(dep.alias ?? dep.name, dep);
    const children: { key: string; chartName: string }[] = [];
    for (const [key, dep] of declared) if (subs.has(dep.name)) children.push({ key, chartName: dep.name });
    for (const chartName of subs.keys()) {
      if (![...declared.values()].some((d) => d.name === chartName)) children.push({ key: chartName, chartName });
    }
    for (const child of children) {
      const dep = declared.get(child.key);
      if (dep && !enabled(dep, seen)) continue;
      const subDir = subs.get(child.chartName)!;
      const childAbove = isObj(seen) ? seen[child.key] : undefined;
      collect(subDir.endsWith('.tgz') ? undefined : subDir, [...scopePath, child.key], [...sourceNames, child.key], child.chartName, childAbove);
    }
    // After its subcharts' layers: a chart's values.yaml overrides theirs.
    if (ownLayer) chartLayers.push(ownLayer);
  };
  let above: unknown = {};
  for (const layer of userLayers) above = mergeInto(above, layer.value);
  // The root chart: the user layers are "above" it; its own values.yaml is merged below them.
  collect(request.chartDir, [], [root?.name ?? path.basename(request.chartDir)], root?.name ?? path.basename(request.chartDir), above);

  const layers = [...chartLayers, ...userLayers];
  let value: unknown = {};
  for (const layer of layers) value = mergeInto(value, placeAt(layer.prefix, layer.value));
  // Globals flow from the top into every subchart.
  const top = isObj(value) ? value : {};
  if (isObj(top.global)) {
    for (const scope of scopes) {
      if (scope.path.length === 0) continue;
      const node = getAt(top, scope.path);
      if (isObj(node)) node.global = mergeInto(isObj(node.global) ? node.global : {}, top.global);
    }
  }

  const cache = new Map<string, Origin | undefined>();
  const originOf = (p: ValuePath): Origin | undefined => {
    const key = pathKey(p);
    if (cache.has(key)) return cache.get(key);
    let found: Origin | undefined;
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i]!;
      if (p.length < layer.prefix.length || layer.prefix.some((t, j) => p[j] !== t)) continue;
      const inner = p.slice(layer.prefix.length);
      if (getAt(layer.value, inner) !== undefined) {
        found = { layer, inner };
        break;
      }
    }
    cache.set(key, found);
    return found;
  };
  return { value: top, layers, scopes, originOf };
}

/** The scope a helm `# Source:` path belongs to: `parent/charts/child/templates/x.yaml` -> child's scope. */
export function scopeOfTemplate(values: EffectiveValues, template: string): ChartScope | undefined {
  const parts = template.split('/');
  const names = [parts[0]!];
  let i = 1;
  while (parts[i] === 'charts' && parts[i + 2] !== undefined) {
    names.push(parts[i + 1]!);
    i += 2;
  }
  return values.scopes.find((s) => s.sourceNames.length === names.length && s.sourceNames.slice(1).every((n, j) => n === names[j + 1]));
}

// ---------------------------------------------------------------------------------------------------------
// Nodes

export interface ValueNode {
  /** Path in the top-level values space. */
  path: Token[];
  value: unknown;
  kind: 'scalar' | 'map' | 'list';
}

/** Every node of the values (maps, lists and scalars), parents before children. */
export function* nodesOf(value: unknown, base: Token[] = []): Generator<ValueNode> {
  if (Array.isArray(value)) {
    yield { path: base, value, kind: 'list' };
    for (let i = 0; i < value.length; i++) yield* nodesOf(value[i], [...base, i]);
  } else if (isObj(value)) {
    if (base.length > 0) yield { path: base, value, kind: 'map' };
    for (const [key, v] of Object.entries(value)) yield* nodesOf(v, [...base, key]);
  } else {
    yield { path: base, value, kind: 'scalar' };
  }
}

/** The file, line and key that set a node, as reported (line absent for a --set pair not found in a file). */
export interface ValuesLocationRaw {
  file: string;
  line?: number;
  key: string;
  kind: ValuesLayer['kind'];
}

export function locationOf(values: EffectiveValues, p: ValuePath): ValuesLocationRaw | undefined {
  const origin = values.originOf(p);
  if (origin === undefined) return undefined;
  const { layer, inner } = origin;
  if (layer.kind === 'set') return { file: layer.file, key: displayKey(p), kind: 'set' };
  const line = layer.doc?.lineOf(pointerOf(inner));
  // The key as written in that file: a subchart's own values.yaml names it without the alias.
  return { file: layer.file, ...(line !== undefined ? { line } : {}), key: displayKey(inner), kind: layer.kind };
}
