// Globs from the configuration (include/exclude, chart paths), judged before minimatch compiles them.
import { Minimatch } from 'minimatch';

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
