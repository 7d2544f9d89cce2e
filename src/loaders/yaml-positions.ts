// Source positions from js-yaml's parse listener: js-yaml calls it when it opens and closes each node,
// with the parser's offset and the node's value. The nodes form a tree; a JSON pointer is followed through
// it to the node it names (for a mapping entry, its key). Parsing with a listener costs about what parsing
// costs, so positions are computed only when a line is asked for.
import { loadAll, type LoadOptions, type Schema, type State, type Type } from 'js-yaml';
import { tokens } from '../model/pointer.ts';

/** js-yaml 4.2+ options the type definitions (@types/js-yaml 4.0) do not list. */
export type JsYamlOptions = LoadOptions & { maxDepth?: number };

declare module 'js-yaml' {
  /** js-yaml's built-in types (exported by js-yaml 4, not listed by @types/js-yaml 4.0). */
  export const types: Readonly<Record<'null' | 'merge', Type>>;
}

export interface PositionNode {
  /** Offset where the parser opened the node: its content, or whitespace and comments before it. */
  open: number;
  kind: string | null;
  value: unknown;
  /** Mappings: key, value, key, value...; sequences: the items. */
  children: PositionNode[];
}

/**
 * The node tree of a one-document text, or undefined when it does not parse or its tree does not match
 * its value (see consistent()): the caller then asks a positional parser.
 */
export function positionTree(text: string, schema: Schema, maxDepth: number): PositionNode | undefined {
  const root: PositionNode = { open: 0, kind: null, value: undefined, children: [] };
  const stack: PositionNode[] = [root];
  const options: JsYamlOptions = {
    schema,
    maxDepth,
    listener: (event: string, state: State) => {
      if (event === 'open') {
        stack.push({ open: state.position, kind: null, value: undefined, children: [] });
      } else {
        const node = stack.pop()!;
        node.kind = state.kind;
        node.value = state.result;
        stack[stack.length - 1]!.children.push(node);
      }
    },
  };
  try {
    loadAll(text, null, options);
  } catch {
    return undefined;
  }
  if (root.children.length !== 1) return undefined;
  const tree = unwrap(root.children[0]!);
  return consistent(tree) ? tree : undefined;
}

/**
 * A block value that js-yaml first tries as a mapping key and keeps when no `:` follows is opened twice:
 * the outer node and the inner one hold the same value. The inner one is the node.
 */
function unwrap(node: PositionNode): PositionNode {
  let current = node;
  while (current.children.length === 1 && current.children[0]!.kind === current.kind && Object.is(current.children[0]!.value, current.value)) {
    current = current.children[0]!;
  }
  return current;
}

/**
 * Every mapping has whole key/value pairs and every sequence one child per item. A parse that backtracked
 * (js-yaml re-reads a tagged or anchored node as a mapping and rolls back) leaves extra nodes behind: such
 * a tree is not trusted.
 */
function consistent(tree: PositionNode): boolean {
  const stack = [tree];
  while (stack.length > 0) {
    const node = unwrap(stack.pop()!);
    if (node.kind === 'mapping' && node.children.length % 2 !== 0) return false;
    if (node.kind === 'sequence' && (!Array.isArray(node.value) || node.children.length !== node.value.length)) return false;
    // A scalar's own children (js-yaml opens an empty node while reading `- |`) hold no positions.
    if (node.kind === 'scalar') continue;
    for (const child of node.children) stack.push(child);
  }
  return true;
}

/** First offset at or after `from` that is not whitespace or a comment. */
function contentStart(source: string, from: number): number {
  let i = from;
  for (;;) {
    const c = source.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
    else if (c === 0x23) {
      const end = source.indexOf('\n', i);
      if (end === -1) return source.length;
      i = end + 1;
    } else return i;
  }
}

/** Offset of the node a pointer names, or of its nearest existing ancestor. */
export function offsetOf(source: string, tree: PositionNode, pointer: string): number {
  let node = tree;
  let best = contentStart(source, node.open);
  for (const token of tokens(pointer)) {
    if (node.kind === 'mapping') {
      let found: PositionNode | undefined;
      for (let j = 0; j + 1 < node.children.length; j += 2) {
        const key = node.children[j]!;
        if (String(key.value) === token) {
          best = contentStart(source, key.open);
          found = node.children[j + 1]!;
          break;
        }
      }
      if (found === undefined) break;
      node = unwrap(found);
    } else if (node.kind === 'sequence') {
      const wanted = Number(token);
      if (!Number.isInteger(wanted) || wanted < 0 || wanted >= node.children.length) break;
      node = unwrap(node.children[wanted]!);
      best = contentStart(source, node.open);
    } else {
      break;
    }
  }
  return best;
}

/** 1-based line of an offset. */
export function lineAt(source: string, offset: number): number {
  let line = 1;
  for (let i = source.indexOf('\n'); i !== -1 && i < offset; i = source.indexOf('\n', i + 1)) line++;
  return line;
}

/** Line starts of a text, built once, for line numbers by offset. */
export function lineIndex(text: string): (offset: number) => number {
  let starts: number[] | undefined;
  return (offset) => {
    if (starts === undefined) {
      starts = [0];
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    }
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  };
}
