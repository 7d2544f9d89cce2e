// kubernetes_* resources that write into existing objects (kubernetes_env, *_v1_data) are judged; every
// other kubernetes_* type preadmit does not read is listed as not checked, never passed over silently.
import { describe, expect, it } from 'vitest';
import { loadPlan } from '../../src/terraform/index.ts';
import { RULES } from '../../rules/index.ts';
import { run } from './helpers.ts';

const change = (address: string, type: string, after: Record<string, unknown>) => ({
  address, mode: 'managed', type, name: address.split('.').pop(),
  change: { actions: ['create'], before: null, after, after_unknown: { id: true }, after_sensitive: {} },
});

const load = (changes: unknown[]) => loadPlan({ format_version: '1.2', resource_changes: changes }, { planFile: 'plan.json', planDir: '/nonexistent', repoRoot: '/nonexistent' });

const AWS = ['wJalrXUtnFEMI', '/K7MDENG/bPxRfiCYEXAMPLEKEY'].join('');

describe('kubernetes_* resources that write into existing objects', () => {
  it('kubernetes_env: a literal credential is reported at the env entry (tf-env-secret-literal), a secret reference is not', () => {
    const plan = load([change('kubernetes_env.web', 'kubernetes_env', {
      api_version: 'apps/v1', kind: 'Deployment', metadata: [{ name: 'web', namespace: 'apps' }], container: 'web', init_container: null, force: true, field_manager: 'Terraform',
      env: [
        { name: 'AWS_SECRET_ACCESS_KEY', value: AWS, value_from: [] },
        { name: 'DB_PASSWORD', value: '', value_from: [{ secret_key_ref: [{ name: 'db', key: 'password', optional: false }] }] },
        { name: 'LOG_LEVEL', value: 'debug', value_from: [] },
      ],
    })]);
    const findings = run(plan.objects, RULES);
    expect(findings.map((f) => [f.ruleId, f.path, f.severity])).toEqual([['tf-env-secret-literal', '/env/0/value', 'high']]);
    expect(findings[0]!.message).toBe('kubernetes_env sets AWS_SECRET_ACCESS_KEY on container "web" of Deployment apps/web to a literal value <redacted, 40 chars>; a variable named like a credential should come from a Secret');
    expect(JSON.stringify(findings)).not.toContain(AWS);
  });

  it('kubernetes_config_map_v1_data: the keys it writes are judged like a ConfigMap', () => {
    const plan = load([
      change('kubernetes_config_map_v1_data.cfg', 'kubernetes_config_map_v1_data', { metadata: [{ name: 'app-config', namespace: 'apps' }], data: { DB_PASSWORD: 'hunter2-S3cr3t!x' }, force: true, field_manager: 'Terraform' }),
      change('kubernetes_config_map_v1_data.ok', 'kubernetes_config_map_v1_data', { metadata: [{ name: 'app-config', namespace: 'apps' }], data: { LOG_LEVEL: 'info' }, force: true, field_manager: 'Terraform' }),
    ]);
    expect(run(plan.objects, RULES).map((f) => [f.ruleId, f.source.address, f.path])).toEqual([['secret-literal-configmap', 'kubernetes_config_map_v1_data.cfg', '/data/DB_PASSWORD']]);
  });

  it('kubernetes_annotations: a credential in an annotation or a template annotation is reported (secret-literal-annotation)', () => {
    const plan = load([change('kubernetes_annotations.web', 'kubernetes_annotations', {
      api_version: 'apps/v1', kind: 'Deployment', metadata: [{ name: 'web', namespace: 'apps' }], force: true, field_manager: 'Terraform',
      annotations: { 'example.com/db-password': 'hunter2-S3cr3t!x', owner: 'team-a' },
      template_annotations: { 'example.com/api-token': 'tok-9f8e7d6c5b4a3f2e1d0c' },
    })]);
    const findings = run(plan.objects, RULES);
    expect(findings.map((f) => [f.ruleId, f.path])).toEqual([
      ['secret-literal-annotation', '/metadata/annotations/example.com~1db-password'],
      ['secret-literal-annotation', '/spec/template/metadata/annotations/example.com~1api-token'],
    ]);
    expect(plan.skipped).toEqual([]);
  });

  it('lists every other kubernetes_* resource as not checked, with the reason', () => {
    const plan = load([
      change('kubernetes_labels.ns', 'kubernetes_labels', { api_version: 'v1', kind: 'Namespace', metadata: [{ name: 'apps' }], labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } }),
      change('kubernetes_persistent_volume_v1.pv', 'kubernetes_persistent_volume_v1', { metadata: [{ name: 'pv' }] }),
      change('aws_s3_bucket.b', 'aws_s3_bucket', { bucket: 'b' }),
    ]);
    expect(plan.skipped).toEqual(['kubernetes_labels.ns', 'kubernetes_persistent_volume_v1.pv'].map((address) => ({
      path: `plan.json: ${address}`,
      reason: `${address.split('.')[0]} writes to the cluster, and preadmit does not read this resource type: not checked`,
    })));
  });
});
