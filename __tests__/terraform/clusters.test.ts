// Managed-cluster rules on aws_eks_cluster, google_container_cluster and azurerm_kubernetes_cluster:
// each passes, fails and says "unknown until apply" (at a lower severity) from hand-written plans that
// use the attribute names of several provider major versions.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/model.ts';
import type { Rule } from '../../src/engine/rule-kit.ts';
import { fixture, loadPlanAt, run, TF_RULES } from './helpers.ts';
import { loadPlan } from '../../src/terraform/index.ts';

const plan = loadPlanAt(fixture('clusters', 'plan.json'));
const findings = run(plan.objects, TF_RULES);
const rule = (id: string): Rule => TF_RULES.find((r) => r.meta.id === id)!;
const of = (id: string) => findings.filter((f) => f.ruleId === id).map((f) => `${f.source.address} ${f.path} ${f.severity}${f.message.includes('unknown until apply') ? ' unknown' : ''}`);

describe('cluster pseudo-objects', () => {
  it('stand for each cluster resource, named by address, raw = planned values, sensitive ones listed and never in a finding', () => {
    const aks = plan.objects.find((o) => o.source.address === 'azurerm_kubernetes_cluster.good')!;
    expect(aks.ref).toEqual({ apiVersion: 'terraform/v1', kind: 'azurerm_kubernetes_cluster', name: 'azurerm_kubernetes_cluster.good' });
    expect(aks.raw.kube_config_raw).toContain('AKS-KUBECONFIG-SECRET-TOKEN');
    expect(aks.sensitive).toEqual([aks.raw.kube_config_raw]);
    expect(plan.secrets).toContain(aks.raw.kube_config_raw);
    expect(JSON.stringify(findings)).not.toContain('AKS-KUBECONFIG-SECRET-TOKEN');
    expect(plan.objects.find((o) => o.source.address === 'aws_eks_cluster.whole')!.unknown).toEqual(['']);
  });

  it('have rules that read only them', () => {
    for (const id of ['tf-eks-public-endpoint', 'tf-eks-secrets-encryption', 'tf-eks-control-plane-logging', 'tf-gke-legacy-abac', 'tf-gke-network-policy', 'tf-gke-master-authorized-networks', 'tf-gke-private-nodes', 'tf-gke-workload-identity', 'tf-gke-shielded-nodes', 'tf-aks-rbac', 'tf-aks-local-accounts', 'tf-aks-api-authorized-ranges', 'tf-aks-network-policy']) {
      const r = rule(id);
      expect(r, id).toBeDefined();
      expect(r.target).toBe('object');
      expect(r.meta.messages.unknown).toContain('unknown until apply');
    }
  });
});

describe('EKS', () => {
  it('tf-eks-public-endpoint: 0.0.0.0/0 fails, private or restricted passes, unset CIDRs are unknown (AWS would open them)', () => {
    expect(of('tf-eks-public-endpoint')).toEqual([
      'aws_eks_cluster.open /vpc_config/0/public_access_cidrs/1 high',
      'module.eks.aws_eks_cluster.this[0] /vpc_config/0/public_access_cidrs medium unknown',
      'aws_eks_cluster.whole  medium unknown',
    ]);
    expect(findings.find((f) => f.ruleId === 'tf-eks-public-endpoint' && f.source.address === 'module.eks.aws_eks_cluster.this[0]')!.message).toBe('vpc_config[0].public_access_cidrs is unknown until apply: which addresses may reach the public endpoint (AWS opens it to 0.0.0.0/0 when the attribute is unset)');
  });

  it('tf-eks-public-endpoint: public_access_cidrs the configuration leaves unset is 0.0.0.0/0 (high, as written out); set from a value known at apply it stays unknown', () => {
    const eks = (cidrs: Record<string, unknown> | undefined) => loadPlan({
      format_version: '1.2',
      resource_changes: [{
        address: 'module.eks.aws_eks_cluster.prod', mode: 'managed', type: 'aws_eks_cluster', name: 'prod',
        change: {
          actions: ['create'], before: null,
          after: { name: 'prod', enabled_cluster_log_types: ['api', 'audit', 'authenticator'], encryption_config: [{ provider: [{ key_arn: 'k' }], resources: ['secrets'] }], vpc_config: [{ endpoint_private_access: false, endpoint_public_access: true, subnet_ids: ['subnet-1'] }] },
          after_unknown: { vpc_config: [{ cluster_security_group_id: true, public_access_cidrs: true, vpc_id: true }] }, after_sensitive: {},
        },
      }],
      configuration: { root_module: { module_calls: { eks: { source: './eks', module: { resources: [{
        address: 'aws_eks_cluster.prod', mode: 'managed', type: 'aws_eks_cluster', name: 'prod',
        expressions: { name: { constant_value: 'prod' }, vpc_config: [{ endpoint_public_access: { constant_value: true }, subnet_ids: { constant_value: ['subnet-1'] }, ...cidrs }] },
      }] } } } } },
    }, { planFile: 'plan.json', planDir: '/nonexistent', repoRoot: '/nonexistent' });
    const verdict = (cidrs?: Record<string, unknown>) => run(eks(cidrs).objects, [rule('tf-eks-public-endpoint')]).map((f) => `${f.path} ${f.severity}${f.message.includes('unknown until apply') ? ' unknown' : ''}`);
    expect(verdict()).toEqual(['/vpc_config/0/endpoint_public_access high']);
    expect(verdict({ public_access_cidrs: { references: ['aws_eip.nat.public_ip', 'aws_eip.nat'] } })).toEqual(['/vpc_config/0/public_access_cidrs medium unknown']);
  });

  it('tf-eks-secrets-encryption', () => {
    expect(of('tf-eks-secrets-encryption')).toEqual([
      'aws_eks_cluster.open /encryption_config medium',
      'aws_eks_cluster.restricted /encryption_config/0/resources medium',
      'module.eks.aws_eks_cluster.this[0] /encryption_config low unknown',
      'aws_eks_cluster.whole  low unknown',
    ]);
  });

  it('tf-eks-control-plane-logging', () => {
    expect(of('tf-eks-control-plane-logging')).toEqual([
      'aws_eks_cluster.open /enabled_cluster_log_types medium',
      'aws_eks_cluster.restricted /enabled_cluster_log_types medium',
      'module.eks.aws_eks_cluster.this[0] /enabled_cluster_log_types low unknown',
      'aws_eks_cluster.whole  low unknown',
    ]);
    expect(findings.find((f) => f.ruleId === 'tf-eks-control-plane-logging')!.message).toBe('EKS control-plane logging lacks audit, authenticator');
  });
});

describe('GKE (google provider 3.x to 6.x attribute names)', () => {
  it('tf-gke-legacy-abac', () => {
    expect(of('tf-gke-legacy-abac')).toEqual(['google_container_cluster.bad /enable_legacy_abac high', 'google_container_cluster.later /enable_legacy_abac medium unknown']);
  });
  it('tf-gke-network-policy: Calico or Dataplane V2 pass', () => {
    expect(of('tf-gke-network-policy')).toEqual(['google_container_cluster.bad /network_policy medium', 'google_container_cluster.later /datapath_provider low unknown']);
  });
  it('tf-gke-master-authorized-networks', () => {
    expect(of('tf-gke-master-authorized-networks')).toEqual([
      'google_container_cluster.bad /master_authorized_networks_config high',
      'google_container_cluster.v3 /master_authorized_networks_config/0/cidr_blocks/0/cidr_block high',
      'google_container_cluster.later /master_authorized_networks_config medium unknown',
    ]);
  });
  it('tf-gke-private-nodes', () => {
    expect(of('tf-gke-private-nodes')).toEqual([
      'google_container_cluster.bad /private_cluster_config medium',
      'google_container_cluster.v3 /private_cluster_config/0/enable_private_nodes medium',
      'google_container_cluster.later /private_cluster_config/0/enable_private_nodes low unknown',
    ]);
  });
  it('tf-gke-workload-identity: workload_pool (4.x+) and identity_namespace (3.x) both count', () => {
    expect(of('tf-gke-workload-identity')).toEqual(['google_container_cluster.bad /workload_identity_config medium', 'google_container_cluster.later /workload_identity_config low unknown']);
  });
  it('tf-gke-shielded-nodes', () => {
    expect(of('tf-gke-shielded-nodes')).toEqual(['google_container_cluster.bad /enable_shielded_nodes medium', 'google_container_cluster.later /enable_shielded_nodes low unknown']);
  });
});

describe('AKS (azurerm 2.x, 3.x and 4.x attribute names)', () => {
  it('tf-aks-rbac: RBAC off fails; Entra ID from either generation of attributes passes', () => {
    expect(of('tf-aks-rbac')).toEqual([
      'azurerm_kubernetes_cluster.bad /role_based_access_control_enabled high',
      'azurerm_kubernetes_cluster.later /role_based_access_control_enabled medium unknown',
      'azurerm_kubernetes_cluster.later /azure_active_directory_role_based_access_control low',
    ]);
  });
  it('tf-aks-local-accounts', () => {
    expect(of('tf-aks-local-accounts')).toEqual([
      'azurerm_kubernetes_cluster.bad /local_account_disabled medium',
      'azurerm_kubernetes_cluster.v2 /local_account_disabled medium',
      'azurerm_kubernetes_cluster.later /local_account_disabled low unknown',
    ]);
  });
  it('tf-aks-api-authorized-ranges: 3.x/4.x api_server_access_profile and 2.x api_server_authorized_ip_ranges; private clusters pass', () => {
    expect(of('tf-aks-api-authorized-ranges')).toEqual([
      'azurerm_kubernetes_cluster.bad /api_server_access_profile/0/authorized_ip_ranges high',
      'azurerm_kubernetes_cluster.v2 /api_server_authorized_ip_ranges/0 high',
      'azurerm_kubernetes_cluster.later /private_cluster_enabled medium unknown',
    ]);
  });
  it('tf-aks-network-policy', () => {
    expect(of('tf-aks-network-policy')).toEqual([
      'azurerm_kubernetes_cluster.bad /network_profile/0/network_policy medium',
      'azurerm_kubernetes_cluster.private /network_profile/0/network_policy low unknown',
      'azurerm_kubernetes_cluster.later /network_profile low unknown',
    ]);
  });
});

describe('cluster findings', () => {
  it('carry the terraform source and never block at the default fail-on when unknown', () => {
    for (const finding of findings as Finding[]) {
      expect(finding.source).toMatchObject({ kind: 'terraform', plan: '__tests__/terraform/fixtures/clusters/plan.json', address: finding.object.name });
      if (finding.message.includes('unknown until apply')) expect(['medium', 'low', 'info']).toContain(finding.severity);
    }
  });
});
