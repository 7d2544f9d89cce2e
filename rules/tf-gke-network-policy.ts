// Without network policy enforcement, NetworkPolicy objects are accepted and silently do nothing.
import { clusterRule, planned } from './_templates/tf-cluster.ts';

const POLICY = '/network_policy';
const ENABLED = '/network_policy/0/enabled';
const DATAPATH = '/datapath_provider';

export default clusterRule({
  id: 'tf-gke-network-policy',
  types: ['google_container_cluster'],
  title: 'GKE must enforce NetworkPolicy',
  category: 'network',
  severity: 'medium',
  description:
    'A GKE cluster enforces NetworkPolicy only with network_policy { enabled = true } (Calico) or Dataplane V2 (datapath_provider = "ADVANCED_DATAPATH"). Without either, every pod can reach every other pod whatever policies the workloads ship.',
  remediation: 'Enable Dataplane V2 (datapath_provider = "ADVANCED_DATAPATH"), or set network_policy { enabled = true, provider = "CALICO" } together with addons_config { network_policy_config { disabled = false } }.',
  references: [{ title: 'GKE: enforce network policies', url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/network-policy' }],
  messages: { disabled: 'network policy enforcement is off (no network_policy, no Dataplane V2): NetworkPolicy objects have no effect' },
  *check(cluster, { unknown }) {
    const enabled = planned(cluster, ENABLED);
    const datapath = planned(cluster, DATAPATH);
    if ((enabled.known && enabled.value === true) || (datapath.known && datapath.value === 'ADVANCED_DATAPATH')) return;
    if (!enabled.known) {
      yield unknown(planned(cluster, POLICY).known ? ENABLED : POLICY, 'whether NetworkPolicy is enforced');
      return;
    }
    if (!datapath.known) {
      yield unknown(DATAPATH, 'whether Dataplane V2 enforces NetworkPolicy (the default datapath does not)');
      return;
    }
    const block = cluster.raw.network_policy;
    yield { messageId: 'disabled', path: Array.isArray(block) && block.length > 0 ? ENABLED : POLICY };
  },
});
