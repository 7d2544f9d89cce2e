// Locates ../shared (the read-only corpus beside the project). Suites that need it skip with a
// clear message when it is absent, because users clone the project alone.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const sharedDir: string | undefined = (() => {
  const candidate = process.env.PREADMIT_SHARED ?? path.resolve(repoRoot, '..', 'shared');
  return existsSync(candidate) ? candidate : undefined;
})();

export function sharedPath(...parts: string[]): string | undefined {
  if (sharedDir === undefined) return undefined;
  const full = path.join(sharedDir, ...parts);
  return existsSync(full) ? full : undefined;
}

export function skipMessage(what: string): string {
  return `${what}: ../shared is not present beside the project (set PREADMIT_SHARED to its path to run this suite)`;
}
