// No credential leaves the runner: the last step of every scan (and of a report published by the Action)
// replaces, in every string of the result (findings, messages, object names, paths, file names, errors),
// each credential the run knows with `***`:
//   - the run's own: tokens passed in (the Action's github-token), GITHUB_TOKEN, ACTIONS_RUNTIME_TOKEN,
//     ACTIONS_ID_TOKEN_REQUEST_TOKEN and other credential-named variables of the environment, and the
//     `http.<url>.extraheader` actions/checkout writes into .git/config (`AUTHORIZATION: basic <base64 of
//     x-access-token:TOKEN>`), in its header, base64 and token forms;
//   - the scan's: Secret data, literal credentials in env values and ConfigMaps, credential-named values
//     of the charts' values files and --set pairs;
//   - anything of a known token format (`ghs_...`, `glpat-...`, PEM private keys, bearer tokens);
//   - upper- and lower-cased, reversed and base32 forms (sprig's upper, lower, reverse, b32enc);
//   - any run of 8 or more characters of a known secret (from 12 characters long) that is not a plain
//     word, so a template printing it piece by piece (`substr`) leaks no piece of 8;
//   - a known secret's letters and digits in order, in any case, with up to 8 other characters between
//     each (`join "-" (splitList "" .pw)`, `swapcase`), or up to 2 other letters or digits between each
//     (`join "0" ...`), when it has 12 or more of them, forwards or reversed.
// Each known value is also looked for encoded: base64 (standard, unpadded, URL-safe; and the part of it
// that any text embedding the value at any offset encodes the same way, so `b64enc (printf "x%s" .tok)`
// is caught too), hex, URL-encoded and JSON-escaped. A chart's template decides what helm prints, in
// object names, in `fail` messages, anywhere: the report is the channel to close, not the template.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { credentialName, detectByName, detectFormat, descriptiveName, keyMaterial, TOKEN_PATTERNS } from './secret-literal.ts';
import type { ScannedObject } from '../model/model.ts';

export const REDACTED = '***';

/** Shorter values are words, not secrets: redacting them would garble names and messages. */
const MIN_SECRET = 8;
/** Shortest encoded fragment (the aligned middle of a base64 encoding) that is replaced on its own. */
const MIN_FRAGMENT = 16;
/** Pieces of a secret this long are replaced on their own, for secrets from MIN_FRAGMENT_SECRET characters. */
const FRAGMENT = 8;
const MIN_FRAGMENT_SECRET = 12;
/** Longer values (certificates, key files) are matched whole and by their encodings only. */
const MAX_FRAGMENT_SECRET = 4096;
/** Secrets looked at for one window (a window shared by more secrets is matched against these). */
const MAX_FRAGMENT_PLACES = 4;
/** Most spread-out forms tried at one text position (per first character, per first three). */
const MAX_FORMS_PER_KEY = 64;
/** Most characters other than letters and digits between two of a spread-out secret's. */
const MAX_SPREAD_GAP = 8;
/** Most other letters or digits between two of a secret's interleaved with others (`join "0"`). */
const MAX_INTERLEAVE = 2;

/** A window worth replacing: mixes letters with digits, capitals or symbols (not `password`, `db-admin`). */
function fragmentLike(window: string): boolean {
  return !/^[a-z]+(?:[-_.][a-z]+)*[-_.]?$/.test(window) && !/^[-_.]?[a-z]+(?:[-_.][a-z]+)*$/.test(window) && !/^\s|\s$/.test(window);
}
/** Environment variables that hold the runner's own credentials whatever their value looks like. */
export const RUNNER_TOKEN_VARIABLES = ['GITHUB_TOKEN', 'INPUT_GITHUB-TOKEN', 'ACTIONS_RUNTIME_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN'];
const MAX_GIT_CONFIG_BYTES = 256 * 1024;

/** Every form in which `secret` may reach a report: plain, base64 (whole and embedded), hex, URL-encoded, JSON-escaped. */
export function encodedForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const bytes = Buffer.from(secret, 'utf8');
  const b64 = bytes.toString('base64');
  forms.add(b64);
  forms.add(b64.replace(/=+$/, ''));
  forms.add(bytes.toString('base64url'));
  // `b64enc` of a text holding the secret at byte offset k encodes the secret's bytes from the next
  // multiple of 3 onward identically, whatever surrounds it: one fragment per alignment.
  for (let skip = 0; skip < 3; skip++) {
    const whole = Math.floor((bytes.length - skip) / 3) * 3;
    if (whole <= 0) continue;
    const fragment = bytes.subarray(skip, skip + whole).toString('base64');
    if (fragment.length >= MIN_FRAGMENT) {
      forms.add(fragment);
      forms.add(fragment.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  forms.add(bytes.toString('hex'));
  forms.add(bytes.toString('hex').toUpperCase());
  forms.add(encodeURIComponent(secret));
  forms.add(JSON.stringify(secret).slice(1, -1));
  // Twice encoded (`b64enc | b64enc`, a Secret's data written from an already encoded value).
  forms.add(Buffer.from(b64).toString('base64'));
  // What sprig's string functions make of it: case changed, reversed, base32.
  forms.add(secret.toUpperCase());
  forms.add(secret.toLowerCase());
  forms.add([...secret].reverse().join(''));
  const b32 = base32(bytes);
  forms.add(b32);
  forms.add(b32.replace(/=+$/, ''));
  forms.add(b32.toLowerCase());
  forms.add(b32.replace(/=+$/, '').toLowerCase());
  return [...forms].filter((form) => form.length >= MIN_SECRET);
}

/** RFC 4648 base32 (sprig's b32enc), padded. */
function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out + '='.repeat((8 - (out.length % 8)) % 8);
}

/** The values of `http.*.extraheader` in a git config text (and files it includes). */
export function extraHeaders(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(/^\s*extraheader\s*=\s*(.+?)\s*$/gim)) out.push(match[1]!.replace(/^"(.*)"$/, '$1'));
  return out;
}

/** The credentials in an extraheader value: the header, its base64 payload, and `user:token` and the token decoded from it. */
export function headerCredentials(header: string): string[] {
  const out = [header];
  const value = header.replace(/^[\w-]+\s*:\s*/, '');
  out.push(value);
  const scheme = /^(basic|bearer|token)\s+(\S+)$/i.exec(value);
  if (scheme) {
    out.push(scheme[2]!);
    if (scheme[1]!.toLowerCase() === 'basic') {
      const decoded = Buffer.from(scheme[2]!, 'base64').toString('utf8');
      if (decoded.includes(':')) out.push(decoded, decoded.slice(decoded.indexOf(':') + 1));
    }
  }
  return out;
}

function readSmall(file: string): string | undefined {
  try {
    if (statSync(file).size > MAX_GIT_CONFIG_BYTES) return undefined;
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The git configuration files of a work tree: `.git/config` (or, for a worktree or submodule whose `.git`
 * is a file, the gitdir's config and its common dir's), and the files they `[include]` (actions/checkout
 * v6 keeps the token in an included file under RUNNER_TEMP).
 */
function gitConfigTexts(workTree: string): string[] {
  const dotGit = path.join(workTree, '.git');
  const dirs: string[] = [];
  const pointer = readSmall(dotGit);
  if (pointer !== undefined && /^gitdir:/m.test(pointer)) {
    const gitdir = path.resolve(workTree, pointer.replace(/^gitdir:\s*/m, '').trim());
    dirs.push(gitdir);
    const common = readSmall(path.join(gitdir, 'commondir'));
    if (common !== undefined) dirs.push(path.resolve(gitdir, common.trim()));
  } else if (existsSync(dotGit)) {
    dirs.push(dotGit);
  }
  const texts: string[] = [];
  const seen = new Set<string>();
  const pending = dirs.map((dir) => path.join(dir, 'config'));
  while (pending.length > 0 && texts.length < 16) {
    const file = pending.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readSmall(file);
    if (text === undefined) continue;
    texts.push(text);
    for (const include of text.matchAll(/^\s*path\s*=\s*"?(.+?)"?\s*$/gim)) pending.push(path.resolve(path.dirname(file), include[1]!.replace(/^~(?=\/)/, process.env.HOME ?? '~')));
  }
  return texts;
}

export interface RunCredentialSources {
  /** Credentials given by the caller (the Action's github-token input). */
  credentials?: readonly string[];
  /** Work trees whose git configuration may hold a checkout token (the repository root, the workspace). */
  workTrees?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

/** The run's own credentials: given ones, the runner's token variables and credential-named variables, checkout extraheaders. */
export function runCredentials(sources: RunCredentialSources): string[] {
  const out = new Set<string>();
  const add = (value: string | undefined) => {
    const v = value?.trim();
    if (v !== undefined && v.length >= MIN_SECRET) out.add(v);
  };
  for (const credential of sources.credentials ?? []) add(credential);
  const env = sources.env ?? process.env;
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (RUNNER_TOKEN_VARIABLES.includes(name.toUpperCase())) add(value);
    else if (credentialName(name) === 'strong' && redactable(value) && detectByName(name, value)) add(value);
  }
  for (const tree of new Set(sources.workTrees ?? [])) {
    for (const text of gitConfigTexts(tree)) for (const header of extraHeaders(text)) for (const credential of headerCredentials(header)) add(credential);
  }
  return [...out];
}

/** Secret values the scan read: Secret data named or shaped like a credential, literal credentials in env and ConfigMaps. */
export function scannedSecrets(objects: readonly ScannedObject[]): string[] {
  const out = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === 'string' && redactable(value)) out.add(value.trim());
  };
  for (const object of objects) {
    const raw = object.raw as Record<string, unknown>;
    if (object.ref.kind === 'Secret') {
      for (const field of ['data', 'stringData'] as const) {
        const map = raw[field];
        if (typeof map !== 'object' || map === null) continue;
        for (const [key, value] of Object.entries(map)) {
          if (typeof value !== 'string' || descriptiveName(key)) continue;
          const text = field === 'data' ? Buffer.from(value, 'base64').toString('utf8') : value;
          // `database: postgres` or `host: db` would garble every name holding them; a credential is named so or looks so.
          if (credentialName(key) === undefined && !detectFormat(text) && !keyMaterial(text)) continue;
          add(text);
          add(value);
        }
      }
    } else if (object.ref.kind === 'ConfigMap') {
      const map = raw.data;
      if (typeof map === 'object' && map !== null) for (const [key, value] of Object.entries(map)) if (typeof value === 'string' && !value.includes('\n') && detectByName(key, value)) add(value);
    }
    for (const env of envEntries(raw)) if (detectByName(env.name, env.value) ?? detectFormat(env.value)) add(env.value);
  }
  return [...out];
}

/** `{name, value}` env entries anywhere in an object (containers of any workload shape). */
function envEntries(raw: unknown): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  const stack: unknown[] = [raw];
  let visited = 0;
  while (stack.length > 0 && visited++ < 100_000) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...node);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'env' && Array.isArray(value)) {
          for (const item of value) {
            if (typeof item === 'object' && item !== null && typeof (item as { name?: unknown }).name === 'string' && typeof (item as { value?: unknown }).value === 'string') {
              out.push({ name: (item as { name: string }).name, value: (item as { value: string }).value });
            }
          }
        } else if (typeof value === 'object') stack.push(value);
      }
    }
  }
  return out;
}

/**
 * Whether a credential the scan read is worth replacing wherever it occurs: long enough, and not a word
 * or a lower-case name (`password`, `postgres-password`, `changeme`): such values are key names and
 * placeholders the chart itself publishes, and replacing them would garble names and messages.
 */
export function redactable(value: string): boolean {
  const v = value.trim();
  return v.length >= MIN_SECRET && !/^[a-z]+(?:[-_.][a-z]+)*$/.test(v);
}

/** Credential-named strings (and strings of a token format) of values: `path` is the key path of each leaf. */
export function valuesSecrets(leaves: Iterable<{ path: readonly (string | number)[]; value: unknown }>): string[] {
  const out = new Set<string>();
  for (const leaf of leaves) {
    if (typeof leaf.value !== 'string' || !redactable(leaf.value)) continue;
    const key = [...leaf.path].reverse().find((p): p is string => typeof p === 'string') ?? '';
    if (detectByName(key, leaf.value) ?? detectFormat(leaf.value)) out.add(leaf.value.trim());
  }
  return [...out];
}

/** The 3 UTF-16 units at `i` as one exact number (a Map key without a substring per position). */
function prefixKey(text: string, i: number): number {
  return text.charCodeAt(i) * 4294967296 + text.charCodeAt(i + 1) * 65536 + text.charCodeAt(i + 2);
}

/** Literal parts of TOKEN_PATTERNS: a string without any is left alone (one scan instead of one per pattern). */
const TOKEN_ANCHORS = /gh[pousr]_|github_pat_|gl[a-z]{2,6}-|xox|xapp-|npm_|[rs]k_|AIza|SG\.|sk-|A[KSBC][IC]A|hv[sb]\.|_v1_|pypi-|dckr_pat_|eyJ|PRIVATE KEY|AccessKey=|AccountKey=|[Bb]earer|[Bb]asic|x-access-token:/;

/** Replaces known secrets, in all their encodings, and token-shaped text in strings. */
export class Redactor {
  /** Forms by their first 3 characters and their next 3 (prefixKey), longest first. */
  private readonly byPrefix = new Map<number, Map<number, string[]>>();
  private readonly size: number;
  /** Pieces of the longer secrets (every FRAGMENT-character window that looks like a credential's) and where they sit. */
  private readonly fragments = new Map<string, { secret: string; at: number }[]>();
  /** prefixKey of every fragment: most positions of a text are ruled out without a substring. */
  private readonly fragmentStarts = new Set<number>();
  /** Letters and digits of the longer secrets, lower-cased (and reversed), by their first 3 (prefixKey). */
  private readonly spread = new Map<number, string[]>();
  /** The same forms by their first character, for interleaved spellings. */
  private readonly firstOf = new Map<number, string[]>();
  private readonly spreadForms = new Set<string>();

  constructor(secrets: Iterable<string>) {
    const forms = new Set<string>();
    for (const secret of secrets) {
      if (secret.length < MIN_SECRET) continue;
      for (const form of encodedForms(secret)) forms.add(form);
      // A template can print part of a secret (`substr 0 12 .Values.password`): any run of it from
      // FRAGMENT characters on is replaced too, but only windows that are no plain word or name.
      if (secret.length < MIN_FRAGMENT_SECRET || secret.length > MAX_FRAGMENT_SECRET) continue;
      const letters = secret.toLowerCase().replace(/[^a-z0-9]/g, '');
      if (letters.length >= MIN_FRAGMENT_SECRET) {
        for (const form of [letters, [...letters].reverse().join('')]) {
          if (this.spreadForms.has(form)) continue;
          this.spreadForms.add(form);
          // Each text position is tried against the forms of its key: bounded, so many secrets sharing a
          // beginning (Secret objects a pull request adds) cannot make redaction quadratic. The secrets given
          // first (the run's credentials, --set values) take the places.
          const byFirst = this.firstOf.get(form.charCodeAt(0)) ?? [];
          if (byFirst.length < MAX_FORMS_PER_KEY) {
            byFirst.push(form);
            this.firstOf.set(form.charCodeAt(0), byFirst);
          }
          const list = this.spread.get(prefixKey(form, 0));
          if (list === undefined) this.spread.set(prefixKey(form, 0), [form]);
          else if (list.length < MAX_FORMS_PER_KEY) list.push(form);
        }
      }
      for (let at = 0; at + FRAGMENT <= secret.length; at++) {
        const window = secret.slice(at, at + FRAGMENT);
        if (!fragmentLike(window)) continue;
        this.fragmentStarts.add(prefixKey(window, 0));
        const list = this.fragments.get(window);
        // One place per secret and a few secrets per window: a repeating secret (`aB1aB1...`) would
        // otherwise list the window thousands of times and make every hit cost as much.
        if (list === undefined) this.fragments.set(window, [{ secret, at }]);
        else if (list.length < MAX_FRAGMENT_PLACES && !list.some((p) => p.secret === secret)) list.push({ secret, at });
      }
    }
    for (const form of forms) {
      let next = this.byPrefix.get(prefixKey(form, 0));
      if (!next) this.byPrefix.set(prefixKey(form, 0), (next = new Map()));
      const list = next.get(prefixKey(form, 3));
      if (list) list.push(form);
      else next.set(prefixKey(form, 3), [form]);
    }
    for (const next of this.byPrefix.values()) for (const list of next.values()) list.sort((a, b) => b.length - a.length);
    this.size = forms.size;
  }

  /** How many forms are looked for (for tests and measurements). */
  get forms(): number {
    return this.size;
  }

  text(input: string): string {
    let text = input;
    if (this.size > 0 && text.length >= MIN_SECRET) {
      let out = '';
      let last = 0;
      for (let i = 0; i + MIN_SECRET <= text.length; ) {
        const list = this.byPrefix.get(prefixKey(text, i))?.get(prefixKey(text, i + 3));
        const form = list?.find((f) => text.startsWith(f, i));
        if (form === undefined) {
          i++;
          continue;
        }
        out += text.slice(last, i) + REDACTED;
        i += form.length;
        last = i;
      }
      if (last > 0) text = out + text.slice(last);
    }
    if (this.fragments.size > 0 && text.length >= FRAGMENT) text = this.withoutFragments(text);
    if (this.spread.size > 0 && text.length >= MIN_FRAGMENT_SECRET) text = this.withoutSpread(text);
    // Real tokens mix digits and letters; `Basic authentication` and `ghp_xxxx...` placeholders do not.
    if (TOKEN_ANCHORS.test(text)) {
      for (const pattern of TOKEN_PATTERNS) text = text.replace(pattern, (match) => (/\d/.test(match) && /[A-Za-z]/.test(match) ? REDACTED : match));
    }
    return text;
  }

  /** Each longest run of `text` that is a piece of a known secret (from FRAGMENT characters on) becomes REDACTED. */
  private withoutFragments(text: string): string {
    let out = '';
    let last = 0;
    for (let i = 0; i + FRAGMENT <= text.length; ) {
      const places = this.fragmentStarts.has(prefixKey(text, i)) ? this.fragments.get(text.slice(i, i + FRAGMENT)) : undefined;
      if (places === undefined) {
        i++;
        continue;
      }
      // The whole run of the secret around the window: forward, and back to where the last replacement ended.
      let start = i;
      let end = i + FRAGMENT;
      for (const { secret, at } of places) {
        let n = FRAGMENT;
        while (i + n < text.length && at + n < secret.length && text[i + n] === secret[at + n]) n++;
        let b = 0;
        while (i - b - 1 >= last && at - b - 1 >= 0 && text[i - b - 1] === secret[at - b - 1]) b++;
        if (n + b > end - start) [start, end] = [i - b, i + n];
      }
      out += text.slice(last, start) + REDACTED;
      i = end;
      last = i;
    }
    return last > 0 ? out + text.slice(last) : text;
  }

  /**
   * Each stretch of `text` whose letters and digits, lower-cased, spell a known secret's (or its reverse),
   * with at most MAX_SPREAD_GAP other characters between two of them, becomes REDACTED.
   */
  private withoutSpread(text: string): string {
    // The text's letters and digits, lower-cased, and where each sits; a longer gap breaks the run (\0).
    let letters = '';
    const at: number[] = [];
    let gap = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const lower = c >= 65 && c <= 90 ? c + 32 : c;
      if ((lower >= 97 && lower <= 122) || (lower >= 48 && lower <= 57)) {
        if (gap > MAX_SPREAD_GAP) {
          letters += '\0';
          at.push(i);
        }
        letters += String.fromCharCode(lower);
        at.push(i);
        gap = 0;
      } else gap++;
    }
    const spans: [number, number][] = [];
    for (let i = 0; i + MIN_FRAGMENT_SECRET <= letters.length; ) {
      const form = this.spread.get(prefixKey(letters, i))?.find((f) => letters.startsWith(f, i));
      if (form !== undefined) {
        spans.push([at[i]!, at[i + form.length - 1]! + 1]);
        i += form.length;
        continue;
      }
      // Interleaved with other letters or digits: each next one of the secret's within MAX_INTERLEAVE more.
      const end = this.firstOf.has(letters.charCodeAt(i)) ? this.interleaved(letters, i) : -1;
      if (end === -1) {
        i++;
        continue;
      }
      spans.push([at[i]!, at[end]! + 1]);
      i = end + 1;
    }
    if (spans.length === 0) return text;
    let out = '';
    let last = 0;
    for (const [start, end] of spans) {
      out += text.slice(last, start) + REDACTED;
      last = end;
    }
    return out + text.slice(last);
  }

  /** Where an interleaved spelling of a known secret starting at `i` ends (its last character), or -1. */
  private interleaved(letters: string, i: number): number {
    for (const form of this.firstOf.get(letters.charCodeAt(i)) ?? []) {
      let at = i;
      let k = 1;
      for (; k < form.length; k++) {
        const c = form.charCodeAt(k);
        let next = -1;
        for (let j = at + 1; j <= at + 1 + MAX_INTERLEAVE && j < letters.length; j++) {
          const here = letters.charCodeAt(j);
          if (here === 0) break; // a long gap of other characters ends the run
          if (here === c) {
            next = j;
            break;
          }
        }
        if (next === -1) break;
        at = next;
      }
      if (k === form.length) return at;
    }
    return -1;
  }

  /** A deep copy of a JSON-like value with every string (keys too) redacted. */
  value<T>(input: T): T {
    return this.walk(input) as T;
  }

  private walk(node: unknown): unknown {
    if (typeof node === 'string') return this.text(node);
    if (Array.isArray(node)) return node.map((item) => this.walk(item));
    if (typeof node === 'object' && node !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) out[this.text(key)] = this.walk(value);
      return out;
    }
    return node;
  }
}
