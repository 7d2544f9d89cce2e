import { docs } from './_templates/rbac.ts';
import { rolePermissionRule } from './_templates/rbac-permission.ts';

// A Namespace object is authorized in itself: a Role (or a RoleBinding) with update or patch on namespaces
// reaches its own Namespace, one step lower than a ClusterRole that reaches every namespace.
export default rolePermissionRule({
  id: 'rbac-namespace-modify',
  title: 'Roles should not change Namespaces',
  permissions: ['namespace-modify'],
  severity: 'high',
  description:
    "update or patch on namespaces changes a namespace's labels, and Pod Security admission reads its levels from them: relabelling `pod-security.kubernetes.io/enforce: privileged` lets privileged pods in, and labels that NetworkPolicies or admission webhooks select on change what applies there. A Role (or a ClusterRole bound with a RoleBinding) reaches its own Namespace object (medium); a ClusterRole reaches every namespace, kube-system included (high).",
  remediation:
    'Remove update and patch on namespaces from roles that workloads use; manage namespace labels from the pipeline that creates the namespaces.',
  references: [docs.goodPractices('namespace-modification', 'RBAC good practices: namespace modification'), { title: 'Pod Security admission labels', url: 'https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces' }],
});
