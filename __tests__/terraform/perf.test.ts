// Loading a 50 MB plan stays under 2 s and 500 MB of memory. The plan is generated (in the documented
// shape) into os.tmpdir(), written in small chunks so generating it does not inflate the measurement.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyPlanFile, loadPlan } from '../../src/terraform/index.ts';

const TARGET_BYTES = 50 * 1024 * 1024;
const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-tf-perf-'));
const file = path.join(dir, 'big.plan.json');

function deployment(i: number): { after: object; unknown: object } {
  const container = (n: number) => ({
    name: `c${n}`, image: `registry.example.com/team/app-${i}:1.${n}.0`, args: ['--port', '8080', '--log-level', 'info'], command: null, working_dir: null,
    env: Array.from({ length: 6 }, (_, e) => ({ name: `ENV_${e}`, value: `value-${i}-${e}`, value_from: [] })), env_from: [], lifecycle: [],
    liveness_probe: [{ exec: [], grpc: [], tcp_socket: [], http_get: [{ host: null, path: '/healthz', port: '8080', scheme: 'HTTP', http_header: [] }], failure_threshold: 3, initial_delay_seconds: 5, period_seconds: 10, success_threshold: 1, timeout_seconds: 1 }],
    readiness_probe: [], startup_probe: [], port: [{ container_port: 8080, host_ip: null, host_port: null, name: 'http', protocol: 'TCP' }],
    resources: [{ limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } }],
    security_context: [{ allow_privilege_escalation: i % 7 === 0, privileged: i % 13 === 0, read_only_root_filesystem: true, run_as_group: null, run_as_non_root: true, run_as_user: '1000', capabilities: [{ add: null, drop: ['ALL'] }], se_linux_options: [], seccomp_profile: [{ type: 'RuntimeDefault', localhost_profile: null }] }],
    stdin: false, stdin_once: false, tty: false, termination_message_path: '/dev/termination-log', volume_mount: [{ name: 'data', mount_path: '/data', sub_path: null, read_only: false, mount_propagation: 'None' }], volume_device: [],
  });
  const after = {
    metadata: [{ name: `app-${i}`, namespace: `team-${i % 50}`, labels: { app: `app-${i}`, team: `team-${i % 50}` }, annotations: null, generate_name: null }],
    spec: [{ replicas: '2', min_ready_seconds: 0, paused: false, progress_deadline_seconds: 600, revision_history_limit: 10,
      selector: [{ match_expressions: [], match_labels: { app: `app-${i}` } }],
      template: [{ metadata: [{ labels: { app: `app-${i}` }, annotations: null, generate_name: null, namespace: null }], spec: [{
        active_deadline_seconds: null, affinity: [], automount_service_account_token: false, container: [container(0), container(1)], dns_config: [], dns_policy: 'ClusterFirst',
        enable_service_links: true, host_aliases: [], host_ipc: false, host_network: false, host_pid: false, init_container: [], node_selector: null, os: [], priority_class_name: null,
        restart_policy: 'Always', runtime_class_name: null, security_context: [], service_account_name: `app-${i}`, share_process_namespace: false, subdomain: null,
        termination_grace_period_seconds: 30, toleration: [], topology_spread_constraint: [],
        volume: [{ name: 'data', empty_dir: [{ medium: null, size_limit: '1Gi' }], host_path: [], secret: [], config_map: [], persistent_volume_claim: [], projected: [], downward_api: [], csi: [] }] }] }] }],
    timeouts: null, wait_for_rollout: true,
  };
  const unknown = { id: true, metadata: [{ generation: true, resource_version: true, uid: true }], spec: [{ strategy: true, template: [{ spec: [{ hostname: true, node_name: true, scheduler_name: true, container: [{ image_pull_policy: true, termination_message_policy: true }, { image_pull_policy: true, termination_message_policy: true }] }] }] }] };
  return { after, unknown };
}

/** Writes a plan of about TARGET_BYTES: kubernetes deployments, clusters, and unrelated cloud resources, as resource_changes and planned_values. */
function generate(): { deployments: number } {
  const fd = openSync(file, 'w');
  let written = 0;
  const write = (text: string) => {
    written += Buffer.byteLength(text);
    writeSync(fd, text);
  };
  write('{"//":"generated for preadmit\'s performance test in the documented plan shape","format_version":"1.2","terraform_version":"1.9.8","resource_changes":[');
  const values: string[] = [];
  let valuesBytes = 0;
  let i = 0;
  // resource_changes take about half of the file; planned_values repeat the values, as in real plans
  while (written + valuesBytes < TARGET_BYTES) {
    const { after, unknown } = deployment(i);
    const afterText = JSON.stringify(after);
    write(`${i === 0 ? '' : ','}{"address":"module.apps[\\"${i % 50}\\"].kubernetes_deployment_v1.app[${i}]","module_address":"module.apps[\\"${i % 50}\\"]","mode":"managed","type":"kubernetes_deployment_v1","name":"app","index":${i},"provider_name":"registry.terraform.io/hashicorp/kubernetes","change":{"actions":["create"],"before":null,"after":${afterText},"after_unknown":${JSON.stringify(unknown)},"before_sensitive":false,"after_sensitive":{}}}`);
    if (i % 10 === 0) {
      write(`,{"address":"aws_s3_bucket.b${i}","mode":"managed","type":"aws_s3_bucket","name":"b${i}","change":{"actions":["create"],"before":null,"after":{"bucket":"bucket-${i}","tags":{"team":"t${i % 50}"},"force_destroy":false},"after_unknown":{"id":true,"arn":true},"after_sensitive":{}}}`);
    }
    if (i % 500 === 0) {
      write(`,{"address":"aws_eks_cluster.c${i}","mode":"managed","type":"aws_eks_cluster","name":"c${i}","change":{"actions":["create"],"before":null,"after":{"name":"c${i}","vpc_config":[{"endpoint_public_access":true,"public_access_cidrs":["0.0.0.0/0"]}],"encryption_config":[],"enabled_cluster_log_types":["api"]},"after_unknown":{"id":true},"after_sensitive":{}}}`);
    }
    const value = `{"address":"module.apps[\\"${i % 50}\\"].kubernetes_deployment_v1.app[${i}]","mode":"managed","type":"kubernetes_deployment_v1","name":"app","index":${i},"values":${afterText}}`;
    values.push(value);
    valuesBytes += value.length + 1;
    i++;
  }
  write('],"planned_values":{"root_module":{"resources":[');
  values.forEach((v, n) => write((n === 0 ? '' : ',') + v));
  write(']}},"configuration":{"root_module":{"module_calls":{"apps":{"source":"./modules/apps","module":{}}}}}}');
  closeSync(fd);
  return { deployments: i };
}

afterAll(() => { if (!process.env.KEEP_PERF) rmSync(dir, { recursive: true, force: true }); });

describe('a 50 MB plan', () => {
  it('loads in under 2 s and 500 MB of memory', () => {
    const { deployments } = generate();
    const size = statSync(file).size;
    expect(size).toBeGreaterThanOrEqual(TARGET_BYTES * 0.98);

    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const classified = classifyPlanFile(readFileSync(file));
    if (classified.kind !== 'plan') throw new Error('not a plan');
    const plan = loadPlan(classified.json, { planFile: 'big.plan.json', planDir: dir, repoRoot: dir });
    const ms = performance.now() - started;
    const rssDelta = process.memoryUsage().rss - rssBefore;
    const peakMb = Math.round(rssDelta / 1024 / 1024);

    console.log(`50 MB plan: ${(size / 1024 / 1024).toFixed(1)} MiB, ${deployments} deployments, ${plan.objects.length} objects, ${Math.round(ms)} ms, RSS +${peakMb} MiB`);
    expect(plan.objects.length).toBe(deployments + Math.ceil(deployments / 500));
    expect(plan.objects[0]!.raw).toMatchObject({ kind: 'Deployment', spec: { replicas: 2 } });
    expect(ms).toBeLessThan(2000);
    expect(rssDelta).toBeLessThan(500 * 1024 * 1024);
  });
});
