// Kubernetes format library (k8s.io/apiserver/pkg/cel/library/format.go): format.<name>().validate(s)
// returns optional.none() when s is valid, else the apimachinery validation messages.
import type { Environment } from '@marcbachmann/cel-js';
import { Optional } from '@marcbachmann/cel-js';

export class NamedFormat {
  constructor(readonly name: string, readonly check: (s: string) => string[]) {}
}

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const SUBDOMAIN = `${LABEL}(\\.${LABEL})*`;
const DNS1035 = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QUALIFIED = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE = '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?';
const full = (re: string) => new RegExp(`^(?:${re})$`);
const examples = (...e: string[]) => `(e.g. ${e.map((x) => `'${x}'`).join(',  or ')}`;

const maxLen = (s: string, n: number) => (s.length > n ? [`must be no more than ${n} characters`] : []);
function dns1123Label(s: string): string[] {
  return [...maxLen(s, 63), ...(full(LABEL).test(s) ? [] : [`a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character ${examples('my-name', '123-abc')}, regex used for validation is '${LABEL}')`])];
}
function dns1123Subdomain(s: string): string[] {
  return [...maxLen(s, 253), ...(full(SUBDOMAIN).test(s) ? [] : [`a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character ${examples('example.com')}, regex used for validation is '${SUBDOMAIN}')`])];
}
function dns1035Label(s: string): string[] {
  return [...maxLen(s, 63), ...(full(DNS1035).test(s) ? [] : [`a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character ${examples('my-name', 'abc-123')}, regex used for validation is '${DNS1035}')`])];
}
function qualifiedName(s: string): string[] {
  const parts = s.split('/');
  let name = s;
  const errs: string[] = [];
  if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...dns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else if (parts.length > 2) {
    return [`a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character ${examples('MyName', 'my.name', '123-abc')}, regex used for validation is '${QUALIFIED}') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (name.length > 0 && !full(QUALIFIED).test(name)) errs.push(`name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character ${examples('MyName', 'my.name', '123-abc')}, regex used for validation is '${QUALIFIED}')`);
  return errs;
}
function labelValue(s: string): string[] {
  return [...maxLen(s, 63), ...(full(LABEL_VALUE).test(s) ? [] : [`a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character ${examples('MyValue', 'my_value', '12345')}, regex used for validation is '${LABEL_VALUE}')`])];
}
const maskTrailingDash = (s: string) => (s.length > 1 && s.endsWith('-') ? s.slice(0, -1) + 'a' : s);
function uri(s: string): string[] {
  // Go url.ParseRequestURI: an absolute URI or an absolute path.
  if (s.startsWith('/')) return /\s/.test(s) ? ['invalid URI'] : [];
  try { const u = new URL(s); return u.protocol ? [] : ['invalid URI']; } catch { return ['invalid URI']; }
}
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
function date(s: string): string[] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return ['invalid date'];
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]) ? [] : ['invalid date'];
}
function datetime(s: string): string[] {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m || date(m[1]!).length > 0 || Number(m[2]) > 23 || Number(m[3]) > 59 || Number(m[4]) > 60) return ['invalid datetime'];
  return [];
}
function byte(s: string): string[] {
  return /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s) ? [] : ['invalid base64'];
}

const FORMATS: Record<string, (s: string) => string[]> = {
  dns1123Label, dns1123Subdomain, dns1035Label, qualifiedName, labelValue, uri, uuid: (s) => (UUID.test(s) ? [] : ['invalid UUID']),
  byte, date, datetime,
  dns1123LabelPrefix: (s) => dns1123Label(maskTrailingDash(s)),
  dns1123SubdomainPrefix: (s) => dns1123Subdomain(maskTrailingDash(s)),
  dns1035LabelPrefix: (s) => dns1035Label(maskTrailingDash(s)),
};

export function registerFormat(env: Environment): void {
  class FormatNamespace {}
  env.registerType('FormatNamespace', FormatNamespace).registerType('kubernetes.NamedFormat', NamedFormat);
  env.registerConstant('format', 'FormatNamespace', new FormatNamespace());
  for (const [name, check] of Object.entries(FORMATS)) {
    const f = new NamedFormat(name, check);
    env.registerFunction(`FormatNamespace.${name}(): kubernetes.NamedFormat`, () => f);
  }
  env.registerFunction('FormatNamespace.named(string): optional<kubernetes.NamedFormat>', (_: unknown, name: string) => {
    const check = FORMATS[name];
    return check ? Optional.of(new NamedFormat(name, check)) : Optional.none();
  })
    .registerFunction('kubernetes.NamedFormat.validate(string): optional<list<string>>', (f: NamedFormat, s: string) => {
      const errs = f.check(s);
      return errs.length === 0 ? Optional.none() : Optional.of(errs);
    })
    .registerOperator('kubernetes.NamedFormat == kubernetes.NamedFormat', (a: NamedFormat, b: NamedFormat) => a.name === b.name);
}
