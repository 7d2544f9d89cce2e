// values-dangerous-default has no check of its own (the values lint produces its findings, see
// __tests__/provenance): it must never fire on an object, and its metadata must read well.
import { describe, expect, it } from 'vitest';
import rule from '../../rules/values-dangerous-default.ts';
import { runRule } from '../helpers/rule-tester.ts';

describe('values-dangerous-default', () => {
  it('never reports on rendered objects', () => {
    const yaml = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: true\n  containers:\n    - name: a\n      image: x\n      securityContext:\n        privileged: true\n';
    expect(runRule(rule, yaml)).toEqual([]);
    expect(runRule(rule, yaml, { unit: 'chart' })).toEqual([]);
  });

  it('is a low-severity values rule with a message for the lint', () => {
    expect(rule.meta).toMatchObject({ id: 'values-dangerous-default', category: 'values', defaultSeverity: 'low' });
    expect(rule.meta.messages.dangerous).toContain('{{key}}');
  });
});
