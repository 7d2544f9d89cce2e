// The pieces of provenance on their own: the values model (helm's merge order, origins, --set),
// template line finding, and merging findings across value sets.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.ts';
import type { Finding } from '../../src/model/model.ts';
import { remapPointer, sentinelsIn, sentinelText } from '../../src/provenance/locate.ts';
import { referenceLine, structuralLine, TemplateSources } from '../../src/render/template-lines.ts';
import { mergeValueSets } from '../../src/pipeline/evaluate.ts';
import { valueSetsOf } from '../../src/render/value-sets.ts';
import { displayKey, effectiveValues, locationOf, parseSetPairs } from '../../src/render/effective-values.ts';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-prov-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('effective values', () => {
  const dir = tree({
    'Chart.yaml': 'apiVersion: v2\nname: top\nversion: 1.0.0\ndependencies:\n  - name: child\n    alias: kid\n  - name: opt\n    condition: opt.enabled\n',
    'values.yaml': 'a:\n  b: 1\n  c: [x, y]\nkid:\n  z: parent\nglobal:\n  g: top\nopt:\n  enabled: false\n',
    'charts/child/Chart.yaml': 'apiVersion: v2\nname: child\nversion: 1.0.0\n',
    'charts/child/values.yaml': 'z: own\nw: own\n',
    'charts/opt/Chart.yaml': 'apiVersion: v2\nname: opt\nversion: 1.0.0\n',
    'charts/opt/values.yaml': 'secret: 1\n',
    'override.yaml': 'a:\n  b: 2\n  c: null\n',
  });

  it("merges in helm's order and remembers the file and line that set each key", () => {
    const values = effectiveValues({ chartDir: dir, valuesFiles: [path.join(dir, 'override.yaml')], set: ['kid.w=set,a.d[1]=true'] });
    expect(values.value.a).toEqual({ b: 2, d: [null, true] });
    expect(values.value.kid).toEqual({ z: 'parent', w: 'set', global: { g: 'top' } });
    expect(values.value.opt).toEqual({ enabled: false });
    expect(locationOf(values, ['a', 'b'])).toEqual({ file: path.join(dir, 'override.yaml'), line: 2, key: 'a.b', kind: 'file' });
    expect(locationOf(values, ['kid', 'z'])).toEqual({ file: path.join(dir, 'values.yaml'), line: 5, key: 'kid.z', kind: 'chart' });
    expect(locationOf(values, ['kid', 'w'])).toMatchObject({ file: 'kid.w=set,a.d[1]=true', key: 'kid.w', kind: 'set' });
    expect(values.scopes.map((s) => s.sourceNames.join('/'))).toEqual(['top', 'top/kid']);
  });

  it("keeps a subchart's own default at its own values.yaml, named as written there", () => {
    const values = effectiveValues({ chartDir: dir, valuesFiles: [], set: [] });
    expect(locationOf(values, ['kid', 'w'])).toEqual({ file: path.join(dir, 'charts/child/values.yaml'), line: 2, key: 'w', kind: 'chart' });
  });

  it('parses --set pairs like helm: lists, indexes, escapes and types', () => {
    expect(parseSetPairs('a.b=1,c={x,y},d[2]=false,e\\.f=g\\,h,n=null')).toEqual([
      { path: ['a', 'b'], value: 1 },
      { path: ['c'], value: ['x', 'y'] },
      { path: ['d', 2], value: false },
      { path: ['e.f'], value: 'g,h' },
      { path: ['n'], value: null },
    ]);
    expect(displayKey(['podAnnotations', 'x.io/y', 'list', 0])).toBe('podAnnotations["x.io/y"].list[0]');
  });
});

describe('template lines', () => {
  const dir = tree({
    'templates/_helpers.tpl': '{{- define "x.sc" -}}\nprivileged: {{ .Values.admin }}\n{{- end -}}\n',
    'templates/two.yaml': [
      'apiVersion: v1',
      'kind: Service',
      'spec:',
      '  type: ClusterIP',
      '---',
      'apiVersion: v1',
      'kind: Pod',
      'spec:',
      '  containers:',
      '    - name: a',
      '      image: {{ .Values.image }}',
      '      securityContext:',
      '        {{- include "x.sc" . | nindent 8 }}',
      '    - name: b',
      '      image: {{ .Values.image }}',
      '      securityContext:',
      '        runAsUser: 0',
      '  volumes:',
      '  - name: v',
      '    hostPath:',
      '      path: /var/log',
    ].join('\n'),
  });
  const sources = new TemplateSources(dir);
  const file = path.join(dir, 'templates', 'two.yaml');
  const pod = { kind: 'Pod', spec: { containers: [{ name: 'a' }, { name: 'b', securityContext: { runAsUser: 0 } }], volumes: [{ name: 'v', hostPath: { path: '/var/log' } }] } };

  it('walks the literal structure of the right document, items by name', () => {
    expect(structuralLine(sources, file, '/spec/containers/1/securityContext/runAsUser', pod)).toEqual({ file, line: 17 });
    expect(structuralLine(sources, file, '/spec/volumes/0/hostPath/path', pod)).toEqual({ file, line: 21 });
    expect(structuralLine(sources, file, '/spec/containers/0/securityContext/privileged', pod)).toMatchObject({ reason: expect.stringContaining('privileged is not written out') });
  });

  it('finds the line emitting a value: the one of several references whose field it is, or the helper line', () => {
    expect(referenceLine(sources, file, ['admin'], '/spec/containers/0/securityContext/privileged')).toMatchObject({ file: path.join(dir, 'templates/_helpers.tpl'), line: 2 });
    // .Values.image is emitted on two lines: ambiguous, so no line.
    expect(referenceLine(sources, file, ['image'], '/spec/containers/1/image')).toMatchObject({ reason: expect.stringContaining('2 lines') });
  });
});

describe('value sets', () => {
  const finding = (valueSet: string, fingerprint = 'f'.repeat(32), severity: Finding['severity'] = 'critical'): Finding => ({
    ruleId: 'pss-privileged',
    severity,
    category: 'pod-security',
    message: 'm',
    object: { apiVersion: 'v1', kind: 'Pod', name: 'p' },
    path: '/spec',
    source: { kind: 'helm', file: 'c/templates/p.yaml', chart: 'c', valueSet },
    fingerprint,
    remediation: '',
  });

  it('merges one finding per fingerprint, as the defaults saw it, labelled with every set', () => {
    const merged = mergeValueSets([finding('ci/b-values.yaml'), finding('default'), finding('ci/a-values.yaml')], defaultConfig());
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ valueSets: ['default', 'ci/a-values.yaml', 'ci/b-values.yaml'], severity: 'critical', source: { valueSet: 'default' } });
  });

  it('caps the severity of what only a value set shows, unless configured to keep it', () => {
    const config = defaultConfig();
    expect(mergeValueSets([finding('prod')], config)[0]).toMatchObject({ severity: 'medium', valueSets: ['prod'] });
    expect(mergeValueSets([finding('prod', undefined, 'low')], config)[0]!.severity).toBe('low');
    // A locked rule keeps its severity.
    expect(mergeValueSets([finding('prod')], { ...config, lockedRules: ['pss-privileged'] })[0]!.severity).toBe('critical');
    config.valueSets.severity = 'keep';
    expect(mergeValueSets([finding('prod')], config)[0]!.severity).toBe('critical');
  });

  it('lists defaults, ci/*-values.yaml and configured sets, each on the configured base', () => {
    const dir = tree({ 'Chart.yaml': 'name: c\nversion: 1.0.0\n', 'ci/a-values.yaml': '{}', 'ci/readme.md': '', 'ci/b.yaml': '{}' });
    const config = defaultConfig();
    config.charts = [{ path: dir, valuesFiles: ['/base.yaml'], set: ['x=1'], valueSets: [{ name: 'prod', valuesFiles: ['/prod.yaml'], set: ['y=2'] }] }];
    const sets = valueSetsOf(dir, config);
    expect(sets.map((s) => [s.name, s.valuesFiles.map((f) => path.basename(f)), s.set])).toEqual([
      ['default', ['base.yaml'], ['x=1']],
      ['ci/a-values.yaml', ['base.yaml', 'a-values.yaml'], ['x=1']],
      ['prod', ['base.yaml', 'prod.yaml'], ['x=1', 'y=2']],
    ]);
    config.valueSets.ci = false;
    expect(valueSetsOf(dir, config).map((s) => s.name)).toEqual(['default', 'prod']);
  });
});

describe('sentinels', () => {
  it('are found in strings, keys and numbers, whatever the case', () => {
    expect(sentinelText(12)).toBe('qz00c');
    expect(sentinelText(36 * 36)).toBe('qz100');
    const found = sentinelsIn({ a: 'x-QZ00C', qz003: {}, n: 947005, s: '--port=947006', noise: 'qz00cc xqz003 qz0000' }, new Map([[947005, 7], [947006, 8]]));
    expect([...found].sort((a, b) => a - b)).toEqual([3, 7, 8, 12]);
  });

  it('follow list items by name across renders', () => {
    const before = { spec: { containers: [{ name: 'a' }, { name: 'b' }] } };
    const after = { spec: { containers: [{ name: 'extra' }, { name: 'a' }, { name: 'b' }] } };
    expect(remapPointer(before, after, '/spec/containers/1/image')).toBe('/spec/containers/2/image');
  });
});
