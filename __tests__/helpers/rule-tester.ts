// ESLint-style rule tester: cases are data. A `valid` case must produce no finding of the rule; an
// `invalid` case must list every finding it produces (rule id and JSON-pointer path), at least one.
import { describe, expect, it } from 'vitest';
import { defaultConfig, type Config } from '../../src/config/config.ts';
import type { Finding, ScannedObject } from '../../src/model/model.ts';
import { evaluate } from '../../src/engine/evaluate.ts';
import type { ChartContext, Rule } from '../../src/engine/rule-kit.ts';
import { objectsFromDocuments } from '../../src/loaders/objects.ts';
import { parseYamlDocuments } from '../../src/loaders/yaml-docs.ts';

export interface CaseSettings {
  pss?: Partial<Config['pss']>;
  options?: Record<string, unknown>;
  /** 'chart': the objects come from one chart render (a complete unit); default: plain manifests. */
  unit?: 'chart' | 'manifests';
  /** What rules see of the chart the objects were rendered from (RuleContext.chart). */
  chart?: ChartContext;
}

export interface ValidCase extends CaseSettings {
  name: string;
  yaml: string;
}

export interface InvalidCase extends CaseSettings {
  name: string;
  yaml: string;
  /** Every finding expected, by JSON pointer (and optionally a message fragment). */
  findings: { path: string; message?: string }[];
}

export function loadObjects(yaml: string, unit: 'chart' | 'manifests' = 'manifests'): ScannedObject[] {
  const parsed = parseYamlDocuments(yaml);
  if (parsed.problems.length > 0) throw new Error(`test YAML is invalid: ${parsed.problems[0]!.message}`);
  const source = unit === 'chart' ? { kind: 'helm' as const, file: 'chart/templates/all.yaml', chart: 'chart', template: 'chart/templates/all.yaml', valueSet: 'default' } : { kind: 'manifest' as const, file: 'test.yaml' };
  return objectsFromDocuments(parsed.documents, { source, linesAreSource: unit === 'manifests', strict: true }).objects;
}

export function runRule(rule: Rule, yaml: string, settings: CaseSettings = {}): Finding[] {
  const config = defaultConfig();
  config.pss = { ...config.pss, ...settings.pss };
  config.rules[rule.meta.id] = { enabled: true, options: settings.options ?? {} };
  const chart = settings.chart;
  const { findings, errors } = evaluate(loadObjects(yaml, settings.unit), [rule], config, chart ? { chartOf: () => chart } : {});
  if (errors.length > 0) throw new Error(`rule errors: ${errors.map((e) => e.message).join('; ')}`);
  return findings;
}

export function testRule(rule: Rule, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  const names = [...cases.valid, ...cases.invalid].map((c) => c.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate) throw new Error(`duplicate test case name "${duplicate}" for ${rule.meta.id}`);
  if (cases.valid.length === 0 || cases.invalid.length === 0) throw new Error(`${rule.meta.id} needs at least one valid and one invalid case`);

  describe(rule.meta.id, () => {
    for (const c of cases.valid) {
      it(`valid: ${c.name}`, () => {
        expect(runRule(rule, c.yaml, c).map((f) => `${f.ruleId} ${f.path}`)).toEqual([]);
      });
    }
    for (const c of cases.invalid) {
      it(`invalid: ${c.name}`, () => {
        if (c.findings.length === 0) throw new Error('an invalid case must expect at least one finding');
        const findings = runRule(rule, c.yaml, c);
        expect(findings.map((f) => `${f.ruleId} ${f.path}`).sort()).toEqual(c.findings.map((f) => `${rule.meta.id} ${f.path}`).sort());
        for (const expected of c.findings) {
          if (expected.message === undefined) continue;
          const finding = findings.find((f) => f.path === expected.path)!;
          expect(finding.message).toContain(expected.message);
        }
      });
    }
  });
}
