import { pssCheckRule } from './_templates/pss-check.ts';

export default pssCheckRule({
  id: 'pss-selinux-options',
  check: 'seLinuxOptions',
  level: 'baseline',
  title: 'No custom SELinux user, role or type',
  severity: 'high',
  description:
    'Setting an SELinux user, role or a non-container type can lift the SELinux confinement of the container.',
  remediation: 'Remove the SELinux `user` and `role`, and use only the container_t family of types (container_t, container_init_t, container_kvm_t, container_engine_t).',
});
