// The step outputs other steps read (steps.<id>.outputs.*).
import * as core from '@actions/core';
import type { Conclusion } from '../report.ts';

export interface ActionOutputs {
  findings: number;
  blocking: number;
  sarifFile: string;
  reportJson: string;
  conclusion: Conclusion;
}

export function setOutputs(outputs: ActionOutputs): void {
  core.setOutput('findings', outputs.findings);
  core.setOutput('blocking', outputs.blocking);
  core.setOutput('sarif-file', outputs.sarifFile);
  core.setOutput('report-json', outputs.reportJson);
  core.setOutput('conclusion', outputs.conclusion);
}
