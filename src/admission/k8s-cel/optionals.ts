// What cel-js's optional types lack against cel-go: equality of optionals and optional.ofNonZeroValue.
import type { Environment } from '@marcbachmann/cel-js';
import { Optional } from '@marcbachmann/cel-js';
import { celEquals, entriesOf } from './values.ts';
import { OPT_LIST, OPT_MAP } from '../optional-literals.ts';

function isZero(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === '' || v === 0 || v === 0n) return true;
  if (Array.isArray(v) || v instanceof Uint8Array) return v.length === 0;
  if (v instanceof Date) return v.getTime() === 0;
  const entries = entriesOf(v);
  if (entries) return entries.length === 0;
  const o = v as { constructor?: { name?: string }; value?: bigint; seconds?: bigint; nanos?: number };
  if (o.constructor?.name === 'UnsignedInt') return o.value === 0n;
  if (o.constructor?.name === 'Duration') return BigInt(o.seconds ?? 0) === 0n && (o.nanos ?? 0) === 0;
  return false;
}

function optionalEquals(a: Optional, b: Optional): boolean {
  if (!a.hasValue() || !b.hasValue()) return a.hasValue() === b.hasValue();
  return celEquals(a.value(), b.value());
}

export function registerOptionals(env: Environment): void {
  env.registerFunction('OptionalNamespace.ofNonZeroValue(A): optional<A>', (_: unknown, v: unknown) => (isZero(v) ? Optional.none() : Optional.of(v)))
    .registerOperator('optional<A> == optional<A>', optionalEquals)
    // Optional entries of list and map literals, as optional-literals.ts rewrites them.
    .registerFunction(`${OPT_LIST}(optional<A>): list<A>`, (o: Optional) => (o.hasValue() ? [o.value()] : []))
    .registerFunction(`${OPT_MAP}(map<K, V>, K, optional<V>): map<K, V>`, (m: unknown, k: unknown, o: Optional) => {
      if (!o.hasValue()) return m;
      const out = new Map(entriesOf(m) ?? []);
      out.set(k, o.value());
      return out;
    });
}
