// A NetworkPolicy rule that allows every peer undoes the isolation the policy is there to give.
import { join } from '../src/core/pointer.ts';
import { defineRule } from '../src/engine/rule-kit.ts';
import { isKubernetesNetworkPolicy } from '../src/k8s/network-policies.ts';
import { arr, isObj } from '../src/k8s/values.ts';

function isEmptySelector(value: unknown): boolean {
  if (!isObj(value)) return false;
  const labels = value.matchLabels;
  const expressions = value.matchExpressions;
  return (labels === undefined || labels === null || (isObj(labels) && Object.keys(labels).length === 0)) && (expressions === undefined || expressions === null || (Array.isArray(expressions) && expressions.length === 0));
}

/** A peer list that admits everything: absent or empty (all sources), or a peer selecting all namespaces. */
function allowsEveryPeer(peers: unknown): boolean {
  if (peers === undefined || peers === null) return true;
  if (!Array.isArray(peers)) return false;
  if (peers.length === 0) return true;
  return peers.some((peer) => isObj(peer) && isEmptySelector(peer.namespaceSelector) && (peer.podSelector === undefined || isEmptySelector(peer.podSelector)));
}

export default defineRule({
  target: 'object',
  kinds: ['NetworkPolicy'],
  meta: {
    id: 'network-policy-allow-all',
    title: 'NetworkPolicy rules must not allow every peer',
    category: 'network',
    defaultSeverity: 'medium',
    description:
      'An ingress rule with no `from` (or `from` with an empty namespaceSelector) admits traffic from every pod in every namespace; an egress rule with no `to` allows every destination. The policy then restricts nothing in that direction while looking like it does.',
    remediation: 'List the peers the pods need (podSelector, namespaceSelector with labels, or ipBlock) in `from` / `to`, and restrict ports.',
    references: [{ title: 'Network Policies', url: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/' }],
    messages: {
      ingress: 'ingress rule {{index}} admits traffic from every pod in every namespace{{ports}}',
      egress: 'egress rule {{index}} allows traffic to every destination{{ports}}',
    },
  },
  *check(policy) {
    // Calico's NetworkPolicy shares the kind name but not the shape: its rules are not Kubernetes peers.
    if (!isKubernetesNetworkPolicy(policy.ref.apiVersion, policy.ref.kind)) return;
    const spec = isObj(policy.raw.spec) ? policy.raw.spec : {};
    for (const [direction, peersKey] of [['ingress', 'from'], ['egress', 'to']] as const) {
      const rules = arr(spec[direction]);
      for (const [index, rule] of rules.entries()) {
        if (!isObj(rule) || !allowsEveryPeer(rule[peersKey])) continue;
        const ports = arr(rule.ports).length > 0 ? ' (on the listed ports)' : ' on every port';
        yield { messageId: direction, path: join('/spec', direction, index), data: { index, ports }, ...(arr(rule.ports).length > 0 ? { severity: 'low' as const } : {}) };
      }
    }
  },
});
