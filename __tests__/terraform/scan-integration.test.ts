// Plans through the whole pipeline: found by content, judged by the same rules, located at .tf lines.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/pipeline/scan.ts';
import { repoRoot } from '../helpers/shared.ts';

const fixture = path.join(repoRoot, '__tests__', 'terraform', 'fixtures', 'privileged');

describe('Terraform plans in a scan', () => {
  it('gives the same PSS finding for a typed resource, kubernetes_manifest, kubectl_manifest and a local chart via helm_release, each at its address and .tf line', async () => {
    const result = await scan({ paths: [path.join(fixture, 'plan.json')], helmPath: process.env.PREADMIT_TEST_HELM3! });
    expect(result.errors).toEqual([]);
    const privileged = result.findings.filter((f) => f.ruleId === 'pss-privileged');
    expect(privileged.map((f) => [f.source.address, f.path, f.message]).sort()).toEqual(
      ['helm_release.web', 'kubectl_manifest.web', 'kubernetes_deployment_v1.web', 'kubernetes_manifest.web'].map((address) => [
        address,
        '/spec/template/spec/containers/0/securityContext/privileged',
        'privileged: container "web" must not set securityContext.privileged=true',
      ]),
    );
    for (const finding of privileged) {
      expect(finding.source).toMatchObject({ kind: 'terraform', plan: '__tests__/terraform/fixtures/privileged/plan.json', file: '__tests__/terraform/fixtures/privileged/main.tf' });
      expect(finding.source.line).toBeGreaterThan(1);
    }
    expect(result.summary.verdict).toBe('fail');
  });

  it('judges the items of a kind: List that carries plan keys (format_version, planned_values), named or found in a directory', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-tf-list-'));
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'evil' }, spec: { hostPID: true, containers: [{ name: 'c', image: 'busybox:1', securityContext: { privileged: true } }] } };
    writeFileSync(path.join(dir, 'list.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', format_version: '1.2', planned_values: {}, items: [pod] }, null, 2));
    // the same as a stream: a List with plan keys, then a Pod (kubectl applies both)
    writeFileSync(path.join(dir, 'stream.json'), `${JSON.stringify({ apiVersion: 'v1', kind: 'List', format_version: '1.2', planned_values: {}, items: [] })}\n${JSON.stringify({ ...pod, metadata: { name: 'evil2' } })}\n`);
    for (const paths of [[path.join(dir, 'list.json'), path.join(dir, 'stream.json')], [dir]]) {
      const result = await scan({ paths });
      const found = result.findings.filter((f) => f.ruleId === 'pss-privileged' || f.ruleId === 'pss-host-namespaces').map((f) => `${f.ruleId} ${f.object.name} ${f.path}`);
      expect(found.sort()).toEqual([
        'pss-host-namespaces evil /spec/hostPID',
        'pss-host-namespaces evil2 /spec/hostPID',
        'pss-privileged evil /spec/containers/0/securityContext/privileged',
        'pss-privileged evil2 /spec/containers/0/securityContext/privileged',
      ]);
      // the plan reading of the stream is refused (Terraform writes one value); the List's is an empty plan
      expect(result.errors.map((e) => `${path.basename(e.file)} ${e.message}`)).toEqual([expect.stringMatching(/^stream\.json Terraform plan JSON is invalid or truncated: unexpected data after the JSON value/)]);
    }
  });

  it('rejects a plan -json log stream and a truncated plan with clear errors, and scans the rest', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-plans-'));
    writeFileSync(path.join(dir, 'log.json'), '{"@level":"info","@message":"Terraform 1.9.0","@module":"terraform.ui","type":"version"}\n{"@level":"info","@message":"Plan: 1 to add","type":"change_summary"}\n');
    writeFileSync(path.join(dir, 'truncated.json'), '{"format_version":"1.2","terraform_version":"1.9.0","planned_values":{"root_module":{"resources":[');
    writeFileSync(path.join(dir, 'pod.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: c:1, securityContext: {privileged: true}}]\n');
    const result = await scan({ paths: [dir] });
    const errors = Object.fromEntries(result.errors.map((e) => [path.basename(e.file), e.message]));
    expect(errors['log.json']).toMatch(/terraform plan -json log stream, not a plan/);
    expect(errors['truncated.json']).toMatch(/invalid or truncated/);
    expect(result.findings.some((f) => f.ruleId === 'pss-privileged' && f.source.file.endsWith('pod.yaml'))).toBe(true);
  });
});
