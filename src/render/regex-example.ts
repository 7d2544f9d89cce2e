// A string a template's regular expression matches, so a render can give the release name or namespace a
// value that takes the branch a `regexMatch` guards (`regexMatch "^(kube|prod)-" .Release.Namespace`).
// Covers the RE2 subset such guards use: literals, escapes, classes, groups with alternation, anchors and
// quantifiers. Anything else (backreferences do not exist in RE2; lookarounds neither) gives undefined.
import v8 from 'node:v8';

/** Characters a name or namespace may hold; a class yields the first of them it allows. */
const NAME_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789-.';

interface Cursor {
  text: string;
  at: number;
}

/**
 * One shortest-ish string `pattern` matches (each alternative tried in order until one keeps the result a
 * valid name per `valid`), lower-cased for `(?i)`; undefined when the pattern is outside the subset.
 */
export function regexExamples(pattern: string, limit = 8): string[] {
  let text = pattern;
  let caseless = false;
  const flags = /^\(\?([imsU]+)\)/.exec(text);
  if (flags) {
    caseless = flags[1]!.includes('i');
    text = text.slice(flags[0].length);
  }
  let results: string[];
  try {
    const cursor: Cursor = { text, at: 0 };
    results = alternation(cursor, limit);
    if (cursor.at !== text.length) return [];
  } catch {
    return [];
  }
  // Only examples the pattern is seen to match (a pattern no linear engine can run, even with its counted
  // repetitions opened, gives none; opened, the check still rejects what the generator got wrong in kind).
  const check = goRegExpOrWider(pattern);
  if (check === undefined) return [];
  return [...new Set(results.map((r) => (caseless ? r.toLowerCase() : r)))].filter((r) => check.regexp.test(r));
}

const POSIX_CLASSES: Record<string, string> = { digit: '0-9', alpha: 'A-Za-z', alnum: 'A-Za-z0-9', lower: 'a-z', upper: 'A-Z', space: '\\s', word: '\\w', xdigit: '0-9A-Fa-f' };

/**
 * V8's linear-time engine (flag `l`), for patterns a pull request writes: a backtracking engine can be
 * made to run for days by `(a|aa){40}$x`. Without it (a V8 that lacks the flag) no pattern is run at all.
 */
let linearEngine: boolean | undefined;
function linear(): boolean {
  if (linearEngine === undefined) {
    try {
      v8.setFlagsFromString('--enable-experimental-regexp-engine');
      new RegExp('a', 'l');
      linearEngine = true;
    } catch {
      linearEngine = false;
    }
  }
  return linearEngine;
}

/**
 * A Go (RE2) pattern as a JavaScript RegExp for the subset this file covers: `(?i)` as a flag, POSIX classes
 * spelled out; run by the linear-time engine, undefined when that engine cannot run it. Case-insensitive
 * patterns are only for lower-case subjects (release names and namespaces are).
 */
export function goRegExp(pattern: string): RegExp | undefined {
  return compile(pattern, false);
}

/**
 * goRegExp, or when the linear engine refuses the pattern (it refuses counted repetitions past 16, as in
 * `[a-z]{0,40}`), the pattern with every counted repetition made open (`{2,40}` as `+`, `{0,40}` as `*`):
 * it matches everything the pattern matches and more, so only for checking names made to match it.
 */
export function goRegExpOrWider(pattern: string): { regexp: RegExp; exact: boolean } | undefined {
  const exact = compile(pattern, false);
  if (exact !== undefined) return { regexp: exact, exact: true };
  const wider = compile(pattern, true);
  return wider === undefined ? undefined : { regexp: wider, exact: false };
}

/** `body` with each counted repetition (outside classes, not escaped) made `*` (at least 0) or `+`. */
function openRepetitions(body: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\') {
      out += body.slice(i, i + 2);
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      // A `]` first in a class is a literal.
      if (body[i + 1] === ']' || (body[i + 1] === '^' && body[i + 2] === ']')) {
        const n = body[i + 1] === ']' ? 2 : 3;
        out += body.slice(i, i + n);
        i += n - 1;
        continue;
      }
    }
    const counted = c === '{' ? /^\{(\d{1,4})(,\d{0,4})?\}\??/.exec(body.slice(i, i + 16)) : null;
    if (counted) {
      out += Number(counted[1]) === 0 ? '*' : '+';
      i += counted[0].length - 1;
      continue;
    }
    out += c;
  }
  return out;
}

function compile(pattern: string, wider: boolean): RegExp | undefined {
  if (pattern.length > 1024 || !linear()) return undefined;
  const flags = /^\(\?([imsU]+)\)/.exec(pattern);
  let body = (flags ? pattern.slice(flags[0].length) : pattern).replace(/\[:([a-z]+):\]/g, (m, name: string) => POSIX_CLASSES[name] ?? m);
  // A group with its own flags (`(?i:system)`): JavaScript has none; the whole pattern is read case-insensitively then.
  let caseless = flags?.[1]!.includes('i') ?? false;
  if (/\(\?[imsU]+:/.test(body)) {
    caseless ||= /\(\?[msU]*i[msU]*:/.test(body);
    body = body.replace(/\(\?[imsU]+:/g, '(?:');
  }
  if (wider) body = openRepetitions(body);
  try {
    // The linear engine has no `i`: names are lower-case, so the pattern's own letters are lower-cased
    // (escapes such as \D and \W kept), which matches a lower-case name exactly when `i` would.
    return new RegExp(caseless ? body.replace(/\\.|[A-Z]/g, (m) => (m.length === 2 ? m : m.toLowerCase())) : body, 'l');
  } catch {
    return undefined;
  }
}

class Unsupported extends Error {}

/** Alternatives separated by `|`: each one's examples, in order. */
function alternation(c: Cursor, limit: number): string[] {
  const out: string[] = [];
  for (;;) {
    out.push(...sequence(c, limit));
    if (c.text[c.at] !== '|') return out.slice(0, limit);
    c.at++;
  }
}

/** A sequence of atoms with their quantifiers: the cross product of their examples, bounded. */
function sequence(c: Cursor, limit: number): string[] {
  let acc = [''];
  while (c.at < c.text.length && c.text[c.at] !== '|' && c.text[c.at] !== ')') {
    const options = atom(c, limit);
    const [min, max] = quantifier(c);
    // The least repetition the quantifier allows (one for `*` too when zero would leave nothing to match on).
    const times = min === 0 && max !== 0 ? 0 : min;
    const repeated = options.map((o) => o.repeat(times));
    const extra = min === 0 && max !== 0 ? options : [];
    const next: string[] = [];
    for (const a of acc) for (const o of [...repeated, ...extra]) if (next.length < limit) next.push(a + o);
    acc = [...new Set(next)];
  }
  return acc;
}

function quantifier(c: Cursor): [number, number] {
  const ch = c.text[c.at];
  let range: [number, number] | undefined;
  if (ch === '?') range = [0, 1];
  else if (ch === '*') range = [0, Infinity];
  else if (ch === '+') range = [1, Infinity];
  else if (ch === '{') {
    const m = /^\{(\d{1,3})(,(\d{0,3}))?\}/.exec(c.text.slice(c.at));
    if (!m) return [1, 1]; // a literal brace
    c.at += m[0].length - 1;
    range = [Number(m[1]), m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3])];
  }
  if (range === undefined) return [1, 1];
  c.at++;
  if (c.text[c.at] === '?') c.at++; // non-greedy: the same strings match
  if (range[0] > 63) throw new Unsupported();
  return range;
}

function atom(c: Cursor, limit: number): string[] {
  const ch = c.text[c.at]!;
  c.at++;
  if (ch === '^' || ch === '$') return [''];
  if (ch === '.') return ['x'];
  if (ch === '(') {
    if (c.text.startsWith('?:', c.at)) c.at += 2;
    else if (/^\?[imsU]+:/.test(c.text.slice(c.at))) c.at = c.text.indexOf(':', c.at) + 1; // flags for the group: its examples are lower-case
    else if (c.text.startsWith('?P<', c.at) || c.text.startsWith('?<', c.at)) c.at = c.text.indexOf('>', c.at) + 1;
    else if (c.text[c.at] === '?') throw new Unsupported();
    const inner = alternation(c, limit);
    if (c.text[c.at] !== ')') throw new Unsupported();
    c.at++;
    return inner;
  }
  if (ch === '[') return [characterClass(c)];
  if (ch === '\\') return [escaped(c)];
  if (ch === ')' || ch === '|') throw new Unsupported();
  return [ch];
}

function escaped(c: Cursor): string {
  const ch = c.text[c.at++];
  if (ch === undefined) throw new Unsupported();
  if (ch === 'd') return '0';
  if (ch === 'w') return 'a';
  if (ch === 's') return ' ';
  if (ch === 'b' || ch === 'B' || ch === 'A' || ch === 'z') throw new Unsupported();
  if (/[a-zA-Z0-9]/.test(ch)) throw new Unsupported();
  return ch;
}

/** `[...]`: the first name character the class allows (ranges, escapes, negation). */
function characterClass(c: Cursor): string {
  // The class ends at the first `]` after its first member that is not a POSIX class's own.
  const masked = c.text.slice(c.at).replace(/\[:[a-z]+:\]/g, (m) => '_'.repeat(m.length));
  const end = masked.indexOf(']', 1) + c.at;
  if (end < c.at + 1) throw new Unsupported();
  const body = c.text.slice(c.at, end);
  c.at = end + 1;
  const negated = body.startsWith('^');
  const members = negated ? body.slice(1) : body;
  const allows = (ch: string): boolean => {
    let i = 0;
    while (i < members.length) {
      let from = members[i]!;
      if (from === '\\') {
        const e = members[i + 1] ?? '';
        i += 2;
        if ((e === 'd' && /\d/.test(ch)) || (e === 'w' && /\w/.test(ch)) || e === ch) return true;
        continue;
      }
      if (from === '[' && members.startsWith('[:', i)) {
        const close = members.indexOf(':]', i);
        const name = members.slice(i + 2, close);
        i = close + 2;
        if ((name === 'alpha' && /[a-z]/i.test(ch)) || (name === 'digit' && /\d/.test(ch)) || (name === 'alnum' && /[a-z0-9]/i.test(ch)) || (name === 'lower' && /[a-z]/.test(ch))) return true;
        continue;
      }
      if (members[i + 1] === '-' && i + 2 < members.length) {
        const to = members[i + 2]!;
        i += 3;
        if (ch >= from && ch <= to) return true;
        continue;
      }
      i++;
      if (from === ch) return true;
    }
    return false;
  };
  const pick = [...NAME_CHARS, ...'ABCDEFGHIJKLMNOPQRSTUVWXYZ_'].find((ch) => allows(ch) !== negated);
  if (pick === undefined) throw new Unsupported();
  return pick;
}
