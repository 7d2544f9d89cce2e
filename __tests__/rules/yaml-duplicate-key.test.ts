// Duplicate keys: the object is judged with the last value (as Kubernetes decodes it) and the duplicate
// is reported, high when the hidden value differs on a security field.
import { describe, expect, it } from 'vitest';
import pssPrivileged from '../../rules/pss-privileged.ts';
import yamlDuplicateKey from '../../rules/yaml-duplicate-key.ts';
import { runRule, testRule } from '../helpers/rule-tester.ts';

const pod = (spec: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n${spec}`;
const HIDDEN_PRIVILEGED = pod('  containers:\n    - name: app\n      image: app:1\n      securityContext:\n        privileged: false\n        runAsNonRoot: true\n        privileged: true\n');

testRule(yamlDuplicateKey, {
  valid: [
    { name: 'every key once', yaml: pod('  containers:\n    - name: app\n      image: app:1\n') },
    { name: 'a merge key overridden by an explicit key is no duplicate', yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\nbase: &b {a: "1"}\ndata:\n  <<: *b\n  a: "2"\n' },
  ],
  invalid: [
    { name: 'privileged false then true', yaml: HIDDEN_PRIVILEGED, findings: [{ path: '/spec/containers/0/securityContext/privileged', message: 'key "privileged" is written twice (lines 10 and 12)' }] },
    { name: 'a label written twice with the same value', yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  name: c\n', findings: [{ path: '/metadata/name' }] },
    { name: 'a list written twice: said on the first item of the list that wins', yaml: 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: hidden}\n    spec: {hostNetwork: true}\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: shown}\n', findings: [{ path: '', message: 'key "items" is written twice (lines 3 and 8)' }] },
    { name: 'a list item', yaml: 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n    spec:\n      hostNetwork: false\n      hostNetwork: true\n', findings: [{ path: '/spec/hostNetwork' }] },
  ],
});

describe('yaml-duplicate-key severity and the effective value', () => {
  it('is high when the hidden value differs on a security field, and pss-privileged sees the last value', () => {
    const [duplicate] = runRule(yamlDuplicateKey, HIDDEN_PRIVILEGED);
    expect(duplicate).toMatchObject({ severity: 'high', message: expect.stringContaining('Kubernetes uses the last value (true)') });
    expect(runRule(pssPrivileged, HIDDEN_PRIVILEGED).map((f) => `${f.ruleId} ${f.path}`)).toEqual(['pss-privileged /spec/containers/0/securityContext/privileged']);
  });

  it('is high when a whole block is duplicated and differs inside on a security field', () => {
    const yaml = pod('  containers:\n    - name: app\n      image: app:1\n  securityContext: {runAsNonRoot: true}\n  securityContext: {runAsNonRoot: false}\n');
    expect(runRule(yamlDuplicateKey, yaml).map((f) => `${f.severity} ${f.path}`)).toEqual(['high /spec/securityContext']);
  });

  it('says the lines are of the rendered document for a chart render', () => {
    const [finding] = runRule(yamlDuplicateKey, HIDDEN_PRIVILEGED, { unit: 'chart' });
    expect(finding!.message).toContain('(lines 10 and 12 of the rendered document)');
  });

  it('is low when both values are equal or the field is not read by security rules', () => {
    expect(runRule(yamlDuplicateKey, pod('  containers:\n    - name: app\n      image: app:1\n  hostNetwork: true\n  hostNetwork: true\n')).map((f) => f.severity)).toEqual(['low']);
    expect(runRule(yamlDuplicateKey, pod('  containers:\n    - name: app\n      image: app:1\n  priority: 1\n  priority: 2\n')).map((f) => f.severity)).toEqual(['low']);
  });

  it('ends a comment at U+2028 as go-yaml does: what follows it is live', () => {
    const yaml = pod('  containers:\n    - name: app\n      image: app:1\n      securityContext:\n        privileged: false # hardened\u2028        privileged: true\n');
    expect(runRule(pssPrivileged, yaml).map((f) => f.path)).toEqual(['/spec/containers/0/securityContext/privileged']);
    expect(runRule(yamlDuplicateKey, yaml).map((f) => `${f.severity} ${f.path}`)).toEqual(['high /spec/containers/0/securityContext/privileged']);
  });

  it('applies a merge key written after the key it overrides, as go-yaml does', () => {
    const yaml = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nx-defaults: &open {privileged: true}\nspec:\n  containers:\n    - name: app\n      image: app:1\n      securityContext:\n        privileged: false\n        <<: *open\n';
    expect(runRule(pssPrivileged, yaml).map((f) => f.path)).toEqual(['/spec/containers/0/securityContext/privileged']);
  });

  it('reads YAML 1.1 booleans as Kubernetes does: privileged: on is privileged', () => {
    const yaml = pod('  containers:\n    - name: app\n      image: app:1\n      securityContext:\n        privileged: on\n');
    expect(runRule(pssPrivileged, yaml)).toHaveLength(1);
  });
});
