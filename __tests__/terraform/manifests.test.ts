// kubernetes_manifest (the manifest attribute is the object) and kubectl_manifest (yaml_body, sensitive; its first document is applied).
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { loadPlan } from '../../src/terraform/index.ts';
import { fixture, loadPlanAt, run, TF_RULES } from './helpers.ts';

const plan = loadPlanAt(fixture('manifests', 'plan.json'));
const objects = plan.objects;
const at = (address: string) => objects.filter((o) => o.source.address === address);

describe('kubernetes_manifest', () => {
  it('scans the manifest as written, with the unknown fields recorded', () => {
    const [worker] = at('kubernetes_manifest.worker');
    expect(worker!.ref).toEqual({ apiVersion: 'v1', kind: 'Pod', name: 'worker', namespace: 'jobs' });
    expect(worker!.raw).toMatchObject({ spec: { containers: [{ name: 'worker', securityContext: { runAsNonRoot: true } }] } });
    expect(worker!.unknown).toEqual(['/spec/containers/0/image', '/spec/containers/0/securityContext/privileged']);
  });

  it('reports values a security check reads as unknown until apply, never as safe', () => {
    const findings = run(at('kubernetes_manifest.worker'), [...RULES, ...TF_RULES]);
    const unknown = findings.filter((f) => f.ruleId === 'tf-unknown-until-apply').map((f) => [f.path, f.severity]);
    expect(unknown).toEqual([['/spec/containers/0/image', 'low'], ['/spec/containers/0/securityContext/privileged', 'low']]);
    // privileged is unknown: no pss-privileged violation either way
    expect(findings.find((f) => f.ruleId === 'pss-privileged')).toBeUndefined();
  });

  it('redacts sensitive values of a manifest and every Secret payload', () => {
    const [secret] = at('kubernetes_manifest.api_key');
    expect(secret!.raw).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'api-key', namespace: 'jobs' }, type: 'Opaque', stringData: { key: '<redacted>' } });
  });

  it('stands for a manifest unknown as a whole with a pseudo-object reported as unknown until apply', () => {
    const [later] = at('kubernetes_manifest.later');
    expect(later!.ref).toEqual({ apiVersion: 'terraform/v1', kind: 'kubernetes_manifest', name: 'kubernetes_manifest.later' });
    expect(later!.unknown).toEqual(['']);
    const findings = run([later!], [...RULES, ...TF_RULES]);
    expect(findings).toEqual([expect.objectContaining({ ruleId: 'tf-unknown-until-apply', path: '', severity: 'medium', message: 'kubernetes_manifest kubernetes_manifest.later is unknown until apply: it could not be checked' })]);
  });
});

describe('kubectl_manifest', () => {
  it('reads the first document of yaml_body, the one the provider applies, and says the others are dropped', () => {
    const bundle = at('kubectl_manifest.tools["bundle"]');
    expect(bundle.map((o) => `${o.ref.kind}/${o.ref.name}@${o.source.document}`)).toEqual(['Namespace/tools@0', 'kubectl_manifest/kubectl_manifest.tools["bundle"]@undefined']);
    expect(bundle[0]!.raw).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tools', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } });
    const findings = run(bundle, [...RULES, ...TF_RULES]);
    expect(findings.filter((f) => f.ruleId === 'tf-kubectl-ignored-documents').map((f) => [f.path, f.severity, f.message])).toEqual([
      ['/yaml_body', 'low', 'yaml_body has 2 more YAML document(s) after the first (document 2, 3): the kubectl provider applies only the first, so they never reach the cluster and were not checked'],
    ]);
    // the ClusterRoleBinding of document 3 is never applied: no finding on it
    expect(findings.some((f) => f.object.kind === 'ClusterRoleBinding')).toBe(false);
  });

  it('redacts the Secret payloads of yaml_body and never shows yaml_body in a message', () => {
    const secret = at('kubectl_manifest.tools["token"]')[0]!;
    expect(secret.raw).toMatchObject({ stringData: { token: '<redacted>' }, data: { other: '<redacted>' } });
    expect(plan.errors).toEqual([{ kind: 'parse', file: '__tests__/terraform/fixtures/manifests/plan.json', message: 'kubectl_manifest.bad: yaml_body is not valid YAML (document 1, line 7); its content is not shown because it is sensitive' }]);
    const findings = run(objects, [...RULES, ...TF_RULES]);
    for (const secretText of ['KUBECTL-SECRET-ghp_abcdefghijklmnop', 'S1VCRUNUTC1CQVNFNjQtU0VDUkVU', 'KUBECTL-BAD-YAML-SECRET', 'MANIFEST-SECRET-sk_live_0123456789']) {
      expect(JSON.stringify(findings)).not.toContain(secretText);
    }
    // Secret payloads never reach an object; other sensitive parts are judged and listed for the redactor
    const raws = JSON.stringify(objects.map((o) => o.raw));
    for (const secretText of ['KUBECTL-SECRET-ghp_abcdefghijklmnop', 'S1VCRUNUTC1CQVNFNjQtU0VDUkVU', 'KUBECTL-BAD-YAML-SECRET']) expect(raws).not.toContain(secretText);
    expect(plan.secrets).toContain('MANIFEST-SECRET-sk_live_0123456789');
  });

  it('judges sensitive_fields (the provider applies them; it only hides them from display) and keeps them out of messages', () => {
    const loaded = loadPlanAt(fixture('manifests', 'plan.json'));
    const json = (after: Record<string, unknown>) => ({ format_version: '1.2', resource_changes: [{ address: 'kubectl_manifest.x', mode: 'managed', type: 'kubectl_manifest', name: 'x', change: { actions: ['create'], before: null, after, after_unknown: { yaml_body_parsed: true }, after_sensitive: { yaml_body: true } } }] });
    const body = 'apiVersion: v1\nkind: Pod\nmetadata: {name: x, namespace: apps}\nspec:\n  hostPID: true\n  containers:\n  - name: runner-7f3a\n    image: busybox\n    securityContext: {privileged: true}\n';
    const hidden = loadPlan(json({ yaml_body: body, sensitive_fields: ['spec'], override_namespace: null }), { planFile: 'plan.json', planDir: '/nonexistent', repoRoot: '/nonexistent' });
    const findings = run(hidden.objects, RULES);
    expect(findings.filter((f) => f.ruleId === 'pss-privileged' || f.ruleId === 'pss-host-namespaces').map((f) => f.path).sort()).toEqual(['/spec/containers/0/securityContext/privileged', '/spec/hostPID']);
    expect(JSON.stringify(findings)).not.toContain('runner-7f3a');
    expect(hidden.secrets).toContain('runner-7f3a');
    expect(loaded.errors).toHaveLength(1);
  });

  it('applies override_namespace', () => {
    const [shell] = at('kubectl_manifest.shell[0]');
    expect(shell!.ref).toEqual({ apiVersion: 'v1', kind: 'Pod', name: 'shell', namespace: 'debug' });
    const findings = run([shell!], RULES).filter((f) => f.ruleId === 'pss-host-namespaces');
    expect(findings).toEqual([expect.objectContaining({ path: '/spec/hostPID', source: expect.objectContaining({ address: 'kubectl_manifest.shell[0]' }) })]);
  });

  it('stands for a yaml_body unknown until apply with a pseudo-object', () => {
    const [pending] = at('kubectl_manifest.pending');
    expect(pending!.ref).toEqual({ apiVersion: 'terraform/v1', kind: 'kubectl_manifest', name: 'kubectl_manifest.pending' });
    expect(run([pending!], TF_RULES).map((f) => f.message)).toEqual(['kubectl_manifest kubectl_manifest.pending is unknown until apply: it could not be checked']);
  });

  it('joins objects of the plan: the ClusterRoleBinding of yaml_body grants the default service account cluster-admin', () => {
    const findings = run(objects, RULES);
    expect(findings.some((f) => f.source.address === 'kubectl_manifest.tools["admin"]' && f.object.kind === 'ClusterRoleBinding')).toBe(true);
  });
});
