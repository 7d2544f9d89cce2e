// Message helpers shared by the PSS checks, mirroring the upstream Go helpers
// (joinQuote, pluralize, sets.List, fmt %q) so texts match Pod Security Admission byte for byte.

/** `"a", "b"`: every item wrapped in double quotes without escaping, joined by `", "`. */
export function joinQuote(items: readonly string[]): string {
  return items.length === 0 ? '' : `"${items.join('", "')}"`;
}

/** Singular form iff the count is exactly 1. */
export function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

/**
 * Go string order (bytes of UTF-8, i.e. code points). JS compares UTF-16 code units, which only
 * differs when a surrogate meets a code unit in U+E000..U+FFFF.
 */
export function compareGo(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates encode code points above U+FFFF: lift them above the BMP's upper block.
      if (x <= 0xdfff) x += 0x10000;
      if (y <= 0xdfff) y += 0x10000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Distinct values sorted in Go order (upstream `sets.List`). */
export function sortedSet(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareGo);
}

/** `container "a"` / `containers "a", "b"` */
export function containerPhrase(names: readonly string[]): string {
  return `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
}

/** Setter phrases (`pod`, `containers "a"`, `annotation`) joined with " and ". */
export function joinSetters(setters: readonly string[]): string {
  return setters.join(' and ');
}

/** Setters of a value at pod and/or container level: `pod` then `C(names)` when present. */
export function podAndContainerSetters(podBad: boolean, containers: readonly string[]): string[] {
  const setters: string[] = [];
  if (podBad) setters.push('pod');
  if (containers.length > 0) setters.push(containerPhrase(containers));
  return setters;
}

const HEX = '0123456789abcdef';
// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function hex(value: number, width: number): string {
  let out = '';
  for (let i = width - 1; i >= 0; i--) out += HEX[(value >> (4 * i)) & 0xf];
  return out;
}

/** Go `%q` (strconv.Quote) of a string; lone surrogates render as U+FFFD as after Go's JSON decoding. */
export function goQuote(value: string): string {
  let out = '"';
  for (const ch of value) {
    let cp = ch.codePointAt(0) ?? 0xfffd;
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    switch (cp) {
      case 0x22: out += '\\"'; continue;
      case 0x5c: out += '\\\\'; continue;
      case 0x07: out += '\\a'; continue;
      case 0x08: out += '\\b'; continue;
      case 0x0c: out += '\\f'; continue;
      case 0x0a: out += '\\n'; continue;
      case 0x0d: out += '\\r'; continue;
      case 0x09: out += '\\t'; continue;
      case 0x0b: out += '\\v'; continue;
    }
    if (cp >= 0x20 && cp < 0x7f) {
      out += String.fromCodePoint(cp);
    } else if (cp < 0x20 || cp === 0x7f) {
      out += '\\x' + hex(cp, 2);
    } else if (PRINTABLE.test(String.fromCodePoint(cp))) {
      out += String.fromCodePoint(cp);
    } else if (cp < 0x10000) {
      out += '\\u' + hex(cp, 4);
    } else {
      out += '\\U' + hex(cp, 8);
    }
  }
  return out + '"';
}
