// Path confinement helpers shared by discovery, configuration and chart rendering.
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
