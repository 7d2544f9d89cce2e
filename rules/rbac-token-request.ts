import { docs } from './_templates/rbac.ts';
import { rolePermissionRule } from './_templates/rbac-permission.ts';

export default rolePermissionRule({
  id: 'rbac-token-request',
  title: 'Roles should not mint service-account tokens',
  permissions: ['token-request'],
  severity: 'high',
  roleSeverity: 'medium',
  description:
    'create on serviceaccounts/token issues tokens (TokenRequest) for the service accounts in reach: the holder gets the permissions of every service account it can name, without running or touching a pod.',
  remediation:
    'Remove create on serviceaccounts/token, or limit it with `resourceNames` to the service accounts the workload must issue tokens for, in a namespaced Role.',
  references: [docs.goodPractices('token-request', 'RBAC good practices: token request')],
});
