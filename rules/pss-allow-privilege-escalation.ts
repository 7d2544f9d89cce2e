import { pssCheckRule } from './_templates/pss-check.ts';

export default pssCheckRule({
  id: 'pss-allow-privilege-escalation',
  check: 'allowPrivilegeEscalation',
  level: 'restricted',
  title: 'Privilege escalation must be disallowed',
  severity: 'medium',
  description:
    'Without `allowPrivilegeEscalation: false`, a process can gain more privileges than its parent (setuid binaries, file capabilities).',
  remediation: 'Set `securityContext.allowPrivilegeEscalation: false` on every container.',
  fix: { set: { allowPrivilegeEscalation: false } },
});
