// The Action's pieces in process: inputs, run context, retries, annotations, the workflow-command
// fallback, the comment and check-run protocols (against an in-memory GitHubApi), and the Markdown budget.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { HelmNotFoundError } from '../../src/render/helm.ts';
import { UsageError } from '../../src/model/errors.ts';
import { readRunContext } from '../../src/action/context.ts';
import { loadReport, recomputeVerdict } from '../../src/action/from-report.ts';
import { GitHubApiError, MAX_WAIT_MS, retryDelay, sleepFromEnv, withRetry, type ApiResponse, type Attempt, type GitHubApi } from '../../src/action/github.ts';
import { ConfigurationError, readInputs } from '../../src/action/inputs.ts';
import { CommandWindow, memoryLogger } from '../../src/action/logger.ts';
import { annotationsFor, batches, MAX_CHECK_ANNOTATIONS, type CheckAnnotation } from '../../src/action/publish/annotations.ts';
import { completeCheckRun, startCheckRun } from '../../src/action/publish/check-run.ts';
import { appBot, GITHUB_ACTIONS_BOT, publishComment, tokenIdentity, type CommentPlan } from '../../src/action/publish/comment.ts';
import { selectForWorkflowCommands } from '../../src/action/publish/workflow-commands.ts';
import { blastRadiusSection, blobUrl, checkTitle, commentMarker, composeReport, conclusionOf, isClean } from '../../src/action/report.ts';
import { usageMessage } from '../../src/action/run.ts';
import { blastRadius, finding, HOSTILE, HOSTILE_ALL, helmSource, manifestSource, ref, sampleResult, scanResult } from '../reporters/fixtures.ts';

const inputs = (values: Record<string, string>) => (name: string) => values[name] ?? '';

describe('readInputs', () => {
  it('reads every input with its default', () => {
    expect(readInputs(inputs({}))).toEqual({
      paths: ['.'],
      valuesFiles: [],
      terraformPlans: [],
      policies: [],
      comment: true,
      commentWhenClean: 'resolve',
      suggestions: true,
      annotations: true,
      checkName: 'preadmit',
      advisory: false,
      githubToken: '',
      policyFrom: 'base',
      changedOnly: true,
      set: [],
    });
    // No sarif-file: the SARIF report goes to RUNNER_TEMP (run.ts), not into the checkout.
    expect(readInputs(inputs({ 'sarif-file': ' reports/preadmit.sarif ' })).sarifFile).toBe('reports/preadmit.sarif');
  });

  it('splits lists on newlines and commas, and parses switches', () => {
    const read = readInputs(
      inputs({
        paths: 'charts/a\ncharts/b, deploy\n\n',
        'values-files': 'ci/values.yaml',
        'terraform-plans': 'plan.json',
        policies: 'platform/policies, extra.yaml',
        'fail-on': 'Medium',
        'pss-version': 'v1.33',
        comment: 'off',
        annotations: 'false',
        suggestions: 'off',
        advisory: 'yes',
        'comment-when-clean': 'delete',
        config: 'ci/.preadmit.yaml',
        helm: '/opt/helm',
        'check-name': 'preadmit (prod)',
        gate: 'All',
        'changed-only': 'off',
        'pss-level': 'baseline',
        'fail-on-errors': 'off',
        set: 'image.tag=1.2\nlist={a,b}\n',
        'kube-version': '1.33',
        namespace: 'shop',
        'release-name': 'shop-api',
      }),
    );
    expect(read).toMatchObject({
      paths: ['charts/a', 'charts/b', 'deploy'],
      valuesFiles: ['ci/values.yaml'],
      terraformPlans: ['plan.json'],
      policies: ['platform/policies', 'extra.yaml'],
      failOn: 'medium',
      pssVersion: 'v1.33',
      comment: false,
      annotations: false,
      suggestions: false,
      advisory: true,
      commentWhenClean: 'delete',
      config: 'ci/.preadmit.yaml',
      helm: '/opt/helm',
      checkName: 'preadmit (prod)',
      gate: 'all',
      changedOnly: false,
      pssLevel: 'baseline',
      failOnErrors: false,
      set: ['image.tag=1.2', 'list={a,b}'],
      kubeVersion: '1.33',
      namespace: 'shop',
      releaseName: 'shop-api',
    });
  });

  it.each([
    ['fail-on', 'severe', /fail-on must be one of critical, high, medium, low, never/],
    ['comment', 'maybe', /comment must be on or off/],
    ['pss-version', '1.33', /pss-version must be latest or v1.N/],
    ['comment-when-clean', 'hide', /comment-when-clean must be one of resolve, delete, update/],
    ['check-name', 'x'.repeat(101), /check-name/],
    ['policy-from', 'merge', /policy-from must be one of base, head/],
    ['gate', 'changed', /gate must be one of new, all/],
    ['changed-only', 'some', /changed-only must be on or off/],
    ['suggestions', 'maybe', /input suggestions must be on or off \(got "maybe"\)/],
    ['pss-level', 'privileged', /pss-level must be one of baseline, restricted/],
    ['fail-on-errors', 'sometimes', /fail-on-errors must be on or off/],
    ['set', 'image.tag', /set expects key=value lines/],
    ['kube-version', 'latest', /kube-version must be a Kubernetes version/],
    ['namespace', 'Shop_NS', /namespace must be a Kubernetes namespace name/],
    ['release-name', '--dry-run', /release-name must be a helm release name/],
  ])('rejects %s=%s with a message naming the input', (name, value, message) => {
    expect(() => readInputs(inputs({ [name]: value }))).toThrow(ConfigurationError);
    expect(() => readInputs(inputs({ [name]: value }))).toThrow(message);
  });
});

describe('readRunContext', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-ctx-'));
  const eventFile = (payload: unknown) => {
    const file = path.join(dir, `${Math.random()}.json`);
    writeFileSync(file, JSON.stringify(payload));
    return file;
  };
  const head = 'a'.repeat(40);

  it('takes the PR head SHA, not GITHUB_SHA, on pull requests, and spots forks', () => {
    const pr = (headRepo: string) => ({
      pull_request: { number: 12, head: { sha: head, repo: { full_name: headRepo } }, base: { repo: { full_name: 'acme/shop' } } },
      repository: { full_name: 'acme/shop' },
    });
    const env = { GITHUB_REPOSITORY: 'acme/shop', GITHUB_EVENT_NAME: 'pull_request', GITHUB_SHA: 'b'.repeat(40), GITHUB_WORKSPACE: dir, GITHUB_RUN_ID: '5' };
    expect(readRunContext({ ...env, GITHUB_EVENT_PATH: eventFile(pr('acme/shop')) })).toMatchObject({
      repository: { owner: 'acme', repo: 'shop' },
      sha: head,
      pullRequest: { number: 12, headSha: head, fromFork: false },
      workspace: dir,
      runUrl: 'https://github.com/acme/shop/actions/runs/5',
      notes: [],
    });
    expect(readRunContext({ ...env, GITHUB_EVENT_PATH: eventFile(pr('someone/shop')) }).pullRequest?.fromFork).toBe(true);
  });

  it('uses GITHUB_SHA elsewhere, and notes an unreadable payload', () => {
    const ctx = readRunContext({ GITHUB_REPOSITORY: 'acme/shop', GITHUB_EVENT_NAME: 'push', GITHUB_SHA: 'c'.repeat(40), GITHUB_EVENT_PATH: path.join(dir, 'missing.json') });
    expect(ctx.sha).toBe('c'.repeat(40));
    expect(ctx.pullRequest).toBeUndefined();
    expect(ctx.notes[0]).toMatch(/could not read the event payload/);
    expect(ctx.apiUrl).toBe('https://api.github.com');
    expect(readRunContext({ GITHUB_API_URL: 'http://127.0.0.1:9/' }).apiUrl).toBe('http://127.0.0.1:9');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));
});

describe('retries', () => {
  const policy = { baseDelayMs: 1000, now: () => 1_000_000, random: () => 1 };
  const fail = (status: number, headers: Record<string, string> = {}, message = 'x') => ({ status, headers, message });

  it('backs off exponentially on 5xx and network errors, only for idempotent requests', () => {
    expect(retryDelay(fail(502), 0, true, policy)).toBe(1000);
    expect(retryDelay(fail(503), 2, true, policy)).toBe(4000);
    expect(retryDelay(fail(0), 1, true, policy)).toBe(2000);
    expect(retryDelay(fail(502), 0, false, policy)).toBeUndefined();
  });

  it('honours retry-after and rate-limit resets, and gives up on long waits', () => {
    expect(retryDelay(fail(429, { 'retry-after': '3' }), 0, false, policy)).toBe(3000);
    expect(retryDelay(fail(403, { 'retry-after': '120' }), 0, true, policy)).toBeUndefined();
    expect(retryDelay(fail(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1010' }), 0, true, policy)).toBe(11_000);
    expect(retryDelay(fail(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(1000 + MAX_WAIT_MS) }), 0, true, policy)).toBeUndefined();
    expect(retryDelay(fail(403, {}, 'You have exceeded a secondary rate limit'), 0, true, policy)).toBe(5000);
  });

  it('does not retry a permission error, and says it is one', () => {
    expect(retryDelay(fail(403, {}, 'Resource not accessible by integration'), 0, true, policy)).toBeUndefined();
    expect(new GitHubApiError('POST /x', 403, 'Resource not accessible by integration').forbidden).toBe(true);
    expect(new GitHubApiError('POST /x', 403, 'secondary rate limit', { 'retry-after': '60' }).forbidden).toBe(false);
    expect(new GitHubApiError('POST /x', 502, 'Bad Gateway').forbidden).toBe(false);
  });

  it('withRetry sleeps between attempts and stops after the last', async () => {
    const slept: number[] = [];
    const outcomes: Attempt<unknown>[] = [
      { ok: false, status: 502, message: 'Bad Gateway', headers: {} },
      { ok: true, response: { status: 200, data: { id: 1 }, headers: {} } },
    ];
    const log = memoryLogger();
    const api = withRetry(async () => outcomes.shift()!, log, { sleep: async (ms) => void slept.push(ms), random: () => 0 });
    await expect(api.request('PATCH /x')).resolves.toMatchObject({ data: { id: 1 } });
    expect(slept).toEqual([500]);
    expect(log.lines[0]).toMatch(/HTTP 502 \(Bad Gateway\); retrying in 0.5 s \(attempt 2 of 4\)/);

    let calls = 0;
    const failing = withRetry(async () => (calls++, { ok: false, status: 500, message: 'boom', headers: {} }), log, { sleep: async () => {} });
    await expect(failing.request('GET /y')).rejects.toMatchObject({ status: 500, attempts: 4 });
    expect(calls).toBe(4);
    calls = 0;
    await expect(failing.request('POST /y')).rejects.toMatchObject({ status: 500, attempts: 1 });
    await expect(failing.request('POST /y', {}, { idempotent: true })).rejects.toMatchObject({ attempts: 4 });
  });
});

describe('annotations', () => {
  it('maps findings to their file and line, blocking ones as failures, most severe first', () => {
    const result = sampleResult();
    const annotations = annotationsFor(result);
    expect(annotations).toHaveLength(result.findings.length + result.errors.length);
    expect(annotations.map((a) => a.annotation_level)).toEqual([...annotations.map((a) => a.annotation_level)].sort((a, b) => ['failure', 'warning', 'notice'].indexOf(a) - ['failure', 'warning', 'notice'].indexOf(b)));
    const privileged = annotations.find((a) => a.title === 'pss-privileged: Pod default/debug')!;
    expect(privileged).toMatchObject({ path: 'deploy/app.yaml', start_line: 14, end_line: 14, annotation_level: 'failure' });
    expect(privileged.message).toMatch(/^\[critical\] .*\n\nHow to fix: /s);
    expect(privileged.raw_details).toContain('fingerprint: ');
    // Unknown line: line 1 of the file; medium -> warning, low -> notice below fail-on.
    expect(annotations.find((a) => a.title.startsWith('values-note'))).toMatchObject({ path: 'deploy/rbac.yaml', start_line: 1, annotation_level: 'notice' });
    expect(annotations.find((a) => a.title.startsWith('image-tag-latest'))!.annotation_level).toBe('warning');
    // Input errors fail the run by default: failures.
    expect(annotations.find((a) => a.path === 'deploy/bad.yaml')).toMatchObject({ start_line: 4, annotation_level: 'failure' });
  });

  it('keeps titles within 255 characters and paths repository-relative', () => {
    const long = finding({ object: ref('Deployment', 'x'.repeat(400)), source: helmSource({ file: './charts/a/templates/d.yaml' }) });
    const [a] = annotationsFor(scanResult({ findings: [long] }));
    expect(a!.title.length).toBeLessThanOrEqual(255);
    expect(a!.path).toBe('charts/a/templates/d.yaml');
  });

  it('batches 50 at a time', () => {
    expect(batches(Array.from({ length: 120 }, (_, i) => i)).map((b) => b.length)).toEqual([50, 50, 20]);
    expect(batches([])).toEqual([]);
  });
});

describe('the workflow-command fallback', () => {
  const make = (level: CheckAnnotation['annotation_level'], n: number): CheckAnnotation[] =>
    Array.from({ length: n }, (_, i) => ({ path: 'a.yaml', start_line: i + 1, end_line: i + 1, annotation_level: level, title: `${level} ${i}`, message: 'm' }));

  it('keeps at most 10 per level, the first (most severe) ones, with room for the step’s own messages', () => {
    const all = [...make('failure', 25), ...make('warning', 25), ...make('notice', 25)];
    const { selected, omitted } = selectForWorkflowCommands(all, { failure: 1, warning: 1 });
    const count = (level: string) => selected.filter((a) => a.annotation_level === level).length;
    expect([count('failure'), count('warning'), count('notice')]).toEqual([9, 9, 9]);
    expect(selected.filter((a) => a.annotation_level === 'failure').map((a) => a.title)).toEqual(make('failure', 9).map((a) => a.title));
    expect(omitted).toBe(75 - 27);
  });

  it('uses all ten notices when nothing is left out', () => {
    const { selected, omitted } = selectForWorkflowCommands(make('notice', 10));
    expect(selected).toHaveLength(10);
    expect(omitted).toBe(0);
  });
});

/** An in-memory GitHub for the publishing protocols. */
function memoryGitHub(options: { login?: string; failCreate?: 'after' | 'before' } = {}) {
  const comments: { id: number; body: string; user: { login: string; type: string } }[] = [];
  const calls: string[] = [];
  const runs = new Map<number, { annotations: number; conclusion?: string; summary?: string }>();
  let id = 1;
  let createFailures = options.failCreate ? 1 : 0;
  const api: GitHubApi = {
    async request<T>(route: string, params: Record<string, unknown> = {}): Promise<ApiResponse<T>> {
      calls.push(route);
      const ok = (data: unknown, status = 200) => ({ status, data: data as T, headers: {} });
      switch (route) {
        case 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': {
          const page = Number(params.page);
          return ok(comments.slice((page - 1) * 100, page * 100));
        }
        case 'GET /user':
          if (options.login === undefined) throw new GitHubApiError(route, 403, 'Resource not accessible by integration');
          return ok({ login: options.login });
        case 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': {
          const c = { id: id++, body: String(params.body), user: { login: options.login ?? 'github-actions[bot]', type: options.login ? 'User' : 'Bot' } };
          if (createFailures > 0) {
            createFailures--;
            if (options.failCreate === 'after') comments.push(c);
            throw new GitHubApiError(route, 502, 'Bad Gateway');
          }
          comments.push(c);
          return ok(c, 201);
        }
        case 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': {
          const c = comments.find((x) => x.id === params.comment_id)!;
          c.body = String(params.body);
          return ok(c);
        }
        case 'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}':
          comments.splice(comments.findIndex((x) => x.id === params.comment_id), 1);
          return ok(undefined, 204);
        case 'POST /repos/{owner}/{repo}/check-runs': {
          const runId = id++;
          const output = params.output as { annotations?: unknown[]; summary?: string };
          runs.set(runId, { annotations: output?.annotations?.length ?? 0, ...(typeof params.conclusion === 'string' && { conclusion: params.conclusion }) });
          return ok({ id: runId, html_url: `https://github.com/o/r/runs/${runId}` }, 201);
        }
        case 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}': {
          const run = runs.get(Number(params.check_run_id))!;
          const output = params.output as { annotations?: unknown[]; summary?: string };
          run.annotations += output?.annotations?.length ?? 0;
          if (typeof params.conclusion === 'string') run.conclusion = params.conclusion;
          run.summary = output?.summary;
          return ok({ id: params.check_run_id });
        }
      }
      throw new Error(`unexpected ${route}`);
    },
  };
  return { api, comments, calls, runs };
}

const target = { owner: 'o', repo: 'r', issueNumber: 3 };
const plan = (over: Partial<CommentPlan> = {}): CommentPlan => {
  const marker = commentMarker('preadmit');
  return { marker, body: `${marker}\nreport`, resolvedBody: `${marker}\nresolved`, clean: false, whenClean: 'resolve', ...over };
};
const noSleep = async () => {};

describe('the sticky comment', () => {
  it('creates it once, then updates it in place, and leaves it alone when unchanged', async () => {
    const gh = memoryGitHub();
    await expect(publishComment(gh.api, target, plan(), noSleep)).resolves.toMatchObject({ ok: true, action: 'created' });
    await expect(publishComment(gh.api, target, plan({ body: `${plan().marker}\nreport 2` }), noSleep)).resolves.toMatchObject({ ok: true, action: 'updated' });
    await expect(publishComment(gh.api, target, plan({ body: `${plan().marker}\nreport 2` }), noSleep)).resolves.toMatchObject({ ok: true, action: 'unchanged' });
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.body).toContain('report 2');
  });

  it('ignores people quoting the marker, but recognises a personal access token’s own comments', async () => {
    const gh = memoryGitHub();
    gh.comments.push({ id: 99, body: `${plan().marker}\nquoted`, user: { login: 'mallory', type: 'User' } });
    await publishComment(gh.api, target, plan(), noSleep);
    expect(gh.comments.map((c) => c.body)).toEqual([`${plan().marker}\nquoted`, `${plan().marker}\nreport`]);

    const pat = memoryGitHub({ login: 'release-bot-user' });
    pat.comments.push({ id: 50, body: `${plan().marker}\nold`, user: { login: 'release-bot-user', type: 'User' } });
    await expect(publishComment(pat.api, target, plan(), noSleep)).resolves.toMatchObject({ action: 'updated', id: 50 });
  });

  it('removes duplicates left by earlier runs', async () => {
    const gh = memoryGitHub();
    for (const n of [10, 11, 12]) gh.comments.push({ id: n, body: `${plan().marker}\nold`, user: { login: 'github-actions[bot]', type: 'Bot' } });
    await expect(publishComment(gh.api, target, plan(), noSleep)).resolves.toMatchObject({ action: 'updated', id: 10, removedDuplicates: 2 });
    expect(gh.comments.map((c) => c.id)).toEqual([10]);
  });

  it('on a clean run: resolves an existing comment, deletes it, or posts nothing new', async () => {
    const gh = memoryGitHub();
    await expect(publishComment(gh.api, target, plan({ clean: true }), noSleep)).resolves.toMatchObject({ action: 'skipped' });
    expect(gh.comments).toHaveLength(0);
    await publishComment(gh.api, target, plan(), noSleep);
    await expect(publishComment(gh.api, target, plan({ clean: true }), noSleep)).resolves.toMatchObject({ action: 'updated' });
    expect(gh.comments[0]!.body).toContain('resolved');
    await expect(publishComment(gh.api, target, plan({ clean: true, whenClean: 'delete' }), noSleep)).resolves.toMatchObject({ action: 'deleted' });
    expect(gh.comments).toHaveLength(0);
    await expect(publishComment(gh.api, target, plan({ clean: true, whenClean: 'update' }), noSleep)).resolves.toMatchObject({ action: 'created' });
  });

  it('looks before creating again after a failed create, so a 502 never leaves two', async () => {
    for (const failCreate of ['after', 'before'] as const) {
      const gh = memoryGitHub({ failCreate });
      await expect(publishComment(gh.api, target, plan(), noSleep)).resolves.toMatchObject({ ok: true, action: 'created' });
      expect(gh.comments).toHaveLength(1);
    }
  });

  it('reports a read-only token as forbidden', async () => {
    const api: GitHubApi = {
      request: async (route) => {
        if (route.startsWith('GET')) return { status: 200, data: [] as never, headers: {} };
        throw new GitHubApiError(route, 403, 'Resource not accessible by integration');
      },
    };
    await expect(publishComment(api, target, plan(), noSleep)).resolves.toMatchObject({ ok: false, forbidden: true });
  });

  it('marks comments per check name, with nothing that could close the HTML comment', () => {
    expect(commentMarker('preadmit')).toBe('<!-- preadmit:sticky-comment check="preadmit" -->');
    const hostile = commentMarker('x --> <img src=x> "quoted"');
    const inner = hostile.slice('<!--'.length, -'-->'.length);
    expect(inner).not.toMatch(/--|[<>]/);
    expect(inner.split('"')).toHaveLength(3); // only the attribute's own quotes
  });
});

describe('the check run', () => {
  const annotation = (i: number): CheckAnnotation => ({ path: 'a.yaml', start_line: i + 1, end_line: i + 1, annotation_level: 'warning', title: `t${i}`, message: 'm' });
  const checkTarget = { owner: 'o', repo: 'r', name: 'preadmit', headSha: 'a'.repeat(40) };

  it('completes with the first 50 annotations and the conclusion, then appends 50 per request', async () => {
    const gh = memoryGitHub();
    const started = await startCheckRun(gh.api, checkTarget);
    expect(started.ok).toBe(true);
    const done = await completeCheckRun(gh.api, checkTarget, started.ok ? started.id : undefined, {
      conclusion: 'failure',
      title: 'x',
      summary: 's',
      annotations: Array.from({ length: 120 }, (_, i) => annotation(i)),
    });
    expect(done).toMatchObject({ ok: true, requests: 3, annotated: 120, omitted: 0 });
    expect(gh.calls).toEqual(['POST /repos/{owner}/{repo}/check-runs', ...Array(3).fill('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}')]);
    expect([...gh.runs.values()][0]).toMatchObject({ annotations: 120, conclusion: 'failure', summary: 's' });
  });

  it('creates it completed when it could not be started, and caps the annotations', async () => {
    const gh = memoryGitHub();
    const done = await completeCheckRun(gh.api, checkTarget, undefined, {
      conclusion: 'success',
      title: 'x',
      summary: 's',
      annotations: Array.from({ length: MAX_CHECK_ANNOTATIONS + 7 }, (_, i) => annotation(i)),
    });
    expect(done).toMatchObject({ ok: true, annotated: MAX_CHECK_ANNOTATIONS, omitted: 7, requests: MAX_CHECK_ANNOTATIONS / 50 });
    expect(gh.calls[0]).toBe('POST /repos/{owner}/{repo}/check-runs');
  });
});

describe('the report the Action publishes', () => {
  const fileUrl = blobUrl('https://github.com', 'acme', 'shop', 'a'.repeat(40));

  it('links files at the head commit, and nothing outside the repository', () => {
    expect(fileUrl('charts/my app/templates/d.yaml', 3)).toBe(`https://github.com/acme/shop/blob/${'a'.repeat(40)}/charts/my%20app/templates/d.yaml#L3`);
    expect(fileUrl('../outside.yaml')).toBeUndefined();
    expect(fileUrl('<stdin>')).toBeUndefined();
  });

  it('lists the workloads with the largest blast radius, escaped', () => {
    const objects = [
      { object: ref('Deployment', 'web', 'shop'), source: manifestSource({ line: 2 }), blastRadius: blastRadius() },
      { object: ref('Deployment', HOSTILE.mention, HOSTILE.html), source: manifestSource({ file: HOSTILE.link, line: 9 }), blastRadius: { ...blastRadius(), rating: 'high' as const, reasons: [HOSTILE_ALL] } },
      { object: ref('Deployment', 'calm', 'shop'), source: manifestSource(), blastRadius: { ...blastRadius(), rating: 'low' as const } },
    ];
    const section = blastRadiusSection(scanResult({ objects }), fileUrl);
    const rows = section.split('\n').filter((l) => l.startsWith('| 🔴') || l.startsWith('| 🟠'));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('Deployment shop/web');
    expect(rows[0]).toContain(`(https://github.com/acme/shop/blob/${'a'.repeat(40)}/deploy/app.yaml#L2)`);
    expect(section).not.toContain('calm');
    // The critical and high ones pictured too, collapsed, as Mermaid graphs.
    expect(section.match(/```mermaid\ngraph LR\n/g)).toHaveLength(2);
    expect(section).toContain('<details><summary>Deployment shop/web: what a compromise reaches</summary>');
    // A summary is raw HTML on GitHub (no Markdown read there): entities, never a backslash escape that would show.
    const summaries = section.match(/<summary>.*?<\/summary>/g) ?? [];
    expect(summaries).toHaveLength(2);
    for (const summary of summaries) expect(summary.slice('<summary>'.length, -'</summary>'.length)).not.toMatch(/[\\<>]/);
    expect(section).not.toMatch(/<img|@octocat|\]\(javascript/);
    for (const row of rows) expect(row.replace(/\\[\s\S]/g, '').split('|').length - 1).toBe(5);
    expect(blastRadiusSection(scanResult(), fileUrl)).toBe('');
  });

  it('lists a workload once however many value sets render it, at its worst', () => {
    const helm = (valueSet: string) => ({ kind: 'helm' as const, file: 'charts/shop/templates/d.yaml', chart: 'charts/shop', valueSet, line: 3 });
    const objects = [
      { object: ref('Deployment', 'web', 'shop'), source: helm('ci/a-values.yaml'), blastRadius: { ...blastRadius(), rating: 'high' as const, reasons: ['in a'] } },
      { object: ref('Deployment', 'web', 'shop'), source: helm('default'), blastRadius: { ...blastRadius(), rating: 'critical' as const, reasons: ['in default'] } },
      { object: ref('Deployment', 'web', 'shop'), source: helm('ci/b-values.yaml'), blastRadius: { ...blastRadius(), rating: 'high' as const, reasons: ['in b'] } },
    ];
    const rows = blastRadiusSection(scanResult({ objects }), fileUrl).split('\n').filter((l) => l.startsWith('| 🔴') || l.startsWith('| 🟠'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('in default');
  });

  it('fits any result into the limit, marker first, and says what was cut and against which limit', () => {
    const findings = Array.from({ length: 3000 }, (_, i) =>
      finding({ ruleId: i % 3 === 0 ? 'pss-privileged' : 'resources-missing', object: ref('Deployment', `app-${i}`), message: `${HOSTILE_ALL} ${i}` }),
    );
    const objects = findings.slice(0, 50).map((f) => ({ object: f.object, source: f.source, blastRadius: blastRadius() }));
    const result = scanResult({ findings, objects });
    const marker = commentMarker('preadmit');
    const body = composeReport(result, { rules: RULES, limit: 64_536, prefix: `${marker}\n`, fileUrl, limitName: "GitHub's 65,536-character limit for comments" });
    expect(body.startsWith(`${marker}\n### ❌ preadmit`)).toBe(true);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(64_536);
    expect(body).toContain("Shortened to fit GitHub's 65,536-character limit for comments");
    expect(body).toContain('#### Largest blast radius (top 5 of 50)');
    expect(body.indexOf('#### Largest blast radius')).toBeLessThan(body.indexOf('<details>'));
  });

  it('titles and concludes the check run', () => {
    const failing = sampleResult();
    expect(conclusionOf(failing, false)).toBe('failure');
    expect(conclusionOf(failing, true)).toBe('neutral');
    expect(checkTitle(failing, 'failure')).toBe('4 blocking findings at or above high');
    expect(checkTitle(failing, 'neutral')).toBe('4 blocking findings at or above high (advisory)');
    const clean = scanResult();
    expect(isClean(clean)).toBe(true);
    expect(conclusionOf(clean, false)).toBe('success');
    expect(checkTitle(clean, 'success')).toBe('No findings');
    expect(checkTitle(scanResult({ findings: [finding({ ruleId: 'values-note' })] }), 'success')).toBe('No blocking findings (1 finding below high)');
  });
});

describe('usage errors, worded for the Action', () => {
  it('tells how to get helm on the runner', () => {
    const text = 'no helm found on PATH: spawn helm ENOENT. Install helm 3.8+ (https://helm.sh/docs/intro/install/) or pass its path with --helm.';
    const message = usageMessage(new UsageError(text, { cause: new HelmNotFoundError(text) }));
    expect(message).toContain('charts need helm to render, but no helm found on PATH: spawn helm ENOENT.');
    expect(message).toContain('azure/setup-helm@v4');
    expect(message).not.toContain('--helm');
    expect(usageMessage(new UsageError('configuration file x not found'))).toBe('configuration file x not found');
  });
});

describe('retry waits from the environment', () => {
  it('are shortened by PREADMIT_RETRY_TIME_SCALE between 0 and 1, never lengthened', async () => {
    const timed = async (env: NodeJS.ProcessEnv) => {
      const start = performance.now();
      await sleepFromEnv(env)(400);
      return performance.now() - start;
    };
    expect(await timed({ PREADMIT_RETRY_TIME_SCALE: '0' })).toBeLessThan(100);
    expect(await timed({ PREADMIT_RETRY_TIME_SCALE: '0.01' })).toBeLessThan(100);
    // Out of range or not a number: the real wait.
    expect(await timed({ PREADMIT_RETRY_TIME_SCALE: '5' })).toBeGreaterThanOrEqual(390);
    expect(await timed({ PREADMIT_RETRY_TIME_SCALE: 'fast' })).toBeGreaterThanOrEqual(390);
  });
});

describe('the comment author is the token’s identity', () => {
  const marked = (login: string, type: 'User' | 'Bot', id: number) => ({ id, body: `${plan().marker}\nold ${login}`, user: { login, type } });

  it('is the check run’s app bot, then a personal access token’s user, then github-actions[bot]', async () => {
    expect(await tokenIdentity(memoryGitHub({ login: 'someone' }).api, appBot('acme-preadmit'))).toEqual({ login: 'acme-preadmit[bot]', type: 'Bot' });
    expect(await tokenIdentity(memoryGitHub({ login: 'release-user' }).api)).toEqual({ login: 'release-user', type: 'User' });
    expect(await tokenIdentity(memoryGitHub().api)).toEqual(GITHUB_ACTIONS_BOT);
  });

  it('never edits or deletes a marked comment by another bot or user', async () => {
    const gh = memoryGitHub();
    gh.comments.push(marked('evil-app[bot]', 'Bot', 7), marked('github-actions', 'User', 8), marked('dependabot[bot]', 'Bot', 9));
    await expect(publishComment(gh.api, target, plan(), noSleep)).resolves.toMatchObject({ ok: true, action: 'created', removedDuplicates: 0 });
    expect(gh.comments.map((c) => c.id)).toEqual([7, 8, 9, expect.any(Number)]);
    expect(gh.comments.slice(0, 3).every((c) => c.body.startsWith(`${plan().marker}\nold `))).toBe(true);
    expect(gh.calls.filter((c) => c.startsWith('PATCH') || c.startsWith('DELETE'))).toEqual([]);
  });

  it('with a GitHub App’s identity, github-actions[bot]’s marked comment is not ours', async () => {
    const gh = memoryGitHub();
    gh.comments.push(marked('github-actions[bot]', 'Bot', 20), marked('Acme-Preadmit[bot]', 'Bot', 21));
    await expect(publishComment(gh.api, target, plan({ author: appBot('acme-preadmit') }), noSleep)).resolves.toMatchObject({ action: 'updated', id: 21 });
    expect(gh.comments.find((c) => c.id === 20)!.body).toBe(`${plan().marker}\nold github-actions[bot]`);
    expect(gh.calls).not.toContain('GET /user');
  });
});

describe('report mode', () => {
  it('recomputes the verdict, blocking count and counts from the findings, with this run’s policy', () => {
    const honest = sampleResult();
    const doctored = { ...honest, summary: { ...honest.summary, verdict: 'pass' as const, blocking: 0, failOn: 'never' as const, findings: 0, errors: 0 } };
    const again = recomputeVerdict(doctored, { failOn: 'high', failOnErrors: true });
    expect(again.summary).toMatchObject({ verdict: 'fail', blocking: honest.summary.blocking, failOn: 'high', findings: honest.findings.length, errors: honest.errors.length });
    expect(again.summary.blocking).toBeGreaterThan(0);
    expect(again.summary.bySeverity).toEqual(honest.summary.bySeverity);
    // Errors alone fail unless the policy says otherwise; suppressed findings never block.
    const errorsOnly = { ...doctored, findings: [] };
    expect(recomputeVerdict(errorsOnly, { failOn: 'high', failOnErrors: true }).summary.verdict).toBe('fail');
    expect(recomputeVerdict(errorsOnly, { failOn: 'high', failOnErrors: false }).summary.verdict).toBe('pass');
    const suppressed = { ...doctored, errors: [], findings: honest.findings.map((f) => ({ ...f, suppressed: { kind: 'config', reason: 'accepted', file: '.preadmit.yaml' } as never })) };
    expect(recomputeVerdict(suppressed, { failOn: 'low', failOnErrors: true }).summary).toMatchObject({ verdict: 'pass', blocking: 0, suppressed: honest.findings.length });
  });

  it('refuses a malformed artifact with a message naming the file and the cause', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-report-'));
    try {
      const file = path.join(dir, 'report.json');
      expect(() => loadReport(file)).toThrow(`cannot read the report ${file}`);
      writeFileSync(file, '{"tool": ');
      expect(() => loadReport(file)).toThrow(ConfigurationError);
      expect(() => loadReport(file)).toThrow(`report ${file} is not JSON`);
      writeFileSync(file, JSON.stringify({ ...sampleResult(), summary: { verdict: 'pass' } }));
      expect(() => loadReport(file)).toThrow(/is not a preadmit JSON report: \/summary must have required property/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the stop-commands window', () => {
  it('opens with a fresh 128-bit token each time, closes with it, and lets commands out in between', () => {
    const written: string[] = [];
    const window = new CommandWindow((text) => void written.push(text));
    window.open();
    window.open(); // already open: nothing
    const first = /^::stop-commands::(preadmit-[0-9a-f]{32})\n$/.exec(written[0]!)![1]!;
    window.outside(() => written.push('::add-mask::secret\n'));
    const second = /^::stop-commands::(preadmit-[0-9a-f]{32})\n$/.exec(written[3]!)![1]!;
    window.close();
    window.close(); // already closed: nothing
    expect(written).toEqual([`::stop-commands::${first}\n`, `::${first}::\n`, '::add-mask::secret\n', `::stop-commands::${second}\n`, `::${second}::\n`]);
    expect(second).not.toBe(first);
  });
});
