import { docs } from './_templates/rbac.ts';
import { rolePermissionRule } from './_templates/rbac-permission.ts';

// Nodes are cluster-scoped: a Role's rules never reach nodes/proxy, so only ClusterRoles report.
export default rolePermissionRule({
  id: 'rbac-nodes-proxy',
  title: 'Roles should not reach the kubelet through nodes/proxy',
  permissions: ['nodes-proxy'],
  severity: 'critical',
  description:
    'nodes/proxy opens the kubelet API of the nodes to the holder: it can run commands in every pod on them, bypassing admission control and the API server audit log. `get` is enough (exec works over a websocket GET), so it is not a read-only permission.',
  remediation:
    'Remove nodes/proxy. Monitoring agents need nodes/metrics or nodes/stats (or the /metrics endpoints), not the proxy.',
  references: [
    docs.goodPractices('access-to-proxy-subresource-of-nodes', 'RBAC good practices: access to the proxy subresource of Nodes'),
    { title: 'Kubelet authentication/authorization', url: 'https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/' },
  ],
});
