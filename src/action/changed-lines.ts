// The lines a pull request added or changed, per repository-relative file: where an annotation shows in
// the pull request's diff. Read with `git diff -U0` from the base commit to the checked-out files (the
// merge commit on pull_request), so it is exactly what the comparison with the base saw.
import { execa } from 'execa';

/** Repository-relative file → the 1-based lines of the head the pull request added or changed. */
export type ChangedLines = ReadonlyMap<string, ReadonlySet<number>>;

/** The added lines of a `git diff -U0` (no renames, no colour); file names git had to quote are left out. */
export function parseChangedLines(diff: string): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  let current: Set<number> | undefined;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++ ')) {
      // git ends the name with a tab when it has a space in it.
      const name = line.slice(4).replace(/\t$/, '');
      current = name.startsWith('b/') ? new Set<number>() : undefined;
      if (current !== undefined) out.set(name.slice(2), current);
      continue;
    }
    const hunk = /^@@ -[0-9]+(?:,[0-9]+)? \+([0-9]+)(?:,([0-9]+))? @@/.exec(line);
    if (hunk === null || current === undefined) continue;
    const start = Number(hunk[1]);
    const count = hunk[2] === undefined ? 1 : Number(hunk[2]);
    for (let i = 0; i < count; i++) current.add(start + i);
  }
  return out;
}

/**
 * Whether lines `line`..`endLine` of `file` were all added or changed by the pull request: where GitHub
 * takes a review comment (a suggested change) spanning them. GitHub accepts review comments only on lines
 * inside the diff's hunks, and a multi-line one only when start_line and line lie in the same hunk on the
 * RIGHT side. A run of consecutive changed lines always does (GitHub's hunks hold them, with context
 * around); a range reaching an unchanged line may leave the hunk, and a hunk that only deletes has no
 * RIGHT-side line at all. So: every line of the range changed, or the range is not offered.
 */
export function rangeChanged(changed: ChangedLines | undefined, file: string, line: number, endLine: number): boolean {
  const lines = changed?.get(file);
  if (lines === undefined || !Number.isInteger(line) || !Number.isInteger(endLine) || line < 1 || endLine < line) return false;
  for (let n = line; n <= endLine; n++) if (!lines.has(n)) return false;
  return true;
}

/**
 * The changed lines since `baseSha` of the given repository-relative files (those annotations could go on),
 * in the repository at `repoRoot`; undefined when git cannot tell.
 */
export async function changedLinesSince(repoRoot: string, baseSha: string, files: readonly string[]): Promise<ChangedLines | undefined> {
  const specs = [...new Set(files)].filter((f) => f !== '' && f !== '.' && !f.startsWith('../') && !f.startsWith('/')).map((f) => `:(literal)${f}`);
  if (specs.length === 0) return new Map();
  try {
    const result = await execa(
      'git',
      ['-c', 'core.quotePath=false', 'diff', '-U0', '--no-color', '--no-renames', '--no-ext-diff', '--no-textconv', baseSha, '--', ...specs],
      { cwd: repoRoot, reject: false, stdin: 'ignore', timeout: 120_000, maxBuffer: 256 * 1024 * 1024, env: { GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C' } },
    );
    return result.exitCode === 0 ? parseChangedLines(String(result.stdout)) : undefined;
  } catch {
    return undefined;
  }
}
