// The sticky pull request comment: one issue comment per check name, found again by the hidden marker on
// its first line and edited in place on every run. A clean run resolves it (edits it to say so), deletes
// it, or keeps updating it, as configured; a clean run never creates one under `resolve` or `delete`.
//
// Only comments whose body starts with the marker AND whose author is the token's own identity are ours:
// anyone can post the marker (quoting it, or to have preadmit edit their text into a "passed" report), and
// other bots and apps comment on pull requests too. The identity, in the order we can know it:
//   1. an installation token (GITHUB_TOKEN, or a GitHub App's token): the check run we created says which
//      app we are (check_run.app.slug), and the app comments as `<slug>[bot]`;
//   2. a user's token (personal access token): GET /user names the user (it answers 403 for installation
//      tokens, and GET /app would need the app's private key);
//   3. otherwise GITHUB_TOKEN is assumed: `github-actions[bot]`.
// This is what sticky-comment actions do with GraphQL's `viewer { login }`, in REST only. (Every workflow
// of the repository comments as github-actions[bot]: one that posts text a pull request chose could still
// plant the marker under that name; no API tells such comments apart.) A create that
// fails half-way is never repeated blindly: we look for the comment again first, so a retry cannot leave two.
import { GitHubApiError, type GitHubApi } from '../github.ts';
import type { CommentWhenClean } from '../inputs.ts';

export interface CommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
}

/** Who the token is, as comment authors appear in the REST API (`user.login`, `user.type`). */
export interface CommentAuthor {
  login: string;
  type: 'Bot' | 'User';
}

/** The identity behind GITHUB_TOKEN. */
export const GITHUB_ACTIONS_BOT: CommentAuthor = { login: 'github-actions[bot]', type: 'Bot' };

/** The bot account an app comments as, from the app's slug (e.g. on the check run we created). */
export function appBot(slug: string): CommentAuthor {
  return { login: `${slug}[bot]`, type: 'Bot' };
}

export interface CommentPlan {
  marker: string;
  /** The full comment for this run (starts with the marker). */
  body: string;
  /** The comment for a clean run that replaces an earlier report (starts with the marker). */
  resolvedBody: string;
  clean: boolean;
  whenClean: CommentWhenClean;
  /** The token's identity when already known (from the check run's app); otherwise it is looked up. */
  author?: CommentAuthor;
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

/**
 * The token's identity: `known` (the app of our check run) when given, else the user behind a personal
 * access token, else GITHUB_TOKEN's bot.
 */
export async function tokenIdentity(api: GitHubApi, known?: CommentAuthor): Promise<CommentAuthor> {
  if (known !== undefined) return known;
  try {
    const { data } = await api.request<{ login?: string; type?: string }>('GET /user');
    if (typeof data.login === 'string' && data.login !== '') return { login: data.login, type: data.type === 'Bot' ? 'Bot' : 'User' };
  } catch {
    // 403 for installation tokens: no user behind it.
  }
  return GITHUB_ACTIONS_BOT;
}

/** Whether a comment or review (anything with a `user`) was written by `author`. */
export function isBy(c: { user?: { login?: string; type?: string } | null }, author: CommentAuthor): boolean {
  // Logins are case-insensitive on GitHub; the type keeps a user named like a bot from passing.
  return c.user?.login?.toLowerCase() === author.login.toLowerCase() && c.user?.type === author.type;
}

async function findOurs(api: GitHubApi, t: CommentTarget, marker: string, author: () => Promise<CommentAuthor>): Promise<IssueComment[]> {
  const marked = (await listComments(api, t)).filter((c) => (c.body ?? '').startsWith(marker));
  if (marked.length === 0) return [];
  const me = await author();
  return marked.filter((c) => isBy(c, me));
}

export async function publishComment(api: GitHubApi, t: CommentTarget, plan: CommentPlan, sleep = defaultSleep): Promise<CommentResult> {
  const repo = { owner: t.owner, repo: t.repo };
  let identity: Promise<CommentAuthor> | undefined;
  const author = () => (identity ??= tokenIdentity(api, plan.author));
  try {
    let ours = await findOurs(api, t, plan.marker, author);
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
        ours = await findOurs(api, t, plan.marker, author);
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
