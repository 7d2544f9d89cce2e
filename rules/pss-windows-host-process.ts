import { pssCheckRule } from './_templates/pss-check.ts';

export default pssCheckRule({
  id: 'pss-windows-host-process',
  check: 'windowsHostProcess',
  level: 'baseline',
  title: 'No Windows HostProcess containers',
  severity: 'critical',
  description:
    'A Windows HostProcess container runs directly on the host with administrator access to the node.',
  remediation: 'Remove `windowsOptions.hostProcess: true`.',
  fix: { set: { hostProcess: false } },
});
