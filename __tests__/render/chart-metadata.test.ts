// A chart's metadata is what helm's loader builds from Chart.yaml and requirements.yaml together, not
// Chart.yaml alone: `helm show chart` prints that metadata, so each case is checked against both helms.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { chartMetadata, dependenciesOf } from '../../src/render/chart-metadata.ts';
import { parseChartYaml, readChartInfo } from '../../src/render/helm.ts';
import { localDependencies } from '../../src/pipeline/changed-charts.ts';
import { scan } from '../../src/pipeline/scan.ts';
import { chart, HELMS, PRIVILEGED_POD, workspace } from '../hostile/helpers.ts';

/** [case, Chart.yaml, requirements.yaml] */
const CASES: [string, string, string][] = [
  ['requirements.yaml sets the type of an apiVersion v2 chart', 'apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n', 'type: application\n'],
  ['keys match case-insensitively, the sorted last one winning', 'apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n', 'Type: library\nTYPE: application\n'],
  ['requirements.yaml renames the chart', 'apiVersion: v2\nname: lib\nversion: 0.1.0\n', 'name: other\n'],
  [
    'a dependency is decoded into the one at its position: a condition left out stays, one cleared goes',
    'apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: a\n  version: 0.1.0\n  condition: a.enabled\n  tags: [x]\n- name: b\n  version: 0.1.0\n  condition: b.enabled\n- name: c\n  version: 0.1.0\n',
    'dependencies:\n- name: a\n  version: 0.1.0\n- name: b\n  condition: ""\n  alias: bee\n',
  ],
  ['null keeps a string and empties the dependencies', 'apiVersion: v2\nname: app\nversion: 0.1.0\ntype: library\ndependencies:\n- name: a\n  version: 0.1.0\n', 'type: null\ndependencies: null\n'],
  ['a scalar becomes the string helm reads', 'apiVersion: v2\nname: app\nversion: 0.1.0\n', 'name: 12\ndependencies:\n- name: 7\n  version: 0.1.0\n  tags: [true, 3]\n'],
  ['an apiVersion v1 chart', 'apiVersion: v1\nname: app\nversion: 0.1.0\ntype: library\n', 'type: application\ndependencies:\n- name: a\n  version: 0.1.0\n  condition: a.on\n'],
];

/** The fields preadmit reads, from a metadata object (helm's printed one or chartMetadata's). */
function view(metadata: Record<string, unknown>): unknown {
  const deps = (metadata.dependencies as Record<string, unknown>[] | null | undefined) ?? [];
  return {
    name: metadata.name,
    type: (metadata.type as string | undefined) || 'application',
    dependencies: deps.map((d) => ({ name: d.name, condition: d.condition ?? '', alias: d.alias ?? '', tags: (d.tags as string[] | undefined) ?? [] })),
  };
}

describe.each(HELMS)('%s: chart metadata as helm loads it', (_, helmVar) => {
  it.each(CASES)('%s', (_name, chartYaml, requirements) => {
    const dir = chart(workspace(), 'meta', { 'requirements.yaml': requirements }, chartYaml);
    const shown = execFileSync(process.env[helmVar]!, ['show', 'chart', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const ours = chartMetadata([
      { name: 'Chart.yaml', label: 'Chart.yaml', value: parseChartYaml(chartYaml) },
      { name: 'requirements.yaml', label: 'requirements.yaml', value: parseChartYaml(requirements) },
    ]);
    if (typeof ours === 'string') throw new Error(ours);
    expect(view({ ...ours, dependencies: dependenciesOf(ours) })).toEqual(view(load(shown) as Record<string, unknown>));
  });
});

describe('chart metadata', () => {
  it('reads the type from requirements.yaml too: a chart Chart.yaml calls a library is installed when requirements.yaml says otherwise', () => {
    const dir = chart(workspace(), 'lib', { 'requirements.yaml': 'type: application\n' }, 'apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n');
    expect(readChartInfo(dir)).toMatchObject({ name: 'lib', type: 'application' });
    const library = chart(workspace(), 'lib', {}, 'apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n');
    expect(readChartInfo(library)).toMatchObject({ type: 'library' });
  });

  it('leaves requirements.yaml out where helm does (the chart .helmignore lists it), and merges it into an apiVersion v3 chart as helm 3 does', () => {
    const ignored = chart(workspace(), 'lib', { 'requirements.yaml': 'type: application\n', '.helmignore': 'requirements.yaml\n' }, 'apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n');
    expect(readChartInfo(ignored)).toMatchObject({ type: 'library' });
    const v3 = chart(workspace(), 'lib', { 'requirements.yaml': 'type: application\n' }, 'apiVersion: v3\nname: lib\nversion: 0.1.0\ntype: library\n');
    expect(readChartInfo(v3)).toMatchObject({ type: 'application' });
  });

  it('merges every Chart.yaml entry of an archive in order, then every requirements.yaml', () => {
    const file = (name: 'Chart.yaml' | 'requirements.yaml', text: string) => ({ name, label: name, value: parseChartYaml(text) });
    const merged = chartMetadata([file('requirements.yaml', 'type: application\n'), file('Chart.yaml', 'apiVersion: v2\nname: a\nversion: 0.1.0\n'), file('Chart.yaml', 'type: library\n')]);
    expect(merged).toMatchObject({ name: 'a', type: 'application' });
  });

  it('finds the file:// dependencies a pull request comparison follows where helm does: requirements.yaml of any chart, keys of any case', () => {
    const repo = workspace();
    chart(repo, 'app', { 'requirements.yaml': 'Dependencies:\n- name: lib\n  version: 0.1.0\n  repository: file://../lib\n' });
    expect(localDependencies(repo, 'app')).toEqual(['lib']);
  });

  it('says why helm cannot load a chart whose field is a mapping where a string is read', () => {
    const merged = chartMetadata([
      { name: 'Chart.yaml', label: 'Chart.yaml', value: parseChartYaml('apiVersion: v2\nname: a\nversion: 0.1.0\n') },
      { name: 'requirements.yaml', label: 'requirements.yaml', value: parseChartYaml('type: {a: b}\n') },
    ]);
    expect(merged).toBe('helm cannot load the chart: requirements.yaml: type is a mapping where helm reads a string');
  });
});

describe.each(HELMS)('%s: which charts are libraries', (_, helmVar) => {
  it('judges a chart Chart.yaml calls a library when requirements.yaml makes it an application (helm installs it)', async () => {
    const dir = chart(workspace(), 'lib', { 'requirements.yaml': 'type: application\n', 'templates/pod.yaml': PRIVILEGED_POD }, 'apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n');
    const result = await scan({ paths: [dir], helmPath: process.env[helmVar]! });
    expect(result.errors).toEqual([]);
    expect(result.skipped).toBeUndefined();
    expect(result.findings.filter((f) => f.ruleId === 'pss-privileged').map((f) => f.object.name)).toEqual(['privileged']);
  }, 60_000);

  it('records a library chart helm refuses (never a silent skip), and passes', async () => {
    const library = chart(workspace(), 'lib', { 'templates/pod.yaml': PRIVILEGED_POD }, 'apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n');
    const result = await scan({ paths: [library], helmPath: process.env[helmVar]! });
    expect(result.errors).toEqual([]);
    expect(result.skipped).toEqual([{ path: expect.stringMatching(/lib$/), reason: expect.stringMatching(/^library chart: helm refuses to install it/) }]);
    expect(result.summary.verdict).toBe('pass');
  }, 60_000);
});
