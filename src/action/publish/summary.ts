// The job summary ($GITHUB_STEP_SUMMARY): the same report as the comment, with room for everything up to
// the runner's 1 MiB per step. It needs no token, so it is written before any API call and is the one
// place the full results are guaranteed to appear.
import * as core from '@actions/core';
import type { Logger } from '../logger.ts';

/** Appends Markdown to the step summary; false when the runner gave no summary file or writing failed. */
export async function appendJobSummary(markdown: string, log: Logger): Promise<boolean> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    log.info('GITHUB_STEP_SUMMARY is not set: no job summary written');
    return false;
  }
  try {
    await core.summary.addRaw(markdown, true).write();
    return true;
  } catch (error) {
    log.info(`could not write the job summary: ${(error as Error).message}`);
    core.summary.emptyBuffer();
    return false;
  }
}
