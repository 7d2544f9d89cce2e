// Narrowing helpers for untrusted, schemaless objects: a wrong type reads as absent, never throws.

export type Obj = Record<string, unknown>;

export function isObj(value: unknown): value is Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function obj(value: unknown): Obj | undefined {
  return isObj(value) ? value : undefined;
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * A scalar as the text Kubernetes would compare (a label value, a selector value): strings as they are,
 * numbers and booleans as YAML wrote them; undefined for anything else (an object or list never becomes
 * "[object Object]", and one with its own `toString` key cannot throw).
 */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Follows object keys; undefined as soon as a step is not an object. */
export function at(value: unknown, ...keys: string[]): unknown {
  let node = value;
  for (const key of keys) {
    if (!isObj(node)) return undefined;
    node = node[key];
  }
  return node;
}
