// The bundled Action (dist/index.js) in a sharded workflow, against the fake GitHub of __tests__/action:
// matrix jobs with `shard` publish nothing and do not fail; the publish job's `report` glob merges every
// shard's report into one check run, one comment and one SARIF.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { provisionOpenapi } from '../../scripts/provision-openapi.ts';
import { FakeGitHub } from '../action/helpers/fake-github.ts';
import { OpenApi } from '../action/helpers/openapi.ts';
import { ACTION_ENTRY, pullRequestEvent, runAction, type RunResult } from '../action/helpers/runner.ts';
import { BASE_SHA, HEAD_SHA, MERGE_SHA, OWNER, PR_NUMBER, REPO, TOKEN } from '../action/fixtures.ts';
import { makeShardRepo } from './fixture.ts';

let api: OpenApi;
let github: FakeGitHub;
let workspace: string;

function run(inputs: Record<string, string>, eventName = 'pull_request'): Promise<RunResult> {
  return runAction({
    workspace,
    apiUrl: github.url,
    repository: `${OWNER}/${REPO}`,
    sha: MERGE_SHA,
    eventName,
    event: pullRequestEvent({ owner: OWNER, repo: REPO, number: PR_NUMBER, headSha: HEAD_SHA, baseSha: BASE_SHA }),
    inputs: { paths: '.', 'github-token': TOKEN, 'check-name': 'preadmit', comment: 'on', annotations: 'on', 'comment-when-clean': 'resolve', 'sarif-file': '', 'policy-from': 'head', helm: process.env.PREADMIT_TEST_HELM3!, ...inputs },
  });
}

beforeAll(async () => {
  if (!existsSync(ACTION_ENTRY)) throw new Error(`${ACTION_ENTRY} is missing: run npm run bundle`);
  api = new OpenApi(process.env.PREADMIT_TEST_OPENAPI ?? (await provisionOpenapi(console.error)));
  workspace = makeShardRepo();
}, 300_000);
afterEach(async () => {
  await github?.close();
});
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe('dist/index.js, sharded', () => {
  it('shard jobs publish nothing; the publish job merges their reports into one check run, comment and SARIF', async () => {
    github = await FakeGitHub.start(api, OWNER, REPO, TOKEN);
    // Each shard job runs on its own fresh checkout: its report is laid out only after every shard ran
    // (a report left in the scanned folder would be a file the next shard reads, and merge would refuse).
    const reports: [string, unknown][] = [];
    for (const k of [1, 2, 3]) {
      const shard = await run({ shard: `${k}/3` }, 'push');
      expect(shard.stderr).not.toMatch(/internal error/);
      expect(shard.code, shard.stdout).toBe(0);
      expect(shard.stdout).toContain(`shard ${k}/3 scanned`);
      expect(['success', 'failure']).toContain(shard.outputs.conclusion);
      const report = shard.report as unknown as { shard: { index: number; count: number } };
      expect(report.shard).toMatchObject({ index: k, count: 3 });
      // As download-artifact lays the artifacts out: one folder each.
      const file = path.join(workspace, 'preadmit-reports', `preadmit-shard-${k}`, 'preadmit-report.json');
      reports.push([file, shard.report]);
    }
    for (const [file, report] of reports) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(report));
    }
    expect(github.checkRuns.size).toBe(0);
    expect(github.comments.size).toBe(0);

    const published = await run({ report: 'preadmit-reports/**/*.json' });
    expect(published.stderr).not.toMatch(/internal error/);
    expect(published.code).toBe(1);
    expect(published.stdout).toContain('the 3 reports');
    const runs = [...github.checkRuns.values()];
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ conclusion: 'failure' });
    expect(github.comments.size).toBe(1);
    const findings = published.report!.findings;
    expect(findings.filter((f) => f.ruleId === 'pss-namespace-rejection')).toHaveLength(4);
    expect(published.sarif!.runs[0]!.results.length).toBe(findings.length);
    expect(published.report as unknown as { shard?: unknown }).not.toHaveProperty('shard');

    // A shard's report missing: the publish job fails and names it.
    rmSync(path.join(workspace, 'preadmit-reports', 'preadmit-shard-2'), { recursive: true });
    const missing = await run({ report: 'preadmit-reports/**/*.json' });
    expect(missing.code).toBe(1);
    expect(missing.stdout + missing.stderr).toMatch(/shard 2\/3 missing/);
    expect(github.comments.size).toBe(1);
  }, 300_000);
});
