// Kubernetes IP and CIDR libraries (k8s.io/apiserver/pkg/cel/library/ip.go, cidr.go) with Go netip parsing:
// no zones, no IPv4-mapped IPv6, no leading zeros in IPv4.
import type { Environment } from '@marcbachmann/cel-js';

export class IP {
  constructor(readonly bytes: Uint8Array, readonly family: 4 | 6) {}
  toString(): string { return formatAddr(this); }
}
export class CIDR {
  constructor(readonly ip: IP, readonly bits: number) {}
  toString(): string { return `${formatAddr(this.ip)}/${this.bits}`; }
}

class ParseFailure extends Error {}

function parseIPv4(s: string, full: string): Uint8Array {
  const parts = s.split('.');
  if (parts.length > 4) throw new ParseFailure(`ParseAddr(${JSON.stringify(full)}): IPv4 address too long`);
  if (parts.length < 4) throw new ParseFailure(`ParseAddr(${JSON.stringify(full)}): IPv4 address too short`);
  const out = new Uint8Array(4);
  parts.forEach((p, i) => {
    if (p === '') throw new ParseFailure(`ParseAddr(${JSON.stringify(full)}): IPv4 field must have at least one digit`);
    if (!/^[0-9]+$/.test(p)) throw new ParseFailure(`ParseAddr(${JSON.stringify(full)}): unexpected character`);
    if (p.length > 1 && p[0] === '0') throw new ParseFailure(`ParseAddr(${JSON.stringify(full)}): IPv4 field has octet with leading zero`);
    const n = Number(p);
    if (n > 255) throw new ParseFailure(`ParseAddr(${JSON.stringify(full)}): IPv4 field has value >255`);
    out[i] = n;
  });
  return out;
}

function parseIPv6(s: string, full: string): Uint8Array {
  const q = JSON.stringify(full);
  if (s.includes('%')) throw new ParseFailure(`ParseAddr(${q}): zones are not allowed`);
  const halves = s.split('::');
  if (halves.length > 2) throw new ParseFailure(`ParseAddr(${q}): multiple :: in address`);
  const groups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    const fields = part.split(':');
    fields.forEach((f, i) => {
      if (f.includes('.') && i === fields.length - 1) {
        const v4 = parseIPv4(f, full);
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        return;
      }
      if (f === '') throw new ParseFailure(`ParseAddr(${q}): each colon-separated field must have at least one digit (at ${JSON.stringify(':' + fields.slice(i + 1).join(':'))})`);
      if (!/^[0-9a-fA-F]{1,4}$/.test(f)) throw new ParseFailure(`ParseAddr(${q}): ${f.length > 4 ? 'each group must have 4 or less digits' : 'unexpected character'} (at ${JSON.stringify(f)})`);
      out.push(parseInt(f, 16));
    });
    return out;
  };
  let all: number[];
  if (halves.length === 2) {
    const a = groups(halves[0]!);
    const b = groups(halves[1]!);
    if (a.length + b.length > 7) throw new ParseFailure(`ParseAddr(${q}): too many colons`);
    all = [...a, ...new Array(8 - a.length - b.length).fill(0), ...b];
  } else {
    all = groups(s);
    if (all.length !== 8) throw new ParseFailure(`ParseAddr(${q}): address string too short`);
  }
  const out = new Uint8Array(16);
  all.forEach((g, i) => { out[2 * i] = g >> 8; out[2 * i + 1] = g & 0xff; });
  return out;
}

export function parseAddr(s: string): IP {
  if (s === '') throw new ParseFailure('ParseAddr(""): unable to parse IP');
  if (s.includes(':')) return new IP(parseIPv6(s, s), 6);
  if (s.includes('.')) return new IP(parseIPv4(s, s), 4);
  throw new ParseFailure(`ParseAddr(${JSON.stringify(s)}): unable to parse IP`);
}

function isV4Mapped(ip: IP): boolean {
  return ip.family === 6 && ip.bytes.slice(0, 10).every((b) => b === 0) && ip.bytes[10] === 0xff && ip.bytes[11] === 0xff;
}

function formatAddr(ip: IP): string {
  if (ip.family === 4) return [...ip.bytes].join('.');
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((ip.bytes[2 * i]! << 8) | ip.bytes[2 * i + 1]!);
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

export function parseIP(s: string): IP {
  try {
    const ip = parseAddr(s);
    if (isV4Mapped(ip)) throw new ParseFailure('IPv4-mapped IPv6 address is not allowed');
    return ip;
  } catch (err) {
    throw new Error(`IP Address ${JSON.stringify(s)} parse error during conversion from string: ${(err as Error).message}`);
  }
}

export function parseCIDR(s: string): CIDR {
  const fail = (m: string) => new Error(`network address parse error during conversion from string: network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(s)}): ${m}`);
  const slash = s.lastIndexOf('/');
  if (slash < 0) throw fail('no \'/\'');
  const addr = s.slice(0, slash);
  const bitsText = s.slice(slash + 1);
  let ip: IP;
  try {
    ip = parseAddr(addr);
  } catch (err) {
    throw fail((err as Error).message);
  }
  if (addr.includes('%')) throw fail('IPv6 zones cannot be present in a prefix');
  if (!/^[0-9]+$/.test(bitsText) || (bitsText.length > 1 && bitsText[0] === '0')) throw fail(`bad bits after slash: ${JSON.stringify(bitsText)}`);
  const bits = Number(bitsText);
  if (bits > (ip.family === 4 ? 32 : 128)) throw fail(`prefix length out of range`);
  if (isV4Mapped(ip)) throw new Error(`network address parse error during conversion from string: IPv4-mapped IPv6 address is not allowed`);
  return new CIDR(ip, bits);
}

function masked(c: CIDR): CIDR {
  const out = new Uint8Array(c.ip.bytes);
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, c.bits - 8 * i));
    out[i] = out[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return new CIDR(new IP(out, c.ip.family), c.bits);
}

function containsIP(c: CIDR, ip: IP): boolean {
  if (c.ip.family !== ip.family) return false;
  const a = masked(c).ip.bytes;
  const b = masked(new CIDR(ip, c.bits)).ip.bytes;
  return a.every((x, i) => x === b[i]);
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

function inV4(ip: IP, prefix: number[], bits: number): boolean {
  return ip.family === 4 && containsIP(new CIDR(new IP(Uint8Array.from(prefix), 4), bits), ip);
}
function inV6(ip: IP, first: number, bits: number): boolean {
  if (ip.family !== 6) return false;
  const b = new Uint8Array(16);
  b[0] = first >> 8; b[1] = first & 0xff;
  return containsIP(new CIDR(new IP(b, 6), bits), ip);
}
const isUnspecified = (ip: IP) => ip.bytes.every((b) => b === 0);
const isLoopback = (ip: IP) => (ip.family === 4 ? ip.bytes[0] === 127 : ip.bytes.slice(0, 15).every((b) => b === 0) && ip.bytes[15] === 1);
const isMulticast = (ip: IP) => (ip.family === 4 ? (ip.bytes[0]! & 0xf0) === 0xe0 : ip.bytes[0] === 0xff);
const isLinkLocalMulticast = (ip: IP) => (ip.family === 4 ? inV4(ip, [224, 0, 0, 0], 24) : ip.bytes[0] === 0xff && (ip.bytes[1]! & 0x0f) === 0x02);
const isLinkLocalUnicast = (ip: IP) => (ip.family === 4 ? inV4(ip, [169, 254, 0, 0], 16) : inV6(ip, 0xfe80, 10));
const isGlobalUnicast = (ip: IP) => !isUnspecified(ip) && !isLoopback(ip) && !isMulticast(ip) && !isLinkLocalUnicast(ip)
  && !(ip.family === 4 && ip.bytes.every((b) => b === 255));

class IPNamespace {}

export function registerIP(env: Environment): void {
  env.registerType('net.IP', IP).registerType('net.CIDR', CIDR).registerType('IPNamespace', IPNamespace);
  env.registerConstant('ip', 'IPNamespace', new IPNamespace());

  env.registerFunction('ip(string): net.IP', (s: string) => parseIP(s))
    .registerFunction('isIP(string): bool', (s: string) => { try { parseIP(s); return true; } catch { return false; } })
    .registerFunction('IPNamespace.isCanonical(string): bool', (_: unknown, s: string) => formatAddr(parseIP(s)) === s)
    .registerFunction('string(net.IP): string', (ip: IP) => formatAddr(ip))
    .registerFunction('net.IP.family(): int', (ip: IP) => BigInt(ip.family))
    .registerFunction('net.IP.isUnspecified(): bool', isUnspecified)
    .registerFunction('net.IP.isLoopback(): bool', isLoopback)
    .registerFunction('net.IP.isLinkLocalMulticast(): bool', isLinkLocalMulticast)
    .registerFunction('net.IP.isLinkLocalUnicast(): bool', isLinkLocalUnicast)
    .registerFunction('net.IP.isGlobalUnicast(): bool', isGlobalUnicast)
    .registerOperator('net.IP == net.IP', (a: IP, b: IP) => a.family === b.family && sameBytes(a.bytes, b.bytes))
    .registerFunction('cidr(string): net.CIDR', (s: string) => parseCIDR(s))
    .registerFunction('isCIDR(string): bool', (s: string) => { try { parseCIDR(s); return true; } catch { return false; } })
    .registerFunction('string(net.CIDR): string', (c: CIDR) => c.toString())
    .registerFunction('net.CIDR.containsIP(net.IP): bool', containsIP)
    .registerFunction('net.CIDR.containsIP(string): bool', (c: CIDR, s: string) => containsIP(c, parseIP(s)))
    .registerFunction('net.CIDR.containsCIDR(net.CIDR): bool', (c: CIDR, o: CIDR) => o.bits >= c.bits && containsIP(c, o.ip))
    .registerFunction('net.CIDR.containsCIDR(string): bool', (c: CIDR, s: string) => { const o = parseCIDR(s); return o.bits >= c.bits && containsIP(c, o.ip); })
    .registerFunction('net.CIDR.ip(): net.IP', (c: CIDR) => c.ip)
    .registerFunction('net.CIDR.masked(): net.CIDR', masked)
    .registerFunction('net.CIDR.prefixLength(): int', (c: CIDR) => BigInt(c.bits))
    .registerOperator('net.CIDR == net.CIDR', (a: CIDR, b: CIDR) => a.bits === b.bits && a.ip.family === b.ip.family && sameBytes(a.ip.bytes, b.ip.bytes));
  // `net.IP` / `net.CIDR` as type values (type(x) == net.CIDR): a constant map from the registered types.
  const ipType = env.evaluate('type(ip("0.0.0.0"))');
  const cidrType = env.evaluate('type(cidr("0.0.0.0/0"))');
  env.registerConstant('net', 'map<string, type>', new Map([['IP', ipType], ['CIDR', cidrType]]));
}
