import { pssCheckRule } from './_templates/pss-check.ts';

export default pssCheckRule({
  id: 'pss-privileged',
  check: 'privileged',
  level: 'baseline',
  title: 'No privileged containers',
  severity: 'critical',
  description:
    'A privileged container has every capability and access to all host devices: it is root on the node.',
  remediation: 'Remove `securityContext.privileged: true` (or set it to false) and grant only the specific capabilities the workload needs.',
  fix: { set: { privileged: false } },
});
