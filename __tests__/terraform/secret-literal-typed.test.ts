// The literal-credential rules on typed kubernetes_* resources of a Terraform plan: a ConfigMap's
// binary_data (base64 in the plan, as the provider takes it) and a container's hooks and probes reach the
// rules as binaryData, lifecycle and httpHeaders, with findings at the API field. Fake credentials are
// built by concatenation.
import { describe, expect, it } from 'vitest';
import secretLiteralArgs from '../../rules/secret-literal-args.ts';
import secretLiteralConfigmap from '../../rules/secret-literal-configmap.ts';
import { loadPlan } from '../../src/terraform/index.ts';
import { repoRoot } from '../helpers/shared.ts';
import { run } from './helpers.ts';

const RANDOM = 'Q7r8S9t0U1v2W3x4Y5z6A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6';
const OPENSSH_KEY = ['-----BEGIN ', 'OPENSSH PRIVATE KEY-----\n', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmU', RANDOM, '\n-----END OPENSSH ', 'PRIVATE KEY-----\n'].join('');
const AWS_KEY_ID = ['AK', 'IA', 'Z7Q4M2XKSPL3RTEW'].join('');
const BASIC = ['Basic ', 'dXNlcjpodW50ZXIy', 'aHVudGVyMg=='].join('');

const change = (address: string, after: Record<string, unknown>, afterSensitive: unknown = {}) => ({
  address,
  mode: 'managed',
  type: address.split('.')[0],
  name: address.split('.')[1],
  provider_name: 'registry.terraform.io/hashicorp/kubernetes',
  change: { actions: ['create'], before: null, after, after_unknown: {}, before_sensitive: false, after_sensitive: afterSensitive },
});

const metadata = (name: string) => [{ name, namespace: 'apps', labels: null, annotations: null, generate_name: null }];

const plan = {
  format_version: '1.2',
  terraform_version: '1.9.8',
  resource_changes: [
    change('kubernetes_config_map_v1.files', {
      metadata: metadata('files'),
      data: { LOG_LEVEL: 'debug' },
      binary_data: { id_rsa: Buffer.from(OPENSSH_KEY).toString('base64'), 'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]).toString('base64') },
      immutable: null,
    }),
    change('kubernetes_deployment_v1.web', {
      metadata: metadata('web'),
      spec: [{
        selector: [{ match_labels: { app: 'web' } }],
        template: [{
          metadata: [{ labels: { app: 'web' } }],
          spec: [{
            container: [{
              name: 'web',
              image: 'nginx:1.25',
              lifecycle: [{ post_start: [{ exec: [{ command: ['sh', '-c', `aws configure set aws_access_key_id ${AWS_KEY_ID}`] }], http_get: [], tcp_socket: [] }], pre_stop: [] }],
              readiness_probe: [{ exec: [], grpc: [], tcp_socket: [], http_get: [{ host: null, path: '/ready', port: '8080', scheme: 'HTTP', http_header: [{ name: 'Authorization', value: BASIC }] }] }],
            }],
          }],
        }],
      }],
    }),
  ],
};

describe('literal credentials in typed Terraform resources', () => {
  const { objects, errors } = loadPlan(plan, { planFile: 'infra/plan.json', planDir: repoRoot, repoRoot });

  it('loads the plan', () => {
    expect(errors).toEqual([]);
    expect(objects.map((o) => `${o.ref.kind}/${o.ref.name}`).sort()).toEqual(['ConfigMap/files', 'Deployment/web']);
  });

  it('decodes kubernetes_config_map_v1 binary_data', () => {
    const findings = run(objects, [secretLiteralConfigmap]);
    expect(findings.map((f) => [f.ruleId, f.object.name, f.path])).toEqual([['secret-literal-configmap', 'files', '/binaryData/id_rsa']]);
    expect(findings[0]!.message).toContain('contains what looks like a PEM private key <redacted, ');
  });

  it('reads container lifecycle hooks and probe headers', () => {
    const findings = run(objects, [secretLiteralArgs]);
    expect(findings.map((f) => [f.ruleId, f.object.name, f.path]).sort()).toEqual([
      ['secret-literal-args', 'web', '/spec/template/spec/containers/0/lifecycle/postStart/exec/command/2'],
      ['secret-literal-args', 'web', '/spec/template/spec/containers/0/readinessProbe/httpGet/httpHeaders/0/value'],
    ]);
    for (const finding of findings) for (const value of [AWS_KEY_ID, BASIC, 'dXNlcjpodW50ZXIy']) expect(JSON.stringify(finding)).not.toContain(value);
  });
});
