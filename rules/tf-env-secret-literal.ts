// kubernetes_env writes env entries into a container of a workload that already exists: a credential
// given there as a literal is in the workload's spec (and the plan and state) in clear, as with
// secret-literal-env, which cannot see it (the plan holds the entries, not the workload).
import { defineRule, type Report } from '../src/engine/rule-kit.ts';
import { arr, isObj, str } from '../src/k8s/values.ts';
import { detectByName, detectFormat, pairedAwsSecrets, redact } from '../src/secrets/secret-literal.ts';

export default defineRule({
  target: 'object',
  kinds: ['kubernetes_env'],
  includeTerraformResources: true,
  meta: {
    id: 'tf-env-secret-literal',
    title: 'No credentials as literal kubernetes_env values',
    category: 'secrets',
    defaultSeverity: 'high',
    description:
      'A `kubernetes_env` resource adds environment variables to a container of an existing workload. A credential given as a literal `value` ends up in the workload spec in etcd, shown by every `kubectl get -o yaml`, as with a literal in the manifest (secret-literal-env: same detection, by credential-like name or known token format). Messages show only the value\'s length.',
    remediation: 'Use `value_from.secret_key_ref` to a Secret instead of a literal value; then rotate the credential, since it has already been exposed.',
    references: [{ title: 'Kubernetes: good practices for Secrets', url: 'https://kubernetes.io/docs/concepts/security/secrets-good-practices/' }],
    messages: {
      name: 'kubernetes_env sets {{variable}} on container "{{container}}" of {{target}} to a literal value {{redacted}}; a variable named like a credential should come from a Secret',
      format: 'kubernetes_env sets {{variable}} on container "{{container}}" of {{target}} to what looks like {{what}} {{redacted}}',
    },
  },
  *check(object): Generator<Report> {
    if (object.ref.apiVersion !== 'terraform/v1') return;
    const target = isObj(object.raw.target) ? object.raw.target : {};
    const where = `${str(target.kind) ?? 'workload'} ${[str(target.namespace), str(target.name)].filter(Boolean).join('/')}`.trim();
    const container = str(object.raw.container) ?? str(object.raw.initContainer) ?? '';
    const env = arr(object.raw.env);
    const values = env.map((item) => (isObj(item) && typeof item.value === 'string' ? item.value : ''));
    const awsSecrets = pairedAwsSecrets(values);
    for (const [index, item] of env.entries()) {
      if (!isObj(item) || typeof item.name !== 'string' || typeof item.value !== 'string' || item.valueFrom !== undefined) continue;
      const detection =
        detectFormat(item.value) ??
        (awsSecrets.has(index) ? { signal: 'format' as const, what: 'an AWS secret access key', length: [...item.value].length } : detectByName(item.name, item.value));
      if (!detection) continue;
      yield { messageId: detection.signal, path: `/env/${index}/value`, data: { variable: item.name, container, target: where, what: detection.what, redacted: redact(detection.length) } };
    }
  },
});
