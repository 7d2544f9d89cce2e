// Values a plan marks sensitive (after_sensitive) are in the plan in clear and reach the cluster as
// planned: the rules judge them, and no report prints them (the whole result is searched for them).
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/pipeline/scan.ts';
import type { ScanResult } from '../../src/model/model.ts';

interface Change {
  address: string;
  type: string;
  after: Record<string, unknown>;
  after_unknown?: unknown;
  after_sensitive?: unknown;
}

function planOf(changes: Change[]): string {
  return JSON.stringify({
    format_version: '1.2',
    terraform_version: '1.9.0',
    resource_changes: changes.map((c) => ({
      address: c.address,
      mode: 'managed',
      type: c.type,
      name: c.address.split('.').pop(),
      change: { actions: ['create'], before: null, after: c.after, after_unknown: c.after_unknown ?? {}, after_sensitive: c.after_sensitive ?? {} },
    })),
  });
}

async function scanPlan(changes: Change[]): Promise<ScanResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-tf-'));
  writeFileSync(path.join(dir, 'plan.json'), planOf(changes));
  return scan({ paths: [path.join(dir, 'plan.json')], helmPath: process.env.PREADMIT_TEST_HELM3! });
}

const binding = (sensitive: unknown): Change => ({
  address: 'kubernetes_cluster_role_binding_v1.ci',
  type: 'kubernetes_cluster_role_binding_v1',
  after: {
    metadata: [{ name: 'ci-admin', labels: null, annotations: null, generate_name: null }],
    role_ref: [{ api_group: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }],
    subject: [{ kind: 'ServiceAccount', name: 'ci-deployer', namespace: 'apps', api_group: '' }],
  },
  after_unknown: { metadata: [{ generation: true, resource_version: true, uid: true }], id: true },
  after_sensitive: sensitive,
});

const deployment = (env: unknown[], sensitive: unknown, container: Record<string, unknown> = {}): Change => ({
  address: 'kubernetes_deployment_v1.api',
  type: 'kubernetes_deployment_v1',
  after: {
    metadata: [{ name: 'api', namespace: 'apps' }],
    spec: [{
      replicas: '1',
      selector: [{ match_labels: { app: 'api' } }],
      template: [{ metadata: [{ labels: { app: 'api' } }], spec: [{ container: [{ name: 'api', image: 'api:1.0', env, ...container }] }] }],
    }],
  },
  after_sensitive: sensitive,
});

describe('sensitive values in a plan', () => {
  it('judges a sensitive role_ref name (cluster-admin) and keeps it out of the message', async () => {
    const result = await scanPlan([binding({ metadata: [{}], role_ref: [{ name: true }], subject: [{}] })]);
    const finding = result.findings.find((f) => f.ruleId === 'rbac-cluster-admin-binding');
    expect(finding).toMatchObject({ severity: 'critical', path: '/roleRef/name', source: { address: 'kubernetes_cluster_role_binding_v1.ci' } });
    expect(finding!.message).not.toContain('cluster-admin');
    expect(result.summary.verdict).toBe('fail');
  });

  it('passes a binding of a harmless role whose name is sensitive', async () => {
    const change = binding({ role_ref: [{ name: true }] });
    (change.after.role_ref as { name: string }[])[0]!.name = 'view';
    const result = await scanPlan([change]);
    expect(result.findings.filter((f) => f.ruleId === 'rbac-cluster-admin-binding')).toEqual([]);
  });

  it('judges sensitive subjects and hides them (short names too) in every report', async () => {
    const result = await scanPlan([binding({ subject: [{ name: true, namespace: true }] })]);
    const finding = result.findings.find((f) => f.ruleId === 'rbac-cluster-admin-binding');
    expect(finding?.path).toBe('/roleRef/name');
    expect(finding!.message).toContain('ServiceAccount ***/***');
    expect(JSON.stringify(result)).not.toContain('ci-deployer');
  });

  it('judges a sensitive EKS public_access_cidrs and does not print it', async () => {
    const result = await scanPlan([{
      address: 'aws_eks_cluster.prod',
      type: 'aws_eks_cluster',
      after: {
        name: 'prod',
        enabled_cluster_log_types: ['api', 'audit', 'authenticator'],
        encryption_config: [{ provider: [{ key_arn: 'arn:aws:kms:eu-west-1:1:key/k' }], resources: ['secrets'] }],
        vpc_config: [{ endpoint_private_access: true, endpoint_public_access: true, public_access_cidrs: ['0.0.0.0/0'], subnet_ids: ['subnet-1'] }],
      },
      after_sensitive: { vpc_config: [{ public_access_cidrs: true }] },
    }]);
    const finding = result.findings.find((f) => f.ruleId === 'tf-eks-public-endpoint');
    expect(finding).toMatchObject({ severity: 'high', path: '/vpc_config/0/public_access_cidrs/0' });
    expect(JSON.stringify(result.findings)).not.toContain('0.0.0.0/0');
  });

  it('judges a sensitive env value (a token under any name) without printing it', async () => {
    const token = ['xo', 'xb-', '2417093551-', '2417093551', 'Q7r8S9t0U1v2W3x4Y5z6A1b2'].join('');
    const result = await scanPlan([deployment([{ name: 'NOTIFY_URL', value: token, value_from: [] }], {
      spec: [{ template: [{ spec: [{ container: [{ env: [{ value: true }] }] }] }] }],
    })]);
    const finding = result.findings.find((f) => f.ruleId === 'secret-literal-env');
    expect(finding?.path).toBe('/spec/template/spec/containers/0/env/0/value');
    expect(JSON.stringify(result)).not.toContain(token);
  });

  it('judges sensitive helm_release values and set_sensitive entries of a remote chart, and does not call them clear-text credentials', async () => {
    const result = await scanPlan([{
      address: 'helm_release.agent',
      type: 'helm_release',
      after: {
        name: 'agent', namespace: 'ops', chart: 'agent', repository: 'https://charts.example.com', version: '1.0.0',
        values: ['auth:\n  password: S3cret-pw-123\n'],
        set: [], set_list: [], set_sensitive: [{ name: 'securityContext.privileged', type: '', value: 'true' }],
      },
      after_unknown: { id: true, manifest: true, metadata: true },
      after_sensitive: { values: [true], set_sensitive: [{ value: true }] },
    }]);
    const at = (rule: string) => result.findings.filter((f) => f.ruleId === rule).map((f) => f.path);
    expect(at('tf-helm-values-danger')).toEqual(['/set_sensitive/0/value']);
    expect(at('secret-literal-helm-release')).toEqual([]);
    expect(JSON.stringify(result)).not.toContain('S3cret-pw-123');
  });

  it('judges a sensitive kubernetes_manifest part', async () => {
    const result = await scanPlan([{
      address: 'kubernetes_manifest.crb',
      type: 'kubernetes_manifest',
      after: {
        manifest: {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'ci' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
          subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'apps' }],
        },
      },
      after_sensitive: { manifest: { roleRef: { name: true } } },
    }]);
    expect(result.findings.filter((f) => f.ruleId === 'rbac-cluster-admin-binding').map((f) => f.path)).toEqual(['/roleRef/name']);
  });
});
