// Kubernetes semver library (k8s.io/apiserver/pkg/cel/library/semverlib.go) on blang/semver v4 rules.
import type { Environment } from '@marcbachmann/cel-js';

export class Semver {
  constructor(readonly major: bigint, readonly minor: bigint, readonly patch: bigint, readonly pre: (string | bigint)[], readonly build: string[]) {}
}

const MAX_UINT64 = (1n << 64n) - 1n;
const ALNUM = /^[0-9A-Za-z-]+$/;

function parseNumber(s: string, what: string): bigint {
  if (!/^[0-9]+$/.test(s)) throw new Error(`Invalid character(s) found in ${what} number ${JSON.stringify(s)}`);
  if (s.length > 1 && s[0] === '0') throw new Error(`${what[0]!.toUpperCase()}${what.slice(1)} number must not contain leading zeroes ${JSON.stringify(s)}`);
  const n = BigInt(s);
  if (n > MAX_UINT64) throw new Error(`${what} number out of range`);
  return n;
}

export function parseSemver(s: string): Semver {
  if (s.length === 0) throw new Error('Version string empty');
  const parts = s.split('.', 3);
  if (parts.length !== 3) throw new Error('No Major.Minor.Patch elements found');
  const major = parseNumber(parts[0]!, 'major');
  const minor = parseNumber(parts[1]!, 'minor');
  let rest = parts[2]!;
  let build: string[] = [];
  let pre: (string | bigint)[] = [];
  const plus = rest.indexOf('+');
  if (plus >= 0) {
    build = rest.slice(plus + 1).split('.');
    rest = rest.slice(0, plus);
    for (const b of build) if (b === '' || !ALNUM.test(b)) throw new Error(`Invalid character(s) found in build meta ${JSON.stringify(b)}`);
  }
  const dash = rest.indexOf('-');
  let patchText = rest;
  if (dash >= 0) {
    patchText = rest.slice(0, dash);
    pre = rest.slice(dash + 1).split('.').map((p) => {
      if (p === '') throw new Error('Prerelease is empty');
      if (/^[0-9]+$/.test(p)) {
        if (p.length > 1 && p[0] === '0') throw new Error(`Numeric PreRelease version must not contain leading zeroes ${JSON.stringify(p)}`);
        return BigInt(p);
      }
      if (!ALNUM.test(p)) throw new Error(`Invalid character(s) found in prerelease ${JSON.stringify(p)}`);
      return p;
    });
  }
  const patch = parseNumber(patchText, 'patch');
  return new Semver(major, minor, patch, pre, build);
}

/** The `normalize` argument: a leading v, missing minor/patch and leading zeros are accepted. */
function normalize(s: string): string {
  let v = s.startsWith('v') ? s.slice(1) : s;
  let suffix = '';
  const cut = v.search(/[-+]/);
  if (cut >= 0) { suffix = v.slice(cut); v = v.slice(0, cut); }
  const parts = v.split('.');
  if (parts.length > 3) throw new Error('Invalid semver: too many dot-separated parts');
  const fixed = parts.map((p) => (/^[0-9]+$/.test(p) ? p.replace(/^0+(?=[0-9])/, '') : p));
  while (fixed.length < 3) fixed.push('0');
  return fixed.join('.') + suffix;
}

function compare(a: Semver, b: Semver): number {
  for (const k of ['major', 'minor', 'patch'] as const) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  if (a.pre.length === 0 && b.pre.length === 0) return 0;
  if (a.pre.length === 0) return 1;
  if (b.pre.length === 0) return -1;
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i]!, y = b.pre[i]!;
    if (x === y) continue;
    if (typeof x === 'bigint' && typeof y === 'bigint') return x < y ? -1 : 1;
    if (typeof x === 'bigint') return -1;
    if (typeof y === 'bigint') return 1;
    return x < y ? -1 : 1;
  }
  return a.pre.length === b.pre.length ? 0 : a.pre.length < b.pre.length ? -1 : 1;
}

const parseWith = (s: string, norm: boolean) => parseSemver(norm ? normalize(s) : s);
const valid = (s: string, norm: boolean) => { try { parseWith(s, norm); return true; } catch { return false; } };

export function registerSemver(env: Environment): void {
  env.registerType('kubernetes.Semver', Semver)
    .registerFunction('semver(string): kubernetes.Semver', (s: string) => parseWith(s, false))
    .registerFunction('semver(string, bool): kubernetes.Semver', (s: string, n: boolean) => parseWith(s, n))
    .registerFunction('isSemver(string): bool', (s: string) => valid(s, false))
    .registerFunction('isSemver(string, bool): bool', (s: string, n: boolean) => valid(s, n))
    .registerFunction('kubernetes.Semver.major(): int', (v: Semver) => v.major)
    .registerFunction('kubernetes.Semver.minor(): int', (v: Semver) => v.minor)
    .registerFunction('kubernetes.Semver.patch(): int', (v: Semver) => v.patch)
    .registerFunction('kubernetes.Semver.compareTo(kubernetes.Semver): int', (a: Semver, b: Semver) => BigInt(compare(a, b)))
    .registerFunction('kubernetes.Semver.isLessThan(kubernetes.Semver): bool', (a: Semver, b: Semver) => compare(a, b) < 0)
    .registerFunction('kubernetes.Semver.isGreaterThan(kubernetes.Semver): bool', (a: Semver, b: Semver) => compare(a, b) > 0)
    .registerOperator('kubernetes.Semver == kubernetes.Semver', (a: Semver, b: Semver) => compare(a, b) === 0);
}
