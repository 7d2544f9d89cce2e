// Kubernetes quantity library (k8s.io/apiserver/pkg/cel/library/quantity.go), with exact rational arithmetic.
import type { Environment } from '@marcbachmann/cel-js';

export class Quantity {
  // value = num / den, den > 0
  constructor(readonly num: bigint, readonly den: bigint) {}
}

const BINARY: Record<string, bigint> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const PATTERN = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

function gcd(a: bigint, b: bigint): bigint { a = a < 0n ? -a : a; while (b) [a, b] = [b, a % b]; return a; }
function make(num: bigint, den: bigint): Quantity { const g = gcd(num, den) || 1n; return new Quantity(num / g, den / g); }

export function parseQuantity(s: string): Quantity {
  const m = PATTERN.exec(s);
  if (!m) throw new Error(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  const numberText = m[1]!;
  const suffix = m[2]!;
  const nm = /^([+-]?)([0-9]*)(?:\.([0-9]*))?$/.exec(numberText);
  if (!nm || (nm[2] === '' && (nm[3] ?? '') === '')) throw new Error(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  const frac = nm[3] ?? '';
  let num = BigInt((nm[2] || '0') + frac) * (nm[1] === '-' ? -1n : 1n);
  let den = 10n ** BigInt(frac.length);
  if (suffix in BINARY) num *= BINARY[suffix]!;
  else if (suffix in DECIMAL) {
    const e = DECIMAL[suffix]!;
    if (e >= 0) num *= 10n ** BigInt(e); else den *= 10n ** BigInt(-e);
  } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
    const e = Number(suffix.slice(1));
    if (e >= 0) num *= 10n ** BigInt(e); else den *= 10n ** BigInt(-e);
  } else throw new Error("unable to parse quantity's suffix");
  // The API server rounds up to the nano scale.
  const nanos = num * 1_000_000_000n;
  if (nanos % den !== 0n) {
    const q = nanos / den + (num > 0n ? 1n : 0n);
    return make(q, 1_000_000_000n);
  }
  return make(num, den);
}

const cmp = (a: Quantity, b: Quantity): number => { const l = a.num * b.den, r = b.num * a.den; return l < r ? -1 : l > r ? 1 : 0; };
const add = (a: Quantity, b: Quantity) => make(a.num * b.den + b.num * a.den, a.den * b.den);
const neg = (a: Quantity) => new Quantity(-a.num, a.den);
const fromInt = (n: bigint) => new Quantity(n, 1n);
const MAX_INT = (1n << 63n) - 1n, MIN_INT = -(1n << 63n);

function asInteger(q: Quantity): bigint {
  if (q.num % q.den !== 0n) throw new Error('cannot convert value to integer');
  const v = q.num / q.den;
  if (v > MAX_INT || v < MIN_INT) throw new Error('cannot convert value to integer');
  return v;
}

export function registerQuantity(env: Environment): void {
  env.registerType('kubernetes.Quantity', Quantity)
    .registerFunction('quantity(string): kubernetes.Quantity', (s: string) => parseQuantity(s))
    .registerFunction('isQuantity(string): bool', (s: string) => { try { parseQuantity(s); return true; } catch { return false; } })
    .registerFunction('kubernetes.Quantity.sign(): int', (q: Quantity) => BigInt(q.num > 0n ? 1 : q.num < 0n ? -1 : 0))
    .registerFunction('kubernetes.Quantity.isInteger(): bool', (q: Quantity) => { try { asInteger(q); return true; } catch { return false; } })
    .registerFunction('kubernetes.Quantity.asInteger(): int', asInteger)
    .registerFunction('kubernetes.Quantity.asApproximateFloat(): double', (q: Quantity) => Number(q.num) / Number(q.den))
    .registerFunction('kubernetes.Quantity.add(kubernetes.Quantity): kubernetes.Quantity', add)
    .registerFunction('kubernetes.Quantity.add(int): kubernetes.Quantity', (q: Quantity, n: bigint) => add(q, fromInt(n)))
    .registerFunction('kubernetes.Quantity.sub(kubernetes.Quantity): kubernetes.Quantity', (a: Quantity, b: Quantity) => add(a, neg(b)))
    .registerFunction('kubernetes.Quantity.sub(int): kubernetes.Quantity', (q: Quantity, n: bigint) => add(q, fromInt(-n)))
    .registerFunction('kubernetes.Quantity.compareTo(kubernetes.Quantity): int', (a: Quantity, b: Quantity) => BigInt(cmp(a, b)))
    .registerFunction('kubernetes.Quantity.isLessThan(kubernetes.Quantity): bool', (a: Quantity, b: Quantity) => cmp(a, b) < 0)
    .registerFunction('kubernetes.Quantity.isGreaterThan(kubernetes.Quantity): bool', (a: Quantity, b: Quantity) => cmp(a, b) > 0)
    .registerOperator('kubernetes.Quantity == kubernetes.Quantity', (a: Quantity, b: Quantity) => cmp(a, b) === 0);
}
