// Permissions bound to a namespace's `default` service account reach every pod of the namespace that names
// no other account (and every pod whose chart left serviceAccountName empty), not just the app they were meant for.
import type { Severity } from '../src/model/model.ts';
import { defineRule } from '../src/engine/rule-kit.ts';
import { adminEquivalence } from '../src/k8s/rbac.ts';
import { arr, isObj, str } from '../src/k8s/values.ts';
import { boundRules, dangerousGranted, DISCOVERY_ROLES, docs, grantOf, isRbacObject } from './_templates/rbac.ts';

const SERVICE_ACCOUNT_USER = /^system:serviceaccount:([^:]+):default$/;
const NAMESPACE_GROUP = /^system:serviceaccounts:([^:]+)$/;

/**
 * The namespace whose default service account a subject names, and how: the account itself, its user
 * name, or the group of every account of its namespace. `system:serviceaccounts` (every account of the
 * cluster) is rbac-broad-subject's, so one field gets one finding.
 */
function defaultAccountOf(subject: Record<string, unknown>, bindingNamespace: string | undefined): { namespace: string; who: string } | undefined {
  const kind = str(subject.kind);
  const name = str(subject.name);
  if (name === undefined) return undefined;
  if (kind === 'ServiceAccount' && name === 'default') {
    // The API server defaults nothing here, but the authorizer reads a RoleBinding's subject without a namespace as the binding's.
    const namespace = str(subject.namespace) || bindingNamespace;
    return namespace ? { namespace, who: `ServiceAccount ${namespace}/default` } : undefined;
  }
  if (kind === 'User') {
    const namespace = SERVICE_ACCOUNT_USER.exec(name)?.[1];
    return namespace ? { namespace, who: `User ${name} (the default service account of ${namespace})` } : undefined;
  }
  if (kind === 'Group') {
    const namespace = NAMESPACE_GROUP.exec(name)?.[1];
    return namespace ? { namespace, who: `Group ${name} (every service account of ${namespace}, default included)` } : undefined;
  }
  return undefined;
}

export default defineRule({
  target: 'object',
  kinds: ['ClusterRoleBinding', 'RoleBinding'],
  meta: {
    id: 'rbac-default-service-account-binding',
    title: "Do not bind roles to a namespace's default service account",
    category: 'rbac',
    defaultSeverity: 'high',
    description:
      "Every pod that names no service account runs as its namespace's `default` account, so a binding to it (the ServiceAccount `default`, the user `system:serviceaccount:<namespace>:default`, or the group `system:serviceaccounts:<namespace>`) hands its role to every such pod of the namespace, whichever chart or person created them. High when the role has a permission of the dangerous-permission catalog (secrets, workloads, exec, RBAC, tokens...), is cluster-admin-equivalent or cannot be seen in the scan; medium otherwise. The group of every service account of the cluster is reported by rbac-broad-subject.",
    remediation: 'Create a ServiceAccount for the workload that needs the role, set it as the pods\' serviceAccountName, and bind the role to that account instead.',
    references: [
      { title: 'Service accounts: default service accounts', url: 'https://kubernetes.io/docs/concepts/security/service-accounts/#default-service-accounts' },
      docs.goodPractices('least-privilege', 'RBAC good practices: least privilege'),
    ],
    messages: {
      bound: '{{binding}} binds {{role}} {{scope}} to {{who}}: every pod in namespace {{namespace}} that names no other service account inherits it{{why}}',
    },
  },
  *check(binding, { unit }) {
    if (!isRbacObject(binding)) return;
    const bindingNamespace = binding.ref.kind === 'RoleBinding' ? unit.namespaceOf(binding) : undefined;
    const grant = grantOf(binding, unit);
    if (!grant) return;
    const namespaced = grant.namespace !== undefined;
    // Every account already holds the discovery roles through system:authenticated: binding them grants nothing new.
    if (grant.roleRef.kind === 'ClusterRole' && DISCOVERY_ROLES.has(grant.roleRef.name)) return;
    const rules = boundRules(grant, unit);
    let severity: Severity = 'medium';
    let why = '';
    if (rules === undefined) {
      severity = 'high';
      why = ', with permissions the scan cannot see (the role is not in the scanned objects)';
    } else {
      const admin = adminEquivalence(rules, namespaced);
      const dangerous = admin ? [`${admin.how} (cluster-admin-equivalent)`] : dangerousGranted(rules, namespaced).map((p) => p.summary);
      if (dangerous.length > 0) {
        severity = 'high';
        why = `, which ${dangerous.join('; ')}`;
      }
    }
    const data = {
      binding: `${binding.ref.kind} ${binding.ref.name}`,
      role: `${grant.roleRef.kind} ${grant.roleRef.name}`,
      scope: namespaced ? `in namespace ${grant.namespace}` : 'cluster-wide',
      why,
    };
    for (const [index, subject] of arr(binding.raw.subjects).entries()) {
      if (!isObj(subject)) continue;
      const account = defaultAccountOf(subject, bindingNamespace);
      if (!account) continue;
      yield {
        messageId: 'bound',
        path: `/subjects/${index}`,
        data: { ...data, who: account.who, namespace: account.namespace },
        severity,
        ...(grant.role ? { related: [grant.role.ref] } : {}),
      };
    }
  },
});
