// Pass and fail cases for every Pod Security Standards rule: the rule id and the field path.
import { stringify } from 'yaml';
import { RULES } from '../../rules/index.ts';
import { testRule } from '../helpers/rule-tester.ts';

type Json = Record<string, unknown>;

/** A pod that passes restricted:latest; `patch` edits a deep copy of it. */
function pod(patch: (p: { metadata: Json; spec: Json & { containers: Json[] } }) => void = () => {}, kind = 'Pod'): string {
  const p = {
    metadata: { name: 'web', annotations: {} as Json },
    spec: {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } as Json,
      containers: [
        {
          name: 'app',
          image: 'registry.example/app:1.0',
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } as Json,
        },
      ] as Json[],
    },
  };
  patch(p);
  if (kind === 'Pod') return stringify({ apiVersion: 'v1', kind: 'Pod', ...p });
  return stringify({ apiVersion: 'apps/v1', kind, metadata: { name: 'web' }, spec: { selector: {}, template: p } });
}

const rule = (id: string) => {
  const found = RULES.find((r) => r.meta.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};
const sc = (p: { spec: { containers: Json[] } }) => p.spec.containers[0]!.securityContext as Json;

testRule(rule('pss-privileged'), {
  valid: [
    { name: 'restricted pod', yaml: pod() },
    { name: 'privileged false', yaml: pod((p) => (sc(p).privileged = false)) },
  ],
  invalid: [
    { name: 'privileged container', yaml: pod((p) => (sc(p).privileged = true)), findings: [{ path: '/spec/containers/0/securityContext/privileged', message: 'privileged' }] },
    {
      name: 'privileged init container in a Deployment',
      yaml: pod((p) => (p.spec.initContainers = [{ name: 'init', image: 'x', securityContext: { privileged: true } }]), 'Deployment'),
      findings: [{ path: '/spec/template/spec/initContainers/0/securityContext/privileged' }],
    },
  ],
});

testRule(rule('pss-host-namespaces'), {
  valid: [{ name: 'no host namespaces', yaml: pod((p) => (p.spec.hostNetwork = false)) }],
  invalid: [
    {
      name: 'hostNetwork and hostPID',
      yaml: pod((p) => Object.assign(p.spec, { hostNetwork: true, hostPID: true })),
      findings: [{ path: '/spec/hostNetwork', message: 'must not set spec.hostNetwork=true' }, { path: '/spec/hostPID', message: 'must not set spec.hostPID=true' }],
    },
  ],
});

testRule(rule('pss-host-path-volumes'), {
  valid: [
    { name: 'emptyDir', yaml: pod((p) => (p.spec.volumes = [{ name: 'v', emptyDir: {} }])), pss: { level: 'baseline' } },
    { name: 'nfs is restricted\'s, not baseline\'s', yaml: pod((p) => (p.spec.volumes = [{ name: 'n', nfs: { server: 's', path: '/' } }])) },
  ],
  invalid: [
    {
      name: 'hostPath at baseline',
      yaml: pod((p) => (p.spec.volumes = [{ name: 'ok', emptyDir: {} }, { name: 'logs', hostPath: { path: '/var/log' } }])),
      pss: { level: 'baseline' },
      findings: [{ path: '/spec/volumes/1/hostPath', message: 'volume "logs" mounts host path "/var/log"' }],
    },
    {
      name: 'hostPath at restricted (the restricted volume check does not hide it)',
      yaml: pod((p) => (p.spec.volumes = [{ name: 'data', hostPath: { path: '/opt/app-data' } }])),
      findings: [{ path: '/spec/volumes/0/hostPath', message: '"/opt/app-data"' }],
    },
  ],
});

testRule(rule('pss-restricted-volumes'), {
  valid: [
    { name: 'projected and csi', yaml: pod((p) => (p.spec.volumes = [{ name: 'a', projected: { sources: [] } }, { name: 'b', csi: { driver: 'x' } }])) },
    { name: 'source-less volume defaults to emptyDir', yaml: pod((p) => (p.spec.volumes = [{ name: 'a' }])) },
    { name: 'hostPath alone is reported by pss-host-path-volumes', yaml: pod((p) => (p.spec.volumes = [{ name: 'logs', hostPath: { path: '/var/log' } }])) },
  ],
  invalid: [
    {
      name: 'nfs beside a hostPath: only the nfs volume (hostPath is pss-host-path-volumes\' finding)',
      yaml: pod((p) => (p.spec.volumes = [{ name: 'logs', hostPath: { path: '/var/log' } }, { name: 'share', nfs: { server: 's', path: '/' } }])),
      findings: [{ path: '/spec/volumes/1/nfs', message: 'volume "share" uses restricted volume type "nfs"' }],
    },
    { name: 'nfs', yaml: pod((p) => (p.spec.volumes = [{ name: 'n', nfs: { server: 's', path: '/' } }])), findings: [{ path: '/spec/volumes/0/nfs' }] },
  ],
});

testRule(rule('pss-host-ports'), {
  valid: [{ name: 'containerPort only', yaml: pod((p) => (p.spec.containers[0]!.ports = [{ containerPort: 80 }])) }],
  invalid: [
    {
      name: 'hostPort',
      yaml: pod((p) => (p.spec.containers[0]!.ports = [{ containerPort: 80 }, { containerPort: 443, hostPort: 443 }])),
      findings: [{ path: '/spec/containers/0/ports/1/hostPort', message: 'hostPort 443' }],
    },
  ],
});

testRule(rule('pss-capabilities-baseline'), {
  valid: [{ name: 'default set add at baseline', yaml: pod((p) => (sc(p).capabilities = { add: ['CHOWN'] })), pss: { level: 'baseline' } }],
  invalid: [
    {
      name: 'SYS_ADMIN at baseline',
      yaml: pod((p) => (sc(p).capabilities = { add: ['SYS_ADMIN'] })),
      pss: { level: 'baseline' },
      findings: [{ path: '/spec/containers/0/securityContext/capabilities/add/0', message: '"SYS_ADMIN"' }],
    },
    {
      name: 'restricted before v1.22 uses the baseline check',
      yaml: pod((p) => (sc(p).capabilities = { add: ['NET_RAW'] })),
      pss: { version: 'v1.21' },
      findings: [{ path: '/spec/containers/0/securityContext/capabilities/add/0' }],
    },
    {
      name: 'SYS_ADMIN at restricted (the default level)',
      yaml: pod((p) => (sc(p).capabilities = { drop: ['ALL'], add: ['CHOWN', 'SYS_ADMIN'] })),
      findings: [{ path: '/spec/containers/0/securityContext/capabilities/add/1', message: 'must not include "SYS_ADMIN"' }],
    },
    {
      name: 'NET_ADMIN and NET_RAW in an init container at restricted',
      yaml: pod((p) => (p.spec.initContainers = [{ name: 'init', image: 'x', securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } } }])),
      findings: [
        { path: '/spec/initContainers/0/securityContext/capabilities/add/0', message: 'container "init" must not include "NET_ADMIN"' },
        { path: '/spec/initContainers/0/securityContext/capabilities/add/1', message: 'container "init" must not include "NET_RAW"' },
      ],
    },
  ],
});

testRule(rule('pss-capabilities-restricted'), {
  valid: [
    { name: 'drop ALL add NET_BIND_SERVICE', yaml: pod((p) => (sc(p).capabilities = { drop: ['ALL'], add: ['NET_BIND_SERVICE'] })) },
    { name: 'NET_ADMIN is pss-capabilities-baseline\'s finding, not a second one here', yaml: pod((p) => (sc(p).capabilities = { drop: ['ALL'], add: ['NET_ADMIN'] })) },
  ],
  invalid: [
    { name: 'no drop', yaml: pod((p) => delete sc(p).capabilities), findings: [{ path: '/spec/containers/0/securityContext/capabilities/drop', message: 'drop=["ALL"]' }] },
    {
      name: 'add CHOWN (baseline allows it, restricted does not)',
      yaml: pod((p) => (sc(p).capabilities = { drop: ['ALL'], add: ['CHOWN'] })),
      findings: [{ path: '/spec/containers/0/securityContext/capabilities/add/0', message: 'must not include "CHOWN"' }],
    },
    {
      name: 'no drop and SYS_ADMIN beside CHOWN: the drop and CHOWN only',
      yaml: pod((p) => (sc(p).capabilities = { add: ['SYS_ADMIN', 'CHOWN'] })),
      findings: [
        { path: '/spec/containers/0/securityContext/capabilities/drop', message: 'container "app" must set securityContext.capabilities.drop=["ALL"]' },
        { path: '/spec/containers/0/securityContext/capabilities/add/1', message: 'container "app" must not include "CHOWN"' },
      ],
    },
    { name: 'CHOWN at v1.22, the first version with the restricted capabilities check', yaml: pod((p) => (sc(p).capabilities = { drop: ['ALL'], add: ['CHOWN'] })), pss: { version: 'v1.22' }, findings: [{ path: '/spec/containers/0/securityContext/capabilities/add/0' }] },
  ],
});

testRule(rule('pss-allow-privilege-escalation'), {
  valid: [{ name: 'set to false', yaml: pod() }],
  invalid: [
    { name: 'missing', yaml: pod((p) => delete sc(p).allowPrivilegeEscalation), findings: [{ path: '/spec/containers/0/securityContext/allowPrivilegeEscalation' }] },
    { name: 'true', yaml: pod((p) => (sc(p).allowPrivilegeEscalation = true)), findings: [{ path: '/spec/containers/0/securityContext/allowPrivilegeEscalation' }] },
  ],
});

testRule(rule('pss-run-as-non-root'), {
  valid: [
    { name: 'pod-level true', yaml: pod() },
    { name: 'user namespace at v1.35', yaml: pod((p) => Object.assign(p.spec, { hostUsers: false, securityContext: { seccompProfile: { type: 'RuntimeDefault' } } })) },
  ],
  invalid: [
    {
      name: 'not set anywhere',
      yaml: pod((p) => delete (p.spec.securityContext as Json).runAsNonRoot),
      findings: [{ path: '/spec/securityContext/runAsNonRoot', message: 'must set securityContext.runAsNonRoot=true' }],
    },
    {
      name: 'container sets false',
      yaml: pod((p) => (sc(p).runAsNonRoot = false)),
      findings: [{ path: '/spec/containers/0/securityContext/runAsNonRoot', message: 'must not set securityContext.runAsNonRoot=false' }],
    },
  ],
});

testRule(rule('pss-run-as-user'), {
  valid: [
    { name: 'uid 1000', yaml: pod((p) => (sc(p).runAsUser = 1000)) },
    { name: 'uid 0 before v1.23', yaml: pod((p) => (sc(p).runAsUser = 0)), pss: { version: 'v1.22' } },
  ],
  invalid: [{ name: 'uid 0', yaml: pod((p) => (sc(p).runAsUser = 0)), findings: [{ path: '/spec/containers/0/securityContext/runAsUser' }] }],
});

testRule(rule('pss-seccomp-restricted'), {
  valid: [
    { name: 'pod RuntimeDefault', yaml: pod() },
    { name: 'container Unconfined is pss-seccomp-baseline\'s finding', yaml: pod((p) => (sc(p).seccompProfile = { type: 'Unconfined' })) },
    { name: 'pod Unconfined is pss-seccomp-baseline\'s finding', yaml: pod((p) => ((p.spec.securityContext as Json).seccompProfile = { type: 'Unconfined' })) },
  ],
  invalid: [
    { name: 'no profile', yaml: pod((p) => delete (p.spec.securityContext as Json).seccompProfile), findings: [{ path: '/spec/securityContext/seccompProfile/type', message: 'pod or container "app" must set' }] },
    {
      name: 'one container Unconfined, the other unset: the unset one still needs a profile',
      yaml: pod((p) => {
        delete (p.spec.securityContext as Json).seccompProfile;
        sc(p).seccompProfile = { type: 'Unconfined' };
        p.spec.containers.push({ name: 'side', image: 'x', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } });
      }),
      findings: [{ path: '/spec/securityContext/seccompProfile/type', message: 'pod or container "side" must set' }],
    },
  ],
});

testRule(rule('pss-seccomp-baseline'), {
  valid: [{ name: 'RuntimeDefault at baseline', yaml: pod(), pss: { level: 'baseline' } }],
  invalid: [
    {
      name: 'Unconfined at baseline',
      yaml: pod((p) => ((p.spec.securityContext as Json).seccompProfile = { type: 'Unconfined' })),
      pss: { level: 'baseline' },
      findings: [{ path: '/spec/securityContext/seccompProfile/type' }],
    },
    {
      name: 'Unconfined at restricted (the default level)',
      yaml: pod((p) => ((p.spec.securityContext as Json).seccompProfile = { type: 'Unconfined' })),
      findings: [{ path: '/spec/securityContext/seccompProfile/type', message: 'pod must not set securityContext.seccompProfile.type to "Unconfined"' }],
    },
    {
      name: 'container Unconfined at restricted',
      yaml: pod((p) => (sc(p).seccompProfile = { type: 'Unconfined' })),
      findings: [{ path: '/spec/containers/0/securityContext/seccompProfile/type', message: 'container "app"' }],
    },
    {
      name: 'unconfined annotation at v1.18',
      yaml: pod((p) => (p.metadata.annotations = { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' })),
      pss: { level: 'baseline', version: 'v1.18' },
      findings: [{ path: '/metadata/annotations/seccomp.security.alpha.kubernetes.io~1pod' }],
    },
  ],
});

testRule(rule('pss-apparmor-profile'), {
  valid: [{ name: 'runtime/default annotation', yaml: pod((p) => (p.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/app': 'runtime/default' })) }],
  invalid: [
    {
      name: 'unconfined annotation',
      yaml: pod((p) => (p.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' })),
      findings: [{ path: '/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1app' }],
    },
    { name: 'Unconfined field', yaml: pod((p) => (sc(p).appArmorProfile = { type: 'Unconfined' })), findings: [{ path: '/spec/containers/0/securityContext/appArmorProfile/type' }] },
  ],
});

testRule(rule('pss-selinux-options'), {
  valid: [{ name: 'container_t with level', yaml: pod((p) => (sc(p).seLinuxOptions = { type: 'container_t', level: 's0:c1' })) }],
  invalid: [
    {
      name: 'custom user',
      yaml: pod((p) => (sc(p).seLinuxOptions = { user: 'system_u' })),
      findings: [{ path: '/spec/containers/0/securityContext/seLinuxOptions/user', message: 'container "app" must not set securityContext.seLinuxOptions.user' }],
    },
    {
      name: 'container_engine_t before v1.31',
      yaml: pod((p) => (sc(p).seLinuxOptions = { type: 'container_engine_t' })),
      pss: { version: 'v1.30' },
      findings: [{ path: '/spec/containers/0/securityContext/seLinuxOptions/type' }],
    },
  ],
});

testRule(rule('pss-proc-mount'), {
  valid: [{ name: 'Default', yaml: pod((p) => (sc(p).procMount = 'Default')), pss: { level: 'baseline' } }],
  invalid: [
    { name: 'Unmasked at baseline', yaml: pod((p) => (sc(p).procMount = 'Unmasked')), pss: { level: 'baseline' }, findings: [{ path: '/spec/containers/0/securityContext/procMount' }] },
    {
      name: 'Unmasked at restricted (the default level)',
      yaml: pod((p) => (sc(p).procMount = 'Unmasked')),
      findings: [{ path: '/spec/containers/0/securityContext/procMount', message: 'must not set securityContext.procMount to "Unmasked"' }],
    },
  ],
});

testRule(rule('pss-proc-mount-restricted'), {
  valid: [
    { name: 'Default', yaml: pod((p) => (sc(p).procMount = 'Default')) },
    { name: 'Unmasked on the host\'s user namespace is pss-proc-mount\'s finding', yaml: pod((p) => (sc(p).procMount = 'Unmasked')) },
  ],
  invalid: [
    {
      name: 'Unmasked in a user namespace is still denied at restricted',
      yaml: pod((p) => {
        sc(p).procMount = 'Unmasked';
        p.spec.hostUsers = false;
      }),
      findings: [{ path: '/spec/containers/0/securityContext/procMount' }],
    },
  ],
});

testRule(rule('pss-sysctls'), {
  valid: [{ name: 'safe sysctl', yaml: pod((p) => ((p.spec.securityContext as Json).sysctls = [{ name: 'net.ipv4.tcp_syncookies', value: '1' }])) }],
  invalid: [
    {
      name: 'unsafe sysctl',
      yaml: pod((p) => ((p.spec.securityContext as Json).sysctls = [{ name: 'net.ipv4.tcp_syncookies', value: '1' }, { name: 'kernel.msgmax', value: '1' }])),
      findings: [{ path: '/spec/securityContext/sysctls/1', message: 'kernel.msgmax' }],
    },
    {
      name: 'newer safe sysctl at an older version',
      yaml: pod((p) => ((p.spec.securityContext as Json).sysctls = [{ name: 'net.ipv4.tcp_rmem', value: '4096 87380 6291456' }])),
      pss: { version: 'v1.31' },
      findings: [{ path: '/spec/securityContext/sysctls/0' }],
    },
  ],
});

testRule(rule('pss-windows-host-process'), {
  valid: [{ name: 'hostProcess false', yaml: pod((p) => (sc(p).windowsOptions = { hostProcess: false })) }],
  invalid: [
    { name: 'hostProcess true', yaml: pod((p) => (sc(p).windowsOptions = { hostProcess: true })), findings: [{ path: '/spec/containers/0/securityContext/windowsOptions/hostProcess' }] },
  ],
});

testRule(rule('pss-host-probes-lifecycle'), {
  valid: [
    { name: 'probe without host', yaml: pod((p) => (p.spec.containers[0]!.livenessProbe = { httpGet: { path: '/', port: 80 } })) },
    { name: 'probe host before v1.34', yaml: pod((p) => (p.spec.containers[0]!.livenessProbe = { httpGet: { host: '10.0.0.1', port: 80 } })), pss: { version: 'v1.33' } },
  ],
  invalid: [
    {
      name: 'startupProbe host',
      yaml: pod((p) => (p.spec.containers[0]!.startupProbe = { tcpSocket: { host: '169.254.169.254', port: 80 } })),
      findings: [{ path: '/spec/containers/0/startupProbe/tcpSocket/host', message: 'container "app" must not set startupProbe.tcpSocket.host ("169.254.169.254")' }],
    },
    {
      name: 'liveness and readiness hosts and a preStop host: one finding each, naming its handler',
      yaml: pod((p) => Object.assign(p.spec.containers[0]!, {
        livenessProbe: { httpGet: { host: '10.0.0.1', port: 80 } },
        readinessProbe: { httpGet: { host: '10.0.0.1', port: 80 } },
        lifecycle: { preStop: { httpGet: { host: 'metadata.internal', port: 80 } } },
      })),
      findings: [
        { path: '/spec/containers/0/livenessProbe/httpGet/host', message: 'livenessProbe.httpGet.host' },
        { path: '/spec/containers/0/readinessProbe/httpGet/host', message: 'readinessProbe.httpGet.host' },
        { path: '/spec/containers/0/lifecycle/preStop/httpGet/host', message: 'lifecycle.preStop.httpGet.host ("metadata.internal")' },
      ],
    },
  ],
});
