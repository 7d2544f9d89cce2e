// Renders charts with the real helm binary. Only `helm template` (and `helm version`) is ever run, with
// arguments as an array (no shell), flags in `--flag=value` form and the release and chart after `--`, so
// no value can become a flag (no --post-renderer, no --enable-dns, no plugin). helm runs with a minimal
// environment: HELM_* homes in a private directory (no repository-local or inherited plugins, repositories
// or registry credentials), no inherited variables (a chart that reads /proc/self/environ finds nothing of
// the runner's), and proxies that lead nowhere (a values.schema.json `$ref` cannot reach the network).
// Before helm runs, the chart is checked for what would make helm read outside the repository: symlinks
// leading out of it and schema references to other files or URLs.
import { goStringValue, replaceActions, STRING_LITERAL, templateActions, withBlockActions, withNumericEscapes } from './actions.ts';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, type Dirent } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import { isObj } from '../k8s/values.ts';
import { loadYamlDocuments, safeParserMessage } from '../loaders/yaml-docs.ts';
import { isInside, safeRealpath } from '../model/paths.ts';
import { currentRenderBudget, MiB } from '../config/render-budget.ts';
import { omittedTemplates, templateIndex, valuesTextCalls, type TemplateIndex, type TextCalls } from './template-subset.ts';
import { binaryHash, currentRenderCache, directoryHash, fileHash, fileStamp, renderKey, type RenderCache } from './render-cache.ts';
import { chartMetadata, dependenciesOf, type ChartMetadata, type DescriptionFile } from './chart-metadata.ts';
import { helmIgnoreRules, ignored } from './helm-ignore.ts';

export class HelmNotFoundError extends Error {}

export interface HelmBinary {
  path: string;
  version: string;
  major: number;
}

/** Private HELM_* homes for every helm process of this run. */
let privateHome: string | undefined;

/** Variables passed through to helm besides its own: what a process needs to start, nothing else. */
const PASSED_THROUGH = ['PATH', 'LANG', 'LC_ALL', 'TZ', 'SystemRoot', 'SYSTEMROOT', 'windir', 'ComSpec', 'PATHEXT', 'TEMP', 'TMP'];

/**
 * Go runtime settings for helm. `helm template` is a short batch run that allocates much and exits, so its
 * garbage collector only runs when the heap nears a memory limit (GOGC=off with GOMEMLIMIT, the setting
 * Go's GC guide gives for a known memory budget): about a quarter less CPU per render on the chart corpus
 * (`npm run bench` prints both), no render there exceeds 180 MB, and a chart needing more than 512 MiB is
 * collected as usual near the limit. The same variables in preadmit's own environment are passed on instead.
 */
export const GO_RUNTIME_DEFAULTS: Readonly<Record<string, string>> = { GOGC: 'off', GOMEMLIMIT: '512MiB' };
const GO_RUNTIME_PASSED_THROUGH = ['GOGC', 'GOMEMLIMIT', 'GOMAXPROCS'];

/** A proxy address nothing listens on: helm template needs no network, so nothing it fetches gets through. */
const NO_NETWORK = 'http://127.0.0.1:9';

/**
 * The complete environment of every helm process (nothing else is inherited): private homes, no plugins,
 * no kubeconfig, no network through HTTP(S).
 */
export function helmEnvironment(): Record<string, string> {
  if (privateHome === undefined) {
    privateHome = mkdtempSync(path.join(os.tmpdir(), 'preadmit-helm-home-'));
    process.once('exit', () => rmSync(privateHome!, { recursive: true, force: true }));
  }
  const env: Record<string, string> = {};
  const goRuntime: Record<string, string> = { ...GO_RUNTIME_DEFAULTS };
  for (const name of GO_RUNTIME_PASSED_THROUGH) {
    const value = process.env[name];
    if (value !== undefined && value !== '') goRuntime[name] = value;
  }
  for (const name of PASSED_THROUGH) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return {
    ...env,
    ...goRuntime,
    HOME: privateHome,
    USERPROFILE: privateHome,
    XDG_CACHE_HOME: path.join(privateHome, 'cache'),
    XDG_CONFIG_HOME: path.join(privateHome, 'config'),
    XDG_DATA_HOME: path.join(privateHome, 'data'),
    HELM_CACHE_HOME: path.join(privateHome, 'cache'),
    HELM_CONFIG_HOME: path.join(privateHome, 'config'),
    HELM_DATA_HOME: path.join(privateHome, 'data'),
    HELM_PLUGINS: path.join(privateHome, 'plugins'),
    HELM_REGISTRY_CONFIG: path.join(privateHome, 'registry.json'),
    HELM_REPOSITORY_CONFIG: path.join(privateHome, 'repositories.yaml'),
    HELM_REPOSITORY_CACHE: path.join(privateHome, 'repository'),
    HELM_NO_PLUGINS: '1',
    HELM_DEBUG: 'false',
    KUBECONFIG: path.join(privateHome, 'kubeconfig'),
    HTTP_PROXY: NO_NETWORK,
    HTTPS_PROXY: NO_NETWORK,
    ALL_PROXY: NO_NETWORK,
    http_proxy: NO_NETWORK,
    https_proxy: NO_NETWORK,
    NO_PROXY: '',
    no_proxy: '',
  };
}

/**
 * A bare command name looked up on PATH, skipping relative entries (`.`, an empty entry): run from the
 * workspace or a chart directory, those would let a file in the pull request stand in for helm.
 */
export function resolveOnPath(command: string, pathVariable = process.env.PATH ?? ''): string | undefined {
  const extensions = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of pathVariable.split(path.delimiter)) {
    if (dir === '' || !path.isAbsolute(dir)) continue;
    for (const extension of extensions) {
      const candidate = path.join(dir, command + extension);
      try {
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/**
 * The helm a scan will run: the given path made absolute (renders run with the chart directory as cwd),
 * else `helm` found on PATH; a bare name when it is not there (locateHelm then says so).
 */
export function helmCandidate(explicit?: string): string {
  const name = explicit ?? 'helm';
  return name.includes('/') || name.includes(path.sep) ? path.resolve(name) : (resolveOnPath(name) ?? name);
}

/** Helm binaries already asked for their version, by path, with the file's stamp when asked (fileStamp). */
const CHECKED_BINARIES = new Map<string, { stamp: string; binary: HelmBinary }>();

/** Finds helm (the given path, else `helm` on PATH) and asks its version (once per binary and process). */
export async function locateHelm(explicit?: string): Promise<HelmBinary> {
  const name = explicit ?? 'helm';
  const candidate = helmCandidate(explicit);
  // One process scans twice with --base (the base, then the head): the same binary is asked once.
  const stamp = path.isAbsolute(candidate) ? fileStamp(candidate) : undefined;
  const known = CHECKED_BINARIES.get(candidate);
  if (known !== undefined && stamp !== undefined && known.stamp === stamp) return known.binary;
  try {
    if (!path.isAbsolute(candidate)) throw new Error(`${name} is not on PATH (relative PATH entries are not searched)`);
    const { stdout } = await execa(candidate, ['version', '--template={{.Version}}'], {
      env: helmEnvironment(),
      extendEnv: false,
      timeout: 30_000,
      killSignal: 'SIGKILL',
      maxBuffer: 1024 * 1024,
    });
    const version = stdout.trim();
    const major = Number(/^v?(\d+)/.exec(version)?.[1] ?? NaN);
    if (!(major >= 3)) throw new HelmNotFoundError(`${candidate} reports version "${version.slice(0, 40)}"; preadmit needs helm 3.8 or newer`);
    const binary = { path: candidate, version, major };
    if (stamp !== undefined) CHECKED_BINARIES.set(candidate, { stamp, binary });
    return binary;
  } catch (error) {
    if (error instanceof HelmNotFoundError) throw error;
    const how = explicit ? `the helm given with --helm (${explicit}) could not be run` : 'no helm found on PATH';
    throw new HelmNotFoundError(
      `${how}: ${(error as Error & { shortMessage?: string }).shortMessage ?? (error as Error).message}. ` +
        'Install helm 3.8+ (https://helm.sh/docs/intro/install/) or pass its path with --helm.',
    );
  }
}

export interface ChartInfo {
  /** Absolute chart directory. */
  dir: string;
  name: string;
  version: string;
  type: 'application' | 'library';
  dependencies: { name: string; alias?: string; version?: string }[];
}

/** The most preadmit reads of a chart's own description files (Chart.yaml, requirements.yaml). */
const MAX_CHART_FILE_BYTES = 1024 * 1024;

/**
 * The directory a chart's files may lead to through symlinks: the git work tree holding the chart (its
 * repository), else the chart directory itself. Real paths.
 */
export function chartRoot(dir: string): string {
  const real = safeRealpath(dir) ?? path.resolve(dir);
  for (let at = real; ; at = path.dirname(at)) {
    if (existsSync(path.join(at, '.git'))) return at;
    if (path.dirname(at) === at) return real;
  }
}

/** A small file of the chart, read only when it stays inside `root`; a string says why not. */
function readChartFile(file: string, root: string): { text: string } | string {
  const name = path.basename(file);
  const real = safeRealpath(file);
  if (real === undefined) return `${name} cannot be read (a symlink to nothing?)`;
  if (!isInside(root, real)) return `${name} is a symlink leading outside the repository; not read`;
  let size: number;
  try {
    size = statSync(real).size;
  } catch (error) {
    return `${name} cannot be read: ${(error as Error).message}`;
  }
  if (size > MAX_CHART_FILE_BYTES) return `${name} is larger than ${MAX_CHART_FILE_BYTES / 1024 / 1024} MiB; not read`;
  try {
    return { text: readFileSync(real, 'utf8') };
  } catch (error) {
    return `${name} cannot be read: ${(error as Error).message}`;
  }
}

/**
 * Chart.yaml and requirements.yaml through the same fast loader as every other YAML (one parser to warm
 * up per run); throws with a message that never quotes the source.
 */
export function parseChartYaml(text: string): unknown {
  const parsed = loadYamlDocuments(text);
  const problem = parsed.problems[0];
  if (problem !== undefined) throw new Error(problem.line ? `line ${problem.line}: ${problem.message}` : problem.message);
  return parsed.documents[0]?.value ?? null;
}

/**
 * A chart directory's metadata as helm's loader builds it: Chart.yaml, then requirements.yaml merged into it
 * whatever the apiVersion (chart-metadata.ts), unless the chart's .helmignore leaves it out; a string when it
 * is not a usable chart description.
 */
export function readChartMetadata(dir: string, root = chartRoot(dir)): ChartMetadata | string {
  let parsed: unknown;
  const chartYaml = readChartFile(path.join(dir, 'Chart.yaml'), root);
  if (typeof chartYaml === 'string') return chartYaml;
  try {
    parsed = parseChartYaml(chartYaml.text);
  } catch (error) {
    return `Chart.yaml could not be parsed: ${(error as Error).message}`;
  }
  if (!isObj(parsed)) return 'Chart.yaml is not a mapping';
  const files: DescriptionFile[] = [{ name: 'Chart.yaml', label: 'Chart.yaml', value: parsed }];
  const requirements = path.join(dir, 'requirements.yaml');
  if (existsSync(requirements) && !ignored(helmIgnoreRules(dir), 'requirements.yaml', false)) {
    const read = readChartFile(requirements, root);
    if (typeof read === 'string') return read;
    try {
      files.push({ name: 'requirements.yaml', label: 'requirements.yaml', value: parseChartYaml(read.text) });
    } catch (error) {
      // helm refuses the chart: it is not judged as a library (or without the dependencies) on Chart.yaml's word.
      return `requirements.yaml could not be parsed (helm merges it into Chart.yaml): ${(error as Error).message}`;
    }
  }
  const metadata = chartMetadata(files);
  if (typeof metadata !== 'string' && metadata.name === '') return 'Chart.yaml has no name';
  return metadata;
}

/** The chart at `dir` as helm's loader describes it (readChartMetadata); a string when it is not a usable chart description. */
export function readChartInfo(dir: string, root = chartRoot(dir)): ChartInfo | string {
  const metadata = readChartMetadata(dir, root);
  if (typeof metadata === 'string') return metadata;
  return {
    dir,
    name: metadata.name,
    version: metadata.version,
    type: metadata.type === 'library' ? 'library' : 'application',
    dependencies: dependenciesOf(metadata)
      .filter((d) => d.name !== '')
      .map((d) => ({ name: d.name, ...(d.alias !== '' ? { alias: d.alias } : {}), ...(d.version !== '' ? { version: d.version } : {}) })),
  };
}

/** Names of the charts vendored in `charts/` (directories by their Chart.yaml name, archives by file name). */
export function vendoredCharts(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const chartsDir = path.join(dir, 'charts');
  let entries: string[];
  try {
    entries = readdirSync(chartsDir);
  } catch {
    return found; // no charts/ (or not a directory): nothing vendored
  }
  for (const entry of entries) {
    const full = path.join(chartsDir, entry);
    if (entry.endsWith('.tgz')) {
      found.set(entry.replace(/-v?\d+\.\d+\.\d+[^/]*\.tgz$/, '').replace(/\.tgz$/, ''), full);
    } else if (isDirectory(full) && existsSync(path.join(full, 'Chart.yaml'))) {
      const info = readChartInfo(full);
      found.set(typeof info === 'string' ? entry : info.name, full);
    }
  }
  return found;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}



/** Declared dependencies with nothing in charts/ to satisfy them (we never download them). */
export function missingDependencies(chart: ChartInfo): string[] {
  if (chart.dependencies.length === 0) return [];
  const vendored = vendoredCharts(chart.dir);
  return chart.dependencies.filter((dep) => !vendored.has(dep.name)).map((dep) => dep.name);
}

export interface RenderRequest {
  helm: HelmBinary;
  chartDir: string;
  releaseName: string;
  namespace: string;
  valuesFiles: string[];
  set: string[];
  kubeVersion?: string;
  /** `--api-versions`: what `.Capabilities.APIVersions.Has` answers true for besides helm's defaults (kube-api-versions.ts). */
  apiVersions?: readonly string[];
  /** `--is-upgrade`: `.Release.IsUpgrade` true and `.Release.IsInstall` false, as `helm upgrade` renders. */
  isUpgrade?: boolean;
  /**
   * Render the chart's templates with the answers a cluster can give and `helm template` cannot: `lookup`
   * finding an object, a later `.Release.Revision`, a later clock (clusterAnswers in a temporary copy).
   */
  clusterAnswers?: boolean;
  /** With clusterAnswers: the version as a managed cluster reports it, with this suffix (absent: as helm template gives it). */
  versionSuffix?: string;
  /**
   * Render with every `fail` call made harmless (it prints nothing): a guard that stops the render (a value
   * demanded on upgrade, a namespace refused) hides nothing the rest of the chart renders.
   */
  failsIgnored?: boolean;
  timeoutMs: number;
  /** The chart named when the render budget refuses or stops the render, when chartDir is a temporary copy of it. */
  chart?: string;
  /** Where the chart's symlinks may lead (default: chartRoot(chartDir), its git work tree). */
  root?: string;
  /** Most output accepted (default MAX_RENDER_OUTPUT). */
  maxOutputBytes?: number;
  /**
   * chartProblem results already known in this scan, by chart directory and root: a chart rendered with
   * several value sets, and again by provenance, is walked once.
   */
  checkedCharts?: Map<string, string | undefined>;
  /**
   * Files of the chart rendered with other text (chart-relative, `/`-separated): provenance's line proof.
   * The render uses a staged view of the chart (links to its entries, the replaced files written), so the
   * chart is neither modified nor copied.
   */
  replacedFiles?: ReadonlyMap<string, string>;
  /**
   * The only template files (chart-relative, `/`-separated) whose output the caller reads: provenance's
   * confirmation renders. The others are left out of a staged view where template-subset.ts finds that
   * cannot change the output of these; a render that fails so is made again with every file.
   */
  onlyTemplates?: readonly string[];
  /**
   * With onlyTemplates: the names of the values keys this render changes from a render of the chart that
   * succeeded (provenance's sentinels and flips); the files reading them are kept (template-subset.ts).
   */
  changedValueKeys?: readonly string[];
  /** Why this render is made (counted in renderStats; the cache treats every purpose alike). */
  purpose?: RenderPurpose;
}

/** What a render is for: a chart with a value set, a second render (render-variants.ts), or provenance's proof. */
export type RenderPurpose = 'value-set' | 'variant' | 'provenance';

/** Renders of this process by purpose: helm runs made, their summed wall time, and cache hits. */
export interface RenderStats {
  helm: Record<RenderPurpose, number>;
  helmMs: Record<RenderPurpose, number>;
  cached: Record<RenderPurpose, number>;
  /** Value sets that add nothing to the defaults, rendered once with them (charts.ts). */
  sameAsDefaults: number;
  /** helm runs with template files left out (template-subset.ts), and those made again whole. */
  subset: { runs: number; again: number };
}

const zero = (): Record<RenderPurpose, number> => ({ 'value-set': 0, variant: 0, provenance: 0 });
export const renderStats: RenderStats = { helm: zero(), helmMs: zero(), cached: zero(), sameAsDefaults: 0, subset: { runs: 0, again: 0 } };

/** Zeroes renderStats (a benchmark or test measuring one scan). */
export function resetRenderStats(): void {
  Object.assign(renderStats, { helm: zero(), helmMs: zero(), cached: zero(), sameAsDefaults: 0, subset: { runs: 0, again: 0 } });
}

export type RenderOutcome = { ok: true; stdout: string; ms: number } | { ok: false; message: string; ms: number };

/**
 * Most output one render may produce. The largest chart of the shared corpus renders 3.4 MB; a render is
 * held in memory and parsed, so a chart printing gigabytes in a loop is stopped here.
 */
export const MAX_RENDER_OUTPUT = 64 * 1024 * 1024;

/** Arguments of `helm template`: flags as `--flag=value`, release and chart after `--`. */
export function templateArgs(request: RenderRequest): string[] {
  const args = ['template', `--namespace=${request.namespace}`];
  for (const file of request.valuesFiles) args.push(`--values=${file}`);
  for (const pair of request.set) args.push(`--set=${pair}`);
  if (request.kubeVersion) args.push(`--kube-version=${request.kubeVersion}`);
  // One flag for the whole list (helm splits it at commas); entries with a comma or `=` are not API versions.
  const apis = (request.apiVersions ?? []).filter((api) => /^[A-Za-z0-9.\/-]+$/.test(api));
  if (apis.length > 0) args.push(`--api-versions=${apis.join(',')}`);
  if (request.isUpgrade) args.push('--is-upgrade');
  args.push('--', request.releaseName, request.chartDir);
  return args;
}

/** chartProblem of a render's chart, once per chart directory and root in a scan (request.checkedCharts). */
export function checkedChartProblem(request: Pick<RenderRequest, 'chartDir' | 'root' | 'checkedCharts'>): string | undefined {
  const root = request.root ?? chartRoot(request.chartDir);
  const key = `${request.chartDir}\u0000${root}`;
  const known = request.checkedCharts;
  if (known?.has(key)) return known.get(key);
  const problem = chartProblem(request.chartDir, root);
  known?.set(key, problem);
  return problem;
}

export async function renderChart(request: RenderRequest): Promise<RenderOutcome> {
  const outcome = await renderOnce(request);
  // Made again with every file when the subset lacked a template one of its files asked for (included by a
  // path or name the index did not see); any other failure is the chart's own with these values.
  if (!outcome.ok && outcome.subset === true && MISSING_TEMPLATE.test(outcome.message)) {
    renderStats.subset.again++;
    return renderOnce({ ...request, onlyTemplates: undefined });
  }
  return outcome;
}

/** Go's text/template on a template it does not have: `include` (helm's message) and the `template` action. */
const MISSING_TEMPLATE = /\bno template "(?:[^"\\]|\\.)*" associated with|\btemplate "(?:[^"\\]|\\.)*" not defined|\bincomplete or empty template\b/;

/** Staged views of a chart's template subset by scan (the checkedCharts map), chart directory and subset. */
const SUBSET_VIEWS = new WeakMap<Map<string, string | undefined>, Map<string, string>>();

/**
 * Lets go of what subset renders of a chart kept for its next ones (its template index, its staged views):
 * provenance calls it once the chart's last render is located.
 */
export function releaseSubsets(request: Pick<RenderRequest, 'chartDir' | 'checkedCharts'>): void {
  if (request.checkedCharts === undefined) return;
  const dir = chartDirForHelm(request);
  TEMPLATE_INDEXES.get(request.checkedCharts)?.delete(dir);
  const views = SUBSET_VIEWS.get(request.checkedCharts);
  for (const [memo, view] of views ?? []) {
    if (!memo.startsWith(`${dir}\u0000`)) continue;
    rmSync(path.dirname(view), { recursive: true, force: true });
    views!.delete(memo);
  }
}

/** What values files would do handed to tpl, by scan (the checkedCharts map) and file version. */
const VALUES_TEXTS = new WeakMap<Map<string, string | undefined>, Map<string, TextCalls>>();

/** Template indexes by scan (the checkedCharts map) and chart directory. */
const TEMPLATE_INDEXES = new WeakMap<Map<string, string | undefined>, Map<string, TemplateIndex | undefined>>();

/** The files a render of only `request.onlyTemplates` leaves out (none without a scan's checkedCharts). */
function omittedFor(request: RenderRequest, chartDir: string): string[] {
  if (request.onlyTemplates === undefined || request.onlyTemplates.length === 0 || request.checkedCharts === undefined) return [];
  let indexes = TEMPLATE_INDEXES.get(request.checkedCharts);
  if (indexes === undefined) TEMPLATE_INDEXES.set(request.checkedCharts, (indexes = new Map()));
  if (!indexes.has(chartDir)) indexes.set(chartDir, templateIndex(chartDir));
  // What tpl may be handed besides the chart's files: this render's values files (read once per scan and
  // version of the file) and --set values.
  const given: TextCalls[] = request.set.map((pair) => valuesTextCalls(pair.slice(pair.indexOf('=') + 1)));
  let read = VALUES_TEXTS.get(request.checkedCharts);
  if (read === undefined) VALUES_TEXTS.set(request.checkedCharts, (read = new Map()));
  for (const file of request.valuesFiles) {
    const at = path.resolve(request.chartDir, file);
    const stamp = fileStamp(at);
    let calls = stamp === undefined ? undefined : read.get(stamp);
    if (calls === undefined) {
      try {
        calls = valuesTextCalls(readFileSync(at, 'utf8'));
      } catch {
        return []; // helm reports it
      }
      if (stamp !== undefined) read.set(stamp, calls);
    }
    given.push(calls);
  }
  return omittedTemplates(indexes.get(chartDir), request.onlyTemplates, given, request.changedValueKeys ?? []);
}

async function renderOnce(request: RenderRequest): Promise<RenderOutcome & { subset?: boolean }> {
  const started = performance.now();
  const budget = currentRenderBudget();
  const problem = checkedChartProblem(request);
  if (problem !== undefined) return { ok: false, message: `${problem}; not rendered`, ms: performance.now() - started };
  const refused = budget.take(request.chart ?? request.chartDir);
  if (refused !== undefined) return { ok: false, message: refused, ms: 0 };
  const maxBuffer = Math.min(request.maxOutputBytes ?? MAX_RENDER_OUTPUT, budget.maxOutputBytes);
  let chartDir = chartDirForHelm(request);
  // The repository's own chart as helm sees it: its content hash is computed once per scan (cache keys).
  const ownDir = chartDir;
  let editedView: string | undefined;
  const omitted = omittedFor(request, chartDir);
  const replacing = request.replacedFiles !== undefined && request.replacedFiles.size > 0;
  if (replacing || omitted.length > 0) {
    try {
      if (!replacing && request.checkedCharts !== undefined) {
        // A subset without changed lines is the same view for every confirmation render that asks for it
        // (a chart's value sets locate findings of the same templates): made once, until releaseSubsets.
        const views = SUBSET_VIEWS.get(request.checkedCharts) ?? new Map<string, string>();
        SUBSET_VIEWS.set(request.checkedCharts, views);
        const memo = `${chartDir}\u0000${omitted.join('\u0000')}`;
        if (!views.has(memo)) views.set(memo, stagedView(chartDir, new Map(), omitted));
        chartDir = views.get(memo)!;
      } else chartDir = editedView = stagedView(chartDir, request.replacedFiles ?? new Map(), omitted);
    } catch (error) {
      return { ok: false, message: `the chart could not be staged with changed lines: ${(error as Error).message}`, ms: performance.now() - started };
    }
  }
  let answersCopy: string | undefined;
  let sharedCopy: string | undefined;
  if (request.clusterAnswers || request.failsIgnored) {
    try {
      const how = answersHowOf(request);
      if (editedView === undefined && request.checkedCharts !== undefined) {
        // One copy per chart and rewrite in a scan, kept until the process exits: every value set's second
        // render reads the same (issue 18: making and removing it per render took 30-50 s of the corpus's
        // main thread in writes, links and unlinks).
        const copies = ANSWERS_COPIES.get(request.checkedCharts) ?? new Map<string, string>();
        ANSWERS_COPIES.set(request.checkedCharts, copies);
        const memo = `${chartDir}\u0000${how.answers}\u0000${how.failsIgnored}\u0000${how.versionSuffix ?? ''}`;
        if (!copies.has(memo)) copies.set(memo, withClusterAnswers(chartDir, how));
        chartDir = sharedCopy = copies.get(memo)!;
      } else chartDir = answersCopy = withClusterAnswers(chartDir, how);
    } catch (error) {
      if (editedView !== undefined) rmSync(path.dirname(editedView), { recursive: true, force: true });
      return { ok: false, message: `the chart could not be copied for the render with the cluster's answers: ${(error as Error).message}`, ms: performance.now() - started };
    }
  }
  // Values files outside the chart (a value set's, the configuration's) can hold text a template passes to
  // tpl: rewritten like the chart's, into a folder of this render's own (a shared copy serves many renders).
  let valuesFiles = request.valuesFiles;
  let valuesCopies: string | undefined;
  if ((answersCopy !== undefined || sharedCopy !== undefined) && request.valuesFiles.length > 0) {
    valuesCopies = stagingRoot('preadmit-values-');
    valuesFiles = request.valuesFiles.map((file, i) => answeredValuesFile(file, path.join(valuesCopies!, `values-${i}${path.extname(file) || '.yaml'}`), answersHowOf(request)));
  }
  const purpose = request.purpose ?? 'value-set';
  const { file, args, env } = boundedHelm(request.helm.path, templateArgs({ ...request, chartDir, valuesFiles }), budget.memoryLimitBytes);
  const cache = currentRenderCache();
  // The key reads the values files helm is given (the rewritten ones when rewritten).
  const key = cache === undefined ? undefined : cacheKeyOf({ ...request, valuesFiles }, omitted, chartDir, ownDir, answersCopy !== undefined ? 'copy' : sharedCopy !== undefined ? 'shared-copy' : 'own', budget.memoryLimitBytes, env, cache);
  const hit = key === undefined ? undefined : cache!.get(key, maxBuffer);
  const removeStaged = () => {
    // The copy and the view are needed by this render only (the folders made for them; the exit handler is the fallback).
    if (answersCopy !== undefined) rmSync(path.dirname(answersCopy), { recursive: true, force: true });
    if (editedView !== undefined) rmSync(path.dirname(editedView), { recursive: true, force: true });
    if (valuesCopies !== undefined) rmSync(valuesCopies, { recursive: true, force: true });
  };
  /** helm's message with the staged values files named as the user named them. */
  const asGiven = (message: string) => valuesFiles.reduce((m, copy, i) => m.split(copy).join(request.valuesFiles[i]!), message);
  if (hit !== undefined) {
    removeStaged();
    renderStats.cached[purpose]++;
    const ms = performance.now() - started;
    if (hit.ok) return { ok: true, stdout: hit.stdout, ms };
    const stderr = request.valuesFiles.reduce((text, file, i) => text.split(`\u0000values-${i}\u0000`).join(file), hit.stderr.split(CACHED_CHART_DIR).join(chartDir));
    return { ok: false, message: asGiven(refusalMessage(request, chartDir, hit.exitCode, stderr)), ms, subset: omitted.length > 0 };
  }
  renderStats.helm[purpose]++;
  if (omitted.length > 0) renderStats.subset.runs++;
  const subprocess = execa(file, args, {
    env,
    extendEnv: false,
    reject: false,
    timeout: request.timeoutMs,
    // helm ignores SIGTERM while it renders (it only cancels a context the template engine never checks).
    killSignal: 'SIGKILL',
    // The scan's deadline and SIGINT/SIGTERM kill a running render too.
    cancelSignal: budget.signal,
    maxBuffer,
    stripFinalNewline: false,
    cwd: request.chartDir,
    stdin: 'ignore',
  });
  const slow = budget.onSlowRender === undefined ? undefined : setInterval(() => budget.onSlowRender!(request.chart ?? request.chartDir, Math.round((performance.now() - started) / 1000)), budget.slowAfterMs);
  slow?.unref();
  const result = await subprocess.finally(() => {
    clearInterval(slow);
    removeStaged();
  });
  const ms = performance.now() - started;
  renderStats.helmMs[purpose] += ms;
  if (result.isCanceled) {
    budget.noteStopped(request.chart ?? request.chartDir);
    return { ok: false, message: (budget.stoppedBecause() ?? 'not rendered: the scan was stopped').replace(/^not rendered/, 'helm template stopped'), ms };
  }
  if (result.timedOut) return { ok: false, message: `helm template did not finish within ${Math.round(request.timeoutMs / 1000)} s (helm.timeoutSeconds; a template that loops?); stopped`, ms };
  if (result.isMaxBuffer) return { ok: false, message: `helm template produced more than ${formatBytes(maxBuffer)} of output (helm.maxOutputMiB); stopped`, ms };
  if (result.exitCode !== 0 || result.failed) {
    const stderr = String(result.stderr ?? '');
    if (GO_OUT_OF_MEMORY.test(stderr)) return { ok: false, message: `helm template ran out of memory at its limit of ${formatBytes(budget.memoryLimitBytes)} (helm.memoryLimitMiB, --helm-memory-limit); stopped`, ms };
    if (result.exitCode === WRAPPER_FAILED) return { ok: false, message: `helm's memory limit (${formatBytes(budget.memoryLimitBytes)}) could not be set; not rendered`, ms };
    // Only helm's own refusal of the chart (an exit status, no signal) is a function of the inputs: kept.
    const refused = typeof result.exitCode === 'number' && result.exitCode !== 0 && !result.signal;
    // Paths of this render's own staging (the chart directory, rewritten values files) are kept as placeholders.
    const cachedStderr = valuesFiles.reduce((text, copy, i) => (copy === request.valuesFiles[i] ? text : text.split(copy).join(`\u0000values-${i}\u0000`)), stderr.split(chartDir).join(CACHED_CHART_DIR));
    if (key !== undefined && refused) cache!.put(key, { ok: false, exitCode: result.exitCode!, stderr: cachedStderr });
    if (result.signal && !helmErrorMessage(stderr)) return { ok: false, message: `helm template was killed by ${result.signal} (out of memory?)`, ms, subset: omitted.length > 0 };
    return { ok: false, message: asGiven(refusalMessage(request, chartDir, result.exitCode, stderr)), ms, subset: omitted.length > 0 };
  }
  const stdout = String(result.stdout);
  if (key !== undefined) cache!.put(key, { ok: true, stdout });
  return { ok: true, stdout, ms };
}

/** Stands for the directory helm rendered in a cached stderr (a staged copy's path differs per run). */
const CACHED_CHART_DIR = '\u0000chart-dir\u0000';

/** The message of a render helm refused (exit status not 0), from its stderr. */
function refusalMessage(request: RenderRequest, chartDir: string, exitCode: number | undefined, stderr: string): string {
  // A staged mirror's path is an implementation detail: helm's messages name the chart directory.
  const message = helmErrorMessage(stderr, secretsOf(request)).split(chartDir).join(request.chartDir);
  return message || `helm exited with ${exitCode ?? 'an error'}`;
}

/**
 * The render cache's key for a request (render-cache.ts says what goes in), or undefined when an input
 * cannot be read whole (the render is then made and not kept). `stable`: the directory helm renders is
 * the repository's own (not a temporary copy), so its hash is computed once per scan.
 */
function cacheKeyOf(request: RenderRequest, omitted: readonly string[], chartDir: string, ownDir: string, dir: 'own' | 'copy' | 'shared-copy', memoryLimitBytes: number, env: Record<string, string>, cache: RenderCache): string | undefined {
  const helm = binaryHash(request.helm.path);
  if (helm === undefined) return undefined;
  let chart: unknown;
  if (dir === 'copy') {
    // The cluster-answers copy: its rewritten files are hashed as helm reads them.
    chart = directoryHash(chartDir);
  } else if (dir === 'shared-copy') {
    // The same, once per scan (the copy is not changed while the scan runs).
    if (!cache.chartHashes.has(chartDir)) cache.chartHashes.set(chartDir, directoryHash(chartDir));
    chart = cache.chartHashes.get(chartDir);
  } else {
    // The chart's own files (hashed once per scan), and those a line proof replaced, by their new text.
    if (!cache.chartHashes.has(ownDir)) cache.chartHashes.set(ownDir, directoryHash(ownDir));
    const own = cache.chartHashes.get(ownDir);
    const replaced = [...(request.replacedFiles ?? new Map<string, string>())].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([file, text]) => [file, createHash('sha256').update(text).digest('hex')]);
    // Template files a subset render left out are named (sorted): the same subset of the same chart renders alike.
    chart = own === undefined ? undefined : replaced.length === 0 && omitted.length === 0 ? own : { own, replaced, ...(omitted.length > 0 ? { omitted: [...omitted].sort() } : {}) };
  }
  if (chart === undefined) return undefined;
  const values: string[] = [];
  for (const file of request.valuesFiles) {
    const hash = fileHash(path.resolve(request.chartDir, file));
    if (hash === undefined) return undefined;
    values.push(hash);
  }
  // Paths stand for content: the values files by their hashes, the chart directory by its own.
  let valuesIndex = 0;
  const args = templateArgs({ ...request, chartDir: '<chart>', valuesFiles: values.map(() => '') }).map((arg) => (arg.startsWith('--values=') ? `--values=sha256:${values[valuesIndex++]}` : arg));
  const home = privateHome;
  const environment = Object.entries(env)
    .map(([name, value]) => [name, home !== undefined && value.startsWith(home) ? `<home>${value.slice(home.length)}` : value])
    .sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
  return renderKey({ helm, limits: LIMIT_SHELL === undefined ? 'none' : memoryLimitBytes, args, environment, chart });
}

/** What Go's runtime prints when an allocation fails (helm under its memory limit). */
const GO_OUT_OF_MEMORY = /^fatal error: (?:runtime: )?(?:out of memory|cannot allocate memory)|^runtime: out of memory|^fatal error: failed to reserve/m;

/** Exit status of the wrapper when no memory limit could be set (and none tighter is in place). */
const WRAPPER_FAILED = 125;

/**
 * Sets helm's data segment limit (RLIMIT_DATA: the memory it can write to, which Go's heap is; unlike
 * RLIMIT_AS, Go's address space reservations do not count) and becomes helm. A hard limit, unlike
 * GOMEMLIMIT: the kernel refuses the allocation and Go's runtime exits with "out of memory". Memory Go
 * maps over its own reservations passes the data limit until its next allocation is refused (one
 * `repeat` of 500 MB peaked at 1.47 GiB under 1 GiB), so the address space is limited too, with room for
 * the reservations (a render reserves 1.35 GB it never touches; RLIMIT_AS alone fails at random sizes
 * under 1.5 GiB): helm can never hold more than ADDRESS_SPACE_MARGIN above the data limit.
 * Node has no setrlimit, so /bin/sh's `ulimit` does it; the script is constant and every value (the
 * limits, helm's path, its arguments) is an argument ("$0", "$1", "$@"), never shell text. When the data
 * limit cannot be raised to ours because a tighter hard limit is already set, that one applies.
 */
const LIMIT_SCRIPT = `ulimit -d "$0" 2>/dev/null || ulimit -S -d "$0" 2>/dev/null || [ "$(ulimit -H -d)" != unlimited ] || exit ${WRAPPER_FAILED}
ulimit -v "$1" 2>/dev/null || ulimit -S -v "$1" 2>/dev/null || :
shift
exec "$@"`;

/** Address space allowed beyond the data limit, for the Go runtime's reservations. */
export const ADDRESS_SPACE_MARGIN = 2048 * MiB;

/**
 * The shell that sets the limits, on Linux (elsewhere RLIMIT_DATA does not cover mmap, or there is no
 * /bin/sh): there helm runs with only its GOMEMLIMIT.
 */
const LIMIT_SHELL = process.platform === 'linux' && existsSync('/bin/sh') ? '/bin/sh' : undefined;

/** How helm is spawned under a memory limit: file, arguments and environment (GOMEMLIMIT below the limit). */
export function boundedHelm(helmPath: string, args: string[], memoryLimitBytes: number): { file: string; args: string[]; env: Record<string, string> } {
  const env = helmEnvironment();
  // The soft limit stays below the hard one, so Go collects before the kernel refuses (unless the runner's
  // own GOMEMLIMIT was passed on).
  if (process.env.GOMEMLIMIT === undefined || process.env.GOMEMLIMIT === '') {
    const soft = Math.min(512 * MiB, Math.floor((memoryLimitBytes * 3) / 4));
    env.GOMEMLIMIT = `${Math.floor(soft / MiB)}MiB`;
  }
  if (LIMIT_SHELL === undefined || !Number.isFinite(memoryLimitBytes)) return { file: helmPath, args, env };
  const kib = (bytes: number) => String(Math.ceil(bytes / 1024));
  return { file: LIMIT_SHELL, args: ['-c', LIMIT_SCRIPT, kib(memoryLimitBytes), kib(memoryLimitBytes + ADDRESS_SPACE_MARGIN), helmPath, ...args], env };
}

/** Cluster-answers copies by scan (the checkedCharts map) and chart directory and rewrite. */
const ANSWERS_COPIES = new WeakMap<Map<string, string | undefined>, Map<string, string>>();

/** Removes the cluster-answers copies a renderCharts call made (its renders have all ended). */
export function releaseAnswersCopies(checkedCharts: Map<string, string | undefined>): void {
  for (const copy of ANSWERS_COPIES.get(checkedCharts)?.values() ?? []) rmSync(path.dirname(copy), { recursive: true, force: true });
  ANSWERS_COPIES.delete(checkedCharts);
}
/** Staged chart directories by scan (the checkedCharts map) and chart directory; undefined: renders in place. */
const STAGED = new WeakMap<Map<string, string | undefined>, Map<string, string | undefined>>();
/** Staged directories of this process, removed when it exits. */
const stagedRoots: string[] = [];

/**
 * The directory helm renders: the chart itself, or, when the chart holds a `.git` entry (a chart at the
 * root of its repository, a nested clone or submodule), a staged mirror of it without them. helm loads
 * every file of a chart directory into `.Files` (its loader ignores only `templates/.*` and what the
 * chart's own `.helmignore` lists), so `.Files.Get ".git/config"` would give a template the token
 * actions/checkout keeps in `http.<url>.extraheader`. The mirror holds symlinks to the chart's other
 * entries (helm follows them as it does the chart's own; chartProblem has vetted every one), so nothing
 * is copied and the user's tree is not modified.
 */
export function chartDirForHelm(request: Pick<RenderRequest, 'chartDir' | 'checkedCharts'>): string {
  const cache = request.checkedCharts ? (STAGED.get(request.checkedCharts) ?? new Map<string, string | undefined>()) : undefined;
  if (request.checkedCharts && cache && !STAGED.has(request.checkedCharts)) STAGED.set(request.checkedCharts, cache);
  if (cache?.has(request.chartDir)) return cache.get(request.chartDir) ?? request.chartDir;
  const source = safeRealpath(request.chartDir) ?? request.chartDir;
  let staged: string | undefined;
  if (holdsGit(source)) {
    const root = stagingRoot('preadmit-chart-');
    staged = path.join(root, path.basename(source));
    mirrorWithoutGit(source, staged);
  }
  cache?.set(request.chartDir, staged);
  return staged ?? request.chartDir;
}

/** The suffix a managed cluster's API server adds to its version (EKS's form; GKE's is `-gke.N`). */
export const MANAGED_VERSION_SUFFIX = '-eks-4f2a9c1';

/**
 * The start of a field chain up to the field rewritten: `$`, `$ctx`, `.context`, `$.context` (so
 * `$.context.Capabilities.KubeVersion.Version` is replaced whole, never cut inside the chain).
 */
const CHAIN = String.raw`((?<![\w$.)\]])(?:\$\w*|\([^()]*\))?(?:\.[A-Za-z_]\w*)*?)`;
const REVISION_READ = new RegExp(`${CHAIN}\\.Release\\.Revision\\b`, 'g');
const MINOR_READ = new RegExp(`${CHAIN}(\\.Capabilities\\.KubeVersion)\\.Minor\\b`, 'g');
// Functions that read the version object's fields as data (encoders, copies, dict functions), not its version string.
const AS_DATA = String.raw`(?:toJson|toPrettyJson|toRawJson|mustToJson|mustToPrettyJson|mustToRawJson|toYaml|mustToYaml|toToml|deepCopy|mustDeepCopy|merge|mergeOverwrite|mustMerge|mustMergeOverwrite|pick|omit|keys|values|get|hasKey|pluck|dig)`;
const HANDED_KUBE_VERSION = new RegExp(`(\\b(?:include|template)\\s+(?:"[^"]*"|\`[^\`]*\`)\\s+\\(?\\s*|\\b(?:dict|list)\\s[^(){}]{0,200}?|\\b${AS_DATA}\\s+\\(?\\s*)${CHAIN}\\.Capabilities\\.KubeVersion(?![\\w.])`, 'g');
/** A function reading its argument as data (whether the code hands a version-holding variable to one). */
export const READS_AS_DATA = new RegExp(String.raw`\b${AS_DATA}\b`);
/** The version object piped into a function reading it as data (`.Capabilities.KubeVersion | toJson`). */
const PIPED_KUBE_VERSION = new RegExp(`()${CHAIN}\\.Capabilities\\.KubeVersion(?![\\w.])(?=\\s*\\|\\s*${AS_DATA}\\b)`, 'g');
/** A variable holding the version object, read as data: `toJson $kv`, `$kv | toJson`. */
const HANDED_HOLDER = new RegExp(`(\\b${AS_DATA}\\s+\\(?\\s*)(\\$\\w+)(?![\\w.])|(\\$\\w+)(?![\\w.])(?=\\s*\\|\\s*${AS_DATA}\\b)`, 'g');
const VERSION_READ = new RegExp(`${CHAIN}(\\.Capabilities\\.KubeVersion)\\.(?:GitVersion|Version|String)\\b`, 'g');

/** How a chart copy's text is rewritten: the cluster's answers, `fail` made harmless, the version's suffix. */
export interface AnswersHow {
  answers: boolean;
  failsIgnored: boolean;
  /**
   * With answers: the version as a managed cluster reports it (Minor "31+", the version with this suffix);
   * absent: the version is left as helm template gives it.
   */
  versionSuffix?: string;
}

/**
 * What the template text of a chart becomes for the render with cluster answers, inside `{{ }}` actions only:
 * - `lookup A B C D` returns a found object (a dict with metadata, data, spec, items...; its arguments kept
 *   as extra keys, so any argument form stays valid: sprig's dict takes an odd count);
 * - `.Release.Revision` is one more (an upgrade's);
 * - `now` is a year later;
 * - the Kubernetes version is a managed cluster's: `.Minor` with a `+`, the version with a provider suffix
 *   (semver comparisons included: to them an EKS version is a prerelease, as on the cluster).
 */
export function withClusterAnswersText(written: string, how: AnswersHow = { answers: true, failsIgnored: false, versionSuffix: MANAGED_VERSION_SUFFIX }): string {
  let text = written;
  // Variables holding the cluster's version (`$kv := .Capabilities.KubeVersion`): their `.Minor` too.
  const holders = new Set([...text.matchAll(/(\$\w+)\s*:?=\s*\(?\s*\$?\.Capabilities\.KubeVersion\b(?!\.)/g)].map((m) => m[1]!));
  // Variables holding the whole `.Capabilities` read the version as `$c.KubeVersion.Minor`.
  const capabilities = new Set([...text.matchAll(/(\$\w+)\s*:?=\s*\(?\s*\$?\.Capabilities\b(?![.\w])/g)].map((m) => m[1]!));
  // `q` quotes the replacements' strings: a raw string's backtick in code and inside a quoted string (tpl
  // text), a double quote inside a raw string, where a backtick would end it.
  const answers = (part: string, q = '`') => {
    const lookupFound = 'dict `apiVersion` `v1` `kind` `Found` `metadata` (dict `name` `preadmit-found` `namespace` `preadmit-found` `labels` (dict) `annotations` (dict)) `data` (dict) `stringData` (dict) `spec` (dict) `status` (dict) `items` (list) `_lookup`'.replaceAll('`', q);
    let out = part
      .replace(/(?<![\w.$])lookup\b(?=\s*(?:["'`$(.]|$))/g, lookupFound)
      .replace(REVISION_READ, '(add1 $1.Release.Revision)')
      .replace(/(?<![\w.$])now\b(?![\w.])/g, `(now | dateModify ${q}+8760h${q})`);
    if (how.versionSuffix === undefined) return out;
    out = out
      // A managed cluster's version as its API server reports it (EKS: Minor "31+", GitVersion "v1.31.2-eks-..."):
      // `int "31+"` is 0 there, and a string test on the version sees the provider's suffix.
      .replace(MINOR_READ, `(printf ${q}%s+${q} $1$2.Minor)`)
      .replace(/(\$\w+)\.Minor\b/g, (m, holder: string) => (holders.has(holder) ? `(printf ${q}%s+${q} ${holder}.Minor)` : m))
      .replace(/(\$\w+)\.KubeVersion\.Minor\b/g, (m, holder: string) => (capabilities.has(holder) ? `(printf ${q}%s+${q} ${holder}.KubeVersion.Minor)` : m));
    // Every read, semver comparisons too: an EKS version is a prerelease to them (`>=1.25` is false, `>=1.25-0`
    // true), as on the cluster; the renders with further literals take the patch literals without it.
    {
      const suffix = how.versionSuffix;
      out = out
        .replace(VERSION_READ, `(printf ${q}%s${suffix}${q} $1$2.Version)`)
        .replace(/(\$\w+)\.KubeVersion\.(?:GitVersion|Version|String)\b/g, (m, holder: string) => (capabilities.has(holder) ? `(printf ${q}%s${suffix}${q} ${holder}.KubeVersion.Version)` : m));
    }
    return out;
  };
  // `fail X` (or `X | fail`) becomes `and `` X`: an empty string, whatever X is. (Raw strings in the
  // replacements: the text may sit in a values.yaml string a template passes to tpl, quoted either way.)
  const failing = (part: string, q = '`') => part.replace(/(?<![\w.$])fail\b/g, `and ${q}${q}`);
  // Inside `with .Capabilities.KubeVersion` (or `with .Capabilities`) the dot is the version: `.Minor`, `.Version`.
  if (how.answers && how.versionSuffix !== undefined) {
    const suffix = how.versionSuffix;
    // Compiled once per kind of block: `.Minor` where the dot is the version, `.KubeVersion.Minor` where it is .Capabilities.
    const reads = (prefix: string) => ({
      minor: new RegExp(String.raw`(?<![\w$.)\]])(${prefix})\.Minor\b`, 'g'),
      version: new RegExp(String.raw`(?<![\w$.)\]])(${prefix})\.(?:GitVersion|Version|String)\b`, 'g'),
    });
    const byPrefix = new Map([['', reads('')], [String.raw`\.KubeVersion`, reads(String.raw`\.KubeVersion`)]]);
    text = withCapabilityBlocks(text, (action, prefix) => {
      const { minor, version } = byPrefix.get(prefix)!;
      return action
        .split(STRING_LITERAL)
        .map((part, i) => (i % 2 === 1 ? part : part.replace(minor, '(printf `%s+` $1.Minor)').replace(version, `(printf \`%s${suffix}\` $1.Version)`)))
        .join('');
    });
  }
  // An escape in code can only come from an outer quoting (a YAML double-quoted values string passed to
  // tpl: `"{{ \\x6cookup ... }}"`), which decodes it before the template is read: letters and digits so
  // written are read as such (elsewhere helm refuses the template anyway).
  const unescaped = (part: string) => withNumericEscapes(part, (char) => (/^[A-Za-z0-9]$/.test(char) ? char : undefined));
  const code = (written: string, q = '`') => {
    const part = unescaped(written);
    return how.failsIgnored ? failing(how.answers ? answers(part, q) : part, q) : answers(part, q);
  };
  // A string holding template text (`tpl "{{ lookup \\"v1\\" ... }}" .`, `tpl `{{ .Capabilities.KubeVersion.Minor }}` .`)
  // renders as code: its actions are rewritten too, and the string written again whole (a quoted string
  // with Go's escapes, a raw string with the replacements' strings double-quoted).
  const inString = (literal: string, q: string): string => {
    if (literal.startsWith("'")) return literal;
    const value = goStringValue(literal);
    if (!value.includes('{{')) return literal;
    if (literal.startsWith('`')) return '`' + replaceActions(value, (action) => rewriteAction(action, '"')) + '`';
    // Written again quoted (JSON's escapes are Go's): its replacements take the enclosing code's quote, so a
    // quoted string inside a raw string gets no backtick that would end that raw string.
    return JSON.stringify(replaceActions(value, (action) => rewriteAction(action, q)));
  };
  const rewriteAction = (written: string, q: string): string => {
    if (/^\{\{-?\s*\/\*/.test(written)) return written;
    // String literals are masked while the version object's uses are found (what they hold is rewritten as
    // template text by inString, not as this action's code).
    const parts = written.split(STRING_LITERAL);
    const literals = parts.filter((_, i) => i % 2 === 1);
    let action = parts.map((part, i) => (i % 2 === 1 ? `"\u0001${(i - 1) / 2}\u0001"` : part)).join('');
    // The version object handed on whole to a helper, put in a dict or list, or read as data (toJson, get...)
    // becomes a dict of its fields, which the reads below answer as the managed cluster does (printed, it
    // stays the object: its version string, which semverCompare reads).
    const managed = how.answers && how.versionSuffix !== undefined;
    const asDict = (m: string, handed: string, chain: string) => {
      const v = `${chain}.Capabilities.KubeVersion`;
      return `${handed}(dict ${q}Major${q} ${v}.Major ${q}Minor${q} ${v}.Minor ${q}Version${q} ${v}.Version ${q}GitVersion${q} ${v}.Version ${q}String${q} ${v}.Version)`;
    };
    if (managed && action.includes('KubeVersion')) action = action.replace(HANDED_KUBE_VERSION, asDict).replace(PIPED_KUBE_VERSION, asDict);
    // A variable holding it, read as data: the same dict, from the variable (its `.Minor` is answered below).
    if (managed && holders.size > 0 && action.includes('$')) {
      action = action.replace(HANDED_HOLDER, (m, fn: string | undefined, called: string | undefined, piped: string | undefined) => {
        const holder = called ?? piped!;
        if (!holders.has(holder)) return m;
        const version = `(printf ${q}%s${how.versionSuffix}${q} ${holder}.Version)`;
        return `${fn ?? ''}(dict ${q}Major${q} ${holder}.Major ${q}Minor${q} ${holder}.Minor ${q}Version${q} ${version} ${q}GitVersion${q} ${version} ${q}String${q} ${version})`;
      });
    }
    // Code is rewritten; string literals only where they hold template text.
    return action
      .split(/"\u0001(\d+)\u0001"/)
      .map((part, i) => (i % 2 === 1 ? inString(literals[Number(part)]!, q) : code(part, q)))
      .join('');
  };
  return replaceActions(text, (action) => rewriteAction(action, '`'));
}

/**
 * `text` with `rewrite` applied to each action inside a `with .Capabilities` or `with .Capabilities.KubeVersion`
 * block where the dot is still what the block set (withBlockActions).
 */
export function withCapabilityBlocks(text: string, rewrite: (action: string, prefix: string) => string): string {
  return withBlockActions(text, /^\{\{-?\s*with\s+\$?\.Capabilities(\.KubeVersion)?\s*-?\}\}$/, (action, opener) => rewrite(action, opener[1] !== undefined ? '' : String.raw`\.KubeVersion`));
}

/**
 * A temporary copy of a chart for the render with cluster answers: its template files (and those of its
 * unpacked subcharts) rewritten by withClusterAnswersText, everything else symlinked. Archives are left
 * as they are (their templates keep helm template's answers).
 */
/**
 * A vendored subchart archive unpacked into `charts/` of the copy, its templates and values rewritten like the
 * chart's own (helm loads an unpacked subchart as it loads the archive). False when it cannot be (the
 * archive is then linked as it is): not gzip, too large, an entry outside its folder, a folder already there.
 */
function unpackSubchart(archive: string, chartsDir: string, how: AnswersHow, depth = 0): boolean {
  let tar: Buffer;
  try {
    tar = gunzipSync(readFileSync(archive), { maxOutputLength: MAX_INSPECTED_BYTES });
  } catch {
    return false;
  }
  let entries: { name: string; content: Buffer }[];
  try {
    entries = [...tarEntries(tar)];
  } catch {
    return false;
  }
  const tops = new Set(entries.map((e) => e.name.split('/')[0]!));
  if (tops.size !== 1 || entries.some((e) => e.name.startsWith('/') || e.name.split('/').includes('..'))) return false;
  const top = [...tops][0]!;
  if (top === '' || top === '.' || existsSync(path.join(chartsDir, top))) return false;
  for (const entry of entries) {
    if (entry.name.endsWith('/')) continue;
    const target = path.join(chartsDir, entry.name);
    mkdirSync(path.dirname(target), { recursive: true });
    const parts = entry.name.split('/');
    const rewrite = parts.includes('templates') || /^values\.ya?ml$/.test(parts.at(-1)!);
    writeFileSync(target, rewrite && entry.content.length <= 4 * 1024 * 1024 ? withClusterAnswersText(entry.content.toString('utf8'), how) : entry.content);
    // An archive inside the archive (its own vendored subchart): unpacked and rewritten the same way.
    if (parts.length === 3 && parts[1] === 'charts' && parts[2]!.endsWith('.tgz') && depth < 4 && unpackSubchart(target, path.dirname(target), how, depth + 1)) rmSync(target);
  }
  return true;
}

function answersHowOf(request: RenderRequest): AnswersHow {
  return { answers: request.clusterAnswers === true, failsIgnored: request.failsIgnored === true, ...(request.versionSuffix !== undefined ? { versionSuffix: request.versionSuffix } : {}) };
}

/** A values file rewritten like the chart's values.yaml at `to`; the file itself when it cannot be read or is too large (helm reports it). */
function answeredValuesFile(file: string, to: string, how: AnswersHow): string {
  try {
    const stat = statSync(file);
    if (!stat.isFile() || stat.size > 4 * 1024 * 1024) return file;
    writeFileSync(to, withClusterAnswersText(readFileSync(file, 'utf8'), how));
    return to;
  } catch {
    return file;
  }
}

/** A template file to rewrite: a file (or a link to one, which cannot loop), at most 4 MiB. */
function answerableTemplate(file: string, entry: Dirent): boolean {
  if (!entry.isFile() && !entry.isSymbolicLink()) return false;
  try {
    const stat = statSync(file);
    return stat.isFile() && stat.size <= 4 * 1024 * 1024;
  } catch {
    return false; // a broken link: helm reports it
  }
}

function withClusterAnswers(chartDir: string, how: AnswersHow): string {
  const root = stagingRoot('preadmit-answers-');
  const staged = path.join(root, path.basename(chartDir));
  const copy = (src: string, dst: string, inTemplates: boolean, depth: number) => {
    mkdirSync(dst, { recursive: true });
    for (const entry of readdirSync(src, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const from = path.join(src, entry.name);
      const to = path.join(dst, entry.name);
      // Real directories are copied; a symlinked one is linked as it is (a link loop cannot multiply the copy).
      if (entry.isDirectory() && depth < 32) copy(from, to, inTemplates || entry.name === 'templates', depth + 1);
      else if ((inTemplates || /^values\.ya?ml$/.test(entry.name)) && answerableTemplate(from, entry)) writeFileSync(to, withClusterAnswersText(readFileSync(from, 'utf8'), how));
      else if (path.basename(src) === 'charts' && entry.name.endsWith('.tgz') && entry.isFile() && unpackSubchart(from, dst, how)) continue;
      else symlinkSync(from, to);
    }
  };
  copy(chartDir, staged, false, 0);
  return staged;
}

/**
 * A staged view of a chart with some files replaced or left out: the directories on the way to a replaced
 * file are made, every other entry is a link to the chart's own (helm follows them as it does the chart's;
 * they were vetted with the chart), and the replaced files are written. Only files the chart has are
 * replaced. Files left out are named in the view's `.helmignore` (the chart's own rules, then one rule per
 * path: helm's loader reads the top `.helmignore` for the whole tree, subcharts' folders included), so no
 * folder is staged for them; a name helm's rules cannot say (spaces at either end, a line break) is left
 * out by staging its folder instead.
 */
function stagedView(chartDir: string, files: ReadonlyMap<string, string>, omitted: readonly string[] = []): string {
  for (const name of [...files.keys(), ...omitted]) {
    if (name === '' || path.isAbsolute(name) || name.split('/').some((part) => part === '' || part === '.' || part === '..' || part === '.git')) throw new Error(`${name} is not a file of the chart`);
  }
  const root = stagingRoot('preadmit-edit-');
  const staged = path.join(root, path.basename(chartDir));
  // The chart's own .helmignore, when it is a file (else everything left out is staged out).
  let ownRules: string | undefined = '';
  try {
    const stat = statSync(path.join(chartDir, HELM_IGNORE));
    ownRules = stat.isFile() && stat.size <= 1024 * 1024 ? readFileSync(path.join(chartDir, HELM_IGNORE), 'utf8') : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') ownRules = undefined;
  }
  // helm reads its rules a line at a time and trims each as Go's strings.TrimSpace does (U+0085 included).
  const ignorable = (name: string) => ownRules !== undefined && !/[\r\n]/.test(name) && !/^[\s\u0085]|[\s\u0085]$/.test(name) && !files.has(HELM_IGNORE);
  const ignored = omitted.filter(ignorable);
  const left = new Set(omitted);
  const onTheWay = new Set<string>();
  // Folders are staged on the way to replaced files and to left-out files no rule can name.
  for (const name of [...files.keys(), ...omitted.filter((name) => !ignorable(name))]) {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) onTheWay.add(parts.slice(0, i).join('/'));
  }
  const stage = (src: string, dst: string, prefix: string) => {
    mkdirSync(dst, { recursive: true });
    for (const entry of readdirSync(src, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const name = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      // What is left out is not linked where a folder is staged anyway (the rules cover the rest).
      if (left.has(name) || (name === HELM_IGNORE && ignored.length > 0)) continue;
      const from = path.join(src, entry.name);
      const to = path.join(dst, entry.name);
      const text = files.get(name);
      if (text !== undefined) writeFileSync(to, text);
      else if (onTheWay.has(name)) stage(from, to, name);
      else symlinkSync(from, to);
    }
  };
  stage(chartDir, staged, '');
  // Rooted rules (a leading slash) match the whole path; Go's filepath.Match escapes with a backslash.
  if (ignored.length > 0) writeFileSync(path.join(staged, HELM_IGNORE), `${ownRules}\n${ignored.map((name) => `/${name.replace(/[\\*?[]/g, '\\$&')}`).join('\n')}\n`);
  return staged;
}

/** The file helm's loader reads its ignore rules from, at the chart's top. */
const HELM_IGNORE = '.helmignore';

/** A temporary folder for a staged copy of a chart, removed at exit if nothing removed it before. */
function stagingRoot(prefix: string): string {
  if (stagedRoots.length === 0) process.once('exit', () => stagedRoots.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const root = mkdtempSync(path.join(os.tmpdir(), prefix));
  stagedRoots.push(root);
  return root;
}

/** Whether a `.git` entry is anywhere in the directory's own tree (symlinked directories are not entered). */
function holdsGit(dir: string, depth = 0): boolean {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  if (entries.some((e) => e.name === '.git')) return true;
  return depth < 64 && entries.some((e) => e.isDirectory() && holdsGit(path.join(dir, e.name), depth + 1));
}

/** `dst` holds a symlink to each entry of `src` except `.git`; directories that hold a `.git` are mirrored the same way. */
function mirrorWithoutGit(src: string, dst: string): void {
  mkdirSync(dst, { recursive: true });
  for (const entry of readdirSync(src, { withFileTypes: true })) {
    if (entry.name === '.git') continue;
    const from = path.join(src, entry.name);
    if (entry.isDirectory() && holdsGit(from)) mirrorWithoutGit(from, path.join(dst, entry.name));
    else symlinkSync(from, path.join(dst, entry.name));
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MiB` : `${bytes} bytes`;
}

/** Log lines of helm (3 and 4) that are not the error. */
const HELM_NOISE = /^(WARNING|walk\.go|install\.go|level=(INFO|WARN|DEBUG)\b|Use --debug flag)/;
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * helm's error as reported: the error lines of its stderr, without its log lines or control characters,
 * at most 20 lines and 2,000 characters, and with every value given from outside the chart (values files
 * and --set pairs of the configuration or command line) replaced by [redacted]: a chart's `fail` or
 * `required` message must not carry such a value into a pull request comment.
 */
export function helmErrorMessage(stderr: string, secrets: readonly string[] = []): string {
  let lines = stderr.split(/\r?\n/).filter((line) => line.trim() !== '' && !HELM_NOISE.test(line));
  const error = lines.findIndex((line) => line.startsWith('Error:'));
  if (error > 0) lines = lines.slice(error);
  let text = lines
    .slice(0, 20)
    // No control characters, and no line a workflow runner would take for a command (`::error ...`).
    // A long line keeps its head and its tail (helm's cause comes last, after the chain of includes).
    .map((line) => (line.length > 500 ? `${line.slice(0, 200)} … ${line.slice(-299)}` : line).replace(CONTROLS, ' ').replace(/^(\s*):(?=:)/, '$1:\u200b'))
    .join('\n')
    .trim();
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) text = text.split(secret).join('[redacted]');
  if (lines.length > 20) text += `\n… (${lines.length - 20} more lines)`;
  return text.length > 2000 ? `${text.slice(0, 1999)}…` : text;
}

/** Shortest value redacted from helm's messages (shorter ones are words, not secrets). */
const MIN_SECRET_LENGTH = 6;

/** Values given to helm from outside the chart directory: string leaves of those values files, --set values. */
export function secretsOf(request: Pick<RenderRequest, 'chartDir' | 'valuesFiles' | 'set'>): string[] {
  const out = new Set<string>();
  const chart = safeRealpath(request.chartDir) ?? request.chartDir;
  for (const file of request.valuesFiles) {
    const real = safeRealpath(file);
    if (real === undefined || isInside(chart, real)) continue;
    try {
      if (statSync(real).size > MAX_CHART_FILE_BYTES * 4) continue;
      const stack: unknown[] = loadYamlDocuments(readFileSync(real, 'utf8')).documents.map((d) => d.value);
      while (stack.length > 0 && out.size < 10_000) {
        const value = stack.pop();
        if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) out.add(value);
        else if (value !== null && typeof value === 'object') stack.push(...Object.values(value));
      }
    } catch {
      // unreadable values: helm reports them itself
    }
  }
  for (const pair of request.set) {
    for (const part of pair.split(/(?<!\\),/)) {
      const value = part.slice(part.indexOf('=') + 1);
      if (part.includes('=') && value.length >= MIN_SECRET_LENGTH) out.add(value);
    }
  }
  return [...out];
}

/** Most bytes of a values.schema.json, or of a subchart archive once decompressed, that are inspected. */
const MAX_INSPECTED_BYTES = 64 * 1024 * 1024;

/**
 * What in a chart would make helm read or fetch something outside the repository (or is malformed where
 * helm and preadmit expect a directory), or undefined:
 * - a symlink leading outside `root` (helm follows it and renders what it finds: /proc/self/environ,
 *   ~/.docker/config.json), pointing to nothing, or looping back to a directory that holds it;
 * - a values.schema.json (also inside charts/*.tgz) whose `$ref` names another file or a URL, or whose
 *   `$schema` is not a json-schema.org meta-schema (helm loads both: file:///etc/passwd, http://169.254...).
 */
export function chartProblem(chartDir: string, root: string): string | undefined {
  const realRoot = safeRealpath(root) ?? root;
  const start = safeRealpath(chartDir) ?? chartDir;
  const outside = realRoot === start ? 'chart' : 'repository';
  if (!isInside(realRoot, start)) return 'the chart directory leads outside the repository (through a symlink?)';
  // helm reads charts/ and templates/ as directories; a file in their place is a malformed chart.
  for (const name of ['charts', 'templates']) {
    const full = path.join(start, name);
    if (existsSync(full) && !isDirectory(full)) return `${name} is not a directory`;
  }
  const walked = new Set<string>();
  const pending: [dir: string, shown: string, depth: number][] = [[start, '', 0]];
  while (pending.length > 0) {
    const [dir, shown, depth] = pending.pop()!;
    if (walked.has(dir)) continue;
    walked.add(dir);
    if (depth > 64) return `${shown || '.'} is nested deeper than 64 directories`;
    let entries: Dirent[];
    try {
      // Entry types come with the listing: only symlinks and the files inspected below need a stat.
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      continue; // helm reports what it cannot read
    }
    for (const dirent of entries) {
      const entry = dirent.name;
      const full = path.join(dir, entry);
      const label = shown ? `${shown}/${entry}` : entry;
      let real = full;
      let isDir = dirent.isDirectory();
      let isFile = dirent.isFile();
      if (dirent.isSymbolicLink()) {
        const target = safeRealpath(full);
        if (target === undefined) return `${label} is a symlink to nothing (or a symlink loop)`;
        if (!isInside(realRoot, target)) return `${label} is a symlink leading outside the ${outside} (helm would read what it points to)`;
        if (isInside(target, dir)) return `${label} is a symlink to a directory that holds it (helm would read it again and again)`;
        if (target.split(path.sep).includes('.git')) return `${label} is a symlink into a .git directory (helm would read the repository's configuration, where actions/checkout keeps its token)`;
        real = target;
        try {
          const stat = statSync(target);
          isDir = stat.isDirectory();
          isFile = stat.isFile();
        } catch {
          continue;
        }
      } else if (!isDir && !isFile && !dirent.isFIFO() && !dirent.isSocket() && !dirent.isBlockDevice() && !dirent.isCharacterDevice()) {
        // A file system that does not report types (DT_UNKNOWN): ask.
        try {
          const stat = lstatSync(full);
          isDir = stat.isDirectory();
          isFile = stat.isFile();
        } catch {
          continue;
        }
      }
      // A .git of the chart's own tree is left out of the render (chartDirForHelm); one reached through a symlinked directory is not.
      if (entry === '.git' && !isInside(start, dir)) return `${label} is a .git reached through a symlink (helm would read the repository's configuration)`;
      const inspected = isFile && (entry === 'values.schema.json' || (entry.endsWith('.tgz') && path.basename(dir) === 'charts'));
      if (isDir) {
        pending.push([real, label, depth + 1]);
      } else if (inspected) {
        let size: number;
        try {
          size = statSync(real).size;
        } catch {
          continue;
        }
        const problem = entry === 'values.schema.json' ? schemaFileProblem(real, size) : archiveProblem(real, size);
        if (problem) return `${label}: ${problem}`;
      }
    }
  }
  return undefined;
}

function schemaFileProblem(file: string, size: number): string | undefined {
  if (size > MAX_INSPECTED_BYTES) return `larger than ${formatBytes(MAX_INSPECTED_BYTES)}`;
  try {
    return schemaProblem(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** JSON Schema keywords that make a validator load another document. */
const REFERENCES = new Set(['$ref', '$dynamicRef', '$recursiveRef']);

/** Why a values.schema.json would make helm load another document, or undefined. */
export function schemaProblem(text: string): string | undefined {
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch {
    return undefined; // helm reports invalid JSON itself, without loading anything
  }
  const stack: unknown[] = [schema];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'string') {
        if (REFERENCES.has(key) && !value.startsWith('#')) return `"${key}" refers to another document (${clipValue(value)}); only references inside the schema (#/...) are allowed`;
        if (key === '$schema' && !/^https?:\/\/json-schema\.org\//.test(value)) return `"$schema" is not a json-schema.org meta-schema (${clipValue(value)}); helm would fetch it`;
      } else if (value !== null && typeof value === 'object') {
        stack.push(value);
      }
    }
  }
  return undefined;
}

function clipValue(value: string): string {
  const flat = value.replace(CONTROLS, ' ').replace(/[\r\n\t]/g, ' ');
  return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
}

/** Checks the values.schema.json files inside a subchart archive (a .tgz helm unpacks in memory). */
function archiveProblem(file: string, size: number): string | undefined {
  if (size > MAX_INSPECTED_BYTES) return `archive larger than ${formatBytes(MAX_INSPECTED_BYTES)}`;
  let tar: Buffer;
  try {
    tar = gunzipSync(readFileSync(file), { maxOutputLength: MAX_INSPECTED_BYTES });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      return `archive expands to more than ${formatBytes(MAX_INSPECTED_BYTES)}`;
    }
    return undefined; // not a gzip archive: helm reports it
  }
  let entries: { name: string; content: Buffer }[];
  try {
    entries = [...tarEntries(tar)];
  } catch (error) {
    return `archive cannot be read as helm reads it (${(error as Error).message})`;
  }
  for (const entry of entries) {
    if (entry.name.endsWith('/values.schema.json') || entry.name === 'values.schema.json') {
      const problem = schemaProblem(entry.content.toString('utf8'));
      if (problem) return `${entry.name}: ${problem}`;
    }
    if (entry.name.endsWith('.tgz') && entry.name.split('/').at(-2) === 'charts') {
      // An archive inside an archive: helm loads it too.
      try {
        const inner = gunzipSync(entry.content, { maxOutputLength: MAX_INSPECTED_BYTES });
        for (const nested of tarEntries(inner)) {
          if (nested.name.endsWith('values.schema.json')) {
            const problem = schemaProblem(nested.content.toString('utf8'));
            if (problem) return `${entry.name}/${nested.name}: ${problem}`;
          }
        }
      } catch {
        return `${entry.name} cannot be inspected`;
      }
    }
  }
  return undefined;
}

/**
 * Regular files of a tar archive (ustar, GNU long names and base-256 sizes, PAX paths and sizes), in order.
 * Throws on a header Go's archive/tar refuses (checksum, size) or content past the archive's end.
 */
export function* tarEntries(tar: Buffer): Generator<{ name: string; content: Buffer; raw: string }> {
  let offset = 0;
  let longName: string | undefined;
  let paxSize: number | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) return;
    const field = (from: number, length: number) => {
      const raw = header.subarray(from, from + length);
      const nul = raw.indexOf(0);
      return raw.subarray(0, nul === -1 ? length : nul).toString('utf8');
    };
    // Read as Go's archive/tar reads it (helm's loader): a header whose checksum is wrong is refused, a size
    // may be base-256 (a leading 0x80 byte) or given by a PAX record. What cannot be read throws: a caller
    // must not take the entries before it for the whole archive.
    let unsigned = 0;
    let signed = 0;
    for (let k = 0; k < 512; k++) {
      const b = k >= 148 && k < 156 ? 0x20 : header[k]!;
      unsigned += b;
      signed += b > 127 ? b - 256 : b;
    }
    const stored = parseInt(field(148, 8).trim(), 8);
    if (stored !== unsigned && stored !== signed) throw new Error(`tar header at byte ${offset}: checksum mismatch`);
    let size: number;
    if ((header[124]! & 0x80) !== 0) {
      if (header[124] === 0xff) throw new Error(`tar header at byte ${offset}: negative size`);
      size = header[124]! & 0x7f;
      for (let k = 125; k < 136; k++) size = size * 256 + header[k]!;
    } else size = parseInt(field(124, 12).trim() || '0', 8);
    if (paxSize !== undefined) size = paxSize;
    paxSize = undefined;
    if (!Number.isSafeInteger(size) || size < 0 || offset + 512 + size > tar.length) throw new Error(`tar header at byte ${offset}: size ${size} past the archive's end`);
    const type = String.fromCharCode(header[156] ?? 0);
    const prefix = field(257, 6).startsWith('ustar') ? field(345, 155) : '';
    let name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    const content = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = content.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    if (type === 'x') {
      // Records `<length> <key>=<value>\n`: the next entry's path and size.
      for (const record of content.toString('utf8').matchAll(/(?:^|\n)\d+ (path|size)=([^\n]*)(?=\n)/g)) {
        if (record[1] === 'path') longName = record[2];
        else paxSize = /^\d+$/.test(record[2]!) ? Number(record[2]) : Number.NaN;
      }
      continue;
    }
    if (type === '0' || type === '\0' || type === '7') {
      // raw: the name as written, for callers that normalise it as helm's loader does (chart-crds.ts).
      yield { name: name.replace(/\\/g, '/'), content, raw: name };
    }
  }
}

export interface RenderedDocument {
  /** Template path as helm prints it in `# Source:` (chart name first). */
  template: string;
  text: string;
}

/** Splits helm's output into documents, keeping each one's `# Source:` template path. */
export function splitRendered(stdout: string): RenderedDocument[] {
  const documents: RenderedDocument[] = [];
  // At LF-delimited lines only, as kubectl's and helm's readers split (a JavaScript `^` also matches after
  // CR, LS and PS, where go-yaml reads on and keeps only its first document: yaml-docs.ts).
  const chunks = stdout.split(/(?<![^\n])---[ \t]*(?=\r?\n|$)/);
  for (const chunk of chunks) {
    const match = /^\s*# Source: (.+)$/m.exec(chunk);
    const body = chunk.trim();
    if (body === '') continue;
    documents.push({ template: match?.[1]?.trim() ?? '', text: chunk });
  }
  return documents;
}

/**
 * Maps helm's template path (`<chart>/charts/<sub>/templates/x.yaml`) to a file under the chart directory.
 * A template can print its own `# Source:` line: a path that would leave the chart maps to the chart
 * directory, so nothing outside the chart is ever named (or read by provenance) as a template.
 */
export function templateFile(chartDir: string, template: string, vendored: (dir: string) => Map<string, string> = vendoredCharts): string {
  const parts = template.split('/');
  if (parts.some((part) => part === '..' || part.includes('\\') || part.includes('\0'))) return chartDir;
  let dir = chartDir;
  let i = 1;
  while (parts[i] === 'charts' && parts[i + 2] !== undefined) {
    const sub = vendored(dir).get(parts[i + 1]!);
    if (sub === undefined) break;
    if (sub.endsWith('.tgz')) return sub; // the template lives inside an archive: point at the archive
    dir = sub;
    i += 2;
  }
  const file = path.join(dir, ...parts.slice(i));
  return isInside(chartDir, file) ? file : chartDir;
}
