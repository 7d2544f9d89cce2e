import { pssCheckRule } from './_templates/pss-check.ts';

export default pssCheckRule({
  id: 'pss-proc-mount-restricted',
  check: 'procMount_restricted',
  level: 'restricted',
  title: 'Default /proc mount only, even in a user namespace',
  severity: 'medium',
  description:
    'Restricted keeps /proc masked even for pods that run in a user namespace.',
  remediation: 'Remove `securityContext.procMount` or set it to `Default`.',
  fix: { set: { procMount: 'Default' } },
});
