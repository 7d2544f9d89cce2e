import { docs } from './_templates/rbac.ts';
import { rolePermissionRule } from './_templates/rbac-permission.ts';

export default rolePermissionRule({
  id: 'rbac-secrets-read',
  title: 'Roles should not read Secrets',
  permissions: ['secrets-read'],
  severity: 'high',
  roleSeverity: 'medium',
  // `get` (or a metadata.name-selected list/watch) on named Secrets is the least-privilege way for a
  // controller to read its own credentials.
  namedSeverity: () => 'low',
  description:
    'get, list or watch on Secrets reads every credential stored in them (legacy service-account tokens, TLS keys, passwords); list and watch return whole Secrets, not just their names. A ClusterRole bound cluster-wide reads the Secrets of every namespace.',
  remediation:
    'Grant `get` only on the Secrets the workload needs (`resourceNames`) in a namespaced Role, or mount the Secret into the pod instead of reading it through the API.',
  references: [docs.goodPractices('listing-secrets', 'RBAC good practices: listing Secrets'), docs.rbac('referring-to-resources', 'RBAC: referring to resources (resourceNames)')],
});
