// EKS stores Secrets in etcd encrypted only by AWS's volume encryption unless envelope encryption is on.
import { clusterRule, planned, strings } from './_templates/tf-cluster.ts';

const CONFIG = '/encryption_config';

export default clusterRule({
  id: 'tf-eks-secrets-encryption',
  types: ['aws_eks_cluster'],
  title: 'EKS Secrets must use KMS envelope encryption',
  category: 'secrets',
  severity: 'medium',
  description:
    'Without an encryption_config for the `secrets` resource, Kubernetes Secrets are stored in etcd without envelope encryption under a key you control: anyone who obtains an etcd backup or snapshot reads them.',
  remediation: 'Add an encryption_config block with resources = ["secrets"] and provider { key_arn = <a KMS key you manage> }.',
  references: [{ title: 'Encrypt Kubernetes secrets with AWS KMS on existing clusters', url: 'https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html' }],
  messages: {
    missing: 'the EKS cluster has no encryption_config: Secrets are not envelope-encrypted with a KMS key',
    notSecrets: 'encryption_config does not list the "secrets" resource: Secrets are not envelope-encrypted',
  },
  *check(cluster, { unknown }) {
    const config = planned(cluster, CONFIG);
    if (!config.known) {
      yield unknown(CONFIG, 'whether Secrets are envelope-encrypted');
      return;
    }
    if (!Array.isArray(config.value) || config.value.length === 0) {
      yield { messageId: 'missing', path: CONFIG };
      return;
    }
    const resources = planned(cluster, `${CONFIG}/0/resources`);
    if (!resources.known) {
      yield unknown(`${CONFIG}/0/resources`, 'which resources are envelope-encrypted');
      return;
    }
    if (!strings(resources.value).includes('secrets')) yield { messageId: 'notSecrets', path: `${CONFIG}/0/resources` };
  },
});
