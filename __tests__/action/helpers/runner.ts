// Runs the bundled Action (dist/index.js) the way the GitHub runner does: a child `node` process with
// INPUT_* variables, the GITHUB_* environment, an event payload file, and GITHUB_OUTPUT /
// GITHUB_STEP_SUMMARY files to read back. Nothing of the test process's own GITHUB_* environment leaks in.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MAYBE_IGNORABLE } from '../../../src/reporters/runner-commands.ts';
import { repoRoot } from '../../helpers/shared.ts';

/** dist/index.js, or a bundle built elsewhere (PREADMIT_TEST_ACTION_ENTRY) to test sources before dist is rebuilt. */
export const ACTION_ENTRY = process.env.PREADMIT_TEST_ACTION_ENTRY || path.join(repoRoot, 'dist', 'index.js');

/** A throwaway git work tree with the given files (paths relative to its root). */
export function makeRepo(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-action-repo-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  execFileSync('git', ['init', '--quiet', dir]);
  return dir;
}

const USER = (login: string, id: number, type: 'User' | 'Bot' | 'Organization' = 'User') => ({
  login,
  id,
  node_id: Buffer.from(`04:User${id}`).toString('base64'),
  avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
  gravatar_id: '',
  url: `https://api.github.com/users/${login}`,
  html_url: `https://github.com/${login}`,
  followers_url: `https://api.github.com/users/${login}/followers`,
  following_url: `https://api.github.com/users/${login}/following{/other_user}`,
  gists_url: `https://api.github.com/users/${login}/gists{/gist_id}`,
  starred_url: `https://api.github.com/users/${login}/starred{/owner}{/repo}`,
  subscriptions_url: `https://api.github.com/users/${login}/subscriptions`,
  organizations_url: `https://api.github.com/users/${login}/orgs`,
  repos_url: `https://api.github.com/users/${login}/repos`,
  events_url: `https://api.github.com/users/${login}/events{/privacy}`,
  received_events_url: `https://api.github.com/users/${login}/received_events`,
  type,
  user_view_type: 'public',
  site_admin: false,
});

const REPO = (owner: string, name: string, id: number, fork: boolean) => {
  const api = `https://api.github.com/repos/${owner}/${name}`;
  return {
    id,
    node_id: Buffer.from(`010:Repository${id}`).toString('base64'),
    name,
    full_name: `${owner}/${name}`,
    private: false,
    owner: USER(owner, id + 1, 'Organization'),
    html_url: `https://github.com/${owner}/${name}`,
    description: 'Helm charts for the shop',
    fork,
    url: api,
    forks_url: `${api}/forks`,
    keys_url: `${api}/keys{/key_id}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    teams_url: `${api}/teams`,
    hooks_url: `${api}/hooks`,
    issue_events_url: `${api}/issues/events{/number}`,
    events_url: `${api}/events`,
    assignees_url: `${api}/assignees{/user}`,
    branches_url: `${api}/branches{/branch}`,
    tags_url: `${api}/tags`,
    blobs_url: `${api}/git/blobs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    trees_url: `${api}/git/trees{/sha}`,
    statuses_url: `${api}/statuses/{sha}`,
    languages_url: `${api}/languages`,
    stargazers_url: `${api}/stargazers`,
    contributors_url: `${api}/contributors`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    commits_url: `${api}/commits{/sha}`,
    git_commits_url: `${api}/git/commits{/sha}`,
    comments_url: `${api}/comments{/number}`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    contents_url: `${api}/contents/{+path}`,
    compare_url: `${api}/compare/{base}...{head}`,
    merges_url: `${api}/merges`,
    archive_url: `${api}/{archive_format}{/ref}`,
    downloads_url: `${api}/downloads`,
    issues_url: `${api}/issues{/number}`,
    pulls_url: `${api}/pulls{/number}`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    labels_url: `${api}/labels{/name}`,
    releases_url: `${api}/releases{/id}`,
    deployments_url: `${api}/deployments`,
    created_at: '2026-01-15T15:19:25Z',
    updated_at: '2026-11-20T09:02:11Z',
    pushed_at: '2026-11-26T08:40:03Z',
    git_url: `git://github.com/${owner}/${name}.git`,
    ssh_url: `git@github.com:${owner}/${name}.git`,
    clone_url: `https://github.com/${owner}/${name}.git`,
    svn_url: `https://github.com/${owner}/${name}`,
    homepage: null,
    size: 412,
    stargazers_count: 3,
    watchers_count: 3,
    language: 'Go Template',
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: false,
    has_pages: false,
    has_discussions: false,
    forks_count: 1,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: 2,
    license: null,
    allow_forking: true,
    is_template: false,
    web_commit_signoff_required: false,
    topics: [],
    visibility: 'public',
    forks: 1,
    open_issues: 2,
    watchers: 3,
    default_branch: 'main',
  };
};

export interface PullRequestEventOptions {
  owner: string;
  repo: string;
  number: number;
  headSha: string;
  baseSha: string;
  /** The head branch lives in a fork owned by this account. */
  forkOwner?: string;
}

/** A `pull_request` `synchronize` webhook payload, shaped like GitHub's (and validated against its schema in the tests). */
export function pullRequestEvent(o: PullRequestEventOptions) {
  const base = REPO(o.owner, o.repo, 734_511_200, false);
  const author = USER(o.forkOwner ?? 'octo-dev', 5_830_200);
  const headRepo = o.forkOwner ? REPO(o.forkOwner, o.repo, 734_999_100, true) : base;
  const api = `https://api.github.com/repos/${o.owner}/${o.repo}`;
  const html = `https://github.com/${o.owner}/${o.repo}`;
  return {
    action: 'synchronize',
    number: o.number,
    before: o.baseSha,
    after: o.headSha,
    pull_request: {
      url: `${api}/pulls/${o.number}`,
      id: 2_101_334_000 + o.number,
      node_id: Buffer.from(`011:PullRequest${o.number}`).toString('base64'),
      html_url: `${html}/pull/${o.number}`,
      diff_url: `${html}/pull/${o.number}.diff`,
      patch_url: `${html}/pull/${o.number}.patch`,
      issue_url: `${api}/issues/${o.number}`,
      number: o.number,
      state: 'open',
      locked: false,
      title: 'Add the metrics agent to the shop chart',
      user: author,
      body: 'Adds a DaemonSet that ships node logs.',
      created_at: '2026-11-25T10:00:00Z',
      updated_at: '2026-11-26T08:40:05Z',
      closed_at: null,
      merged_at: null,
      merge_commit_sha: 'd1c2b3a4e5f60718293a4b5c6d7e8f9012345678',
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      labels: [],
      milestone: null,
      draft: false,
      commits_url: `${api}/pulls/${o.number}/commits`,
      review_comments_url: `${api}/pulls/${o.number}/comments`,
      review_comment_url: `${api}/pulls/comments{/number}`,
      comments_url: `${api}/issues/${o.number}/comments`,
      statuses_url: `${api}/statuses/${o.headSha}`,
      head: {
        label: `${headRepo.owner.login}:feature/agent`,
        ref: 'feature/agent',
        sha: o.headSha,
        user: headRepo.owner,
        repo: headRepo,
      },
      base: { label: `${o.owner}:main`, ref: 'main', sha: o.baseSha, user: base.owner, repo: base },
      _links: {
        self: { href: `${api}/pulls/${o.number}` },
        html: { href: `${html}/pull/${o.number}` },
        issue: { href: `${api}/issues/${o.number}` },
        comments: { href: `${api}/issues/${o.number}/comments` },
        review_comments: { href: `${api}/pulls/${o.number}/comments` },
        review_comment: { href: `${api}/pulls/comments{/number}` },
        commits: { href: `${api}/pulls/${o.number}/commits` },
        statuses: { href: `${api}/statuses/${o.headSha}` },
      },
      author_association: o.forkOwner ? 'CONTRIBUTOR' : 'MEMBER',
      auto_merge: null,
      active_lock_reason: null,
      merged: false,
      mergeable: null,
      rebaseable: null,
      mergeable_state: 'unknown',
      merged_by: null,
      comments: 0,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: 3,
      additions: 120,
      deletions: 4,
      changed_files: 5,
    },
    repository: base,
    sender: author,
  };
}

export interface RunOptions {
  workspace: string;
  inputs: Record<string, string>;
  apiUrl: string;
  repository: string;
  eventName?: string;
  event?: unknown;
  /** GITHUB_SHA: the merge commit on pull_request events. */
  sha: string;
  env?: Record<string, string>;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** Workflow-command annotations the runner would create from stdout (::error file=…::message). */
  commands: { level: string; properties: Record<string, string>; message: string }[];
  /** Every workflow command the runner would execute from stdout and stderr, in order. */
  executed: RunnerCommand[];
  /** The SARIF report the run wrote (outputs.sarif-file, read before RUNNER_TEMP goes). */
  sarif?: { version: string; runs: { results: unknown[] }[] };
  /** The JSON report the run wrote (outputs.report-json, read before RUNNER_TEMP goes). */
  report?: { findings: { ruleId: string; severity: string; fingerprint: string; source: { file: string; line?: number } }[]; summary: Record<string, unknown> };
}

/** Parses the GITHUB_OUTPUT file format written by @actions/core (name<<DELIMITER … DELIMITER). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
    out[m[1]!] = value.join('\n');
  }
  return out;
}

/** The commands actions/runner registers (ActionCommandManager and its extensions); names match case-insensitively. */
const RUNNER_COMMANDS = ['add-mask', 'add-matcher', 'add-path', 'debug', 'echo', 'endgroup', 'error', 'group', 'notice', 'remove-matcher', 'save-state', 'set-env', 'set-output', 'stop-commands', 'warning'];

export interface RunnerCommand {
  name: string;
  properties: Record<string, string>;
  data: string;
  form: '::' | '##[';
  line: string;
}

const IGNORABLE = new RegExp(MAYBE_IGNORABLE, 'gu');
const unescape = (s: string, table: [string, string][]) => table.reduce((acc, [from, to]) => acc.split(from).join(to), s);
const DATA: [string, string][] = [['%0D', '\r'], ['%0A', '\n'], ['%25', '%']];
const PROPERTY: [string, string][] = [['%0D', '\r'], ['%0A', '\n'], ['%3A', ':'], ['%2C', ','], ['%25', '%']];
const LEGACY: [string, string][] = [['%3B', ';'], ['%0D', '\r'], ['%0A', '\n'], ['%5D', ']'], ['%25', '%']];

/**
 * What actions/runner would execute from a step's output: lines split at CR, LF and CRLF; the `::` form
 * (TryParseV2) at the start of a line after whitespace, else the legacy `##[` form (TryParse) anywhere in
 * it; `::stop-commands::TOKEN` turning everything but `::TOKEN::` off. The runner matches with .NET's
 * culture-sensitive StartsWith/IndexOf, which skip ICU-ignorable characters: this model drops every
 * character that may be ignorable before matching, so it errs on the side of finding a command.
 */
export function executedCommands(output: string): RunnerCommand[] {
  const out: RunnerCommand[] = [];
  const registered = new Set(RUNNER_COMMANDS);
  let stopToken: string | undefined;
  for (const raw of output.split(/\r\n|\r|\n/)) {
    const line = raw.replace(IGNORABLE, '');
    const command = parseV2(line, registered) ?? parseLegacy(line, registered);
    if (command === undefined) continue;
    if (stopToken !== undefined) {
      if (command.name === stopToken.toLowerCase()) {
        registered.delete(stopToken.toLowerCase());
        stopToken = undefined;
        out.push(command);
      }
      continue;
    }
    if (command.name === 'stop-commands') {
      stopToken = command.data;
      registered.add(stopToken.toLowerCase());
    }
    out.push(command);
  }
  return out;
}

function parseV2(line: string, registered: Set<string>): RunnerCommand | undefined {
  const message = line.replace(/^[\s\u0085]+/u, '');
  if (!message.startsWith('::')) return undefined;
  const end = message.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = message.slice(2, end);
  const space = info.indexOf(' ');
  const name = (space < 0 ? info : info.slice(0, space)).toLowerCase();
  if (!registered.has(name)) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info.slice(space + 1).trim().split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      if (eq > 0 && eq < pair.length - 1) properties[pair.slice(0, eq)] = unescape(pair.slice(eq + 1), PROPERTY);
    }
  }
  return { name, properties, data: unescape(message.slice(end + 2), DATA), form: '::', line };
}

function parseLegacy(line: string, registered: Set<string>): RunnerCommand | undefined {
  const start = line.indexOf('##[');
  if (start < 0) return undefined;
  const close = line.indexOf(']', start);
  if (close < 0) return undefined;
  const info = line.slice(start + 3, close);
  const space = info.indexOf(' ');
  const name = (space < 0 ? info : info.slice(0, space)).toLowerCase();
  if (!registered.has(name)) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info.slice(space + 1).split(';').filter(Boolean)) {
      const eq = pair.indexOf('=');
      if (eq > 0 && eq < pair.length - 1) properties[pair.slice(0, eq)] = unescape(pair.slice(eq + 1), LEGACY);
    }
  }
  return { name, properties, data: unescape(line.slice(close + 1), LEGACY), form: '##[', line };
}

/** The annotations among the executed commands. */
export function parseCommands(stdout: string): RunResult['commands'] {
  return executedCommands(stdout)
    .filter((c) => c.name === 'error' || c.name === 'warning' || c.name === 'notice')
    .map((c) => ({ level: c.name, properties: c.properties, message: c.data }));
}

export async function runAction(o: RunOptions): Promise<RunResult> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'preadmit-runner-'));
  try {
    const files = {
      event: path.join(scratch, 'event.json'),
      output: path.join(scratch, 'output.txt'),
      summary: path.join(scratch, 'step_summary.md'),
      env: path.join(scratch, 'env.txt'),
      state: path.join(scratch, 'state.txt'),
      path: path.join(scratch, 'path.txt'),
      temp: path.join(scratch, 'runner-temp'),
    };
    mkdirSync(files.temp);
    writeFileSync(files.event, JSON.stringify(o.event ?? {}));
    for (const f of [files.output, files.summary, files.env, files.state, files.path]) writeFileSync(f, '');
    const [owner] = o.repository.split('/');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? os.homedir(),
      TMPDIR: os.tmpdir(),
      LANG: 'C.UTF-8',
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION: 'preadmit',
      GITHUB_ACTION_PATH: repoRoot,
      GITHUB_ACTOR: 'octo-dev',
      GITHUB_API_URL: o.apiUrl,
      GITHUB_GRAPHQL_URL: `${o.apiUrl}/graphql`,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_EVENT_NAME: o.eventName ?? 'pull_request',
      GITHUB_EVENT_PATH: files.event,
      GITHUB_JOB: 'scan',
      GITHUB_REF: 'refs/pull/7/merge',
      GITHUB_REPOSITORY: o.repository,
      GITHUB_REPOSITORY_OWNER: owner ?? '',
      GITHUB_RUN_ID: '9876543210',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_RUN_NUMBER: '42',
      GITHUB_SHA: o.sha,
      GITHUB_WORKFLOW: 'preadmit',
      GITHUB_WORKSPACE: o.workspace,
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_ENV: files.env,
      GITHUB_STATE: files.state,
      GITHUB_PATH: files.path,
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      RUNNER_TEMP: files.temp,
      // Retry waits (backoff, retry-after) shortened 100 times: the tests check what is sent, not the clock.
      PREADMIT_RETRY_TIME_SCALE: '0.01',
      ...Object.fromEntries(Object.entries(o.inputs).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value])),
      ...o.env,
    };
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      // The runner starts the action in the workspace.
      execFile(process.execPath, [ACTION_ENTRY], { cwd: o.workspace, env, maxBuffer: 64 * 1024 * 1024, timeout: 240_000 }, (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : null;
        resolve({ code, stdout, stderr });
      });
    });
    const outputs = parseOutputFile(readFileSync(files.output, 'utf8'));
    const reportFile = outputs['report-json'];
    const sarifFile = outputs['sarif-file'];
    return {
      code,
      stdout,
      stderr,
      outputs,
      summary: readFileSync(files.summary, 'utf8'),
      commands: parseCommands(stdout),
      // The runner reads both streams; each is split into lines on its own.
      executed: [...executedCommands(stdout), ...executedCommands(stderr)],
      ...(reportFile !== undefined && existsSync(reportFile) && { report: JSON.parse(readFileSync(reportFile, 'utf8')) as RunResult['report'] }),
      ...(sarifFile !== undefined && existsSync(sarifFile) && { sarif: JSON.parse(readFileSync(sarifFile, 'utf8')) as RunResult['sarif'] }),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
