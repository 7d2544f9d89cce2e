// AKS without Kubernetes RBAC gives every authenticated identity full control; without Entra ID, access
// is managed with static certificates instead of the organisation's identities.
import { clusterRule, planned, plannedAny } from './_templates/tf-cluster.ts';

// azurerm 3.x/4.x: role_based_access_control_enabled; 2.x: role_based_access_control[0].enabled
const RBAC = ['/role_based_access_control_enabled', '/role_based_access_control/0/enabled'] as const;
// azurerm 3.x/4.x: azure_active_directory_role_based_access_control; 2.x: role_based_access_control[0].azure_active_directory
const AAD = ['/azure_active_directory_role_based_access_control', '/role_based_access_control/0/azure_active_directory'] as const;

export default clusterRule({
  id: 'tf-aks-rbac',
  types: ['azurerm_kubernetes_cluster'],
  title: 'AKS must use Kubernetes RBAC with Entra ID',
  category: 'rbac',
  severity: 'high',
  description:
    'With Kubernetes RBAC disabled every authenticated identity is cluster-admin. Without Entra ID (Azure AD) integration, cluster access rests on shared certificates that cannot be revoked per person or tied to the organisation\'s identities and conditional access.',
  remediation: 'Keep role_based_access_control_enabled = true (azurerm 3.x/4.x; role_based_access_control { enabled = true } in 2.x) and add azure_active_directory_role_based_access_control { azure_rbac_enabled = true, admin_group_object_ids = [...] }.',
  references: [{ title: 'AKS: Microsoft Entra integration', url: 'https://learn.microsoft.com/azure/aks/enable-authentication-microsoft-entra-id' }],
  messages: {
    disabled: 'Kubernetes RBAC is disabled on the AKS cluster: every authenticated identity has full control',
    noAad: 'the AKS cluster has no Entra ID (Azure AD) integration: access relies on static certificates',
  },
  *check(cluster, { unknown }) {
    const rbac = plannedAny(cluster, RBAC);
    if (!rbac.known) yield unknown(rbac.at, 'whether Kubernetes RBAC is enabled');
    else if (rbac.value === false) {
      yield { messageId: 'disabled', path: rbac.at };
      return;
    }
    for (const pointer of AAD) {
      const aad = planned(cluster, pointer);
      if (!aad.known) {
        yield { ...unknown(pointer, 'whether access goes through Entra ID'), severity: 'info' };
        return;
      }
      if (Array.isArray(aad.value) && aad.value.length > 0) return;
    }
    yield { messageId: 'noAad', path: AAD[0], severity: 'low' };
  },
});
