// The requester admission policies see: admission.userInfo in .preadmit.yaml, or --as/--as-group/--as-uid
// on the CLI (which replace it). Without one, a validation reading request.userInfo is unknown, never a
// pass; the authorizer stays unknown whatever the identity.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { scan } from '../../src/pipeline/scan.ts';
import { main } from '../../src/cli.ts';
import { requestUserInfo } from '../../src/admission/prepared.ts';
import { workspace, writeTree } from '../hostile/helpers.ts';

const MASTERS_ONLY = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: privileged-masters-only}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
  validations:
  - expression: "!object.spec.containers.exists(c, c.?securityContext.?privileged.orValue(false)) || 'system:masters' in request.userInfo.groups"
    message: only system:masters may create privileged pods
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: prod}
spec: {policyName: privileged-masters-only, validationActions: [Deny]}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: who}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
  validations:
  - expression: "false"
    messageExpression: "'user=' + request.userInfo.username + ' uid=' + request.userInfo.?uid.orValue('-') + ' groups=' + request.userInfo.groups.join(',') + ' extra=' + request.userInfo.?extra.?team.orValue(['-']).join(',')"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: audit}
spec: {policyName: who, validationActions: [Audit]}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: authz}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
  validations:
  - expression: "authorizer.group('').resource('pods').namespace('prod').check('create').allowed()"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: authz}
spec: {policyName: authz, validationActions: [Deny]}
`;
const POD = `apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: prod}
spec: {containers: [{name: a, image: busybox, securityContext: {privileged: true}}]}
`;

function repo(config?: string): string {
  const dir = workspace();
  mkdirSync(path.join(dir, '.git'));
  writeTree(dir, { 'policies/vap.yaml': MASTERS_ONLY, 'deploy/pod.yaml': POD, ...(config !== undefined ? { '.preadmit.yaml': config } : {}) });
  return dir;
}
const byPolicy = (result: Awaited<ReturnType<typeof scan>>, policy: string) =>
  result.findings.filter((f) => f.ruleId === 'admission-policy' && f.message.includes(`ValidatingAdmissionPolicy ${policy} `)).map((f) => `${f.severity} ${f.message}`);

async function scanWith(config: string | undefined, extra: Partial<Parameters<typeof scan>[0]> = {}) {
  const dir = repo(config);
  return scan({ paths: [path.join(dir, 'deploy')], policies: [path.join(dir, 'policies')], provenance: false, ...extra });
}

describe('admission.userInfo: the requester request.userInfo holds', () => {
  it('without an identity, the validation reading request.userInfo is unknown (never a pass)', async () => {
    const result = await scanWith(undefined);
    expect(byPolicy(result, 'privileged-masters-only')).toEqual([
      expect.stringMatching(/^medium ValidatingAdmissionPolicy privileged-masters-only \(binding prod, validation 0\) needs the live cluster to decide: .*request\.userInfo/),
    ]);
    // A messageExpression reading it fails and falls back, as the API server's does on a runtime error.
    expect(byPolicy(result, 'who')).toEqual(['low Audited by ValidatingAdmissionPolicy who (binding audit, validation 0): failed expression: false']);
  });

  it('a configured member of system:masters may create the privileged pod', async () => {
    const result = await scanWith('admission:\n  userInfo: {username: ci-deployer, groups: [system:masters]}\n');
    expect(byPolicy(result, 'privileged-masters-only')).toEqual([]);
    expect(byPolicy(result, 'who')).toEqual(['low Audited by ValidatingAdmissionPolicy who (binding audit, validation 0): user=ci-deployer uid=- groups=system:masters,system:authenticated extra=-']);
  });

  it('a configured identity outside system:masters is denied', async () => {
    const result = await scanWith('admission:\n  userInfo: {username: dev, uid: "42", groups: [developers], extra: {team: [payments, web]}}\n');
    expect(byPolicy(result, 'privileged-masters-only')).toEqual(['high Denied by ValidatingAdmissionPolicy privileged-masters-only (binding prod, validation 0): only system:masters may create privileged pods']);
    expect(byPolicy(result, 'who')).toEqual(['low Audited by ValidatingAdmissionPolicy who (binding audit, validation 0): user=dev uid=42 groups=developers,system:authenticated extra=payments,web']);
  });

  it('the authorizer stays unknown whatever the identity', async () => {
    const result = await scanWith('admission:\n  userInfo: {username: admin, groups: [system:masters]}\n');
    expect(byPolicy(result, 'authz')).toEqual([expect.stringMatching(/^medium ValidatingAdmissionPolicy authz \(binding authz, validation 0\) needs the live cluster to decide/)]);
  });

  it('ScanOptions.admissionUser (--as) replaces the configured identity', async () => {
    const config = 'admission:\n  userInfo: {username: dev, groups: [developers]}\n';
    const masters = await scanWith(config, { admissionUser: { username: 'root', groups: ['system:masters'] } });
    expect(byPolicy(masters, 'privileged-masters-only')).toEqual([]);
    const dev = await scanWith(undefined, { admissionUser: { username: 'dev' } });
    expect(byPolicy(dev, 'privileged-masters-only')).toEqual([expect.stringMatching(/^high Denied by/)]);
  });

  it('an unknown key under admission.userInfo is a configuration error naming it', async () => {
    await expect(scanWith('admission:\n  userInfo: {user: dev}\n')).rejects.toThrow(/admission\/userInfo.*user|user.*admission/);
  });

  it('system:authenticated is added as the API server does for an authenticated user', () => {
    expect(requestUserInfo({ username: 'a' })).toEqual({ username: 'a', groups: ['system:authenticated'] });
    expect(requestUserInfo({ username: 'a', groups: ['system:authenticated', 'x'] }).groups).toEqual(['system:authenticated', 'x']);
    expect(requestUserInfo({ username: 'system:anonymous', groups: ['system:unauthenticated'] }).groups).toEqual(['system:unauthenticated']);
    expect(requestUserInfo({ username: 'a', groups: ['system:unauthenticated'] }).groups).toEqual(['system:unauthenticated']);
  });
});

describe('--as, --as-group, --as-uid', () => {
  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    try {
      const code = await main(args);
      return { code, out: out.join(''), err: err.join('') };
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  };
  it('--as with --as-group system:masters admits the privileged pod; another group is denied', async () => {
    const dir = repo();
    const args = ['scan', path.join(dir, 'deploy'), '--policies', path.join(dir, 'policies'), '--format', 'json'];
    const masters = await run([...args, '--as', 'root', '--as-group', 'system:masters']);
    expect(masters.err).toBe('');
    expect(masters.out).toContain('Audited by ValidatingAdmissionPolicy who');
    expect(masters.out).not.toContain('privileged-masters-only');
    const dev = await run([...args, '--as', 'dev', '--as-group', 'developers', '--as-group', 'qa']);
    expect(dev.out).toContain('Denied by ValidatingAdmissionPolicy privileged-masters-only');
    expect(dev.out).toContain('groups=developers,qa,system:authenticated');
  });
  it('--as-group without --as is a usage error', async () => {
    const dir = repo();
    const result = await run(['scan', path.join(dir, 'deploy'), '--as-group', 'system:masters']);
    expect(result.code).toBe(2);
    expect(result.err).toContain('--as-group and --as-uid need --as USER');
  });
});
