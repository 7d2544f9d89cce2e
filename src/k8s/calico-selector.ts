// Calico's selector language (`app == 'web' && has(tier)`, `all()`, `k in {'a', 'b'}`), parsed and
// evaluated as Calico's own parser does (libcalico-go lib/selector): `||` binds loosest, then `&&`, then
// `!`; `!=` and `not in` also match endpoints without the label. A selector Calico would reject is an
// error here, never "selects everything".

/** A label preadmit cannot know (a namespace label when the Namespace is not in the scan). */
export const UNKNOWN_LABEL = Symbol('unknown label');
export type LabelLookup = (key: string) => string | undefined | typeof UNKNOWN_LABEL;

/** Kleene logic: `unknown` when the answer depends on labels preadmit cannot see. */
export type Tri = boolean | 'unknown';

export type CalicoSelector = { ok: true; matches(lookup: LabelLookup): Tri; text: string } | { ok: false; error: string; text: string };

type Token =
  | { kind: 'label' | 'string'; value: string }
  | { kind: '(' | ')' | '{' | '}' | ',' | '==' | '!=' | '!' | '&&' | '||' | 'in' | 'not in' | 'contains' | 'starts with' | 'ends with' | 'all' | 'global' | 'eof' }
  | { kind: 'has'; value: string };

type Node = (lookup: LabelLookup) => Tri;

const LABEL = /[a-zA-Z0-9_./-]{1,512}/y;
const WHITESPACE = /[ \t]*/y;
const OPERATOR_WORD = /(contains|starts[ \t]*with|ends[ \t]*with|not[ \t]*in|in)/y;
const CALL = /(has|all|global)\([ \t]*/y;

/** Nesting deeper than this is refused (an error, so "unknown"), not a stack overflow. */
const MAX_DEPTH = 64;

class SelectorError extends Error {}

/** The match of a sticky regex at `at`, or undefined. */
function stick(regex: RegExp, input: string, at: number): RegExpExecArray | undefined {
  regex.lastIndex = at;
  return regex.exec(input) ?? undefined;
}

// Index-based, so a selector as long as an object may be is tokenized in linear time.
function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  for (;;) {
    at += stick(WHITESPACE, input, at)![0].length;
    if (at >= input.length) {
      tokens.push({ kind: 'eof' });
      return tokens;
    }
    const last = tokens[tokens.length - 1];
    const c = input[at]!;
    const two = input.slice(at, at + 2);
    if (c === '(' || c === ')' || c === '{' || c === '}' || c === ',') {
      tokens.push({ kind: c });
      at += 1;
    } else if (c === '"' || c === "'") {
      const end = input.indexOf(c, at + 1);
      if (end === -1) throw new SelectorError('unterminated string');
      tokens.push({ kind: 'string', value: input.slice(at + 1, end) });
      at = end + 1;
    } else if (two === '==' || two === '!=' || two === '&&' || two === '||') {
      tokens.push({ kind: two });
      at += 2;
    } else if (c === '=' || c === '&' || c === '|') {
      throw new SelectorError(`expected ${c}${c}`);
    } else if (c === '!') {
      tokens.push({ kind: '!' });
      at += 1;
    } else if (last?.kind === 'label') {
      // After a label comes an operator word, never another label.
      const word = stick(OPERATOR_WORD, input, at);
      if (!word) throw new SelectorError(`unexpected characters after label '${last.value}', was expecting an operator`);
      const text = word[1]!;
      const kind = text.startsWith('starts') ? 'starts with' : text.startsWith('ends') ? 'ends with' : text.startsWith('not') ? 'not in' : (text as 'contains' | 'in');
      tokens.push({ kind });
      at += word[0].length;
    } else {
      const call = stick(CALL, input, at);
      if (call) {
        at += call[0].length;
        if (call[1] === 'has') {
          const label = stick(LABEL, input, at);
          if (!label) throw new SelectorError('no label name in has( expression');
          at += label[0].length;
          at += stick(WHITESPACE, input, at)![0].length;
          if (input[at] !== ')') throw new SelectorError("no closing ')' after has(");
          tokens.push({ kind: 'has', value: label[0] });
        } else {
          if (input[at] !== ')') throw new SelectorError(`no closing ')' after ${call[1]}(`);
          tokens.push({ kind: call[1] as 'all' | 'global' });
        }
        at += 1;
      } else {
        const label = stick(LABEL, input, at);
        if (!label) throw new SelectorError(`unexpected character '${c}'`);
        tokens.push({ kind: 'label', value: label[0] });
        at += label[0].length;
      }
    }
  }
}

const not = (v: Tri): Tri => (v === 'unknown' ? 'unknown' : !v);

class Parser {
  private position = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.position]!;
  }

  private next(): Token {
    const token = this.tokens[this.position]!;
    if (token.kind !== 'eof') this.position++;
    return token;
  }

  root(): Node {
    if (this.peek().kind === 'eof') return () => true; // an empty selector is all()
    const node = this.or();
    if (this.peek().kind !== 'eof') throw new SelectorError(`unexpected ${this.peek().kind} at the end of the selector`);
    return node;
  }

  private or(): Node {
    const operands = [this.and()];
    while (this.peek().kind === '||') {
      this.next();
      operands.push(this.and());
    }
    if (operands.length === 1) return operands[0]!;
    return (lookup) => {
      let result: Tri = false;
      for (const operand of operands) {
        const v = operand(lookup);
        if (v === true) return true;
        if (v === 'unknown') result = 'unknown';
      }
      return result;
    };
  }

  private and(): Node {
    const operands = [this.operation()];
    while (this.peek().kind === '&&') {
      this.next();
      operands.push(this.operation());
    }
    if (operands.length === 1) return operands[0]!;
    return (lookup) => {
      let result: Tri = true;
      for (const operand of operands) {
        const v = operand(lookup);
        if (v === false) return false;
        if (v === 'unknown') result = 'unknown';
      }
      return result;
    };
  }

  private operation(): Node {
    let negated = false;
    while (this.peek().kind === '!') {
      this.next();
      negated = !negated;
    }
    const node = this.term();
    return negated ? (lookup) => not(node(lookup)) : node;
  }

  private string(): string {
    const token = this.next();
    if (token.kind !== 'string') throw new SelectorError('expected a quoted string');
    return token.value;
  }

  private term(): Node {
    const token = this.next();
    switch (token.kind) {
      case 'all':
      case 'global':
        return () => true;
      case 'has': {
        const key = token.value;
        return (lookup) => present(lookup(key), () => true, false);
      }
      case '(': {
        if (++this.depth > MAX_DEPTH) throw new SelectorError(`parentheses nested deeper than ${MAX_DEPTH} levels`);
        const inner = this.or();
        if (this.next().kind !== ')') throw new SelectorError('expected )');
        this.depth--;
        return inner;
      }
      case 'label':
        return this.comparison(token.value);
      default:
        throw new SelectorError(`unexpected ${token.kind === 'eof' ? 'end of selector' : token.kind}`);
    }
  }

  private comparison(key: string): Node {
    const operator = this.next();
    switch (operator.kind) {
      case '==': {
        const want = this.string();
        return (lookup) => present(lookup(key), (v) => v === want, false);
      }
      case '!=': {
        const want = this.string();
        return (lookup) => present(lookup(key), (v) => v !== want, true);
      }
      case 'contains': {
        const want = this.string();
        return (lookup) => present(lookup(key), (v) => v.includes(want), false);
      }
      case 'starts with': {
        const want = this.string();
        return (lookup) => present(lookup(key), (v) => v.startsWith(want), false);
      }
      case 'ends with': {
        const want = this.string();
        return (lookup) => present(lookup(key), (v) => v.endsWith(want), false);
      }
      case 'in':
      case 'not in': {
        if (this.next().kind !== '{') throw new SelectorError('expected a set literal {...}');
        const values = new Set<string>();
        while (this.peek().kind === 'string') {
          values.add(this.string());
          if (this.peek().kind !== ',') break;
          this.next();
        }
        if (this.next().kind !== '}') throw new SelectorError('expected }');
        return operator.kind === 'in' ? (lookup) => present(lookup(key), (v) => values.has(v), false) : (lookup) => present(lookup(key), (v) => !values.has(v), true);
      }
      default:
        throw new SelectorError(`expected an operator after label '${key}'`);
    }
  }
}

/** The test on a label's value, or `absent` when the label is missing; unknown labels stay unknown. */
function present(value: string | undefined | typeof UNKNOWN_LABEL, test: (value: string) => boolean, absent: boolean): Tri {
  if (value === UNKNOWN_LABEL) return 'unknown';
  if (value === undefined) return absent;
  return test(value);
}

/** Parses a Calico selector expression; an empty or whitespace-only one is `all()`. */
export function parseCalicoSelector(text: string): CalicoSelector {
  try {
    const node = new Parser(tokenize(text)).root();
    return { ok: true, matches: node, text };
  } catch (error) {
    if (error instanceof SelectorError) return { ok: false, error: error.message, text };
    throw error;
  }
}
