import { pssCheckRule } from './_templates/pss-check.ts';

export default pssCheckRule({
  id: 'pss-seccomp-restricted',
  check: 'seccompProfile_restricted',
  level: 'restricted',
  title: 'Seccomp profile must be set',
  severity: 'medium',
  description:
    'Without a seccomp profile the container can make every system call; restricted requires RuntimeDefault or Localhost.',
  remediation: 'Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (or on every container).',
  fix: { set: { type: 'RuntimeDefault' } },
});
