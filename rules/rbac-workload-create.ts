import { docs } from './_templates/rbac.ts';
import { rolePermissionRule } from './_templates/rbac-permission.ts';

export default rolePermissionRule({
  id: 'rbac-workload-create',
  title: 'Roles should not create or change pods and pod controllers',
  permissions: ['workload-create'],
  severity: 'high',
  roleSeverity: 'medium',
  description:
    'Whoever can create or change pods, or the controllers that create them, can run any image as any service account of the namespace, mount its Secrets, and take whatever node-level privilege Pod Security admission allows there.',
  remediation:
    'Remove create/update/patch on pods and pod controllers unless the workload is an operator that must manage them; then grant it in a Role of the namespaces it manages (update/patch limited with `resourceNames` where it manages known objects) and enforce the baseline or restricted Pod Security Standard there.',
  references: [docs.goodPractices('workload-creation', 'RBAC good practices: workload creation')],
});
