// A namespace that enforces `privileged` (or nothing) admits any pod: the cluster's last gate is open.
import { join } from '../src/model/pointer.ts';
import { defineRule } from '../src/engine/rule-kit.ts';
import { ENFORCE_LABEL, namespaceEnforcement } from '../src/pss/namespace-labels.ts';

export default defineRule({
  target: 'object',
  kinds: ['Namespace'],
  meta: {
    id: 'namespace-pss-enforce',
    title: 'Namespaces must enforce a Pod Security level',
    category: 'admission',
    defaultSeverity: 'medium',
    description:
      'Pod Security Admission rejects pods only in namespaces labelled to enforce baseline or restricted. A namespace that enforces privileged, or sets no enforce label (the built-in default is privileged), admits privileged and host-namespace pods.',
    remediation: 'Label the namespace `pod-security.kubernetes.io/enforce: restricted` (or baseline), with `pod-security.kubernetes.io/enforce-version` pinned if you want stable behaviour.',
    references: [{ title: 'Enforce Pod Security Standards with namespace labels', url: 'https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/' }],
    messages: {
      missing: 'namespace sets no pod-security.kubernetes.io/enforce label: pods are admitted at the cluster default (privileged unless configured)',
      privileged: 'namespace enforces privileged: any pod is admitted',
      invalid: 'label {{label}} has an invalid value: the API server rejects it',
    },
  },
  *check(namespace) {
    const enforcement = namespaceEnforcement(namespace.raw);
    for (const label of enforcement.invalid) yield { messageId: 'invalid', path: join('/metadata/labels', label), data: { label }, severity: 'high' };
    if (enforcement.level === undefined) yield { messageId: 'missing', path: '/metadata/labels' };
    else if (enforcement.level === 'privileged' && enforcement.invalid.length === 0) yield { messageId: 'privileged', path: join('/metadata/labels', ENFORCE_LABEL) };
  },
});
