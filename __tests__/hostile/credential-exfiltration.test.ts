// Issue 15: no credential leaves the runner. actions/checkout keeps its token in .git/config
// (`http.https://github.com/.extraheader = AUTHORIZATION: basic <base64(x-access-token:TOKEN)>`); a chart
// at the repository root could read it with `.Files.Get`, decode it with `b64dec` and print it in an object
// name or a `fail` message, which reach check-run annotations and the PR comment. Two layers are tested
// on their own: helm never sees .git (charts.ts/helm.ts), and every report is redacted (secrets/redact.ts).
// Token-shaped fixtures are built by concatenation so that this file does not look like a leak itself.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { encodedForms, extraHeaders, headerCredentials, Redactor, runCredentials, valuesSecrets } from '../../src/secrets/redact.ts';
import { scan } from '../../src/pipeline/scan.ts';
import { chartDirForHelm, locateHelm, renderChart } from '../../src/render/helm.ts';
import { FORMATS, render } from '../../src/reporters/index.ts';
import { chart, HELMS, link, workspace, writeTree } from './helpers.ts';

const TOKEN = ['gh', 's_', 'Fk3Qz9LmX2pV7tR', 'w4Yb8Nc1Hd6Js0Ae5Gu'].join('');
const BASIC = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');
const GIT_CONFIG = [
  '[core]',
  '\trepositoryformatversion = 0',
  '[remote "origin"]',
  '\turl = https://github.com/acme/app',
  '[http "https://github.com/"]',
  `\textraheader = AUTHORIZATION: basic ${BASIC}`,
  '',
].join('\n');
/** Everything a template could print of the token: plain, the header's base64, base64 of the token, and both forms of `b64enc` of a prefixed copy. */
const LEAKS = [TOKEN, BASIC, Buffer.from(TOKEN).toString('base64'), Buffer.from(`leak:${TOKEN}`).toString('base64').slice(8, 40)];

/** A repository (`.git/config` with the checkout's extraheader) whose root is a chart that tries every way out. */
function exfiltratingRepo(): string {
  const repo = workspace('preadmit-exfil-');
  writeTree(repo, {
    '.git/config': GIT_CONFIG,
    '.git/HEAD': 'ref: refs/heads/main\n',
    'Chart.yaml': 'apiVersion: v2\nname: exfil\nversion: 0.1.0\n',
    'notes.txt': 'an ordinary chart file\n',
    'templates/cm.yaml': [
      '{{- $cfg := .Files.Get ".git/config" }}',
      '{{- $basic := regexFind "basic [A-Za-z0-9+/=]+" $cfg | trimPrefix "basic " }}',
      '{{- $tok := $basic | b64dec | trimPrefix "x-access-token:" }}',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: leak-{{ $tok }}',
      '  annotations:',
      '    basic: {{ $basic | quote }}',
      '    encoded: {{ printf "leak:%s" $tok | b64enc | quote }}',
      'data:',
      '  config: {{ $cfg | quote }}',
      '  notes: {{ .Files.Get "notes.txt" | quote }}',
      '  files: "{{ range $path, $_ := .Files.Glob ".git/**" }}{{ $path }},{{ end }}"',
      '---',
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: leak-{{ $tok }}',
      'spec:',
      '  containers:',
      '    - name: c{{ $basic }}',
      '      image: registry.example/app:1',
      '      securityContext: {privileged: true}',
      '',
    ].join('\n'),
  });
  return repo;
}

describe('a chart at the repository root cannot read the checkout token', () => {
  it.each(HELMS)('%s renders without .git in .Files', async (_, variable) => {
    const repo = exfiltratingRepo();
    const helm = await locateHelm(process.env[variable]!);
    const outcome = await renderChart({ helm, chartDir: repo, releaseName: 'r', namespace: 'default', valuesFiles: [], set: [], timeoutMs: 60_000 });
    expect(outcome.ok).toBe(true);
    const stdout = outcome.ok ? outcome.stdout : '';
    // the chart's other files are still chart files...
    expect(stdout).toContain('notes: "an ordinary chart file\\n"');
    // ...but nothing of .git is
    expect(stdout).toContain('config: ""');
    expect(stdout).toContain('files: ""');
    expect(stdout).not.toContain('extraheader');
    for (const leak of LEAKS) expect(stdout).not.toContain(leak);
  });

  it('renders from a mirror only when the chart holds a .git, and leaves the tree alone', () => {
    const repo = exfiltratingRepo();
    const staged = chartDirForHelm({ chartDir: repo });
    expect(staged).not.toBe(repo);
    expect(path.basename(staged)).toBe(path.basename(repo));
    const plain = chart(workspace(), 'plain', { 'templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' });
    expect(chartDirForHelm({ chartDir: plain })).toBe(plain);
  });

  it.each(FORMATS)('no %s report carries the token', async (format) => {
    const repo = exfiltratingRepo();
    const result = await scan({ paths: [repo], helmPath: process.env.PREADMIT_TEST_HELM3! });
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f) => f.ruleId === 'pss-privileged')).toHaveLength(1);
    const report = render(format, result, { rules: RULES });
    expect(report).toContain('pss-privileged');
    for (const leak of LEAKS) expect(report).not.toContain(leak);
  });

  it.each(HELMS)('%s: a fail message built from .git/config carries nothing', async (_, variable) => {
    const repo = workspace('preadmit-exfil-');
    writeTree(repo, {
      '.git/config': GIT_CONFIG,
      'Chart.yaml': 'apiVersion: v2\nname: exfil\nversion: 0.1.0\n',
      'templates/cm.yaml': '{{- $cfg := .Files.Get ".git/config" }}{{ fail (printf "LEAK[%s][%s]" $cfg ($cfg | b64enc)) }}\n',
    });
    const result = await scan({ paths: [repo], helmPath: process.env[variable]! });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.message).toContain('LEAK[][]');
    for (const format of FORMATS) {
      const report = render(format, result, { rules: RULES });
      for (const leak of [...LEAKS, 'extraheader']) expect(report).not.toContain(leak);
    }
  });

  it('refuses a chart with a symlink into .git, wherever the chart is', async () => {
    const repo = workspace('preadmit-exfil-');
    writeTree(repo, { '.git/config': GIT_CONFIG });
    const app = chart(path.join(repo, 'charts'), 'app', {
      'templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  leak: {{ .Files.Get "leak.txt" | quote }}\n  dir: {{ .Files.Get "git/config" | quote }}\n',
    });
    link(app, 'leak.txt', path.join(repo, '.git', 'config'));
    const result = await scan({ paths: [app], helmPath: process.env.PREADMIT_TEST_HELM3! });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.message).toMatch(/^leak\.txt is a symlink into a \.git directory .*; not rendered$/);
    for (const format of FORMATS) for (const leak of LEAKS) expect(render(format, result, { rules: RULES })).not.toContain(leak);

    const other = chart(path.join(repo, 'charts'), 'other', { 'templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y}\n' });
    link(other, 'git', path.join(repo, '.git'));
    const linked = await scan({ paths: [other], helmPath: process.env.PREADMIT_TEST_HELM3! });
    expect(linked.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^git is a symlink into a \.git directory/)]);

    // a symlinked directory of the repository that holds a nested clone's .git
    writeTree(repo, { 'vendor/lib/.git/config': GIT_CONFIG, 'vendor/lib/README.md': 'lib\n' });
    const third = chart(path.join(repo, 'charts'), 'third', { 'templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: z}\n' });
    link(third, 'lib', path.join(repo, 'vendor', 'lib'));
    const nested = await scan({ paths: [third], helmPath: process.env.PREADMIT_TEST_HELM3! });
    expect(nested.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^lib\/\.git is a \.git reached through a symlink/)]);
  });

  it('leaves out a nested clone\'s .git inside the chart, keeping its other files', async () => {
    const repo = workspace('preadmit-exfil-');
    writeTree(repo, {
      'Chart.yaml': 'apiVersion: v2\nname: nested\nversion: 0.1.0\n',
      'vendor/lib/.git/config': GIT_CONFIG,
      'vendor/lib/notes.txt': 'vendored\n',
      'templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: n}\ndata:\n  notes: {{ .Files.Get "vendor/lib/notes.txt" | quote }}\n  config: {{ .Files.Get "vendor/lib/.git/config" | quote }}\n',
    });
    const helm = await locateHelm(process.env.PREADMIT_TEST_HELM3!);
    const outcome = await renderChart({ helm, chartDir: repo, releaseName: 'r', namespace: 'default', valuesFiles: [], set: [], timeoutMs: 60_000 });
    expect(outcome.ok && outcome.stdout).toContain('notes: "vendored\\n"');
    expect(outcome.ok && outcome.stdout).toContain('config: ""');
  });
});

describe('every report is redacted of the run credentials', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ['GITHUB_TOKEN', 'ACTIONS_RUNTIME_TOKEN', 'MY_DEPLOY_PASSWORD']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('finds the extraheader token in all its forms', () => {
    const headers = extraHeaders(GIT_CONFIG);
    expect(headers).toEqual([`AUTHORIZATION: basic ${BASIC}`]);
    expect(headerCredentials(headers[0]!)).toEqual(expect.arrayContaining([BASIC, `x-access-token:${TOKEN}`, TOKEN]));
    const repo = workspace('preadmit-exfil-');
    writeTree(repo, { '.git/config': GIT_CONFIG });
    expect(runCredentials({ workTrees: [repo], env: {} })).toEqual(expect.arrayContaining([TOKEN, BASIC]));
    // a worktree's .git file leads to its gitdir
    const tree = workspace('preadmit-exfil-');
    writeFileSync(path.join(tree, '.git'), `gitdir: ${path.join(repo, '.git')}\n`);
    expect(runCredentials({ workTrees: [tree], env: {} })).toContain(TOKEN);
  });

  it('takes credentials, not key names or placeholders, from values', () => {
    const leaves = [
      { path: ['auth', 'secretKeys', 'adminPasswordKey'], value: 'postgres-password' },
      { path: ['auth', 'password'], value: 'changeme' },
      { path: ['auth', 'password'], value: 'Pa55-w0rd-x' },
      { path: ['auth', 'username'], value: 'Admin-User-1' },
      { path: ['notify', 'webhookToken'], value: TOKEN },
    ];
    expect(valuesSecrets(leaves)).toEqual(['Pa55-w0rd-x', TOKEN]);
  });

  it('replaces plain, base64 (any alignment), hex, URL-encoded and token-shaped text', () => {
    const secret = 'p4ss-W0rd-for-the-db!';
    const redactor = new Redactor([secret]);
    for (const prefix of ['', 'a', 'ab', 'abc']) {
      const encoded = Buffer.from(`${prefix}${secret}:tail`).toString('base64');
      const fragment = encodedForms(secret).find((f) => encoded.includes(f));
      expect(fragment, `prefix ${JSON.stringify(prefix)}`).toBeDefined();
      expect(redactor.text(encoded)).toContain('***');
    }
    expect(redactor.text(`x ${Buffer.from(secret).toString('hex')} y`)).toBe('x *** y');
    expect(redactor.text(`u=${encodeURIComponent(secret)}`)).toBe('u=***');
    expect(redactor.text('name-p4ss-W0rd-for-the-db!-x')).toBe('name-***-x');
    // token formats are replaced without being known
    expect(new Redactor([]).text(`see ${TOKEN} there`)).toBe('see *** there');
    // repeating secrets (a chart's Secret data) cannot make the piece search slow
    const repeating = new Redactor(Array.from({ length: 50 }, (_, i) => `aB${i}`.repeat(1400).slice(0, 4000)));
    const started = performance.now();
    expect(repeating.text(`x aB1aB1aB1aB1aB1 y `.repeat(20_000)).startsWith('x *** y')).toBe(true);
    expect(performance.now() - started).toBeLessThan(3000);
    // what sprig's string functions make of it: upper, lower, reverse, b32enc
    for (const form of [secret.toUpperCase(), secret.toLowerCase(), [...secret].reverse().join(''), 'OA2HG4ZNK4YHEZBNMZXXELLUNBSS2ZDCEE======', 'oa2hg4znk4yhezbnmzxxellunbss2zdcee']) {
      expect(redactor.text(`n-${form}-x`), form).toBe('n-***-x');
    }
    // spelled out with separators, its case swapped or mixed, forwards or reversed
    const spaced = [...secret].join('-');
    const swapped = [...secret].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
    for (const form of [spaced, [...secret].join(' . '), swapped, [...swapped].reverse().join('_')]) {
      // (Its letters and digits go; a separator or symbol at either end may stay.)
      expect(redactor.text(`n: ${form} x`).replace(/[^A-Za-z0-9*]/g, ''), form).toBe('n***x');
    }
    // interleaved with other letters or digits (`join "0"`), up to two between each
    for (const form of [[...secret].join('0'), [...secret].join('z')]) expect(redactor.text(`image: nginx:${form}`).replace(/[^A-Za-z0-9*:]/g, ''), form).toMatch(/^image:nginx:\*\*\*.?$/);
    expect(redactor.text([...secret].join('abc'))).not.toContain('***');
    // ...but not with longer gaps, nor a text that only shares letters with it
    expect(redactor.text([...secret].join('-'.repeat(9)))).not.toContain('***');
    expect(redactor.text('passwordforthedb')).toBe('passwordforthedb');
    const spreadStarted = performance.now();
    new Redactor(Array.from({ length: 200 }, (_, i) => `S3cret-${i}-value-x9`)).text('a-b.c '.repeat(200_000));
    expect(performance.now() - spreadStarted).toBeLessThan(3000);
    // pieces of it from 8 characters on, the longest run at once; plain words inside it stay
    expect(redactor.text('a W0rd-for-t b')).toBe('a *** b');
    expect(redactor.text('a p4ss-W0rd-for-x b')).toBe('a ***x b');
    expect(redactor.text('for-the-db! and the db')).toBe('*** and the db');
    expect(new Redactor(['postgres-password-9']).text('the password, the postgres user')).toBe('the password, the postgres user');
    // words and placeholders stay
    expect(new Redactor([secret]).text('basic authentication, ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')).toBe('basic authentication, ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx');
  });

  it.each(FORMATS)('%s: credentials given, from the environment and from .git/config are in no report', async (format) => {
    const given = ['In', 'put', 'T0ken', '-9f8e7d6c5b4a'].join('');
    const runtime = ['Run', 'time', 'T0ken', '-1a2b3c4d5e6f'].join('');
    const deploy = ['Dep', 'loy', 'Pa55', '-q8w7e6r5'].join('');
    process.env.ACTIONS_RUNTIME_TOKEN = runtime;
    process.env.MY_DEPLOY_PASSWORD = deploy;
    const repo = workspace('preadmit-exfil-');
    // The values can only reach these manifests through a leak: they stand for what a template printed.
    writeTree(repo, {
      '.git/config': GIT_CONFIG,
      'app.yaml': [
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        `  name: leak-${given}`,
        '  annotations:',
        `    a: "${Buffer.from(`x:${runtime}`).toString('base64')}"`,
        `    b: "${TOKEN.slice(0, 10)}${BASIC}"`,
        'spec:',
        '  containers:',
        `    - name: c-${deploy}`,
        `      image: "registry.example/${TOKEN}:1"`,
        '      securityContext: {privileged: true}',
        '',
      ].join('\n'),
    });
    const result = await scan({ paths: [path.join(repo, 'app.yaml')], credentials: [given] });
    expect(result.findings.some((f) => f.ruleId === 'pss-privileged')).toBe(true);
    const report = render(format, result, { rules: RULES });
    for (const leak of [given, runtime, deploy, ...LEAKS, Buffer.from(`x:${runtime}`).toString('base64')]) expect(report).not.toContain(leak);
    expect(report.replace(/\\/g, '')).toContain('leak-***'); // markdown escapes - and *
  });
});

describe('a values password cannot leave through b64enc', () => {
  const PASSWORD = ['Val', 'ues', 'Pa55', 'w0rd-7y6t5r'].join('');
  const files = (template: string): Record<string, string> => ({
    'Chart.yaml': 'apiVersion: v2\nname: pw\nversion: 0.1.0\n',
    'values.yaml': 'auth:\n  password: ""\n',
    'templates/cm.yaml': template,
  });

  it.each(FORMATS)('%s: into an object name, a prefixed b64enc, and a fail message', async (format) => {
    const dir = workspace('preadmit-exfil-');
    const named = chart(dir, 'named', files('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x-{{ b64enc .Values.auth.password }}\n  annotations:\n    a: {{ printf "user:%s" .Values.auth.password | b64enc | quote }}\n'));
    const failing = chart(dir, 'failing', files('{{ fail (b64enc .Values.auth.password) }}\n'));
    const values = path.join(dir, 'prod-values.yaml');
    writeFileSync(values, `auth:\n  password: "${PASSWORD}"\n`);
    const result = await scan({ paths: [named, failing], valuesFiles: [values], helmPath: process.env.PREADMIT_TEST_HELM3! });
    expect(result.errors.map((e) => e.file.split('/').pop())).toEqual(['failing']);
    const report = render(format, result, { rules: RULES });
    for (const leak of [PASSWORD, Buffer.from(PASSWORD).toString('base64'), Buffer.from(`user:${PASSWORD}`).toString('base64').slice(8)]) expect(report).not.toContain(leak);
  });

  it.each(FORMATS)('%s: cut into pieces by substr, one piece per object name', async (format) => {
    const dir = workspace('preadmit-exfil-');
    const pieces = chart(dir, 'pieces', files('{{- range $i := until 3 }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p{{ $i }}-{{ substr (mul $i 8 | int) (mul (add1 $i) 8 | int) $.Values.auth.password | lower }}\n  annotations:\n    a: {{ substr (mul $i 8 | int) (mul (add1 $i) 8 | int) $.Values.auth.password | quote }}\n---\n{{- end }}\n'));
    const values = path.join(dir, 'prod-values.yaml');
    writeFileSync(values, `auth:\n  password: "${PASSWORD}"\n`);
    const result = await scan({ paths: [pieces], valuesFiles: [values], helmPath: process.env.PREADMIT_TEST_HELM3! });
    const report = render(format, result, { rules: RULES });
    // Every 8-character piece of the password (as printed, and as far as it reaches) is gone from the report.
    for (let at = 0; at + 8 <= PASSWORD.length; at += 8) expect(report).not.toContain(PASSWORD.slice(at, at + 8));
  });

  it('a chart default password too', async () => {
    const dir = workspace('preadmit-exfil-');
    mkdirSync(dir, { recursive: true });
    const named = chart(dir, 'named', { ...files('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x-{{ b64enc .Values.auth.password }}\n'), 'values.yaml': `auth:\n  password: "${PASSWORD}"\n` });
    const result = await scan({ paths: [named], helmPath: process.env.PREADMIT_TEST_HELM3! });
    const report = render('json', result, { rules: RULES });
    expect(report).toContain('x-***');
    for (const leak of [PASSWORD, Buffer.from(PASSWORD).toString('base64')]) expect(report).not.toContain(leak);
  });
});
