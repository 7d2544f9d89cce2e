// Values from scanned files reach every output escaped for it: Markdown and HTML in comments and summaries,
// workflow-command escaping for annotations, terminals without control characters, JSON and SARIF by
// construction. End to end: hostile file names, object names and helm messages go through a real scan.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { annotationsFor } from '../../src/action/publish/annotations.ts';
import { emitWorkflowCommands, selectForWorkflowCommands } from '../../src/action/publish/workflow-commands.ts';
import { composeReport } from '../../src/action/report.ts';
import type { ScanResult } from '../../src/core/model.ts';
import { scan } from '../../src/core/scan.ts';
import { FORMATS, render } from '../../src/reporters/index.ts';
import { corpusDir, helm3, workspace } from './helpers.ts';

const INJECTIONS = {
  html: '<img src=x onerror=alert(1)>',
  script: '<script>alert(1)</script>',
  mention: '@octocat',
  reference: '#1',
  link: '[click](https://evil.example/phish)',
  image: '![x](https://evil.example/p.png)',
  comment: '<!-- preadmit -->',
  workflow: '::error file=x::injected',
  escaped: '%0A::warning::encoded',
  ansi: '\u001b[2J\u001b[31mred',
  bidi: 'abc\u202edcba',
  newline: 'line1\n::notice::line2',
  carriage: 'over\rwrite',
};
const ALL = Object.values(INJECTIONS).join(' ');

/** A workspace whose file names, object names and helm messages carry every injection. */
async function hostileScan(): Promise<ScanResult> {
  const dir = workspace();
  const name = (s: string) => JSON.stringify(s);
  writeFileSync(
    path.join(dir, 'pod.yaml'),
    `apiVersion: v1
kind: Pod
metadata:
  name: ${name(`pod ${ALL}`)}
  namespace: ${name(INJECTIONS.mention)}
spec:
  containers:
    - name: ${name(`c ${ALL}`)}
      image: ${name(`registry.example/${INJECTIONS.html}:1`)}
      securityContext:
        privileged: true
`,
  );
  // A file name with markup and a newline that starts a workflow command (git allows both).
  writeFileSync(path.join(dir, `broken ${INJECTIONS.html} ${INJECTIONS.mention}\n::error::pwned.yaml`), 'apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n');
  const result = await scan({
    paths: [dir, path.join(corpusDir, 'charts', 'chart-fail-hostile-message')],
    helmPath: helm3(),
  });
  expect(result.findings.length).toBeGreaterThan(0);
  expect(result.errors).toHaveLength(2);
  return result;
}

/** Lines a workflow runner would execute as commands: `::` after leading whitespace. */
const commandLines = (text: string) => text.split(/\r?\n|\r/).filter((line) => line.trimStart().startsWith('::'));

describe('hostile values in every output', () => {
  let result: ScanResult;
  const scanned = async () => (result ??= await hostileScan());

  afterEach(() => vi.restoreAllMocks());

  it('text: no control characters, no value on a line of its own', async () => {
    const text = render('text', await scanned(), { rules: RULES });
    expect(text).toContain('onerror=alert'); // the values are there, as data
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    expect(commandLines(text)).toEqual([]);
  });

  it('markdown (comment and summary): no live HTML, mention, link, image or command', async () => {
    const md = composeReport(await scanned(), { rules: RULES, limit: 65_536 });
    expect(md).toContain('onerror=alert');
    expect(md).toContain('pwned');
    expect(md).not.toMatch(/<img|<script|<!-- preadmit -->/);
    expect(md).not.toMatch(/@octocat/); // a joiner follows every @
    expect(md).not.toMatch(/\]\(https:\/\/evil/);
    expect(md).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u202e]/);
    expect(commandLines(md)).toEqual([]);
  });

  it('json and sarif: valid documents that give back the exact values', async () => {
    const r = await scanned();
    const json = JSON.parse(render('json', r, { rules: RULES })) as ScanResult;
    expect(json.findings.some((f) => f.object.name === `pod ${ALL}`)).toBe(true);
    const sarif = JSON.parse(render('sarif', r, { rules: RULES })) as { runs: { results: unknown[] }[] };
    expect(sarif.runs[0]!.results.length).toBeGreaterThan(0);
    for (const format of FORMATS) expect(commandLines(render(format, r, { rules: RULES }))).toEqual([]);
  });

  it('workflow-command annotations: every command is ours, properties and messages escaped', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const selection = selectForWorkflowCommands(annotationsFor(await scanned()));
    emitWorkflowCommands(selection, 'See the job summary.');
    vi.restoreAllMocks();
    const out = written.join('');
    const commands = commandLines(out);
    expect(commands.length).toBe(selection.selected.length + (selection.omitted > 0 ? 1 : 0));
    // Properties (file=, title=) hold no raw `:` or `,`: core escapes them, so each line is one command.
    for (const line of commands) expect(line).toMatch(/^::(error|warning|notice)(?: (?:[a-zA-Z]+=[^:,]*)(?:,[a-zA-Z]+=[^:,]*)*)?::/);
    expect(out).toContain('%0A'); // the newlines of values were escaped, not emitted
  });

  it('helm messages keep no control character and no line that reads as a command', async () => {
    const error = (await scanned()).errors.find((e) => e.chart !== undefined)!;
    expect(error.message).toMatch(/onerror=alert/); // reported as data...
    expect(error.message).not.toMatch(/\u001b/); // ...without terminal escapes
    expect(commandLines(error.message)).toEqual([]);
  });
});
