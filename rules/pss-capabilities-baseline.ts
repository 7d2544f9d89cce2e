import { pssCheckRule } from './_templates/pss-check.ts';

export default pssCheckRule({
  id: 'pss-capabilities-baseline',
  check: 'capabilities_baseline',
  level: 'baseline',
  title: 'No capabilities beyond the runtime default set',
  severity: 'high',
  description:
    'Added Linux capabilities such as SYS_ADMIN, NET_ADMIN or NET_RAW give a container powers that lead to node compromise or network spoofing.',
  remediation: "Remove the capability from `securityContext.capabilities.add`; only the runtime's default set may be added.",
});
