// Kubernetes lists library (isSorted, sum, min, max, indexOf, lastIndexOf) and cel-go's ext.Lists v3
// (lists.range, reverse, slice, flatten, sort, sortBy, distinct, first, last).
import type { Environment } from '@marcbachmann/cel-js';
import { Optional } from '@marcbachmann/cel-js';
import { celCompare, celEquals } from './values.ts';

function sum(list: unknown[]): unknown {
  if (list.length === 0) return 0n;
  return list.reduce((acc: unknown, v) => {
    if (typeof acc === 'bigint' && typeof v === 'bigint') {
      const r = acc + v;
      if (r > (1n << 63n) - 1n || r < -(1n << 63n)) throw new Error('integer overflow');
      return r;
    }
    if (typeof acc === 'number' && typeof v === 'number') return acc + v;
    const A = acc as { constructor: new (x: bigint | number, n?: number) => unknown; value?: bigint; seconds?: bigint; nanos?: number };
    const B = v as typeof A;
    if (A?.constructor?.name === 'UnsignedInt' && B?.constructor?.name === 'UnsignedInt') return new A.constructor(A.value! + B.value!);
    if (A?.constructor?.name === 'Duration' && B?.constructor?.name === 'Duration') {
      const nanos = (BigInt(A.seconds!) + BigInt(B.seconds!)) * 1_000_000_000n + BigInt(A.nanos! + B.nanos!);
      return new A.constructor(nanos / 1_000_000_000n, Number(nanos % 1_000_000_000n));
    }
    throw new Error('no such overload');
  });
}

function extreme(list: unknown[], sign: number, name: string): unknown {
  if (list.length === 0) throw new Error(`${name}(list) called on empty list`);
  return list.reduce((best, v) => (celCompare(v, best) * sign > 0 ? v : best));
}

function flatten(list: unknown[], depth: bigint): unknown[] {
  if (depth < 0n) throw new Error('level must be non-negative');
  const out: unknown[] = [];
  for (const e of list) {
    if (Array.isArray(e) && depth > 0n) out.push(...flatten(e, depth - 1n)); else out.push(e);
  }
  return out;
}

function sorted(list: unknown[]): unknown[] {
  return [...list].sort(celCompare);
}

export function registerLists(env: Environment): void {
  class ListsNamespace {}
  env.registerType('ListsNamespace', ListsNamespace);
  env.registerConstant('lists', 'ListsNamespace', new ListsNamespace());
  env.registerFunction('list<A>.isSorted(): bool', (l: unknown[]) => l.every((v, i) => i === 0 || celCompare(l[i - 1], v) <= 0))
    .registerFunction('list<A>.sum(): A', sum)
    .registerFunction('list<A>.max(): A', (l: unknown[]) => extreme(l, 1, 'max'))
    .registerFunction('list<A>.min(): A', (l: unknown[]) => extreme(l, -1, 'min'))
    .registerFunction('list<A>.indexOf(A): int', (l: unknown[], x: unknown) => BigInt(l.findIndex((v) => celEquals(v, x))))
    .registerFunction('list<A>.lastIndexOf(A): int', (l: unknown[], x: unknown) => { for (let i = l.length - 1; i >= 0; i--) if (celEquals(l[i], x)) return BigInt(i); return -1n; })
    .registerFunction('list<A>.includes(A): bool', (l: unknown[], x: unknown) => l.some((v) => celEquals(v, x)))
    .registerFunction('ListsNamespace.range(int): list<int>', (_: unknown, n: bigint) => Array.from({ length: Number(n) }, (_x, i) => BigInt(i)))
    .registerFunction('list<A>.reverse(): list<A>', (l: unknown[]) => [...l].reverse())
    .registerFunction('list<A>.slice(int, int): list<A>', (l: unknown[], s: bigint, e: bigint) => {
      if (s < 0n || e < 0n) throw new Error(`cannot slice(${s}, ${e}), negative indexes not supported`);
      if (s > e) throw new Error(`cannot slice(${s}, ${e}), start index must be less than or equal to end index`);
      if (e > BigInt(l.length)) throw new Error(`cannot slice(${s}, ${e}), list is length ${l.length}`);
      return l.slice(Number(s), Number(e));
    })
    .registerFunction('list.flatten(): list<dyn>', (l: unknown[]) => flatten(l, 1n))
    .registerFunction('list.flatten(int): list<dyn>', (l: unknown[], d: bigint) => flatten(l, d))
    .registerFunction('list<A>.sort(): list<A>', sorted)
    .registerFunction('list<A>.distinct(): list<A>', (l: unknown[]) => l.filter((v, i) => l.findIndex((w) => celEquals(v, w)) === i))
    .registerFunction('list<A>.first(): optional<A>', (l: unknown[]) => (l.length > 0 ? Optional.of(l[0]) : Optional.none()))
    .registerFunction('list<A>.last(): optional<A>', (l: unknown[]) => (l.length > 0 ? Optional.of(l[l.length - 1]) : Optional.none()));
}
