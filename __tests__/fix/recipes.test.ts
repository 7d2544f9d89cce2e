// Every rule that declares a fix recipe: on a small chart with the real helm, the scan proves the edit at the
// finding's values key, `preadmit fix`'s application writes it, and a second scan no longer shows the
// finding (rule id and field asserted). Edits that break a render, that the API server would refuse, or
// that bring another finding are not offered.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import type { Finding, ScanResult } from '../../src/model/model.ts';
import { applyFixReport, type FixReport } from '../../src/pipeline/fixes.ts';
import { scan } from '../../src/pipeline/scan.ts';

const helmPath = process.env.PREADMIT_TEST_HELM3!;

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function chartAt(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'preadmit-fix-test-'));
  roots.push(root);
  mkdirSync(path.join(root, '.git'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

const CHART = 'apiVersion: v2\nname: app\nversion: 0.1.0\n';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-app
spec:
  selector:
    matchLabels: {app: x}
  template:
    metadata:
      labels: {app: x}
    spec:
      automountServiceAccountToken: {{ .Values.serviceAccount.automount }}
      hostPID: {{ .Values.hostPID }}
      hostIPC: {{ .Values.hostIPC }}
      {{- with .Values.podSecurityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: app
          image: nginx:1.25
          securityContext:
            {{- toYaml .Values.containerSecurityContext | nindent 12 }}
`;

// A pod in a user namespace (hostUsers: false) with everything else right: what only restricted forbids.
const WORKER = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-worker
spec:
  selector:
    matchLabels: {app: w}
  template:
    metadata:
      labels: {app: w}
    spec:
      hostUsers: false
      automountServiceAccountToken: false
      securityContext:
        {{- toYaml .Values.worker.podSecurityContext | nindent 8 }}
      containers:
        - name: worker
          image: nginx:1.25
          securityContext:
            {{- toYaml .Values.worker.securityContext | nindent 12 }}
`;

const SERVICES = `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-lb
spec:
  type: {{ .Values.service.type }}
  selector: {app: x}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-np
spec:
  type: {{ .Values.debugService.type }}
  selector: {app: x}
  ports: [{port: 81}]
`;

const VALUES = `# Values of a chart that gets everything wrong.
podSecurityContext: {}
  # fsGroup: 2000
containerSecurityContext:
  privileged: true # for debugging
  runAsUser: 1000
  procMount: Unmasked
  seccompProfile:
    type: Unconfined
  appArmorProfile:
    type: Unconfined
  windowsOptions:
    hostProcess: true
hostPID: true
hostIPC: true
serviceAccount:
  automount: true
service:
  type: LoadBalancer
debugService:
  type: NodePort
worker:
  podSecurityContext:
    runAsNonRoot: true
  securityContext:
    allowPrivilegeEscalation: false
    capabilities: {drop: [ALL]}
    readOnlyRootFilesystem: true
    procMount: Unmasked
`;

/** Each rule with a recipe, and the object and field of its finding in this chart. */
const EXPECTED: Record<string, [string, string][]> = {
  'pss-privileged': [['release-app', '/spec/template/spec/containers/0/securityContext/privileged']],
  'pss-allow-privilege-escalation': [['release-app', '/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation']],
  'pss-capabilities-restricted': [['release-app', '/spec/template/spec/containers/0/securityContext/capabilities/drop']],
  'pss-host-namespaces': [
    ['release-app', '/spec/template/spec/hostPID'],
    ['release-app', '/spec/template/spec/hostIPC'],
  ],
  'pss-proc-mount': [['release-app', '/spec/template/spec/containers/0/securityContext/procMount']],
  'pss-proc-mount-restricted': [['release-worker', '/spec/template/spec/containers/0/securityContext/procMount']],
  'pss-run-as-non-root': [['release-app', '/spec/template/spec/securityContext/runAsNonRoot']],
  'pss-seccomp-baseline': [['release-app', '/spec/template/spec/containers/0/securityContext/seccompProfile/type']],
  'pss-seccomp-restricted': [['release-worker', '/spec/template/spec/securityContext/seccompProfile/type']],
  'pss-apparmor-profile': [['release-app', '/spec/template/spec/containers/0/securityContext/appArmorProfile/type']],
  'pss-windows-host-process': [['release-app', '/spec/template/spec/containers/0/securityContext/windowsOptions/hostProcess']],
  'read-only-root-filesystem': [['release-app', '/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem']],
  'service-account-token-automount': [['release-app', '/spec/template/spec/automountServiceAccountToken']],
  'service-load-balancer-open': [['release-lb', '/spec/type']],
  'service-node-port': [['release-np', '/spec/type']],
};

describe('fix recipes', () => {
  let root: string;
  let before: ScanResult;
  let after: ScanResult;
  let report: FixReport | undefined;
  let defaultOnly: ScanResult;
  const optIn = RULES.filter((r) => r.fix?.optIn === true).map((r) => r.meta.id);

  beforeAll(async () => {
    root = chartAt({ 'app/Chart.yaml': CHART, 'app/values.yaml': VALUES, 'app/templates/deployment.yaml': DEPLOYMENT, 'app/templates/services.yaml': SERVICES, 'app/templates/worker.yaml': WORKER });
    before = await scan({ paths: [path.join(root, 'app')], helmPath, fixes: 'all', fixOptIn: optIn, onFixes: (r) => (report = r) });
    defaultOnly = await scan({ paths: [path.join(root, 'app')], helmPath, fixes: 'all' });
    applyFixReport(report, root, { dryRun: false });
    after = await scan({ paths: [path.join(root, 'app')], helmPath, fixes: 'off' });
  }, 240_000);

  it('covers every rule that declares a recipe', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(RULES.filter((r) => r.fix !== undefined).map((r) => r.meta.id).sort());
  });

  const find = (result: ScanResult, rule: string, pointer: string, name?: string): Finding | undefined =>
    result.findings.find((f) => f.ruleId === rule && f.path === pointer && (name === undefined || f.object.name === name));

  it.each(Object.entries(EXPECTED))('%s: a proven fix that removes the finding', (rule, fields) => {
    for (const [name, pointer] of fields) {
      const finding = find(before, rule, pointer, name);
      expect(finding, `${rule} at ${pointer} before`).toBeDefined();
      expect(finding!.fix, `${rule} at ${pointer}: ${JSON.stringify(report?.charts[0]?.rejected.map((r) => r.reason))}`).toMatchObject({ file: 'app/values.yaml' });
      expect(finding!.fix!.diff).toContain('--- a/app/values.yaml');
      expect(find(after, rule, pointer, name), `${rule} at ${pointer} after the fix`).toBeUndefined();
    }
  });

  it('offers opt-in recipes only when asked', () => {
    expect(find(defaultOnly, 'service-load-balancer-open', '/spec/type')?.fix).toBeUndefined();
    expect(find(defaultOnly, 'service-node-port', '/spec/type')?.fix).toBeUndefined();
    expect(find(defaultOnly, 'pss-privileged', '/spec/template/spec/containers/0/securityContext/privileged')?.fix?.description).toBe('set containerSecurityContext.privileged to false in app/values.yaml');
  });

  it('writes the values file as its author wrote it, and the re-render is clean', () => {
    const text = readFileSync(path.join(root, 'app/values.yaml'), 'utf8');
    expect(text).toContain('# Values of a chart that gets everything wrong.\npodSecurityContext:\n  runAsNonRoot: true\n');
    expect(text).toContain('  # fsGroup: 2000\n');
    expect(text).toContain('  privileged: false # for debugging\n');
    expect(text).toContain('service:\n  type: ClusterIP\n');
    expect(after.errors).toEqual([]);
    expect(report!.charts[0]!.renders).toBeGreaterThan(0);
  });
});

describe('fixes that are not offered', () => {
  it('rejects an edit that breaks a render, one the API server would refuse, and one that brings a new finding; keeps the safe one', async () => {
    const root = chartAt({
      'app/Chart.yaml': CHART,
      'app/values.yaml': 'securityContext:\n  privileged: true\n  runAsUser: 1000\nhostNetwork: true\n',
      'app/templates/deployment.yaml': `{{- if eq (toString .Values.securityContext.privileged) "false" }}{{ fail "this chart needs privileged" }}{{ end }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector:
    matchLabels: {app: x}
  template:
    metadata:
      labels: {app: x}
    spec:
      hostNetwork: {{ .Values.hostNetwork }}
      containers:
        - name: app
          image: nginx:1.25
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
`,
    });
    let report: FixReport | undefined;
    const result = await scan({ paths: [path.join(root, 'app')], helmPath, fixes: 'all', onFixes: (r) => (report = r) });
    const at = (rule: string, pointer: string) => result.findings.find((f) => f.ruleId === rule && f.path === pointer);
    const rejected = (description: string) => report!.charts[0]!.rejected.find((r) => r.edit.description === description)?.reason;
    expect(at('pss-privileged', '/spec/template/spec/containers/0/securityContext/privileged')?.fix).toBeUndefined();
    expect(rejected('set securityContext.privileged to false in app/values.yaml')).toMatch(/a render fails with the edits: .*this chart needs privileged/);
    expect(at('pss-allow-privilege-escalation', '/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation')?.fix).toBeUndefined();
    expect(rejected('set securityContext.allowPrivilegeEscalation to false in app/values.yaml')).toMatch(/API server would refuse Deployment\/app: allowPrivilegeEscalation false with privileged true/);
    expect(at('pss-host-namespaces', '/spec/template/spec/hostNetwork')?.fix).toBeUndefined();
    expect(rejected('set hostNetwork to false in app/values.yaml')).toMatch(/new findings? would appear: network-policy-/);
    expect(at('read-only-root-filesystem', '/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem')?.fix?.description).toBe('set securityContext.readOnlyRootFilesystem to true in app/values.yaml');
    // The scanned files are never written by a proof.
    expect(readFileSync(path.join(root, 'app/values.yaml'), 'utf8')).toBe('securityContext:\n  privileged: true\n  runAsUser: 1000\nhostNetwork: true\n');
  }, 240_000);

  it('still proves fixes when a value set fails to render in the scan too (only new render failures count)', async () => {
    const root = chartAt({
      'app/Chart.yaml': CHART,
      'app/values.yaml': 'securityContext:\n  privileged: true\nbroken: false\n',
      'app/ci/broken-values.yaml': 'broken: true\n',
      'app/templates/pod.yaml': '{{- if .Values.broken }}{{ fail "broken on purpose" }}{{ end }}\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  automountServiceAccountToken: false\n  containers:\n    - name: c\n      image: c:1\n      securityContext: {{- toYaml .Values.securityContext | nindent 8 }}\n',
    });
    const result = await scan({ paths: [path.join(root, 'app')], helmPath, fixes: 'all', failOnErrors: false });
    expect(result.errors.map((e) => e.message)).toEqual([expect.stringContaining('broken on purpose')]);
    expect(result.findings.find((f) => f.ruleId === 'pss-privileged')?.fix?.replacement).toBe('  privileged: false');
  }, 120_000);

  it('gives up on a chart that renders new findings without any edit (a random key) after one control render', async () => {
    const pod = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec:\n  automountServiceAccountToken: false\n  containers:\n    - name: c\n      image: c:1\n      securityContext: {{- toYaml .Values.securityContext | nindent 8 }}\n`;
    const root = chartAt({
      'app/Chart.yaml': CHART,
      'app/values.yaml': 'securityContext:\n  privileged: true\n',
      'app/templates/pod.yaml': pod('p'),
      // A credential under a key with a random suffix: its finding's field differs on every render.
      'app/templates/random.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  db-password-{{ randAlphaNum 8 | lower }}: "Zr9#kq2!VbT7xLp4Wm"\n',
    });
    let report: FixReport | undefined;
    const result = await scan({ paths: [path.join(root, 'app')], helmPath, fixes: 'all', onFixes: (r) => (report = r) });
    expect(result.findings.some((f) => f.fix !== undefined)).toBe(false);
    expect(report!.charts[0]!.rejected.map((r) => r.reason)).toEqual(report!.charts[0]!.rejected.map(() => expect.stringMatching(/^the chart renders differently every time \(new findings? would appear: /)));
    expect(report!.charts[0]!.trials).toBe(2);
  }, 120_000);

  it('a template that writes the field as a literal: the template line is the fix, proven, CRLF and comment kept', async () => {
    const template = 'apiVersion: v1\r\nkind: Pod\r\nmetadata: {name: p}\r\nspec:\r\n  automountServiceAccountToken: false\r\n  hostPID: true # needed? ask ops\r\n  containers:\r\n    - name: c\r\n      image: c:1\r\n      securityContext:\r\n        privileged: true\r\n        runAsUser: {{ .Values.uid }}\r\n';
    const root = chartAt({ 'app/Chart.yaml': CHART, 'app/values.yaml': 'uid: 1000\n', 'app/templates/pod.yaml': template });
    const result = await scan({ paths: [path.join(root, 'app')], helmPath, fixes: 'all' });
    const privileged = result.findings.find((f) => f.ruleId === 'pss-privileged')!;
    expect(privileged).toMatchObject({ path: '/spec/containers/0/securityContext/privileged', source: { templateLocation: { file: 'app/templates/pod.yaml', line: 11 } } });
    expect(privileged.source.values).toBeUndefined();
    expect(privileged.fix).toMatchObject({ file: 'app/templates/pod.yaml', line: 11, endLine: 11, replacement: '        privileged: false', description: 'set privileged to false in app/templates/pod.yaml:11' });
    const hostPid = result.findings.find((f) => f.ruleId === 'pss-host-namespaces')!;
    expect(hostPid.fix).toMatchObject({ line: 6, replacement: '  hostPID: false # needed? ask ops' });
    // A field whose value a template computes is no literal: no fix at the template line.
    expect(result.findings.find((f) => f.ruleId === 'pss-run-as-non-root')?.fix).toBeUndefined();
    // Applied, the chart scans clean of both, and every other byte of the template is as it was.
    const report = await new Promise<FixReport>((resolve) => void scan({ paths: [path.join(root, 'app')], helmPath, fixes: 'all', onFixes: resolve }));
    applyFixReport(report, root, { dryRun: false });
    expect(readFileSync(path.join(root, 'app/templates/pod.yaml'), 'utf8')).toBe(template.replace('privileged: true', 'privileged: false').replace('hostPID: true', 'hostPID: false'));
    const again = await scan({ paths: [path.join(root, 'app')], helmPath, fixes: 'off' });
    expect(again.findings.filter((f) => f.ruleId === 'pss-privileged' || f.ruleId === 'pss-host-namespaces')).toEqual([]);
  }, 180_000);

  it('never edits a values file that is a symbolic link', async () => {
    const root = chartAt({ 'app/Chart.yaml': CHART, 'real-values.yaml': 'securityContext:\n  privileged: true\n', 'app/templates/pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: c:1\n      securityContext: {{- toYaml .Values.securityContext | nindent 8 }}\n' });
    const { symlinkSync } = await import('node:fs');
    symlinkSync('../real-values.yaml', path.join(root, 'app/values.yaml'));
    let report: FixReport | undefined;
    const result = await scan({ paths: [path.join(root, 'app')], helmPath, fixes: 'all', onFixes: (r) => (report = r) });
    const finding = result.findings.find((f) => f.ruleId === 'pss-privileged');
    expect(finding?.fix).toBeUndefined();
    expect(finding?.source.values?.file).toBe('app/values.yaml');
    expect(report!.skipped.find((s) => s.finding.fingerprint === finding?.fingerprint)?.reason).toBe('app/values.yaml is a symbolic link: never edited');
  }, 120_000);
});
