// cluster-admin (or a role of the chart that is its equivalent: `*` verbs on `*` resources in `*` groups,
// the same by enumeration, or a direct escalation route; see adminEquivalence) bound to anyone.
import { defineRule } from '../src/engine/rule-kit.ts';
import { adminEquivalence, subjectsOf } from '../src/k8s/rbac.ts';
import { isObj, str } from '../src/k8s/values.ts';
import { boundRules, builtinGrantOf, describeSubjects, docs, grantOf, isFullWildcard, isRbacObject } from './_templates/rbac.ts';

export default defineRule({
  target: 'object',
  kinds: ['ClusterRoleBinding', 'RoleBinding'],
  meta: {
    id: 'rbac-cluster-admin-binding',
    title: 'Do not bind cluster-admin',
    category: 'rbac',
    defaultSeverity: 'critical',
    description:
      'cluster-admin allows every verb on every resource. Bound with a ClusterRoleBinding, its subjects own the cluster (every Secret, every node through privileged pods); bound with a RoleBinding, they own the namespace, its Secrets, RBAC and the Namespace object included (high). A role of the chart that is cluster-admin in all but name is reported the same way: `*` verbs on `*` resources in `*` API groups; every verb (get, list, watch, create, update, patch, delete) on every resource of the core and RBAC API groups, enumerated or not; or a direct route to cluster-admin (bind on clusterroles with create on the bindings, escalate with update on the roles, or, cluster-wide, impersonate on users, groups or service accounts). Built-in ClusterRoles of the Kubernetes bootstrap policy are judged by their rules too: system:controller:clusterrole-aggregation-controller escalates clusterroles, and edit or admin bound cluster-wide impersonates every service account; admin, edit and view bound with a RoleBinding are the per-namespace delegation Kubernetes designed them for and are not reported.',
    remediation:
      'Bind a role that lists the permissions the subjects use; when they need broad access to one namespace, bind the built-in `admin` or `edit` ClusterRole with a RoleBinding there.',
    references: [docs.rbac('user-facing-roles', 'RBAC: user-facing roles'), docs.goodPractices('least-privilege', 'RBAC good practices: least privilege')],
    messages: {
      clusterAdmin: 'binds cluster-admin {{scope}}: {{subjects}} get every permission on every resource{{extent}}',
      equivalent: 'binds {{roleKind}} {{role}} {{scope}}, which allows every verb on every resource like cluster-admin: {{subjects}} get every permission{{extent}}',
      enumerated: 'binds {{roleKind}} {{role}} {{scope}}, which {{how}} without "*", like cluster-admin: {{subjects}} get every permission{{extent}}',
      escalation: 'binds {{roleKind}} {{role}} {{scope}}, which {{how}}: {{subjects}} can make themselves cluster-admin{{extent}}',
      builtinEnumerated: 'binds built-in ClusterRole {{role}} {{scope}}, which {{how}}, like cluster-admin: {{subjects}} get every permission{{extent}}',
      builtinEscalation: 'binds built-in ClusterRole {{role}} {{scope}}, which {{how}}: {{subjects}} can make themselves cluster-admin{{extent}}',
    },
  },
  *check(binding, { unit }) {
    if (!isRbacObject(binding)) return;
    const roleRef = isObj(binding.raw.roleRef) ? binding.raw.roleRef : {};
    const kind = str(roleRef.kind);
    const name = str(roleRef.name);
    if ((kind !== 'ClusterRole' && kind !== 'Role') || !name) return;
    const cluster = binding.ref.kind === 'ClusterRoleBinding';
    const data = {
      scope: cluster ? 'cluster-wide' : `in namespace ${unit.namespaceOf(binding)}`,
      subjects: describeSubjects(subjectsOf(binding.raw)),
      extent: cluster ? ' in every namespace' : ' in the namespace, its Secrets, RBAC and the Namespace object included',
      roleKind: kind,
      role: name,
    };
    const severity = cluster ? 'critical' : 'high';
    if (kind === 'ClusterRole' && name === 'cluster-admin') {
      yield { messageId: 'clusterAdmin', path: '/roleRef/name', data, severity };
      return;
    }
    // A built-in role with a route to cluster-admin (system:controller:clusterrole-aggregation-controller
    // escalates clusterroles; edit bound cluster-wide impersonates kube-system's service accounts).
    const builtin = builtinGrantOf(binding, unit);
    if (builtin) {
      const equivalence = adminEquivalence(builtin.rules, !cluster);
      if (!equivalence) return;
      const messageId = equivalence.route === 'everything' ? 'builtinEnumerated' : 'builtinEscalation';
      yield { messageId, path: '/roleRef/name', data: { ...data, how: equivalence.how }, severity };
      return;
    }
    const grant = grantOf(binding, unit);
    if (grant?.resolved !== 'scan' || !grant.role) return;
    const rules = boundRules(grant, unit) ?? [];
    if (rules.some(isFullWildcard)) {
      yield { messageId: 'equivalent', path: '/roleRef/name', data, severity, related: [grant.role.ref] };
      return;
    }
    const equivalence = adminEquivalence(rules, !cluster);
    if (!equivalence) return;
    const messageId = equivalence.route === 'everything' ? 'enumerated' : 'escalation';
    yield { messageId, path: '/roleRef/name', data: { ...data, how: equivalence.how }, severity, related: [grant.role.ref] };
  },
});
