import { pssCheckRule } from './_templates/pss-check.ts';

export default pssCheckRule({
  id: 'pss-run-as-non-root',
  check: 'runAsNonRoot',
  level: 'restricted',
  title: 'Containers must run as non-root',
  severity: 'medium',
  description:
    "A container that may run as root gets root's powers inside the container and a head start on any escape.",
  remediation: 'Set `securityContext.runAsNonRoot: true` on the pod (or every container) and run the image as a non-zero UID.',
  fix: { set: { runAsNonRoot: true } },
});
