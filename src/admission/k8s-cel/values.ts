// CEL value equality and ordering as cel-go defines them (heterogeneous numeric equality: 1 == 1u == 1.0),
// over cel-js runtime values: int bigint, uint UnsignedInt, double number, bytes Uint8Array, timestamp Date,
// duration Duration, list Array, map Map or plain object.

function numeric(v: unknown): { kind: 'int' | 'double'; i?: bigint; d?: number } | undefined {
  if (typeof v === 'bigint') return { kind: 'int', i: v };
  if (typeof v === 'number') return { kind: 'double', d: v };
  if (v !== null && typeof v === 'object' && v.constructor?.name === 'UnsignedInt') return { kind: 'int', i: (v as { value: bigint }).value };
  return undefined;
}

export function entriesOf(v: unknown): [unknown, unknown][] | undefined {
  if (v instanceof Map) return [...v.entries()];
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.entries(v as object);
  return undefined;
}

export function celEquals(a: unknown, b: unknown): boolean {
  const x = numeric(a), y = numeric(b);
  if (x && y) {
    if (x.kind === 'int' && y.kind === 'int') return x.i === y.i;
    const dx = x.kind === 'double' ? x.d! : Number(x.i);
    const dy = y.kind === 'double' ? y.d! : Number(y.i);
    if (x.kind === 'int' && Number.isInteger(dy)) return BigInt(dy) === x.i;
    if (y.kind === 'int' && Number.isInteger(dx)) return BigInt(dx) === y.i;
    return dx === dy;
  }
  if (x || y) return false;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((e, i) => celEquals(e, b[i]));
  if (a instanceof Uint8Array || b instanceof Uint8Array) return a instanceof Uint8Array && b instanceof Uint8Array && a.length === b.length && a.every((e, i) => e === b[i]);
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  const ea = entriesOf(a), eb = entriesOf(b);
  if (ea || eb) {
    if (!ea || !eb || ea.length !== eb.length) return false;
    return ea.every(([k, v]) => { const other = eb.find(([k2]) => celEquals(k, k2)); return other !== undefined && celEquals(v, other[1]); });
  }
  if (a.constructor !== b.constructor) return false;
  if (a.constructor?.name === 'Duration') return String((a as { seconds: bigint }).seconds) === String((b as { seconds: bigint }).seconds) && (a as { nanos: number }).nanos === (b as { nanos: number }).nanos;
  return String(a) === String(b) && JSON.stringify(a) === JSON.stringify(b);
}

/** -1/0/1, or throws 'no such overload' for values CEL does not order. */
export function celCompare(a: unknown, b: unknown): number {
  const x = numeric(a), y = numeric(b);
  if (x && y) {
    if (x.kind === 'int' && y.kind === 'int') return x.i! < y.i! ? -1 : x.i! > y.i! ? 1 : 0;
    const dx = x.kind === 'double' ? x.d! : Number(x.i), dy = y.kind === 'double' ? y.d! : Number(y.i);
    return dx < dy ? -1 : dx > dy ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
  }
  if (a instanceof Date && b instanceof Date) return Math.sign(a.getTime() - b.getTime());
  if (a?.constructor?.name === 'Duration' && b?.constructor?.name === 'Duration') {
    const na = BigInt((a as { seconds: bigint }).seconds) * 1_000_000_000n + BigInt((a as { nanos: number }).nanos);
    const nb = BigInt((b as { seconds: bigint }).seconds) * 1_000_000_000n + BigInt((b as { nanos: number }).nanos);
    return na < nb ? -1 : na > nb ? 1 : 0;
  }
  throw new Error('no such overload');
}
