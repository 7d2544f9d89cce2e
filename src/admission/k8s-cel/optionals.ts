// What cel-js's optional types lack against cel-go: equality of optionals and optional.ofNonZeroValue.
import type { Environment } from '@marcbachmann/cel-js';
import { Optional } from '@marcbachmann/cel-js';
import { celEquals, entriesOf } from './values.ts';

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
    .registerOperator('optional<A> == optional<A>', optionalEquals);
}
