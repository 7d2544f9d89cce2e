// Template for "no NetworkPolicy restricts this pod's <direction>". Only NetworkPolicies deployed with
// the workload (its unit) are considered; host-network pods are left out because NetworkPolicy does not
// apply to them (pss-host-namespaces reports those).
import type { Severity } from '../../src/core/model.ts';
import { defineRule, type PodRule } from '../../src/engine/rule-kit.ts';

const NETPOL_DOC = 'https://kubernetes.io/docs/concepts/services-networking/network-policies/';

export function networkPolicyCoverageRule(spec: { id: string; direction: 'ingress' | 'egress'; severity: Severity; description: string }): PodRule {
  return defineRule({
    target: 'pod',
    meta: {
      id: spec.id,
      title: `Pods need a NetworkPolicy restricting ${spec.direction}`,
      category: 'network',
      defaultSeverity: spec.severity,
      description: spec.description,
      remediation:
        spec.direction === 'ingress'
          ? 'Ship a NetworkPolicy with policyTypes [Ingress] whose podSelector matches these pods and allows only the clients they serve.'
          : 'Ship a NetworkPolicy with policyTypes [Egress] whose podSelector matches these pods and allows only the destinations they need (plus DNS).',
      references: [{ title: 'Network Policies', url: NETPOL_DOC }],
      messages: {
        unrestricted:
          spec.direction === 'ingress'
            ? 'no NetworkPolicy in {{scope}} selects these pods for ingress: any pod in the cluster can connect to them'
            : 'no NetworkPolicy in {{scope}} selects these pods for egress: a compromised pod can connect anywhere',
      },
    },
    *check(pod, { unit }) {
      if (pod.spec.hostNetwork === true) return;
      if (pod.containers.every((c) => c.list !== 'containers')) return;
      const selection = unit.policiesSelecting(pod);
      if (selection[spec.direction].length > 0) return;
      yield { messageId: 'unrestricted', path: '/metadata/labels', data: { scope: unit.complete ? 'the chart' : 'the scan' } };
    },
  });
}
