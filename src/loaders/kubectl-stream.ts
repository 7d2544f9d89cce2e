// A manifest file read as `kubectl apply -f` reads it (cli-runtime's FileVisitor and StreamVisitor over
// apimachinery's YAMLOrJSONDecoder, v0.34; checked against the Go code). A file that kubectl reads as JSON
// must not be read as YAML here, nor the other way round: the two disagree on what a text holds.
// - Bytes: unicode.BOMOverride. A UTF-8 byte order mark is dropped, a UTF-16 one decodes the file as
//   UTF-16, and every byte that is not UTF-8 becomes U+FFFD (one per byte, as Go's utf8.DecodeRune).
// - GuessJSONStream: when the first character past Unicode spaces (Go's unicode.IsSpace: NBSP, U+2000...,
//   \v and \f too) in the first 4096 bytes is `{`, the file is a stream of JSON values (encoding/json:
//   `{..}{..}`, one per line, or any JSON whitespace between).
// - A JSON value that fails to decode, before two have been read, makes the decoder rewind to the end of
//   the last value read (the start of the file if none), eat Unicode spaces up to and including one
//   newline, and read the rest as YAML. After two values, it is an error.
// - Anything else is YAML from the start (yaml-docs.ts).
import { tokens } from '../model/pointer.ts';
import { lineIndex } from './yaml-positions.ts';
import type { DuplicateKey } from './go-yaml-value.ts';
import { chargeYamlBudget, DEPTH_MESSAGE, hasNonFinite, loadYamlDocuments, tooManyNodes, YAML_LIMITS, type ParsedYaml, type YamlDocument, type YamlProblem } from './yaml-docs.ts';

/** Go's unicode.IsSpace. (JavaScript's `\s` adds U+FEFF and lacks U+0085.) */
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
/** How far GuessJSONStream looks for the `{` (bytes of UTF-8). */
const JSON_PEEK_BYTES = 4096;

export interface DecodedManifest {
  text: string;
  /** UTF-16 without a byte order mark: kubectl reads it as UTF-8 and fails on its NUL bytes. */
  utf16WithoutBom?: boolean;
}

/** The file's bytes as kubectl's reader hands them on (unicode.BOMOverride over a UTF-8 decoder). */
export function decodeManifestBytes(bytes: Uint8Array): DecodedManifest {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: goUtf8(bytes.subarray(3)) };
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return { text: utf16(bytes.subarray(2), false) };
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return { text: utf16(bytes.subarray(2), true) };
  const text = goUtf8(bytes);
  const ascii16 = bytes.length >= 4 && ((bytes[0] !== 0 && bytes[1] === 0 && bytes[2] !== 0 && bytes[3] === 0) || (bytes[0] === 0 && bytes[1] !== 0 && bytes[2] === 0 && bytes[3] !== 0));
  return ascii16 ? { text, utf16WithoutBom: true } : { text };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * UTF-8 as Go's decoder reads it: each byte that does not start a complete, valid sequence is one U+FFFD
 * (TextDecoder would make one U+FFFD of a truncated sequence, e.g. of `E9 80`).
 */
function goUtf8(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    // Some byte is not UTF-8: decoded below.
  }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const parts: string[] = [];
  let start = 0;
  let i = 0;
  const continuation = (at: number, low = 0x80, high = 0xbf) => at < bytes.length && bytes[at]! >= low && bytes[at]! <= high;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let size = 0;
    if (b < 0x80) size = 1;
    else if (b >= 0xc2 && b <= 0xdf) size = continuation(i + 1) ? 2 : 0;
    else if (b >= 0xe0 && b <= 0xef) {
      const [low, high] = b === 0xe0 ? [0xa0, 0xbf] : b === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
      size = continuation(i + 1, low, high) && continuation(i + 2) ? 3 : 0;
    } else if (b >= 0xf0 && b <= 0xf4) {
      const [low, high] = b === 0xf0 ? [0x90, 0xbf] : b === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
      size = continuation(i + 1, low, high) && continuation(i + 2) && continuation(i + 3) ? 4 : 0;
    }
    if (size > 0) {
      i += size;
      continue;
    }
    parts.push(buffer.toString('utf8', start, i), '\ufffd');
    i++;
    start = i;
  }
  parts.push(buffer.toString('utf8', start, i));
  return parts.join('');
}

/** UTF-16 as Go's decoder reads it: an unpaired surrogate, or an odd last byte, is U+FFFD. */
function utf16(bytes: Uint8Array, bigEndian: boolean): string {
  const even = bytes.length - (bytes.length % 2);
  const le = Buffer.alloc(even);
  for (let i = 0; i < even; i += 2) {
    le[i] = bigEndian ? bytes[i + 1]! : bytes[i]!;
    le[i + 1] = bigEndian ? bytes[i]! : bytes[i + 1]!;
  }
  return wellFormed(le.toString('utf16le')) + (even < bytes.length ? '\ufffd' : '');
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}

/** GuessJSONStream: a `{` past Go's Unicode spaces, within the first 4096 bytes. */
function looksJson(text: string): boolean {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '{') return true;
    if (!GO_SPACE.test(text[i]!)) return false;
    bytes += utf8Length(text.charCodeAt(i));
    if (bytes >= JSON_PEEK_BYTES) return false;
  }
  return false;
}

function utf8Length(code: number): number {
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code >= 0xd800 && code <= 0xdfff ? 2 : 3; // a surrogate pair: 4 in all
}

/**
 * YAMLOrJSONDecoder.consumeWhitespace from `from`: Unicode spaces up to and including the first newline.
 * Undefined where it fails (then kubectl reports the JSON error): fewer than 4 bytes left where it reads,
 * or a U+FFFD (Go's utf8.RuneError) there.
 */
function consumeWhitespace(text: string, from: number): number | undefined {
  let left = Buffer.byteLength(text.slice(from));
  for (let i = from; ; ) {
    if (left < 4) return undefined;
    const code = text.charCodeAt(i);
    if (code === 0xfffd) return undefined;
    if (!GO_SPACE.test(text[i]!)) return i;
    left -= utf8Length(code);
    i++;
    if (code === 10) return i;
  }
}


/** Reads a manifest file's bytes (or standard input's text) as kubectl does: see the file comment. */
export function readManifestStream(input: Uint8Array | string): ParsedYaml {
  const decoded = typeof input === 'string' ? { text: input.charCodeAt(0) === 0xfeff ? input.slice(1) : input } : decodeManifestBytes(input);
  if ('utf16WithoutBom' in decoded && decoded.utf16WithoutBom) {
    const message = 'the file looks UTF-16 encoded without a byte order mark: kubectl reads it as UTF-8 and fails on its NUL bytes (save it as UTF-8, or as UTF-16 with a byte order mark)';
    return { documents: [], problems: [{ index: 0, line: 1, message }] };
  }
  const text = decoded.text;
  if (text.length > YAML_LIMITS.maxBytes || !looksJson(text)) return loadYamlDocuments(text, 'kubernetes', { decoded: true });
  return readJsonStream(text);
}

/** The JSON stream from the start: encoding/json fails on a space it does not know (NBSP), and falls back to YAML. */
function readJsonStream(text: string): ParsedYaml {
  const documents: YamlDocument[] = [];
  const problems: YamlProblem[] = [];
  const lineOfOffset = lineIndex(text);
  let consumed = 0;
  let count = 0;
  let textNodes = 0;
  for (let at = 0; ; ) {
    at = skipJsonSpace(text, at);
    if (at >= text.length) break;
    const scan = scanJsonValue(text, at);
    if ('offset' in scan) {
      const where = `line ${lineOfOffset(scan.offset)}, column ${scan.offset - text.lastIndexOf('\n', scan.offset - 1)}`;
      if (count > 1) {
        problems.push({ index: count, line: lineOfOffset(scan.offset), message: `invalid JSON after ${count} JSON values (${scan.reason} at ${where}): kubectl reads this file as a stream of JSON values and fails here` });
        break;
      }
      // Not JSON past here: kubectl reads the rest as YAML.
      const from = consumeWhitespace(text, consumed);
      if (from === undefined) {
        problems.push({ index: count, line: lineOfOffset(scan.offset), message: `invalid JSON (${scan.reason} at ${where}), and kubectl cannot read the rest as YAML: it fails here` });
        break;
      }
      appendYaml(text, from, count, lineOfOffset, documents, problems);
      break;
    }
    const index = count++;
    consumed = scan.end;
    at = scan.end;
    const line = lineOfOffset(scan.start);
    textNodes += scan.nodes;
    if (scan.deep) {
      problems.push({ index, line, message: DEPTH_MESSAGE() });
      continue;
    }
    if (scan.nodes > YAML_LIMITS.maxDocumentNodes) {
      problems.push({ index, line, message: tooManyNodes('document', YAML_LIMITS.maxDocumentNodes) });
      continue;
    }
    if (textNodes > YAML_LIMITS.maxTextNodes) {
      problems.push({ index, line, message: `${tooManyNodes('text', YAML_LIMITS.maxTextNodes)}: this document and the ones after it are not parsed` });
      break;
    }
    const spent = chargeYamlBudget(scan.nodes);
    if (spent !== undefined) {
      problems.push({ index, line, message: spent });
      break;
    }
    const source = text.slice(scan.start, scan.end);
    let value = JSON.parse(source) as unknown;
    // encoding/json decodes an escaped lone surrogate (`"\ud800"`) as U+FFFD.
    if (/\\u[dD][89a-fA-F]/.test(source)) value = wellFormedValue(value);
    if (hasNonFinite(value)) {
      problems.push({ index, line, message: 'a number is too large for a float64: kubectl cannot decode this document and fails' });
      continue;
    }
    const valueStart = scan.start;
    const document: YamlDocument = { index, value, line, lineOf: (pointer) => lineOfOffset(jsonOffsetOf(text, valueStart, pointer)) };
    if (scan.duplicates.length > 0) {
      document.duplicates = scan.duplicates.map((d) => ({
        pointer: d.pointer,
        key: d.key,
        firstLine: lineOfOffset(d.firstKeyAt),
        line: lineOfOffset(d.keyAt),
        hidden: wellFormedValue(JSON.parse(text.slice(d.hidden, skipValue(text, d.hidden)))),
        effective: wellFormedValue(JSON.parse(text.slice(d.effective, skipValue(text, d.effective)))),
      }) satisfies DuplicateKey);
    }
    documents.push(document);
  }
  return { documents, problems };
}

/** The YAML that follows a JSON stream (from `from`), with the file's lines and document numbers. */
function appendYaml(text: string, from: number, first: number, lineOfOffset: (offset: number) => number, documents: YamlDocument[], problems: YamlProblem[]): void {
  const tail = loadYamlDocuments(text.slice(from), 'kubernetes', { decoded: true });
  const shift = lineOfOffset(from) - 1;
  for (const doc of tail.documents) {
    const lineOf = doc.lineOf;
    const shifted: YamlDocument = { index: doc.index + first, value: doc.value, line: doc.line + shift, lineOf: (pointer) => lineOf(pointer) + shift };
    if (doc.duplicates) shifted.duplicates = doc.duplicates.map((d) => ({ ...d, firstLine: d.firstLine + shift, line: d.line + shift }));
    documents.push(shifted);
  }
  for (const problem of tail.problems) problems.push({ ...problem, index: problem.index + first, ...(problem.line !== undefined ? { line: problem.line + shift } : {}) });
}

function wellFormedValue(value: unknown): unknown {
  if (typeof value === 'string') return wellFormed(value);
  if (Array.isArray(value)) return value.map(wellFormedValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) Object.defineProperty(out, wellFormed(key), { value: wellFormedValue(item), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

/** encoding/json's whitespace: space, tab, CR and LF only. */
function skipJsonSpace(text: string, at: number): number {
  while (at < text.length) {
    const c = text.charCodeAt(at);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    at++;
  }
  return at;
}

interface ScannedValue {
  start: number;
  end: number;
  nodes: number;
  deep: boolean;
  /** Keys written twice in one object: offsets of both keys and of both values. */
  duplicates: { pointer: string; key: string; firstKeyAt: number; keyAt: number; hidden: number; effective: number }[];
}

interface JsonError {
  offset: number;
  reason: string;
}

const JSON_NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/**
 * One JSON value from `start` (past whitespace), as encoding/json's Decoder reads it: where it ends, or
 * where and why it is invalid. Iterative (a deep value cannot overflow the stack); reasons never quote
 * more than the one character at fault.
 */
function scanJsonValue(text: string, start: number): ScannedValue | JsonError {
  type Frame = { close: '}' | ']'; pointer: string; index: number; keys?: Map<string, { key: number; value: number }> };
  const stack: Frame[] = [];
  const duplicates: ScannedValue['duplicates'] = [];
  let nodes = 0;
  let deep = false;
  let i = start;
  const unexpected = (at: number, what: string): JsonError => (at >= text.length ? { offset: at, reason: 'unexpected end of input' } : { offset: at, reason: `unexpected ${JSON.stringify(text[at])} ${what}` });
  const string = (): JsonError | undefined => {
    i++;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return { offset: i, reason: 'a control character in a string' };
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return { offset: i, reason: 'an invalid \\u escape in a string' };
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return { offset: i, reason: 'an invalid escape in a string' };
      } else i++;
    }
    return { offset: i, reason: 'unexpected end of input in a string' };
  };
  /** Starts the value at i; returns an error, or undefined (a container pushed, or a scalar read). */
  const value = (pointer: string): JsonError | undefined => {
    nodes++;
    const c = text[i];
    if (c === '{' || c === '[') {
      stack.push({ close: c === '{' ? '}' : ']', pointer, index: 0, ...(c === '{' ? { keys: new Map() } : {}) });
      if (stack.length > YAML_LIMITS.maxDepth) deep = true;
      i++;
      return undefined;
    }
    if (c === '"') return string();
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return undefined;
      }
    }
    JSON_NUMBER.lastIndex = i;
    if (!JSON_NUMBER.test(text)) return unexpected(i, 'where a value should start');
    i = JSON_NUMBER.lastIndex;
    return undefined;
  };
  const error = value('');
  if (error) return error;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    i = skipJsonSpace(text, i);
    if (text[i] === frame.close) {
      // `{}`, `[]`, or the close after a member (after a comma, a key or value must come: caught below).
      stack.pop();
      i++;
      continue;
    }
    if (frame.index > 0) {
      if (text[i] !== ',') return unexpected(i, `where , or ${frame.close} should follow`);
      i = skipJsonSpace(text, i + 1);
    }
    frame.index++;
    if (frame.keys) {
      if (text[i] !== '"') return unexpected(i, 'where a key should start');
      const keyAt = i;
      const bad = string();
      if (bad) return bad;
      const raw = text.slice(keyAt, i);
      const key = wellFormed(raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1));
      i = skipJsonSpace(text, i);
      if (text[i] !== ':') return unexpected(i, 'where : should follow a key');
      i = skipJsonSpace(text, i + 1);
      const pointer = `${frame.pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      const earlier = frame.keys.get(key);
      if (earlier) duplicates.push({ pointer, key, firstKeyAt: earlier.key, keyAt, hidden: earlier.value, effective: i });
      frame.keys.set(key, { key: keyAt, value: i });
      const bad2 = value(pointer);
      if (bad2) return bad2;
    } else {
      const bad = value(`${frame.pointer}/${frame.index - 1}`);
      if (bad) return bad;
    }
  }
  return { start, end: i, nodes, deep, duplicates };
}

/** The end of the (valid) JSON value at `at`. */
function skipValue(text: string, at: number): number {
  const c = text[at];
  if (c === '"') return skipString(text, at);
  if (c !== '{' && c !== '[') {
    let i = at;
    while (i < text.length && !' \t\r\n,]}'.includes(text[i]!)) i++;
    return i;
  }
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    const d = text[i];
    if (d === '"') i = skipString(text, i) - 1;
    else if (d === '{' || d === '[') depth++;
    else if (d === '}' || d === ']') {
      if (--depth === 0) return i + 1;
    }
  }
  return text.length;
}

function skipString(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return text.length;
}

/**
 * Offset of the node at a pointer in the (valid) JSON value at `at`: for an object member, its key (the
 * last of duplicate keys, the one Kubernetes keeps); the nearest existing ancestor when a step is missing.
 */
function jsonOffsetOf(text: string, at: number, pointer: string): number {
  let best = at;
  let i = at;
  for (const token of tokens(pointer)) {
    const open = text[i];
    if (open !== '{' && open !== '[') break;
    let found = -1;
    let foundAt = -1;
    i = skipJsonSpace(text, i + 1);
    for (let index = 0; text[i] !== '}' && text[i] !== ']' && i < text.length; index++) {
      let keyAt = i;
      let matches = String(index) === token;
      if (open === '{') {
        const keyEnd = skipString(text, i);
        const raw = text.slice(i, keyEnd);
        matches = wellFormed(raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1)) === token;
        i = skipJsonSpace(text, skipJsonSpace(text, keyEnd) + 1);
      } else keyAt = i;
      if (matches) {
        found = i;
        foundAt = keyAt;
      }
      i = skipJsonSpace(text, skipValue(text, i));
      if (text[i] === ',') i = skipJsonSpace(text, i + 1);
      if (matches && open === '[') break;
    }
    if (found === -1) break;
    best = foundAt;
    i = found;
  }
  return best;
}
