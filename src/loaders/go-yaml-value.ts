// A document's value as Kubernetes decodes it: sigs.k8s.io/yaml over go-yaml v2 (kubectl, helm's kube
// client, the API server). Built from the `yaml` package's AST because two rules differ from what YAML
// libraries do, and an attacker can hide a value in the difference:
// - a duplicate key is not an error: the LAST value wins (go-yaml v2 non-strict decoding). Every
//   overwritten key is recorded so that a rule can report it (rules/yaml-duplicate-key.ts).
// - merge keys (`<<`) are applied in the order they are written, like any other key: a merge written
//   after `x: 1` overrides it, a key written after the merge overrides the merge; `<<: [*a, *b]` merges
//   the list from last to first, so the first map of the list wins.
// Both were checked against the real decoder (scripts/yaml-oracle, fixtures in
// __tests__/fixtures/yaml-differential).
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { DuplicateKey } from '../model/model.ts';
import { join } from '../model/pointer.ts';

export type { DuplicateKey };

export class GoYamlError extends Error {}

const MERGE_TAG = 'tag:yaml.org,2002:merge';

export interface GoDecodeLimits {
  maxDepth: number;
  maxNodes: number;
  /** Alias uses expanded (every use counts, also inside an expanded anchor): stops alias bombs early. */
  maxAliasExpansions: number;
}

/**
 * A JSON object key as sigs.k8s.io/yaml writes a non-string YAML key: integers and floats in Go's
 * shortest form (`2.0` → "2", `1e3` → "1000", `1.0e+20` → "1e+20"), booleans as "true"/"false"; a null
 * key, or a sequence or mapping as key, is an error for the whole document.
 */
const INT_LITERAL = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;

function jsonKey(key: unknown, source: string | undefined): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'boolean') return String(key);
  if (typeof key === 'number') {
    if (!Number.isFinite(key)) return source ?? String(key); // `.inf` stays as written
    // go-yaml made an int of an int literal (formatted in full), else a float64 (FormatFloat 'g', -1).
    if (source !== undefined && INT_LITERAL.test(source.replace(/_/g, ''))) return BigInt(key).toString();
    const [mantissa, exponent] = key.toExponential().split('e') as [string, string];
    const exp = Number(exponent);
    if (exp < -4 || exp >= 6) {
      return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
    }
    return String(key);
  }
  if (key === null || key === undefined) throw new GoYamlError('a mapping key is null; the decoder rejects the document');
  throw new GoYamlError('a mapping key is a sequence or mapping; the decoder rejects the document');
}

/** Sets an own key, `__proto__` included (a plain assignment would replace the object's prototype). */
function setKey(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

function scalarValue(value: unknown): unknown {
  // `!!binary` decodes to its bytes, read as a (UTF-8) string.
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'bigint') return Number(value);
  return value ?? null;
}

/**
 * Decodes a document's root node. `lineOf` maps a source offset to its line. Throws GoYamlError for what
 * the Go decoder rejects, and for a value past the limits (its message says which).
 */
export function goYamlValue(doc: Document.Parsed, lineOf: (offset: number | undefined) => number, limits: GoDecodeLimits): { value: unknown; duplicates: DuplicateKey[] } {
  const root = doc.contents as Node | null;
  const resolve = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);
  const duplicates: DuplicateKey[] = [];
  const seen = new Set<string>();
  let nodes = 0;
  let aliases = 0;
  const decode = (node: unknown, pointer: string, depth: number): unknown => {
    if (++nodes > limits.maxNodes) throw new GoYamlError(`aliases expand the document to more than ${limits.maxNodes.toLocaleString('en-US')} nodes; not parsed`);
    if (depth > limits.maxDepth) throw new GoYamlError(`document is nested deeper than ${limits.maxDepth} levels (or an alias refers to its own anchor)`);
    if (isAlias(node)) {
      if (++aliases > limits.maxAliasExpansions) throw new GoYamlError(`aliases expand the document more than ${limits.maxAliasExpansions.toLocaleString('en-US')} times; not parsed`);
      return decode(node.resolve(doc), pointer, depth + 1);
    }
    if (isScalar(node)) return scalarValue(node.value);
    if (isSeq(node)) return node.items.map((item, i) => decode(item, join(pointer, i), depth + 1));
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      const lines = new Map<string, number>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        // go-yaml's isMerge: the key `<<`, plain and untagged or tagged `!!merge` (quoted too).
        if (isScalar(keyNode) && keyNode.source === '<<' && ((keyNode.type === 'PLAIN' && !keyNode.tag) || keyNode.tag === MERGE_TAG)) {
          merge(out, lines, pair.value, pointer, depth);
          continue;
        }
        const keyTarget = resolve(keyNode);
        if (keyTarget !== null && keyTarget !== undefined && !isScalar(keyTarget)) jsonKey({}, undefined);
        const key = jsonKey(isScalar(keyTarget) ? scalarValue(keyTarget.value) : null, isScalar(keyTarget) ? keyTarget.source : undefined);
        const keyLine = lineOf(keyNode?.range?.[0] ?? (pair.value as Node | null)?.range?.[0]);
        const childPointer = join(pointer, key);
        const value = decode(pair.value, childPointer, depth + 1);
        if (Object.hasOwn(out, key) && lines.has(key) && !seen.has(`${childPointer}\u0000${keyLine}`)) {
          seen.add(`${childPointer}\u0000${keyLine}`);
          duplicates.push({ pointer: childPointer, key, firstLine: lines.get(key)!, line: keyLine, hidden: out[key], effective: value });
        }
        setKey(out, key, value);
        lines.set(key, keyLine);
      }
      return out;
    }
    return null; // an empty node
  };
  /** go-yaml v2's merge: a map, or a sequence of maps applied last to first; merged keys overwrite. */
  const merge = (out: Record<string, unknown>, lines: Map<string, number>, valueNode: unknown, pointer: string, depth: number) => {
    const target = resolve(valueNode);
    const sources: unknown[] = isSeq(target) ? [...target.items].reverse() : [target];
    if (!isMap(target) && !isSeq(target)) throw new GoYamlError('map merge requires map or sequence of maps as the value');
    for (const source of sources) {
      const resolved = resolve(source);
      if (!isMap(resolved)) throw new GoYamlError('map merge requires map or sequence of maps as the value');
      const merged = decode(source, pointer, depth + 1) as Record<string, unknown>;
      for (const [key, value] of Object.entries(merged)) {
        setKey(out, key, value);
        lines.delete(key); // a key set by a merge is meant to be overridden: not a duplicate
      }
    }
  };
  const value = decode(root, '', 0);
  return { value, duplicates };
}

/**
 * Whether a text has a line break other than LF: go-yaml v2's is_break also breaks at CR, CR LF, NEL
 * U+0085, LINE SEPARATOR U+2028 and PARAGRAPH SEPARATOR U+2029. (`includes` is several times faster than
 * a regular expression here: every rendered document is checked.)
 */
export function hasOtherBreak(text: string): boolean {
  return text.includes('\r') || text.includes('\u2028') || text.includes('\u2029') || text.includes('\u0085');
}

/** What needs goYamlStream's work: another line break, a document end marker, a byte order mark at a line start. */
function needsGoStream(text: string): boolean {
  return hasOtherBreak(text) || text.includes('\n...') || text.startsWith('...') || text.includes('\n\ufeff') || UNICODE_SPACE_SEPARATOR.test(text);
}
/** A `---` line whose trailing space is one Go trims and YAML does not (`--- <U+00A0>`): still a separator. */
const UNICODE_SPACE_SEPARATOR = /(?:^|\n)---[ \t]*[\v\f\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/;
const OTHER_BREAK = /\r\n?|[\u0085\u2028\u2029]/g;
/** Go's strings.TrimSpace (unicode.IsSpace), which apimachinery's YAML reader applies after `---`. */
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;
/** A document marker at column 0 as go-yaml's scanner sees it (followed by a blank or the end of the line). */
const MARKER = /^(---|\.\.\.)(?:[ \t]|$)/;
const BLANK_OR_COMMENT = /^[ \t]*(?:#.*)?$/;

/**
 * The text as Kubernetes decodes it, in a form both YAML parsers here read the same way (LF line breaks
 * only, one YAML document between `---` lines), with go's line numbers:
 * - kubectl and helm split a stream with apimachinery's YAML reader, at LF-delimited lines that start
 *   with `---` (then blanks or a comment); each piece is decoded by go-yaml v2, which reads its FIRST
 *   document only: whatever follows a `...` (or a `---` after a CR, NEL, LS or PS break) is never seen.
 *   That text is blanked (its line breaks kept, so lines stay right).
 * - go-yaml v2 breaks lines at CR, CR LF, NEL, LS and PS everywhere (plain, flow and block context,
 *   comments, block and quoted scalars), and counts each as a line: they become LF, where YAML 1.2
 *   parsers read `{a: false,<U+2028>privileged: true}` as the key "\u2028privileged" and `\r` likewise.
 *   (go keeps an LS or PS itself in a scalar's text where it folds a LF into a space; preadmit reads the
 *   space: a different string, never a different structure.)
 * - a byte order mark at the start of a piece is dropped, as go-yaml drops it (one elsewhere stays text).
 * A separator line the reader drops (it follows content) is written as a plain `---`.
 */
export function goYamlStream(text: string): string {
  if (!needsGoStream(text)) return text;
  const out: string[] = [];
  let piece: string[] = [];
  const flush = () => {
    if (piece.length === 0) return;
    let body = piece.join('\n');
    if (body.charCodeAt(0) === 0xfeff) body = body.slice(1);
    out.push(firstDocument(body.replace(OTHER_BREAK, '\n')));
    piece = [];
  };
  for (const split of text.split('\n')) {
    const line = split.endsWith('\r') ? split.slice(0, -1) : split; // a CR LF is one break
    if (line.startsWith('---') && piece.length > 0) {
      const rest = line.slice(3).replace(GO_SPACE, '');
      if (rest === '' || rest.startsWith('#')) {
        flush();
        out.push(`---${'\n'.repeat(line.match(OTHER_BREAK)?.length ?? 0)}`);
        continue;
      }
      // `--- b: 2` makes the reader fail the whole stream; preadmit reads it as YAML does, a document
      // starting there (it judges the documents: the safe side).
      if (line[3] === ' ' || line[3] === '\t') flush();
    }
    piece.push(line);
  }
  flush();
  return out.join('\n');
}

/** A piece (LF breaks only) cut after its first YAML document: the rest becomes blank lines. */
function firstDocument(body: string): string {
  if (!body.includes('---') && !body.includes('...')) return body;
  let started = false;
  for (let start = 0; start <= body.length; ) {
    const end = body.indexOf('\n', start);
    const line = body.slice(start, end === -1 ? body.length : end);
    const marker = MARKER.exec(line)?.[1];
    if (marker !== undefined && started) return body.slice(0, start) + '\n'.repeat(countBreaks(body, start));
    if (marker === '---') started = true;
    else if (marker === undefined && !line.startsWith('%') && !BLANK_OR_COMMENT.test(line)) started = true;
    if (end === -1) break;
    start = end + 1;
  }
  return body;
}

function countBreaks(text: string, from: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
