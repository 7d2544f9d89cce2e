// The `preadmit` command. A thin shell: parse arguments, call the core scan, print a report, set the
// exit status (0 clean, 1 blocking findings or failed inputs, 2 usage/configuration/environment error).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError } from './core/errors.ts';
import type { FailOn } from './core/model.ts';
import { exitCodeOf, scan, TOOL_VERSION } from './core/scan.ts';
import { RULES } from '../rules/index.ts';
import { YAML_LIMITS } from './loaders/yaml-docs.ts';
import { render, type Format } from './reporters/index.ts';
import { terminalSafe } from './reporters/text.ts';

const USAGE = `Usage: preadmit scan [PATH...] [options]

PATH is a chart directory, a directory to search for charts and manifests,
a YAML/JSON manifest file, or - for standard input (default: .).

Options:
  --format text|json|sarif|markdown   report format (default text)
  --output FILE                       write the report to FILE instead of stdout
  --fail-on critical|high|medium|low|never
                                      lowest severity that fails the run (default high)
  --config FILE                       configuration (default: .preadmit.yaml found upward)
  --values FILE                       values file for charts (repeatable)
  --set key=value                     value for charts (repeatable)
  --pss-version v1.N|latest           Pod Security Standards policy version (default latest)
  --pss-level baseline|restricted     level findings are reported at (default restricted)
  --helm PATH                         helm binary (default: helm on PATH)
  --kube-version VERSION              Kubernetes version passed to helm template
  --release-name NAME                 release name for helm template (default release)
  --namespace NAME                    release namespace for helm template (default default)
  --policy-from REV                   read the configuration, its suppressions and locks, and decide
                                      which ignore comments and annotations count, as of git revision
                                      REV (a pull request's base); changes since are listed, not applied
  -h, --help                          this help
  --version                           print the version

Exit status: 0 nothing at or above --fail-on, 1 findings at or above it (or inputs that
could not be read or rendered), 2 usage, configuration or environment error.`;

const FORMATS: readonly Format[] = ['text', 'json', 'sarif', 'markdown'];
const FAIL_ON: readonly FailOn[] = ['critical', 'high', 'medium', 'low', 'never'];

/**
 * Text for stderr, where a workflow runner reads every line that starts with `::` as a command: such a
 * line gets an invisible break between its colons, and control characters other than line breaks go.
 */
export function inertLines(text: string): string {
  return text.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ').replace(/^(\s*):(?=:)/gm, '$1:\u200b');
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
async function readStdin(): Promise<string> {
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
  return Buffer.concat(chunks).toString('utf8');
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string' },
        output: { type: 'string' },
        'fail-on': { type: 'string' },
        config: { type: 'string' },
        values: { type: 'string', multiple: true },
        set: { type: 'string', multiple: true },
        'pss-version': { type: 'string' },
        'pss-level': { type: 'string' },
        helm: { type: 'string' },
        'kube-version': { type: 'string' },
        'release-name': { type: 'string' },
        namespace: { type: 'string' },
        'policy-from': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (error) {
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
  if (command !== 'scan') {
    process.stderr.write(`preadmit: ${command === undefined ? 'no command given' : `unknown command "${command}"`}\n\n${USAGE}\n`);
    return 2;
  }
  try {
    for (const pair of values.set ?? []) if (!pair.includes('=')) throw new UsageError(`--set expects key=value (got "${pair}")`);
    const format = oneOf('--format', values.format, FORMATS) ?? 'text';
    const failOn = oneOf('--fail-on', values['fail-on'], FAIL_ON);
    const pssLevel = oneOf('--pss-level', values['pss-level'], ['baseline', 'restricted'] as const);
    const result = await scan({
      paths: paths.length > 0 ? paths : ['.'],
      ...(values.config ? { configFile: values.config } : {}),
      ...(failOn ? { failOn } : {}),
      ...(pssLevel ? { pssLevel } : {}),
      ...(values['pss-version'] ? { pssVersion: values['pss-version'] } : {}),
      valuesFiles: values.values ?? [],
      set: values.set ?? [],
      ...(values.helm ? { helmPath: values.helm } : {}),
      ...(values['kube-version'] ? { kubeVersion: values['kube-version'] } : {}),
      ...(values['release-name'] ? { releaseName: values['release-name'] } : {}),
      ...(values.namespace ? { namespace: values.namespace } : {}),
      ...(values['policy-from'] !== undefined ? { policyFrom: { revision: values['policy-from'], fetch: false, onUnavailable: 'error' as const } } : {}),
      readStdin,
    });
    const toTerminal = values.output === undefined && process.stdout.isTTY === true && !process.env.NO_COLOR;
    const report = render(format, result, { rules: RULES, color: toTerminal });
    if (values.output) writeFileSync(values.output, report);
    else process.stdout.write(report);
    if (values.output || format !== 'text') {
      // Keep errors visible even when the report goes to a file or is machine-readable.
      // Values from scanned files (names, helm's messages) are printed on one line, controls escaped.
      for (const error of result.errors) process.stderr.write(`preadmit: error: ${terminalSafe(`${error.file}${error.line ? `:${error.line}` : ''}: ${error.message}`)}\n`);
    }
    return exitCodeOf(result);
  } catch (error) {
    if (error instanceof UsageError) {
      // A configuration error can quote the configuration (from the pull request): no control characters.
      process.stderr.write(`preadmit: ${inertLines(error.message)}\n`);
      return 2;
    }
    throw error;
  }
}
