import { networkPolicyCoverageRule } from './_templates/network-policy-coverage.ts';

export default networkPolicyCoverageRule({
  id: 'network-policy-ingress',
  direction: 'ingress',
  severity: 'low',
  description:
    'Without a NetworkPolicy selecting them, pods accept connections from every pod in the cluster, so one compromised workload anywhere can reach them. Platform teams that apply a namespace-wide default-deny outside the chart can turn this rule off.',
});
