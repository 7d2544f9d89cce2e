// Loads and validates .preadmit.yaml. Errors name the file and line of the offending key.
import { customRuleProblems, type CustomRuleConfig } from '../admission/custom-rules.ts';
import type { UserInfo } from '../admission/prepared.ts';
import { closest } from './did-you-mean.ts';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { RENDER_BOUNDS } from './render-budget.ts';
import { loadYamlDocuments } from '../loaders/yaml-docs.ts';
import { configSchema } from './config-schema.ts';
import { RULE_IDS as GENERATED_RULE_IDS, validate as generatedValidate } from './config-validator.generated.ts';
import { globProblem } from './globs.ts';
import { confinementProblem, isInside } from '../model/paths.ts';
import { UsageError } from '../model/errors.ts';
import { severityRank, type FailOn, type Severity } from '../model/model.ts';

export const CONFIG_FILE_NAME = '.preadmit.yaml';

export interface RuleSetting {
  enabled: boolean;
  severity?: Severity;
  options: Record<string, unknown>;
  /** Locked: no configuration, comment or annotation may suppress or disable the rule. */
  locked?: boolean;
  /** Where the setting is written (the configuration file and line). */
  declared?: { file: string; line?: number };
}

export interface Config {
  /** The file it came from, when any. */
  file?: string;
  failOn: FailOn;
  failOnErrors: boolean;
  pss: { level: 'baseline' | 'restricted'; version: string };
  rules: Record<string, RuleSetting>;
  include: string[];
  /** ValidatingAdmissionPolicy files or folders (absolute), from `admission.policies`. */
  admissionPolicies?: string[];
  /** The requester admission policies see in request.userInfo (`admission.userInfo`); unknown when absent. */
  admissionUserInfo?: UserInfo;
  /** Rules written in CEL (`customRules`), compiled when the configuration is loaded. */
  customRules?: CustomRuleConfig[];
  exclude: string[];
  /** Per-chart render settings; `path` is an absolute path or glob. */
  charts: { path: string; valuesFiles: string[]; set: string[]; valueSets: ConfiguredValueSet[] }[];
  /** Which value sets are rendered and how findings only they show are rated. */
  valueSets: { ci: boolean; severity: Severity | 'keep' };
  /** Locating findings at values and template lines (extra renders, bounded per chart and value set). */
  provenance: { enabled: boolean; maxRenders: number };
  suppressions: ConfiguredSuppression[];
  /**
   * Whether `preadmit.dev/ignore.*` annotations on objects suppress findings (default false: whoever writes
   * a template or the values it reads can add any annotation, and the object carries it into the cluster).
   */
  annotationSuppressions: boolean;
  /** Rule ids no suppression may accept and no setting may disable (`lockedRules`, or `locked: true` on a rule). */
  lockedRules: string[];
  /** Where each lock is declared. */
  lockDeclared?: Record<string, { file: string; line?: number }>;
  /** Settings that tried to disable or weaken a locked rule (ignored; reported as invalid suppressions). */
  lockViolations?: LockViolation[];
  /** The reviewed baseline file (absolute): findings it lists are existing and do not gate (pipeline/baseline-file.ts). */
  baseline?: string;
  helm: {
    releaseName: string;
    namespace: string;
    kubeVersion?: string;
    /** Seconds one render may take (at most RENDER_BOUNDS.timeoutSeconds.max). */
    timeoutSeconds: number;
    /** Seconds all renders of one scan may take together. */
    totalTimeoutSeconds: number;
    /** Hard limit of one helm process's memory. */
    memoryLimitMiB: number;
    /** Most output of one render. */
    maxOutputMiB: number;
    /** Most helm runs in one scan (value sets, provenance, Terraform releases included). */
    maxRenders: number;
    valuesFiles: string[];
    set: string[];
  };
}

export interface LockViolation {
  rule: string;
  file: string;
  line?: number;
  message: string;
}

/** Where a rule's lock is declared, for messages: `.preadmit.yaml:4`. */
export function lockLabel(config: Config, rule: string, display: (file: string) => string): string {
  const at = config.lockDeclared?.[rule];
  return at === undefined ? 'the configuration' : `${display(at.file)}${at.line !== undefined ? `:${at.line}` : ''}`;
}

/**
 * Undoes what settings do to locked rules: a locked rule stays enabled and keeps at least its default
 * severity. What was undone is kept in config.lockViolations.
 */
export function enforceLocks(config: Config, defaultSeverity: (rule: string) => Severity | undefined, display: (file: string) => string): void {
  const violations: LockViolation[] = [];
  for (const rule of config.lockedRules) {
    const setting = config.rules[rule];
    if (setting === undefined) continue;
    const where = { file: display(setting.declared?.file ?? config.file ?? ''), ...(setting.declared?.line !== undefined ? { line: setting.declared.line } : {}) };
    const lock = `rule ${rule} is locked (${lockLabel(config, rule, display)})`;
    if (!setting.enabled) {
      setting.enabled = true;
      violations.push({ rule, ...where, message: `${lock}: it cannot be disabled; the setting is ignored` });
    }
    const floor = defaultSeverity(rule);
    if (setting.severity !== undefined && floor !== undefined && severityRank(setting.severity) < severityRank(floor)) {
      violations.push({ rule, ...where, message: `${lock}: its severity cannot be lowered to ${setting.severity}; it stays ${floor}` });
      delete setting.severity;
    }
  }
  config.lockViolations = violations;
}

/** A value set named in the configuration for one chart. */
export interface ConfiguredValueSet {
  name: string;
  valuesFiles: string[];
  set: string[];
  /** Where it is declared (the configuration file and line). */
  declared?: { file: string; line: number };
}

/** A suppression from the configuration: rule and scope, with a required reason. */
export interface ConfiguredSuppression {
  rule: string;
  reason: string;
  /** YYYY-MM-DD: the last day it applies. */
  expires?: string;
  /** Absolute chart directory or glob. */
  chart?: string;
  /** Absolute file or glob. */
  file?: string;
  valueSet?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  container?: string;
  /** Where it is declared. */
  declared: { file: string; line?: number };
}

/** Every values file the configuration names (for all charts, per chart, per value set), as written. */
export function namedValuesFiles(config: Config): string[] {
  return [...config.helm.valuesFiles, ...config.charts.flatMap((c) => [...c.valuesFiles, ...c.valueSets.flatMap((v) => v.valuesFiles)])];
}

export function defaultConfig(): Config {
  return {
    failOn: 'high',
    failOnErrors: true,
    pss: { level: 'restricted', version: 'latest' },
    rules: {},
    include: [],
    exclude: [],
    charts: [],
    valueSets: { ci: true, severity: 'medium' },
    provenance: { enabled: true, maxRenders: 8 },
    suppressions: [],
    annotationSuppressions: false,
    lockedRules: [],
    helm: {
      releaseName: 'release',
      namespace: 'default',
      timeoutSeconds: RENDER_BOUNDS.timeoutSeconds.default,
      totalTimeoutSeconds: RENDER_BOUNDS.totalTimeoutSeconds.default,
      memoryLimitMiB: RENDER_BOUNDS.memoryLimitMiB.default,
      maxOutputMiB: RENDER_BOUNDS.maxOutputMiB.default,
      maxRenders: RENDER_BOUNDS.maxRenders.default,
      valuesFiles: [],
      set: [],
    },
  };
}

/** Nearest .preadmit.yaml at or above a path, stopping at the repository root. */
export function findConfig(start: string, stopAt: string): string | undefined {
  let dir = path.resolve(start);
  if (existsSync(dir) && !safeIsDirectory(dir)) dir = path.dirname(dir);
  for (;;) {
    const candidate = path.join(dir, CONFIG_FILE_NAME);
    if (existsSync(candidate)) return candidate;
    if (dir === stopAt || path.dirname(dir) === dir) return undefined;
    dir = path.dirname(dir);
  }
}

function safeIsDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function describeAjvError(error: ErrorObject, ruleIds: readonly string[]): string {
  const where = error.instancePath === '' ? 'the top level' : error.instancePath.slice(1).replace(/\//g, '.');
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown key ${JSON.stringify((error.params as { additionalProperty: string }).additionalProperty)} in ${where}`;
    case 'propertyNames':
    {
      const id = (error.params as { propertyName: string }).propertyName;
      const near = closest(id, ruleIds);
      return `unknown rule id ${JSON.stringify(id)} in ${where}${near ? `; did you mean ${near}?` : ' (preadmit rules lists them)'}`;
    }
    case 'enum':
      return `${where} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}

type Validator = ReturnType<Ajv['compile']>;
let validatorCache: { ids: string; validate: Validator } | undefined;

/** The validator for a rule set: compiled ahead of time for the built-in catalog, else now (once per set). */
function validatorFor(ruleIds: readonly string[]): Validator {
  const key = [...ruleIds].sort().join(',');
  if (validatorCache?.ids !== key) {
    const validate = key === GENERATED_RULE_IDS.join(',') ? (generatedValidate as Validator) : new Ajv({ allErrors: true, strict: false }).compile(configSchema(ruleIds));
    validatorCache = { ids: key, validate };
  }
  return validatorCache.validate;
}

/**
 * Loads a configuration. With `repoRoot`, a configuration inside the repository comes with the pull request:
 * it may not be a symlink out of the repository, and the values files it names must stay inside it.
 */
export function loadConfig(file: string, ruleIds: readonly string[], displayPath: string, repoRoot?: string): Config {
  const confined = repoRoot !== undefined && isInside(path.resolve(repoRoot), path.resolve(file));
  if (confined) {
    const problem = confinementProblem(repoRoot, file);
    if (problem) throw new UsageError(`${displayPath}: the configuration file is a symlink leading outside the repository; not read`);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${displayPath}: cannot read configuration: ${(error as Error).message}`);
  }
  return loadConfigText(text, file, ruleIds, displayPath, confined ? repoRoot : undefined);
}

/**
 * A configuration from its text (read from the work tree, or from git at another revision). `file` is
 * where it is (or would be) in the work tree: relative paths in it resolve from its directory. With
 * `repoRoot`, the values files it names must stay inside the repository.
 */
export function loadConfigText(text: string, file: string, ruleIds: readonly string[], displayPath: string, repoRoot?: string): Config {
  const parsed = loadYamlDocuments(text, 'yaml-1.2');
  const problem = parsed.problems[0];
  if (problem) throw new UsageError(`${displayPath}:${problem.line ?? 1}: invalid YAML: ${problem.message}`);
  if (parsed.documents.length > 1) throw new UsageError(`${displayPath}: expected one YAML document, found ${parsed.documents.length}`);
  const doc = parsed.documents[0];
  const value = doc?.value ?? {};

  const validate = validatorFor(ruleIds);
  if (!validate(value)) {
    // oneOf/if summarise their branches' errors; a propertyNames error says what its inner enum error says.
    const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'if' && !e.schemaPath.includes('/propertyNames/'));
    const lines = errors.map((error) => {
      let pointer = error.instancePath;
      if (error.keyword === 'additionalProperties') pointer += '/' + (error.params as { additionalProperty: string }).additionalProperty;
      if (error.keyword === 'propertyNames') pointer += '/' + (error.params as { propertyName: string }).propertyName;
      return `${displayPath}:${doc?.lineOf(pointer) ?? 1}: ${describeAjvError(error, ruleIds)}`;
    });
    throw new UsageError(`invalid configuration:\n  ${[...new Set(lines)].join('\n  ')}`);
  }
  const config = mergeConfig(value as RawConfig, path.dirname(file), file, (pointer) => doc?.lineOf(pointer));
  const problems = [...configPathProblems(value as RawConfig, config, repoRoot), ...customRuleProblems(config.customRules ?? [], ruleIds)];
  if (problems.length > 0) {
    throw new UsageError(`invalid configuration:\n  ${problems.map((p) => `${displayPath}:${doc?.lineOf(p.pointer) ?? 1}: ${p.message}`).join('\n  ')}`);
  }
  return config;
}

/** Globs minimatch cannot use safely, and, for a configuration in the repository, values files outside it. */
function* configPathProblems(raw: RawConfig, config: Config, repoRoot: string | undefined): Generator<{ pointer: string; message: string }> {
  const globs: [string, string][] = [
    ...(raw.include ?? []).map((glob, i): [string, string] => [`/include/${i}`, glob]),
    ...(raw.exclude ?? []).map((glob, i): [string, string] => [`/exclude/${i}`, glob]),
    ...(raw.charts ?? []).map((entry, i): [string, string] => [`/charts/${i}/path`, entry.path]),
    ...(raw.suppressions ?? []).flatMap((entry, i) =>
      (['chart', 'file', 'kind', 'namespace', 'name', 'container'] as const).flatMap((key): [string, string][] => (entry[key] === undefined ? [] : [[`/suppressions/${i}/${key}`, entry[key]!]])),
    ),
  ];
  for (const [pointer, glob] of globs) {
    const problem = globProblem(glob);
    if (problem) yield { pointer, message: `${JSON.stringify(glob.slice(0, 80))}: ${problem}` };
  }
  if (repoRoot === undefined) return;
  const files: [string, string][] = [
    ...config.helm.valuesFiles.map((file, i): [string, string] => [`/helm/valuesFiles/${i}`, file]),
    ...config.charts.flatMap((entry, i) => [
      ...entry.valuesFiles.map((file, j): [string, string] => [`/charts/${i}/values/${j}`, file]),
      ...entry.valueSets.flatMap((set, k) => set.valuesFiles.map((file, j): [string, string] => [`/charts/${i}/valueSets/${k}/values/${j}`, file])),
    ]),
  ];
  for (const [pointer, file] of files) {
    const problem = confinementProblem(repoRoot, file);
    if (problem) yield { pointer, message: `values file ${JSON.stringify(path.relative(repoRoot, file).slice(0, 120))}: ${problem}` };
  }
  const baselineProblem = config.baseline !== undefined ? confinementProblem(repoRoot, config.baseline) : undefined;
  if (baselineProblem) yield { pointer: '/baseline', message: `baseline file ${JSON.stringify(path.relative(repoRoot, config.baseline!).slice(0, 120))}: ${baselineProblem}` };
  for (const [i, file] of (config.admissionPolicies ?? []).entries()) {
    const problem = confinementProblem(repoRoot, file);
    if (problem) yield { pointer: `/admission/policies/${i}`, message: `policy path ${JSON.stringify(path.relative(repoRoot, file).slice(0, 120))}: ${problem}` };
  }
}

interface RawConfig {
  failOn?: FailOn;
  failOnErrors?: boolean;
  pss?: { level?: 'baseline' | 'restricted'; version?: string };
  rules?: Record<string, string | { enabled?: boolean; severity?: Severity; options?: Record<string, unknown>; locked?: boolean }>;
  include?: string[];
  exclude?: string[];
  charts?: { path: string; values?: string[]; set?: string[]; valueSets?: { name: string; values?: string[]; set?: string[] }[] }[];
  helm?: Partial<Config['helm']>;
  valueSets?: { ci?: boolean; severity?: Severity | 'keep' };
  annotationSuppressions?: boolean;
  lockedRules?: string[];
  provenance?: boolean | { enabled?: boolean; maxRenders?: number };
  suppressions?: (Omit<ConfiguredSuppression, 'declared'>)[];
  customRules?: CustomRuleConfig[];
  admission?: { policies?: string[]; userInfo?: UserInfo };
  baseline?: string;
}

function mergeConfig(raw: RawConfig, baseDir: string, file: string, lineOf: (pointer: string) => number | undefined = () => undefined): Config {
  const config = defaultConfig();
  config.file = file;
  if (raw.failOn) config.failOn = raw.failOn;
  if (raw.failOnErrors !== undefined) config.failOnErrors = raw.failOnErrors;
  if (raw.pss?.level) config.pss.level = raw.pss.level;
  if (raw.pss?.version) config.pss.version = raw.pss.version;
  const locks: Record<string, { file: string; line?: number }> = {};
  const at = (pointer: string) => {
    const line = lineOf(pointer);
    return { file, ...(line !== undefined ? { line } : {}) };
  };
  for (const [id, setting] of Object.entries(raw.rules ?? {})) {
    const declared = at(`/rules/${id}`);
    if (typeof setting === 'string') {
      config.rules[id] = setting === 'off' ? { enabled: false, options: {} } : setting === 'on' ? { enabled: true, options: {} } : { enabled: true, severity: setting as Severity, options: {} };
    } else {
      config.rules[id] = { enabled: setting.enabled ?? true, ...(setting.severity ? { severity: setting.severity } : {}), options: setting.options ?? {}, ...(setting.locked ? { locked: true } : {}) };
      if (setting.locked) locks[id] = declared;
    }
    config.rules[id]!.declared = declared;
  }
  (raw.lockedRules ?? []).forEach((id, i) => (locks[id] ??= at(`/lockedRules/${i}`)));
  config.lockedRules = Object.keys(locks).sort();
  if (config.lockedRules.length > 0) config.lockDeclared = locks;
  if (raw.annotationSuppressions !== undefined) config.annotationSuppressions = raw.annotationSuppressions;
  config.include = raw.include ?? [];
  config.exclude = raw.exclude ?? [];
  config.charts = (raw.charts ?? []).map((entry, i) => ({
    path: path.resolve(baseDir, entry.path),
    valuesFiles: (entry.values ?? []).map((f) => path.resolve(baseDir, f)),
    set: entry.set ?? [],
    valueSets: (entry.valueSets ?? []).map((set, j) => {
      const line = lineOf(`/charts/${i}/valueSets/${j}`);
      return {
        name: set.name,
        valuesFiles: (set.values ?? []).map((f) => path.resolve(baseDir, f)),
        set: set.set ?? [],
        ...(line !== undefined ? { declared: { file, line } } : {}),
      };
    }),
  }));
  if (raw.baseline !== undefined) config.baseline = path.resolve(baseDir, raw.baseline);
  if (raw.customRules !== undefined) config.customRules = raw.customRules;
  if (raw.admission?.policies !== undefined) config.admissionPolicies = raw.admission.policies.map((p) => path.resolve(baseDir, p));
  if (raw.admission?.userInfo !== undefined) config.admissionUserInfo = raw.admission.userInfo;
  if (raw.valueSets?.ci !== undefined) config.valueSets.ci = raw.valueSets.ci;
  if (raw.valueSets?.severity !== undefined) config.valueSets.severity = raw.valueSets.severity;
  if (typeof raw.provenance === 'boolean') config.provenance.enabled = raw.provenance;
  else if (raw.provenance) {
    if (raw.provenance.enabled !== undefined) config.provenance.enabled = raw.provenance.enabled;
    if (raw.provenance.maxRenders !== undefined) config.provenance.maxRenders = raw.provenance.maxRenders;
  }
  config.suppressions = (raw.suppressions ?? []).map((entry, i) => {
    const line = lineOf(`/suppressions/${i}`);
    return {
      ...entry,
      ...(entry.chart !== undefined ? { chart: path.resolve(baseDir, entry.chart) } : {}),
      ...(entry.file !== undefined ? { file: path.resolve(baseDir, entry.file) } : {}),
      declared: { file, ...(line !== undefined ? { line } : {}) },
    };
  });
  if (raw.helm) {
    const { valuesFiles, ...rest } = raw.helm;
    Object.assign(config.helm, rest);
    config.helm.valuesFiles = (valuesFiles ?? []).map((f) => path.resolve(baseDir, f));
  }
  return config;
}
