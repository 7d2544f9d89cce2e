// In a chart render the unit is the whole app: a binding to a role that is neither in it nor built in
// grants nothing, or grants whatever someone else defines under that name.
import { defineRule } from '../src/engine/rule-kit.ts';
import { BUILTIN_CLUSTER_ROLES } from '../src/k8s/rbac.ts';
import { isObj, str } from '../src/k8s/values.ts';
import { docs, grantOf, isBuiltinRole, isRbacObject } from './_templates/rbac.ts';

export default defineRule({
  target: 'object',
  kinds: ['ClusterRoleBinding', 'RoleBinding'],
  meta: {
    id: 'rbac-binding-missing-role',
    title: 'Bindings should reference a role that exists',
    category: 'rbac',
    defaultSeverity: 'low',
    description:
      'A binding whose Role or ClusterRole is not in the chart and is not a built-in role grants nothing until something else creates that role, and then grants whatever that role holds, which the chart does not control. Usually a typo, a role renamed in one template only, or a Role in another namespace than the RoleBinding. Checked for chart renders only, where the scan holds the whole app.',
    remediation:
      'Point roleRef at the role the chart ships (same name, and for a Role the same namespace as the RoleBinding), ship the missing role with the chart, or document the dependency on a role another release provides.',
    references: [docs.rbac('rolebinding-and-clusterrolebinding', 'RBAC: RoleBinding and ClusterRoleBinding')],
    messages: {
      missing: '{{kind}} "{{name}}" is neither in the chart nor built in{{where}}: the binding grants nothing until something else creates it, then whatever that role holds{{hint}}',
    },
  },
  *check(binding, { unit }) {
    if (!unit.complete || !isRbacObject(binding)) return;
    const roleRef = isObj(binding.raw.roleRef) ? binding.raw.roleRef : {};
    const kind = str(roleRef.kind);
    const name = str(roleRef.name);
    if ((kind !== 'Role' && kind !== 'ClusterRole') || !name) return;
    const grant = grantOf(binding, unit);
    // unit.ts resolves built-ins with a plain index, so `toString` or `__proto__` come back as 'builtin'.
    const missing = grant?.resolved === 'missing' || (grant?.resolved === 'builtin' && !Object.hasOwn(BUILTIN_CLUSTER_ROLES, name));
    if (!missing) return;
    const namespace = binding.ref.kind === 'RoleBinding' ? unit.namespaceOf(binding) : undefined;
    if (isBuiltinRole(kind, name, namespace)) return;
    let hint = '';
    if (kind === 'Role' && namespace === undefined) {
      hint = ' (a ClusterRoleBinding can only reference a ClusterRole; the API server rejects this one)';
    } else if (kind === 'Role') {
      const elsewhere = unit.ofKind('Role').filter((r) => isRbacObject(r) && r.ref.name === name).map((r) => unit.namespaceOf(r));
      if (elsewhere.length > 0) hint = ` (the chart has a Role "${name}" in namespace ${elsewhere.join(', ')}; a RoleBinding only reaches Roles of its own namespace)`;
      else if (unit.ofKind('ClusterRole').some((r) => isRbacObject(r) && r.ref.name === name)) hint = ` (the chart has a ClusterRole "${name}": set roleRef.kind to ClusterRole)`;
    } else if (unit.ofKind('Role').some((r) => isRbacObject(r) && r.ref.name === name)) {
      hint = ` (the chart has a Role "${name}", not a ClusterRole: set roleRef.kind to Role)`;
    }
    yield {
      messageId: 'missing',
      path: '/roleRef/name',
      data: { kind, name, where: kind === 'Role' && namespace !== undefined ? ` in namespace ${namespace}` : '', hint },
    };
  },
});
