// spec.externalIPs lets whoever can create a Service intercept traffic to any IP (CVE-2020-8554).
import { defineRule } from '../src/engine/rule-kit.ts';
import { arr, isObj } from '../src/k8s/values.ts';

export default defineRule({
  target: 'object',
  kinds: ['Service'],
  meta: {
    id: 'service-external-ips',
    title: 'Services must not set externalIPs',
    category: 'network',
    defaultSeverity: 'high',
    description:
      'A Service with externalIPs makes every node route traffic for those addresses to its pods; anyone allowed to create Services can intercept traffic to any IP this way (CVE-2020-8554), so clusters should block the field.',
    remediation: 'Remove spec.externalIPs; expose the workload through a LoadBalancer or an Ingress instead.',
    references: [
      { title: 'CVE-2020-8554', url: 'https://github.com/kubernetes/kubernetes/issues/97076' },
      { title: 'Service external IPs', url: 'https://kubernetes.io/docs/concepts/services-networking/service/#external-ips' },
    ],
    messages: { externalIPs: 'Service sets externalIPs ({{count}})' },
  },
  *check(service) {
    const spec = isObj(service.raw.spec) ? service.raw.spec : {};
    const ips = arr(spec.externalIPs);
    if (ips.length > 0) yield { messageId: 'externalIPs', path: '/spec/externalIPs', data: { count: ips.length } };
  },
});
