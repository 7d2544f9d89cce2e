// Multi-document YAML with source positions. One bad document becomes an error for that document;
// the others still load. Positions come from the `yaml` package's AST, so a JSON pointer maps to a line.
// Building that AST costs time and memory, so loadYamlDocuments builds values with js-yaml (several times
// faster) and positions, on demand, from js-yaml's parse listener (yaml-positions.ts); it uses the AST
// parser only when js-yaml fails or an alias expands
// too far (its messages are the reference; aliases are measured by the same expansion limits either way).
//
// Hostile input: every limit below turns into a problem naming the document's line, never a crash, an
// out-of-memory or a result that depends on the call stack. Messages never quote the source (a YAML error
// in a Secret must not print the secret).
import { AsyncLocalStorage } from 'node:async_hooks';
import { getHeapStatistics } from 'node:v8';
import { CORE_SCHEMA, FAILSAFE_SCHEMA, loadAll, type Schema, type State, Type, types } from 'js-yaml';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { tokens } from '../model/pointer.ts';
import { lineAt, offsetOf, positionTree, type JsYamlOptions, type PositionNode } from './yaml-positions.ts';
import { goYamlStream, goYamlValue, GoYamlError, type DuplicateKey } from './go-yaml-value.ts';


/** Caps that keep hostile input (alias bombs, huge or deep documents) from exhausting memory or stack. */
export const YAML_LIMITS = {
  maxAliasCount: 100,
  maxDepth: 200,
  /** A file (or standard input) larger than this is not parsed. */
  maxBytes: 64 * 1024 * 1024,
  /**
   * Nodes (estimated before parsing, see measureYaml) one document may have. Parsing costs a few hundred
   * bytes of memory per node whatever the bytes per node, and `[1,1,1,...]` spends two bytes per node, so
   * the byte limit alone would let a 64 MiB file take gigabytes. The largest real documents (CRDs of a
   * megabyte or two) have well under 100,000.
   */
  maxDocumentNodes: 500_000,
  /** Nodes one text (a file, one document of helm's output) may have, all documents together. */
  maxTextNodes: 2_000_000,
};

/**
 * A budget of YAML nodes shared by everything parsed inside runWithYamlBudget (one scan), so that many
 * large inputs together cannot exhaust memory either. Outside of it only the per-document and per-text
 * limits apply.
 */
export class YamlBudget {
  constructor(
    readonly maxNodes: number,
    public used = 0,
  ) {}
  get spent(): boolean {
    return this.used >= this.maxNodes;
  }
  /**
   * A budget the heap can hold: a parsed node and what the scan keeps of it cost up to ~400 bytes, and
   * half the heap is left for everything else (the default heap is a quarter of the machine's memory,
   * at most 4 GiB: about 5 million nodes on a 2-core GitHub runner, with 7 GB).
   */
  static forHeap(heapBytes = getHeapStatistics().heap_size_limit): YamlBudget {
    return new YamlBudget(Math.max(YAML_LIMITS.maxTextNodes, Math.floor(heapBytes / 2 / 400)));
  }
}

const budgets = new AsyncLocalStorage<YamlBudget>();

/**
 * Runs `fn` outside the scan's budget (the per-document and per-text limits still apply): for text parsed,
 * looked at and let go at once (provenance's trial renders), which the budget, a bound on what a scan
 * holds, must not count: a large repository's scan would otherwise run out of it by re-rendering.
 */
export function outsideYamlBudget<T>(fn: () => T): T {
  return budgets.exit(fn);
}

/** Runs `fn` (and everything it awaits) with one shared YAML node budget. */
export function runWithYamlBudget<T>(budget: YamlBudget, fn: () => T): T {
  return budgets.run(budget, fn);
}

/** The scan's budget, if any: spent (with its message), or charged `nodes` (readers outside this file). */
export function chargeYamlBudget(nodes: number): string | undefined {
  const budget = budgets.getStore();
  if (budget === undefined) return undefined;
  if (budget.spent) return budgetProblem(budget);
  budget.used += nodes;
  return undefined;
}

function budgetProblem(budget: YamlBudget): string {
  return `not parsed: this scan already parsed ${budget.maxNodes.toLocaleString('en-US')} YAML nodes, its limit for node's heap (split the scan over shards with --shard, give node a larger heap with NODE_OPTIONS=--max-old-space-size=MIB where the machine has the memory, or exclude generated files)`;
}

export interface YamlDocument {
  /** 0-based index of the document in the text. */
  index: number;
  /** The document's value as plain JSON-compatible data (null for an empty document). */
  value: unknown;
  /** 1-based line where the document's content starts. */
  line: number;
  /** Line of the node at a pointer, or of its nearest existing ancestor. */
  lineOf(pointer: string): number;
  /** Keys written twice in one mapping (Kubernetes dialect): the last value is the document's. */
  duplicates?: DuplicateKey[];
}

export interface YamlProblem {
  index: number;
  line?: number;
  message: string;
}

export interface ParsedYaml {
  documents: YamlDocument[];
  problems: YamlProblem[];
}

/**
 * Walks a constructed value: 'deep' when it nests deeper than `limit` or holds itself (an alias inside its
 * own anchor), 'large' when aliases expand it past `maxNodes` (each use of an anchor counts its nodes
 * again), else the number of nodes. Iterative, so a deep value cannot overflow the stack here.
 */
function checkTree(value: unknown, limit: number, maxNodes: number): number | 'deep' | 'large' {
  const stack: [unknown, number][] = [[value, 0]];
  let nodes = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (++nodes > maxNodes) return 'large';
    if (depth > limit) return 'deep';
    if (node !== null && typeof node === 'object') {
      for (const child of Object.values(node as object)) stack.push([child, depth + 1]);
    }
  }
  return nodes;
}

/**
 * Every word of the `yaml` package's error messages (and of its token names). A parser message is shown
 * with these words only: anything else in it (a quoted value, a tag, an escape, a token) came from the
 * source and becomes `…`, whatever the message template was.
 */
const MESSAGE_WORDS = new Set(
  (
    'a after alias aliases all allowed already ambiguous an anchor anchors and any are aren argument as at attack bad be before between ' +
    'block block-seq-ind but by can cannot char characters chars closing collection collections column comment comments compact contain ' +
    'content contents control could count custom directive directives-end doc-end doc-start document does double dq due duplicate each ' +
    'either empty end ending errors escape excessive exhaustion expected explicit extra failed flow folded followed for found from has ' +
    'have header implicit impossible in include includes indent indentation indented index indicates indicator instead invalid is item ' +
    'items its key keys leading less line lines literal map mapping mappings maps marker may merge missing more more-indented most ' +
    'multiline multiple must need nested newline next no node nodes non not null object of on one option or order ordered other over own ' +
    'pair pairs parent parsed path plain pop preceding prop properties props quote reading remaining repeated required resolution resolve ' +
    'resolved resource restrictions same scalar scalars schema separated sequence set should single space specify stack start stream ' +
    'string strings suffix support tab tabs tag tags than the their this to token tokens trailing tried true tuple type unexpected unique ' +
    'unknown unresolved unsupported use used valid value values verbatim version was white whitespace will with within without yaml ' +
    'sufficiently seq ind indicators quoted word words reserved character ' +
    'alias anchor block-map block-scalar block-scalar-header block-seq block-start byte-order-mark comma directive-line doc doc-mode ' +
    'double-quoted-scalar explicit-key-ind flow-collection flow-error-end flow-map-end flow-map-start flow-seq-end flow-seq-start ' +
    'line-start map-value-ind plain-scalar quoted-scalar single-quoted-scalar'
  ).split(' '),
);

/**
 * A parser's message made safe to show: its first line, its own words only (see MESSAGE_WORDS: nothing
 * from the source survives, so a YAML error in a Secret cannot print the secret), no control characters,
 * at most 200 characters. Stack exhaustion, whose position depends on the caller's stack rather than on
 * the input, becomes the nesting message.
 */
export function safeParserMessage(message: string): string {
  if (/Maximum call stack size exceeded|too much recursion/i.test(message)) return DEPTH_MESSAGE();
  const first = (message.split('\n')[0] ?? message).replace(/\s+at line \d+, column \d+:?$/, '').trim();
  let line = first
    .split(/(\s+)/)
    .map((part) => {
      if (/^\s+$/.test(part)) return ' ';
      const core = /^([^A-Za-z]*)([A-Za-z][A-Za-z-]*)([^A-Za-z]*)$/.exec(part);
      if (core && MESSAGE_WORDS.has(core[2]!.toLowerCase()) && /^[\s,.:;()"'\[\]{}]*$/.test(core[1]! + core[3]!)) return part;
      if (/^[,.:;()[\]{}"]$/.test(part)) return part; // punctuation named by the message (`Unexpected , in flow`)
      return '…';
    })
    .join('')
    .replace(/…(\s*…)+/g, '…');
  line = line.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, ' ');
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

export const DEPTH_MESSAGE = () => `document is nested deeper than ${YAML_LIMITS.maxDepth} levels (or an alias refers to its own anchor)`;

export interface YamlMeasure {
  /** Upper estimate of the nodes (see measureYaml); counting stops a little past `stopAt`. */
  nodes: number;
  /** Estimated nesting depth (flow brackets exactly, block nesting by indentation and `- ` entries). */
  depth: number;
  /** Offset where the estimated depth first passed YAML_LIMITS.maxDepth, if it did. */
  deepAt?: number;
}

/**
 * Measures text[from, to) without parsing it: an upper estimate of its YAML nodes (one per non-blank block
 * line, mapping key, sequence entry, flow collection, flow item and alias) and of its nesting depth.
 * Quoted scalars, block scalars and comments count as what they are (one node, or nothing), so an embedded
 * JSON dashboard or certificate does not inflate the count. One linear pass: it decides, before
 * any parser runs, what would exhaust memory or the stack, so that the outcome never depends on how much
 * stack the caller has left.
 */
export function measureYaml(text: string, from = 0, to = text.length, stopAt = Infinity): YamlMeasure {
  let nodes = 0;
  let i = from;
  let flow = 0;
  let lineStart = true;
  let scalarStart = true;
  let lineBegin = from;
  let tokenCol = 0;
  let nodeCol = 0;
  let blockParent = -1;
  // Indentations of the open block collections; `- ` entries on the current line add to the depth.
  const indents: number[] = [];
  let entries = 0;
  let depth = 0;
  let deepAt: number | undefined;
  const limit = YAML_LIMITS.maxDepth;
  const note = (at: number) => {
    const d = indents.length + entries + flow;
    if (d > depth) depth = d;
    if (d > limit && deepAt === undefined) deepAt = at;
  };
  const toLineEnd = (at: number) => {
    const nl = text.indexOf('\n', at);
    return nl === -1 || nl >= to ? to : nl;
  };
  while (i < to) {
    if (lineStart) {
      let j = i;
      while (j < to && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
      if (j >= to) break;
      const c = text.charCodeAt(j);
      if (c === 10 || c === 13) {
        i = j + 1;
        continue;
      }
      const ind = j - i;
      if (blockParent >= 0 && ind > blockParent) {
        i = toLineEnd(j) + 1;
        continue;
      }
      blockParent = -1;
      lineStart = false;
      lineBegin = i;
      i = j;
      if (c === 35 /* # */) continue;
      while (indents.length > 0 && indents[indents.length - 1]! >= ind) indents.pop();
      indents.push(ind);
      entries = 0;
      nodeCol = ind;
      tokenCol = ind;
      scalarStart = true;
      nodes++;
      note(j);
      if (nodes > stopAt) break;
      continue;
    }
    const c = text.charCodeAt(i);
    const next = i + 1 < to ? text.charCodeAt(i + 1) : 10;
    const spaceNext = next === 32 || next === 10 || next === 13 || next === 9;
    switch (c) {
      case 10: // newline
        lineStart = flow === 0;
        if (flow > 0) scalarStart = true;
        i++;
        continue;
      case 32:
      case 9:
      case 13:
        i++;
        continue;
      case 35: { // '#': a comment when it follows whitespace
        const before = i > from ? text.charCodeAt(i - 1) : 10;
        if (before === 32 || before === 9 || before === 10 || before === 13) {
          i = toLineEnd(i);
          continue;
        }
        break;
      }
      case 34: // '"'
      case 39: // "'"
        if (scalarStart) {
          tokenCol = i - lineBegin;
          let j = i + 1;
          let nl = -1;
          for (; j < to; j++) {
            const d = text.charCodeAt(j);
            if (d === 10) nl = j;
            else if (c === 34 && d === 92) j++;
            else if (d === c) {
              if (c === 39 && j + 1 < to && text.charCodeAt(j + 1) === 39) j++;
              else break;
            }
          }
          // A quoted scalar may span lines: the line it ends on is not a new line of the block. (The newline
          // is noted while scanning: searching back from the end made a one-line JSON document quadratic.)
          if (nl > i) lineBegin = nl + 1;
          i = j + 1;
          scalarStart = false;
          continue;
        }
        break;
      case 91: // '['
      case 123: // '{'
        if (scalarStart || flow > 0) {
          flow++;
          nodes++;
          note(i);
          scalarStart = true;
          i++;
          continue;
        }
        break;
      case 93: // ']'
      case 125: // '}'
        if (flow > 0) {
          flow--;
          scalarStart = false;
          i++;
          continue;
        }
        break;
      case 44: // ','
        if (flow > 0) {
          nodes++;
          scalarStart = true;
          i++;
          continue;
        }
        break;
      case 58: // ':'
        if (spaceNext || (flow > 0 && (next === 44 || next === 93 || next === 125))) {
          nodes++;
          if (flow === 0) nodeCol = tokenCol;
          scalarStart = true;
          i++;
          continue;
        }
        break;
      case 45: // '-'
      case 63: // '?'
        if (scalarStart && flow === 0 && spaceNext) {
          nodes++;
          entries++;
          note(i);
          nodeCol = i - lineBegin;
          tokenCol = nodeCol + 2;
          i++;
          continue;
        }
        break;
      case 124: // '|'
      case 62: // '>'
        if (scalarStart && flow === 0) {
          blockParent = nodeCol;
          i = toLineEnd(i);
          continue;
        }
        break;
      case 42: // '*' alias
      case 38: // '&' anchor
      case 33: // '!' tag
        if (scalarStart) {
          if (c === 42) nodes++;
          i++;
          while (i < to) {
            const d = text.charCodeAt(i);
            if (d === 32 || d === 10 || d === 13 || d === 9 || d === 44 || d === 93 || d === 125) break;
            i++;
          }
          continue;
        }
        break;
    }
    if (scalarStart) tokenCol = i - lineBegin;
    scalarStart = false;
    i++;
    if (nodes > stopAt) break;
  }
  return { nodes, depth, ...(deepAt !== undefined ? { deepAt } : {}) };
}

export function tooManyNodes(what: 'document' | 'text', limit: number): string {
  return `${what} has more than ${limit.toLocaleString('en-US')} YAML nodes, the most preadmit parses in one ${what}; not parsed (no Kubernetes object comes near this)`;
}

/**
 * Bytes that were not UTF-8: readFileSync(..., 'utf8') and helm's output decoding turn each into U+FFFD.
 * The text is still parsed (so nothing in it is lost), and the first such line is reported: the API
 * server's decoder rejects a manifest that is not UTF-8.
 */
function encodingProblem(text: string, decoded: boolean): (YamlProblem & { fatal?: boolean }) | undefined {
  // Decoded as kubectl decodes a file (kubectl-stream.ts): a U+FFFD is what kubectl sends, not an error.
  const at = decoded ? -1 : text.indexOf('\ufffd');
  const nul = text.indexOf('\u0000');
  if (at === -1 && nul === -1) return undefined;
  const first = at === -1 ? nul : nul === -1 ? at : Math.min(at, nul);
  const line = lineAt(text, first);
  const utf16 = (at === 0 || at === 1) && nul !== -1 && nul < 8;
  const message = utf16
    ? 'the file looks UTF-16 encoded; Kubernetes manifests are UTF-8 (convert it with iconv -f UTF-16 -t UTF-8)'
    : at === first
      ? `line ${line} has bytes that are not valid UTF-8 (read as U+FFFD); the API server rejects such a manifest`
      : `line ${line} has a NUL character; the API server rejects such a manifest`;
  return { index: 0, line, message, ...(utf16 ? { fatal: true } : {}) };
}

/**
 * A plain scalar as go-yaml v2 (under sigs.k8s.io/yaml, the API server's and kubectl's YAML decoder)
 * resolves numbers, or undefined when it stays a string. Underscores are dropped first; then Go's
 * ParseInt with base 0 (sign, 0x, 0o, 0b and leading-0 octal), ParseUint, and the float form
 * `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`; a scalar starting with `.` is parsed as a float
 * as it is (Go's ParseFloat: underscores between digits only); base 60 (`1:20`) is not a number. YAML 1.1 parsers differ here (js-yaml reads `1e3` and `0o17`
 * as strings, both JS parsers read `1:20` as 80): a value the cluster reads as `runAsUser: 0` must not
 * read as a string that rules skip.
 */
export function goYamlNumber(source: string): number | undefined {
  const first = source[0];
  if (first === undefined) return undefined;
  if (first === '.') {
    if (/^\.(inf|Inf|INF)$/.test(source)) return Number.POSITIVE_INFINITY;
    if (/^\.(nan|NaN|NAN)$/.test(source)) return Number.NaN;
    // Go's ParseFloat on the scalar as written: an underscore only between two digits (`.1_0` is 0.1).
    if (!/^\.[0-9]+(?:_[0-9]+)*(?:[eE][-+]?[0-9]+(?:_[0-9]+)*)?$/.test(source)) return undefined;
    const value = Number(source.replace(/_/g, ''));
    return Number.isFinite(value) ? value : undefined; // out of range: ParseFloat fails, a string
  }
  if (!/[-+0-9]/.test(first)) return undefined;
  if (/^[-+]\.(inf|Inf|INF)$/.test(source)) return first === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  const plain = source.replace(/_/g, '');
  const int = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]*)|([1-9][0-9]*))$/.exec(plain);
  if (int) {
    const [, sign, hex, oct, bin, leadingZeroOct, dec] = int;
    const digits = hex !== undefined ? `0x${hex}` : oct !== undefined ? `0o${oct}` : bin !== undefined ? `0b${bin}` : leadingZeroOct !== undefined ? `0o${leadingZeroOct || '0'}` : dec!;
    const value = BigInt(digits) * (sign === '-' ? -1n : 1n);
    // ParseInt (int64), else ParseUint (uint64, no sign); beyond that go-yaml tries a float.
    if ((value >= -(2n ** 63n) && value < 2n ** 63n) || (sign === '' && value < 2n ** 64n)) return Number(value);
  }
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(plain)) {
    const value = Number(plain);
    return Number.isFinite(value) ? value : undefined;
  }
  return undefined;
}

/**
 * The YAML dialect Kubernetes reads: its decoder (sigs.k8s.io/yaml over go-yaml v2) follows YAML 1.1, so
 * `privileged: yes` is true and `defaultMode: 0644` is octal, timestamps stay strings, and numbers are
 * resolved as go-yaml resolves them (goYamlNumber).
 */
const GO_NUMBER_CANDIDATE = /^[-+.0-9][-+._0-9a-zA-Z]*$/;
const KUBERNETES_YAML = {
  version: '1.1' as const,
  logLevel: 'error' as const,
  customTags: (tags: { tag: string }[]) => [
    ...tags.filter((tag) => !['tag:yaml.org,2002:timestamp', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float'].includes(tag.tag)),
    {
      identify: (value: unknown) => typeof value === 'number',
      default: true,
      tag: 'tag:yaml.org,2002:float',
      test: GO_NUMBER_CANDIDATE,
      resolve: (source: string) => goYamlNumber(source) ?? source,
    },
    {
      identify: () => false,
      default: true,
      tag: 'tag:yaml.org,2002:int',
      test: /^(?!)$/,
      resolve: (source: string) => goYamlNumber(source) ?? source,
    },
    // Explicit `!!int "0"` / `!!float "2"`: the yaml package takes the first tag of that name without a
    // test, so these decide (go-yaml reads `runAsUser: !!int "0"` as 0, a string would hide it from rules).
    ...['tag:yaml.org,2002:int', 'tag:yaml.org,2002:float'].map((tag) => ({
      identify: () => false,
      tag,
      resolve: (source: string) => goYamlNumber(source) ?? source,
    })),
  ],
};

/**
 * go-yaml's numbers for js-yaml's implicit int and float types. js-yaml asks `resolve` and then
 * `construct` for the same scalar: the last answer is kept so each scalar is parsed once.
 */
let lastNumberSource: string | undefined;
let lastNumber: number | undefined;
function goNumber(source: string): number | undefined {
  if (source !== lastNumberSource) {
    lastNumberSource = source;
    lastNumber = goYamlNumber(source);
  }
  return lastNumber;
}
const goIntType = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (source: string) => Number.isInteger(goNumber(source)),
  construct: (source: string) => goNumber(source),
  predicate: (value: object) => Number.isInteger(value),
});
const goFloatType = new Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (source: string) => goNumber(source) !== undefined,
  construct: (source: string) => goNumber(source),
  predicate: (value: object) => typeof value === 'number',
});
/** YAML 1.1 booleans, as go-yaml v2 reads them (`yes`, `on`, `y` and their capitalised forms). */
const YAML11_TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE']);
const YAML11_FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE']);
const yaml11BoolType = new Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (source: string) => YAML11_TRUE.has(source) || YAML11_FALSE.has(source),
  construct: (source: string) => YAML11_TRUE.has(source),
  predicate: (value: object) => typeof value === 'boolean',
});

/** The same dialect for js-yaml: YAML 1.1 booleans and nulls, go-yaml's numbers, no timestamps, merge keys. */
const KUBERNETES_SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: [types.null, yaml11BoolType, goIntType, goFloatType, types.merge] });

/** `kubernetes`: what the API server's decoder reads (manifests, values, helm output); `yaml-1.2`: plain YAML 1.2 (preadmit's own configuration). */
export type YamlDialect = 'kubernetes' | 'yaml-1.2';
const JS_YAML_SCHEMA: Record<YamlDialect, Schema> = { kubernetes: KUBERNETES_SCHEMA, 'yaml-1.2': CORE_SCHEMA };

/** A line that starts a document (`---`, alone or before a comment). */
const DOCUMENT_START = /^---[ \t]*(?:#.*)?\r?$/;

/** Newlines in text[from, to). */
function countLines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
/** Syntax the chunked fast path does not handle: directives, document end markers, content after `---`. */
const NEEDS_FULL_PARSE = /^(?:%|\.\.\.(?:\s|$)|---[ \t]+[^#\s])/m;

/**
 * Fast multi-document load with lazy positions (see the file comment). Same results as
 * parseYamlDocuments, in the Kubernetes dialect. `decoded`: the text was decoded from bytes as kubectl
 * decodes a file (kubectl-stream.ts), so a U+FFFD in it is what kubectl sends rather than a bad byte.
 */
export function loadYamlDocuments(text: string, dialect: YamlDialect = 'kubernetes', options: { decoded?: boolean } = {}): ParsedYaml {
  if (text.length > YAML_LIMITS.maxBytes) return parseYamlDocuments(text, dialect);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (dialect === 'kubernetes') text = goYamlStream(text);
  const encoding = encodingProblem(text, options.decoded === true);
  // UTF-16 read as UTF-8 is noise between NULs: the encoding is the one thing worth saying.
  if (encoding?.fatal) return { documents: [], problems: [{ index: 0, line: 1, message: encoding.message }] };
  const withEncoding = (parsed: ParsedYaml): ParsedYaml =>
    encoding ? { documents: parsed.documents, problems: [{ index: encoding.index, line: encoding.line, message: encoding.message }, ...parsed.problems] } : parsed;
  if (NEEDS_FULL_PARSE.test(text)) return withEncoding(parseYamlDocuments(text, dialect));
  const documents: YamlDocument[] = [];
  const problems: YamlProblem[] = [];
  const budget = budgets.getStore();
  // Chunks are slices of the text between document markers (no copy of every line).
  const marker = new RegExp(DOCUMENT_START.source, 'gm');
  let start = 0;
  let startLine = 1;
  let index = 0;
  let afterMarker = false;
  let textNodes = 0;
  let stopped = false;
  const take = (end: number) => {
    if (stopped) return;
    const chunk = text.slice(start, end);
    // Comments before the first marker belong to the first document, as in the positional parser.
    if (!afterMarker && !/^(?!\s*(#|$)).+/m.test(chunk)) return;
    const line = startLine + leadingBlankOrCommentLines(chunk);
    if (budget?.spent) {
      problems.push({ index, line, message: budgetProblem(budget) });
      stopped = true;
      return;
    }
    // A small chunk cannot hold a document's worth of nodes, nor (while the text is far from its limit)
    // cross the text's: it is parsed without measuring, its nodes counted after (depth is measured if the
    // parser refuses it, in loadChunk).
    if (chunk.length <= UNMEASURED_CHUNK_BYTES && textNodes + chunk.length <= YAML_LIMITS.maxTextNodes) {
      const used = loadChunk(chunk, startLine, index++, documents, problems, false, dialect);
      textNodes += used;
      if (budget) budget.used += used;
      return;
    }
    const measure = measureYaml(chunk, 0, chunk.length, YAML_LIMITS.maxDocumentNodes);
    textNodes += measure.nodes;
    if (measure.deepAt !== undefined) {
      problems.push({ index: index++, line: startLine + lineAt(chunk, measure.deepAt) - 1, message: DEPTH_MESSAGE() });
    } else if (measure.nodes > YAML_LIMITS.maxDocumentNodes) {
      problems.push({ index: index++, line, message: tooManyNodes('document', YAML_LIMITS.maxDocumentNodes) });
    } else if (textNodes > YAML_LIMITS.maxTextNodes) {
      problems.push({ index: index++, line, message: `${tooManyNodes('text', YAML_LIMITS.maxTextNodes)}: this document and the ones after it are not parsed` });
      stopped = true;
    } else {
      const used = loadChunk(chunk, startLine, index++, documents, problems, true, dialect);
      if (budget) budget.used += used;
    }
  };
  for (let match = marker.exec(text); match !== null; match = marker.exec(text)) {
    take(match.index);
    afterMarker = true;
    startLine += countLines(text, start, match.index) + 1;
    start = Math.min(text.length, match.index + match[0].length + 1);
  }
  take(text.length);
  return withEncoding({ documents, problems });
}

const MERGE_KEY = /<<["']?\s*:/;

/**
 * Chunks up to this size are parsed before (rather than after) being measured: see loadYamlDocuments.
 * js-yaml makes at most one node per byte (the densest forms, such as `[a,a,...]`, one per two; a test
 * holds them to it), so such a chunk stays well under YAML_LIMITS.maxDocumentNodes; the largest non-CRD
 * documents of the corpus (dashboards in ConfigMaps, up to 231 KB) are parsed without the extra pass.
 */
const UNMEASURED_CHUNK_BYTES = 256 * 1024;

/**
 * Loads one document's text; returns the nodes it produced (for the scan's budget). `measured`: whether
 * measureYaml has passed it (an unmeasured chunk is small; it is measured for depth if js-yaml refuses it).
 */
function loadChunk(
  chunk: string,
  firstLine: number,
  index: number,
  documents: YamlDocument[],
  problems: YamlProblem[],
  measured: boolean,
  dialect: YamlDialect,
): number {
  let values: unknown[];
  let nodes = 0;
  let expanded = 0;
  const options: JsYamlOptions = {
    schema: JS_YAML_SCHEMA[dialect],
    maxDepth: YAML_LIMITS.maxDepth,
    listener: (event: string) => {
      if (event === 'close') nodes++;
    },
  };
  try {
    // Merge keys: js-yaml lets explicit keys win whatever their order; go-yaml v2 applies keys and merges
    // in the order written (go-yaml-value.ts). Rare in manifests, so such a document takes the AST parser.
    values = dialect === 'kubernetes' && MERGE_KEY.test(chunk) ? [] : loadAll(chunk, null, options);
    // js-yaml reads a text of comments only as one null document; it is no document.
    if (values.length === 1 && values[0] === null && !HAS_CONTENT.test(chunk)) values = [];
    // Aliases share their anchor's value: what they expand to is measured as for the positional parser,
    // and an expansion too deep or too large goes to it for its message. Merge keys (`<<: *a`) flatten
    // what they expand, so the result no longer shows the work: with aliases, they go to it as well. An
    // alias needs an anchor (`&`); counting `*` tokens over-counts, which only sends more to that parser.
    if (values.length === 1 && chunk.includes('&') && chunk.includes('*')) {
      const aliases = chunk.match(ALIAS_TOKEN)?.length ?? 0;
      const tree = aliases > YAML_LIMITS.maxAliasCount || MERGE_KEY.test(chunk) ? 'large' : checkTree(values[0], YAML_LIMITS.maxDepth, 2 * YAML_LIMITS.maxDocumentNodes);
      if (tree === 'deep' || tree === 'large') values = [];
      else expanded = tree;
    }
  } catch {
    values = [];
  }
  if (values.length > 1 || (values.length === 0 && /\S/.test(chunk.replace(/#.*$/gm, '')))) {
    // js-yaml refused it (error, depth, an alias expanding too far): the positional parser decides and explains.
    if (!measured) {
      const measure = measureYaml(chunk, 0, chunk.length, YAML_LIMITS.maxDocumentNodes);
      if (measure.deepAt !== undefined) {
        problems.push({ index, line: firstLine + lineAt(chunk, measure.deepAt) - 1, message: DEPTH_MESSAGE() });
        return 0;
      }
    }
    const slow = parseYamlDocuments(chunk, dialect, true);
    for (const doc of slow.documents) {
      const lineOf = doc.lineOf;
      const shifted: YamlDocument = { index, value: doc.value, line: doc.line + firstLine - 1, lineOf: (pointer) => lineOf(pointer) + firstLine - 1 };
      if (doc.duplicates) shifted.duplicates = doc.duplicates.map((d) => ({ ...d, firstLine: d.firstLine + firstLine - 1, line: d.line + firstLine - 1 }));
      documents.push(shifted);
    }
    for (const problem of slow.problems) problems.push({ index, ...(problem.line ? { line: problem.line + firstLine - 1 } : {}), message: problem.message });
    return slow.nodes ?? 0;
  }
  if (values.length === 0) return 0; // comments only
  const contentLine = firstLine + leadingBlankOrCommentLines(chunk);
  if (dialect === 'kubernetes' && NON_FINITE_TOKEN.test(chunk) && hasNonFinite(values[0])) {
    problems.push({ index, line: contentLine, message: NON_FINITE_MESSAGE });
    return nodes;
  }
  documents.push({
    index,
    value: values[0] ?? null,
    line: contentLine,
    lineOf: (pointer) => {
      // Positions are parsed again on demand rather than kept: findings of one object come together, so
      // the one-entry cache almost always hits, and a large scan does not hold every document's tree.
      const positions = positionsOf(chunk, dialect);
      if (typeof positions === 'function') return positions(pointer) + firstLine - 1;
      return lineAt(chunk, offsetOf(chunk, positions, pointer)) + firstLine - 1;
    },
  });
  return Math.max(nodes, expanded);
}

/** `.inf` and `.nan` are go-yaml floats that sigs.k8s.io/yaml cannot write as JSON: kubectl rejects the document. */
const NON_FINITE_TOKEN = /\.(?:inf|Inf|INF|nan|NaN|NAN)\b/;
const NON_FINITE_MESSAGE = 'a value is .inf or .nan, which JSON cannot hold: kubectl, helm and the API server reject this document';
export function hasNonFinite(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'number' && !Number.isFinite(node)) return true;
    if (node !== null && typeof node === 'object') stack.push(...Object.values(node));
  }
  return false;
}

/** A line with something other than blanks and a comment. */
const HAS_CONTENT = /^[ \t]*[^\s#]/m;

/** A `*` that can start an alias (after a line start, space, flow indicator, `:`, `?` or `-`). */
const ALIAS_TOKEN = /(?:^|[\s[{,:?-])\*[^\s,[\]{}]/gm;

let lastPositions: { chunk: string; dialect: YamlDialect; positions: PositionNode | ((pointer: string) => number) } | undefined;
/** The chunk's position tree, or (when js-yaml's tree is not trusted) the positional parser's lineOf. */
function positionsOf(chunk: string, dialect: YamlDialect): PositionNode | ((pointer: string) => number) {
  if (lastPositions?.chunk !== chunk || lastPositions.dialect !== dialect) {
    const tree = positionTree(chunk, JS_YAML_SCHEMA[dialect], YAML_LIMITS.maxDepth);
    const fallback = tree === undefined ? parseYamlDocuments(chunk, dialect, true).documents[0] : undefined;
    lastPositions = { chunk, dialect, positions: tree ?? fallback?.lineOf ?? (() => 1) };
  }
  return lastPositions.positions;
}

/** Blank and comment lines before a chunk's content (read line by line: chunks can be megabytes). */
function leadingBlankOrCommentLines(chunk: string): number {
  let count = 0;
  for (let start = 0; start <= chunk.length; ) {
    const end = chunk.indexOf('\n', start);
    const line = chunk.slice(start, end === -1 ? chunk.length : end);
    if (!/^\s*(#.*)?\r?$/.test(line)) break;
    count++;
    if (end === -1) break;
    start = end + 1;
  }
  return count;
}

/**
 * Parses every document of a YAML (or JSON) text. Never throws for bad input. `measured` is set by
 * loadYamlDocuments, which has already measured the text against the limits.
 */
export function parseYamlDocuments(text: string, dialect: YamlDialect = 'kubernetes', measured = false): ParsedYaml & { nodes?: number } {
  const documents: YamlDocument[] = [];
  const problems: YamlProblem[] = [];
  if (text.length > YAML_LIMITS.maxBytes) {
    problems.push({ index: 0, message: `file is larger than ${YAML_LIMITS.maxBytes / 1024 / 1024} MiB; not parsed` });
    return { documents, problems };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (dialect === 'kubernetes' && !measured) text = goYamlStream(text);
  const budget = budgets.getStore();
  if (!measured) {
    if (budget?.spent) return { documents, problems: [{ index: 0, line: 1, message: budgetProblem(budget) }] };
    // The AST parser costs more per node than js-yaml: the whole text gets one document's allowance.
    const measure = measureYaml(text, 0, text.length, YAML_LIMITS.maxDocumentNodes);
    if (measure.deepAt !== undefined) return { documents, problems: [{ index: 0, line: lineAt(text, measure.deepAt), message: DEPTH_MESSAGE() }] };
    if (measure.nodes > YAML_LIMITS.maxDocumentNodes) {
      return { documents, problems: [{ index: 0, line: 1, message: tooManyNodes('text', YAML_LIMITS.maxDocumentNodes) }] };
    }
  }
  const lineCounter = new LineCounter();
  let parsed: Document.Parsed[];
  try {
    parsed = parseAllDocuments(text, {
      lineCounter,
      // Kubernetes keeps the last of duplicate keys (go-yaml-value.ts); preadmit's own configuration refuses them.
      uniqueKeys: dialect !== 'kubernetes',
      prettyErrors: false,
      logLevel: 'error',
      ...(dialect === 'kubernetes' ? (KUBERNETES_YAML as object) : {}),
    }) as Document.Parsed[];
  } catch (error) {
    problems.push({ index: 0, line: 1, message: `YAML could not be parsed: ${safeParserMessage((error as Error).message)}` });
    return { documents, problems };
  }
  if (!Array.isArray(parsed)) parsed = [parsed];
  const lineOfOffset = (offset: number | undefined): number => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  let nodes = 0;

  parsed.forEach((doc, index) => {
    const startLine = lineOfOffset(doc.contents?.range?.[0] ?? doc.range?.[0]);
    if (doc.errors.length > 0) {
      const error = doc.errors[0]!;
      const message = safeParserMessage(error.message);
      // A stack exhausted in the parser has no meaningful position: the document's start is reported.
      problems.push({ index, line: message === DEPTH_MESSAGE() ? startLine : lineOfOffset(error.pos[0]), message });
      return;
    }
    let value: unknown;
    let duplicates: DuplicateKey[] = [];
    try {
      if (dialect === 'kubernetes') {
        const limits = { maxDepth: YAML_LIMITS.maxDepth, maxNodes: 2 * YAML_LIMITS.maxDocumentNodes, maxAliasExpansions: 100 * YAML_LIMITS.maxAliasCount };
        ({ value, duplicates } = goYamlValue(doc, lineOfOffset, limits));
      } else {
        value = doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
      }
    } catch (error) {
      if (error instanceof GoYamlError) {
        problems.push({ index, line: startLine, message: error.message });
        return;
      }
      const message = safeParserMessage((error as Error).message);
      problems.push({ index, line: startLine, message: message === DEPTH_MESSAGE() ? message : `YAML could not be expanded: ${message}` });
      return;
    }
    if (dialect === 'kubernetes' && hasNonFinite(value)) {
      problems.push({ index, line: startLine, message: NON_FINITE_MESSAGE });
      return;
    }
    const tree = checkTree(value, YAML_LIMITS.maxDepth, 2 * YAML_LIMITS.maxDocumentNodes);
    if (tree === 'deep' || tree === 'large') {
      const message = tree === 'deep' ? DEPTH_MESSAGE() : `aliases expand the document to more than ${(2 * YAML_LIMITS.maxDocumentNodes).toLocaleString('en-US')} nodes; not parsed`;
      problems.push({ index, line: startLine, message });
      return;
    }
    nodes += tree;
    const contents = doc.contents as Node | null;
    documents.push({
      index,
      value: value ?? null,
      line: startLine,
      lineOf: (pointer) => lineOfOffset(rangeStartOf(contents, pointer) ?? doc.contents?.range?.[0]),
      ...(duplicates.length > 0 ? { duplicates } : {}),
    });
  });
  if (budget && !measured) budget.used += nodes;
  return { documents, problems, nodes };
}

/** Offset of the node at a pointer: for a mapping entry, its key; falls back to the nearest ancestor. */
function rangeStartOf(root: Node | null, pointer: string): number | undefined {
  let node: unknown = root;
  let best = (root as Node | null)?.range?.[0];
  for (const token of tokens(pointer)) {
    if (isMap(node)) {
      // The last of duplicate keys is the one Kubernetes keeps.
      const pair = node.items.findLast((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === token);
      if (!pair) break;
      best = (pair.key as Node).range?.[0] ?? best;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(token)];
      if (item === undefined) break;
      best = (item as Node).range?.[0] ?? best;
      node = item;
    } else {
      break;
    }
  }
  return best;
}
