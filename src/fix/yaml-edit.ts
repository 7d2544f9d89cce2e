// A values file edited the way its author would: one key set (or added into the map it belongs in), and
// every other byte as written: comments, key order, quoting, indentation, flow maps, CRLF line endings.
// The `yaml` package's document gives each node's source range; the edit splices text at those ranges
// (never re-serialises the document), then parses the result again and keeps it only if the file's data
// changed exactly at the path: an anchor shared with other keys, a merge key or a duplicate key makes that
// check fail, and the edit is refused rather than changing something else.
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import type { FixValue } from '../engine/fix-recipe.ts';

export type ValuesPath = readonly (string | number)[];

export type EditOutcome = { text: string } | { reason: string };

/** `a.b[0].c`, `podAnnotations["x.io/y"]`: a values key as provenance writes it (render/effective-values.ts displayKey). */
export function parseValuesKey(key: string): ValuesPath | undefined {
  const out: (string | number)[] = [];
  let i = 0;
  while (i < key.length) {
    if (key[i] === '[') {
      const close = key[i + 1] === '"' ? closingQuote(key, i + 1) : key.indexOf(']', i);
      if (close === -1) return undefined;
      if (key[i + 1] === '"') {
        if (key[close + 1] !== ']') return undefined;
        try {
          out.push(JSON.parse(key.slice(i + 1, close + 1)) as string);
        } catch {
          return undefined;
        }
        i = close + 2;
      } else {
        const index = key.slice(i + 1, close);
        if (!/^\d+$/.test(index)) return undefined;
        out.push(Number(index));
        i = close + 1;
      }
    } else {
      if (key[i] === '.') {
        if (out.length === 0) return undefined;
        i++;
      }
      const match = /^[A-Za-z0-9_-]+/.exec(key.slice(i));
      if (!match) return undefined;
      out.push(match[0]);
      i += match[0].length;
    }
  }
  return out.length > 0 ? out : undefined;
}

function closingQuote(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/** The text's line break: CRLF when its first line ends so, else LF. */
export function lineBreakOf(text: string): string {
  const first = text.indexOf('\n');
  return first > 0 && text[first - 1] === '\r' ? '\r\n' : '\n';
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function columnOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** The offset just past the line break of the line holding `offset` (the text's end on its last line). */
function nextLineStart(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl === -1 ? text.length : nl + 1;
}

const PLAIN = /^[A-Za-z_][A-Za-z0-9_.\/-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|y|n|null|~)$/i;

function scalarText(value: FixValue): string {
  if (typeof value === 'string') return PLAIN.test(value) && !RESERVED.test(value) ? value : JSON.stringify(value);
  return String(value);
}

function keyText(key: string | number): string {
  return typeof key === 'number' ? String(key) : scalarText(key);
}

function flowText(value: FixValue): string {
  if (Array.isArray(value)) return `[${value.map(flowText).join(', ')}]`;
  if (value !== null && typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${keyText(k)}: ${flowText(v as FixValue)}`).join(', ')}}`;
  return scalarText(value as FixValue);
}

/** `key: value` as block lines at `indent`, nested maps and lists indented by `unit`. */
function blockLines(key: string | number, value: FixValue, indent: string, unit: string): string[] {
  if (Array.isArray(value)) return value.length === 0 ? [`${indent}${keyText(key)}: []`] : [`${indent}${keyText(key)}:`, ...value.map((item) => `${indent}${unit}- ${flowText(item)}`)];
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return [`${indent}${keyText(key)}: {}`];
    return [`${indent}${keyText(key)}:`, ...entries.flatMap(([k, v]) => blockLines(k, v as FixValue, indent + unit, unit))];
  }
  return [`${indent}${keyText(key)}: ${scalarText(value as FixValue)}`];
}

/** `rest` (a path below an existing node) with `value` at its end, as one nested value. */
function nested(rest: ValuesPath, value: FixValue): { key: string | number; value: FixValue } {
  let inner = value;
  for (let i = rest.length - 1; i >= 1; i--) inner = { [String(rest[i])]: inner };
  return { key: rest[0]!, value: inner };
}

/** The file's indentation step: the smallest step from a line to a deeper next line (2 when none). */
function indentUnit(text: string): string {
  let smallest = Infinity;
  let previous: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^( *)([^\s#])/.exec(line);
    if (!match) continue;
    const column = match[1]!.length;
    if (previous !== undefined && column > previous) smallest = Math.min(smallest, column - previous);
    previous = column;
  }
  return ' '.repeat(Number.isFinite(smallest) && smallest <= 8 ? smallest : 2);
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, sorted(v)]));
  return value;
}

function setIn(data: unknown, path: ValuesPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const base = data !== null && typeof data === 'object' ? (Array.isArray(data) ? [...data] : { ...(data as Record<string, unknown>) }) : {};
  (base as Record<string | number, unknown>)[head!] = setIn((base as Record<string | number, unknown>)[head!], rest, value);
  return base;
}

function parse(text: string) {
  return parseDocument(text, { uniqueKeys: false, keepSourceTokens: false, prettyErrors: false, merge: false, strict: false });
}

/**
 * Sets `path` to `value` in a values file's text: the scalar or list at the path replaced, or the missing
 * key added into the deepest map on the path that exists (a `{}` or empty value there becomes a block).
 */
export function setInValues(text: string, path: ValuesPath, value: FixValue): EditOutcome {
  const doc = parse(text);
  if (doc.errors.length > 0) return { reason: `the file is not valid YAML (${doc.errors[0]!.message.split('\n')[0]})` };
  const before = doc.toJS({ maxAliasCount: 10_000 }) as unknown;
  if (!isMap(doc.contents)) return { reason: 'the file is not a map of values' };
  const eol = lineBreakOf(text);
  const unit = indentUnit(text);
  // Walk the path: the deepest node that exists, the pair holding it, and what is left of the path.
  let node: Node | null = doc.contents;
  let pair: Pair | undefined;
  let depth = 0;
  for (; depth < path.length; depth++) {
    const token = path[depth]!;
    if (isAlias(node)) return { reason: 'the key is reached through an alias' };
    if (node !== null && (node as { anchor?: string }).anchor) return { reason: 'the key is inside an anchored node (its aliases would change too)' };
    if (isMap(node)) {
      const found = (node as YAMLMap).items.filter((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(token));
      if (found.length > 1) return { reason: `the key ${String(token)} is written twice` };
      if (found.length === 0) break;
      pair = found[0] as Pair;
      node = (pair.value as Node | null) ?? null;
    } else if (isSeq(node) && typeof token === 'number') {
      const item = node.items[token];
      if (item === undefined) return { reason: `the list has no item ${token}` };
      pair = undefined;
      node = item as Node;
    } else break;
  }
  if (isAlias(node)) return { reason: 'the value is an alias' };
  if (node !== null && (node as { anchor?: string }).anchor) return { reason: 'the value is anchored (its aliases would change too)' };
  const rest = path.slice(depth);
  let edited: string;
  if (rest.length === 0) {
    edited = replaceValue(text, node, pair, value, eol, unit);
  } else if (isMap(node)) {
    const { key, value: inner } = nested(rest, value);
    edited = addToMap(text, node as YAMLMap, pair, key, inner, eol, unit);
  } else if (pair !== undefined && (node === null || (isScalar(node) && node.value === null))) {
    // `key:`, `key: ~`, `key: null`: the map written out below the key.
    edited = blockBelowKey(text, pair, node, [nested(rest, value)], eol, unit);
  } else return { reason: `${describe(path.slice(0, depth))} is not a map` };
  if (edited === text) return { reason: 'the file already has that value' };
  const after = parse(edited);
  if (after.errors.length > 0) return { reason: 'the edit would not be valid YAML' };
  // The data changed at the path and nowhere else, or the edit is refused.
  if (!equal(after.toJS({ maxAliasCount: 10_000 }), setIn(before, path, value))) return { reason: 'the edit would change more than the key (an anchor, merge key or duplicate key)' };
  return { text: edited };
}

function describe(path: ValuesPath): string {
  return path.length === 0 ? 'the file' : path.map(String).join('.');
}

/** The node at the end of the path gets the value: a scalar in place, a collection as a block below its key. */
function replaceValue(text: string, node: Node | null, pair: Pair | undefined, value: FixValue, eol: string, unit: string): string {
  const isCollection = typeof value === 'object';
  if (node !== null && node.range && (!isCollection || (isMap(node) || isSeq(node)) && (node as YAMLMap).flow)) {
    // In place: `true` -> `false`, a flow list `[NET_RAW]` -> `[ALL]`; quoting of strings kept when it was quoted.
    const [start, end] = node.range;
    const old = text.slice(start, end);
    let written = isCollection ? flowText(value) : scalarText(value);
    if (typeof value === 'string' && isScalar(node) && /^["']/.test(old)) written = old[0] === "'" ? `'${value.replace(/'/g, "''")}'` : JSON.stringify(value);
    return text.slice(0, start) + written + text.slice(end);
  }
  if (pair === undefined || !isScalar(pair.key) || !pair.key.range) return text;
  const keyStart = pair.key.range[0];
  const indent = text.slice(lineStart(text, keyStart), keyStart).replace(/[^ ]/g, ' ');
  if (node !== null && node.range && (isMap(node) || isSeq(node))) {
    // A block collection replaced by the new one, written at the key's indentation.
    const lines = blockLines(String(pair.key.value), value, indent, unit);
    const from = lineStart(text, keyStart);
    const to = nextLineStart(text, Math.max(node.range[1] - 1, keyStart));
    const head = text.slice(from, keyStart);
    return text.slice(0, from) + head + lines.join(eol).slice(indent.length) + eol + text.slice(to);
  }
  return blockBelowKey(text, pair, node, [{ key: '', value }], eol, unit, true);
}

/** The pair's value (empty, `~`, `null`, `{}`) replaced by block lines below the key. */
function blockBelowKey(text: string, pair: Pair, node: Node | null, entries: { key: string | number; value: FixValue }[], eol: string, unit: string, whole = false): string {
  const key = pair.key as Node;
  const keyStart = key.range![0];
  const indent = text.slice(lineStart(text, keyStart), keyStart).replace(/[^ ]/g, ' ');
  let head = text;
  let anchor = key.range![1];
  if (node !== null && node.range && node.range[1] > node.range[0]) {
    // The written value (`{}`, `~`, `null`) goes; a comment after it stays on the key's line.
    const [start, end] = node.range;
    let from = start;
    while (from > 0 && text[from - 1] === ' ') from--;
    head = text.slice(0, from) + text.slice(end);
    anchor = from;
  }
  let lines: string[];
  if (whole) {
    const only = entries[0]!.value;
    lines = Array.isArray(only) ? only.map((item) => `${indent}${unit}- ${flowText(item)}`) : Object.entries(only as Record<string, FixValue>).flatMap(([k, v]) => blockLines(k, v, indent + unit, unit));
  } else lines = entries.flatMap((e) => blockLines(e.key, e.value, indent + unit, unit));
  const at = nextLineStart(head, anchor);
  const needsBreak = at === head.length && !head.endsWith('\n');
  return head.slice(0, at) + (needsBreak ? eol : '') + lines.join(eol) + (needsBreak ? '' : eol) + head.slice(at);
}

/** A key added to an existing map: a line after its last entry (block), `, key: value` (flow), or a block for `{}`. */
function addToMap(text: string, map: YAMLMap, pair: Pair | undefined, key: string | number, value: FixValue, eol: string, unit: string): string {
  if (map.flow) {
    if (map.items.length === 0 && pair !== undefined) return blockBelowKey(text, pair, map as unknown as Node, [{ key, value }], eol, unit);
    const end = map.range![1];
    const close = text.lastIndexOf('}', end);
    if (close === -1) return text;
    let at = close;
    while (at > 0 && /\s/.test(text[at - 1]!)) at--;
    return text.slice(0, at) + `${map.items.length > 0 ? ', ' : ''}${keyText(key)}: ${flowText(value)}` + text.slice(at);
  }
  const first = map.items[0];
  if (!first || !isPair(first) || !isScalar(first.key) || !first.key.range) return text;
  const indent = ' '.repeat(columnOf(text, first.key.range[0]));
  const last = map.items[map.items.length - 1] as Pair;
  const lastNode = (last.value as Node | null) ?? (last.key as Node);
  const end = lastNode.range ? lastNode.range[1] : (last.key as Node).range![1];
  // After the last entry's value (a block scalar's range ends past its line break).
  const at = text[end - 1] === '\n' ? end : nextLineStart(text, Math.max(end - 1, 0));
  const needsBreak = at === text.length && !text.endsWith('\n');
  const lines = blockLines(key, value, indent, unit);
  return text.slice(0, at) + (needsBreak ? eol : '') + lines.join(eol) + (needsBreak ? '' : eol) + text.slice(at);
}
