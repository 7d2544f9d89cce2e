// Optional entries of list and map literals (`[a, ?b]`, `{?'k': v}`, cel-go's optional syntax, which
// Kubernetes enables) that cel-js cannot parse, rewritten to equivalent calls before parsing:
//   [a, ?b, c]       ->  ([a] + __preadmit_optList(b) + [c])
//   {'k2': x, ?k: v} ->  __preadmit_optMap({'k2': x}, k, v)
// __preadmit_optList(optional<A>) is [] or [value]; __preadmit_optMap(map, key, optional<V>) adds the entry
// when the optional has a value (registered in k8s-cel/optionals.ts). Like cel-go, an optional entry's
// value must be an optional (else no overload matches: a compile error).

export const OPT_LIST = '__preadmit_optList';
export const OPT_MAP = '__preadmit_optMap';

interface Scan { segments: string[]; end: number }

const IDENT = /[A-Za-z0-9_]/;

/** Index just past the string literal starting at i (quotes, triple quotes, raw and bytes prefixes). */
export function stringEnd(src: string, i: number): number {
  let j = i;
  let raw = false;
  while (/[rRbB]/.test(src[j] ?? '')) { if (/[rR]/.test(src[j]!)) raw = true; j++; }
  const q = src[j]!;
  const triple = src.startsWith(q.repeat(3), j);
  const close = triple ? q.repeat(3) : q;
  j += close.length;
  while (j < src.length) {
    if (!raw && src[j] === '\\') { j += 2; continue; }
    if (src.startsWith(close, j)) return j + close.length;
    j++;
  }
  return src.length;
}

/** Whether a string literal starts at i (a quote, or r/b prefixes directly before one, not inside a name). */
export function stringStarts(src: string, i: number): boolean {
  if (src[i] === '"' || src[i] === "'") return true;
  if (i > 0 && IDENT.test(src[i - 1]!)) return false;
  const m = /^[rRbB]{1,2}['"]/.exec(src.slice(i, i + 3));
  return m !== null;
}

/** The last significant text before i (skipping blanks): decides whether `[` indexes or opens a list. */
function opensLiteral(src: string, i: number, bracket: '[' | '{'): boolean {
  let j = i - 1;
  while (j >= 0 && /\s/.test(src[j]!)) j--;
  if (j < 0) return true;
  const c = src[j]!;
  if (IDENT.test(c)) {
    let k = j;
    while (k >= 0 && IDENT.test(src[k]!)) k--;
    const word = src.slice(k + 1, j + 1);
    // `x in [..]` and `return`-like keywords open a literal; a name before `{` is a message literal.
    return word === 'in' && bracket === '[';
  }
  return !(c === ')' || c === ']' || c === '}' || c === '"' || c === "'");
}

/** Reads from i up to the closing bracket at this depth; returns the rewritten top-level segments between commas. */
function scan(src: string, i: number, closer: string | undefined): Scan {
  const segments: string[] = [];
  let current = '';
  while (i < src.length) {
    const c = src[i]!;
    if (closer !== undefined && c === closer) return { segments: [...segments, current], end: i + 1 };
    if (c === ',' && closer !== undefined) { segments.push(current); current = ''; i++; continue; }
    if (stringStarts(src, i)) {
      const end = stringEnd(src, i);
      current += src.slice(i, end);
      i = end;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') {
      const close = c === '(' ? ')' : c === '[' ? ']' : '}';
      const inner = scan(src, i + 1, close);
      const literal = c !== '(' && opensLiteral(src, i, c);
      current += literal ? rewriteLiteral(c as '[' | '{', inner.segments) : `${c}${inner.segments.join(',')}${close}`;
      i = inner.end;
      continue;
    }
    current += c;
    i++;
  }
  return { segments: [...segments, current], end: i };
}

/** The top-level `:` of a map entry (not one of a nested ternary or inside brackets/strings). */
function entryColon(entry: string): number {
  let depth = 0;
  let ternary = 0;
  for (let i = 0; i < entry.length; i++) {
    const c = entry[i]!;
    if (stringStarts(entry, i)) { i = stringEnd(entry, i) - 1; continue; }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0 && c === '?' && entry[i - 1] !== '.' && entry[i + 1] !== '.') ternary++;
    else if (depth === 0 && c === ':') { if (ternary === 0) return i; ternary--; }
  }
  return -1;
}

function rewriteLiteral(open: '[' | '{', segments: string[]): string {
  const close = open === '[' ? ']' : '}';
  // A trailing comma leaves an empty last segment.
  const items = segments.length > 0 && segments[segments.length - 1]!.trim() === '' && segments.length > 1 ? segments.slice(0, -1) : segments;
  const optional = (s: string) => /^\s*\?/.test(s);
  if (!items.some(optional)) return `${open}${segments.join(',')}${close}`;
  const strip = (s: string) => s.replace(/^\s*\?/, '');
  if (open === '[') {
    const parts: string[] = [];
    let plain: string[] = [];
    for (const item of items) {
      if (!optional(item)) { plain.push(item); continue; }
      if (plain.length > 0) parts.push(`[${plain.join(',')}]`);
      plain = [];
      parts.push(`${OPT_LIST}(${strip(item)})`);
    }
    if (plain.length > 0) parts.push(`[${plain.join(',')}]`);
    return `(${parts.join(' + ')})`;
  }
  let map = `{${items.filter((s) => !optional(s)).join(',')}}`;
  for (const item of items.filter(optional)) {
    const entry = strip(item);
    const colon = entryColon(entry);
    if (colon < 0) return `${open}${segments.join(',')}${close}`; // not a map entry: left for the parser to refuse
    map = `${OPT_MAP}(${map}, ${entry.slice(0, colon)}, ${entry.slice(colon + 1)})`;
  }
  return map;
}

/** The expression with optional list and map entries rewritten (unchanged when it has none). */
export function rewriteOptionalEntries(expression: string): string {
  if (!/[[{,]\s*\?/.test(expression)) return expression;
  return scan(expression, 0, undefined).segments.join(',');
}
