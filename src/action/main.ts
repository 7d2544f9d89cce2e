// GitHub Action entry (dist/index.js). Everything lives in run.ts; a bug that escapes it still fails the step,
// with the log's stop-commands window closed first so that the failure is a real error annotation.
import '../v8-tiering.ts';
import * as core from '@actions/core';
import { defuseRunnerCommands } from '../reporters/runner-commands.ts';
import { commandWindow } from './logger.ts';
import { run } from './run.ts';

run().catch((error: unknown) => {
  commandWindow.close();
  core.setFailed(defuseRunnerCommands(`preadmit: internal error (please report it): ${(error as Error).stack ?? String(error)}`));
});
