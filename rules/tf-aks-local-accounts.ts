// Local accounts give a static cluster-admin credential that bypasses Entra ID and its audit.
import { clusterRule, planned } from './_templates/tf-cluster.ts';

const LOCAL = '/local_account_disabled';

export default clusterRule({
  id: 'tf-aks-local-accounts',
  types: ['azurerm_kubernetes_cluster'],
  title: 'AKS local accounts should be disabled',
  category: 'rbac',
  severity: 'medium',
  description:
    'Unless local_account_disabled is true, `az aks get-credentials --admin` (and the planned kube_admin_config) yields a static cluster-admin certificate that bypasses Entra ID, conditional access and per-user audit, and cannot be revoked short of rotating the cluster certificates.',
  remediation: 'Set local_account_disabled = true (requires Entra ID integration) and grant administrators access through Entra ID groups.',
  references: [{ title: 'AKS: manage local accounts', url: 'https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad' }],
  messages: { enabled: 'AKS local accounts are enabled: a static cluster-admin credential exists' },
  *check(cluster, { unknown }) {
    const local = planned(cluster, LOCAL);
    if (!local.known) yield unknown(LOCAL, 'whether a static admin credential exists');
    else if (local.value !== true) yield { messageId: 'enabled', path: LOCAL };
  },
});
