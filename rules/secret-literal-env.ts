import { defineRule, type PodRule } from '../src/engine/rule-kit.ts';
import { arr, isObj } from '../src/k8s/values.ts';
import { detectByName, detectFormat, pairedAwsSecrets, redact } from '../src/secrets/secret-literal.ts';

export default defineRule<PodRule>({
  meta: {
    id: 'secret-literal-env',
    title: 'No credentials as literal environment values',
    category: 'secrets',
    defaultSeverity: 'high',
    description:
      'A credential written into `env[].value` lives in the repository, the rendered manifest and the object in etcd, is shown by every `kubectl get -o yaml`, and cannot be rotated without a redeploy. Reported when the variable is named like a credential and holds a literal (not an empty value, boolean, number, path, URL without a password, or `$(VAR)`/template reference; names such as TOKEN_FILE, PASSWORD_PATH, SECRET_NAME, *_REF, AUTH_ENABLED or TOKEN_TTL describe a credential rather than hold one), or when any value contains a known token format (PEM private key, AWS access key ID and a secret key next to it, GitHub, GitLab, Slack, npm, Stripe, Google, SendGrid, OpenAI, Anthropic, Azure, Vault and other prefixed tokens, JWT, `Bearer` token, HTTP basic credentials, URL or connection string with a password). `*_KEY` names other than API/secret/private/... keys (AZURE_BATCH_KEY, but also CACHE_KEY) count only when the value looks like random key material; `*_KEY_ID` names an identifier, not a secret. Messages show only the value\'s length.',
    remediation:
      'Move the value into a Secret (or an external secret manager synced into one) and reference it with `valueFrom.secretKeyRef`, or mount it as a file; then rotate the credential, since it has already been exposed.',
    references: [
      { title: 'Kubernetes: good practices for Secrets', url: 'https://kubernetes.io/docs/concepts/security/secrets-good-practices/' },
      { title: 'Kubernetes: Secrets', url: 'https://kubernetes.io/docs/concepts/configuration/secret/' },
    ],
    messages: {
      name: 'container "{{container}}" sets {{variable}} to a literal value {{redacted}}; a variable named like a credential should come from a Secret',
      format: 'container "{{container}}" sets {{variable}} to what looks like {{what}} {{redacted}}',
    },
  },
  target: 'pod',
  *check(pod) {
    for (const view of pod.containers) {
      const env = arr(view.container.env);
      const values = env.map((item) => (isObj(item) && typeof item.value === 'string' ? item.value : ''));
      // An AWS secret key has no format of its own: it is recognised next to its access key ID.
      const awsSecrets = pairedAwsSecrets(values);
      for (let index = 0; index < env.length; index++) {
        const item = env[index];
        if (!isObj(item) || typeof item.name !== 'string' || typeof item.value !== 'string' || item.valueFrom !== undefined) continue;
        const detection =
          detectFormat(item.value) ??
          (awsSecrets.has(index) ? { signal: 'format' as const, what: 'an AWS secret access key', length: [...item.value].length } : detectByName(item.name, item.value));
        if (!detection) continue;
        yield {
          messageId: detection.signal,
          path: `${view.pointer}/env/${index}/value`,
          data: { container: view.name, variable: item.name, what: detection.what, redacted: redact(detection.length) },
        };
      }
    }
  },
});
