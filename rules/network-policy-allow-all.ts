// A network policy rule that allows every peer undoes the isolation the policy is there to give. Cilium
// and Calico policies count for isolation (network-policy-ingress/-egress), so their allow-everything
// rules are reported here too, or a policy could make those rules pass while admitting everyone.
import { join } from '../src/model/pointer.ts';
import { defineRule, type Report } from '../src/engine/rule-kit.ts';
import { isKubernetesNetworkPolicy } from '../src/k8s/network-policies.ts';
import { apiGroup } from '../src/k8s/workloads.ts';
import { arr, isObj, str, type Obj } from '../src/k8s/values.ts';

const EVERYWHERE = new Set(['0.0.0.0/0', '::/0']);
const nonEmpty = (value: unknown) => Array.isArray(value) && value.length > 0;

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

// Cilium: the L3 peer fields of a rule. A rule with none of them but ports (toPorts, icmps) admits every
// peer on those ports; an empty rule `{}` admits nothing (it is how Cilium policies write default-deny).
const CILIUM_PEERS = { ingress: ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromGroups', 'fromNodes'], egress: ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toGroups', 'toNodes', 'toFQDNs', 'toServices'] } as const;

function ciliumEveryPeer(rule: Obj, direction: 'ingress' | 'egress', clusterWide: boolean): boolean {
  const peers = CILIUM_PEERS[direction].filter((key) => nonEmpty(rule[key]));
  if (peers.length === 0) return nonEmpty(rule.toPorts) || nonEmpty(rule.icmps);
  const entities = arr(rule[direction === 'ingress' ? 'fromEntities' : 'toEntities']).map(str);
  // `all` is every peer; `cluster` is every pod of every namespace, which is what ingress isolation is about.
  if (entities.includes('all') || (direction === 'ingress' && entities.includes('cluster'))) return true;
  // An empty endpoint selector is every endpoint of the namespace, or of the cluster in a clusterwide policy.
  return clusterWide && arr(rule[direction === 'ingress' ? 'fromEndpoints' : 'toEndpoints']).some(isEmptySelector);
}

// Calico: the peer fields of a rule's source (ingress) or destination (egress); ports alone do not name a peer.
const CALICO_PEERS = ['nets', 'notNets', 'selector', 'notSelector', 'namespaceSelector', 'serviceAccounts', 'services', 'domains'];

function calicoEveryPeer(rule: Obj, direction: 'ingress' | 'egress'): boolean {
  if (rule.action !== 'Allow') return false;
  const peer = isObj(rule[direction === 'ingress' ? 'source' : 'destination']) ? (rule[direction === 'ingress' ? 'source' : 'destination'] as Obj) : {};
  const set = CALICO_PEERS.filter((key) => peer[key] !== undefined && peer[key] !== null && !(Array.isArray(peer[key]) && (peer[key] as unknown[]).length === 0));
  if (set.length === 0) return true;
  // Every address (pods included: Calico matches pod IPs against nets), or every pod of every namespace.
  if (set.length === 1 && set[0] === 'nets' && arr(peer.nets).some((n) => typeof n === 'string' && EVERYWHERE.has(n.trim()))) return true;
  const all = (v: unknown) => typeof v === 'string' && v.trim() === 'all()';
  return set.every((key) => key === 'namespaceSelector' || key === 'selector') && all(peer.namespaceSelector) && (peer.selector === undefined || all(peer.selector));
}

function calicoPorts(rule: Obj, direction: 'ingress' | 'egress'): boolean {
  const destination = isObj(rule.destination) ? rule.destination : {};
  return nonEmpty(destination.ports) || (direction === 'ingress' && nonEmpty(destination.notPorts));
}

function report(direction: 'ingress' | 'egress', path: string, index: number, ports: boolean): Report {
  return { messageId: direction, path, data: { index, ports: ports ? ' (on the listed ports)' : ' on every port' }, ...(ports ? { severity: 'low' as const } : {}) };
}

function* ciliumReports(raw: Obj, clusterWide: boolean): Iterable<Report> {
  const rules: [string, unknown][] = [['/spec', raw.spec], ...arr(raw.specs).map((rule, i): [string, unknown] => [join('/specs', i), rule])];
  for (const [base, rule] of rules) {
    if (!isObj(rule) || !isObj(rule.endpointSelector)) continue;
    for (const direction of ['ingress', 'egress'] as const) {
      for (const [index, item] of arr(rule[direction]).entries()) {
        if (isObj(item) && ciliumEveryPeer(item, direction, clusterWide)) yield report(direction, join(base, direction, index), index, nonEmpty(item.toPorts) || nonEmpty(item.icmps));
      }
    }
  }
}

function* calicoReports(spec: Obj): Iterable<Report> {
  for (const direction of ['ingress', 'egress'] as const) {
    for (const [index, item] of arr(spec[direction]).entries()) {
      if (isObj(item) && calicoEveryPeer(item, direction)) yield report(direction, join('/spec', direction, index), index, calicoPorts(item, direction));
    }
  }
}

export default defineRule({
  target: 'object',
  kinds: ['NetworkPolicy', 'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'GlobalNetworkPolicy'],
  meta: {
    id: 'network-policy-allow-all',
    title: 'NetworkPolicy rules must not allow every peer',
    category: 'network',
    defaultSeverity: 'medium',
    description:
      'An ingress rule with no `from` (or `from` with an empty namespaceSelector) admits traffic from every pod in every namespace; an egress rule with no `to` allows every destination. The policy then restricts nothing in that direction while looking like it does. Cilium rules with ports but no peer, or with the `all` (ingress: `cluster`) entity, and Calico Allow rules without a source (ingress) or destination (egress) peer are reported the same way.',
    remediation: 'List the peers the pods need (podSelector, namespaceSelector with labels, or ipBlock) in `from` / `to`, and restrict ports.',
    references: [{ title: 'Network Policies', url: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/' }],
    messages: {
      ingress: 'ingress rule {{index}} admits traffic from every pod in every namespace{{ports}}',
      egress: 'egress rule {{index}} allows traffic to every destination{{ports}}',
    },
  },
  *check(policy) {
    const group = apiGroup(policy.ref.apiVersion);
    const spec = isObj(policy.raw.spec) ? policy.raw.spec : {};
    if (group === 'cilium.io') {
      yield* ciliumReports(policy.raw, policy.ref.kind === 'CiliumClusterwideNetworkPolicy');
      return;
    }
    if ((group === 'projectcalico.org' || group === 'crd.projectcalico.org') && ['NetworkPolicy', 'GlobalNetworkPolicy'].includes(policy.ref.kind)) {
      yield* calicoReports(spec);
      return;
    }
    // Calico's NetworkPolicy shares the kind name but not the shape: only Kubernetes peers are read below.
    if (!isKubernetesNetworkPolicy(policy.ref.apiVersion, policy.ref.kind)) return;
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
