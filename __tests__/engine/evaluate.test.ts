import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.ts';
import { evaluate } from '../../src/engine/evaluate.ts';
import { defineRule } from '../../src/engine/rule-kit.ts';
import { RULES } from '../../rules/index.ts';
import { loadObjects } from '../helpers/rule-tester.ts';

const testPod = (hook: string) => `apiVersion: v1
kind: Pod
metadata:
  name: release-test-connection
  annotations: {"helm.sh/hook": "${hook}"}
spec:
  containers:
    - name: wget
      image: busybox
      securityContext: {privileged: true}
`;

describe('evaluate', () => {
  it('judges helm test hooks by pod-security, admission and secret rules only', () => {
    for (const hook of ['test', 'test-success', 'pre-install,test']) {
      const { findings, units } = evaluate(loadObjects(testPod(hook), 'chart'), RULES, defaultConfig());
      const ids = new Set(findings.map((f) => f.ruleId));
      expect(ids.has('pss-privileged')).toBe(true);
      expect(ids.has('image-tag')).toBe(false);
      expect(ids.has('network-policy-ingress')).toBe(false);
      expect(units[0]!.pods).toEqual([]);
    }
    const ids = new Set(evaluate(loadObjects(testPod('pre-install'), 'chart'), RULES, defaultConfig()).findings.map((f) => f.ruleId));
    expect(ids.has('image-tag')).toBe(true);
  });

  it('turns a rule that throws into an error for that rule and object, and goes on', () => {
    const broken = defineRule({
      target: 'object',
      meta: { id: 'broken', title: 't', category: 'workload', defaultSeverity: 'low', description: 'd', remediation: 'r', references: [], messages: {} },
      check() {
        throw new Error('boom');
      },
    });
    const { findings, errors } = evaluate(loadObjects(testPod('pre-install')), [broken, ...RULES.filter((r) => r.meta.id === 'pss-privileged')], defaultConfig());
    expect(errors).toEqual([expect.objectContaining({ kind: 'internal', message: expect.stringContaining('rule broken failed on Pod/release-test-connection: boom') })]);
    expect(findings.map((f) => f.ruleId)).toEqual(['pss-privileged']);
  });

  it("gives the scan's namespaces only to rules declared scope: 'scan' (the others run per unit, as renders arrive)", () => {
    const meta = { title: 't', category: 'admission' as const, defaultSeverity: 'low' as const, description: 'd', remediation: 'r', references: [], messages: { seen: '{{count}}' } };
    const reader = (id: string, scope?: 'scan') =>
      defineRule({
        target: 'object',
        meta: { ...meta, id },
        ...(scope ? { scope } : {}),
        kinds: ['Pod'],
        *check(_object, { namespaces }) {
          yield { messageId: 'seen', path: '', data: { count: namespaces.size } };
        },
      });
    const objects = loadObjects(`apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n---\n${testPod('pre-install')}`);
    const { findings, errors } = evaluate(objects, [reader('unit-reader'), reader('scan-reader', 'scan')], defaultConfig());
    expect(findings.map((f) => [f.ruleId, f.message])).toEqual([['scan-reader', '1']]);
    expect(errors).toEqual([expect.objectContaining({ kind: 'internal', message: expect.stringContaining("rule unit-reader failed on Pod/release-test-connection: reads the namespaces of the whole scan but is not declared scope: 'scan'") })]);
    // Every rule of the catalog that reads namespaces declares it: none fails this way on a scan with a Namespace.
    expect(evaluate(objects, RULES, defaultConfig()).errors).toEqual([]);
  });

  it('applies severity overrides and disabled rules from configuration', () => {
    const config = defaultConfig();
    config.rules['pss-privileged'] = { enabled: true, severity: 'low', options: {} };
    config.rules['image-tag'] = { enabled: false, options: {} };
    const { findings } = evaluate(loadObjects(testPod('pre-install')), RULES, config);
    expect(findings.find((f) => f.ruleId === 'pss-privileged')!.severity).toBe('low');
    expect(findings.some((f) => f.ruleId === 'image-tag')).toBe(false);
  });
});
