// A light, brace-aware scan of HCL native syntax: enough structure to find a block, a nested block, an
// attribute, an object key or a tuple element and its line. It is not a parser: expressions other than
// object and tuple literals are skipped as balanced text (strings with ${} templates, heredocs, comments
// and brackets are respected), `dynamic` blocks are kept as such, and anything it cannot read is
// skipped to the end of the line. It never throws on bad input.

export type HclItem = HclBlock | HclAttribute;

export interface HclBlock {
  type: 'block';
  name: string;
  labels: string[];
  line: number;
  body: HclItem[];
}

export interface HclAttribute {
  type: 'attr';
  name: string;
  line: number;
  value: HclValue;
}

export type HclValue =
  | { type: 'object'; line: number; entries: { key: string; line: number; value: HclValue }[] }
  | { type: 'tuple'; line: number; items: HclValue[] }
  /** `contentLine`: line of the first line of the heredoc's text; `text`: the text as written. */
  | { type: 'heredoc'; line: number; contentLine: number; text: string }
  | { type: 'expr'; line: number };

const IDENT_START = /[A-Za-z_]/;
const IDENT = /[A-Za-z0-9_-]/;

/**
 * Deepest nesting of blocks, objects and tuples parsed into items; deeper content is skipped as an
 * opaque expression (iteratively), so a file of thousands of nested brackets cannot exhaust the stack.
 */
const MAX_DEPTH = 64;

class Scanner {
  pos = 0;
  /** Blocks, objects and tuples open around the position. */
  depth = 0;
  private readonly newlines: number[] = [];

  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.newlines.push(i);
  }

  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.newlines[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  }

  get line(): number {
    return this.lineAt(this.pos);
  }

  peek(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  /** Skips spaces and comments; newlines too when asked. */
  skipSpace(newlines: boolean): void {
    while (!this.done) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && c === '\n')) this.pos++;
      else if (c === '#' || (c === '/' && this.peek(1) === '/')) this.skipLineComment();
      else if (c === '/' && this.peek(1) === '*') this.skipBlockComment();
      else break;
    }
  }

  private skipLineComment(): void {
    const end = this.text.indexOf('\n', this.pos);
    this.pos = end === -1 ? this.text.length : end;
  }

  private skipBlockComment(): void {
    const end = this.text.indexOf('*/', this.pos + 2);
    this.pos = end === -1 ? this.text.length : end + 2;
  }

  skipToLineEnd(): void {
    this.skipExpression(new Set(), true);
    if (this.peek() === '\n') this.pos++;
  }

  readIdent(): string {
    const start = this.pos;
    while (!this.done && IDENT.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** Reads a quoted string literal's raw content (templates kept as text). */
  readString(): string {
    const start = this.pos + 1;
    this.skipString();
    return this.text.slice(start, Math.max(start, this.pos - 1));
  }

  skipString(): void {
    this.pos++; // opening quote
    while (!this.done) {
      const c = this.peek();
      if (c === '\\') this.pos += 2;
      else if (c === '"') {
        this.pos++;
        return;
      } else if ((c === '$' || c === '%') && this.peek(1) === '{') {
        this.pos += 2;
        this.skipExpression(new Set(['}']), false);
        if (this.peek() === '}') this.pos++;
      } else if (c === '\n') return; // unterminated: stop at the line end
      else this.pos++;
    }
  }

  /** At `<<`: skips the heredoc and returns its text. */
  readHeredoc(): { contentLine: number; text: string } | undefined {
    const match = /^<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/.exec(this.text.slice(this.pos, this.pos + 200));
    if (!match) return undefined;
    const marker = match[2]!;
    this.pos += match[0].length;
    const contentStart = this.pos;
    const contentLine = this.line;
    const closing = new RegExp(`^[ \\t]*${marker}[ \\t]*\\r?$`, 'm');
    const rest = this.text.slice(contentStart);
    const found = closing.exec(rest);
    if (!found) {
      this.pos = this.text.length;
      return { contentLine, text: rest };
    }
    this.pos = contentStart + found.index + found[0].length;
    return { contentLine, text: rest.slice(0, found.index) };
  }

  /**
   * Skips an expression: balanced brackets, strings, heredocs and comments, stopping (without consuming)
   * at a terminator at depth 0, or at a newline at depth 0 when `stopAtNewline`.
   */
  skipExpression(terminators: Set<string>, stopAtNewline: boolean): void {
    const stack: string[] = [];
    while (!this.done) {
      const c = this.peek();
      if (stack.length === 0 && (terminators.has(c) || (stopAtNewline && c === '\n'))) return;
      if (c === '"') this.skipString();
      else if (c === '<' && this.peek(1) === '<' && this.readHeredoc() !== undefined) continue;
      else if (c === '#' || (c === '/' && this.peek(1) === '/')) this.skipLineComment();
      else if (c === '/' && this.peek(1) === '*') this.skipBlockComment();
      else if (c === '{' || c === '[' || c === '(') {
        stack.push(c === '{' ? '}' : c === '[' ? ']' : ')');
        this.pos++;
      } else if (c === '}' || c === ']' || c === ')') {
        if (stack.length === 0) return; // a closer that belongs to the caller
        if (stack[stack.length - 1] === c) stack.pop();
        this.pos++;
      } else this.pos++;
    }
  }
}

/** Parses a body (a file, or a block's content) into blocks and attributes. */
export function parseHcl(text: string): HclItem[] {
  const scanner = new Scanner(text);
  return parseBody(scanner, false);
}

function parseBody(s: Scanner, nested: boolean): HclItem[] {
  const items: HclItem[] = [];
  while (!s.done) {
    s.skipSpace(true);
    if (s.done) break;
    const c = s.peek();
    if (c === '}') {
      s.pos++;
      if (nested) return items;
      continue; // a stray closer at the top level
    }
    if (!IDENT_START.test(c)) {
      s.skipToLineEnd();
      continue;
    }
    const line = s.line;
    const name = s.readIdent();
    s.skipSpace(false);
    const next = s.peek();
    if (next === '=' && s.peek(1) !== '=') {
      s.pos++;
      items.push({ type: 'attr', name, line, value: parseValue(s, new Set(['}']), true) });
      continue;
    }
    // a block: labels (quoted or bare) up to `{`
    const labels: string[] = [];
    let ok = true;
    for (;;) {
      s.skipSpace(false);
      const ch = s.peek();
      if (ch === '{') break;
      if (ch === '"') labels.push(s.readString());
      else if (IDENT_START.test(ch)) labels.push(s.readIdent());
      else {
        ok = false;
        break;
      }
    }
    if (!ok) {
      s.skipToLineEnd();
      continue;
    }
    s.pos++; // {
    if (s.depth >= MAX_DEPTH) {
      s.skipExpression(new Set(['}']), false);
      if (s.peek() === '}') s.pos++;
      items.push({ type: 'block', name, labels, line, body: [] });
      continue;
    }
    s.depth++;
    items.push({ type: 'block', name, labels, line, body: parseBody(s, true) });
    s.depth--;
  }
  return items;
}

function parseValue(s: Scanner, terminators: Set<string>, stopAtNewline: boolean): HclValue {
  s.skipSpace(!stopAtNewline);
  const line = s.line;
  const c = s.peek();
  let value: HclValue;
  if (s.depth >= MAX_DEPTH && (c === '{' || c === '[')) {
    value = { type: 'expr', line }; // skipped below, brackets balanced
  } else if (c === '{' && !/^\{\s*for\s/.test(s.text.slice(s.pos, s.pos + 40))) {
    s.pos++;
    s.depth++;
    value = { type: 'object', line, entries: parseObjectEntries(s) };
    s.depth--;
  } else if (c === '[' && !/^\[\s*for\s/.test(s.text.slice(s.pos, s.pos + 40))) {
    s.pos++;
    s.depth++;
    value = { type: 'tuple', line, items: parseTupleItems(s) };
    s.depth--;
  } else if (c === '<' && s.peek(1) === '<') {
    const heredoc = s.readHeredoc();
    value = heredoc ? { type: 'heredoc', line, ...heredoc } : { type: 'expr', line };
  } else {
    value = { type: 'expr', line };
  }
  // whatever follows (an index, an operator, the rest of a function call) is part of the expression
  s.skipExpression(terminators, stopAtNewline);
  return value;
}

function parseObjectEntries(s: Scanner): { key: string; line: number; value: HclValue }[] {
  const entries: { key: string; line: number; value: HclValue }[] = [];
  while (!s.done) {
    s.skipSpace(true);
    const c = s.peek();
    if (c === '}') {
      s.pos++;
      return entries;
    }
    if (c === ',') {
      s.pos++;
      continue;
    }
    const line = s.line;
    let key: string | undefined;
    if (c === '"') key = s.readString();
    else if (IDENT_START.test(c)) key = s.readIdent();
    s.skipSpace(false);
    if (key !== undefined && (s.peek() === '=' || s.peek() === ':') && s.peek(1) !== '=') {
      s.pos++;
      entries.push({ key, line, value: parseValue(s, new Set([',', '}']), true) });
    } else {
      s.skipExpression(new Set([',', '}']), true);
      if (s.peek() === '\n') s.pos++;
    }
  }
  return entries;
}

function parseTupleItems(s: Scanner): HclValue[] {
  const items: HclValue[] = [];
  while (!s.done) {
    s.skipSpace(true);
    const c = s.peek();
    if (c === ']') {
      s.pos++;
      return items;
    }
    if (c === ',') {
      s.pos++;
      continue;
    }
    const before = s.pos;
    items.push(parseValue(s, new Set([',', ']']), false));
    if (s.pos === before) s.pos++; // never loop on a character nothing consumes
  }
  return items;
}

export interface PathLocation {
  /** Line of the deepest element of the path found. */
  line: number;
  /** How many path steps were matched. */
  matched: number;
  /** The value reached, when the path ended (or stopped) at an attribute value. */
  value?: HclValue;
}

/**
 * Follows a Terraform attribute path (`['spec', 0, 'container', 1, 'security_context', 0, 'privileged']`)
 * through a block body: block names (the Nth block of a name for an index; `dynamic "name"` blocks by
 * their label, entering their `content`), attributes, object keys and tuple elements.
 */
export function locatePath(body: HclItem[], path: readonly (string | number)[], blockLine: number): PathLocation {
  let location: PathLocation = { line: blockLine, matched: 0 };
  let items: HclItem[] | undefined = body;
  let value: HclValue | undefined;
  let i = 0;
  while (i < path.length) {
    const step = path[i]!;
    if (items !== undefined) {
      const name = String(step);
      const attribute = items.find((item): item is HclAttribute => item.type === 'attr' && item.name === name);
      if (attribute) {
        location = { line: attribute.line, matched: i + 1, value: attribute.value };
        value = attribute.value;
        items = undefined;
        i++;
        continue;
      }
      const blocks: HclBlock[] = items.filter((item): item is HclBlock => item.type === 'block' && (item.name === name || (item.name === 'dynamic' && item.labels[0] === name)));
      if (blocks.length === 0) break;
      let index = 0;
      let consumed = 1;
      if (typeof path[i + 1] === 'number') {
        index = path[i + 1] as number;
        consumed = 2;
      }
      // Static blocks are counted in order; past them (or at a dynamic block) the dynamic block stands for the rest.
      const block: HclBlock = blocks[index] ?? blocks.find((b) => b.name === 'dynamic') ?? blocks[blocks.length - 1]!;
      location = { line: block.line, matched: i + consumed };
      const content: HclBlock | undefined = block.name === 'dynamic' ? block.body.find((item): item is HclBlock => item.type === 'block' && item.name === 'content') : undefined;
      items = block.name === 'dynamic' ? content?.body : block.body;
      if (items === undefined) break;
      value = undefined;
      i += consumed;
      continue;
    }
    if (value?.type === 'object') {
      const entry = value.entries.find((e) => e.key === String(step));
      if (!entry) break;
      location = { line: entry.line, matched: i + 1, value: entry.value };
      value = entry.value;
      i++;
      continue;
    }
    if (value?.type === 'tuple' && typeof step === 'number') {
      const item = value.items[step];
      if (!item) break;
      location = { line: item.line, matched: i + 1, value: item };
      value = item;
      i++;
      continue;
    }
    break;
  }
  return location;
}
