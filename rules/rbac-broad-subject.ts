// Bindings to everyone: anonymous requests, every authenticated user, every service account.
import type { Severity } from '../src/model/model.ts';
import { defineRule } from '../src/engine/rule-kit.ts';
import { BROAD_GROUPS } from '../src/k8s/rbac.ts';
import { arr, isObj, str } from '../src/k8s/values.ts';
import { boundRules, dangerousGranted, DISCOVERY_ROLES, docs, grantOf, isRbacObject } from './_templates/rbac.ts';

/** `system:anonymous` is the user name of anonymous requests; the others are groups. */
function broad(kind: string | undefined, name: string | undefined): boolean {
  if (kind === 'User') return name === 'system:anonymous';
  return kind === 'Group' && (name === 'system:unauthenticated' || name === 'system:authenticated' || name === 'system:serviceaccounts');
}

export default defineRule({
  target: 'object',
  kinds: ['ClusterRoleBinding', 'RoleBinding'],
  meta: {
    id: 'rbac-broad-subject',
    title: 'Do not bind roles to every user or service account',
    category: 'rbac',
    defaultSeverity: 'critical',
    description:
      'A binding to the user system:anonymous or the groups system:unauthenticated, system:authenticated or system:serviceaccounts grants its role to everyone who can reach the API server, or to every workload of the cluster: any compromised pod gets it. Critical when the role has a dangerous permission (secrets, workloads, exec, RBAC, tokens...) or its rules are unknown, medium otherwise, low for the built-in discovery roles.',
    remediation:
      'Bind the role to the service accounts or groups that need it (a `ServiceAccount` subject, or `system:serviceaccounts:<namespace>` for one namespace), and keep anonymous and unauthenticated access off.',
    references: [docs.goodPractices('hardening', 'RBAC good practices: hardening'), docs.rbac('referring-to-subjects', 'RBAC: referring to subjects')],
    messages: {
      broad: '{{subject}} ({{who}}) is bound to {{role}} {{scope}}, {{why}}',
    },
  },
  *check(binding, { unit }) {
    if (!isRbacObject(binding)) return;
    const subjects = arr(binding.raw.subjects);
    if (!subjects.some((s) => isObj(s) && broad(str(s.kind), str(s.name)))) return;
    const grant = grantOf(binding, unit);
    if (!grant) return;
    const namespaced = grant.namespace !== undefined;
    const rules = boundRules(grant, unit);
    let severity: Severity;
    let why: string;
    if (rules === undefined) {
      severity = 'critical';
      why = 'whose permissions the scan cannot see (the role is not in the scanned objects)';
    } else {
      const dangerous = dangerousGranted(rules, namespaced);
      if (dangerous.length > 0) {
        severity = 'critical';
        why = `which ${dangerous.map((p) => p.summary).join('; ')}`;
      } else if (grant.roleRef.kind === 'ClusterRole' && DISCOVERY_ROLES.has(grant.roleRef.name)) {
        severity = 'low';
        why = 'a built-in role that only exposes discovery and self-review information';
      } else {
        severity = 'medium';
        why = 'which has no permission from the dangerous-permission catalog, but exposes everything it grants to them';
      }
    }
    const data = {
      role: `${grant.roleRef.kind} ${grant.roleRef.name}`,
      scope: namespaced ? `in namespace ${grant.namespace}` : 'cluster-wide',
      why,
    };
    for (const [index, subject] of subjects.entries()) {
      if (!isObj(subject)) continue;
      const kind = str(subject.kind);
      const name = str(subject.name);
      if (!broad(kind, name)) continue;
      yield {
        messageId: 'broad',
        path: `/subjects/${index}`,
        data: { ...data, subject: `${kind} ${name}`, who: BROAD_GROUPS[name!] ?? name! },
        severity,
        ...(grant.role ? { related: [grant.role.ref] } : {}),
      };
    }
  },
});
