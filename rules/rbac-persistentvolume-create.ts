import { docs } from './_templates/rbac.ts';
import { rolePermissionRule } from './_templates/rbac-permission.ts';

// PersistentVolumes are cluster-scoped: a Role's rules never reach them, so only ClusterRoles report.
export default rolePermissionRule({
  id: 'rbac-persistentvolume-create',
  title: 'Roles should not create PersistentVolumes',
  permissions: ['persistentvolume-create'],
  severity: 'high',
  description:
    "create on persistentvolumes lets the holder declare a volume backed by any hostPath (or local path) of a node; a pod that claims it mounts that directory of the node's filesystem, past any policy that only checks hostPath volumes in pods. Storage provisioners need it; application workloads do not.",
  remediation:
    'Remove create on persistentvolumes; let a StorageClass provisioner create volumes for PersistentVolumeClaims. A CSI driver or provisioner that needs it should run with its own service account, apart from application pods.',
  references: [docs.goodPractices('persistent-volume-creation', 'RBAC good practices: persistent volume creation')],
});
