import { join } from '../src/core/pointer.ts';
import { defineRule, type ObjectRule, type Report } from '../src/engine/rule-kit.ts';
import { obj } from '../src/k8s/values.ts';
import { detectByName, detectFormat, embeddedEntries, mayNameCredential, pairedAwsSecrets, redact, type SecretDetection } from './_templates/secret-literal.ts';

export default defineRule<ObjectRule>({
  meta: {
    id: 'secret-literal-configmap',
    title: 'No credentials in ConfigMaps',
    category: 'secrets',
    defaultSeverity: 'high',
    description:
      'ConfigMaps are meant for non-confidential data: RBAC usually grants them to many more subjects than Secrets, they are rarely encrypted at rest, and they end up in dashboards and support bundles. Reported for credential-named `data` keys holding a literal, values containing a known token format (PEM private key, cloud or SaaS token, JWT, `Bearer` token, URL or connection string with a password; an AWS secret key next to its access key ID), and credential-named keys set to literals inside configuration files stored in a value (YAML, JSON, properties, .env, INI, XML; comment lines and code expressions skipped). Messages show only the value\'s length.',
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
    const data = obj(object.raw.data);
    if (!data) return;
    const entries = Object.entries(data);
    const awsSecrets = pairedAwsSecrets(entries.map(([, value]) => (typeof value === 'string' ? value : '')));
    for (const [position, [key, value]] of entries.entries()) {
      if (typeof value !== 'string') continue;
      const path = join('/data', key);
      const direct: SecretDetection | undefined =
        detectFormat(value) ??
        (awsSecrets.has(position) ? { signal: 'format', what: 'an AWS secret access key', length: 40 } : undefined) ??
        (value.trimEnd().includes('\n') ? undefined : detectByName(key, value));
      if (direct) {
        yield { messageId: direct.signal, path, data: { key, what: direct.what, redacted: redact(direct.length) } };
        continue;
      }
      if (!/[:=<]/.test(value) || !mayNameCredential(value)) continue;
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
