// A mounted API token that the workload never uses is a credential an attacker gets for free.
import { defineRule } from '../src/engine/rule-kit.ts';

export default defineRule({
  target: 'pod',
  // The values edit that removes the finding (src/fix proves it by re-rendering every value set).
  fix: { set: { automountServiceAccountToken: false } },
  meta: {
    id: 'service-account-token-automount',
    title: 'Do not mount an API token the workload does not use',
    category: 'rbac',
    defaultSeverity: 'low',
    description:
      'Every pod gets its service account\'s API token mounted unless automountServiceAccountToken is false. When the chart grants that service account no RBAC permissions, the workload does not need the API, and the token only helps an attacker (discovery, and whatever the cluster grants all service accounts). Checked for chart renders, where the scan holds the whole app and its bindings.',
    remediation: 'Set `automountServiceAccountToken: false` in the pod spec (or on the ServiceAccount); mount a projected token only where the API is used.',
    references: [{ title: 'Opt out of API credential automounting', url: 'https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting' }],
    messages: { unused: 'the API token of service account {{account}} is mounted, but the chart grants it no permissions' },
  },
  *check(pod, { unit }) {
    if (!unit.complete || !unit.tokenMounted(pod)) return;
    const account = unit.serviceAccountOf(pod);
    if (unit.grantsFor(account.namespace, account.name).length > 0) return;
    yield { messageId: 'unused', path: '/spec/automountServiceAccountToken', data: { account: account.name } };
  },
});
