import { pssCheckRule } from './_templates/pss-check.ts';

export default pssCheckRule({
  id: 'pss-capabilities-restricted',
  check: 'capabilities_restricted',
  level: 'restricted',
  title: 'Drop all capabilities',
  severity: 'medium',
  description:
    "Containers keep the runtime's default capabilities unless they drop them; restricted requires dropping ALL and adding back at most NET_BIND_SERVICE.",
  remediation: 'Set `securityContext.capabilities.drop: ["ALL"]` on every container and add back only NET_BIND_SERVICE if needed.',
  fix: { set: { drop: ['ALL'] } },
});
