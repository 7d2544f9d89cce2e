// Evaluates each workload against the Pod Security level its own namespace enforces (when the scan holds
// that Namespace): a pod that the namespace will reject fails at apply time, not at review time.
import { defineRule } from '../src/engine/rule-kit.ts';
import { namespaceEnforcement } from '../src/pss/namespace-labels.ts';
import { evaluatePod, forbiddenReasons } from '../src/pss/index.ts';

export default defineRule({
  target: 'pod',
  // The Namespace is often created apart from what runs in it: every Namespace of the scan is read.
  scope: 'scan',
  meta: {
    id: 'pss-namespace-rejection',
    title: 'Pods must pass their namespace\'s enforced Pod Security level',
    category: 'admission',
    defaultSeverity: 'high',
    description:
      'When the scan holds the Namespace a workload is deployed to, the workload is evaluated at the level and version that namespace enforces. Pod Security Admission rejects such pods at creation (for a Deployment, its ReplicaSet never gets pods), so the change would break the rollout.',
    remediation: 'Fix the pod\'s security settings to meet the namespace\'s enforced level (see the pss-* findings for each field), or deploy to a namespace whose policy allows it.',
    references: [{ title: 'Pod Security Admission', url: 'https://kubernetes.io/docs/concepts/security/pod-security-admission/' }],
    messages: {
      rejected: 'Pods of {{kind}}/{{name}} will be rejected in namespace {{namespace}}: enforce={{policy}} ({{reasons}})',
    },
  },
  *check(pod, { unit, namespaces }) {
    const namespaceName = unit.namespaceOf(pod.object);
    const namespace = namespaces.get(namespaceName);
    if (!namespace) return;
    const enforcement = namespaceEnforcement(namespace.raw);
    if (enforcement.level === undefined || enforcement.level === 'privileged') return;
    const verdict = evaluatePod({ metadata: pod.metadata, spec: pod.spec }, enforcement.level, enforcement.version);
    if (verdict.allowed) return;
    const first = verdict.violations[0]!;
    yield {
      messageId: 'rejected',
      path: first.fields[0]?.path ?? '/spec',
      data: {
        kind: pod.object.ref.kind,
        name: pod.object.ref.name,
        namespace: namespaceName,
        policy: `${enforcement.level}:${enforcement.version}`,
        reasons: forbiddenReasons(verdict.violations),
      },
      related: [namespace.ref],
    };
  },
});
