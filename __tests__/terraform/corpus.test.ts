// Every real plan of the shared corpus loads (or is rejected with the right message, see detect.test.ts),
// with the objects it should yield, and every rule runs on them; .tf lines come from the corpus tf-src trees.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyPlanFile } from '../../src/terraform/index.ts';
import { RULES } from '../../rules/index.ts';
import { sharedPath, skipMessage } from '../helpers/shared.ts';
import { byAddress, loadPlanAt, run, TF_RULES } from './helpers.ts';

const corpus = sharedPath('terraform', 'corpus');

/** plan file, resource instances read (managed, not deleted), objects by kind, errors (charts not analysable). */
const EXPECTED: [string, number, Record<string, number>, number][] = [
  ['824728350_ZodiacAE__AGW-kv-cert-tf-main__handled.rego.mock_config.json', 15, { azurerm_kubernetes_cluster: 1 }, 0],
  ['824728350_ZodiacAE__AKS-AGIC-diff-rg-tf-test-main__handled.rego.mock_config.json', 50, { azurerm_kubernetes_cluster: 5 }, 0],
  ['824728350_ZodiacAE__AKS-AGIC-tf-test-main__handled.rego.mock_config.json', 10, { azurerm_kubernetes_cluster: 1 }, 0],
  ['824728350_ZodiacAE__AKS-main_terraform__handled.rego.mock_config.json', 7, { azurerm_kubernetes_cluster: 1 }, 0],
  ['824728350_ZodiacAE__AKS_TF-main__handled.rego.mock_config.json', 28, { azurerm_kubernetes_cluster: 1 }, 0],
  ['824728350_ZodiacAE__DevOps-main_infrastructure_azure__handled.rego.mock_config.json', 41, { azurerm_kubernetes_cluster: 1, helm_release: 1 }, 1],
  ['824728350_ZodiacAE__DevOps_project-main__handled.rego.mock_config.json', 7, { azurerm_kubernetes_cluster: 1 }, 0],
  ['824728350_ZodiacAE__IaC-master_azure__handled.rego.mock_config.json', 7, { azurerm_kubernetes_cluster: 1 }, 0],
  ['824728350_ZodiacAE__aks-elk-cluster-with-helm-main_AKS_Cluster__handled.rego.mock_config.json', 11, { azurerm_kubernetes_cluster: 1 }, 0],
  ['824728350_ZodiacAE__aks-fos-main__handled.rego.mock_config.json', 16, { Ingress: 1, Namespace: 1, Pod: 1, Service: 1, azurerm_kubernetes_cluster: 1 }, 0],
  ['824728350_ZodiacAE__az-terra-main__handled.rego.mock_config.json', 7, { azurerm_kubernetes_cluster: 1 }, 0],
  ['824728350_ZodiacAE__ecommerce-ops-main_terraform__handled.rego.mock_config.json', 25, { azurerm_kubernetes_cluster: 1 }, 0],
  ['824728350_ZodiacAE__infrastructure-main_terraform__handled.rego.mock_config.json', 19, { azurerm_kubernetes_cluster: 1 }, 0],
  ['824728350_ZodiacAE__prueba-devsu-master_devops_iac__handled.rego.mock_config.json', 24, { azurerm_kubernetes_cluster: 1 }, 0],
  ['824728350_ZodiacAE__repro-502-main_terraform__handled.rego.mock_config.json', 12, { azurerm_kubernetes_cluster: 1 }, 0],
  ['824728350_ZodiacAE__terraform-aks-demo-main__handled.rego.mock_config.json', 19, { azurerm_kubernetes_cluster: 1 }, 0],
  ['824728350_ZodiacAE__terraform-aks-eks-clusters-main_terraform_azure__handled.rego.mock_config.json', 16, { azurerm_kubernetes_cluster: 1, helm_release: 2 }, 2],
  ['824728350_ZodiacAE__terraform-azure-aks-agic-main__handled.rego.mock_config.json', 44, { azurerm_kubernetes_cluster: 1 }, 0],
  ['Anupriya35_aws-kubernetes-cluster__plan.json', 37, { aws_eks_cluster: 1 }, 0],
  ['D4rk61_Cluster-K8s-en-GCP-GKE-__plan.json', 4, { google_container_cluster: 1 }, 0],
  ['GoogleCloudPlatform_terraform-google-conversion__pkg_tfplan2cai_resolvers_gke_custom_node_init.tfplan.json', 1, { google_container_cluster: 1 }, 0],
  ['GoogleCloudPlatform_terraform-validator__testdata_templates_example_container_cluster.tfplan.json', 3, { google_container_cluster: 1 }, 0],
  ['GoogleCloudPlatform_terraform-validator__testdata_templates_full_container_cluster.tfplan.json', 1, { google_container_cluster: 1 }, 0],
  ['GoogleCloudPlatform_terraform-validator__testdata_templates_full_container_node_pool.tfplan.json', 1, {}, 0],
  ['TorvusBog_gcp-k8s-cluster__tfplan.json', 4, { google_container_cluster: 1 }, 0],
  ['TripleAze_Production-Grade-Cloud-Native-DevOps-Platform__infra_plan.json', 82, { helm_release: 1, aws_eks_cluster: 1 }, 1],
  ['andresb39_devsecops-iac__tfplan.json', 76, { helm_release: 1, Namespace: 1, aws_eks_cluster: 1 }, 1],
  ['bridgecrewio_checkov__tests_terraform_runner_resources_plan_data_resource_partial_values_tfplan.json', 1, { aws_eks_cluster: 1 }, 0],
  ['bridgecrewio_checkov__tests_terraform_runner_resources_plan_nested_child_modules_tfplan.json', 3, { aws_eks_cluster: 3 }, 0],
  ['bridgecrewio_checkov__tests_terraform_runner_resources_plan_root_module_resources_no_values_tfplan.json', 1, { aws_eks_cluster: 1 }, 0],
  ['bridgecrewio_checkov__tests_terraform_runner_resources_plan_tfplan.json', 55, { aws_eks_cluster: 1 }, 0],
  ['cyse7125-su24-team11_infra-aws__infra_tfplan.json', 71, { helm_release: 1, Secret: 1, aws_eks_cluster: 1, Namespace: 2, ConfigMap: 1 }, 1],
  ['dedeveloper1818-source_demo-k8s-monitoring__terraform_tfplan.json', 3, { Deployment: 1, Namespace: 1, Secret: 1 }, 0],
  ['format-reference/hashicorp_terraform-json__testdata_110_basic_plan.json', 7, {}, 0],
  ['format-reference/hashicorp_terraform-json__testdata_110_sensitive_values_plan.json', 7, {}, 0],
  ['format-reference/hashicorp_terraform-json__testdata_120_basic_plan.json', 7, {}, 0],
  ['format-reference/hashicorp_terraform-json__testdata_action_reason_plan.json', 1, {}, 0],
  ['format-reference/hashicorp_terraform-json__testdata_deep_module_plan.json', 1, {}, 0],
  ['format-reference/hashicorp_terraform-json__testdata_has_checks_plan.json', 2, {}, 0],
  ['format-reference/hashicorp_terraform-json__testdata_moved_block_plan.json', 1, {}, 0],
  ['format-reference/kapilkumaria_cv-challenge-03__terraform_tfplan.json', 23, {}, 0],
  ['merakiki0514_TEAM3-INFRA-FRAME__infra_tfplan.json', 51, { aws_eks_cluster: 1 }, 0],
  ['open-policy-agent_conftest__examples_hcl1_gke-show.json', 2, { google_container_cluster: 1 }, 0],
];

const ALL_RULES = [...RULES, ...TF_RULES];

describe.skipIf(!corpus)('Terraform corpus: every real plan loads', () => {
  const load = (file: string, rootModuleDir?: string) => loadPlanAt(path.join(corpus!, file), { repoRoot: corpus!, ...(rootModuleDir ? { rootModuleDir: path.join(corpus!, rootModuleDir) } : {}) });

  it.each(EXPECTED)('%s', (file, instances, kinds, errors) => {
    const plan = load(file);
    expect(plan.instances).toBe(instances);
    const counts: Record<string, number> = {};
    for (const object of plan.objects) counts[object.ref.kind] = (counts[object.ref.kind] ?? 0) + 1;
    expect(counts).toEqual(kinds);
    expect(plan.errors).toHaveLength(errors);
    for (const error of plan.errors) expect(error).toMatchObject({ kind: 'dependency', message: expect.stringMatching(/^helm_release .*(not analysable offline|not found in the repository)/) });
    for (const object of plan.objects) {
      expect(object.source).toMatchObject({ kind: 'terraform', plan: file, file, address: expect.any(String) });
      expect(Array.isArray(object.unknown)).toBe(true);
    }
    // every rule runs on every object without failing
    expect(() => run(plan.objects, ALL_RULES)).not.toThrow();
  });

  it('covers every valid plan of the corpus', () => {
    const index = readFileSync(path.join(corpus!, 'INDEX.md'), 'utf8');
    const listed = [...index.matchAll(/^### `([^`]+\.json)`$/gm)].map((m) => m[1]!).filter((f) => !f.startsWith('edge-cases/'));
    expect(EXPECTED.map((e) => e[0]).sort()).toEqual(listed.sort());
  });

  it('converts the typed kubernetes resources of a real plan (kubernetes_deployment, with unknowns)', () => {
    const plan = load('dedeveloper1818-source_demo-k8s-monitoring__terraform_tfplan.json');
    const deployment = plan.objects.find((o) => o.ref.kind === 'Deployment')!;
    expect(deployment.ref).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'demo-api', namespace: 'demo-app' });
    expect(deployment.raw).toMatchObject({
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'demo-api' } },
        template: {
          metadata: { labels: { app: 'demo-api' } },
          spec: {
            automountServiceAccountToken: true,
            hostPID: false,
            containers: [{ name: 'demo-api', image: 'demo-api:local', ports: [{ containerPort: 5000, protocol: 'TCP' }], readinessProbe: { httpGet: { path: '/health', port: 5000 } } }],
          },
        },
      },
    });
    expect(deployment.unknown).toEqual(expect.arrayContaining(['/spec/template/spec/serviceAccountName', '/spec/template/spec/containers/0/resources', '/spec/strategy']));
  });

  it('never lets a Secret payload reach an object, nor a sensitive value a finding; both are handed to the redactor', () => {
    const plan = load('dedeveloper1818-source_demo-k8s-monitoring__terraform_tfplan.json');
    const findings = run(plan.objects, ALL_RULES);
    const text = JSON.stringify({ raw: plan.objects.map((o) => o.raw), findings });
    expect(text).not.toContain('ZGVtby1wYXNz'); // the secret's base64 password in the plan
    expect(text).not.toContain('ZGVtby11c2Vy');
    expect(plan.secrets).toEqual(expect.arrayContaining(['ZGVtby1wYXNz']));
    const cyse = load('cyse7125-su24-team11_infra-aws__infra_tfplan.json');
    const secret = cyse.objects.find((o) => o.ref.kind === 'Secret')!;
    expect(Object.values(secret.raw.data as object).every((v) => v === '<redacted>')).toBe(true);
  });

  it('reports the real privileged-by-default settings of a kubernetes_pod (aks-fos)', () => {
    const plan = load('824728350_ZodiacAE__aks-fos-main__handled.rego.mock_config.json');
    const findings = byAddress(run(plan.objects, ALL_RULES), 'kubernetes_pod.aspnet_app');
    expect(findings.map((f) => `${f.ruleId} ${f.path}`)).toEqual(expect.arrayContaining([
      'pss-allow-privilege-escalation /spec/containers/0/securityContext/allowPrivilegeEscalation',
      'pss-run-as-non-root /spec/securityContext/runAsNonRoot',
    ]));
    // the service account is unknown until apply (Optional+Computed, not configured): never reported as a plain violation
    const sa = findings.find((f) => f.ruleId === 'default-service-account');
    if (sa) expect(sa.message).toContain('unknown until apply');
  });

  it('judges the real clusters: EKS open to the internet, GKE legacy ABAC, AKS unknown ranges', () => {
    const eks = run(load('TripleAze_Production-Grade-Cloud-Native-DevOps-Platform__infra_plan.json').objects, TF_RULES);
    expect(eks.find((f) => f.ruleId === 'tf-eks-public-endpoint')).toMatchObject({ severity: 'high', path: '/vpc_config/0/public_access_cidrs/0', source: { address: 'module.eks.aws_eks_cluster.this[0]' } });
    const gke = run(load('D4rk61_Cluster-K8s-en-GCP-GKE-__plan.json').objects, TF_RULES);
    expect(gke.find((f) => f.ruleId === 'tf-gke-legacy-abac')).toMatchObject({ severity: 'high', path: '/enable_legacy_abac' });
    const aks = run(load('824728350_ZodiacAE__AKS_TF-main__handled.rego.mock_config.json').objects, TF_RULES);
    expect(aks.find((f) => f.ruleId === 'tf-aks-api-authorized-ranges')).toMatchObject({ severity: 'medium', message: expect.stringContaining('unknown until apply') });
    expect(aks.find((f) => f.ruleId === 'tf-aks-local-accounts')).toBeUndefined(); // local_account_disabled = true
    expect(aks.find((f) => f.ruleId === 'tf-aks-rbac')).toBeUndefined(); // RBAC and Entra ID on
  });

  it('names remote helm_release charts as not analysable offline and scans their values', () => {
    const plan = load('cyse7125-su24-team11_infra-aws__infra_tfplan.json');
    expect(plan.errors[0]).toMatchObject({ kind: 'dependency', message: expect.stringContaining('module.db.helm_release.postgresql: chart "postgresql" from https://charts.bitnami.com/bitnami version 15.5.9 is not in the repository and not analysable offline') });
    expect(plan.helmReleases).toEqual([]);
    const release = plan.objects.find((o) => o.ref.kind === 'helm_release')!;
    expect(release.raw).toMatchObject({ chartSource: 'remote', values: [expect.objectContaining({ postgresqlDatabase: 'cve' })] });
  });

  describe('locates findings in the .tf sources beside the plans (tf-src)', () => {
    it('a resource in a local module (./modules/eks), at the line of the attribute', () => {
      const plan = load('cyse7125-su24-team11_infra-aws__infra_tfplan.json', 'tf-src/cyse7125-su24-team11_infra-aws@7bc959b8/infra');
      const eks = plan.objects.find((o) => o.source.address === 'module.eks.aws_eks_cluster.eks')!;
      expect(eks.source).toMatchObject({ file: 'tf-src/cyse7125-su24-team11_infra-aws@7bc959b8/infra/modules/eks/main.tf', line: 7 });
      const text = readFileSync(path.join(corpus!, eks.source.file), 'utf8').split('\n');
      expect(text[6]).toMatch(/^resource "aws_eks_cluster" "eks"/);
      // public_access_cidrs is not written: the finding points at the vpc_config block that lacks it
      expect(text[eks.lineOf!('/vpc_config/0/public_access_cidrs')! - 1]).toMatch(/^\s*vpc_config\s*\{/);
      expect(text[eks.lineOf!('/enabled_cluster_log_types')! - 1]).toMatch(/^\s*enabled_cluster_log_types\s*=/);
      const findings = run(plan.objects, TF_RULES).filter((f) => f.source.address === 'module.eks.aws_eks_cluster.eks');
      // public_access_cidrs unset: AWS opens the public endpoint to 0.0.0.0/0, reported at the setting that makes it public
      expect(findings.find((f) => f.ruleId === 'tf-eks-public-endpoint')).toMatchObject({ severity: 'high', path: '/vpc_config/0/endpoint_public_access' });
      expect(findings.find((f) => f.ruleId === 'tf-eks-public-endpoint')?.source.line).toBe(eks.lineOf!('/vpc_config/0/endpoint_public_access'));
    });

    it('a module two levels down, resolved from configuration.module_calls (CRLF sources)', () => {
      const plan = load('Anupriya35_aws-kubernetes-cluster__plan.json', 'tf-src/Anupriya35_aws-kubernetes-cluster@4a37e12c');
      const eks = plan.objects.find((o) => o.ref.kind === 'aws_eks_cluster')!;
      expect(eks.source.file).toBe('tf-src/Anupriya35_aws-kubernetes-cluster@4a37e12c/modules/eks_master/main.tf');
      const text = readFileSync(path.join(corpus!, eks.source.file), 'utf8').split('\n');
      expect(text[eks.source.line! - 1]).toMatch(/^resource\s+"aws_eks_cluster"\s+"eks_cluster"/);
      expect(text[eks.lineOf!('/vpc_config/0/endpoint_public_access')! - 1]).toMatch(/endpoint_public_access|vpc_config/);
    });

    it('nested blocks and their attributes in a root module (GKE)', () => {
      const plan = load('TorvusBog_gcp-k8s-cluster__tfplan.json', 'tf-src/TorvusBog_gcp-k8s-cluster@f6f6f37c');
      const gke = plan.objects.find((o) => o.ref.kind === 'google_container_cluster')!;
      const text = readFileSync(path.join(corpus!, gke.source.file), 'utf8').split('\n');
      expect(text[gke.source.line! - 1]).toMatch(/^resource "google_container_cluster" "primary"/);
      expect(text[gke.lineOf!('/private_cluster_config/0/enable_private_nodes')! - 1]).toMatch(/^\s*enable_private_nodes\s*=\s*true/);
      expect(text[gke.lineOf!('/master_authorized_networks_config/0/cidr_blocks/0/cidr_block')! - 1]).toMatch(/^\s*cidr_block\s*=\s*"10\.0\.0\.0\/28"/);
    });

    it('a kubernetes_deployment: container attributes down to the probe port', () => {
      const plan = load('dedeveloper1818-source_demo-k8s-monitoring__terraform_tfplan.json', 'tf-src/dedeveloper1818-source_demo-k8s-monitoring@438c9e1a/terraform');
      const deployment = plan.objects.find((o) => o.ref.kind === 'Deployment')!;
      const text = readFileSync(path.join(corpus!, deployment.source.file), 'utf8').split('\n');
      expect(text[deployment.lineOf!('/spec/template/spec/containers/0/readinessProbe/httpGet/port')! - 1]).toMatch(/^\s*port\s*=\s*5000/);
      expect(text[deployment.lineOf!('/spec/replicas')! - 1]).toMatch(/^\s*replicas\s*=\s*2/);
      // a field the resource does not set: the nearest enclosing block (the container)
      expect(text[deployment.lineOf!('/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation')! - 1]).toMatch(/^\s*container\s*\{/);
      const findings = run(plan.objects, RULES).filter((f) => f.ruleId === 'pss-allow-privilege-escalation');
      expect(findings[0]!.source).toMatchObject({ kind: 'terraform', address: 'kubernetes_deployment.demo', file: deployment.source.file, line: deployment.lineOf!('/spec/template/spec/containers/0') });
    });

    it('a helm_release set entry (helm provider 3.x list of objects)', () => {
      const plan = load('TripleAze_Production-Grade-Cloud-Native-DevOps-Platform__infra_plan.json', 'tf-src/TripleAze_Production-Grade-Cloud-Native-DevOps-Platform@9bc5687a/infra');
      const release = plan.objects.find((o) => o.ref.kind === 'helm_release')!;
      const text = readFileSync(path.join(corpus!, release.source.file), 'utf8').split('\n');
      expect(text[release.source.line! - 1]).toMatch(/^resource "helm_release" "aws_lbc"/);
      expect(text[release.lineOf!('/set/4/value')! - 1]).toMatch(/vpcId|value/);
      // a registry module is not in the repository: its resources are located at the plan
      const eks = plan.objects.find((o) => o.ref.kind === 'aws_eks_cluster')!;
      expect(eks.source.file).toBe('TripleAze_Production-Grade-Cloud-Native-DevOps-Platform__infra_plan.json');
      expect(eks.source.line).toBeUndefined();
    });

    it('falls back to the plan when the committed source does not have the resource', () => {
      const plan = load('merakiki0514_TEAM3-INFRA-FRAME__infra_tfplan.json', 'tf-src/merakiki0514_TEAM3-INFRA-FRAME@5a34d16c/infra');
      // the plan names aws_eks_cluster.eks, the committed module has aws_eks_cluster.this
      expect(plan.objects[0]!.source).toEqual({ kind: 'terraform', file: 'merakiki0514_TEAM3-INFRA-FRAME__infra_tfplan.json', plan: 'merakiki0514_TEAM3-INFRA-FRAME__infra_tfplan.json', address: 'module.eks.aws_eks_cluster.eks' });
    });
  });
});

// Said once on stderr too: the default reporter lists skipped files, not their tests' names.
if (!corpus) console.warn(skipMessage('Terraform corpus suite'));
describe.skipIf(corpus)('Terraform corpus (absent)', () => {
  it.skip(skipMessage('Terraform corpus suite'), () => {});
});

// classifyPlanFile is exercised on the same files in detect.test.ts
void classifyPlanFile;
