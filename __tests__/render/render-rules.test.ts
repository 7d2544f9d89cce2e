// render-divergence and render-lookup in the rule tester's terms: objects (as a chart render marks them)
// in, rule id and JSON pointer out. The marking itself (comparing renders, finding template lines) is
// covered with real helm in render-variants.test.ts; the comparison and the API-version table here.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.ts';
import type { RenderDependence, ScannedObject } from '../../src/model/model.ts';
import { divergingObjects, securityFields } from '../../src/render/render-variants.ts';
import { evaluate } from '../../src/engine/evaluate.ts';
import { apiVersionsFor, DEFAULT_KUBE_VERSION } from '../../src/render/kube-api-versions.ts';
import renderDivergence from '../../rules/render-divergence.ts';
import renderLookup from '../../rules/render-lookup.ts';
import { loadObjects } from '../helpers/rule-tester.ts';
import type { Rule } from '../../src/engine/rule-kit.ts';

const POD = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      annotations:
        checksum/secret: abc
    spec:
      containers:
        - name: web
          image: web:1
          env:
            - name: PASSWORD
              value: random-1
          securityContext:
            privileged: false
`;

function objectOf(yaml: string, dependence?: RenderDependence): ScannedObject {
  const object = loadObjects(yaml, 'chart')[0]!;
  if (dependence) object.renderDependence = dependence;
  return object;
}

function run(rule: Rule, object: ScannedObject): string[] {
  const config = defaultConfig();
  const { findings, errors } = evaluate([object], [rule], config);
  expect(errors).toEqual([]);
  return findings.map((f) => `${f.ruleId} ${f.path} ${f.source.templateLocation ? `${f.source.templateLocation.file}:${f.source.templateLocation.line}` : '-'}`);
}

const IS_UPGRADE = { construct: '.Release.IsUpgrade', file: 'chart/templates/all.yaml', line: 12 };

describe('render-divergence', () => {
  it('valid: an object without a divergence, or one whose fields do not differ', () => {
    expect(run(renderDivergence, objectOf(POD))).toEqual([]);
    expect(run(renderDivergence, objectOf(POD, { divergence: { variant: 'upgrade', fields: [], onlyInVariant: false, constructs: [IS_UPGRADE] } }))).toEqual([]);
  });

  it('invalid: a differing field, at its pointer and the branching line', () => {
    const object = objectOf(POD, {
      divergence: { variant: 'upgrade', fields: [{ pointer: '/spec/template/spec/containers/0/securityContext/privileged', main: 'false', variant: 'true' }], onlyInVariant: false, constructs: [IS_UPGRADE] },
    });
    expect(run(renderDivergence, object)).toEqual(['render-divergence /spec/template/spec/containers/0/securityContext/privileged chart/templates/all.yaml:12']);
  });

  it('invalid: an object only the variant renders, about the whole object; an archive line is named in the message only', () => {
    const object = objectOf(POD, {
      divergence: { variant: 'upgrade+extension-apis', fields: [{ pointer: '/spec/template/spec/hostPID', variant: 'true' }], onlyInVariant: true, constructs: [{ ...IS_UPGRADE, file: 'chart/charts/sub-1.0.0.tgz', inArchive: 'sub/templates/x.yaml' }] },
    });
    expect(run(renderDivergence, object)).toEqual(['render-divergence  -']);
    const config = defaultConfig();
    const [finding] = evaluate([object], [renderDivergence], config).findings;
    expect(finding!.message).toContain('chart/charts/sub-1.0.0.tgz (sub/templates/x.yaml:12)');
    expect(finding!.message).toContain('as helm upgrade renders it on a cluster with common CRD APIs');
  });
});

describe('render-lookup', () => {
  it('valid: no lookup or revision in the template', () => {
    expect(run(renderLookup, objectOf(POD))).toEqual([]);
  });

  it('invalid: the object, at the lookup line', () => {
    const object = objectOf(POD, { unknowable: [{ construct: 'lookup', file: 'chart/templates/_helpers.tpl', line: 3 }] });
    expect(run(renderLookup, object)).toEqual(['render-lookup  chart/templates/_helpers.tpl:3']);
  });
});

describe('comparing renders', () => {
  it('compares security fields only: a generated password or checksum is no divergence', () => {
    const main = loadObjects(POD, 'chart');
    const variant = loadObjects(POD.replace('random-1', 'random-2').replace('checksum/secret: abc', 'checksum/secret: def'), 'chart');
    expect(divergingObjects(main, variant)).toEqual([]);
    expect([...securityFields(main[0]!.raw).keys()]).toEqual(['/spec/template/spec/containers/0/securityContext/privileged', '/spec/template/spec/containers/0/image']);
  });

  it('reports changed, added and removed security fields', () => {
    const main = loadObjects(POD, 'chart');
    const variant = loadObjects(POD.replace('privileged: false', 'privileged: true').replace('    spec:\n      containers:', '    spec:\n      hostNetwork: true\n      containers:').replace('          image: web:1\n', ''), 'chart');
    const [diverging] = divergingObjects(main, variant);
    expect(diverging!.fields).toEqual([
      { pointer: '/spec/template/spec/containers/0/securityContext/privileged', main: 'false', variant: 'true' },
      { pointer: '/spec/template/spec/containers/0/image', main: '"web:1"' },
      { pointer: '/spec/template/spec/hostNetwork', variant: 'true' },
    ]);
  });

  it('matches a renamed object (a generated name) by its security fields, not as a new object', () => {
    const main = loadObjects(POD.replace('name: web\nspec', 'name: job-abcde\nspec'), 'chart');
    const variant = loadObjects(POD.replace('name: web\nspec', 'name: job-vwxyz\nspec'), 'chart');
    expect(divergingObjects(main, variant)).toEqual([]);
    const privileged = loadObjects(POD.replace('name: web\nspec', 'name: job-vwxyz\nspec').replace('privileged: false', 'privileged: true'), 'chart');
    expect(divergingObjects(main, privileged).map((d) => d.onlyInVariant)).toEqual([true]);
  });

  it('RBAC rules and Service exposure count; a ConfigMap does not', () => {
    const role = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\nrules:\n  - apiGroups: [""]\n    resources: ["pods"]\n    verbs: ["get"]\n';
    expect(divergingObjects(loadObjects(role, 'chart'), loadObjects(role.replace('"pods"', '"secrets"'), 'chart')).map((d) => d.fields.map((f) => f.pointer))).toEqual([['/rules/0/resources/0']]);
    const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "1"\n';
    expect(divergingObjects(loadObjects(configMap, 'chart'), loadObjects(configMap.replace('"1"', '"2"'), 'chart'))).toEqual([]);
  });
});

describe('API versions for --api-versions', () => {
  it('default 1.34: built-in group/versions and group/version/Kinds, no CRD groups', () => {
    expect(DEFAULT_KUBE_VERSION).toBe('1.34.0');
    const apis = apiVersionsFor(DEFAULT_KUBE_VERSION);
    expect(apis).toEqual(expect.arrayContaining(['v1', 'v1/Pod', 'apps/v1/Deployment', 'policy/v1/PodDisruptionBudget', 'resource.k8s.io/v1', 'networking.k8s.io/v1/ServiceCIDR', 'storage.k8s.io/v1/VolumeAttributesClass']));
    for (const gone of ['policy/v1beta1', 'policy/v1beta1/PodSecurityPolicy', 'batch/v1beta1/CronJob', 'flowcontrol.apiserver.k8s.io/v1beta3', 'monitoring.coreos.com/v1']) expect(apis).not.toContain(gone);
    expect(apiVersionsFor(DEFAULT_KUBE_VERSION, { extensions: true })).toEqual(expect.arrayContaining(['monitoring.coreos.com/v1/ServiceMonitor', 'cert-manager.io/v1']));
  });

  it('follows the configured version: what 1.28 served, the newest row above the table, nothing below it', () => {
    const v128 = apiVersionsFor('v1.28.3');
    expect(v128).toEqual(expect.arrayContaining(['flowcontrol.apiserver.k8s.io/v1beta2', 'flowcontrol.apiserver.k8s.io/v1beta3', 'authentication.k8s.io/v1/SelfSubjectReview']));
    expect(v128).not.toContain('resource.k8s.io/v1');
    expect(v128).not.toContain('admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy');
    expect(apiVersionsFor('1.36')).toEqual(apiVersionsFor('1.34'));
    expect(apiVersionsFor('1.21')).toEqual([]);
    expect(apiVersionsFor('not-a-version')).toEqual([]);
  });
});
