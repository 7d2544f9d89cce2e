// What the walk finds is confined to the repository; what it refuses is recorded; configuration mistakes
// (from the pull request too) are usage errors with the file and line, never a crash or a hang.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { confinementProblem, discover, globProblem } from '../../src/pipeline/discover.ts';
import { scan } from '../../src/pipeline/scan.ts';
import { repoRoot } from '../helpers/shared.ts';
import { link, PRIVILEGED_POD, workspace, writeTree } from './helpers.ts';

/** A fake repository (a directory with .git) holding a scanned directory `deploy`. */
function repository(): { repo: string; deploy: string } {
  const repo = workspace();
  mkdirSync(path.join(repo, '.git'));
  const deploy = path.join(repo, 'deploy');
  writeTree(deploy, { 'pod.yaml': PRIVILEGED_POD });
  return { repo, deploy };
}

const files = (inputs: { kind: string; file?: string; dir?: string }[], root: string) =>
  inputs.map((i) => path.relative(root, (i.file ?? i.dir)!)).sort();

describe('symlinks met by the walk', () => {
  it('refuses a link out of the repository, file or directory, with an error naming the link', () => {
    const { repo, deploy } = repository();
    const outside = workspace('preadmit-hostile-outside-');
    writeTree(outside, { 'secret.yaml': 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n' });
    link(deploy, 'passwd.yaml', '/etc/passwd');
    link(deploy, 'outside.yaml', path.join(outside, 'secret.yaml'));
    link(deploy, 'outside-dir', outside);
    const found = discover([deploy], { repoRoot: repo, include: [], exclude: [] });
    expect(files(found.inputs, repo)).toEqual(['deploy/pod.yaml']);
    expect(found.errors.map((e) => [e.file, e.message]).sort()).toEqual([
      ['deploy/outside-dir', 'symlink points outside the repository; not followed'],
      ['deploy/outside.yaml', 'symlink points outside the repository; not followed'],
      ['deploy/passwd.yaml', 'symlink points outside the repository; not followed'],
    ]);
  });

  it('follows a link to elsewhere in the repository once, under the target\'s own path', () => {
    const { repo, deploy } = repository();
    writeTree(repo, { 'base/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: NodePort}\n' });
    link(deploy, 'base', path.join(repo, 'base'));
    link(deploy, 'base-again', path.join(repo, 'base'));
    link(deploy, 'same-pod.yaml', path.join(deploy, 'pod.yaml')); // inside the walk: met under its own name
    const found = discover([deploy], { repoRoot: repo, include: [], exclude: [] });
    expect(files(found.inputs, repo)).toEqual(['base/service.yaml', 'deploy/pod.yaml']);
    expect(found.errors).toEqual([]);
  });

  it('reports a dangling link and a link loop instead of skipping them silently', () => {
    const { repo, deploy } = repository();
    link(deploy, 'gone.yaml', path.join(deploy, 'nothing-here.yaml'));
    link(deploy, 'a.yaml', path.join(deploy, 'b.yaml'));
    link(deploy, 'b.yaml', path.join(deploy, 'a.yaml'));
    link(deploy, 'self', deploy); // a directory link to its own parent: inside the walk, not walked twice
    const found = discover([deploy], { repoRoot: repo, include: [], exclude: [] });
    expect(files(found.inputs, repo)).toEqual(['deploy/pod.yaml']);
    expect(found.errors.map((e) => e.file).sort()).toEqual(['deploy/a.yaml', 'deploy/b.yaml', 'deploy/gone.yaml']);
    for (const error of found.errors) expect(error.message).toMatch(/symlink points to nothing/);
  });

  it('refuses a named path that is not a regular file (a FIFO would block the read forever)', async () => {
    const dir = workspace();
    const fifo = path.join(dir, 'pipe.yaml');
    await execa('mkfifo', [fifo]);
    const result = await scan({ paths: [fifo, path.join(writeTree(dir, { 'pod.yaml': PRIVILEGED_POD }), 'pod.yaml')] });
    expect(result.errors).toEqual([expect.objectContaining({ kind: 'read', message: expect.stringMatching(/not a regular file/) })]);
    expect(result.findings.some((f) => f.ruleId === 'pss-privileged')).toBe(true);
  });
});

describe('charts inside a chart\'s folder', () => {
  const chartYaml = (name: string) => `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`;
  const tree = () => {
    const { repo } = repository();
    writeTree(repo, {
      'app/Chart.yaml': chartYaml('app'),
      'app/templates/pod.yaml': PRIVILEGED_POD,
      'app/deploy/evil/Chart.yaml': chartYaml('evil'),
      'app/deploy/evil/templates/pod.yaml': PRIVILEGED_POD,
      'app/charts/sub/Chart.yaml': chartYaml('sub'),
      'app/charts/sub/examples/inner/Chart.yaml': chartYaml('inner'),
      'app/charts/sub/charts/subsub/Chart.yaml': chartYaml('subsub'),
      'app/examples/pod.yaml': PRIVILEGED_POD,
    });
    return repo;
  };
  const charts = (repo: string, found: ReturnType<typeof discover>) => found.inputs.map((i) => (i.kind === 'chart' ? path.relative(repo, i.dir) : `${i.kind} ${i.kind === 'manifest' ? path.relative(repo, i.file) : ''}`)).sort();

  it('are scanned as charts of their own (helm install takes them), but not the subcharts rendered with their parent', () => {
    const repo = tree();
    const expected = ['app', 'app/charts/sub/examples/inner', 'app/deploy/evil'];
    expect(charts(repo, discover([repo], { repoRoot: repo, include: [], exclude: [] }))).toEqual([...expected, 'deploy/pod.yaml'].map((c) => (c.endsWith('.yaml') ? `manifest ${c}` : c)).sort());
    // Named, the chart's folder is searched the same way.
    expect(charts(repo, discover([path.join(repo, 'app')], { repoRoot: repo, include: [], exclude: [] }))).toEqual(expected);
  });

  it('says which files of a chart\'s folder hold objects helm does not deploy, and reads a manifest linked from outside the chart', () => {
    const repo = tree();
    writeTree(repo, { 'app/files/grafana.json': '{"title": "dashboard"}\n', 'app/values-prod.yaml': 'kind: x\napiVersion: y\n' });
    link(repo, 'deploy/linked.yaml', '../app/examples/pod.yaml');
    // A link to a template is no manifest (Go template text the chart renders).
    link(repo, 'docs/template.yaml', '../app/templates/pod.yaml');
    const found = discover([repo], { repoRoot: repo, include: [], exclude: [] });
    // The example is no manifest of the walk (helm packages it, deploys nothing from it), and says so.
    expect(found.skipped.filter((s) => s.path === 'app').map((s) => s.reason)).toEqual([
      "1 file in this chart's folder outside templates/ and crds/ holds Kubernetes objects helm does not deploy (examples/pod.yaml): not judged; name them as paths if something else applies them",
    ]);
    // A Chart.yaml above the target does not hide a manifest a link outside the chart names.
    expect(found.inputs.filter((i) => i.kind === 'manifest').map((i) => path.relative(repo, (i as { file: string }).file)).sort()).toEqual(['app/examples/pod.yaml', 'deploy/pod.yaml']);
  });

  it('judges what a nested chart deploys', async () => {
    const repo = tree();
    const result = await scan({ paths: [path.join(repo, 'app', 'deploy')], helmPath: process.env.PREADMIT_TEST_HELM3! });
    expect(result.charts.map((c) => c.chart)).toEqual(['app/deploy/evil']);
    expect(result.findings.some((f) => f.ruleId === 'pss-privileged' && f.source.chart === 'app/deploy/evil')).toBe(true);
    const whole = await scan({ paths: [repo], helmPath: process.env.PREADMIT_TEST_HELM3! });
    expect([...new Set(whole.charts.map((c) => c.chart))].sort()).toEqual(['app', 'app/charts/sub/examples/inner', 'app/deploy/evil']);
  }, 60_000);
});

describe('paths a configuration in the repository may name', () => {
  it('must stay inside the repository, symlinks resolved', () => {
    const { repo } = repository();
    writeTree(repo, { 'values/prod.yaml': 'a: 1\n' });
    link(repo, 'values/shadow.yaml', '/etc/shadow');
    expect(confinementProblem(repo, path.join(repo, 'values', 'prod.yaml'))).toBeUndefined();
    expect(confinementProblem(repo, path.join(repo, 'values', 'missing.yaml'))).toBeUndefined();
    expect(confinementProblem(repo, '/etc/shadow')).toMatch(/leads outside the repository/);
    expect(confinementProblem(repo, path.join(repo, '..', 'other', 'values.yaml'))).toMatch(/leads outside the repository/);
    expect(confinementProblem(repo, path.join(repo, 'values', 'shadow.yaml'))).toMatch(/through a symlink/);
  });
});

describe('globs', () => {
  it.each([
    ['charts/**', undefined],
    ['**/*.{yaml,yml}', undefined],
    ['[unclosed', undefined],
    ['', /non-empty/],
    ['a'.repeat(2000), /longer than 1024/],
    ['{1..100000}', /expand to more than 256/],
    ['{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}{o,p}{q,r}', /expand to more than 256/],
    ['a\nb', /control character/],
  ])('%j', (glob, problem) => {
    if (problem === undefined) expect(globProblem(glob)).toBeUndefined();
    else expect(globProblem(glob)).toMatch(problem);
  });

  it('are checked before the walk: a bad one is a usage error, not a hang or a crash', async () => {
    const { repo, deploy } = repository();
    writeFileSync(path.join(repo, '.preadmit.yaml'), 'exclude: ["{1..100000}/**"]\n');
    const started = performance.now();
    // (discovery names the glob; a configuration loader that checks globs first also names the line)
    await expect(scan({ paths: [deploy] })).rejects.toThrow(/"\{1\.\.100000\}\/\*\*": glob's braces expand to more than 256 patterns/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('configuration errors through the CLI', () => {
  const cli = path.join(repoRoot, 'dist', 'cli.js');
  const run = (dir: string, config: string) => {
    writeFileSync(path.join(dir, '.preadmit.yaml'), config);
    return execa(process.execPath, [cli, 'scan', dir], { reject: false, cwd: dir });
  };

  it.each([
    ['an unknown key', 'failOn: high\nbogus: 1\n', /\.preadmit\.yaml:2: unknown key "bogus" in the top level/],
    ['a wrong type', 'failOn: high\ninclude: "charts/**"\n', /\.preadmit\.yaml:2: include must be array/],
    ['an unknown rule id', 'rules:\n  pss-privileged: high\n  no-such-rule: off\n', /\.preadmit\.yaml:3: unknown rule id "no-such-rule"/],
    ['a YAML error', 'failOn: [high\n', /\.preadmit\.yaml:2: invalid YAML/],
    ['a key that injects a workflow command', '"x\\n::error::pwned": 1\n', /unknown key/],
    ['a bad glob', 'include: ["{1..100000}"]\n', /"\{1\.\.100000\}": glob's braces expand to more than 256 patterns/],
  ])('%s: exit 2 with the file and line, no stack trace', async (_, config, message) => {
    const dir = workspace();
    writeTree(dir, { 'pod.yaml': PRIVILEGED_POD });
    const result = await run(dir, config);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    for (const line of result.stderr.split('\n')) expect(line.trimStart().startsWith('::')).toBe(false);
  });
});
