import { docs } from './_templates/rbac.ts';
import { rolePermissionRule } from './_templates/rbac-permission.ts';

export default rolePermissionRule({
  id: 'rbac-secrets-write',
  title: 'Roles should not create, change or delete Secrets',
  permissions: ['secrets-write'],
  severity: 'high',
  roleSeverity: 'medium',
  // Limited by resourceNames, only update, patch and delete of the named Secrets remain (create carries no
  // name to check): a hook rewriting its own Secret can only redirect that Secret's readers, the chart's
  // own pods, not every credential of the namespace or cluster.
  namedSeverity: () => 'low',
  description:
    'create, update, patch, delete or deletecollection on Secrets changes the credentials other workloads read without having to read them: overwriting a Secret redirects its readers (a database URL, a registry credential, a webhook serving key), creating one first claims a name a chart or controller will trust, and deleting one forces it to be re-issued. A ClusterRole bound cluster-wide does this in every namespace. Reported apart from rbac-secrets-read so each can be configured alone; low when resourceNames limits the writes to named Secrets.',
  remediation:
    'Let the workload write only its own Secrets: a namespaced Role with `resourceNames` listing them (update, patch); have the chart or a one-time hook create the Secret instead of granting `create` to a long-running workload.',
  references: [docs.goodPractices('privilege-escalation-risks', 'RBAC good practices: privilege escalation risks'), docs.rbac('referring-to-resources', 'RBAC: referring to resources (resourceNames)')],
});
