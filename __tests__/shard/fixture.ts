// A repository whose charts join across units: a `platform` chart creates Namespaces with Pod Security
// enforce labels and a RoleBinding to another chart's service account; `app-b` and `app-c` run workloads in
// those Namespaces; plain manifests add a Pod in one of them. With 2 and 3 shards, platform and app-b land
// in different shards (rendezvous hashing of the paths; the suite checks it), so the namespace join must
// cross shards.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ScanResult } from '../../src/model/model.ts';
import { toJsonValue } from '../../src/reporters/json.ts';

function write(root: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

const chartYaml = (name: string) => `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`;

const deployment = (name: string, namespace: string, securityContext: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      serviceAccountName: ${name}
      containers:
        - name: main
          image: "nginx:1.27.0"
          securityContext:
${securityContext}
`;

export function makeShardRepo(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'preadmit-shard-repo-'));
  write(root, '.git/HEAD', 'ref: refs/heads/main\n');
  write(
    root,
    '.preadmit.yaml',
    `suppressions:
  - rule: pss-namespace-rejection
    chart: charts/app-c
    reason: app-c moves to its own namespace next sprint
  - rule: pss-host-path-volumes
    chart: charts/nowhere
    reason: never matches
`,
  );
  // platform: the Namespaces (team-b restricted, team-c baseline at v1.20, team-x privileged), a RoleBinding
  // granting cluster-admin to app-b's service account, and a NetworkPolicy.
  write(root, 'charts/platform/Chart.yaml', chartYaml('platform'));
  write(root, 'charts/platform/values.yaml', 'teamB: team-b\n');
  write(
    root,
    'charts/platform/templates/namespaces.yaml',
    `apiVersion: v1
kind: Namespace
metadata:
  name: {{ .Values.teamB }}
  labels:
    pod-security.kubernetes.io/enforce: restricted
---
apiVersion: v1
kind: Namespace
metadata:
  name: team-c
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/enforce-version: v1.20
---
apiVersion: v1
kind: Namespace
metadata:
  name: team-x
  labels:
    pod-security.kubernetes.io/enforce: privileged
`,
  );
  write(
    root,
    'charts/platform/templates/rbac.yaml',
    `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: app-b-admin
  namespace: team-b
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {kind: ServiceAccount, name: app-b, namespace: team-b}
`,
  );
  // The same Namespaces in the value set `extra` (ci/extra-values.yaml), so app-b's `extra` render joins too.
  write(root, 'charts/platform/ci/extra-values.yaml', 'teamB: team-b\n');
  // app-b: runs as root with a privileged flag from values, in team-b (restricted).
  write(root, 'charts/app-b/Chart.yaml', chartYaml('app-b'));
  write(root, 'charts/app-b/values.yaml', 'privileged: false\nrunAsNonRoot: false\n');
  write(root, 'charts/app-b/ci/extra-values.yaml', 'privileged: true\nrunAsNonRoot: false\n');
  write(
    root,
    'charts/app-b/templates/deployment.yaml',
    deployment('app-b', 'team-b', '            privileged: {{ .Values.privileged }}\n            runAsNonRoot: {{ .Values.runAsNonRoot }}'),
  );
  write(root, 'charts/app-b/templates/sa.yaml', 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app-b\n  namespace: team-b\n');
  // app-c: a hostPath volume (baseline) in team-c, suppressed in the configuration.
  write(root, 'charts/app-c/Chart.yaml', chartYaml('app-c'));
  write(root, 'charts/app-c/values.yaml', 'hostPath: /var/log\n');
  write(
    root,
    'charts/app-c/templates/deployment.yaml',
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-c
  namespace: team-c
spec:
  selector: {matchLabels: {app: app-c}}
  template:
    metadata: {labels: {app: app-c}}
    spec:
      containers:
        - name: main
          image: "nginx:1.27.0"
      volumes:
        - name: logs
          hostPath: {path: {{ .Values.hostPath }}}
`,
  );
  // app-d: privileged in team-x (privileged: no join finding); app-e: fine, in team-b.
  write(root, 'charts/app-d/Chart.yaml', chartYaml('app-d'));
  write(root, 'charts/app-d/templates/deployment.yaml', deployment('app-d', 'team-x', '            privileged: true'));
  write(root, 'charts/app-e/Chart.yaml', chartYaml('app-e'));
  write(
    root,
    'charts/app-e/templates/deployment.yaml',
    deployment(
      'app-e',
      'team-b',
      '            allowPrivilegeEscalation: false\n            runAsNonRoot: true\n            capabilities: {drop: [ALL]}\n            seccompProfile: {type: RuntimeDefault}',
    ),
  );
  // Plain manifests: a Pod in team-b that adds a capability.
  write(
    root,
    'manifests/pod.yaml',
    `apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: team-b
spec:
  containers:
    - name: main
      image: "busybox:1.36"
      securityContext:
        capabilities: {add: [NET_ADMIN]}
`,
  );
  return root;
}

/** The result as JSON (what a shard uploads and merge reads back). */
export const roundTrip = (result: ScanResult): ScanResult => JSON.parse(JSON.stringify(toJsonValue(result))) as ScanResult;

/** What must be equal, finding for finding: identity, rule, severity, place and lines, message, suppression, value sets. */
export function comparable(result: ScanResult) {
  const json = roundTrip(result);
  return {
    findings: json.findings.map((f) => ({ ...f })),
    objects: json.objects,
    charts: json.charts.map(({ renderMs: _r, provenance: _p, variant, answers, ...c }) => ({ ...c, ...(variant ? { variant: { ...variant, renderMs: 0 } } : {}), ...(answers ? { answers: { ...answers, renderMs: 0 } } : {}) })),
    errors: json.errors,
    suppressions: json.suppressions,
    verdict: json.summary.verdict,
    counts: { ...json.summary, renderMs: 0, totalMs: 0, provenance: undefined },
  };
}

