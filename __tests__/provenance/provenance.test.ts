// Provenance on a chart written for it (fixtures/provenance/app), with the real helm 3 and helm 4:
// each way a value reaches a field, proven by re-rendering, located at the values line and the
// template line; and what cannot be proven stays at the object.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/model.ts';
import { repoRoot } from '../helpers/shared.ts';
import { pipeline, type PipelineResult } from './harness.ts';

const chart = path.join(repoRoot, '__tests__', 'fixtures', 'provenance', 'app');
const rel = (file: string) => `__tests__/fixtures/provenance/app/${file}`;
const helms = [
  ['helm 3', process.env.PREADMIT_TEST_HELM3!],
  ['helm 4', process.env.PREADMIT_TEST_HELM4!],
] as const;

function only(result: PipelineResult, ruleId: string, name: string, pathEnd: string): Finding {
  const found = result.findings.filter((f) => f.ruleId === ruleId && f.object.name === name && f.path.endsWith(pathEnd));
  expect(found, `${ruleId} ${name} ${pathEnd}`).toHaveLength(1);
  return found[0]!;
}

describe.each(helms)('%s', (_, helmPath) => {
  let cached: Promise<PipelineResult> | undefined;
  const scanApp = () => (cached ??= pipeline({ paths: [chart], helmPath }));

  it('locates a direct value ({{ .Values.direct.privileged }}) at its values line and the template line using it', async () => {
    const f = only(await scanApp(), 'pss-privileged', 'release-app-direct', '/privileged');
    expect(f.source.values).toEqual({ file: rel('values.yaml'), line: 8, key: 'direct.privileged' });
    expect(f.source.templateLocation).toEqual({ file: rel('templates/direct.yaml'), line: 19 });
    expect(f.source).toMatchObject({ file: rel('templates/direct.yaml'), line: 19, located: 'values' });
    expect(f.source.unproven).toBeUndefined();
    expect(f.valueSets).toEqual(['default', 'ci/host-network-values.yaml']);
  });

  it('locates a field of a block passed through toYaml at the leaf, and a list at the list', async () => {
    const result = await scanApp();
    const privileged = only(result, 'pss-privileged', 'release-app-block', '/privileged');
    expect(privileged.source.values).toEqual({ file: rel('values.yaml'), line: 15, key: 'block.securityContext.privileged' });
    expect(privileged.source.templateLocation).toEqual({ file: rel('templates/block.yaml'), line: 20 });
    const add = only(result, 'pss-capabilities-baseline', 'release-app-block', '/capabilities/add/0');
    expect(add.source.values).toEqual({ file: rel('values.yaml'), line: 18, key: 'block.securityContext.capabilities.add[0]' });
  });

  it('follows a value renamed through a helper template to the helper line that emits it', async () => {
    const f = only(await scanApp(), 'pss-privileged', 'release-app-renamed', '/privileged');
    expect(f.source.values).toEqual({ file: rel('values.yaml'), line: 23, key: 'renamed.debugMode' });
    expect(f.source.templateLocation).toEqual({ file: rel('templates/_helpers.tpl'), line: 6 });
    // The helper line is not in the object's own template: source.line stays unknown there.
    expect(f.source.file).toBe(rel('templates/renamed.yaml'));
    expect(f.source.line).toBeUndefined();
  });

  it("locates a subchart value set from the parent at the parent's values.yaml", async () => {
    const f = only(await scanApp(), 'pss-privileged', 'release-sub', '/privileged');
    expect(f.source.values).toEqual({ file: rel('values.yaml'), line: 34, key: 'sub.privileged' });
    expect(f.source.templateLocation).toEqual({ file: rel('charts/sub/templates/pod.yaml'), line: 10 });
  });

  it('locates a value set by a ci/ file at that file, labelled with the set and rated down', async () => {
    const f = only(await scanApp(), 'pss-host-namespaces', 'release-app-direct', '/hostNetwork');
    expect(f.source.values).toEqual({ file: rel('ci/host-network-values.yaml'), line: 3, key: 'direct.hostNetwork' });
    expect(f.source.templateLocation).toEqual({ file: rel('templates/direct.yaml'), line: 14 });
    expect(f.valueSets).toEqual(['ci/host-network-values.yaml']);
    expect(f.source.valueSet).toBe('ci/host-network-values.yaml');
    // critical by rule, but only a value set shows it: capped at valueSets.severity (medium).
    expect(f.severity).toBe('medium');
  });

  it('points a field missing by default at the values map that feeds its block', async () => {
    const result = await scanApp();
    const nonRoot = only(result, 'pss-run-as-non-root', 'release-app-block', '/runAsNonRoot');
    expect(nonRoot.source.values).toEqual({ file: rel('values.yaml'), line: 13, key: 'block.podSecurityContext' });
    expect(nonRoot.source.templateLocation).toEqual({ file: rel('templates/block.yaml'), line: 15 });
    const memory = only(result, 'container-resources', 'release-app-block', '/resources');
    expect(memory.source.values).toEqual({ file: rel('values.yaml'), line: 19, key: 'block.resources' });
    expect(memory.source.templateLocation).toEqual({ file: rel('templates/block.yaml'), line: 22 });
  });

  it('locates a field no value controls at its literal template line only', async () => {
    const result = await scanApp();
    const hostPid = only(result, 'pss-host-namespaces', 'release-app-literal', '/hostPID');
    expect(hostPid.source.values).toBeUndefined();
    expect(hostPid.source).toMatchObject({ located: 'template', line: 14, templateLocation: { file: rel('templates/literal.yaml'), line: 14 } });
    expect(hostPid.source.unproven).toMatch(/no values key/);
    const root = only(result, 'pss-run-as-user', 'release-app-literal', '/runAsUser');
    expect(root.source.templateLocation).toEqual({ file: rel('templates/literal.yaml'), line: 19 });
    // A missing field with no values map: the block it belongs in (the pod spec line).
    const nonRoot = only(result, 'pss-run-as-non-root', 'release-app-literal', '/runAsNonRoot');
    expect(nonRoot.source).toMatchObject({ located: 'template', templateLocation: { line: 13 } });
  });

  it('proves which of two lines using one value emits each field (container vs init container via a helper)', async () => {
    const result = await scanApp();
    const init = only(result, 'pss-privileged', 'release-app-shared', '/initContainers/0/securityContext/privileged');
    const main = only(result, 'pss-privileged', 'release-app-shared', '/containers/0/securityContext/privileged');
    for (const f of [init, main]) expect(f.source.values).toEqual({ file: rel('values.yaml'), line: 38, key: 'shared.privileged' });
    // Read as text, shared.yaml:20 is the one line of the template using the value; re-rendering with
    // that line changed shows it feeds the main container only.
    expect(init.source.templateLocation).toEqual({ file: rel('templates/_helpers.tpl'), line: 20 });
    expect(main.source.templateLocation).toEqual({ file: rel('templates/shared.yaml'), line: 20 });
  });

  it('locates one part of a composed value (the image tag) for image rules', async () => {
    const f = only(await scanApp(), 'image-tag', 'release-app-direct', '/image');
    expect(f.source.values).toEqual({ file: rel('values.yaml'), line: 4, key: 'image.tag' });
    expect(f.source.templateLocation).toEqual({ file: rel('templates/direct.yaml'), line: 17 });
  });

  it('falls back to the object, never to a guessed line, when a helper writes the structure', async () => {
    const result = await scanApp();
    const opaque = result.findings.filter((f) => f.object.name === 'release-app-opaque' && f.path.includes('/containers/'));
    expect(opaque.length).toBeGreaterThan(3);
    for (const f of opaque) {
      expect(f.source).toMatchObject({ located: 'object', file: rel('templates/opaque.yaml') });
      expect(f.source.line).toBeUndefined();
      expect(f.source.values).toBeUndefined();
      expect(f.source.unproven).toMatch(/containers is not written out/);
    }
  });

  it('lints values.yaml for a dangerous default no render shows (a disabled component)', async () => {
    const lint = (await scanApp()).findings.filter((f) => f.ruleId === 'values-dangerous-default');
    expect(lint).toHaveLength(1);
    expect(lint[0]).toMatchObject({
      severity: 'low',
      category: 'values',
      object: { kind: 'HelmValues', name: 'app' },
      path: '/agent/securityContext/privileged',
      source: { file: rel('values.yaml'), line: 29, values: { file: rel('values.yaml'), line: 29, key: 'agent.securityContext.privileged' } },
    });
    expect(lint[0]!.message).toContain('runs a privileged container');
  });

  it('merges findings across value sets and keeps the cost of proving them bounded and recorded', async () => {
    const result = await scanApp();
    const fingerprints = result.findings.map((f) => `${f.source.chart} ${f.fingerprint}`);
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
    expect(result.perSet.length).toBeGreaterThan(result.findings.length);
    const records = result.rendered.charts;
    expect(records.map((c) => c.valueSet)).toEqual(['default', 'ci/host-network-values.yaml']);
    expect(records[1]!.valuesFiles).toEqual([rel('ci/host-network-values.yaml')]);
    for (const record of records) {
      expect(record.provenance!.renders).toBeGreaterThanOrEqual(1);
      expect(record.provenance!.renders).toBeLessThanOrEqual(8);
    }
    expect(result.provenance.object).toBeGreaterThan(0);
    expect(result.provenance.values).toBeGreaterThan(10);
    expect(result.provenance.renders).toBe(records.reduce((n, c) => n + c.provenance!.renders, 0));
  });

  it('spends no render and locates nothing with provenance: false, but still lints values', async () => {
    const result = await pipeline({ paths: [chart], helmPath, configure: (c) => (c.provenance.enabled = false) });
    expect(result.provenance.renders).toBe(0);
    expect(result.findings.filter((f) => f.source.located !== undefined && f.ruleId !== 'values-dangerous-default')).toEqual([]);
    expect(result.rendered.charts.every((c) => c.provenance === undefined)).toBe(true);
    // Without sentinels the lint only reports what no rendered field could be showing: here, every
    // privileged: true renders somewhere, so it stays silent rather than guess.
    expect(result.findings.filter((f) => f.ruleId === 'values-dangerous-default')).toEqual([]);
  });

  it('renders configured value sets (files and --set pairs) and locates a --set pair in the configuration', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-sets-'));
    const extra = path.join(dir, 'hardened.yaml');
    writeFileSync(extra, 'direct:\n  privileged: false\n');
    const config = path.join(dir, '.preadmit.yaml');
    writeFileSync(
      config,
      [
        'valueSets:',
        '  ci: false',
        'charts:',
        `  - path: ${chart}`,
        '    valueSets:',
        '      - name: hardened',
        '        values: [hardened.yaml]',
        '      - name: root',
        '        set:',
        '          - block.securityContext.runAsUser=0',
        '',
      ].join('\n'),
    );
    const result = await pipeline({ paths: [chart], helmPath, configFile: config });
    expect(result.rendered.charts.map((c) => c.valueSet)).toEqual(['default', 'hardened', 'root']);
    expect(only(result, 'pss-privileged', 'release-app-direct', '/privileged').valueSets).toEqual(['default', 'root']);
    const root = only(result, 'pss-run-as-user', 'release-app-block', '/runAsUser');
    expect(root.valueSets).toEqual(['root']);
    expect(root.source.values).toMatchObject({ line: 10, key: 'block.securityContext.runAsUser' });
    expect(root.source.values!.file.endsWith('.preadmit.yaml')).toBe(true);
    expect(result.findings.some((f) => f.ruleId === 'pss-host-namespaces' && f.object.name === 'release-app-direct')).toBe(false);
  });
});
