import { docs } from './_templates/rbac.ts';
import { rolePermissionRule } from './_templates/rbac-permission.ts';

// Admission configuration is cluster-scoped: a Role's rules never reach it, so only ClusterRoles report.
export default rolePermissionRule({
  id: 'rbac-webhook-config',
  title: 'Roles should not change admission webhooks and policies',
  permissions: ['webhook-config'],
  severity: 'high',
  description:
    'Whoever can write or delete MutatingWebhookConfigurations, ValidatingWebhookConfigurations or ValidatingAdmissionPolicies (and their bindings) decides what admission lets through: it can send every admitted object, Secrets included, to a webhook of its choice, rewrite pods as they are created, or remove the policies that enforce security.',
  remediation:
    'Remove write access to admission configuration. A controller that rotates its own webhook\'s caBundle needs update/patch only on that configuration, limited with `resourceNames`.',
  references: [docs.goodPractices('control-admission-webhooks', 'RBAC good practices: control admission webhooks')],
});
