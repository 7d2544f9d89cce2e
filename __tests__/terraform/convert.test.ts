// The typed kubernetes_* resources, both spellings, converted to API objects from hand-written plans.
import { describe, expect, it } from 'vitest';
import type { ScannedObject } from '../../src/model/model.ts';
import { podTemplateOf } from '../../src/k8s/workloads.ts';
import { evaluatePod } from '../../src/pss/index.ts';
import { convertTyped, tfPathOf, TYPED_RESOURCES } from '../../src/terraform/index.ts';
import { fixture, loadPlanAt, planJson } from './helpers.ts';

const objects = [
  ...loadPlanAt(fixture('typed', 'workloads.plan.json')).objects,
  ...loadPlanAt(fixture('typed', 'rbac.plan.json')).objects,
  ...loadPlanAt(fixture('typed', 'network.plan.json')).objects,
  ...loadPlanAt(fixture('typed', 'secrets.plan.json')).objects,
];
const at = (address: string): ScannedObject & { unknown: readonly string[] } => {
  const found = objects.find((o) => o.source.address === address);
  if (!found) throw new Error(`no object for ${address}`);
  return found;
};

describe('typed kubernetes resources: one converter for every type', () => {
  it('knows every type of the issue in both spellings', () => {
    for (const base of ['pod', 'deployment', 'stateful_set', 'job', 'cron_job', 'replication_controller', 'service_account', 'role', 'cluster_role', 'role_binding', 'cluster_role_binding', 'network_policy', 'namespace', 'secret', 'service', 'ingress']) {
      expect(TYPED_RESOURCES[`kubernetes_${base}`], base).toBeDefined();
      expect(TYPED_RESOURCES[`kubernetes_${base}_v1`], `${base}_v1`).toBeDefined();
    }
    expect(TYPED_RESOURCES.kubernetes_daemonset).toEqual(TYPED_RESOURCES.kubernetes_daemon_set_v1);
    expect(TYPED_RESOURCES.kubernetes_cron_job!.apiVersion).toBe('batch/v1beta1');
    expect(TYPED_RESOURCES.kubernetes_cron_job_v1!.apiVersion).toBe('batch/v1');
  });

  it('gives the same object for both spellings of a type', () => {
    const plan = planJson(fixture('typed', 'workloads.plan.json'));
    const change = (plan.resource_changes as { address: string; change: { after: unknown; after_unknown: unknown; after_sensitive: unknown } }[]).find((c) => c.address === 'kubernetes_deployment_v1.web')!.change;
    const v1 = convertTyped('kubernetes_deployment_v1', change.after, change.after_unknown, change.after_sensitive)!;
    const plain = convertTyped('kubernetes_deployment', change.after, change.after_unknown, change.after_sensitive)!;
    expect(plain).toEqual(v1);
  });

  it('kubernetes_deployment_v1: blocks unwrapped, names camelCased (irregular ones too), numbers fixed, nulls and [] dropped', () => {
    const deployment = at('kubernetes_deployment_v1.web');
    expect(deployment.ref).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'apps' });
    expect(deployment.raw).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'apps', labels: { app: 'web' }, annotations: { team: 'platform' } },
      spec: {
        replicas: 3,
        minReadySeconds: 0,
        paused: false,
        progressDeadlineSeconds: 600,
        revisionHistoryLimit: 10,
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            affinity: {
              nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }] }] } },
              podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] },
            },
            automountServiceAccountToken: true,
            containers: [{
              name: 'web',
              image: 'nginx:1.25',
              env: [{ name: 'MODE', value: 'prod' }, { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'web-token', key: 'token' } } }],
              envFrom: [{ configMapRef: { name: 'web-config' } }],
              readinessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP', httpHeaders: [{ name: 'X-Probe', value: '1' }] }, failureThreshold: 3, initialDelaySeconds: 0, periodSeconds: 10, successThreshold: 1, timeoutSeconds: 1 },
              ports: [{ containerPort: 8080, hostPort: 8080, name: 'http', protocol: 'TCP' }],
              securityContext: { allowPrivilegeEscalation: true, privileged: true, readOnlyRootFilesystem: false, runAsUser: 0, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
              stdin: false,
              stdinOnce: false,
              tty: false,
              terminationMessagePath: '/dev/termination-log',
              volumeMounts: [{ name: 'docker', mountPath: '/var/run/docker.sock', readOnly: false, mountPropagation: 'None' }],
              resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
              imagePullPolicy: 'IfNotPresent',
            }],
            dnsPolicy: 'ClusterFirst',
            enableServiceLinks: true,
            hostIPC: false,
            hostNetwork: false,
            hostPID: true,
            initContainers: [{
              name: 'init', image: 'busybox:1.36', command: ['sh', '-c', 'true'],
              securityContext: { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: false, runAsNonRoot: true, runAsUser: 1000 },
              stdin: false, stdinOnce: false, tty: false, terminationMessagePath: '/dev/termination-log',
            }],
            nodeSelector: { pool: 'web' },
            restartPolicy: 'Always',
            securityContext: { fsGroup: 2000, supplementalGroups: [3000], seLinuxOptions: { level: 's0:c123,c456' }, sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] },
            shareProcessNamespace: false,
            terminationGracePeriodSeconds: 30,
            tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoExecute', tolerationSeconds: 300 }],
            volumes: [
              { name: 'docker', hostPath: { path: '/var/run/docker.sock', type: 'Socket' } },
              { name: 'certs', secret: { secretName: 'web-certs', defaultMode: 0o644, items: [{ key: 'tls.crt', path: 'tls.crt', mode: 0o400 }] } },
            ],
          },
        },
      },
    });
  });

  it.each([
    ['kubernetes_deployment.plain', 'apps/v1', 'Deployment', 'default', '/spec/template'],
    ['kubernetes_pod_v1.debug', 'v1', 'Pod', 'apps', ''],
    ['kubernetes_stateful_set.db', 'apps/v1', 'StatefulSet', 'apps', '/spec/template'],
    ['kubernetes_daemon_set_v1.agent', 'apps/v1', 'DaemonSet', 'kube-system', '/spec/template'],
    ['kubernetes_daemonset.agent_legacy', 'apps/v1', 'DaemonSet', 'kube-system', '/spec/template'],
    ['kubernetes_job_v1.migrate', 'batch/v1', 'Job', 'apps', '/spec/template'],
    ['kubernetes_cron_job.report', 'batch/v1beta1', 'CronJob', 'apps', '/spec/jobTemplate/spec/template'],
    ['kubernetes_cron_job_v1.cleanup', 'batch/v1', 'CronJob', 'apps', '/spec/jobTemplate/spec/template'],
    ['kubernetes_replication_controller.legacy', 'v1', 'ReplicationController', 'apps', '/spec/template'],
  ])('%s carries its pod where the API has it', (address, apiVersion, kind, namespace, base) => {
    const object = at(address);
    expect(object.ref).toMatchObject({ apiVersion, kind, namespace });
    const template = podTemplateOf(object.raw);
    expect(template?.base).toBe(base);
    expect(Array.isArray(template!.spec.containers)).toBe(true);
  });

  it('workload specifics: claim templates, update strategies, cron schedules, TTLs, selectors', () => {
    expect(at('kubernetes_stateful_set.db').raw.spec).toMatchObject({
      serviceName: 'db',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'standard', resources: { requests: { storage: '10Gi' } } } }],
    });
    expect(at('kubernetes_daemon_set_v1.agent').raw.spec).toMatchObject({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } });
    expect(at('kubernetes_daemon_set_v1.agent').raw.spec).not.toHaveProperty('strategy');
    expect(at('kubernetes_daemon_set_v1.agent').raw).toMatchObject({ spec: { template: { spec: { hostNetwork: true, volumes: [{ name: 'proc', hostPath: { path: '/proc' } }] } } } });
    expect(at('kubernetes_job_v1.migrate').raw.spec).toMatchObject({ backoffLimit: 6, ttlSecondsAfterFinished: 100, template: { spec: { restartPolicy: 'Never' } } });
    expect(at('kubernetes_cron_job_v1.cleanup').raw.spec).toMatchObject({ schedule: '*/5 * * * *', timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure' } } } } });
    expect(at('kubernetes_replication_controller.legacy').raw.spec).toMatchObject({ replicas: 2, selector: { app: 'legacy' } });
    expect(at('kubernetes_pod_v1.debug').raw.spec).toMatchObject({ hostNetwork: true, restartPolicy: 'Never' });
  });

  it('service accounts, roles, bindings (rule -> rules, subject -> subjects, role_ref -> roleRef, non_resource_urls -> nonResourceURLs)', () => {
    expect(at('kubernetes_service_account.web').raw).toEqual({
      apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: 'apps' },
      automountServiceAccountToken: true, imagePullSecrets: [{ name: 'registry' }], secrets: [{ name: 'web-token' }],
    });
    expect(at('kubernetes_service_account_v1.batch').raw).toEqual({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'batch', namespace: 'apps' }, automountServiceAccountToken: false });
    expect(at('kubernetes_default_service_account_v1.apps').ref).toEqual({ apiVersion: 'v1', kind: 'ServiceAccount', name: 'default', namespace: 'apps' });
    expect(at('kubernetes_role.reader').raw).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader', namespace: 'apps' },
      rules: [
        { apiGroups: [''], resources: ['pods', 'secrets'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['apps'], resources: ['deployments'], verbs: ['*'], resourceNames: ['web'] },
      ],
    });
    expect(at('kubernetes_cluster_role_v1.ops').ref).toEqual({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'ops' });
    expect(at('kubernetes_cluster_role_v1.ops').raw.rules).toEqual([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { verbs: ['get'], nonResourceURLs: ['/metrics', '/healthz'] }]);
    expect(at('kubernetes_cluster_role.aggregate').raw.aggregationRule).toEqual({ clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate': 'true' } }] });
    expect(at('kubernetes_role_binding_v1.web_reader').raw).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'web-reader', namespace: 'apps' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
      subjects: [{ apiGroup: '', kind: 'ServiceAccount', name: 'web', namespace: 'apps' }, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'devs' }],
    });
    expect(at('kubernetes_cluster_role_binding.ops_admin').raw).toMatchObject({ kind: 'ClusterRoleBinding', roleRef: { kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'kube-system' }] });
  });

  it('namespaces, network policies (ingress[].from[], ipBlock, empty selectors), services and ingresses (v1 and legacy)', () => {
    expect(at('kubernetes_namespace_v1.apps').raw).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', labels: { 'pod-security.kubernetes.io/enforce': 'restricted', team: 'platform' } } });
    expect(at('kubernetes_namespace.legacy').ref).toEqual({ apiVersion: 'v1', kind: 'Namespace', name: 'legacy' });
    expect(at('kubernetes_network_policy_v1.web').raw.spec).toEqual({
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{
        from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }, { namespaceSelector: { matchLabels: { team: 'edge' } }, podSelector: {} }],
        ports: [{ port: 8080, protocol: 'TCP' }, { port: 'http', protocol: 'TCP' }],
      }],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
    });
    expect(at('kubernetes_network_policy.deny_all').raw.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    expect(at('kubernetes_service_v1.web').raw.spec).toEqual({
      type: 'LoadBalancer', selector: { app: 'web' }, sessionAffinity: 'None', externalIPs: ['203.0.113.10'], loadBalancerSourceRanges: ['0.0.0.0/0'],
      allocateLoadBalancerNodePorts: true, publishNotReadyAddresses: false,
      ports: [{ name: 'http', port: 443, targetPort: 8443, protocol: 'TCP' }, { name: 'admin', port: 9000, targetPort: 'admin', protocol: 'TCP' }],
    });
    expect(at('kubernetes_service.admin').raw.spec).toMatchObject({ type: 'NodePort', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } }, ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] });
    expect(at('kubernetes_ingress_v1.web').raw).toEqual({
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'apps', annotations: { 'kubernetes.io/ingress.class': 'nginx' } },
      spec: {
        ingressClassName: 'nginx',
        rules: [
          { host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 443 } } } }] } },
          { host: 'admin.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'admin', port: { name: 'http' } } } }] } },
        ],
        tls: [{ hosts: ['web.example.com'], secretName: 'web-tls' }],
      },
    });
    expect(at('kubernetes_ingress.legacy').raw).toEqual({
      apiVersion: 'networking.k8s.io/v1beta1', kind: 'Ingress', metadata: { name: 'legacy', namespace: 'apps' },
      spec: { backend: { serviceName: 'legacy', servicePort: 80 }, rules: [{ host: 'legacy.example.com', http: { paths: [{ path: '/', backend: { serviceName: 'legacy', servicePort: 'http' } }] } }] },
    });
  });

  it('secrets keep their type and keys; every value is redacted (with or without after_sensitive)', () => {
    expect(at('kubernetes_secret_v1.db').raw).toEqual({
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-credentials', namespace: 'apps' }, type: 'kubernetes.io/basic-auth', immutable: true,
      data: { username: '<redacted>', password: '<redacted>' }, binaryData: { keystore: '<redacted>' },
    });
    expect(at('kubernetes_secret.legacy').raw.data).toEqual({ token: '<redacted>' });
    const text = JSON.stringify(objects.map((o) => o.raw));
    for (const secret of ['hunter2-SUPER-SECRET-VALUE', 'c2VjcmV0LWtleXN0b3Jl', 'legacy-SECRET-TOKEN-0123']) expect(text).not.toContain(secret);
    // marked sensitive: listed, so no report prints them
    expect(at('kubernetes_secret_v1.db').sensitive).toEqual(expect.arrayContaining(['hunter2-SUPER-SECRET-VALUE', 'c2VjcmV0LWtleXN0b3Jl']));
    expect(at('kubernetes_config_map_v1.web').raw.data).toEqual({ LOG_LEVEL: 'debug' });
  });

  it('ignores deleted resources', () => {
    expect(objects.find((o) => o.source.address === 'kubernetes_deployment_v1.gone')).toBeUndefined();
  });

  it('records unknown values as pointers into the converted object', () => {
    expect(at('kubernetes_deployment_v1.web').unknown).toEqual(expect.arrayContaining([
      '/spec/template/spec/serviceAccountName',
      '/spec/template/spec/initContainers/0/resources',
      '/spec/template/spec/imagePullSecrets',
    ]));
    expect(at('kubernetes_service_v1.web').unknown).toEqual(expect.arrayContaining(['/spec/clusterIP', '/spec/ports/0/nodePort', '/spec/ports/1/nodePort', '/spec/externalTrafficPolicy']));
    // computed metadata (uid, resource_version, generation) says nothing about the object
    expect(at('kubernetes_namespace_v1.apps').unknown).toEqual([]);
  });

  it('maps a pointer into the object back to the Terraform attribute path', () => {
    const deployment = at('kubernetes_deployment_v1.web');
    const path = (pointer: string) => tfPathOf('Deployment', deployment.raw, pointer);
    expect(path('/spec/template/spec/containers/0/securityContext/privileged')).toEqual(['spec', 0, 'template', 0, 'spec', 0, 'container', 0, 'security_context', 0, 'privileged']);
    expect(path('/spec/template/spec/initContainers/0/securityContext/runAsNonRoot')).toEqual(['spec', 0, 'template', 0, 'spec', 0, 'init_container', 0, 'security_context', 0, 'run_as_non_root']);
    expect(path('/spec/template/spec/hostPID')).toEqual(['spec', 0, 'template', 0, 'spec', 0, 'host_pid']);
    expect(path('/spec/template/spec/volumes/0/hostPath/path')).toEqual(['spec', 0, 'template', 0, 'spec', 0, 'volume', 0, 'host_path', 0, 'path']);
    expect(path('/metadata/labels/app')).toEqual(['metadata', 0, 'labels', 'app']);
    expect(path('/spec/template/spec/securityContext/seLinuxOptions/level')).toEqual(['spec', 0, 'template', 0, 'spec', 0, 'security_context', 0, 'se_linux_options', 0, 'level']);
    // a field that is not there maps to where it would be written
    expect(path('/spec/template/spec/containers/0/securityContext/runAsNonRoot')).toEqual(['spec', 0, 'template', 0, 'spec', 0, 'container', 0, 'security_context', 0, 'run_as_non_root']);
    expect(path('/spec/template/spec/securityContext/seccompProfile/type')).toEqual(['spec', 0, 'template', 0, 'spec', 0, 'security_context', 0, 'seccomp_profile', 0, 'type']);
    const policy = at('kubernetes_network_policy_v1.web');
    expect(tfPathOf('NetworkPolicy', policy.raw, '/spec/ingress/0/from/0/ipBlock/cidr')).toEqual(['spec', 0, 'ingress', 0, 'from', 0, 'ip_block', 0, 'cidr']);
    expect(tfPathOf('NetworkPolicy', policy.raw, '/spec/ingress/0/ports/1/port')).toEqual(['spec', 0, 'ingress', 0, 'ports', 1, 'port']);
    const ingress = at('kubernetes_ingress_v1.web');
    expect(tfPathOf('Ingress', ingress.raw, '/spec/rules/0/http/paths/0/backend/service/port/number')).toEqual(['spec', 0, 'rule', 0, 'http', 0, 'path', 0, 'backend', 0, 'service', 0, 'port', 0, 'number']);
    const role = at('kubernetes_cluster_role_v1.ops');
    expect(tfPathOf('ClusterRole', role.raw, '/rules/1/nonResourceURLs/0')).toEqual(['rule', 1, 'non_resource_urls', 0]);
  });

  it('lets the PSS evaluator judge converted pods exactly like manifests', () => {
    const template = podTemplateOf(at('kubernetes_deployment_v1.web').raw)!;
    const baseline = evaluatePod({ metadata: template.metadata, spec: template.spec }, 'baseline', 'latest');
    expect(baseline.violations.map((v) => v.check).sort()).toEqual(['capabilities_baseline', 'hostNamespaces', 'hostPathVolumes', 'hostPorts', 'privileged']);
    const privileged = baseline.violations.find((v) => v.check === 'privileged')!;
    expect(privileged.fields.map((f) => f.path)).toEqual(['/spec/containers/0/securityContext/privileged']);
    const clean = podTemplateOf(at('kubernetes_stateful_set.db').raw)!;
    expect(evaluatePod({ metadata: clean.metadata, spec: clean.spec }, 'restricted', 'latest').allowed).toBe(true);
  });
});
