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
    for (const operationId of ['checks/create', 'checks/update', 'issues/create-comment', 'issues/update-comment', 'issues/delete-comment']) {
      this.fail({ operationId, status: 403, times: Infinity, body: FORBIDDEN });
    }
  }

  seedComment(issue: number, body: string, user: CommentState['user'] = BOT): CommentState {
    const now = new Date().toISOString();
    const comment = { id: this.nextId++, issue, body, user, created_at: now, updated_at: now };
    this.comments.set(comment.id, comment);
    return comment;
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
      // An installation token (GITHUB_TOKEN) has no user behind it.
      'users/get-authenticated': () => ({ status: 403, body: FORBIDDEN }),
    };
    const handler = handlers[m.operationId];
    return handler ? handler(m, body, url) : { status: 501, body: { message: `fake GitHub does not implement ${m.operationId}` } };
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
