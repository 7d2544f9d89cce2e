// Proven fixes published by the bundled Action (issue 17), run like the GitHub runner runs it against the
// fake api.github.com that checks every request against GitHub's OpenAPI description (and, here, that
// every review comment lies in one hunk of the pull request's diff, as GitHub requires).
//
// One test runs the whole path (the Action scans the pull request, the engine proves the fix, the review
// suggests it). The others are the publisher's contract tests: the JSON report comes from a real scan (with
// its base, fixes off) of a small chart in a real git repository, and the test sets the `fix` fields
// (ProvenFix: lines line..endLine of the file as scanned become `replacement`) to cover the publisher's
// cases; the Action publishes that report (its `report` input).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { provisionOpenapi } from '../../scripts/provision-openapi.ts';
import { scanAgainstBase } from '../../src/pipeline/base-compare.ts';
import { renderJson } from '../../src/reporters/json.ts';
import type { ProvenFix, ScanResult } from '../../src/model/model.ts';
import { FakeGitHub, FORBIDDEN, type ReviewState } from './helpers/fake-github.ts';
import { OpenApi } from './helpers/openapi.ts';
import { ACTION_ENTRY, pullRequestEvent, runAction, type RunResult } from './helpers/runner.ts';
import { MERGE_SHA, OWNER, PR_NUMBER, REPO, TOKEN } from './fixtures.ts';

const MARKER = '<!-- preadmit:suggestions check="preadmit" -->';
const SUPERSEDED = '<!-- preadmit:suggestions-superseded check="preadmit" -->';
const VALUES_FILE = 'charts/shop/values.yaml';

let api: OpenApi;
let github: FakeGitHub;
const dirs: string[] = [];

beforeAll(async () => {
  if (!existsSync(ACTION_ENTRY)) throw new Error(`${ACTION_ENTRY} is missing: run npm run bundle`);
  api = new OpenApi(process.env.PREADMIT_TEST_OPENAPI ?? (await provisionOpenapi(console.error)));
}, 300_000);

afterEach(async () => {
  await github?.close();
});

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tmp(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

const TEMPLATE = (extra: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
${extra}      automountServiceAccountToken: false
      containers:
        - name: web
          image: "nginx:1.27.0"
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
`;

/** values.yaml of the base: hardened, and a hostNetwork value no template used yet (line 3). */
const BASE_VALUES = `# shop chart values
replicas: 1
hostNetwork: true
securityContext:
  runAsNonRoot: true
  allowPrivilegeEscalation: false
  capabilities:
    drop: [ALL]
  seccompProfile:
    type: RuntimeDefault
`;

/**
 * The pull request: values lines 6-7 make the container privileged and let it escalate (new findings, on
 * changed lines), and the template starts using hostNetwork (a new finding located at values line 3, which
 * the pull request did not change).
 */
const PR_VALUES = BASE_VALUES.replace('  allowPrivilegeEscalation: false\n', '  allowPrivilegeEscalation: true\n  privileged: true\n');

interface Repo {
  root: string;
  baseSha: string;
  git: (...args: string[]) => string;
  commit(files: Record<string, string>): string;
}

function chartRepo(): Repo {
  const root = tmp('preadmit-suggest-repo-');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: root } }).toString().trim();
  const commit = (files: Record<string, string>) => {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
    }
    git('add', '-A');
    git('commit', '-q', '-m', 'change');
    return git('rev-parse', 'HEAD');
  };
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'dev@example.com');
  git('config', 'user.name', 'dev');
  const baseSha = commit({ 'charts/shop/Chart.yaml': 'apiVersion: v2\nname: shop\nversion: 0.1.0\n', [VALUES_FILE]: BASE_VALUES, 'charts/shop/templates/deploy.yaml': TEMPLATE('') });
  return { root, baseSha, git, commit };
}

/** The RIGHT-side hunks of the pull request's diff as GitHub shows it (3 lines of context). */
function githubHunks(repo: Repo, headSha: string): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  let file: string | undefined;
  for (const line of repo.git('diff', '-U3', '--no-color', repo.baseSha, headSha).split('\n')) {
    if (line.startsWith('+++ ')) file = line.startsWith('+++ b/') ? line.slice(6) : undefined;
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (hunk === null || file === undefined) continue;
    const start = Number(hunk[1]);
    const count = hunk[2] === undefined ? 1 : Number(hunk[2]);
    if (count > 0) out.set(file, [...(out.get(file) ?? []), [start, start + count - 1]]);
  }
  return out;
}

/** A ProvenFix as the engine makes it: lines line..endLine of the file as scanned become `replacement`. */
function provenFix(text: string, file: string, line: number, endLine: number, replacement: string, description: string): ProvenFix {
  const old = text.split('\n').slice(line - 1, endLine);
  const fresh = replacement.split('\n');
  const diff = [`--- a/${file}`, `+++ b/${file}`, `@@ -${line},${old.length} +${line},${fresh.length} @@`, ...old.map((l) => `-${l}`), ...fresh.map((l) => `+${l}`)].join('\n') + '\n';
  return { file, line, endLine, replacement, diff, description };
}

/** A real scan of the repository against its base, as the JSON report the Action publishes. */
async function scanReport(repo: Repo): Promise<ScanResult> {
  const result = await scanAgainstBase({ paths: [repo.root], helmPath: process.env.PREADMIT_TEST_HELM3!, fixes: 'off' }, { revision: repo.baseSha, gate: 'new', all: false });
  return JSON.parse(renderJson(result)) as ScanResult;
}

/** Adds `fix` to the findings located at a values key, by key (what the engine would prove). */
function withFixes(report: ScanResult, fixes: Record<string, ProvenFix>): ScanResult {
  return {
    ...report,
    findings: report.findings.map((f) => {
      const fix = f.source.values !== undefined ? fixes[f.source.values.key] : undefined;
      return fix === undefined ? f : { ...f, fix };
    }),
  };
}

function writeReport(report: ScanResult): string {
  const file = path.join(tmp('preadmit-suggest-report-'), 'report.json');
  writeFileSync(file, JSON.stringify(report));
  return file;
}

/** The fixes of the first push: one edit for both securityContext findings (lines 6-7), one for hostNetwork (line 3). */
function firstFixes(values: string): Record<string, ProvenFix> {
  const securityContext = provenFix(values, VALUES_FILE, 6, 7, '  allowPrivilegeEscalation: false\n  privileged: false', 'set securityContext.allowPrivilegeEscalation and securityContext.privileged to false');
  return {
    'securityContext.privileged': securityContext,
    'securityContext.allowPrivilegeEscalation': securityContext,
    hostNetwork: provenFix(values, VALUES_FILE, 3, 3, 'hostNetwork: false', 'set hostNetwork to false'),
    // The finding already in the base: its fix is offered nowhere on this pull request.
    securityContext: provenFix(values, VALUES_FILE, 4, 4, 'securityContext:\n  readOnlyRootFilesystem: true', 'set securityContext.readOnlyRootFilesystem to true'),
  };
}

async function start(repo: Repo, headSha: string): Promise<FakeGitHub> {
  github = await FakeGitHub.start(api, OWNER, REPO, TOKEN);
  pointAt(repo, headSha);
  return github;
}

function pointAt(repo: Repo, headSha: string): void {
  github.pulls.set(PR_NUMBER, headSha);
  github.hunks = githubHunks(repo, headSha);
  // The contents API serves the repository's files at any of its commits.
  github.contents = (file, ref) => {
    try {
      return execFileSync('git', ['show', `${ref}:${file}`], { cwd: repo.root, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    } catch {
      return undefined;
    }
  };
}

function run(repo: Repo, headSha: string, report: string, inputs: Record<string, string> = {}): Promise<RunResult> {
  return runAction({
    workspace: repo.root,
    apiUrl: github.url,
    repository: `${OWNER}/${REPO}`,
    sha: MERGE_SHA,
    event: pullRequestEvent({ owner: OWNER, repo: REPO, number: PR_NUMBER, headSha, baseSha: repo.baseSha }),
    inputs: {
      paths: '.',
      'github-token': TOKEN,
      'check-name': 'preadmit',
      comment: 'on',
      annotations: 'on',
      suggestions: 'on',
      'comment-when-clean': 'resolve',
      'sarif-file': '',
      report,
      ...inputs,
    },
  });
}

function expectAllValid(): void {
  expect(github.invalid().map((r) => `${r.method} ${r.path}: ${r.errors.join('; ')}`)).toEqual([]);
}

/** Reviews that still carry our live marker (by the token's bot). */
function liveReviews(): ReviewState[] {
  return [...github.reviews.values()].filter((r) => r.body.startsWith(MARKER) && r.user.login === 'github-actions[bot]');
}

function stickyComment(): string {
  const ours = [...github.comments.values()].filter((c) => c.user.type === 'Bot');
  expect(ours).toHaveLength(1);
  return ours[0]!.body;
}

interface ReviewRequest {
  commit_id: string;
  event: string;
  body: string;
  comments: { path: string; body: string; line: number; side: string; start_line?: number; start_side?: string }[];
}

describe('the fake GitHub places review comments as GitHub does', () => {
  it('refuses a review whose comment leaves the diff or spans two hunks, and one that is not valid against the description', async () => {
    github = await FakeGitHub.start(api, OWNER, REPO, TOKEN);
    const head = 'b'.repeat(40);
    github.pulls.set(PR_NUMBER, head);
    github.hunks = new Map([[VALUES_FILE, [[3, 10], [20, 26]]]]);
    const review = (comment: Record<string, unknown>, over: Record<string, unknown> = {}) =>
      fetch(`${github.url}/repos/${OWNER}/${REPO}/pulls/${PR_NUMBER}/reviews`, {
        method: 'POST',
        headers: { authorization: `token ${TOKEN}`, accept: 'application/vnd.github+json', 'user-agent': 'test', 'content-type': 'application/json' },
        body: JSON.stringify({ commit_id: head, event: 'COMMENT', body: 'b', comments: [{ path: VALUES_FILE, body: 'x', side: 'RIGHT', ...comment }], ...over }),
      }).then((r) => r.status);
    expect(await review({ line: 10, start_line: 3, start_side: 'RIGHT' })).toBe(200);
    expect(await review({ line: 11 })).toBe(422);
    expect(await review({ line: 20, start_line: 10, start_side: 'RIGHT' })).toBe(422);
    expect(await review({ line: 5, start_line: 5 })).toBe(422);
    expect(await review({ line: 5 }, { commit_id: 'c'.repeat(40) })).toBe(422);
    expect(await review({ line: 5, lines: 2 })).toBe(422); // not in the description: a misspelt field
    expect(github.invalid()).toHaveLength(1);
    expect(github.reviews.size).toBe(1);
  });
});

describe('suggested changes from proven fixes', () => {
  it('end to end: the Action scans the pull request, proves the fix of the new blocking finding and suggests it on its line', async () => {
    const repo = chartRepo();
    const head = repo.commit({ [VALUES_FILE]: PR_VALUES });
    await start(repo, head);
    const result = await run(repo, head, '', { helm: process.env.PREADMIT_TEST_HELM3! });
    expectAllValid();
    expect(result.code).toBe(1);
    const creates = github.of('pulls/create-review');
    expect(creates).toHaveLength(1);
    const sent = creates[0]!.body as ReviewRequest;
    expect(sent).toMatchObject({ commit_id: head, event: 'COMMENT' });
    // The engine's own proof: privileged (critical, new, on a changed line) set to false; the medium
    // allowPrivilegeEscalation does not gate, so it gets no fix by default.
    expect(sent.comments.map((c) => [c.path, c.line, c.start_line])).toEqual([[VALUES_FILE, 7, undefined]]);
    expect(sent.comments[0]!.body).toContain('```suggestion\n  privileged: false\n```');
    expect(sent.comments[0]!.body).toMatch(/`pss-privileged`/);
  }, 180_000);

  it('posts one review with a suggestion per fix on changed lines, lists the others in the comment, and replaces the review on the next push', async () => {
    const repo = chartRepo();
    const head = repo.commit({ [VALUES_FILE]: PR_VALUES, 'charts/shop/templates/deploy.yaml': TEMPLATE('      hostNetwork: {{ .Values.hostNetwork }}\n') });
    const scanned = await scanReport(repo);
    const byRule = new Map(scanned.findings.map((f) => [f.ruleId, f]));
    // What the scan found, so the fixes below sit where the engine would put them.
    expect(byRule.get('pss-privileged')).toMatchObject({ status: 'new', source: { values: { file: VALUES_FILE, line: 7, key: 'securityContext.privileged' } } });
    expect(byRule.get('pss-allow-privilege-escalation')).toMatchObject({ status: 'new', source: { values: { file: VALUES_FILE, line: 6 } } });
    expect(byRule.get('pss-host-namespaces')).toMatchObject({ status: 'new', source: { values: { file: VALUES_FILE, line: 3, key: 'hostNetwork' } } });
    expect(byRule.get('read-only-root-filesystem')).toMatchObject({ status: 'existing', source: { values: { key: 'securityContext' } } });
    const report = writeReport(withFixes(scanned, firstFixes(PR_VALUES)));

    await start(repo, head);
    // Someone else's review quoting our marker: never touched.
    const theirs = github.seedReview(PR_NUMBER, `${MARKER}\nlooks like preadmit`, { login: 'octo-dev', id: 5_830_200, type: 'User' }, head, [{ path: VALUES_FILE, line: 7, body: 'why privileged?' }]);
    const first = await run(repo, head, report);
    expect(first.stderr).toBe('');
    expectAllValid();
    expect(first.code).toBe(1); // critical new findings block, whatever is suggested

    // One review, COMMENT on the head commit, one suggestion for the two findings the edit of lines 6-7 removes.
    const creates = github.of('pulls/create-review');
    expect(creates).toHaveLength(1);
    const sent = creates[0]!.body as ReviewRequest;
    expect(sent).toMatchObject({ commit_id: head, event: 'COMMENT' });
    expect(sent.body.startsWith(`${MARKER}\n**preadmit**: 1 suggested change on lines this pull request changed`)).toBe(true);
    expect(sent.body).toContain('1 more proven fix on lines this pull request did not change is in the preadmit comment');
    expect(sent.comments).toHaveLength(1);
    const [suggestion] = sent.comments;
    expect(suggestion).toMatchObject({ path: VALUES_FILE, start_line: 6, start_side: 'RIGHT', line: 7, side: 'RIGHT' });
    expect(suggestion!.body).toContain('```suggestion\n  allowPrivilegeEscalation: false\n  privileged: false\n```');
    expect(suggestion!.body).toMatch(/🔴 Critical \[`pss-privileged`\]\([^)]+\) Deployment/);
    expect(suggestion!.body).toMatch(/🟡 Medium \[`pss-allow-privilege-escalation`\]\([^)]+\) Deployment/);
    expect(suggestion!.body).toContain('securityContext\\.privileged');
    const firstReview = liveReviews();
    expect(firstReview).toHaveLength(1);
    expect(first.stdout).toContain('preadmit: 1 suggested change in a pull request review (created');

    // The fix on an unchanged line goes to the sticky comment, collapsed, with its diff and `preadmit fix`;
    // the suggested one and the existing finding's fix do not.
    const comment = stickyComment();
    expect(comment).toContain('<details>\n<summary>Proven fixes (1): apply with <code>preadmit fix</code></summary>');
    expect(comment).toContain("1 more proven fix is a suggested change on this pull request's diff (preadmit's review). Each edit was proven");
    expect(comment).toContain('```diff\n--- a/charts/shop/values.yaml\n+++ b/charts/shop/values.yaml\n@@ -3,1 +3,1 @@\n-hostNetwork: true\n+hostNetwork: false\n```');
    expect(comment).toContain('Run `preadmit fix` in the repository');
    expect(comment).not.toContain('+  privileged: false');
    expect(comment).not.toContain('readOnlyRootFilesystem: true');
    expect(github.checkRuns.size).toBe(1);
    expect([...github.checkRuns.values()][0]).toMatchObject({ status: 'completed', conclusion: 'failure' });

    // The next push: allowPrivilegeEscalation goes back to false, privileged stays. A new scan, new fixes.
    const head2 = repo.commit({ [VALUES_FILE]: PR_VALUES.replace('  allowPrivilegeEscalation: true\n', '  allowPrivilegeEscalation: false\n') });
    const values2 = readFileSync(path.join(repo.root, VALUES_FILE), 'utf8');
    const scanned2 = await scanReport(repo);
    expect(scanned2.findings.find((f) => f.ruleId === 'pss-privileged')).toMatchObject({ source: { values: { line: 7 } } });
    const report2 = writeReport(
      withFixes(scanned2, {
        'securityContext.privileged': provenFix(values2, VALUES_FILE, 7, 7, '  privileged: false', 'set securityContext.privileged to false'),
        hostNetwork: provenFix(values2, VALUES_FILE, 3, 3, 'hostNetwork: false', 'set hostNetwork to false'),
      }),
    );
    pointAt(repo, head2);
    github.resetLog();
    const second = await run(repo, head2, report2);
    expectAllValid();
    // The old review: its suggestion deleted, its body a one-liner saying it was superseded.
    const old = github.reviews.get(firstReview[0]!.id)!;
    expect(github.commentsOf(old.id)).toEqual([]);
    expect(old.body).toBe(`${SUPERSEDED}\n_preadmit: these suggested changes were superseded by a later run (commit \`${head2.slice(0, 12)}\`)._`);
    expect(github.of('pulls/delete-review-comment')).toHaveLength(1);
    expect(github.of('pulls/update-review')).toHaveLength(1);
    // Exactly one live review, on the new head, with the single-line suggestion (no start_line).
    const live = liveReviews();
    expect(live).toHaveLength(1);
    expect(live[0]!.commit_id).toBe(head2);
    const comments2 = github.commentsOf(live[0]!.id);
    expect(comments2).toHaveLength(1);
    expect(comments2[0]).toMatchObject({ path: VALUES_FILE, line: 7, side: 'RIGHT', start_line: null });
    expect(comments2[0]!.body).toContain('```suggestion\n  privileged: false\n```');
    expect(second.stdout).toContain('1 earlier review superseded (1 suggestion removed)');
    // Someone else's review is as it was.
    expect(github.reviews.get(theirs.id)!.body).toBe(`${MARKER}\nlooks like preadmit`);
    expect(github.commentsOf(theirs.id)).toHaveLength(1);

    // The same commit and report again (a re-run): the review stays, nothing is deleted or posted.
    github.resetLog();
    await run(repo, head2, report2);
    expectAllValid();
    expect(github.of('pulls/create-review')).toHaveLength(0);
    expect(github.of('pulls/update-review')).toHaveLength(0);
    expect(github.of('pulls/delete-review-comment')).toHaveLength(0);
    expect(liveReviews().map((r) => r.id)).toEqual([live[0]!.id]);

    // Nothing fixable on changed lines any more: the old suggestions are cleared and no review is created.
    github.resetLog();
    const third = await run(repo, head2, writeReport(withFixes(scanned2, { hostNetwork: provenFix(values2, VALUES_FILE, 3, 3, 'hostNetwork: false', 'set hostNetwork to false') })));
    expectAllValid();
    expect(github.of('pulls/create-review')).toHaveLength(0);
    expect(liveReviews()).toEqual([]);
    expect(github.commentsOf(live[0]!.id)).toEqual([]);
    expect(github.reviews.get(live[0]!.id)!.body.startsWith(SUPERSEDED)).toBe(true);
    expect(third.stdout).toContain(
      'preadmit: no suggested changes (no review); 1 proven fix listed in the comment instead (1 on lines the pull request did not change); 1 earlier review superseded (1 suggestion removed)',
    );
    // And the comment still lists the fix on the unchanged line, without the review's sentence.
    const comment3 = stickyComment();
    expect(comment3).toContain('+hostNetwork: false');
    expect(comment3).not.toContain('suggested change on this pull request');
  }, 240_000);

  it('suggestions: off posts no review and lists every fix in the comment', async () => {
    const repo = chartRepo();
    const head = repo.commit({ [VALUES_FILE]: PR_VALUES, 'charts/shop/templates/deploy.yaml': TEMPLATE('      hostNetwork: {{ .Values.hostNetwork }}\n') });
    const report = writeReport(withFixes(await scanReport(repo), firstFixes(PR_VALUES)));
    await start(repo, head);
    const result = await run(repo, head, report, { suggestions: 'off' });
    expectAllValid();
    expect(github.requests.filter((r) => r.operationId?.startsWith('pulls/'))).toEqual([]);
    expect(github.reviews.size).toBe(0);
    const comment = stickyComment();
    expect(comment).toContain('Proven fixes (2): apply with <code>preadmit fix</code>');
    expect(comment).toContain('+  privileged: false');
    expect(comment).toContain('+hostNetwork: false');
    expect(result.code).toBe(1);
  }, 120_000);

  it('a fix whose lines the head commit has elsewhere (the checkout is the merge commit) is listed in the comment, not suggested', async () => {
    const repo = chartRepo();
    const head = repo.commit({ [VALUES_FILE]: PR_VALUES, 'charts/shop/templates/deploy.yaml': TEMPLATE('      hostNetwork: {{ .Values.hostNetwork }}\n') });
    const report = writeReport(withFixes(await scanReport(repo), firstFixes(PR_VALUES)));
    await start(repo, head);
    // At the head, values.yaml has a line more on top: lines 6-7 of the scanned file are 7-8 there.
    const show = github.contents!;
    github.contents = (file, ref) => (file === VALUES_FILE && ref === head ? `# moved\n${show(file, ref)}` : show(file, ref));
    const result = await run(repo, head, report);
    expectAllValid();
    expect(github.of('repos/get-content').map((r) => [r.path, r.query.ref])).toEqual([[`/repos/${OWNER}/${REPO}/contents/${encodeURIComponent(VALUES_FILE)}`, head]]);
    expect(github.of('pulls/create-review')).toHaveLength(0);
    expect(result.stdout).toContain('preadmit: no suggested changes (no review); 2 proven fixes listed in the comment instead (1 on lines the pull request did not change, 1 whose lines differ at the head commit)');
    const comment = stickyComment();
    expect(comment).toContain('Proven fixes (2)');
    expect(comment).toContain('+  privileged: false');
  }, 120_000);

  it('a review GitHub refuses (422: a line outside its diff) lists every fix in the comment and says so in the summary', async () => {
    const repo = chartRepo();
    const head = repo.commit({ [VALUES_FILE]: PR_VALUES, 'charts/shop/templates/deploy.yaml': TEMPLATE('      hostNetwork: {{ .Values.hostNetwork }}\n') });
    const report = writeReport(withFixes(await scanReport(repo), firstFixes(PR_VALUES)));
    await start(repo, head);
    // GitHub's diff disagrees with the checkout's (a report published from another checkout).
    github.hunks = new Map([[VALUES_FILE, [[1, 3]]]]);
    const result = await run(repo, head, report, { 'fail-on': 'never' });
    expectAllValid();
    expect(github.of('pulls/create-review').map((r) => r.status)).toEqual([422]);
    expect(result.code).toBe(0);
    expect(result.commands.filter((c) => c.level === 'warning')).toEqual([]);
    expect(github.reviews.size).toBe(0);
    expect(stickyComment()).toContain('Proven fixes (2)');
    expect(result.summary).toMatch(/could not publish the suggested changes \(a pull request review\): .*HTTP 422/);
  }, 120_000);

  it('a 502 after GitHub created the review is not retried blindly: still one review', async () => {
    const repo = chartRepo();
    const head = repo.commit({ [VALUES_FILE]: PR_VALUES, 'charts/shop/templates/deploy.yaml': TEMPLATE('      hostNetwork: {{ .Values.hostNetwork }}\n') });
    const report = writeReport(withFixes(await scanReport(repo), firstFixes(PR_VALUES)));
    await start(repo, head);
    github.fail({ operationId: 'pulls/create-review', status: 502, afterHandling: true });
    const result = await run(repo, head, report);
    expectAllValid();
    expect(github.of('pulls/create-review')).toHaveLength(1);
    expect(liveReviews()).toHaveLength(1);
    expect(result.stdout).toContain('preadmit: 1 suggested change in a pull request review (created');
    expect(stickyComment()).toContain('Proven fixes (1)');
  }, 120_000);

  it('a 403 on the review is a warning naming pull-requests: write; the run concludes and the comment lists every fix', async () => {
    const repo = chartRepo();
    const head = repo.commit({ [VALUES_FILE]: PR_VALUES, 'charts/shop/templates/deploy.yaml': TEMPLATE('      hostNetwork: {{ .Values.hostNetwork }}\n') });
    const report = writeReport(withFixes(await scanReport(repo), firstFixes(PR_VALUES)));
    await start(repo, head);
    github.fail({ operationId: 'pulls/create-review', status: 403, times: Infinity, body: FORBIDDEN });
    const result = await run(repo, head, report, { 'fail-on': 'never' });
    expectAllValid();
    expect(result.code).toBe(0);
    expect(result.outputs.conclusion).toBe('success');
    expect([...github.checkRuns.values()][0]).toMatchObject({ status: 'completed', conclusion: 'success' });
    const warnings = result.commands.filter((c) => c.level === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/could not publish the suggested changes \(a pull request review\): .*HTTP 403.*`permissions: pull-requests: write`/);
    expect(github.reviews.size).toBe(0);
    // The fixes that could not be suggested are in the comment instead.
    const comment = stickyComment();
    expect(comment).toContain('Proven fixes (2)');
    expect(comment).toContain('+  privileged: false');
    expect(result.summary).toContain('could not publish the suggested changes');
  }, 120_000);
});
