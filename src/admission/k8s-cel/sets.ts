// cel-go ext.Sets as Kubernetes enables it: sets.contains, sets.equivalent, sets.intersects (cel-go equality).
import type { Environment } from '@marcbachmann/cel-js';
import { celEquals } from './values.ts';

const has = (list: unknown[], x: unknown) => list.some((v) => celEquals(v, x));

export function registerSets(env: Environment): void {
  class SetsNamespace {}
  env.registerType('SetsNamespace', SetsNamespace);
  env.registerConstant('sets', 'SetsNamespace', new SetsNamespace());
  env.registerFunction('SetsNamespace.contains(list, list): bool', (_: unknown, a: unknown[], b: unknown[]) => b.every((x) => has(a, x)))
    .registerFunction('SetsNamespace.equivalent(list, list): bool', (_: unknown, a: unknown[], b: unknown[]) => b.every((x) => has(a, x)) && a.every((x) => has(b, x)))
    .registerFunction('SetsNamespace.intersects(list, list): bool', (_: unknown, a: unknown[], b: unknown[]) => b.some((x) => has(a, x)));
}
