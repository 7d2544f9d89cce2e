// helm install creates every object in a chart's crds/ folder (and its subcharts'), whatever its kind;
// helm template leaves them out. preadmit judges them with the render and says where they came from.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/core/scan.ts';
import { chart, PRIVILEGED_POD, workspace } from '../hostile/helpers.ts';

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
