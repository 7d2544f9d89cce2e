// The official SARIF 2.1.0 schema (OASIS, errata 01; see schemas/README.md) compiled with ajv.
// The file declares JSON Schema draft-04, which ajv 8 does not ship; it uses no keyword whose meaning
// changed after draft-04 except the top-level `id`, so renaming that to `$id` and compiling it as
// draft-07 validates exactly what the schema says.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { repoRoot } from '../helpers/shared.ts';

export const SARIF_SCHEMA_FILE = path.join(repoRoot, 'schemas', 'sarif-schema-2.1.0.json');

// RFC 3986: a URI (with scheme) and a URI reference (absolute or relative), percent-encoding checked.
const URI_CHARS = String.raw`(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*`;
const URI = new RegExp(String.raw`^[A-Za-z][A-Za-z0-9+.\-]*:${URI_CHARS}$`);
const URI_REFERENCE = new RegExp(`^${URI_CHARS}$`);

export function loadSarifValidator(): ValidateFunction {
  const raw = JSON.parse(readFileSync(SARIF_SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  if (raw.$schema !== 'http://json-schema.org/draft-04/schema#') throw new Error(`unexpected SARIF schema dialect ${String(raw.$schema)}`);
  const { $schema: _dialect, id, ...rest } = raw;
  if (typeof id !== 'string') throw new Error('the SARIF schema has no id');
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('uri', URI);
  ajv.addFormat('uri-reference', URI_REFERENCE);
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}T/.test(s));
  return ajv.compile({ ...rest, $id: id });
}
