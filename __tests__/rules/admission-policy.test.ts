// rules/admission-policy: ValidatingAdmissionPolicies shipped among the scanned objects (or given with
// --policies) applied to every object as a CREATE request.
import { afterEach, describe, expect, it } from 'vitest';
import rule, { pointerOf } from '../../rules/admission-policy.ts';
import { clearAdmission, prepareAdmission } from '../../src/admission/prepared.ts';
import { prepareScanAdmission } from '../../src/pipeline/admission.ts';
import { defaultConfig } from '../../src/config/config.ts';
import { evaluate } from '../../src/engine/evaluate.ts';
import { loadObjects } from '../helpers/rule-tester.ts';

const POLICY = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: require-team-label}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]
  validations:
  - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
    message: every Deployment needs a team label
  - expression: "object.spec.replicas <= 3"
    messageExpression: "'at most 3 replicas, not ' + string(object.spec.replicas)"
`;
const binding = (name: string, actions: string) => `
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: ${name}}
spec: {policyName: require-team-label, validationActions: ${actions}}
`;
const deployment = (labels: string, replicas: number) => `
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod, labels: {${labels}}}
spec: {replicas: ${replicas}, selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: a, image: nginx}]}}}
`;

function run(yaml: string) {
  const objects = loadObjects(yaml);
  prepareAdmission(objects, []);
  const config = defaultConfig();
  config.rules[rule.meta.id] = { enabled: true, options: {} };
  return evaluate(objects, [rule], config).findings.filter((f) => f.ruleId === 'admission-policy');
}

afterEach(() => clearAdmission());

describe('admission-policy', () => {
  it('reports nothing for an object every validation admits', () => {
    expect(run(POLICY + binding('prod', '[Deny]') + deployment('team: a', 2))).toEqual([]);
  });
  it('reports nothing when the policy has no binding (not active)', () => {
    expect(run(POLICY + deployment('app: web', 9))).toEqual([]);
  });
  it('reports one finding per failed validation, Deny at high, with message, policy, binding and index', () => {
    const findings = run(POLICY + binding('prod', '[Deny]') + deployment('app: web', 5));
    expect(findings.map((f) => [f.severity, f.path, f.object.kind, f.message])).toEqual([
      ['high', '/metadata/labels', 'Deployment', 'Denied by ValidatingAdmissionPolicy require-team-label (binding prod, validation 0): every Deployment needs a team label'],
      ['high', '/spec/replicas', 'Deployment', 'Denied by ValidatingAdmissionPolicy require-team-label (binding prod, validation 1): at most 3 replicas, not 5'],
    ]);
    expect(new Set(findings.map((f) => f.fingerprint)).size).toBe(2);
  });
  it('Warn is medium and Audit low', () => {
    const findings = run(POLICY + binding('staging', '[Warn, Audit]') + deployment('team: a', 5));
    expect(findings.map((f) => [f.severity, f.message.split(' by ')[0]])).toEqual([['medium', 'Warned'], ['low', 'Audited']]);
  });
  it('a decision that needs the authorizer is unknown, never a pass', () => {
    const authz = POLICY.replace("object.spec.replicas <= 3", "authorizer.group('apps').resource('deployments').check('create').allowed()");
    const findings = run(authz + binding('prod', '[Deny]') + deployment('team: a', 1));
    expect(findings.map((f) => f.message)).toEqual([expect.stringContaining('needs the live cluster')]);
  });
  it('a policy that does not compile is a scan error naming the policy and the expression', () => {
    const objects = loadObjects(POLICY.replace("object.spec.replicas <= 3", 'object.spec.replicas <=') + binding('prod', '[Deny]'));
    const errors = prepareScanAdmission(objects, [], process.cwd());
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/^ValidatingAdmissionPolicy require-team-label: spec\.validations\[1\]\.expression does not compile: object\.spec\.replicas <=/)]);
  });
  it('locates a finding at the first object field its expression reads (or where a missing one belongs)', () => {
    const raw = { metadata: { name: 'web', labels: { app: 'web' } }, spec: { template: { spec: {} } } };
    expect(pointerOf("object.metadata.?labels[?'team'].orValue('') != ''", raw)).toBe('/metadata/labels');
    expect(pointerOf('object.spec.template.spec.hostNetwork != true', raw)).toBe('/spec/template/spec/hostNetwork');
    expect(pointerOf('object.spec.replicas.foo <= 3', raw)).toBe('/spec/replicas');
    expect(pointerOf('variables.images.all(i, i.startsWith("r/"))', raw)).toBe('');
    expect(pointerOf(undefined, raw)).toBe('');
  });
  it('a validation reading request.userInfo is unknown offline, even under failurePolicy Ignore', () => {
    const identity = POLICY.replace('spec:\n  matchConstraints', 'spec:\n  failurePolicy: Ignore\n  matchConstraints')
      .replace("object.spec.replicas <= 3", "request.userInfo.username != 'intruder'");
    const findings = run(identity + binding('prod', '[Deny]') + deployment('team: a', 1));
    expect(findings.map((f) => f.message)).toEqual([expect.stringMatching(/validation 1\) needs the live cluster to decide: .*request\.userInfo/)]);
  });
  it('maps a custom resource to its resource through a CRD of the scan (spec.names.plural), cluster-scoped kinds without namespace', () => {
    const yaml = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: crontabz.stable.example.com}
spec:
  group: stable.example.com
  scope: Cluster
  names: {kind: CronTab, plural: crontabz}
  versions: [{name: v1, served: true, storage: true}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: crontab-schedule}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [stable.example.com], apiVersions: [v1], operations: [CREATE], resources: [crontabz], scope: Cluster}]
  validations:
  - expression: "!has(object.metadata.namespace) && object.spec.schedule != '* * * * *'"
    message: no every-minute crontabs
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: all}
spec: {policyName: crontab-schedule, validationActions: [Deny]}
---
apiVersion: stable.example.com/v1
kind: CronTab
metadata: {name: every-minute}
spec: {schedule: '* * * * *'}
`;
    expect(run(yaml).map((f) => [f.object.kind, f.path, f.message])).toEqual([
      ['CronTab', '/metadata/namespace', 'Denied by ValidatingAdmissionPolicy crontab-schedule (binding all, validation 0): no every-minute crontabs'],
    ]);
  });
});
