// `--base REV`: what the scanned files change against a git revision. The same paths are scanned as they
// are at REV, in a temporary export (a private index file and `git checkout-index`: the user's work tree,
// index and refs are never touched), each side with one call of scan(). Every finding of the head is then
// `new` or `existing`, the base's findings the head no longer has are `fixed`, and only new findings gate
// the run unless `--gate all`. Only charts that changed since the base are rendered, on both sides
// (changed-charts.ts), unless `--all`. ValidatingAdmissionPolicies see the head's objects as the requests the
// change sends: UPDATEs of the base's objects, CREATEs of new ones, DELETEs of removed ones (prepared.ts).
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { execa } from 'execa';
import { CONFIG_FILE_NAME, namedValuesFiles, type Config } from '../config/config.ts';
import { chooseCharts, localDependencies, type ChartChoice } from './changed-charts.ts';
import { findRepoRoot } from './discover.ts';
import { isInside } from '../model/paths.ts';
import { UsageError } from '../model/errors.ts';
import { changedFilesSince, resolveRevision } from './git.ts';
import { isBlocking, severityRank, type BaseInfo, type Finding, type ObjectRef, type ScannedObject, type ScanResult, type SourceInfo } from '../model/model.ts';
import { scan, type ScanOptions } from './scan.ts';
import { updateNotMatched } from '../admission/prepared.ts';

export interface BaseRequest {
  /** The git revision to compare with. */
  revision: string;
  /** new (default): only new findings gate the run; all: every finding does. */
  gate: 'new' | 'all';
  /** Render every chart, changed or not. */
  all: boolean;
}

const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C' };

/**
 * The tree of a commit written into `dir`/tree, through an index file of our own (GIT_INDEX_FILE), so the
 * repository's index and work tree stay as they are. checkout-index applies the repository's own
 * checkout filters and line endings, as the user's checkout of that commit would have them; unlike
 * `git archive` it does not drop files marked export-ignore. Submodules are not exported.
 *
 * A pull request touching one chart of many would spend most of its time writing the others (issue 18:
 * 62 MB of corpus charts took 1-3 s, and 28 MB of their values, examples and docs still 0.3 s): of a
 * chart no changed file is under, only Chart.yaml, requirements.yaml and configuration files are written
 * (the base's scan finds the chart and its dependencies, as the head's does, and leaves it unrendered).
 * `more` writes the rest of such charts if the base's scan renders them after all (its configuration
 * changed, a dependency did), and `under` a file or folder the scan reads directly (the configuration
 * file, a values file, admission policy or baseline the options or the configuration name, a scanned path
 * inside a left-out folder): synchronously, from the same index. A commit holding a Terraform plan that
 * releases a Helm chart (`helm_release`, which may render a local chart) is written whole.
 */
export async function exportCommit(repoRoot: string, sha: string, dir: string, changed: readonly string[] | undefined): Promise<{ more: (charts: readonly string[]) => void; under: (file: string) => void; missing: string[] }> {
  const index = path.join(dir, '.preadmit-index');
  const env = { ...GIT_ENV, GIT_INDEX_FILE: index };
  const tree = path.join(dir, 'tree');
  mkdirSync(tree);
  const run = async (args: string[], input?: string) => {
    const result = await execa('git', args, { cwd: repoRoot, env, reject: false, timeout: 300_000, maxBuffer: 256 * 1024 * 1024, ...(input !== undefined ? { input } : { stdin: 'ignore' as const }) });
    if (result.exitCode !== 0) throw new UsageError(`--base: git could not export ${sha.slice(0, 12)} (git ${args[0]}: ${String(result.stderr).split('\n')[0] || 'failed'})`);
    return String(result.stdout);
  };
  await run(['read-tree', sha]);
  const prefix = `--prefix=${tree}${path.sep}`;
  // Every file with its mode (120000: a symlink), and the charts (folders holding a Chart.yaml).
  const listing = changed === undefined ? [] : (await run(['ls-files', '-s', '-z'])).split('\u0000').filter((line) => line !== '');
  const entries = listing.map((line) => ({ mode: line.slice(0, 6), file: line.slice(line.indexOf('\t') + 1) }));
  const charts = entries.filter((e) => e.file === 'Chart.yaml' || e.file.endsWith('/Chart.yaml')).map((e) => path.posix.dirname(e.file));
  const untouched = changed === undefined || charts.includes('.') ? [] : charts.filter((chart) => !changed.some((file) => file.startsWith(`${chart}/`)));
  const within = (file: string, chart: string) => file.startsWith(`${chart}/`);
  const untouchedSet = new Set(untouched);
  // The chart folder a file is left out with (the outermost untouched one holding it), by its parent folders.
  const leftOut = (file: string): string | undefined => {
    if (untouchedSet.size === 0) return undefined;
    for (let at = file.indexOf('/'); at !== -1; at = file.indexOf('/', at + 1)) {
      const chart = file.slice(0, at);
      if (!untouchedSet.has(chart)) continue;
      // Its Chart.yaml and requirements.yaml stay (the base's scan finds the chart and its file:// dependencies
      // as the head's does), and a configuration file (found by walking up from a scanned path).
      const rest = file.slice(at + 1);
      return rest === 'Chart.yaml' || rest === 'requirements.yaml' || rest.split('/').at(-1) === CONFIG_FILE_NAME ? undefined : chart;
    }
    return undefined;
  };
  const skipped = new Map<string, string[]>();
  const kept: string[] = [];
  for (const { file } of entries) {
    const chart = leftOut(file);
    if (chart === undefined) kept.push(file);
    else {
      const list = skipped.get(chart);
      if (list === undefined) skipped.set(chart, [file]);
      else list.push(file);
    }
  }
  // A symlink may point into a chart left out, a plan's helm_release may render one: everything is written
  // then, as the commit has it.
  const links = entries.some((e) => e.mode === '120000');
  const releases = skipped.size > 0 && !links && (await execa('git', ['grep', '--cached', '-l', '-i', '-e', 'helm_release', '-e', String.raw`helm\\u005frelease`, '--', ':(icase)*.json'], { cwd: repoRoot, env, reject: false, stdin: 'ignore', timeout: 300_000 })).exitCode !== 1;
  if (changed === undefined || skipped.size === 0 || links || releases) await run(['checkout-index', '--all', '--force', prefix]);
  else await run(['checkout-index', '--force', '-z', '--stdin', prefix], kept.join('\u0000'));
  const submodules = exportSubmodules(repoRoot, sha, tree, dir);
  // Marks the export's root the way a checkout's .git does, so files are named as in the repository.
  mkdirSync(path.join(tree, '.git'));
  const write = (files: readonly string[]) => {
    if (files.length === 0) return;
    const result = spawnSync('git', ['checkout-index', '--force', '-z', '--stdin', prefix], { cwd: repoRoot, env: { ...process.env, ...env }, input: files.join('\u0000'), timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) throw new UsageError(`--base: git could not export ${sha.slice(0, 12)} (git checkout-index: ${String(result.stderr).split('\n')[0] || 'failed'})`);
  };
  const more = (wanted: readonly string[]) => {
    for (const chart of wanted) submodules.want(chart, 'chart');
    write([...new Set(wanted.flatMap((chart) => [...skipped.entries()].filter(([left]) => left === chart || within(left, chart) || within(chart, left)).flatMap(([left, list]) => (skipped.delete(left), list))))]);
  };
  const under = (wanted: string) => {
    submodules.want(wanted.replace(/\/+$/, ''), 'file');
    const chart = leftOut(`${wanted.replace(/\/+$/, '')}/`);
    const list = chart === undefined ? undefined : skipped.get(chart);
    if (list === undefined) return;
    const taken = list.filter((f) => f === wanted || within(f, wanted));
    if (taken.length === 0) return;
    const gone = new Set(taken);
    skipped.set(chart!, list.filter((f) => !gone.has(f)));
    write(taken);
  };
  return { more, under, missing: submodules.missing };
}

/**
 * The submodules of a commit, written at the commits it records from their checkouts' own repositories
 * (their charts render on the base side as on the head's, which reads the checked-out submodule). At first
 * only what the base's scan needs to find their charts (Chart.yaml, requirements.yaml, configuration files)
 * and the YAML and JSON files outside charts (manifests a directory search reads), all the way down; a
 * submodule whole once the scan renders a chart in it or reads a file there (`want`): a
 * large vendored submodule the change leaves alone costs a listing, not a checkout. A submodule not checked
 * out, or whose recorded commit was not fetched, is missing: the head's findings under it count as new, and
 * the report says why.
 */
function exportSubmodules(repoRoot: string, sha: string, tree: string, scratch: string): { missing: string[]; want: (wanted: string, kind: 'chart' | 'file') => void } {
  interface Link {
    /** Repository-relative path (through the submodules above it). */
    file: string;
    checkout: string;
    commit: string;
    at: string;
    whole: boolean;
  }
  const missing: string[] = [];
  const links: Link[] = [];
  const git = (cwd: string, args: string[], index?: string) =>
    spawnSync('git', args, { cwd, env: { ...process.env, ...GIT_ENV, ...(index !== undefined ? { GIT_INDEX_FILE: index } : {}) }, timeout: 300_000, maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  let indexes = 0;
  const visit = (root: string, commit: string, into: string, prefix: string) => {
    const listed = git(root, ['ls-tree', '-r', '-z', commit]);
    if (listed.status !== 0) return;
    for (const line of String(listed.stdout).split('\u0000')) {
      if (!line.startsWith('160000 ')) continue;
      const file = line.slice(line.indexOf('\t') + 1);
      const linked = line.split(' ')[2]!.split('\t')[0]!;
      const checkout = path.join(root, file);
      // The submodule's own repository (its checkout's .git), never the superproject's found by walking up.
      const top = existsSync(path.join(checkout, '.git')) ? git(checkout, ['rev-parse', '--show-toplevel']) : undefined;
      if (top === undefined || top.status !== 0 || path.resolve(String(top.stdout).trim()) !== realpathSync(checkout) || git(checkout, ['cat-file', '-e', `${linked}^{commit}`]).status !== 0) {
        missing.push(prefix + file);
        continue;
      }
      const at = path.join(into, file);
      const index = path.join(scratch, `.preadmit-index-sub-${indexes++}`);
      const files = git(checkout, ['read-tree', linked], index).status === 0 ? git(checkout, ['ls-files', '-z'], index) : undefined;
      if (files === undefined || files.status !== 0) {
        missing.push(prefix + file);
        continue;
      }
      const all = String(files.stdout).split('\u0000').filter((f) => f !== '');
      const charts = all.filter((f) => path.posix.basename(f) === 'Chart.yaml').map((f) => path.posix.dirname(f));
      const inChart = (f: string) => charts.some((c) => c === '.' || f.startsWith(`${c}/`));
      // What finds the charts, and the manifests outside charts (a directory search reads them on both sides).
      const found = all.filter((f) => ['Chart.yaml', 'requirements.yaml', CONFIG_FILE_NAME].includes(path.posix.basename(f)) || (!inChart(f) && /\.(ya?ml|json)$/i.test(f)));
      mkdirSync(at, { recursive: true });
      if (found.length > 0) spawnSync('git', ['checkout-index', '--force', '-z', '--stdin', `--prefix=${at}${path.sep}`], { cwd: checkout, env: { ...process.env, ...GIT_ENV, GIT_INDEX_FILE: index }, input: found.join('\u0000'), timeout: 300_000 });
      rmSync(index, { force: true });
      links.push({ file: prefix + file, checkout, commit: linked, at, whole: false });
      visit(checkout, linked, at, `${prefix}${file}/`);
    }
  };
  visit(repoRoot, sha, tree, '');
  /** A chart the base's scan renders (its submodule, or the submodules inside it), or a file it reads. */
  const want = (wanted: string, kind: 'chart' | 'file') => {
    for (const link of links) {
      const inside = wanted === link.file || wanted.startsWith(`${link.file}/`);
      if (link.whole || !(inside || (kind === 'chart' && (link.file.startsWith(`${wanted}/`) || wanted === '.')))) continue;
      link.whole = true;
      const index = path.join(scratch, `.preadmit-index-sub-${indexes++}`);
      if (git(link.checkout, ['read-tree', link.commit], index).status !== 0 || git(link.checkout, ['checkout-index', '--all', '--force', `--prefix=${link.at}${path.sep}`], index).status !== 0) missing.push(link.file);
      rmSync(index, { force: true });
    }
  };
  return { missing, want };
}

/** Charts with the charts they name as `file://` dependencies, all the way down (repository-relative). */
function withDependencies(root: string, charts: readonly string[]): string[] {
  const out = new Set<string>();
  const queue = [...charts];
  while (queue.length > 0) {
    const chart = queue.pop()!;
    if (out.has(chart)) continue;
    out.add(chart);
    queue.push(...localDependencies(root, chart));
  }
  return [...out];
}

/** A path of the head (absolute or relative to the working directory) as the export has it, if it has it. */
function inExport(repoRoot: string, exportRoot: string, file: string, exported?: { under: (file: string) => void }): string | undefined {
  const rel = path.relative(repoRoot, path.resolve(file));
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  exported?.under(rel.split(path.sep).join('/'));
  const mapped = path.join(exportRoot, rel);
  return existsSync(mapped) ? mapped : undefined;
}

/** Scans the head against a base revision: see the file's header. */
export async function scanAgainstBase(options: ScanOptions, request: BaseRequest, scanOne: (options: ScanOptions) => Promise<ScanResult> = scan): Promise<ScanResult> {
  const paths = options.paths.length > 0 ? options.paths : ['.'];
  if (paths.includes('-')) throw new UsageError('--base cannot compare standard input (-) with a revision: give files or directories');
  const repoRoot = findRepoRoot(paths[0]!);
  // findRepoRoot falls back to the working directory when no folder above the path has a .git.
  const first = path.relative(repoRoot, path.resolve(paths[0]!));
  if (!existsSync(path.join(repoRoot, '.git')) || first.startsWith('..') || path.isAbsolute(first)) {
    throw new UsageError(`--base needs the scanned paths inside a git repository; ${path.resolve(paths[0]!)} is not in one`);
  }
  for (const p of paths) {
    const rel = path.relative(repoRoot, path.resolve(p));
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new UsageError(`--base: ${p} is outside the git repository ${repoRoot}`);
  }
  const revision = await resolveRevision(repoRoot, request.revision, { fetch: false });
  if (!revision.ok) throw new UsageError(`--base ${request.revision}: ${revision.message.includes('not a git repository') ? `${repoRoot} is not a git repository` : revision.message}`);
  // A branch compared with where it left the revision, as a pull request's diff is: a revision that moved on
  // since (main fixed something the branch never touched) would make its old findings look new.
  const mergeBase = await execa('git', ['merge-base', revision.sha, 'HEAD'], { cwd: repoRoot, env: GIT_ENV, reject: false, stdin: 'ignore', timeout: 120_000 });
  const forkPoint = mergeBase.exitCode === 0 ? String(mergeBase.stdout).trim() : '';
  const sha = /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(forkPoint) ? forkPoint : revision.sha;
  const changed = await changedFilesSince(repoRoot, sha, ['.']);
  // The configuration file and values files given as options decide every chart's render on both sides:
  // when one changed (or only the head has it), both sides render every chart, whatever their own
  // configurations name (else one side would leave out charts the other renders, and their findings
  // would all look new or fixed).
  const repoRel = (f: string) => {
    const abs = path.resolve(f);
    return isInside(repoRoot, abs) ? path.relative(repoRoot, abs).split(path.sep).join('/') : undefined;
  };
  const optionFiles = [...(options.configFile !== undefined ? [options.configFile] : []), ...(options.valuesFiles ?? [])].flatMap((f) => repoRel(f) ?? []);
  const optionChanged = optionFiles.find((f) => changed?.includes(f));
  const all = request.all
    ? '--all'
    : changed === undefined
      ? `git could not list the files changed since ${sha.slice(0, 12)}`
      : optionChanged !== undefined
        ? `${optionChanged} changed, which ${options.configFile !== undefined && repoRel(options.configFile) === optionChanged ? 'is the configuration' : 'is a values file'} given for every chart`
        : undefined;

  const temp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'preadmit-base-')));
  // Also removed when SIGINT/SIGTERM ends the process in the middle (the CLI exits without unwinding).
  const cleanup = () => rmSync(temp, { recursive: true, force: true });
  process.once('exit', cleanup);
  try {
    const exported = await exportCommit(repoRoot, sha, temp, all === undefined ? changed : undefined);
    const exportRoot = path.join(temp, 'tree');
    const choices: { head?: ChartChoice; base?: ChartChoice } = {};
    let failOnErrors = true;
    const selector = (side: 'head' | 'base', root: string, valuesFiles: readonly string[]) => (charts: string[], config: Config) => {
      if (side === 'head') failOnErrors = config.failOnErrors;
      const choice = chooseCharts(root, charts, changed ?? [], config, valuesFiles, all);
      choices[side] = choice;
      // The base renders what the export may have left out (a changed configuration, a dependency), with the
      // values files its configuration names: written now.
      if (side === 'base') {
        exported.more(withDependencies(root, choice.rendered));
        const named = [...namedValuesFiles(config), ...(config.admissionPolicies ?? []), ...(config.baseline !== undefined ? [config.baseline] : [])];
        for (const file of named) {
          const rel = path.relative(root, path.resolve(root, file));
          if (!rel.startsWith('..') && !path.isAbsolute(rel)) exported.under(rel.split(path.sep).join('/'));
        }
      }
      return choice.rendered;
    };
    const basePaths = paths.flatMap((p) => inExport(repoRoot, exportRoot, p, exported) ?? []);
    // A values file of the repository the base lacks is left out of the base's scan: the pull request's copy
    // would render the base with the head's values and make what they add look existing. Files outside
    // the repository are the same on both sides.
    const baseValues = (options.valuesFiles ?? []).flatMap((f) => inExport(repoRoot, exportRoot, f, exported) ?? (isInside(repoRoot, path.resolve(f)) ? [] : [path.resolve(f)]));
    // Likewise a configuration file of the repository the base lacks: the base is scanned with its own
    // (.preadmit.yaml found in the export, else the defaults), never with the pull request's.
    const baseConfig =
      options.configFile !== undefined ? (inExport(repoRoot, exportRoot, options.configFile, exported) ?? (isInside(repoRoot, path.resolve(options.configFile)) ? undefined : path.resolve(options.configFile))) : undefined;
    // The base first, then the head: one scan's renders at a time on the machine.
    const { policyFrom: _policyFrom, readStdin: _readStdin, configFile: _configFile, ...shared } = options;
    // The base's objects: the head's admission policies see what the base deploys as UPDATEs (and DELETEs).
    let baseObjects: readonly ScannedObject[] = [];
    const base =
      basePaths.length === 0
        ? undefined
        : await scanOne({ ...shared, fixes: 'off', paths: basePaths, valuesFiles: baseValues, ...(baseConfig !== undefined ? { configFile: baseConfig } : {}), selectCharts: selector('base', exportRoot, baseValues), onObjects: (objects) => (baseObjects = objects) }).catch((error: unknown) => {
            // The base's own configuration can be what is wrong: say it is the base's, not the checked-out one.
            if (error instanceof UsageError) throw new UsageError(`--base ${request.revision}: the files at ${sha.slice(0, 12)}: ${error.message.split(temp + path.sep + 'tree' + path.sep).join('')}`, { cause: error });
            throw error;
          });
    // Fixes are proven for the findings that gate: with --gate new, those the base does not have.
    const baseNamed = () => baseObjects.map((o) => ({ object: o.ref, source: o.source }));
    const newOnly = (findings: readonly Finding[]) => {
      const { existing } = matchFindings(findings, base?.findings ?? [], { head: findings, base: baseNamed() });
      return new Set(findings.filter((f) => !existing.has(f)));
    };
    // A chart the base lacks: the change may have put its Chart.yaml above manifests (kubectl apply -R still
    // applies them), so its folder's objects outside templates/ are judged as manifests on the head's side.
    const newChart = (dir: string) => {
      const rel = path.relative(repoRoot, dir);
      return !rel.startsWith('..') && !path.isAbsolute(rel) && !existsSync(path.join(exportRoot, rel, 'Chart.yaml'));
    };
    const head = await scanOne({
      ...options,
      paths,
      selectCharts: selector('head', repoRoot, (options.valuesFiles ?? []).map((f) => path.resolve(f))),
      ...(request.gate === 'new' ? { selectFixes: newOnly } : {}),
      admissionBase: baseObjects,
      judgeChartFiles: newChart,
    });
    const rendered = [...new Set([...(choices.head?.rendered ?? []), ...(choices.base?.rendered ?? [])])].sort();
    const unchanged = [...new Set([...(choices.head?.unchanged ?? []), ...(choices.base?.unchanged ?? [])])].filter((c) => !rendered.includes(c)).sort();
    const allBecause = choices.head?.allBecause ?? choices.base?.allBecause;
    const info: BaseInfo = {
      revision: request.revision,
      sha,
      gate: request.gate,
      rendered,
      unchanged,
      ...(allBecause !== undefined ? { allBecause } : {}),
      ...(exported.missing.length > 0 ? { missing: exported.missing } : {}),
      ...(sha !== revision.sha ? { mergeBaseOf: revision.sha } : {}),
      errors: base?.errors.length ?? 0,
    };
    return compareWithBase(head, base?.findings ?? [], info, failOnErrors, notFixedByUpdate, baseNamed());
  } finally {
    process.off('exit', cleanup);
    cleanup();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Matching

type Key = (f: Finding) => string | undefined;

const scopeOf = (f: { source: SourceInfo }) => f.source.address ?? f.source.chart ?? f.source.file;

/**
 * The keys findings are matched by, strictest first; each pass pairs what the previous ones left.
 * 1. The object by name (rule, chart or file, template, kind, namespace, name, field): exact for stable
 *    names, so an object added before another of the same template does not shift which one is new.
 * 2. The fingerprint: for rendered objects, template, kind and place in the template, never the name
 *    (identity.ts), so objects whose names a template randomises still match.
 * 3. The object by name in the same chart, whatever template renders it: a template file renamed, or the
 *    chart's name in Chart.yaml changed (helm's `# Source:` path begins with it).
 * 4. The template within the chart (without the chart's name), namespace and field, one for one among what
 *    is left, and only between objects the other side does not have by name: objects whose names a template
 *    randomises, once documents before them were added or reordered (their place moved), or whose names
 *    follow a changed chart name. An object both sides have keeps its own findings: a workload added
 *    beside one that stopped being privileged does not take over its finding.
 * 5. A chart or file renamed (the folder moved, its content not): as 1 and 2 without the chart folder or
 *    file, between a chart or file only the base has and one only the head has. helm's `# Source:` path
 *    begins with the chart's name from Chart.yaml, which a folder rename keeps.
 */
function keys(renamed: (f: Finding) => boolean): Key[] {
  const object = (f: Finding, scope: string) => [f.ruleId, scope, f.source.template ?? '', f.source.variant ?? '', f.object.kind, f.object.namespace ?? '', f.object.name, f.path].join('\u0000');
  const place = (f: Finding) => [f.ruleId, f.source.template ?? '', f.source.variant ?? '', f.object.kind, f.path].join('\u0000');
  const inChart = (template: string) => template.slice(template.indexOf('/') + 1);
  return [
    (f) => object(f, scopeOf(f)),
    (f) => `${scopeOf(f)}\u0000${f.fingerprint}`,
    (f) => (f.source.kind === 'helm' ? [f.ruleId, scopeOf(f), f.source.variant ?? '', f.object.kind, f.object.namespace ?? '', f.object.name, f.path].join('\u0000') : undefined),
    (f) => (f.source.kind === 'helm' && f.source.template !== undefined ? [f.ruleId, scopeOf(f), inChart(f.source.template), f.source.variant ?? '', f.object.kind, f.object.namespace ?? '', f.path].join('\u0000') : undefined),
    (f) => (renamed(f) ? object(f, f.source.kind) : undefined),
    // A renamed chart whose names are random: its template and the object's field; matched one for one.
    (f) => (renamed(f) && f.source.kind === 'helm' ? place(f) : undefined),
  ];
}

/**
 * Pairs head findings with base findings, pass by pass. A head finding paired with a base finding of a
 * lower severity is not existing: the pull request made it worse (a value set's capped finding now in the
 * defaults, a read-only mount made writable, a named secret widened to all). Returns the existing head
 * findings, the worsened ones with their base severity, and the base findings paired with none (fixed).
 */
export function matchFindings(
  head: readonly Finding[],
  base: readonly Finding[],
  objects: { head: readonly { object: ObjectRef; source: SourceInfo }[]; base: readonly { object: ObjectRef; source: SourceInfo }[] } = { head, base },
): { existing: Set<Finding>; worsened: Map<Finding, Finding['severity']>; fixed: Finding[] } {
  const headScopes = new Set(head.map(scopeOf));
  const baseScopes = new Set(base.map(scopeOf));
  // Only a chart (or file) one side lacks can have been renamed; one both sides have is matched in place.
  const renamed = (f: Finding) => (headScopes.has(scopeOf(f)) ? !baseScopes.has(scopeOf(f)) : baseScopes.has(scopeOf(f)) && !headScopes.has(scopeOf(f)));
  const existing = new Set<Finding>();
  const worsened = new Map<Finding, Finding['severity']>();
  // The objects each side has, by name in their chart: the one-for-one pass pairs only objects gone from the other side.
  const named = (o: { object: ObjectRef; source: SourceInfo }) => [scopeOf(o), o.object.kind, o.object.namespace ?? '', o.object.name].join('\u0000');
  const headNames = new Set(objects.head.map(named));
  const baseNames = new Set(objects.base.map(named));
  const keyList = keys(renamed);
  const ONE_FOR_ONE = 3;
  let leftBase = [...base];
  for (const [pass, key] of keyList.entries()) {
    const pool = new Map<string, Finding[]>();
    for (const f of leftBase) {
      const k = pass === ONE_FOR_ONE && headNames.has(named(f)) ? undefined : key(f);
      if (k === undefined) continue;
      const list = pool.get(k);
      if (list) list.push(f);
      else pool.set(k, [f]);
    }
    const used = new Set<Finding>();
    for (const f of head) {
      if (existing.has(f) || worsened.has(f)) continue;
      const k = pass === ONE_FOR_ONE && baseNames.has(named(f)) ? undefined : key(f);
      const match = k === undefined ? undefined : pool.get(k)?.shift();
      if (match === undefined) continue;
      if (severityRank(f.severity) > severityRank(match.severity)) worsened.set(f, match.severity);
      else existing.add(f);
      used.add(match);
    }
    leftBase = leftBase.filter((f) => !used.has(f));
  }
  return { existing, worsened, fixed: leftBase };
}

/**
 * A base admission-policy finding (the base is admitted as CREATEs) on an object the head updates, whose
 * policy or binding does not match that UPDATE (a policy for CREATE only): not fixed, merely not asked.
 */
function notFixedByUpdate(f: Finding): boolean {
  if (f.ruleId !== 'admission-policy') return false;
  const named = /ValidatingAdmissionPolicy (\S+) \(binding (\S+), validation /.exec(f.message);
  return named !== null && updateNotMatched(f.source, f.object, named[1]!, named[2]!);
}

/** The head's result with every finding classified, the fixed ones added, and the verdict from the gate. */
export function compareWithBase(
  head: ScanResult,
  base: readonly Finding[],
  info: BaseInfo,
  failOnErrors: boolean,
  notFixed: (f: Finding) => boolean = () => false,
  baseObjects: readonly { object: ObjectRef; source: SourceInfo }[] = base,
): ScanResult {
  const matched = matchFindings(head.findings, base, { head: head.objects.length > 0 ? head.objects : head.findings, base: baseObjects.length > 0 ? baseObjects : base });
  const existing = matched.existing;
  const fixed = matched.fixed.filter((f) => !notFixed(f));
  const findings = head.findings.map((f): Finding => {
    const was = matched.worsened.get(f);
    return { ...f, status: existing.has(f) ? 'existing' : 'new', ...(was !== undefined ? { baseSeverity: was } : {}) };
  });
  const gated = info.gate === 'all' ? findings : findings.filter((f) => f.status === 'new');
  const blocking = gated.filter((f) => !f.suppressed && isBlocking(f.severity, head.summary.failOn)).length;
  const failed = blocking > 0 || (failOnErrors && head.errors.length > 0);
  return {
    ...head,
    findings,
    fixed: fixed.map((f) => {
      const { status: _status, ...rest } = f;
      return rest;
    }),
    base: info,
    summary: {
      ...head.summary,
      verdict: failed ? 'fail' : 'pass',
      blocking,
      new: findings.length - existing.size,
      existing: existing.size,
      fixed: fixed.length,
    },
  };
}
