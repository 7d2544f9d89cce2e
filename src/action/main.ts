// GitHub Action entry (dist/index.js). Everything lives in run.ts; a bug that escapes it still fails the step.
import '../v8-tiering.ts';
import * as core from '@actions/core';
import { run } from './run.ts';

run().catch((error: unknown) => core.setFailed(`preadmit: internal error (please report it): ${(error as Error).stack ?? String(error)}`));
