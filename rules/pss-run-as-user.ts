import { pssCheckRule } from './_templates/pss-check.ts';

export default pssCheckRule({
  id: 'pss-run-as-user',
  check: 'runAsUser',
  level: 'restricted',
  title: 'Containers must not run as UID 0',
  severity: 'medium',
  description:
    "Running as UID 0 makes the container's processes root.",
  remediation: 'Remove `runAsUser: 0`; set a non-zero UID.',
});
