// A LoadBalancer without source ranges is open to the internet unless it is an internal load balancer.
import { defineRule } from '../src/engine/rule-kit.ts';
import { arr, isObj, str } from '../src/k8s/values.ts';

/** Annotations by which the major clouds make a load balancer internal (private address only). */
const INTERNAL: [string, RegExp][] = [
  ['service.beta.kubernetes.io/aws-load-balancer-internal', /^(true|0\.0\.0\.0\/0)$/i],
  ['service.beta.kubernetes.io/aws-load-balancer-scheme', /^internal$/i],
  ['service.beta.kubernetes.io/azure-load-balancer-internal', /^true$/i],
  ['networking.gke.io/load-balancer-type', /^internal$/i],
  ['cloud.google.com/load-balancer-type', /^internal$/i],
  ['service.beta.kubernetes.io/oci-load-balancer-internal', /^true$/i],
  ['service.beta.kubernetes.io/openstack-internal-load-balancer', /^true$/i],
];
const SOURCE_RANGES_ANNOTATION = 'service.beta.kubernetes.io/load-balancer-source-ranges';

export default defineRule({
  target: 'object',
  kinds: ['Service'],
  // The values edit that removes the finding (src/fix proves it by re-rendering every value set).
  fix: { set: { type: 'ClusterIP' }, optIn: true },
  meta: {
    id: 'service-load-balancer-open',
    title: 'LoadBalancer Services need source ranges',
    category: 'network',
    defaultSeverity: 'medium',
    description:
      'A LoadBalancer Service without loadBalancerSourceRanges gets a public address open to every source on the internet, unless a cloud annotation makes it internal.',
    remediation: 'Set spec.loadBalancerSourceRanges to the client networks, or make the load balancer internal with your cloud\'s annotation.',
    references: [{ title: 'Service type LoadBalancer', url: 'https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer' }],
    messages: {
      open: 'LoadBalancer Service has no loadBalancerSourceRanges: open to every source',
      world: 'loadBalancerSourceRanges contains {{cidr}}: open to every source',
    },
  },
  *check(service) {
    const spec = isObj(service.raw.spec) ? service.raw.spec : {};
    if (str(spec.type) !== 'LoadBalancer') return;
    const metadata = isObj(service.raw.metadata) ? service.raw.metadata : {};
    const annotations = isObj(metadata.annotations) ? metadata.annotations : {};
    if (INTERNAL.some(([key, value]) => typeof annotations[key] === 'string' && value.test(annotations[key] as string))) return;
    const ranges = arr(spec.loadBalancerSourceRanges).filter((r): r is string => typeof r === 'string');
    const annotated = str(annotations[SOURCE_RANGES_ANNOTATION]);
    const all = [...ranges, ...(annotated ? annotated.split(',').map((r) => r.trim()) : [])];
    if (all.length === 0) {
      yield { messageId: 'open', path: '/spec/type' };
      return;
    }
    const world = ranges.findIndex((r) => r.trim() === '0.0.0.0/0' || r.trim() === '::/0');
    if (world !== -1) yield { messageId: 'world', path: `/spec/loadBalancerSourceRanges/${world}`, data: { cidr: ranges[world]! } };
  },
});
