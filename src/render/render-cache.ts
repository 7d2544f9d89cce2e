// A render cache: helm's output kept on disk under a key made of everything that decides it, so a scan of
// an unchanged repository runs no helm at all (issue 18).
//
// The key is a SHA-256 of: the helm binary's own bytes and version, every argument helm gets (with the
// chart directory and values file paths replaced by the hashes of their contents: paths do not change
// what helm prints, and provenance renders temporary copies), every variable of helm's environment
// (the private home directories aside), helm's memory limits, every file of the directory helm renders
// (subcharts, archives, the cluster-answers copy's rewritten templates; symlinks followed as helm follows
// them; only `.git` left out, as helm never sees it), and the cache format's version.
//
// What is kept: a successful render's stdout, and a render helm itself refused (exit status not 0:
// its stderr, a deterministic function of the same inputs). Never kept: a render stopped by its timeout,
// the scan's deadline, the output or memory limit, or a signal: those depend on the machine, not the chart.
//
// Entries are untrusted input (a cache restored in CI came from another run): one is read only up to a
// size limit, must name its own key and carry the SHA-256 of its body, and anything else (truncated,
// corrupted, too large, another format) is a miss, never an error. Entries are written to a temporary
// file and renamed into place, so a reader never sees half of one. See README "Render cache" for the
// CI scheme that keeps a pull request from planting entries its base branch reads.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, type Dirent } from 'node:fs';
import path from 'node:path';

/** Bumped whenever the key's inputs or the entry format change: old entries are then misses. */
const FORMAT = 'preadmit-render-cache-1';

/** What a cache entry holds: helm's stdout, or its exit status and stderr when it refused the chart. */
export type CachedRender = { ok: true; stdout: string } | { ok: false; exitCode: number; stderr: string };

/** Most bytes a failed render's stderr keeps in the cache. */
const MAX_STDERR_BYTES = 256 * 1024;
/** Most bytes an entry's header line may take. */
const MAX_HEADER_BYTES = 4096;
/** Entries not read or written for this long are removed when a scan with the cache ends. */
export const CACHE_ENTRY_MAX_AGE_MS = 14 * 24 * 3600 * 1000;

export interface CacheCounters {
  hits: number;
  misses: number;
  writes: number;
  /** Entries found but unusable (corrupted, another key, too large): treated as misses. */
  rejected: number;
}

export class RenderCache {
  readonly dir: string;
  readonly counters: CacheCounters = { hits: 0, misses: 0, writes: 0, rejected: 0 };
  /** Content hashes of chart directories that stay unchanged during the scan (the repository's own). */
  readonly chartHashes = new Map<string, string | undefined>();

  constructor(dir: string) {
    this.dir = path.resolve(dir);
  }

  private file(key: string): string {
    return path.join(this.dir, key.slice(0, 2), `${key}.render`);
  }

  /** The entry for `key`, or undefined (absent, unreadable, corrupted, larger than `maxBytes`). */
  get(key: string, maxBytes: number): CachedRender | undefined {
    const file = this.file(key);
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      this.counters.misses++;
      return undefined;
    }
    try {
      const size = statSync(file).size;
      if (size > maxBytes + MAX_HEADER_BYTES) return this.reject();
      const buffer = Buffer.alloc(size);
      let read = 0;
      while (read < size) {
        const n = readSync(fd, buffer, read, size - read, read);
        if (n === 0) break;
        read += n;
      }
      const newline = buffer.indexOf(0x0a);
      if (newline === -1 || newline > MAX_HEADER_BYTES) return this.reject();
      const header = JSON.parse(buffer.subarray(0, newline).toString('utf8')) as Record<string, unknown>;
      const body = buffer.subarray(newline + 1, read);
      if (header.format !== FORMAT || header.key !== key || header.bytes !== body.length || body.length > maxBytes) return this.reject();
      if (header.sha256 !== createHash('sha256').update(body).digest('hex')) return this.reject();
      const text = body.toString('utf8');
      let entry: CachedRender;
      if (header.ok === true) entry = { ok: true, stdout: text };
      else if (header.ok === false && Number.isInteger(header.exitCode) && header.exitCode !== 0) entry = { ok: false, exitCode: header.exitCode as number, stderr: text };
      else return this.reject();
      this.counters.hits++;
      // Used now: kept by the age-based pruning.
      try {
        const now = new Date();
        utimesSync(file, now, now);
      } catch {
        // a read-only cache is still a cache
      }
      return entry;
    } catch {
      return this.reject();
    } finally {
      closeSync(fd);
    }
  }

  private reject(): undefined {
    this.counters.rejected++;
    this.counters.misses++;
    return undefined;
  }

  /** Stores an entry atomically (temporary file, then rename); a cache that cannot be written is skipped. */
  put(key: string, entry: CachedRender): void {
    const text = entry.ok ? entry.stdout : entry.stderr.slice(0, MAX_STDERR_BYTES);
    const body = Buffer.from(text, 'utf8');
    const header = { format: FORMAT, key, ok: entry.ok, ...(entry.ok ? {} : { exitCode: entry.exitCode }), bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') };
    const file = this.file(key);
    const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(temporary, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`, 'utf8'), body]), { mode: 0o600 });
      renameSync(temporary, file);
      this.counters.writes++;
    } catch {
      rmSync(temporary, { force: true });
    }
  }

  /**
   * Removes entries (and stray temporary files) unused for CACHE_ENTRY_MAX_AGE_MS. Only files named as
   * put() names them are touched (the cache folder may be shared with other files, or be named by mistake):
   * anything else in it, even in a two-hex-digit folder, is left alone.
   */
  prune(now = Date.now()): number {
    let removed = 0;
    let shards: string[];
    try {
      shards = readdirSync(this.dir);
    } catch {
      return 0;
    }
    for (const shard of shards) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      let files: string[];
      try {
        files = readdirSync(path.join(this.dir, shard));
      } catch {
        continue;
      }
      for (const name of files) {
        const kind = cacheFileKind(shard, name);
        if (kind === undefined) continue;
        const full = path.join(this.dir, shard, name);
        try {
          const stat = lstatSync(full);
          if (stat.isFile() && now - stat.mtimeMs > (kind === 'temporary' ? 3600_000 : CACHE_ENTRY_MAX_AGE_MS)) {
            rmSync(full, { force: true });
            removed++;
          }
        } catch {
          // gone already
        }
      }
    }
    return removed;
  }
}

/** An entry's file name (`<key>.render`) and a temporary one put() writes before the rename. */
const ENTRY_NAME = /^([0-9a-f]{64})\.render$/;
const TEMPORARY_NAME = /^([0-9a-f]{64})\.render\.\d+\.[0-9a-z]*\.tmp$/;

/** Whether `name` in the folder `shard` is a file the cache writes there: an entry, a temporary one, or neither. */
function cacheFileKind(shard: string, name: string): 'entry' | 'temporary' | undefined {
  const kind = ENTRY_NAME.test(name) ? 'entry' : TEMPORARY_NAME.test(name) ? 'temporary' : undefined;
  return kind !== undefined && name.startsWith(shard) ? kind : undefined;
}

const current = new AsyncLocalStorage<RenderCache | undefined>();

/** Runs `fn` with `cache` used by every render inside it (undefined: no cache). */
export function runWithRenderCache<T>(cache: RenderCache | undefined, fn: () => T): T {
  return current.run(cache, fn);
}

export function currentRenderCache(): RenderCache | undefined {
  return current.getStore();
}

/** Most bytes of chart files hashed for one key; a larger chart is not cached (helm's own limits apply to it). */
const MAX_HASHED_BYTES = 256 * 1024 * 1024;
const MAX_HASHED_DEPTH = 64;

/**
 * SHA-256 of every file in a directory as helm loads it: relative names (sorted) and contents, symlinks
 * followed, `.git` left out. Undefined when it cannot be read whole (then the render is not cached).
 */
export function directoryHash(dir: string): string | undefined {
  const hash = createHash('sha256');
  let total = 0;
  const walk = (at: string, shown: string, depth: number): boolean => {
    if (depth > MAX_HASHED_DEPTH) return false;
    let entries: Dirent[];
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch {
      return false;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name === '.git') continue;
      const full = path.join(at, entry.name);
      const name = shown === '' ? entry.name : `${shown}/${entry.name}`;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (!isDir && !isFile) {
        try {
          const stat = statSync(full);
          isDir = stat.isDirectory();
          isFile = stat.isFile();
        } catch {
          return false; // a dangling link: helm fails on it, and that is not cached by content
        }
      }
      if (isDir) {
        hash.update(`d\u0000${name}\u0000`);
        if (!walk(full, name, depth + 1)) return false;
      } else if (isFile) {
        let content: Buffer;
        try {
          content = readFileSync(full);
        } catch {
          return false;
        }
        total += content.length;
        if (total > MAX_HASHED_BYTES) return false;
        hash.update(`f\u0000${name}\u0000${content.length}\u0000`);
        hash.update(content);
      } else {
        hash.update(`o\u0000${name}\u0000`);
      }
    }
    return true;
  };
  return walk(dir, '', 0) ? hash.digest('hex') : undefined;
}

/** Bytes a file is hashed by at a time: the helm binary (~58 MB) is never held whole. */
const HASH_CHUNK = 1024 * 1024;

/** SHA-256 of a file's contents, or undefined. */
export function fileHash(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const hash = createHash('sha256');
    const chunk = Buffer.allocUnsafe(HASH_CHUNK);
    for (let n = readSync(fd, chunk, 0, HASH_CHUNK, null); n > 0; n = readSync(fd, chunk, 0, HASH_CHUNK, null)) hash.update(chunk.subarray(0, n));
    return hash.digest('hex');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A file as it stands (symlinks followed): path, device, inode, size, modification and change times in
 * nanoseconds. A file replaced or rewritten gets another stamp (what is read once per process and file
 * is read again then); undefined when it cannot be stat'ed.
 */
export function fileStamp(file: string): string | undefined {
  try {
    const stat = statSync(file, { bigint: true });
    return `${file}\u0000${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
  } catch {
    return undefined;
  }
}

/** The helm binary's content hash, once per file stamp in this process. */
const binaries = new Map<string, string | undefined>();
export function binaryHash(file: string): string | undefined {
  const stamp = fileStamp(file);
  if (stamp === undefined) return undefined;
  if (!binaries.has(stamp)) binaries.set(stamp, fileHash(file));
  return binaries.get(stamp);
}

/** The key of a render: SHA-256 of its parts, in order. Undefined parts mean the render is not cacheable. */
export function renderKey(parts: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify([FORMAT, parts])).digest('hex');
}
