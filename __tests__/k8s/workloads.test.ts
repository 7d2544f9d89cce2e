import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/pipeline/scan.ts';
import { podTemplateOf } from '../../src/k8s/workloads.ts';

const pod = { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'a', image: 'a:1' }] } };

describe('podTemplateOf', () => {
  it('labels Kubernetes workloads, known custom resources and shape-detected ones', () => {
    expect(podTemplateOf({ apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: pod } })).toMatchObject({ base: '/spec/template', origin: 'kubernetes', detected: 'kind' });
    expect(podTemplateOf({ apiVersion: 'apps.openshift.io/v1', kind: 'DeploymentConfig', spec: { template: pod } })).toMatchObject({ base: '/spec/template', origin: 'custom-resource', detected: 'kind' });
    expect(podTemplateOf({ apiVersion: 'v1', kind: 'DeploymentConfig', spec: { template: pod } })).toMatchObject({ origin: 'custom-resource', detected: 'kind' });
    expect(podTemplateOf({ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'AdvancedCronJob', spec: { template: { jobTemplate: { spec: { template: pod } } } } })).toMatchObject({ base: '/spec/template/jobTemplate/spec/template', detected: 'kind' });
    expect(podTemplateOf({ apiVersion: 'example.com/v1', kind: 'Widget', spec: { template: pod } })).toMatchObject({ base: '/spec/template', origin: 'custom-resource', detected: 'shape' });
    expect(podTemplateOf({ apiVersion: 'example.com/v1', kind: 'Widget', spec: { jobTargetRef: { template: pod } } })).toMatchObject({ base: '/spec/jobTargetRef/template', detected: 'shape' });
  });

  it('does not take a field merely named template for a pod', () => {
    const shapes: unknown[] = [
      'containers: []',
      { spec: { containers: [] } },
      { spec: { containers: ['a'] } },
      { spec: { containers: {} } },
      { metadata: 'x', spec: { containers: [{ image: 'a' }] } },
      [{ spec: { containers: [{ image: 'a' }] } }],
    ];
    for (const template of shapes) expect(podTemplateOf({ apiVersion: 'example.com/v1', kind: 'Widget', spec: { template } })).toBeUndefined();
    // Argo Workflows and Tekton keep steps in lists: each step is not a pod template by itself.
    expect(podTemplateOf({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', spec: { templates: [{ name: 'main', container: { image: 'a' } }] } })).toBeUndefined();
    // Kubernetes' own groups are known kind by kind: a shape there is not enough.
    expect(podTemplateOf({ apiVersion: 'apps/v1', kind: 'ControllerRevision', spec: { template: pod } })).toBeUndefined();
  });
});

describe('scan results', () => {
  it('record where each object keeps its pod, and which pods are custom resources judged as pods', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-workloads-'));
    writeFileSync(
      path.join(dir, 'app.yaml'),
      [
        'apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: hello}\nspec:\n  template:\n    spec:\n      containers: [{image: "ghcr.io/x/hello:1", securityContext: {privileged: true}}]\n',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: web, image: "web:1"}]\n',
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  jobTargetRef:\n    template:\n      spec:\n        containers: [{name: w, image: "w:1"}]\n',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {template: x}\n',
      ].join('---\n'),
    );
    const result = await scan({ paths: [path.join(dir, 'app.yaml')] });
    const byName = Object.fromEntries(result.objects.map((o) => [o.object.name, o]));
    expect(byName['hello']!.podTemplate).toEqual({ path: '/spec/template', origin: 'custom-resource', detected: 'kind' });
    expect(byName['web']!.podTemplate).toEqual({ path: '/spec/template', origin: 'kubernetes', detected: 'kind' });
    expect(byName['w']!.podTemplate).toEqual({ path: '/spec/jobTargetRef/template', origin: 'custom-resource', detected: 'shape' });
    expect(byName['c']!.podTemplate).toBeUndefined();
    expect(byName['hello']!.blastRadius?.rating).toBe('critical');
    expect(result.findings.filter((f) => f.ruleId === 'pss-privileged').map((f) => `${f.object.kind}/${f.object.name} ${f.path}`)).toEqual(['Service/hello /spec/template/spec/containers/0/securityContext/privileged']);
  });
});
