import { pssCheckRule } from './_templates/pss-check.ts';

export default pssCheckRule({
  id: 'pss-seccomp-baseline',
  check: 'seccompProfile_baseline',
  level: 'baseline',
  title: 'Seccomp must not be unconfined',
  severity: 'high',
  description:
    'An unconfined seccomp profile lets the container make every system call, including the ones used in kernel exploits.',
  remediation: 'Remove the `Unconfined` seccomp profile; use `RuntimeDefault` or a `Localhost` profile.',
  fix: { set: { type: 'RuntimeDefault' } },
});
