// In a chart render (the whole app), a NetworkPolicy whose podSelector matches none of the chart's pods
// protects nothing: usually a label typo or a selector out of step with the workload's labels.
import { defineRule, type Report } from '../src/engine/rule-kit.ts';
import { isKubernetesNetworkPolicy } from '../src/k8s/network-policies.ts';
import type { ScannedObject } from '../src/model/model.ts';
import { apiGroup } from '../src/k8s/workloads.ts';
import { arr, isObj, str, type Obj } from '../src/k8s/values.ts';

/**
 * For a namespaced Cilium or Calico policy with a selector that names labels: where the selector is. An
 * empty selector (`{}`, `all()`, none) is namespace-wide and never reported.
 */
function otherDialect(policy: ScannedObject): { path: string; field: string } | undefined {
  const group = apiGroup(policy.ref.apiVersion);
  const spec = isObj(policy.raw.spec) ? policy.raw.spec : {};
  if (group === 'cilium.io' && policy.ref.kind === 'CiliumNetworkPolicy') {
    const rules: [string, unknown][] = [['/spec', policy.raw.spec], ...arr(policy.raw.specs).map((rule, i): [string, unknown] => [`/specs/${i}`, rule])];
    const selectors = rules.filter(([, rule]) => isObj(rule) && isObj(rule.endpointSelector));
    // A policy with any empty endpointSelector selects the whole namespace.
    if (selectors.length === 0 || selectors.some(([, rule]) => isEmpty((rule as Obj).endpointSelector))) return undefined;
    return { path: `${selectors[0]![0]}/endpointSelector`, field: 'endpointSelector' };
  }
  if ((group === 'projectcalico.org' || group === 'crd.projectcalico.org') && policy.ref.kind === 'NetworkPolicy') {
    const selector = str(spec.selector);
    if (selector === undefined || selector.trim() === '' || selector.trim() === 'all()') return undefined;
    return { path: '/spec/selector', field: 'selector' };
  }
  return undefined;
}

function isEmpty(selector: unknown): boolean {
  return isObj(selector) && Object.keys(selector).every((k) => { const v = selector[k]; return v === null || (isObj(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0); });
}

export default defineRule({
  target: 'object',
  kinds: ['NetworkPolicy', 'CiliumNetworkPolicy'],
  meta: {
    id: 'network-policy-selects-nothing',
    title: 'NetworkPolicy must select the chart\'s pods',
    category: 'network',
    defaultSeverity: 'low',
    description:
      'A NetworkPolicy whose podSelector matches none of the pods its chart deploys isolates nothing, while reviewers believe the workload is protected. Only checked for chart renders, where the scan holds the whole application; empty selectors (namespace-wide policies) are not reported. Namespaced Cilium (endpointSelector) and Calico (selector) policies are checked the same way; cluster-wide ones are not.',
    remediation: 'Make the podSelector match the labels of the pod templates it is meant to protect.',
    references: [{ title: 'Network Policies', url: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/' }],
    messages: {
      nothing: 'podSelector matches none of the {{count}} pod templates in the chart',
      nothingSelected: '{{field}} matches none of the {{count}} pod templates in the chart',
    },
  },
  *check(policy, { unit }): Iterable<Report> {
    if (!unit.complete || unit.pods.length === 0) return;
    const other = otherDialect(policy);
    if (other) {
      // Cluster-wide policies (CiliumClusterwideNetworkPolicy, Calico GlobalNetworkPolicy) are meant for pods
      // outside the chart too, and a selection preadmit cannot decide is not "nothing": neither is reported.
      if (unit.podsSelectedBy(policy).length > 0) return;
      if (unit.pods.some((pod) => unit.policiesSelecting(pod).undecided.some((u) => u.policy === policy))) return;
      yield { messageId: 'nothingSelected', path: other.path, data: { field: other.field, count: unit.pods.length } };
      return;
    }
    // Calico's NetworkPolicy shares the kind name but not the shape: its rules are not Kubernetes peers.
    if (!isKubernetesNetworkPolicy(policy.ref.apiVersion, policy.ref.kind)) return;
    const spec = isObj(policy.raw.spec) ? policy.raw.spec : {};
    const selector = spec.podSelector;
    if (!isObj(selector) || Object.keys(selector).every((k) => { const v = selector[k]; return v === null || (isObj(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0); })) return;
    if (unit.podsSelectedBy(policy).length > 0) return;
    yield { messageId: 'nothing', path: '/spec/podSelector', data: { count: unit.pods.length } };
  },
});
