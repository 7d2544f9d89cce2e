import { docs, lower } from './_templates/rbac.ts';
import { rolePermissionRule } from './_templates/rbac-permission.ts';

export default rolePermissionRule({
  id: 'rbac-pod-exec',
  title: 'Roles should not exec into, attach to, port-forward or add ephemeral containers to pods',
  permissions: ['pod-exec'],
  severity: 'high',
  roleSeverity: 'medium',
  // Port-forward alone reaches the pod's ports from inside its network namespace (localhost-only
  // listeners, past every NetworkPolicy) but not its files, processes or token: one step lower.
  refine: (hit, severity) =>
    hit.requests.every(([, , resource]) => resource === 'pods/portforward')
      ? { severity: lower(severity), note: "port-forward reaches the pods' ports, not their files or tokens" }
      : { severity },
  description:
    'pods/exec and pods/attach run commands in (or take over the terminal of) running containers: the holder gets the files, Secrets, service-account tokens and network position of every pod it can reach. pods/portforward connects to any port of those pods from inside their network namespace, localhost-only listeners included and NetworkPolicies bypassed (one step lower). Since Kubernetes 1.30 the WebSocket protocol opens these streams with a GET, so `get` on them counts like `create`. Permissions on `pods` do not include these subresources; `*/exec` or `*` does (`pods/*` matches nothing). update or patch on pods/ephemeralcontainers adds a container of the holder\'s choosing to a running pod (kubectl debug), with the pod\'s volumes and token: exec by another name.',
  remediation:
    'Remove pods/exec, pods/attach and pods/portforward (both get and create) and pods/ephemeralcontainers from roles that workloads use; grant them to people in namespaced Roles, limited with `resourceNames` to the pods they debug.',
  references: [docs.goodPractices('privilege-escalation-risks', 'RBAC good practices: privilege escalation risks'), docs.rbac('referring-to-resources', 'RBAC: referring to resources (subresources)')],
});
