// A chart's metadata as helm's loader builds it (pkg/chart/loader LoadFiles, v3.17 and v4's chart v2
// loader): every file named Chart.yaml is unmarshalled into one Metadata, in the order the files come,
// then every requirements.yaml into the same Metadata, whatever the apiVersion. requirements.yaml can so
// change any field (type, name, dependencies and their condition or tags), not only add dependencies:
// reading Chart.yaml alone, a scan would skip as a library a chart helm installs, or judge a subchart
// disabled that helm enables. apiVersion v3 charts too: helm 3.17 loads, merges and renders them (helm 4's
// chart v3 loader reads no requirements.yaml, but helm 4 refuses to render them, an error either way).
//
// sigs.k8s.io/yaml unmarshals through encoding/json: the keys of a mapping are taken in sorted order and
// matched to fields exactly or case-insensitively (so `Type:` sets the type), a later key wins, null
// leaves a string as it was and empties a list, scalars become strings where the field is one, and a
// list of dependencies is decoded into the entries already there (a requirements.yaml entry without a
// condition keeps the condition of Chart.yaml's entry at its position).

/** A dependency as helm's loader keeps it (the fields preadmit reads). */
export interface ChartDependency {
  name: string;
  version: string;
  repository: string;
  condition: string;
  alias: string;
  tags: string[];
}

export interface ChartMetadata {
  apiVersion: string;
  name: string;
  version: string;
  type: string;
  /** null where a file emptied the list; an entry is null where a file wrote `- null` (helm then refuses the chart). */
  dependencies: (ChartDependency | null)[] | null;
}

/** A chart-level description file: `Chart.yaml` or `requirements.yaml`, its label for messages, and its value. */
export interface DescriptionFile {
  name: 'Chart.yaml' | 'requirements.yaml';
  label: string;
  value: unknown;
}

// Every json tag of helm's chart.Metadata and chart.Dependency: a key matching one preadmit does not read
// must still not be taken for one it reads.
const METADATA_FIELDS = ['name', 'home', 'sources', 'version', 'description', 'keywords', 'maintainers', 'icon', 'apiVersion', 'condition', 'tags', 'appVersion', 'deprecated', 'annotations', 'kubeVersion', 'dependencies', 'type'];
const DEPENDENCY_FIELDS = ['name', 'version', 'repository', 'condition', 'tags', 'enabled', 'import-values', 'alias'];

/** Go's bytes.EqualFold key for a name: Unicode simple folding, which for these ASCII names adds ſ (s) and K (k). */
function foldName(name: string): string {
  return name.replace(/\u017f/g, 's').replace(/\u212a/g, 'k').replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** The field encoding/json decodes `key` into: an exact match first, else a case-insensitive one. */
function fieldOf(key: string, fields: readonly string[]): string | undefined {
  if (fields.includes(key)) return key;
  const folded = foldName(key);
  return fields.find((field) => foldName(field) === folded);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The keys of a mapping as sigs.k8s.io/yaml hands them to encoding/json: sorted by their UTF-8 bytes. */
function sortedKeys(mapping: Record<string, unknown>): string[] {
  return Object.keys(mapping).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

class LoadError extends Error {}

/** A string field's new value: a scalar as its text, null leaves it; a mapping or list fails the load. */
function stringField(value: unknown, old: string, where: string): string {
  if (value === null || value === undefined) return old;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  throw new LoadError(`${where} is ${Array.isArray(value) ? 'a list' : 'a mapping'} where helm reads a string`);
}

function stringList(value: unknown, old: string[], where: string): string[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new LoadError(`${where} is not a list`);
  return value.map((item, i) => (item === null ? (old[i] ?? '') : stringField(item, '', `${where}[${i}]`)));
}

function emptyDependency(): ChartDependency {
  return { name: '', version: '', repository: '', condition: '', alias: '', tags: [] };
}

function decodeDependency(value: unknown, into: ChartDependency, where: string): void {
  if (!isMapping(value)) throw new LoadError(`${where} is not a mapping`);
  for (const key of sortedKeys(value)) {
    const field = fieldOf(key, DEPENDENCY_FIELDS);
    const item = value[key];
    const at = `${where}.${key}`;
    if (field === 'tags') into.tags = stringList(item, into.tags, at);
    else if (field === 'name' || field === 'version' || field === 'repository' || field === 'condition' || field === 'alias') into[field] = stringField(item, into[field], at);
  }
}

/** encoding/json decoding a list into a slice of pointers: entries already there are decoded into, null empties. */
function decodeDependencies(value: unknown, old: (ChartDependency | null)[] | null, where: string): (ChartDependency | null)[] | null {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value)) throw new LoadError(`${where} is not a list`);
  return value.map((item, i) => {
    if (item === null) return null;
    const into = old?.[i] ?? emptyDependency();
    decodeDependency(item, into, `${where}[${i}]`);
    return into;
  });
}

function decodeMetadata(value: unknown, into: ChartMetadata, label: string): void {
  if (value === null || value === undefined) return; // an empty file: nothing decoded
  if (!isMapping(value)) throw new LoadError(`${label} is not a mapping`);
  for (const key of sortedKeys(value)) {
    const field = fieldOf(key, METADATA_FIELDS);
    const item = value[key];
    const at = `${label}: ${key}`;
    if (field === 'dependencies') into.dependencies = decodeDependencies(item, into.dependencies, at);
    else if (field === 'apiVersion' || field === 'name' || field === 'version' || field === 'type') into[field] = stringField(item, into[field], at);
  }
}

/**
 * The metadata helm's loader builds from a chart level's description files, given in the order the loader
 * meets them (a directory has one of each; an archive may hold several entries of the same name); a string
 * says why helm cannot load it (a value of the wrong kind, no Chart.yaml).
 */
export function chartMetadata(files: readonly DescriptionFile[]): ChartMetadata | string {
  const charts = files.filter((f) => f.name === 'Chart.yaml');
  if (charts.length === 0) return 'Chart.yaml is missing';
  const metadata: ChartMetadata = { apiVersion: '', name: '', version: '', type: '', dependencies: null };
  try {
    for (const file of charts) {
      decodeMetadata(file.value, metadata, file.label);
      // helm 2 charts had no apiVersion: the loader takes them for v1.
      if (metadata.apiVersion === '') metadata.apiVersion = 'v1';
    }
    for (const file of files) if (file.name === 'requirements.yaml') decodeMetadata(file.value, metadata, file.label);
  } catch (error) {
    if (error instanceof LoadError) return `helm cannot load the chart: ${error.message}`;
    throw error;
  }
  metadata.name = sanitized(metadata.name);
  for (const dependency of metadata.dependencies ?? []) {
    if (dependency === null) continue;
    dependency.name = sanitized(dependency.name);
    dependency.condition = sanitized(dependency.condition);
    dependency.tags = dependency.tags.map(sanitized);
  }
  return metadata;
}

/** helm's sanitizeString (Metadata.Validate): white space becomes a space, what is not printable goes. */
function sanitized(text: string): string {
  return text.replace(/[\t\n\v\f\r\u0085\u00a0\u2028\u2029\p{Zs}]/gu, ' ').replace(/[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/gu, '');
}

/** The dependencies helm keeps (null entries, which make helm refuse the chart, left out). */
export function dependenciesOf(metadata: ChartMetadata): ChartDependency[] {
  return (metadata.dependencies ?? []).filter((d): d is ChartDependency => d !== null);
}
