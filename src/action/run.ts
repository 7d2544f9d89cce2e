// The Action: read inputs once, scan with the same core as the CLI, then publish. Order matters:
//   1. the check run goes in_progress on the PR head (and tells us early whether the token may write);
//   2. the scan, in GITHUB_WORKSPACE so every path is repository-relative;
//   3. everything that needs no token: reports on disk, the log, the job summary, the outputs;
//   4. the check run with every annotation, and the sticky comment;
//   5. when the token could not write the check run: the most severe findings as workflow commands;
//   6. the exit status, from the findings alone (a GitHub API failure never changes or hides them).
// From reading the inputs to the end, the log runs inside a stop-commands window (logger.ts): the report
// and every other line may carry text from the pull request. The real workflow commands of steps 5 and 6
// (fallback annotations, the failure message) are returned and issued once the window is closed.
import path from 'node:path';
import * as core from '@actions/core';
import { RULES } from '../../rules/index.ts';
import { UsageError } from '../model/errors.ts';
import type { Finding, ScanResult } from '../model/model.ts';
import { scanAgainstBase } from '../pipeline/base-compare.ts';
import { resolveRevision } from '../pipeline/git.ts';
import { OutputFileError, prepareOutputFile, writeOutputFile } from '../reporters/output-file.ts';
import { Redactor, runCredentials } from '../secrets/redact.ts';
import { defuseRunnerCommands } from '../reporters/runner-commands.ts';
import { resolveConfig, scan, type ScanOptions } from '../pipeline/scan.ts';
import { HelmNotFoundError } from '../render/helm.ts';
import { plural, ruleMetas } from '../reporters/common.ts';
import { fixableFindings } from '../reporters/suggested-fixes.ts';
import { render } from '../reporters/index.ts';
import { basePlan, baseUnavailableNote, type BasePlan } from './base.ts';
import { changedLinesSince, type ChangedLines } from './changed-lines.ts';
import { readRunContext, type RunContext } from './context.ts';
import { expandReports, loadReports, recomputeVerdict } from './from-report.ts';
import { createGitHubApi, sleepFromEnv, type GitHubApi } from './github.ts';
import { ConfigurationError, readInputs, type ActionInputs } from './inputs.ts';
import { actionsLogger, commandWindow, type Logger } from './logger.ts';
import { annotatedFindings, annotationFiles, annotationsFor, type CheckAnnotation } from './publish/annotations.ts';
import { completeCheckRun, startCheckRun, type CheckRunTarget, type CompleteResult, type StartResult } from './publish/check-run.ts';
import { appBot, publishComment, verifyPullRequest, type CommentResult } from './publish/comment.ts';
import { setOutputs } from './publish/outputs.ts';
import { candidateFiles, elsewhereSummary, filesAtHead, planSuggestions, publishSuggestions, reviewBody, reviewComment, suggestionsMarker, supersededBody, supersededMarker } from './publish/suggestions.ts';
import { appendJobSummary } from './publish/summary.ts';
import { emitWorkflowCommands, selectForWorkflowCommands } from './publish/workflow-commands.ts';
import {
  blobUrl,
  CHECK_SUMMARY_LIMIT,
  checkTitle,
  COMMENT_LIMIT,
  commentMarker,
  composeReport,
  conclusionOf,
  type ComposeOptions,
  isClean,
  JOB_SUMMARY_LIMIT,
  LIMIT_NAMES,
  type Conclusion,
  type FileUrl,
} from './report.ts';

/** Room kept in each budget for what is added after the report (notes about publishing). */
const SUMMARY_RESERVE = 16 * 1024;

export const HELM_HINT =
  'GitHub-hosted ubuntu-latest runners include helm. On other runners, or to pin a version, add a step before preadmit:\n' +
  '  - uses: azure/setup-helm@v4\n' +
  '    with:\n' +
  '      version: v3.17.3\n' +
  "or set the action's `helm` input to the path of a helm 3.8+ binary. preadmit never downloads chart dependencies: " +
  'vendor them, or run `helm dependency build` in an earlier step.';

/** The user's mistake, worded for the Action (inputs, not command-line flags). */
export function usageMessage(error: UsageError): string {
  const isHelm = error.cause instanceof HelmNotFoundError;
  if (!isHelm) return error.message;
  const what = error.message
    .replace(/the helm given with --helm/, 'the helm given in the `helm` input')
    .replace(/\s*Install helm 3\.8\+.*$/s, '')
    .replace(/or pass its path with --helm\.?/, '');
  return `charts need helm to render, but ${what}\n${HELM_HINT}`;
}

/**
 * Whose policy gates the run: on a pull request, its base commit's (unless `policy-from: head`), so the
 * pull request cannot loosen its own gate; elsewhere the checked-out files'. Without a base SHA in the
 * event, the revision cannot be named: the scan falls back to the strictest head policy and says so.
 */
export function policyRequest(inputs: ActionInputs, ctx: Pick<RunContext, 'eventName' | 'pullRequest'>): ScanOptions['policyFrom'] {
  // pull_request, pull_request_target, and the review events that also run on a pull request's code.
  if (inputs.policyFrom === 'head' || !ctx.eventName.startsWith('pull_request')) return undefined;
  return { revision: ctx.pullRequest?.baseSha ?? 'pull_request.base.sha (missing from the event payload)', fetch: true, onUnavailable: 'fallback' };
}

function scanOptions(inputs: ActionInputs, workspace: string, policyFrom?: ScanOptions['policyFrom']): ScanOptions {
  return {
    ...(policyFrom !== undefined && { policyFrom }),
    // Plan files are inputs like any other path; discovery tells them apart by content.
    paths: [...inputs.paths, ...inputs.terraformPlans],
    ...(inputs.config !== undefined && { configFile: path.resolve(workspace, inputs.config) }),
    ...(inputs.failOn !== undefined && { failOn: inputs.failOn }),
    ...(inputs.pssVersion !== undefined && { pssVersion: inputs.pssVersion }),
    ...(inputs.pssLevel !== undefined && { pssLevel: inputs.pssLevel }),
    ...(inputs.failOnErrors !== undefined && { failOnErrors: inputs.failOnErrors }),
    valuesFiles: inputs.valuesFiles.map((f) => path.resolve(workspace, f)),
    set: inputs.set,
    ...(inputs.kubeVersion !== undefined && { kubeVersion: inputs.kubeVersion }),
    ...(inputs.namespace !== undefined && { namespace: inputs.namespace }),
    ...(inputs.releaseName !== undefined && { releaseName: inputs.releaseName }),
    policies: inputs.policies.map((f) => path.resolve(workspace, f)),
    ...(inputs.helm !== undefined && { helmPath: inputs.helm }),
    ...(inputs.renderCache !== undefined && { cacheDir: path.resolve(workspace, inputs.renderCache) }),
    // The token never reaches a report, plain or encoded (the core also finds GITHUB_TOKEN and the checkout's).
    credentials: inputs.githubToken !== '' ? [inputs.githubToken] : [],
  };
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'preadmit';
}

/** Where the reports go: checked (and folders created) before the scan, written after it. */
interface ReportFiles {
  sarif: string;
  json: string;
}

/**
 * The SARIF file goes to RUNNER_TEMP unless `sarif-file` names a place; a place in the workspace must not
 * lead out of it through a linked folder, and a link at the file itself is replaced, never followed.
 */
function prepareReportFiles(inputs: ActionInputs, ctx: RunContext): ReportFiles {
  const sarif =
    inputs.sarifFile !== undefined
      ? prepareOutputFile(inputs.sarifFile, ctx.workspace, `the sarif-file ${inputs.sarifFile}`)
      : prepareOutputFile(`${slug(inputs.checkName)}.sarif`, ctx.tempDir, 'the SARIF report');
  const json = prepareOutputFile(`${slug(inputs.checkName)}-report.json`, ctx.tempDir, 'the JSON report');
  return { sarif, json };
}

/** What is left to do once the log's stop-commands window is closed: real workflow commands. */
interface AfterWindow {
  /** The workflow-command annotations of the fallback (step 5). */
  annotate?: () => void;
  /** The step fails with this message (step 6). */
  failed?: string;
}

function describeFailure(what: string, result: { error: Error; forbidden: boolean }): string {
  const why = result.forbidden
    ? `${result.error.message}. The token may not do this: pull requests from forks get a read-only GITHUB_TOKEN, and the workflow needs ${what === 'the check run' ? '`permissions: checks: write`' : '`permissions: pull-requests: write`'}.`
    : result.error.message;
  return `could not publish ${what}: ${why}`;
}

interface Publishing {
  api?: GitHubApi;
  target?: CheckRunTarget;
  started?: StartResult;
}

export async function run(log: Logger = actionsLogger): Promise<void> {
  let inputs: ActionInputs;
  try {
    // Before the window: readInputs masks the token with add-mask, a command.
    inputs = readInputs();
  } catch (error) {
    if (error instanceof ConfigurationError) return core.setFailed(defuseRunnerCommands(`preadmit: ${error.message}`));
    throw error;
  }
  let after: AfterWindow;
  commandWindow.open();
  try {
    after = await scanAndPublish(inputs, log);
  } finally {
    commandWindow.close();
  }
  after.annotate?.();
  if (after.failed !== undefined) core.setFailed(defuseRunnerCommands(after.failed));
}

async function scanAndPublish(inputs: ActionInputs, log: Logger): Promise<AfterWindow> {
  const ctx = readRunContext();
  for (const note of ctx.notes) log.info(`preadmit: ${note}`);
  if (ctx.eventName === 'pull_request_target') {
    log.info(
      'preadmit: running on pull_request_target. Do not check out and scan the pull request’s code here: helm renders it with a write token and secrets in reach. Use pull_request, or the two-workflow pattern in the README.',
    );
  }
  try {
    process.chdir(ctx.workspace);
  } catch (error) {
    return { failed: `preadmit: cannot enter GITHUB_WORKSPACE ${ctx.workspace}: ${(error as Error).message}` };
  }

  const publishing: Publishing = {};
  if (inputs.shard !== undefined) {
    log.info(`preadmit: shard ${inputs.shard.index}/${inputs.shard.count}: nothing is published from this job; upload its report-json for the job that merges the shards (input report)`);
  } else if (ctx.repository !== undefined && ctx.sha !== undefined && inputs.githubToken !== '') {
    publishing.api = createGitHubApi(inputs.githubToken, ctx.apiUrl, log, { sleep: sleepFromEnv() });
    publishing.target = {
      ...ctx.repository,
      name: inputs.checkName,
      headSha: ctx.sha,
      ...(ctx.runUrl !== undefined && { detailsUrl: ctx.runUrl }),
    };
    publishing.started = await startCheckRun(publishing.api, publishing.target);
    if (!publishing.started.ok) log.info(`preadmit: ${describeFailure('the check run', publishing.started)}`);
  } else {
    log.info(
      `preadmit: ${inputs.githubToken === '' ? 'no github-token' : 'GITHUB_REPOSITORY or the commit SHA is not set'}: results go to the log, the job summary and the report files only`,
    );
  }

  let result: ScanResult;
  let files: ReportFiles;
  let baseNote: string | undefined;
  try {
    files = prepareReportFiles(inputs, ctx);
    if (inputs.reports !== undefined) {
      const reportFiles = expandReports(inputs.reports, ctx.workspace);
      log.info(`preadmit: publishing ${reportFiles.length === 1 ? `the report ${reportFiles[0]}` : `the ${reportFiles.length} reports ${reportFiles.join(', ')} merged`} instead of scanning`);
      // A report made elsewhere is redacted with this run's credentials too.
      const redactor = new Redactor(runCredentials({ credentials: inputs.githubToken !== '' ? [inputs.githubToken] : [], workTrees: [ctx.workspace] }));
      const loaded = redactor.value(loadReports(reportFiles));
      // This run's fail-on (input, else the configuration in this workspace), never the report's own.
      const config = resolveConfig(scanOptions(inputs, ctx.workspace), ctx.workspace);
      result = recomputeVerdict(loaded, { failOn: config.failOn, failOnErrors: config.failOnErrors, ...(inputs.gate !== undefined && { gate: inputs.gate }) });
      const claimed = loaded.summary;
      if (claimed.verdict !== result.summary.verdict || claimed.blocking !== result.summary.blocking || claimed.failOn !== result.summary.failOn) {
        log.info(
          `preadmit: the report says ${claimed.verdict} with ${plural(claimed.blocking, 'blocking finding')} at ${claimed.failOn}; ` +
            `its findings give ${result.summary.verdict} with ${result.summary.blocking} at ${result.summary.failOn}, which is what counts`,
        );
      }
    } else {
      const policyFrom = policyRequest(inputs, ctx);
      if (policyFrom !== undefined) log.info(`preadmit: pull request: the policy comes from the base commit ${policyFrom.revision.slice(0, 12)} (input policy-from: head uses the pull request's own)`);
      const options = { ...scanOptions(inputs, ctx.workspace, policyFrom), ...(inputs.shard !== undefined && { shard: inputs.shard }) };
      const scanned = await scanWithBase(options, basePlan(inputs, ctx), ctx.workspace, inputs, log);
      result = scanned.result;
      baseNote = scanned.baseNote;
      if (result.policy?.from === 'fallback') log.warning(`preadmit: ${result.policy.message}`);
      else if (result.policy !== undefined && result.policy.changes.length > 0) log.info(`preadmit: this pull request changes the policy in ${plural(result.policy.changes.length, 'place')}; the changes take effect once merged`);
    }
  } catch (error) {
    const message =
      error instanceof OutputFileError
        ? error.message
        : error instanceof UsageError
          ? usageMessage(error)
          : error instanceof ConfigurationError
            ? error.message
            : `internal error (please report it): ${(error as Error).stack ?? String(error)}`;
    const safe = new Redactor(runCredentials({ credentials: [inputs.githubToken], workTrees: [ctx.workspace] })).text(message);
    await abandon(publishing, safe, log);
    core.setOutput('conclusion', 'failure');
    return { failed: `preadmit: ${safe}` };
  }
  if (inputs.shard !== undefined) return finishShard(result, inputs, ctx, files, log);
  return publish(result, inputs, ctx, publishing, files, log, baseNote);
}

/**
 * A shard's job: its reports written and its outputs set, nothing published and the step not failed for
 * findings (the job that merges every shard's report decides the verdict; a failed shard job would skip it).
 */
function finishShard(result: ScanResult, inputs: ActionInputs, ctx: RunContext, files: ReportFiles, log: Logger): AfterWindow {
  try {
    writeOutputFile(files.sarif, render('sarif', result, { rules: RULES }), inputs.sarifFile !== undefined ? ctx.workspace : ctx.tempDir, 'the SARIF report');
    writeOutputFile(files.json, render('json', result, { rules: RULES }), ctx.tempDir, 'the JSON report');
  } catch (error) {
    if (!(error instanceof OutputFileError)) throw error;
    return { failed: `preadmit: ${error.message}` };
  }
  const shard = result.shard!;
  log.info(render('text', result, { rules: RULES, color: false }));
  log.info(`preadmit: shard ${shard.index}/${shard.count} scanned ${plural(shard.units.length, 'unit')} of ${shard.total}; JSON report ${files.json} (upload it for the merge)`);
  setOutputs({ findings: result.summary.findings, blocking: result.summary.blocking, sarifFile: files.sarif, reportJson: files.json, conclusion: conclusionOf(result, inputs.advisory) });
  return {};
}

/**
 * The scan, compared with the pull request's base when there is one. The base commit is fetched with the
 * checkout's credentials when the clone lacks it (a shallow checkout). When it cannot be had, or its files
 * cannot be scanned, the head is scanned alone, every finding gates, and the returned note says why.
 */
async function scanWithBase(options: ScanOptions, plan: BasePlan, workspace: string, inputs: ActionInputs, log: Logger): Promise<{ result: ScanResult; baseNote?: string }> {
  if (plan.kind === 'none') {
    if (inputs.gate === 'new') log.info('preadmit: gate: new needs a pull request to compare with; on this event every finding gates (unless the configuration names a baseline file)');
    return { result: await scan(options) };
  }
  let reason = plan.kind === 'unavailable' ? plan.reason : undefined;
  if (plan.kind === 'compare') {
    const resolved = await resolveRevision(workspace, plan.revision, { fetch: true });
    if (resolved.ok) {
      log.info(
        `preadmit: pull request: compared with its base commit ${resolved.sha.slice(0, 12)}${resolved.fetched ? ' (fetched)' : ''}; ${plan.gate === 'new' ? 'new findings gate' : 'every finding gates (gate: all)'}${plan.all ? ', every chart rendered (changed-only: off)' : ''}`,
      );
      try {
        return { result: await scanAgainstBase(options, { revision: resolved.sha, gate: plan.gate, all: plan.all }) };
      } catch (error) {
        // The base's own files (its configuration) or the repository layout: the head is still scanned.
        if (!(error instanceof UsageError) || !error.message.startsWith('--base')) throw error;
        reason = error.message.replace(/^--base [^:]*: /, '');
      }
    } else {
      reason = resolved.message;
    }
  }
  // git's complaint can quote the remote's URL: no credential of the run goes into the comment.
  const baseNote = new Redactor(runCredentials({ credentials: inputs.githubToken !== '' ? [inputs.githubToken] : [], workTrees: [workspace] })).text(baseUnavailableNote(reason ?? 'unknown'));
  // Said in the log, and as a warning in the comment and summaries; not a warning annotation, which would
  // take one of the ten GitHub shows per level from the findings.
  log.info(`preadmit: ${baseNote}`);
  return { result: await scan(options), baseNote };
}

/** The scan could not run: the check run (if started) fails with the reason, and the summary says it. */
async function abandon(publishing: Publishing, message: string, log: Logger): Promise<void> {
  await appendJobSummary(`### ❌ preadmit: the scan did not run\n\n\`\`\`text\n${message.replace(/`{3,}/g, '``')}\n\`\`\`\n`, log);
  if (publishing.api === undefined || publishing.target === undefined || publishing.started?.ok === false) return;
  const done = await completeCheckRun(publishing.api, publishing.target, publishing.started?.id, {
    conclusion: 'failure',
    title: 'The scan did not run',
    summary: `\`\`\`text\n${message.slice(0, 60_000).replace(/`{3,}/g, '``')}\n\`\`\``,
    annotations: [],
  });
  if (!done.ok && done.error) log.info(`preadmit: ${describeFailure('the check run', { error: done.error, forbidden: done.forbidden === true })}`);
}

/**
 * The pull request to comment on: the event's own, or on workflow_run the one named by the `pull-request`
 * input (or the run's same-repository pull request), once GitHub confirms its head is the scanned commit.
 */
async function pullRequestFor(inputs: ActionInputs, ctx: RunContext, api: GitHubApi, notes: string[], log: Logger): Promise<{ number: number; headSha: string } | undefined> {
  if (ctx.pullRequest !== undefined) return ctx.pullRequest;
  const headSha = ctx.sha;
  if (ctx.repository === undefined || headSha === undefined) return undefined;
  const number = inputs.pullRequest ?? ctx.workflowRun?.pullRequests.find((p) => p.headSha === headSha)?.number;
  if (number === undefined) return undefined;
  const verified = await verifyPullRequest(api, ctx.repository, number, headSha);
  if (!verified.ok) {
    const line = `not commenting: ${verified.reason}`;
    log.info(`preadmit: ${line}`);
    notes.push(line);
    return undefined;
  }
  return { number, headSha };
}

/**
 * The proven fixes of new findings on lines the pull request changed, as suggested changes in one review
 * that replaces the earlier one (publish/suggestions.ts). Returns the findings whose fixes were suggested
 * and how many edits that was; on any failure none were, and the comment lists every fix. A refusal never fails the run: a warning
 * names the permission.
 */
async function publishSuggestionsFor(
  result: ScanResult,
  inputs: ActionInputs,
  ctx: RunContext,
  api: GitHubApi | undefined,
  pr: { number: number; headSha: string } | undefined,
  appSlug: string | undefined,
  changed: ChangedLines | undefined,
  notes: string[],
  log: Logger,
): Promise<{ findings: Finding[]; edits: number }> {
  const none = { findings: [], edits: 0 };
  if (api === undefined || ctx.repository === undefined || pr === undefined) return none;
  const rules = new Map(ruleMetas(RULES).map((r) => [r.id, r]));
  const atHead = await filesAtHead(api, ctx.repository, pr.headSha, candidateFiles(result, changed));
  const plan = planSuggestions(result, changed, (file) => atHead.get(file), rules);
  const marker = suggestionsMarker(inputs.checkName);
  const published = await publishSuggestions(
    api,
    { ...ctx.repository, pullNumber: pr.number, headSha: pr.headSha },
    {
      marker,
      body: reviewBody(marker, plan.suggested.length, plan.elsewhere.length),
      supersededBody: supersededBody(supersededMarker(inputs.checkName), pr.headSha),
      comments: plan.suggested.map((e) => reviewComment(e, rules)),
      ...(appSlug !== undefined && { author: appBot(appSlug) }),
    },
    sleepFromEnv(),
  );
  const cleared = published.superseded > 0 ? `; ${plural(published.superseded, 'earlier review')} superseded (${plural(published.deletedComments, 'suggestion')} removed)` : '';
  if (!published.ok) {
    const line = describeFailure('the suggested changes (a pull request review)', published);
    if (published.forbidden) log.warning(`preadmit: ${line}`);
    else log.info(`preadmit: ${line}`);
    notes.push(line);
    return none;
  }
  const elsewhere = plan.elsewhere.length > 0 ? `; ${plural(plan.elsewhere.length, 'proven fix', 'proven fixes')} listed in the comment instead (${elsewhereSummary(plan.elsewhere)})` : '';
  if (published.action === 'none') log.info(`preadmit: no suggested changes (no review)${elsewhere}${cleared}`);
  else log.info(`preadmit: ${plural(plan.suggested.length, 'suggested change')} in a pull request review (${published.action}${published.url ? `, ${published.url}` : ''})${elsewhere}${cleared}`);
  return published.action === 'none' ? none : { findings: plan.suggested.flatMap((e) => e.findings), edits: plan.suggested.length };
}

async function publish(result: ScanResult, inputs: ActionInputs, ctx: RunContext, publishing: Publishing, files: ReportFiles, log: Logger, baseNote?: string): Promise<AfterWindow> {
  const conclusion: Conclusion = conclusionOf(result, inputs.advisory);
  const fileUrl: FileUrl | undefined =
    ctx.repository !== undefined && ctx.sha !== undefined ? blobUrl(ctx.serverUrl, ctx.repository.owner, ctx.repository.repo, ctx.sha) : undefined;
  const compose = (limit: number, limitName: string, prefix?: string, statistics = false, fixes: Pick<ComposeOptions, 'fixes' | 'fixesIntro'> = {}) =>
    composeReport(result, { rules: RULES, limit, limitName, statistics, ...fixes, ...(fileUrl !== undefined && { fileUrl }), ...(prefix !== undefined && { prefix }), ...(baseNote !== undefined && { baseNote }) });

  // 3. Everything that needs no token.
  const { sarif: sarifFile, json: reportJson } = files;
  let unwritten: string | undefined;
  try {
    writeOutputFile(sarifFile, render('sarif', result, { rules: RULES }), inputs.sarifFile !== undefined ? ctx.workspace : ctx.tempDir, 'the SARIF report');
    writeOutputFile(reportJson, render('json', result, { rules: RULES }), ctx.tempDir, 'the JSON report');
  } catch (error) {
    if (!(error instanceof OutputFileError)) throw error;
    unwritten = error.message;
    log.info(`preadmit: ${unwritten}`);
  }
  log.info(render('text', result, { rules: RULES, color: false }));
  log.info(`preadmit: SARIF report ${sarifFile}, JSON report ${reportJson}`);
  await appendJobSummary(compose(JOB_SUMMARY_LIMIT - SUMMARY_RESERVE, LIMIT_NAMES.summary, undefined, true), log);
  setOutputs({ findings: result.summary.findings, blocking: result.summary.blocking, sarifFile, reportJson, conclusion });

  // 4. The check run and the comment.
  // With a base, annotations go on the lines the pull request changed where the cause is on one.
  // Suggested changes (proven fixes) go on changed lines too.
  const fixable = inputs.suggestions ? fixableFindings(result) : [];
  const changedFiles = [...(inputs.annotations ? annotatedFindings(result).flatMap(annotationFiles) : []), ...fixable.map((f) => f.fix!.file)];
  const changed = result.base !== undefined && changedFiles.length > 0 ? await changedLinesSince(ctx.workspace, result.base.sha, changedFiles) : undefined;
  const annotations: CheckAnnotation[] = inputs.annotations ? annotationsFor(result, changed) : [];
  const notes: string[] = unwritten !== undefined ? [unwritten] : [];
  let check: CompleteResult | undefined;
  const { api, target, started } = publishing;
  const checksForbidden = started !== undefined && !started.ok && started.forbidden;
  if (api !== undefined && target !== undefined && !checksForbidden) {
    check = await completeCheckRun(api, target, started?.ok ? started.id : undefined, {
      conclusion,
      title: checkTitle(result, conclusion),
      summary: compose(CHECK_SUMMARY_LIMIT - 1_000, LIMIT_NAMES.check),
      annotations,
    });
    if (check.ok) {
      log.info(
        `preadmit: check run "${target.name}" on ${target.headSha.slice(0, 12)}: ${conclusion}, ${plural(check.annotated, 'annotation')} in ${plural(check.requests, 'request')}${check.url ? ` (${check.url})` : ''}`,
      );
      if (check.omitted > 0) notes.push(`${check.omitted} annotations beyond the first ${check.annotated} were left out of the check run; the SARIF and JSON reports have every finding.`);
    } else if (check.error) {
      const line = describeFailure('the check run', { error: check.error, forbidden: check.forbidden === true });
      log.info(`preadmit: ${line} (${check.annotated} of ${annotations.length} annotations were published)`);
      notes.push(line);
    }
  } else if (started !== undefined && !started.ok) {
    notes.push(describeFailure('the check run', started));
  }

  const pr = (inputs.comment || inputs.suggestions) && api !== undefined ? await pullRequestFor(inputs, ctx, api, notes, log) : ctx.pullRequest;
  // The app our check run belongs to is the token's identity: its bot wrote our earlier comments and reviews.
  const appSlug = (started?.ok ? started.app : undefined) ?? check?.app;

  // Before the comment: the fixes that could not be suggested on the diff are listed in it.
  const suggested = inputs.suggestions ? await publishSuggestionsFor(result, inputs, ctx, api, pr, appSlug, changed, notes, log) : { findings: [], edits: 0 };

  let comment: CommentResult | undefined;
  if (!inputs.comment) {
    log.info('preadmit: comment is off: no pull request comment');
  } else if (pr === undefined) {
    log.info(`preadmit: ${ctx.eventName || 'this'} event is not about a pull request: no comment`);
  } else if (api !== undefined && ctx.repository !== undefined) {
    const marker = commentMarker(inputs.checkName);
    const clean = isClean(result);
    // Proven fixes not suggested on the diff, collapsed with their diffs.
    const listed = new Set(suggested.findings);
    const fixes = {
      fixes: fixableFindings(result).filter((f) => !listed.has(f)),
      ...(suggested.edits > 0 && { fixesIntro: `${plural(suggested.edits, 'more proven fix', 'more proven fixes')} ${suggested.edits === 1 ? 'is a suggested change' : 'are suggested changes'} on this pull request's diff (preadmit's review).` }),
    };
    comment = await publishComment(
      api,
      { ...ctx.repository, issueNumber: pr.number },
      {
        marker,
        body: compose(COMMENT_LIMIT - 1_000, LIMIT_NAMES.comment, `${marker}\n`, false, fixes),
        resolvedBody: compose(
          COMMENT_LIMIT - 1_000,
          LIMIT_NAMES.comment,
          `${marker}\n> [!TIP]\n> Resolved: ${result.base !== undefined ? 'this pull request adds no findings' : 'the findings reported here earlier are gone'} as of commit \`${pr.headSha.slice(0, 12)}\`.\n\n`,
        ),
        clean,
        whenClean: inputs.commentWhenClean,
        ...(appSlug !== undefined && { author: appBot(appSlug) }),
      },
      sleepFromEnv(),
    );
    if (comment.ok) {
      log.info(`preadmit: pull request comment ${comment.action}${comment.url ? ` (${comment.url})` : ''}`);
    } else {
      const line = describeFailure('the pull request comment', comment);
      log.info(`preadmit: ${line}`);
      notes.push(line);
    }
  }

  // 5. The fallback: without a check run, the most severe findings as workflow-command annotations.
  // They are workflow commands: issued by run() after the stop-commands window closes.
  const after: AfterWindow = {};
  const failing = conclusion === 'failure';
  const checkMissing = api === undefined || target === undefined || checksForbidden || (check !== undefined && !check.ok);
  if (annotations.length > 0 && checkMissing) {
    const partial = check !== undefined && check.annotated > 0;
    if (!partial) {
      const selection = selectForWorkflowCommands(annotations, { failure: failing ? 1 : 0, warning: 1 });
      const fork = checksForbidden && ctx.pullRequest?.fromFork ? ' (pull request from a fork: the token is read-only)' : '';
      after.annotate = () => {
        log.warning(
          `preadmit: no check run could be published${fork}; ` +
            `the most severe findings are annotated from this step instead (GitHub shows 10 per level), and the job summary has the full report. ` +
            `For check runs and comments on fork pull requests, see "Pull requests from forks" in the preadmit README.`,
        );
        emitWorkflowCommands(selection, 'The job summary and the SARIF report list every finding.');
      };
      notes.push(`Annotated the ${selection.selected.length} most severe of ${annotations.length} findings and errors from the workflow step instead.`);
    }
  }
  if (notes.length > 0) {
    await appendJobSummary(`\n> [!WARNING]\n> **Publishing to GitHub was incomplete**\n${notes.map((n) => `> - ${n.replace(/\n/g, ' ')}`).join('\n')}\n`.slice(0, SUMMARY_RESERVE - 1_000), log);
  }

  // 6. The exit status.
  if (failing) {
    const errors = plural(result.errors.length, 'input error');
    after.failed =
      result.summary.blocking > 0
        ? `preadmit: ${plural(result.summary.blocking, 'blocking finding')} at or above ${result.summary.failOn}${result.errors.length > 0 ? `, and ${errors}` : ''}`
        : `preadmit: ${errors}: parts of the input could not be scanned (see the annotations and the job summary)`;
  } else if (unwritten !== undefined) {
    after.failed = `preadmit: ${unwritten}`;
  } else if (conclusion === 'neutral') {
    log.info(`preadmit: advisory mode: ${plural(result.summary.blocking, 'finding')} at or above ${result.summary.failOn} would block; the step passes`);
  }
  return after;
}
