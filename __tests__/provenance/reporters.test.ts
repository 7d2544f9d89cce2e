// The reporters show what provenance, value sets and suppressions add: values and template lines, the
// value set label, suppressed findings (kept, marked, counted) and suppressions needing attention.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/model/model.ts';
import { renderJson } from '../../src/reporters/json.ts';
import { renderMarkdown } from '../../src/reporters/markdown.ts';
import { toSarifLog } from '../../src/reporters/sarif.ts';
import { renderText } from '../../src/reporters/text.ts';
import { repoRoot } from '../helpers/shared.ts';
import { loadSarifValidator } from '../reporters/sarif-schema.ts';
import { finding, helmSource, ref, RULES, scanResult } from '../reporters/fixtures.ts';

function located(): ScanResult {
  const privileged = finding({
    ruleId: 'pss-privileged',
    object: ref('Deployment', 'api', 'shop'),
    source: helmSource({
      line: 19,
      values: { file: 'charts/shop/values.yaml', line: 42, key: 'securityContext.privileged' },
      templateLocation: { file: 'charts/shop/templates/deployment.yaml', line: 19 },
      located: 'values',
    }),
  });
  privileged.valueSets = ['default', 'ci/a-values.yaml'];
  const ciOnly = finding({
    ruleId: 'image-tag-latest',
    severity: 'medium',
    path: '/spec/template/spec/containers/0/image',
    source: helmSource({
      valueSet: 'ci/a-values.yaml',
      line: undefined,
      values: { file: 'charts/shop/ci/a-values.yaml', line: 3, key: 'image.tag' },
      templateLocation: { file: 'charts/shop/templates/_helpers.tpl', line: 7 },
      located: 'values',
    }),
  });
  ciOnly.valueSets = ['ci/a-values.yaml'];
  const suppressed = finding({
    ruleId: 'pss-run-as-non-root',
    path: '/spec/template/spec/securityContext/runAsNonRoot',
    source: helmSource({ line: undefined, located: 'object', unproven: 'spec is not written out in the template' }),
  });
  suppressed.suppressed = { kind: 'config', reason: 'migrating in Q3', file: '.preadmit.yaml', line: 4, expires: '2099-01-01' };
  suppressed.valueSets = ['default'];
  const result = scanResult({ findings: [privileged, ciOnly, suppressed] });
  // What scan() derives: suppressed findings never block.
  result.summary.blocking = 1;
  result.summary.suppressed = 1;
  result.summary.provenance = { values: 2, template: 0, object: 1, renders: 3, ms: 250 };
  result.suppressions = [
    { kind: 'config', status: 'applied', rule: 'pss-run-as-non-root', reason: 'migrating in Q3', file: '.preadmit.yaml', line: 4, expires: '2099-01-01', matched: 1 },
    { kind: 'config', status: 'expired', rule: 'image-tag-latest', reason: 'old', file: '.preadmit.yaml', line: 9, expires: '2020-01-01', matched: 2, message: 'expired on 2020-01-01: the findings it matched count again' },
    { kind: 'comment', status: 'unused', rule: 'pss-privileged', reason: 'x', file: 'charts/shop/values.yaml', line: 12, matched: 0 },
  ];
  return result;
}

describe('reporters with provenance, value sets and suppressions', () => {
  it('json: every new field validates against the schema', () => {
    const schema = JSON.parse(readFileSync(path.join(repoRoot, 'schemas', 'scan-result.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
    const out = JSON.parse(renderJson(located())) as { findings: Record<string, unknown>[]; suppressions: unknown[]; summary: Record<string, unknown> };
    expect(validate(out), JSON.stringify(validate.errors)).toBe(true);
    const first = out.findings.find((f) => f.ruleId === 'pss-privileged')!;
    expect(first.source).toMatchObject({ values: { file: 'charts/shop/values.yaml', line: 42, key: 'securityContext.privileged' }, templateLocation: { line: 19 }, located: 'values' });
    expect(first.valueSets).toEqual(['default', 'ci/a-values.yaml']);
    expect(out.suppressions.map((s) => (s as { line: number }).line)).toEqual([4, 9, 12]);
    expect(out.summary).toMatchObject({ suppressed: 1, provenance: { values: 2, template: 0, object: 1, renders: 3, ms: 250 } });
  });

  it('text: the values line leading each located finding, the template line and the set under it, and the suppression', () => {
    const lines = renderText(located()).split('\n');
    const i = lines.findIndex((l) => l.includes('pss-privileged'));
    expect(lines[i]).toMatch(/pss-privileged {2}charts\/shop\/values\.yaml:42 \(securityContext\.privileged\)$/);
    expect(lines[i + 2]!.trim()).toMatch(/^↳ template charts\/shop\/templates\/\S+:19/);
    const tag = lines.findIndex((l) => l.includes('charts/shop/ci/a-values.yaml:3 (image.tag)'));
    expect(lines.slice(tag, tag + 4).find((l) => l.includes('↳'))).toContain('template charts/shop/templates/_helpers.tpl:7 · only with values ci/a-values.yaml');
    expect(lines.find((l) => l.includes('suppressed by config'))).toContain('suppressed by config .preadmit.yaml:4: migrating in Q3');
    expect(lines.find((l) => l.startsWith('Summary:'))).toContain('3 findings (');
    expect(lines.find((l) => l.startsWith('Summary:'))).toContain('· 1 suppressed ·');
    expect(lines.find((l) => l.startsWith('Summary:'))).toContain('located: 2 at values, 0 at templates, 1 at objects (3 extra renders)');
    const attention = lines.indexOf('SUPPRESSIONS needing attention (2)');
    expect(attention).toBeGreaterThan(0);
    expect(lines[attention + 1]).toContain('expired 2020-01-01');
    expect(lines[attention + 2]).toContain('unused');
  });

  it('sarif: located at the values line, template as a related location, suppressions marked, valid', () => {
    const log = toSarifLog(located(), RULES);
    const validate = loadSarifValidator();
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const results = log.runs[0]!.results!;
    const privileged = results.find((r) => r.ruleId === 'pss-privileged')!;
    expect(privileged.locations![0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'charts/shop/values.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 42 } });
    expect(privileged.relatedLocations!.map((l) => l.physicalLocation!.artifactLocation!.uri)).toEqual(['charts/shop/templates/deployment.yaml']);
    expect(privileged.message.text).toBe('Deployment shop/api: Container "app" breaks pss-privileged. — values.yaml:42 `securityContext.privileged`');
    expect(privileged.properties).toMatchObject({ valuesKey: 'securityContext.privileged', inChartDefaults: true, located: 'values' });
    expect(privileged.suppressions).toBeUndefined();
    const suppressed = results.find((r) => r.ruleId === 'pss-run-as-non-root')!;
    expect(suppressed.suppressions).toEqual([
      { kind: 'external', status: 'accepted', justification: 'migrating in Q3', location: { physicalLocation: { artifactLocation: { uri: '.preadmit.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 4 } } }, properties: { by: 'config', expires: '2099-01-01' } },
    ]);
    expect(log.runs[0]!.properties).toMatchObject({ suppressed: 1 });
    const notes = log.runs[0]!.invocations![0]!.toolExecutionNotifications!.map((n) => n.message.text);
    expect(notes).toContain('config suppression of image-tag-latest expired on 2020-01-01');
    expect(notes).toContain('comment suppression of pss-privileged matches no finding');
  });

  it('markdown: blocking excludes suppressed findings, which get their own section, with the count', () => {
    const md = renderMarkdown(located(), { rules: RULES, fileUrl: (file, line) => `https://github.com/o/r/blob/abc/${file}${line ? `#L${line}` : ''}` });
    const blocking = md.slice(md.indexOf('#### Blocking findings'), md.indexOf('<details>'));
    expect(blocking).toContain('Blocking findings (1)');
    expect(blocking).toContain('[charts/shop/values\\.yaml:42](https://github.com/o/r/blob/abc/charts/shop/values.yaml#L42) <code>securityContext\\.privileged</code>');
    expect(blocking).not.toContain('pss-run-as-non-root');
    expect(md).toContain('<summary>Suppressed findings (1)</summary>');
    expect(md).toContain('suppressed by config \\.preadmit\\.yaml:4: migrating in Q3');
    expect(md).toContain('1 finding suppressed (kept below, never blocking).');
    expect(md).toContain('#### Suppressions needing attention (2)');
    expect(md).toContain('only with values ci/a\\-values\\.yaml');
  });
});
