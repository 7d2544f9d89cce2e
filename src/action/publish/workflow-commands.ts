// The fallback when the token cannot write check runs (fork pull requests, missing `permissions:`):
// annotations as workflow commands (::error file=…,line=…::). GitHub shows at most 10 errors, 10 warnings
// and 10 notices per step and silently drops the rest, so only the most severe are emitted, slots are
// left for the step's own messages (the failure message, the fallback warning), and one notice says how
// many were left out and where they are.
//
// These are real commands, so they go out after the log's stop-commands window is closed (run.ts). Their
// values come from scanned files: each is defused (no `::` or `##[`, see reporters/runner-commands.ts) and then
// escaped by @actions/core as the runner unescapes it (data: % CR LF; properties: also `:` and `,`), so a
// value can neither end its property, nor its command, nor start a line of its own.
import * as core from '@actions/core';
import { defuseRunnerCommands as inert } from '../../reporters/runner-commands.ts';
import type { AnnotationLevel, CheckAnnotation } from './annotations.ts';

/** GitHub's display limit per level and step. */
export const PER_STEP_LIMIT = 10;

export interface Selection {
  selected: CheckAnnotation[];
  /** Annotations not emitted. */
  omitted: number;
}

/**
 * The most severe annotations that fit the per-step limits. `reserved` counts slots taken by other
 * messages of the step (setFailed is an error, the fallback explanation a warning); one notice slot is
 * kept for the "N more" note when anything is left out.
 */
export function selectForWorkflowCommands(annotations: readonly CheckAnnotation[], reserved: Partial<Record<AnnotationLevel, number>> = {}): Selection {
  const room: Record<AnnotationLevel, number> = {
    failure: Math.max(0, PER_STEP_LIMIT - (reserved.failure ?? 0)),
    warning: Math.max(0, PER_STEP_LIMIT - (reserved.warning ?? 0)),
    notice: Math.max(0, PER_STEP_LIMIT - (reserved.notice ?? 0)),
  };
  const fitsAll = (['failure', 'warning', 'notice'] as const).every((level) => annotations.filter((a) => a.annotation_level === level).length <= room[level]);
  if (!fitsAll) room.notice = Math.max(0, room.notice - 1);
  const selected: CheckAnnotation[] = [];
  for (const a of annotations) {
    if (room[a.annotation_level] > 0) {
      room[a.annotation_level]--;
      selected.push(a);
    }
  }
  return { selected, omitted: annotations.length - selected.length };
}

/** Emits the selection (and the "N more" notice) as workflow commands. */
export function emitWorkflowCommands(selection: Selection, whereElse: string): void {
  for (const a of selection.selected) {
    const properties: core.AnnotationProperties = { title: inert(a.title), file: inert(a.path), startLine: a.start_line, endLine: a.end_line };
    const message = inert(a.message);
    if (a.annotation_level === 'failure') core.error(message, properties);
    else if (a.annotation_level === 'warning') core.warning(message, properties);
    else core.notice(message, properties);
  }
  if (selection.omitted > 0) {
    core.notice(
      `${selection.omitted} more ${selection.omitted === 1 ? 'annotation is' : 'annotations are'} not shown: GitHub shows at most ${PER_STEP_LIMIT} of each level per step. ${whereElse}`,
      { title: 'preadmit: more findings' },
    );
  }
}
