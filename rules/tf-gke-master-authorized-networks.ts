// A GKE control plane with a public endpoint and no authorized networks accepts connections from anywhere.
import { clusterRule, isWorld, planned } from './_templates/tf-cluster.ts';

const CONFIG = '/master_authorized_networks_config';
const PRIVATE_ENDPOINT = '/private_cluster_config/0/enable_private_endpoint';

export default clusterRule({
  id: 'tf-gke-master-authorized-networks',
  types: ['google_container_cluster'],
  title: 'GKE control plane must restrict its authorized networks',
  category: 'network',
  severity: 'high',
  description:
    'Unless the control plane has only a private endpoint, master_authorized_networks_config limits which networks may reach the API server. Without it (or with 0.0.0.0/0 in it) the API server is reachable from the whole internet.',
  remediation: 'Add master_authorized_networks_config with cidr_blocks for the administering networks only, or make the endpoint private (private_cluster_config { enable_private_endpoint = true }).',
  references: [{ title: 'GKE: add authorized networks for control plane access', url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/authorized-networks' }],
  messages: {
    none: 'the GKE control plane has a public endpoint and no master_authorized_networks_config: reachable from any address',
    world: 'master_authorized_networks_config allows {{cidr}}: the control plane is reachable from any address',
  },
  *check(cluster, { unknown }) {
    const privateEndpoint = planned(cluster, PRIVATE_ENDPOINT);
    if (privateEndpoint.known && privateEndpoint.value === true) return;
    const config = planned(cluster, CONFIG);
    if (!config.known) {
      yield unknown(CONFIG, 'which networks may reach the control plane');
      return;
    }
    if (!Array.isArray(config.value) || config.value.length === 0) {
      if (!privateEndpoint.known) yield unknown(PRIVATE_ENDPOINT, 'whether the control plane endpoint is private');
      else yield { messageId: 'none', path: CONFIG };
      return;
    }
    const blocks = planned(cluster, `${CONFIG}/0/cidr_blocks`);
    if (!blocks.known) {
      yield unknown(`${CONFIG}/0/cidr_blocks`, 'which networks may reach the control plane');
      return;
    }
    for (let i = 0; i < (Array.isArray(blocks.value) ? blocks.value.length : 0); i++) {
      const at = `${CONFIG}/0/cidr_blocks/${i}/cidr_block`;
      const cidr = planned(cluster, at);
      if (!cidr.known) yield unknown(at, 'an authorized network the plan does not know yet');
      else if (typeof cidr.value === 'string' && isWorld(cidr.value)) yield { messageId: 'world', path: at, data: { cidr: cidr.value } };
    }
  },
});
