// Without control-plane logs there is no audit trail of who did what through the API.
import { clusterRule, planned, strings } from './_templates/tf-cluster.ts';

const LOG_TYPES = '/enabled_cluster_log_types';
const REQUIRED = ['api', 'audit', 'authenticator'] as const;

export default clusterRule({
  id: 'tf-eks-control-plane-logging',
  types: ['aws_eks_cluster'],
  title: 'EKS control-plane audit logging must be enabled',
  category: 'admission',
  severity: 'medium',
  description:
    'enabled_cluster_log_types decides which control-plane logs reach CloudWatch. Without `audit`, `api` and `authenticator` there is no record of who called the API, with which identity, and what was changed: an intrusion cannot be investigated.',
  remediation: 'Set enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"] (at least api, audit and authenticator).',
  references: [{ title: 'Amazon EKS control plane logging', url: 'https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html' }],
  messages: {
    none: 'no EKS control-plane log types are enabled: API calls leave no audit trail',
    missing: 'EKS control-plane logging lacks {{missing}}',
  },
  *check(cluster, { unknown }) {
    const types = planned(cluster, LOG_TYPES);
    if (!types.known) {
      yield unknown(LOG_TYPES, 'which control-plane logs are kept');
      return;
    }
    const list = Array.isArray(types.value) ? types.value : [];
    if (list.length === 0) {
      yield { messageId: 'none', path: LOG_TYPES };
      return;
    }
    const unknownIndex = list.findIndex((_, i) => !planned(cluster, `${LOG_TYPES}/${i}`).known);
    const enabled = strings(list);
    const missing = REQUIRED.filter((type) => !enabled.includes(type));
    if (missing.length === 0) return;
    if (unknownIndex !== -1) yield unknown(`${LOG_TYPES}/${unknownIndex}`, `a log type the plan does not know yet (${missing.join(', ')} not known to be enabled)`);
    else yield { messageId: 'missing', path: LOG_TYPES, data: { missing: missing.join(', ') } };
  },
});
