// Values a plan marks sensitive are judged as planned (the cluster gets them) but never printed. The
// scan's last step replaces every secret it knows, from 8 characters, in the whole report (secrets/
// redact.ts: the plan's sensitive strings are given to it); shorter ones (a role name `admin`, a path
// `/`, a user id `0`) would garble every report they were replaced in, so they are replaced here, as
// whole tokens, in the findings on the object that holds them.
import type { Finding, ObjectRef, ScannedObject } from '../model/model.ts';
import { REDACTED } from '../secrets/redact.ts';

function sensitiveOf(object: ScannedObject): readonly string[] {
  return Array.isArray(object.sensitive) ? object.sensitive : [];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A replacer for whole-token occurrences (not inside a longer name or number) of the values. */
function replacerOf(values: readonly string[]): ((text: string) => string) | undefined {
  const tokens = [...new Set(values.map((v) => v.trim()).filter((v) => v !== ''))].sort((a, b) => b.length - a.length);
  if (tokens.length === 0) return undefined;
  const pattern = new RegExp(`(?<![A-Za-z0-9_-])(?:${tokens.map(escapeRegExp).join('|')})(?![A-Za-z0-9_-])`, 'g');
  return (text) => text.replace(pattern, REDACTED);
}

function objectKey(address: string | undefined, ref: ObjectRef): string {
  return [address ?? '', ref.kind, ref.namespace ?? '', ref.name].join('\u0000');
}

/**
 * Findings on plan objects with sensitive values, with those values replaced by `***` in their messages.
 * Object names stay (suppressions and joins match them); a sensitive name of 8 characters or more is
 * replaced in the report by the last step, like any other.
 */
export function hideSensitiveValues(findings: Finding[], objects: readonly ScannedObject[]): Finding[] {
  const byKey = new Map<string, string[]>();
  for (const object of objects) {
    if (object.source.kind !== 'terraform') continue;
    const values = sensitiveOf(object);
    if (values.length === 0) continue;
    const key = objectKey(object.source.address, object.ref);
    byKey.set(key, [...(byKey.get(key) ?? []), ...values]);
  }
  if (byKey.size === 0) return findings;
  const replacers = new Map<string, ((text: string) => string) | undefined>();
  return findings.map((finding) => {
    if (finding.source.kind !== 'terraform') return finding;
    const key = objectKey(finding.source.address, finding.object);
    const values = byKey.get(key);
    if (values === undefined) return finding;
    if (!replacers.has(key)) replacers.set(key, replacerOf(values));
    const hide = replacers.get(key);
    if (hide === undefined) return finding;
    return { ...finding, message: hide(finding.message) };
  });
}
