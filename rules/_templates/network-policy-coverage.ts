// Template for "no network policy restricts this pod's <direction>". Only policies deployed with the
// workload (its unit) are considered: Kubernetes NetworkPolicies, Cilium and Calico policies alike (see
// src/k8s/network-policies.ts). A policy whose selection preadmit cannot decide is not isolation: the
// finding names it and says why. Host-network pods are left out because network policies do not apply to
// them (pss-host-namespaces reports those).
import type { Severity } from '../../src/model/model.ts';
import { defineRule, type PodRule, type Report } from '../../src/engine/rule-kit.ts';

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
          ? 'Ship a NetworkPolicy with policyTypes [Ingress] whose podSelector matches these pods and allows only the clients they serve (a Cilium or Calico policy with an ingress section counts too).'
          : 'Ship a NetworkPolicy with policyTypes [Egress] whose podSelector matches these pods and allows only the destinations they need, plus DNS (a Cilium or Calico policy with an egress section counts too).',
      references: [{ title: 'Network Policies', url: NETPOL_DOC }],
      messages: {
        unrestricted:
          spec.direction === 'ingress'
            ? 'no NetworkPolicy in {{scope}} selects these pods for ingress: any pod in the cluster can connect to them'
            : 'no NetworkPolicy in {{scope}} selects these pods for egress: a compromised pod can connect anywhere',
        undecided:
          spec.direction === 'ingress'
            ? 'no NetworkPolicy in {{scope}} is known to select these pods for ingress ({{policies}}), so any pod in the cluster may connect to them'
            : 'no NetworkPolicy in {{scope}} is known to select these pods for egress ({{policies}}), so a compromised pod may connect anywhere',
      },
    },
    *check(pod, { unit }): Iterable<Report> {
      if (pod.spec.hostNetwork === true) return;
      if (pod.containers.every((c) => c.list !== 'containers')) return;
      const selection = unit.policiesSelecting(pod);
      if (selection[spec.direction].length > 0) return;
      const scope = unit.complete ? 'the chart' : 'the scan';
      const undecided = selection.undecided.filter((u) => u.direction === spec.direction);
      if (undecided.length === 0) {
        yield { messageId: 'unrestricted', path: '/metadata/labels', data: { scope } };
        return;
      }
      const policies = [...new Map(undecided.map((u) => [u.policy, `${u.policy.ref.kind} ${u.policy.ref.name}: ${u.reason}`])).values()].join('; ');
      yield { messageId: 'undecided', path: '/metadata/labels', data: { scope, policies }, related: [...new Set(undecided.map((u) => u.policy))].map((p) => p.ref) };
    },
  });
}
