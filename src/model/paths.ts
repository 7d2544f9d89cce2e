// Path helpers shared by discovery, configuration, chart rendering and provenance: repository-relative
// names and confinement (what a file in the repository may read).
import { realpathSync } from 'node:fs';
import path from 'node:path';

/** Whether `target` is `root` or lies below it (both absolute, already resolved). */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..' + path.sep) && rel !== '..' && !path.isAbsolute(rel));
}

/** The real path (symlinks resolved), or undefined when it does not resolve. */
export function safeRealpath(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

/** A repository-relative path with forward slashes (`.` for the root itself). */
export function relativeTo(repoRoot: string, file: string): string {
  const rel = path.relative(repoRoot, file);
  return (rel === '' ? '.' : rel).split(path.sep).join('/');
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
