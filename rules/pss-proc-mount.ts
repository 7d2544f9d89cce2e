import { pssCheckRule } from './_templates/pss-check.ts';

export default pssCheckRule({
  id: 'pss-proc-mount',
  check: 'procMount',
  level: 'baseline',
  title: 'Default /proc mount only',
  severity: 'high',
  description:
    'An unmasked /proc exposes kernel interfaces that the default mask hides from containers.',
  remediation: 'Remove `securityContext.procMount` or set it to `Default`.',
  fix: { set: { procMount: 'Default' } },
});
