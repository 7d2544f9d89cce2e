import { describe, expect, it } from 'vitest';
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
