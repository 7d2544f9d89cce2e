// In a chart render, a pod naming a service account the chart does not create will not start unless
// someone creates it by hand, and may then run with permissions nobody reviewed.
import { defineRule } from '../src/engine/rule-kit.ts';

export default defineRule({
  target: 'pod',
  meta: {
    id: 'service-account-missing',
    title: 'Referenced service accounts must be defined',
    category: 'rbac',
    defaultSeverity: 'medium',
    description:
      'A pod template naming a ServiceAccount that its chart does not define fails to create pods until the account exists, and then runs with whatever that account was given outside review. Checked only for chart renders, where the scan holds the whole app.',
    remediation: 'Create the ServiceAccount in the chart (serviceAccount.create), or document and reference an account that the platform provides.',
    references: [{ title: 'Service accounts', url: 'https://kubernetes.io/docs/concepts/security/service-accounts/' }],
    messages: { missing: 'service account {{account}} is not defined in the chart' },
  },
  *check(pod, { unit }) {
    if (!unit.complete) return;
    const account = unit.serviceAccountOf(pod);
    if (!account.explicit || account.name === 'default' || account.object) return;
    yield { messageId: 'missing', path: '/spec/serviceAccountName', data: { account: account.name } };
  },
});
