import { pssCheckRule } from './_templates/pss-check.ts';

export default pssCheckRule({
  id: 'pss-host-probes-lifecycle',
  check: 'hostProbesAndHostLifecycle',
  level: 'baseline',
  title: 'Probes and lifecycle hooks must not target another host',
  severity: 'high',
  description:
    'A probe or lifecycle handler with a `host` makes the kubelet send requests to an arbitrary address, which can be abused to reach node-local services.',
  remediation: "Remove the `host` field from httpGet/tcpSocket probes and lifecycle handlers; the kubelet then targets the pod's own IP.",
});
