// Unknown and sensitive marks of a planned value. `after_unknown` and `after_sensitive` mirror `after`:
// `true` marks an unknown (or sensitive) node, a container mirrors its children, anything else is
// "known" / "not sensitive". Sensitive values are replaced by a marker before they reach any object.
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

/** The value with its sensitive parts redacted; copies only what changes. */
export function redactMarked(value: unknown, sensitive: unknown): unknown {
  if (sensitive === true) return redactDeep(value);
  if (!anyMarked(sensitive)) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v, i) => {
      const r = redactMarked(v, child(sensitive, i));
      if (r !== v) changed = true;
      return r;
    });
    return changed ? out : value;
  }
  if (isObj(value)) {
    let out: Record<string, unknown> | undefined;
    for (const [key, v] of Object.entries(value)) {
      const r = redactMarked(v, child(sensitive, key));
      if (r !== v) {
        out ??= { ...value };
        out[key] = r;
      }
    }
    return out ?? value;
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
