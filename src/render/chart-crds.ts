// The objects of a chart's crds/ folder. `helm install` (and upgrade, on first install) creates every
// object in every crds/ file of the chart and of its subcharts before the templates, whatever its kind
// (helm's Chart.CRDObjects: files under crds/ ending in .yaml, .yml or .json, case-insensitive, not
// templated; they go through the same kube client as the templates). `helm template` leaves them out
// unless --include-crds, so they are read here from the chart's files and judged with the render.
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ScanError, ScannedObject } from '../model/model.ts';
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

/** A chart level's declared dependencies (Chart.yaml, or requirements.yaml of an apiVersion v1 chart). */
function dependenciesOf(files: readonly ChartFile[]): { name: string; alias?: string; condition?: string; tags: string[] }[] {
  const read = (name: string): Record<string, unknown> | undefined => {
    const file = files.find((f) => f.name === name);
    if (file === undefined) return undefined;
    try {
      const value = parseChartYaml(file.read().toString('utf8'));
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined; // helm's render reports it
    }
  };
  const chart = read('Chart.yaml');
  const deps = [...(Array.isArray(chart?.dependencies) ? chart.dependencies : []), ...(chart?.apiVersion === 'v1' ? ((read('requirements.yaml')?.dependencies as unknown[]) ?? []) : [])];
  return deps
    .filter((d): d is Record<string, unknown> => d !== null && typeof d === 'object' && typeof (d as Record<string, unknown>).name === 'string')
    .map((d) => ({
      name: d.name as string,
      ...(typeof d.alias === 'string' && d.alias !== '' ? { alias: d.alias } : {}),
      ...(typeof d.condition === 'string' ? { condition: d.condition } : {}),
      tags: Array.isArray(d.tags) ? d.tags.filter((t): t is string => typeof t === 'string') : [],
    }));
}

/** The `name:` of a chart's Chart.yaml among its files. */
function chartNameOf(files: readonly ChartFile[]): string | undefined {
  const file = files.find((f) => f.name === 'Chart.yaml');
  try {
    const value = file && parseChartYaml(file.read().toString('utf8'));
    const name = value !== null && typeof value === 'object' ? (value as Record<string, unknown>).name : undefined;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
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
  const dependencies = dependenciesOf(files);
  const under = (inner: ChartFile[]) => {
    const name = chartNameOf(inner);
    const declared = dependencies.filter((d) => d.name === name);
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

/**
 * A chart directory's files as helm's LoadDir lists them: every regular file (links followed) whose path the
 * chart's own `.helmignore` does not ignore (helm reads only the top chart's; subchart directories are part
 * of its walk). Only names: contents are read for the crds/ files and archives.
 */
function directoryFiles(dir: string, relative: (file: string) => string): ChartFile[] {
  const rules = helmIgnoreRules(dir);
  const files: ChartFile[] = [];
  let budget = 100_000;
  const walk = (full: string, name: string, depth: number) => {
    let entries: string[];
    try {
      entries = readdirSync(full).sort();
    } catch {
      return;
    }
    for (const entry of entries) {
      if (--budget < 0) return;
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
        if (depth < 20 && entry !== '.git' && entry !== 'node_modules') walk(path_, n, depth + 1);
      } else if (stat.isFile()) files.push({ name: n, label: relative(path_), full: path_, read: () => readFileSync(path_) });
    }
  };
  walk(dir, '', 0);
  return files;
}

// .helmignore as helm's pkg/ignore reads it: one pattern a line (blank lines and `#` comments skipped),
// `!` negates, a trailing `/` matches directories only, a leading `/` or any `/` matches the whole path,
// else the base name; Go's filepath.Match syntax. The default `templates/.?*` is always added.
interface IgnoreRule {
  negate: boolean;
  mustDir: boolean;
  whole: boolean;
  pattern: RegExp;
}

/** Go's filepath.Match pattern as a regular expression (undefined when Go would refuse it). */
function goPattern(glob: string): RegExp | undefined {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\') {
      if (i + 1 >= glob.length) return undefined;
      out += escapeRegExp(glob[++i]!);
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) return undefined;
      let body = glob.slice(i + 1, end);
      const negated = body.startsWith('^');
      if (negated) body = body.slice(1);
      out += `[${negated ? '^/' : ''}${body.replace(/[\]\[]/g, '\\$&')}]`;
      i = end;
    } else out += escapeRegExp(c);
  }
  try {
    return new RegExp(`^${out}$`, 's');
  } catch {
    return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function helmIgnoreRules(dir: string): IgnoreRule[] {
  let text = '';
  try {
    text = readFileSync(path.join(dir, '.helmignore'), 'utf8');
  } catch {
    // none
  }
  const rules: IgnoreRule[] = [];
  for (let line of [...text.split(/\r?\n/), 'templates/.?*']) {
    line = line.trim();
    if (line === '' || line.startsWith('#') || line.includes('**')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1);
    const mustDir = line.endsWith('/');
    if (mustDir) line = line.slice(0, -1);
    const whole = line.includes('/');
    if (line.startsWith('/')) line = line.slice(1);
    const pattern = goPattern(line);
    if (pattern !== undefined) rules.push({ negate, mustDir, whole, pattern });
  }
  return rules;
}

/** helm's Rules.Ignore, including its reading of `!`: a negated rule ignores every path it does not match. */
function ignored(rules: readonly IgnoreRule[], name: string, isDir: boolean): boolean {
  for (const rule of rules) {
    const subject = rule.whole ? name : name.slice(name.lastIndexOf('/') + 1);
    if (rule.negate) {
      if (rule.mustDir && !isDir) return true;
      if (!rule.pattern.test(subject)) return true;
      continue;
    }
    if (rule.mustDir && !isDir) continue;
    if (rule.pattern.test(subject)) return true;
  }
  return false;
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
  for (const { file: crd, gates: own } of crdFilesOf(directoryFiles(dir, options.relative), 0)) {
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
