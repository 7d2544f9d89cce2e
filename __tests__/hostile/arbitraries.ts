// fast-check generators for the fuzz suite: Kubernetes objects of every kind the rules read, mutated with
// values of the wrong type, and YAML texts mutated at the byte level.
import fc from 'fast-check';
import { stringify } from 'yaml';

/** A value a parser would have produced from a planted secret: it must never appear in a message. */
export const PLANTED_SECRET = 'Hunter2PlantedSecretValue';

const pod = (): Record<string, unknown> => ({
  metadata: {
    name: 'p',
    namespace: 'ns',
    labels: { app: 'a', tier: 'b' },
    annotations: {
      'container.apparmor.security.beta.kubernetes.io/c': 'runtime/default',
      'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default',
      'helm.sh/hook': 'test',
    },
  },
  spec: {
    serviceAccountName: 'sa',
    automountServiceAccountToken: true,
    hostNetwork: true,
    hostPID: false,
    hostIPC: false,
    hostUsers: false,
    runtimeClassName: 'rc',
    os: { name: 'linux' },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
      seLinuxOptions: { type: 'container_t', user: 'u', role: 'r', level: 's0' },
      sysctls: [{ name: 'kernel.shm_rmid_forced', value: '0' }],
      appArmorProfile: { type: 'RuntimeDefault' },
      windowsOptions: { hostProcess: false },
      supplementalGroups: [1],
    },
    volumes: [{ name: 'v', hostPath: { path: '/var/run/docker.sock' } }, { name: 'e', emptyDir: {} }, { name: 's', secret: { secretName: 'x' } }, { name: 'none' }],
    initContainers: [{ name: 'i', image: 'busybox' }],
    containers: [
      {
        name: 'c',
        image: `registry.io/a/b:1.0@sha256:${'a'.repeat(64)}`,
        imagePullPolicy: 'Always',
        ports: [{ containerPort: 80, hostPort: 80, protocol: 'TCP' }],
        env: [{ name: 'DB_PASSWORD', value: PLANTED_SECRET }, { name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
        envFrom: [{ secretRef: { name: 's' } }],
        resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1' } },
        livenessProbe: { httpGet: { host: '1.2.3.4', port: 80 } },
        readinessProbe: { tcpSocket: { host: 'h', port: 1 } },
        lifecycle: { postStart: { httpGet: { host: 'h', port: 1 } }, preStop: { tcpSocket: { host: 'h' } } },
        volumeMounts: [{ name: 'v', mountPath: '/x' }],
        securityContext: {
          privileged: true,
          allowPrivilegeEscalation: true,
          readOnlyRootFilesystem: false,
          procMount: 'Unmasked',
          capabilities: { add: ['NET_ADMIN', 'ALL'], drop: ['ALL'] },
          runAsUser: 0,
          runAsNonRoot: false,
          seccompProfile: { type: 'Unconfined' },
          seLinuxOptions: { type: 'spc_t' },
          appArmorProfile: { type: 'Unconfined' },
          windowsOptions: { hostProcess: true },
        },
      },
    ],
    ephemeralContainers: [{ name: 'e', image: 'e:latest' }],
  },
});

/** One object of every shape the rules and joins read. */
export const TEMPLATES: readonly Record<string, unknown>[] = [
  { apiVersion: 'v1', kind: 'Pod', ...pod() },
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns' }, spec: { replicas: 1, selector: { matchLabels: { app: 'a' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b'] }] }, template: pod() } },
  { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cj' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: pod() } } } },
  { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'ro' }, spec: { template: pod() } },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'cr', labels: { agg: 'true' } },
    rules: [
      { apiGroups: ['*', ''], resources: ['*', 'secrets', 'pods/exec', 'nodes/proxy', 'serviceaccounts/token', 'certificatesigningrequests/approval', 'signers'], verbs: ['*', 'get', 'list', 'escalate', 'bind', 'impersonate', 'create', 'approve'], resourceNames: ['x'] },
      { nonResourceURLs: ['*'], verbs: ['get'] },
    ],
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { agg: 'true' } }] },
  },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'ns' }, rules: [{ apiGroups: ['', 'apps', 'admissionregistration.k8s.io', 'rbac.authorization.k8s.io'], resources: ['secrets', 'deployments', 'roles', 'validatingwebhookconfigurations'], verbs: ['get', 'create', 'patch'] }] },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'ns' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'sa', namespace: 'ns' }, { kind: 'Group', name: 'system:authenticated' }, { kind: 'User', name: 'system:anonymous' }] },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'crb' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'ns' }, { kind: 'Group', name: 'system:serviceaccounts' }] },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'ns' }, spec: { type: 'LoadBalancer', selector: { app: 'a' }, externalIPs: ['1.2.3.4'], loadBalancerSourceRanges: ['0.0.0.0/0'], ports: [{ port: 80, nodePort: 30000, targetPort: 'http' }] } },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'ns' }, spec: { tls: [{ hosts: ['a'], secretName: 's' }], defaultBackend: { service: { name: 's', port: { number: 80 } } }, rules: [{ host: 'a', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { name: 'http' } } } }] } }] } },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'np', namespace: 'ns' },
    spec: { podSelector: { matchLabels: { app: 'a' } }, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }, { namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'a', operator: 'Exists' }] } }], ports: [{ port: 80 }] }], egress: [{ to: [{ ipBlock: { cidr: '::/0' } }] }, {}] },
  },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns', labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.30' } } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', namespace: 'ns' }, automountServiceAccountToken: true, secrets: [{ name: 'x' }] },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'ns' }, data: { password: PLANTED_SECRET, 'config.yaml': `password: ${PLANTED_SECRET}\nurl: postgres://u:${PLANTED_SECRET}@db/x` }, binaryData: { x: 'AAAA' } },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec', namespace: 'ns', annotations: { 'kubernetes.io/service-account.name': 'sa' } }, type: 'kubernetes.io/service-account-token', stringData: { token: PLANTED_SECRET } },
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'v' }, webhooks: [{ name: 'w', failurePolicy: 'Ignore', namespaceSelector: {}, rules: [{ operations: ['*'], resources: ['*'] }] }] },
  { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'listed' } }] },
];

/** Scalars a YAML parser can produce, and keys that name JavaScript internals. */
const scalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 2 ** 53 + 1),
  fc.string({ maxLength: 8 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', '', '*', '0', '-1', 'ALL', 'true', '0.0.0.0/0', 'v1', 'Pod', '/', '..', '\u0000', '\u202e'),
);
const key = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'valueOf', 'length', 'name', 'kind', 'apiVersion', 'metadata', 'spec', 'containers', 'rules', 'subjects', 'securityContext', 'labels'),
);
/** Any JSON-like value, with objects as parsers build them (a plain prototype; `__proto__` an own key). */
export const anyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((entries) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    return out;
  }),
})).value;

/** The wrong type in a typed place: a string spec, a list of strings for containers, and so on. */
export const typeConfusion = fc.constantFrom<unknown>('x', ['a', 'b'], 5, {}, [], null, true, { toString: 1 }, [{ valueOf: 'x' }], -1, 1e308, '*', [[]], { '': {} });

function pathsOf(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

function define(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A template with up to 12 mutations: a value replaced, removed, or wrapped in a list with another. */
export const mutatedObject: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(fc.nat(TEMPLATES.length - 1), fc.array(fc.tuple(fc.nat(), fc.oneof(anyValue, typeConfusion), fc.nat(2)), { minLength: 1, maxLength: 12 }))
  .map(([index, mutations]) => {
    const object = structuredClone(TEMPLATES[index]!);
    for (const [at, raw, mode] of mutations) {
      const paths = pathsOf(object);
      const target = paths[at % paths.length]!;
      if (target.length === 0) continue;
      let node = object as Record<string | number, unknown>;
      for (const step of target.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
      const last = target[target.length - 1]!;
      const value = structuredClone(raw);
      if (mode === 0) define(node, last, value);
      else if (mode === 1) {
        if (Array.isArray(node)) node.splice(Number(last), 1);
        else delete node[last];
      } else define(node, last, [node[last], value]);
    }
    return object;
  });

/** A value nested `depth` levels, placed at a random path of a template (the loader accepts up to 200). */
export const deepObject: fc.Arbitrary<Record<string, unknown>> = fc.tuple(fc.nat(TEMPLATES.length - 1), fc.nat(), fc.integer({ min: 50, max: 195 }), fc.boolean()).map(([index, at, depth, lists]) => {
  const object = structuredClone(TEMPLATES[index]!);
  let deep: unknown = 'leaf';
  for (let i = 0; i < depth; i++) deep = lists ? [deep] : { securityContext: deep, name: 'n' };
  const paths = pathsOf(object).filter((p) => p.length > 0);
  const target = paths[at % paths.length]!;
  let node = object as Record<string | number, unknown>;
  for (const step of target.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  define(node, target[target.length - 1]!, deep);
  return object;
});

// -------------------------------------------------------------------------------------------------------
// YAML texts

const TEXTS = TEMPLATES.map((t) => stringify(t));
const META = ['\n', ' ', '  ', '\t', ':', '- ', '-', '[', ']', '{', '}', ',', '#', '&a ', '*a', '!!str ', '!x ', '"', "'", '|', '>', '? ', '---\n', '...\n', '%YAML 1.1\n', '\r\n', '\ufeff', '\ufffd', '\u0000', '<<: *a\n', 'yes', '0x1F', '1e3', '0o17', '.inf', '~', '@', '`', '\\', 'é', '\u202e'];

/** A few manifests joined by `---`, then mutated: inserts, deletions, replacements, duplicated lines. */
export const mutatedYaml: fc.Arbitrary<string> = fc
  .tuple(fc.array(fc.nat(TEXTS.length - 1), { minLength: 1, maxLength: 3 }), fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.constantFrom(...META), fc.nat(20)), { maxLength: 8 }))
  .map(([picks, mutations]) => {
    let text = picks.map((i) => TEXTS[i]).join('---\n');
    for (const [at, op, insert, length] of mutations) {
      const p = at % (text.length + 1);
      if (op === 0) text = text.slice(0, p) + insert + text.slice(p);
      else if (op === 1) text = text.slice(0, p) + text.slice(p + length);
      else if (op === 2) text = text.slice(0, p) + insert + text.slice(p + length);
      else {
        const lines = text.split('\n');
        const l = p % lines.length;
        lines.splice(l, 0, lines[l] ?? '');
        text = lines.join('\n');
      }
    }
    return text;
  });

/** Short random texts over YAML's syntax characters and Kubernetes words. */
export const randomYaml: fc.Arbitrary<string> = fc.string({ unit: fc.constantFrom(...META, 'a', 'b', 'kind', 'apiVersion', 'v1', 'Pod', '1', 'metadata', 'spec', 'name', PLANTED_SECRET), maxLength: 60 });

/** Whether a text holds nothing but blank lines, comments, markers and directives (and byte-order marks). */
export function blankYaml(text: string): boolean {
  return text
    .replace(/\ufeff/g, '')
    .replace(/\r/g, '')
    .split('\n')
    .every((line) => /^\s*(#.*)?$/.test(line) || /^(---|\.\.\.)\s*(#.*)?$/.test(line) || line.startsWith('%'));
}
