// Admission policies against a base revision (--base, pull requests), on real git repositories made here:
// an object the base deploys under the same name is an UPDATE with the base's object as oldObject, an
// object only the head has a CREATE, an object the change removes a DELETE that only policies matching
// DELETE see; without a base every object is a CREATE.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { scanAgainstBase } from '../../src/pipeline/base-compare.ts';
import { scan, type ScanOptions } from '../../src/pipeline/scan.ts';
import type { Finding, ScanResult } from '../../src/model/model.ts';
import { renderJson } from '../../src/reporters/json.ts';
import { renderMarkdown } from '../../src/reporters/markdown.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function write(root: string, files: Record<string, string | null>): void {
  for (const [file, text] of Object.entries(files)) {
    if (text === null) {
      rmSync(path.join(root, file), { recursive: true, force: true });
      continue;
    }
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
}

/** A git repository with `files` committed; edit() changes the work tree (what --base HEAD compares). */
async function repository(files: Record<string, string | null>) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'preadmit-vap-update-'));
  dirs.push(root);
  const git = (...args: string[]) => execa('git', args, { cwd: root, env: { GIT_CONFIG_NOSYSTEM: '1', HOME: root } });
  await git('init', '-q', '-b', 'main');
  await git('config', 'user.email', 'dev@example.com');
  await git('config', 'user.name', 'dev');
  write(root, files);
  await git('add', '-A');
  await git('commit', '-q', '-m', 'base');
  return { root, edit: (changes: Record<string, string | null>) => write(root, changes) };
}

const policy = (name: string, operations: string[], expression: string, message: string, resources = ['deployments'], group = 'apps') => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: ${name}}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: ["${group}"], apiVersions: ["*"], operations: [${operations.join(', ')}], resources: [${resources.join(', ')}]}]
  validations:
  - expression: ${JSON.stringify(expression)}
    message: ${message}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: ${name}-prod}
spec: {policyName: ${name}, validationActions: [Deny]}
---
`;

const POLICIES =
  policy('no-scale-down', ['UPDATE'], 'object.spec.replicas >= oldObject.spec.replicas', 'replicas may not go down') +
  policy('team-immutable', ['CREATE', 'UPDATE'], "oldObject == null || object.metadata.labels.team == oldObject.metadata.labels.team", 'the team label never changes') +
  policy('create-needs-owner', ['CREATE'], "has(object.metadata.labels) && 'owner' in object.metadata.labels", 'new Deployments need an owner label') +
  policy('created-only', ['CREATE', 'UPDATE'], "request.operation == 'CREATE'", 'only created, never updated') +
  policy('keep-protected', ['DELETE'], "!(has(oldObject.metadata.labels) && oldObject.metadata.labels.?protected == optional.of('true'))", 'protected ConfigMaps stay', ['configmaps'], '') +
  policy('configmap-label', ['CREATE', 'UPDATE'], "has(object.metadata.labels)", 'ConfigMaps need labels', ['configmaps'], '');

const deployment = (name: string, replicas: number, team: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: prod
  labels: {team: ${team}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: a, image: nginx}]}
---
`;
const configMap = (name: string, labels = '') => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: prod
${labels ? `  labels: {${labels}}\n` : ''}data: {a: b}
---
`;

const admission = (findings: readonly Finding[] | undefined) =>
  (findings ?? []).filter((f) => f.ruleId === 'admission-policy').map((f) => `${f.object.kind}/${f.object.name} ${f.message}${f.status ? ` [${f.status}]` : ''}`).sort();

async function compare(root: string, options: Partial<ScanOptions> = {}): Promise<ScanResult> {
  return scanAgainstBase({ paths: [path.join(root, 'deploy')], policies: [path.join(root, 'policies')], provenance: false, ...options }, { revision: 'HEAD', gate: 'new', all: false });
}

describe('admission policies against a base revision', () => {
  it('an object the base deploys is an UPDATE with oldObject; a new one a CREATE; a removed one a DELETE', async () => {
    const repo = await repository({
      'policies/vap.yaml': POLICIES,
      'deploy/apps.yaml': deployment('web', 3, 'a') + deployment('stable', 2, 'a'),
      'deploy/config.yaml': configMap('keep-me', 'protected: "true"') + configMap('scratch', 'x: y'),
    });
    repo.edit({
      // web scales down and changes team; stable stays as it is; api is new; both ConfigMaps go.
      'deploy/apps.yaml': deployment('web', 1, 'b') + deployment('stable', 2, 'a') + deployment('api', 1, 'a'),
      'deploy/config.yaml': null,
    });
    const result = await compare(repo.root);
    const onUpdate = ' on UPDATE (the base revision deploys this object)';
    expect(admission(result.findings)).toEqual([
      // The CREATE of api: create-needs-owner (only for CREATE) fires, the UPDATE-only policy does not.
      'ConfigMap/keep-me Denied by ValidatingAdmissionPolicy keep-protected (binding keep-protected-prod, validation 0) on DELETE (the change removes this object): protected ConfigMaps stay [new]',
      'Deployment/api Denied by ValidatingAdmissionPolicy create-needs-owner (binding create-needs-owner-prod, validation 0): new Deployments need an owner label [new]',
      // stable is unchanged: an UPDATE too, where request.operation is UPDATE; create-needs-owner does not match it.
      `Deployment/stable Denied by ValidatingAdmissionPolicy created-only (binding created-only-prod, validation 0)${onUpdate}: only created, never updated [new]`,
      `Deployment/web Denied by ValidatingAdmissionPolicy created-only (binding created-only-prod, validation 0)${onUpdate}: only created, never updated [new]`,
      `Deployment/web Denied by ValidatingAdmissionPolicy no-scale-down (binding no-scale-down-prod, validation 0)${onUpdate}: replicas may not go down [new]`,
      `Deployment/web Denied by ValidatingAdmissionPolicy team-immutable (binding team-immutable-prod, validation 0)${onUpdate}: the team label never changes [new]`,
    ]);
    const scaleDown = result.findings.find((f) => f.message.includes('no-scale-down'))!;
    expect(scaleDown).toMatchObject({ path: '/spec/replicas', severity: 'high', source: { file: 'deploy/apps.yaml' } });
    const deleted = result.findings.find((f) => f.message.includes('keep-protected'))!;
    // The removed object's finding names the base's file, on the object (the head has no line of it).
    expect(deleted).toMatchObject({ path: '', object: { kind: 'ConfigMap', name: 'keep-me', namespace: 'prod' }, source: { file: 'deploy/config.yaml', located: 'object' } });
    expect(deleted.source.line).toBeUndefined();
    // The JSON report says UPDATE / DELETE in the finding's message.
    const json = JSON.parse(renderJson(result)) as { findings: { message: string }[] };
    expect(json.findings.filter((f) => f.message.includes(' on UPDATE ')).length).toBe(4);
    expect(json.findings.filter((f) => f.message.includes(' on DELETE ')).length).toBe(1);
    // The comment's admission table names the request the change sends.
    const comment = renderMarkdown(result).replace(/\\([-()_])/g, '$1'); // Markdown escapes
    expect(comment).toContain('denied by ValidatingAdmissionPolicy no-scale-down (binding no-scale-down-prod) on UPDATE');
    expect(comment).toContain('| Deployment prod/api | ❌ denied at restricted:latest by allowPrivilegeEscalation, capabilities_restricted, runAsNonRoot, seccompProfile_restricted | ❌ denied by ValidatingAdmissionPolicy create-needs-owner (binding create-needs-owner-prod) |');
    expect(comment).toContain('| ConfigMap prod/keep-me | ✅ | ❌ denied by ValidatingAdmissionPolicy keep-protected (binding keep-protected-prod) on DELETE |');
    // The base (admitted as CREATEs) had create-needs-owner on web and stable: the head updates them, which
    // that policy does not look at: not fixed. created-only and configmap-label did not fire on the base.
    expect(admission(result.fixed)).toEqual([]);
    expect(result.summary.fixed).toBe(0);
    expect(result.summary.verdict).toBe('fail');
  });

  it('without a base every object is a CREATE: the UPDATE-only policy never fires, the CREATE-only one fires on every Deployment', async () => {
    const repo = await repository({ 'policies/vap.yaml': POLICIES, 'deploy/apps.yaml': deployment('web', 3, 'a') });
    repo.edit({ 'deploy/apps.yaml': deployment('web', 1, 'b') });
    const result = await scan({ paths: [path.join(repo.root, 'deploy')], policies: [path.join(repo.root, 'policies')], provenance: false });
    expect(admission(result.findings)).toEqual([
      'Deployment/web Denied by ValidatingAdmissionPolicy create-needs-owner (binding create-needs-owner-prod, validation 0): new Deployments need an owner label',
    ]);
  });

  it('a violation the base already had stays existing on UPDATE; one the change fixes is fixed', async () => {
    const repo = await repository({ 'policies/vap.yaml': POLICIES, 'deploy/config.yaml': configMap('plain') + configMap('fixme') });
    repo.edit({ 'deploy/config.yaml': configMap('plain') + configMap('fixme', 'team: a') });
    const result = await compare(repo.root);
    expect(admission(result.findings)).toEqual([
      'ConfigMap/plain Denied by ValidatingAdmissionPolicy configmap-label (binding configmap-label-prod, validation 0) on UPDATE (the base revision deploys this object): ConfigMaps need labels [existing]',
    ]);
    expect(admission(result.fixed)).toEqual(['ConfigMap/fixme Denied by ValidatingAdmissionPolicy configmap-label (binding configmap-label-prod, validation 0): ConfigMaps need labels']);
    expect(result.summary).toMatchObject({ new: 0, existing: 1, fixed: 1, verdict: 'pass' });
  });

  it('a removed object no policy matches on DELETE gives nothing; a renamed object is a CREATE (and a DELETE of the old name)', async () => {
    const repo = await repository({ 'policies/vap.yaml': POLICIES, 'deploy/apps.yaml': deployment('web', 3, 'a') + deployment('gone', 3, 'a') });
    repo.edit({ 'deploy/apps.yaml': deployment('web-v2', 1, 'b') });
    const result = await compare(repo.root);
    // web-v2 is not web: created (create-needs-owner), so no-scale-down and team-immutable do not apply.
    expect(admission(result.findings)).toEqual([
      'Deployment/web-v2 Denied by ValidatingAdmissionPolicy create-needs-owner (binding create-needs-owner-prod, validation 0): new Deployments need an owner label [new]',
    ]);
    // The removed web and gone: their base findings are fixed (no policy here matches DELETE for Deployments).
    expect(admission(result.fixed).map((m) => m.split(' ')[0])).toEqual(['Deployment/gone', 'Deployment/web']);
  });

  it('a chart: the object its template renders under the same name in the same release is updated', async () => {
    const chart = (replicas: number) => ({
      'deploy/chart/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
      'deploy/chart/values.yaml': `replicas: ${replicas}\n`,
      'deploy/chart/templates/web.yaml': deployment('{{ .Release.Name }}-web', 0, 'a').replace('replicas: 0', 'replicas: {{ .Values.replicas }}').replace('---\n', ''),
    });
    const repo = await repository({ 'policies/vap.yaml': POLICIES, ...chart(3) });
    repo.edit(chart(2));
    const result = await compare(repo.root, { helmPath: process.env.PREADMIT_TEST_HELM3! });
    const scaleDown = result.findings.filter((f) => f.message.includes('no-scale-down'));
    expect(scaleDown.map((f) => [f.object.name, f.source.chart, f.path, f.status])).toEqual([['release-web', 'deploy/chart', '/spec/replicas', 'new']]);
    expect(result.findings.some((f) => f.message.includes('create-needs-owner'))).toBe(false);
  });

  it('a chart\'s second render (as helm upgrade renders it) of an object updates the same base object', async () => {
    // The head's template branches on .Release.IsUpgrade (diverging in a security field), so the head renders
    // it twice; the base has no such branch and one render. Both head renders update the base's object.
    const chart = (replicas: number, branch: boolean) => ({
      'deploy/chart/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
      'deploy/chart/values.yaml': `replicas: ${replicas}\n`,
      'deploy/chart/templates/web.yaml': branch
        ? deployment('{{ .Release.Name }}-web', 0, 'a')
            .replace('replicas: 0', 'replicas: {{ .Values.replicas }}')
            .replace('spec: {containers', '{{- if .Release.IsUpgrade }}\n    spec: {hostPID: true, containers: [{name: a, image: nginx}]}\n    {{- else }}\n    spec: {containers')
            .replace('image: nginx}]}\n---\n', 'image: nginx}]}\n    {{- end }}\n')
        : deployment('{{ .Release.Name }}-web', 0, 'a').replace('replicas: 0', 'replicas: {{ .Values.replicas }}').replace('---\n', ''),
    });
    const repo = await repository({ 'policies/vap.yaml': POLICIES, ...chart(3, false) });
    repo.edit(chart(2, true));
    const result = await compare(repo.root, { helmPath: process.env.PREADMIT_TEST_HELM3! });
    expect(result.findings.some((f) => f.ruleId === 'pss-host-namespaces' && f.source.variant !== undefined)).toBe(true); // the second render is judged
    // Neither render of release-web is a CREATE: create-needs-owner stays silent; no-scale-down fires (once: both renders agree).
    expect(admission(result.findings).filter((m) => !m.includes('created-only'))).toEqual([
      'Deployment/release-web Denied by ValidatingAdmissionPolicy no-scale-down (binding no-scale-down-prod, validation 0) on UPDATE (the base revision deploys this object): replicas may not go down [new]',
    ]);
  });

  it('a chart whose folder is renamed is the same release: its objects are still updated, not created', async () => {
    const chart = (dir: string, replicas: number) => ({
      [`deploy/${dir}/Chart.yaml`]: 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
      [`deploy/${dir}/values.yaml`]: `replicas: ${replicas}\n`,
      [`deploy/${dir}/templates/web.yaml`]: deployment('{{ .Release.Name }}-web', 0, 'a').replace('replicas: 0', 'replicas: {{ .Values.replicas }}').replace('---\n', ''),
    });
    const repo = await repository({ 'policies/vap.yaml': POLICIES, ...chart('chart', 3) });
    repo.edit({ 'deploy/chart': null, ...chart('app-chart', 2) });
    const result = await compare(repo.root, { helmPath: process.env.PREADMIT_TEST_HELM3! });
    expect(admission(result.findings).filter((m) => !m.includes('created-only'))).toEqual([
      'Deployment/release-web Denied by ValidatingAdmissionPolicy no-scale-down (binding no-scale-down-prod, validation 0) on UPDATE (the base revision deploys this object): replicas may not go down [new]',
    ]);
  });
});
