// Hand-built ScanResults for the reporter tests. The summary is always derived from the parts, the way
// the engine derives it, so a test only states what it is about.
import { createHash } from 'node:crypto';
import {
  SEVERITIES,
  severityRank,
  type AdmissionVerdict,
  type BlastRadius,
  type ChartRecord,
  type FailOn,
  type Finding,
  type ObjectRecord,
  type ObjectRef,
  type ScanError,
  type ScanResult,
  type Severity,
  type SourceInfo,
} from '../../src/model/model.ts';
import type { RuleMeta } from '../../src/engine/rule-kit.ts';

function meta(id: string, title: string, category: RuleMeta['category'], defaultSeverity: Severity, extra: Partial<RuleMeta> = {}): RuleMeta {
  return {
    id,
    title,
    category,
    defaultSeverity,
    description: `${title}: why it matters.`,
    remediation: `Fix \`${id}\` like this.`,
    references: [{ title: `${title} reference`, url: `https://kubernetes.io/docs/${id}` }],
    messages: { default: `${title} in {{name}}` },
    ...extra,
  };
}

export const RULES: RuleMeta[] = [
  meta('pss-privileged', 'No privileged containers', 'pod-security', 'critical'),
  meta('pss-run-as-non-root', 'Containers must run as non-root', 'pod-security', 'high'),
  meta('image-tag-latest', 'Images must be pinned', 'images', 'medium', { references: [] }),
  meta('resources-missing', 'Containers need resource limits', 'workload', 'low'),
  meta('values-note', 'Values note', 'values', 'info'),
];

/** namespace null: a cluster-scoped object. */
export function ref(kind = 'Deployment', name = 'web', namespace: string | null = 'shop', apiVersion = 'apps/v1'): ObjectRef {
  return namespace === null ? { apiVersion, kind, name } : { apiVersion, kind, namespace, name };
}

export function helmSource(over: Partial<SourceInfo> = {}): SourceInfo {
  return {
    kind: 'helm',
    file: 'charts/shop/templates/deployment.yaml',
    line: 20,
    chart: 'charts/shop',
    template: 'shop/templates/deployment.yaml',
    valueSet: 'default',
    document: 0,
    ...over,
  };
}

export function manifestSource(over: Partial<SourceInfo> = {}): SourceInfo {
  return { kind: 'manifest', file: 'deploy/app.yaml', line: 7, document: 0, ...over };
}

export function terraformSource(over: Partial<SourceInfo> = {}): SourceInfo {
  return { kind: 'terraform', file: 'infra/main.tf', plan: 'infra/plan.json', address: 'module.app.kubernetes_manifest.web', ...over };
}

const SEVERITY_OF = new Map(RULES.map((r) => [r.id, r.defaultSeverity]));
const CATEGORY_OF = new Map(RULES.map((r) => [r.id, r.category]));

export function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

export interface FindingInput extends Partial<Omit<Finding, 'source'>> {
  source?: SourceInfo;
}

export function finding(input: FindingInput = {}): Finding {
  const ruleId = input.ruleId ?? 'pss-privileged';
  const object = input.object ?? ref();
  const source = input.source ?? helmSource();
  const path = input.path ?? '/spec/template/spec/containers/0/securityContext/privileged';
  const f: Finding = {
    ruleId,
    severity: input.severity ?? SEVERITY_OF.get(ruleId) ?? 'medium',
    category: input.category ?? CATEGORY_OF.get(ruleId) ?? 'workload',
    message: input.message ?? `Container "app" breaks ${ruleId}.`,
    object,
    path,
    source,
    fingerprint:
      input.fingerprint ?? fingerprint(ruleId, object.kind, object.namespace ?? '', object.name, path, source.address ?? source.chart ?? source.file),
    remediation: input.remediation ?? 'Fix it.',
  };
  if (input.related !== undefined) f.related = input.related;
  return f;
}

export function admission(version: string, baseline: string[], restricted: string[]): AdmissionVerdict {
  const level = (checks: string[]) => ({
    allowed: checks.length === 0,
    violations: checks.map((check) => ({ check, reason: `${check} reason`, detail: `${check} detail` })),
  });
  return { version, baseline: level(baseline), restricted: level(restricted) };
}

export function blastRadius(): BlastRadius {
  return {
    rating: 'critical',
    reasons: ['can read all secrets in the cluster', 'runs privileged'],
    privilege: { baselineAllowed: false, restrictedAllowed: false, baselineViolations: ['privileged'] },
    authority: {
      serviceAccount: { namespace: 'shop', name: 'web', defined: true },
      tokenMounted: true,
      grants: [{ binding: ref('ClusterRoleBinding', 'web-admin', null, 'rbac.authorization.k8s.io/v1'), role: { kind: 'ClusterRole', name: 'cluster-admin' }, scope: 'cluster', resolved: 'builtin' }],
      dangerous: [{ id: 'read-secrets', summary: 'read all secrets', scope: 'cluster', via: 'ClusterRoleBinding/web-admin -> ClusterRole/cluster-admin' }],
    },
    reachability: { hostNetwork: false, ingressPolicies: [], egressPolicies: ['deny-all'], exposure: [{ service: 'web', type: 'LoadBalancer', ingresses: ['web'] }] },
    secrets: { mounted: ['db-password'], readable: 'cluster' },
  };
}

export interface ResultInput {
  findings?: Finding[];
  objects?: ObjectRecord[];
  charts?: ChartRecord[];
  errors?: ScanError[];
  failOn?: FailOn;
  pss?: ScanResult['pss'];
  version?: string;
  /** Whether errors fail the run (the engine's failOnErrors); default true. */
  failOnErrors?: boolean;
}

export function scanResult(input: ResultInput = {}): ScanResult {
  const findings = input.findings ?? [];
  const errors = input.errors ?? [];
  const failOn = input.failOn ?? 'high';
  const charts = input.charts ?? [];
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length])) as Record<Severity, number>;
  const blocking = failOn === 'never' ? 0 : findings.filter((f) => severityRank(f.severity) >= severityRank(failOn)).length;
  const failed = blocking > 0 || (errors.length > 0 && (input.failOnErrors ?? true));
  const renderMs = charts.reduce((sum, c) => sum + c.renderMs, 0);
  return {
    tool: { name: 'preadmit', version: input.version ?? '0.1.0' },
    pss: input.pss ?? { level: 'restricted', version: 'latest' },
    findings,
    objects: input.objects ?? [],
    charts,
    errors,
    summary: {
      verdict: failed ? 'fail' : 'pass',
      findings: findings.length,
      bySeverity,
      blocking,
      failOn,
      objects: (input.objects ?? []).length,
      charts: charts.length,
      errors: errors.length,
      renderMs,
      totalMs: renderMs + 120,
    },
  };
}

/** A realistic scan: a chart with two value sets, a manifest, a terraform plan, and two errors. */
export function sampleResult(over: Partial<ResultInput> = {}): ScanResult {
  const web = ref('Deployment', 'web', 'shop');
  const worker = ref('StatefulSet', 'worker', 'shop');
  const pod = ref('Pod', 'debug', 'default', 'v1');
  const tfDeploy = ref('Deployment', 'api', 'prod');
  const role = ref('ClusterRole', 'admin-all', null, 'rbac.authorization.k8s.io/v1');
  const prod = helmSource({ valueSet: 'prod', line: 24 });
  const findings = [
    finding({ ruleId: 'pss-privileged', object: web, source: helmSource({ line: 31 }) }),
    finding({ ruleId: 'pss-run-as-non-root', object: web, path: '/spec/template/spec/securityContext/runAsNonRoot', source: helmSource({ line: 22 }) }),
    finding({ ruleId: 'pss-run-as-non-root', object: web, path: '/spec/template/spec/securityContext/runAsNonRoot', source: prod }),
    finding({ ruleId: 'image-tag-latest', object: worker, path: '/spec/template/spec/containers/0/image', source: helmSource({ file: 'charts/shop/templates/worker.yaml', line: 12, template: 'shop/templates/worker.yaml' }) }),
    finding({ ruleId: 'pss-privileged', object: pod, path: '/spec/containers/0/securityContext/privileged', source: manifestSource({ line: 14 }) }),
    finding({ ruleId: 'resources-missing', object: pod, path: '/spec/containers/0/resources', source: manifestSource({ line: 9 }) }),
    finding({ ruleId: 'values-note', object: role, path: '/rules/0/verbs', source: manifestSource({ file: 'deploy/rbac.yaml', line: undefined }), related: [ref('ClusterRoleBinding', 'everyone', null, 'rbac.authorization.k8s.io/v1')] }),
    finding({ ruleId: 'image-tag-latest', object: tfDeploy, path: '/spec/template/spec/containers/0/image', source: terraformSource() }),
  ];
  const objects: ObjectRecord[] = [
    { object: web, source: helmSource({ line: 1 }), admission: admission('latest', ['privileged'], ['privileged', 'runAsNonRoot']) },
    { object: web, source: helmSource({ line: 1, valueSet: 'prod' }), admission: admission('latest', [], ['runAsNonRoot']) },
    { object: worker, source: helmSource({ file: 'charts/shop/templates/worker.yaml', line: 1, template: 'shop/templates/worker.yaml' }), admission: admission('latest', [], []) },
    { object: pod, source: manifestSource({ line: 1 }), admission: admission('latest', ['privileged'], ['privileged', 'runAsNonRoot']) },
    { object: role, source: manifestSource({ file: 'deploy/rbac.yaml', line: 1 }) },
    { object: tfDeploy, source: terraformSource(), admission: admission('latest', [], []) },
  ];
  const charts: ChartRecord[] = [
    { chart: 'charts/shop', name: 'shop', valueSet: 'default', objects: 2, renderMs: 310, admission: { level: 'restricted', version: 'latest', allowed: false, deniedBy: ['privileged', 'runAsNonRoot'] } },
    { chart: 'charts/shop', name: 'shop', valueSet: 'prod', objects: 2, renderMs: 290, admission: { level: 'restricted', version: 'latest', allowed: false, deniedBy: ['runAsNonRoot'] } },
    { chart: 'charts/clean', name: 'clean', valueSet: 'default', objects: 3, renderMs: 200, admission: { level: 'restricted', version: 'latest', allowed: true, deniedBy: [] } },
  ];
  const errors: ScanError[] = [
    { kind: 'render', file: 'charts/broken', chart: 'charts/broken', message: 'helm template failed: template: broken/templates/x.yaml:3: function "nope" not defined' },
    { kind: 'parse', file: 'deploy/bad.yaml', line: 4, message: 'mapping values are not allowed here' },
  ];
  return scanResult({ findings, objects, charts, errors, ...over });
}

/** Strings a hostile chart could put in names, paths, messages and file names. */
export const HOSTILE = {
  html: '<img src=x onerror=alert(1)>',
  image: '![pwned](https://evil.example/p.png)',
  link: '[click me](javascript:alert(1))',
  mention: '@octocat and @github/security-team',
  url: 'see https://evil.example/phish and http://evil.example',
  www: 'www.evil.example',
  email: 'admin@evil.example',
  pipe: 'a | b || c',
  code: '`rm -rf /`',
  emphasis: '**bold** _it_ ~~gone~~',
  heading: '# Title',
  comment: '<!-- Sticky Pull Request Comment -->',
  details: '</details><details open>',
  newline: 'first\n# second\n| x | y |',
  issue: 'fixes #1 and owner/repo#2 and GH-3',
  math: '$\\sqrt{2}$',
  entity: '&lt;b&gt; &amp;',
  backslash: 'C:\\temp\\*',
  ansi: '\u001b[31mred\u001b[0m\u0007',
  bidi: 'abc\u202edcba',
} as const;

export const HOSTILE_ALL = Object.values(HOSTILE).join(' ');
