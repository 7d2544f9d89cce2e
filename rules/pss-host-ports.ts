import { pssCheckRule } from './_templates/pss-check.ts';

export default pssCheckRule({
  id: 'pss-host-ports',
  check: 'hostPorts',
  level: 'baseline',
  title: 'No host ports',
  severity: 'high',
  description:
    "A hostPort binds the container to the node's network interface, bypassing NetworkPolicy and exposing it on every node address.",
  remediation: 'Remove `hostPort` from the container ports; expose the workload through a Service instead.',
});
