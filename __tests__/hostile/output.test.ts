// Values from scanned files reach every output escaped for it: Markdown and HTML in comments and summaries,
// workflow-command escaping for annotations, terminals without control characters, JSON and SARIF by
// construction. End to end: hostile file names, object names and helm messages go through a real scan.
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { actionsLogger } from '../../src/action/logger.ts';
import { main } from '../../src/cli.ts';
import { defuseRunnerCommands, defuseRunnerCommandsInJson, hasRunnerCommand, MAYBE_IGNORABLE } from '../../src/reporters/runner-commands.ts';
import { executedCommands } from '../action/helpers/runner.ts';
import { sampleResult } from '../reporters/fixtures.ts';
import { annotationsFor } from '../../src/action/publish/annotations.ts';
import { emitWorkflowCommands, selectForWorkflowCommands } from '../../src/action/publish/workflow-commands.ts';
import { composeReport } from '../../src/action/report.ts';
import type { ScanResult } from '../../src/model/model.ts';
import { scan } from '../../src/pipeline/scan.ts';
import { FORMATS, render } from '../../src/reporters/index.ts';
import { corpusDir, helm3, PRIVILEGED_POD, workspace } from './helpers.ts';

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

describe('runner commands in untrusted text', () => {
  it('the model of the runner finds every form it executes (so the tests below can fail)', () => {
    const names = (text: string) => executedCommands(text).map((c) => c.name);
    expect(names('pod ##[add-mask]CRITICAL')).toEqual(['add-mask']);
    expect(names('x #\u0591#[set-output name=conclusion]success')).toEqual(['set-output']);
    expect(names('  ::error::a\rb ##[warning]c')).toEqual(['error', 'warning']);
    expect(names(':\u200b:warning::zero-width')).toEqual(['warning']);
    expect(names('::stop-commands::t\n::error::hidden\n##[error]hidden\n::T::\n::error::shown')).toEqual(['stop-commands', 't', 'error']);
    expect(names('::stop-commands::t\n::error::hidden\n::error::still hidden')).toEqual(['stop-commands']);
  });

  it('are broken up so that no form is left, and the values stay readable', () => {
    expect(defuseRunnerCommands('##[add-mask]CRITICAL')).toBe('## [add-mask]CRITICAL');
    expect(defuseRunnerCommands('::error::pwned')).toBe(': :error: :pwned');
    expect(defuseRunnerCommands(':::')).toBe(': : :');
    expect(defuseRunnerCommands('###[[')).toBe('### [[');
    expect(defuseRunnerCommands('#\u0591#\u200b[x]')).toBe('#\u0591#\u200b [x]');
    expect(defuseRunnerCommands(':\u200b\u0640:')).toBe(': \u200b\u0640:');
    expect(defuseRunnerCommands('image: nginx:1.27 # [note]')).toBe('image: nginx:1.27 # [note]');
    for (const text of ['##[error]x', ':\u0300:x', '#\ufe0f#[y]']) expect(hasRunnerCommand(defuseRunnerCommands(text))).toBe(false);
  });

  it('leave nothing the runner would execute, for any mix of the characters that matter', () => {
    const alphabet = fc.constantFrom(':', '#', '[', ']', ' ', '\n', '\r', 'a', '=', ',', '%', '\u200b', '\u0591', '\u0640', '\u0000', '\u0085', 'error', 'add-mask', 'stop-commands');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }), (parts) => {
        const text = defuseRunnerCommands(parts.join(''));
        expect(executedCommands(text)).toEqual([]);
        expect(hasRunnerCommand(text)).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it('treat as possibly ignorable every character this ICU collates as ignorable', () => {
    // .NET compares culture-sensitively with ICU: a character ICU ignores between two `#` makes `#x#[` read as `##[`.
    const collator = new Intl.Collator('und', { sensitivity: 'variant' });
    const covered = new RegExp(`^${MAYBE_IGNORABLE}$`, 'u');
    const missed: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const c = String.fromCodePoint(cp);
      if (collator.compare(`#${c}#`, '##') === 0 && !covered.test(c)) missed.push(cp.toString(16));
    }
    expect(missed).toEqual([]);
    // And nothing but `:` itself collates equal to `:` (or `#`, `[` to themselves).
    for (const [c, alike] of [[':', 'U+FF1A'], ['#', 'U+FF03'], ['[', 'U+FF3B']] as const) {
      expect(collator.compare(String.fromCodePoint(Number.parseInt(alike.slice(2), 16)), c)).not.toBe(0);
    }
  }, 30_000);

  it('in JSON and SARIF, become escapes inside strings: the document parses to exactly the same values', () => {
    const r = sampleResult();
    const names = ['##[add-mask]CRITICAL', '::error::x', '#\u0591#[set-output name=a]b', ':\u200b:warning::y'];
    const withNames = { ...r, findings: r.findings.map((f, i) => ({ ...f, object: { ...f.object, name: names[i % names.length]! } })) };
    for (const format of ['json', 'sarif'] as const) {
      const text = render(format, withNames, { rules: RULES });
      expect(hasRunnerCommand(text)).toBe(true);
      const inert = defuseRunnerCommandsInJson(text);
      expect(hasRunnerCommand(inert)).toBe(false);
      expect(executedCommands(inert)).toEqual([]);
      expect(JSON.parse(inert)).toEqual(JSON.parse(text));
    }
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(fc.constantFrom(':', '#', '[', '\u200b', 'a'), { maxLength: 12 }), (value, key) => {
        const doc = JSON.stringify({ [key.join('')]: value, v: key.join('') }, null, 2);
        const inert = defuseRunnerCommandsInJson(doc);
        expect(JSON.parse(inert)).toEqual(JSON.parse(doc));
        expect(hasRunnerCommand(inert)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('the Action’s log lines are defused, whatever the caller passes', () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    actionsLogger.info('object ##[add-mask]CRITICAL and ::set-output name=x::y');
    vi.restoreAllMocks();
    expect(written.join('')).toBe('object ## [add-mask]CRITICAL and : :set-output name=x: :y\n');
    expect(executedCommands(written.join(''))).toEqual([]);
  });
});

describe('CLI --output never writes through a link', () => {
  /** Runs the CLI in process in `cwd`; stdout and stderr are captured. */
  async function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
    const before = process.cwd();
    process.chdir(cwd);
    try {
      const code = await main(args);
      return { code, stdout: out.join(''), stderr: err.join('') };
    } finally {
      process.chdir(before);
      vi.restoreAllMocks();
    }
  }

  function setup() {
    const dir = workspace();
    writeFileSync(path.join(dir, 'pod.yaml'), PRIVILEGED_POD);
    const outside = workspace('preadmit-outside-');
    const victim = path.join(outside, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    return { dir, outside, victim };
  }

  it('replaces a symlink at the output path (relative or absolute) and leaves its target alone', async () => {
    const { dir, victim } = setup();
    symlinkSync(victim, path.join(dir, 'report.json'));
    const relative = await cli(['scan', 'pod.yaml', '--format', 'json', '--output', 'report.json'], dir);
    expect(relative).toMatchObject({ code: 1, stdout: '', stderr: '' });
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(path.join(dir, 'report.json')).isSymbolicLink()).toBe(false);
    expect((JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as { summary: { verdict: string } }).summary.verdict).toBe('fail');

    symlinkSync(victim, path.join(dir, 'again.sarif'));
    const absolute = await cli(['scan', path.join(dir, 'pod.yaml'), '--format', 'sarif', '--output', path.join(dir, 'again.sarif')], workspace());
    expect(absolute.code).toBe(1);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(path.join(dir, 'again.sarif')).isFile()).toBe(true);
  });

  it('refuses a folder that links out of the working directory with exit 2, before scanning', async () => {
    const { dir, outside, victim } = setup();
    symlinkSync(outside, path.join(dir, 'out'));
    // --config names a missing file: a scan would fail on it, so this message proves nothing was scanned.
    const result = await cli(['scan', 'pod.yaml', '--config', 'missing.yaml', '--output', 'out/victim.txt'], dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`preadmit: cannot write out/victim.txt: the folder out is a symbolic link to ${outside}, outside ${dir}; preadmit does not follow links out of it\n`);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(readlinkSync(path.join(dir, 'out'))).toBe(outside);
  });

  it('under GITHUB_ACTIONS, prints reports on stdout with nothing a runner would execute', async () => {
    const dir = workspace();
    writeFileSync(path.join(dir, 'pod.yaml'), PRIVILEGED_POD.replace(/name: \S+/, 'name: "##[add-mask]CRITICAL"'));
    vi.stubEnv('GITHUB_ACTIONS', 'true');
    try {
      for (const format of ['text', 'json', 'sarif', 'markdown', 'junit', 'html']) {
        const result = await cli(['scan', 'pod.yaml', '--format', format], dir);
        expect(result.code).toBe(1);
        expect(result.stdout).toMatch(/add\\?-mask/); // (escaped in Markdown)
        expect(executedCommands(result.stdout)).toEqual([]);
        if (format === 'json') expect((JSON.parse(result.stdout) as ScanResult).findings.some((f) => f.object.name === '##[add-mask]CRITICAL')).toBe(true);
      }
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('creates a missing folder, and fails cleanly (exit 2, before the scan) when the output cannot be a file', async () => {
    const { dir } = setup();
    const created = await cli(['scan', 'pod.yaml', '--format', 'json', '--output', 'reports/new/report.json'], dir);
    expect(created).toMatchObject({ code: 1, stderr: '' });
    expect(existsSync(path.join(dir, 'reports/new/report.json'))).toBe(true);

    mkdirSync(path.join(dir, 'a-folder'));
    const folder = await cli(['scan', 'pod.yaml', '--config', 'missing.yaml', '--output', 'a-folder'], dir);
    expect(folder).toEqual({ code: 2, stdout: '', stderr: 'preadmit: cannot write a-folder: it is a folder\n' });

    writeFileSync(path.join(dir, 'a-file'), '');
    const underFile = await cli(['scan', 'pod.yaml', '--config', 'missing.yaml', '--output', 'a-file/report.json'], dir);
    expect(underFile.code).toBe(2);
    expect(underFile.stderr).toMatch(/^preadmit: cannot write a-file\/report.json: .*a part of the path is a file, not a folder|^preadmit: cannot write a-file\/report.json: cannot create the folder/);
    expect(underFile.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
