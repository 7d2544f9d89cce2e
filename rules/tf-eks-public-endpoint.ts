// An EKS API endpoint reachable from the internet, from any address.
import { clusterRule, isWorld, planned } from './_templates/tf-cluster.ts';

const PUBLIC = '/vpc_config/0/endpoint_public_access';
const CIDRS = '/vpc_config/0/public_access_cidrs';

export default clusterRule({
  id: 'tf-eks-public-endpoint',
  types: ['aws_eks_cluster'],
  title: 'EKS API endpoint must not be open to 0.0.0.0/0',
  category: 'network',
  severity: 'high',
  description:
    'With endpoint_public_access (the default) and no public_access_cidrs, or 0.0.0.0/0 among them, the cluster\'s API server accepts connections from the whole internet: every credential leak or API-server vulnerability is exploitable from anywhere.',
  remediation: 'Set vpc_config.endpoint_public_access = false (with endpoint_private_access = true), or restrict vpc_config.public_access_cidrs to the networks that administer the cluster.',
  references: [{ title: 'Amazon EKS cluster endpoint access control', url: 'https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html' }],
  messages: {
    open: 'the EKS API endpoint is public and public_access_cidrs is not set: AWS opens it to 0.0.0.0/0',
    world: 'the EKS API endpoint is public and public_access_cidrs contains {{cidr}}: open to the whole internet',
  },
  *check(cluster, { unknown }) {
    const isPublic = planned(cluster, PUBLIC);
    if (!isPublic.known) {
      yield unknown(PUBLIC, 'whether the API endpoint is public (AWS defaults to public)');
      return;
    }
    if (isPublic.value === false) return;
    const cidrs = planned(cluster, CIDRS);
    if (!cidrs.known) {
      // the loader drops the unknown when the configuration leaves it unset (then it is 0.0.0.0/0, reported
      // as open below); here it comes from a value known only at apply, or the plan has no configuration
      yield unknown(CIDRS, 'which addresses may reach the public endpoint (AWS opens it to 0.0.0.0/0 when the attribute is unset)');
      return;
    }
    const list = Array.isArray(cidrs.value) ? cidrs.value : [];
    if (list.length === 0) {
      yield { messageId: 'open', path: PUBLIC };
      return;
    }
    for (const [i, cidr] of list.entries()) {
      const at = `${CIDRS}/${i}`;
      if (!planned(cluster, at).known) yield unknown(at, 'an allowed CIDR the plan does not know yet');
      else if (typeof cidr === 'string' && isWorld(cidr)) yield { messageId: 'world', path: at, data: { cidr } };
    }
  },
});
