// The check run on the pull request's head commit: created `in_progress` before the scan, completed with
// its conclusion and the first 50 annotations in one request, then the remaining annotations appended 50
// per request (the Checks API appends on every update). The conclusion goes first so that a failure
// half-way through the annotations never leaves a merge gate stuck in progress.
import { GitHubApiError, type GitHubApi } from '../github.ts';
import { ANNOTATIONS_PER_REQUEST, batches, MAX_CHECK_ANNOTATIONS, type CheckAnnotation } from './annotations.ts';

export interface CheckRunTarget {
  owner: string;
  repo: string;
  name: string;
  headSha: string;
  /** The workflow run page (where the job summary is). */
  detailsUrl?: string;
}

export interface CheckRunOutput {
  conclusion: 'success' | 'failure' | 'neutral';
  title: string;
  summary: string;
  annotations: readonly CheckAnnotation[];
}

export type PublishFailure = { ok: false; error: Error; forbidden: boolean };

/** `app`: the slug of the GitHub App the token belongs to (the check run's app): who we comment as. */
export type StartResult = { ok: true; id: number; url?: string; app?: string } | PublishFailure;

export type CompleteResult = {
  ok: boolean;
  id?: number;
  url?: string;
  /** The slug of the check run's app (the token's app). */
  app?: string;
  /** Requests sent to complete the run (create or first update, plus appends). */
  requests: number;
  /** Annotations GitHub accepted. */
  annotated: number;
  /** Annotations left out by MAX_CHECK_ANNOTATIONS. */
  omitted: number;
  error?: Error;
  forbidden?: boolean;
};

interface CheckRunData {
  id: number;
  html_url?: string | null;
  app?: { slug?: string } | null;
}

function appSlug(data: CheckRunData): string | undefined {
  const slug = data.app?.slug;
  return typeof slug === 'string' && /^[a-z0-9][a-z0-9-]{0,99}$/i.test(slug) ? slug : undefined;
}

function failure(error: unknown): PublishFailure {
  const e = error instanceof Error ? error : new Error(String(error));
  return { ok: false, error: e, forbidden: e instanceof GitHubApiError && e.forbidden };
}

const base = (t: CheckRunTarget) => ({ owner: t.owner, repo: t.repo });

export async function startCheckRun(api: GitHubApi, target: CheckRunTarget, now = new Date()): Promise<StartResult> {
  try {
    const { data } = await api.request<CheckRunData>(
      'POST /repos/{owner}/{repo}/check-runs',
      {
        ...base(target),
        name: target.name,
        head_sha: target.headSha,
        status: 'in_progress',
        started_at: now.toISOString(),
        ...(target.detailsUrl !== undefined && { details_url: target.detailsUrl }),
        output: { title: 'Scanning…', summary: 'preadmit is rendering and checking the Kubernetes inputs of this commit.' },
      },
      // A duplicate in-progress run would be superseded by the one completed below, which has the same name.
      { idempotent: true },
    );
    const app = appSlug(data);
    return { ok: true, id: data.id, ...(data.html_url ? { url: data.html_url } : {}), ...(app !== undefined && { app }) };
  } catch (error) {
    return failure(error);
  }
}

/**
 * Completes the run started by startCheckRun (or creates it completed when `id` is undefined) and appends
 * every annotation, at most 50 per request.
 */
export async function completeCheckRun(
  api: GitHubApi,
  target: CheckRunTarget,
  id: number | undefined,
  output: CheckRunOutput,
  now = new Date(),
): Promise<CompleteResult> {
  const kept = output.annotations.slice(0, MAX_CHECK_ANNOTATIONS);
  const omitted = output.annotations.length - kept.length;
  const [first = [], ...rest] = batches(kept, ANNOTATIONS_PER_REQUEST);
  const text = { title: output.title, summary: output.summary };
  const completion = { status: 'completed', conclusion: output.conclusion, completed_at: now.toISOString() };
  let requests = 0;
  let annotated = 0;
  let runId = id;
  let url: string | undefined;
  let app: string | undefined;
  try {
    if (runId === undefined) {
      requests++;
      const { data } = await api.request<CheckRunData>(
        'POST /repos/{owner}/{repo}/check-runs',
        {
          ...base(target),
          name: target.name,
          head_sha: target.headSha,
          ...(target.detailsUrl !== undefined && { details_url: target.detailsUrl }),
          ...completion,
          output: { ...text, annotations: first },
        },
        { idempotent: true },
      );
      runId = data.id;
      url = data.html_url ?? undefined;
      app = appSlug(data);
    } else {
      requests++;
      const { data } = await api.request<CheckRunData>('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
        ...base(target),
        check_run_id: runId,
        ...completion,
        output: { ...text, annotations: first },
      });
      url = data.html_url ?? undefined;
      app = appSlug(data);
    }
    annotated += first.length;
    for (const batch of rest) {
      requests++;
      // output.summary is replaced on every update, so the same text goes with every batch.
      await api.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
        ...base(target),
        check_run_id: runId,
        output: { ...text, annotations: batch },
      });
      annotated += batch.length;
    }
    return { ok: true, id: runId, ...(url !== undefined && { url }), ...(app !== undefined && { app }), requests, annotated, omitted };
  } catch (error) {
    const f = failure(error);
    return { ok: false, ...(runId !== undefined && { id: runId }), requests, annotated, omitted, error: f.error, forbidden: f.forbidden };
  }
}
