// Multi-document YAML with source positions. One bad document becomes an error for that document;
// the others still load. Positions come from the `yaml` package's AST, so a JSON pointer maps to a line.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { tokens } from '../core/pointer.ts';

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
