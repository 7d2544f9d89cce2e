// Turns the paths a user names into inputs: charts (by Chart.yaml), manifest files, stdin.
// Nothing outside the repository is read through a symlink, and nothing is skipped without a record.
import { existsSync, lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { minimatch } from 'minimatch';
import type { ScanError } from './model.ts';

export type Input =
  | { kind: 'chart'; dir: string; explicit: boolean }
  | { kind: 'manifest'; file: string; explicit: boolean }
  | { kind: 'stdin' };

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git', '.terraform']);

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
}

export interface DiscoverOptions {
  repoRoot: string;
  include: string[];
  exclude: string[];
}

function inside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export function discover(paths: string[], options: DiscoverOptions): Discovery {
  const inputs: Input[] = [];
  const errors: ScanError[] = [];
  const seen = new Set<string>();
  const realRoot = safeRealpath(options.repoRoot) ?? options.repoRoot;
  const rel = (p: string) => relativeTo(options.repoRoot, p);
  const selected = (p: string) => {
    const r = rel(p);
    if (options.exclude.some((glob) => minimatch(r, glob, { dot: true }) || minimatch(r + '/', glob, { dot: true }))) return false;
    if (options.include.length === 0) return true;
    return options.include.some((glob) => minimatch(r, glob, { dot: true }) || minimatch(r, glob.replace(/\/\*\*$/, ''), { dot: true }));
  };

  const add = (input: Input, key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    inputs.push(input);
  };

  const walk = (dir: string, depth: number, walkRoot: string) => {
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
          errors.push({ kind: 'read', file: rel(full), message: 'symlink points to nothing' });
          continue;
        }
        if (!inside(realRoot, target) && !inside(walkRoot, target)) {
          errors.push({ kind: 'read', file: rel(full), message: 'symlink points outside the repository; not followed' });
          continue;
        }
        // Links inside the repository reach files the walk sees under their own names; following them again would duplicate.
        continue;
      }
      if (stat.isDirectory()) {
        if (entry.startsWith('.') || SKIPPED_DIRECTORIES.has(entry)) continue;
        walk(full, depth + 1, walkRoot);
      } else if (stat.isFile() && MANIFEST_EXTENSIONS.has(path.extname(entry).toLowerCase())) {
        if (selected(full)) add({ kind: 'manifest', file: full, explicit: false }, full);
      }
    }
  };

  for (const given of paths) {
    if (given === '-') {
      add({ kind: 'stdin' }, '-');
      continue;
    }
    const full = path.resolve(given);
    if (!existsSync(full)) {
      errors.push({ kind: 'read', file: rel(full), message: 'no such file or directory' });
      continue;
    }
    // Paths named by the user are trusted; only what the walk finds through symlinks is confined.
    if (statSync(full).isDirectory()) {
      if (existsSync(path.join(full, 'Chart.yaml'))) add({ kind: 'chart', dir: full, explicit: true }, full);
      else walk(full, 0, safeRealpath(full) ?? full);
    } else {
      add({ kind: 'manifest', file: full, explicit: true }, full);
    }
  }
  return { inputs, errors };
}

function safeRealpath(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}
