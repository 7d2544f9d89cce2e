// cel-go ext.Strings (as Kubernetes enables it) and the Kubernetes regex library where cel-js lacks them:
// replace, find, findAll, strings.quote, format, reverse, charAt; string() of durations and timestamps.
import { timestampString } from './timestamps.ts';
import type { Environment } from '@marcbachmann/cel-js';

function replace(s: string, from: string, to: string, n: bigint): string {
  if (n < 0n) return s.split(from).join(to);
  let out = s;
  let start = 0;
  for (let i = 0n; i < n; i++) {
    const at = out.indexOf(from, start);
    if (at < 0) break;
    out = out.slice(0, at) + to + out.slice(at + from.length);
    start = at + to.length + (from === '' ? 1 : 0);
  }
  return out;
}

/** RE2 syntax is close enough to JavaScript's for the patterns policies use; invalid ones are errors. */
function regex(pattern: string): RegExp {
  try { return new RegExp(pattern, 'gu'); } catch (err) { throw new Error(`error parsing regexp: ${(err as Error).message}`); }
}

function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (ch === '\x07') out += '\\a';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + '"';
}

function durationString(d: { seconds: bigint; nanos: number }): string {
  const total = BigInt(d.seconds) * 1_000_000_000n + BigInt(d.nanos);
  const neg = total < 0n;
  const abs = neg ? -total : total;
  const secs = abs / 1_000_000_000n;
  const frac = abs % 1_000_000_000n;
  const fracText = frac === 0n ? '' : '.' + frac.toString().padStart(9, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${secs}${fracText}s`;
}


function formatValue(v: unknown, verb: string, precision: number | undefined): string {
  switch (verb) {
    case 's': return stringOf(v);
    case 'd':
      if (typeof v === 'bigint') return v.toString();
      if (v?.constructor?.name === 'UnsignedInt') return String((v as { value: bigint }).value);
      throw new Error('error during formatting: decimal clause can only be used on integers, was given double');
    case 'f': {
      const n = typeof v === 'number' ? v : Number(typeof v === 'bigint' ? v : (v as { value: bigint })?.value);
      if (Number.isNaN(n)) return 'NaN';
      if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
      return n.toFixed(precision ?? 6);
    }
    case 'e': {
      // cel-go writes scientific notation as 3.140000×10⁰⁰ (superscript exponent, at least two digits).
      const n = typeof v === 'number' ? v : Number(typeof v === 'bigint' ? v : (v as { value: bigint })?.value);
      if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
      const [mantissa, exponent = '0'] = n.toExponential(precision ?? 6).split('e');
      const sup = '⁰¹²³⁴⁵⁶⁷⁸⁹';
      const digits = String(Math.abs(Number(exponent))).padStart(2, '0').split('').map((d) => sup[Number(d)]).join('');
      return `${mantissa}×10${Number(exponent) < 0 ? '⁻' : ''}${digits}`;
    }
    case 'b': case 'o': case 'x': case 'X': {
      const radix = verb === 'b' ? 2 : verb === 'o' ? 8 : 16;
      let text: string;
      if (typeof v === 'bigint') text = v.toString(radix);
      else if (v?.constructor?.name === 'UnsignedInt') text = (v as { value: bigint }).value.toString(radix);
      else if (typeof v === 'string' && radix === 16) text = Buffer.from(v, 'utf8').toString('hex');
      else if (v instanceof Uint8Array && radix === 16) text = Buffer.from(v).toString('hex');
      else throw new Error(`error during formatting: only integers${radix === 16 ? ', byte buffers, and strings' : ''} can be formatted as ${verb === 'b' ? 'binary' : verb === 'o' ? 'octal' : 'hex'}, was given ${typeof v}`);
      return verb === 'X' ? text.toUpperCase() : text;
    }
    default: throw new Error(`could not parse formatting clause: unrecognized formatting clause "${verb}"`);
  }
}

function stringOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  if (v === null) return 'null';
  if (v instanceof Date) return timestampString(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (Array.isArray(v)) return `[${v.map(stringOf).join(', ')}]`;
  const o = v as { constructor?: { name?: string }; value?: bigint; seconds?: bigint; nanos?: number };
  if (o?.constructor?.name === 'UnsignedInt') return String(o.value);
  if (o?.constructor?.name === 'Duration') return durationString(o as { seconds: bigint; nanos: number });
  if (v instanceof Map) return `{${[...v.entries()].map(([k, x]) => `${stringOf(k)}: ${stringOf(x)}`).join(', ')}}`;
  return String(v);
}

function format(pattern: string, args: unknown[]): string {
  let i = 0;
  return pattern.replace(/%(?:\.(\d+))?([a-zA-Z%])/g, (_m, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (i >= args.length) throw new Error(`index ${i} out of range`);
    return formatValue(args[i++], verb, prec === undefined ? undefined : Number(prec));
  });
}

export function registerStrings(env: Environment): void {
  class StringsNamespace {}
  env.registerType('StringsNamespace', StringsNamespace);
  env.registerConstant('strings', 'StringsNamespace', new StringsNamespace());
  env.registerFunction('string.replace(string, string): string', (s: string, a: string, b: string) => replace(s, a, b, -1n))
    .registerFunction('string.replace(string, string, int): string', replace)
    .registerFunction('string.find(string): string', (s: string, p: string) => regex(p).exec(s)?.[0] ?? '')
    .registerFunction('string.findAll(string): list<string>', (s: string, p: string) => [...s.matchAll(regex(p))].map((m) => m[0]))
    .registerFunction('string.findAll(string, int): list<string>', (s: string, p: string, n: bigint) => {
      const all = [...s.matchAll(regex(p))].map((m) => m[0]);
      return n < 0n ? all : all.slice(0, Number(n));
    })
    .registerFunction('string.reverse(): string', (s: string) => [...s].reverse().join(''))
    .registerFunction('string.charAt(int): string', (s: string, i: bigint) => {
      const chars = [...s];
      if (i < 0n || i > BigInt(chars.length)) throw new Error(`index out of range: ${i}`);
      return chars[Number(i)] ?? '';
    })
    .registerFunction('StringsNamespace.quote(string): string', (_: unknown, s: string) => quote(s))
    .registerFunction('string.format(list): string', (s: string, args: unknown[]) => format(s, args))
    .registerFunction('string(google.protobuf.Duration): string', (d: { seconds: bigint; nanos: number }) => durationString(d))
    .registerFunction('string(google.protobuf.Timestamp): string', (d: Date) => timestampString(d));
}
