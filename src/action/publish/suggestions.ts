// Proven fixes as GitHub suggested changes: one pull-request review per run whose review comments each carry
// a `suggestion` block on the lines a fix replaces, so the author applies it with one click. Only fixes of
// new findings (every finding without a base) whose lines the pull request changed can go there: GitHub
// takes review comments only inside the diff's hunks. A suggestion replaces lines by number, so it is
// offered only when the file at the head commit (the commit the review comments on) has, at those numbers,
// the lines the fix's diff replaces. The others go to the sticky comment, collapsed.
//
// Replaced on the next push, never a pile: our earlier reviews are found by the hidden marker on the first
// line of their body AND by their author (the token's identity, as for the sticky comment: anyone can
// quote a marker), their review comments are deleted, and their body is edited to a one-liner saying they
// were superseded (with another marker, so later runs leave them alone). The REST API offers no better:
// a submitted review cannot be deleted (DELETE .../reviews/{id} is for pending reviews only) and a COMMENT
// review cannot be dismissed (dismissals are for approvals and change requests); deleting its comments
// removes the stale suggestions from the diff and the conversation, and the edited body says where they
// went. A re-run on the same commit with the same suggestions keeps the review as it is (no notification).
// The comments are deleted before the body is edited: if a deletion fails, the review still carries the
// live marker and the next run finishes the job.
import path from 'node:path';
import type { ScanResult } from '../../model/model.ts';
import { REDACTED } from '../../secrets/redact.ts';
import { clip, objectLabel, plural } from '../../reporters/common.ts';
import { escapeMarkdown, ruleCell, SEVERITY_BADGE, size } from '../../reporters/markdown.ts';
import { codeBlock, fixableFindings, groupFixes, hasInvisible, overlaps, type FixEntry } from '../../reporters/suggested-fixes.ts';
import type { RuleMeta } from '../../engine/rule-kit.ts';
import { rangeChanged, type ChangedLines } from '../changed-lines.ts';
import { GitHubApiError, type GitHubApi } from '../github.ts';
import { isBy, tokenIdentity, type CommentAuthor } from './comment.ts';

/** Suggestions in one review; the rest go to the sticky comment. */
export const MAX_SUGGESTIONS = 50;
/** A review comment's body must stay under GitHub's 65,536 characters; leave room. */
const MAX_COMMENT_BODY = 60_000;
const PER_PAGE = 100;
const MAX_PAGES = 50;
const CREATE_ATTEMPTS = 3;

/** The hidden first line of our live review; one per check name, like the sticky comment's. */
export function suggestionsMarker(checkName: string): string {
  return `<!-- preadmit:suggestions check="${safeName(checkName)}" -->`;
}

/** The first line of a review we superseded: no longer looked at. */
export function supersededMarker(checkName: string): string {
  return `<!-- preadmit:suggestions-superseded check="${safeName(checkName)}" -->`;
}

function safeName(checkName: string): string {
  return checkName.replace(/[^A-Za-z0-9 ._/()+:-]/g, '_').replace(/-{2,}/g, '-');
}

/** Why a fix is not a suggestion on the diff (it is listed in the sticky comment instead). */
export type NotSuggested = 'outside-diff' | 'overlaps' | 'redacted' | 'invisible' | 'file-differs' | 'too-long' | 'too-many';

/** How the log names each reason. */
export const NOT_SUGGESTED: Record<NotSuggested, string> = {
  'outside-diff': 'on lines the pull request did not change',
  overlaps: 'overlapping a more severe suggestion',
  redacted: 'holding a redacted credential',
  invisible: 'holding invisible characters',
  'file-differs': 'whose lines differ at the head commit',
  'too-long': 'too long for a review comment',
  'too-many': `beyond the first ${MAX_SUGGESTIONS}`,
};

/** "2 on lines the pull request did not change, 1 whose lines differ at the head commit". */
export function elsewhereSummary(elsewhere: SuggestionPlan['elsewhere']): string {
  const counts = new Map<NotSuggested, number>();
  for (const e of elsewhere) counts.set(e.why, (counts.get(e.why) ?? 0) + 1);
  return [...counts].map(([why, n]) => `${n} ${NOT_SUGGESTED[why]}`).join(', ');
}

export interface SuggestionPlan {
  /** Fixes offered as suggested changes, most severe first. */
  suggested: FixEntry[];
  /** The other fixes, and why. */
  elsewhere: (FixEntry & { why: NotSuggested })[];
}

/** A repository file's text at the pull request's head, or undefined when it cannot be read. */
export type FileReader = (file: string) => string | undefined;

/**
 * The files at the pull request's head commit (the commit the review comments on), read through the
 * contents API: on pull_request the checkout is the merge commit, where a file's lines can sit elsewhere
 * when the base branch moved, and a report published on workflow_run comes from another checkout. A file
 * that cannot be read (too large for the API, no permission) is undefined: its fixes are not suggested.
 */
export async function filesAtHead(api: GitHubApi, t: { owner: string; repo: string }, ref: string, files: readonly string[]): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  for (const file of new Set(files)) {
    if (file === '' || path.isAbsolute(file) || file.split(/[\\/]/).includes('..')) {
      out.set(file, undefined);
      continue;
    }
    try {
      const { data } = await api.request<{ type?: string; encoding?: string; content?: string }>('GET /repos/{owner}/{repo}/contents/{path}', { ...t, path: file, ref });
      out.set(file, data.type === 'file' && data.encoding === 'base64' && typeof data.content === 'string' ? Buffer.from(data.content, 'base64').toString('utf8') : undefined);
    } catch {
      out.set(file, undefined);
    }
  }
  return out;
}

/** The old side of a unified diff: line number -> text (no line ending). */
export function oldSideLines(diff: string): Map<number, string> {
  const out = new Map<number, string>();
  let oldLine = 0;
  let oldLeft = 0;
  let newLeft = 0;
  for (const raw of diff.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (oldLeft === 0 && newLeft === 0) {
      const hunk = /^@@ -([0-9]+)(?:,([0-9]+))? \+[0-9]+(?:,([0-9]+))? @@/.exec(line);
      if (hunk !== null) {
        oldLine = Number(hunk[1]);
        oldLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
        newLeft = hunk[3] === undefined ? 1 : Number(hunk[3]);
      }
      continue;
    }
    if (line.startsWith('\\')) continue; // "\ No newline at end of file"
    if (line.startsWith('+')) {
      newLeft--;
    } else if (line.startsWith('-')) {
      out.set(oldLine++, line.slice(1));
      oldLeft--;
    } else {
      out.set(oldLine++, line.slice(1));
      oldLeft--;
      newLeft--;
    }
  }
  return out;
}

/**
 * Whether the file at the pull request's head has, at the fix's lines, the text the fix's diff replaces: a
 * suggestion is applied to lines by number, so on any doubt (a report from elsewhere, a moved line) it is
 * not offered on the diff.
 */
export function fileMatches(entry: FixEntry, read: FileReader): boolean {
  const text = read(entry.fix.file);
  if (text === undefined) return false;
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (text.endsWith('\n')) lines.pop();
  if (lines.length < entry.fix.endLine) return false;
  const old = oldSideLines(entry.fix.diff);
  let compared = 0;
  for (let n = entry.fix.line; n <= entry.fix.endLine; n++) {
    const expected = old.get(n);
    if (expected === undefined) continue;
    compared++;
    if (expected !== lines[n - 1]) return false;
  }
  return compared > 0;
}

/** The files whose text at the head planSuggestions needs: those of fixes on changed lines. */
export function candidateFiles(result: Pick<ScanResult, 'findings'>, changed: ChangedLines | undefined): string[] {
  return [...new Set(fixableFindings(result).flatMap((f) => (rangeChanged(changed, f.fix!.file, f.fix!.line, f.fix!.endLine) ? [f.fix!.file] : [])))];
}

/**
 * Which fixes are suggested on the diff and which go to the sticky comment. A fix is suggested when every
 * line it replaces was changed by the pull request, the head commit has the lines its diff replaces,
 * it overlaps no more severe suggestion (two suggestions on one line conflict), and its replacement is
 * exactly what it shows: no redacted credential (`***` would be committed in its place) and no invisible
 * or bidirectional characters (a code block cannot show them).
 */
export function planSuggestions(result: Pick<ScanResult, 'findings'>, changed: ChangedLines | undefined, read: FileReader, rules: ReadonlyMap<string, RuleMeta>): SuggestionPlan {
  const plan: SuggestionPlan = { suggested: [], elsewhere: [] };
  for (const entry of groupFixes(fixableFindings(result))) {
    const { fix } = entry;
    let why: NotSuggested | undefined;
    if (!rangeChanged(changed, fix.file, fix.line, fix.endLine)) why = 'outside-diff';
    else if (plan.suggested.some((s) => overlaps(s.fix, fix))) why = 'overlaps';
    else if (fix.replacement.includes(REDACTED)) why = 'redacted';
    else if (hasInvisible(fix.replacement)) why = 'invisible';
    else if (!fileMatches(entry, read)) why = 'file-differs';
    else if (size(suggestionBody(entry, rules)) > MAX_COMMENT_BODY) why = 'too-long';
    else if (plan.suggested.length >= MAX_SUGGESTIONS) why = 'too-many';
    if (why === undefined) plan.suggested.push(entry);
    else plan.elsewhere.push({ ...entry, why });
  }
  return plan;
}

/** The review comment's text: what the edit does, the findings it removes, and the suggested change. */
export function suggestionBody(entry: FixEntry, rules: ReadonlyMap<string, RuleMeta>): string {
  const findings = entry.findings.slice(0, 5).map((f) => `- ${SEVERITY_BADGE[f.severity]} ${ruleCell(f.ruleId, rules)} ${escapeMarkdown(clip(objectLabel(f.object), 200))}: ${escapeMarkdown(clip(f.message, 400))}`);
  if (entry.findings.length > 5) findings.push(`- and ${entry.findings.length - 5} more`);
  const replacement = entry.fix.replacement.replace(/\r\n/g, '\n');
  // An empty replacement removes the lines: an empty suggestion block (a block holding one empty line
  // would leave one behind).
  const block = replacement === '' ? '```suggestion\n```' : codeBlock('suggestion', replacement);
  return [
    `**preadmit** proven fix: ${escapeMarkdown(clip(entry.fix.description, 400))}`,
    '',
    findings.join('\n'),
    '',
    block,
  ].join('\n');
}

/** A review comment as POST /pulls/{n}/reviews takes it: on the RIGHT side, start_line only for several lines. */
export interface NewReviewComment {
  path: string;
  body: string;
  line: number;
  side: 'RIGHT';
  start_line?: number;
  start_side?: 'RIGHT';
}

export function reviewComment(entry: FixEntry, rules: ReadonlyMap<string, RuleMeta>): NewReviewComment {
  const { fix } = entry;
  return {
    path: fix.file,
    body: suggestionBody(entry, rules),
    line: fix.endLine,
    side: 'RIGHT',
    ...(fix.endLine > fix.line && { start_line: fix.line, start_side: 'RIGHT' as const }),
  };
}

/** The review's own text: the marker, then what the suggestions are. */
export function reviewBody(marker: string, suggested: number, elsewhere: number): string {
  const rest = elsewhere > 0 ? ` ${plural(elsewhere, 'more proven fix', 'more proven fixes')} on lines this pull request did not change ${elsewhere === 1 ? 'is' : 'are'} in the preadmit comment.` : '';
  return `${marker}\n**preadmit**: ${plural(suggested, 'suggested change')} on lines this pull request changed, each proven by rendering again (its findings are gone, nothing new appears). The next run replaces them.${rest}`;
}

export function supersededBody(marker: string, headSha: string): string {
  return `${marker}\n_preadmit: these suggested changes were superseded by a later run (commit \`${headSha.slice(0, 12)}\`)._`;
}

export interface ReviewTarget {
  owner: string;
  repo: string;
  pullNumber: number;
  /** The pull request's head commit: the review's commit_id. */
  headSha: string;
}

export interface ReviewPlan {
  marker: string;
  body: string;
  supersededBody: string;
  comments: NewReviewComment[];
  /** The token's identity when already known (the check run's app). */
  author?: CommentAuthor;
}

export type SuggestionsResult =
  | { ok: true; action: 'created' | 'unchanged' | 'none'; reviewId?: number; url?: string; superseded: number; deletedComments: number }
  | { ok: false; error: Error; forbidden: boolean; superseded: number; deletedComments: number };

interface Review {
  id: number;
  body?: string | null;
  commit_id?: string | null;
  html_url?: string;
  user?: { login?: string; type?: string } | null;
}

interface ReviewCommentData {
  id: number;
  body?: string;
  path?: string;
  line?: number | null;
  start_line?: number | null;
  user?: { login?: string; type?: string } | null;
}

async function paged<T>(api: GitHubApi, route: string, params: Record<string, unknown>): Promise<T[]> {
  const all: T[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data } = await api.request<T[]>(route, { ...params, per_page: PER_PAGE, page });
    all.push(...data);
    if (data.length < PER_PAGE) break;
  }
  return all;
}

async function findOurs(api: GitHubApi, t: ReviewTarget, marker: string, author: () => Promise<CommentAuthor>): Promise<Review[]> {
  const reviews = await paged<Review>(api, 'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', { owner: t.owner, repo: t.repo, pull_number: t.pullNumber });
  const marked = reviews.filter((r) => (r.body ?? '').startsWith(marker));
  if (marked.length === 0) return [];
  const me = await author();
  return marked.filter((r) => isBy(r, me));
}

function sameComments(existing: readonly ReviewCommentData[], wanted: readonly NewReviewComment[]): boolean {
  const key = (c: { path?: string; line?: number | null; start_line?: number | null; body?: string }) => JSON.stringify([c.path, c.line ?? null, c.start_line ?? null, c.body]);
  const have = existing.map(key).sort();
  const want = wanted.map(key).sort();
  return have.length === want.length && have.every((k, i) => k === want[i]);
}

/**
 * Replaces our earlier suggestions with this run's: clears every earlier review of ours (deletes its
 * comments, marks it superseded) and creates one review with `plan.comments`, or none when there are none.
 */
export async function publishSuggestions(api: GitHubApi, t: ReviewTarget, plan: ReviewPlan, sleep = defaultSleep): Promise<SuggestionsResult> {
  const repo = { owner: t.owner, repo: t.repo };
  let identity: Promise<CommentAuthor> | undefined;
  const author = () => (identity ??= tokenIdentity(api, plan.author));
  let superseded = 0;
  let deletedComments = 0;
  try {
    const ours = await findOurs(api, t, plan.marker, author);
    const commentsOf = new Map<number, ReviewCommentData[]>();
    for (const review of ours) {
      commentsOf.set(
        review.id,
        await paged<ReviewCommentData>(api, 'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/comments', { ...repo, pull_number: t.pullNumber, review_id: review.id }),
      );
    }
    // A re-run on the same commit with the same suggestions: keep that review.
    const keep = plan.comments.length > 0 ? ours.find((r) => r.commit_id === t.headSha && r.body === plan.body && sameComments(commentsOf.get(r.id) ?? [], plan.comments)) : undefined;

    const me = ours.length > 0 ? await author() : undefined;
    for (const review of ours) {
      if (review === keep) continue;
      for (const c of commentsOf.get(review.id) ?? []) {
        if (me !== undefined && !isBy(c, me)) continue; // never someone else's, whatever review lists it
        await api.request('DELETE /repos/{owner}/{repo}/pulls/comments/{comment_id}', { ...repo, comment_id: c.id });
        deletedComments++;
      }
      await api.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}', { ...repo, pull_number: t.pullNumber, review_id: review.id, body: plan.supersededBody });
      superseded++;
    }
    if (keep !== undefined) return { ok: true, action: 'unchanged', reviewId: keep.id, ...(keep.html_url ? { url: keep.html_url } : {}), superseded, deletedComments };
    if (plan.comments.length === 0) return { ok: true, action: 'none', superseded, deletedComments };

    const cleared = new Set(ours.map((r) => r.id));
    for (let attempt = 1; ; attempt++) {
      try {
        const { data } = await api.request<Review>('POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
          ...repo,
          pull_number: t.pullNumber,
          commit_id: t.headSha,
          event: 'COMMENT',
          body: plan.body,
          comments: plan.comments,
        });
        return { ok: true, action: 'created', reviewId: data.id, ...(data.html_url ? { url: data.html_url } : {}), superseded, deletedComments };
      } catch (error) {
        // 5xx or a dropped connection: GitHub may have created it anyway. Look before trying again.
        const unsure = error instanceof GitHubApiError && (error.status >= 500 || error.status === 0);
        if (!unsure || attempt >= CREATE_ATTEMPTS) throw error;
        await sleep(1000 * attempt);
        const created = (await findOurs(api, t, plan.marker, author)).find((r) => !cleared.has(r.id) && r.commit_id === t.headSha);
        if (created !== undefined) return { ok: true, action: 'created', reviewId: created.id, ...(created.html_url ? { url: created.html_url } : {}), superseded, deletedComments };
      }
    }
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return { ok: false, error: e, forbidden: e instanceof GitHubApiError && e.forbidden, superseded, deletedComments };
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
