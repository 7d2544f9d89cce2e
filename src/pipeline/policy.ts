// Whose policy gates a pull request. The configuration, its suppressions and locks, and the suppression
// comments and annotations in the scanned files come from a trusted revision (the pull request's base
// commit), never from the files the pull request itself changes: a pull request cannot pass its own gate
// by adding `failOn: never`, a suppression, or an ignore comment. What it changes in the policy is listed
// for review and takes effect once merged.
//
// When the base cannot be read, the gate falls back to the strictest reading of the checked-out
// configuration: no rule disabled or lowered, no suppression of any kind honoured, the stricter of its
// failOn and the default, nothing excluded from the scan, no values or --set pairs it adds to charts. That may block a pull request the base policy
// would pass, but never passes one it would block; the fallback is said in the log and in the report.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { objectsFromDocuments } from '../loaders/objects.ts';
import { loadYamlDocuments } from '../loaders/yaml-docs.ts';
import type { ChartRender } from '../render/charts.ts';
import { CONFIG_FILE_NAME, defaultConfig, loadConfigText, type Config, type ConfiguredSuppression } from '../config/config.ts';
import { isInside, relativeTo } from './discover.ts';
import { safeRealpath } from '../model/paths.ts';
import { UsageError } from '../model/errors.ts';
import { changedFilesSince, readFileAt, readFilesAt, resolveRevision } from './git.ts';
import { severityRank, type FailOn, type Finding, type PolicyChange, type PolicyInfo, type ScannedObject, type Severity, type SuppressionRecord } from '../model/model.ts';
import { annotationsOf, ANNOTATION_PREFIX, commentKey, parseComments, type PendingSuppressions, type SuppressionComment } from './suppress.ts';

export interface PolicyRequest {
  /** The git revision whose policy applies (a pull request's base SHA, or any revision for the CLI). */
  revision: string;
  /** Fetch the commit from origin when the clone lacks it (the Action's shallow checkouts). */
  fetch: boolean;
  /** When the revision cannot be read: fall back to the strictest head policy (Action), or stop (CLI). */
  onUnavailable: 'fallback' | 'error';
}

export interface ResolvedPolicy {
  /** The configuration that gates the scan (before command-line options). */
  config: Config;
  info: PolicyInfo;
  /** The commit read, when it could be. */
  sha?: string;
  /** Decides which suppressions in the scanned files the pull request adds (after the scan has loaded them). */
  pending(input: PendingInput): Promise<PendingSuppressions>;
}

export interface PendingInput {
  comments: Map<string, SuppressionComment[]>;
  objects: readonly ScannedObject[];
  renders: readonly ChartRender[];
}

/** The configuration files a scan looks up from its first path, nearest first (findConfig's order). */
function configCandidates(first: string, repoRoot: string, isDirectory: boolean): string[] {
  let dir = path.resolve(first);
  if (!isDirectory) dir = path.dirname(dir);
  const out: string[] = [];
  for (;;) {
    out.push(path.join(dir, CONFIG_FILE_NAME));
    if (dir === repoRoot || path.dirname(dir) === dir) return out;
    dir = path.dirname(dir);
  }
}

/**
 * The policy at a revision: the configuration there (explicit file, or the nearest .preadmit.yaml as at
 * the head), with the head's configuration for the list of changes.
 */
export async function policyAt(
  request: PolicyRequest,
  head: Config,
  lookup: { configFile?: string; first: string; firstIsDirectory: boolean },
  repoRoot: string,
  ruleIds: readonly string[],
  defaultSeverity: (rule: string) => Severity | undefined,
): Promise<ResolvedPolicy> {
  const display = (file: string) => relativeTo(repoRoot, file);
  const unavailable = (message: string): ResolvedPolicy => {
    if (request.onUnavailable === 'error') throw new UsageError(`cannot read the policy at ${request.revision}: ${message}`);
    return fallbackPolicy(head, message, request.revision, defaultSeverity);
  };
  const revision = await resolveRevision(repoRoot, request.revision, { fetch: request.fetch });
  if (!revision.ok) return unavailable(revision.message);
  const sha = revision.sha;
  const short = sha.slice(0, 12);

  const candidates = lookup.configFile !== undefined ? [path.resolve(lookup.configFile)] : configCandidates(lookup.first, repoRoot, lookup.firstIsDirectory);
  let config = defaultConfig();
  // A configuration outside the repository is not the pull request's.
  const inRepo = candidates.filter((candidate) => isInside(repoRoot, candidate));
  const found = await readFilesAt(repoRoot, sha, inRepo.map(display));
  for (const [i, candidate] of inRepo.entries()) {
    const file = found[i]!;
    if (file.kind === 'missing') continue;
    if (file.kind === 'unreadable') return unavailable(file.message);
    config = loadConfigText(file.text, candidate, ruleIds, `${display(candidate)}@${short}`, repoRoot);
    break;
  }
  if (lookup.configFile !== undefined && !isInside(repoRoot, path.resolve(lookup.configFile))) config = head; // outside the repository: not changed by it
  const info: PolicyInfo = {
    from: 'revision',
    revision: sha,
    ...(config.file !== undefined ? { file: display(config.file) } : {}),
    changes: configChanges(config, head, display),
  };
  return {
    config,
    info,
    sha,
    pending: (input) => pendingAgainst(repoRoot, sha, config, input),
  };
}

/** The strictest reading of the head's configuration, for when the base's cannot be read. */
function fallbackPolicy(head: Config, message: string, revision: string, defaultSeverity: (rule: string) => Severity | undefined): ResolvedPolicy {
  const config = strictest(head, defaultSeverity);
  const why = `the policy of ${revision.slice(0, 12)} could not be read (${message})`;
  return {
    config,
    info: {
      from: 'fallback',
      revision,
      message: `${why}; gating with the strictest reading of this pull request's configuration instead: no rule disabled or lowered, no exclusions, no values it adds to charts, the stricter failOn, and no suppression (configured, comment or annotation) honoured`,
      changes: [],
    },
    pending: async () => ({ message: `not honoured: ${why}`, comment: () => true, annotation: () => true }),
  };
}

const FAIL_ON_ORDER: readonly FailOn[] = ['low', 'medium', 'high', 'critical', 'never'];

/** A configuration no looser than either `config` or the defaults. */
export function strictest(config: Config, defaultSeverity: (rule: string) => Severity | undefined): Config {
  const defaults = defaultConfig();
  const out: Config = structuredClone(config);
  out.failOn = FAIL_ON_ORDER[Math.min(FAIL_ON_ORDER.indexOf(config.failOn), FAIL_ON_ORDER.indexOf(defaults.failOn))]!;
  out.failOnErrors = true;
  out.pss = { level: 'restricted', version: defaults.pss.version };
  out.include = [];
  out.exclude = [];
  // Values and --set pairs the configuration adds can hide what a chart's own values do.
  out.charts = out.charts.map((chart) => ({ ...chart, valuesFiles: [], set: [] }));
  out.helm = { ...out.helm, valuesFiles: [], set: [] };
  out.suppressions = [];
  out.annotationSuppressions = false;
  // A baseline accepts findings: the pull request's own cannot be trusted.
  delete out.baseline;
  if (out.valueSets.severity !== 'keep' && severityRank(out.valueSets.severity) < severityRank(defaults.valueSets.severity as Severity)) out.valueSets.severity = defaults.valueSets.severity;
  for (const [id, setting] of Object.entries(out.rules)) {
    const floor = defaultSeverity(id);
    const raised = setting.severity !== undefined && floor !== undefined && severityRank(setting.severity) > severityRank(floor);
    // Options can widen what a rule accepts (allowlists): the fallback uses the rule's own defaults.
    out.rules[id] = { enabled: true, options: {}, ...(raised ? { severity: setting.severity! } : {}), ...(setting.locked ? { locked: true } : {}) };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// What the pull request changes in the configuration

function describeSuppression(s: ConfiguredSuppression, display: (file: string) => string): string {
  const scope = (['chart', 'file', 'valueSet', 'kind', 'namespace', 'name', 'container'] as const)
    .filter((key) => s[key] !== undefined)
    .map((key) => `${key} ${key === 'chart' || key === 'file' ? display(s[key]!) : s[key]}`);
  return `suppression of ${s.rule}${scope.length > 0 ? ` (${scope.join(', ')})` : ''}${s.expires !== undefined ? ` until ${s.expires}` : ''}: ${s.reason}`;
}

function suppressionIdentity(s: ConfiguredSuppression): string {
  const { declared: _declared, ...rest } = s;
  return JSON.stringify(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
}

function ruleSummary(config: Config, id: string): string {
  const setting = config.rules[id];
  const parts = [setting === undefined || setting.enabled ? 'on' : 'off'];
  if (setting?.severity !== undefined) parts.push(`severity ${setting.severity}`);
  if (setting !== undefined && Object.keys(setting.options).length > 0) parts.push(`options ${JSON.stringify(setting.options)}`);
  if (config.lockedRules.includes(id)) parts.push('locked');
  return parts.join(', ');
}

/** Every difference between the base's configuration and the head's that changes what the gate does. */
export function configChanges(base: Config, head: Config, display: (file: string) => string): PolicyChange[] {
  const changes: PolicyChange[] = [];
  const where = (config: Config, line?: number) => (config.file !== undefined ? { file: display(config.file), ...(line !== undefined ? { line } : {}) } : {});
  const baseFile = base.file !== undefined ? display(base.file) : undefined;
  const headFile = head.file !== undefined ? display(head.file) : undefined;
  if (baseFile !== headFile) {
    changes.push({
      kind: 'config',
      change: baseFile === undefined ? 'added' : headFile === undefined ? 'removed' : 'changed',
      summary: baseFile === undefined ? `configuration file ${headFile} added` : headFile === undefined ? `configuration file ${baseFile} removed` : `configuration file ${baseFile} replaced by ${headFile}`,
      ...where(headFile === undefined ? base : head),
    });
  }
  const setting = (name: string, a: unknown, b: unknown) => {
    const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
    if (x !== y) changes.push({ kind: 'config', change: 'changed', summary: `${name}: ${x} → ${y}`, ...where(head) });
  };
  setting('failOn', base.failOn, head.failOn);
  setting('failOnErrors', base.failOnErrors, head.failOnErrors);
  setting('pss.level', base.pss.level, head.pss.level);
  setting('pss.version', base.pss.version, head.pss.version);
  setting('annotationSuppressions', base.annotationSuppressions, head.annotationSuppressions);
  setting('include', base.include, head.include);
  setting('exclude', base.exclude, head.exclude);
  setting('baseline', base.baseline !== undefined ? display(base.baseline) : null, head.baseline !== undefined ? display(head.baseline) : null);
  setting('valueSets', base.valueSets, head.valueSets);
  setting('provenance', base.provenance, head.provenance);
  const renderSettings = (c: Config) => ({ helm: c.helm, charts: c.charts.map((chart) => ({ ...chart, valueSets: chart.valueSets.map(({ declared: _d, ...set }) => set) })) });
  if (JSON.stringify(renderSettings(base)) !== JSON.stringify(renderSettings(head))) {
    changes.push({ kind: 'config', change: 'changed', summary: 'render settings (helm, charts) changed: charts render with the base settings until merged', ...where(head) });
  }
  for (const id of [...new Set([...Object.keys(base.rules), ...Object.keys(head.rules), ...base.lockedRules, ...head.lockedRules])].sort()) {
    const [before, after] = [ruleSummary(base, id), ruleSummary(head, id)];
    if (before !== after) changes.push({ kind: 'config', change: 'changed', summary: `rule ${id}: ${before} → ${after}`, ...where(head, head.rules[id]?.declared?.line ?? head.lockDeclared?.[id]?.line) });
  }
  const remaining = new Map<string, ConfiguredSuppression[]>();
  for (const s of base.suppressions) remaining.set(suppressionIdentity(s), [...(remaining.get(suppressionIdentity(s)) ?? []), s]);
  for (const s of head.suppressions) {
    const same = remaining.get(suppressionIdentity(s));
    if (same !== undefined && same.length > 0) {
      same.shift();
      continue;
    }
    changes.push({ kind: 'suppression', change: 'added', summary: describeSuppression(s, display), file: display(s.declared.file), ...(s.declared.line !== undefined ? { line: s.declared.line } : {}) });
  }
  for (const list of remaining.values()) {
    for (const s of list) changes.push({ kind: 'suppression', change: 'removed', summary: describeSuppression(s, display), file: display(s.declared.file), ...(s.declared.line !== undefined ? { line: s.declared.line } : {}) });
  }
  return changes;
}

/** Suppression comments and annotations the scan found that the base does not have, as policy changes. */
export function pendingChanges(records: readonly SuppressionRecord[]): PolicyChange[] {
  return records
    .filter((r) => r.status === 'pending')
    .map((r) => ({
      kind: r.kind === 'annotation' ? 'annotation' : 'comment',
      change: 'added',
      // A base comment held back for one finding says why in its message (see chartChanges).
      summary: r.kind === 'comment' && r.object !== undefined && r.message !== undefined ? r.message : `${r.kind} suppression of ${r.rule}${r.container !== undefined ? ` (container ${r.container})` : ''}${r.object !== undefined ? ` on ${r.object.kind} ${r.object.name}` : ''}: ${r.reason ?? ''}`,
      file: r.file,
      ...(r.line !== undefined ? { line: r.line } : {}),
    }));
}

// ---------------------------------------------------------------------------------------------------------
// Which suppressions in the scanned files the pull request adds

const PENDING_MESSAGE = 'added in this pull request: it takes effect once merged';

/**
 * A comment as the base must have it too: its rule and container, the text of the line it applies to, and
 * the lines enclosing that one (each nearest line above with less indentation: the keys of a values file,
 * the blocks of a template). The same line copied under another key is another suppression.
 */
function commentIdentity(c: SuppressionComment, lines: readonly string[]): string {
  const indent = (line: string) => line.length - line.trimStart().length;
  const target = lines[c.target - 1] ?? '';
  const parts = [c.rule, c.container ?? '', target.trim()];
  let depth = indent(target);
  for (let i = c.target - 2; i >= 0 && depth > 0; i--) {
    const line = lines[i]!;
    if (line.trim() === '' || /^\s*(#|\{\{-?\s*\/\*)/.test(line) || indent(line) >= depth) continue;
    depth = indent(line);
    parts.push(line.trim());
  }
  return parts.join('\u0000');
}

async function pendingComments(repoRoot: string, sha: string, comments: Map<string, SuppressionComment[]>): Promise<Set<string>> {
  const pending = new Set<string>();
  const files = [...comments].filter(([, list]) => list.length > 0);
  // Files outside the repository (values given on the command line) have no base: their comments are new.
  const bases = await readFilesAt(repoRoot, sha, files.map(([file]) => relativeTo(repoRoot, file)));
  for (const [i, [file, list]] of files.entries()) {
    let headLines: string[];
    try {
      headLines = readFileSync(file, 'utf8').split(/\r?\n/);
    } catch {
      headLines = [];
    }
    const base = bases[i]!;
    const available = new Map<string, number>();
    if (base.kind === 'file') {
      const baseLines = base.text.split(/\r?\n/);
      for (const c of parseComments(file, base.text)) {
        const key = commentIdentity(c, baseLines);
        available.set(key, (available.get(key) ?? 0) + 1);
      }
    }
    for (const c of [...list].sort((a, b) => a.line - b.line)) {
      const key = commentIdentity(c, headLines);
      const left = available.get(key) ?? 0;
      if (left > 0) available.set(key, left - 1);
      else pending.add(commentKey(c.file, c.line));
    }
  }
  return pending;
}

function suppressionAnnotations(raw: Record<string, unknown>): [string, unknown][] {
  return Object.entries(annotationsOf(raw)).filter(([key]) => key.startsWith(ANNOTATION_PREFIX));
}

function identity(object: { ref: { kind: string; namespace?: string; name: string } }): string {
  return [object.ref.kind, object.ref.namespace ?? '', object.ref.name].join('\u0000');
}

// ---------------------------------------------------------------------------------------------------------
// What a chart's render reads, and what of it the pull request changes

/** Entries listed in one chart (symlink targets included) before giving up: an answer must come quickly. */
const MAX_CHART_ENTRIES = 50_000;

/**
 * Everything a chart's renders read, as repository-relative paths git can compare: the chart directory,
 * the targets of every symlink in it (helm follows them: files, directories and subchart folders, and the
 * links inside those, recursively), and the values files. A path behind a symlink is named both ways: git
 * sees a link as the link's own text, never its target's content. Undefined when one leads outside the
 * repository (nothing there is the base's) or the chart is too large to list.
 */
export function renderReads(repoRoot: string, dirs: readonly string[], files: readonly string[]): string[] | undefined {
  const realRoot = safeRealpath(repoRoot) ?? repoRoot;
  const out = new Set<string>();
  const walked = new Set<string>();
  let budget = MAX_CHART_ENTRIES;
  const note = (p: string): boolean => {
    const named = path.resolve(p);
    if (isInside(repoRoot, named)) out.add(relativeTo(repoRoot, named));
    else if (isInside(realRoot, named)) out.add(relativeTo(realRoot, named));
    else return false;
    const real = safeRealpath(named);
    if (real === undefined) return true; // a dangling link: its own text is compared (helm fails on it anyway)
    if (!isInside(realRoot, real)) return false;
    out.add(relativeTo(realRoot, real));
    return true;
  };
  const walk = (dir: string): boolean => {
    const real = safeRealpath(dir);
    if (real === undefined || walked.has(real)) return true;
    walked.add(real);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return true; // unreadable: helm cannot render it either
    }
    for (const entry of entries) {
      if (--budget < 0) return false;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '.git' && !walk(full)) return false;
      } else if (entry.isSymbolicLink()) {
        if (!note(full)) return false;
        const target = safeRealpath(full);
        let isDirectory = false;
        try {
          isDirectory = target !== undefined && statSync(target).isDirectory();
        } catch {
          isDirectory = false;
        }
        if (isDirectory && !walk(target!)) return false;
      }
    }
    return true;
  };
  for (const dir of dirs) if (!note(dir) || !walk(dir)) return undefined;
  for (const file of files) if (!note(file)) return undefined;
  return [...out].sort();
}

/** What a pull request changed in what one chart's renders read (or a plan file, for its objects). */
interface ChartChanges {
  /** Every changed file (repository-relative); undefined when that cannot be told. */
  changed: string[] | undefined;
  /** The changed files that are not values files: templates, helpers, Chart.yaml, subcharts, files. */
  templates: string[] | undefined;
}

async function chartChanges(repoRoot: string, sha: string, renders: readonly ChartRender[], file: string): Promise<ChartChanges> {
  const dirs = [...new Set(renders.map((r) => r.dir))];
  const valuesFiles = [...new Set(renders.flatMap((r) => r.request.valuesFiles))];
  const reads = renders.length > 0 ? renderReads(repoRoot, dirs, valuesFiles) : renderReads(repoRoot, [], [path.resolve(repoRoot, file)]);
  const changed = reads === undefined ? undefined : await changedFilesSince(repoRoot, sha, reads);
  if (changed === undefined) return { changed: undefined, templates: undefined };
  // Values files: the ones the renders name, and values.yaml at the root of the chart and of its subcharts
  // (the chart's own through a symlink too).
  const values = new Set(renderReads(repoRoot, [], [...valuesFiles, ...dirs.map((dir) => path.join(dir, 'values.yaml'))]) ?? []);
  const roots = [...new Set(dirs.flatMap((dir) => [relativeTo(repoRoot, dir), ...(safeRealpath(dir) !== undefined ? [relativeTo(safeRealpath(repoRoot) ?? repoRoot, safeRealpath(dir)!)] : [])]))];
  const chartValues = (f: string) => roots.some((root) => f.startsWith(`${root}/`) && /^(charts\/[^/]+\/)*values\.yaml$/.test(f.slice(root.length + 1)));
  return { changed, templates: changed.filter((f) => !values.has(f) && !chartValues(f)) };
}

/** Chart changes, each chart computed once, on first request. */
function chartChangesCache(repoRoot: string, sha: string, renders: readonly ChartRender[]) {
  const cache = new Map<string, Promise<ChartChanges>>();
  return (source: { chart?: string; file: string }): Promise<ChartChanges> => {
    const key = source.chart ?? source.file;
    let found = cache.get(key);
    if (found === undefined) cache.set(key, (found = chartChanges(repoRoot, sha, renders.filter((r) => r.chart === source.chart && source.chart !== undefined), source.file)));
    return found;
  };
}

/**
 * Why a comment the base has cannot count for a finding from a chart yet, or undefined when it can. The
 * comment was approved for what the base's templates render: it counts only while no file of the chart
 * other than its values files changed. Checking the finding's own template alone is not enough: a changed
 * template can print another template's `# Source:` line, or redefine a named template the other includes.
 */
function heldBack(comment: { file: string; line: number }, finding: Finding, changes: ChartChanges, repoRoot: string): string | undefined {
  if (changes.templates !== undefined && changes.templates.length === 0) return undefined;
  const marker = `ignore comment at ${relativeTo(repoRoot, comment.file)}:${comment.line}`;
  const on = `${finding.ruleId} on ${finding.object.kind}/${finding.object.name} from ${finding.source.file}`;
  if (changes.templates === undefined) return `${marker} suppresses ${on} once merged: the chart's files could not be compared with the base (a symlink leads outside the repository, or git could not tell)`;
  const template = path.resolve(repoRoot, finding.source.file);
  const real = safeRealpath(template);
  const names = [finding.source.file, ...(real !== undefined ? [relativeTo(safeRealpath(repoRoot) ?? repoRoot, real)] : [])];
  if (names.some((name) => changes.templates!.includes(name))) return `${marker} would also suppress ${on}, which this pull request adds or changes`;
  const list = changes.templates.slice(0, 3).join(', ') + (changes.templates.length > 3 ? `, and ${changes.templates.length - 3} more` : '');
  return `${marker} suppresses ${on} once merged: this pull request changes other files of chart ${finding.source.chart ?? ''} (${list}), which can change what that template renders`;
}

/**
 * Annotations count only when the base has them with the same value. A manifest's objects are compared
 * with the same file at the base. A chart's render (and a plan's) cannot be compared line by line: its
 * annotations count only when nothing the render reads (the chart directory, the targets of its symlinks,
 * its values files: renderReads) changed since the base - then the base render is the same render.
 */
async function pendingAnnotations(repoRoot: string, sha: string, input: PendingInput, changes: (source: { chart?: string; file: string }) => Promise<ChartChanges>): Promise<(object: ScannedObject, key: string, value: unknown) => boolean> {
  const carriers = input.objects.filter((o) => suppressionAnnotations(o.raw).length > 0);
  if (carriers.length === 0) return () => false;
  const baseManifests = new Map<string, Map<string, Record<string, unknown>> | undefined>();
  const unchanged = new Map<string, boolean>();
  const inRepo = (file: string) => {
    const rel = relativeTo(repoRoot, path.resolve(repoRoot, file));
    return rel.startsWith('../') ? undefined : rel;
  };
  for (const object of carriers) {
    const { source } = object;
    if (source.kind === 'manifest' && !baseManifests.has(source.file)) {
      const rel = inRepo(source.file);
      const base = rel === undefined ? undefined : await readFileAt(repoRoot, sha, rel);
      if (base?.kind !== 'file') {
        baseManifests.set(source.file, undefined);
        continue;
      }
      const parsed = loadYamlDocuments(base.text);
      const { objects } = objectsFromDocuments(parsed.documents, { source: { kind: 'manifest', file: source.file }, linesAreSource: true, strict: false });
      baseManifests.set(source.file, new Map(objects.map((o) => [identity(o), annotationsOf(o.raw)])));
    } else if (source.kind !== 'manifest') {
      // One answer per chart, over every value set: an annotation is recorded once per object, whatever
      // the value set that rendered it.
      const key = source.chart ?? source.file;
      if (unchanged.has(key)) continue;
      const { changed } = await changes(source);
      unchanged.set(key, changed !== undefined && changed.length === 0);
    }
  }
  return (object, key, value) => {
    const { source } = object;
    if (source.kind === 'manifest') {
      const base = baseManifests.get(source.file)?.get(identity(object));
      return base === undefined || JSON.stringify(base[key]) !== JSON.stringify(value);
    }
    return unchanged.get(source.chart ?? source.file) !== true;
  };
}

async function pendingAgainst(repoRoot: string, sha: string, config: Config, input: PendingInput): Promise<PendingSuppressions> {
  const changes = chartChangesCache(repoRoot, sha, input.renders);
  const comments = await pendingComments(repoRoot, sha, input.comments);
  const annotation = config.annotationSuppressions ? await pendingAnnotations(repoRoot, sha, input, changes) : () => false;
  // The charts whose files carry comments, compared before the (synchronous) matching asks about findings.
  const charts = new Map<string, ChartChanges>();
  if ([...input.comments.values()].some((list) => list.length > 0)) {
    for (const chart of new Set(input.renders.map((r) => r.chart))) charts.set(chart, await changes({ chart, file: chart }));
  }
  return {
    message: PENDING_MESSAGE,
    comment: (file, line) => comments.has(commentKey(file, line)),
    commentFinding: (file, line, finding) => (finding.source.chart === undefined ? undefined : heldBack({ file, line }, finding, charts.get(finding.source.chart) ?? { changed: undefined, templates: undefined }, repoRoot)),
    annotation,
  };
}
