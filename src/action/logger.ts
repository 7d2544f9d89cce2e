// The log of a run. Publishing code takes a Logger, so it runs (and is tested) without @actions/core.
// Plain lines only: workflow-command annotations are counted and emitted by publish/workflow-commands.ts,
// because GitHub shows at most 10 of each level per step.
//
// Everything logged may carry text from the pull request, so it is printed inert twice over: every line is
// defused (no `::` or `##[` the runner could read, see reporters/runner-commands.ts), and while the report is
// printed the runner's command processing is off (`::stop-commands::<token>` ... `::<token>::`, with a
// random token per window that no scanned file can know). Real commands (annotations, setFailed, add-mask)
// go out only while no window is open: use CommandWindow.outside, or close it first.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import * as core from '@actions/core';
import { defuseRunnerCommands } from '../reporters/runner-commands.ts';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  /** A warning annotation: use sparingly, it takes one of the step's 10 warning slots. */
  warning(message: string): void;
}

/** Writes raw text to stdout; the window's own commands go through it (tests replace it). */
export type Write = (text: string) => void;
const stdoutWrite: Write = (text) => void process.stdout.write(text);

/**
 * The span of the log in which the runner executes no workflow command. While it is open, debug lines
 * (which are commands) become plain lines when the runner asked for debug output; a warning closes it
 * for its own line and opens it again with a new token.
 */
export class CommandWindow {
  private token: string | undefined;

  constructor(private readonly write: Write = stdoutWrite) {}

  get isOpen(): boolean {
    return this.token !== undefined;
  }

  /** Stops command processing until close(); a new unguessable token each time. */
  open(): void {
    if (this.token !== undefined) return;
    this.token = `preadmit-${randomBytes(16).toString('hex')}`;
    this.write(`::stop-commands::${this.token}${os.EOL}`);
  }

  /** Resumes command processing (idempotent). */
  close(): void {
    if (this.token === undefined) return;
    this.write(`::${this.token}::${os.EOL}`);
    this.token = undefined;
  }

  /** Runs `fn` with commands on (for add-mask and the like), then reopens the window if it was open. */
  outside<T>(fn: () => T): T {
    const wasOpen = this.isOpen;
    this.close();
    try {
      return fn();
    } finally {
      if (wasOpen) this.open();
    }
  }
}

/** The one window of this process (main.ts closes it before reporting a crash). */
export const commandWindow = new CommandWindow();

export const actionsLogger: Logger = {
  debug: (message) => {
    if (!commandWindow.isOpen) core.debug(defuseRunnerCommands(message));
    else if (core.isDebug()) core.info(`debug: ${defuseRunnerCommands(message)}`);
  },
  info: (message) => core.info(defuseRunnerCommands(message)),
  // A warning is a command: issued with the window briefly closed (its text defused), so it still shows.
  warning: (message) => commandWindow.outside(() => core.warning(defuseRunnerCommands(message))),
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
