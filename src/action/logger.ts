// The log of a run. Publishing code takes a Logger, so it runs (and is tested) without @actions/core.
// Plain lines only: workflow-command annotations are counted and emitted by publish/workflow-commands.ts,
// because GitHub shows at most 10 of each level per step.
import * as core from '@actions/core';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  /** A warning annotation: use sparingly, it takes one of the step's 10 warning slots. */
  warning(message: string): void;
}

export const actionsLogger: Logger = {
  debug: (message) => core.debug(message),
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
};

/** A Logger that records lines, for tests and for composing notes. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: (m) => lines.push(`debug: ${m}`),
    info: (m) => lines.push(m),
    warning: (m) => lines.push(`warning: ${m}`),
  };
}
