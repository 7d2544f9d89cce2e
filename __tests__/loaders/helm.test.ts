// Chart rendering against the real helm 3 and helm 4 binaries provisioned by the test setup.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/pipeline/scan.ts';
import { locateHelm, splitRendered, templateFile } from '../../src/render/helm.ts';
import { repoRoot } from '../helpers/shared.ts';

const fixtures = path.join(repoRoot, '__tests__', 'fixtures', 'charts');
const helms = [
  ['helm 3', process.env.PREADMIT_TEST_HELM3!],
  ['helm 4', process.env.PREADMIT_TEST_HELM4!],
] as const;

describe.each(helms)('%s', (_, helmPath) => {
  it('renders a chart with its subchart as one chart, locating objects at their template files', async () => {
    const result = await scan({ paths: [path.join(fixtures, 'parent')], helmPath });
    expect(result.errors).toEqual([]);
    expect(result.charts.map((c) => c.chart)).toEqual(['__tests__/fixtures/charts/parent']);
    const pod = result.objects.find((o) => o.object.kind === 'Pod')!;
    expect(pod.object).toEqual({ apiVersion: 'v1', kind: 'Pod', name: 'release-child', namespace: 'default' });
    expect(pod.source).toMatchObject({
      kind: 'helm',
      file: '__tests__/fixtures/charts/parent/charts/child/templates/pod.yaml',
      chart: '__tests__/fixtures/charts/parent',
      template: 'parent/charts/child/templates/pod.yaml',
    });
    // the parent's values reach the subchart: privileged comes from parent/values.yaml
    const privileged = result.findings.find((f) => f.ruleId === 'pss-privileged')!;
    expect(privileged.path).toBe('/spec/containers/0/securityContext/privileged');
    expect(privileged.object.name).toBe('release-child');
    expect(result.charts[0]!.admission).toMatchObject({ allowed: false });
    expect(result.charts[0]!.admission!.deniedBy).toContain('privileged');
  });

  it('passes --set, --values, release name and namespace to helm', async () => {
    const result = await scan({ paths: [path.join(fixtures, 'parent')], helmPath, set: ['child.privileged=false'], releaseName: 'rel', namespace: 'team-a' });
    expect(result.findings.filter((f) => f.ruleId === 'pss-privileged')).toEqual([]);
    expect(result.objects.find((o) => o.object.kind === 'Pod')!.object).toMatchObject({ name: 'rel-child', namespace: 'team-a' });
  });

  it('reports a failing template with helm\'s own message and goes on with the other charts', async () => {
    const result = await scan({ paths: [path.join(fixtures, 'failing'), path.join(fixtures, 'parent')], helmPath });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ kind: 'render', file: '__tests__/fixtures/charts/failing' });
    expect(result.errors[0]!.message).toContain('auth.password is required');
    expect(result.charts.map((c) => c.chart)).toEqual(['__tests__/fixtures/charts/parent']);
    expect(result.summary.verdict).toBe('fail');
  });

  it('names a missing dependency instead of downloading it', async () => {
    const result = await scan({ paths: [path.join(fixtures, 'missing-dep')], helmPath });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ kind: 'dependency', file: '__tests__/fixtures/charts/missing-dep/Chart.yaml' });
    expect(result.errors[0]!.message).toContain('"redis"');
  });

  it('does not render library charts alone, and accepts a chart that renders nothing', async () => {
    const result = await scan({ paths: [path.join(fixtures, 'library'), path.join(fixtures, 'empty')], helmPath });
    expect(result.errors).toEqual([]);
    expect(result.charts.map((c) => [c.chart, c.objects])).toEqual([['__tests__/fixtures/charts/empty', 0]]);
    // Not a silent skip: the library chart is listed with why (helm refused to install it).
    expect(result.skipped).toEqual([{ path: '__tests__/fixtures/charts/library', reason: expect.stringContaining('library charts are not installable') }]);
  });

  it('reports a Chart.yaml that is not a chart', async () => {
    const result = await scan({ paths: [path.join(fixtures, 'not-a-chart')], helmPath });
    expect(result.errors).toEqual([expect.objectContaining({ kind: 'render', file: '__tests__/fixtures/charts/not-a-chart/Chart.yaml', message: 'Chart.yaml is not a mapping' })]);
  });

  it('discovers every chart under a directory, skipping subcharts', async () => {
    const result = await scan({ paths: [fixtures], helmPath });
    expect(result.charts.map((c) => `${c.chart.split('/').pop()} ${c.valueSet}`)).toEqual(['empty default', 'parent default', 'secret-defaults default', 'secret-defaults ci/supplied-values.yaml']);
    expect(result.errors.map((e) => e.file.split('/').slice(-2).join('/')).sort()).toEqual(['charts/failing', 'missing-dep/Chart.yaml', 'not-a-chart/Chart.yaml']);
  });
});

describe('helm output handling', () => {
  it('splits documents and keeps each # Source path', () => {
    const out = '---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: A\n---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: B\n---\n# Source: c/charts/s/templates/b.yaml\nkind: C\n';
    expect(splitRendered(out).map((d) => d.template)).toEqual(['c/templates/a.yaml', 'c/templates/a.yaml', 'c/charts/s/templates/b.yaml']);
  });

  it('splits at LF-delimited --- lines only, as kubectl and helm do (CR, LS and PS do not start a line there)', () => {
    for (const brk of ['\r', '\u2028', '\u2029']) {
      const out = `---\n# Source: c/templates/a.yaml\nkind: A${brk}---${brk}kind: NetworkPolicy\n---\r\n# Source: c/templates/b.yaml\r\nkind: B\r\n`;
      expect(splitRendered(out).map((d) => d.template)).toEqual(['c/templates/a.yaml', 'c/templates/b.yaml']);
    }
  });

  it('maps template paths to files in the chart, through subchart directories', () => {
    const parent = path.join(fixtures, 'parent');
    expect(templateFile(parent, 'parent/templates/configmap.yaml')).toBe(path.join(parent, 'templates', 'configmap.yaml'));
    expect(templateFile(parent, 'parent/charts/child/templates/pod.yaml')).toBe(path.join(parent, 'charts', 'child', 'templates', 'pod.yaml'));
  });

  it('asks one binary for its version once per process, and again once the file is replaced (issue 18)', async () => {
    // A pull request scans twice in one process (the base, then the head): one `helm version` is enough.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-helm-version-'));
    const log = path.join(dir, 'runs.log');
    const wrapper = path.join(dir, 'helm');
    const helm = process.env.PREADMIT_TEST_HELM3!;
    const script = (tag: string) => `#!/bin/sh\necho "${tag} $1" >> '${log}'\nexec '${helm}' "$@"\n`;
    writeFileSync(wrapper, script('a'));
    chmodSync(wrapper, 0o755);
    const runs = () => readFileSync(log, 'utf8').split('\n').filter((line) => line.endsWith(' version'));
    const first = await locateHelm(wrapper);
    const second = await locateHelm(wrapper);
    expect(second).toEqual(first);
    expect(runs()).toEqual(['a version']);
    // Replaced (another size and time): asked again.
    writeFileSync(wrapper, script('bb'));
    await locateHelm(wrapper);
    expect(runs()).toEqual(['a version', 'bb version']);
  });

  it('fails with a usage error naming the problem when helm is missing', async () => {
    await expect(scan({ paths: [path.join(fixtures, 'parent')], helmPath: '/nonexistent/helm' })).rejects.toThrow(/could not be run.*Install helm/s);
  });
});
