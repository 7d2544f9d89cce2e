// The `{{ ... }}` actions of template text, found as Go's text/template lexer finds them, in one pass: an
// action ends at the first `}}` outside its quoted strings, raw strings and character constants (`{{ list
// "}}" (lookup ...) }}` and `{{ index (list '"' ...) }}` are one action each), and a comment `{{/* ... */}}`
// at its `*/}}`. A `{{` that never closes ends the scan (helm refuses such a template). Regular expressions
// (`/\{\{[\s\S]*?\}\}/g`) get both wrong and retry from every unclosed `{{`: quadratic on hostile text.

/** Where each action of `text` starts and ends (exclusive), in order, and whether it is a comment (no code). */
export function actionSpans(text: string): { start: number; end: number; comment: boolean }[] {
  const out: { start: number; end: number; comment: boolean }[] = [];
  let at = text.indexOf('{{');
  while (at !== -1) {
    const end = actionEnd(text, at);
    if (end === -1) break;
    out.push({ start: at, end, comment: isComment(text, at) });
    at = text.indexOf('{{', end);
  }
  return out;
}

/** Whether the action opening at `start` is a comment: `/*` follows the delimiter directly (after a trim marker and its space). */
function isComment(text: string, start: number): boolean {
  const i = start + 2;
  return text.startsWith('/*', text[i] === '-' && /\s/.test(text[i + 1] ?? '') ? i + 2 : i);
}

/** The end (exclusive) of the action opening at `start`, or -1 when it never closes. */
function actionEnd(text: string, start: number): number {
  let i = start + 2;
  const body = text[i] === '-' && /\s/.test(text[i + 1] ?? '') ? i + 2 : i;
  if (isComment(text, start)) {
    const close = text.indexOf('*/', body + 2);
    if (close === -1) return -1;
    const after = text.indexOf('}}', close + 2);
    return after === -1 ? -1 : after + 2;
  }
  while (i < text.length) {
    const c = text[i]!;
    if (c === '}' && text[i + 1] === '}') return i + 2;
    if (c === '"' || c === "'") {
      // A quoted string or a character constant: to its unescaped closing quote (Go refuses a newline inside).
      i++;
      while (i < text.length && text[i] !== c && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '`') {
      const close = text.indexOf('`', i + 1);
      if (close === -1) return -1;
      i = close + 1;
      continue;
    }
    i++;
  }
  return -1;
}

/**
 * `text` with `rewrite` applied to each action inside a block opened by an action matching `opener` (tested
 * on the whole action, e.g. `with .Release`) where the dot is still what the block set: not inside a nested
 * with, range, define or block, nor in a comment. The block's own end is found by counting nested blocks over
 * the actions as Go's lexer finds them: linear on any text.
 */
export function withBlockActions(text: string, opener: RegExp, rewrite: (action: string, opened: RegExpExecArray) => string): string {
  const spans = actionSpans(text);
  let out = '';
  let last = 0;
  for (let i = 0; i < spans.length; i++) {
    const opened = opener.exec(text.slice(spans[i]!.start, spans[i]!.end));
    if (opened === null) continue;
    out += text.slice(last, spans[i]!.end);
    last = spans[i]!.end;
    // Kinds of the blocks open inside ours (only `if` keeps the dot), and how many of them rebind it.
    const stack: string[] = [];
    let rebinding = 0;
    for (i++; i < spans.length; i++) {
      const { start, end, comment } = spans[i]!;
      const action = text.slice(start, end);
      out += text.slice(last, start);
      last = end;
      const kind = comment ? undefined : /^\{\{-?\s*(if|with|range|define|block|end)\b/.exec(action)?.[1];
      if (kind === 'end') {
        out += action;
        const ended = stack.pop();
        if (ended === undefined) break; // our block's end
        if (ended !== 'if') rebinding--;
        continue;
      }
      out += rebinding === 0 && !comment ? rewrite(action, opened) : action;
      if (kind !== undefined) {
        stack.push(kind);
        if (kind !== 'if') rebinding++;
      }
    }
  }
  return out + text.slice(last);
}

/** Every action of `text`, with its index (shaped as matchAll gives them). */
export function templateActions(text: string): RegExpExecArray[] {
  return actionSpans(text).map(({ start, end }) => Object.assign([text.slice(start, end)], { index: start, input: text, groups: undefined }) as RegExpExecArray);
}

/** `text` with each action replaced by `replace(action)`. */
export function replaceActions(text: string, replace: (action: string) => string): string {
  let out = '';
  let last = 0;
  for (const { start, end } of actionSpans(text)) {
    out += text.slice(last, start) + replace(text.slice(start, end));
    last = end;
  }
  return out + text.slice(last);
}

/**
 * The literal strings of action code (quoted, raw, character constants) as `/(...)/` split alternatives:
 * splitting code by this keeps each string whole in the odd places, code in the even ones.
 */
export const STRING_LITERAL = /("(?:[^"\\\n]|\\.)*"|`[^`]*`|'(?:[^'\\\n]|\\.)*')/;
/** The same, for replace() with the g flag. */
export const STRING_LITERALS = new RegExp(STRING_LITERAL.source, 'g');

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"' };

/**
 * The value of a Go string literal as written in template code: a quoted string with its escapes
 * (`\"`, `\x7b`, `\173`, `\u007b`...), a raw string as it is, a character constant's character.
 */
export function goStringValue(literal: string): string {
  const quote = literal[0];
  const body = literal.slice(1, -1);
  if (quote === '`') return body;
  return body.replace(/\\(?:([abfnrtv\\'"])|x([0-9A-Fa-f]{2})|([0-7]{3})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))/g, (_, simple: string | undefined, hex: string | undefined, octal: string | undefined, u4: string | undefined, u8: string | undefined) => {
    if (simple !== undefined) return SIMPLE_ESCAPES[simple]!;
    const code = parseInt(hex ?? octal ?? u4 ?? u8!, hex !== undefined || u4 !== undefined || u8 !== undefined ? 16 : 8);
    return code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

/**
 * `text` with Go's numeric escapes (`\x6c`, `\154`, `\u006c`, `\U0000006c`) replaced by what `decode` makes
 * of each character (undefined keeps the escape as written).
 */
export function withNumericEscapes(text: string, decode: (char: string, code: number) => string | undefined): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(?:x([0-9A-Fa-f]{2})|([0-7]{3})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))/g, (escape, hex: string | undefined, octal: string | undefined, u4: string | undefined, u8: string | undefined) => {
    const code = parseInt(hex ?? octal ?? u4 ?? u8!, octal !== undefined ? 8 : 16);
    return code > 0x10ffff ? escape : (decode(String.fromCodePoint(code), code) ?? escape);
  });
}
