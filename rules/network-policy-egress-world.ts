// Egress to 0.0.0.0/0 (or ::/0) lets pods reach the internet and the cloud metadata endpoint.
import { join } from '../src/core/pointer.ts';
import { defineRule } from '../src/engine/rule-kit.ts';
import { isKubernetesNetworkPolicy } from '../src/k8s/network-policies.ts';
import { arr, isObj, str } from '../src/k8s/values.ts';

const EVERYWHERE = new Set(['0.0.0.0/0', '::/0']);

export default defineRule({
  target: 'object',
  kinds: ['NetworkPolicy'],
  meta: {
    id: 'network-policy-egress-world',
    title: 'Egress must not be open to every address',
    category: 'network',
    defaultSeverity: 'low',
    description:
      'An egress ipBlock of 0.0.0.0/0 or ::/0 lets the selected pods reach any address, including the internet and the cloud metadata endpoint (169.254.169.254) unless it is excepted. That is the path data exfiltration and credential theft take.',
    remediation: 'Narrow the ipBlock to the networks the pods need, or at least add `except: [169.254.169.254/32]` and internal ranges they must not reach.',
    references: [{ title: 'Network Policies', url: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/' }],
    messages: {
      world: 'egress rule {{rule}} allows {{cidr}}{{metadata}}',
    },
  },
  *check(policy) {
    // Calico's NetworkPolicy shares the kind name but not the shape: its rules are not Kubernetes peers.
    if (!isKubernetesNetworkPolicy(policy.ref.apiVersion, policy.ref.kind)) return;
    const spec = isObj(policy.raw.spec) ? policy.raw.spec : {};
    for (const [ruleIndex, rule] of arr(spec.egress).entries()) {
      if (!isObj(rule)) continue;
      for (const [peerIndex, peer] of arr(rule.to).entries()) {
        const block = isObj(peer) && isObj(peer.ipBlock) ? peer.ipBlock : undefined;
        const cidr = block ? str(block.cidr) : undefined;
        if (!cidr || !EVERYWHERE.has(cidr.trim())) continue;
        const excepted = arr(block!.except).some((e) => typeof e === 'string' && (e.startsWith('169.254.') || e === '169.254.169.254/32'));
        yield {
          messageId: 'world',
          path: join('/spec/egress', ruleIndex, 'to', peerIndex, 'ipBlock', 'cidr'),
          data: { rule: ruleIndex, cidr, metadata: excepted ? '' : ', including the cloud metadata endpoint' },
        };
      }
    }
  },
});
