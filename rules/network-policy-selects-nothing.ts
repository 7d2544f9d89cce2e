// In a chart render (the whole app), a NetworkPolicy whose podSelector matches none of the chart's pods
// protects nothing: usually a label typo or a selector out of step with the workload's labels.
import { defineRule } from '../src/engine/rule-kit.ts';
import { isKubernetesNetworkPolicy } from '../src/k8s/network-policies.ts';
import { isObj } from '../src/k8s/values.ts';

export default defineRule({
  target: 'object',
  kinds: ['NetworkPolicy'],
  meta: {
    id: 'network-policy-selects-nothing',
    title: 'NetworkPolicy must select the chart\'s pods',
    category: 'network',
    defaultSeverity: 'low',
    description:
      'A NetworkPolicy whose podSelector matches none of the pods its chart deploys isolates nothing, while reviewers believe the workload is protected. Only checked for chart renders, where the scan holds the whole application; empty selectors (namespace-wide policies) are not reported.',
    remediation: 'Make the podSelector match the labels of the pod templates it is meant to protect.',
    references: [{ title: 'Network Policies', url: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/' }],
    messages: { nothing: 'podSelector matches none of the {{count}} pod templates in the chart' },
  },
  *check(policy, { unit }) {
    // Calico's NetworkPolicy shares the kind name but not the shape: its rules are not Kubernetes peers.
    if (!isKubernetesNetworkPolicy(policy.ref.apiVersion, policy.ref.kind)) return;
    if (!unit.complete || unit.pods.length === 0) return;
    const spec = isObj(policy.raw.spec) ? policy.raw.spec : {};
    const selector = spec.podSelector;
    if (!isObj(selector) || Object.keys(selector).every((k) => { const v = selector[k]; return v === null || (isObj(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0); })) return;
    if (unit.podsSelectedBy(policy).length > 0) return;
    yield { messageId: 'nothing', path: '/spec/podSelector', data: { count: unit.pods.length } };
  },
});
