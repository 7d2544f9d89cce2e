// A local stand-in for api.github.com on 127.0.0.1 (random port) for runner-style tests. Every request is
// validated against GitHub's OpenAPI description (method, path, parameters, body schema), recorded, and
// answered from a little state (check runs with their appended annotations, issue comments) using the
// description's own example responses, so the client sees plausible payloads. Limits GitHub states only in
// prose are enforced too (comment bodies up to 65,536 characters, annotation titles up to 255).
// Faults (502, 403, rate limits) can be scripted per operation.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OpenApi, Matched } from './openapi.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  operationId?: string;
  body?: unknown;
  status: number;
  /** Why the request does not conform to GitHub's description (empty when it does). */
  errors: string[];
  /** A scripted fault answered this request. */
  fault?: boolean;
}

export interface Fault {
  /** operationId, e.g. checks/create, issues/create-comment. */
  operationId: string;
  status: number;
  /** How many matching requests fail (default 1; Infinity for all). */
  times?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Do what was asked, then answer with the fault anyway (a 502 after the write went through). */
  afterHandling?: boolean;
}

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: string;
  title?: string;
  message: string;
  raw_details?: string;
}

export interface CheckRunState {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  details_url?: string;
  output: { title?: string; summary?: string };
  annotations: Annotation[];
}

export interface CommentState {
  id: number;
  issue: number;
  body: string;
  user: { login: string; id: number; type: 'Bot' | 'User' };
  created_at: string;
  updated_at: string;
}

export interface ReviewState {
  id: number;
  pull: number;
  body: string;
  user: CommentState['user'];
  commit_id: string;
  state: string;
  submitted_at: string;
}

export interface ReviewCommentState {
  id: number;
  review_id: number;
  pull: number;
  path: string;
  body: string;
  line: number;
  side: string;
  start_line: number | null;
  start_side: string | null;
  commit_id: string;
  user: CommentState['user'];
  created_at: string;
}

/** A review comment as POST /pulls/{n}/reviews takes it. */
interface DraftReviewComment {
  path: string;
  body: string;
  line?: number;
  side?: string;
  start_line?: number;
  start_side?: string;
  position?: number;
}

export const BOT = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' as const };
/** The GitHub App behind GITHUB_TOKEN: check runs name it, and its bot (BOT) writes the comments. */
export const ACTIONS_APP = { id: 15368, slug: 'github-actions', name: 'GitHub Actions', bot: BOT };
export type TokenApp = typeof ACTIONS_APP | { id: number; slug: string; name: string; bot: { login: string; id: number; type: 'Bot' } };
export const FORBIDDEN = { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest', status: '403' };

type Handler = (m: Matched, body: Record<string, unknown>, url: URL) => { status: number; body?: unknown; headers?: Record<string, string> };

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly checkRuns = new Map<number, CheckRunState>();
  readonly comments = new Map<number, CommentState>();
  /** Open pull requests: number -> head SHA. */
  readonly pulls = new Map<number, string>();
  readonly reviews = new Map<number, ReviewState>();
  readonly reviewComments = new Map<number, ReviewCommentState>();
  /**
   * The RIGHT-side line ranges [first, last] of each file's hunks in the pull request's diff, as GitHub's diff
   * has them (3 lines of context). When set, a review comment must lie in one hunk, as GitHub requires.
   */
  hunks?: Map<string, [number, number][]>;
  /** A repository file's text at a commit (GET .../contents/{path}?ref=), undefined for 404. */
  contents?: (file: string, ref: string) => string | undefined;
  private readonly faults: (Fault & { left: number })[] = [];
  /** Whose installation token the test token is: the app on check runs and the author of new comments. */
  app: TokenApp = ACTIONS_APP;
  private nextId = 1000;
  private server!: Server;
  url = '';

  constructor(
    private readonly api: OpenApi,
    readonly owner: string,
    readonly repo: string,
    readonly token: string,
  ) {}

  static async start(api: OpenApi, owner: string, repo: string, token: string): Promise<FakeGitHub> {
    const fake = new FakeGitHub(api, owner, repo, token);
    fake.server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Forget recorded requests (state stays, like GitHub between two runs). */
  resetLog(): void {
    this.requests.length = 0;
  }

  fail(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  /** A read-only token, as on pull requests from forks: every write is refused with 403. */
  readOnly(): void {
    for (const operationId of ['checks/create', 'checks/update', 'issues/create-comment', 'issues/update-comment', 'issues/delete-comment', 'pulls/create-review', 'pulls/update-review', 'pulls/delete-review-comment']) {
      this.fail({ operationId, status: 403, times: Infinity, body: FORBIDDEN });
    }
  }

  seedComment(issue: number, body: string, user: CommentState['user'] = BOT): CommentState {
    const now = new Date().toISOString();
    const comment = { id: this.nextId++, issue, body, user, created_at: now, updated_at: now };
    this.comments.set(comment.id, comment);
    return comment;
  }

  /** A submitted review with its comments (as if someone, or an earlier run, had posted it). */
  seedReview(pull: number, body: string, user: CommentState['user'], commitId: string, comments: { path: string; line: number; body: string }[] = []): ReviewState {
    const now = new Date().toISOString();
    const review: ReviewState = { id: this.nextId++, pull, body, user, commit_id: commitId, state: 'COMMENTED', submitted_at: now };
    this.reviews.set(review.id, review);
    for (const c of comments) {
      const id = this.nextId++;
      this.reviewComments.set(id, { id, review_id: review.id, pull, path: c.path, body: c.body, line: c.line, side: 'RIGHT', start_line: null, start_side: null, commit_id: commitId, user, created_at: now });
    }
    return review;
  }

  /** The comments of a review, in order. */
  commentsOf(reviewId: number): ReviewCommentState[] {
    return [...this.reviewComments.values()].filter((c) => c.review_id === reviewId).sort((a, b) => a.id - b.id);
  }

  /** Requests that did not conform to GitHub's description. */
  invalid(): RecordedRequest[] {
    return this.requests.filter((r) => r.errors.length > 0);
  }

  of(operationId: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operationId === operationId);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const method = (req.method ?? 'GET').toUpperCase();
    const validation = this.api.validate(method, url, req.headers, raw);
    const errors = [...validation.errors];
    const auth = req.headers.authorization ?? '';
    if (auth !== `token ${this.token}` && auth !== `Bearer ${this.token}`) errors.push(`authorization header ${JSON.stringify(auth.replace(/ .*/, ' …'))} does not carry the token`);
    if (!String(req.headers.accept ?? '').includes('application/vnd.github')) errors.push(`accept header ${JSON.stringify(req.headers.accept)} is not a GitHub media type`);
    if (!req.headers['user-agent']) errors.push('no user-agent header (GitHub rejects those)');

    let body: unknown;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      body = raw;
    }
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(validation.operation && { operationId: validation.operation.operationId }),
      ...(body !== undefined && { body }),
      status: 0,
      errors,
    };
    this.requests.push(record);

    const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-github-media-type': 'github.v3; format=json', ...headers });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };

    if (validation.operation === undefined) return send(404, { message: 'Not Found', errors });
    if (errors.length > 0) return send(422, { message: 'Invalid request (fake GitHub: does not match the OpenAPI description)', errors });
    const m = validation.operation;
    if (m.pathParams.owner !== this.owner || m.pathParams.repo !== this.repo) {
      if (m.pathParams.owner !== undefined) return send(404, { message: 'Not Found' });
    }

    const fault = this.faults.find((f) => f.operationId === m.operationId && f.left > 0);
    if (fault !== undefined) {
      fault.left--;
      record.fault = true;
      if (fault.afterHandling) this.route(m, (body ?? {}) as Record<string, unknown>, url);
      return send(fault.status, fault.body ?? { message: fault.status >= 500 ? 'Server Error' : 'Error' }, fault.headers);
    }
    const answer = this.route(m, (body ?? {}) as Record<string, unknown>, url);
    if (answer.status >= 400) record.errors.push(...(answer.status === 501 ? [`fake GitHub does not implement ${m.operationId}`] : []));
    send(answer.status, answer.body, answer.headers);
  }

  private route(m: Matched, body: Record<string, unknown>, url: URL): ReturnType<Handler> {
    const handlers: Record<string, Handler> = {
      'checks/create': () => {
        const run: CheckRunState = {
          id: this.nextId++,
          name: String(body.name),
          head_sha: String(body.head_sha),
          status: String(body.conclusion !== undefined ? 'completed' : (body.status ?? 'queued')),
          conclusion: (body.conclusion as string | undefined) ?? null,
          ...(typeof body.details_url === 'string' && { details_url: body.details_url }),
          output: {},
          annotations: [],
        };
        const problem = this.applyOutput(run, body.output);
        if (problem) return problem;
        this.checkRuns.set(run.id, run);
        return { status: 201, body: this.checkRunBody(m, run, '201') };
      },
      'checks/update': () => {
        const run = this.checkRuns.get(Number(m.pathParams.check_run_id));
        if (run === undefined) return { status: 404, body: { message: 'Not Found' } };
        const problem = this.applyOutput(run, body.output);
        if (problem) return problem;
        if (typeof body.status === 'string') run.status = body.status;
        if (typeof body.conclusion === 'string') {
          run.conclusion = body.conclusion;
          run.status = 'completed';
        }
        return { status: 200, body: this.checkRunBody(m, run, '200') };
      },
      'issues/list-comments': () => {
        const perPage = Number(url.searchParams.get('per_page') ?? 30);
        const page = Number(url.searchParams.get('page') ?? 1);
        if (perPage > 100) return { status: 422, body: { message: 'per_page is at most 100' } };
        const all = [...this.comments.values()].filter((c) => c.issue === Number(m.pathParams.issue_number)).sort((a, b) => a.id - b.id);
        const slice = all.slice((page - 1) * perPage, page * perPage);
        const last = Math.max(1, Math.ceil(all.length / perPage));
        const link = page < last ? { link: `<${this.url}${url.pathname}?per_page=${perPage}&page=${page + 1}>; rel="next", <${this.url}${url.pathname}?per_page=${perPage}&page=${last}>; rel="last"` } : undefined;
        return { status: 200, body: slice.map((c) => this.commentBody(m, c)), ...(link && { headers: link }) };
      },
      'issues/create-comment': () => {
        const problem = this.checkCommentBody(body.body);
        if (problem) return problem;
        const comment = this.seedComment(Number(m.pathParams.issue_number), String(body.body), this.app.bot);
        return { status: 201, body: this.commentBody(m, comment) };
      },
      'issues/update-comment': () => {
        const comment = this.comments.get(Number(m.pathParams.comment_id));
        if (comment === undefined) return { status: 404, body: { message: 'Not Found' } };
        const problem = this.checkCommentBody(body.body);
        if (problem) return problem;
        comment.body = String(body.body);
        comment.updated_at = new Date().toISOString();
        return { status: 200, body: this.commentBody(m, comment) };
      },
      'issues/delete-comment': () => {
        if (!this.comments.delete(Number(m.pathParams.comment_id))) return { status: 404, body: { message: 'Not Found' } };
        return { status: 204 };
      },
      'pulls/get': () => {
        const number = Number(m.pathParams.pull_number);
        const head = this.pulls.get(number);
        if (head === undefined) return { status: 404, body: { message: 'Not Found' } };
        const example = (this.api.example(m, '200') ?? {}) as Record<string, unknown>;
        return { status: 200, body: { ...example, number, state: 'open', head: { ...(example.head as object), sha: head } } };
      },
      'pulls/list-reviews': () => {
        const pull = Number(m.pathParams.pull_number);
        const all = [...this.reviews.values()].filter((r) => r.pull === pull).sort((a, b) => a.id - b.id);
        return { status: 200, body: this.page(url, all).map((r) => this.reviewBody(m, r)) };
      },
      'pulls/create-review': () => {
        const pull = Number(m.pathParams.pull_number);
        const head = this.pulls.get(pull);
        const commitId = typeof body.commit_id === 'string' ? body.commit_id : (head ?? '');
        if (head !== undefined && commitId !== head) return this.validationFailed('commit_id', 'commit_id is not the head of the pull request');
        const event = body.event as string | undefined;
        const text = typeof body.body === 'string' ? body.body : '';
        if ((event === 'COMMENT' || event === 'REQUEST_CHANGES') && text === '') return this.validationFailed('body', 'body is required for COMMENT and REQUEST_CHANGES');
        const tooLong = this.checkCommentBody(text);
        if (tooLong) return tooLong;
        const drafts = (Array.isArray(body.comments) ? body.comments : []) as DraftReviewComment[];
        for (const c of drafts) {
          const problem = this.checkDraft(c);
          if (problem) return problem;
        }
        const now = new Date().toISOString();
        const review: ReviewState = { id: this.nextId++, pull, body: text, user: this.app.bot, commit_id: commitId, state: event === undefined ? 'PENDING' : event === 'COMMENT' ? 'COMMENTED' : event === 'APPROVE' ? 'APPROVED' : 'CHANGES_REQUESTED', submitted_at: now };
        this.reviews.set(review.id, review);
        for (const c of drafts) {
          const id = this.nextId++;
          this.reviewComments.set(id, {
            id,
            review_id: review.id,
            pull,
            path: c.path,
            body: c.body,
            line: c.line!,
            side: c.side ?? 'RIGHT',
            start_line: c.start_line ?? null,
            start_side: c.start_line !== undefined ? (c.start_side ?? c.side ?? 'RIGHT') : null,
            commit_id: commitId,
            user: this.app.bot,
            created_at: now,
          });
        }
        return { status: 200, body: this.reviewBody(m, review) };
      },
      'pulls/update-review': () => {
        const review = this.reviews.get(Number(m.pathParams.review_id));
        if (review === undefined || review.pull !== Number(m.pathParams.pull_number)) return { status: 404, body: { message: 'Not Found' } };
        // Only the author may edit a review; the token is always this.app.bot here.
        if (review.user.login !== this.app.bot.login) return { status: 403, body: FORBIDDEN };
        review.body = String(body.body);
        return { status: 200, body: this.reviewBody(m, review) };
      },
      'pulls/list-comments-for-review': () => {
        const review = this.reviews.get(Number(m.pathParams.review_id));
        if (review === undefined || review.pull !== Number(m.pathParams.pull_number)) return { status: 404, body: { message: 'Not Found' } };
        return { status: 200, body: this.page(url, this.commentsOf(review.id)).map((c) => this.reviewCommentBody(m, c)) };
      },
      'pulls/delete-review-comment': () => {
        const comment = this.reviewComments.get(Number(m.pathParams.comment_id));
        if (comment === undefined) return { status: 404, body: { message: 'Not Found' } };
        if (comment.user.login !== this.app.bot.login) return { status: 403, body: FORBIDDEN };
        this.reviewComments.delete(comment.id);
        return { status: 204 };
      },
      'repos/get-content': () => {
        const file = m.pathParams.path!;
        const ref = url.searchParams.get('ref') ?? 'HEAD';
        const text = this.contents?.(file, ref);
        if (text === undefined) return { status: 404, body: { message: 'Not Found' } };
        const example = (this.api.example(m, '200', 'response-if-content-is-a-file') ?? {}) as Record<string, unknown>;
        const content = Buffer.from(text, 'utf8').toString('base64');
        return { status: 200, body: { ...example, type: 'file', encoding: 'base64', size: Buffer.byteLength(text), name: file.split('/').pop(), path: file, content } };
      },
      // An installation token (GITHUB_TOKEN) has no user behind it.
      'users/get-authenticated': () => ({ status: 403, body: FORBIDDEN }),
    };
    const handler = handlers[m.operationId];
    return handler ? handler(m, body, url) : { status: 501, body: { message: `fake GitHub does not implement ${m.operationId}` } };
  }

  private page<T>(url: URL, all: T[]): T[] {
    const perPage = Number(url.searchParams.get('per_page') ?? 30);
    const page = Number(url.searchParams.get('page') ?? 1);
    return all.slice((page - 1) * perPage, page * perPage);
  }

  /** What GitHub says about a draft review comment it cannot place (the whole review is refused). */
  private checkDraft(c: DraftReviewComment): ReturnType<Handler> | undefined {
    const tooLong = this.checkCommentBody(c.body);
    if (tooLong) return tooLong;
    if (c.line === undefined) return this.validationFailed('line', 'a review comment needs a line (position is closing down)');
    if (c.side !== undefined && c.side !== 'RIGHT' && c.side !== 'LEFT') return this.validationFailed('side', `side must be LEFT or RIGHT, not ${c.side}`);
    if (c.start_side !== undefined && c.start_side !== 'RIGHT' && c.start_side !== 'LEFT') return this.validationFailed('start_side', `start_side must be LEFT or RIGHT, not ${c.start_side}`);
    if (c.start_line !== undefined && c.start_line >= c.line) return this.validationFailed('start_line', 'start_line must precede the end line');
    const hunks = this.hunks;
    if (hunks !== undefined) {
      const ranges = hunks.get(c.path) ?? [];
      const hunk = ranges.find(([first, last]) => first <= c.line! && c.line! <= last);
      if (hunk === undefined) return { status: 422, body: { message: 'Unprocessable Entity', errors: ['Pull request review thread line must be part of the diff'] } };
      if (c.start_line !== undefined && c.start_line < hunk[0]) return { status: 422, body: { message: 'Unprocessable Entity', errors: ['Pull request review thread start line must be part of the same hunk as the line.'] } };
    }
    return undefined;
  }

  private reviewBody(m: Matched, r: ReviewState): unknown {
    const example = (this.api.example(m, '200') ?? {}) as Record<string, unknown>;
    const base = Array.isArray(example) ? ((example[0] ?? {}) as Record<string, unknown>) : example;
    return {
      ...base,
      id: r.id,
      body: r.body,
      state: r.state,
      commit_id: r.commit_id,
      submitted_at: r.submitted_at,
      user: { ...(base.user as object), login: r.user.login, id: r.user.id, type: r.user.type },
      html_url: `https://github.com/${this.owner}/${this.repo}/pull/${r.pull}#pullrequestreview-${r.id}`,
      pull_request_url: `${this.url}/repos/${this.owner}/${this.repo}/pulls/${r.pull}`,
    };
  }

  private reviewCommentBody(m: Matched, c: ReviewCommentState): unknown {
    const example = (this.api.example(m, '200') ?? {}) as Record<string, unknown>;
    const base = Array.isArray(example) ? ((example[0] ?? {}) as Record<string, unknown>) : example;
    return {
      ...base,
      id: c.id,
      pull_request_review_id: c.review_id,
      path: c.path,
      body: c.body,
      line: c.line,
      side: c.side,
      start_line: c.start_line,
      start_side: c.start_side,
      commit_id: c.commit_id,
      user: { ...(base.user as object), login: c.user.login, id: c.user.id, type: c.user.type },
      html_url: `https://github.com/${this.owner}/${this.repo}/pull/${c.pull}#discussion_r${c.id}`,
      created_at: c.created_at,
      updated_at: c.created_at,
    };
  }

  private validationFailed(field: string, message: string): ReturnType<Handler> {
    return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'Resource', code: 'custom', field, message }] } };
  }

  private checkCommentBody(body: unknown): ReturnType<Handler> | undefined {
    // GitHub's limit, stated in its error message rather than the schema.
    if (typeof body === 'string' && body.length > 65_536) return this.validationFailed('body', 'Body is too long (maximum is 65536 characters)');
    return undefined;
  }

  private applyOutput(run: CheckRunState, output: unknown): ReturnType<Handler> | undefined {
    if (output === undefined || output === null || typeof output !== 'object') return undefined;
    const o = output as { title?: string; summary?: string; annotations?: Annotation[] };
    for (const a of o.annotations ?? []) {
      if ((a.title ?? '').length > 255) return this.validationFailed('title', 'annotation title is longer than 255 characters');
      if (Buffer.byteLength(a.message) > 64 * 1024) return this.validationFailed('message', 'annotation message is larger than 64 KB');
    }
    if (o.title !== undefined) run.output.title = o.title;
    if (o.summary !== undefined) run.output.summary = o.summary;
    run.annotations.push(...(o.annotations ?? []));
    return undefined;
  }

  private checkRunBody(m: Matched, run: CheckRunState, status: string): unknown {
    const example = (this.api.example(m, status) ?? {}) as Record<string, unknown>;
    const base = `${this.url}/repos/${this.owner}/${this.repo}`;
    return {
      ...example,
      id: run.id,
      name: run.name,
      head_sha: run.head_sha,
      status: run.status,
      conclusion: run.conclusion,
      url: `${base}/check-runs/${run.id}`,
      html_url: `https://github.com/${this.owner}/${this.repo}/runs/${run.id}`,
      details_url: run.details_url ?? null,
      app: { ...(example.app as object), id: this.app.id, slug: this.app.slug, name: this.app.name },
      output: { ...(example.output as object), title: run.output.title ?? null, summary: run.output.summary ?? null, annotations_count: run.annotations.length },
    };
  }

  private commentBody(m: Matched, c: CommentState): unknown {
    const example = (this.api.example(m, m.operationId === 'issues/create-comment' ? '201' : '200') ?? {}) as Record<string, unknown>;
    const base = Array.isArray(example) ? ((example[0] ?? {}) as Record<string, unknown>) : example;
    return {
      ...base,
      id: c.id,
      body: c.body,
      user: { ...(base.user as object), login: c.user.login, id: c.user.id, type: c.user.type },
      html_url: `https://github.com/${this.owner}/${this.repo}/pull/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${this.url}/repos/${this.owner}/${this.repo}/issues/${c.issue}`,
      url: `${this.url}/repos/${this.owner}/${this.repo}/issues/comments/${c.id}`,
      created_at: c.created_at,
      updated_at: c.updated_at,
    };
  }
}
