// A small GitHub REST client for publishing: @actions/github's octokit (which honours GITHUB_API_URL and
// the runner's proxy settings) behind one `request` function that retries what is worth retrying.
//
// Retried: 5xx and network failures, 429, and 403s that are rate limits (primary: x-ratelimit-remaining 0;
// secondary: retry-after or "secondary rate limit" in the message). Waits honour retry-after and
// x-ratelimit-reset (up to MAX_WAIT_MS), otherwise exponential backoff with jitter. A POST is not
// idempotent: after a 5xx or a network failure GitHub may have acted on it, so it is only retried when the
// caller says so (creating a check run) or when the answer proves it was refused (429, rate-limit 403).
// Callers that must not duplicate (the sticky comment) look before they retry.
import { getOctokit } from '@actions/github';
import type { Logger } from './logger.ts';

export interface ApiResponse<T> {
  status: number;
  data: T;
  headers: Record<string, string | undefined>;
}

export interface RequestOptions {
  /** Retry after 5xx/network failures even for POST (default: true except for POST). */
  idempotent?: boolean;
}

/** `METHOD /path/{param}` plus parameters: path and query parameters by name, the rest is the JSON body. */
export interface GitHubApi {
  request<T = unknown>(route: string, params?: Record<string, unknown>, options?: RequestOptions): Promise<ApiResponse<T>>;
}

export class GitHubApiError extends Error {
  override name = 'GitHubApiError';
  constructor(
    readonly route: string,
    /** HTTP status, 0 for a network failure or timeout. */
    readonly status: number,
    message: string,
    readonly headers: Record<string, string | undefined> = {},
    readonly attempts = 1,
  ) {
    super(`${route}: ${status === 0 ? 'network error' : `HTTP ${status}`}: ${message}`);
  }

  /** The token may not do this: fork pull requests, missing `permissions:`, or a bad token. */
  get forbidden(): boolean {
    return this.status === 401 || (this.status === 403 && !isRateLimit(this.status, this.headers, this.message));
  }
}

/** What one attempt at a request produced: a response, or an error with whatever GitHub said. */
export type Attempt<T> = { ok: true; response: ApiResponse<T> } | { ok: false; status: number; message: string; headers: Record<string, string | undefined> };

export type Send = (route: string, params: Record<string, unknown>) => Promise<Attempt<unknown>>;

export interface RetryPolicy {
  /** Attempts per request, including the first (default 4). */
  attempts: number;
  /** First backoff in ms; doubled per attempt, with jitter (default 1000). */
  baseDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  random: () => number;
}

export const MAX_WAIT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 30_000;

const DEFAULT_POLICY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 1000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
  random: Math.random,
};

/**
 * Sleeps shortened by PREADMIT_RETRY_TIME_SCALE (0 to 1; a test hook, so runner-style tests of retries and
 * rate limits take milliseconds, not seconds). Never longer than asked: other values are ignored.
 */
export function sleepFromEnv(env: NodeJS.ProcessEnv = process.env): (ms: number) => Promise<void> {
  const raw = env.PREADMIT_RETRY_TIME_SCALE;
  const scale = raw !== undefined && raw.trim() !== '' && Number(raw) >= 0 && Number(raw) <= 1 ? Number(raw) : 1;
  return (ms) => new Promise((resolve) => setTimeout(resolve, ms * scale));
}

function isRateLimit(status: number, headers: Record<string, string | undefined>, message: string): boolean {
  if (status === 429) return true;
  if (status !== 403) return false;
  return headers['retry-after'] !== undefined || headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(message);
}

/** Whether to retry, and after how long (ms); undefined: give up. */
export function retryDelay(
  failure: { status: number; message: string; headers: Record<string, string | undefined> },
  attempt: number,
  idempotent: boolean,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'now' | 'random'>,
): number | undefined {
  const { status, headers, message } = failure;
  const backoff = policy.baseDelayMs * 2 ** attempt * (0.5 + policy.random() / 2);
  if (isRateLimit(status, headers, message)) {
    const retryAfter = Number(headers['retry-after']);
    if (Number.isFinite(retryAfter) && retryAfter >= 0) return retryAfter * 1000 <= MAX_WAIT_MS ? retryAfter * 1000 : undefined;
    if (headers['x-ratelimit-remaining'] === '0' && headers['x-ratelimit-reset'] !== undefined) {
      const wait = Number(headers['x-ratelimit-reset']) * 1000 - policy.now() + 1000;
      return wait <= MAX_WAIT_MS ? Math.max(wait, 0) : undefined;
    }
    // Secondary rate limit without a hint: GitHub asks for at least a minute; back off harder than for 5xx.
    return Math.min(MAX_WAIT_MS, Math.max(backoff, 5_000 * 2 ** attempt));
  }
  if ((status >= 500 || status === 0) && idempotent) return backoff;
  return undefined;
}

/** Wraps one-attempt `send` with the retry policy. */
export function withRetry(send: Send, log: Pick<Logger, 'info'>, policy: Partial<RetryPolicy> = {}): GitHubApi {
  const p: RetryPolicy = { ...DEFAULT_POLICY, ...policy };
  return {
    async request<T>(route: string, params: Record<string, unknown> = {}, options: RequestOptions = {}): Promise<ApiResponse<T>> {
      const idempotent = options.idempotent ?? !route.startsWith('POST ');
      for (let attempt = 0; ; attempt++) {
        const outcome = await send(route, params);
        if (outcome.ok) return outcome.response as ApiResponse<T>;
        const delay = attempt + 1 < p.attempts ? retryDelay(outcome, attempt, idempotent, p) : undefined;
        if (delay === undefined) throw new GitHubApiError(route, outcome.status, outcome.message, outcome.headers, attempt + 1);
        log.info(
          `GitHub API ${route}: ${outcome.status === 0 ? 'network error' : `HTTP ${outcome.status}`} (${outcome.message}); retrying in ${(delay / 1000).toFixed(1)} s (attempt ${attempt + 2} of ${p.attempts})`,
        );
        await p.sleep(delay);
      }
    },
  };
}

function headersOf(value: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out[k.toLowerCase()] = v === undefined ? undefined : String(v);
  return out;
}

function messageOf(data: unknown, fallback: string): string {
  if (data && typeof data === 'object' && 'message' in data && typeof data.message === 'string') return data.message;
  if (typeof data === 'string' && data.trim() !== '') return data.trim().slice(0, 300);
  return fallback;
}

/** The real client: octokit from @actions/github against `baseUrl` (GITHUB_API_URL). */
export function createGitHubApi(token: string, baseUrl: string, log: Pick<Logger, 'info'>, policy: Partial<RetryPolicy> = {}): GitHubApi {
  const octokit = getOctokit(token, { baseUrl, userAgent: 'preadmit-action' });
  const send: Send = async (route, params) => {
    try {
      const response = await octokit.request(route, {
        ...params,
        headers: { 'x-github-api-version': '2022-11-28' },
        request: { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) },
      });
      return { ok: true, response: { status: response.status, data: response.data as unknown, headers: headersOf(response.headers) } };
    } catch (error) {
      const e = error as { status?: unknown; message?: unknown; response?: { data?: unknown; headers?: unknown } };
      const status = typeof e.status === 'number' && e.status >= 400 && e.status < 600 ? e.status : 0;
      // octokit reports network failures and timeouts as 500 without a response.
      const real = e.response === undefined ? 0 : status;
      return {
        ok: false,
        status: real,
        message: messageOf(e.response?.data, String(e.message ?? error)),
        headers: headersOf(e.response?.headers),
      };
    }
  };
  return withRetry(send, log, policy);
}
