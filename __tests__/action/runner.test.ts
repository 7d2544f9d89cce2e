// The bundled Action (dist/index.js) run like the GitHub runner runs it, against a fake api.github.com on
// 127.0.0.1 that checks every request against GitHub's OpenAPI description. The assertions are about what
// was sent: the check run and its annotations, the sticky comment, the fallbacks, the retries.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { provisionOpenapi } from '../../scripts/provision-openapi.ts';
import { BOT, FakeGitHub, type RecordedRequest } from './helpers/fake-github.ts';
import { OpenApi } from './helpers/openapi.ts';
import { ACTION_ENTRY, makeRepo, pullRequestEvent, runAction, type RunResult } from './helpers/runner.ts';
import { BASE_SHA, cleanRepo, fleetRepo, HEAD_SHA, HOSTILE_FILE, HOSTILE_NAMES, hostileRepo, manifestRepo, MERGE_SHA, OWNER, PODS_YAML, PR_NUMBER, REPO, TOKEN } from './fixtures.ts';

let api: OpenApi;
let github: FakeGitHub;
const repos: string[] = [];

const MARKER = '<!-- preadmit:sticky-comment check="preadmit" -->';

function repo(make: () => string): string {
  const dir = make();
  repos.push(dir);
  return dir;
}

function event(over: { forkOwner?: string } = {}) {
  return pullRequestEvent({ owner: OWNER, repo: REPO, number: PR_NUMBER, headSha: HEAD_SHA, baseSha: BASE_SHA, ...over });
}

function run(workspace: string, inputs: Record<string, string> = {}, over: Partial<Parameters<typeof runAction>[0]> = {}): Promise<RunResult> {
  return runAction({
    workspace,
    apiUrl: github.url,
    repository: `${OWNER}/${REPO}`,
    sha: MERGE_SHA,
    event: event(),
    inputs: {
      // action.yml defaults, as the runner passes them.
      paths: '.',
      'github-token': TOKEN,
      'check-name': 'preadmit',
      comment: 'on',
      annotations: 'on',
      'comment-when-clean': 'resolve',
      'sarif-file': '',
      // These tests are about publishing: the fixture repositories have no base commit to take the policy
      // from (BASE_SHA is made up), so the scan uses their own .preadmit.yaml (__tests__/policy covers base).
      'policy-from': 'head',
      ...inputs,
    },
    ...over,
  });
}

function annotationsOf(requests: RecordedRequest[]): { path: string; start_line: number; annotation_level: string; title: string; raw_details?: string }[] {
  return requests.flatMap((r) => ((r.body as { output?: { annotations?: [] } } | undefined)?.output?.annotations ?? []) as []);
}

function expectAllValid(): void {
  expect(github.invalid().map((r) => `${r.method} ${r.path}: ${r.errors.join('; ')}`)).toEqual([]);
}

beforeAll(async () => {
  if (!existsSync(ACTION_ENTRY)) throw new Error(`${ACTION_ENTRY} is missing: run npm run bundle`);
  api = new OpenApi(process.env.PREADMIT_TEST_OPENAPI ?? (await provisionOpenapi(console.error)));
}, 300_000);

afterEach(async () => {
  await github?.close();
});

afterAll(() => {
  for (const dir of repos) rmSync(dir, { recursive: true, force: true });
});

async function freshGitHub(): Promise<FakeGitHub> {
  github = await FakeGitHub.start(api, OWNER, REPO, TOKEN);
  return github;
}

describe('the fake GitHub validates against the OpenAPI description', () => {
  it('accepts what GitHub accepts and rejects what it would not', async () => {
    await freshGitHub();
    const send = (method: string, p: string, body?: unknown) =>
      fetch(`${github.url}${p}`, {
        method,
        headers: { authorization: `token ${TOKEN}`, accept: 'application/vnd.github+json', 'user-agent': 'test', 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      }).then((r) => r.status);
    const annotation = { path: 'a.yaml', start_line: 1, end_line: 1, annotation_level: 'failure', message: 'm' };
    expect(await send('POST', `/repos/${OWNER}/${REPO}/check-runs`, { name: 'x', head_sha: HEAD_SHA, status: 'in_progress' })).toBe(201);
    // 51 annotations, an unknown level, a misspelt field, completed without a conclusion, a missing body field.
    expect(await send('POST', `/repos/${OWNER}/${REPO}/check-runs`, { name: 'x', head_sha: HEAD_SHA, output: { title: 't', summary: 's', annotations: Array(51).fill(annotation) } })).toBe(422);
    expect(await send('POST', `/repos/${OWNER}/${REPO}/check-runs`, { name: 'x', head_sha: HEAD_SHA, output: { title: 't', summary: 's', annotations: [{ ...annotation, annotation_level: 'error' }] } })).toBe(422);
    expect(await send('POST', `/repos/${OWNER}/${REPO}/check-runs`, { name: 'x', head_sha: HEAD_SHA, conclusoin: 'success' })).toBe(422);
    const id = [...github.checkRuns.keys()][0]!;
    expect(await send('PATCH', `/repos/${OWNER}/${REPO}/check-runs/${id}`, { status: 'completed' })).toBe(422);
    expect(await send('POST', `/repos/${OWNER}/${REPO}/issues/${PR_NUMBER}/comments`, { text: 'hi' })).toBe(422);
    expect(await send('POST', `/repos/${OWNER}/${REPO}/issues/${PR_NUMBER}/comments`, { body: 'x'.repeat(65_537) })).toBe(422);
    expect(await send('GET', `/repos/${OWNER}/${REPO}/issues/${PR_NUMBER}/comments?per_page=100&pgae=2`)).toBe(422);
    expect(await send('GET', `/repos/${OWNER}/${REPO}/check-runs/not-a-number`)).toBe(422);
    expect(await send('PUT', `/repos/${OWNER}/${REPO}/check-runs`)).toBe(404);
    expect(github.invalid()).toHaveLength(8);
  });

  it('the event payload the tests use is a valid pull_request webhook payload', () => {
    const schema = (api.spec.components as { schemas: Record<string, unknown> }).schemas['webhook-pull-request-synchronize'] as Record<string, never>;
    for (const payload of [event(), event({ forkOwner: 'outsider' })]) {
      const validate = api.validatorFor('webhook:pull-request-synchronize', schema, false);
      expect(validate(JSON.parse(JSON.stringify(payload))), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    }
  });
});

describe('dist/index.js on a pull request', () => {
  it('publishes one check run on the head SHA with every finding on its line, one comment, the summary, SARIF and outputs', async () => {
    await freshGitHub();
    const workspace = repo(manifestRepo);
    const result = await run(workspace);
    expect(result.stderr).toBe('');
    expectAllValid();

    // The merge gate: blocking findings fail the step.
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('::error::preadmit: ');
    const report = result.report!;
    expect(report.findings.length).toBeGreaterThan(3);

    // One check run, on the PR head (not GITHUB_SHA, the merge commit), created in progress, then completed.
    const creates = github.of('checks/create');
    expect(creates).toHaveLength(1);
    expect(creates[0]!.body).toMatchObject({ name: 'preadmit', head_sha: HEAD_SHA, status: 'in_progress', details_url: `https://github.com/${OWNER}/${REPO}/actions/runs/9876543210` });
    const [checkRun] = [...github.checkRuns.values()];
    expect(checkRun).toMatchObject({ head_sha: HEAD_SHA, status: 'completed', conclusion: 'failure' });
    expect(checkRun!.output.summary).toContain('preadmit');

    // Every finding annotated on the repository file and line that causes it.
    const annotations = annotationsOf(github.of('checks/update'));
    expect(annotations).toHaveLength(report.findings.length);
    const byFingerprint = new Map(annotations.map((a) => [/fingerprint: (\w+)/.exec(a.raw_details ?? '')?.[1], a]));
    for (const f of report.findings) {
      const a = byFingerprint.get(f.fingerprint);
      expect(a, f.ruleId).toBeDefined();
      expect(a!.path).toBe(f.source.file);
      expect(a!.start_line).toBe(f.source.line ?? 1);
    }
    const privileged = annotations.find((a) => a.title.startsWith('pss-privileged'))!;
    expect(privileged).toMatchObject({ path: 'deploy/pods.yaml', annotation_level: 'failure', title: 'pss-privileged: Pod shop/debug' });
    const privilegedLine = PODS_YAML.split('\n').findIndex((l) => l.includes('privileged: true')) + 1;
    expect(privileged.start_line).toBe(privilegedLine);
    for (const a of annotations) expect(path.isAbsolute(a.path) || a.path.startsWith('..') || a.path.includes('/tmp/')).toBe(false);

    // One sticky comment, marked, with links to the head commit's files.
    const comments = [...github.comments.values()];
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body.startsWith(MARKER)).toBe(true);
    expect(comments[0]!.body).toContain(`https://github.com/${OWNER}/${REPO}/blob/${HEAD_SHA}/deploy/pods.yaml#L${privilegedLine}`);
    expect(comments[0]!.body).toContain('#### Largest blast radius');
    expect(github.of('issues/create-comment')).toHaveLength(1);

    // Job summary, SARIF, outputs.
    expect(result.summary).toContain('preadmit');
    expect(result.summary).toContain('Pod shop/debug');
    expect(result.outputs).toMatchObject({ findings: String(report.findings.length), conclusion: 'failure' });
    expect(Number(result.outputs.blocking)).toBeGreaterThan(0);
    // The SARIF report goes to RUNNER_TEMP, outside the checkout, and the output says where.
    expect(path.basename(result.outputs['sarif-file']!)).toBe('preadmit.sarif');
    expect(path.dirname(result.outputs['sarif-file']!)).toBe(path.dirname(result.outputs['report-json']!));
    expect(existsSync(path.join(workspace, 'preadmit.sarif'))).toBe(false);
    const sarif = result.sarif!;
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.results).toHaveLength(report.findings.length);
    // The findings are in the log too.
    expect(result.stdout).toContain('pss-privileged');
  });

  it('updates the same comment on the next run instead of adding one, and resolves it once clean', async () => {
    await freshGitHub();
    const workspace = repo(manifestRepo);
    await run(workspace);
    const first = [...github.comments.values()];
    expect(first).toHaveLength(1);
    // Someone quotes the marker in their own comment: it is not ours and must not be touched.
    const quoted = github.seedComment(PR_NUMBER, `${MARKER}\nI copied this`, { login: 'octo-dev', id: 5_830_200, type: 'User' });
    github.resetLog();

    writeFileSync(path.join(workspace, 'deploy/pods.yaml'), PODS_YAML.replace('name: debug', 'name: debug-2'));
    const second = await run(workspace);
    expectAllValid();
    expect(second.code).toBe(1);
    expect(github.of('issues/create-comment')).toHaveLength(0);
    expect(github.of('issues/update-comment')).toHaveLength(1);
    expect(github.of('issues/update-comment')[0]!.path).toBe(`/repos/${OWNER}/${REPO}/issues/comments/${first[0]!.id}`);
    const ours = [...github.comments.values()].filter((c) => c.user.type === 'Bot');
    expect(ours).toHaveLength(1);
    expect(ours[0]!.body).toContain('debug\\-2');
    expect(github.comments.get(quoted.id)!.body).toBe(`${MARKER}\nI copied this`);

    // Clean: the comment says so (resolve is the default), still one comment, and the step passes.
    github.resetLog();
    rmSync(path.join(workspace, 'deploy/pods.yaml'));
    writeFileSync(path.join(workspace, 'deploy/settings.yaml'), readFileSync(path.join(repo(cleanRepo), 'deploy/settings.yaml')));
    const clean = await run(workspace);
    expectAllValid();
    expect(clean.code).toBe(0);
    expect(clean.outputs.conclusion).toBe('success');
    expect(github.of('issues/create-comment')).toHaveLength(0);
    const resolved = [...github.comments.values()].filter((c) => c.user.type === 'Bot');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.body).toContain('Resolved');
    expect([...github.checkRuns.values()].at(-1)).toMatchObject({ conclusion: 'success', head_sha: HEAD_SHA });

    // comment-when-clean: delete removes it.
    github.resetLog();
    const deleted = await run(workspace, { 'comment-when-clean': 'delete' });
    expect(deleted.code).toBe(0);
    expect(github.of('issues/delete-comment')).toHaveLength(1);
    expect([...github.comments.values()].filter((c) => c.user.type === 'Bot')).toHaveLength(0);
    expectAllValid();
  });

  it('does not comment at all on a clean first run', async () => {
    await freshGitHub();
    const result = await run(repo(cleanRepo));
    expectAllValid();
    expect(result.code).toBe(0);
    expect(github.comments.size).toBe(0);
    expect([...github.checkRuns.values()]).toMatchObject([{ conclusion: 'success', head_sha: HEAD_SHA }]);
  });
});

describe('a chart with 400 findings', () => {
  it('publishes all 400 annotations in batches of at most 50 and one comment under the size limit', async () => {
    const helm = process.env.PREADMIT_TEST_HELM3;
    expect(helm, 'the global setup provisions helm 3').toBeDefined();
    await freshGitHub();
    const workspace = repo(() => fleetRepo(50)); // 8 findings per pod
    const result = await run(workspace, { helm: helm!, paths: 'charts' });
    expect(result.stderr).toBe('');
    expectAllValid();
    const findings = result.report!.findings;
    expect(findings.length).toBeGreaterThanOrEqual(400);

    const updates = github.of('checks/update');
    const batches = updates.map((r) => annotationsOf([r]).length);
    expect(updates.length).toBeGreaterThanOrEqual(8);
    expect(Math.max(...batches)).toBeLessThanOrEqual(50);
    const annotations = annotationsOf(updates);
    expect(annotations).toHaveLength(findings.length);
    expect(new Set(annotations.map((a) => /fingerprint: (\w+)/.exec(a.raw_details ?? '')?.[1]))).toEqual(new Set(findings.map((f) => f.fingerprint)));
    for (const a of annotations) expect(a.path).toBe('charts/fleet/templates/pods.yaml');
    const [checkRun] = [...github.checkRuns.values()];
    expect(checkRun!.annotations).toHaveLength(findings.length);
    expect(checkRun).toMatchObject({ conclusion: 'failure', head_sha: HEAD_SHA });
    expect(checkRun!.output.summary!.length).toBeLessThanOrEqual(65_535);

    const comments = [...github.comments.values()];
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body.length).toBeLessThanOrEqual(65_536);
    expect(comments[0]!.body).toContain('#### Blocking findings');
    expect(result.outputs.findings).toBe(String(findings.length));
  });
});

describe('read-only tokens and fork pull requests', () => {
  it('falls back to at most 10 workflow-command annotations per level, the most severe, and still fails the step', async () => {
    await freshGitHub();
    github.readOnly();
    const workspace = repo(() => fleetRepo(12));
    const result = await run(workspace, { helm: process.env.PREADMIT_TEST_HELM3!, paths: 'charts' }, { event: event({ forkOwner: 'outsider' }) });
    expectAllValid();
    expect(github.checkRuns.size).toBe(0);
    expect([...github.comments.values()]).toHaveLength(0);
    expect(result.code).toBe(1);
    expect(result.outputs.conclusion).toBe('failure');

    const counts = { error: 0, warning: 0, notice: 0 };
    for (const c of result.commands) counts[c.level as keyof typeof counts]++;
    expect(counts.error).toBeLessThanOrEqual(10);
    expect(counts.warning).toBeLessThanOrEqual(10);
    expect(counts.notice).toBeLessThanOrEqual(10);
    // The failures shown are the blocking findings (critical first), on the template file.
    const errors = result.commands.filter((c) => c.level === 'error' && c.properties.file !== undefined);
    expect(errors.length).toBe(9); // 10 minus the slot kept for the step's failure message
    for (const e of errors) expect(e.properties.file).toBe('charts/fleet/templates/pods.yaml');
    expect(errors[0]!.properties.title).toMatch(/^pss-privileged: Pod default\/worker-/);
    expect(result.commands.some((c) => c.level === 'notice' && /more annotations are not shown/.test(c.message))).toBe(true);
    expect(result.commands.some((c) => c.level === 'warning' && /no check run could be published/.test(c.message) && /fork/.test(c.message))).toBe(true);
    // The summary has every finding and says what happened.
    expect(result.summary).toContain('Publishing to GitHub was incomplete');
    expect(result.summary).toContain('Resource not accessible by integration');
    expect(result.summary).toContain('worker\\-2');
  });
});

describe('the two-workflow pattern for forks', () => {
  function workflowRunEvent(headSha: string) {
    const base = event().repository;
    return {
      action: 'completed',
      workflow_run: { id: 9876543210, name: 'preadmit scan', event: 'pull_request', status: 'completed', conclusion: 'failure', head_sha: headSha, head_branch: 'feature/agent', pull_requests: [] },
      workflow: { id: 161335, name: 'preadmit scan', path: '.github/workflows/preadmit-scan.yml' },
      repository: base,
      sender: event().sender,
    };
  }

  it('publishes the fork run’s report from workflow_run: check run on the PR head, one verified comment', async () => {
    // Workflow A: pull_request from a fork, read-only token.
    await freshGitHub();
    github.readOnly();
    const fork = repo(manifestRepo);
    const scanned = await run(fork, {}, { event: event({ forkOwner: 'outsider' }) });
    expect(scanned.code).toBe(1);
    expect(github.checkRuns.size + github.comments.size).toBe(0);
    await github.close();

    // Workflow B: workflow_run on the default branch, write token, never runs the fork's code; the
    // artifact (report and PR number) is downloaded into its workspace.
    await freshGitHub();
    github.pulls.set(PR_NUMBER, HEAD_SHA);
    const trusted = repo(cleanRepo);
    const reportFile = path.join(trusted, 'artifact', 'preadmit-report.json');
    mkdirSync(path.dirname(reportFile), { recursive: true });
    writeFileSync(reportFile, JSON.stringify(scanned.report));
    const published = await run(trusted, { report: reportFile, 'pull-request': String(PR_NUMBER) }, { eventName: 'workflow_run', event: workflowRunEvent(HEAD_SHA), sha: BASE_SHA });
    expectAllValid();
    expect(published.code).toBe(1);
    expect(github.of('pulls/get')).toHaveLength(1);
    expect([...github.checkRuns.values()]).toMatchObject([{ head_sha: HEAD_SHA, conclusion: 'failure' }]);
    expect([...github.checkRuns.values()][0]!.annotations).toHaveLength(scanned.report!.findings.length);
    expect([...github.comments.values()]).toHaveLength(1);
    expect([...github.comments.values()][0]!.body).toContain('Pod shop/debug');

    // A pull-request number that does not match the run's commit gets no comment.
    github.resetLog();
    github.pulls.set(PR_NUMBER + 1, 'e'.repeat(40));
    const mismatch = await run(trusted, { report: reportFile, 'pull-request': String(PR_NUMBER + 1) }, { eventName: 'workflow_run', event: workflowRunEvent(HEAD_SHA), sha: BASE_SHA });
    expect(mismatch.stdout).toContain(`not commenting: pull request #${PR_NUMBER + 1} is at ${'e'.repeat(40)}`);
    expect(github.of('issues/create-comment')).toHaveLength(0);
    expectAllValid();

    // A tampered report is refused.
    writeFileSync(reportFile, JSON.stringify({ ...scanned.report, findings: [{ ruleId: '<img>' }] }));
    const tampered = await run(trusted, { report: reportFile }, { eventName: 'workflow_run', event: workflowRunEvent(HEAD_SHA), sha: BASE_SHA });
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/is not a preadmit JSON report/);
  });
});

describe('transient failures', () => {
  it('retries a 502, and a comment whose create failed after it went through is not posted twice', async () => {
    await freshGitHub();
    github.fail({ operationId: 'checks/update', status: 502 });
    github.fail({ operationId: 'issues/create-comment', status: 502, afterHandling: true });
    const result = await run(repo(manifestRepo));
    expectAllValid();
    expect(result.code).toBe(1);
    const updates = github.of('checks/update');
    expect(updates[0]).toMatchObject({ status: 502, fault: true });
    expect(updates[1]).toMatchObject({ status: 200 });
    expect([...github.checkRuns.values()][0]).toMatchObject({ conclusion: 'failure' });
    expect([...github.checkRuns.values()][0]!.annotations.length).toBe(result.report!.findings.length);
    expect(github.comments.size).toBe(1);
    expect(github.of('issues/create-comment')).toHaveLength(1);
    expect(result.stdout).toMatch(/HTTP 502.*retrying in/);
  });

  it('waits out a secondary rate limit (403 with retry-after)', async () => {
    await freshGitHub();
    github.fail({ operationId: 'checks/create', status: 403, headers: { 'retry-after': '1' }, body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' } });
    const result = await run(repo(manifestRepo));
    expectAllValid();
    expect(github.of('checks/create').map((r) => r.status)).toEqual([403, 201]);
    expect(github.checkRuns.size).toBe(1);
    expect(result.commands.filter((c) => c.properties.file !== undefined)).toHaveLength(0);
  });

  it('keeps the findings in the log and summary when GitHub keeps failing', async () => {
    await freshGitHub();
    for (const operationId of ['checks/create', 'checks/update', 'issues/list-comments']) github.fail({ operationId, status: 503, times: Infinity });
    const result = await run(repo(manifestRepo));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('pss-privileged');
    expect(result.summary).toContain('Pod shop/debug');
    expect(result.summary).toContain('Publishing to GitHub was incomplete');
    expect(result.commands.some((c) => c.level === 'error' && c.properties.file === 'deploy/pods.yaml')).toBe(true);
  }, 120_000);
});

describe('dist/index.js: whose policy gates a pull request', () => {
  /** A repository whose base commit gates at high and whose head tries to pass itself. */
  function loosenedRepo(): { workspace: string; baseSha: string } {
    const workspace = repo(() => makeRepo({ '.preadmit.yaml': 'failOn: high\n', 'deploy/pods.yaml': PODS_YAML }));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=dev@example.com', '-c', 'user.name=dev', ...args], { cwd: workspace, encoding: 'utf8' }).trim();
    git('add', '-A');
    git('commit', '-q', '-m', 'base');
    const baseSha = git('rev-parse', 'HEAD');
    writeFileSync(path.join(workspace, '.preadmit.yaml'), 'failOn: never\nsuppressions:\n  - rule: pss-privileged\n    reason: trust me\n');
    git('commit', '-q', '-am', 'head: loosen the gate');
    return { workspace, baseSha };
  }

  it('takes the policy from the base commit and lists what the pull request changes in the comment and summary', async () => {
    await freshGitHub();
    const { workspace, baseSha } = loosenedRepo();
    // gate: all: the privileged pod is in the base too (existing), and this test is about whose fail-on applies.
    const result = await run(workspace, { 'policy-from': 'base', gate: 'all' }, { event: pullRequestEvent({ owner: OWNER, repo: REPO, number: PR_NUMBER, headSha: HEAD_SHA, baseSha }) });
    expectAllValid();
    expect(result.code).toBe(1);
    expect(result.report!.findings.find((f) => f.ruleId === 'pss-privileged')).toBeDefined();
    expect(result.stdout).toContain(`preadmit: pull request: the policy comes from the base commit ${baseSha.slice(0, 12)}`);
    const [comment] = [...github.comments.values()];
    for (const text of [comment!.body, result.summary]) {
      expect(text).toContain('#### Policy changes in this pull request (take effect once merged) (2)');
      expect(text).toContain('failOn: &quot;high&quot; → &quot;never&quot;');
      expect(text).toContain('suppression of pss\\-privileged: trust me');
    }
    // With policy-from: head, the pull request's own configuration decides (here: it passes).
    await freshGitHub();
    const own = await run(workspace, { 'policy-from': 'head' }, { event: pullRequestEvent({ owner: OWNER, repo: REPO, number: PR_NUMBER, headSha: HEAD_SHA, baseSha }) });
    expect(own.code).toBe(0);
  });

  it('says so in the log and the comment when the base commit cannot be fetched, and gates strictly', async () => {
    await freshGitHub();
    const { workspace } = loosenedRepo();
    const result = await run(workspace, { 'policy-from': 'base' });
    expectAllValid();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::warning::preadmit: the policy of f95f852bd8fc could not be read \(.*\); gating with the strictest reading/);
    expect([...github.comments.values()][0]!.body).toContain('**Policy of the base commit unavailable**');
  });
});

describe('dist/index.js: what a pull request changes, against its base commit', () => {
  const VALUES_BASE = 'image: nginx:1.27\nhostNetwork: true\nhostPID: true\nprivileged: false\n';
  const TEMPLATE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      hostNetwork: {{ .Values.hostNetwork }}
      hostPID: {{ .Values.hostPID }}
      containers:
        - name: web
          image: {{ .Values.image }}
          securityContext:
            privileged: {{ .Values.privileged }}
`;

  /**
   * A real repository: the base commit runs hostNetwork and hostPID; the pull request turns hostNetwork
   * off (fixed), makes the container privileged and its image :latest (new, both set in values.yaml).
   */
  function pullRequestRepo(): { workspace: string; baseSha: string } {
    const workspace = repo(() =>
      makeRepo({
        'charts/shop/Chart.yaml': 'apiVersion: v2\nname: shop\nversion: 0.1.0\n',
        'charts/shop/values.yaml': VALUES_BASE,
        'charts/shop/templates/deployment.yaml': TEMPLATE,
        // An unchanged second chart: left out of the renders.
        'charts/other/Chart.yaml': 'apiVersion: v2\nname: other\nversion: 0.1.0\n',
        'charts/other/templates/pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: other\nspec:\n  containers:\n    - name: c\n      image: busybox:1.36\n      securityContext:\n        privileged: true\n',
        '.preadmit.yaml': 'rules:\n  network-policy-egress: off\n  network-policy-ingress: off\n',
      }),
    );
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=dev@example.com', '-c', 'user.name=dev', ...args], { cwd: workspace, encoding: 'utf8' }).trim();
    git('add', '-A');
    git('commit', '-q', '-m', 'base');
    const baseSha = git('rev-parse', 'HEAD');
    writeFileSync(path.join(workspace, 'charts/shop/values.yaml'), 'image: nginx:latest\nhostNetwork: false\nhostPID: true\nprivileged: true\n');
    git('commit', '-q', '-am', 'head: privileged, latest image, no host network');
    return { workspace, baseSha };
  }

  const prEvent = (baseSha: string, forkOwner?: string) => pullRequestEvent({ owner: OWNER, repo: REPO, number: PR_NUMBER, headSha: HEAD_SHA, baseSha, ...(forkOwner !== undefined && { forkOwner }) });

  it('annotates only the new findings, on the values.yaml lines the pull request changed; the comment counts; the check fails on the new blocking one', async () => {
    await freshGitHub();
    const { workspace, baseSha } = pullRequestRepo();
    const result = await run(workspace, { helm: process.env.PREADMIT_TEST_HELM3!, paths: 'charts', 'policy-from': 'base' }, { event: prEvent(baseSha) });
    expect(result.stderr).toBe('');
    expectAllValid();
    expect(result.stdout).toContain(`preadmit: pull request: compared with its base commit ${baseSha.slice(0, 12)}; new findings gate`);

    const report = result.report as unknown as { findings: { ruleId: string; status: string; fingerprint: string }[]; summary: Record<string, number> };
    const fresh = report.findings.filter((f) => f.status === 'new');
    expect(fresh.map((f) => f.ruleId).sort()).toEqual(['image-tag', 'pss-privileged']);
    const existing = report.findings.length - fresh.length;
    expect(existing).toBeGreaterThan(5);
    expect(report.summary).toMatchObject({ new: 2, existing, fixed: 1, blocking: 1 });

    // Annotations: the two new findings only. privileged: on the values.yaml line the pull request changed
    // (line 4), not on the template line; the image tag, whose values key provenance does not prove: on the
    // template line that emits it.
    const annotations = annotationsOf(github.of('checks/update'));
    expect(annotations.map((a) => [a.title.split(':')[0], a.path, a.start_line, a.annotation_level]).sort()).toEqual([
      ['image-tag', 'charts/shop/templates/deployment.yaml', 18, 'warning'],
      ['pss-privileged', 'charts/shop/values.yaml', 4, 'failure'],
    ]);
    expect(new Set(annotations.map((a) => /fingerprint: (\w+)/.exec(a.raw_details ?? '')?.[1]))).toEqual(new Set(fresh.map((f) => f.fingerprint)));

    // The check concludes from the new blocking finding; the existing critical one (hostPID) does not count.
    const [checkRun] = [...github.checkRuns.values()];
    expect(checkRun).toMatchObject({ head_sha: HEAD_SHA, status: 'completed', conclusion: 'failure' });
    expect(checkRun!.output.title).toBe('1 blocking new finding at or above high');
    expect(result.code).toBe(1);

    // The comment and the job summary lead with what the pull request did.
    const lead = `**2 new findings (1 blocking) · ${existing} existing · 1 fixed**`;
    const [comment] = [...github.comments.values()];
    expect(comment!.body.startsWith(`${MARKER}\n${lead}\n\n### ❌ preadmit: 1 blocking new finding`)).toBe(true);
    expect(comment!.body).toContain(`<summary>Existing findings, already in the base (${existing})</summary>`);
    expect(comment!.body).toContain('<summary>Fixed: in the base, gone now (1)</summary>');
    expect(comment!.body).toMatch(/#### Other new findings \(1\)/);
    // Only the changed chart was rendered.
    expect(comment!.body).toContain('left out as unchanged since the base: charts/other');
    expect(result.summary).toContain(lead);

    // gate: all: the existing critical finding gates too, and every finding is annotated.
    await freshGitHub();
    const all = await run(workspace, { helm: process.env.PREADMIT_TEST_HELM3!, paths: 'charts', 'policy-from': 'base', gate: 'all' }, { event: prEvent(baseSha) });
    expectAllValid();
    expect(all.code).toBe(1);
    expect(annotationsOf(github.of('checks/update'))).toHaveLength(report.findings.length);
    expect([...github.checkRuns.values()][0]!.output.title).toMatch(/^[2-9] blocking findings at or above high$/);
  });

  it('a fork pull request is compared with the base repository’s commit; with nothing new blocking, the check passes', async () => {
    await freshGitHub();
    const { workspace, baseSha } = pullRequestRepo();
    // Undo the privileged container: what remains new is a medium finding, below fail-on.
    writeFileSync(path.join(workspace, 'charts/shop/values.yaml'), 'image: nginx:latest\nhostNetwork: false\nhostPID: true\nprivileged: false\n');
    const result = await run(workspace, { helm: process.env.PREADMIT_TEST_HELM3!, paths: 'charts', 'policy-from': 'base' }, { event: prEvent(baseSha, 'outsider') });
    expectAllValid();
    expect(result.code).toBe(0);
    expect([...github.checkRuns.values()][0]).toMatchObject({ conclusion: 'success' });
    const annotations = annotationsOf(github.of('checks/update'));
    expect(annotations.map((a) => [a.title.split(':')[0], a.path, a.start_line])).toEqual([['image-tag', 'charts/shop/templates/deployment.yaml', 18]]);
    expect([...github.comments.values()][0]!.body).toContain('**1 new finding (0 blocking) · ');
  });

  it('a finding the pull request causes in a template is annotated on that template line, though its values line is known', async () => {
    await freshGitHub();
    const { workspace, baseSha } = pullRequestRepo();
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=dev@example.com', '-c', 'user.name=dev', ...args], { cwd: workspace, encoding: 'utf8' }).trim();
    // values.yaml already sets hostIPC (unused at the base, unchanged by the pull request); the template starts reading it.
    git('reset', '-q', '--hard', baseSha);
    writeFileSync(path.join(workspace, 'charts/shop/values.yaml'), `${VALUES_BASE}hostIPC: true\n`);
    git('commit', '-q', '-am', 'base: hostIPC set, not used');
    const base = git('rev-parse', 'HEAD');
    writeFileSync(path.join(workspace, 'charts/shop/templates/deployment.yaml'), TEMPLATE.replace('      hostPID: {{ .Values.hostPID }}\n', '      hostPID: {{ .Values.hostPID }}\n      hostIPC: {{ .Values.hostIPC }}\n'));
    git('commit', '-q', '-am', 'head: the template reads hostIPC');
    const result = await run(workspace, { helm: process.env.PREADMIT_TEST_HELM3!, paths: 'charts', 'policy-from': 'base' }, { event: prEvent(base) });
    expectAllValid();
    expect(result.code).toBe(1);
    const [hostIpc] = (result.report as unknown as { findings: { status: string; source: { values?: { file: string; line?: number } } }[] }).findings.filter((f) => f.status === 'new');
    expect(hostIpc!.source.values).toMatchObject({ file: 'charts/shop/values.yaml', line: 5 });
    const annotations = annotationsOf(github.of('checks/update'));
    expect(annotations.map((a) => [a.title.split(':')[0], a.path, a.start_line])).toEqual([['pss-host-namespaces', 'charts/shop/templates/deployment.yaml', 16]]);
  });

  it('a values file the pull request adds (values-files input) is not applied to the base: only what it turns on is new', async () => {
    await freshGitHub();
    const { workspace, baseSha } = pullRequestRepo();
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=dev@example.com', '-c', 'user.name=dev', ...args], { cwd: workspace, encoding: 'utf8' }).trim();
    git('reset', '-q', '--hard', baseSha);
    mkdirSync(path.join(workspace, 'ci'));
    writeFileSync(path.join(workspace, 'ci/values.yaml'), 'privileged: true\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'head: CI values');
    const result = await run(workspace, { helm: process.env.PREADMIT_TEST_HELM3!, paths: 'charts', 'values-files': 'ci/values.yaml', 'policy-from': 'base' }, { event: prEvent(baseSha) });
    expectAllValid();
    const fresh = (result.report as unknown as { findings: { ruleId: string; status: string }[] }).findings.filter((f) => f.status === 'new');
    // Only what the values file turns on is new: the base's own findings (hostPID...) are existing, the
    // base rendered without the pull request's file but with every chart, as the head did.
    expect(fresh.map((f) => f.ruleId)).toEqual(['pss-privileged']);
    expect(result.code).toBe(1);
    expect([...github.checkRuns.values()][0]).toMatchObject({ conclusion: 'failure' });
  });

  it('a configuration file the pull request adds (config input) is never applied to the base: the base is scanned with its own', async () => {
    await freshGitHub();
    const { workspace, baseSha } = pullRequestRepo();
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=dev@example.com', '-c', 'user.name=dev', ...args], { cwd: workspace, encoding: 'utf8' }).trim();
    git('reset', '-q', '--hard', baseSha);
    // The added configuration names values that make the container privileged; were the base rendered
    // with it, privileged would look existing.
    mkdirSync(path.join(workspace, 'ci'));
    writeFileSync(path.join(workspace, 'ci/preadmit.yaml'), 'helm:\n  valuesFiles: [privileged.yaml]\nrules:\n  network-policy-egress: off\n  network-policy-ingress: off\n');
    writeFileSync(path.join(workspace, 'ci/privileged.yaml'), 'privileged: true\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'head: CI configuration');
    const result = await run(workspace, { helm: process.env.PREADMIT_TEST_HELM3!, paths: 'charts', config: 'ci/preadmit.yaml', 'policy-from': 'head' }, { event: prEvent(baseSha) });
    expectAllValid();
    const report = result.report as unknown as { findings: { ruleId: string; status: string }[]; base: { allBecause?: string } };
    expect(report.findings.filter((f) => f.status === 'new').map((f) => f.ruleId)).toEqual(['pss-privileged']);
    // Every chart rendered on both sides (the unchanged one too), because the configuration given changed.
    expect(report.base.allBecause).toBe('ci/preadmit.yaml changed, which is the configuration given for every chart');
    expect(result.code).toBe(1);
  });

  it('a pull request that adds and fixes nothing gets no comment (comment-when-clean: resolve) and a green check', async () => {
    await freshGitHub();
    const { workspace, baseSha } = pullRequestRepo();
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=dev@example.com', '-c', 'user.name=dev', ...args], { cwd: workspace, encoding: 'utf8' }).trim();
    git('reset', '-q', '--hard', baseSha);
    // The chart changes (lines shift above every finding), its findings do not.
    writeFileSync(path.join(workspace, 'charts/shop/templates/deployment.yaml'), `# The shop's web tier.\n# Owned by the platform team.\n${TEMPLATE}`);
    git('commit', '-q', '-am', 'head: a comment');
    const result = await run(workspace, { helm: process.env.PREADMIT_TEST_HELM3!, paths: 'charts', 'policy-from': 'base' }, { event: prEvent(baseSha) });
    expectAllValid();
    expect(result.code).toBe(0);
    const report = result.report as unknown as { findings: { status: string }[]; summary: Record<string, number> };
    expect(report.findings.length).toBeGreaterThan(5);
    expect(report.summary).toMatchObject({ new: 0, fixed: 0 });
    expect([...github.checkRuns.values()][0]).toMatchObject({ conclusion: 'success' });
    expect(annotationsOf(github.of('checks/update'))).toEqual([]);
    expect(github.comments.size).toBe(0);
    expect(result.summary).toContain(`**0 new findings · ${report.findings.length} existing · 0 fixed**`);
  });

  it('says so in the log and the comment when the base commit cannot be had, and gates on every finding', async () => {
    await freshGitHub();
    const { workspace } = pullRequestRepo();
    // BASE_SHA is in no repository; the clone has no origin to fetch it from.
    const result = await run(workspace, { helm: process.env.PREADMIT_TEST_HELM3!, paths: 'charts', 'policy-from': 'head' }, { event: prEvent(BASE_SHA) });
    expectAllValid();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/preadmit: no comparison with the pull request's base \(the commit f95f852bd8fc is not in the checkout and could not be fetched from origin: .*\): every finding/);
    const [comment] = [...github.comments.values()];
    expect(comment!.body).toContain("> [!WARNING]\n> **no comparison with the pull request's base");
    expect(comment!.body).not.toContain('new findings (');
    const report = result.report!;
    // Every finding gates and is annotated, the existing hostPID one included.
    expect(annotationsOf(github.of('checks/update'))).toHaveLength(report.findings.length);
    expect(Number(result.outputs.blocking)).toBeGreaterThanOrEqual(3);
  });
});

describe('other events and settings', () => {
  it('on push: a check run on GITHUB_SHA and no comment', async () => {
    await freshGitHub();
    const result = await run(repo(manifestRepo), {}, { eventName: 'push', event: { ref: 'refs/heads/main', after: MERGE_SHA, repository: { full_name: `${OWNER}/${REPO}` } } });
    expectAllValid();
    expect([...github.checkRuns.values()]).toMatchObject([{ head_sha: MERGE_SHA, conclusion: 'failure' }]);
    expect(github.of('issues/list-comments')).toHaveLength(0);
    expect(result.stdout).toContain('is not about a pull request: no comment');
  });

  it('advisory: conclusion neutral and the step passes', async () => {
    await freshGitHub();
    const result = await run(repo(manifestRepo), { advisory: 'on', comment: 'off', annotations: 'off' });
    expectAllValid();
    expect(result.code).toBe(0);
    expect(result.outputs.conclusion).toBe('neutral');
    expect([...github.checkRuns.values()]).toMatchObject([{ conclusion: 'neutral', annotations: [] }]);
    expect(github.comments.size).toBe(0);
  });

  it('fails with a how-to when charts need helm and there is none', async () => {
    await freshGitHub();
    const result = await run(repo(() => fleetRepo(1)), { helm: '/nonexistent/helm' });
    expectAllValid();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('azure/setup-helm');
    expect(result.stdout).not.toContain('--helm');
    expect([...github.checkRuns.values()]).toMatchObject([{ conclusion: 'failure', output: { title: 'The scan did not run' } }]);
  });

  it('rejects a bad input with a message naming it', async () => {
    await freshGitHub();
    const result = await run(repo(manifestRepo), { 'fail-on': 'severe' });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('::error::preadmit: input fail-on must be one of critical, high, medium, low, never (got "severe")');
    expect(github.requests).toHaveLength(0);
  });
});

describe('the log cannot be hijacked', () => {
  const WINDOW = /^::stop-commands::(preadmit-[0-9a-f]{32})$/;

  /** The window's token, and stdout cut into: before the window, inside it, after it. */
  function windowOf(result: RunResult) {
    const lines = result.stdout.split('\n');
    const open = lines.findIndex((l) => WINDOW.test(l));
    expect(open, 'the log opens a stop-commands window').toBeGreaterThanOrEqual(0);
    const token = WINDOW.exec(lines[open]!)![1]!;
    const close = lines.indexOf(`::${token}::`);
    expect(close, 'and closes it with the same token').toBeGreaterThan(open);
    return { token, before: lines.slice(0, open), inside: lines.slice(open + 1, close), after: lines.slice(close + 1) };
  }

  it('prints object and file names that are commands inert, inside a stop-commands window; only its own commands run', async () => {
    await freshGitHub();
    const workspace = repo(hostileRepo);
    const result = await run(workspace);
    expectAllValid();
    expect(result.code).toBe(1);
    const { token, before, inside, after } = windowOf(result);

    // What the runner executes: the token's add-mask, the window, and the failure message. Nothing else:
    // no add-mask of CRITICAL, no set-output, no second stop-commands, no injected error or warning.
    expect(result.executed.map((c) => [c.name, c.data])).toEqual([
      ['add-mask', TOKEN],
      ['stop-commands', token],
      [token, ''],
      ['error', expect.stringMatching(/^preadmit: \d+ blocking findings at or above high$/)],
    ]);
    expect(before).toEqual([`::add-mask::${TOKEN}`]);
    expect(after).toEqual([expect.stringMatching(/^::error::preadmit: \d+ blocking findings at or above high$/), '']);
    // The report is in the window, with every name readable but broken up: `## [` and `: :`.
    const log = inside.join('\n');
    expect(log).toContain('pss-privileged');
    expect(log).toContain('## [add-mask]CRITICAL');
    expect(log).toContain('## [stop-commands]x');
    expect(log).toContain(': :error: :pwned');
    expect(log).toContain('#\u0591# [set-output name=conclusion]success');
    expect(log).toContain(': \u200b:warning: :zero-width');
    expect(log).toContain('deploy/## [set-output name=conclusion]success.yaml');
    for (const line of inside) expect(line).not.toMatch(/##\[|::/);
    // Outputs and the check run are preadmit's own.
    expect(result.outputs.conclusion).toBe('failure');
    expect([...github.checkRuns.values()]).toMatchObject([{ conclusion: 'failure' }]);
    // The exact names are kept where they are data: the JSON report and the check run's annotations.
    expect(new Set(result.report!.findings.map((f) => (f as unknown as { object: { name: string } }).object.name))).toEqual(new Set(HOSTILE_NAMES));
    expect([...github.checkRuns.values()][0]!.annotations.some((a) => a.path === HOSTILE_FILE)).toBe(true);

    // A fresh token on every run.
    await github.close();
    await freshGitHub();
    expect(windowOf(await run(workspace)).token).not.toBe(token);
  });

  it('emits the fork fallback annotations after the window, escaped, and nothing injected runs', async () => {
    await freshGitHub();
    github.readOnly();
    const result = await run(repo(hostileRepo), {}, { event: event({ forkOwner: 'outsider' }) });
    expect(result.code).toBe(1);
    const { token, inside, after } = windowOf(result);
    const names = result.executed.map((c) => c.name);
    expect(names.slice(0, 3)).toEqual(['add-mask', 'stop-commands', token]);
    expect(new Set(names.slice(3))).toEqual(new Set(['warning', 'error', 'notice']));
    expect(result.executed.filter((c) => c.name === 'add-mask')).toHaveLength(1);
    for (const line of inside) expect(line).not.toMatch(/##\[|::/);

    // The annotations: every line after the window is one of ours, with values escaped per the toolkit
    // (`:` and `,` in properties as %3A and %2C) and defused (`## [`, `: :`).
    const annotations = result.commands.filter((c) => c.properties.title?.startsWith('pss-privileged: '));
    expect(annotations.length).toBe(HOSTILE_NAMES.length);
    // (The runner model reads lines without the characters ICU may ignore, U+0591 and U+200B here.)
    expect(annotations.map((a) => a.properties.title).sort()).toEqual(
      ['## [add-mask]CRITICAL', '## [stop-commands]x', ': :error: :pwned', '## [set-output name=conclusion]success', ': :warning: :zero-width']
        .map((n) => `pss-privileged: Pod shop/${n}`)
        .sort(),
    );
    expect(annotations.map((a) => a.properties.file)).toContain('deploy/## [set-output name=conclusion]success.yaml');
    const mask = after.find((l) => l.includes('add-mask]CRITICAL'))!;
    expect(mask).toMatch(/^::error title=pss-privileged%3A Pod shop\/## \[add-mask\]CRITICAL,file=deploy\/## \[set-output name=conclusion\]success.yaml,line=\d+,endLine=\d+::\[critical\] /);
    for (const line of after.filter((l) => l !== '')) expect(line).toMatch(/^::(error|warning|notice)( [^:]*)?::/);
    expect(result.outputs.conclusion).toBe('failure');
  });
});

describe('report files never follow a link the pull request planted', () => {
  function outside(): { dir: string; victim: string } {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-outside-'));
    repos.push(dir);
    const victim = path.join(dir, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    return { dir, victim };
  }

  it('replaces a committed preadmit.sarif symlink instead of writing through it, and writes to RUNNER_TEMP by default', async () => {
    await freshGitHub();
    const { victim } = outside();
    const workspace = repo(manifestRepo);
    symlinkSync(victim, path.join(workspace, 'preadmit.sarif'));

    // Default: RUNNER_TEMP; the link in the checkout is not even looked at.
    const byDefault = await run(workspace);
    expect(byDefault.code).toBe(1);
    expect(byDefault.outputs['sarif-file']!.startsWith(workspace)).toBe(false);
    expect(byDefault.sarif!.version).toBe('2.1.0');
    expect(readlinkSync(path.join(workspace, 'preadmit.sarif'))).toBe(victim);

    // Asked for the committed path: the link itself is replaced by the report; its target is untouched.
    const asked = await run(workspace, { 'sarif-file': 'preadmit.sarif' });
    expect(asked.code).toBe(1);
    expect(asked.outputs['sarif-file']).toBe(path.join(workspace, 'preadmit.sarif'));
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(path.join(workspace, 'preadmit.sarif')).isSymbolicLink()).toBe(false);
    expect((JSON.parse(readFileSync(path.join(workspace, 'preadmit.sarif'), 'utf8')) as { version: string }).version).toBe('2.1.0');
  });

  it('refuses a sarif-file whose folder links out of the workspace, before scanning, with a clear message', async () => {
    await freshGitHub();
    const { dir, victim } = outside();
    const workspace = repo(manifestRepo);
    symlinkSync(dir, path.join(workspace, 'reports'));
    const result = await run(workspace, { 'sarif-file': 'reports/victim.txt' });
    expectAllValid();
    expect(result.code).toBe(1);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(result.stdout).toContain(`::error::preadmit: cannot write the sarif-file reports/victim.txt: the folder reports is a symbolic link to ${dir}`);
    expect(result.stdout).not.toContain('pss-privileged'); // refused before the scan
    expect([...github.checkRuns.values()]).toMatchObject([{ conclusion: 'failure', output: { title: 'The scan did not run' } }]);
    expect(result.stderr).toBe('');
  });
});

describe('report mode works the verdict out itself', () => {
  function workflowRun() {
    const base = event().repository;
    return {
      action: 'completed',
      workflow_run: { id: 9876543210, name: 'preadmit scan', event: 'pull_request', status: 'completed', conclusion: 'success', head_sha: HEAD_SHA, head_branch: 'feature/agent', pull_requests: [] },
      workflow: { id: 161335, name: 'preadmit scan', path: '.github/workflows/preadmit-scan.yml' },
      repository: base,
      sender: event().sender,
    };
  }

  async function scannedReport(): Promise<Record<string, unknown> & { summary: Record<string, unknown>; findings: unknown[] }> {
    await freshGitHub();
    github.readOnly();
    const scanned = await run(repo(manifestRepo), {}, { event: event({ forkOwner: 'outsider' }) });
    expect(scanned.code).toBe(1);
    await github.close();
    return scanned.report as never;
  }

  it('fails a doctored artifact whose summary says pass while its findings block', async () => {
    const report = await scannedReport();
    const doctored = { ...report, summary: { ...report.summary, verdict: 'pass', blocking: 0, failOn: 'never', bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 } } };
    await freshGitHub();
    const trusted = repo(cleanRepo);
    const file = path.join(trusted, 'artifact', 'report.json');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(doctored));
    const result = await run(trusted, { report: file }, { eventName: 'workflow_run', event: workflowRun(), sha: BASE_SHA });
    expectAllValid();
    expect(result.code).toBe(1);
    expect(result.outputs.conclusion).toBe('failure');
    expect(Number(result.outputs.blocking)).toBeGreaterThan(0);
    expect([...github.checkRuns.values()]).toMatchObject([{ head_sha: HEAD_SHA, conclusion: 'failure' }]);
    expect(result.stdout).toMatch(/the report says pass with 0 blocking findings at never; its findings give fail with \d+ at high, which is what counts/);
    // The republished JSON report carries the recomputed summary.
    expect(result.report!.summary).toMatchObject({ verdict: 'fail', failOn: 'high' });

    // This workflow's fail-on decides: with fail-on never the same findings pass.
    await github.close();
    await freshGitHub();
    const lenient = await run(trusted, { report: file, 'fail-on': 'never' }, { eventName: 'workflow_run', event: workflowRun(), sha: BASE_SHA });
    expect(lenient.code).toBe(0);
    expect(lenient.outputs.conclusion).toBe('success');
  });

  it('refuses an artifact that is not JSON, or not a report, with a message naming the file', async () => {
    await freshGitHub();
    const trusted = repo(cleanRepo);
    const file = path.join(trusted, 'report.json');
    writeFileSync(file, '{"summary": ');
    const broken = await run(trusted, { report: file }, { eventName: 'workflow_run', event: workflowRun(), sha: BASE_SHA });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`::error::preadmit: report ${file} is not JSON: `);
    writeFileSync(file, JSON.stringify({ summary: { verdict: 'pass' } }));
    const shape = await run(trusted, { report: file }, { eventName: 'workflow_run', event: workflowRun(), sha: BASE_SHA });
    expect(shape.code).toBe(1);
    expect(shape.stdout).toContain(`::error::preadmit: report ${file} is not a preadmit JSON report: `);
    expect(shape.stderr).toBe('');
  });
});

describe('the sticky comment is only ever our own', () => {
  it('leaves a marked comment by another user or another bot alone, and edits the one our token wrote', async () => {
    await freshGitHub();
    const planted = [
      github.seedComment(PR_NUMBER, `${MARKER}\n### ✅ preadmit: passed`, { login: 'mallory', id: 666, type: 'User' }),
      github.seedComment(PR_NUMBER, `${MARKER}\n### ✅ preadmit: passed`, { login: 'evil-app[bot]', id: 667, type: 'Bot' }),
    ];
    const workspace = repo(manifestRepo);
    const first = await run(workspace);
    expectAllValid();
    expect(first.code).toBe(1);
    expect(github.of('issues/update-comment')).toHaveLength(0);
    expect(github.of('issues/delete-comment')).toHaveLength(0);
    expect(github.of('issues/create-comment')).toHaveLength(1);
    for (const p of planted) expect(github.comments.get(p.id)!.body).toBe(`${MARKER}\n### ✅ preadmit: passed`);
    const ours = [...github.comments.values()].filter((c) => c.user.login === BOT.login);
    expect(ours).toHaveLength(1);
    // The token's identity came from our check run's app: no GET /user was needed.
    expect(github.of('users/get-authenticated')).toHaveLength(0);

    // Next run: ours is updated in place, the planted ones still untouched.
    github.resetLog();
    writeFileSync(path.join(workspace, 'deploy/pods.yaml'), PODS_YAML.replace('name: debug', 'name: debug-3'));
    await run(workspace);
    expect(github.of('issues/update-comment').map((r) => r.path)).toEqual([`/repos/${OWNER}/${REPO}/issues/comments/${ours[0]!.id}`]);
    for (const p of planted) expect(github.comments.get(p.id)!.body).toBe(`${MARKER}\n### ✅ preadmit: passed`);
  });

  it('with a GitHub App token, the app’s bot is ours and github-actions[bot] is not', async () => {
    await freshGitHub();
    github.app = { id: 90210, slug: 'acme-preadmit', name: 'Acme preadmit', bot: { login: 'acme-preadmit[bot]', id: 90211, type: 'Bot' } };
    const foreign = github.seedComment(PR_NUMBER, `${MARKER}\nfrom another workflow`, BOT);
    const mine = github.seedComment(PR_NUMBER, `${MARKER}\nold report`, { login: 'acme-preadmit[bot]', id: 90211, type: 'Bot' });
    const result = await run(repo(manifestRepo));
    expectAllValid();
    expect(result.code).toBe(1);
    expect(github.of('issues/update-comment').map((r) => r.path)).toEqual([`/repos/${OWNER}/${REPO}/issues/comments/${mine.id}`]);
    expect(github.of('issues/delete-comment')).toHaveLength(0);
    expect(github.comments.get(foreign.id)!.body).toBe(`${MARKER}\nfrom another workflow`);
  });
});

describe('a chart that tries to exfiltrate the checkout credential', () => {
  it('never sends the token, in any form, to GitHub, the log, the summary or the reports', async () => {
    const helm = process.env.PREADMIT_TEST_HELM3;
    expect(helm, 'the global setup provisions helm 3').toBeDefined();
    await freshGitHub();
    // The chart sits at the repository root, where actions/checkout leaves its token in .git/config.
    const template = (name: string, body: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  annotations:\n    leak: ${body}\ndata: {}\n`;
    const workspace = repo(() =>
      makeRepo({
        'Chart.yaml': 'apiVersion: v2\nname: exfil\nversion: 0.1.0\n',
        'values.yaml': '{}\n',
        // The extraheader's value is "AUTHORIZATION: basic base64(x-access-token:TOKEN)": decode it into a name,
        // an annotation and a fail message; also through .Files.Glob and a symlinked file.
        'templates/name.yaml': template(
          'x-{{ (regexFind "basic [A-Za-z0-9+/=]+" (.Files.Get ".git/config")) | trimPrefix "basic " | b64dec | trimPrefix "x-access-token:" | lower }}',
          '{{ .Files.Get ".git/config" | quote }}',
        ),
        'templates/glob.yaml': template('glob', '{{ range $p, $b := .Files.Glob ".git/*" }}{{ $b | toString | b64enc }}{{ end }}'),
        'templates/fail.yaml': '{{- $c := .Files.Get ".git/config" }}{{- if $c }}{{ fail (printf "leak %s" ($c | b64enc)) }}{{ end }}\n',
      }),
    );
    const secret = TOKEN;
    const header = Buffer.from(`x-access-token:${secret}`).toString('base64');
    execFileSync('git', ['-C', workspace, 'config', 'http.https://github.com/.extraheader', `AUTHORIZATION: basic ${header}`]);
    const result = await run(workspace, { helm: helm!, paths: '.' });
    expectAllValid();
    const forms = [secret, secret.toLowerCase(), header, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex')];
    const sent = JSON.stringify(github.requests.map((r) => r.body ?? null));
    // add-mask is the one line that must carry the token: the runner executes it and prints nothing.
    const log = result.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::')).join('\n');
    const everything = [sent, log, result.stderr, result.summary, JSON.stringify(result.report ?? {}), JSON.stringify(result.sarif ?? {}), JSON.stringify(result.outputs)];
    for (const text of everything) for (const form of forms) expect(text.includes(form), `a form of the token in ${text.slice(0, 80)}`).toBe(false);
    // The chart saw no .git/config: it rendered (no fail message), its ConfigMaps named without the token.
    expect(result.report!.summary.errors).toBe(0);
    expect(result.stdout).not.toContain('leak ');
    const names = ((result.report as unknown as { objects: { object: { name: string } }[] }).objects ?? []).map((o) => o.object.name).sort();
    expect(names).toEqual(['glob', 'x-']);
  }, 120_000);
});
