import { docs } from './_templates/rbac.ts';
import { rolePermissionRule } from './_templates/rbac-permission.ts';

export default rolePermissionRule({
  id: 'rbac-escalate-bind-impersonate',
  title: 'Roles should not escalate, bind or impersonate',
  permissions: ['escalate-bind', 'impersonate'],
  severity: 'critical',
  roleSeverity: 'high',
  description:
    'RBAC stops a subject from writing roles or bindings with permissions it does not hold, except for these verbs: `escalate` writes roles with any permission, `bind` binds roles it does not hold (cluster-admin included), and `impersonate` acts as another user, group or service account. Each is a direct path to the permissions of someone else.',
  remediation:
    'Remove escalate, bind and impersonate. An operator that must grant roles should get `bind` with `resourceNames` listing the exact roles it hands out; impersonation should be limited to named users or service accounts.',
  references: [
    docs.goodPractices('escalate-verb', 'RBAC good practices: escalate verb'),
    docs.goodPractices('bind-verb', 'RBAC good practices: bind verb'),
    docs.goodPractices('impersonate-verb', 'RBAC good practices: impersonate verb'),
    docs.rbac('privilege-escalation-prevention-and-bootstrapping', 'RBAC: privilege escalation prevention'),
  ],
});
