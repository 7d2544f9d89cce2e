import { networkPolicyCoverageRule } from './_templates/network-policy-coverage.ts';

export default networkPolicyCoverageRule({
  id: 'network-policy-egress',
  direction: 'egress',
  severity: 'info',
  description:
    'Without an egress NetworkPolicy, a compromised pod can reach every service in the cluster, the cloud metadata endpoint and the internet, which is how credentials are stolen and data leaves.',
});
