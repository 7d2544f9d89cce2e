import { pssCheckRule } from './_templates/pss-check.ts';

export default pssCheckRule({
  id: 'pss-sysctls',
  check: 'sysctls',
  level: 'baseline',
  title: 'Only safe sysctls',
  severity: 'high',
  description:
    'Unsafe sysctls change kernel settings that are shared by every pod on the node.',
  remediation: 'Remove the sysctl from `spec.securityContext.sysctls`, or use only the namespaced, safe set.',
});
