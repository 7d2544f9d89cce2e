// Chart rendering: one `helm template` per chart and value set, in parallel up to the number of CPUs,
// each document kept with its `# Source:` template and the repository file it maps to. Every render is
// also kept (request, objects) so provenance can re-render it with changed values.
// Renders are for the target Kubernetes version with the API versions a cluster of it reports; a chart
// whose text branches on install/upgrade or API versions is rendered a second time (render-variants.ts).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chartCrdObjects, crdLoaded } from './chart-crds.ts';
import { effectiveValues } from './effective-values.ts';
import { objectsFromDocuments } from '../loaders/objects.ts';
import { checkedChartProblem, releaseAnswersCopies, missingDependencies, readChartInfo, renderChart, renderStats, splitRendered, templateFile, vendoredCharts, type ChartInfo, type HelmBinary, type RenderOutcome, type RenderRequest } from './helm.ts';
import { apiVersionsFor, DEFAULT_KUBE_VERSION } from './kube-api-versions.ts';
import { detached, detachStrings, parseRenderedDocument } from '../loaders/rendered-yaml.ts';
import { outsideYamlBudget } from '../loaders/yaml-docs.ts';
import { valueSetsOf, type ValueSet } from './value-sets.ts';
import type { Config } from '../config/config.ts';
import { isInside, relativeTo } from '../model/paths.ts';
import { isBlocking, type ChartRecord, type VariantRecord, type RenderVariant, type ScanError, type ScannedObject, type SkippedPath, type TemplateConstruct } from '../model/model.ts';
import { numberWithinTemplates } from '../model/identity.ts';
import { addValuesTextConstructs, chartConstructs, ConstructLocator, noConstructs, divergingObjects, removedObjects, hasSecurityFields, VARIANT_RELEASE, variantKubeVersion, variantName, variantReleaseName, variantOf, fullVariant, answersVariant, type ConstructKind, literalVariants, pairedVariants, releaseLiteralFor, UNKNOWABLE, type VariantInputs } from './render-variants.ts';

/** One successful render of a chart with one value set. */
export interface ChartRender {
  /** Absolute chart directory. */
  dir: string;
  /** Repository-relative chart directory (source.chart of its objects). */
  chart: string;
  info: ChartInfo;
  valueSet: ValueSet;
  /** The request that produced it (re-rendered with extra values by provenance). */
  request: RenderRequest;
  objects: ScannedObject[];
  record: ChartRecord;
  repoRoot: string;
  /** Set for a chart's second render (as helm upgrade renders it, or with CRD APIs): not in `renders`, see `variants`. */
  variant?: RenderVariant;
  /** A second render whose security settings differ from the main render's (objects changed, added or removed, or unseen). */
  diverges?: boolean;
}

export interface RenderedCharts {
  objects: ScannedObject[];
  errors: ScanError[];
  charts: ChartRecord[];
  /** Sum of the renders' own durations (they overlap). */
  renderMs: number;
  /** Every successful render, for provenance. */
  renders: ChartRender[];
  /**
   * The successful second renders (render-variants.ts), evaluated like the others: their objects whose
   * security fields differ from the main render are also in `objects`, marked with source.variant.
   */
  variants: ChartRender[];
  /** Inputs not judged, with why: library charts (helm refuses to install them); in a scan, Terraform resources that write to the cluster and are not read. */
  skipped: SkippedPath[];
}

export interface RenderOptions {
  /**
   * Render every value set (ci/*-values.yaml and the configured ones) besides the defaults. Off, only the
   * default render is made, as before value sets existed.
   */
  valueSets?: boolean;
  /**
   * Called with each successful render once its output is parsed, while other renders still run: work
   * per render (rules of its unit, its values) is done here rather than after the last render.
   */
  onRender?: (render: ChartRender) => void;
  /**
   * helm's path (helmCandidate), known before `helm version` answers: renders start with it at once, and
   * the version check still decides the scan (a missing or too old helm ends it with its error).
   */
  helmPath?: string;
  /** Off, no chart gets a second render (render-variants.ts); on by default. */
  variants?: boolean;
}

/** Runs `fn` after pending I/O callbacks and promise continuations (a worker spawning its next helm goes first). */
function afterSpawns<T>(fn: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    setImmediate(() => {
      try {
        resolve(fn());
      } catch (error) {
        reject(error);
      }
    });
  });
}

export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function renderCharts(
  dirs: string[],
  helm: () => Promise<HelmBinary>,
  config: Config,
  repoRoot: string,
  options: RenderOptions = {},
): Promise<RenderedCharts> {
  const loaded: RenderedCharts = { objects: [], errors: [], charts: [], renderMs: 0, renders: [], variants: [], skipped: [] };
  const concurrency = Math.max(1, os.availableParallelism());
  // helm is located (a `helm version` run) while the first charts are read and rendered; a missing or too
  // old helm throws below, once the renders already started have ended.
  const located = helm();
  located.catch(() => undefined);
  // Charts are read (Chart.yaml, dependencies, value sets) as the helm slots ask for work: the first
  // render starts once the first chart is read, not once every chart is.
  const checkedCharts = new Map<string, string | undefined>();
  // A ci/ value set's findings that the defaults do not show are capped at valueSets.severity (locked rules
  // excepted): when that cap cannot block, a second render of it cannot change the verdict and is not made.
  const ciFindingsCanBlock =
    config.valueSets.severity === 'keep' || isBlocking(config.valueSets.severity, config.failOn) || config.lockedRules.length > 0 || Object.values(config.rules).some((rule) => rule.locked === true);
  function* jobsOf(): Generator<Job> {
    let index = 0;
    let previousDir: string | undefined;
    for (const dir of dirs) {
      const info = checkChart(dir, repoRoot, loaded);
      if (info === undefined) continue;
      // helm decides whether a chart is a library (it refuses to install one): a chart whose metadata says
      // so gets its default render only, which records it as skipped when helm refuses it.
      if (info.type === 'library') {
        const defaults = valueSetsOf(dir, config, { all: false }).find((set) => set.kind === 'default');
        if (defaults !== undefined) yield { dir, info, set: defaults, index: index++, locator: new ConstructLocator(dir, repoRoot, noConstructs()), library: true };
        continue;
      }
      // Read only once the chart is known to keep its files inside the repository (else its render fails).
      const safe = checkedChartProblem({ chartDir: dir, checkedCharts }) === undefined;
      const constructs = safe ? chartConstructs(dir, repoRoot) : undefined;
      // A comparison no render can take that decides host access: the chart's install cannot be judged.
      if (constructs?.literals.unrendered !== undefined && options.variants !== false) {
        const chartPath = relativeTo(repoRoot, dir);
        loaded.errors.push({ kind: 'render', file: chartPath, chart: chartPath, message: `not judged as installed: ${constructs.literals.unrendered}; a release with another name or namespace may deploy what no render showed` });
      }
      // A chart whose text branches on install/upgrade or API versions gets a second render per value set,
      // right after the first; its templates are read then for the lines that branch. Its jobs carry it:
      // once the chart's last render is parsed, its template sources can go (memory, issue 18).
      const locator = new ConstructLocator(dir, repoRoot, constructs ?? noConstructs());
      const variant = options.variants === false || constructs === undefined ? undefined : variantOf(dir, constructs, locator.sources);
      // The chart's defaults always get the second render, with every input changed: reading the templates
      // for constructs is a heuristic a template can hide from (`index . "Release"`, text built for tpl), a
      // render is not. Other value sets get it when the text shows a construct (and their findings can block).
      const sets = [...valueSetsOf(dir, config, { all: options.valueSets === true })];
      // Values files from outside the chart reach the templates through tpl: their actions count too.
      if (constructs?.usesTpl) for (const set of sets) if (set.kind === 'default') for (const file of set.valuesFiles) if (!isInside(dir, file)) addValuesTextConstructs(constructs, file);
      const full = options.variants === false || constructs === undefined ? undefined : fullVariant(constructs);
      // The chart's jobs have all started once the next chart is read: its shared defaults render is let go.
      if (previousDir !== undefined) DEFAULT_RENDERS.get(checkedCharts)?.delete(previousDir);
      previousDir = dir;
      for (const set of sets) {
        const main = index++;
        yield { dir, info, set, index: main, locator };
        const inputs = set.kind === 'default' ? full : variant && (set.kind !== 'ci' || ciFindingsCanBlock) ? variant : undefined;
        if (inputs) yield { dir, info, set, index: index++, locator, variant: { inputs, main } };
        const answers = set.kind === 'default' && full !== undefined && constructs !== undefined ? answersVariant(constructs, full) : undefined;
        if (answers) yield { dir, info, set, index: index++, locator, variant: { inputs: answers, main } };
        if (set.kind === 'default' && full !== undefined && constructs !== undefined) {
          const release = { releaseName: config.helm.releaseName, namespace: config.helm.namespace, kubeVersion: config.helm.kubeVersion || DEFAULT_KUBE_VERSION };
          for (const inputs of literalVariants(constructs, full, release, answers !== undefined)) yield { dir, info, set, index: index++, locator, variant: { inputs, main } };
          for (const inputs of pairedVariants(variant, full, answers !== undefined)) yield { dir, info, set, index: index++, locator, variant: { inputs, main } };
        }
      }
    }
  }
  // Renders start without waiting for `helm version` (~50 ms with a core idle) when helm's path is known;
  // once the check fails, no further render starts.
  let unusable = false;
  located.catch(() => (unusable = true));
  const binary = options.helmPath !== undefined && path.isAbsolute(options.helmPath) ? { path: options.helmPath, version: '', major: Number.NaN } : await located;
  // A helm slot does not wait for node: when a render exits, its slot starts the next one and the output is
  // parsed (and handed to onRender) after that spawn, while both renders run (unless outputs pile up: below).
  const finished: Promise<ChartRender | undefined>[] = [];
  const jobs = jobsOf();
  // Outputs queued for parsing are held whole. Renders from the cache end without waiting for anything, so
  // the slots would read every output before the first is parsed (the corpus's warm run peaked at 360 MB):
  // a slot takes its next job only while fewer than this many outputs are queued. Renders still running
  // and variants waiting for their main render's parse are not counted (a slow main render must not hold
  // the other slot idle); a run with helm rarely queues more than one output per slot.
  const maxQueued = 2 * concurrency;
  const queued = new Set<Promise<unknown>>();
  const parseSoon = <T>(parse: () => T): Promise<T> => {
    const parsing = afterSpawns(parse);
    const settled = parsing.then(
      () => undefined,
      () => undefined,
    );
    queued.add(settled);
    void settled.then(() => queued.delete(settled));
    return parsing;
  };
  const slot = async () => {
    for (;;) {
      // Before a job is taken, not after: a job taken is started at once, so a variant's main render has
      // always started (and has its `finished` entry) before the variant.
      while (queued.size >= maxQueued) await Promise.race(queued);
      if (unusable) break;
      const next = jobs.next();
      if (next.done === true) break;
      const job = next.value;
      const locator = job.locator;
      const variant = job.variant;
      const rendered = renderOne(job.dir, job.set, binary, config, repoRoot, loaded, checkedCharts, variant?.inputs, job.library).then(async (outcome) => {
        // A variant that fails as an upgrade (charts demanding passwords on upgrade) is made again without
        // --is-upgrade: what the other inputs change is still judged; the upgrade stays unseen (parseVariant).
        if (variant === undefined || outcome === undefined || !('failed' in outcome)) return outcome;
        // A guard stopped it (helm's `fail`: a value demanded on upgrade, a namespace or API refused): made
        // again with every fail harmless, it shows what the rest of the chart renders that way.
        if (/execution error at \(/.test(outcome.failed)) {
          const unguarded = await renderOne(job.dir, job.set, binary, config, repoRoot, loaded, checkedCharts, { ...variant.inputs, failsIgnored: true });
          if (unguarded !== undefined && !('failed' in unguarded)) return unguarded;
        }
        if (!variant.inputs.upgrade || !(variant.inputs.extensionApis || variant.inputs.release)) return outcome;
        const inputs = { ...variant.inputs, upgrade: false };
        const again = await renderOne(job.dir, job.set, binary, config, repoRoot, loaded, checkedCharts, inputs);
        return again !== undefined && !('failed' in again) ? { ...again, upgradeFailed: outcome.failed, inputs } : outcome;
      });
      // A variant is compared with its main render once that is parsed (it started first, but may end later).
      const parsed: Promise<ChartRender | undefined> =
        variant === undefined
          ? rendered.then((outcome) => (outcome === undefined || 'failed' in outcome ? undefined : parseSoon(() => parseRender(job.dir, job.info, job.set, outcome, config, repoRoot, loaded, options.onRender, locator))))
          : rendered.then((outcome) => finished[variant.main]!.then((main) => parseSoon(() => parseVariant(job, variant.inputs, main, outcome, config, repoRoot, loaded, locator, options.onRender))));
      // Awaited below with the others; if a later render throws first, this one's failure is not unhandled.
      parsed.catch(() => undefined);
      finished[job.index] = parsed;
      await rendered;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, slot));
  // A helm that is not one, or too old, ends the scan here with the version check's error.
  const verified = await located;
  const renders = await Promise.all(Array.from(finished));
  for (const render of renders) if (render !== undefined) render.request.helm = verified;
  // Keep objects and renders in a stable order (chart, then value set as declared), whatever finished first.
  for (const render of renders) {
    if (render === undefined) continue;
    if (render.variant !== undefined) {
      loaded.variants.push(render);
      // Only the objects that differ are listed (and seen by the rules that read the whole scan).
      // (A failed variant's objects are copies of main ones: only its own rule reads them.)
      loaded.objects.push(...render.objects.filter((object) => object.renderDependence?.divergence !== undefined && object.renderDependence.divergence.failed === undefined));
      continue;
    }
    loaded.renders.push(render);
    loaded.objects.push(...render.objects);
    loaded.charts.push(inStableOrder(render.record));
  }
  loaded.charts.sort((a, b) => a.chart.localeCompare(b.chart));
  releaseAnswersCopies(checkedCharts);
  // The last chart's shared defaults render (the map lives as long as its renders' requests).
  DEFAULT_RENDERS.delete(checkedCharts);
  return loaded;
}

/** The order further renders were queued in (their record is pushed when each finishes). */
const queuedAt = new WeakMap<VariantRecord, number>();

/** A main render's record with its extra renders in the order they were queued, whichever finished first. */
function inStableOrder(record: ChartRecord): ChartRecord {
  const { variant, answers, literals } = record;
  delete record.variant;
  delete record.answers;
  delete record.literals;
  if (variant !== undefined) record.variant = variant;
  if (answers !== undefined) record.answers = answers;
  if (literals !== undefined) record.literals = literals.sort((a, b) => (queuedAt.get(a) ?? 0) - (queuedAt.get(b) ?? 0));
  return record;
}

/** Chart.yaml read and dependencies present; otherwise an error is recorded and undefined returned. */
function checkChart(dir: string, repoRoot: string, loaded: RenderedCharts): ChartInfo | undefined {
  const chartPath = relativeTo(repoRoot, dir);
  const info = readChartInfo(dir);
  if (typeof info === 'string') {
    loaded.errors.push({ kind: 'render', file: `${chartPath}/Chart.yaml`, chart: chartPath, message: info });
    return undefined;
  }
  // helm refuses a library chart before it looks for its dependencies.
  if (info.type === 'library') return info;
  const missing = missingDependencies(info);
  if (missing.length > 0) {
    loaded.errors.push({
      kind: 'dependency',
      file: `${chartPath}/Chart.yaml`,
      chart: chartPath,
      message: `declared ${missing.length === 1 ? 'dependency' : 'dependencies'} ${missing.map((m) => `"${m}"`).join(', ')} missing from charts/; preadmit renders offline and never downloads dependencies (run helm dependency build before the scan, or vendor them)`,
    });
    return undefined;
  }
  return info;
}

/**
 * Parses helm's output into objects located at their template files. Their strings are copies
 * (detachStrings, one per distinct string of `strings`) unless `transient` (a provenance trial render,
 * dropped once compared): a kept object must not hold the whole output alive.
 */
export function objectsOfRender(stdout: string, dir: string, chartPath: string, valueSet: string, config: Config, repoRoot: string, errors?: ScanError[], options: { transient?: boolean; strings?: Map<string, string> } = {}): ScannedObject[] {
  const objects: ScannedObject[] = [];
  const which = valueSet === 'default' ? '' : `with value set ${valueSet}: `;
  const files = new Map<string, string>();
  // Subchart directories are read once per render, not once per template path.
  const subcharts = new Map<string, Map<string, string>>();
  const vendored = (chartDir: string) => {
    let found = subcharts.get(chartDir);
    if (!found) subcharts.set(chartDir, (found = vendoredCharts(chartDir)));
    return found;
  };
  for (const [index, doc] of splitRendered(stdout).entries()) {
    let file = files.get(doc.template);
    if (file === undefined) {
      file = relativeTo(repoRoot, doc.template ? templateFile(dir, doc.template, vendored) : dir);
      files.set(doc.template, file);
    }
    const parsed = options.transient === true ? outsideYamlBudget(() => parseRenderedDocument(doc.text)) : parseRenderedDocument(doc.text);
    if (options.transient !== true) for (const document of parsed.documents) detachStrings(document, options.strings);
    for (const problem of parsed.problems) {
      errors?.push({ kind: 'render', file, chart: chartPath, message: detached(`${which}rendered output is not valid YAML: ${problem.message}`) });
    }
    const source = { kind: 'helm' as const, file, chart: chartPath, template: options.transient === true ? doc.template : detached(doc.template), valueSet };
    const result = objectsFromDocuments(parsed.documents, {
      source,
      defaultNamespace: config.helm.namespace,
      linesAreSource: false,
      strict: true,
    });
    for (const object of result.objects) object.source.document = index;
    for (const problem of result.problems) errors?.push({ kind: 'render', file, chart: chartPath, message: detached(`${which}${problem.message}`) });
    objects.push(...result.objects);
  }
  numberWithinTemplates(objects);
  return objects;
}

interface Job {
  dir: string;
  info: ChartInfo;
  set: ValueSet;
  index: number;
  /** The chart's template constructs and sources (markUnknowable, parseVariant). */
  locator: ConstructLocator;
  /** A second render: what it changes, and the index of the main render it is compared with. */
  variant?: { inputs: VariantInputs; main: number };
  /** The render of a chart whose metadata says library: helm refusing it skips the chart (with a record). */
  library?: true;
}

/**
 * The `helm template` request of a chart and value set: for the configured Kubernetes version (else
 * DEFAULT_KUBE_VERSION) with the API versions it serves; a variant adds `--is-upgrade` and/or common CRD APIs.
 */
export function renderRequestOf(dir: string, set: ValueSet, binary: HelmBinary, config: Config, variant?: VariantInputs): RenderRequest {
  const mainKubeVersion = config.helm.kubeVersion || DEFAULT_KUBE_VERSION;
  const kubeVersion = variant?.release ? variantKubeVersion(mainKubeVersion, variant.kubeLiterals, variant.literalIndex) : mainKubeVersion;
  const apiVersions = [...apiVersionsFor(kubeVersion, { extensions: variant?.extensionApis === true }), ...(variant?.extensionApis ? (variant.apiLiterals ?? []) : [])];
  return {
    helm: binary,
    chartDir: dir,
    releaseName: variant?.release ? (releaseLiteralFor('name', config.helm.releaseName, variant.releaseLiterals, variant.literalIndex) ?? variantReleaseName(config.helm.releaseName)) : config.helm.releaseName,
    namespace: variant?.release ? (releaseLiteralFor('namespace', config.helm.namespace, variant.releaseLiterals, variant.literalIndex) ?? VARIANT_RELEASE.namespace) : config.helm.namespace,
    valuesFiles: set.valuesFiles,
    set: set.set,
    kubeVersion,
    ...(apiVersions.length > 0 ? { apiVersions } : {}),
    ...(variant?.upgrade ? { isUpgrade: true } : {}),
    ...(variant?.clusterAnswers ? { clusterAnswers: true, ...(variant.versionSuffix !== undefined ? { versionSuffix: variant.versionSuffix } : {}) } : {}),
    ...(variant?.failsIgnored ? { failsIgnored: true } : {}),
    timeoutMs: config.helm.timeoutSeconds * 1000,
  };
}

/** Why a library chart is not judged (SkippedPath.reason). */
export const LIBRARY_SKIPPED = 'library chart: helm refuses to install it (library charts are not installable); its templates are judged where a chart depending on it renders them';

/** helm's refusal of a library chart (action.CheckIfInstallable), helm 3 and 4. */
const LIBRARY_REFUSED = /\blibrary charts are not installable\b/;

/** Main renders of each chart's defaults, by scan (checkedCharts) and chart, while the chart's jobs start. */
const DEFAULT_RENDERS = new WeakMap<Map<string, string | undefined>, Map<string, Promise<RenderOutcome>>>();

/** Whether a value set adds nothing to the defaults: no --set of its own, and its files hold no YAML node. */
export function rendersAsDefaults(set: ValueSet): boolean {
  if (set.own.set.length > 0) return false;
  return set.own.valuesFiles.every((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return false;
    }
    // Blank lines, comments and document starts in plain ASCII only (no tab before a comment: YAML refuses
    // it there): the file gives helm no values (as when it is not given). Anything else (another line break
    // YAML reads, such as U+0085, a document end helm refuses, any other character) is rendered as written.
    return text.replace(/^\uFEFF/, '').split(/\r?\n/).every((line) => /^ *(?:#[\t\x20-\x7e]*)?$/.test(line) || /^---(?:[ \t]+(?:#[\t\x20-\x7e]*)?)?$/.test(line));
  });
}

async function renderOne(
  dir: string,
  set: ValueSet,
  binary: HelmBinary,
  config: Config,
  repoRoot: string,
  loaded: RenderedCharts,
  checkedCharts: Map<string, string | undefined>,
  variant?: VariantInputs,
  library?: true,
): Promise<{ request: RenderRequest; stdout: string; ms: number } | { failed: string; ms: number } | undefined> {
  const chartPath = relativeTo(repoRoot, dir);
  const request: RenderRequest = { ...renderRequestOf(dir, set, binary, config, variant), checkedCharts, purpose: variant === undefined ? 'value-set' : 'variant' };
  // A value set adding nothing to the defaults (its files hold only comments: a chart's ci/default-values.yaml)
  // renders as they do: their render is shared, not made again.
  let defaults = DEFAULT_RENDERS.get(checkedCharts);
  if (defaults === undefined) DEFAULT_RENDERS.set(checkedCharts, (defaults = new Map()));
  const same = variant === undefined && set.kind !== 'default' ? (rendersAsDefaults(set) ? defaults.get(dir) : undefined) : undefined;
  if (same !== undefined) renderStats.sameAsDefaults++;
  const pending = same ?? renderChart(request);
  if (variant === undefined && set.kind === 'default') defaults.set(dir, pending);
  const outcome = await pending;
  loaded.renderMs += outcome.ms;
  // A variant that fails (a chart demanding values only on upgrade) cannot be deployed that way with these
  // values: noted on the chart's record, not a scan error.
  if (!outcome.ok && variant !== undefined) return { failed: outcome.message, ms: outcome.ms };
  if (!outcome.ok && library && LIBRARY_REFUSED.test(outcome.message)) {
    loaded.skipped.push({ path: chartPath, reason: LIBRARY_SKIPPED });
    return undefined;
  }
  if (outcome.ok && library) {
    // preadmit's reading of the metadata and helm's differ: what helm renders is judged, and the run fails.
    loaded.errors.push({ kind: 'render', file: `${chartPath}/Chart.yaml`, chart: chartPath, message: 'the chart\'s metadata (Chart.yaml, with requirements.yaml merged in) reads as a library chart, yet helm renders it: only its default values were judged' });
  }
  if (!outcome.ok) {
    const which = set.kind === 'default' ? '' : `with value set ${set.name}: `;
    loaded.errors.push({ kind: 'render', file: chartPath, chart: chartPath, message: `${which}${outcome.message}` });
    return undefined;
  }
  return { request, stdout: outcome.stdout, ms: outcome.ms };
}

/**
 * For a variant with another release: its release name, namespace and Kubernetes version written back as the
 * main render's, so names and versions built from them are not differences (a branch on them still is).
 */
function releaseNormaliser(main: RenderRequest, variant: RenderRequest): (text: string) => string {
  // A namespace taken from the templates' own literals ("istio-system") is written back too, wherever it
  // appears: names built from it (istiod's "istiod-clusterrole-<namespace>") and the references to them.
  // The variant's own values (preadmit-variant-ns, its release name, x.y.99) are written back wherever they
  // appear; a value taken from the templates' literals (it may be a common word: "prod", "a") only where it
  // is a whole token of a name (between -, _ or the ends), so `registry/prod/api` or `latest` stay as written.
  const generated = (value: string, own: boolean): [RegExp, string] => [own ? new RegExp(escapeRegex(value), 'g') : new RegExp(`(?<![A-Za-z0-9./:])${escapeRegex(value)}(?![A-Za-z0-9./:])`, 'g'), value];
  const pairs: [RegExp, string][] = [
    [generated(variant.namespace, variant.namespace === VARIANT_RELEASE.namespace)[0], main.namespace],
    [generated(variant.releaseName, variant.releaseName === variantReleaseName(main.releaseName))[0], main.releaseName],
    ...(variant.kubeVersion && main.kubeVersion ? ([[generated(variant.kubeVersion.replace(/^v/, ''), /\.9[89]$/.test(variant.kubeVersion))[0], main.kubeVersion.replace(/^v/, '')]] as [RegExp, string][]) : []),
  ];
  return (text) => pairs.reduce((out, [from, to]) => out.replace(from, to), text);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** An object's text with `normalise` applied to every string and key (a copy). */
function normaliseRaw(value: unknown, normalise: (text: string) => string): unknown {
  if (typeof value === 'string') return normalise(value);
  if (Array.isArray(value)) return value.map((item) => normaliseRaw(item, normalise));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [normalise(key), normaliseRaw(item, normalise)]));
  return value;
}

/**
 * Copies of the main render's objects standing for what a failed variant render would have rendered: every
 * object with security fields whose template or helpers use a construct the variant changes; when none does
 * (a construct reached through tpl, an archive, a dynamic include), the first object with security fields,
 * at the chart-wide construct line. What an upgrade deploys is unknown, not safe.
 */
function unseenObjects(objects: readonly ScannedObject[], inputs: VariantInputs, locator: ConstructLocator, failed: string, kinds: readonly ConstructKind[] = ConstructLocator.kindsOf(inputs)): ScannedObject[] {
  const variant = variantName(inputs);
  const unseen: ScannedObject[] = [];
  for (const object of objects) {
    if (object.source.origin !== undefined || !hasSecurityFields(object)) continue;
    const constructs = locator.find(object, kinds, false, true);
    if (constructs.length > 0) unseen.push(unseenCopy(object, variant, constructs, failed));
  }
  // Only when no template could be read for the constructs: objects located at templates whose constructs
  // only guard a fail are not unseen.
  if (unseen.length === 0 && !objects.some((object) => locator.find(object, kinds, false).length > 0)) {
    const first = objects.find((object) => object.source.origin === undefined && hasSecurityFields(object));
    // (NOTES.txt renders no object: a construct there changes none.)
    const constructs = first && locator.find(first, kinds, true).filter((c) => !/(^|\/)NOTES\.txt$/.test(c.inArchive ?? c.file));
    if (first !== undefined && constructs !== undefined && constructs.length > 0) unseen.push(unseenCopy(first, variant, constructs, failed));
  }
  return unseen;
}

/** A main render's object standing for what a failed variant render would have rendered of it. */
function unseenCopy(object: ScannedObject, variant: RenderVariant, constructs: TemplateConstruct[], failed: string): ScannedObject {
  return {
    ...object,
    source: { ...object.source, variant },
    renderDependence: { ...object.renderDependence, divergence: { variant, fields: [], onlyInVariant: false, constructs, failed } },
  };
}

/** crds/ objects per chart directory, for one renderCharts call. */
const crdsRead = new WeakMap<RenderedCharts, Map<string, ScannedObject[]>>();

/** The strings of one renderCharts call's objects, one copy of each (objectsOfRender, detachStrings). */
const stringsRead = new WeakMap<RenderedCharts, Map<string, string>>();

function stringsOf(loaded: RenderedCharts): Map<string, string> {
  let strings = stringsRead.get(loaded);
  if (strings === undefined) stringsRead.set(loaded, (strings = new Map()));
  return strings;
}

function parseRender(
  dir: string,
  info: ChartInfo,
  set: ValueSet,
  outcome: { request: RenderRequest; stdout: string; ms: number },
  config: Config,
  repoRoot: string,
  loaded: RenderedCharts,
  onRender: ((render: ChartRender) => void) | undefined,
  locator: ConstructLocator,
): ChartRender {
  const chartPath = relativeTo(repoRoot, dir);
  const objects = objectsOfRender(outcome.stdout, dir, chartPath, set.name, config, repoRoot, loaded.errors, { strings: stringsOf(loaded) });
  markUnknowable(objects, locator);
  // helm install also creates the crds/ objects, which helm template does not print. They do not depend
  // on values: read once per chart and scan (errors reported once), given to every value set.
  let crds = crdsRead.get(loaded)?.get(dir);
  if (crds === undefined) {
    const crdOptions = { chartPath, valueSet: set.name, defaultNamespace: config.helm.namespace, repoRoot, relative: (file: string) => relativeTo(repoRoot, file) };
    crds = chartCrdObjects(dir, crdOptions, loaded.errors);
    if (!crdsRead.has(loaded)) crdsRead.set(loaded, new Map());
    crdsRead.get(loaded)!.set(dir, crds);
  }
  // Only the crds/ of subcharts helm loads with these values (condition, tags: chartutil ProcessDependencies).
  let values: unknown;
  const valuesOf = () => (values ??= effectiveValues({ chartDir: dir, valuesFiles: outcome.request.valuesFiles, set: outcome.request.set }).value);
  for (const object of crds) if (crdLoaded(object, valuesOf)) objects.push({ ...object, source: { ...object.source, valueSet: set.name } });
  const record: ChartRecord = { chart: chartPath, name: info.name, valueSet: set.name, objects: objects.length, renderMs: Math.round(outcome.ms) };
  if (set.kind !== 'default') {
    if (set.own.valuesFiles.length > 0) record.valuesFiles = set.own.valuesFiles.map((f) => relativeTo(repoRoot, f));
    if (set.own.set.length > 0) record.set = [...set.own.set];
  }
  const render: ChartRender = { dir, chart: chartPath, info, valueSet: set, request: outcome.request, objects, record, repoRoot };
  onRender?.(render);
  return render;
}

/**
 * Objects with security fields whose template (or a helper it includes) uses `lookup` or `.Release.Revision`.
 */
function markUnknowable(objects: readonly ScannedObject[], locator: ConstructLocator): void {
  for (const object of objects) {
    if (!hasSecurityFields(object)) continue;
    // (A branch on the release name, namespace or Kubernetes version is rendered: render-variants.ts.)
    // (A branch that only fails the render changes no setting: traefik's helm version guard.)
    const lines = locator.find(object, UNKNOWABLE, false, true);
    if (lines.length > 0) object.renderDependence = { ...object.renderDependence, unknowable: lines };
  }
}

/**
 * Parses a chart's second render, marks its objects whose security fields differ from the main render's
 * (with the template lines that branch) and hands it to onRender like any render. A failed variant, or one
 * whose main render failed, is noted on the main render's record.
 */
function parseVariant(
  job: Job,
  inputs: VariantInputs,
  main: ChartRender | undefined,
  outcome: { request: RenderRequest; stdout: string; ms: number; upgradeFailed?: string; inputs?: VariantInputs } | { failed: string; ms: number } | undefined,
  config: Config,
  repoRoot: string,
  loaded: RenderedCharts,
  locator: ConstructLocator,
  onRender: ((render: ChartRender) => void) | undefined,
): ChartRender | undefined {
  const failedUpgrade = outcome !== undefined && 'upgradeFailed' in outcome ? outcome.upgradeFailed : undefined;
  if (outcome !== undefined && 'inputs' in outcome && outcome.inputs !== undefined) inputs = outcome.inputs;
  const variant = variantName(inputs);
  if (outcome === undefined) return undefined;
  const chartPath = relativeTo(repoRoot, job.dir);
  if ('failed' in outcome) {
    if (main === undefined) return undefined;
    // The cluster's answers can break a template written for helm template's (a found Secret without the
    // key it reads): that render is noted, and render-lookup still reports what depends on them.
    if (inputs.clusterAnswers) {
      const answers: VariantRecord = { variant, objects: 0, renderMs: Math.round(outcome.ms), diverging: 0, error: outcome.failed };
      main.record.answers = answers;
      // What the rest of its answers change stays reported by render-lookup; the version as a managed cluster
      // reports it is only judged by this render: the objects reading it are unseen (a template that renders
      // with helm's answers and not with the cluster's must not pass for that).
      if (inputs.versionSuffix === undefined) return undefined;
      const unseen = unseenObjects(main.objects, inputs, locator, outcome.failed, ['managedVersion']);
      answers.diverging = unseen.length;
      if (unseen.length === 0) return undefined;
      const record: ChartRecord = { chart: chartPath, name: job.info.name, valueSet: job.set.name, objects: 0, renderMs: Math.round(outcome.ms) };
      const render: ChartRender = { dir: job.dir, chart: chartPath, info: job.info, valueSet: job.set, request: main.request, objects: unseen, record, repoRoot, variant, diverges: true };
      onRender?.(render);
      return render;
    }
    const further = (inputs.literalIndex ?? 0) >= 1 || inputs.paired === true;
    // What the chart deploys on upgrade (or with those APIs) is unknown, not safe: every main object with
    // security fields whose template or helpers use the constructs stands for its unseen variant.
    const unseen = unseenObjects(main.objects, inputs, locator, outcome.failed);
    const failed = { variant, objects: 0, renderMs: Math.round(outcome.ms), diverging: unseen.length, error: outcome.failed };
    queuedAt.set(failed, job.index);
    if (further) (main.record.literals ??= []).push(failed);
    else main.record.variant = failed;
    if (unseen.length === 0) return undefined;
    const record: ChartRecord = { chart: chartPath, name: job.info.name, valueSet: job.set.name, objects: 0, renderMs: Math.round(outcome.ms) };
    const render: ChartRender = { dir: job.dir, chart: chartPath, info: job.info, valueSet: job.set, request: main.request, objects: unseen, record, repoRoot, variant, diverges: true };
    onRender?.(render);
    return render;
  }
  // Problems of the variant's output that the main render did not have are reported, the others once.
  const errors: ScanError[] = [];
  const objects = objectsOfRender(outcome.stdout, job.dir, chartPath, job.set.name, config, repoRoot, errors, { strings: stringsOf(loaded) });
  const known = new Set(loaded.errors.map((e) => `${e.file}\u0000${e.message}`));
  // A release named as YAML reads a boolean, null or number (`yes`, `true`, `null`; valid names, tried
  // because the templates compare the name with them) prints as one wherever a template writes it unquoted:
  // the same install fails there, so those fields' types are no error of the chart.
  const identity = [outcome.request.releaseName, outcome.request.namespace];
  const typedName = identity.some((name) => /^(?:true|false|yes|no|on|off|y|n|null|~|[-+]?[0-9][0-9_.]*)$/i.test(name));
  for (const error of errors) {
    if (typedName && / is an? (?:boolean|null|number|integer)\b/.test(error.message)) continue;
    if (!known.has(`${error.file}\u0000${error.message}`)) loaded.errors.push({ ...error, message: `rendered ${variant}: ${error.message}` });
  }
  for (const object of objects) object.source.variant = variant;
  markUnknowable(objects, locator);
  const normalise = inputs.release && main ? releaseNormaliser(main.request, outcome.request) : undefined;
  // Named as the main render names them: the same object, and the same finding (fingerprint), in both.
  // Its text too, so references between its objects (a workload's service account, a binding's subject) hold.
  if (normalise !== undefined) {
    for (const object of objects) {
      object.ref = { ...object.ref, name: normalise(object.ref.name), ...(object.ref.namespace !== undefined ? { namespace: normalise(object.ref.namespace) } : {}) };
      object.raw = normaliseRaw(object.raw, normalise) as ScannedObject['raw'];
    }
  }
  const diverging = main ? divergingObjects(main.objects, objects, normalise) : [];
  const removed = main ? removedObjects(main.objects, objects, normalise).length : 0;
  const kinds = ConstructLocator.kindsOf(inputs);
  for (const { object, fields, onlyInVariant } of diverging) {
    object.renderDependence = { ...object.renderDependence, divergence: { variant, fields, onlyInVariant, constructs: locator.find(object, kinds, true) } };
  }
  // Made again without --is-upgrade: the objects whose templates branch on upgrade were not seen as upgraded.
  const unseen = failedUpgrade !== undefined && main ? unseenObjects(main.objects, { upgrade: true, extensionApis: false }, locator, failedUpgrade) : [];
  objects.push(...unseen);
  const record: ChartRecord = { chart: chartPath, name: job.info.name, valueSet: job.set.name, objects: objects.length - unseen.length, renderMs: Math.round(outcome.ms) };
  const made = { variant, objects: objects.length - unseen.length, renderMs: Math.round(outcome.ms), diverging: diverging.length + unseen.length, ...(removed > 0 ? { removed } : {}), ...(failedUpgrade !== undefined ? { error: failedUpgrade } : {}) };
  queuedAt.set(made, job.index);
  if (main && !inputs.clusterAnswers && ((inputs.literalIndex ?? 0) >= 1 || inputs.paired === true)) (main.record.literals ??= []).push(made);
  else if (main) main.record[inputs.clusterAnswers ? 'answers' : 'variant'] = made;
  const diverges = diverging.length + unseen.length + removed > 0;
  const render: ChartRender = { dir: job.dir, chart: chartPath, info: job.info, valueSet: job.set, request: outcome.request, objects, record, repoRoot, variant, diverges };
  onRender?.(render);
  return render;
}
