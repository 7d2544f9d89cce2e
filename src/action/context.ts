// Where the run happens: repository, event, commit and pull request, read once from the environment the
// runner sets (GITHUB_*) and the event payload at GITHUB_EVENT_PATH.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { obj } from '../k8s/values.ts';

export interface PullRequestInfo {
  number: number;
  /** The PR's head commit: where check runs and file links belong (GITHUB_SHA is the merge commit). */
  headSha: string;
  /** The head repository differs from the base repository: the token is usually read-only. */
  fromFork: boolean;
  /** The base commit (pull_request.base.sha): where the policy that gates the pull request comes from. */
  baseSha?: string;
}

/** The run a `workflow_run` event reports on (the trusted facts of the two-workflow pattern). */
export interface WorkflowRunInfo {
  /** The commit the triggering run checked out: where the check run goes. */
  headSha: string;
  /** Same-repository pull requests GitHub associates with it (empty for forks). */
  pullRequests: { number: number; headSha: string }[];
}

export interface RunContext {
  /** owner/name, when GITHUB_REPOSITORY is set. */
  repository?: { owner: string; repo: string };
  eventName: string;
  /** The commit the check run goes on: the PR head on pull request events, else GITHUB_SHA. */
  sha?: string;
  pullRequest?: PullRequestInfo;
  workflowRun?: WorkflowRunInfo;
  /** Absolute; the repository checkout (GITHUB_WORKSPACE, else the current directory). */
  workspace: string;
  /** Absolute; scratch space for reports outside the checkout (RUNNER_TEMP, else the system temp directory). */
  tempDir: string;
  serverUrl: string;
  apiUrl: string;
  /** The workflow run's page, when known. */
  runUrl?: string;
  /** Problems reading the event payload (reported, never fatal). */
  notes: string[];
}

const PR_EVENTS = new Set(['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment']);

/** A non-empty string, else undefined (an empty payload field means absent here). */
function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): RunContext {
  const notes: string[] = [];
  const [owner, repo, ...rest] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const repository = owner && repo && rest.length === 0 ? { owner, repo } : undefined;
  const eventName = env.GITHUB_EVENT_NAME ?? '';

  let payload: Record<string, unknown> = {};
  if (env.GITHUB_EVENT_PATH) {
    try {
      payload = obj(JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'))) ?? {};
    } catch (error) {
      notes.push(`could not read the event payload ${env.GITHUB_EVENT_PATH}: ${(error as Error).message}`);
    }
  }

  let pullRequest: PullRequestInfo | undefined;
  const pr = obj(payload.pull_request);
  if (pr !== undefined) {
    const number = pr.number;
    const head = obj(pr.head);
    const headSha = str(head?.sha);
    if (typeof number === 'number' && Number.isInteger(number) && number > 0 && headSha !== undefined && /^[0-9a-f]{40,64}$/i.test(headSha)) {
      const headRepo = str(obj(head?.repo)?.full_name);
      const baseRepo = str(obj(obj(pr.base)?.repo)?.full_name) ?? str(obj(payload.repository)?.full_name);
      const baseSha = str(obj(pr.base)?.sha);
      pullRequest = {
        number,
        headSha,
        fromFork: headRepo !== undefined && baseRepo !== undefined && headRepo !== baseRepo,
        ...(baseSha !== undefined && /^[0-9a-f]{40,64}$/i.test(baseSha) ? { baseSha } : {}),
      };
    } else {
      notes.push('the event payload has a pull_request without a number and head SHA; results are not posted to a pull request');
    }
  } else if (PR_EVENTS.has(eventName)) {
    notes.push(`event ${eventName} without a pull_request in its payload; results are not posted to a pull request`);
  }

  let workflowRun: WorkflowRunInfo | undefined;
  const wr = obj(payload.workflow_run);
  if (eventName === 'workflow_run' && wr !== undefined) {
    const headSha = str(wr.head_sha);
    if (headSha !== undefined && /^[0-9a-f]{40,64}$/i.test(headSha)) {
      const pullRequests = (Array.isArray(wr.pull_requests) ? wr.pull_requests : [])
        .map(obj)
        .map((p) => ({ number: p?.number, headSha: str(obj(p?.head)?.sha) }))
        .filter((p): p is { number: number; headSha: string } => typeof p.number === 'number' && Number.isInteger(p.number) && p.number > 0 && p.headSha !== undefined);
      workflowRun = { headSha, pullRequests };
    } else {
      notes.push('the workflow_run payload has no head SHA');
    }
  }

  const workspace = path.resolve(cwd, env.GITHUB_WORKSPACE || '.');
  const serverUrl = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const apiUrl = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
  const runUrl = repository && env.GITHUB_RUN_ID ? `${serverUrl}/${repository.owner}/${repository.repo}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
  const sha = pullRequest?.headSha ?? workflowRun?.headSha ?? str(env.GITHUB_SHA);
  return {
    ...(repository && { repository }),
    eventName,
    ...(sha !== undefined && { sha }),
    ...(pullRequest && { pullRequest }),
    ...(workflowRun && { workflowRun }),
    workspace,
    tempDir: env.RUNNER_TEMP ? path.resolve(env.RUNNER_TEMP) : os.tmpdir(),
    serverUrl,
    apiUrl,
    ...(runUrl !== undefined && { runUrl }),
    notes,
  };
}
