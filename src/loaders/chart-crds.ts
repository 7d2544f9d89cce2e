// The objects of a chart's crds/ folder. `helm install` (and upgrade, on first install) creates every
// object in every crds/ file of the chart and of its subcharts before the templates, whatever its kind
// (helm's Chart.CRDObjects: files under crds/ ending in .yaml, .yml or .json, case-insensitive, not
// templated; they go through the same kube client as the templates). `helm template` leaves them out
// unless --include-crds, so they are read here from the chart's files and judged with the render.
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ScanError, ScannedObject } from '../core/model.ts';
import { tarEntries } from './helm.ts';
import { objectsFromDocuments } from './objects.ts';
import { parseRenderedDocument } from './rendered-yaml.ts';
import { YAML_LIMITS, type ParsedYaml, type YamlDocument } from './yaml-docs.ts';

const MANIFEST_EXTENSION = /\.(ya?ml|json)$/i;

/** What a packaged subchart (and the archives inside it) may expand to before it is not read. */
const MAX_ARCHIVE_BYTES = 64 * 1024 * 1024;
/** A crds/ file inside a chart archive: `<chart>/crds/...` or `<chart>/charts/<sub>/crds/...`. */
const ARCHIVED_CRD = /^[^/]+(?:\/charts\/[^/]+)*\/crds\/.+\.(?:ya?ml|json)$/i;
/** A packaged subchart inside a chart archive. */
const ARCHIVED_SUBCHART = /^[^/]+(?:\/charts\/[^/]+)*\/charts\/[^/]+\.tgz$/;

/** The crds/ files of a chart archive and of the archives and directories inside it, as (name, text). */
function archivedCrdFiles(archive: Buffer, depth = 0): { name: string; text: string }[] {
  const files: { name: string; text: string }[] = [];
  const tar = gunzipSync(archive, { maxOutputLength: MAX_ARCHIVE_BYTES });
  for (const entry of tarEntries(tar)) {
    if (ARCHIVED_CRD.test(entry.name)) files.push({ name: entry.name, text: entry.content.toString('utf8') });
    else if (ARCHIVED_SUBCHART.test(entry.name) && depth < 5) {
      for (const inner of archivedCrdFiles(entry.content, depth + 1)) files.push({ name: `${entry.name}/${inner.name}`, text: inner.text });
    }
  }
  return files;
}

/** Packaged subcharts (charts/*.tgz) of a chart directory. */
function chartArchives(dir: string): string[] {
  try {
    return readdirSync(path.join(dir, 'charts'))
      .filter((entry) => entry.endsWith('.tgz'))
      .sort()
      .map((entry) => path.join(dir, 'charts', entry));
  } catch {
    return [];
  }
}

/** Directory subcharts under charts/, recursively (packaged ones: chartArchives). */
function chartDirs(dir: string, depth = 0): string[] {
  const dirs = [dir];
  if (depth > 10) return dirs;
  let entries: string[];
  try {
    entries = readdirSync(path.join(dir, 'charts')).sort();
  } catch {
    return dirs;
  }
  for (const entry of entries) {
    const sub = path.join(dir, 'charts', entry);
    try {
      if (statSync(sub).isDirectory() && statSync(path.join(sub, 'Chart.yaml')).isFile()) dirs.push(...chartDirs(sub, depth + 1));
    } catch {
      // not a chart directory
    }
  }
  return dirs;
}

/** Files under `crds/` (any depth) with a manifest extension, in name order. */
function crdFiles(chartDir: string): string[] {
  const files: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry);
      let stat;
      try {
        stat = statSync(full);
      } catch {
        continue;
      }
      if (stat.isDirectory() && depth < 10) walk(full, depth + 1);
      else if (stat.isFile() && MANIFEST_EXTENSION.test(entry)) files.push(full);
    }
  };
  walk(path.join(chartDir, 'crds'), 0);
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
      objects.push(object);
    }
  };
  for (const chartDir of chartDirs(dir)) {
    for (const archive of chartArchives(chartDir)) {
      const file = options.relative(archive);
      let files: { name: string; text: string }[];
      try {
        if (statSync(archive).size > MAX_ARCHIVE_BYTES) throw new RangeError('too large');
        files = archivedCrdFiles(readFileSync(archive));
      } catch {
        continue; // not a readable chart archive (or too large): helm's render reports it
      }
      for (const entry of files) {
        judge(entry.text, file, `crds/ file ${entry.name} inside the archive (created by helm install; helm template leaves it out)`, false, `crds/ file ${entry.name} in the archive`);
      }
    }
  }
  for (const chartDir of chartDirs(dir)) {
    for (const full of crdFiles(chartDir)) {
      const file = options.relative(full);
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
  }
  return objects;
}
