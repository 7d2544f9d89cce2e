// action.yml, the inputs the Action reads, and the README's tables must agree.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readInputs } from '../../src/action/inputs.ts';
import { repoRoot } from '../helpers/shared.ts';

interface ActionYml {
  runs: { using: string; main: string };
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
}

const actionYml = parse(readFileSync(path.join(repoRoot, 'action.yml'), 'utf8')) as ActionYml;
// The README section lives beside the Action until it is merged into README.md.
const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

function tableNames(section: string): string[] {
  const start = readme.indexOf(section);
  expect(start, section).toBeGreaterThanOrEqual(0);
  const table = readme.slice(start).split('\n\n').find((block) => block.startsWith('|'))!;
  return table
    .split('\n')
    .slice(2)
    .map((row) => /^\| `([^`]+)` \|/.exec(row)?.[1])
    .filter((name): name is string => name !== undefined);
}

describe('action.yml', () => {
  it('runs the ESM bundle on node24', () => {
    expect(actionYml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('declares exactly the inputs the Action reads, none required, defaults accepted by readInputs', () => {
    const read: string[] = [];
    readInputs((name) => {
      read.push(name);
      return name === 'github-token' ? '' : (actionYml.inputs[name]?.default ?? '');
    });
    expect([...new Set(read)].sort()).toEqual(Object.keys(actionYml.inputs).sort());
    for (const [name, input] of Object.entries(actionYml.inputs)) expect(input.required, name).toBe(false);
    expect(actionYml.inputs['github-token']?.default).toBe('${{ github.token }}');
  });

  it('is documented input by input and output by output in the README section', () => {
    expect(tableNames('### Inputs')).toEqual(Object.keys(actionYml.inputs));
    expect(tableNames('### Outputs')).toEqual(Object.keys(actionYml.outputs));
    expect(Object.keys(actionYml.outputs).sort()).toEqual(['blocking', 'conclusion', 'findings', 'report-json', 'sarif-file']);
  });

  it('the README workflows ask for least privilege', () => {
    const usage = readme.slice(readme.indexOf('### Usage'), readme.indexOf('### Inputs'));
    expect(usage).toContain('contents: read');
    expect(usage).toContain('checks: write');
    expect(usage).toContain('pull-requests: write');
    expect(usage).not.toContain('security-events');
    expect(readme).toContain('security-events: write   # only for the SARIF upload');
    expect(readme).toMatch(/Do not scan pull requests with `pull_request_target`/);
  });
});
