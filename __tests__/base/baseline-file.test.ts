// The reviewed baseline file: `preadmit baseline` writes it, `baseline:` in .preadmit.yaml names it,
// findings it lists are existing and do not gate, entries matching nothing are stale; in a pull request it
// is read as the base has it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { scan } from '../../src/pipeline/scan.ts';
import { renderText } from '../../src/reporters/text.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tmp(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-baseline-'));
  dirs.push(dir);
  return dir;
}

function write(root: string, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
}

async function repository(files: Record<string, string>) {
  const root = tmp();
  const git = (...args: string[]) => execa('git', args, { cwd: root, env: { GIT_CONFIG_NOSYSTEM: '1', HOME: root } });
  await git('init', '-q', '-b', 'main');
  await git('config', 'user.email', 'dev@example.com');
  await git('config', 'user.name', 'dev');
  write(root, files);
  await git('add', '-A');
  await git('commit', '-q', '-m', 'base');
  return { root, git };
}

const pod = (name: string, extra = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:${extra}
  containers:
    - name: c
      image: nginx:1.27.0
      securityContext:
        privileged: true
`;

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

const helm = () => process.env.PREADMIT_TEST_HELM3!;

describe('the baseline file', () => {
  it('is written by preadmit baseline; what it lists no longer gates, new findings do, gone ones are stale', async () => {
    const repo = await repository({
      'chart/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
      'chart/templates/pod.yaml': pod('web-{{ randAlphaNum 6 | lower }}'),
      'deploy/a.yaml': pod('a'),
    });
    const written = await cli(['baseline', repo.root, '--helm', helm()]);
    expect(written.code).toBe(0);
    const file = path.join(repo.root, '.preadmit-baseline.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# preadmit baseline/);
    expect(text).toContain('rule: pss-privileged\n    object: Pod a\n    where: deploy/a.yaml\n    path: /spec/containers/0/securityContext/privileged\n    severity: critical\n    reason: ""');
    expect(written.stderr).toMatch(/wrote \d+ findings to .*\.preadmit-baseline\.yaml/);

    // Without the configuration naming it, nothing changes: the scan fails on the privileged pods.
    expect((await cli(['scan', repo.root, '--helm', helm()])).code).toBe(1);
    write(repo.root, { '.preadmit.yaml': 'baseline: .preadmit-baseline.yaml\n' });
    // Named: every finding is existing (the chart's random name rendered anew matches), the run passes.
    const clean = await scan({ paths: [repo.root], helmPath: helm(), provenance: false });
    expect(clean.findings.every((f) => f.status === 'existing')).toBe(true);
    expect(clean.summary).toMatchObject({ verdict: 'pass', blocking: 0, new: 0 });
    expect(clean.baselineFile).toMatchObject({ file: '.preadmit-baseline.yaml', stale: [] });

    // An entry accepted at a lower severity than the finding has now: the finding got worse, so it is new.
    writeFileSync(file, text.replace('deploy/a.yaml\n    path: /spec/containers/0/securityContext/privileged\n    severity: critical', 'deploy/a.yaml\n    path: /spec/containers/0/securityContext/privileged\n    severity: medium'));
    const worse = await scan({ paths: [repo.root], helmPath: helm(), provenance: false });
    const raised = worse.findings.filter((f) => f.status === 'new');
    expect(raised.map((f) => [f.ruleId, f.object.name, f.path, f.baseSeverity])).toEqual([['pss-privileged', 'a', '/spec/containers/0/securityContext/privileged', 'medium']]);
    expect(worse.summary).toMatchObject({ verdict: 'fail', blocking: 1 });
    expect(renderText(worse)).toMatch(/CRITICAL\s+pss-privileged NEW \(was medium\)/);
    writeFileSync(file, text.replace('deploy/a.yaml\n    path: /spec/containers/0/securityContext/privileged\n    severity: critical', 'deploy/a.yaml\n    path: /spec/containers/0/securityContext/privileged\n    severity: severe'));
    await expect(scan({ paths: [repo.root], helmPath: helm(), provenance: false })).rejects.toThrow(/\.preadmit-baseline\.yaml:\d+: severity must be one of critical, high, medium, low, info/);

    // A reason given, one pod fixed, one new finding added.
    writeFileSync(file, text.replace('reason: ""', 'reason: "accepted: legacy"'));
    write(repo.root, { 'deploy/a.yaml': pod('a').replace('privileged: true', 'privileged: false'), 'deploy/b.yaml': pod('b', '\n  hostPID: true') });
    const after = await scan({ paths: [repo.root], helmPath: helm(), provenance: false });
    expect(after.findings.filter((f) => f.status === 'new').every((f) => f.object.name === 'b')).toBe(true);
    expect(after.summary.verdict).toBe('fail');
    expect(after.baselineFile!.stale.map((e) => [e.rule, e.object])).toEqual([['pss-privileged', 'Pod a']]);
    expect(renderText(after)).toMatch(/BASELINE \.preadmit-baseline\.yaml: \d+ entries \(\d+ findings existing, \d+ new\), 1 stale/);
    expect(renderText(after)).toMatch(/stale pss-privileged\s+Pod a \/spec\/containers\/0\/securityContext\/privileged/);

    // Regenerating keeps the reasons of entries still matching and drops the stale ones.
    expect((await cli(['baseline', repo.root, '--helm', helm()])).code).toBe(0);
    const again = readFileSync(file, 'utf8');
    expect(again).not.toContain('rule: pss-privileged\n    object: Pod a\n');
    expect(again).toContain('rule: pss-host-namespaces\n    object: Pod b');
    expect(again).toContain('reason: "accepted: legacy"');
  });

  it('comes from the base in a pull request: entries the head adds do not count, nor does a baseline the head names', async () => {
    const repo = await repository({ '.preadmit.yaml': 'baseline: .preadmit-baseline.yaml\n', '.preadmit-baseline.yaml': 'version: 1\nfindings: []\n', 'deploy/a.yaml': pod('a') });
    const base = (await repo.git('rev-parse', 'HEAD')).stdout.trim();
    // The head lists its own finding in the baseline file.
    expect((await cli(['baseline', path.join(repo.root, 'deploy'), '--output', path.join(repo.root, '.preadmit-baseline.yaml')])).code).toBe(0);
    const own = await scan({ paths: [path.join(repo.root, 'deploy')], provenance: false });
    expect(own.summary.verdict).toBe('pass'); // its own policy would let it pass...
    const gated = await scan({ paths: [path.join(repo.root, 'deploy')], provenance: false, policyFrom: { revision: base, fetch: false, onUnavailable: 'error' } });
    expect(gated.summary.verdict).toBe('fail'); // ...the base's file does not
    expect(gated.findings.every((f) => f.status === 'new')).toBe(true);
    // What the head changes in the file is a policy change, listed for review.
    expect(gated.policy?.changes.map((c) => c.summary)).toContainEqual(expect.stringMatching(/^baseline file \.preadmit-baseline\.yaml: \d+ entries added, 0 removed/));

    const other = await repository({ 'deploy/a.yaml': pod('a') });
    const otherBase = (await other.git('rev-parse', 'HEAD')).stdout.trim();
    expect((await cli(['baseline', path.join(other.root, 'deploy'), '--output', path.join(other.root, 'b.yaml')])).code).toBe(0);
    write(other.root, { '.preadmit.yaml': 'baseline: b.yaml\n' });
    const named = await scan({ paths: [path.join(other.root, 'deploy')], provenance: false, policyFrom: { revision: otherBase, fetch: false, onUnavailable: 'error' } });
    expect(named.summary.verdict).toBe('fail');
    expect(named.baselineFile).toBeUndefined();
    expect(named.policy?.changes.map((c) => c.summary)).toContain('configuration file .preadmit.yaml added');
    // The fallback (base unreadable) honours no baseline either.
    const fallback = await scan({ paths: [path.join(other.root, 'deploy')], provenance: false, policyFrom: { revision: 'e'.repeat(40), fetch: false, onUnavailable: 'fallback' } });
    expect(fallback.summary.verdict).toBe('fail');
    expect(fallback.baselineFile).toBeUndefined();
  });

  it('is a clear usage error when broken, missing, or outside the repository', async () => {
    const repo = await repository({ '.preadmit.yaml': 'baseline: base.yaml\n', 'deploy/a.yaml': pod('a') });
    const missing = await cli(['scan', path.join(repo.root, 'deploy')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('baseline file base.yaml, named by the configuration, cannot be read: ENOENT');
    write(repo.root, { 'base.yaml': 'version: 1\nfindings:\n  - rule: pss-privileged\n    fingerprint: nope\n' });
    const broken = await cli(['scan', path.join(repo.root, 'deploy')]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('base.yaml:3: a baseline entry needs a rule and a 32-hex-digit fingerprint');
    write(repo.root, { '.preadmit.yaml': 'baseline: ../outside.yaml\n' });
    const outside = await cli(['scan', path.join(repo.root, 'deploy')]);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/\.preadmit\.yaml:1: baseline file "\.\.\/outside\.yaml": /);
  });
});
