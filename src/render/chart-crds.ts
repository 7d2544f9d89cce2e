// The objects of a chart's crds/ folder. `helm install` (and upgrade, on first install) creates every
// object in every crds/ file of the chart and of its subcharts before the templates, whatever its kind
// (helm's Chart.CRDObjects: files under crds/ ending in .yaml, .yml or .json, case-insensitive, not
// templated; they go through the same kube client as the templates). `helm template` leaves them out
// unless --include-crds, so they are read here from the chart's files and judged with the render.
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ScanError, ScannedObject } from '../model/model.ts';
import { safeRealpath } from '../model/paths.ts';
import { chartMetadata, dependenciesOf as helmDependencies, type ChartMetadata, type DescriptionFile } from './chart-metadata.ts';
import { helmIgnoreRules, ignored } from './helm-ignore.ts';
import { parseChartYaml, tarEntries } from './helm.ts';
import { goYamlStream } from '../loaders/go-yaml-value.ts';
import { objectsFromDocuments } from '../loaders/objects.ts';
import { parseRenderedDocument } from '../loaders/rendered-yaml.ts';
import { YAML_LIMITS, type ParsedYaml, type YamlDocument } from '../loaders/yaml-docs.ts';

/** What a packaged subchart (and the archives inside it) may expand to before it is not read. */
const MAX_ARCHIVE_BYTES = 64 * 1024 * 1024;

/** A file of a chart as helm's loader names it (relative to the chart, `/`-separated, cleaned). */
interface ChartFile {
  name: string;
  /** How the file is named in messages: the archive entry as written, or the repository path. */
  label: string;
  /** The file on disk, for a chart directory's files. */
  full?: string;
  read: () => Buffer;
}

/** Go's path.Clean: the shortest equivalent of a `/`-separated path. */
export function cleanPath(name: string): string {
  if (name === '') return '.';
  const rooted = name.startsWith('/');
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out.at(-1) !== '..') out.pop();
      else if (!rooted) out.push('..');
    } else out.push(part);
  }
  const joined = out.join('/');
  return rooted ? `/${joined}` : joined || '.';
}

/**
 * An archive entry's name within its chart as helm's loader (pkg/chart/loader archive.go) makes it: the first
 * path element dropped (split on `\\` when the name has one, else `/`), `/`-separated and path.Clean-ed; undefined
 * for a name helm refuses (absolute, outside the chart, a drive letter), which fails the whole load.
 */
export function archiveEntryName(raw: string): string | undefined {
  const delimiter = raw.includes('\\') ? '\\' : '/';
  const parts = raw.split(delimiter);
  if (parts[0] === 'Chart.yaml') return undefined;
  const joined = parts.slice(1).join(delimiter).split(delimiter).join('/');
  if (joined.startsWith('/')) return undefined;
  const name = cleanPath(joined);
  if (name === '.' || name.startsWith('..') || /^[a-zA-Z]:\//.test(name)) return undefined;
  return name;
}

/** A chart archive's files as helm loads them, or undefined when helm refuses the archive (its render fails). */
function archiveFiles(archive: Buffer, label: string): ChartFile[] | undefined {
  const tar = gunzipSync(archive, { maxOutputLength: MAX_ARCHIVE_BYTES });
  const files: ChartFile[] = [];
  try {
    for (const entry of tarEntries(tar)) {
      const name = archiveEntryName(entry.raw);
      if (name === undefined) return undefined;
      files.push({ name, label: `${label}${entry.raw}`, read: () => entry.content });
    }
  } catch {
    return undefined; // a header helm's reader refuses: the chart's render fails (chartProblem)
  }
  return files;
}

const MANIFEST = /\.(?:ya?ml|json)$/i;

/**
 * How helm decides whether a subchart is loaded (chartutil ProcessDependencies): the parent's Chart.yaml
 * dependencies naming it, each under its alias (or name), with its condition and tags; none (an undeclared
 * subchart) is always loaded.
 */
export type CrdGate = { key: string; options?: { key: string; condition?: string; tags: string[] }[] };

interface CrdFile {
  file: ChartFile;
  /** From the top chart down to the chart whose crds/ holds the file. */
  gates: CrdGate[];
}

/**
 * A chart level's metadata as helm's loader builds it from its files (Chart.yaml entries, then
 * requirements.yaml ones, in the order given), or undefined when helm cannot load it (its render reports
 * why; its subcharts are then all taken as loaded, and its crds/ judged).
 */
function metadataOf(files: readonly ChartFile[]): ChartMetadata | undefined {
  const described: DescriptionFile[] = [];
  for (const file of files) {
    if (file.name !== 'Chart.yaml' && file.name !== 'requirements.yaml') continue;
    try {
      described.push({ name: file.name, label: file.label, value: parseChartYaml(file.read().toString('utf8').replace(/^\uFEFF/, '')) });
    } catch {
      return undefined;
    }
  }
  const metadata = chartMetadata(described);
  return typeof metadata === 'string' ? undefined : metadata;
}

/** A chart level's declared dependencies, with helm's merged view of Chart.yaml and requirements.yaml. */
function declaredDependencies(metadata: ChartMetadata | undefined): { name: string; version: string; alias?: string; condition?: string; tags: string[] }[] {
  if (metadata === undefined) return [];
  return helmDependencies(metadata)
    .filter((d) => d.name !== '')
    .map((d) => ({ name: d.name, version: d.version, ...(d.alias !== '' ? { alias: d.alias } : {}), ...(d.condition !== '' ? { condition: d.condition } : {}), tags: d.tags }));
}

/**
 * Whether helm gives a vendored subchart a dependency's alias: only when its version is in the dependency's
 * range (getAliasDependency, IsCompatibleRange; no range is no match). Otherwise the subchart keeps its own
 * name, and the alias's condition and tags switch nothing off. Only what is certain counts as in range (an
 * exact version, or plain comparisons, caret and tilde ranges without prereleases on either side): helm
 * deciding otherwise would turn crds/ off, so anything else judges them.
 */
export function surelyInRange(range: string, version: string): boolean {
  const parse = (text: string) => /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(text.trim());
  const have = parse(version);
  if (have === null || range.trim() === '') return false;
  const v = [Number(have[1]), Number(have[2] ?? 0), Number(have[3] ?? 0)];
  const cmp = (a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
  const term = (text: string): boolean | undefined => {
    const m = /^(>=|<=|!=|>|<|=|\^|~)?\s*(.+)$/.exec(text.trim());
    const at = m === null ? null : parse(m[2]!);
    if (m === null || at === null) return undefined;
    const t = [Number(at[1]), Number(at[2] ?? 0), Number(at[3] ?? 0)];
    const op = m[1] ?? '=';
    if (op === '=' ) return at[2] !== undefined && at[3] !== undefined ? cmp(v, t) === 0 : undefined;
    if (op === '!=') return cmp(v, t) !== 0;
    if (op === '>') return cmp(v, t) > 0;
    if (op === '<') return cmp(v, t) < 0;
    if (op === '>=') return cmp(v, t) >= 0;
    if (op === '<=') return cmp(v, t) <= 0;
    if (op === '~') return cmp(v, t) >= 0 && v[0] === t[0] && (at[2] === undefined || v[1] === t[1]);
    // ^: the same leftmost non-zero part (Masterminds: ^0.2.3 is >=0.2.3 <0.3.0, ^0.0.3 is =0.0.3)
    if (cmp(v, t) < 0) return false;
    return t[0]! > 0 ? v[0] === t[0] : t[1]! > 0 ? v[0] === 0 && v[1] === t[1] : at[2] === undefined ? v[0] === 0 : v[0] === 0 && v[1] === 0 && (at[3] === undefined || v[2] === t[2]);
  };
  // Any alternative (||) whose terms (comma or space separated) all hold; anything unread is no match.
  return range.split('||').some((alternative) => {
    const terms = alternative.trim().split(/\s*,\s*|\s+(?=[<>=!~^v\d])/).filter((t) => t !== '');
    return terms.length > 0 && terms.every((t) => term(t) === true);
  });
}

/**
 * The crds/ files of a chart and of its subcharts as helm's loader finds them (LoadFiles, Chart.CRDObjects):
 * files named `crds/...` with a manifest extension; subcharts under `charts/<name>/` or `charts/<name>.tgz`,
 * except names starting with `_` or `.` (helm skips those). Each with the gates deciding its subcharts.
 */
function crdFilesOf(files: readonly ChartFile[], depth: number): CrdFile[] {
  const found: CrdFile[] = [];
  const subcharts = new Map<string, ChartFile[]>();
  for (const file of files) {
    if (file.name.startsWith('crds/') && MANIFEST.test(file.name)) found.push({ file, gates: [] });
    else if (file.name.startsWith('charts/') && !file.name.endsWith('.prov')) {
      const rest = file.name.slice('charts/'.length);
      const name = rest.split('/')[0]!;
      subcharts.set(name, [...(subcharts.get(name) ?? []), { ...file, name: rest }]);
    }
  }
  if (depth >= 10 || subcharts.size === 0) return found;
  const dependencies = declaredDependencies(metadataOf(files));
  const under = (inner: ChartFile[]) => {
    const metadata = metadataOf(inner);
    const name = metadata?.name;
    // An alias applies only to a subchart in the dependency's version range; one that is not keeps its name.
    const declared = dependencies.filter((d) => d.name === name && (d.alias === undefined || surelyInRange(d.version, metadata?.version ?? '')));
    const gate: CrdGate = { key: name ?? '', ...(declared.length > 0 ? { options: declared.map((d) => ({ key: d.alias ?? d.name, ...(d.condition !== undefined ? { condition: d.condition } : {}), tags: d.tags })) } : {}) };
    for (const crd of crdFilesOf(inner, depth + 1)) found.push({ file: crd.file, gates: [gate, ...crd.gates] });
  };
  for (const [name, members] of [...subcharts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (name.startsWith('_') || name.startsWith('.')) continue;
    if (name.endsWith('.tgz')) {
      const archive = members[0]!;
      if (archive.name !== name) continue; // helm refuses the chart
      let inner: ChartFile[] | undefined;
      try {
        inner = archiveFiles(archive.read(), `${archive.label}/`);
      } catch {
        continue; // not a readable chart archive (or too large): helm's render reports it
      }
      if (inner !== undefined) under(inner);
      continue;
    }
    under(members.filter((m) => m.name.includes('/')).map((m) => ({ ...m, name: m.name.slice(name.length + 1) })));
  }
  return found;
}

/** helm's Values.PathValue: a `.`-separated path through maps, undefined when it does not resolve. */
function pathValue(values: unknown, dotted: string): unknown {
  let node = values;
  for (const key of dotted.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * Whether helm loads a subchart's crds/ with these (top-level, coalesced) values: at each level, tags first
 * (all of its tags false and none true disables), then the first condition path resolving to a boolean
 * decides; condition paths are prefixed with the subchart path above (alias or name).
 */
export function gatesOpen(gates: readonly CrdGate[], values: unknown, prefix = ''): boolean {
  if (gates.length === 0) return true;
  const [gate, ...rest] = gates as [CrdGate, ...CrdGate[]];
  if (gate.options === undefined) return gatesOpen(rest, values, `${prefix}${gate.key}.`);
  const tags = pathValue(values, 'tags');
  return gate.options.some((option) => {
    let enabled = true;
    if (tags !== null && typeof tags === 'object' && !Array.isArray(tags)) {
      const states = option.tags.map((t) => (tags as Record<string, unknown>)[t]).filter((v): v is boolean => typeof v === 'boolean');
      if (!states.includes(true) && states.includes(false)) enabled = false;
    }
    for (const condition of (option.condition ?? '').trim().split(',')) {
      if (condition === '') continue;
      const value = pathValue(values, `${prefix}${condition}`);
      if (typeof value === 'boolean') {
        enabled = value;
        break;
      }
    }
    return enabled && gatesOpen(rest, values, `${prefix}${option.key}.`);
  });
}

/** The gates of a crds/ object read by chartCrdObjects (none: the top chart's own). */
const GATES = new WeakMap<ScannedObject, CrdGate[]>();

/** Whether helm installs a crds/ object with these values (its subchart, and the ones above, enabled). */
export function crdLoaded(object: ScannedObject, values: () => unknown): boolean {
  const gates = GATES.get(object);
  return gates === undefined || !gates.some((g) => g.options !== undefined) || gatesOpen(gates, values());
}

/** The most entries of a chart's crds/ and charts/ folders read; beyond, the chart's crds/ are not judged (an error). */
export const MAX_CHART_ENTRIES = 100_000;

/**
 * Whether a directory of a chart (its path within the chart) can hold what crdFilesOf reads: a chart level
 * (the chart, a subchart directory under charts/) and its charts/ folder, and everything under a level's crds/.
 */
function holdsCrdInputs(name: string): boolean {
  if (name === '') return true;
  const parts = name.split('/');
  for (let i = 0; ; i += 2) {
    if (parts[i] === 'crds') return true;
    if (parts[i] !== 'charts') return false;
    if (i + 2 >= parts.length) return true; // charts/ itself, or a subchart directory in it
  }
}

/**
 * A chart directory's files as helm's LoadDir lists them, as far as crds/ are concerned: every regular file
 * (links followed) of the chart levels, their charts/ folders and their crds/ folders, at any depth and
 * whatever the folders are named, unless the chart's own `.helmignore` ignores its path (helm reads only the
 * top chart's; subchart directories are part of its walk). Only names: contents are read for the crds/ files
 * and archives. More than MAX_CHART_ENTRIES entries is an error naming the chart, not a partial list.
 */
function directoryFiles(dir: string, relative: (file: string) => string): ChartFile[] | string {
  const rules = helmIgnoreRules(dir);
  const files: ChartFile[] = [];
  let budget = MAX_CHART_ENTRIES;
  // Real paths of the directories being walked: a symlink back to one of them is a loop (helm's own walk
  // fails on it, and chartProblem refuses the chart before its render).
  const walking = new Set<string>();
  const walk = (full: string, name: string): boolean => {
    const real = safeRealpath(full) ?? full;
    if (walking.has(real)) return true;
    walking.add(real);
    let entries: string[];
    try {
      entries = readdirSync(full).sort();
    } catch {
      entries = []; // helm reports what it cannot read
    }
    for (const entry of entries) {
      if (--budget < 0) return false;
      const path_ = path.join(full, entry);
      const n = name === '' ? entry : `${name}/${entry}`;
      let stat;
      try {
        stat = statSync(path_);
      } catch {
        continue;
      }
      if (ignored(rules, n, stat.isDirectory())) continue;
      if (stat.isDirectory()) {
        if (holdsCrdInputs(n) && !walk(path_, n)) return false;
      } else if (stat.isFile()) files.push({ name: n, label: relative(path_), full: path_, read: () => readFileSync(path_) });
    }
    walking.delete(real);
    return true;
  };
  if (!walk(dir, '')) return `the chart's crds/ and charts/ folders hold more than ${MAX_CHART_ENTRIES} entries; preadmit stops reading there, so the crds/ objects helm install would create are not judged`;
  return files;
}

/** Whether `file` (after symlinks) stays inside `root`: a crds/ link must not read files outside the repository. */
function inside(root: string, file: string): boolean {
  try {
    const real = realpathSync(file);
    const realRoot = realpathSync(root);
    return real === realRoot || real.startsWith(realRoot + path.sep);
  } catch {
    return false;
  }
}

export interface CrdObjectsOptions {
  chartPath: string;
  valueSet: string;
  defaultNamespace?: string;
  repoRoot: string;
  relative: (file: string) => string;
}

const ORIGIN = 'crds/ (created by helm install; helm template leaves it out)';

/** A document start line (`---`, alone or before a comment). */
const DOCUMENT_START = /^---[ \t]*(?:#.*)?\r?$/gm;

/**
 * A crds/ file's documents, each parsed like a rendered document: a CustomResourceDefinition's header
 * only when that cannot change the object (rendered-yaml.ts), since crds/ folders hold megabytes of
 * schema no rule reads (kube-prometheus-stack: 4.4 MB). Lines and indexes are the file's.
 */
function parseCrdFile(text: string): ParsedYaml {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // helm applies crds/ through the kube client's YAML reader: pieces split at `---` lines after a LF only,
  // CR, NEL, LS and PS are line breaks, one document per piece (as for rendered templates).
  text = goYamlStream(text);
  const out: ParsedYaml = { documents: [], problems: [] };
  let start = 0;
  let line = 1;
  let index = 0;
  const take = (end: number) => {
    const chunk = text.slice(start, end);
    if (/^[ \t]*[^\s#]/m.test(chunk)) {
      const parsed = parseRenderedDocument(chunk);
      const shift = line - 1;
      const at = index++;
      for (const doc of parsed.documents) {
        const lineOf = doc.lineOf;
        const shifted: YamlDocument = { index: at, value: doc.value, line: doc.line + shift, lineOf: (pointer) => lineOf(pointer) + shift };
        if (doc.duplicates) shifted.duplicates = doc.duplicates.map((d) => ({ ...d, firstLine: d.firstLine + shift, line: d.line + shift }));
        out.documents.push(shifted);
      }
      for (const problem of parsed.problems) out.problems.push({ ...problem, index: at, ...(problem.line !== undefined ? { line: problem.line + shift } : {}) });
    }
  };
  for (let match = DOCUMENT_START.exec(text); match !== null; match = DOCUMENT_START.exec(text)) {
    take(match.index);
    for (let i = text.indexOf('\n', start); i !== -1 && i <= match.index + match[0].length; i = text.indexOf('\n', i + 1)) line++;
    start = Math.min(text.length, match.index + match[0].length + 1);
  }
  take(text.length);
  return out;
}

/** Objects of the crds/ files of the chart at `dir` and its subcharts (directories and .tgz), located at their files. */
export function chartCrdObjects(dir: string, options: CrdObjectsOptions, errors?: ScanError[]): ScannedObject[] {
  const objects: ScannedObject[] = [];
  let gates: CrdGate[] = [];
  const judge = (text: string, file: string, origin: string, linesAreSource: boolean, where: string) => {
    const fail = (message: string, line?: number) => errors?.push({ kind: 'render', file, chart: options.chartPath, message, ...(line !== undefined ? { line } : {}) });
    const parsed = parseCrdFile(text);
    for (const problem of parsed.problems) fail(`${where} is not valid YAML (helm install fails on it): ${problem.message}`, linesAreSource ? problem.line : undefined);
    const result = objectsFromDocuments(parsed.documents, {
      source: { kind: 'helm', file, chart: options.chartPath, valueSet: options.valueSet, origin },
      ...(options.defaultNamespace !== undefined ? { defaultNamespace: options.defaultNamespace } : {}),
      linesAreSource,
      strict: true,
    });
    for (const problem of result.problems) fail(problem.message, linesAreSource ? problem.line : undefined);
    for (const object of result.objects) {
      // Written as is, no template or values decide it: nothing for provenance to locate.
      object.source.located = 'object';
      object.source.unproven = "the object is in the chart's crds/ folder, created as written (not templated)";
      if (gates.length > 0) GATES.set(object, gates);
      objects.push(object);
    }
  };
  const files = directoryFiles(dir, options.relative);
  if (typeof files === 'string') {
    errors?.push({ kind: 'render', file: options.chartPath, chart: options.chartPath, message: files });
    return objects;
  }
  for (const { file: crd, gates: own } of crdFilesOf(files, 0)) {
    gates = own;
    if (crd.full === undefined) {
      const archiveFile = crd.label.slice(0, crd.label.indexOf('.tgz/') + 4);
      const entry = crd.label.slice(archiveFile.length + 1);
      judge(crd.read().toString('utf8'), archiveFile, `crds/ file ${entry} inside the archive (created by helm install; helm template leaves it out)`, false, `crds/ file ${entry} in the archive`);
      continue;
    }
    const full = crd.full;
    const file = crd.label;
    const fail = (message: string, line?: number) => errors?.push({ kind: 'render', file, chart: options.chartPath, message, ...(line !== undefined ? { line } : {}) });
    if (lstatSync(full).isSymbolicLink() && !inside(options.repoRoot, full)) {
      fail('crds/ file is a link to outside the repository; not read (helm install would create its objects)');
      continue;
    }
    if (statSync(full).size > YAML_LIMITS.maxBytes) {
      fail(`crds/ file is larger than ${YAML_LIMITS.maxBytes / 1024 / 1024} MiB; not parsed (helm install would create its objects)`);
      continue;
    }
    judge(readFileSync(full, 'utf8'), file, ORIGIN, true, 'crds/ file');
  }
  return objects;
}
