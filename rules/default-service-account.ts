// Workloads sharing the namespace's `default` service account share every permission anyone grants it.
import { defineRule } from '../src/engine/rule-kit.ts';

export default defineRule({
  target: 'pod',
  meta: {
    id: 'default-service-account',
    title: 'Pods should not run as the default service account with a token',
    category: 'rbac',
    defaultSeverity: 'low',
    description:
      'Pods without a serviceAccountName run as the namespace\'s `default` service account. Every such pod shares its identity and whatever permissions are ever bound to it, so one grant meant for one app reaches all of them. Not reported when the token is not mounted.',
    remediation: 'Give the workload its own ServiceAccount (serviceAccountName), or set automountServiceAccountToken: false if it does not use the API.',
    references: [{ title: 'Service accounts', url: 'https://kubernetes.io/docs/concepts/security/service-accounts/' }],
    messages: { defaultAccount: 'pods run as the namespace\'s default service account with its API token mounted' },
  },
  *check(pod, { unit }) {
    const account = unit.serviceAccountOf(pod);
    if (account.name !== 'default' || !unit.tokenMounted(pod)) return;
    yield { messageId: 'defaultAccount', path: account.explicit ? '/spec/serviceAccountName' : '/spec' };
  },
});
