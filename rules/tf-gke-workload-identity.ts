// Without Workload Identity, pods use the node's service account (and can reach its metadata credentials).
import { clusterRule, planned, plannedAny } from './_templates/tf-cluster.ts';

const CONFIG = '/workload_identity_config';
// google provider 4.0 renamed identity_namespace to workload_pool
const POOLS = ['/workload_identity_config/0/workload_pool', '/workload_identity_config/0/identity_namespace'] as const;

export default clusterRule({
  id: 'tf-gke-workload-identity',
  types: ['google_container_cluster'],
  title: 'GKE should enable Workload Identity',
  category: 'rbac',
  severity: 'medium',
  description:
    'Without Workload Identity every pod can obtain the node service account\'s Google credentials from the metadata server, so one compromised pod acts with the permissions of every workload on the node.',
  remediation: 'Set workload_identity_config { workload_pool = "<project>.svc.id.goog" } (identity_namespace with google provider 3.x) and node_config { workload_metadata_config { mode = "GKE_METADATA" } } on node pools.',
  references: [{ title: 'GKE: use Workload Identity', url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity' }],
  messages: { disabled: 'Workload Identity is not enabled: pods can use the node service account\'s credentials' },
  *check(cluster, { unknown }) {
    const config = planned(cluster, CONFIG);
    if (!config.known) {
      yield unknown(CONFIG, 'whether pods get their own Google identity');
      return;
    }
    if (!Array.isArray(config.value) || config.value.length === 0) {
      yield { messageId: 'disabled', path: CONFIG };
      return;
    }
    const pool = plannedAny(cluster, POOLS);
    if (!pool.known) yield unknown(pool.at, 'whether pods get their own Google identity');
    else if (typeof pool.value !== 'string' || pool.value === '') yield { messageId: 'disabled', path: CONFIG };
  },
});
