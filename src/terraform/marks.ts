// Unknown and sensitive marks of a planned value. `after_unknown` and `after_sensitive` mirror `after`:
// `true` marks an unknown (or sensitive) node, a container mirrors its children, anything else is
// "known" / "not sensitive". Sensitive values reach the objects as planned (`terraform show -json` prints
// them in clear, and the cluster gets them): the rules judge them, and the strings under a sensitive
// mark are collected (sensitiveStrings) so that no report prints them. Only Secret payloads are replaced
// by a marker: they are never scanned.
import { escapeToken } from '../model/pointer.ts';
import { isObj } from '../k8s/values.ts';

/** What replaces every sensitive (or secret) scalar before it reaches an object. */
export const REDACTED = '<redacted>';

/** The mark one step below a container mark, or undefined. */
export function child(mark: unknown, key: string | number): unknown {
  if (mark === true) return true;
  if (Array.isArray(mark)) return typeof key === 'number' ? mark[key] : undefined;
  if (isObj(mark)) return mark[String(key)];
  return undefined;
}

/** JSON pointers (under `base`) of every node marked `true`. */
export function markedPointers(mark: unknown, base = '', out: string[] = []): string[] {
  if (mark === true) {
    out.push(base);
  } else if (Array.isArray(mark)) {
    mark.forEach((m, i) => markedPointers(m, `${base}/${i}`, out));
  } else if (isObj(mark)) {
    for (const [key, m] of Object.entries(mark)) markedPointers(m, `${base}/${escapeToken(key)}`, out);
  }
  return out;
}

/** True when a mark has any `true` in it. */
export function anyMarked(mark: unknown): boolean {
  if (mark === true) return true;
  if (Array.isArray(mark)) return mark.some(anyMarked);
  if (isObj(mark)) return Object.values(mark).some(anyMarked);
  return false;
}

/**
 * The strings (and numbers, as text) of a value under a sensitive mark, added to `out`. Booleans are left
 * out: a finding on a sensitive flag tells no more than the finding itself.
 */
export function sensitiveStrings(value: unknown, sensitive: unknown, out: Set<string> = new Set()): Set<string> {
  if (sensitive === true) {
    collectScalars(value, out);
  } else if (Array.isArray(sensitive) || isObj(sensitive)) {
    if (Array.isArray(value)) value.forEach((v, i) => sensitiveStrings(v, child(sensitive, i), out));
    else if (isObj(value)) for (const [key, v] of Object.entries(value)) sensitiveStrings(v, child(sensitive, key), out);
  }
  return out;
}

function collectScalars(value: unknown, out: Set<string>): void {
  if (typeof value === 'string') {
    if (value !== '') out.add(value);
  } else if (typeof value === 'number' || typeof value === 'bigint') out.add(String(value));
  else if (Array.isArray(value)) for (const v of value) collectScalars(v, out);
  else if (isObj(value)) for (const v of Object.values(value)) collectScalars(v, out);
}

/** Every string and number of a value replaced by the marker; structure, booleans and nulls kept. */
export function redactDeep(value: unknown): unknown {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return REDACTED;
  if (Array.isArray(value)) return value.map(redactDeep);
  if (isObj(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key] = redactDeep(v);
    return out;
  }
  return value;
}

/** Secret payloads are never scanned and never shown: data, stringData and binaryData values are redacted. */
export function redactSecretPayload(object: Record<string, unknown>): Record<string, unknown> {
  if (object.kind !== 'Secret') return object;
  let out: Record<string, unknown> | undefined;
  for (const field of ['data', 'stringData', 'binaryData']) {
    const payload = object[field];
    if (!isObj(payload)) continue;
    out ??= { ...object };
    out[field] = Object.fromEntries(Object.keys(payload).map((key) => [key, REDACTED]));
  }
  return out ?? object;
}
