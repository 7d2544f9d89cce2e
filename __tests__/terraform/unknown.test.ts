// Values the plan does not know are never violations and never safe.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/model.ts';
import { RULES } from '../../rules/index.ts';
import { defaultConfig } from '../../src/config/config.ts';
import { evaluate } from '../../src/engine/evaluate.ts';
import { objectVerdict } from '../../src/reporters/common.ts';
import { loadPlan, markUnknownFindings, unknownBehind, unknownSeverity } from '../../src/terraform/index.ts';
import { fixture, loadPlanAt, run, TF_RULES } from './helpers.ts';

const ALL = [...RULES, ...TF_RULES];

/** A plan written by hand in the documented shape: the container's privileged flag and run_as_user come from resources created in the same apply. */
function planWithUnknownSecurityContext(): unknown {
  return {
    '//': "written by hand for preadmit's tests in the documented plan shape",
    format_version: '1.2',
    resource_changes: [{
      address: 'kubernetes_deployment_v1.worker', mode: 'managed', type: 'kubernetes_deployment_v1', name: 'worker',
      change: {
        actions: ['create'],
        after: {
          metadata: [{ name: 'worker', namespace: 'jobs', labels: null, annotations: null }],
          spec: [{ replicas: '1', selector: [{ match_labels: { app: 'worker' }, match_expressions: [] }], template: [{
            metadata: [{ labels: { app: 'worker' }, annotations: null }],
            spec: [{ host_pid: false, host_network: false, host_ipc: false, automount_service_account_token: false, service_account_name: 'worker', volume: [], init_container: [],
              security_context: [{ run_as_non_root: true, run_as_user: null, fs_group: null, seccomp_profile: [{ type: 'RuntimeDefault', localhost_profile: null }], se_linux_options: [], sysctl: [], supplemental_groups: null, windows_options: [] }],
              container: [{ name: 'worker', image: 'worker@sha256:' + 'a'.repeat(64), image_pull_policy: 'Always', port: [], env: [], env_from: [], volume_mount: [],
                resources: [{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } }],
                liveness_probe: [{ exec: [{ command: ['true'] }], http_get: [], tcp_socket: [], grpc: [] }], readiness_probe: [{ exec: [{ command: ['true'] }], http_get: [], tcp_socket: [], grpc: [] }],
                security_context: [{ allow_privilege_escalation: false, read_only_root_filesystem: true, run_as_non_root: null, run_as_group: null, capabilities: [{ drop: ['ALL'], add: null }], se_linux_options: [], seccomp_profile: [] }] }] }] }] }],
        },
        after_unknown: { id: true, spec: [{ template: [{ spec: [{ container: [{ security_context: [{ privileged: true, run_as_user: true }] }] }] }] }] },
        after_sensitive: {},
      },
    }],
  };
}

describe('unknown values', () => {
  const plan = loadPlan(planWithUnknownSecurityContext(), { planFile: 'plan.json', planDir: '/nowhere', repoRoot: '/nowhere' });
  const findings = run(plan.objects, ALL);

  it('are recorded on the object, where the API has them', () => {
    expect(plan.objects[0]!.unknown).toEqual(['/spec/template/spec/containers/0/securityContext/privileged', '/spec/template/spec/containers/0/securityContext/runAsUser']);
    expect(plan.objects[0]!.raw).not.toHaveProperty('spec.template.spec.containers.0.securityContext.privileged');
  });

  it('are not reported as violations, nor passed as safe: they are reported as unknown until apply', () => {
    expect(findings.filter((f) => f.ruleId === 'pss-privileged' || f.ruleId === 'pss-run-as-user')).toEqual([]);
    expect(findings.filter((f) => f.ruleId === 'tf-unknown-until-apply').map((f) => [f.path, f.severity, f.message])).toEqual([
      ['/spec/template/spec/containers/0/securityContext/privileged', 'low', '/spec/template/spec/containers/0/securityContext/privileged is unknown until apply: the checks that read it could not decide'],
      ['/spec/template/spec/containers/0/securityContext/runAsUser', 'low', '/spec/template/spec/containers/0/securityContext/runAsUser is unknown until apply: the checks that read it could not decide'],
    ]);
  });

  it('turn the findings of rules that read them into "unknown until apply" at a lower severity', () => {
    const typed = loadPlanAt(fixture('typed', 'workloads.plan.json')).objects.filter((o) => o.source.address === 'kubernetes_deployment_v1.web');
    const marked = run(typed, RULES);
    const sa = marked.find((f) => f.ruleId === 'default-service-account')!;
    expect(sa.message).toBe('pods run as the namespace\'s default service account with its API token mounted (unknown until apply: /spec/template/spec/serviceAccountName is not known at plan time)');
    expect(sa.severity).toBe('info');
    const resources = marked.filter((f) => f.ruleId === 'container-resources');
    expect(resources.filter((f) => f.path.startsWith('/spec/template/spec/initContainers/0/resources')).every((f) => f.message.includes('unknown until apply'))).toBe(true);
    // the privileged container is known: reported at its full severity
    expect(marked.find((f) => f.ruleId === 'pss-privileged')).toMatchObject({ severity: 'critical', message: expect.not.stringContaining('unknown') });
  });

  it('relate to a finding when at, above or directly below its path, computed noise aside', () => {
    const unknown = ['/spec/template/spec/serviceAccountName', '/spec/template/spec/hostname', '/spec/template/spec/containers/0/resources'];
    expect(unknownBehind(unknown, '/spec/template/spec/containers/0/resources/limits/cpu')).toBe('/spec/template/spec/containers/0/resources');
    expect(unknownBehind(unknown, '/spec/template/spec/containers/0/resources')).toBe('/spec/template/spec/containers/0/resources');
    expect(unknownBehind(unknown, '/spec/template/spec')).toBe('/spec/template/spec/serviceAccountName');
    expect(unknownBehind(['/spec/template/spec/hostname'], '/spec/template/spec')).toBeUndefined();
    expect(unknownBehind(unknown, '/spec/template')).toBeUndefined();
    expect(unknownBehind(unknown, '/spec/template/spec/containers/0/image')).toBeUndefined();
    expect(unknownBehind([''], '/anything')).toBe('');
  });

  it('lower severities so that an unknown never blocks at the default fail-on (high)', () => {
    expect(['critical', 'high', 'medium', 'low', 'info'].map((s) => unknownSeverity(s as never))).toEqual(['medium', 'medium', 'low', 'info', 'info']);
  });

  it('are traced through inheritance between pod and container security contexts, init and ephemeral containers too', () => {
    // The pod sets no runAsNonRoot and the container's comes from a resource created in the same apply:
    // the pod-level "must set" finding depends on the container's unknown and is not a plain violation.
    const inherited = structuredClone(planWithUnknownSecurityContext()) as { resource_changes: { change: { after: any; after_unknown: unknown } }[] };
    const change = inherited.resource_changes[0]!.change;
    change.after.spec[0].template[0].spec[0].security_context[0].run_as_non_root = null;
    change.after_unknown = { id: true, spec: [{ template: [{ spec: [{ container: [{ security_context: [{ run_as_non_root: true }] }] }] }] }] };
    const loaded = loadPlan(inherited, { planFile: 'plan.json', planDir: '/nowhere', repoRoot: '/nowhere' });
    expect(loaded.objects[0]!.unknown).toEqual(['/spec/template/spec/containers/0/securityContext/runAsNonRoot']);
    const nonRoot = run(loaded.objects, ALL).filter((f) => f.ruleId === 'pss-run-as-non-root');
    expect(nonRoot.map((f) => [f.path, f.severity])).toEqual([['/spec/template/spec/securityContext/runAsNonRoot', 'low']]);
    expect(nonRoot[0]!.message).toContain('unknown until apply: /spec/template/spec/containers/0/securityContext/runAsNonRoot is not known at plan time');

    // The admission verdict says the same: runAsNonRoot is undecided, not a denial.
    const { admission } = evaluate(loaded.objects, ALL, defaultConfig());
    const restricted = admission.get(loaded.objects[0]!)!.restricted;
    expect(restricted.violations.map((v) => [v.check, v.unknown])).toEqual([['runAsNonRoot', '/spec/template/spec/containers/0/securityContext/runAsNonRoot']]);
    const record = { object: loaded.objects[0]!.ref, source: loaded.objects[0]!.source, admission: admission.get(loaded.objects[0]!)! };
    expect(objectVerdict(record, 'restricted', 'restricted:latest')).toBe('undecided at restricted:latest: runAsNonRoot unknown until apply');
    const mixed = { ...record, admission: { ...record.admission, restricted: { allowed: false, violations: [{ check: 'privileged', reason: 'privileged', detail: '' }, ...restricted.violations] } } };
    expect(objectVerdict(mixed, 'restricted', 'restricted:latest')).toBe('denied at restricted:latest by privileged; runAsNonRoot unknown until apply');

    const spec = '/spec/template/spec';
    const pod = `${spec}/securityContext/runAsNonRoot`;
    expect(unknownBehind([`${spec}/initContainers/1/securityContext/runAsNonRoot`], pod)).toBe(`${spec}/initContainers/1/securityContext/runAsNonRoot`);
    expect(unknownBehind([`${spec}/ephemeralContainers/0/securityContext`], pod)).toBe(`${spec}/ephemeralContainers/0/securityContext`);
    expect(unknownBehind([`${spec}/containers`], `${spec}/securityContext/seccompProfile/type`)).toBe(`${spec}/containers`);
    expect(unknownBehind([`${spec}/containers/0/securityContext/seccompProfile/type`], `${spec}/securityContext/seccompProfile/type`)).toBe(`${spec}/containers/0/securityContext/seccompProfile/type`);
    // a container finding on an inherited field depends on the pod's value
    expect(unknownBehind([`${spec}/securityContext/runAsUser`], `${spec}/containers/0/securityContext/runAsUser`)).toBe(`${spec}/securityContext/runAsUser`);
    expect(unknownBehind([`${spec}/securityContext`], `${spec}/initContainers/0/securityContext/seccompProfile/type`)).toBe(`${spec}/securityContext`);
    // fields that are not inherited, and other fields, stay apart
    expect(unknownBehind([`${spec}/containers/0/securityContext/privileged`], pod)).toBeUndefined();
    expect(unknownBehind([`${spec}/securityContext/runAsUser`], `${spec}/containers/0/securityContext/allowPrivilegeEscalation`)).toBeUndefined();
    expect(unknownBehind([`${spec}/containers/0/securityContext/runAsUser`], pod)).toBeUndefined();
  });

  it('never lower a violation that what is known already decides (a hostPath, a container\'s own Unconfined, a computed apiGroup)', () => {
    const base = planWithUnknownSecurityContext() as { resource_changes: { change: { after: any; after_unknown: unknown } }[] };
    // a: the hostPath's path is known; only its type is unknown: the volume is a hostPath volume whatever the type.
    const hostPath = structuredClone(base);
    const spec = hostPath.resource_changes[0]!.change.after.spec[0].template[0].spec[0];
    spec.volume = [{ name: 'root', host_path: [{ path: '/', type: null }] }];
    hostPath.resource_changes[0]!.change.after_unknown = { id: true, spec: [{ template: [{ spec: [{ volume: [{ host_path: [{ type: true }] }] }] }] }] };
    const a = run(loadPlan(hostPath, { planFile: 'plan.json', planDir: '/nowhere', repoRoot: '/nowhere' }).objects, ALL);
    expect(a.filter((f) => f.ruleId === 'pss-host-path-volumes').map((f) => [f.path, f.severity, f.message.includes('unknown')])).toEqual([
      ['/spec/template/spec/volumes/0/hostPath', 'high', false],
    ]);
    // b: the container sets Unconfined itself; the pod's profile is unknown: the container's own value wins.
    const seccomp = structuredClone(base);
    const podSpec = seccomp.resource_changes[0]!.change.after.spec[0].template[0].spec[0];
    podSpec.security_context[0].seccomp_profile = [];
    podSpec.container[0].security_context[0].seccomp_profile = [{ type: 'Unconfined', localhost_profile: null }];
    seccomp.resource_changes[0]!.change.after_unknown = { id: true, spec: [{ template: [{ spec: [{ security_context: [{ seccomp_profile: true }] }] }] }] };
    const b = run(loadPlan(seccomp, { planFile: 'plan.json', planDir: '/nowhere', repoRoot: '/nowhere' }).objects, ALL);
    expect(b.filter((f) => f.ruleId === 'pss-seccomp-baseline').map((f) => [f.path, f.severity, f.message.includes('unknown')])).toEqual([
      ['/spec/template/spec/containers/0/securityContext/seccompProfile/type', 'high', false],
    ]);
    // c: a binding of edit to system:authenticated whose subject apiGroup the provider computes.
    const binding = {
      format_version: '1.2',
      resource_changes: [{
        address: 'kubernetes_cluster_role_binding_v1.all', mode: 'managed', type: 'kubernetes_cluster_role_binding_v1', name: 'all',
        change: {
          actions: ['create'],
          after: { metadata: [{ name: 'all', labels: null, annotations: null }], role_ref: [{ api_group: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }], subject: [{ kind: 'Group', name: 'system:authenticated', namespace: null }] },
          after_unknown: { id: true, subject: [{ api_group: true }] },
          after_sensitive: {},
        },
      }],
    };
    const c = run(loadPlan(binding, { planFile: 'plan.json', planDir: '/nowhere', repoRoot: '/nowhere' }).objects, ALL);
    const broad = c.filter((f) => f.ruleId === 'rbac-broad-subject');
    expect(broad.length).toBeGreaterThan(0);
    for (const f of broad) expect([f.severity, f.message.includes('unknown')]).toEqual(['critical', false]);
  });

  it('leave configured severities, manifest objects and tf-* rules alone', () => {
    const object = { ref: { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'a' }, raw: {}, source: { kind: 'terraform' as const, file: 'x.tf', plan: 'p.json', address: 'kubernetes_pod.p' }, unknown: ['/spec/containers/0/image'] };
    const finding = (ruleId: string, kind: 'terraform' | 'manifest' = 'terraform'): Finding => ({
      ruleId, severity: 'high', category: 'images', message: 'm', object: object.ref, path: '/spec/containers/0/image',
      source: kind === 'terraform' ? object.source : { kind: 'manifest', file: 'x.yaml' }, fingerprint: 'f', remediation: 'r',
    });
    const [plain, configured, tf, manifest] = markUnknownFindings([finding('image-tag'), finding('image-digest'), finding('tf-x'), finding('image-tag', 'manifest')], [object], {
      rules: { 'image-digest': { enabled: true, severity: 'high', options: {} } },
    });
    expect(plain).toMatchObject({ severity: 'medium', message: 'm (unknown until apply: /spec/containers/0/image is not known at plan time)' });
    expect(configured).toMatchObject({ severity: 'high', message: expect.stringContaining('unknown until apply') });
    expect(tf).toMatchObject({ severity: 'high', message: 'm' });
    expect(manifest).toMatchObject({ severity: 'high', message: 'm' });
  });
});

describe('plans without resource_changes (format 0.1 era)', () => {
  it('fall back to planned_values, nested modules included, and say unknowns cannot be told apart', () => {
    const plan = loadPlan({
      format_version: '0.1',
      planned_values: { root_module: { resources: [], child_modules: [{ address: 'module.ns', resources: [
        { address: 'module.ns.kubernetes_namespace.team[0]', mode: 'managed', type: 'kubernetes_namespace', name: 'team', index: 0, values: { metadata: [{ name: 'team', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } }] } },
        { address: 'module.ns.data.kubernetes_namespace.other', mode: 'data', type: 'kubernetes_namespace', name: 'other', values: { metadata: [{ name: 'other' }] } },
      ] }] } },
    }, { planFile: 'plan.json', planDir: '/nowhere', repoRoot: '/nowhere' });
    expect(plan.objects.map((o) => [o.source.address, o.ref.kind, o.ref.name])).toEqual([['module.ns.kubernetes_namespace.team[0]', 'Namespace', 'team']]);
    expect(plan.notes.map((n) => n.message)).toEqual(['the plan has no resource_changes: values unknown until apply cannot be told from unset ones']);
  });

  it('note errored and incomplete plans and deferred changes', () => {
    const plan = loadPlan({ format_version: '1.2', errored: true, complete: false, resource_changes: [], deferred_changes: [{ reason: 'provider_config_unknown', resource_change: { address: 'kubernetes_namespace.x', mode: 'managed' } }] },
      { planFile: 'plan.json', planDir: '/nowhere', repoRoot: '/nowhere' });
    expect(plan.notes.map((n) => n.message)).toEqual([
      'the plan errored (terraform plan failed part-way): it is partial and findings may be missing',
      'the plan is incomplete (-target or deferred changes): resources it does not plan were not evaluated',
      'kubernetes_namespace.x: change deferred by Terraform (provider_config_unknown): not evaluated',
    ]);
  });

  it('read no-op (unchanged) and replaced resources, never deleted or deposed ones', () => {
    const ns = (name: string) => ({ metadata: [{ name, labels: null }] });
    const change = (address: string, actions: string[], after: unknown, extra: object = {}) => ({ address, mode: 'managed', type: 'kubernetes_namespace', name: address.split('.')[1], change: { actions, after, after_unknown: {} }, ...extra });
    const plan = loadPlan({ format_version: '1.2', resource_changes: [
      change('kubernetes_namespace.same', ['no-op'], ns('same')),
      change('kubernetes_namespace.replaced', ['delete', 'create'], ns('replaced')),
      change('kubernetes_namespace.updated', ['update'], ns('updated')),
      change('kubernetes_namespace.gone', ['delete'], null),
      change('kubernetes_namespace.old', ['delete'], null, { deposed: 'abcd1234' }),
      change('kubernetes_namespace.forgotten', ['forget'], null),
    ] }, { planFile: 'plan.json', planDir: '/nowhere', repoRoot: '/nowhere' });
    expect(plan.objects.map((o) => o.ref.name)).toEqual(['same', 'replaced', 'updated']);
  });
});

describe('unknown RBAC fields', () => {
  const role = (ruleUnknown: Record<string, boolean>) => loadPlan({
    format_version: '1.2',
    resource_changes: [
      {
        address: 'kubernetes_cluster_role_v1.ops', mode: 'managed', type: 'kubernetes_cluster_role_v1', name: 'ops',
        change: { actions: ['create'], after: { metadata: [{ name: 'ops' }], aggregation_rule: [], rule: [{ api_groups: [''], resources: ['secrets', 'pods', 'pods/exec'], verbs: ['*'], resource_names: null }] }, after_unknown: { rule: [ruleUnknown] }, after_sensitive: {} },
      },
      {
        address: 'kubernetes_cluster_role_binding_v1.ops', mode: 'managed', type: 'kubernetes_cluster_role_binding_v1', name: 'ops',
        change: { actions: ['create'], after: { metadata: [{ name: 'ops' }], role_ref: [{ api_group: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'ops' }], subject: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'apps' }] }, after_unknown: { subject: [{ api_group: true }] }, after_sensitive: {} },
      },
    ],
  }, { planFile: 'plan.json', planDir: '/nonexistent', repoRoot: '/nonexistent' });
  const severities = (plan: ReturnType<typeof role>) => run(plan.objects, RULES).filter((f) => f.ruleId === 'rbac-secrets-read' || f.ruleId === 'rbac-wildcard').map((f) => [f.ruleId, f.path, f.severity, f.message.includes('unknown until apply')]);

  it('an unknown nonResourceURLs of a rule that lists resources cannot take the grant away: not lowered', () => {
    expect(severities(role({ non_resource_urls: true }))).toEqual([
      ['rbac-secrets-read', '/rules/0', 'high', false],
      ['rbac-wildcard', '/rules/0', 'high', false],
    ]);
  });

  it('an unknown resourceNames can (with names listed even create is no longer granted): lowered', () => {
    expect(severities(role({ resource_names: true })).map(([id, , severity, unknown]) => [id, severity, unknown])).toEqual([
      ['rbac-secrets-read', 'medium', true],
      ['rbac-wildcard', 'medium', true],
    ]);
  });
});
