// Where ValidatingAdmissionPolicies come from: admission.policies in .preadmit.yaml (confined to the
// repository), --policies / ScanOptions.policies, and the scanned objects themselves.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/pipeline/scan.ts';
import { renderMarkdown } from '../../src/reporters/markdown.ts';
import { workspace, writeTree } from '../hostile/helpers.ts';

const POLICY = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: require-team-label}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]
  validations:
  - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
    message: every Deployment needs a team label
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: prod}
spec: {policyName: require-team-label, validationActions: [Deny]}
`;
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: a, image: nginx}]}}}
`;

function repo(files: Record<string, string>): string {
  const dir = workspace();
  mkdirSync(path.join(dir, '.git'));
  writeTree(dir, files);
  return dir;
}
const denials = (result: Awaited<ReturnType<typeof scan>>) => result.findings.filter((f) => f.ruleId === 'admission-policy').map((f) => f.message);
const DENIED = 'Denied by ValidatingAdmissionPolicy require-team-label (binding prod, validation 0): every Deployment needs a team label';

describe('admission policy sources', () => {
  it('admission.policies in .preadmit.yaml (a folder)', async () => {
    const dir = repo({ '.preadmit.yaml': 'admission:\n  policies: [platform]\n', 'platform/vap.yaml': POLICY, 'deploy/app.yaml': DEPLOYMENT });
    const result = await scan({ paths: [path.join(dir, 'deploy')] });
    expect(denials(result)).toEqual([DENIED]);
  });
  it('ScanOptions.policies (--policies) with a file', async () => {
    const dir = repo({ 'vap.yaml': POLICY, 'deploy/app.yaml': DEPLOYMENT });
    const result = await scan({ paths: [path.join(dir, 'deploy')], policies: [path.join(dir, 'vap.yaml')] });
    expect(denials(result)).toEqual([DENIED]);
  });
  it('policies shipped among the scanned manifests', async () => {
    const dir = repo({ 'deploy/vap.yaml': POLICY, 'deploy/app.yaml': DEPLOYMENT });
    const result = await scan({ paths: [path.join(dir, 'deploy')] });
    expect(denials(result)).toEqual([DENIED]);
  });
  it('a missing policy path is a scan error naming it', async () => {
    const dir = repo({ 'deploy/app.yaml': DEPLOYMENT });
    const result = await scan({ paths: [path.join(dir, 'deploy')], policies: [path.join(dir, 'nope')] });
    expect(result.errors).toEqual([expect.objectContaining({ kind: 'config', file: 'nope', message: 'policy path does not exist' })]);
  });
  it('a configuration inside the repository may not name policies outside it', async () => {
    const dir = repo({ '.preadmit.yaml': 'admission:\n  policies: [../../etc]\n', 'deploy/app.yaml': DEPLOYMENT });
    await expect(scan({ paths: [path.join(dir, 'deploy')] })).rejects.toThrow(/\.preadmit\.yaml:2: policy path .*leads outside the repository/);
  });
  it('the pull request comment gains an Admission policies column naming policy and binding', async () => {
    const dir = repo({ 'deploy/vap.yaml': POLICY, 'deploy/app.yaml': DEPLOYMENT });
    const markdown = renderMarkdown(await scan({ paths: [path.join(dir, 'deploy')] }));
    expect(markdown).toContain('| Chart or file | Values | Objects | Pod Security | Admission policies |');
    expect(markdown).toContain('| Deployment prod/web | ❌ denied at restricted:latest');
    expect(markdown).toContain('| ❌ denied by ValidatingAdmissionPolicy require\\-team\\-label \\(binding prod\\) |');
  });
  it('without admission policy denials the comment keeps its Pod Security table', async () => {
    const dir = repo({ 'deploy/app.yaml': DEPLOYMENT });
    const markdown = renderMarkdown(await scan({ paths: [path.join(dir, 'deploy')] }));
    expect(markdown).not.toContain('Admission policies');
  });
  it('in a pull request (policyFrom) the configuration\'s policy files are read at the base commit: the PR cannot weaken them', async () => {
    const dir = workspace();
    writeTree(dir, { '.preadmit.yaml': 'admission:\n  policies: [platform]\n', 'platform/vap.yaml': POLICY, 'deploy/app.yaml': DEPLOYMENT });
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir, stdio: 'pipe' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'base');
    // The pull request weakens the policy to Warn and deletes its validation; the base still denies.
    writeFileSync(path.join(dir, 'platform/vap.yaml'), POLICY.replace('[Deny]', '[Warn]').replace("'team' in object.metadata.labels", 'true'));
    const result = await scan({ paths: [path.join(dir, 'deploy')], policyFrom: { revision: 'HEAD', fetch: false, onUnavailable: 'error' } });
    expect(denials(result)).toEqual([DENIED]);
    expect(result.errors).toEqual([]);
  });
  it('a param from the policy files is not replaced by a scanned object of the same name', async () => {
    const PARAM_POLICY = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: registries}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]
  validations:
  - expression: "object.spec.template.spec.containers.all(c, c.image.startsWith(params.data.prefix))"
    messageExpression: "'images must start with ' + params.data.prefix"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: registries-prod}
spec:
  policyName: registries
  validationActions: [Deny]
  paramRef: {name: registries, namespace: platform, parameterNotFoundAction: Deny}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: registries, namespace: platform}
data: {prefix: registry.example.com/}
`;
    // The chart under review ships a ConfigMap of the same identity that would allow its image.
    const SHIPPED = `${DEPLOYMENT}---
apiVersion: v1
kind: ConfigMap
metadata: {name: registries, namespace: platform}
data: {prefix: ""}
`;
    const dir = repo({ 'vap.yaml': PARAM_POLICY, 'deploy/app.yaml': SHIPPED });
    const result = await scan({ paths: [path.join(dir, 'deploy')], policies: [path.join(dir, 'vap.yaml')] });
    expect(denials(result)).toEqual(['Denied by ValidatingAdmissionPolicy registries (binding registries-prod, validation 0): images must start with registry.example.com/']);
  });
});
