// NodePort opens the service on every node's address, outside any NetworkPolicy on most CNIs' host paths.
import { defineRule } from '../src/engine/rule-kit.ts';
import { isObj, str } from '../src/k8s/values.ts';

export default defineRule({
  target: 'object',
  kinds: ['Service'],
  // The values edit that removes the finding (src/fix proves it by re-rendering every value set).
  fix: { set: { type: 'ClusterIP' }, optIn: true },
  meta: {
    id: 'service-node-port',
    title: 'Services should not be NodePort',
    category: 'network',
    defaultSeverity: 'medium',
    description:
      'A NodePort Service listens on a port of every node, so anyone who can reach a node address reaches the workload, bypassing the ingress controller and its TLS and authentication.',
    remediation: 'Use type ClusterIP behind an Ingress or Gateway, or a LoadBalancer restricted with loadBalancerSourceRanges.',
    references: [{ title: 'Service type NodePort', url: 'https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport' }],
    messages: { nodePort: 'Service is type NodePort: reachable on every node address' },
  },
  *check(service) {
    const spec = isObj(service.raw.spec) ? service.raw.spec : {};
    if (str(spec.type) === 'NodePort') yield { messageId: 'nodePort', path: '/spec/type' };
  },
});
