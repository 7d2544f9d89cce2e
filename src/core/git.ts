// Reading files as a git revision has them: the policy of a pull request comes from its base commit, not
// from the files the pull request changes. git runs with an argument array (never a shell), without a
// terminal prompt, and with the checkout's own remote and credentials when a commit must be fetched.
import { execa } from 'execa';

/** What git answered; never throws for a git failure (only for a missing git binary, as a failed result). */
interface GitResult {
  ok: boolean;
  stdout: Buffer;
  stderr: string;
}

const GIT_TIMEOUT_MS = 60_000;
const MAX_FILE_BYTES = 8 * 1024 * 1024;

async function git(repoRoot: string, args: string[], timeoutMs = GIT_TIMEOUT_MS): Promise<GitResult> {
  try {
    const result = await execa('git', args, {
      cwd: repoRoot,
      reject: false,
      encoding: 'buffer',
      timeout: timeoutMs,
      maxBuffer: MAX_FILE_BYTES * 2,
      stdin: 'ignore',
      // No prompt for credentials (the run would hang), no pager, no interference from the user's locale.
      env: { GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C' },
    });
    const stderr = Buffer.from(result.stderr ?? []).toString('utf8').trim();
    return { ok: result.exitCode === 0 && !result.timedOut, stdout: Buffer.from(result.stdout ?? []), stderr: result.timedOut ? `git ${args[0]} timed out` : stderr };
  } catch (error) {
    return { ok: false, stdout: Buffer.alloc(0), stderr: (error as Error).message };
  }
}

/** The first line of git's complaint, for messages. */
function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? 'git failed';
}

export type Revision = { ok: true; sha: string; fetched: boolean } | { ok: false; message: string };

/**
 * The commit a revision names. With `fetch`, a full SHA the clone lacks (a shallow checkout of a pull
 * request) is fetched from origin with the checkout's credentials: one commit, no tags.
 */
export async function resolveRevision(repoRoot: string, revision: string, options: { fetch: boolean }): Promise<Revision> {
  // An option-looking revision would be read by git as an option.
  if (revision === '' || revision.startsWith('-') || /[\s\u0000-\u001f]/.test(revision)) return { ok: false, message: `invalid revision ${JSON.stringify(revision.slice(0, 80))}` };
  const resolve = () => git(repoRoot, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`]);
  let found = await resolve();
  if (found.ok) return { ok: true, sha: found.stdout.toString('utf8').trim(), fetched: false };
  if (!options.fetch || !/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(revision)) {
    return { ok: false, message: `git has no commit ${revision} in ${repoRoot}${found.stderr ? ` (${firstLine(found.stderr)})` : ''}` };
  }
  const fetched = await git(repoRoot, ['fetch', '--no-tags', '--no-recurse-submodules', '--depth=1', 'origin', revision], 120_000);
  if (!fetched.ok) return { ok: false, message: `the commit ${revision.slice(0, 12)} is not in the checkout and could not be fetched from origin: ${firstLine(fetched.stderr)}` };
  found = await resolve();
  if (!found.ok) return { ok: false, message: `fetched ${revision.slice(0, 12)} from origin, but git still cannot read it` };
  return { ok: true, sha: found.stdout.toString('utf8').trim(), fetched: true };
}

export type FileAtRevision =
  | { kind: 'file'; text: string }
  | { kind: 'missing' }
  /** Present but not readable as a file: a directory, a symlink, a submodule, too large, or git failed. */
  | { kind: 'unreadable'; message: string };

/** The text of a repository-relative file at a commit (from resolveRevision). */
export async function readFileAt(repoRoot: string, sha: string, file: string): Promise<FileAtRevision> {
  const rel = file.split('\\').join('/').replace(/^\.\//, '');
  if (rel === '' || rel.startsWith('../') || rel.startsWith('/')) return { kind: 'unreadable', message: `${file} is not inside the repository` };
  // ls-tree names the entry's mode and type: a symlink's blob is its target's name, not the file.
  const listed = await git(repoRoot, ['ls-tree', '-z', '--full-tree', sha, '--', rel]);
  if (!listed.ok) return { kind: 'unreadable', message: `git cannot list ${rel} at ${sha.slice(0, 12)}: ${firstLine(listed.stderr)}` };
  const entry = listed.stdout.toString('utf8').split('\u0000').find((line) => line.endsWith(`\t${rel}`));
  if (entry === undefined) return { kind: 'missing' };
  const [mode, type, object] = entry.slice(0, entry.indexOf('\t')).split(' ');
  if (type !== 'blob') return { kind: 'unreadable', message: `${rel} is a ${type ?? 'non-file'} at ${sha.slice(0, 12)}, not a file` };
  if (mode === '120000') return { kind: 'unreadable', message: `${rel} is a symlink at ${sha.slice(0, 12)}; not followed` };
  const size = await git(repoRoot, ['cat-file', '-s', object!]);
  if (size.ok && Number(size.stdout.toString('utf8').trim()) > MAX_FILE_BYTES) return { kind: 'unreadable', message: `${rel} at ${sha.slice(0, 12)} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB` };
  const blob = await git(repoRoot, ['cat-file', 'blob', object!]);
  if (!blob.ok) return { kind: 'unreadable', message: `git cannot read ${rel} at ${sha.slice(0, 12)}: ${firstLine(blob.stderr)}` };
  return { kind: 'file', text: blob.stdout.toString('utf8') };
}

/**
 * Whether the work tree differs from a commit anywhere under the given repository-relative paths:
 * tracked files changed, added or deleted, or files git does not track (ignored ones included).
 * Undefined when git cannot tell.
 */
export async function changedSince(repoRoot: string, sha: string, paths: readonly string[]): Promise<boolean | undefined> {
  if (paths.length === 0) return false;
  const specs = paths.map((p) => `:(literal)${p}`);
  const diff = await git(repoRoot, ['diff', '--quiet', '--no-ext-diff', '--no-textconv', sha, '--', ...specs]);
  if (!diff.ok) return diff.stderr === '' ? true : undefined; // exit 1 without a complaint: differences
  const others = await git(repoRoot, ['ls-files', '-z', '--others', '--', ...specs]);
  if (!others.ok) return undefined;
  return others.stdout.length > 0;
}
