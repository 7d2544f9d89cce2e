// Whether the run compares with a base, and with which: on a pull request, its base commit
// (pull_request.base.sha, a commit of the base repository named by the event, so a fork's pull request is
// compared with the base repository's own code, never with anything the fork supplies); on pushes and
// manual runs there is no base, and every finding gates unless the configuration names a baseline file.
import type { RunContext } from './context.ts';
import type { ActionInputs, Gate } from './inputs.ts';

export type BasePlan =
  /** No pull request: no comparison (every finding gates, or the baseline file decides). */
  | { kind: 'none' }
  | { kind: 'compare'; revision: string; gate: Gate; all: boolean }
  /** A pull request whose base cannot be named: scan without one, say so, gate on everything. */
  | { kind: 'unavailable'; reason: string };

/** pull_request, pull_request_target, and the review events that also run on a pull request's code. */
export function isPullRequestEvent(eventName: string): boolean {
  return eventName.startsWith('pull_request');
}

export function basePlan(inputs: Pick<ActionInputs, 'gate' | 'changedOnly'>, ctx: Pick<RunContext, 'eventName' | 'pullRequest'>): BasePlan {
  if (!isPullRequestEvent(ctx.eventName)) return { kind: 'none' };
  const revision = ctx.pullRequest?.baseSha;
  if (revision === undefined) return { kind: 'unavailable', reason: 'the event payload has no pull_request.base.sha' };
  return { kind: 'compare', revision, gate: inputs.gate ?? 'new', all: !inputs.changedOnly };
}

/** The warning shown in the log, the comment and the summary when the base could not be had. */
export function baseUnavailableNote(reason: string): string {
  return `no comparison with the pull request's base (${reason}): every finding is reported as if new and gates this run`;
}
