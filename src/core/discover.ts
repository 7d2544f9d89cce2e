// Turns the paths a user names into inputs: charts (by Chart.yaml), manifest files, stdin.
// Nothing outside the repository is read through a symlink, and nothing is skipped without a record.
// Paths named by the user are trusted; what the walk finds is not: a symlink out of the repository is an
// error, a symlink inside it is followed (once), and a file too large to parse is refused before it is read.
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Minimatch } from 'minimatch';
import { YAML_LIMITS } from '../loaders/yaml-docs.ts';
import { UsageError } from './errors.ts';
import type { ScanError, SkippedPath } from './model.ts';
import { isInside, safeRealpath } from './paths.ts';

export { isInside };

export type Input =
  | { kind: 'chart'; dir: string; explicit: boolean }
  | { kind: 'manifest'; file: string; explicit: boolean }
  | { kind: 'stdin' };

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/**
 * Directories a search does not enter. `kubectl apply -R` enters every directory, hidden ones included,
 * so every other directory is searched (a hidden folder is the easiest place to tuck a manifest away).
 * These are not manifests of the repository, and each skip is recorded (result.skipped) with a way to scan
 * it anyway (name the path). `.git` is git's database: never searched, and not worth a note.
 */
const SKIPPED_DIRECTORIES = new Map<string, string | undefined>([
  ['.git', undefined],
  ['node_modules', 'npm packages are not searched (kubectl apply -R would read them); name the path to scan it'],
  ['.terraform', "Terraform's download cache is not searched; name the path to scan it"],
  ['.github', 'GitHub configuration (workflows, not Kubernetes manifests) is not searched; name the path to scan it'],
  ['.venv', 'a Python virtual environment is not searched; name the path to scan it'],
]);

/** The first directory of a relative path that a search skips, if any. */
function skippedSegment(relative: string): string | undefined {
  return relative.split(/[\\/]/).find((segment) => SKIPPED_DIRECTORIES.has(segment));
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

export function relativeTo(repoRoot: string, file: string): string {
  const rel = path.relative(repoRoot, file);
  return (rel === '' ? '.' : rel).split(path.sep).join('/');
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
}


/**
 * Why `file` may not be read on behalf of a file inside `root` (a configuration in the repository naming
 * values files or charts), or undefined when it may: its real path (symlinks resolved; for a path that
 * does not exist yet, the path itself) must stay inside the real `root`.
 */
export function confinementProblem(root: string, file: string): string | undefined {
  const realRoot = safeRealpath(root) ?? path.resolve(root);
  const resolved = path.resolve(file);
  const real = safeRealpath(resolved);
  const outside = 'leads outside the repository; a configuration in the repository may only name files inside it';
  if (real !== undefined) return isInside(realRoot, real) ? undefined : real === resolved ? `path ${outside}` : `path (through a symlink) ${outside}`;
  return isInside(path.resolve(root), resolved) || isInside(realRoot, resolved) ? undefined : `path ${outside}`;
}

/** Longest glob accepted, and most alternatives its braces may expand to (minimatch expands them all). */
const MAX_GLOB_LENGTH = 1024;
const MAX_GLOB_ALTERNATIVES = 256;

/** Alternatives a pattern's braces expand to, estimated without expanding them. */
function braceAlternatives(glob: string): number {
  let total = 1;
  for (const match of glob.matchAll(/\{([^{}]*)\}/g)) {
    const body = match[1]!;
    const range = /^(-?\d+)\.\.(-?\d+)(?:\.\.-?\d+)?$/.exec(body) ?? /^([a-zA-Z])\.\.([a-zA-Z])$/.exec(body);
    const count = range
      ? Math.abs((/\d/.test(range[1]!) ? Number(range[2]) - Number(range[1]) : range[2]!.charCodeAt(0) - range[1]!.charCodeAt(0))) + 1
      : body.split(',').length;
    total *= Math.max(1, count);
    if (total > MAX_GLOB_ALTERNATIVES) return total;
  }
  return total;
}

/** Why a glob from the configuration is unusable, or undefined when it is fine. */
export function globProblem(glob: unknown): string | undefined {
  if (typeof glob !== 'string' || glob === '') return 'a glob must be a non-empty string';
  if (glob.length > MAX_GLOB_LENGTH) return `glob is longer than ${MAX_GLOB_LENGTH} characters`;
  if (/[\u0000-\u001f]/.test(glob)) return 'glob contains a control character';
  if (braceAlternatives(glob) > MAX_GLOB_ALTERNATIVES) return `glob's braces expand to more than ${MAX_GLOB_ALTERNATIVES} patterns`;
  try {
    new Minimatch(glob, { dot: true });
  } catch (error) {
    return `glob is invalid: ${(error as Error).message}`;
  }
  return undefined;
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
  const skip = (p: string, name: string) => {
    const reason = SKIPPED_DIRECTORIES.get(name);
    if (reason !== undefined && selected(p) && !skipped.some((s) => s.path === rel(p))) skipped.push({ path: rel(p), reason });
  };
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

  const walk = (dir: string, depth: number, walkRoot: string) => {
    const real = safeRealpath(dir) ?? dir;
    if (walked.has(real)) return;
    walked.add(real);
    if (existsSync(path.join(dir, 'Chart.yaml'))) {
      if (selected(dir)) add({ kind: 'chart', dir, explicit: false }, dir);
      return; // a chart's files (templates, values, subcharts) belong to the chart
    }
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
        if (SKIPPED_DIRECTORIES.has(entry)) {
          skip(full, entry);
          continue;
        }
        // Nothing is read from git's database, whatever leads there.
        if (skippedSegment(path.relative(realRoot, target)) === '.git' || skippedSegment(path.relative(walkRoot, target)) === '.git') {
          errors.push({ kind: 'read', file: rel(full), message: 'symlink into a .git directory; not followed' });
          continue;
        }
        // Inside the walked tree the walk meets the target under its own name, unless it is in a directory
        // the walk skips. Elsewhere in the repository it is followed, and reported under the target's own path.
        if (isInside(walkRoot, target) && skippedSegment(path.relative(walkRoot, target)) === undefined) continue;
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
        if (SKIPPED_DIRECTORIES.has(entry)) {
          skip(full, entry);
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
      if (existsSync(path.join(full, 'Chart.yaml'))) add({ kind: 'chart', dir: full, explicit: true }, full);
      else walk(full, 0, safeRealpath(full) ?? full);
    } else if (!stat.isFile()) {
      errors.push({ kind: 'read', file: rel(full), message: 'not a regular file (a device, socket or pipe); use - to read standard input' });
    } else {
      const tooLarge = sizeProblem(stat.size);
      if (tooLarge) errors.push({ kind: 'read', file: rel(full), message: tooLarge });
      else add({ kind: 'manifest', file: full, explicit: true }, full);
    }
  }
  return { inputs, errors, skipped };
}

function isDanglingLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

