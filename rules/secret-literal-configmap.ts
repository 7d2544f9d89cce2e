import { join } from '../src/model/pointer.ts';
import { defineRule, type ObjectRule, type Report } from '../src/engine/rule-kit.ts';
import { obj } from '../src/k8s/values.ts';
import { detectByName, detectFormat, embeddedEntries, mayNameCredential, pairedAwsSecrets, redact, type SecretDetection } from '../src/secrets/secret-literal.ts';

/**
 * Most of a binaryData value decoded: a ConfigMap holds at most 1 MiB (the API server rejects more), so
 * nothing past it can reach a cluster, and a longer value is not worth decoding whole.
 */
const MAX_BINARY_BYTES = 1024 * 1024;

/**
 * The bytes a binaryData value carries, as text (Latin-1 past invalid UTF-8, so the ASCII of a PEM block
 * or token inside binary content still reads), and whether it is printable text. The API server decodes
 * standard base64 and ignores line breaks; other whitespace is tolerated here too.
 */
function decodeBinary(raw: string): { text: string; printable: boolean } {
  const compact = raw.replace(/\s+/g, '');
  const encoded = compact.slice(0, Math.ceil(MAX_BINARY_BYTES / 3) * 4);
  const bytes = Buffer.from(encoded, 'base64');
  const utf8 = bytes.toString('utf8');
  if (!utf8.includes('\uFFFD')) return { text: utf8, printable: !/[\u0000-\u0008\u000e-\u001f]/.test(utf8) };
  return { text: bytes.toString('latin1'), printable: false };
}

interface Value {
  key: string;
  path: string;
  text: string;
  /** Whether the name and embedded-file signals apply (text, not binary content). */
  printable: boolean;
}

function valuesOf(raw: Record<string, unknown>): Value[] {
  const out: Value[] = [];
  for (const [key, value] of Object.entries(obj(raw.data) ?? {})) {
    if (typeof value === 'string') out.push({ key, path: join('/data', key), text: value, printable: true });
  }
  for (const [key, value] of Object.entries(obj(raw.binaryData) ?? {})) {
    if (typeof value === 'string') out.push({ key, path: join('/binaryData', key), ...decodeBinary(value) });
  }
  return out;
}

export default defineRule<ObjectRule>({
  meta: {
    id: 'secret-literal-configmap',
    title: 'No credentials in ConfigMaps',
    category: 'secrets',
    defaultSeverity: 'high',
    description:
      'ConfigMaps are meant for non-confidential data: RBAC usually grants them to many more subjects than Secrets, they are rarely encrypted at rest, and they end up in dashboards and support bundles. Reported for credential-named `data` keys holding a literal, values containing a known token format (PEM private key, cloud or SaaS token, JWT, `Bearer` token, URL or connection string with a password; an AWS secret key next to its access key ID), and credential-named keys set to literals inside configuration files stored in a value (YAML, JSON, properties, .env, INI, XML; comment lines and code expressions skipped). `binaryData` values are decoded from base64 (the first 1 MiB, a ConfigMap\'s limit) and checked the same way: token formats in any content, names and embedded files when the content is text. Messages show only the value\'s length.',
    remediation:
      'Move the credential into a Secret (or an external secret manager) and mount or reference it from there; keep the rest of the configuration in the ConfigMap, using the application\'s include or environment substitution for the secret part. Rotate the exposed credential.',
    references: [
      { title: 'Kubernetes: ConfigMaps', url: 'https://kubernetes.io/docs/concepts/configuration/configmap/' },
      { title: 'Kubernetes: good practices for Secrets', url: 'https://kubernetes.io/docs/concepts/security/secrets-good-practices/' },
    ],
    messages: {
      name: 'ConfigMap key "{{key}}" holds a literal credential {{redacted}}',
      format: 'ConfigMap key "{{key}}" contains what looks like {{what}} {{redacted}}',
      embedded: 'ConfigMap key "{{key}}" sets "{{entry}}" (line {{line}}) to a literal credential {{redacted}}{{more}}',
    },
  },
  target: 'object',
  kinds: ['ConfigMap'],
  *check(object): Generator<Report> {
    const values = valuesOf(object.raw);
    if (values.length === 0) return;
    const awsSecrets = pairedAwsSecrets(values.map((v) => v.text));
    for (const [position, { key, path, text: value, printable }] of values.entries()) {
      const direct: SecretDetection | undefined =
        detectFormat(value) ??
        (awsSecrets.has(position) ? { signal: 'format', what: 'an AWS secret access key', length: 40 } : undefined) ??
        (!printable || value.trimEnd().includes('\n') ? undefined : detectByName(key, value));
      if (direct) {
        yield { messageId: direct.signal, path, data: { key, what: direct.what, redacted: redact(direct.length) } };
        continue;
      }
      if (!printable || !/[:=<]/.test(value) || !mayNameCredential(value)) continue;
      const hits = embeddedEntries(value).flatMap((entry) => {
        const detection = detectByName(entry.key, entry.value);
        return detection ? [{ entry, detection }] : [];
      });
      const first = hits[0];
      if (!first) continue;
      const more = hits.length > 1 ? ` and ${hits.length - 1} more` : '';
      yield {
        messageId: 'embedded',
        path,
        data: { key, entry: first.entry.key, line: first.entry.line, redacted: redact(first.detection.length), more },
      };
    }
  },
});
