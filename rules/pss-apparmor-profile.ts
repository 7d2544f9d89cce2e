import { pssCheckRule } from './_templates/pss-check.ts';

export default pssCheckRule({
  id: 'pss-apparmor-profile',
  check: 'appArmorProfile',
  level: 'baseline',
  title: 'AppArmor profile must not be unconfined',
  severity: 'high',
  description:
    'An unconfined AppArmor profile removes the mandatory access control that limits what a compromised container can do on the node.',
  remediation: 'Remove the `Unconfined` AppArmor profile (field or annotation); use `RuntimeDefault` or a `Localhost` profile.',
  fix: { set: { type: 'RuntimeDefault' } },
});
