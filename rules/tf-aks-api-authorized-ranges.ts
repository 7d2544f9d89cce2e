// A public AKS API server without authorized IP ranges accepts connections from the whole internet.
import { clusterRule, isWorld, planned } from './_templates/tf-cluster.ts';

const PRIVATE = '/private_cluster_enabled';
// azurerm 3.x/4.x: api_server_access_profile[0].authorized_ip_ranges; 2.x (and deprecated in 3.x): api_server_authorized_ip_ranges
const RANGES = ['/api_server_access_profile/0/authorized_ip_ranges', '/api_server_authorized_ip_ranges'] as const;

export default clusterRule({
  id: 'tf-aks-api-authorized-ranges',
  types: ['azurerm_kubernetes_cluster'],
  title: 'AKS API server must restrict authorized IP ranges',
  category: 'network',
  severity: 'high',
  description:
    'A public AKS cluster (private_cluster_enabled = false) without authorized IP ranges exposes its API server to the whole internet: every leaked credential or API-server vulnerability is exploitable from anywhere.',
  remediation: 'Set api_server_access_profile { authorized_ip_ranges = [...] } (api_server_authorized_ip_ranges in azurerm 2.x) to the administering networks, or make the cluster private (private_cluster_enabled = true).',
  references: [{ title: 'AKS: secure access to the API server using authorized IP address ranges', url: 'https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges' }],
  messages: {
    open: 'the AKS API server is public and has no authorized IP ranges: reachable from any address',
    world: 'authorized IP ranges include {{cidr}}: the AKS API server is reachable from any address',
  },
  *check(cluster, { unknown }) {
    const isPrivate = planned(cluster, PRIVATE);
    if (isPrivate.known && isPrivate.value === true) return;
    let unknownAt: string | undefined;
    for (const pointer of RANGES) {
      const ranges = planned(cluster, pointer);
      if (!ranges.known) {
        unknownAt ??= pointer.startsWith('/api_server_access_profile') && !planned(cluster, '/api_server_access_profile').known ? '/api_server_access_profile' : pointer;
        continue;
      }
      const list = Array.isArray(ranges.value) ? ranges.value : [];
      if (list.length === 0) continue;
      for (const [i, cidr] of list.entries()) {
        const at = `${pointer}/${i}`;
        if (!planned(cluster, at).known) {
          yield unknown(at, 'an authorized range the plan does not know yet');
        } else if (typeof cidr === 'string' && isWorld(cidr)) {
          yield { messageId: 'world', path: at, data: { cidr } };
        }
      }
      return;
    }
    if (!isPrivate.known) yield unknown(PRIVATE, 'whether the API server is public');
    else if (unknownAt !== undefined) yield unknown(unknownAt, 'which addresses may reach the public API server (none configured means any)');
    else yield { messageId: 'open', path: RANGES[0] };
  },
});
