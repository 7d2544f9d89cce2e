// Kubernetes URL library (k8s.io/apiserver/pkg/cel/library/urls.go) with Go's url.ParseRequestURI rules:
// an absolute URI or an absolute path; scheme plus a rootless rest is opaque.
import type { Environment } from '@marcbachmann/cel-js';

export class URLValue {
  constructor(readonly raw: string, readonly scheme: string, readonly opaque: string, readonly host: string, readonly path: string, readonly rawQuery: string) {}
}

function unescape(s: string, plusIsSpace: boolean): string {
  const t = plusIsSpace ? s.replace(/\+/g, ' ') : s;
  if (/%(?![0-9a-fA-F]{2})/.test(t)) throw new Error(`invalid URL escape ${JSON.stringify(t.slice(t.search(/%(?![0-9a-fA-F]{2})/), t.search(/%(?![0-9a-fA-F]{2})/) + 3))}`);
  return decodeURIComponent(t.replace(/%(?![0-9a-fA-F]{2})/g, '%25'));
}

export function parseURL(s: string): URLValue {
  const fail = (why: string) => new Error(`URL parse error during conversion from string: parse ${JSON.stringify(s)}: ${why}`);
  if (/[\x00-\x1f\x7f]/.test(s)) throw fail('net/url: invalid control character in URL');
  let rest = s;
  let scheme = '';
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (m) { scheme = m[1]!.toLowerCase(); rest = rest.slice(m[0].length); }
  else if (rest.startsWith(':')) throw fail('missing protocol scheme');
  let rawQuery = '';
  const q = rest.indexOf('?');
  if (q >= 0) { rawQuery = rest.slice(q + 1); rest = rest.slice(0, q); }
  if (!rest.startsWith('/')) {
    if (scheme !== '') return new URLValue(s, scheme, rest, '', '', rawQuery);
    throw fail('invalid URI for request');
  }
  let host = '';
  if ((scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    const end = rest.indexOf('/', 2);
    const authority = end < 0 ? rest.slice(2) : rest.slice(2, end);
    rest = end < 0 ? '' : rest.slice(end);
    const at = authority.lastIndexOf('@');
    host = at >= 0 ? authority.slice(at + 1) : authority;
    if (host.startsWith('[')) {
      const close = host.indexOf(']');
      if (close < 0) throw fail('missing \']\' in host');
      const port = host.slice(close + 1);
      if (port !== '' && !/^:[0-9]*$/.test(port)) throw fail(`invalid port ${JSON.stringify(port)} after host`);
    } else {
      const colon = host.indexOf(':');
      if (colon >= 0 && !/^:[0-9]*$/.test(host.slice(colon))) throw fail(`invalid port ${JSON.stringify(host.slice(colon))} after host`);
    }
    host = unescape(host, false);
  }
  return new URLValue(s, scheme, '', host, unescape(rest, false), rawQuery);
}

function hostname(u: URLValue): string {
  if (u.host.startsWith('[')) return u.host.slice(1, u.host.indexOf(']'));
  const colon = u.host.indexOf(':');
  return colon < 0 ? u.host : u.host.slice(0, colon);
}
function port(u: URLValue): string {
  const h = u.host.startsWith('[') ? u.host.slice(u.host.indexOf(']') + 1) : u.host.slice(Math.max(0, u.host.indexOf(':')));
  return h.startsWith(':') ? h.slice(1) : '';
}
function escapedPath(u: URLValue): string {
  return u.path.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/]/g, (c) => encodeURIComponent(c));
}
function query(u: URLValue): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (u.rawQuery === '') return out;
  for (const part of u.rawQuery.split('&')) {
    if (part === '' || part.includes(';')) continue;
    const eq = part.indexOf('=');
    try {
      const k = unescape(eq < 0 ? part : part.slice(0, eq), true);
      const v = eq < 0 ? '' : unescape(part.slice(eq + 1), true);
      out.set(k, [...(out.get(k) ?? []), v]);
    } catch { /* Go skips pairs that do not unescape */ }
  }
  return out;
}

export function registerURL(env: Environment): void {
  env.registerType('kubernetes.URL', URLValue)
    .registerFunction('url(string): kubernetes.URL', (s: string) => parseURL(s))
    .registerFunction('isURL(string): bool', (s: string) => { try { parseURL(s); return true; } catch { return false; } })
    .registerFunction('kubernetes.URL.getScheme(): string', (u: URLValue) => u.scheme)
    .registerFunction('kubernetes.URL.getHost(): string', (u: URLValue) => u.host)
    .registerFunction('kubernetes.URL.getHostname(): string', hostname)
    .registerFunction('kubernetes.URL.getPort(): string', port)
    .registerFunction('kubernetes.URL.getEscapedPath(): string', escapedPath)
    .registerFunction('kubernetes.URL.getQuery(): map<string, list<string>>', query)
    .registerOperator('kubernetes.URL == kubernetes.URL', (a: URLValue, b: URLValue) => a.raw === b.raw);
}
