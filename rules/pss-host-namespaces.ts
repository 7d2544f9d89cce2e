import { pssCheckRule } from './_templates/pss-check.ts';

export default pssCheckRule({
  id: 'pss-host-namespaces',
  check: 'hostNamespaces',
  level: 'baseline',
  title: 'No host network, PID or IPC namespace',
  severity: 'critical',
  description:
    "Sharing the node's network, process or IPC namespace lets a container see and interfere with every process and connection on the node.",
  remediation: 'Remove `hostNetwork`, `hostPID` and `hostIPC` (or set them to false).',
  fix: { set: { hostNetwork: false, hostPID: false, hostIPC: false } },
});
