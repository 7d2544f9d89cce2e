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

interface TreeEntry {
  mode: string;
  type: string;
  object: string;
  size: number | undefined;
}

function normalize(file: string): string | undefined {
  const rel = file.split('\\').join('/').replace(/^\.\//, '');
  return rel === '' || rel === '..' || rel.startsWith('../') || rel.startsWith('/') ? undefined : rel;
}

/** The entries of repository-relative paths at a commit, in one `git ls-tree` (mode, type, object, size). */
async function entriesAt(repoRoot: string, sha: string, files: readonly string[]): Promise<Map<string, TreeEntry> | { message: string }> {
  const listed = await git(repoRoot, ['ls-tree', '-z', '-l', '--full-tree', sha, '--', ...files]);
  if (!listed.ok) return { message: `git cannot list files at ${sha.slice(0, 12)}: ${firstLine(listed.stderr)}` };
  const out = new Map<string, TreeEntry>();
  for (const line of listed.stdout.toString('utf8').split('\u0000')) {
    const tab = line.indexOf('\t');
    if (tab === -1) continue;
    const [mode, type, object, size] = line.slice(0, tab).split(/\s+/);
    out.set(line.slice(tab + 1), { mode: mode!, type: type!, object: object!, size: size === undefined || size === '-' ? undefined : Number(size) });
  }
  return out;
}

/** The repository-relative files at or under a repository-relative path at a commit (git ls-tree -r). */
export async function filesUnderAt(repoRoot: string, sha: string, dir: string): Promise<string[] | { message: string }> {
  const rel = normalize(dir);
  if (rel === undefined) return { message: `${dir} is not inside the repository` };
  const listed = await git(repoRoot, ['ls-tree', '-r', '-z', '--name-only', '--full-tree', sha, '--', rel]);
  if (!listed.ok) return { message: `git cannot list ${rel} at ${sha.slice(0, 12)}: ${firstLine(listed.stderr)}` };
  return listed.stdout.toString('utf8').split('\u0000').filter((f) => f !== '');
}

/** The text of a repository-relative file at a commit (from resolveRevision). */
export async function readFileAt(repoRoot: string, sha: string, file: string): Promise<FileAtRevision> {
  return (await readFilesAt(repoRoot, sha, [file]))[0]!;
}

/** The texts of repository-relative files at a commit, in order: one ls-tree, then one cat-file per file present. */
export async function readFilesAt(repoRoot: string, sha: string, files: readonly string[]): Promise<FileAtRevision[]> {
  const rels = files.map(normalize);
  const inside = rels.filter((r): r is string => r !== undefined);
  // ls-tree names each entry's mode and type: a symlink's blob is its target's name, not the file.
  const entries = inside.length > 0 ? await entriesAt(repoRoot, sha, inside) : new Map<string, TreeEntry>();
  const at = sha.slice(0, 12);
  return Promise.all(
    rels.map(async (rel, i): Promise<FileAtRevision> => {
      if (rel === undefined) return { kind: 'unreadable', message: `${files[i]} is not inside the repository` };
      if (!(entries instanceof Map)) return { kind: 'unreadable', message: entries.message };
      const entry = entries.get(rel);
      if (entry === undefined) return { kind: 'missing' };
      if (entry.type !== 'blob') return { kind: 'unreadable', message: `${rel} is a ${entry.type} at ${at}, not a file` };
      if (entry.mode === '120000') return { kind: 'unreadable', message: `${rel} is a symlink at ${at}; not followed` };
      if (entry.size !== undefined && entry.size > MAX_FILE_BYTES) return { kind: 'unreadable', message: `${rel} at ${at} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB` };
      const blob = await git(repoRoot, ['cat-file', 'blob', entry.object]);
      if (!blob.ok) return { kind: 'unreadable', message: `git cannot read ${rel} at ${at}: ${firstLine(blob.stderr)}` };
      return { kind: 'file', text: blob.stdout.toString('utf8') };
    }),
  );
}

/**
 * The repository-relative files under the given repository-relative paths where the work tree differs
 * from a commit: tracked files changed, added or deleted, and files git does not track (ignored ones
 * included: helm reads them). Undefined when git cannot tell.
 */
export async function changedFilesSince(repoRoot: string, sha: string, paths: readonly string[]): Promise<string[] | undefined> {
  if (paths.length === 0) return [];
  const specs = paths.map((p) => `:(literal)${p}`);
  const diff = await git(repoRoot, ['diff', '--name-only', '-z', '--no-renames', '--no-ext-diff', '--no-textconv', sha, '--', ...specs]);
  if (!diff.ok) return undefined;
  const others = await git(repoRoot, ['ls-files', '-z', '--others', '--', ...specs]);
  if (!others.ok) return undefined;
  const names = (out: Buffer) => out.toString('utf8').split('\u0000').filter((name) => name !== '');
  return [...new Set([...names(diff.stdout), ...names(others.stdout)])].sort();
}
