// Behaviour of the PSS evaluator the upstream fixtures do not pin down (SPEC §1.6, §5), exact
// messages and paths, version handling and malformed input.
import { describe, expect, it } from 'vitest';
import {
  activeChecks,
  admissionOf,
  evaluatePod,
  forbiddenDetail,
  PSS_CHECKS,
  PSS_LATEST_MINOR,
  resolvePssVersion,
  type PodVerdict,
  type PssLevel,
} from '../../src/pss/index.ts';
import { podContext } from '../../src/pss/context.ts';
import { restrictedVolumes_1_0 } from '../../src/pss/checks/restrictedVolumes.ts';
import { compareGo, goQuote, joinQuote, sortedSet } from '../../src/pss/format.ts';

type Obj = Record<string, unknown>;

/** A container that satisfies every restricted check on its own. */
function good(name: string, extra: Obj = {}): Obj {
  const { securityContext, ...rest } = extra;
  return {
    name,
    image: 'registry.k8s.io/pause',
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, ...(securityContext as Obj | undefined) },
    ...rest,
  };
}

/** A restricted-compliant pod (v1.0..latest), with overrides merged into spec and pod securityContext. */
function pod(spec: Obj = {}, annotations?: Obj): { metadata: Obj; spec: Obj } {
  const { securityContext, ...rest } = spec;
  return {
    metadata: annotations === undefined ? { name: 'p' } : { name: 'p', annotations },
    spec: {
      initContainers: [good('init')],
      containers: [good('app')],
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, ...(securityContext as Obj | undefined) },
      ...rest,
    },
  };
}

/** A bare pod with the given spec and nothing defaulted. */
function raw(spec: Obj, annotations?: Obj): { metadata: Obj; spec: Obj } {
  return { metadata: annotations === undefined ? {} : { annotations }, spec };
}

/** The one violation of a check, with its fields' pointers as `paths` (details are asserted apart). */
function only(verdict: PodVerdict, check: string) {
  const found = verdict.violations.filter((v) => v.check === check);
  expect(found, `violations: ${forbiddenDetail(verdict.violations)}`).toHaveLength(1);
  const { fields, ...rest } = found[0]!;
  return { ...rest, paths: fields.map((f) => f.path) };
}

/** Violations with their fields' pointers as `paths`. */
function withPaths(violations: PodVerdict['violations']) {
  return violations.map(({ fields, ...rest }) => ({ ...rest, paths: fields.map((f) => f.path) }));
}

function checks(verdict: PodVerdict): string[] {
  return verdict.violations.map((v) => v.check);
}

const ALL_LEVELS: PssLevel[] = ['privileged', 'baseline', 'restricted'];

describe('versions', () => {
  it('resolves latest and v1.N, capping to the newest policy', () => {
    expect(PSS_LATEST_MINOR).toBe(37);
    expect(resolvePssVersion('latest')).toBe(37);
    expect(resolvePssVersion('v1.0')).toBe(0);
    expect(resolvePssVersion('v1.25')).toBe(25);
    expect(resolvePssVersion('v1.37')).toBe(37);
    expect(resolvePssVersion('v1.38')).toBe(37);
    expect(resolvePssVersion('v1.999')).toBe(37);
    expect(resolvePssVersion('v1.9223372036854775807')).toBe(37);
  });

  it('rejects anything else', () => {
    for (const bad of ['', 'Latest', 'LATEST', ' latest', 'v1.01', '1.25', 'v2.0', 'v1.25.3', 'v1.', 'v1', 'v1.-1', 'v1.2a', 'v1.25\n', 'V1.25', 'v1.9223372036854775808', 'v1.99999999999999999999']) {
      expect(resolvePssVersion(bad), bad).toBeUndefined();
    }
  });

  it('evaluatePod and admissionOf throw RangeError on an invalid version', () => {
    expect(() => evaluatePod(pod(), 'baseline', 'v1.01')).toThrow(RangeError);
    expect(() => evaluatePod(pod(), 'privileged', 'bogus')).toThrow(RangeError);
    expect(() => admissionOf(pod(), '1.25')).toThrow(RangeError);
  });

  it('a version between two changes behaves like the most recent change (v1.36 = v1.35, latest = v1.37)', () => {
    const p = pod({ securityContext: { sysctls: [{ name: 'net.ipv4.tcp_notsent_lowat', value: '1' }] } });
    expect(evaluatePod(p, 'baseline', 'v1.36').allowed).toBe(false);
    expect(evaluatePod(p, 'baseline', 'v1.37').allowed).toBe(true);
    expect(evaluatePod(p, 'baseline', 'latest').allowed).toBe(true);
    expect(evaluatePod(p, 'baseline', 'v1.40').allowed).toBe(true);
  });
});

describe('checks registry', () => {
  it('lists the 19 checks in upstream evaluation order (byte order per level)', () => {
    const ids = PSS_CHECKS.map((c) => c.id);
    expect(ids).toEqual([
      'appArmorProfile', 'capabilities_baseline', 'hostNamespaces', 'hostPathVolumes', 'hostPorts',
      'hostProbesAndHostLifecycle', 'privileged', 'procMount', 'seLinuxOptions', 'seccompProfile_baseline',
      'sysctls', 'windowsHostProcess', 'allowPrivilegeEscalation', 'capabilities_restricted',
      'procMount_restricted', 'restrictedVolumes', 'runAsNonRoot', 'runAsUser', 'seccompProfile_restricted',
    ]);
    for (const level of ['baseline', 'restricted']) {
      const sub = PSS_CHECKS.filter((c) => c.level === level).map((c) => c.id);
      expect(sub).toEqual([...sub].sort(compareGo));
    }
    const since = Object.fromEntries(PSS_CHECKS.map((c) => [c.id, c.since]));
    expect(since).toMatchObject({ hostProbesAndHostLifecycle: 34, allowPrivilegeEscalation: 8, capabilities_restricted: 22, procMount_restricted: 35, runAsUser: 23, seccompProfile_restricted: 19, privileged: 0 });
    for (const c of PSS_CHECKS) expect(c.title.length).toBeGreaterThan(0);
    expect(PSS_CHECKS.find((c) => c.id === 'privileged')?.title).toBe('Privileged containers');
  });

  it('activeChecks applies versions and overrides', () => {
    expect(activeChecks('privileged', 37)).toEqual([]);
    expect(activeChecks('baseline', 0)).toEqual([
      'appArmorProfile', 'capabilities_baseline', 'hostNamespaces', 'hostPathVolumes', 'hostPorts', 'privileged',
      'procMount', 'seLinuxOptions', 'seccompProfile_baseline', 'sysctls', 'windowsHostProcess',
    ]);
    expect(activeChecks('baseline', 34)).toContain('hostProbesAndHostLifecycle');
    expect(activeChecks('baseline', 33)).not.toContain('hostProbesAndHostLifecycle');
    expect(activeChecks('restricted', 0)).toEqual([
      'appArmorProfile', 'capabilities_baseline', 'hostNamespaces', 'hostPorts', 'privileged', 'procMount',
      'seLinuxOptions', 'seccompProfile_baseline', 'sysctls', 'windowsHostProcess', 'restrictedVolumes', 'runAsNonRoot',
    ]);
    expect(activeChecks('restricted', 18)).toContain('seccompProfile_baseline');
    expect(activeChecks('restricted', 19)).toEqual([
      'appArmorProfile', 'capabilities_baseline', 'hostNamespaces', 'hostPorts', 'privileged', 'procMount',
      'seLinuxOptions', 'sysctls', 'windowsHostProcess', 'allowPrivilegeEscalation', 'restrictedVolumes',
      'runAsNonRoot', 'seccompProfile_restricted',
    ]);
    expect(activeChecks('restricted', 22)).not.toContain('capabilities_baseline');
    expect(activeChecks('restricted', 23)).toContain('runAsUser');
    expect(activeChecks('restricted', 22)).not.toContain('runAsUser');
    expect(activeChecks('restricted', 34)).toContain('procMount');
    expect(activeChecks('restricted', 37)).toEqual([
      'appArmorProfile', 'hostNamespaces', 'hostPorts', 'hostProbesAndHostLifecycle', 'privileged',
      'seLinuxOptions', 'sysctls', 'windowsHostProcess', 'allowPrivilegeEscalation', 'capabilities_restricted',
      'procMount_restricted', 'restrictedVolumes', 'runAsNonRoot', 'runAsUser', 'seccompProfile_restricted',
    ]);
    expect(activeChecks('restricted', 99)).toEqual(activeChecks('restricted', 37));
    expect(activeChecks('restricted', -1)).toEqual([]);
  });
});

describe('SPEC §1.6: behaviour the fixtures do not pin down', () => {
  it('runAsNonRoot and runAsUser are relaxed by hostUsers: false from v1.35 only', () => {
    const p = pod({ hostUsers: false, securityContext: { runAsNonRoot: false, runAsUser: 0 } });
    expect(evaluatePod(p, 'restricted', 'v1.35')).toEqual({ allowed: true, violations: [] });
    expect(evaluatePod(p, 'restricted', 'latest').allowed).toBe(true);
    const v34 = evaluatePod(p, 'restricted', 'v1.34');
    expect(checks(v34)).toEqual(['runAsNonRoot', 'runAsUser']);
    expect(only(v34, 'runAsNonRoot')).toEqual({
      check: 'runAsNonRoot', reason: 'runAsNonRoot != true',
      detail: 'pod must not set securityContext.runAsNonRoot=false', paths: ['/spec/securityContext/runAsNonRoot'],
    });
    expect(only(v34, 'runAsUser')).toEqual({
      check: 'runAsUser', reason: 'runAsUser=0', detail: 'pod must not set runAsUser=0', paths: ['/spec/securityContext/runAsUser'],
    });
  });

  it('procMount: baseline relaxed by hostUsers: false from v1.35, restricted stays strict', () => {
    const p = pod({ hostUsers: false, containers: [good('app', { securityContext: { procMount: 'Unmasked' } })] });
    expect(evaluatePod(p, 'baseline', 'v1.35').allowed).toBe(true);
    expect(only(evaluatePod(p, 'baseline', 'v1.34'), 'procMount').detail).toBe('container "app" must not set securityContext.procMount to "Unmasked"');
    const r = only(evaluatePod(p, 'restricted', 'v1.35'), 'procMount_restricted');
    expect(r).toEqual({
      check: 'procMount_restricted', reason: 'procMount',
      detail: 'container "app" must not set securityContext.procMount to "Unmasked"', paths: ['/spec/containers/0/securityContext/procMount'],
    });
    expect(checks(evaluatePod(p, 'restricted', 'v1.34'))).toEqual(['procMount']);
  });

  it('seLinuxOptions allows container_engine_t from v1.31', () => {
    const p = pod({ securityContext: { seLinuxOptions: { type: 'container_engine_t' } } });
    expect(evaluatePod(p, 'baseline', 'v1.31').allowed).toBe(true);
    expect(only(evaluatePod(p, 'baseline', 'v1.30'), 'seLinuxOptions')).toEqual({
      check: 'seLinuxOptions', reason: 'seLinuxOptions',
      detail: 'pod set forbidden securityContext.seLinuxOptions: type "container_engine_t"',
      paths: ['/spec/securityContext/seLinuxOptions/type'],
    });
  });

  it('appArmorProfile fields at pod and container level, with annotations, at every version', () => {
    const p = pod(
      {
        securityContext: { appArmorProfile: { type: 'Unconfined' } },
        initContainers: [good('init', { securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'x' } } })],
        containers: [good('app', { securityContext: { appArmorProfile: { type: 'Bogus' } } }), good('side', { securityContext: { appArmorProfile: { type: 'Unconfined' } } })],
      },
      {
        'container.apparmor.security.beta.kubernetes.io/zzz': 'unconfined',
        'container.apparmor.security.beta.kubernetes.io/app': 'runtime/default',
        'container.apparmor.security.beta.kubernetes.io/a': 'foo',
        'container.apparmor.security.beta.kubernetes.io/b': '',
        'container.apparmor.security.beta.kubernetes.io/c': 'localhost/prof',
      },
    );
    for (const version of ['v1.0', 'v1.29', 'latest']) {
      expect(only(evaluatePod(p, 'baseline', version), 'appArmorProfile')).toEqual({
        check: 'appArmorProfile',
        reason: 'forbidden AppArmor profiles',
        detail:
          'pod and containers "app", "side" and annotations must not set AppArmor profile type to ' +
          '"Bogus", "Unconfined", "container.apparmor.security.beta.kubernetes.io/a="foo"", "container.apparmor.security.beta.kubernetes.io/zzz="unconfined""',
        paths: [
          '/spec/securityContext/appArmorProfile/type',
          '/spec/containers/0/securityContext/appArmorProfile/type',
          '/spec/containers/1/securityContext/appArmorProfile/type',
          '/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1a',
          '/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1zzz',
        ],
      });
    }
    const single = pod({ containers: [good('app', { securityContext: { appArmorProfile: { type: 'Unconfined' } } })] });
    expect(only(evaluatePod(single, 'restricted', 'v1.0'), 'appArmorProfile')).toEqual({
      check: 'appArmorProfile', reason: 'forbidden AppArmor profile',
      detail: 'container "app" must not set AppArmor profile type to "Unconfined"',
      paths: ['/spec/containers/0/securityContext/appArmorProfile/type'],
    });
  });

  it('ephemeralContainers are visited after init and regular containers', () => {
    const p = pod({ ephemeralContainers: [good('debug', { securityContext: { privileged: true } })], initContainers: [good('init', { securityContext: { privileged: true } })] });
    expect(only(evaluatePod(p, 'baseline', 'latest'), 'privileged')).toEqual({
      check: 'privileged', reason: 'privileged',
      detail: 'containers "init", "debug" must not set securityContext.privileged=true',
      paths: ['/spec/initContainers/0/securityContext/privileged', '/spec/ephemeralContainers/0/securityContext/privileged'],
    });
    const r = evaluatePod(raw({ containers: [{ name: 'a' }], ephemeralContainers: [{ name: 'e' }] }), 'restricted', 'latest');
    expect(only(r, 'allowPrivilegeEscalation').detail).toBe('containers "a", "e" must set securityContext.allowPrivilegeEscalation=false');
  });

  it('Windows exemption starts at v1.25', () => {
    const p = raw({ os: { name: 'windows' }, securityContext: { runAsNonRoot: true }, containers: [{ name: 'app' }] });
    expect(evaluatePod(p, 'restricted', 'v1.25')).toEqual({ allowed: true, violations: [] });
    expect(evaluatePod(p, 'restricted', 'latest').allowed).toBe(true);
    const v24 = evaluatePod(p, 'restricted', 'v1.24');
    expect(checks(v24)).toEqual(['allowPrivilegeEscalation', 'capabilities_restricted', 'seccompProfile_restricted']);
    expect(forbiddenDetail(v24.violations)).toBe(
      'allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), ' +
        'seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
    // runAsNonRoot has no Windows exemption
    const noNonRoot = raw({ os: { name: 'windows' }, containers: [{ name: 'app' }] });
    expect(checks(evaluatePod(noNonRoot, 'restricted', 'latest'))).toEqual(['runAsNonRoot']);
  });

  it('sysctls newer than the requested version are forbidden', () => {
    const cases: [string, string, string][] = [
      ['net.ipv4.ip_local_reserved_ports', 'v1.26', 'v1.27'],
      ['net.ipv4.tcp_keepalive_time', 'v1.28', 'v1.29'],
      ['net.ipv4.tcp_fin_timeout', 'v1.28', 'v1.29'],
      ['net.ipv4.tcp_keepalive_intvl', 'v1.28', 'v1.29'],
      ['net.ipv4.tcp_keepalive_probes', 'v1.28', 'v1.29'],
      ['net.ipv4.tcp_rmem', 'v1.31', 'v1.32'],
      ['net.ipv4.tcp_wmem', 'v1.31', 'v1.32'],
      ['net.ipv4.tcp_slow_start_after_idle', 'v1.36', 'v1.37'],
      ['net.ipv4.tcp_notsent_lowat', 'v1.36', 'v1.37'],
    ];
    for (const [name, before, from] of cases) {
      const p = pod({ securityContext: { sysctls: [{ name: 'kernel.shm_rmid_forced', value: '0' }, { name, value: '1' }] } });
      expect(only(evaluatePod(p, 'baseline', before), 'sysctls'), name).toEqual({
        check: 'sysctls', reason: 'forbidden sysctls', detail: name, paths: ['/spec/securityContext/sysctls/1'],
      });
      expect(evaluatePod(p, 'baseline', from).allowed, name).toBe(true);
    }
    for (const name of ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start']) {
      expect(evaluatePod(pod({ securityContext: { sysctls: [{ name }] } }), 'baseline', 'v1.0').allowed, name).toBe(true);
    }
  });

  it('sysctls detail keeps spec order and duplicates, unquoted', () => {
    const p = pod({ securityContext: { sysctls: [{ name: 'b.x' }, { name: 'a.y' }, { name: 'b.x' }, { name: 'kernel.shm_rmid_forced' }] } });
    expect(only(evaluatePod(p, 'baseline', 'latest'), 'sysctls')).toEqual({
      check: 'sysctls', reason: 'forbidden sysctls', detail: 'b.x, a.y, b.x',
      paths: ['/spec/securityContext/sysctls/0', '/spec/securityContext/sysctls/1', '/spec/securityContext/sysctls/2'],
    });
  });

  it('seccomp annotations: empty value is forbidden at v1.0-v1.18, annotations ignored from v1.19', () => {
    const p = pod({}, { 'seccomp.security.alpha.kubernetes.io/pod': '' });
    expect(only(evaluatePod(p, 'baseline', 'v1.18'), 'seccompProfile_baseline')).toEqual({
      check: 'seccompProfile_baseline', reason: 'seccompProfile',
      detail: 'forbidden annotation seccomp.security.alpha.kubernetes.io/pod=""',
      paths: ['/metadata/annotations/seccomp.security.alpha.kubernetes.io~1pod'],
    });
    expect(only(evaluatePod(p, 'restricted', 'v1.0'), 'seccompProfile_baseline').detail).toBe('forbidden annotation seccomp.security.alpha.kubernetes.io/pod=""');
    expect(evaluatePod(p, 'baseline', 'v1.19').allowed).toBe(true);
    const unconfined = pod({}, { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' });
    expect(evaluatePod(unconfined, 'baseline', 'v1.19').allowed).toBe(true);
    expect(evaluatePod(unconfined, 'restricted', 'latest').allowed).toBe(true);
    for (const ok of ['runtime/default', 'docker/default', 'localhost/x', 'localhost/']) {
      expect(evaluatePod(pod({}, { 'seccomp.security.alpha.kubernetes.io/pod': ok }), 'baseline', 'v1.0').allowed, ok).toBe(true);
    }
    // fields are ignored before v1.19
    expect(evaluatePod(pod({ securityContext: { seccompProfile: { type: 'Unconfined' } } }), 'baseline', 'v1.18').allowed).toBe(true);
  });

  it('seccomp annotations: several, sorted and pluralised', () => {
    const p = pod({}, {
      'seccomp.security.alpha.kubernetes.io/pod': 'unconfined',
      'container.seccomp.security.alpha.kubernetes.io/init': 'x"y',
      'container.seccomp.security.alpha.kubernetes.io/app': 'runtime/default',
    });
    expect(only(evaluatePod(p, 'baseline', 'v1.0'), 'seccompProfile_baseline')).toEqual({
      check: 'seccompProfile_baseline', reason: 'seccompProfile',
      detail: 'forbidden annotations container.seccomp.security.alpha.kubernetes.io/init="x\\"y", seccomp.security.alpha.kubernetes.io/pod="unconfined"',
      paths: ['/metadata/annotations/container.seccomp.security.alpha.kubernetes.io~1init', '/metadata/annotations/seccomp.security.alpha.kubernetes.io~1pod'],
    });
  });

  it('startupProbe and lifecycle hosts; the check is absent before v1.34', () => {
    const p = pod({
      containers: [
        good('zeta', { startupProbe: { httpGet: { host: '10.0.0.1', port: 80 } } }),
        good('alpha', { lifecycle: { preStop: { tcpSocket: { host: 'localhost', port: 1 } }, postStart: { exec: { command: ['x'] } } } }),
        good('zeta', { livenessProbe: { tcpSocket: { host: '10.0.0.1', port: 80 }, httpGet: { host: '' } } }),
      ],
    });
    expect(only(evaluatePod(p, 'baseline', 'v1.34'), 'hostProbesAndHostLifecycle')).toEqual({
      check: 'hostProbesAndHostLifecycle', reason: 'probe or lifecycle host',
      detail: 'containers "alpha", "zeta" use probe or lifecycle hosts "10.0.0.1", "localhost"',
      paths: ['/spec/containers/0/startupProbe/httpGet/host', '/spec/containers/1/lifecycle/preStop/tcpSocket/host', '/spec/containers/2/livenessProbe/tcpSocket/host'],
    });
    expect(evaluatePod(p, 'baseline', 'v1.33').allowed).toBe(true);
    expect(evaluatePod(p, 'restricted', 'v1.33').allowed).toBe(true);
  });

  it('csi, ephemeral and image volumes are allowed at restricted at every version', () => {
    const p = pod({ volumes: [{ name: 'c', csi: { driver: 'd' } }, { name: 'e', ephemeral: { volumeClaimTemplate: {} } }, { name: 'i', image: { reference: 'x' } }] });
    for (const version of ['v1.0', 'v1.20', 'latest']) expect(evaluatePod(p, 'restricted', version).allowed, version).toBe(true);
  });

  it('runAsUser does not exist before v1.23', () => {
    const p = pod({ containers: [good('app', { securityContext: { runAsUser: 0 } })] });
    expect(evaluatePod(p, 'restricted', 'v1.22').allowed).toBe(true);
    expect(only(evaluatePod(p, 'restricted', 'v1.23'), 'runAsUser')).toEqual({
      check: 'runAsUser', reason: 'runAsUser=0', detail: 'container "app" must not set runAsUser=0',
      paths: ['/spec/containers/0/securityContext/runAsUser'],
    });
    expect(evaluatePod(pod({ securityContext: { runAsUser: 1000 } }), 'restricted', 'latest').allowed).toBe(true);
  });
});

describe('SPEC §5: edge cases', () => {
  it('1. a source-less volume is defaulted to emptyDir without mutating the input', () => {
    const p = pod({ volumes: [{ name: 'v0' }, { name: 'v1', hostPath: null }] });
    const before = JSON.stringify(p);
    expect(evaluatePod(p, 'restricted', 'latest')).toEqual({ allowed: true, violations: [] });
    expect(JSON.stringify(p)).toBe(before);
    // without the defaulting the raw policy calls it "unknown"
    const context = podContext(p.metadata, p.spec);
    const undefaulted = { ...context, volumes: [{ name: 'v0', pointer: '/spec/volumes/0', volume: { name: 'v0' } }] };
    expect(restrictedVolumes_1_0(undefaulted)).toEqual({
      reason: 'restricted volume types', detail: 'volume "v0" uses restricted volume type "unknown"',
      fields: [{ path: '/spec/volumes/0', detail: 'volume "v0" uses restricted volume type "unknown"' }],
    });
  });

  it('2. hostPorts are sorted as strings', () => {
    const p = pod({
      initContainers: [good('init', { ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81 }, { containerPort: 82, hostPort: 0 }] })],
      containers: [good('app', { ports: [{ containerPort: 1, hostPort: 12345 }, { containerPort: 2, hostPort: 8080 }] })],
    });
    expect(only(evaluatePod(p, 'baseline', 'latest'), 'hostPorts')).toEqual({
      check: 'hostPorts', reason: 'hostPort', detail: 'containers "init", "app" use hostPorts 12345, 8080',
      paths: ['/spec/initContainers/0/ports/0/hostPort', '/spec/containers/0/ports/0/hostPort', '/spec/containers/0/ports/1/hostPort'],
    });
    const one = pod({ containers: [good('app', { ports: [{ hostPort: 9 }, { hostPort: 9 }] })] });
    expect(only(evaluatePod(one, 'baseline', 'latest'), 'hostPorts').detail).toBe('container "app" uses hostPort 9');
  });

  it('3. restricted is not a superset of baseline for Windows pods at v1.25+', () => {
    const caps = pod({ os: { name: 'windows' }, containers: [good('app', { securityContext: { capabilities: { add: ['SYS_ADMIN'] } } })] });
    expect(only(evaluatePod(caps, 'baseline', 'latest'), 'capabilities_baseline')).toEqual({
      check: 'capabilities_baseline', reason: 'non-default capabilities',
      detail: 'container "app" must not include "SYS_ADMIN" in securityContext.capabilities.add',
      paths: ['/spec/containers/0/securityContext/capabilities/add/0'],
    });
    expect(evaluatePod(caps, 'restricted', 'latest').allowed).toBe(true);
    expect(evaluatePod(caps, 'restricted', 'v1.25').allowed).toBe(true);
    expect(checks(evaluatePod(caps, 'restricted', 'v1.24'))).toEqual(['capabilities_restricted']);
    const seccomp = pod({ os: { name: 'windows' }, securityContext: { seccompProfile: { type: 'Unconfined' } } });
    expect(only(evaluatePod(seccomp, 'baseline', 'latest'), 'seccompProfile_baseline')).toEqual({
      check: 'seccompProfile_baseline', reason: 'seccompProfile',
      detail: 'pod must not set securityContext.seccompProfile.type to "Unconfined"',
      paths: ['/spec/securityContext/seccompProfile/type'],
    });
    expect(evaluatePod(seccomp, 'restricted', 'latest').allowed).toBe(true);
    expect(admissionOf(seccomp, 'latest')).toMatchObject({ baseline: { allowed: false }, restricted: { allowed: true } });
  });

  it('4. privileged without allowPrivilegeEscalation: false gives two violations at restricted v1.8+', () => {
    const p = pod({ containers: [{ name: 'app', securityContext: { privileged: true, capabilities: { drop: ['ALL'] } } }] });
    const v = evaluatePod(p, 'restricted', 'latest');
    expect(withPaths(v.violations)).toEqual([
      { check: 'privileged', reason: 'privileged', detail: 'container "app" must not set securityContext.privileged=true', paths: ['/spec/containers/0/securityContext/privileged'] },
      { check: 'allowPrivilegeEscalation', reason: 'allowPrivilegeEscalation != false', detail: 'container "app" must set securityContext.allowPrivilegeEscalation=false', paths: ['/spec/containers/0/securityContext/allowPrivilegeEscalation'] },
    ]);
    expect(forbiddenDetail(v.violations)).toBe(
      'privileged (container "app" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)',
    );
    expect(checks(evaluatePod(p, 'restricted', 'v1.7'))).toEqual(['privileged']);
  });

  it('5. spec.os.name comparison is exact', () => {
    for (const name of ['Windows', 'WINDOWS', ' windows', 'linux']) {
      const p = raw({ os: { name }, securityContext: { runAsNonRoot: true }, containers: [{ name: 'app' }] });
      expect(checks(evaluatePod(p, 'restricted', 'latest')), name).toEqual(['allowPrivilegeEscalation', 'capabilities_restricted', 'seccompProfile_restricted']);
    }
  });

  it('6. hostUsers relaxation requires an explicit false', () => {
    for (const hostUsers of [undefined, null, true, 'false', 0]) {
      const p = pod({ hostUsers, securityContext: { runAsNonRoot: false } });
      expect(checks(evaluatePod(p, 'restricted', 'latest')), String(hostUsers)).toEqual(['runAsNonRoot']);
    }
  });

  it('7. empty appArmorProfile / seccompProfile objects are bad values "", empty seLinuxOptions is fine', () => {
    const p = pod({ securityContext: { appArmorProfile: {}, seLinuxOptions: {} }, containers: [good('app', { securityContext: { seccompProfile: {}, seLinuxOptions: {} } })] });
    const b = evaluatePod(p, 'baseline', 'latest');
    expect(withPaths(b.violations)).toEqual([
      { check: 'appArmorProfile', reason: 'forbidden AppArmor profile', detail: 'pod must not set AppArmor profile type to ""', paths: ['/spec/securityContext/appArmorProfile/type'] },
      { check: 'seccompProfile_baseline', reason: 'seccompProfile', detail: 'container "app" must not set securityContext.seccompProfile.type to ""', paths: ['/spec/containers/0/securityContext/seccompProfile/type'] },
    ]);
    const r = evaluatePod(p, 'restricted', 'latest');
    expect(only(r, 'seccompProfile_restricted')).toEqual({
      check: 'seccompProfile_restricted', reason: 'seccompProfile',
      detail: 'container "app" must not set securityContext.seccompProfile.type to ""',
      paths: ['/spec/containers/0/securityContext/seccompProfile/type'],
    });
    expect(evaluatePod(pod({ securityContext: { appArmorProfile: null, seLinuxOptions: null } }), 'baseline', 'latest').allowed).toBe(true);
  });

  it('8. seccomp container annotations only for names in the spec; AppArmor for any prefixed key', () => {
    const seccomp = pod({}, { 'container.seccomp.security.alpha.kubernetes.io/ghost': 'unconfined' });
    expect(evaluatePod(seccomp, 'baseline', 'v1.0').allowed).toBe(true);
    const seccompKnown = pod({}, { 'container.seccomp.security.alpha.kubernetes.io/app': 'unconfined' });
    expect(only(evaluatePod(seccompKnown, 'baseline', 'v1.0'), 'seccompProfile_baseline').detail).toBe(
      'forbidden annotation container.seccomp.security.alpha.kubernetes.io/app="unconfined"',
    );
    const apparmor = pod({}, { 'container.apparmor.security.beta.kubernetes.io/ghost': 'unconfined' });
    expect(only(evaluatePod(apparmor, 'baseline', 'v1.0'), 'appArmorProfile')).toEqual({
      check: 'appArmorProfile', reason: 'forbidden AppArmor profile',
      detail: 'annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/ghost="unconfined""',
      paths: ['/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1ghost'],
    });
  });
});

describe('messages and paths of every check', () => {
  it('hostNamespaces and hostPathVolumes', () => {
    const p = pod({ hostIPC: true, hostNetwork: true, hostPID: false, volumes: [{ name: 'a', hostPath: { path: '/' } }, { name: 'b', emptyDir: {} }, { name: 'c', hostPath: { path: '/x' } }] });
    const b = evaluatePod(p, 'baseline', 'latest');
    expect(withPaths(b.violations)).toEqual([
      { check: 'hostNamespaces', reason: 'host namespaces', detail: 'hostNetwork=true, hostIPC=true', paths: ['/spec/hostNetwork', '/spec/hostIPC'] },
      { check: 'hostPathVolumes', reason: 'hostPath volumes', detail: 'volumes "a", "c"', paths: ['/spec/volumes/0/hostPath', '/spec/volumes/2/hostPath'] },
    ]);
    const r = evaluatePod(p, 'restricted', 'latest');
    expect(checks(r)).toEqual(['hostNamespaces', 'restrictedVolumes']);
    expect(only(r, 'restrictedVolumes')).toEqual({
      check: 'restrictedVolumes', reason: 'restricted volume types',
      detail: 'volumes "a", "c" use restricted volume type "hostPath"', paths: ['/spec/volumes/0/hostPath', '/spec/volumes/2/hostPath'],
    });
  });

  it('restrictedVolumes: allowed sources win, labels by priority, sorted distinct types', () => {
    const p = pod({
      volumes: [
        { name: 'ok', secret: { secretName: 's' }, hostPath: { path: '/' } },
        { name: 'n', nfs: { server: 'x', path: '/' }, hostPath: { path: '/' } },
        { name: 'g', gitRepo: { repository: 'r' } },
      ],
    });
    expect(only(evaluatePod(p, 'restricted', 'latest'), 'restrictedVolumes')).toEqual({
      check: 'restrictedVolumes', reason: 'restricted volume types',
      detail: 'volumes "n", "g" use restricted volume types "gitRepo", "hostPath"',
      paths: ['/spec/volumes/1/hostPath', '/spec/volumes/2/gitRepo'],
    });
  });

  it('capabilities_restricted: missing drop ALL and forbidden adds', () => {
    const p = pod({
      initContainers: [{ name: 'init', securityContext: { allowPrivilegeEscalation: false } }],
      containers: [
        good('a', { securityContext: { capabilities: { drop: ['all'], add: ['NET_BIND_SERVICE', 'SYS_TIME', 'CHOWN'] } } }),
        good('b', { securityContext: { capabilities: { drop: ['ALL'], add: ['CHOWN'] } } }),
      ],
    });
    expect(only(evaluatePod(p, 'restricted', 'latest'), 'capabilities_restricted')).toEqual({
      check: 'capabilities_restricted', reason: 'unrestricted capabilities',
      detail: 'containers "init", "a" must set securityContext.capabilities.drop=["ALL"]; containers "a", "b" must not include "CHOWN", "SYS_TIME" in securityContext.capabilities.add',
      paths: [
        '/spec/initContainers/0/securityContext/capabilities/drop',
        '/spec/containers/0/securityContext/capabilities/drop',
        '/spec/containers/0/securityContext/capabilities/add/1',
        '/spec/containers/0/securityContext/capabilities/add/2',
        '/spec/containers/1/securityContext/capabilities/add/0',
      ],
    });
    // before v1.22 restricted uses the baseline allow-list
    expect(only(evaluatePod(p, 'restricted', 'v1.21'), 'capabilities_baseline').detail).toBe('container "a" must not include "SYS_TIME" in securityContext.capabilities.add');
  });

  it('capabilities_baseline is case-sensitive and has no CAP_ prefix', () => {
    const p = pod({ containers: [good('app', { securityContext: { capabilities: { add: ['chown', 'CAP_CHOWN', 'NET_RAW', 'KILL', 'NET_RAW'] } } })] });
    expect(only(evaluatePod(p, 'baseline', 'latest'), 'capabilities_baseline').detail).toBe(
      'container "app" must not include "CAP_CHOWN", "NET_RAW", "chown" in securityContext.capabilities.add',
    );
  });

  it('runAsNonRoot: explicit setters win over implicit, implicit points at the pod field', () => {
    const explicit = raw({ securityContext: { runAsNonRoot: false }, initContainers: [{ name: 'i' }], containers: [{ name: 'a', securityContext: { runAsNonRoot: false } }, { name: 'b', securityContext: { runAsNonRoot: true } }] });
    expect(only(evaluatePod(explicit, 'restricted', 'v1.0'), 'runAsNonRoot')).toEqual({
      check: 'runAsNonRoot', reason: 'runAsNonRoot != true',
      detail: 'pod and container "a" must not set securityContext.runAsNonRoot=false',
      paths: ['/spec/securityContext/runAsNonRoot', '/spec/containers/0/securityContext/runAsNonRoot'],
    });
    const implicit = raw({ initContainers: [{ name: 'i' }], containers: [{ name: 'a', securityContext: { runAsNonRoot: true } }, { name: 'b' }] });
    expect(only(evaluatePod(implicit, 'restricted', 'v1.0'), 'runAsNonRoot')).toEqual({
      check: 'runAsNonRoot', reason: 'runAsNonRoot != true',
      detail: 'pod or containers "i", "b" must set securityContext.runAsNonRoot=true',
      paths: ['/spec/securityContext/runAsNonRoot'],
    });
    const covered = raw({ securityContext: { runAsNonRoot: true }, containers: [{ name: 'a' }, { name: 'b', securityContext: { runAsNonRoot: false } }] });
    expect(only(evaluatePod(covered, 'restricted', 'v1.0'), 'runAsNonRoot').detail).toBe('container "b" must not set securityContext.runAsNonRoot=false');
    expect(evaluatePod(raw({}), 'restricted', 'latest').allowed).toBe(true);
  });

  it('seccompProfile_restricted: explicit bad types, implicit containers, pod coverage', () => {
    const explicit = raw({
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'Unconfined' } },
      containers: [
        { name: 'a', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'Bad' } } },
        { name: 'b', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } },
      ],
    });
    expect(only(evaluatePod(explicit, 'restricted', 'latest'), 'seccompProfile_restricted')).toEqual({
      check: 'seccompProfile_restricted', reason: 'seccompProfile',
      detail: 'pod and container "a" must not set securityContext.seccompProfile.type to "Bad", "Unconfined"',
      paths: ['/spec/securityContext/seccompProfile/type', '/spec/containers/0/securityContext/seccompProfile/type'],
    });
    const implicit = pod({ securityContext: { seccompProfile: null }, containers: [good('a', { securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'p' } } }), good('b')] });
    expect(only(evaluatePod(implicit, 'restricted', 'latest'), 'seccompProfile_restricted')).toEqual({
      check: 'seccompProfile_restricted', reason: 'seccompProfile',
      detail: 'pod or containers "init", "b" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
      paths: ['/spec/securityContext/seccompProfile/type'],
    });
  });

  it('seLinuxOptions: user, role and types from pod and containers', () => {
    const p = pod({
      securityContext: { seLinuxOptions: { user: 'u', level: 's0:c1' } },
      containers: [good('a', { securityContext: { seLinuxOptions: { type: 'spc_t', role: 'r' } } }), good('b', { securityContext: { seLinuxOptions: { type: 'container_t', level: 'x' } } }), good('c', { securityContext: { seLinuxOptions: { type: 'abc_t' } } })],
    });
    expect(only(evaluatePod(p, 'baseline', 'latest'), 'seLinuxOptions')).toEqual({
      check: 'seLinuxOptions', reason: 'seLinuxOptions',
      detail: 'pod and containers "a", "c" set forbidden securityContext.seLinuxOptions: types "abc_t", "spc_t"; user may not be set; role may not be set',
      paths: ['/spec/securityContext/seLinuxOptions/user', '/spec/containers/0/securityContext/seLinuxOptions/type', '/spec/containers/0/securityContext/seLinuxOptions/role', '/spec/containers/2/securityContext/seLinuxOptions/type'],
    });
  });

  it('windowsHostProcess: pod and containers', () => {
    const p = pod({ securityContext: { windowsOptions: { hostProcess: true } }, containers: [good('a', { securityContext: { windowsOptions: { hostProcess: true } } }), good('b', { securityContext: { windowsOptions: { hostProcess: false } } })] });
    expect(only(evaluatePod(p, 'baseline', 'latest'), 'windowsHostProcess')).toEqual({
      check: 'windowsHostProcess', reason: 'hostProcess',
      detail: 'pod and container "a" must not set securityContext.windowsOptions.hostProcess=true',
      paths: ['/spec/securityContext/windowsOptions/hostProcess', '/spec/containers/0/securityContext/windowsOptions/hostProcess'],
    });
  });

  it('procMount: Default and absent are fine, other values listed distinct and sorted', () => {
    const p = pod({ initContainers: [good('i', { securityContext: { procMount: 'Default' } })], containers: [good('a', { securityContext: { procMount: 'Unmasked' } }), good('b', { securityContext: { procMount: '' } }), good('c', { securityContext: { procMount: 'Unmasked' } })] });
    expect(only(evaluatePod(p, 'baseline', 'v1.34'), 'procMount').detail).toBe('containers "a", "b", "c" must not set securityContext.procMount to "", "Unmasked"');
  });

  it('privileged level allows everything', () => {
    const p = pod({ hostNetwork: true, containers: [{ name: 'x', securityContext: { privileged: true } }] });
    expect(evaluatePod(p, 'privileged', 'latest')).toEqual({ allowed: true, violations: [] });
  });

  it('admissionOf gives both levels without paths', () => {
    const p = pod({ hostPID: true });
    expect(admissionOf(p, 'v1.30')).toEqual({
      version: 'v1.30',
      baseline: { allowed: false, violations: [{ check: 'hostNamespaces', reason: 'host namespaces', detail: 'hostPID=true' }] },
      restricted: { allowed: false, violations: [{ check: 'hostNamespaces', reason: 'host namespaces', detail: 'hostPID=true' }] },
    });
    expect(admissionOf(pod(), 'latest')).toEqual({ version: 'latest', baseline: { allowed: true, violations: [] }, restricted: { allowed: true, violations: [] } });
  });

  it('annotation keys are escaped in pointers', () => {
    const p = pod({}, { 'container.apparmor.security.beta.kubernetes.io/a~b': 'unconfined' });
    expect(only(evaluatePod(p, 'baseline', 'latest'), 'appArmorProfile').paths).toEqual(['/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1a~0b']);
  });
});

describe('message helpers', () => {
  it('joinQuote does not escape; sortedSet uses Go byte order', () => {
    expect(joinQuote([])).toBe('');
    expect(joinQuote(['a', 'b"c'])).toBe('"a", "b"c"');
    expect(sortedSet(['b', 'a', 'b', 'B', '12345', '8080'])).toEqual(['12345', '8080', 'B', 'a', 'b']);
    // U+FFFD (EF BF BD) sorts before U+1F600 (F0 ...) in UTF-8, the reverse of UTF-16 order
    expect(sortedSet(['\u{1F600}', '\uFFFD'])).toEqual(['\uFFFD', '\u{1F600}']);
  });

  it('goQuote matches Go %q', () => {
    expect(goQuote('unconfined')).toBe('"unconfined"');
    expect(goQuote('')).toBe('""');
    expect(goQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(goQuote('\n\t\r\x07\x08\x0c\x0b')).toBe('"\\n\\t\\r\\a\\b\\f\\v"');
    expect(goQuote('\x00\x1b\x7f')).toBe('"\\x00\\x1b\\x7f"');
    expect(goQuote('héllo ☃ 日本')).toBe('"héllo ☃ 日本"');
    expect(goQuote('\u00a0\u200b\u2028')).toBe('"\\u00a0\\u200b\\u2028"');
    expect(goQuote('\u{1F600}')).toBe('"\u{1F600}"');
    expect(goQuote('\u{E0001}')).toBe('"\\U000e0001"');
    expect(goQuote('\uD800')).toBe('"\uFFFD"');
    const p = pod({}, { 'container.apparmor.security.beta.kubernetes.io/app': 'bad\nvalue' });
    expect(only(evaluatePod(p, 'baseline', 'latest'), 'appArmorProfile').detail).toBe(
      'annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/app="bad\\nvalue""',
    );
  });
});

describe('malformed input never throws', () => {
  const weird: unknown[] = [null, undefined, 'x', 42, true, [], [null], ['x'], {}, { a: null }];
  const fields = [
    'containers', 'initContainers', 'ephemeralContainers', 'volumes', 'securityContext', 'os', 'hostUsers', 'hostNetwork',
  ];

  it('string, null and wrong-typed fields read as absent', () => {
    for (const value of weird) {
      for (const field of fields) {
        for (const level of ALL_LEVELS) {
          for (const version of ['v1.0', 'v1.24', 'latest']) {
            expect(() => evaluatePod(raw({ containers: [{ name: 'a' }], [field]: value }), level, version)).not.toThrow();
          }
        }
      }
      const deep = {
        containers: [
          'not a container',
          null,
          {
            name: value,
            securityContext: {
              privileged: value, capabilities: { add: value, drop: value }, seccompProfile: value, appArmorProfile: value,
              seLinuxOptions: value, windowsOptions: value, procMount: value, runAsUser: value, runAsNonRoot: value,
              allowPrivilegeEscalation: value,
            },
            ports: value, livenessProbe: value, lifecycle: { postStart: value, preStop: { httpGet: value } },
          },
        ],
        volumes: [value, { name: value, hostPath: value }],
        securityContext: { sysctls: value, seccompProfile: { type: value }, seLinuxOptions: { type: value, user: value } },
      };
      expect(() => admissionOf(raw(deep, { 'container.apparmor.security.beta.kubernetes.io/a': value }), 'v1.0')).not.toThrow();
      expect(() => admissionOf(raw(deep), 'latest')).not.toThrow();
      expect(() => admissionOf({ metadata: value, spec: value } as never, 'latest')).not.toThrow();
      expect(() => admissionOf({ metadata: { annotations: value }, spec: {} }, 'v1.0')).not.toThrow();
    }
    expect(() => evaluatePod(null as never, 'restricted', 'latest')).not.toThrow();
  });

  it('non-object containers are skipped but keep their index in pointers', () => {
    const p = raw({ containers: ['junk', { name: 'a', securityContext: { privileged: true } }] });
    expect(only(evaluatePod(p, 'baseline', 'latest'), 'privileged').paths).toEqual(['/spec/containers/1/securityContext/privileged']);
  });

  it('wrong-typed values are not treated as set', () => {
    const p = raw({
      hostNetwork: 'true',
      containers: [{ name: 'a', securityContext: { privileged: 'true', runAsUser: '0', procMount: 1 }, ports: [{ hostPort: '80' }] }],
      volumes: [{ name: 'v', hostPath: '/etc' }],
      securityContext: { sysctls: ['kernel.foo', { name: 'kernel.shm_rmid_forced' }] },
    });
    expect(evaluatePod(p, 'baseline', 'latest')).toEqual({ allowed: true, violations: [] });
    // a sysctl entry without a (string) name is the empty name, which is forbidden
    expect(only(evaluatePod(raw({ securityContext: { sysctls: [{ value: '1' }] } }), 'baseline', 'latest'), 'sysctls').detail).toBe('');
    expect(forbiddenDetail(evaluatePod(raw({ securityContext: { sysctls: [{ value: '1' }] } }), 'baseline', 'latest').violations)).toBe('forbidden sysctls');
  });

  it('a missing container name reads as the empty name', () => {
    const p = raw({ containers: [{ securityContext: { privileged: true } }] });
    expect(only(evaluatePod(p, 'baseline', 'latest'), 'privileged').detail).toBe('container "" must not set securityContext.privileged=true');
  });
});
