// helm install creates every object in a chart's crds/ folder (and its subcharts'), whatever its kind;
// helm template leaves them out. preadmit judges them with the render and says where they came from.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import * as tar from 'tar';
import { describe, expect, it } from 'vitest';
import type { ScanError } from '../../src/model/model.ts';
import { scan } from '../../src/pipeline/scan.ts';
import { chartCrdObjects, MAX_CHART_ENTRIES } from '../../src/render/chart-crds.ts';
import { chart, HELMS, PRIVILEGED_POD, workspace } from '../hostile/helpers.ts';

const CONFIGMAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata: {a: b}\n';

describe('chart crds/ folders', () => {
  it('judges every object in crds/ of the chart and of a directory subchart, located at the crds file', async () => {
    const dir = workspace();
    const root = chart(dir, 'app', {
      'templates/cm.yaml': CONFIGMAP,
      'crds/pod.yaml': PRIVILEGED_POD,
      'crds/nested/readme.txt': PRIVILEGED_POD, // not a manifest extension: helm ignores it
      'charts/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\n',
      'charts/sub/crds/more.YML': PRIVILEGED_POD.replace('name: privileged', 'name: from-sub'),
    });
    const result = await scan({ paths: [root], helmPath: process.env.PREADMIT_TEST_HELM3! });
    expect(result.errors).toEqual([]);
    const privileged = result.findings.filter((f) => f.ruleId === 'pss-privileged');
    const rows = privileged.map((f) => [f.object.name, f.source.file.replace(/^.*\/app\//, 'app/'), f.source.line, f.source.origin]);
    expect(rows.sort()).toEqual([
      ['from-sub', 'app/charts/sub/crds/more.YML', 10, 'crds/ (created by helm install; helm template leaves it out)'],
      ['privileged', 'app/crds/pod.yaml', 10, 'crds/ (created by helm install; helm template leaves it out)'],
    ]);
  }, 60_000);

  it('reads only the header of a CRD in crds/, and keeps file lines across documents', async () => {
    const dir = workspace();
    const crd = 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: w.example.com\nspec:\n  group: example.com\n  names: {kind: W, plural: ws}\n  scope: Namespaced\n  versions: []\n';
    const root = chart(dir, 'app', { 'templates/cm.yaml': CONFIGMAP, 'crds/all.yaml': `# comment\n---\n${crd}---\n${PRIVILEGED_POD}` });
    const result = await scan({ paths: [root], helmPath: process.env.PREADMIT_TEST_HELM3! });
    expect(result.errors).toEqual([]);
    const objects = result.objects.filter((o) => o.source.file.endsWith('crds/all.yaml'));
    expect(objects.map((o) => [o.object.kind, o.source.line])).toEqual([['CustomResourceDefinition', 3], ['Pod', 13]]);
    expect(result.findings.find((f) => f.ruleId === 'pss-privileged')?.source.line).toBe(22);
  }, 60_000);

  it('splits and breaks a crds/ file as the kube client reads it: a `---` after CR, LS or PS starts no document', async () => {
    const dir = workspace();
    // For kubectl and helm's kube client, "\r---\r" inside a piece is no separator: the text after it belongs to
    // the first document (whose later keys win), never to a second object.
    const hidden = PRIVILEGED_POD.replace('name: privileged', 'name: hidden');
    const root = chart(dir, 'app', {
      'templates/cm.yaml': CONFIGMAP,
      'crds/cr.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\r---\r${hidden.replace(/\n/g, '\r')}`,
      'crds/ls.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: second}\n\u2028---\u2028kind: Secret\n`,
    });
    const result = await scan({ paths: [root], helmPath: process.env.PREADMIT_TEST_HELM3! });
    const objects = result.objects.filter((o) => o.source.file.includes('/crds/')).map((o) => `${o.object.kind}/${o.object.name}`).sort();
    expect(objects).not.toContain('Pod/hidden');
    expect(objects.length).toBeLessThanOrEqual(2);
  }, 60_000);

  it('judges crds/ inside a packaged subchart (charts/*.tgz, as helm dependency build leaves them)', async () => {
    const dir = workspace();
    const packed = workspace();
    chart(packed, 'dep', { 'crds/pod.yaml': PRIVILEGED_POD.replace('name: privileged', 'name: packed') });
    const root = chart(dir, 'app', { 'templates/cm.yaml': CONFIGMAP });
    mkdirSync(path.join(root, 'charts'));
    await tar.create({ gzip: true, cwd: packed, file: path.join(root, 'charts', 'dep-0.1.0.tgz'), portable: true }, ['dep']);
    const result = await scan({ paths: [root], helmPath: process.env.PREADMIT_TEST_HELM3! });
    expect(result.errors).toEqual([]);
    const finding = result.findings.find((f) => f.ruleId === 'pss-privileged');
    expect(finding).toMatchObject({ object: { name: 'packed' }, source: { origin: 'crds/ file dep/crds/pod.yaml inside the archive (created by helm install; helm template leaves it out)' } });
    expect(finding!.source.file).toMatch(/app\/charts\/dep-0\.1\.0\.tgz$/);
  }, 60_000);

  it('reports an invalid crds/ file naming it (helm install fails on it)', async () => {
    const dir = workspace();
    const root = chart(dir, 'bad', { 'templates/cm.yaml': CONFIGMAP, 'crds/broken.yaml': 'kind: [unclosed\n' });
    const result = await scan({ paths: [root], helmPath: process.env.PREADMIT_TEST_HELM3! });
    expect(result.errors.map((e) => [e.file.replace(/^.*bad\//, 'bad/'), e.message.slice(0, 40)])).toEqual([['bad/crds/broken.yaml', 'crds/ file is not valid YAML (helm insta']]);
  }, 60_000);
});

describe('reading a chart\'s crds/ folders', () => {
  const options = (root: string) => ({ chartPath: 'app', valueSet: 'default', repoRoot: path.dirname(root), relative: (file: string) => path.relative(path.dirname(root), file) });

  it(`fails with an error naming the chart beyond ${MAX_CHART_ENTRIES} entries, instead of judging part of crds/`, () => {
    const root = chart(workspace(), 'app', { 'crds/pod.yaml': PRIVILEGED_POD });
    for (let i = 0; i < MAX_CHART_ENTRIES; i++) writeFileSync(path.join(root, 'crds', `f${i}.txt`), '');
    const errors: ScanError[] = [];
    expect(chartCrdObjects(root, options(root), errors)).toEqual([]);
    expect(errors).toEqual([{ kind: 'render', file: 'app', chart: 'app', message: expect.stringMatching(/^the chart's crds\/ and charts\/ folders hold more than 100000 entries; .* not judged$/) }]);
  }, 120_000);

  it('walks a symlink loop under crds/ once (helm refuses the chart; its render reports it)', () => {
    const root = chart(workspace(), 'app', { 'crds/a/pod.yaml': PRIVILEGED_POD });
    symlinkSync('..', path.join(root, 'crds', 'a', 'loop'));
    const errors: ScanError[] = [];
    expect(chartCrdObjects(root, options(root), errors).map((o) => o.source.file)).toEqual(['app/crds/a/pod.yaml']);
    expect(errors).toEqual([]);
  });
});

/** A ustar header + content for one regular file, the name written as is (no normalisation). */
function tarFile(name: string, content: string): Buffer {
  const body = Buffer.from(content);
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(body.length.toString(8).padStart(11, '0') + '\0', 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return Buffer.concat([header, body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}

/** A gzipped tar of `entries` (names exactly as given). */
function rawTgz(entries: [string, string][]): Buffer {
  return gzipSync(Buffer.concat([...entries.map(([n, c]) => tarFile(n, c)), Buffer.alloc(1024)]));
}

describe.each(HELMS)('%s: crds/ as helm loads them', (_, helmVar) => {
  const helm = () => process.env[helmVar]!;
  const privileged = (name: string) => PRIVILEGED_POD.replace('name: privileged', `name: ${name}`);

  it('reads archive entries whose names helm cleans (templates/../crds, ./crds, backslashes) and agrees with helm --include-crds', async () => {
    const dir = workspace();
    const root = chart(dir, 'app', { 'templates/cm.yaml': CONFIGMAP });
    mkdirSync(path.join(root, 'charts'));
    const chartYaml = (n: string) => `apiVersion: v2\nname: ${n}\nversion: 0.1.0\n`;
    writeFileSync(path.join(root, 'charts', 'suba-0.1.0.tgz'), rawTgz([['suba/Chart.yaml', chartYaml('suba')], ['suba/templates/../crds/pod.yaml', privileged('from-a')]]));
    writeFileSync(path.join(root, 'charts', 'subc-0.1.0.tgz'), rawTgz([['subc/Chart.yaml', chartYaml('subc')], ['subc/./crds/pod.yaml', privileged('from-c')]]));
    writeFileSync(path.join(root, 'charts', 'subd-0.1.0.tgz'), rawTgz([['subd\\Chart.yaml', chartYaml('subd')], ['subd\\crds\\pod.yaml', privileged('from-d')]]));
    const rendered = execFileSync(helm(), ['template', 'release', root, '--include-crds'], { encoding: 'utf8' });
    const helmNames = [...rendered.matchAll(/name: (from-\w)/g)].map((m) => m[1]).sort();
    const result = await scan({ paths: [root], helmPath: helm() });
    expect(result.errors).toEqual([]);
    const names = result.findings.filter((f) => f.ruleId === 'pss-privileged').map((f) => f.object.name).sort();
    expect(helmNames).toEqual(['from-a', 'from-c', 'from-d']);
    expect(names).toEqual(helmNames);
    const a = result.findings.find((f) => f.ruleId === 'pss-privileged' && f.object.name === 'from-a')!;
    expect(a.source.origin).toContain('suba/templates/../crds/pod.yaml');
    expect(a.source.file).toMatch(/app\/charts\/suba-0\.1\.0\.tgz$/);
  }, 60_000);

  it('skips what helm never loads: subcharts named _x or .x, crds/ files the chart\'s .helmignore lists', async () => {
    const dir = workspace();
    const sub = (n: string) => ({ [`charts/${n}/Chart.yaml`]: `apiVersion: v2\nname: ${n.replace(/^[_.]/, '')}\nversion: 0.1.0\n`, [`charts/${n}/crds/pod.yaml`]: privileged(`in-${n.replace(/^[_.]/, 'x')}`) });
    const root = chart(dir, 'app', {
      'templates/cm.yaml': CONFIGMAP,
      '.helmignore': '# ignored crds\ncrds/skipped.yaml\nsecret-*.yml\n',
      'crds/skipped.yaml': privileged('skipped'),
      'crds/kept.yaml': privileged('kept'),
      'crds/deeper/secret-1.yml': privileged('glob'),
      ...sub('_under'),
      ...sub('.dot'),
      ...sub('plain'),
    });
    const rendered = execFileSync(helm(), ['template', 'release', root, '--include-crds'], { encoding: 'utf8' });
    const helmNames = [...rendered.matchAll(/^  name: (\S+)$/gm)].map((m) => m[1]).filter((n) => n !== 'cm').sort();
    const result = await scan({ paths: [root], helmPath: helm() });
    expect(result.errors).toEqual([]);
    const names = result.findings.filter((f) => f.ruleId === 'pss-privileged').map((f) => f.object.name).sort();
    expect(helmNames).toEqual(['in-plain', 'kept']);
    expect(names).toEqual(helmNames);
  }, 60_000);

  it('reads crds/ only of the dependencies helm enables: condition first, then tags, per value set', async () => {
    const dir = workspace();
    const sub = (n: string) => ({ [`charts/${n}/Chart.yaml`]: `apiVersion: v2\nname: ${n}\nversion: 0.1.0\n`, [`charts/${n}/crds/pod.yaml`]: privileged(`in-${n}`) });
    const root = chart(
      dir,
      'app',
      {
        'templates/cm.yaml': CONFIGMAP,
        'values.yaml': 'disabled:\n  enabled: false\nenabled:\n  enabled: true\ntags:\n  extra: false\n  main: true\n',
        'ci/on-values.yaml': 'disabled:\n  enabled: true\n',
        ...sub('disabled'),
        ...sub('enabled'),
        ...sub('tagged'),
        ...sub('both'),
        ...sub('undeclared'),
      },
      `apiVersion: v2
name: app
version: 0.1.0
dependencies:
  - name: disabled
    version: 0.1.0
    condition: disabled.enabled
  - name: enabled
    version: 0.1.0
    condition: missing.path,enabled.enabled
    tags: [extra]
  - name: tagged
    version: 0.1.0
    tags: [extra]
  - name: both
    version: 0.1.0
    tags: [extra, main]
`,
    );
    const rendered = execFileSync(helm(), ['template', 'release', root, '--include-crds'], { encoding: 'utf8' });
    const helmNames = [...rendered.matchAll(/^  name: (in-\S+)$/gm)].map((m) => m[1]).sort();
    expect(helmNames).toEqual(['in-both', 'in-enabled', 'in-undeclared']);
    const result = await scan({ paths: [root], helmPath: helm() });
    expect(result.errors).toEqual([]);
    const rows = (other: boolean) => result.objects.filter((o) => o.source.file.includes('/crds/') && ((o.source.valueSet ?? 'default') !== 'default') === other).map((o) => o.object.name).sort();
    expect(rows(false)).toEqual(helmNames);
    // The ci/ value set enables `disabled`: its crds/ are judged there.
    expect(rows(true)).toEqual(['in-both', 'in-disabled', 'in-enabled', 'in-undeclared']);
  }, 60_000);

  it('reads crds/ at any depth and under a folder named node_modules, as helm --include-crds does', async () => {
    const deep = Array.from({ length: 22 }, (_, i) => `d${i + 1}`).join('/');
    const root = chart(workspace(), 'app', {
      'templates/cm.yaml': CONFIGMAP,
      [`crds/${deep}/pod.yaml`]: privileged('deep'),
      'crds/node_modules/pod.yaml': privileged('in-node-modules'),
      'charts/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\n',
      'charts/sub/crds/node_modules/x/pod.yaml': privileged('sub-node-modules'),
    });
    const rendered = execFileSync(helm(), ['template', 'release', root, '--include-crds'], { encoding: 'utf8' });
    const helmNames = [...rendered.matchAll(/^  name: (\S+)$/gm)].map((m) => m[1]).filter((n) => n !== 'cm').sort();
    expect(helmNames).toEqual(['deep', 'in-node-modules', 'sub-node-modules']);
    const result = await scan({ paths: [root], helmPath: helm() });
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f) => f.ruleId === 'pss-privileged').map((f) => f.object.name).sort()).toEqual(helmNames);
  }, 60_000);

  it('gates a subchart\'s crds/ with the dependencies helm merges from requirements.yaml (an apiVersion v2 chart clearing the condition)', async () => {
    const root = chart(
      workspace(),
      'app',
      {
        'templates/cm.yaml': CONFIGMAP,
        'values.yaml': 'sub:\n  enabled: false\n',
        'requirements.yaml': 'dependencies:\n- name: sub\n  version: 0.1.0\n  condition: ""\n',
        'charts/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\n',
        'charts/sub/crds/pod.yaml': privileged('in-sub'),
      },
      'apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: sub\n  version: 0.1.0\n  condition: sub.enabled\n',
    );
    const rendered = execFileSync(helm(), ['template', 'release', root, '--include-crds'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(rendered).toContain('name: in-sub');
    const result = await scan({ paths: [root], helmPath: helm() });
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f) => f.ruleId === 'pss-privileged').map((f) => f.object.name)).toEqual(['in-sub']);
    // Chart.yaml's condition alone decides where requirements.yaml leaves it: disabled, as helm has it.
    writeFileSync(path.join(root, 'requirements.yaml'), 'dependencies:\n- name: sub\n  version: 0.1.0\n');
    expect(execFileSync(helm(), ['template', 'release', root, '--include-crds'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })).not.toContain('name: in-sub');
    const gated = await scan({ paths: [root], helmPath: helm() });
    expect(gated.findings.filter((f) => f.ruleId === 'pss-privileged')).toEqual([]);
  }, 60_000);

  // helm gives a subchart a dependency's alias (and so its condition) only in the dependency's version range.
  it.each([
    ['no version', '', true],
    ['another version', '  version: 1.0.0\n', true],
    ['a range the prerelease misses', '  version: ^1.0.0\n', true],
    ['its version', '  version: 2.0.0\n', false],
    ['a caret range holding it', '  version: ^2.0.0\n', false],
    ['two terms holding it', '  version: ">=1.0.0, <3.0.0"\n', false],
  ])('judges an aliased subchart\'s crds/ the alias condition turns off only in range: %s', async (_, version, judged) => {
    const root = chart(
      workspace(),
      'app',
      {
        'templates/cm.yaml': CONFIGMAP,
        'values.yaml': 'other:\n  enabled: false\n',
        'charts/sub/Chart.yaml': `apiVersion: v2\nname: sub\nversion: ${version.includes('^1') ? '1.1.0-rc.1' : '2.0.0'}\n`,
        'charts/sub/crds/pod.yaml': privileged('in-sub'),
      },
      `apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: sub\n  alias: other\n  condition: other.enabled\n${version}`,
    );
    const rendered = execFileSync(helm(), ['template', 'release', root, '--include-crds'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(rendered.includes('name: in-sub')).toBe(judged);
    const result = await scan({ paths: [root], helmPath: helm() });
    expect(result.findings.filter((f) => f.ruleId === 'pss-privileged').map((f) => f.object.name)).toEqual(judged ? ['in-sub'] : []);
  }, 60_000);
});
