// From a resource address and an attribute path to a .tf file and line.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { locatePath, parseAddress, parseHcl, TfLocator } from '../../src/terraform/index.ts';
import { repoRoot } from '../helpers/shared.ts';
import { fixture, loadPlanAt, planJson, run, TF_RULES } from './helpers.ts';
import { RULES } from '../../rules/index.ts';

const apps = '__tests__/terraform/fixtures/modules/modules/apps/main.tf';
const appsLines = readFileSync(path.join(repoRoot, apps), 'utf8').split('\n');
const lineOf = (text: string, from = 0) => appsLines.findIndex((l, i) => i >= from && l.includes(text)) + 1;

describe('parseAddress', () => {
  it('reads module instances, data sources and instance keys holding dots, brackets and quotes', () => {
    expect(parseAddress('kubernetes_deployment.demo')).toEqual({ modules: [], mode: 'managed', type: 'kubernetes_deployment', name: 'demo' });
    expect(parseAddress('module.eks.module.node_group["worker"].aws_eks_node_group.this[0]')).toEqual({
      modules: [{ name: 'eks' }, { name: 'node_group', key: 'worker' }], mode: 'managed', type: 'aws_eks_node_group', name: 'this', index: 0,
    });
    expect(parseAddress('module.a["x.y[0]\\"z"].data.kubernetes_namespace.ns["a.b/c"]')).toEqual({
      modules: [{ name: 'a', key: 'x.y[0]"z' }], mode: 'data', type: 'kubernetes_namespace', name: 'ns', index: 'a.b/c',
    });
    expect(parseAddress('not an address')).toBeUndefined();
    expect(parseAddress('module.a')).toBeUndefined();
  });
});

describe('light HCL scan', () => {
  const items = parseHcl(readFileSync(path.join(repoRoot, apps), 'utf8'));

  it('finds the top-level blocks, ignoring braces in comments, strings, templates and heredocs', () => {
    expect(items.map((i) => (i.type === 'block' ? `${i.name} ${i.labels.join(' ')}@${i.line}` : i.name))).toEqual([
      `variable name@${lineOf('variable "name"')}`,
      `locals @${lineOf('locals {')}`,
      `module inner@${lineOf('module "inner"')}`,
      `resource kubernetes_deployment_v1 api@${lineOf('resource "kubernetes_deployment_v1" "api"')}`,
    ]);
  });

  it('follows blocks, the Nth block of a name, dynamic blocks, attributes, object keys and tuple elements', () => {
    const resource = items[3]!;
    if (resource.type !== 'block') throw new Error('not a block');
    const find = (p: (string | number)[]) => locatePath(resource.body, p, resource.line).line;
    const spec = ['spec', 0, 'template', 0, 'spec', 0];
    expect(find([...spec, 'host_pid'])).toBe(lineOf('host_pid = true'));
    expect(find([...spec, 'container', 0, 'security_context', 0, 'capabilities', 0, 'add'])).toBe(lineOf('add = ["NET_ADMIN"]'));
    expect(find([...spec, 'container', 0, 'args', 0])).toBe(lineOf('args  = [<<-EOT'));
    // containers 1 and 2 come from the dynamic "container" block: its content
    expect(find([...spec, 'container', 2, 'security_context', 0, 'run_as_user'])).toBe(lineOf('run_as_user = 0'));
    expect(find(['metadata', 0, 'annotations', 'note'])).toBe(lineOf('"note" = '));
    expect(find(['metadata', 0, 'labels', 'app'])).toBe(lineOf('  metadata {'));
    expect(find(['spec', 0, 'template', 0, 'metadata', 0, 'labels', 'app'])).toBe(lineOf('app = "api"'));
    // not written: the nearest enclosing element
    expect(find([...spec, 'container', 0, 'security_context', 0, 'run_as_non_root'])).toBe(lineOf('security_context {'));
    expect(find(['wait_for_rollout'])).toBe(resource.line);
  });

  it('never throws on broken input', () => {
    for (const text of ['resource "a" "b" {', 'x = "unterminated', 'a = <<EOF\nno end', '}}} resource "a" "b" { x = [1, {', '/* open', 'a = { for k, v in x : k => v }\nresource "t" "n" {}']) {
      expect(() => parseHcl(text)).not.toThrow();
    }
    expect(parseHcl('a = { for k, v in x : k => v }\nresource "t" "n" {}').map((i) => i.name)).toEqual(['a', 'resource']);
  });
});

describe('TfLocator on nested local modules with for_each and count', () => {
  const planFile = fixture('modules', 'plan.json');
  const plan = loadPlanAt(planFile);
  const object = (address: string) => plan.objects.find((o) => o.source.address === address)!;

  it('resolves module sources from configuration, through several levels, for every instance', () => {
    const locator = new TfLocator({ configuration: planJson(planFile).configuration, rootDir: path.dirname(planFile), repoRoot });
    expect(locator.moduleDir([{ name: 'apps' }])).toBe(path.join(repoRoot, '__tests__/terraform/fixtures/modules/modules/apps'));
    expect(locator.moduleDir([{ name: 'apps' }, { name: 'inner' }])).toBe(path.join(repoRoot, '__tests__/terraform/fixtures/modules/modules/inner'));
    expect(locator.moduleDir([{ name: 'eks' }])).toBeUndefined(); // a registry module is not in the repository
    expect(object('module.apps["a"].kubernetes_deployment_v1.api[0]').source).toMatchObject({ file: apps, line: lineOf('resource "kubernetes_deployment_v1" "api"') });
    expect(object('module.apps["a"].kubernetes_deployment_v1.api[1]').source).toMatchObject({ file: apps, line: lineOf('resource "kubernetes_deployment_v1" "api"') });
    expect(object('module.apps["b"].module.inner.kubernetes_service_v1.svc').source).toMatchObject({ file: '__tests__/terraform/fixtures/modules/modules/inner/main.tf', line: 2 });
    expect(object('module.eks.aws_eks_cluster.this[0]').source).toEqual({ kind: 'terraform', file: '__tests__/terraform/fixtures/modules/plan.json', plan: '__tests__/terraform/fixtures/modules/plan.json', address: 'module.eks.aws_eks_cluster.this[0]' });
  });

  it('puts findings at the line of the attribute that causes them', () => {
    const findings = run(plan.objects, [...RULES, ...TF_RULES]);
    const at = (ruleId: string, address: string) => findings.filter((f) => f.ruleId === ruleId && f.source.address === address).map((f) => [f.path, f.source.line]);
    expect(at('pss-host-namespaces', 'module.apps["a"].kubernetes_deployment_v1.api[1]')).toEqual([['/spec/template/spec/hostPID', lineOf('host_pid = true')]]);
    expect(at('pss-capabilities-baseline', 'module.apps["a"].kubernetes_deployment_v1.api[0]')).toContainEqual(['/spec/template/spec/containers/0/securityContext/capabilities/add/0', lineOf('add = ["NET_ADMIN"]')]);
    // a container made by a dynamic block: the line inside its content
    expect(at('pss-run-as-user', 'module.apps["a"].kubernetes_deployment_v1.api[0]')).toEqual([
      ['/spec/template/spec/containers/1/securityContext/runAsUser', lineOf('run_as_user = 0')],
      ['/spec/template/spec/containers/2/securityContext/runAsUser', lineOf('run_as_user = 0')],
    ]);
    const inner = readFileSync(path.join(repoRoot, '__tests__/terraform/fixtures/modules/modules/inner/main.tf'), 'utf8').split('\n');
    const world = findings.find((f) => f.ruleId === 'service-load-balancer-open')!;
    expect(world.path).toBe('/spec/loadBalancerSourceRanges/1');
    expect(inner[world.source.line! - 1]).toContain('"0.0.0.0/0",');
    // a registry module: located at the plan, no line
    const eks = findings.find((f) => f.ruleId === 'tf-eks-public-endpoint')!;
    expect(eks.source.file).toBe('__tests__/terraform/fixtures/modules/plan.json');
    expect(eks.source.line).toBeUndefined();
  });

  it('never reads outside the repository', () => {
    const locator = new TfLocator({ configuration: { root_module: { module_calls: { up: { source: '../../../../../../../../../etc' } } } }, rootDir: path.dirname(planFile), repoRoot });
    expect(locator.moduleDir([{ name: 'up' }])).toBeUndefined();
  });
});

describe('YAML inside heredocs and helm_release values', () => {
  it('locates a values key inside a heredoc and a set block', () => {
    const plan = loadPlanAt(fixture('privileged', 'plan.json'));
    const release = plan.objects.find((o) => o.ref.kind === 'helm_release')!;
    const lines = readFileSync(fixture('privileged', 'main.tf'), 'utf8').split('\n');
    expect(lines[release.lineOf!('/values/0/replicas')! - 1]).toBe('    replicas: 1');
    expect(lines[release.lineOf!('/set/0/value')! - 1]).toBe('    value = "true"');
    const kubectl = plan.objects.find((o) => o.source.address === 'kubectl_manifest.web')!;
    expect(lines[kubectl.lineOf!('/metadata/name')! - 1]).toBe('      name: web-kubectl');
  });
});

describe('locating never costs an evaluation', () => {
  const deep = (n: number) => `locals {\n  x = ${'['.repeat(n)}1${']'.repeat(n)}\n  y = ${'{ a = '.repeat(n)}1${' }'.repeat(n)}\n}\n`;

  it('parses thousands of nested brackets and blocks without exhausting the stack, and reads what follows', () => {
    const text = `${deep(5000)}${'b {\n'.repeat(3000)}${'}\n'.repeat(3000)}resource "kubernetes_pod_v1" "p" {\n  metadata { name = "p" }\n}\n`;
    const items = parseHcl(text);
    expect(items.map((i) => (i.type === 'block' ? `${i.name} ${i.labels.join(' ')}`.trim() : i.name))).toEqual(['locals', 'b', 'resource kubernetes_pod_v1 p']);
  });

  it('judges a resource whose module holds such a file, at its line', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
    const os = await import('node:os');
    const { scan } = await import('../../src/pipeline/scan.ts');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-tf-deep-'));
    mkdirSync(path.join(dir, '.git'));
    writeFileSync(path.join(dir, 'main.tf'), 'resource "kubernetes_pod_v1" "web" {\n  metadata { name = "web" }\n}\n');
    writeFileSync(path.join(dir, 'zz_locals.tf'), deep(5000));
    writeFileSync(path.join(dir, 'plan.json'), JSON.stringify({
      format_version: '1.2',
      resource_changes: [{
        address: 'kubernetes_pod_v1.web', mode: 'managed', type: 'kubernetes_pod_v1', name: 'web',
        change: { actions: ['create'], before: null, after: { metadata: [{ name: 'web', namespace: 'apps' }], spec: [{ container: [{ name: 'c', image: 'c:1', security_context: [{ privileged: true }] }] }] }, after_unknown: {}, after_sensitive: {} },
      }],
    }));
    const result = await scan({ paths: [path.join(dir, 'plan.json')] });
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f) => f.ruleId === 'pss-privileged').map((f) => [f.path, f.source.file, f.source.line])).toEqual([
      ['/spec/containers/0/securityContext/privileged', 'main.tf', 1],
    ]);
  });
});
