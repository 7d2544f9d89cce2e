// Turns the paths a user names into inputs: charts (by Chart.yaml), manifest files, stdin.
// Nothing outside the repository is read through a symlink, and nothing is skipped without a record.
// Paths named by the user are trusted; what the walk finds is not: a symlink out of the repository is an
// error, a symlink inside it is followed (once), and a file too large to parse is refused before it is read.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Minimatch } from 'minimatch';
import { YAML_LIMITS } from '../loaders/yaml-docs.ts';
import { UsageError } from '../model/errors.ts';
import type { ScanError, SkippedPath } from '../model/model.ts';
import { globProblem } from '../config/globs.ts';
import { confinementProblem, isInside, relativeTo, safeRealpath } from '../model/paths.ts';

// Path helpers callers of discovery use with it; they live lower, where configuration and rendering reach them.
export { confinementProblem, globProblem, isInside, relativeTo };

export type Input =
  | { kind: 'chart'; dir: string; explicit: boolean }
  | { kind: 'manifest'; file: string; explicit: boolean }
  | { kind: 'stdin' };

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/**
 * `kubectl apply -R` enters every directory, hidden ones included, so a search does too (a hidden folder,
 * `.github` among them, is the easiest place to tuck a manifest away). It never enters `.git`, git's
 * database. Folders of downloaded code are skipped only when git tracks nothing under them: then they
 * were downloaded (installed, git-ignored) and are not part of the change under review; one git tracks is
 * the repository's own content and is searched. Outside a git work tree they are skipped as before, and a
 * file in one that looks like a Kubernetes object is an error (see downloadedManifest). Each skip is
 * recorded (result.skipped) with a way to scan it anyway (name the path).
 */
const DOWNLOAD_DIRECTORIES = new Map<string, string>([
  ['node_modules', 'npm packages'],
  ['.terraform', "Terraform's download cache"],
  ['.venv', 'a Python virtual environment'],
]);

function skipReason(name: string, inGit: boolean): string {
  const what = DOWNLOAD_DIRECTORIES.get(name)!;
  return inGit
    ? `${what}: git tracks nothing in it (downloaded, not part of the change), so it is not searched; name the path to scan it`
    : `${what}: not searched outside a git repository (kubectl apply -R would read it); name the path to scan it`;
}

/** Files looked at in a skipped folder outside git before giving up, and the largest one read. */
const SNIFF_ENTRIES = 20_000;
const SNIFF_BYTES = 1024 * 1024;

/**
 * A file in a folder the search skips outside git that looks like a Kubernetes object (top-level
 * `apiVersion` and `kind`), if any. Skipping a folder of downloaded code is right (it almost always holds
 * package.json and CI files, which are no manifests, so "any .yaml/.json in it" would be an error on every
 * run), but a manifest in it is what `kubectl apply -R` would apply: that one is reported as an error.
 */
function downloadedManifest(dir: string): string | undefined {
  const stack = [dir];
  let budget = SNIFF_ENTRIES;
  while (stack.length > 0) {
    const current = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (--budget < 0) return undefined;
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '.git') stack.push(full);
        continue;
      }
      if (!entry.isFile() || !MANIFEST_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) continue;
      let bytes: Buffer;
      try {
        if (statSync(full).size > SNIFF_BYTES) continue;
        bytes = readFileSync(full);
      } catch {
        continue;
      }
      if (!bytes.includes('apiVersion') || !bytes.includes('kind')) continue;
      const text = bytes.toString('utf8');
      if ((/^apiVersion\s*:/m.test(text) && /^kind\s*:/m.test(text)) || (/"apiVersion"\s*:/.test(text) && /"kind"\s*:/.test(text) && text.trimStart().startsWith('{'))) return full;
    }
  }
  return undefined;
}

/**
 * Whether git tracks any file under a directory of the work tree at `repoRoot`: undefined when the
 * directory is not in a git work tree. When git cannot answer, true: the folder is then searched.
 */
function tracksAnything(repoRoot: string, dir: string): boolean | undefined {
  if (!existsSync(path.join(repoRoot, '.git'))) return undefined;
  const realRoot = safeRealpath(repoRoot) ?? repoRoot;
  const rel = isInside(repoRoot, dir) ? path.relative(repoRoot, dir) : isInside(realRoot, dir) ? path.relative(realRoot, dir) : undefined;
  if (rel === undefined) return undefined;
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--', `:(literal)${rel.split(path.sep).join('/')}`], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 256 * 1024 * 1024,
      timeout: 60_000,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
    });
    return out.length > 0;
  } catch {
    return true;
  }
}

/** Whether a relative path passes through a `.git` directory. */
function inGitDatabase(relative: string): boolean {
  return relative.split(/[\\/]/).includes('.git');
}

/** The git work tree holding a path, else the current directory. */
export function findRepoRoot(start: string): string {
  let dir = path.resolve(start);
  if (existsSync(dir) && !statSync(dir).isDirectory()) dir = path.dirname(dir);
  for (;;) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

export interface Discovery {
  inputs: Input[];
  errors: ScanError[];
  /** Directories the search met and did not enter, with why. */
  skipped: SkippedPath[];
}

export interface DiscoverOptions {
  repoRoot: string;
  include: string[];
  exclude: string[];
  /**
   * Charts (absolute folders) whose files holding Kubernetes objects outside templates/ and crds/ are read as
   * manifests, not listed as skipped: with --base, charts the base lacks, since a pull request that puts a
   * Chart.yaml above a folder of manifests would hide them from the scan while kubectl apply -R applies them.
   */
  judgeChartFiles?: (chartDir: string) => boolean;
}


function compileGlobs(globs: string[], where: 'include' | 'exclude'): Minimatch[] {
  return globs.map((glob) => {
    const problem = globProblem(glob);
    if (problem) throw new UsageError(`invalid ${where} glob ${JSON.stringify(glob.slice(0, 80))}: ${problem}`);
    return new Minimatch(glob, { dot: true });
  });
}

function sizeProblem(size: number): string | undefined {
  if (size <= YAML_LIMITS.maxBytes) return undefined;
  return `file is ${(size / 1024 / 1024).toFixed(1)} MiB, larger than the ${YAML_LIMITS.maxBytes / 1024 / 1024} MiB preadmit reads; not read`;
}

export function discover(paths: string[], options: DiscoverOptions): Discovery {
  const inputs: Input[] = [];
  const errors: ScanError[] = [];
  const skipped: SkippedPath[] = [];
  const seen = new Set<string>();
  const realRoot = safeRealpath(options.repoRoot) ?? options.repoRoot;
  const rel = (p: string) => relativeTo(options.repoRoot, p);
  const include = compileGlobs(options.include, 'include');
  const includeDirs = options.include.map((glob) => new Minimatch(glob.replace(/\/\*\*$/, ''), { dot: true }));
  const exclude = compileGlobs(options.exclude, 'exclude');
  const excluded = (p: string) => {
    const r = rel(p);
    return exclude.some((m) => m.match(r) || m.match(r + '/'));
  };
  const selected = (p: string) => {
    const r = rel(p);
    if (excluded(p)) return false;
    if (include.length === 0) return true;
    return include.some((m, i) => m.match(r) || includeDirs[i]!.match(r));
  };

  const trackCache = new Map<string, boolean | undefined>();
  const tracked = (dir: string) => {
    if (!trackCache.has(dir)) trackCache.set(dir, tracksAnything(options.repoRoot, dir));
    return trackCache.get(dir);
  };
  /** Whether the walk passes over a directory: `.git`, or downloaded code git tracks nothing in. */
  const skipsDirectory = (dir: string): boolean => {
    const name = path.basename(dir);
    if (name === '.git') return true;
    return DOWNLOAD_DIRECTORIES.has(name) && tracked(dir) !== true;
  };
  /** Whether the walk from `walkRoot` passes over `target` (or a directory above it). */
  const passesOver = (walkRoot: string, target: string): boolean => {
    let dir = walkRoot;
    // A folder holding Chart.yaml is searched for charts only: a manifest a link names in it is read through
    // the link, unless the chart renders it (templates/, crds/, a subchart's: Go template text, or judged with the chart).
    const inChart = (chart: string) => {
      const within = path.relative(chart, target).split(path.sep);
      return !within.some((segment) => segment === 'templates' || segment === 'crds' || segment === 'charts');
    };
    if (existsSync(path.join(dir, 'Chart.yaml'))) return inChart(dir);
    for (const segment of path.relative(walkRoot, target).split(path.sep)) {
      dir = path.join(dir, segment);
      if (skipsDirectory(dir)) return true;
      if (dir !== target && existsSync(path.join(dir, 'Chart.yaml'))) return inChart(dir);
    }
    return false;
  };
  // Per chart folder: its files that hold Kubernetes objects helm does not deploy (outside templates/, crds/).
  const undeployed = new Map<string, string[]>();
  const noteUndeployed = (chartRoot: string, file: string, size: number) => {
    const within = path.relative(chartRoot, file).split(path.sep);
    const base = within.at(-1)!;
    if (['templates', 'crds', 'charts', 'ci'].includes(within[0]!) || within.length === 1 && /^(Chart\.(yaml|lock)|requirements\.(yaml|lock)|values.*\.(ya?ml|json)|values\.schema\.json)$/i.test(base)) return;
    if (!MANIFEST_EXTENSIONS.has(path.extname(file).toLowerCase()) || size > 1024 * 1024 || !selected(file)) return;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return;
    }
    // An object's two fields at the start of a line (YAML) or as keys (JSON): a dashboard or a values file has neither.
    if (!(/^\s*"?apiVersion"?\s*:/m.test(text) && /^\s*"?kind"?\s*:/m.test(text))) return;
    if (options.judgeChartFiles?.(chartRoot) === true) {
      addManifest(file, size);
      return;
    }
    const list = undeployed.get(chartRoot);
    if (list === undefined) undeployed.set(chartRoot, [file]);
    else list.push(file);
  };
  /** Records a directory the walk passes over (`.git` needs no note), and outside git, a manifest in it. */
  const skip = (dir: string) => {
    const name = path.basename(dir);
    if (name === '.git' || !selected(dir) || skipped.some((s) => s.path === rel(dir))) return;
    const inGit = tracked(dir) !== undefined;
    skipped.push({ path: rel(dir), reason: skipReason(name, inGit) });
    const manifest = inGit ? undefined : downloadedManifest(dir);
    if (manifest !== undefined) {
      errors.push({
        kind: 'read',
        file: rel(manifest),
        message: `looks like a Kubernetes manifest, inside ${rel(dir)}, which is not searched outside a git repository (kubectl apply -R would apply it); name the path to scan it, or exclude it`,
      });
    }
  };

  const add = (input: Input, key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    inputs.push(input);
  };
  /** Real directories walked, so a symlink cycle (or two links to one place) is walked once. */
  const walked = new Set<string>();

  const addManifest = (file: string, size: number) => {
    if (!selected(file)) return;
    const tooLarge = sizeProblem(size);
    if (tooLarge) errors.push({ kind: 'read', file: rel(file), message: tooLarge });
    else add({ kind: 'manifest', file, explicit: false }, file);
  };

  /**
   * `inChart`: the directory is inside a chart's folder. The chart's files (templates, values, crds/) belong
   * to it and are not manifests, but a chart nested anywhere in it other than as a subchart (charts/<name>/,
   * rendered with its parent) is one `helm install` takes on its own: it is scanned as a chart.
   */
  const walk = (dir: string, depth: number, walkRoot: string, chartRoot?: string) => {
    const real = safeRealpath(dir) ?? dir;
    if (walked.has(real)) return;
    walked.add(real);
    if (existsSync(path.join(dir, 'Chart.yaml'))) {
      if (!isSubchart(dir) && selected(dir)) add({ kind: 'chart', dir, explicit: false }, dir);
      chartRoot = dir;
    }
    const inChart = chartRoot !== undefined;
    if (depth > 40) {
      errors.push({ kind: 'read', file: rel(dir), message: 'directory nesting deeper than 40 levels; not searched further' });
      return;
    }
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch (error) {
      errors.push({ kind: 'read', file: rel(dir), message: `cannot list directory: ${(error as Error).message}` });
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry);
      // What the configuration excludes is not looked at at all (its symlinks are no errors either).
      if (excluded(full)) continue;
      let stat;
      try {
        stat = lstatSync(full);
      } catch (error) {
        errors.push({ kind: 'read', file: rel(full), message: `cannot read: ${(error as Error).message}` });
        continue;
      }
      if (inChart) {
        // Only charts are looked for in a chart's folder. Its symlinks are judged with the chart (chartProblem
        // refuses a link out of the repository; one inside leads where this walk goes by itself), and its
        // downloaded folders hold no chart of the repository's.
        if (stat.isDirectory() && !skipsDirectory(full)) walk(full, depth + 1, walkRoot, chartRoot);
        else if (stat.isFile()) noteUndeployed(chartRoot!, full, stat.size);
        continue;
      }
      if (stat.isSymbolicLink()) {
        const target = safeRealpath(full);
        if (target === undefined) {
          errors.push({ kind: 'read', file: rel(full), message: 'symlink points to nothing (or into a loop)' });
          continue;
        }
        if (!isInside(realRoot, target) && !isInside(walkRoot, target)) {
          errors.push({ kind: 'read', file: rel(full), message: 'symlink points outside the repository; not followed' });
          continue;
        }
        if (skipsDirectory(full)) {
          skip(full);
          continue;
        }
        // Nothing is read from git's database, whatever leads there.
        if (inGitDatabase(path.relative(realRoot, target)) || inGitDatabase(path.relative(walkRoot, target))) {
          errors.push({ kind: 'read', file: rel(full), message: 'symlink into a .git directory; not followed' });
          continue;
        }
        // Inside the walked tree the walk meets the target under its own name, unless it is in a directory
        // the walk skips. Elsewhere in the repository it is followed, and reported under the target's own path.
        if (isInside(walkRoot, target) && !passesOver(walkRoot, target)) continue;
        let targetStat;
        try {
          targetStat = statSync(target);
        } catch {
          continue;
        }
        if (targetStat.isDirectory()) walk(target, depth + 1, walkRoot);
        else if (targetStat.isFile() && MANIFEST_EXTENSIONS.has(path.extname(target).toLowerCase())) addManifest(target, targetStat.size);
        continue;
      }
      if (stat.isDirectory()) {
        if (skipsDirectory(full)) {
          skip(full);
          continue;
        }
        walk(full, depth + 1, walkRoot);
      } else if (stat.isFile() && MANIFEST_EXTENSIONS.has(path.extname(entry).toLowerCase())) {
        addManifest(full, stat.size);
      }
    }
  };

  for (const given of paths) {
    if (given === '-') {
      add({ kind: 'stdin' }, '-');
      continue;
    }
    const full = path.resolve(given);
    let stat;
    try {
      stat = statSync(full);
    } catch {
      errors.push({ kind: 'read', file: rel(full), message: existsSync(full) || isDanglingLink(full) ? 'cannot read (a symlink to nothing?)' : 'no such file or directory' });
      continue;
    }
    // Paths named by the user are trusted; only what the walk finds through symlinks is confined.
    if (stat.isDirectory()) {
      // A chart named is scanned as named (a subchart too), and so are the charts nested in its folder.
      if (existsSync(path.join(full, 'Chart.yaml'))) add({ kind: 'chart', dir: full, explicit: true }, full);
      walk(full, 0, safeRealpath(full) ?? full);
    } else if (!stat.isFile()) {
      errors.push({ kind: 'read', file: rel(full), message: 'not a regular file (a device, socket or pipe); use - to read standard input' });
    } else {
      const tooLarge = sizeProblem(stat.size);
      if (tooLarge) errors.push({ kind: 'read', file: rel(full), message: tooLarge });
      else add({ kind: 'manifest', file: full, explicit: true }, full);
    }
  }
  // Not judged, and said: helm packages these files but deploys nothing from them (docs, examples, a chart's
  // rendered copies), while `kubectl apply -R` would read them. A Chart.yaml put above manifests hides them so.
  for (const [chart, files] of [...undeployed].sort((a, b) => a[0].localeCompare(b[0]))) {
    skipped.push({
      path: rel(chart),
      reason: `${files.length} ${files.length === 1 ? 'file' : 'files'} in this chart's folder outside templates/ and crds/ ${files.length === 1 ? 'holds' : 'hold'} Kubernetes objects helm does not deploy (${files.slice(0, 3).map((f) => path.relative(chart, f).split(path.sep).join('/')).join(', ')}${files.length > 3 ? ', ...' : ''}): not judged; name them as paths if something else applies them`,
    });
  }
  return { inputs, errors, skipped };
}

/** Whether a chart directory is a subchart of the chart above it (`<chart>/charts/<name>/`): helm renders it with its parent. */
function isSubchart(dir: string): boolean {
  const parent = path.dirname(dir);
  return path.basename(parent) === 'charts' && existsSync(path.join(path.dirname(parent), 'Chart.yaml'));
}

function isDanglingLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

