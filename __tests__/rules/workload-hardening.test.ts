// Workload hardening rules: read-only root filesystem, resources, probes and hostPath mounts.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import containerProbes from '../../rules/container-probes.ts';
import containerResources from '../../rules/container-resources.ts';
import readOnlyRootFilesystem from '../../rules/read-only-root-filesystem.ts';
import runtimeSocketMount from '../../rules/runtime-socket-mount.ts';
import sensitiveHostPath from '../../rules/sensitive-host-path.ts';
import { isAtOrUnder, matchRuntimeSocket, matchSensitivePath, normaliseHostPath } from '../../rules/_templates/host-mounts.ts';
import { runRule, testRule } from '../helpers/rule-tester.ts';

type Json = Record<string, unknown>;

/** A container every rule of this family accepts; `patch` edits it. */
function container(patch: (c: Json) => void = () => {}, name = 'app'): Json {
  const c: Json = {
    name,
    image: 'registry.example/app:1.0',
    securityContext: { readOnlyRootFilesystem: true },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
    livenessProbe: { httpGet: { path: '/live', port: 8080 } },
  };
  patch(c);
  return c;
}

/** An object of `kind` running a pod with `spec`; pointers of its pod template are `prefix(kind)`. */
function workload(kind: string, spec: Json, extra: { namespace?: string } = {}): string {
  const metadata: Json = { name: 'web', ...(extra.namespace ? { namespace: extra.namespace } : {}) };
  const template = { metadata: { labels: { app: 'web' } }, spec };
  switch (kind) {
    case 'Pod':
      return stringify({ apiVersion: 'v1', kind, metadata, spec });
    case 'Job':
      return stringify({ apiVersion: 'batch/v1', kind, metadata, spec: { template } });
    case 'CronJob':
      return stringify({ apiVersion: 'batch/v1', kind, metadata, spec: { schedule: '0 * * * *', jobTemplate: { spec: { template } } } });
    case 'Rollout':
      return stringify({ apiVersion: 'argoproj.io/v1alpha1', kind, metadata, spec: { selector: { matchLabels: { app: 'web' } }, template } });
    default:
      return stringify({ apiVersion: 'apps/v1', kind, metadata, spec: { selector: { matchLabels: { app: 'web' } }, template } });
  }
}

const DEPLOY = '/spec/template';
const CRON = '/spec/jobTemplate/spec/template';

const pod = (containers: Json[], more: Json = {}) => ({ containers, ...more });
const hostPath = (path: unknown, readOnly?: boolean, more: Json = {}) =>
  pod([container((c) => (c.volumeMounts = [{ name: 'host', mountPath: '/host', ...(readOnly === undefined ? {} : { readOnly }) }]))], {
    volumes: [{ name: 'host', hostPath: { path } }],
    ...more,
  });

const malformed = [
  { name: 'containers is a string', yaml: workload('Deployment', { containers: 'oops' }) },
  { name: 'container items are not objects', yaml: workload('Deployment', { containers: [5, null, 'x'] }) },
  { name: 'spec is a list', yaml: workload('Deployment', [] as unknown as Json) },
];

testRule(readOnlyRootFilesystem, {
  valid: [
    { name: 'read-only root in a Deployment', yaml: workload('Deployment', pod([container()])) },
    { name: 'Windows pods cannot set the field', yaml: workload('Deployment', pod([container((c) => delete c.securityContext)], { os: { name: 'windows' } })) },
    {
      name: 'ephemeral containers are not checked',
      yaml: workload('Pod', pod([container()], { ephemeralContainers: [{ name: 'debug', image: 'busybox:1.36' }] })),
    },
    ...malformed,
  ],
  invalid: [
    {
      name: 'no securityContext in a Deployment',
      yaml: workload('Deployment', pod([container((c) => delete c.securityContext)])),
      findings: [{ path: `${DEPLOY}/spec/containers/0/securityContext/readOnlyRootFilesystem`, message: 'does not set securityContext.readOnlyRootFilesystem=true' }],
    },
    {
      name: 'init container sets false in a CronJob',
      yaml: workload('CronJob', pod([container()], { initContainers: [container((c) => (c.securityContext = { readOnlyRootFilesystem: false }), 'init')] })),
      findings: [{ path: `${CRON}/spec/initContainers/0/securityContext/readOnlyRootFilesystem`, message: 'container "init" sets securityContext.readOnlyRootFilesystem=false' }],
    },
    {
      name: 'securityContext of the wrong type reads as unset',
      yaml: workload('Pod', pod([container((c) => (c.securityContext = 'ro'))])),
      findings: [{ path: '/spec/containers/0/securityContext/readOnlyRootFilesystem' }],
    },
    {
      name: 'string "true" is not true',
      yaml: workload('Pod', pod([container((c) => (c.securityContext = { readOnlyRootFilesystem: 'true' }))])),
      findings: [{ path: '/spec/containers/0/securityContext/readOnlyRootFilesystem' }],
    },
  ],
});

const limitRange = (namespace: string, limits: Json[]) =>
  stringify({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'defaults', namespace }, spec: { limits } });

testRule(containerResources, {
  valid: [
    { name: 'requests and memory limit', yaml: workload('Deployment', pod([container()])) },
    {
      name: 'limits only: requests default to limits; numeric quantities',
      yaml: workload('CronJob', pod([container((c) => (c.resources = { limits: { cpu: 1, memory: '256Mi' } }))])),
    },
    {
      name: 'pod-level resources',
      yaml: workload('Deployment', pod([container((c) => delete c.resources)], { resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '1Gi' } } })),
    },
    {
      name: 'a LimitRange of the same namespace fills defaults',
      yaml:
        workload('Deployment', pod([container((c) => delete c.resources)]), { namespace: 'shop' }) +
        '---\n' +
        limitRange('shop', [{ type: 'Container', default: { memory: '512Mi' }, defaultRequest: { cpu: '100m' } }]),
    },
    { name: 'ephemeral containers are not checked', yaml: workload('Pod', pod([container()], { ephemeralContainers: [{ name: 'debug', image: 'busybox:1.36' }] })) },
    ...malformed,
  ],
  invalid: [
    {
      name: 'no resources in a Deployment',
      yaml: workload('Deployment', pod([container((c) => delete c.resources)])),
      findings: [
        {
          path: `${DEPLOY}/spec/containers/0/resources`,
          message: 'container "app" sets no CPU request (resources.requests.cpu), memory request (resources.requests.memory) or memory limit (resources.limits.memory)',
        },
      ],
    },
    {
      name: 'CPU limit is not required, memory limit is (CronJob init container)',
      yaml: workload('CronJob', pod([container()], { initContainers: [container((c) => (c.resources = { requests: { cpu: '10m', memory: '' } }), 'init')] })),
      findings: [{ path: `${CRON}/spec/initContainers/0/resources`, message: 'container "init" sets no memory request (resources.requests.memory) or memory limit (resources.limits.memory)' }],
    },
    {
      name: 'a LimitRange of another namespace does not count',
      yaml:
        workload('Deployment', pod([container((c) => (c.resources = { requests: { cpu: '1', memory: '1Gi' } }))]), { namespace: 'shop' }) +
        '---\n' +
        limitRange('other', [{ type: 'Container', default: { memory: '512Mi' } }]),
      findings: [{ path: `${DEPLOY}/spec/containers/0/resources`, message: 'container "app" sets no memory limit (resources.limits.memory)' }],
    },
    {
      name: 'resources of the wrong type read as absent',
      yaml: workload('Pod', pod([container((c) => (c.resources = 'lots'))])),
      findings: [{ path: '/spec/containers/0/resources' }],
    },
  ],
});

const noProbes = (c: Json) => {
  delete c.readinessProbe;
  delete c.livenessProbe;
};

testRule(containerProbes, {
  valid: [
    { name: 'both probes in a Deployment', yaml: workload('Deployment', pod([container()])) },
    { name: 'CronJobs run to completion', yaml: workload('CronJob', pod([container(noProbes)])) },
    { name: 'Jobs run to completion', yaml: workload('Job', pod([container(noProbes)])) },
    { name: 'bare Pods are not checked', yaml: workload('Pod', pod([container(noProbes)])) },
    { name: 'no regular containers', yaml: workload('Deployment', pod([], { initContainers: [container(noProbes, 'init')] })) },
    ...malformed,
  ],
  invalid: [
    {
      name: 'Deployment without probes',
      yaml: workload('Deployment', pod([container(noProbes)], { initContainers: [container(noProbes, 'init')] })),
      findings: [
        { path: `${DEPLOY}/spec/containers/0/readinessProbe`, message: 'container "app" has no readinessProbe' },
        { path: `${DEPLOY}/spec/containers/0/livenessProbe`, message: 'container "app" has no livenessProbe' },
      ],
    },
    {
      name: 'StatefulSet sidecar without liveness probe',
      yaml: workload('StatefulSet', pod([container(), container((c) => delete c.livenessProbe, 'sidecar')])),
      findings: [{ path: `${DEPLOY}/spec/containers/1/livenessProbe` }],
    },
    {
      name: 'Argo Rollout with a probe of the wrong type',
      yaml: workload('Rollout', pod([container((c) => (c.readinessProbe = 'yes'))])),
      findings: [{ path: `${DEPLOY}/spec/containers/0/readinessProbe` }],
    },
    {
      name: 'DaemonSet',
      yaml: workload('DaemonSet', pod([container((c) => delete c.readinessProbe)])),
      findings: [{ path: `${DEPLOY}/spec/containers/0/readinessProbe` }],
    },
  ],
});

describe('host-mounts template', () => {
  it.each([
    ['/var/run/docker.sock', '/run/docker.sock'],
    ['//run//containerd/', '/run/containerd'],
    ['/var/run/', '/run'],
    ['/var/lib/./kubelet/', '/var/lib/kubelet'],
    ['/etc/../etc/kubernetes', '/etc/kubernetes'],
    ['///', '/'],
    ['\\\\.\\pipe\\Docker_Engine', '\\\\.\\pipe\\docker_engine'],
    ['//./pipe/docker_engine', '\\\\.\\pipe\\docker_engine'],
    ['relative/path', 'relative/path'],
  ])('normalises %s to %s', (raw, expected) => {
    expect(normaliseHostPath(raw)).toBe(expected);
  });

  it('matches runtime sockets and their directories exactly', () => {
    expect(matchRuntimeSocket('/run/docker.sock')).toEqual({ kind: 'socket' });
    expect(matchRuntimeSocket('/run/containerd')).toEqual({ kind: 'directory' });
    expect(matchRuntimeSocket('/run/containerd/io.containerd.runtime.v2.task')).toBeUndefined();
    expect(matchRuntimeSocket('/run/secrets')).toBeUndefined();
  });

  it('matches sensitive paths by subtree or exactly, most specific first', () => {
    expect(matchSensitivePath('/etc/kubernetes/pki')?.path).toBe('/etc/kubernetes');
    expect(matchSensitivePath('/etc/ssl/certs')?.exposure).toBe('write');
    expect(matchSensitivePath('/etc/shadow')?.path).toBe('/etc');
    expect(matchSensitivePath('/')?.path).toBe('/');
    expect(matchSensitivePath('/data')).toBeUndefined();
    expect(matchSensitivePath('/var/lib/app')).toBeUndefined();
    expect(matchSensitivePath('/etcetera')).toBeUndefined();
    expect(isAtOrUnder('/procfs', '/proc')).toBe(false);
  });
});

testRule(runtimeSocketMount, {
  valid: [
    { name: 'emptyDir', yaml: workload('Deployment', pod([container()], { volumes: [{ name: 'tmp', emptyDir: {} }] })) },
    { name: 'a subdirectory of a socket directory', yaml: workload('DaemonSet', hostPath('/run/containerd/io.containerd.runtime.v2.task', true)) },
    { name: 'node paths left to sensitive-host-path', yaml: workload('DaemonSet', hostPath('/var/lib/docker')) },
    { name: 'volumes is a string', yaml: workload('Deployment', pod([container()], { volumes: 'oops' })) },
    { name: 'hostPath path is a number', yaml: workload('Deployment', hostPath(5)) },
    { name: 'hostPath is a string', yaml: workload('Deployment', pod([container()], { volumes: [{ name: 'h', hostPath: '/var/run/docker.sock' }] })) },
  ],
  invalid: [
    {
      name: 'docker.sock in a Deployment',
      yaml: workload('Deployment', hostPath('/var/run/docker.sock')),
      findings: [{ path: `${DEPLOY}/spec/volumes/0/hostPath/path`, message: 'volume "host" mounts the container runtime socket /var/run/docker.sock' }],
    },
    {
      name: 'containerd directory written sloppily, read-only, in a CronJob',
      yaml: workload('CronJob', hostPath('//run//containerd/', true)),
      findings: [{ path: `${CRON}/spec/volumes/0/hostPath/path`, message: 'which holds the container runtime socket' }],
    },
    {
      name: 'all of /var/run',
      yaml: workload('Pod', hostPath('/var/run/')),
      findings: [{ path: '/spec/volumes/0/hostPath/path' }],
    },
    {
      name: 'Windows docker named pipe and crio socket',
      yaml: workload('DaemonSet', pod([container()], { volumes: [{ name: 'a', hostPath: { path: '\\\\.\\pipe\\docker_engine' } }, { name: 'b', emptyDir: {} }, { name: 'c', hostPath: { path: '/run/crio/crio.sock', type: 'Socket' } }] })),
      findings: [{ path: `${DEPLOY}/spec/volumes/0/hostPath/path` }, { path: `${DEPLOY}/spec/volumes/2/hostPath/path` }],
    },
  ],
});

testRule(sensitiveHostPath, {
  valid: [
    { name: 'application data directory', yaml: workload('Deployment', hostPath('/data/app')) },
    { name: '/var/log read-only for a log shipper', yaml: workload('DaemonSet', hostPath('/var/log', true)) },
    { name: 'CA bundle read-only', yaml: workload('DaemonSet', hostPath('/etc/ssl/certs/', true)) },
    { name: 'time zone read-only', yaml: workload('Deployment', hostPath('/etc/localtime', true)) },
    { name: 'runtime sockets are left to runtime-socket-mount', yaml: workload('DaemonSet', hostPath('/var/run/docker.sock')) },
    { name: 'volumes is a string', yaml: workload('Deployment', pod([container()], { volumes: 'oops' })) },
    { name: 'volumeMounts malformed, path missing', yaml: workload('Deployment', pod([container((c) => (c.volumeMounts = 'x'))], { volumes: [{ name: 'host', hostPath: {} }] })) },
  ],
  invalid: [
    {
      name: 'the node root, writable, in a Deployment',
      yaml: workload('Deployment', hostPath('/')),
      findings: [{ path: `${DEPLOY}/spec/volumes/0/hostPath/path`, message: 'volume "host" mounts host path / writable' }],
    },
    {
      name: 'node credentials in a CronJob',
      yaml: workload('CronJob', hostPath('/etc/kubernetes/pki', true)),
      findings: [{ path: `${CRON}/spec/volumes/0/hostPath/path`, message: '(read-only): node and control-plane credentials' }],
    },
    {
      name: '/var/log writable',
      yaml: workload('DaemonSet', hostPath('/var/log')),
      findings: [{ path: `${DEPLOY}/spec/volumes/0/hostPath/path`, message: 'writable' }],
    },
    {
      name: 'one writable mount among read-only ones makes it writable',
      yaml: workload(
        'DaemonSet',
        pod(
          [
            container((c) => (c.volumeMounts = [{ name: 'proc', mountPath: '/host/proc', readOnly: true }])),
            container((c) => (c.volumeMounts = [{ name: 'proc', mountPath: '/host/proc' }]), 'sidecar'),
          ],
          { volumes: [{ name: 'proc', hostPath: { path: '/proc' } }] },
        ),
      ),
      findings: [{ path: `${DEPLOY}/spec/volumes/0/hostPath/path`, message: 'writable' }],
    },
    {
      name: 'kubelet state with a trailing slash, mounted by no container',
      yaml: workload('Deployment', pod([container()], { volumes: [{ name: 'kubelet', hostPath: { path: '/var/lib/kubelet/' } }] })),
      findings: [{ path: `${DEPLOY}/spec/volumes/0/hostPath/path`, message: 'mounted by no container' }],
    },
  ],
});

describe('sensitive-host-path severity', () => {
  const severityOf = (yaml: string) => runRule(sensitiveHostPath, yaml).map((f) => f.severity);
  it('is high for writable mounts', () => {
    expect(severityOf(workload('DaemonSet', hostPath('/proc')))).toEqual(['high']);
  });
  it('is medium when every mount is read-only', () => {
    expect(severityOf(workload('DaemonSet', hostPath('/proc', true)))).toEqual(['medium']);
  });
  it('runtime-socket-mount stays critical when read-only', () => {
    expect(runRule(runtimeSocketMount, workload('DaemonSet', hostPath('/var/run/docker.sock', true))).map((f) => f.severity)).toEqual(['critical']);
  });
});
