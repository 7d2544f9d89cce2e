import { docs } from './_templates/rbac.ts';
import { rolePermissionRule } from './_templates/rbac-permission.ts';

export default rolePermissionRule({
  id: 'rbac-pod-exec',
  title: 'Roles should not exec into, attach to or port-forward pods',
  permissions: ['pod-exec'],
  severity: 'high',
  roleSeverity: 'medium',
  description:
    'pods/exec and pods/attach run commands in running containers, pods/portforward opens connections to them: the holder gets the files, Secrets, service-account tokens and network position of every pod it can reach. Permissions on `pods` do not include these subresources; `*/exec` or `*` does.',
  remediation:
    'Remove pods/exec, pods/attach and pods/portforward from roles that workloads use; grant them to people in namespaced Roles, limited with `resourceNames` to the pods they debug.',
  references: [docs.goodPractices('privilege-escalation-risks', 'RBAC good practices: privilege escalation risks'), docs.rbac('referring-to-resources', 'RBAC: referring to resources (subresources)')],
});
