// --base REV on real git repositories made here: findings of the head are new or existing against the
// base whatever lines moved, documents were reordered or names a template randomises; the base's gone
// findings are fixed; only new findings gate; only changed charts (and their dependants) are rendered.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { exportCommit, scanAgainstBase, type BaseRequest } from '../../src/pipeline/base-compare.ts';
import type { Finding, ScanResult } from '../../src/model/model.ts';
import type { ScanOptions } from '../../src/pipeline/scan.ts';
import { renderText } from '../../src/reporters/text.ts';
import { renderMarkdown } from '../../src/reporters/markdown.ts';
import { toSarifLog } from '../../src/reporters/sarif.ts';
import { RULES } from '../../rules/index.ts';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { renderJson } from '../../src/reporters/json.ts';
import { repoRoot } from '../helpers/shared.ts';

const validate = new Ajv2020({ strict: true, allErrors: true }).compile(JSON.parse(readFileSync(path.join(repoRoot, 'schemas', 'scan-result.schema.json'), 'utf8')) as object);

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tmp(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-base-test-'));
  dirs.push(dir);
  return dir;
}

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

/** A git repository; commit() writes files (null deletes) and commits them. */
async function repository(files: Record<string, string | null>) {
  const root = tmp();
  const git = (...args: string[]) => execa('git', args, { cwd: root, env: { GIT_CONFIG_NOSYSTEM: '1', HOME: root } });
  await git('init', '-q', '-b', 'main');
  await git('config', 'user.email', 'dev@example.com');
  await git('config', 'user.name', 'dev');
  const repo = {
    root,
    git,
    /** Changes the work tree only (not committed): what a user scans before committing. */
    edit: (changes: Record<string, string | null>) => write(root, changes),
    async commit(changes: Record<string, string | null>, message = 'change'): Promise<string> {
      write(root, changes);
      await git('add', '-A');
      await git('commit', '-q', '--allow-empty', '-m', message);
      return (await git('rev-parse', 'HEAD')).stdout.trim();
    },
  };
  await repo.commit(files, 'base');
  return repo;
}

const helmPath = () => process.env.PREADMIT_TEST_HELM3!;

const chartYaml = (name: string, extra = '') => `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n${extra}`;

/** A pod; `privileged` and `hostPID` are the findings these tests add and remove. */
const pod = (name: string, options: { privileged?: boolean; hostPID?: boolean; image?: string } = {}) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
${options.hostPID ? '  hostPID: true\n' : ''}  containers:
    - name: c
      image: ${options.image ?? 'nginx:1.27.0'}
      securityContext:
        privileged: ${options.privileged === true}
`;

async function compare(repo: { root: string }, paths: string[], request: Partial<BaseRequest> = {}, options: Partial<ScanOptions> = {}): Promise<ScanResult> {
  return scanAgainstBase({ paths: paths.map((p) => path.join(repo.root, p)), helmPath: helmPath(), provenance: false, ...options }, { revision: 'HEAD', gate: 'new', all: false, ...request });
}

const VAP = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: no-hostpid
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - apiGroups: [""]
        apiVersions: ["v1"]
        operations: ["CREATE", "UPDATE"]
        resources: ["pods"]
  validations:
    - expression: "!has(object.spec.hostPID) || object.spec.hostPID == false"
      message: hostPID is not allowed
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: no-hostpid
spec:
  policyName: no-hostpid
  validationActions: [Deny]
`;

const of = (findings: readonly Finding[] | undefined, ruleId: string) => (findings ?? []).filter((f) => f.ruleId === ruleId);
const statuses = (result: ScanResult, ruleId: string) => of(result.findings, ruleId).map((f) => `${f.object.name.replace(/-[a-z0-9]{6,}$/, '-*')}:${f.status}`).sort();

describe('--base: new, existing and fixed findings', () => {
  it('matches findings whatever lines moved above them and however documents were reordered', async () => {
    const repo = await repository({
      'deploy/pods.yaml': pod('a', { privileged: true }) + '---\n' + pod('b', { privileged: true }),
      'chart/Chart.yaml': chartYaml('app'),
      'chart/templates/a.yaml': pod('one', { privileged: true }),
      'chart/templates/b.yaml': pod('two', { privileged: true }),
    });
    repo.edit({
      // Manifests: comments above, the documents swapped.
      'deploy/pods.yaml': '# moved\n# down\n\n' + pod('b', { privileged: true }) + '---\n' + pod('a', { privileged: true }),
      // Chart: lines added above the object; a template sorting first adds a document before both.
      'chart/templates/a.yaml': '{{- /* a comment */}}\n# more\n' + pod('one', { privileged: true }),
      'chart/templates/0.yaml': pod('zero'),
    });
    const result = await compare(repo, ['deploy', 'chart']);
    expect(statuses(result, 'pss-privileged')).toEqual(['a:existing', 'b:existing', 'one:existing', 'two:existing']);
    expect(result.summary).toMatchObject({ new: expect.any(Number), fixed: 0, verdict: 'pass', blocking: 0 });
    expect(of(result.findings, 'pss-privileged').every((f) => f.status === 'existing')).toBe(true);
    // The added pod's own findings are new (none of them blocking at the default high).
    expect(result.findings.filter((f) => f.status === 'new').every((f) => f.object.name === 'zero')).toBe(true);
  });

  it('matches objects whose names a template randomises (randAlphaNum, uuidv4)', async () => {
    const template = pod('web-{{ randAlphaNum 8 | lower }}', { privileged: true }) + '---\n' + pod('job-{{ uuidv4 }}', { privileged: true });
    const repo = await repository({ 'chart/Chart.yaml': chartYaml('rnd'), 'chart/templates/pods.yaml': template, 'chart/values.yaml': 'x: 1\n' });
    repo.edit({ 'chart/values.yaml': 'x: 2\n' }); // the chart changed, so both sides render
    const result = await compare(repo, ['chart']);
    expect(of(result.findings, 'pss-privileged').map((f) => f.status)).toEqual(['existing', 'existing']);
    expect(result.summary.new).toBe(0);
    expect(result.summary.fixed).toBe(0);
  });

  it('reports a finding added as new (and gates on it), one removed as fixed', async () => {
    const repo = await repository({
      'chart/Chart.yaml': chartYaml('app'),
      'chart/templates/a.yaml': pod('a', { privileged: true }),
      'chart/templates/b.yaml': pod('b'),
    });
    repo.edit({ 'chart/templates/a.yaml': pod('a'), 'chart/templates/b.yaml': pod('b', { hostPID: true }) });
    const result = await compare(repo, ['chart']);
    expect(of(result.findings, 'pss-host-namespaces').map((f) => [f.object.name, f.status])).toEqual([['b', 'new']]);
    expect(of(result.fixed, 'pss-privileged').map((f) => f.object.name)).toEqual(['a']);
    expect(result.fixed!.every((f) => f.status === undefined)).toBe(true);
    expect(result.summary).toMatchObject({ verdict: 'fail', new: 1, fixed: 1, existing: expect.any(Number) });
    expect(result.summary.blocking).toBe(1);

    // Reporters say which findings are new, and list the fixed ones.
    const text = renderText(result);
    expect(text).toMatch(/CRITICAL\s+pss-host-namespaces NEW/);
    expect(text).toMatch(/BASE: \d+ new · \d+ existing · \d+ fixed against HEAD/);
    expect(text).toMatch(/fixed critical\s+pss-privileged\s+Pod default\/a/);
    expect(text).toContain('FAIL: 1 new finding at or above high');
    const markdown = renderMarkdown(result, { rules: RULES });
    expect(markdown).toContain('blocking new finding');
    expect(markdown).toMatch(/Fixed: in the base, gone now \(\d+\)/);
    expect(markdown).toContain('**new**');
    const json = JSON.parse(renderJson(result));
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(Object.keys(json).slice(-2)).toEqual(['fixed', 'base']);
    const sarif = toSarifLog(result, RULES).runs[0]!.results!;
    expect(sarif.filter((r) => r.ruleId === 'pss-host-namespaces').map((r) => r.baselineState)).toEqual(['new']);
    expect(sarif.filter((r) => r.ruleId === 'pss-privileged').map((r) => r.baselineState)).toEqual(['absent']);
    expect(sarif.filter((r) => r.ruleId === 'pss-run-as-non-root').map((r) => r.baselineState)).toEqual(['unchanged', 'unchanged']);
  });

  it('passes with existing blocking findings only; --gate all fails on them', async () => {
    const repo = await repository({ 'chart/Chart.yaml': chartYaml('app'), 'chart/templates/a.yaml': pod('a', { privileged: true }) });
    repo.edit({ 'chart/templates/a.yaml': '# touched\n' + pod('a', { privileged: true }) });
    const gated = await compare(repo, ['chart']);
    expect(gated.summary).toMatchObject({ verdict: 'pass', blocking: 0, new: 0, fixed: 0 });
    expect(renderText(gated)).toContain('PASS: no new findings at or above high');
    const all = await compare(repo, ['chart'], { gate: 'all' });
    expect(all.summary.verdict).toBe('fail');
    expect(all.summary.blocking).toBe(of(all.findings, 'pss-privileged').length);
  });

  it('matches the findings of a chart whose folder was renamed (helm names its templates by the Chart.yaml name)', async () => {
    const template = pod('web-{{ randAlphaNum 8 | lower }}', { privileged: true });
    const repo = await repository({ 'charts/old/Chart.yaml': chartYaml('app'), 'charts/old/templates/a.yaml': template, 'charts/keep/Chart.yaml': chartYaml('keep'), 'charts/keep/templates/a.yaml': pod('k') });
    renameSync(path.join(repo.root, 'charts/old'), path.join(repo.root, 'charts/new'));
    const result = await compare(repo, ['charts']);
    expect(of(result.findings, 'pss-privileged').map((f) => [f.source.chart, f.status])).toEqual([['charts/new', 'existing']]);
    expect(result.summary.new).toBe(0);
    expect(result.summary.fixed).toBe(0);
    expect(result.base?.rendered).toEqual(['charts/new', 'charts/old']);
    expect(result.base?.unchanged).toEqual(['charts/keep']);
  });

  it('counts a finding whose severity rose as new: a value set\'s capped finding now in the defaults, a read-only mount made writable', async () => {
    const chartPod = pod('web').replace('privileged: false', 'privileged: {{ .Values.privileged }}');
    const mount = (readOnly: boolean) =>
      pod('agent').replace('  containers:', `  volumes:\n    - name: pki\n      hostPath:\n        path: /etc/kubernetes\n  containers:`) + `      volumeMounts:\n        - name: pki\n          mountPath: /pki\n${readOnly ? '          readOnly: true\n' : ''}`;
    const repo = await repository({
      'chart/Chart.yaml': chartYaml('app'),
      'chart/values.yaml': 'privileged: false\n',
      'chart/ci/debug-values.yaml': 'privileged: true\n',
      'chart/templates/pod.yaml': chartPod,
      'deploy/agent.yaml': mount(true),
    });
    repo.edit({ 'chart/values.yaml': 'privileged: true\n', 'deploy/agent.yaml': mount(false) });
    const result = await compare(repo, ['chart', 'deploy']);
    const privileged = of(result.findings, 'pss-privileged');
    expect(privileged.map((f) => [f.object.name, f.path, f.severity, f.status, f.baseSeverity])).toEqual([['web', '/spec/containers/0/securityContext/privileged', 'critical', 'new', 'medium']]);
    const hostPath = of(result.findings, 'sensitive-host-path');
    expect(hostPath.map((f) => [f.object.name, f.status, f.baseSeverity])).toEqual([['agent', 'new', 'medium']]);
    expect(result.summary.verdict).toBe('fail');
    expect(result.fixed).toEqual([]); // worse, not fixed
    expect(validate(JSON.parse(renderJson(result))), JSON.stringify(validate.errors)).toBe(true);
    // The other way, lowered: existing.
    await repo.commit({});
    repo.edit({ 'chart/values.yaml': 'privileged: false\n', 'deploy/agent.yaml': mount(true) });
    const lowered = await compare(repo, ['chart', 'deploy']);
    expect(of(lowered.findings, 'pss-privileged').map((f) => [f.status, f.baseSeverity])).toEqual([['existing', undefined]]);
    expect(of(lowered.findings, 'sensitive-host-path').map((f) => f.status)).toEqual(['existing']);
  });

  it('matches findings across a renamed template file, a changed chart name, and random names after documents were reordered', async () => {
    const random = pod('job-{{ randAlphaNum 8 | lower }}', { privileged: true });
    const stable = pod('web', { privileged: true });
    const other = pod('other', { privileged: true });
    const repo = await repository({ 'chart/Chart.yaml': chartYaml('app'), 'chart/templates/deploy.yaml': stable, 'chart/templates/jobs.yaml': other + '---\n' + random });
    repo.edit({ 'chart/Chart.yaml': chartYaml('application'), 'chart/templates/deploy.yaml': null, 'chart/templates/deployment.yaml': stable, 'chart/templates/jobs.yaml': random + '---\n' + other });
    const result = await compare(repo, ['chart']);
    expect(statuses(result, 'pss-privileged')).toEqual(['job-*:existing', 'other:existing', 'web:existing']);
    expect(result.summary).toMatchObject({ new: 0, fixed: 0, verdict: 'pass' });
  });

  it('judges the manifests a Chart.yaml the change adds would hide (kubectl apply -R still applies them); a chart the base has keeps its examples unjudged', async () => {
    const repo = await repository({ 'deploy/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n', 'chart/Chart.yaml': chartYaml('app'), 'chart/templates/p.yaml': pod('p') });
    repo.edit({ 'deploy/Chart.yaml': 'apiVersion: v1\nkind: List\nitems: []\nname: deploy\nversion: 0.1.0\n', 'deploy/evil.yaml': pod('evil', { privileged: true }), 'chart/examples/pod.yaml': pod('example', { privileged: true }) });
    const result = await compare(repo, ['.']);
    expect(of(result.findings, 'pss-privileged').map((f) => [f.source.file, f.status])).toEqual([['deploy/evil.yaml', 'new']]);
    expect(result.summary.verdict).toBe('fail');
    expect(result.skipped?.find((s) => s.path === 'chart')?.reason).toMatch(/examples\/pod\.yaml\): not judged/);
  });

  it('does not let a workload added beside one that stopped being privileged take over its finding', async () => {
    const repo = await repository({ 'chart/Chart.yaml': chartYaml('app'), 'chart/templates/workloads.yaml': pod('legacy-agent', { privileged: true }) });
    repo.edit({ 'chart/templates/workloads.yaml': pod('legacy-agent') + '---\n' + pod('miner', { privileged: true }) });
    const result = await compare(repo, ['chart']);
    expect(of(result.findings, 'pss-privileged').map((f) => [f.object.name, f.status])).toEqual([['miner', 'new']]);
    expect(of(result.fixed, 'pss-privileged').map((f) => f.object.name)).toEqual(['legacy-agent']);
    expect(result.summary.verdict).toBe('fail');
  });

  it('does not call a finding existing because another chart had it', async () => {
    const repo = await repository({ 'a/Chart.yaml': chartYaml('a'), 'a/templates/p.yaml': pod('p', { privileged: true }), 'b/Chart.yaml': chartYaml('b'), 'b/templates/p.yaml': pod('p') });
    repo.edit({ 'a/templates/p.yaml': pod('p'), 'b/templates/p.yaml': pod('p', { privileged: true }) });
    const result = await compare(repo, ['.']);
    expect(of(result.findings, 'pss-privileged').map((f) => [f.source.chart, f.status])).toEqual([['b', 'new']]);
    expect(of(result.fixed, 'pss-privileged').map((f) => f.source.chart)).toEqual(['a']);
  });
});

describe('--base: only changed charts are rendered', () => {
  const three = {
    'charts/a/Chart.yaml': chartYaml('a'),
    'charts/a/templates/p.yaml': pod('a', { privileged: true }),
    'charts/b/Chart.yaml': chartYaml('b'),
    'charts/b/templates/p.yaml': pod('b', { privileged: true }),
    // parent depends on lib through file:// and vendors sub under charts/.
    'charts/lib/Chart.yaml': chartYaml('lib'),
    'charts/lib/templates/p.yaml': pod('lib'),
    'charts/parent/Chart.yaml': chartYaml('parent', 'dependencies:\n  - name: sub\n    version: 0.1.0\n    repository: file://../lib\n'),
    'charts/parent/templates/p.yaml': pod('parent'),
    'charts/parent/charts/sub/Chart.yaml': chartYaml('sub'),
    'charts/parent/charts/sub/templates/p.yaml': pod('sub'),
  };

  it('renders only the changed chart on both sides and lists the others as unchanged', async () => {
    const repo = await repository(three);
    repo.edit({ 'charts/a/templates/p.yaml': pod('a', { privileged: true, hostPID: true }) });
    const result = await compare(repo, ['charts']);
    expect(result.base).toMatchObject({ rendered: ['charts/a'], unchanged: ['charts/b', 'charts/lib', 'charts/parent'] });
    expect(result.charts.map((c) => c.chart)).toEqual(['charts/a']);
    expect(new Set(result.findings.map((f) => f.source.chart))).toEqual(new Set(['charts/a']));
    expect(of(result.findings, 'pss-host-namespaces').map((f) => f.status)).toEqual(['new']);
    expect(renderText(result)).toContain('3 charts left out as unchanged since the base: charts/b, charts/lib, charts/parent');
    // --all renders everything; the verdict is the same.
    const all = await compare(repo, ['charts'], { all: true });
    expect(all.base).toMatchObject({ unchanged: [], allBecause: '--all' });
    expect(all.charts.map((c) => c.chart).sort()).toEqual(['charts/a', 'charts/b', 'charts/lib', 'charts/parent']);
    expect(all.summary.new).toBe(result.summary.new);
  });

  it('re-renders the parent when its vendored subchart changes, and the dependants of a file:// dependency', async () => {
    const repo = await repository(three);
    repo.edit({ 'charts/parent/charts/sub/templates/p.yaml': pod('sub', { privileged: true }) });
    const sub = await compare(repo, ['charts']);
    expect(sub.base?.rendered).toEqual(['charts/parent']);
    expect(of(sub.findings, 'pss-privileged').filter((f) => f.status === 'new').map((f) => f.object.name)).toEqual(['sub']);
    expect(sub.summary.verdict).toBe('fail');

    await repo.commit({});
    repo.edit({ 'charts/lib/templates/p.yaml': pod('lib', { hostPID: true }) });
    const lib = await compare(repo, ['charts']);
    expect(lib.base?.rendered).toEqual(['charts/lib', 'charts/parent']);
    expect(lib.base?.unchanged).toEqual(['charts/a', 'charts/b']);
  });

  it('renders a chart whose symlink reads a file the change touches outside the chart', async () => {
    const repo = await repository({
      'env/app-values.yaml': 'privileged: false\n',
      'charts/app/Chart.yaml': chartYaml('app'),
      'charts/app/templates/p.yaml': pod('app').replace('privileged: false', 'privileged: {{ .Values.privileged }}'),
      'charts/b/Chart.yaml': chartYaml('b'),
      'charts/b/templates/p.yaml': pod('b'),
    });
    symlinkSync('../../env/app-values.yaml', path.join(repo.root, 'charts/app/values.yaml'));
    await repo.commit({});
    repo.edit({ 'env/app-values.yaml': 'privileged: true\n' });
    const result = await compare(repo, ['charts']);
    expect(result.base).toMatchObject({ rendered: ['charts/app'], unchanged: ['charts/b'] });
    expect(of(result.findings, 'pss-privileged').map((f) => [f.object.name, f.status])).toEqual([['app', 'new']]);
    expect(result.summary.verdict).toBe('fail');

    // A chain of links: the change retargets its second hop only.
    await repo.commit({ 'env/app-values.yaml': 'privileged: false\n', 'env/open.yaml': 'privileged: true\n' });
    rmSync(path.join(repo.root, 'charts/app/values.yaml'));
    symlinkSync('../../links/a.yaml', path.join(repo.root, 'charts/app/values.yaml'));
    mkdirSync(path.join(repo.root, 'links'));
    symlinkSync('b.yaml', path.join(repo.root, 'links/a.yaml'));
    symlinkSync('../env/app-values.yaml', path.join(repo.root, 'links/b.yaml'));
    await repo.commit({}, 'a chain');
    rmSync(path.join(repo.root, 'links/b.yaml'));
    symlinkSync('../env/open.yaml', path.join(repo.root, 'links/b.yaml'));
    const chained = await compare(repo, ['charts']);
    expect(chained.base?.rendered).toEqual(['charts/app']);
    expect(of(chained.findings, 'pss-privileged').map((f) => [f.object.name, f.status])).toEqual([['app', 'new']]);
  });

  it('renders the charts of a submodule whose commit moved, against the submodule\'s own base commit', async () => {
    const sub = await repository({ 'charts/app/Chart.yaml': chartYaml('app'), 'charts/app/templates/p.yaml': pod('app', { hostPID: true }) });
    const repo = await repository({ 'README.md': 'charts\n' });
    await repo.git('-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub.root, 'vendor');
    await repo.commit({}, 'add the submodule');
    await sub.commit({ 'charts/app/templates/p.yaml': pod('app', { hostPID: true, privileged: true }) });
    const inVendor = (...args: string[]) => execa('git', args, { cwd: path.join(repo.root, 'vendor'), env: { GIT_CONFIG_NOSYSTEM: '1', HOME: repo.root } });
    await inVendor('-c', 'protocol.file.allow=always', 'pull', '-q', 'origin', 'main');
    // Only the gitlink changed: the chart under it renders, its old finding is existing and the new one new.
    const bumped = await compare(repo, ['.']);
    expect(bumped.base?.rendered).toEqual(['vendor/charts/app']);
    expect(bumped.base?.missing).toBeUndefined();
    expect(of(bumped.findings, 'pss-host-namespaces').map((f) => f.status)).toEqual(['existing']);
    expect(of(bumped.findings, 'pss-privileged').map((f) => f.status)).toEqual(['new']);
    expect(bumped.summary.verdict).toBe('fail');
    // Every chart rendered (the configuration changed): the submodule's chart is in the base's export too.
    await repo.commit({}, 'bump');
    repo.edit({ '.preadmit.yaml': '# a comment\n' });
    const all = await compare(repo, ['.']);
    expect(all.base?.allBecause).toMatch(/configuration/);
    expect(all.findings.filter((f) => f.status === 'new')).toEqual([]);
    expect(all.summary.verdict).toBe('pass');
  });

  it('compares a branch with where it left the revision, not with the revision\'s later commits', async () => {
    const repo = await repository({ 'chart/Chart.yaml': chartYaml('app'), 'chart/templates/p.yaml': pod('app', { privileged: true }) });
    await repo.git('checkout', '-q', '-b', 'feature');
    await repo.commit({ 'README.md': 'docs only\n' });
    await repo.git('checkout', '-q', 'main');
    const fixed = await repo.commit({ 'chart/templates/p.yaml': pod('app') });
    await repo.git('checkout', '-q', 'feature');
    const result = await compare(repo, ['.'], { revision: 'main' });
    expect(result.base?.mergeBaseOf).toBe(fixed);
    expect(result.base?.sha).not.toBe(fixed);
    expect(result.findings.filter((f) => f.status === 'new')).toEqual([]);
    expect(result.summary.verdict).toBe('pass');
    expect(renderText(result)).toContain(`where HEAD left main (${fixed.slice(0, 12)})`);
    expect(validate(JSON.parse(renderJson(result))), JSON.stringify(validate.errors)).toBe(true);
  });

  it('renders every chart when the configuration or a values file it names changed', async () => {
    const repo = await repository({ ...three, '.preadmit.yaml': 'failOn: high\n', 'env/prod.yaml': 'x: 1\n' });
    repo.edit({ '.preadmit.yaml': 'failOn: high\nhelm:\n  valuesFiles: [env/prod.yaml]\n' });
    const config = await compare(repo, ['charts']);
    expect(config.base).toMatchObject({ unchanged: [], allBecause: 'the configuration .preadmit.yaml changed' });
    expect(config.base?.rendered).toEqual(['charts/a', 'charts/b', 'charts/lib', 'charts/parent']);
    expect(config.summary.new).toBe(0);

    await repo.commit({});
    repo.edit({ 'env/prod.yaml': 'x: 2\n' });
    const values = await compare(repo, ['charts']);
    expect(values.base?.allBecause).toBe('the values file env/prod.yaml, which the configuration names, changed');
    expect(values.base?.unchanged).toEqual([]);
  });

  it('writes only the changed charts of the base (and the Chart.yaml of the others), the rest when asked, everything with a symlink', async () => {
    const repo = await repository(three);
    const sha = (await repo.git('rev-parse', 'HEAD')).stdout.trim();
    const dir = tmp();
    const { more } = await exportCommit(repo.root, sha, dir, ['charts/a/templates/p.yaml']);
    const has = (file: string) => existsSync(path.join(dir, 'tree', file));
    expect([has('charts/a/templates/p.yaml'), has('charts/b/Chart.yaml'), has('charts/b/templates/p.yaml'), has('charts/parent/charts/sub/templates/p.yaml')]).toEqual([true, true, false, false]);
    more(['charts/parent']);
    expect([has('charts/parent/templates/p.yaml'), has('charts/parent/charts/sub/templates/p.yaml'), has('charts/b/templates/p.yaml')]).toEqual([true, true, false]);
    // A symlink may lead into a chart left out: the whole commit is written.
    await repo.commit({});
    symlinkSync('../b/templates/p.yaml', path.join(repo.root, 'charts/a/templates/q.yaml'));
    const linked = await repo.commit({});
    const all = tmp();
    await exportCommit(repo.root, linked, all, ['charts/a/templates/p.yaml']);
    expect(existsSync(path.join(all, 'tree', 'charts/b/templates/p.yaml'))).toBe(true);
  });

  it('writes the whole commit when a Terraform plan in it releases a Helm chart (it may render a local one)', async () => {
    const repo = await repository({ 'charts/a/Chart.yaml': chartYaml('a'), 'charts/a/templates/p.yaml': pod('a'), 'charts/b/Chart.yaml': chartYaml('b'), 'charts/b/templates/p.yaml': pod('b') });
    const before = await repo.commit({});
    const partial = tmp();
    await exportCommit(repo.root, before, partial, ['charts/a/templates/p.yaml']);
    expect(existsSync(path.join(partial, 'tree', 'charts/b/templates/p.yaml'))).toBe(false);
    const planned = await repo.commit({ 'infra/plan.json': JSON.stringify({ resource_changes: [{ address: 'helm_release.b', type: 'helm_release', change: { after: { chart: '../charts/b' } } }] }) });
    const whole = tmp();
    await exportCommit(repo.root, planned, whole, ['charts/a/templates/p.yaml']);
    expect(existsSync(path.join(whole, 'tree', 'charts/b/templates/p.yaml'))).toBe(true);
  });

  it('a values file kept in an unchanged chart still reaches the base (given as an option or named by the configuration)', async () => {
    const files = {
      'charts/a/Chart.yaml': chartYaml('a'),
      'charts/a/values.yaml': 'priv: true\n',
      'charts/a/templates/p.yaml': pod('a').replace('privileged: false', 'privileged: {{ .Values.priv }}'),
      'charts/b/Chart.yaml': chartYaml('b'),
      'charts/b/templates/p.yaml': pod('b'),
      // In crds/, which the export leaves out of an unchanged chart: it reaches the base only when written on demand.
      'charts/b/crds/a-values.yaml': 'priv: false\n',
    };
    expect(files['charts/a/templates/p.yaml']).toContain('{{ .Values.priv }}');
    const repo = await repository(files);
    // The head writes privileged: true into the template: new, whatever the values say.
    repo.edit({ 'charts/a/templates/p.yaml': pod('a', { privileged: true }) });
    const given = await compare(repo, ['charts'], {}, { valuesFiles: [path.join(repo.root, 'charts/b/crds/a-values.yaml')] });
    expect(given.errors).toEqual([]);
    expect(of(given.findings, 'pss-privileged').map((f) => f.status)).toEqual(['new']);
    await repo.commit({ '.preadmit.yaml': 'charts:\n  - path: charts/a\n    values: [charts/b/crds/a-values.yaml]\n' });
    repo.edit({ 'charts/a/templates/p.yaml': pod('a', { privileged: true, hostPID: true }) });
    const named = await compare(repo, ['charts']);
    expect(named.base?.errors).toBe(0);
    expect(of(named.findings, 'pss-privileged').map((f) => f.status)).toEqual(['existing']);
  });

  it('of an unchanged chart only Chart.yaml is written; the configuration file given inside it still reaches the base', async () => {
    const files = {
      'charts/a/Chart.yaml': chartYaml('a'),
      'charts/a/templates/p.yaml': pod('a', { privileged: true }),
      'charts/b/Chart.yaml': chartYaml('b'),
      'charts/b/values.yaml': 'x: 1\n',
      'charts/b/templates/p.yaml': pod('b'),
      // The configuration turns the rule off: a base scanned without it would call the head's finding fixed.
      'charts/b/ci/preadmit.yaml': 'rules:\n  pss-privileged: off\n',
      // Kept: the dependencies of a v1 chart, and a configuration a scanned path inside the chart finds.
      'charts/b/requirements.yaml': 'dependencies: []\n',
      'charts/b/deploy/.preadmit.yaml': 'rules: {}\n',
    };
    const repo = await repository(files);
    const sha = (await repo.git('rev-parse', 'HEAD')).stdout.trim();
    const dir = tmp();
    await exportCommit(repo.root, sha, dir, ['charts/a/templates/p.yaml']);
    const has = (file: string) => existsSync(path.join(dir, 'tree', file));
    expect([has('charts/a/templates/p.yaml'), has('charts/b/Chart.yaml'), has('charts/b/values.yaml'), has('charts/b/ci/preadmit.yaml')]).toEqual([true, true, false, false]);
    expect([has('charts/b/requirements.yaml'), has('charts/b/deploy/.preadmit.yaml')]).toEqual([true, true]);
    repo.edit({ 'charts/a/templates/p.yaml': `# touched\n${pod('a', { privileged: true, hostPID: true })}` });
    const result = await compare(repo, ['charts'], {}, { configFile: path.join(repo.root, 'charts/b/ci/preadmit.yaml') });
    expect(result.base?.errors).toBe(0);
    expect(of(result.findings, 'pss-privileged')).toEqual([]);
    expect(of(result.fixed, 'pss-privileged')).toEqual([]);
    expect(of(result.findings, 'pss-host-namespaces').map((f) => f.status)).toEqual(['new']);
    expect(result.base?.unchanged).toEqual(['charts/b']);
  });

  it('the admission policies the configuration names and a scanned path inside an unchanged chart still reach the base', async () => {
    const files = {
      '.preadmit.yaml': 'admission:\n  policies: [charts/policies/templates]\n',
      'charts/a/Chart.yaml': chartYaml('a'),
      'charts/a/templates/p.yaml': pod('a', { hostPID: true }),
      'charts/b/Chart.yaml': chartYaml('b'),
      'charts/b/templates/p.yaml': pod('b', { privileged: true }),
      'charts/policies/Chart.yaml': chartYaml('policies'),
      'charts/policies/templates/vap.yaml': VAP,
    };
    const repo = await repository(files);
    // Only chart a changes: policies and b are unchanged, their templates left out of the base's export.
    repo.edit({ 'charts/a/templates/p.yaml': `# touched\n${pod('a', { hostPID: true })}` });
    const policies = await compare(repo, ['charts']);
    expect(policies.base?.errors).toBe(0);
    expect(of(policies.findings, 'admission-policy').map((f) => f.status)).toEqual(['existing']);
    expect(policies.summary.verdict).toBe('pass');
    // The templates folder of the unchanged chart b, scanned as manifests.
    const folder = await compare(repo, ['charts/b/templates']);
    expect(of(folder.findings, 'pss-privileged').map((f) => f.status)).toEqual(['existing']);
  });

  it('leaves the user\'s work tree and index as they were', async () => {
    const repo = await repository(three);
    repo.edit({ 'charts/a/templates/p.yaml': pod('a') });
    await repo.git('add', 'charts/a/templates/p.yaml');
    const before = (await repo.git('status', '--porcelain')).stdout;
    const worktrees = (await repo.git('worktree', 'list')).stdout;
    const exports = () => readdirSync(os.tmpdir()).filter((name) => /^preadmit-base-(?!test-)/.test(name)).sort();
    const before_ = exports();
    await compare(repo, ['charts']);
    expect(exports()).toEqual(before_); // the temporary export is gone
    expect((await repo.git('status', '--porcelain')).stdout).toBe(before);
    expect((await repo.git('worktree', 'list')).stdout).toBe(worktrees);
    expect(readFileSync(path.join(repo.root, 'charts/a/templates/p.yaml'), 'utf8')).toBe(pod('a'));
  });
});

describe('--base on the command line', () => {
  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const [o, e] = [process.stdout.write, process.stderr.write];
    process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      return { code: await main(args), stdout: out.join(''), stderr: err.join('') };
    } finally {
      process.stdout.write = o;
      process.stderr.write = e;
    }
  }

  it('is a usage error (exit 2) for an unknown revision, outside a git repository, and for --gate/--all without it', async () => {
    const repo = await repository({ 'deploy/pod.yaml': pod('a') });
    const unknown = await cli(['scan', path.join(repo.root, 'deploy'), '--base', 'no-such-branch']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--base no-such-branch: git has no commit no-such-branch');
    const outside = tmp();
    write(outside, { 'pod.yaml': pod('a') });
    const notGit = await cli(['scan', outside, '--base', 'HEAD']);
    expect(notGit.code).toBe(2);
    expect(notGit.stderr).toContain(`--base needs the scanned paths inside a git repository; ${outside} is not in one`);
    expect((await cli(['scan', path.join(repo.root, 'deploy'), '--gate', 'all'])).stderr).toContain('--gate needs --base REV');
    expect((await cli(['scan', '-', '--base', 'HEAD'])).code).toBe(2);
  });

  it('says when the base\'s own configuration is what cannot be read', async () => {
    const repo = await repository({ '.preadmit.yaml': 'failOn: sometimes\n', 'deploy/pod.yaml': pod('a') });
    repo.edit({ '.preadmit.yaml': 'failOn: high\n' });
    const run = await cli(['scan', path.join(repo.root, 'deploy'), '--base', 'HEAD']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--base HEAD: the files at [0-9a-f]{12}: invalid configuration:\n\s+\.preadmit\.yaml:1: /);
    expect(run.stderr).not.toContain('preadmit-base-');
  });

  it('exits by the new findings: 0 with existing ones only, 1 with a new one; JSON carries status, fixed and the counts', async () => {
    const repo = await repository({ 'deploy/pod.yaml': pod('a', { privileged: true }) });
    repo.edit({ 'deploy/pod.yaml': '# moved\n' + pod('a', { privileged: true }) });
    expect((await cli(['scan', path.join(repo.root, 'deploy'), '--base', 'HEAD'])).code).toBe(0);
    expect((await cli(['scan', path.join(repo.root, 'deploy'), '--base', 'HEAD', '--gate', 'all'])).code).toBe(1);
    repo.edit({ 'deploy/pod.yaml': pod('a', { privileged: true, hostPID: true }) });
    const run = await cli(['scan', path.join(repo.root, 'deploy'), '--base', 'HEAD', '--format', 'json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.findings.find((f: Finding) => f.ruleId === 'pss-host-namespaces').status).toBe('new');
    expect(report.findings.find((f: Finding) => f.ruleId === 'pss-privileged').status).toBe('existing');
    expect(report.summary).toMatchObject({ new: 1, fixed: 0, blocking: 1 });
    expect(report.fixed).toEqual([]);
    expect(report.base).toMatchObject({ revision: 'HEAD', gate: 'new', rendered: [], unchanged: [], errors: 0 });
  });
});
