// The `preadmit` command. A thin shell: parse arguments, call the core scan, print a report, set the
// exit status (0 clean, 1 blocking findings or failed inputs, 2 usage/configuration/environment error).
import { parseArgs } from 'node:util';
import { existsSync, lstatSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { scanAgainstBase } from './pipeline/base-compare.ts';
import { BASELINE_FILE_NAME, parseBaselineFile, renderBaselineFile } from './pipeline/baseline-file.ts';
import { findRepoRoot } from './pipeline/discover.ts';
import type { BaselineEntry, ScanResult } from './model/model.ts';
import { UsageError } from './model/errors.ts';
import { closest } from './config/did-you-mean.ts';
import { SEVERITIES, type FailOn } from './model/model.ts';
import { prepareOutputFile, writeOutputFile } from './reporters/output-file.ts';
import { defuseRunnerCommands, defuseRunnerCommandsInJson } from './reporters/runner-commands.ts';
import { BOUND_FLAGS, exitCodeOf, scan, TOOL_VERSION, type ScanOptions } from './pipeline/scan.ts';
import { RULES } from '../rules/index.ts';
import { YAML_LIMITS } from './loaders/yaml-docs.ts';
import { FORMATS as REPORT_FORMATS, render, type Format } from './reporters/index.ts';
import { terminalSafe } from './reporters/text.ts';
import { applyFixReport, FIX_MODES, type FixReport } from './pipeline/fixes.ts';
import { parseShard } from './pipeline/shard.ts';
import { mergeReports } from './pipeline/merge.ts';
import { readReport } from './pipeline/read-report.ts';
import { LIBRARY_SKIPPED } from './render/charts.ts';

const USAGE = `Usage: preadmit scan [PATH...] [options]
       preadmit baseline [PATH...] [options]   write the findings to .preadmit-baseline.yaml
                                               (or --output), for \`baseline:\` in .preadmit.yaml
       preadmit fix [PATH...] [options]        apply the proven values edits that remove findings
                                               (--dry-run prints them as a unified diff)
       preadmit merge REPORT... [--format F] [--output FILE] [--fail-on LEVEL]
                                               merge the JSON reports of every shard of a scan
                                               (scan --shard K/N --format json) into one report
       preadmit rules                          list the rules (id, default severity, category, title)
       preadmit explain RULE                   print a rule's documentation

PATH is a chart directory, a directory to search for charts, manifests and Terraform
plans, a YAML/JSON manifest file, a Terraform plan (terraform show -json plan > plan.json),
or - for standard input (default: .).

Options:
  --format text|json|sarif|markdown|junit|html
                                      report format (default text; junit for CI systems
                                      other than GitHub; html: one self-contained page,
                                      e.g. --format html --output report.html)
  --min-severity LEVEL                text: list only findings at or above LEVEL (the verdict
                                      still counts every finding)
  --verbose                           text: show each finding's field (JSON pointer)
  --output FILE                       write the report to FILE instead of stdout
  --fail-on critical|high|medium|low|never
                                      lowest severity that fails the run (default high)
  --fail-on-errors true|false         whether inputs that could not be read or rendered fail
                                      the run (default failOnErrors, true)
  --config FILE                       configuration (default: .preadmit.yaml found upward)
  --values FILE                       values file for charts (repeatable)
  --policies PATH                     ValidatingAdmissionPolicy files or folders (with bindings, params; repeatable)
  --as USER                           the requester admission policies see in request.userInfo
                                      (with --as-group GROUP, repeatable, and --as-uid UID; as kubectl;
                                      default admission.userInfo, else unknown)
  --set key=value                     value for charts (repeatable)
  --pss-version v1.N|latest           Pod Security Standards policy version (default latest)
  --pss-level baseline|restricted     level findings are reported at (default restricted)
  --helm PATH                         helm binary (default: helm on PATH)
  --kube-version VERSION              Kubernetes version passed to helm template (default 1.34.0)
  --release-name NAME                 release name for helm template (default release)
  --namespace NAME                    release namespace for helm template (default default)
  --helm-timeout SECONDS              time one render may take (default 120, at most 600)
  --total-timeout SECONDS             time all renders of the scan may take (default 1200, at most 3600)
  --helm-memory-limit MIB             hard memory limit of each helm process (default 1024)
  --max-render-output MIB             most output of one render (default 64, at most 512)
  --max-renders N                     most helm runs in the scan (default 1000)
  --cache DIR                         keep renders in DIR and reuse those whose every input is
                                      unchanged (default: $PREADMIT_CACHE_DIR, else no cache)
  --policy-from REV                   read the configuration, its suppressions and locks, and decide
                                      which ignore comments and annotations count, as of git revision
                                      REV (a pull request's base); changes since are listed, not applied
  --base REV                          compare with the same paths at git revision REV: findings are new
                                      or existing, the base's findings now gone are listed as fixed, and
                                      --fail-on applies to new findings only; only charts changed since
                                      REV (or depending on one) are rendered
  --gate new|all                      with --base: gate on new findings (default) or on all of them
  --all                               with --base: render every chart, changed or not
  --fixes off|gating|all              which findings get a proven fix (a values edit re-rendered on a
                                      copy of the chart; default gating: those that fail the run, with
                                      --base the new ones)
  --fix-rule ID                       also use the opt-in fix of rule ID (a LoadBalancer or NodePort
                                      Service made ClusterIP; repeatable)
  --dry-run                           fix: print the edits as a unified diff, change no file
  --rule ID                           fix: only the findings of rule ID (repeatable)
  --shard K/N                         scan only shard K of N: charts, plan files and the plain
                                      manifests (together) go to shards by a stable hash of their
                                      path; merge the shards' JSON reports with preadmit merge
  -h, --help                          this help
  --version                           print the version

Exit status: 0 nothing at or above --fail-on, 1 findings at or above it (or inputs that
could not be read or rendered), 2 usage, configuration or environment error (a PATH
that does not exist, or nothing to scan under the PATHs), 130/143 stopped by SIGINT/SIGTERM.
preadmit fix: 0 edits applied (or none to apply), 1 inputs could not be read or rendered, 2 usage.

Documentation (in the package and the repository): README.md, section "Configuration:
.preadmit.yaml", for the configuration; docs/rules.md (or preadmit rules, preadmit explain RULE)
for the rules.`;

const COMMANDS = ['scan', 'baseline', 'fix', 'merge', 'rules', 'explain'];
/** Every option of `preadmit scan` (node's parseArgs form). */
const CLI_OPTIONS = {
  format: { type: 'string' },
  output: { type: 'string' },
  'fail-on': { type: 'string' },
  config: { type: 'string' },
  values: { type: 'string', multiple: true },
  policies: { type: 'string', multiple: true },
  as: { type: 'string' },
  'as-group': { type: 'string', multiple: true },
  'as-uid': { type: 'string' },
  set: { type: 'string', multiple: true },
  'pss-version': { type: 'string' },
  'pss-level': { type: 'string' },
  helm: { type: 'string' },
  'kube-version': { type: 'string' },
  'release-name': { type: 'string' },
  namespace: { type: 'string' },
  'helm-timeout': { type: 'string' },
  'total-timeout': { type: 'string' },
  'helm-memory-limit': { type: 'string' },
  'max-render-output': { type: 'string' },
  'max-renders': { type: 'string' },
  cache: { type: 'string' },
  'policy-from': { type: 'string' },
  base: { type: 'string' },
  gate: { type: 'string' },
  all: { type: 'boolean' },
  shard: { type: 'string' },
  'min-severity': { type: 'string' },
  'fail-on-errors': { type: 'string' },
  verbose: { type: 'boolean' },
  fixes: { type: 'string' },
  'fix-rule': { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  rule: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;
const OPTION_NAMES = Object.keys(CLI_OPTIONS);

function listRules(): string {
  const width = Math.max(...RULES.map((rule) => rule.meta.id.length));
  return RULES.map((rule) => `${rule.meta.id.padEnd(width)}  ${rule.meta.defaultSeverity.padEnd(8)}  ${rule.meta.category.padEnd(13)}  ${rule.meta.title}`).join('\n') + '\n';
}

function explainRule(id: string): string {
  const rule = RULES.find((r) => r.meta.id === id);
  if (rule === undefined) {
    const near = closest(id, RULES.map((r) => r.meta.id));
    throw new UsageError(`unknown rule "${id}"${near ? `; did you mean ${near}?` : ' (preadmit rules lists them)'}`);
  }
  const { meta } = rule;
  return [
    `${meta.id} — ${meta.title}`,
    `severity ${meta.defaultSeverity} · category ${meta.category}`,
    '',
    meta.description,
    '',
    `Fix: ${meta.remediation}`,
    ...(rule.fix ? [`Proven fix: sets ${Object.entries(rule.fix.set).map(([field, value]) => `${field} to ${JSON.stringify(value)}`).join(' or ')} at the values key the finding is located at, once a re-render proves it (preadmit fix${rule.fix.optIn ? ` --fix-rule ${meta.id}` : ''})`] : []),
    ...(meta.references && meta.references.length > 0 ? ['', 'References:', ...meta.references.map((r) => `  ${r.title}: ${r.url}`)] : []),
    '',
    `Configure in .preadmit.yaml: rules: { ${meta.id}: { severity: ..., enabled: false } }`,
    '',
  ].join('\n');
}

const FORMATS: readonly Format[] = REPORT_FORMATS;
const FAIL_ON: readonly FailOn[] = ['critical', 'high', 'medium', 'low', 'never'];

/**
 * Text for stderr, where a workflow runner reads `::` at the start of a line and `##[` anywhere as a
 * command: control characters other than line breaks go, and no `::` or `##[` is left (a space breaks
 * them; see reporters/runner-commands.ts for why an invisible character would not).
 */
export function inertLines(text: string): string {
  return defuseRunnerCommands(text.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' '));
}

/**
 * A report for stdout in a GitHub Actions step, where the runner reads every line for commands: JSON and
 * SARIF keep their exact values (escapes inside strings), text and Markdown get `::` and `##[` broken up.
 */
function inertForRunner(format: Format, report: string): string {
  return format === 'json' || format === 'sarif' ? defuseRunnerCommandsInJson(report) : defuseRunnerCommands(report);
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}

/**
 * Standard input as text. Reading stops one byte past the size limit (the loader then reports the input
 * as too large), so an endless stream cannot exhaust memory.
 */
/** Standard input's bytes: decoded as a file's are (kubectl's BOMOverride applies to it too). */
async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size > YAML_LIMITS.maxBytes) {
      process.stdin.destroy();
      break;
    }
  }
  return Buffer.concat(chunks);
}

/**
 * `preadmit baseline`: the scan's unsuppressed findings written as the baseline file, keeping the reasons
 * the file already gives. Exit 1 when inputs failed (the file then lacks what they hold), else 0.
 */
/**
 * The entries of a baseline file already at `target` (their reasons are kept), read before the scan so a
 * broken file is a usage error at once. Only a regular file is read: a link there is replaced, never followed.
 */
function previousBaseline(target: string, shown: string): BaselineEntry[] {
  let stat;
  try {
    stat = lstatSync(target);
  } catch {
    return [];
  }
  return stat.isFile() ? parseBaselineFile(readFileSync(target, 'utf8'), shown) : [];
}

function writeBaseline(result: ScanResult, target: string, shown: string, previous: readonly BaselineEntry[]): number {
  const text = renderBaselineFile(result.findings, previous);
  writeOutputFile(target, text, process.cwd(), shown);
  const entries = (text.match(/^  - fingerprint: /gm) ?? []).length;
  process.stderr.write(`preadmit: wrote ${entries} finding${entries === 1 ? '' : 's'} to ${inertLines(shown)}; give each a reason, and name the file in .preadmit.yaml (baseline: ${inertLines(path.basename(shown))})\n`);
  for (const error of result.errors) process.stderr.write(`preadmit: error: ${defuseRunnerCommands(terminalSafe(`${error.file}${error.line ? `:${error.line}` : ''}: ${error.message}`))}\n`);
  if (result.errors.length > 0) process.stderr.write(`preadmit: the baseline lacks what ${result.errors.length} input error${result.errors.length === 1 ? '' : 's'} kept from being scanned\n`);
  return result.errors.length > 0 ? 1 : 0;
}

/**
 * `preadmit fix`: the edits proven by the scan written to the working tree (or, with --dry-run, printed as a
 * unified diff); what could not be fixed is listed on stderr. Exit 1 when inputs failed, else 0.
 */
function applyProvenFixes(result: ScanResult, report: FixReport | undefined, repoRoot: string, dryRun: boolean): number {
  const applied = applyFixReport(report, repoRoot, { dryRun });
  if (dryRun) process.stdout.write(applied.diff);
  for (const line of applied.notes) process.stderr.write(`preadmit: ${inertLines(terminalSafe(line))}\n`);
  for (const error of result.errors) process.stderr.write(`preadmit: error: ${defuseRunnerCommands(terminalSafe(`${error.file}${error.line ? `:${error.line}` : ''}: ${error.message}`))}\n`);
  return result.errors.length > 0 && result.summary.verdict === 'fail' ? 1 : 0;
}

/**
 * Writes a scan's (or a merge's) report to the prepared output file or stdout and returns the exit status.
 * Errors stay visible on stderr when the report goes to a file or is machine-readable; values from scanned
 * files (names, helm's messages) are printed on one line, controls escaped.
 */
function printReport(result: ScanResult, format: (typeof FORMATS)[number], output: ReturnType<typeof prepareOutputFile> | undefined, shown: string | undefined, text: { verbose: boolean; minSeverity?: (typeof SEVERITIES)[number] }): number {
  const toTerminal = output === undefined && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const width = output === undefined && process.stdout.isTTY === true ? process.stdout.columns : undefined;
  const report = render(format, result, { rules: RULES, color: toTerminal, text: { ...(width ? { width } : {}), ...(text.verbose ? { verbose: true } : {}), ...(text.minSeverity ? { minSeverity: text.minSeverity } : {}) } });
  if (output !== undefined) writeOutputFile(output, report, process.cwd(), shown);
  else process.stdout.write(process.env.GITHUB_ACTIONS === 'true' ? inertForRunner(format, report) : report);
  if (output !== undefined || format !== 'text') {
    for (const error of result.errors) process.stderr.write(`preadmit: error: ${defuseRunnerCommands(terminalSafe(`${error.file}${error.line ? `:${error.line}` : ''}: ${error.message}`))}\n`);
  }
  return exitCodeOf(result);
}

type ParsedValues = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: typeof CLI_OPTIONS }>>['values'];

/** Options of `preadmit merge`; every other option belongs to the scan and is refused. */
const MERGE_OPTIONS = new Set(['format', 'output', 'fail-on', 'min-severity', 'verbose']);

/**
 * `preadmit merge REPORT...`: the shards' JSON reports as one report (pipeline/merge.ts), in any format.
 * Exit status as a scan's: 0, 1 blocking findings or input errors, 2 reports that are not every shard of one scan.
 */
function mergeCommand(files: string[], values: ParsedValues): number {
  try {
    const extra = Object.keys(values).filter((k) => values[k as keyof ParsedValues] !== undefined && !MERGE_OPTIONS.has(k));
    if (extra.length > 0) throw new UsageError(`preadmit merge takes reports and --format, --output, --fail-on, --min-severity, --verbose; not --${extra[0]} (give scan options to the shards' scans)`);
    if (files.length === 0) throw new UsageError('preadmit merge needs the JSON reports of every shard (preadmit scan --shard K/N --format json --output shard-K.json)');
    const format = oneOf('--format', values.format, FORMATS) ?? 'text';
    const failOn = oneOf('--fail-on', values['fail-on'], FAIL_ON);
    const minSeverity = oneOf('--min-severity', values['min-severity'], SEVERITIES);
    const output = values.output ? prepareOutputFile(values.output, process.cwd(), values.output) : undefined;
    const reports = files.map((file) => ({ file, result: readReport(file) }));
    const result = mergeReports(reports, failOn !== undefined ? { failOn } : {});
    return printReport(result, format, output, values.output, { verbose: values.verbose === true, ...(minSeverity ? { minSeverity } : {}) });
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`preadmit: ${inertLines(error.message)}\n`);
      return 2;
    }
    throw error;
  }
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: CLI_OPTIONS,
    });
  } catch (error) {
    // node's message for a typo is long and generic: name the option and the closest one instead.
    const unknown = /Unknown option '(-{1,2}[^']*)'/.exec((error as Error).message)?.[1];
    if (unknown !== undefined) {
      const near = closest(unknown.replace(/^-+/, '').replace(/=.*$/, ''), OPTION_NAMES);
      process.stderr.write(`preadmit: unknown option ${terminalSafe(unknown)}${near ? `; did you mean --${near}?` : ''}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`preadmit: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (values.version) {
    process.stdout.write(TOOL_VERSION + '\n');
    return 0;
  }
  const [command, ...paths] = positionals;
  if (command === 'rules' || command === 'explain') {
    try {
      if (command === 'rules') process.stdout.write(listRules());
      else if (paths.length !== 1) throw new UsageError('preadmit explain takes one rule id (preadmit rules lists them)');
      else process.stdout.write(explainRule(paths[0]!));
      return 0;
    } catch (error) {
      process.stderr.write(`preadmit: ${inertLines((error as Error).message)}\n`);
      return 2;
    }
  }
  if (command === 'merge') return mergeCommand(paths, values);
  if (command !== 'scan' && command !== 'baseline' && command !== 'fix') {
    const near = command === undefined ? undefined : closest(command, COMMANDS);
    process.stderr.write(`preadmit: ${command === undefined ? 'no command given' : `unknown command "${terminalSafe(command)}"${near ? `; did you mean ${near}?` : ''}`}\n\n${USAGE}\n`);
    return 2;
  }
  try {
    for (const pair of values.set ?? []) if (!pair.includes('=')) throw new UsageError(`--set expects key=value (got "${pair}")`);
    // Mistyped paths and values files are usage errors before any render: a scan of nothing passes green.
    for (const given of paths) if (given !== '-' && !existsSync(given)) throw new UsageError(`${given}: no such file or directory`);
    for (const file of values.values ?? []) if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`--values ${file}: no such file`);
    const format = oneOf('--format', values.format, FORMATS) ?? 'text';
    const failOn = oneOf('--fail-on', values['fail-on'], FAIL_ON);
    const pssLevel = oneOf('--pss-level', values['pss-level'], ['baseline', 'restricted'] as const);
    const gate = oneOf('--gate', values.gate, ['new', 'all'] as const);
    const minSeverity = oneOf('--min-severity', values['min-severity'], SEVERITIES);
    const failOnErrors = oneOf('--fail-on-errors', values['fail-on-errors'], ['true', 'false'] as const);
    if (values.base === undefined && (gate !== undefined || values.all)) throw new UsageError(`${gate !== undefined ? '--gate' : '--all'} needs --base REV`);
    if (values.as === undefined ? values['as-group'] !== undefined || values['as-uid'] !== undefined : values.as.trim() === '') throw new UsageError(values.as === undefined ? '--as-group and --as-uid need --as USER (the user they belong to), as in kubectl' : '--as expects a user name');
    if (command === 'fix' && (values.base !== undefined || values.format !== undefined || values.output !== undefined || values.fixes !== undefined || values.shard !== undefined || paths.includes('-'))) throw new UsageError('preadmit fix takes paths and scan options, not --base, --format, --output, --fixes, --shard or standard input');
    if (command !== 'fix' && (values['dry-run'] || values.rule !== undefined)) throw new UsageError(`${values['dry-run'] ? '--dry-run' : '--rule'} is an option of preadmit fix`);
    const fixes = oneOf('--fixes', values.fixes, FIX_MODES);
    for (const id of [...(values.rule ?? []), ...(values['fix-rule'] ?? [])]) {
      const rule = RULES.find((r) => r.meta.id === id);
      if (rule === undefined) {
        const near = closest(id, RULES.map((r) => r.meta.id));
        throw new UsageError(`unknown rule "${id}"${near ? `; did you mean ${near}?` : ' (preadmit rules lists them)'}`);
      }
      if ((values['fix-rule'] ?? []).includes(id) && rule.fix?.optIn !== true) throw new UsageError(`--fix-rule ${id}: the rule has no opt-in fix (${rule.fix ? 'its fix is used without the flag' : 'it offers no fix'})`);
    }
    if (command === 'baseline' && (values.base !== undefined || values.format !== undefined || values.shard !== undefined || paths.includes('-'))) throw new UsageError('preadmit baseline takes paths and scan options, not --base, --format, --shard or standard input');
    const shard = values.shard !== undefined ? parseShard(values.shard) : undefined;
    // Before the scan: a place the report cannot go is a usage error now, not after minutes of rendering.
    // A missing folder is created; a symbolic link at the file is replaced, never followed.
    const baselineTarget = command === 'baseline' ? (values.output ?? path.join(findRepoRoot(paths[0] ?? '.'), BASELINE_FILE_NAME)) : undefined;
    const output = baselineTarget !== undefined ? prepareOutputFile(baselineTarget, process.cwd(), baselineTarget) : values.output ? prepareOutputFile(values.output, process.cwd(), values.output) : undefined;
    const previous = baselineTarget !== undefined ? previousBaseline(output!, baselineTarget) : [];
    const bounds: NonNullable<ScanOptions['bounds']> = {};
    for (const [key, flag] of Object.entries(BOUND_FLAGS) as [keyof typeof BOUND_FLAGS, string][]) {
      const value = values[flag.slice(2) as 'helm-timeout'];
      if (value === undefined) continue;
      if (!/^\d+(\.\d+)?$/.test(value.trim())) throw new UsageError(`${flag} expects a number (got "${value}")`);
      bounds[key] = Number(value);
    }
    // SIGINT/SIGTERM stop the scan: running helm processes are killed and preadmit exits at once with 128+n.
    const stop = new AbortController();
    let stopped: ((code: number) => void) | undefined;
    const stoppedBy = new Promise<number>((resolve) => (stopped = resolve));
    const onSignal = (signal: NodeJS.Signals) => {
      const code = signal === 'SIGINT' ? 130 : 143;
      if (stop.signal.aborted) process.exit(code); // a second signal: no waiting at all
      process.stderr.write(`preadmit: ${signal} received; helm renders stopped, scan abandoned (no report)\n`);
      stop.abort(signal);
      stopped!(code);
    };
    // `on`, not `once`: a loader's own handler (tsx) re-raises a signal it finds no other listener for.
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const slowRenders = process.stderr.isTTY === true;
    // On a terminal, one status line rewritten in place; nothing when stderr is a file or a pipe.
    const started = Date.now();
    let progressShown = false;
    const clearProgress = () => {
      if (progressShown) process.stderr.write('\r\u001b[2K');
      progressShown = false;
    };
    const onProgress: ScanOptions['onProgress'] = ({ renders, charts, totalCharts }) => {
      process.stderr.write(`\r\u001b[2Kpreadmit: rendering ${charts}/${totalCharts} charts (${renders} renders) · ${Math.round((Date.now() - started) / 1000)} s`);
      progressShown = true;
    };
    let fixReport: FixReport | undefined;
    // The render cache: --cache, else PREADMIT_CACHE_DIR (an empty value: no cache).
    const cacheDir = values.cache ?? (process.env.PREADMIT_CACHE_DIR || undefined);
    const scanOptions: ScanOptions = {
      paths: paths.length > 0 ? paths : ['.'],
      ...(values.config ? { configFile: values.config } : {}),
      ...(failOn ? { failOn } : {}),
      ...(pssLevel ? { pssLevel } : {}),
      ...(failOnErrors !== undefined ? { failOnErrors: failOnErrors === 'true' } : {}),
      ...(values['pss-version'] ? { pssVersion: values['pss-version'] } : {}),
      valuesFiles: values.values ?? [],
      policies: values.policies ?? [],
      ...(values.as !== undefined ? { admissionUser: { username: values.as, ...(values['as-uid'] !== undefined ? { uid: values['as-uid'] } : {}), ...(values['as-group'] !== undefined ? { groups: values['as-group'] } : {}) } } : {}),
      set: values.set ?? [],
      ...(values.helm ? { helmPath: values.helm } : {}),
      ...(cacheDir ? { cacheDir } : {}),
      ...(values['kube-version'] ? { kubeVersion: values['kube-version'] } : {}),
      ...(values['release-name'] ? { releaseName: values['release-name'] } : {}),
      ...(values.namespace ? { namespace: values.namespace } : {}),
      ...(values['policy-from'] !== undefined ? { policyFrom: { revision: values['policy-from'], fetch: false, onUnavailable: 'error' as const } } : {}),
      readStdin,
      bounds,
      ...(command === 'fix' ? { fixes: 'all' as const, ...(values.rule ? { fixRules: values.rule } : {}) } : fixes !== undefined ? { fixes } : command === 'baseline' ? { fixes: 'off' as const } : {}),
      ...(values['fix-rule'] ? { fixOptIn: values['fix-rule'] } : {}),
      ...(command === 'fix' ? { onFixes: (report: FixReport) => (fixReport = report) } : {}),
      ...(shard !== undefined ? { shard } : {}),
      signal: stop.signal,
      ...(slowRenders
        ? {
            onSlowRender: (chart: string, seconds: number) => {
              clearProgress();
              process.stderr.write(`preadmit: still rendering ${terminalSafe(chart)} (${seconds} s)\n`);
            },
            onProgress,
          }
        : {}),
    };
    const scanning = values.base !== undefined ? scanAgainstBase(scanOptions, { revision: values.base, gate: gate ?? 'new', all: values.all === true }) : scan(scanOptions);
    scanning.catch(() => undefined);
    const outcome = await Promise.race([scanning.then((result) => ({ result })), stoppedBy.then((code) => ({ code }))]).finally(() => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });
    clearProgress();
    if ('code' in outcome) return outcome.code;
    const { result } = outcome;
    // Nothing read at all (no base to compare, no error that explains it, no library chart found): a mistyped path or include.
    // (A shard may hold none of the scan's units; the scan as a whole must hold one.)
    if (values.base === undefined && (result.shard === undefined || result.shard.total === 0) && result.objects.length === 0 && result.charts.length === 0 && result.errors.length === 0 && !paths.includes('-') && !(result.skipped ?? []).some((s) => s.reason === LIBRARY_SKIPPED)) {
      throw new UsageError(`nothing to scan under ${(paths.length > 0 ? paths : ['.']).join(', ')}: no chart, manifest or Terraform plan found (check the paths and include/exclude in .preadmit.yaml)`);
    }
    if (baselineTarget !== undefined) return writeBaseline(result, output!, baselineTarget, previous);
    if (command === 'fix') return applyProvenFixes(result, fixReport, findRepoRoot(paths[0] ?? '.'), values['dry-run'] === true);
    return printReport(result, format, output, values.output, { verbose: values.verbose === true, ...(minSeverity ? { minSeverity } : {}) });
  } catch (error) {
    if (error instanceof UsageError) {
      // A configuration error can quote the configuration (from the pull request): no control characters.
      process.stderr.write(`preadmit: ${inertLines(error.message)}\n`);
      return 2;
    }
    throw error;
  }
}
