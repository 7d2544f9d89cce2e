// Egress to 0.0.0.0/0 (or ::/0) lets pods reach the internet and the cloud metadata endpoint.
import { join } from '../src/model/pointer.ts';
import { defineRule, type Report } from '../src/engine/rule-kit.ts';
import { apiGroup } from '../src/k8s/workloads.ts';
import { isKubernetesNetworkPolicy } from '../src/k8s/network-policies.ts';
import { arr, isObj, str, type Obj } from '../src/k8s/values.ts';

const EVERYWHERE = new Set(['0.0.0.0/0', '::/0']);

const excepts = (list: unknown) => arr(list).some((e) => typeof e === 'string' && (e.startsWith('169.254.') || e === '169.254.169.254/32'));

/**
 * Cilium egress to every address: toCIDR / toCIDRSet of 0.0.0.0/0 or ::/0, or the `world` / `all` entity
 * (everything outside the cluster, the metadata endpoint included).
 */
function* ciliumWorld(raw: Obj): Iterable<Report> {
  const rules: [string, unknown][] = [['/spec', raw.spec], ...arr(raw.specs).map((rule, i): [string, unknown] => [join('/specs', i), rule])];
  for (const [base, rule] of rules) {
    if (!isObj(rule) || !isObj(rule.endpointSelector)) continue;
    for (const [ruleIndex, egress] of arr(rule.egress).entries()) {
      if (!isObj(egress)) continue;
      for (const [i, cidr] of arr(egress.toCIDR).entries()) {
        if (typeof cidr === 'string' && EVERYWHERE.has(cidr.trim())) yield { messageId: 'world', path: join(base, 'egress', ruleIndex, 'toCIDR', i), data: { rule: ruleIndex, cidr, metadata: ', including the cloud metadata endpoint' } };
      }
      for (const [i, set] of arr(egress.toCIDRSet).entries()) {
        const cidr = isObj(set) ? str(set.cidr) : undefined;
        if (cidr && EVERYWHERE.has(cidr.trim())) yield { messageId: 'world', path: join(base, 'egress', ruleIndex, 'toCIDRSet', i, 'cidr'), data: { rule: ruleIndex, cidr, metadata: excepts(isObj(set) ? set.except : undefined) ? '' : ', including the cloud metadata endpoint' } };
      }
      for (const [i, entity] of arr(egress.toEntities).entries()) {
        if (entity === 'world' || entity === 'all') yield { messageId: 'world', path: join(base, 'egress', ruleIndex, 'toEntities', i), data: { rule: ruleIndex, cidr: `the ${entity} entity`, metadata: ', including the cloud metadata endpoint' } };
      }
    }
  }
}

export default defineRule({
  target: 'object',
  kinds: ['NetworkPolicy', 'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'],
  meta: {
    id: 'network-policy-egress-world',
    title: 'Egress must not be open to every address',
    category: 'network',
    defaultSeverity: 'low',
    description:
      'An egress ipBlock of 0.0.0.0/0 or ::/0 lets the selected pods reach any address, including the internet and the cloud metadata endpoint (169.254.169.254) unless it is excepted. That is the path data exfiltration and credential theft take. Cilium egress to toCIDR / toCIDRSet 0.0.0.0/0 or ::/0, or to the `world` or `all` entity, is reported the same way (Calico Allow rules to every net are reported by network-policy-allow-all).',
    remediation: 'Narrow the ipBlock to the networks the pods need, or at least add `except: [169.254.169.254/32]` and internal ranges they must not reach.',
    references: [{ title: 'Network Policies', url: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/' }],
    messages: {
      world: 'egress rule {{rule}} allows {{cidr}}{{metadata}}',
    },
  },
  *check(policy): Iterable<Report> {
    if (apiGroup(policy.ref.apiVersion) === 'cilium.io') {
      yield* ciliumWorld(policy.raw);
      return;
    }
    // Calico's NetworkPolicy shares the kind name but not the shape: its rules are not Kubernetes peers.
    if (!isKubernetesNetworkPolicy(policy.ref.apiVersion, policy.ref.kind)) return;
    const spec = isObj(policy.raw.spec) ? policy.raw.spec : {};
    for (const [ruleIndex, rule] of arr(spec.egress).entries()) {
      if (!isObj(rule)) continue;
      for (const [peerIndex, peer] of arr(rule.to).entries()) {
        const block = isObj(peer) && isObj(peer.ipBlock) ? peer.ipBlock : undefined;
        const cidr = block ? str(block.cidr) : undefined;
        if (!cidr || !EVERYWHERE.has(cidr.trim())) continue;
        const excepted = excepts(block!.except);
        yield {
          messageId: 'world',
          path: join('/spec/egress', ruleIndex, 'to', peerIndex, 'ipBlock', 'cidr'),
          data: { rule: ruleIndex, cidr, metadata: excepted ? '' : ', including the cloud metadata endpoint' },
        };
      }
    }
  },
});
