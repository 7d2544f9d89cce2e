// GitHub Action entry. The only layer that touches @actions/*: read inputs, run the core scan, publish.
// Check runs, annotations and the sticky comment come with the Action issue; this publishes the job
// summary, the SARIF file, the outputs and the exit status.
import { writeFileSync } from 'node:fs';
import * as core from '@actions/core';
import { RULES } from '../../rules/index.ts';
import { UsageError } from '../core/errors.ts';
import type { FailOn } from '../core/model.ts';
import { scan } from '../core/scan.ts';
import { render } from '../reporters/index.ts';

function list(name: string): string[] {
  return core
    .getInput(name)
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

async function run(): Promise<void> {
  try {
    const failOn = core.getInput('fail-on') || undefined;
    const result = await scan({
      paths: list('paths').length > 0 ? list('paths') : ['.'],
      ...(core.getInput('config') ? { configFile: core.getInput('config') } : {}),
      ...(failOn ? { failOn: failOn as FailOn } : {}),
      ...(core.getInput('pss-version') ? { pssVersion: core.getInput('pss-version') } : {}),
      valuesFiles: list('values-files'),
      ...(core.getInput('helm') ? { helmPath: core.getInput('helm') } : {}),
    });
    const sarifFile = core.getInput('sarif-file') || 'preadmit.sarif';
    writeFileSync(sarifFile, render('sarif', result, { rules: RULES }));
    const reportFile = 'preadmit-report.json';
    writeFileSync(reportFile, render('json', result, { rules: RULES }));
    core.info(render('text', result, { rules: RULES, color: false }));
    await core.summary.addRaw(render('markdown', result, { rules: RULES, maxLength: 1_000_000 })).write();
    core.setOutput('findings', result.summary.findings);
    core.setOutput('blocking', result.summary.blocking);
    core.setOutput('sarif-file', sarifFile);
    core.setOutput('report-json', reportFile);
    core.setOutput('conclusion', result.summary.verdict === 'fail' ? 'failure' : 'success');
    if (result.summary.verdict === 'fail') {
      core.setFailed(`preadmit: ${result.summary.blocking} blocking finding(s), ${result.errors.length} input error(s)`);
    }
  } catch (error) {
    if (error instanceof UsageError) core.setFailed(`preadmit: ${error.message}`);
    else core.setFailed(`preadmit: internal error (please report it): ${(error as Error).stack ?? String(error)}`);
  }
}

void run();
