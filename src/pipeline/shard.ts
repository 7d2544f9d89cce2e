// Splitting one scan over N runners (`--shard K/N`, a GitHub Actions matrix). The grain is the unit of
// evaluation (engine/unit.ts): a chart directory, a Terraform plan file, or all plain manifests together
// (their joins span files: a RoleBinding in one file, the ServiceAccount in another), so every join inside a
// unit stays inside one shard. A unit goes to the shard with the highest SHA-256 score of (shard, path):
// rendezvous hashing. A unit's shard depends only on its own path and N, so adding or removing a unit never
// moves another, and changing N moves only about 1/N of them (plain `hash mod N` moves most on a change of N).
import { createHash, type Hash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, readSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Config } from '../config/config.ts';
import { UsageError } from '../model/errors.ts';
import { classifyPlanFile } from '../terraform/index.ts';
import { isInside, safeRealpath } from '../model/paths.ts';
import { relativeTo, type Input } from './discover.ts';
import { tarEntries } from '../render/helm.ts';

export interface ShardRequest {
  /** K, from 1. */
  index: number;
  count: number;
}

/** Most shards a scan may be split into (a GitHub Actions matrix has at most 256 jobs). */
export const MAX_SHARDS = 256;

/** The unit name of every plain manifest (and standard input): one unit, one shard. */
export const MANIFESTS_UNIT = '(manifests)';

/** `K/N` (1 <= K <= N <= 256), as `--shard` and the Action's `shard` input give it. */
export function parseShard(text: string, flag = '--shard'): ShardRequest {
  const m = /^\s*(\d{1,4})\s*\/\s*(\d{1,4})\s*$/.exec(text);
  if (!m) throw new UsageError(`${flag} must be K/N, this shard's number and the number of shards, like 2/8 (got "${text}")`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) throw new UsageError(`${flag} ${text}: the number of shards must be from 1 to ${MAX_SHARDS}`);
  if (index < 1 || index > count) throw new UsageError(`${flag} ${text}: the shard number must be from 1 to ${count}`);
  return { index, count };
}

function score(shard: number, unit: string): string {
  return createHash('sha256').update(`${shard}\u0000${unit}`).digest('hex');
}

/** The shard (1..count) a unit goes to: the highest score of (shard, unit path); ties cannot happen in practice and go to the lower number. */
export function shardOfUnit(unit: string, count: number): number {
  let best = 1;
  let bestScore = score(1, unit);
  for (let shard = 2; shard <= count; shard++) {
    const s = score(shard, unit);
    if (s > bestScore) {
      best = shard;
      bestScore = s;
    }
  }
  return best;
}

/** The unit an input belongs to: a chart's directory, a plan's file, or MANIFESTS_UNIT. */
export function unitOfInput(input: Input, repoRoot: string): string {
  if (input.kind === 'chart') return relativeTo(repoRoot, input.dir);
  if (input.kind === 'stdin') return MANIFESTS_UNIT;
  let bytes: Buffer;
  try {
    bytes = readFileSync(input.file);
  } catch {
    // Unreadable: its error is reported by the shard that has it, as its own unit.
    return relativeTo(repoRoot, input.file);
  }
  // Plans are recognised by content, as load.ts does; a rejected file is reported on its own.
  return classifyPlanFile(bytes).kind === 'not-plan' ? MANIFESTS_UNIT : relativeTo(repoRoot, input.file);
}

export interface ShardSelection {
  inputs: Input[];
  /** Units this shard scans, sorted. */
  units: string[];
  /** Digest of every unit of the scan (all shards) and of the content of its files (contentDigest). */
  inputsDigest: string;
  total: number;
}

/** The files and folders an input is read from (none for standard input, which cannot be read twice). */
function pathsOfInput(input: Input): string[] {
  return input.kind === 'chart' ? [input.dir] : input.kind === 'manifest' ? [input.file] : [];
}

/**
 * The inputs of one shard, and what identifies the whole scan's inputs: its units and the content of every
 * file they hold, with `extraFiles` (values files, policies, a baseline file the configuration names).
 */
export function selectShard(inputs: readonly Input[], shard: ShardRequest, repoRoot: string, extraFiles: readonly string[] = []): ShardSelection {
  const units = inputs.map((input) => unitOfInput(input, repoRoot));
  const all = [...new Set(units)].sort();
  const mine = new Set(all.filter((unit) => shardOfUnit(unit, shard.count) === shard.index));
  const read = new Map<string, string[]>(all.map((unit) => [unit, []]));
  inputs.forEach((input, i) => read.get(units[i]!)!.push(...pathsOfInput(input)));
  return {
    inputs: inputs.filter((_, i) => mine.has(units[i]!)),
    units: [...mine].sort(),
    inputsDigest: contentDigest([...read.entries(), ['(options)', [...extraFiles]]], repoRoot),
    total: all.length,
  };
}

const CHUNK = 1024 * 1024;

/** A file's bytes into the hash, a chunk at a time through `buffer` (a large file is never held whole). */
function hashFile(hash: Hash, file: string, buffer: Buffer): void {
  const fd = openSync(file, 'r');
  try {
    for (let n = readSync(fd, buffer, 0, CHUNK, null); n > 0; n = readSync(fd, buffer, 0, CHUNK, null)) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}

/** Most a packaged chart may unpack to for the digest; a larger one is hashed as bytes. */
const MAX_UNPACKED = 256 * 1024 * 1024;

/**
 * Files `helm dependency build` writes again with other bytes for the same content, hashed by what helm
 * reads of them: a chart archive by its entries' names and contents (not the tar's times), a lock file
 * without its `generated:` time. Each shard job builds its own, and merge must still find them equal.
 */
function hashRebuilt(hash: Hash, file: string, shown: string, size: number): boolean {
  const name = path.basename(file);
  try {
    if (name === 'Chart.lock' || name === 'requirements.lock') {
      const text = readFileSync(file, 'utf8').replace(/^generated:.*$/m, '');
      hash.update(`lock\u0000${shown}\u0000${text.length}\u0000${text}`);
      return true;
    }
    if (!name.endsWith('.tgz') || size > MAX_UNPACKED) return false;
    const tar = gunzipSync(readFileSync(file), { maxOutputLength: MAX_UNPACKED });
    const entries = [...tarEntries(tar)].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    hash.update(`archive\u0000${shown}\u0000${entries.length}\u0000`);
    for (const entry of entries) hash.update(`entry\u0000${entry.name}\u0000${entry.content.length}\u0000`).update(entry.content);
    return true;
  } catch {
    return false; // not an archive helm could read either: its bytes
  }
}

/**
 * Digest of what a scan reads: for each unit (sorted), the repository-relative path, size and bytes of
 * every file under its paths (folders walked in name order, `.git` left out; chart archives and lock files as
 * hashRebuilt reads them). Shards must have scanned the
 * same content, not merely the same unit names: a shard run on another commit, or on a checkout a step
 * changed, is refused by merge. The content itself is hashed rather than a git tree id because it is what
 * helm and the loaders read: it also covers a dirty work tree, git-ignored files that still render (a
 * chart's built `charts/*.tgz` dependencies) and folders outside git, and it is the same on any runner
 * whatever its checkout folder, clone depth or file times. Each shard reads every unit's files once,
 * which is small next to the helm renders (the 40-chart corpus, 62 MB in 3832 files: well under a second).
 * A symlink adds where it leads: inside the repository (where rendering follows it) the repository-relative
 * target and what it holds; otherwise only its text, as nothing outside the repository is read through a link.
 * Each real folder is walked once per digest (folders linking to each other would otherwise be walked once
 * per order of links: factorial), and a link into `.git` is not followed (the scan refuses such a chart).
 */
export function contentDigest(units: readonly (readonly [string, readonly string[]])[], repoRoot: string): string {
  const hash = createHash('sha256');
  const realRoot = safeRealpath(repoRoot) ?? repoRoot;
  const rel = (p: string) => relativeTo(repoRoot, p);
  const buffer = Buffer.allocUnsafe(CHUNK);
  const walked = new Set<string>();
  const visit = (p: string, shown: string): void => {
    let stat;
    try {
      stat = lstatSync(p);
    } catch {
      hash.update(`missing\u0000${shown}\u0000`);
      return;
    }
    if (stat.isSymbolicLink()) {
      // Where it leads inside the repository (an absolute link names the checkout folder, which runners may not share).
      const real = safeRealpath(p);
      const inside = real !== undefined && isInside(realRoot, real);
      hash.update(`link\u0000${shown}\u0000${inside ? relativeTo(realRoot, real) : `outside\u0000${readlinkSync(p)}`}\u0000`);
      if (!inside || relativeTo(realRoot, real).split('/').includes('.git')) return;
      visit(real, shown);
      return;
    }
    if (stat.isDirectory()) {
      const real = safeRealpath(p) ?? p;
      if (walked.has(real)) {
        hash.update(`walked\u0000${shown}\u0000${relativeTo(realRoot, real)}\u0000`);
        return;
      }
      walked.add(real);
      let names: string[];
      try {
        names = readdirSync(p).sort();
      } catch {
        hash.update(`unreadable\u0000${shown}\u0000`);
        return;
      }
      hash.update(`dir\u0000${shown}\u0000`);
      for (const name of names) if (name !== '.git') visit(path.join(p, name), `${shown}/${name}`);
      return;
    }
    if (!stat.isFile()) return;
    if (hashRebuilt(hash, p, shown, stat.size)) return;
    hash.update(`file\u0000${shown}\u0000${stat.size}\u0000`);
    try {
      hashFile(hash, p, buffer);
    } catch {
      hash.update('unreadable\u0000');
    }
  };
  for (const [unit, paths] of [...units].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    hash.update(`unit\u0000${unit}\u0000`);
    for (const p of [...new Set(paths.map((q) => path.resolve(q)))].sort()) visit(p, rel(p));
  }
  return hash.digest('hex');
}

/** JSON with object keys sorted, so the digest does not depend on the order keys were written in. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * What must be equal for shard reports to be parts of one scan: the configuration that gated it (with the
 * command-line options on top) and the options that decide renders and evaluation. Absolute paths are made
 * relative to the repository, so runners with different checkout folders agree.
 */
export function configDigest(config: Config, extra: Record<string, unknown>, repoRoot: string): string {
  const text = stableJson({ config, extra }).split(JSON.stringify(repoRoot).slice(1, -1)).join('<repo>');
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
