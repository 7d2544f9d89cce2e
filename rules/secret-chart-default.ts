// A credential the chart ships: a Secret whose data is a string from the chart's own values.yaml (or a
// subchart's), or a literal written into the template. Everyone who installs the chart without overriding
// it gets the same credential, and anyone who can read the chart knows it. Values set by the scan's values
// files and --set pairs (a value set) are what the user supplies, never a shipped default.
//
// Matching, per Secret key (data decoded from base64, stringData as is):
//   1. exact: the value is a default string. Reported when the default looks like a credential: a known
//      token format, or a credential name (the values key, or the Secret key unless the values key names
//      something else: `username`, `host`, `secretName`) with a value that is not clearly something else.
//   2. inside: a default of 8 characters or more is part of the value (a password in a connection URL, a
//      config file stored in the Secret), or a config entry of the value (`password: x`, `PASS=x`) is a
//      default; reported when the values key, the entry, or the default's format says credential.
//   3. literal: no values string reaches the value, the Secret key names a credential (or the value has a
//      known token format), and the template or a helper writes the value (or its base64) as a literal.
// Empty defaults are not strings to match: the `generate one when empty` pattern (randAlphaNum, lookup)
// renders a random value. The value itself never leaves this module except as its length (`redact`).
import { join } from '../src/model/pointer.ts';
import type { ScannedObject } from '../src/model/model.ts';
import { defineRule, type ChartContext, type ChartDefaultString, type ObjectRule, type Report } from '../src/engine/rule-kit.ts';
import { obj } from '../src/k8s/values.ts';
import {
  clearlyNotCredential,
  credentialName,
  descriptiveName,
  detectByName,
  detectFormat,
  embeddedEntries,
  nameWords,
  redact,
  type EmbeddedEntry,
  type SecretDetection,
} from '../src/secrets/secret-literal.ts';

/** Defaults shorter than this are matched whole (or as a whole config entry), never as a substring. */
const MIN_INSIDE = 8;
/** Literals shorter than this are not looked for in templates. */
const MIN_LITERAL = 4;
/** Longer values are not compared (a bundled binary or a large file). */
const MAX_VALUE = 64 * 1024;

interface Entry {
  field: 'data' | 'stringData';
  key: string;
  /** As written in the object (base64 for data). */
  raw: string;
  /** The decoded text. */
  text: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decode(raw: string): string | undefined {
  const compact = raw.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) return undefined;
  const text = Buffer.from(compact, 'base64').toString('utf8');
  return text.includes('\uFFFD') ? undefined : text; // binary, not text to compare
}

function entriesOf(object: ScannedObject): Entry[] {
  const out: Entry[] = [];
  for (const field of ['data', 'stringData'] as const) {
    const map = obj(object.raw[field]);
    if (!map) continue;
    for (const [key, raw] of Object.entries(map)) {
      if (typeof raw !== 'string' || raw === '' || raw.length > MAX_VALUE) continue;
      const text = field === 'data' ? decode(raw) : raw;
      if (text !== undefined && text.trim() !== '') out.push({ field, key, raw, text });
    }
  }
  return out;
}

/** The name a values key goes by: its last key (`auth.password`), with its parent when that key alone is ambiguous (`admin.pass`). */
function valuesName(path: readonly (string | number)[]): string {
  const names = path.filter((t): t is string => typeof t === 'string');
  const last = names[names.length - 1] ?? '';
  return /^(?:pass|pwd|pw)$/i.test(last) && names.length > 1 ? `${names[names.length - 2]}_${last}` : last;
}

interface Match {
  candidate: ChartDefaultString;
  how: 'exact' | 'entry' | 'inside';
  entry?: EmbeddedEntry;
  detection: SecretDetection;
  /** The values key itself names a credential. */
  named: boolean;
  /** Words the Secret key (or entry) and the values key share. */
  overlap: number;
}

const HOW_RANK = { exact: 2, entry: 1, inside: 0 } as const;

function inScope(path: readonly (string | number)[], scope: readonly (string | number)[] | undefined): boolean {
  return scope === undefined || path[0] === 'global' || scope.every((t, i) => path[i] === t);
}

function overlap(a: string, b: readonly (string | number)[]): number {
  const words = new Set(nameWords(a));
  return new Set(b.filter((t): t is string => typeof t === 'string').flatMap((t) => nameWords(t)).filter((w) => words.has(w))).size;
}

/** A chart's defaults indexed for matching, once per chart context (the rule itself keeps no state). */
interface Index {
  /** Trimmed value -> the defaults that set it. */
  byValue: Map<string, ChartDefaultString[]>;
  /** Defaults long enough to be matched inside a value, and credentials by name or format. */
  inside: ChartDefaultString[];
}

const INDEXES = new WeakMap<readonly ChartDefaultString[], Index>();

function indexOf(defaults: readonly ChartDefaultString[]): Index {
  let index = INDEXES.get(defaults);
  if (index) return index;
  index = { byValue: new Map(), inside: [] };
  for (const candidate of defaults) {
    const value = candidate.value.trim();
    if (value === '') continue;
    const list = index.byValue.get(value);
    if (list) list.push(candidate);
    else index.byValue.set(value, [candidate]);
    if ([...value].length >= MIN_INSIDE && (detectFormat(value) ?? detectByName(valuesName(candidate.path), value))) index.inside.push(candidate);
  }
  INDEXES.set(defaults, index);
  return index;
}

/**
 * Every default that reaches this Secret key and looks like a credential, best first. A key (or config
 * entry) that describes something else (`admin-user`, `username`) is reported only for a token format.
 */
function matchesOf(entry: Entry, index: Index, scope: readonly (string | number)[] | undefined, supplied: ReadonlySet<string>): Match[] {
  const text = entry.text.trim();
  // The user's own values file or --set pair may be where this value comes from: never blamed on a default.
  if (supplied.has(text) || supplied.has(entry.text)) return [];
  const usable = (candidate: ChartDefaultString) => inScope(candidate.path, scope) && !supplied.has(candidate.value);
  const out: Match[] = [];
  const push = (candidate: ChartDefaultString, how: Match['how'], detection: SecretDetection | undefined, inner?: EmbeddedEntry) => {
    if (!detection) return;
    const named = credentialName(valuesName(candidate.path)) !== undefined;
    out.push({ candidate, how, detection, named, overlap: overlap(inner?.key ?? entry.key, candidate.path), ...(inner ? { entry: inner } : {}) });
  };
  const keyDescribes = descriptiveName(entry.key);
  for (const candidate of index.byValue.get(text) ?? []) {
    if (!usable(candidate)) continue;
    const name = valuesName(candidate.path);
    // The Secret key speaks for the value when the values key is about the same thing (shares a word
    // with it) and does not say it is something else (a user name, a host).
    const byKey = overlap(entry.key, candidate.path) > 0 && !descriptiveName(name) ? detectByName(entry.key, text) : undefined;
    push(candidate, 'exact', detectFormat(text) ?? (keyDescribes ? undefined : (detectByName(name, text) ?? byKey)));
  }
  if (out.length > 0) return ranked(out);
  const seen = new Set<ChartDefaultString>();
  // Entries of a config file stored in the Secret (`password: x`, `PASS=x`, `"token": "x"`), any length.
  if (/[:=<]/.test(text)) {
    for (const inner of embeddedEntries(text)) {
      const value = inner.value.trim();
      for (const candidate of index.byValue.get(value) ?? []) {
        if (seen.has(candidate) || !usable(candidate)) continue;
        seen.add(candidate);
        const detection = detectFormat(value) ?? (descriptiveName(inner.key) ? undefined : (detectByName(valuesName(candidate.path), value) ?? detectByName(inner.key, value)));
        push(candidate, 'entry', detection, inner);
      }
    }
  }
  // A longer default anywhere in the value (a password in a URL).
  for (const candidate of index.inside) {
    if (seen.has(candidate) || !usable(candidate) || !text.includes(candidate.value.trim())) continue;
    const value = candidate.value.trim();
    push(candidate, 'inside', detectFormat(value) ?? detectByName(valuesName(candidate.path), value));
  }
  return ranked(out);
}

function ranked(matches: Match[]): Match[] {
  return matches.sort(
    (a, b) =>
      HOW_RANK[b.how] - HOW_RANK[a.how] ||
      Number(b.named) - Number(a.named) ||
      b.overlap - a.overlap ||
      b.candidate.value.length - a.candidate.value.length,
  );
}

/** `a credential`, `a private key`: what the value is, for messages. */
function whatOf(detection: SecretDetection): string {
  return detection.signal === 'format' ? detection.what.replace(/^an? /, '') : 'credential';
}

/** The values file as the chart's maintainer knows it: relative to the chart (`values.yaml`, `charts/db/values.yaml`). */
function chartRelative(file: string, chart: string | undefined): string {
  return chart !== undefined && chart !== '.' && file.startsWith(`${chart}/`) ? file.slice(chart.length + 1) : file;
}

/** A literal credential the template writes into this Secret key (no values string reaches it). */
function literalReport(object: ScannedObject, entry: Entry, chart: ChartContext, path: string): Report | undefined {
  const template = object.source.template;
  if (template === undefined) return undefined;
  const strings = chart.valueStrings();
  const fromValues = (text: string) => strings.some((s) => s === text || (s.length >= MIN_INSIDE && text.includes(s)));
  const text = entry.text.trim();
  if (!text.includes('\n')) {
    const detection = detectFormat(text) ?? detectByName(entry.key, text);
    if (!detection || [...text].length < MIN_LITERAL || fromValues(text)) return undefined;
    const at = chart.findLiteral(template, entry.field === 'data' ? [entry.raw, text] : [text]);
    if (!at) return undefined;
    return {
      messageId: 'literal',
      path,
      data: { key: entry.key, inner: '', redacted: redact(text), template: at.file.split('/').pop() ?? at.file, line: at.line, what: whatOf(detection) },
      at: { template: at },
    };
  }
  // A config file in the Secret: its credential-named entries written literally in the template.
  for (const inner of embeddedEntries(text)) {
    const value = inner.value.trim();
    const detection = detectByName(inner.key, value);
    if (!detection || [...value].length < MIN_LITERAL || clearlyNotCredential(value) || fromValues(value)) continue;
    const at = chart.findLiteral(template, [value]);
    if (!at) continue;
    return {
      messageId: 'literal',
      path,
      data: { key: entry.key, inner: ` ("${inner.key}", line ${inner.line})`, redacted: redact(value), template: at.file.split('/').pop() ?? at.file, line: at.line, what: whatOf(detection) },
      at: { template: at },
    };
  }
  return undefined;
}

export default defineRule<ObjectRule>({
  meta: {
    id: 'secret-chart-default',
    title: 'Secrets must not ship a default credential',
    category: 'secrets',
    defaultSeverity: 'high',
    description:
      "A Secret whose value comes from a string in the chart's own values.yaml (or a subchart's), or from a literal in its templates, holds the same credential in every install that does not override it, and that credential is public to anyone who can read the chart. A well-known default (`changeme`, `admin`) is as bad as any: it is the first thing an attacker tries. High, like other literal credentials, for every match: whether the default is a placeholder or a real token, an install that keeps it is open. Reported per Secret key (`data` decoded from base64, `stringData`) when it equals a non-empty default, contains one of 8 characters or more (a password in a connection URL, a config file stored in the Secret), or a config entry of it is one; and only when the values key, the Secret key or the entry is named like a credential, or the value has a known token format. Values supplied by a values file or `--set` (a value set) are not the chart's defaults and are not reported; neither are empty defaults (the chart generates a value, e.g. with randAlphaNum). A literal is reported when no values string reaches the Secret key, the key names a credential, and the template or a helper writes the value (or its base64) as a quoted string or a line's value. Located at the values line (or the template line) without re-rendering; messages show only the value's length.",
    remediation:
      'Leave the default empty and generate a value when it is empty (`randAlphaNum 24`, kept across upgrades with `lookup` of the existing Secret), or make the value required (`required`) or let users reference their own Secret (`existingSecret`); remove literals from templates. Then rotate the credential everywhere the default was kept.',
    references: [
      { title: 'Kubernetes: good practices for Secrets', url: 'https://kubernetes.io/docs/concepts/security/secrets-good-practices/' },
      { title: 'Helm: template functions (randAlphaNum, lookup, required)', url: 'https://helm.sh/docs/chart_template_guide/function_list/' },
      { title: 'CWE-1392: Use of Default Credentials', url: 'https://cwe.mitre.org/data/definitions/1392.html' },
    ],
    messages: {
      default:
        'Secret key "{{key}}"{{inner}} {{verb}} {{redacted}} from the chart default {{valuesKey}} in {{file}}: every install that keeps the default has the same {{what}}, known to anyone who reads the chart{{more}}',
      literal:
        'Secret key "{{key}}"{{inner}} is {{redacted}} written into the chart ({{template}}:{{line}}): every install has the same {{what}}, known to anyone who reads the chart',
    },
  },
  target: 'object',
  kinds: ['Secret'],
  *check(object, context): Generator<Report> {
    const chart = context.chart;
    if (chart === undefined || object.ref.apiVersion !== 'v1') return;
    const entries = entriesOf(object);
    if (entries.length === 0) return;
    const scope = object.source.template !== undefined ? chart.scopeOf(object.source.template) : undefined;
    const index = indexOf(chart.defaultStrings());
    const supplied = chart.suppliedStrings();
    for (const entry of entries) {
      const path = join(`/${entry.field}`, entry.key);
      const matches = matchesOf(entry, index, scope, supplied);
      const best = matches[0];
      if (best === undefined) {
        const literal = literalReport(object, entry, chart, path);
        if (literal) yield literal;
        continue;
      }
      const value = best.candidate.value.trim();
      // Other defaults with the same value are alternatives to the one named; different ones are more content.
      const others = new Set(matches.filter((m) => m.candidate.value.trim() !== value).map((m) => m.candidate.value.trim())).size;
      yield {
        messageId: 'default',
        path,
        data: {
          key: entry.key,
          inner: best.entry ? ` ("${best.entry.key}", line ${best.entry.line})` : '',
          redacted: redact(value),
          valuesKey: best.candidate.where.key,
          file: chartRelative(best.candidate.where.file, object.source.chart),
          verb: best.how === 'inside' ? 'contains' : 'is',
          what: whatOf(best.detection),
          more: others > 0 ? `; ${others} more chart default${others === 1 ? '' : 's'} in this value` : '',
        },
        at: { values: best.candidate.where },
      };
    }
  },
});
