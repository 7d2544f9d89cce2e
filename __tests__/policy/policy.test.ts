// A pull request does not set its own policy: on real git repositories made here (a base commit and a
// head commit), the configuration, suppressions and locks of the base gate the head's files, and what the
// head changes is listed, not applied.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { policyRequest } from '../../src/action/run.ts';
import { readRunContext } from '../../src/action/context.ts';
import { readInputs } from '../../src/action/inputs.ts';
import { main } from '../../src/cli.ts';
import { defaultConfig } from '../../src/config/config.ts';
import type { Finding, ScannedObject, ScanResult } from '../../src/model/model.ts';
import { scan, type ScanOptions } from '../../src/pipeline/scan.ts';
import { applySuppressions } from '../../src/pipeline/suppress.ts';
import { renderReads } from '../../src/pipeline/policy.ts';
import { renderMarkdown } from '../../src/reporters/markdown.ts';
import { toJsonValue } from '../../src/reporters/json.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tmp(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-policy-'));
  dirs.push(dir);
  return dir;
}

function write(root: string, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
}

/** A git repository with one commit per call to commit(); returns each commit's SHA. */
async function repository() {
  const root = tmp();
  const git = (...args: string[]) => execa('git', args, { cwd: root, env: { GIT_CONFIG_NOSYSTEM: '1', HOME: root } });
  await git('init', '-q', '-b', 'main');
  await git('config', 'user.email', 'dev@example.com');
  await git('config', 'user.name', 'dev');
  return {
    root,
    git,
    async commit(files: Record<string, string>, message: string): Promise<string> {
      write(root, files);
      await git('add', '-A');
      await git('commit', '-q', '-m', message);
      return (await git('rev-parse', 'HEAD')).stdout.trim();
    },
  };
}

const PRIVILEGED_POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: apps
spec:
  containers:
    - name: web
      image: nginx:1.27.0
      securityContext:
        privileged: true
`;

const withAnnotation = (value: string) => PRIVILEGED_POD.replace('  namespace: apps\n', `  namespace: apps\n  annotations:\n    preadmit.dev/ignore.pss-privileged: ${JSON.stringify(value)}\n`);

const privileged = (result: ScanResult): Finding | undefined => result.findings.find((f) => f.ruleId === 'pss-privileged');

function fromBase(revision: string, extra: Partial<NonNullable<ScanOptions['policyFrom']>> = {}): NonNullable<ScanOptions['policyFrom']> {
  return { revision, fetch: false, onUnavailable: 'fallback', ...extra };
}

describe('policy from the base commit', () => {
  it('does not apply a configuration change of the head, and lists it', async () => {
    const repo = await repository();
    const base = await repo.commit({ '.preadmit.yaml': 'failOn: high\n', 'deploy/pod.yaml': PRIVILEGED_POD }, 'base');
    await repo.commit({ '.preadmit.yaml': 'failOn: never\nrules:\n  pss-privileged: off\n' }, 'head: loosen the gate');
    const deploy = path.join(repo.root, 'deploy');

    // Control: the head's own configuration passes it.
    const own = await scan({ paths: [deploy] });
    expect(own.summary.verdict).toBe('pass');
    expect(privileged(own)).toBeUndefined();

    const gated = await scan({ paths: [deploy], policyFrom: fromBase(base) });
    expect(gated.summary.verdict).toBe('fail');
    expect(gated.summary.failOn).toBe('high');
    expect(privileged(gated)).toMatchObject({ severity: 'critical', path: '/spec/containers/0/securityContext/privileged' });
    expect(gated.policy).toMatchObject({ from: 'revision', revision: base, file: '.preadmit.yaml' });
    expect(gated.policy!.changes.map((c) => [c.kind, c.change, c.summary])).toEqual([
      ['config', 'changed', 'failOn: "high" → "never"'],
      ['config', 'changed', 'rule pss-privileged: on → off'],
    ]);
  });

  it('takes the configuration from the base when the pull request adds the file', async () => {
    const repo = await repository();
    const base = await repo.commit({ 'deploy/pod.yaml': PRIVILEGED_POD }, 'base');
    await repo.commit({ '.preadmit.yaml': 'failOn: never\n' }, 'head');
    const gated = await scan({ paths: [path.join(repo.root, 'deploy')], policyFrom: fromBase(base) });
    expect(gated.summary).toMatchObject({ verdict: 'fail', failOn: 'high' });
    expect(gated.policy).not.toHaveProperty('file');
    expect(gated.policy!.changes[0]).toMatchObject({ kind: 'config', change: 'added', summary: 'configuration file .preadmit.yaml added', file: '.preadmit.yaml' });
  });

  it('applies the base suppressions, not one the head adds (listed as a policy change)', async () => {
    const repo = await repository();
    const suppression = (rule: string, reason: string) => `  - rule: ${rule}\n    reason: ${reason}\n`;
    const base = await repo.commit(
      { '.preadmit.yaml': `suppressions:\n${suppression('image-digest', 'mirror pins tags')}`, 'deploy/pod.yaml': PRIVILEGED_POD },
      'base',
    );
    await repo.commit({ '.preadmit.yaml': `suppressions:\n${suppression('image-digest', 'mirror pins tags')}${suppression('pss-privileged', 'trust me')}` }, 'head');
    const gated = await scan({ paths: [path.join(repo.root, 'deploy')], policyFrom: fromBase(base) });
    expect(privileged(gated)!.suppressed).toBeUndefined();
    expect(gated.summary.verdict).toBe('fail');
    expect(gated.findings.find((f) => f.ruleId === 'image-digest')!.suppressed).toMatchObject({ kind: 'config', reason: 'mirror pins tags', file: '.preadmit.yaml', line: 2 });
    expect(gated.policy!.changes).toEqual([{ kind: 'suppression', change: 'added', summary: 'suppression of pss-privileged: trust me', file: '.preadmit.yaml', line: 4 }]);
    // The head's suppression is not among the suppressions the scan applied or reported.
    expect(gated.suppressions!.filter((s) => s.kind === 'config').map((s) => [s.rule, s.status])).toEqual([['image-digest', 'applied']]);

    const markdown = renderMarkdown(gated);
    expect(markdown).toContain('#### Policy changes in this pull request (take effect once merged) (1)');
    expect(markdown).toContain('| added | suppression | \\.preadmit\\.yaml:4 | suppression of pss\\-privileged: trust me |');
    expect(markdown).toContain(`Policy from the base commit ${base.slice(0, 12)} (\\.preadmit\\.yaml): configuration, suppressions and locks this pull request changes take effect once merged.`);
    expect(toJsonValue(gated)).toMatchObject({ policy: { from: 'revision', revision: base, changes: [{ kind: 'suppression', change: 'added', line: 4 }] } });
  });

  it('reads the configuration file named explicitly, at the base', async () => {
    const repo = await repository();
    const base = await repo.commit({ 'ci/preadmit.yaml': 'failOn: critical\n', 'deploy/pod.yaml': PRIVILEGED_POD.replace('privileged: true', 'runAsUser: 0') }, 'base');
    await repo.commit({ 'ci/preadmit.yaml': 'failOn: never\n' }, 'head');
    const gated = await scan({ paths: [path.join(repo.root, 'deploy')], configFile: path.join(repo.root, 'ci/preadmit.yaml'), policyFrom: fromBase(base) });
    expect(gated.summary.failOn).toBe('critical');
    expect(gated.policy).toMatchObject({ file: 'ci/preadmit.yaml', changes: [{ summary: 'failOn: "critical" → "never"' }] });
  });

  it('fetches a base commit a shallow clone lacks, from origin', async () => {
    const upstream = await repository();
    const base = await upstream.commit({ '.preadmit.yaml': 'failOn: high\n', 'deploy/pod.yaml': PRIVILEGED_POD }, 'base');
    await upstream.commit({ '.preadmit.yaml': 'failOn: never\n' }, 'head');
    const clone = path.join(tmp(), 'clone');
    await execa('git', ['clone', '-q', '--depth=1', `file://${upstream.root}`, clone]);
    await expect(execa('git', ['cat-file', '-e', `${base}^{commit}`], { cwd: clone })).rejects.toThrow();

    const gated = await scan({ paths: [path.join(clone, 'deploy')], policyFrom: fromBase(base, { fetch: true }) });
    expect(gated.policy).toMatchObject({ from: 'revision', revision: base });
    expect(gated.summary).toMatchObject({ verdict: 'fail', failOn: 'high' });
  });

  it('falls back to the strictest head policy, and says so, when the base commit cannot be had', async () => {
    const repo = await repository();
    await repo.commit({ 'deploy/pod.yaml': PRIVILEGED_POD }, 'base');
    await repo.commit(
      {
        '.preadmit.yaml':
          'failOn: never\nexclude: ["deploy/**"]\nrules:\n  pss-privileged: low\n  image-digest: off\nsuppressions:\n  - rule: pss-privileged\n    reason: trust me\n',
      },
      'head',
    );
    await repo.git('remote', 'add', 'origin', path.join(repo.root, 'no-such-remote'));
    const missing = 'f'.repeat(40);
    const gated = await scan({ paths: [path.join(repo.root, 'deploy')], policyFrom: fromBase(missing, { fetch: true }) });
    expect(gated.policy).toMatchObject({ from: 'fallback', revision: missing, changes: [] });
    expect(gated.policy!.message).toMatch(/^the policy of ffffffffffff could not be read \(the commit ffffffffffff is not in the checkout and could not be fetched from origin: .+\); gating with the strictest reading/);
    // Stricter failOn, no exclusions, no rule lowered or disabled, no suppression.
    expect(gated.summary).toMatchObject({ verdict: 'fail', failOn: 'high' });
    expect(privileged(gated)).toMatchObject({ severity: 'critical' });
    expect(privileged(gated)!.suppressed).toBeUndefined();
    expect(gated.findings.some((f) => f.ruleId === 'image-digest')).toBe(true);
    expect(renderMarkdown(gated)).toContain('> **Policy of the base commit unavailable**: the policy of ffffffffffff could not be read');
  });

  it('stops with a usage error in the CLI when --policy-from names no commit', async () => {
    const repo = await repository();
    await repo.commit({ 'deploy/pod.yaml': PRIVILEGED_POD }, 'base');
    await expect(scan({ paths: [path.join(repo.root, 'deploy')], policyFrom: { revision: 'no-such-branch', fetch: false, onUnavailable: 'error' } })).rejects.toThrow(
      /cannot read the policy at no-such-branch: git has no commit no-such-branch/,
    );
    await expect(scan({ paths: [path.join(repo.root, 'deploy')], policyFrom: { revision: '--output=/tmp/x', fetch: false, onUnavailable: 'error' } })).rejects.toThrow(/invalid revision/);
    const stderr: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      expect(await main(['scan', path.join(repo.root, 'deploy'), '--policy-from', 'no-such-branch', '--format', 'json', '--output', path.join(tmp(), 'r.json')])).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(stderr.join('')).toContain('cannot read the policy at no-such-branch');
  });

  it('gates with the revision given to the CLI (--policy-from)', async () => {
    const repo = await repository();
    await repo.commit({ '.preadmit.yaml': 'failOn: high\n', 'deploy/pod.yaml': PRIVILEGED_POD }, 'base');
    await repo.commit({ '.preadmit.yaml': 'failOn: never\n' }, 'head');
    const out = path.join(tmp(), 'r.json');
    const quiet = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      expect(await main(['scan', path.join(repo.root, 'deploy'), '--policy-from', 'HEAD~1', '--format', 'json', '--output', out])).toBe(1);
      expect(await main(['scan', path.join(repo.root, 'deploy'), '--format', 'json', '--output', out])).toBe(0);
    } finally {
      process.stderr.write = quiet;
    }
  });
});

describe('the Action: where the policy of a pull request comes from', () => {
  const baseSha = 'a'.repeat(40);
  const payload = (dir: string) => {
    const file = path.join(dir, 'event.json');
    writeFileSync(file, JSON.stringify({ pull_request: { number: 7, head: { sha: 'b'.repeat(40), repo: { full_name: 'o/r' } }, base: { sha: baseSha, repo: { full_name: 'o/r' } } } }));
    return file;
  };
  const inputsWith = (values: Record<string, string>) => readInputs((name) => values[name] ?? '');

  it('reads the base SHA from the event and gates pull requests with it by default', () => {
    const ctx = readRunContext({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: payload(tmp()) }, tmp());
    expect(ctx.pullRequest).toMatchObject({ number: 7, baseSha });
    expect(policyRequest(inputsWith({}), ctx)).toEqual({ revision: baseSha, fetch: true, onUnavailable: 'fallback' });
    expect(policyRequest(inputsWith({}), { ...ctx, eventName: 'pull_request_target' })).toMatchObject({ revision: baseSha });
    expect(policyRequest(inputsWith({}), { ...ctx, eventName: 'pull_request_review' })).toMatchObject({ revision: baseSha });
  });

  it('uses the head with policy-from: head, and on pushes', () => {
    const ctx = readRunContext({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: payload(tmp()) }, tmp());
    expect(policyRequest(inputsWith({ 'policy-from': 'head' }), ctx)).toBeUndefined();
    expect(policyRequest(inputsWith({}), { eventName: 'push' })).toBeUndefined();
    expect(policyRequest(inputsWith({}), { eventName: 'workflow_dispatch' })).toBeUndefined();
  });

  it('falls back (never to the head policy) when the event has no base SHA', async () => {
    const request = policyRequest(inputsWith({}), { eventName: 'pull_request' })!;
    const repo = await repository();
    await repo.commit({ '.preadmit.yaml': 'failOn: never\n', 'deploy/pod.yaml': PRIVILEGED_POD }, 'head');
    const gated = await scan({ paths: [path.join(repo.root, 'deploy')], policyFrom: request });
    expect(gated.policy!.from).toBe('fallback');
    expect(gated.summary).toMatchObject({ verdict: 'fail', failOn: 'high' });
  });
});

describe('locked rules', () => {
  const LOCKING = 'lockedRules: [pss-privileged]\nannotationSuppressions: true\n';

  it('cannot be disabled, lowered or suppressed by the configuration or an annotation', async () => {
    const repo = await repository();
    await repo.commit(
      {
        '.preadmit.yaml': `${LOCKING}rules:\n  pss-privileged: off\nsuppressions:\n  - rule: pss-privileged\n    reason: trust me\n  - rule: "*"\n    kind: Pod\n    reason: everything in pods\n`,
        'deploy/pod.yaml': withAnnotation('the CNI needs it'),
      },
      'one commit',
    );
    const result = await scan({ paths: [path.join(repo.root, 'deploy')] });
    expect(privileged(result)).toMatchObject({ severity: 'critical' });
    expect(privileged(result)!.suppressed).toBeUndefined();
    // The wildcard still accepts the other rules' findings.
    expect(result.findings.find((f) => f.ruleId === 'image-digest')!.suppressed).toMatchObject({ kind: 'config', reason: 'everything in pods' });
    const invalid = result.suppressions!.filter((s) => s.status === 'invalid').map((s) => [s.kind, s.rule, s.file, s.line, s.message]);
    expect(invalid).toEqual([
      ['config', 'pss-privileged', '.preadmit.yaml', 6, 'rule pss-privileged is locked (.preadmit.yaml:1): its findings cannot be suppressed'],
      ['config', 'pss-privileged', '.preadmit.yaml', 4, 'rule pss-privileged is locked (.preadmit.yaml:1): it cannot be disabled; the setting is ignored'],
      ['annotation', 'pss-privileged', 'deploy/pod.yaml', 1, 'rule pss-privileged is locked (.preadmit.yaml:1): its findings cannot be suppressed'],
    ]);
  });

  it('keeps its default severity, and takes `locked: true` on the rule too', async () => {
    const repo = await repository();
    await repo.commit({ '.preadmit.yaml': 'rules:\n  pss-privileged: {severity: low, locked: true}\n', 'deploy/pod.yaml': PRIVILEGED_POD }, 'one commit');
    const result = await scan({ paths: [path.join(repo.root, 'deploy')] });
    expect(privileged(result)!.severity).toBe('critical');
    expect(result.suppressions).toContainEqual(
      expect.objectContaining({ kind: 'config', status: 'invalid', line: 2, message: 'rule pss-privileged is locked (.preadmit.yaml:2): its severity cannot be lowered to low; it stays critical' }),
    );
  });

  it('cannot be suppressed by a comment', () => {
    const config = defaultConfig();
    config.lockedRules = ['pss-privileged'];
    const object = podObject({});
    const findings = [finding('pss-privileged', object, { values: { file: 'chart/values.yaml', line: 3, key: 'privileged' } })];
    const file = path.join('/repo', 'chart/values.yaml');
    const records = applySuppressions(findings, {
      config,
      repoRoot: '/repo',
      objects: [object],
      comments: new Map([[file, [{ file, line: 3, target: 3, rule: 'pss-privileged', reason: 'trust me', matched: 0 }]]]),
    });
    expect(findings[0]!.suppressed).toBeUndefined();
    expect(records).toEqual([expect.objectContaining({ kind: 'comment', status: 'invalid', message: 'rule pss-privileged is locked (the configuration): its findings cannot be suppressed' })]);
  });

  it('comes from the base in a pull request: removing the lock and suppressing does not pass', async () => {
    const repo = await repository();
    const base = await repo.commit({ '.preadmit.yaml': 'lockedRules: [pss-privileged]\n', 'deploy/pod.yaml': PRIVILEGED_POD }, 'base');
    await repo.commit({ '.preadmit.yaml': 'rules:\n  pss-privileged: off\n' }, 'head');
    const gated = await scan({ paths: [path.join(repo.root, 'deploy')], policyFrom: fromBase(base) });
    expect(privileged(gated)).toBeDefined();
    expect(gated.policy!.changes.map((c) => c.summary)).toEqual(['rule pss-privileged: on, locked → off']);
  });
});

function podObject(annotations: Record<string, string>, source: Partial<ScannedObject['source']> = {}): ScannedObject {
  return {
    ref: { apiVersion: 'v1', kind: 'Pod', namespace: 'apps', name: 'web' },
    raw: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'apps', annotations }, spec: { containers: [{ name: 'web', securityContext: { privileged: true } }] } },
    source: { kind: 'manifest', file: 'deploy/pod.yaml', line: 1, document: 0, ...source },
  };
}

function finding(ruleId: string, object: ScannedObject, source: Partial<Finding['source']> = {}): Finding {
  return {
    ruleId,
    severity: 'critical',
    category: 'pod-security',
    message: 'm',
    object: object.ref,
    path: '/spec/containers/0/securityContext/privileged',
    source: { ...object.source, ...source },
    fingerprint: '0'.repeat(32),
    remediation: '',
  };
}

describe('annotation suppressions', () => {
  it('are not honoured by default, and say how to turn them on', async () => {
    const repo = await repository();
    await repo.commit({ 'deploy/pod.yaml': withAnnotation('the CNI needs it') }, 'one commit');
    const result = await scan({ paths: [path.join(repo.root, 'deploy')] });
    expect(privileged(result)!.suppressed).toBeUndefined();
    expect(result.suppressions).toEqual([
      expect.objectContaining({ kind: 'annotation', status: 'invalid', rule: 'pss-privileged', matched: 1, message: 'annotation suppressions are off (annotationSuppressions: true in the configuration turns them on)' }),
    ]);
  });

  it('are honoured when the configuration allows them', async () => {
    const repo = await repository();
    await repo.commit({ '.preadmit.yaml': 'annotationSuppressions: true\n', 'deploy/pod.yaml': withAnnotation('the CNI needs it') }, 'one commit');
    const result = await scan({ paths: [path.join(repo.root, 'deploy')] });
    expect(privileged(result)!.suppressed).toMatchObject({ kind: 'annotation', reason: 'the CNI needs it', file: 'deploy/pod.yaml' });
  });

  it('never come from a vendored subchart', () => {
    const config = defaultConfig();
    config.annotationSuppressions = true;
    const object = podObject({ 'preadmit.dev/ignore.pss-privileged': 'upstream says so' }, { kind: 'helm', file: 'chart/charts/agent/templates/pod.yaml', chart: 'chart', template: 'chart/charts/agent/templates/pod.yaml' });
    const findings = [finding('pss-privileged', object)];
    const records = applySuppressions(findings, { config, repoRoot: '/repo', objects: [object] });
    expect(findings[0]!.suppressed).toBeUndefined();
    expect(records).toEqual([expect.objectContaining({ status: 'invalid', message: 'the object comes from a vendored subchart (chart/charts/agent): its annotations never suppress' })]);
    // The chart's own template: honoured.
    const own = podObject({ 'preadmit.dev/ignore.pss-privileged': 'ours' }, { kind: 'helm', file: 'chart/templates/pod.yaml', chart: 'chart', template: 'chart/templates/pod.yaml' });
    const ownFindings = [finding('pss-privileged', own)];
    applySuppressions(ownFindings, { config, repoRoot: '/repo', objects: [own] });
    expect(ownFindings[0]!.suppressed).toMatchObject({ kind: 'annotation', reason: 'ours' });
  });

  it('added by a pull request count once merged; one the base has counts now', async () => {
    const repo = await repository();
    const other = PRIVILEGED_POD.replace('name: web', 'name: api');
    const base = await repo.commit({ '.preadmit.yaml': 'annotationSuppressions: true\n', 'deploy/pod.yaml': withAnnotation('the CNI needs it'), 'deploy/api.yaml': other }, 'base');
    await repo.commit(
      { 'deploy/api.yaml': other.replace('  namespace: apps\n', '  namespace: apps\n  annotations:\n    preadmit.dev/ignore.pss-privileged: sneaky\n'), 'deploy/pod.yaml': `# moved down\n${withAnnotation('the CNI needs it')}` },
      'head',
    );
    const gated = await scan({ paths: [path.join(repo.root, 'deploy')], policyFrom: fromBase(base) });
    const byName = (name: string) => gated.findings.find((f) => f.ruleId === 'pss-privileged' && f.object.name === name)!;
    expect(byName('web').suppressed).toMatchObject({ kind: 'annotation', reason: 'the CNI needs it' });
    expect(byName('api').suppressed).toBeUndefined();
    expect(gated.suppressions!.find((s) => s.object?.name === 'api')).toMatchObject({ status: 'pending', message: 'added in this pull request: it takes effect once merged' });
    expect(gated.policy!.changes).toEqual([{ kind: 'annotation', change: 'added', summary: 'annotation suppression of pss-privileged on Pod api: sneaky', file: 'deploy/api.yaml', line: 1 }]);
  });
});

describe('suppression comments in a pull request', () => {
  const chart = (values: string) => ({
    'chart/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
    'chart/values.yaml': values,
    'chart/templates/pod.yaml':
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}-app\nspec:\n  containers:\n    - name: app\n      image: nginx:1.27.0\n      securityContext:\n        privileged: {{ .Values.securityContext.privileged }}\n        allowPrivilegeEscalation: {{ .Values.securityContext.allowPrivilegeEscalation }}\n',
  });
  const BASE_VALUES = 'securityContext:\n  privileged: true # preadmit: ignore pss-privileged -- the CNI programs the node\n  allowPrivilegeEscalation: true\n';
  const HEAD_VALUES =
    '# values\nsecurityContext:\n  privileged: true # preadmit: ignore pss-privileged -- the CNI programs the node\n  allowPrivilegeEscalation: true # preadmit: ignore pss-allow-privilege-escalation -- sneaky\n';

  it('applies a comment the base has (moved to another line), not one the head adds', async () => {
    const repo = await repository();
    const base = await repo.commit(chart(BASE_VALUES), 'base');
    await repo.commit(chart(HEAD_VALUES), 'head');
    const helmPath = process.env.PREADMIT_TEST_HELM3!;
    const own = await scan({ paths: [path.join(repo.root, 'chart')], helmPath });
    expect(own.findings.find((f) => f.ruleId === 'pss-allow-privilege-escalation')!.suppressed).toMatchObject({ kind: 'comment', line: 4 });

    const gated = await scan({ paths: [path.join(repo.root, 'chart')], helmPath, policyFrom: fromBase(base) });
    expect(privileged(gated)!.suppressed).toMatchObject({ kind: 'comment', file: 'chart/values.yaml', line: 3 });
    expect(gated.findings.find((f) => f.ruleId === 'pss-allow-privilege-escalation')!.suppressed).toBeUndefined();
    expect(gated.suppressions!.filter((s) => s.kind === 'comment').map((s) => [s.rule, s.line, s.status])).toEqual([
      ['pss-privileged', 3, 'applied'],
      ['pss-allow-privilege-escalation', 4, 'pending'],
    ]);
    expect(gated.policy!.changes).toEqual([
      { kind: 'comment', change: 'added', summary: 'comment suppression of pss-allow-privilege-escalation: sneaky', file: 'chart/values.yaml', line: 4 },
    ]);

    // Without the base, no comment counts.
    const fallback = await scan({ paths: [path.join(repo.root, 'chart')], helmPath, policyFrom: fromBase('e'.repeat(40)) });
    expect(fallback.findings.filter((f) => f.suppressed)).toEqual([]);
    expect(fallback.suppressions!.filter((s) => s.kind === 'comment').map((s) => s.status)).toEqual(['pending', 'pending']);
    expect(fallback.policy!.changes).toEqual([]);
    expect(renderMarkdown(fallback)).toContain('Suppressions needing attention (2)');
  });
});

describe('suppressions a pull request moves', () => {
  it('does not apply a base comment copied under another key', async () => {
    const repo = await repository();
    const template =
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}-app\nspec:\n  containers:\n    - name: agent\n      image: nginx:1.27.0\n      securityContext:\n        privileged: {{ .Values.agent.privileged }}\n    - name: web\n      image: nginx:1.27.0\n      securityContext:\n        privileged: {{ .Values.web.privileged }}\n';
    const files = (values: string) => ({ 'chart/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n', 'chart/templates/pod.yaml': template, 'chart/values.yaml': values });
    const line = '  privileged: true # preadmit: ignore pss-privileged -- the agent programs the node\n';
    const base = await repo.commit(files(`agent:\n${line}web:\n  privileged: false\n`), 'base');
    // The head makes web privileged with the agent's very line, and drops the agent's.
    await repo.commit(files(`agent:\n  privileged: false\nweb:\n${line}`), 'head');
    const gated = await scan({ paths: [path.join(repo.root, 'chart')], helmPath: process.env.PREADMIT_TEST_HELM3!, policyFrom: fromBase(base) });
    expect(privileged(gated)).toMatchObject({ path: '/spec/containers/1/securityContext/privileged' });
    expect(privileged(gated)!.suppressed).toBeUndefined();
    expect(gated.suppressions!.find((s) => s.kind === 'comment')).toMatchObject({ status: 'pending', line: 4 });
  });

  it('honours an annotation in a chart render only while the chart and its values are unchanged since the base', async () => {
    const repo = await repository();
    const chart = (privilegedValue: string) => ({
      '.preadmit.yaml': 'annotationSuppressions: true\n',
      'chart/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
      'chart/values.yaml': `privileged: ${privilegedValue}\n`,
      'chart/templates/pod.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\n  annotations:\n    preadmit.dev/ignore.pss-privileged: the agent programs the node\nspec:\n  containers:\n    - name: app\n      image: nginx:1.27.0\n      securityContext:\n        privileged: {{ .Values.privileged }}\n',
    });
    const base = await repo.commit(chart('true'), 'base');
    await repo.commit({ 'README.md': 'unrelated\n' }, 'head: nothing in the chart');
    const helmPath = process.env.PREADMIT_TEST_HELM3!;
    const same = await scan({ paths: [path.join(repo.root, 'chart')], helmPath, policyFrom: fromBase(base) });
    expect(privileged(same)!.suppressed).toMatchObject({ kind: 'annotation' });
    await repo.commit({ 'chart/values.yaml': 'privileged: true\nextra: 1\n' }, 'head: values change');
    const changed = await scan({ paths: [path.join(repo.root, 'chart')], helmPath, policyFrom: fromBase(base) });
    expect(privileged(changed)!.suppressed).toBeUndefined();
    expect(changed.suppressions!.find((s) => s.kind === 'annotation')).toMatchObject({ status: 'pending' });
  });
});

describe('hidden folders, node_modules and symlinks into them', () => {
  it('searches hidden folders as kubectl apply -R does, records what it skips, never reads .git', async () => {
    const repo = await repository();
    await repo.commit({ 'README.md': 'x\n' }, 'init');
    write(repo.root, {
      'deploy/.staging/pod.yaml': PRIVILEGED_POD.replace('name: web', 'name: hidden'),
      'deploy/node_modules/pkg/pod.yaml': PRIVILEGED_POD.replace('name: web', 'name: npm'),
      'deploy/.terraform/modules/pod.yaml': PRIVILEGED_POD.replace('name: web', 'name: tf'),
      '.github/workflows/ci.yaml': 'on: push\njobs: {}\n',
    });
    writeFileSync(path.join(repo.root, '.git', 'pod.yaml'), PRIVILEGED_POD.replace('name: web', 'name: gitdir'));
    symlinkSync(path.join(repo.root, '.git'), path.join(repo.root, 'deploy', 'gitlink'));
    symlinkSync(path.join(repo.root, 'deploy', 'node_modules', 'pkg', 'pod.yaml'), path.join(repo.root, 'deploy', 'from-npm.yaml'));
    const result = await scan({ paths: [repo.root] });
    const names = [...new Set(result.objects.map((o) => o.object.name))].sort();
    // from-npm.yaml is a link the repository chose to make: read (under its target's path). The workflow
    // in .github is searched and is no Kubernetes object: neither an object nor an error.
    expect(names).toEqual(['hidden', 'npm']);
    expect(result.skipped!.map((s) => s.path)).toEqual(['deploy/.terraform', 'deploy/node_modules']);
    expect(result.objects.find((o) => o.object.name === 'npm')!.source.file).toBe('deploy/node_modules/pkg/pod.yaml');
    expect(result.skipped![1]).toEqual({
      path: 'deploy/node_modules',
      reason: 'npm packages: git tracks nothing in it (downloaded, not part of the change), so it is not searched; name the path to scan it',
    });
    expect(result.errors).toEqual([{ kind: 'read', file: 'deploy/gitlink', message: 'symlink into a .git directory; not followed' }]);
    expect(toJsonValue(result)).toHaveProperty('skipped', result.skipped);
    expect(renderMarkdown(result)).toContain('Not searched: deploy/\\.terraform (Terraform');

    // An excluded directory is not looked at: its links out of the repository are no errors.
    mkdirSync(path.join(repo.root, '.tools'));
    symlinkSync('/etc/passwd', path.join(repo.root, '.tools', 'passwd.yaml'));
    const withLink = await scan({ paths: [repo.root] });
    expect(withLink.errors.map((e) => e.file)).toEqual(['.tools/passwd.yaml', 'deploy/gitlink']);
    writeFileSync(path.join(repo.root, '.preadmit.yaml'), 'exclude: [".tools/**"]\n');
    const excluded = await scan({ paths: [repo.root] });
    expect(excluded.errors.map((e) => e.file)).toEqual(['deploy/gitlink']);

    // Named explicitly, a skipped directory is scanned.
    const named = await scan({ paths: [path.join(repo.root, 'deploy', 'node_modules')] });
    expect(named.objects.map((o) => o.object.name)).toEqual(['npm']);
  });
});

describe('what a chart render reads, for suppressions from the base', () => {
  const helmPath = () => process.env.PREADMIT_TEST_HELM3!;
  const WORKLOAD = (extra: string) =>
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\n  annotations:\n${extra}    owner: team\nspec:\n  containers:\n    - name: app\n      image: nginx:1.27.0\n      securityContext:\n        privileged: {{ .Values.privileged }}\n`;

  it('follows the symlinks in a chart: an annotation the pull request adds to a symlink target is pending', async () => {
    const repo = await repository();
    const base = await repo.commit(
      {
        '.preadmit.yaml': 'annotationSuppressions: true\n',
        'charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
        'charts/app/values.yaml': 'privileged: false\n',
        'shared/workload.yaml': WORKLOAD(''),
      },
      'base',
    );
    mkdirSync(path.join(repo.root, 'charts/app/templates'));
    symlinkSync('../../../shared/workload.yaml', path.join(repo.root, 'charts/app/templates/workload.yaml'));
    const linked = await repo.commit({}, 'base: template through a symlink');
    // The pull request edits only the symlink's target.
    await repo.commit({ 'shared/workload.yaml': WORKLOAD('    preadmit.dev/ignore.pss-privileged: "needed"\n').replace('privileged: {{ .Values.privileged }}', 'privileged: true') }, 'head');
    const gated = await scan({ paths: [path.join(repo.root, 'charts/app')], helmPath: helmPath(), policyFrom: fromBase(linked) });
    expect(privileged(gated)).toMatchObject({ path: '/spec/containers/0/securityContext/privileged' });
    expect(privileged(gated)!.suppressed).toBeUndefined();
    expect(gated.summary.verdict).toBe('fail');
    expect(gated.suppressions!.find((s) => s.kind === 'annotation')).toMatchObject({ status: 'pending', rule: 'pss-privileged' });
    expect(gated.policy!.changes).toEqual([expect.objectContaining({ kind: 'annotation', change: 'added', summary: 'annotation suppression of pss-privileged on Pod app: needed' })]);
    expect(base).not.toBe(linked);

    // A symlinked directory (the whole templates folder) is followed the same way.
    const repo2 = await repository();
    await repo2.commit({ '.preadmit.yaml': 'annotationSuppressions: true\n', 'c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n', 'c/values.yaml': 'privileged: false\n', 'lib/tpl/pod.yaml': WORKLOAD('') }, 'base');
    symlinkSync('../lib/tpl', path.join(repo2.root, 'c/templates'));
    const base2 = await repo2.commit({}, 'base: templates folder through a symlink');
    await repo2.commit({ 'lib/tpl/pod.yaml': WORKLOAD('    preadmit.dev/ignore.pss-privileged: "needed"\n').replace('privileged: {{ .Values.privileged }}', 'privileged: true') }, 'head');
    const gated2 = await scan({ paths: [path.join(repo2.root, 'c')], helmPath: helmPath(), policyFrom: fromBase(base2) });
    expect(privileged(gated2)!.suppressed).toBeUndefined();
    expect(gated2.suppressions!.find((s) => s.kind === 'annotation')).toMatchObject({ status: 'pending' });
  });

  const CSI_VALUES = 'csi:\n  securityContext:\n    # preadmit: ignore pss-privileged -- CSI node plugin needs host mounts\n    privileged: true\n';
  const workload = (kind: string, name: string, image: string) =>
    `apiVersion: apps/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n  selector:\n    matchLabels: {app: ${name}}\n  template:\n    metadata:\n      labels: {app: ${name}}\n    spec:\n      containers:\n        - name: ${name}\n          image: ${image}\n          securityContext:\n            privileged: {{ .Values.csi.securityContext.privileged }}\n`;
  const csiChart = {
    'c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n',
    'c/values.yaml': CSI_VALUES,
    'c/templates/ds.yaml': workload('DaemonSet', 'csi-node', 'registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.10.0'),
  };
  const privilegedOf = (result: ScanResult, name: string) => result.findings.find((f) => f.ruleId === 'pss-privileged' && f.object.name === name);

  it('applies a base ignore comment on a values line only to findings of templates the pull request leaves alone', async () => {
    const repo = await repository();
    const base = await repo.commit(csiChart, 'base');
    await repo.commit({ 'README.md': 'unrelated\n' }, 'head: nothing in the chart');
    const same = await scan({ paths: [path.join(repo.root, 'c')], helmPath: helmPath(), policyFrom: fromBase(base) });
    expect(privilegedOf(same, 'csi-node')!.suppressed).toMatchObject({ kind: 'comment', file: 'c/values.yaml', line: 3 });

    await repo.commit({ 'c/templates/miner.yaml': workload('Deployment', 'miner', 'evil.example/miner:latest') }, 'head: a new object reusing the values');
    // Control: with the head's own policy the comment suppresses both.
    const own = await scan({ paths: [path.join(repo.root, 'c')], helmPath: helmPath() });
    expect(privilegedOf(own, 'miner')!.suppressed).toMatchObject({ kind: 'comment' });

    const gated = await scan({ paths: [path.join(repo.root, 'c')], helmPath: helmPath(), policyFrom: fromBase(base) });
    expect(privilegedOf(gated, 'miner')).toMatchObject({ path: '/spec/template/spec/containers/0/securityContext/privileged' });
    expect(privilegedOf(gated, 'miner')!.suppressed).toBeUndefined();
    expect(gated.summary.verdict).toBe('fail');
    const minerRecord = gated.suppressions!.find((s) => s.kind === 'comment' && s.object?.name === 'miner');
    expect(minerRecord).toMatchObject({ status: 'pending', rule: 'pss-privileged', file: 'c/values.yaml', line: 3 });
    expect(gated.policy!.changes).toContainEqual({
      kind: 'comment',
      change: 'added',
      summary: 'ignore comment at c/values.yaml:3 would also suppress pss-privileged on Deployment/miner from c/templates/miner.yaml, which this pull request adds or changes',
      file: 'c/values.yaml',
      line: 3,
    });
    // The chart's templates changed: the DaemonSet's finding waits for the merge too (a changed template
    // can print another template's `# Source:` line, or redefine what it includes).
    expect(privilegedOf(gated, 'csi-node')!.suppressed).toBeUndefined();
    expect(gated.policy!.changes).toContainEqual(
      expect.objectContaining({ kind: 'comment', summary: 'ignore comment at c/values.yaml:3 suppresses pss-privileged on DaemonSet/csi-node from c/templates/ds.yaml once merged: this pull request changes other files of chart c (c/templates/miner.yaml), which can change what that template renders' }),
    );
    // The base comment is no suppression the pull request adds: it is not listed as one.
    expect(gated.policy!.changes.filter((c) => c.summary.startsWith('comment suppression'))).toEqual([]);
  });

  it('does not trust a template that prints another template\'s # Source: line', async () => {
    const repo = await repository();
    const base = await repo.commit({ ...csiChart, 'c/templates/svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: csi\nspec:\n  ports: [{port: 80}]\n' }, 'base');
    const spoof = `apiVersion: v1\nkind: Service\nmetadata:\n  name: csi\nspec:\n  ports: [{port: 80}]\n---\n# Source: c/templates/ds.yaml\n${workload('Deployment', 'miner', 'evil.example/miner:latest')}`;
    await repo.commit({ 'c/templates/svc.yaml': spoof }, 'head');
    const gated = await scan({ paths: [path.join(repo.root, 'c')], helmPath: helmPath(), policyFrom: fromBase(base) });
    expect(privilegedOf(gated, 'miner')).toBeDefined();
    expect(privilegedOf(gated, 'miner')!.suppressed).toBeUndefined();
    expect(gated.summary.verdict).toBe('fail');
  });
});

describe('renderReads', () => {
  it('names the chart, every symlink target in it (recursively, subchart folders too) and the values files, both ways', () => {
    const root = tmp();
    write(root, {
      'c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n',
      'shared/workload.yaml': 'x: 1\n',
      'lib/tpl/inner-target.yaml': 'x: 1\n',
      'vendor/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\n',
      'ci/prod-values.yaml': 'a: 1\n',
    });
    mkdirSync(path.join(root, 'c/templates'));
    mkdirSync(path.join(root, 'c/charts'));
    symlinkSync('../../shared/workload.yaml', path.join(root, 'c/templates/workload.yaml'));
    symlinkSync('../../lib/tpl', path.join(root, 'c/templates/lib'));
    symlinkSync('inner-target.yaml', path.join(root, 'lib/tpl/inner.yaml'));
    symlinkSync('../../vendor/sub', path.join(root, 'c/charts/sub'));
    symlinkSync('prod-values.yaml', path.join(root, 'ci/values.yaml'));
    expect(renderReads(root, [path.join(root, 'c')], [path.join(root, 'ci/values.yaml')])).toEqual([
      'c',
      'c/charts/sub',
      'c/templates/lib',
      'c/templates/workload.yaml',
      'ci/prod-values.yaml',
      'ci/values.yaml',
      'lib/tpl',
      'lib/tpl/inner-target.yaml',
      'lib/tpl/inner.yaml',
      'shared/workload.yaml',
      'vendor/sub',
    ]);
    // A link out of the repository: nothing there is the base's, so no answer.
    symlinkSync('/', path.join(root, 'c/templates/outside'));
    expect(renderReads(root, [path.join(root, 'c')], [])).toBeUndefined();
  });
});

describe('folders of downloaded code', () => {
  const pod = (name: string) => PRIVILEGED_POD.replace('name: web', `name: ${name}`);
  const WORKFLOW = 'name: ci\non:\n  push:\n    branches: [main]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n';

  it('are searched when git tracks them (the change under review), skipped when it does not; .github always searched', async () => {
    const repo = await repository();
    await repo.commit(
      {
        'k8s/.github/pod.yaml': pod('gh'),
        'k8s/.github/workflows/ci.yml': WORKFLOW,
        'k8s/node_modules/pod.yaml': pod('npm'),
        'k8s/.terraform/pod.yaml': pod('tf'),
        'k8s/.venv/pod.yaml': pod('venv'),
      },
      'manifests in folders that look downloaded',
    );
    // Downloaded and git-ignored: not part of the change.
    write(repo.root, { '.gitignore': 'node_modules/\n', 'node_modules/left-pad/pod.yaml': pod('downloaded'), 'node_modules/left-pad/package.json': '{"name":"left-pad"}' });
    const result = await scan({ paths: [repo.root] });
    const names = [...new Set(result.findings.filter((f) => f.ruleId === 'pss-privileged').map((f) => f.object.name))].sort();
    expect(names).toEqual(['gh', 'npm', 'tf', 'venv']);
    expect(result.summary.verdict).toBe('fail');
    expect(result.errors).toEqual([]);
    expect(result.skipped).toEqual([{ path: 'node_modules', reason: 'npm packages: git tracks nothing in it (downloaded, not part of the change), so it is not searched; name the path to scan it' }]);

    // Through the CLI, as the reviewer ran it: exit 1.
    expect(await main(['scan', path.join(repo.root, 'k8s'), '--format', 'json', '--output', path.join(tmp(), 'r.json')])).toBe(1);
  });

  it('outside a git repository are skipped and recorded, and one holding a manifest is an error', async () => {
    const root = tmp();
    write(root, {
      'k8s/app.yaml': pod('app').replace('privileged: true', 'privileged: false'),
      'k8s/node_modules/pkg/package.json': '{"name":"pkg","version":"1.0.0"}',
      'k8s/node_modules/pkg/.travis.yml': 'language: node_js\n',
      'k8s/.venv/lib/config.json': '{"apiVersion": 1}',
    });
    const clean = await scan({ paths: [path.join(root, 'k8s')] });
    expect(clean.errors).toEqual([]);
    // Outside git, paths are relative to the working directory.
    const here = (file: string) => path.relative(root, path.resolve(file)).split(path.sep).join('/');
    expect(clean.skipped!.map((s) => [here(s.path), s.reason])).toEqual([
      ['k8s/.venv', 'a Python virtual environment: not searched outside a git repository (kubectl apply -R would read it); name the path to scan it'],
      ['k8s/node_modules', 'npm packages: not searched outside a git repository (kubectl apply -R would read it); name the path to scan it'],
    ]);

    write(root, { 'k8s/.terraform/modules/pod.yaml': pod('tf') });
    const hidden = await scan({ paths: [path.join(root, 'k8s')] });
    expect(hidden.errors.map((e) => ({ ...e, file: here(e.file!), message: e.message.replace(path.relative(process.cwd(), root).split(path.sep).join('/') + '/', '') }))).toEqual([
      {
        kind: 'read',
        file: 'k8s/.terraform/modules/pod.yaml',
        message: 'looks like a Kubernetes manifest, inside k8s/.terraform, which is not searched outside a git repository (kubectl apply -R would apply it); name the path to scan it, or exclude it',
      },
    ]);
    expect(hidden.summary.verdict).toBe('fail');
  });
});
