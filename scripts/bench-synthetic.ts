// Synthetic scale benchmark: N objects in one unit (plain manifests), with every join exercised
// (workload -> service account -> bindings -> roles, NetworkPolicies -> pods, Services/Ingresses -> pods).
// Prints the time and memory at N/2 and N so that a join that is quadratic shows up as a ratio near 4.
// Usage: npm run bench:synthetic [-- --objects 20000]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { scan } from '../src/pipeline/scan.ts';

/** Twelve objects per app; apps spread over namespaces of 50 apps each. */
export function syntheticManifests(objects: number): string {
  const apps = Math.ceil(objects / 12);
  const docs: string[] = [];
  for (let i = 0; i < apps; i++) {
    const ns = `team-${Math.floor(i / 50)}`;
    const app = `app-${i}`;
    docs.push(
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${app}, namespace: ${ns}}\nspec:\n  selector: {matchLabels: {app: ${app}}}\n  template:\n    metadata: {labels: {app: ${app}, tier: web}}\n    spec:\n      serviceAccountName: ${app}\n      containers:\n        - name: main\n          image: registry.example/${app}:1.0\n          env: [{name: MODE, value: prod}]\n          securityContext: {allowPrivilegeEscalation: false, runAsNonRoot: true}\n      volumes: [{name: s, secret: {secretName: ${app}}}]`,
      `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ${app}, namespace: ${ns}}`,
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: ${app}, namespace: ${ns}}\nrules: [{apiGroups: [""], resources: [configmaps, secrets], verbs: [get, list]}]`,
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: ${app}, namespace: ${ns}}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ${app}}\nsubjects: [{kind: ServiceAccount, name: ${app}, namespace: ${ns}}]`,
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: ${app}-view, labels: {aggregate: "${i % 10}"}}\nrules: [{apiGroups: [""], resources: [pods], verbs: [get]}]`,
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: ${app}-view}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${app}-view}\nsubjects: [{kind: ServiceAccount, name: ${app}, namespace: ${ns}}]`,
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${app}, namespace: ${ns}}\nspec:\n  podSelector: {matchLabels: {app: ${app}}}\n  ingress: [{from: [{podSelector: {matchLabels: {tier: web}}}]}]`,
      `apiVersion: v1\nkind: Service\nmetadata: {name: ${app}, namespace: ${ns}}\nspec: {selector: {app: ${app}}, ports: [{port: 80}]}`,
      `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: ${app}, namespace: ${ns}}\nspec:\n  tls: [{hosts: [${app}.example.com]}]\n  rules: [{host: ${app}.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: ${app}, port: {number: 80}}}}]}}]`,
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${app}, namespace: ${ns}}\ndata: {LOG_LEVEL: info}`,
      `apiVersion: v1\nkind: Secret\nmetadata: {name: ${app}, namespace: ${ns}}\ntype: Opaque`,
      `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: ${app}, namespace: ${ns}}\nspec: {minAvailable: 1, selector: {matchLabels: {app: ${app}}}}`,
    );
  }
  return docs.slice(0, objects).join('\n---\n') + '\n';
}

async function measure(objects: number, dir: string) {
  const file = path.join(dir, `synthetic-${objects}.yaml`);
  writeFileSync(file, syntheticManifests(objects));
  global.gc?.();
  const before = process.memoryUsage().rss;
  const started = performance.now();
  const result = await scan({ paths: [file], failOn: 'never' });
  const ms = performance.now() - started;
  const rssMb = (process.memoryUsage().rss - before) / 1024 / 1024;
  return { objects: result.summary.objects, findings: result.summary.findings, ms, rssMb, peakMb: process.resourceUsage().maxRSS / 1024 };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const { values } = parseArgs({ options: { objects: { type: 'string', default: '20000' } } });
  const n = Number(values.objects);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-synthetic-'));
  try {
    await measure(1000, dir); // warm-up
    const half = await measure(n / 2, dir);
    const full = await measure(n, dir);
    for (const r of [half, full]) console.log(`${r.objects} objects: ${r.ms.toFixed(0)} ms (${((r.ms / r.objects) * 1000).toFixed(0)} µs/object), ${r.findings} findings, peak RSS ${r.peakMb.toFixed(0)} MB`);
    console.log(`time ratio ${n} / ${n / 2}: ${(full.ms / half.ms).toFixed(2)} (2.0 = linear, 4.0 = quadratic)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
