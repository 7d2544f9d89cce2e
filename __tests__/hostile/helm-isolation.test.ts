// No code runs from the pull request: helm is run only as `helm version` and `helm template`, with every
// value from scanned files or configuration passed as data (never as a flag), in a private environment.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scan } from '../../src/pipeline/scan.ts';
import { helmEnvironment, resolveOnPath, schemaProblem, templateArgs, type HelmBinary } from '../../src/render/helm.ts';
import { chart, PRIVILEGED_POD, recordingHelm, workspace, writeTree } from './helpers.ts';

/** Every helm call: its argument list. */
function calls(log: string): string[][] {
  return readFileSync(log, 'utf8')
    .split('--- call\n')
    .filter((c) => c !== '')
    .map((c) => c.replace(/\n$/, '').split('\n'));
}

const saved = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

describe('helm invocations', () => {
  it('are `version` and `template` only, flags as --flag=value, release and chart after --', async () => {
    const dir = workspace();
    const helm = recordingHelm(workspace());
    // A chart directory named like a flag, and values that look like flags.
    const target = chart(dir, '--post-renderer=sh', { 'templates/pod.yaml': PRIVILEGED_POD });
    const config = path.join(workspace(), '.preadmit.yaml');
    writeFileSync(config, `charts:\n  - path: ${JSON.stringify(target)}\n    set: ["--post-renderer=/bin/sh", "--enable-dns=true"]\nhelm:\n  kubeVersion: "1.30"\n`);
    const values = path.join(workspace(), '--values=evil.yaml');
    writeFileSync(values, 'a: 1\n');
    await scan({ paths: [target], helmPath: helm.path, configFile: config, valuesFiles: [values], set: ['--kube-context=prod'] });
    const all = calls(helm.log);
    expect(all[0]).toEqual(['version', '--template={{.Version}}']);
    // Later renders (provenance proves locations by re-rendering) are `template` calls of the same form.
    for (const args of all.slice(1)) {
      expect(args[0]).toBe('template');
      const separator = args.indexOf('--');
      for (const flag of args.slice(1, separator)) expect(flag).toMatch(/^--((namespace|values|set|kube-version|api-versions)=|is-upgrade$)/);
      // the release (or the second render's other release name) and the chart, or a copy of it: an absolute path, after `--`
      expect(args.slice(separator + 1)).toEqual([expect.stringMatching(/^(release|preadmi)$/), expect.stringMatching(/^\/.*\/--post-renderer=sh$/)]);
    }
    expect(all[1]).toEqual([
      'template',
      '--namespace=default',
      `--values=${values}`,
      '--set=--kube-context=prod',
      '--set=--post-renderer=/bin/sh',
      '--set=--enable-dns=true',
      '--kube-version=1.30',
      expect.stringMatching(/^--api-versions=v1,v1\/Binding,.*,policy\/v1\/PodDisruptionBudget,/),
      '--',
      'release',
      target,
    ]);
  });

  it('never name a post-renderer, DNS, plugins, a cluster, or dependency downloads', () => {
    const helm: HelmBinary = { path: '/usr/bin/helm', version: 'v3.17.0', major: 3 };
    const args = templateArgs({ helm, chartDir: '/c', releaseName: 'r', namespace: 'n', valuesFiles: ['/v.yaml'], set: ['a=b'], kubeVersion: '1.30', apiVersions: ['v1', 'x/v1,--post-renderer=sh'], isUpgrade: true, timeoutMs: 1 });
    const flags = args.slice(0, args.indexOf('--'));
    for (const flag of flags.slice(1)) expect(flag).toMatch(/^--((namespace|values|set|kube-version|api-versions)=|is-upgrade$)/);
    // An API version that is not one (a comma, a flag) is left out rather than passed on.
    expect(flags).toContain('--api-versions=v1');
    expect(args.join(' ')).not.toMatch(/post-renderer|enable-dns|plugin|kube-context|kubeconfig|validate|dependency|repo /);
  });

  it('run in a private environment: HELM_* homes in a temp dir, nothing inherited, no network', async () => {
    process.env.HELM_PLUGINS = '/repo/.helm/plugins';
    process.env.HELM_REPOSITORY_CONFIG = '/repo/.helm/repositories.yaml';
    process.env.HELM_POST_RENDERER = '/bin/sh';
    process.env.GITHUB_TOKEN = 'ghs_InheritedTokenThatHelmMustNotSee';
    process.env.INPUT_GITHUB_TOKEN = 'ghs_InheritedTokenThatHelmMustNotSee';
    process.env.KUBECONFIG = '/home/runner/.kube/config';
    const dir = workspace();
    const helm = recordingHelm(workspace());
    await scan({ paths: [chart(dir, 'app', { 'templates/pod.yaml': PRIVILEGED_POD })], helmPath: helm.path });
    const env = readFileSync(helm.env, 'utf8');
    expect(env).not.toContain('ghs_InheritedTokenThatHelmMustNotSee');
    expect(env).not.toContain('/repo/.helm');
    expect(env).not.toContain('HELM_POST_RENDERER');
    expect(env).not.toContain('/home/runner/.kube');
    const vars = Object.fromEntries(env.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const home = vars.HOME!;
    expect(home).toMatch(/preadmit-helm-home-/);
    for (const name of ['HELM_CACHE_HOME', 'HELM_CONFIG_HOME', 'HELM_DATA_HOME', 'HELM_PLUGINS', 'HELM_REGISTRY_CONFIG', 'HELM_REPOSITORY_CONFIG', 'HELM_REPOSITORY_CACHE', 'KUBECONFIG']) {
      expect(vars[name], name).toMatch(new RegExp(`^${home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/`));
    }
    expect(vars.HELM_NO_PLUGINS).toBe('1');
    expect(vars.HTTPS_PROXY).toBe('http://127.0.0.1:9');
    expect(vars.HTTP_PROXY).toBe('http://127.0.0.1:9');
    expect(vars.NO_PROXY ?? '').toBe('');
  });

  it('tunes the Go runtime of helm (GOGC, GOMEMLIMIT) unless the environment sets it', () => {
    delete process.env.GOGC;
    delete process.env.GOMEMLIMIT;
    delete process.env.GOMAXPROCS;
    expect(helmEnvironment()).toMatchObject({ GOGC: 'off', GOMEMLIMIT: '512MiB' });
    expect(helmEnvironment()).not.toHaveProperty('GOMAXPROCS');
    process.env.GOGC = '100';
    process.env.GOMAXPROCS = '1';
    expect(helmEnvironment()).toMatchObject({ GOGC: '100', GOMEMLIMIT: '512MiB', GOMAXPROCS: '1' });
  });

  it('is the same environment object every caller builds', () => {
    expect(helmEnvironment()).toEqual(helmEnvironment());
    expect(Object.keys(helmEnvironment())).not.toContain('GITHUB_TOKEN');
  });
});

describe('finding helm', () => {
  it('skips relative PATH entries, where a file from the pull request could stand in for helm', () => {
    const repo = workspace();
    const bin = path.join(workspace(), 'bin');
    for (const dir of [repo, bin]) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'helm'), '#!/bin/sh\necho pwned\n');
      chmodSync(path.join(dir, 'helm'), 0o755);
    }
    const cwd = process.cwd();
    try {
      process.chdir(repo);
      expect(resolveOnPath('helm', `.:${bin}`)).toBe(path.join(bin, 'helm'));
      expect(resolveOnPath('helm', `:${bin}`)).toBe(path.join(bin, 'helm'));
      expect(resolveOnPath('helm', '.:sub')).toBeUndefined();
    } finally {
      process.chdir(cwd);
    }
  });

  it('reports a helm that cannot be found as a usage error, not a crash', async () => {
    const dir = workspace();
    process.env.PATH = '.';
    writeTree(dir, { 'helm': '#!/bin/sh\necho v3.99.0\n' });
    chmodSync(path.join(dir, 'helm'), 0o755);
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      await expect(scan({ paths: [chart(dir, 'app', { 'templates/pod.yaml': PRIVILEGED_POD })] })).rejects.toThrow(/helm is not on PATH \(relative PATH entries are not searched\)/);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('values.schema.json references', () => {
  it.each([
    ['{"$ref": "#/definitions/a", "definitions": {"a": {"type": "string"}}}', undefined],
    ['{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}', undefined],
    ['{"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": {"a": {}}, "$ref": "#/$defs/a"}', undefined],
    ['{"properties": {"$ref": {"type": "string"}}}', undefined],
    ['not json', undefined],
    ['{"$ref": "file:///etc/passwd"}', /"\$ref" refers to another document/],
    ['{"items": [{"$ref": "other.json"}]}', /"\$ref" refers to another document \(other\.json\)/],
    ['{"allOf": [{"$dynamicRef": "https://x.example/s"}]}', /"\$dynamicRef" refers/],
    ['{"$schema": "http://169.254.169.254/latest/"}', /"\$schema" is not a json-schema\.org meta-schema/],
    ['{"$schema": "https://json-schema.org.evil.example/x"}', /"\$schema" is not/],
  ])('%s', (text, problem) => {
    if (problem === undefined) expect(schemaProblem(text)).toBeUndefined();
    else expect(schemaProblem(text)).toMatch(problem);
  });
});
