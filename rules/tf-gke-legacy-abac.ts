// Legacy ABAC grants broad static permissions that RBAC cannot restrict.
import { clusterRule, planned } from './_templates/tf-cluster.ts';

const ABAC = '/enable_legacy_abac';

export default clusterRule({
  id: 'tf-gke-legacy-abac',
  types: ['google_container_cluster'],
  title: 'GKE legacy ABAC must be disabled',
  category: 'rbac',
  severity: 'high',
  description:
    'With legacy Attribute-Based Access Control, GKE grants permissions outside Kubernetes RBAC (historically broad rights to every service account and kubelet); RBAC policies no longer bound what an identity can do.',
  remediation: 'Set enable_legacy_abac = false (the default) and grant access through RBAC roles and bindings.',
  references: [{ title: 'GKE hardening: leave legacy ABAC disabled', url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster#leave_abac_disabled_default_for_110' }],
  messages: { enabled: 'legacy ABAC is enabled: permissions are granted outside RBAC' },
  *check(cluster, { unknown }) {
    const abac = planned(cluster, ABAC);
    if (!abac.known) yield unknown(ABAC, 'whether legacy ABAC is enabled');
    else if (abac.value === true) yield { messageId: 'enabled', path: ABAC };
  },
});
