// Multi-document YAML with source positions. One bad document becomes an error for that document;
// the others still load. Positions come from the `yaml` package's AST, so a JSON pointer maps to a line.
// Building that AST costs time and memory, so loadYamlDocuments builds values and positions from js-yaml's
// event stream (several times faster), and uses the AST parser only when js-yaml fails or meets an alias
// (its messages and alias-expansion limits are the reference).
import {
  EVENT_ID,
  FAILSAFE_SCHEMA,
  boolYaml11Tag,
  constructFromEvents,
  floatYaml11Tag,
  intYaml11Tag,
  mergeTag,
  nullYaml11Tag,
  parseEvents,
  type Event,
} from 'js-yaml';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { tokens } from '../core/pointer.ts';
import { lineAt, offsetOf } from './yaml-events.ts';

/** Caps that keep hostile input (alias bombs, huge or deep documents) from exhausting memory or stack. */
export const YAML_LIMITS = {
  maxAliasCount: 100,
  maxDepth: 200,
  maxBytes: 64 * 1024 * 1024,
};

export interface YamlDocument {
  /** 0-based index of the document in the text. */
  index: number;
  /** The document's value as plain JSON-compatible data (null for an empty document). */
  value: unknown;
  /** 1-based line where the document's content starts. */
  line: number;
  /** Line of the node at a pointer, or of its nearest existing ancestor. */
  lineOf(pointer: string): number;
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

function nodeDepth(value: unknown, limit: number): boolean {
  // Iterative so a deeply nested document cannot overflow the stack here.
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > limit) return false;
    if (node !== null && typeof node === 'object') {
      for (const child of Object.values(node as object)) stack.push([child, depth + 1]);
    }
  }
  return true;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/**
 * The YAML dialect Kubernetes reads: its decoder (sigs.k8s.io/yaml over go-yaml v2) follows YAML 1.1, so
 * `privileged: yes` is true and `defaultMode: 0644` is octal, but timestamps stay strings.
 */
const KUBERNETES_YAML = {
  version: '1.1' as const,
  customTags: (tags: { tag: string }[]) => tags.filter((tag) => tag.tag !== 'tag:yaml.org,2002:timestamp'),
};

/** The same dialect for js-yaml: YAML 1.1 scalars without timestamps, plus merge keys. */
const KUBERNETES_SCHEMA = FAILSAFE_SCHEMA.withTags(nullYaml11Tag, boolYaml11Tag, intYaml11Tag, floatYaml11Tag, mergeTag);

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
 * parseYamlDocuments, in the Kubernetes dialect.
 */
export function loadYamlDocuments(text: string): ParsedYaml {
  if (text.length > YAML_LIMITS.maxBytes) return parseYamlDocuments(text);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (NEEDS_FULL_PARSE.test(text)) return parseYamlDocuments(text);
  const documents: YamlDocument[] = [];
  const problems: YamlProblem[] = [];
  // Chunks are slices of the text between document markers (no copy of every line).
  const marker = new RegExp(DOCUMENT_START.source, 'gm');
  let start = 0;
  let startLine = 1;
  let index = 0;
  let afterMarker = false;
  const take = (end: number) => {
    const chunk = text.slice(start, end);
    // Comments before the first marker belong to the first document, as in the positional parser.
    if (!afterMarker && !/^(?!\s*(#|$)).+/m.test(chunk)) return;
    loadChunk(chunk, startLine, index++, documents, problems);
  };
  for (let match = marker.exec(text); match !== null; match = marker.exec(text)) {
    take(match.index);
    afterMarker = true;
    startLine += countLines(text, start, match.index) + 1;
    start = Math.min(text.length, match.index + match[0].length + 1);
  }
  take(text.length);
  return { documents, problems };
}

function loadChunk(chunk: string, firstLine: number, index: number, documents: YamlDocument[], problems: YamlProblem[]): void {
  let events: Event[];
  let values: unknown[];
  try {
    events = parseEvents(chunk, { maxDepth: YAML_LIMITS.maxDepth });
    values = constructFromEvents(events, { source: chunk, schema: KUBERNETES_SCHEMA, maxAliases: 0 });
  } catch {
    events = [];
    values = [];
  }
  if (values.length > 1 || (values.length === 0 && /\S/.test(chunk.replace(/#.*$/gm, '')))) {
    // js-yaml refused it (error, alias, depth): the positional parser decides and explains.
    const slow = parseYamlDocuments(chunk);
    for (const doc of slow.documents) {
      const lineOf = doc.lineOf;
      documents.push({ index, value: doc.value, line: doc.line + firstLine - 1, lineOf: (pointer) => lineOf(pointer) + firstLine - 1 });
    }
    for (const problem of slow.problems) problems.push({ index, ...(problem.line ? { line: problem.line + firstLine - 1 } : {}), message: problem.message });
    return;
  }
  if (values.length === 0) return; // comments only
  const contentLine = firstLine + leadingBlankOrCommentLines(chunk);
  documents.push({
    index,
    value: values[0] ?? null,
    line: contentLine,
    lineOf: (pointer) => {
      // Events are parsed again on demand rather than kept: findings of one object come together, so the
      // one-entry cache almost always hits, and a large scan does not hold every document's events.
      const events = eventsOf(chunk);
      const offset = offsetOf(chunk, events, events.findIndex((e) => e.type === EVENT_ID.DOCUMENT), pointer);
      return offset === undefined ? contentLine : lineAt(chunk, offset) + firstLine - 1;
    },
  });
}

let lastEvents: { chunk: string; events: Event[] } | undefined;
function eventsOf(chunk: string): Event[] {
  if (lastEvents?.chunk !== chunk) lastEvents = { chunk, events: parseEvents(chunk, { maxDepth: YAML_LIMITS.maxDepth }) };
  return lastEvents.events;
}

function leadingBlankOrCommentLines(chunk: string): number {
  let count = 0;
  for (const line of chunk.split('\n')) {
    if (/^\s*(#.*)?\r?$/.test(line)) count++;
    else break;
  }
  return count;
}

/** Parses every document of a YAML (or JSON) text. Never throws for bad input. */
export function parseYamlDocuments(text: string, dialect: 'kubernetes' | 'yaml-1.2' = 'kubernetes'): ParsedYaml {
  const documents: YamlDocument[] = [];
  const problems: YamlProblem[] = [];
  if (text.length > YAML_LIMITS.maxBytes) {
    problems.push({ index: 0, message: `file is larger than ${YAML_LIMITS.maxBytes / 1024 / 1024} MiB; not parsed` });
    return { documents, problems };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lineCounter = new LineCounter();
  let parsed: Document.Parsed[];
  try {
    parsed = parseAllDocuments(text, {
      lineCounter,
      uniqueKeys: true,
      prettyErrors: false,
      ...(dialect === 'kubernetes' ? (KUBERNETES_YAML as object) : {}),
    }) as Document.Parsed[];
  } catch (error) {
    problems.push({ index: 0, message: `YAML could not be parsed: ${(error as Error).message}` });
    return { documents, problems };
  }
  if (!Array.isArray(parsed)) parsed = [parsed];
  const lineAt = (offset: number | undefined): number => (offset === undefined ? 1 : lineCounter.linePos(offset).line);

  parsed.forEach((doc, index) => {
    const startLine = lineAt(doc.contents?.range?.[0] ?? doc.range?.[0]);
    if (doc.errors.length > 0) {
      const error = doc.errors[0]!;
      problems.push({ index, line: lineAt(error.pos[0]), message: firstLine(error.message) });
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
    } catch (error) {
      problems.push({ index, line: startLine, message: `YAML could not be expanded: ${firstLine((error as Error).message)}` });
      return;
    }
    if (!nodeDepth(value, YAML_LIMITS.maxDepth)) {
      problems.push({ index, line: startLine, message: `document is nested deeper than ${YAML_LIMITS.maxDepth} levels` });
      return;
    }
    const contents = doc.contents as Node | null;
    documents.push({
      index,
      value: value ?? null,
      line: startLine,
      lineOf: (pointer) => lineAt(rangeStartOf(contents, pointer) ?? doc.contents?.range?.[0]),
    });
  });
  return { documents, problems };
}

/** Offset of the node at a pointer: for a mapping entry, its key; falls back to the nearest ancestor. */
function rangeStartOf(root: Node | null, pointer: string): number | undefined {
  let node: unknown = root;
  let best = (root as Node | null)?.range?.[0];
  for (const token of tokens(pointer)) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === token);
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
