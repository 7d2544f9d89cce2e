// The sticky pull request comment: one issue comment per check name, found again by the hidden marker on
// its first line and edited in place on every run. A clean run resolves it (edits it to say so), deletes
// it, or keeps updating it, as configured; a clean run never creates one under `resolve` or `delete`.
//
// Only comments whose body starts with the marker and that the token's own identity wrote are ours: a bot
// (github-actions[bot] or an app), or the user behind a personal access token. So quoting the marker in a
// review does not make a comment ours. A create that fails half-way is never repeated blindly: we look for
// the comment again first, so a retry cannot leave two.
import { GitHubApiError, type GitHubApi } from '../github.ts';
import type { CommentWhenClean } from '../inputs.ts';

export interface CommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
}

export interface CommentPlan {
  marker: string;
  /** The full comment for this run (starts with the marker). */
  body: string;
  /** The comment for a clean run that replaces an earlier report (starts with the marker). */
  resolvedBody: string;
  clean: boolean;
  whenClean: CommentWhenClean;
}

export type CommentResult =
  | { ok: true; action: 'created' | 'updated' | 'unchanged' | 'deleted' | 'skipped'; id?: number; url?: string; removedDuplicates: number }
  | { ok: false; error: Error; forbidden: boolean };

interface IssueComment {
  id: number;
  body?: string;
  html_url?: string;
  user?: { login?: string; type?: string } | null;
}

const PER_PAGE = 100;
const MAX_PAGES = 50;
const CREATE_ATTEMPTS = 3;

async function listComments(api: GitHubApi, t: CommentTarget): Promise<IssueComment[]> {
  const all: IssueComment[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data } = await api.request<IssueComment[]>('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: t.owner,
      repo: t.repo,
      issue_number: t.issueNumber,
      per_page: PER_PAGE,
      page,
    });
    all.push(...data);
    if (data.length < PER_PAGE) break;
  }
  return all;
}

/** The login behind the token when it is a user's token; undefined for installation tokens (GITHUB_TOKEN). */
async function tokenLogin(api: GitHubApi): Promise<string | undefined> {
  try {
    const { data } = await api.request<{ login?: string }>('GET /user');
    return data.login;
  } catch {
    return undefined;
  }
}

async function findOurs(api: GitHubApi, t: CommentTarget, marker: string): Promise<IssueComment[]> {
  const marked = (await listComments(api, t)).filter((c) => (c.body ?? '').startsWith(marker));
  const bots = marked.filter((c) => c.user?.type === 'Bot');
  if (bots.length > 0 || marked.length === 0) return bots;
  // Marked comments by users only: ours when the token is that user's (a personal access token).
  const login = await tokenLogin(api);
  return login === undefined ? [] : marked.filter((c) => c.user?.login === login);
}

export async function publishComment(api: GitHubApi, t: CommentTarget, plan: CommentPlan, sleep = defaultSleep): Promise<CommentResult> {
  const repo = { owner: t.owner, repo: t.repo };
  try {
    let ours = await findOurs(api, t, plan.marker);
    // Earlier runs of a buggy version (or a race between two jobs) may have left more than one: keep the first.
    const [existing, ...duplicates] = ours;
    for (const d of duplicates) await api.request('DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}', { ...repo, comment_id: d.id });
    const removedDuplicates = duplicates.length;

    let body = plan.body;
    if (plan.clean && plan.whenClean !== 'update') {
      if (existing === undefined) return { ok: true, action: 'skipped', removedDuplicates };
      if (plan.whenClean === 'delete') {
        await api.request('DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}', { ...repo, comment_id: existing.id });
        return { ok: true, action: 'deleted', id: existing.id, removedDuplicates };
      }
      body = plan.resolvedBody;
    }

    if (existing !== undefined) {
      if (existing.body === body) return { ok: true, action: 'unchanged', id: existing.id, ...(existing.html_url ? { url: existing.html_url } : {}), removedDuplicates };
      const { data } = await api.request<IssueComment>('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { ...repo, comment_id: existing.id, body });
      return { ok: true, action: 'updated', id: data.id, ...(data.html_url ? { url: data.html_url } : {}), removedDuplicates };
    }

    for (let attempt = 1; ; attempt++) {
      try {
        const { data } = await api.request<IssueComment>('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
          ...repo,
          issue_number: t.issueNumber,
          body,
        });
        return { ok: true, action: 'created', id: data.id, ...(data.html_url ? { url: data.html_url } : {}), removedDuplicates };
      } catch (error) {
        // 5xx or a dropped connection: GitHub may have created it anyway. Look before trying again.
        const unsure = error instanceof GitHubApiError && (error.status >= 500 || error.status === 0);
        if (!unsure || attempt >= CREATE_ATTEMPTS) throw error;
        await sleep(1000 * attempt);
        ours = await findOurs(api, t, plan.marker);
        const created = ours[0];
        if (created !== undefined) {
          if (created.body !== body) await api.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { ...repo, comment_id: created.id, body });
          return { ok: true, action: 'created', id: created.id, ...(created.html_url ? { url: created.html_url } : {}), removedDuplicates };
        }
      }
    }
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return { ok: false, error: e, forbidden: e instanceof GitHubApiError && e.forbidden };
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The pull request to comment on from a `workflow_run`: its number comes from an artifact (untrusted), so
 * it counts only when GitHub says that pull request's head is the commit the run scanned.
 */
export async function verifyPullRequest(
  api: GitHubApi,
  t: { owner: string; repo: string },
  number: number,
  headSha: string,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const { data } = await api.request<{ head?: { sha?: string }; state?: string }>('GET /repos/{owner}/{repo}/pulls/{pull_number}', { ...t, pull_number: number });
    if (data.head?.sha !== headSha) return { ok: false, reason: `pull request #${number} is at ${data.head?.sha ?? 'an unknown commit'}, not at ${headSha}, the commit the report is about` };
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `could not look up pull request #${number}: ${(error as Error).message}` };
  }
}
