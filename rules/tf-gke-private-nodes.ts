// Nodes with public IP addresses are directly reachable from the internet.
import { clusterRule, planned } from './_templates/tf-cluster.ts';

const CONFIG = '/private_cluster_config';
const PRIVATE_NODES = '/private_cluster_config/0/enable_private_nodes';

export default clusterRule({
  id: 'tf-gke-private-nodes',
  types: ['google_container_cluster'],
  title: 'GKE nodes should be private',
  category: 'network',
  severity: 'medium',
  description:
    'Without private nodes every node gets an external IP address: kubelets, NodePort services and anything listening on the host network are exposed to the internet, limited only by firewall rules.',
  remediation: 'Set private_cluster_config { enable_private_nodes = true } (with a master_ipv4_cidr_block) and give nodes egress through Cloud NAT.',
  references: [{ title: 'GKE: creating a private cluster', url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/private-clusters' }],
  messages: { public: 'GKE nodes are not private: each gets an external IP address' },
  *check(cluster, { unknown }) {
    const nodes = planned(cluster, PRIVATE_NODES);
    if (!nodes.known) {
      yield unknown(planned(cluster, CONFIG).known ? PRIVATE_NODES : CONFIG, 'whether nodes get external IP addresses');
      return;
    }
    if (nodes.value === true) return;
    const block = cluster.raw.private_cluster_config;
    yield { messageId: 'public', path: Array.isArray(block) && block.length > 0 ? PRIVATE_NODES : CONFIG };
  },
});
