import { docs } from './_templates/rbac.ts';
import { rolePermissionRule } from './_templates/rbac-permission.ts';

// High, not critical: without escalate or bind (rbac-escalate-bind-impersonate), the API server lets the
// holder write only roles and bindings whose permissions it already holds. What remains is handing those
// permissions to any other subject (system:anonymous included) and keeping access after its own binding goes.
export default rolePermissionRule({
  id: 'rbac-rbac-write',
  title: 'Roles should not write roles and bindings',
  permissions: ['rbac-write'],
  severity: 'high',
  roleSeverity: 'medium',
  description:
    'create, update or patch on roles and role bindings lets the holder re-grant every permission it holds to any subject, anonymous users included, and create bindings that outlive its own. RBAC refuses grants beyond what the holder has, unless it also has escalate or bind.',
  remediation:
    'Give write access to roles and bindings only to controllers that manage RBAC, in Roles of the namespaces they manage, with update/patch limited to their own objects through `resourceNames`.',
  references: [docs.rbac('privilege-escalation-prevention-and-bootstrapping', 'RBAC: privilege escalation prevention'), docs.goodPractices('least-privilege', 'RBAC good practices: least privilege')],
});
