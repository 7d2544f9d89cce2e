// Rules run per unit as chart renders arrive (ValueSetEvaluation.add, called by the scan while other renders
// still run); the scan-scoped ones when everything is loaded. Both ways must give what one evaluation of
// everything gives, whatever order the renders arrive in.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { renderCharts } from '../../src/render/charts.ts';
import { defaultConfig } from '../../src/config/config.ts';
import type { Finding } from '../../src/model/model.ts';
import { scan } from '../../src/pipeline/scan.ts';
import { evaluate } from '../../src/engine/evaluate.ts';
import { locateHelm } from '../../src/render/helm.ts';
import { evaluateValueSets, ValueSetEvaluation } from '../../src/pipeline/evaluate.ts';
import { loadObjects } from '../helpers/rule-tester.ts';

const fixtures = path.resolve(import.meta.dirname, '..', 'fixtures', 'charts');
const NAMESPACE = `apiVersion: v1
kind: Namespace
metadata:
  name: default
  labels: {pod-security.kubernetes.io/enforce: restricted}
`;

const key = (f: Finding) => [f.ruleId, f.fingerprint, f.source.valueSet ?? '', f.message, f.path, f.severity].join('\u0000');

describe('evaluation per render as renders arrive', () => {
  const helmPath = process.env.PREADMIT_TEST_HELM3!;
  it('finds what one evaluation of everything finds, in any arrival order', async () => {
    const config = defaultConfig();
    const binary = await locateHelm(helmPath);
    const rendered = await renderCharts(['parent', 'secret-defaults'].map((c) => path.join(fixtures, c)), async () => binary, config, fixtures, { valueSets: true });
    expect(rendered.errors).toEqual([]);
    expect(rendered.renders.length).toBeGreaterThan(2);
    const objects = [...rendered.objects, ...loadObjects(NAMESPACE)];

    const whole = evaluate(objects.filter((o) => (o.source.valueSet ?? 'default') === 'default'), RULES, config);
    const once = evaluateValueSets(objects, RULES, config, rendered.renders);
    const incremental = new ValueSetEvaluation(RULES, config);
    for (const render of [...rendered.renders].reverse()) incremental.add(render);
    const arrived = incremental.finish(objects, rendered.renders);

    expect(arrived.findings.map(key).sort()).toEqual(once.findings.map(key).sort());
    expect(arrived.errors).toEqual([]);
    expect([...arrived.admission.keys()].length).toBe([...once.admission.keys()].length);
    expect(arrived.units.map((u) => u.key).sort()).toEqual(once.units.map((u) => u.key).sort());
    // The scan-scoped rule saw the Namespace that lies outside the chart's unit.
    const rejected = arrived.findings.filter((f) => f.ruleId === 'pss-namespace-rejection');
    expect(rejected.length).toBeGreaterThan(0);
    // And the default value set gives what a single evaluate() of its objects gives, chart context aside.
    const withoutChartRules = (fs: Finding[]) => fs.filter((f) => f.ruleId !== 'secret-chart-default' && (f.source.valueSet ?? 'default') === 'default').map(key).sort();
    expect(withoutChartRules(arrived.findings)).toEqual(withoutChartRules(whole.findings));
  });

  it('a scan of a chart and the Namespace it runs in reports the rejection', async () => {
    const result = await scan({ paths: [path.join(fixtures, 'parent')], helmPath });
    expect(result.errors).toEqual([]);
    const withNamespace = await scan({ paths: [path.join(fixtures, 'parent'), '-'], helmPath, readStdin: async () => NAMESPACE });
    expect(result.findings.some((f) => f.ruleId === 'pss-namespace-rejection')).toBe(false);
    expect(withNamespace.findings.some((f) => f.ruleId === 'pss-namespace-rejection' && f.source.kind === 'helm')).toBe(true);
  });
});
