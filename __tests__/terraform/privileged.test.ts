// The acceptance case: the same privileged container as a kubernetes_deployment_v1, a
// kubernetes_manifest, a kubectl_manifest and a local chart deployed by helm_release gives the same PSS
// finding, each located at its own address (and at the .tf line that causes it where it can be found).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScannedObject } from '../../src/model/model.ts';
import { locateHelm } from '../../src/render/helm.ts';
import { loadPlanFile, renderHelmRelease } from '../../src/terraform/index.ts';
import { RULES } from '../../rules/index.ts';
import { repoRoot } from '../helpers/shared.ts';
import { fixture, loadPlanAt, planJson, run } from './helpers.ts';

const helms = [
  ['helm 3', process.env.PREADMIT_TEST_HELM3!],
  ['helm 4', process.env.PREADMIT_TEST_HELM4!],
] as const;
const PLAN = '__tests__/terraform/fixtures/privileged/plan.json';
const MAIN_TF = '__tests__/terraform/fixtures/privileged/main.tf';
const tfLines = readFileSync(fixture('privileged', 'main.tf'), 'utf8').split('\n');

describe.each(helms)('privileged container four ways (%s)', (_, helmPath) => {
  it('gives the same pss-privileged finding at each address', async () => {
    const plan = loadPlanAt(fixture('privileged', 'plan.json'));
    expect(plan.errors).toEqual([]);
    expect(plan.helmReleases).toHaveLength(1);
    const release = plan.helmReleases[0]!;
    expect(release).toMatchObject({ address: 'helm_release.web', name: 'web', namespace: 'apps', chartDir: path.join(repoRoot, '__tests__/terraform/fixtures/privileged/charts/web') });
    expect(release.set).toEqual([{ attribute: 'set', index: 0, name: 'privileged', value: 'true' }]);

    const helm = await locateHelm(helmPath);
    const rendered = await renderHelmRelease(release, { helm, timeoutMs: 60_000, repoRoot });
    expect(rendered.errors).toEqual([]);
    expect(rendered.chart).toMatchObject({ chart: '__tests__/terraform/fixtures/privileged/charts/web', name: 'web', objects: 1 });
    const objects: ScannedObject[] = [...plan.objects, ...rendered.objects];

    const findings = run(objects, RULES).filter((f) => f.ruleId === 'pss-privileged');
    const byAddress = Object.fromEntries(findings.map((f) => [f.source.address, f]));
    expect(Object.keys(byAddress).sort()).toEqual(['helm_release.web', 'kubectl_manifest.web', 'kubernetes_deployment_v1.web', 'kubernetes_manifest.web']);
    for (const finding of findings) {
      // the same finding...
      expect(finding).toMatchObject({
        ruleId: 'pss-privileged',
        severity: 'critical',
        category: 'pod-security',
        message: 'privileged: container "web" must not set securityContext.privileged=true',
        path: '/spec/template/spec/containers/0/securityContext/privileged',
        object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'apps' },
      });
      // ...located at its own address, in the .tf file, with the plan named
      expect(finding.source).toMatchObject({ kind: 'terraform', plan: PLAN, file: MAIN_TF, address: finding.source.address });
    }
    // the line of the attribute that causes it (the release block for the rendered chart)
    expect(tfLines[byAddress['kubernetes_deployment_v1.web']!.source.line! - 1]).toMatch(/^\s+privileged = true$/);
    expect(tfLines[byAddress['kubernetes_manifest.web']!.source.line! - 1]).toMatch(/^\s+privileged = true$/);
    expect(tfLines[byAddress['kubectl_manifest.web']!.source.line! - 1]).toMatch(/^\s+privileged: true$/);
    expect(tfLines[byAddress['helm_release.web']!.source.line! - 1]).toBe('resource "helm_release" "web" {');
    expect(byAddress['helm_release.web']!.source).toMatchObject({ chart: '__tests__/terraform/fixtures/privileged/charts/web', template: 'web/templates/deployment.yaml' });
    // four distinct findings, not deduplicated into one
    expect(new Set(findings.map((f) => f.fingerprint)).size).toBe(4);
  });

  it('renders with the release values and set entries from the plan, not the chart defaults', async () => {
    const plan = loadPlanAt(fixture('privileged', 'plan.json'));
    const release = { ...plan.helmReleases[0]!, set: [] };
    const rendered = await renderHelmRelease(release, { helm: await locateHelm(helmPath), timeoutMs: 60_000, repoRoot });
    expect(run(rendered.objects, RULES).filter((f) => f.ruleId === 'pss-privileged')).toEqual([]);
  });
});

describe('loadPlanFile: the whole Terraform input path in one call', () => {
  it('loads the plan, renders its local charts and returns a chart record', async () => {
    const loaded = await loadPlanFile(planJson(fixture('privileged', 'plan.json')), {
      file: fixture('privileged', 'plan.json'),
      repoRoot,
      helm: () => locateHelm(process.env.PREADMIT_TEST_HELM3!),
      timeoutMs: 60_000,
    });
    expect(loaded.errors).toEqual([]);
    expect(loaded.charts.map((c) => [c.chart, c.valueSet, c.objects])).toEqual([['__tests__/terraform/fixtures/privileged/charts/web', 'helm_release.web', 1]]);
    expect(loaded.objects.map((o) => o.source.address)).toEqual(['kubernetes_deployment_v1.web', 'kubernetes_manifest.web', 'kubectl_manifest.web', 'helm_release.web', 'helm_release.web']);
    expect(loaded.plan).toEqual({ formatVersion: '1.2', terraformVersion: '1.9.8', instances: 4 });
  });

  it('says per release when helm is not there to render a local chart', async () => {
    const loaded = await loadPlanFile(planJson(fixture('privileged', 'plan.json')), {
      file: fixture('privileged', 'plan.json'),
      repoRoot,
      helm: () => Promise.reject(new Error('no helm found on PATH')),
      timeoutMs: 60_000,
    });
    expect(loaded.errors).toEqual([{ kind: 'helm', file: MAIN_TF, line: 80, message: 'helm_release helm_release.web: the local chart cannot be rendered: no helm found on PATH' }]);
  });
});
