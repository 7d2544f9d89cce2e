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
import type { DuplicateKey } from '../core/model.ts';
import { join } from '../core/pointer.ts';

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

/** YAML 1.1 line breaks besides CR and LF: NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR. */
const YAML11_BREAK = /[\u0085\u2028\u2029]/;
const SCALAR_START = new Set(['', ':', '-', '?', '[', '{', ',']);

/**
 * go-yaml v2 (YAML 1.1) ends a comment at U+0085, U+2028 and U+2029, as at a newline: in
 * `# hardened<U+2028>privileged: true` the second half is live for Kubernetes, while YAML 1.2 parsers read
 * it as part of the comment. Such a break inside a comment becomes a newline (lines after it count one
 * more). Elsewhere the characters are left alone: go-yaml keeps them inside quoted and plain scalars and
 * rejects them inside block scalars, which the parsers here report as well or read as text.
 */
export function breakYaml11Comments(text: string): string {
  if (!YAML11_BREAK.test(text)) return text;
  const out: string[] = [];
  const pending = text.split('\n').reverse();
  let quote: string | undefined; // a quoted scalar open across lines
  while (pending.length > 0) {
    const line = pending.pop()!;
    let comment = -1;
    let last = ''; // the last character that is not a blank: a quote opens a scalar only after an indicator
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (quote !== undefined) {
        if (quote === '"' && c === '\\') i++;
        else if (c === quote) {
          if (quote === "'" && line[i + 1] === "'") i++;
          else quote = undefined;
        }
        continue;
      }
      if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) {
        comment = i;
        break;
      }
      if ((c === '"' || c === "'") && SCALAR_START.has(last)) quote = c;
      if (c !== ' ' && c !== '\t') last = c;
    }
    const brk = comment === -1 ? -1 : line.slice(comment).search(YAML11_BREAK);
    if (brk === -1) {
      out.push(line);
      continue;
    }
    out.push(line.slice(0, comment + brk));
    pending.push(line.slice(comment + brk + 1));
  }
  return out.join('\n');
}
