// Recognises Terraform plan JSON (`terraform show -json planfile`) by content, never by file name, and
// rejects with a precise message the files that look like plans but are not: a binary planfile, the
// `terraform plan -json` log stream, a state file, a truncated or corrupted plan. UTF-16 text (PowerShell
// redirection) is decoded and classified again. Everything else is 'not-plan' and left to the manifest path.

export type PlanClassification =
  /** `manifests`: the file is also what kubectl would apply (a plan's keys on a Kubernetes object): read it as both. */
  | { kind: 'plan'; json: Record<string, unknown>; encoding: PlanEncoding; manifests?: true }
  | { kind: 'not-plan' }
  /** `manifests`: the file may hold objects kubectl would apply (a stream of JSON values): read them as well. */
  | { kind: 'rejected'; message: string; manifests?: true };

export type PlanEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be';

const PLAN_KEYS = ['planned_values', 'resource_changes', 'configuration', 'prior_state'] as const;
const SHOW_HINT = 'run terraform show -json <planfile> > plan.json and scan that file';
/** How much of the start of a text is inspected to decide whether it is worth parsing. */
const SNIFF = 4096;

/** Classifies a file's bytes. Parses the JSON once; the caller may drop the buffer afterwards. */
export function classifyPlanFile(bytes: Buffer): PlanClassification {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    // A binary planfile is a ZIP whose entries are tfplan, tfstate, tfconfig/...; other archives are not ours.
    const head = bytes.subarray(0, Math.min(bytes.length, SNIFF)).toString('latin1');
    if (/tfplan|tfstate|tfconfig/.test(head)) {
      return { kind: 'rejected', message: `binary planfile (a ZIP archive), not plan JSON: ${SHOW_HINT}` };
    }
    return { kind: 'not-plan' };
  }
  const decoded = decode(bytes);
  if (decoded === undefined) return { kind: 'not-plan' };
  return classifyText(decoded.text, decoded.encoding);
}

function decode(bytes: Buffer): { text: string; encoding: PlanEncoding } | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: bytes.toString('utf8', 3), encoding: 'utf-8-bom' };
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return { text: bytes.toString('utf16le', 2), encoding: 'utf-16le' };
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return { text: utf16be(bytes.subarray(2)), encoding: 'utf-16be' };
  // UTF-16 without a BOM: ASCII characters leave a NUL in every other byte.
  if (bytes.length >= 4) {
    if (bytes[0] !== 0 && bytes[1] === 0 && bytes[2] !== 0 && bytes[3] === 0) return { text: bytes.toString('utf16le'), encoding: 'utf-16le' };
    if (bytes[0] === 0 && bytes[1] !== 0 && bytes[2] === 0 && bytes[3] !== 0) return { text: utf16be(bytes), encoding: 'utf-16be' };
  }
  // Other binary content (NUL bytes near the start) is nothing we read.
  if (bytes.subarray(0, Math.min(bytes.length, 512)).includes(0)) return undefined;
  return { text: bytes.toString('utf8'), encoding: 'utf-8' };
}

function utf16be(bytes: Buffer): string {
  const swapped = Buffer.allocUnsafe(bytes.length - (bytes.length % 2));
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    swapped[i] = bytes[i + 1]!;
    swapped[i + 1] = bytes[i]!;
  }
  return swapped.toString('utf16le');
}

const encodingNote = (encoding: PlanEncoding) => (encoding.startsWith('utf-16') ? ` (decoded from ${encoding.toUpperCase()})` : '');

/** Classifies decoded text; exported for callers that already hold a string (stdin). */
export function classifyText(text: string, encoding: PlanEncoding = 'utf-8'): PlanClassification {
  let start = 0;
  while (start < text.length && /\s/.test(text[start]!)) start++;
  if (text[start] !== '{') return { kind: 'not-plan' };
  const head = text.slice(start, start + SNIFF);

  // `terraform plan -json`: one JSON object per line, each with @level/@message/type.
  if (/^\{\s*"@(level|message|module|timestamp)"\s*:/.test(head) || (/"@level"\s*:/.test(firstLine(head)) && /"@message"\s*:/.test(firstLine(head)))) {
    return { kind: 'rejected', message: `terraform plan -json log stream, not a plan: it holds no attribute values; ${SHOW_HINT}` };
  }

  const looksTerraform = /"(format_version|terraform_version|planned_values|resource_changes|prior_state|lineage)"\s*:/.test(head);
  let json: unknown;
  try {
    json = JSON.parse(start === 0 ? text : text.slice(start));
  } catch (error) {
    if (!looksTerraform) return { kind: 'not-plan' };
    // A complete value with more after it is a stream of JSON values, which kubectl applies one by one.
    const stream = findJsonError(text, start)?.reason === 'unexpected data after the JSON value';
    return { kind: 'rejected', message: `Terraform plan JSON is invalid or truncated${encodingNote(encoding)}: ${describeParseError(error as Error, text, start)}`, ...(stream ? { manifests: true as const } : {}) };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { kind: 'not-plan' };
  const doc = json as Record<string, unknown>;

  const hasPlanKey = PLAN_KEYS.some((key) => key in doc);
  if (typeof doc.format_version === 'string' && hasPlanKey && !isStateRepresentation(doc)) {
    const major = Number(/^(\d+)\./.exec(doc.format_version)?.[1] ?? NaN);
    if (!(major === 0 || major === 1)) {
      return { kind: 'rejected', message: `Terraform plan JSON format_version ${doc.format_version} is not supported (0.x and 1.x are)` };
    }
    // No plan Terraform writes has these keys; a Kubernetes object (a List) with plan keys is both.
    const manifests = 'apiVersion' in doc || 'kind' in doc;
    return { kind: 'plan', json: doc, encoding, ...(manifests ? { manifests: true as const } : {}) };
  }
  if (typeof doc.version === 'number' && 'terraform_version' in doc && ('resources' in doc || 'lineage' in doc)) {
    return { kind: 'rejected', message: `Terraform state file (terraform.tfstate), not a plan: it shows what exists, not what the change will create; ${SHOW_HINT}` };
  }
  if (typeof doc.format_version === 'string' && 'values' in doc && !hasPlanKey) {
    return { kind: 'rejected', message: `Terraform state file (terraform show -json without a planfile), not a plan; ${SHOW_HINT}` };
  }
  return { kind: 'not-plan' };
}

/** A state representation with a stray `configuration`-less shape: values but no planned_values/resource_changes. */
function isStateRepresentation(doc: Record<string, unknown>): boolean {
  return 'values' in doc && !('planned_values' in doc) && !('resource_changes' in doc);
}

function firstLine(text: string): string {
  const newline = text.indexOf('\n');
  return newline === -1 ? text : text.slice(0, newline);
}

/**
 * Where and why a JSON text is invalid. V8's messages name a position for some errors only, and quote
 * the text around it for others (which could echo a secret), so the position is found here instead.
 */
export function findJsonError(text: string, from = 0): { offset: number; reason: string } | undefined {
  const stack: string[] = [];
  let state: 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'after' = 'value';
  let i = from;
  const length = text.length;
  const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const unexpected = (at: number) => ({ offset: at, reason: `unexpected ${JSON.stringify(text[at])}` });
  const skipString = (): { offset: number; reason: string } | undefined => {
    i++;
    while (i < length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c === 0x5c) i += 2;
      else if (c < 0x20) return { offset: i, reason: 'unescaped control character in a string' };
      else i++;
    }
    return { offset: length, reason: 'unexpected end of input inside a string' };
  };
  for (;;) {
    while (i < length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
    if (i >= length) {
      if (state === 'after' && stack.length === 0) return undefined;
      return { offset: length, reason: 'unexpected end of input' };
    }
    const c = text[i]!;
    if (state === 'value-or-close' && c === ']') {
      stack.pop();
      i++;
      state = 'after';
    } else if (state === 'key-or-close' && c === '}') {
      stack.pop();
      i++;
      state = 'after';
    } else if (state === 'value' || state === 'value-or-close') {
      if (c === '{') {
        stack.push('}');
        i++;
        state = 'key-or-close';
      } else if (c === '[') {
        stack.push(']');
        i++;
        state = 'value-or-close';
      } else if (c === '"') {
        const error = skipString();
        if (error) return error;
        state = 'after';
      } else if (text.startsWith('true', i) || text.startsWith('null', i)) {
        i += 4;
        state = 'after';
      } else if (text.startsWith('false', i)) {
        i += 5;
        state = 'after';
      } else {
        number.lastIndex = i;
        if (!number.test(text)) return unexpected(i);
        i = number.lastIndex;
        state = 'after';
      }
    } else if (state === 'key' || state === 'key-or-close') {
      if (c !== '"') return { offset: i, reason: `expected a property name, found ${JSON.stringify(c)}` };
      const error = skipString();
      if (error) return error;
      state = 'colon';
    } else if (state === 'colon') {
      if (c !== ':') return { offset: i, reason: `expected ':' after a property name, found ${JSON.stringify(c)}` };
      i++;
      state = 'value';
    } else {
      const top = stack[stack.length - 1];
      if (top === undefined) return { offset: i, reason: 'unexpected data after the JSON value' };
      if (c === ',') {
        i++;
        state = top === '}' ? 'key' : 'value';
      } else if (c === top) {
        stack.pop();
        i++;
      } else return { offset: i, reason: `expected ',' or '${top}', found ${JSON.stringify(c)}` };
    }
  }
}

/** The parse error with its position as line and column; never quotes the text. */
function describeParseError(_error: Error, text: string, start: number): string {
  const found = findJsonError(text, start) ?? { offset: text.length, reason: 'invalid JSON' };
  const offset = found.offset;
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  const what = offset >= text.length ? `${found.reason} (the file is truncated)` : found.reason;
  return `${what} at line ${line}, column ${offset - lineStart + 1} (character ${offset})`;
}
