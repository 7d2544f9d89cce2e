import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.ts';
import { blastRadiusOf } from '../../src/engine/blast-radius.ts';
import { evaluate } from '../../src/engine/evaluate.ts';
import { loadObjects } from '../helpers/rule-tester.ts';

function radii(yaml: string) {
  const { units } = evaluate(loadObjects(yaml, 'chart'), [], defaultConfig());
  return Object.fromEntries(units.flatMap((unit) => unit.pods.map((pod) => [pod.object.ref.name, blastRadiusOf(pod, unit)])));
}

const deployment = (name: string, podSpec: string, labels = `app: ${name}`) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: apps}
spec:
  selector: {matchLabels: {${labels}}}
  template:
    metadata: {labels: {${labels}}}
    spec:
${podSpec}      containers:
        - name: main
          image: app:1
          securityContext: {runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}
`;
const rbac = `---
apiVersion: v1
kind: ServiceAccount
metadata: {name: operator, namespace: apps}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: operator}
rules:
  - apiGroups: [""]
    resources: [secrets]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: operator}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: operator}
subjects: [{kind: ServiceAccount, name: operator, namespace: apps}]
`;
const service = (name: string, type: string) => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: apps}
spec: {type: ${type}, selector: {app: ${name}}, ports: [{port: 80}]}
`;
const denyAll = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: apps}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
`;

describe('blast radius', () => {
  it('rates a reachable workload that can read every secret as critical, naming the join', () => {
    const r = radii(deployment('operator', '      serviceAccountName: operator\n') + rbac + service('operator', 'LoadBalancer'))['operator']!;
    expect(r.rating).toBe('critical');
    expect(r.reasons[0]).toBe('can read all secrets in the cluster');
    expect(r.reasons).toContain('exposed outside the cluster through LoadBalancer Service operator');
    expect(r.reasons).toContain('reachable from any pod (no NetworkPolicy selects it for ingress)');
    expect(r.authority).toMatchObject({ serviceAccount: { name: 'operator', defined: true }, tokenMounted: true });
    expect(r.authority.grants).toEqual([{ binding: expect.objectContaining({ kind: 'ClusterRoleBinding', name: 'operator' }), role: { kind: 'ClusterRole', name: 'operator' }, scope: 'cluster', resolved: 'scan' }]);
    expect(r.secrets.readable).toBe('cluster');
  });

  it('does not count authority whose token is not mounted', () => {
    const r = radii(deployment('operator', '      serviceAccountName: operator\n      automountServiceAccountToken: false\n') + rbac + denyAll)['operator']!;
    expect(r.authority.tokenMounted).toBe(false);
    expect(r.reasons.some((reason) => reason.startsWith('can '))).toBe(false);
    expect(r.rating).toBe('low');
  });

  it('rates a hardened, isolated workload low with no reasons', () => {
    const r = radii(deployment('web', '      automountServiceAccountToken: false\n') + denyAll)['web']!;
    expect(r).toMatchObject({ rating: 'low', reasons: [], reachability: { ingressPolicies: ['default-deny'], egressPolicies: ['default-deny'] } });
  });

  it('rates node-level privilege critical and restricted gaps medium', () => {
    const all = radii(
      deployment('agent', '      hostPID: true\n      automountServiceAccountToken: false\n') +
        deployment('plain', '      automountServiceAccountToken: false\n').replace(/securityContext: \{.*\}/, 'securityContext: {}') +
        denyAll,
    );
    expect(all['agent']!.rating).toBe('critical');
    expect(all['agent']!.privilege.baselineViolations).toEqual(['hostNamespaces']);
    expect(all['plain']!.rating).toBe('medium');
    expect(all['plain']!.reasons[0]).toMatch(/^not hardened to restricted/);
  });

  it('weighs authority by scope, and makes external exposure of high authority critical', () => {
    const namespaced = rbac.replace('kind: ClusterRoleBinding', 'kind: RoleBinding').replace('metadata: {name: operator}\nroleRef', 'metadata: {name: operator, namespace: apps}\nroleRef');
    const inside = radii(deployment('operator', '      serviceAccountName: operator\n') + namespaced)['operator']!;
    expect(inside.rating).toBe('high');
    expect(inside.reasons[0]).toBe('can read secrets in namespace apps');
    expect(inside.secrets.readable).toBe('namespace');
    const exposed = radii(deployment('operator', '      serviceAccountName: operator\n') + namespaced + service('operator', 'NodePort'))['operator']!;
    expect(exposed.rating).toBe('critical');
  });

  it('rates host paths by what they expose and how they are mounted', () => {
    const withVolume = (name: string, path: string, readOnly: boolean) =>
      deployment(name, `      automountServiceAccountToken: false\n      volumes: [{name: host, hostPath: {path: ${path}}}]\n`).replace('securityContext:', `volumeMounts: [{name: host, mountPath: /host, readOnly: ${readOnly}}]\n          securityContext:`);
    const all = radii(withVolume('logs-ro', '/var/log', true) + withVolume('etc-rw', '/etc', false) + withVolume('sock', '/var/run/docker.sock', true) + denyAll);
    expect(all['logs-ro']!.rating).toBe('high');
    expect(all['logs-ro']!.reasons[0]).toMatch(/^mounts host paths \/var\/log \(node logs.*read-only\)/);
    expect(all['etc-rw']!.rating).toBe('critical');
    expect(all['sock']!.rating).toBe('critical');
    expect(all['sock']!.reasons[0]).toContain('the container runtime socket');
  });

  it('reads capabilities as runtimes do: case-insensitive, CAP_ prefix optional', () => {
    const withCaps = (name: string, caps: string) =>
      deployment(name, '      automountServiceAccountToken: false\n').replace(/securityContext: \{.*\}/, `securityContext: {capabilities: {add: [${caps}]}}`);
    const all = radii(withCaps('escape', 'cap_sys_admin') + withCaps('net', 'NET_RAW') + denyAll);
    expect(all['escape']!.rating).toBe('critical');
    expect(all['net']!.rating).toBe('high');
  });

  describe('RBAC facts beyond the catalog wildcards', () => {
    const verbs = '[get, list, watch, create, update, patch, delete]';
    const roleWith = (kind: 'ClusterRole' | 'Role', rules: string) => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata: {name: operator${kind === 'Role' ? ', namespace: apps' : ''}}
rules:
${rules}`;
    const clusterBinding = rbac.split('---\n').filter((d) => d.includes('ClusterRoleBinding') || d.includes('kind: ServiceAccount')).map((d) => '---\n' + d).join('');
    const namespacedBinding = `---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: operator, namespace: apps}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: operator}
subjects: [{kind: ServiceAccount, name: SUBJECT}]
`;
    const operator = deployment('operator', '      serviceAccountName: operator\n') + denyAll;

    it('an enumerated cluster-admin is one critical reason naming it', () => {
      const enumerated = roleWith('ClusterRole', `  - {apiGroups: [""], resources: [pods, secrets, serviceaccounts, configmaps, services, persistentvolumeclaims, nodes, namespaces, persistentvolumes], verbs: ${verbs}}
  - {apiGroups: [rbac.authorization.k8s.io], resources: [roles, rolebindings, clusterroles, clusterrolebindings], verbs: ${verbs}}
`);
      const r = radii(operator + enumerated + clusterBinding)['operator']!;
      expect(r.rating).toBe('critical');
      expect(r.reasons[0]).toBe('is as good as cluster-admin (allows every verb on every core and RBAC resource) in the whole cluster');
      expect(r.authority.dangerous.map((d) => d.id)).toContain('cluster-admin-equivalent');
    });

    it('get on pods/attach counts as exec; writing secrets is authority too', () => {
      const attach = roleWith('Role', '  - {apiGroups: [""], resources: [pods/attach], verbs: [get]}\n  - {apiGroups: [""], resources: [secrets], verbs: [update, patch]}\n');
      const r = radii(operator + attach + namespacedBinding.replace('SUBJECT', 'operator'))['operator']!;
      expect(r.rating).toBe('medium');
      expect(r.reasons).toContain('can exec into, attach to, port-forward or add ephemeral containers to pods in namespace apps');
      expect(r.reasons).toContain('can create, change or delete secrets in namespace apps');
      expect(r.authority.dangerous.map((d) => d.id).sort()).toEqual(['pod-exec', 'secrets-write']);
      expect(r.secrets.readable).toBe('none');
    });

    it('port-forward alone weighs one step below exec', () => {
      const pf = roleWith('ClusterRole', '  - {apiGroups: [""], resources: [pods/portforward], verbs: [get]}\n');
      const r = radii(operator + pf + clusterBinding)['operator']!;
      expect(r.reasons[0]).toBe('can port-forward to pods in the whole cluster');
      expect(r.rating).toBe('medium');
      const exec = roleWith('ClusterRole', '  - {apiGroups: [""], resources: [pods/portforward, pods/exec], verbs: [get]}\n');
      expect(radii(operator + exec + clusterBinding)['operator']!.rating).toBe('high');
    });

    it('a RoleBinding subject with an empty namespace is the binding namespace\'s account, as the authorizer reads it', () => {
      const reader = roleWith('Role', '  - {apiGroups: [""], resources: [secrets], verbs: [get, list]}\n');
      const binding = namespacedBinding.replace('{kind: ServiceAccount, name: SUBJECT}', '{kind: ServiceAccount, name: operator, namespace: ""}');
      const r = radii(operator + reader + binding)['operator']!;
      expect(r.authority.grants.map((g) => g.binding.name)).toEqual(['operator']);
      expect(r.reasons).toContain('can read secrets in namespace apps');
    });

    it('a pod naming no service account inherits what is bound to the default one', () => {
      const writer = roleWith('Role', '  - {apiGroups: [""], resources: [secrets], verbs: [create]}\n');
      const r = radii(deployment('web', '') + denyAll + writer + namespacedBinding.replace('SUBJECT', 'default'))['web']!;
      expect(r.authority.serviceAccount).toMatchObject({ name: 'default' });
      expect(r.reasons).toContain('can create, change or delete secrets in namespace apps');
      expect(r.reasons).toContain('runs as the default service account of namespace apps, whose permissions (RoleBinding/operator) every pod there that names no other account inherits');
    });
  });

  it('lists mounted secrets from volumes, projections and env', () => {
    const podSpec = `      automountServiceAccountToken: false
      volumes:
        - {name: a, secret: {secretName: tls}}
        - {name: b, projected: {sources: [{secret: {name: creds}}]}}
`;
    const yaml = deployment('web', podSpec).replace('securityContext:', 'envFrom: [{secretRef: {name: env-secret}}]\n          env: [{name: X, valueFrom: {secretKeyRef: {name: db, key: password}}}]\n          securityContext:');
    expect(radii(yaml)['web']!.secrets.mounted).toEqual(['creds', 'db', 'env-secret', 'tls']);
  });
});

describe('blast radius: Cilium and Calico isolation', () => {
  it('counts a Cilium policy per direction and a Calico policy by its selector', () => {
    const cilium = `---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: web-in, namespace: apps}\nspec:\n  endpointSelector: {matchLabels: {app: web}}\n  ingress: [{fromEndpoints: [{}]}]\n`;
    const calico = `---\napiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: web-out, namespace: apps}\nspec:\n  selector: app == 'web'\n  types: [Egress]\n`;
    const r = radii(deployment('web', '      automountServiceAccountToken: false\n') + cilium + calico)['web']!;
    expect(r).toMatchObject({ rating: 'low', reasons: [], reachability: { ingressPolicies: ['web-in'], egressPolicies: ['web-out'] } });
  });

  it('names a policy it cannot decide instead of counting it as isolation', () => {
    const calico = `---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: by-team}\nspec:\n  selector: app == web\n  types: [Ingress, Egress]\n`;
    const r = radii(deployment('web', '      automountServiceAccountToken: false\n') + calico)['web']!;
    expect(r.reachability).toMatchObject({ ingressPolicies: [], egressPolicies: [] });
    expect(r.reasons).toEqual([
      'reachable from any pod (no NetworkPolicy selects it for ingress; GlobalNetworkPolicy by-team may select it, preadmit cannot tell)',
      'can connect anywhere (no egress NetworkPolicy; GlobalNetworkPolicy by-team may select it, preadmit cannot tell)',
    ]);
  });
});

describe('blast radius through built-in ClusterRoles (the Kubernetes bootstrap policy)', () => {
  const account = `---
apiVersion: v1
kind: ServiceAccount
metadata: {name: app, namespace: apps}
`;
  const bind = (role: string) => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: app-${role.replace(/:/g, '-')}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "${role}"}
subjects: [{kind: ServiceAccount, name: app, namespace: apps}]
`;
  const app = deployment('app', '      serviceAccountName: app\n');

  it('system:node bound to an app account reads every secret of the cluster', () => {
    const r = radii(account + bind('system:node') + app)['app']!;
    expect(r.rating).toBe('critical');
    expect(r.reasons).toContain('can read all secrets in the cluster');
    expect(r.secrets.readable).toBe('cluster');
    expect(r.authority.grants).toEqual([expect.objectContaining({ role: { kind: 'ClusterRole', name: 'system:node' }, resolved: 'builtin' })]);
  });

  it('the aggregation controller role is a route to cluster-admin', () => {
    const r = radii(account + bind('system:controller:clusterrole-aggregation-controller') + app)['app']!;
    expect(r.rating).toBe('critical');
    expect(r.authority.dangerous.map((d) => d.id)).toEqual(['cluster-admin-equivalent', 'escalate-bind', 'rbac-write']);
  });
});
