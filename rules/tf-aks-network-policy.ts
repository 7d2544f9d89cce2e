// Without a network policy engine, NetworkPolicy objects are accepted and silently do nothing.
import { clusterRule, planned } from './_templates/tf-cluster.ts';

const PROFILE = '/network_profile';
const POLICY = '/network_profile/0/network_policy';
const ENGINES = new Set(['azure', 'calico', 'cilium']);

export default clusterRule({
  id: 'tf-aks-network-policy',
  types: ['azurerm_kubernetes_cluster'],
  title: 'AKS must enforce NetworkPolicy',
  category: 'network',
  severity: 'medium',
  description:
    'network_profile.network_policy selects the engine that enforces NetworkPolicy (azure, calico or cilium). Without one, every pod can reach every other pod whatever policies the workloads ship; it can only be set when the cluster is created.',
  remediation: 'Set network_profile { network_plugin = "azure", network_policy = "azure" } (or "calico", or "cilium" with network_data_plane = "cilium").',
  references: [{ title: 'AKS: secure traffic between pods using network policies', url: 'https://learn.microsoft.com/azure/aks/use-network-policies' }],
  messages: { none: 'the AKS cluster has no network policy engine: NetworkPolicy objects have no effect' },
  *check(cluster, { unknown }) {
    const profile = planned(cluster, PROFILE);
    if (!profile.known) {
      yield unknown(PROFILE, 'whether NetworkPolicy is enforced');
      return;
    }
    if (!Array.isArray(profile.value) || profile.value.length === 0) {
      yield { messageId: 'none', path: PROFILE };
      return;
    }
    const policy = planned(cluster, POLICY);
    if (!policy.known) yield unknown(POLICY, 'whether NetworkPolicy is enforced');
    else if (typeof policy.value !== 'string' || !ENGINES.has(policy.value.toLowerCase())) yield { messageId: 'none', path: POLICY };
  },
});
