// Shielded GKE nodes prove their identity to the control plane, so a stolen bootstrap credential cannot impersonate a node.
import { clusterRule, planned } from './_templates/tf-cluster.ts';

const SHIELDED = '/enable_shielded_nodes';

export default clusterRule({
  id: 'tf-gke-shielded-nodes',
  types: ['google_container_cluster'],
  title: 'GKE should use Shielded nodes',
  category: 'workload',
  severity: 'medium',
  description:
    'Shielded GKE nodes use verifiable node identity and integrity (secure boot, vTPM). Without them, an attacker who extracts a node\'s bootstrap credentials from a pod can register a rogue node and receive the Secrets of pods scheduled on it.',
  remediation: 'Set enable_shielded_nodes = true (the default in current GKE versions).',
  references: [{ title: 'GKE: Shielded GKE nodes', url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/shielded-gke-nodes' }],
  messages: { disabled: 'Shielded GKE nodes are disabled: node identity is not verified' },
  *check(cluster, { unknown }) {
    const shielded = planned(cluster, SHIELDED);
    if (!shielded.known) yield unknown(SHIELDED, 'whether nodes are Shielded GKE nodes');
    else if (shielded.value !== true) yield { messageId: 'disabled', path: SHIELDED };
  },
});
