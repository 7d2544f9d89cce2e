// The pipeline shared by the CLI and the Action: discover (discover.ts) -> configure (config, policy.ts)
// -> load/render (load.ts) -> evaluate (evaluate.ts) -> locate, lint, merge, suppress (findings.ts) -> result.
// It never imports @actions/*, never exits the process, and turns every bad input into a ScanError.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import { RULES } from '../../rules/index.ts';
import { blastRadiiOf } from '../engine/blast-radius.ts';
import { processFindings } from './findings.ts';
import { ValueSetEvaluation } from './evaluate.ts';
import type { Rule } from '../engine/rule-kit.ts';
import { locateHelm } from '../render/helm.ts';
import type { ChartRender } from '../render/charts.ts';
import { RenderCache, runWithRenderCache } from '../render/render-cache.ts';
import { markUnknownFindings } from '../terraform/index.ts';
import { MiB, RENDER_BOUNDS, RenderBudget, runWithRenderBudget } from '../config/render-budget.ts';
import { runWithYamlBudget, YamlBudget } from '../loaders/yaml-docs.ts';
import { PSS_LATEST_MINOR, resolvePssVersion } from '../pss/index.ts';
import { podTemplateOf } from '../k8s/workloads.ts';
import { CONFIG_FILE_NAME, defaultConfig, enforceLocks, findConfig, loadConfig, namedValuesFiles, type Config } from '../config/config.ts';
import { pendingChanges, policyAt, type PolicyRequest, type ResolvedPolicy } from './policy.ts';
import { discover, findRepoRoot, relativeTo } from './discover.ts';
import { isInside, safeRealpath } from '../model/paths.ts';
import { load } from './load.ts';
import { UsageError } from '../model/errors.ts';
import { deletionFindings, policyFilesAtBase, prepareScanAdmission } from './admission.ts';
import type { UserInfo } from '../admission/prepared.ts';
import { customRulesOf } from '../../rules/_templates/custom-cel.ts';
import { CommentFiles } from './suppress.ts';
import { applyBaselineFile } from './baseline-file.ts';
import { Redactor, runCredentials, scannedSecrets, valuesSecrets } from '../secrets/redact.ts';
import { nodesOf } from '../render/effective-values.ts';
import { valuesOfRender } from '../provenance/chart-context.ts';
import { attachFixes, type FixMode, type FixReport } from '../fix/index.ts';
import { helmCandidate } from '../render/helm.ts';
import type { RenderedCharts } from '../render/charts.ts';
import { attachProvenance } from '../provenance/index.ts';
import { configDigest, selectShard, type ShardRequest, type ShardSelection } from './shard.ts';
import { borrowLocation, namespaceFacts, pendingNamespaceJoins, placeKey, POLICY_KINDS } from './shard-joins.ts';
import { applySuppressions } from './suppress.ts';
import {
  isBlocking,
  SEVERITIES,
  severityRank,
  type BlastRadius,
  type FailOn,
  type Finding,
  type ShardInfo,
  type ObjectRecord,
  type ScanError,
  type ScannedObject,
  type ScanResult,
  type Severity,
} from '../model/model.ts';

export interface ScanOptions {
  paths: string[];
  /** Files or folders of ValidatingAdmissionPolicies, bindings and their params (`--policies`). */
  policies?: string[];
  /** Explicit configuration file; otherwise .preadmit.yaml is looked up from the first path. */
  configFile?: string;
  failOn?: FailOn;
  pssVersion?: string;
  pssLevel?: 'baseline' | 'restricted';
  /** Whether inputs that could not be read or rendered fail the run (config failOnErrors). */
  failOnErrors?: boolean;
  valuesFiles?: string[];
  set?: string[];
  helmPath?: string;
  kubeVersion?: string;
  releaseName?: string;
  namespace?: string;
  /** Reads standard input for the path `-`. */
  readStdin?: () => Promise<Buffer | string>;
  /** Rules to run (default: the built-in catalog). */
  rules?: readonly Rule[];
  /** Overrides the configuration's `provenance` switch (locating findings at values and template lines). */
  provenance?: boolean;
  /** Off, charts get no second render (install/upgrade, CRD APIs; render-variants.ts): for measurements. */
  renderVariants?: boolean;
  /** Overrides of the configuration's render bounds (helm.timeoutSeconds and the others), checked against the same maxima. */
  bounds?: Partial<Pick<Config['helm'], 'timeoutSeconds' | 'totalTimeoutSeconds' | 'memoryLimitMiB' | 'maxOutputMiB' | 'maxRenders'>>;
  /** Stops the scan's renders (running helm processes are killed): SIGINT/SIGTERM. */
  signal?: AbortSignal;
  /** Told about a render still running after 10 s (and every 10 s after). */
  onSlowRender?: (chart: string, seconds: number) => void;
  /** After each chart render is read: renders so far, the charts that have one, and the charts to render. */
  onProgress?: (progress: { renders: number; charts: number; totalCharts: number }) => void;
  /**
   * Take the policy (configuration, suppressions, locks) from this git revision instead of the checked-out
   * files: a pull request's base. What the files change in it is listed in result.policy.
   */
  policyFrom?: PolicyRequest;
  /**
   * Credentials of the run (the Action's github-token) that no report may contain, plain or encoded; the
   * runner's token variables and the checkout's extraheader in .git/config are found without being given.
   */
  credentials?: readonly string[];
  /**
   * Called once with the discovered charts (repository-relative directories) and the configuration that
   * gates the scan; only the charts it returns are rendered (pipeline/changed-charts.ts, with --base).
   */
  selectCharts?: (charts: string[], config: Config) => string[];
  /** Charts whose folders' Kubernetes objects outside templates/ are judged as manifests (discover.ts; --base: charts the base lacks). */
  judgeChartFiles?: (chartDir: string) => boolean;
  /** The base revision's objects (base-compare.ts): admission policies see those the head keeps as UPDATEs, those it drops as DELETEs. */
  admissionBase?: readonly ScannedObject[];
  /** Told the scanned objects once they are loaded (base-compare.ts keeps the base's for admissionBase). */
  onObjects?: (objects: readonly ScannedObject[]) => void;
  /** The requester admission policies see in request.userInfo (`--as`); overrides `admission.userInfo`. */
  admissionUser?: UserInfo;
  /**
   * Which chart findings get a proven fix (issue 17, src/fix): `gating` (default) the unsuppressed ones at or
   * above failOn (with --base, new ones only: selectFixes), `all` every one, `off` none.
   */
  fixes?: FixMode;
  /** Only findings of these rules get a fix (`preadmit fix --rule`). */
  fixRules?: readonly string[];
  /** Rules whose opt-in fix recipes may be used (`--fix-rule`). */
  fixOptIn?: readonly string[];
  /** Of the scan's findings, those a fix may be proven for (with --base: the new ones); default all. */
  selectFixes?: (findings: readonly Finding[]) => ReadonlySet<Finding>;
  /** Told what the fix proofs did: candidates, proven edits per chart, renders. */
  onFixes?: (report: FixReport) => void;
  /** Scan only this shard's units (`--shard K/N`); the report then carries what `preadmit merge` needs (shard.ts). */
  shard?: ShardRequest;
  /**
   * A folder for the render cache (render/render-cache.ts): a render whose every input is unchanged is read
   * from it instead of running helm. Off when undefined.
   */
  cacheDir?: string;
}

/**
 * The render cache at `dir`, refused inside the scanned repository: a pull request could commit entries
 * there (keys are computable from its own files) and have its scan read what it wrote instead of helm's output.
 */
function renderCacheAt(dir: string, paths: readonly string[]): RenderCache {
  const repoRoot = findRepoRoot(paths.find((p) => p !== '-') ?? '.');
  const real = (p: string) => {
    for (let at = path.resolve(p); ; at = path.dirname(at)) {
      const resolved = safeRealpath(at);
      if (resolved !== undefined) return path.join(resolved, path.relative(at, path.resolve(p)));
      if (path.dirname(at) === at) return path.resolve(p);
    }
  };
  if (isInside(real(repoRoot), real(dir))) throw new UsageError(`the render cache ${dir} is inside the repository scanned: a pull request could commit entries there; use a folder outside it (e.g. under RUNNER_TEMP)`);
  return new RenderCache(dir);
}

export const TOOL_VERSION: string = pkg.version;

export function ruleIds(rules: readonly Rule[] = RULES): string[] {
  return rules.map((rule) => rule.meta.id);
}

/** Resolves configuration: defaults, then the config file, then command-line options. */
export function resolveConfig(options: ScanOptions, repoRoot: string): Config {
  return withScanOptions(fileConfig(options, repoRoot), options);
}

/** The checked-out configuration file (explicit, or the nearest .preadmit.yaml), else the defaults. */
function fileConfig(options: ScanOptions, repoRoot: string): Config {
  const rules = options.rules ?? RULES;
  const first = options.paths.find((p) => p !== '-') ?? '.';
  const file = options.configFile ? path.resolve(options.configFile) : findConfig(first, repoRoot);
  const config = file ? loadConfig(file, ruleIds(rules), relativeTo(repoRoot, file), repoRoot) : defaultConfig();
  if (options.configFile && !file) throw new UsageError(`configuration file ${options.configFile} not found`);
  return config;
}

/** Command-line options (and the Action's inputs) on top of a configuration. */
function withScanOptions(config: Config, options: ScanOptions): Config {
  if (options.failOn) config.failOn = options.failOn;
  if (options.pssLevel) config.pss.level = options.pssLevel;
  if (options.failOnErrors !== undefined) config.failOnErrors = options.failOnErrors;
  if (options.pssVersion) config.pss.version = options.pssVersion;
  // (A namespace label naming a future version means the newest, as the API server reads it; a version the
  // user asks for by name must be one preadmit has, or the report would claim a policy it did not apply.)
  const minor = resolvePssVersion(config.pss.version);
  const named = /^v1\.(\d+)$/.exec(config.pss.version)?.[1];
  if (minor === undefined || (named !== undefined && Number(named) > PSS_LATEST_MINOR)) {
    throw new UsageError(`invalid PSS version "${config.pss.version}": use latest or v1.N (v1.0 to v1.${PSS_LATEST_MINOR})`);
  }
  if (options.kubeVersion) config.helm.kubeVersion = options.kubeVersion;
  if (options.provenance !== undefined) config.provenance.enabled = options.provenance;
  if (options.releaseName) config.helm.releaseName = options.releaseName;
  if (options.namespace) config.helm.namespace = options.namespace;
  for (const [key, value] of Object.entries(options.bounds ?? {}) as [keyof typeof RENDER_BOUNDS, number | undefined][]) {
    if (value === undefined) continue;
    const bound: { max: number; min?: number } = RENDER_BOUNDS[key];
    const integer = key !== 'timeoutSeconds' && key !== 'totalTimeoutSeconds';
    if (!Number.isFinite(value) || value <= 0 || value < (bound.min ?? 0) || value > bound.max || (integer && !Number.isInteger(value))) {
      throw new UsageError(`${BOUND_FLAGS[key]} must be ${integer ? 'a whole number' : 'a number of seconds'} from ${bound.min ?? (integer ? 1 : 'above 0')} to ${bound.max} (got ${value})`);
    }
    config.helm[key] = value;
  }
  config.helm.valuesFiles = [...config.helm.valuesFiles, ...(options.valuesFiles ?? []).map((f) => path.resolve(f))];
  config.helm.set = [...config.helm.set, ...(options.set ?? [])];
  return config;
}

/** The command-line flag of each render bound (the configuration key is helm.<bound>). */
export const BOUND_FLAGS: Record<keyof typeof RENDER_BOUNDS, string> = {
  timeoutSeconds: '--helm-timeout',
  totalTimeoutSeconds: '--total-timeout',
  memoryLimitMiB: '--helm-memory-limit',
  maxOutputMiB: '--max-render-output',
  maxRenders: '--max-renders',
};

/** The render budget of one scan, from the configuration's bounds. */
export function renderBudgetOf(config: Config, options: Pick<ScanOptions, 'signal' | 'onSlowRender'> = {}, repoRoot = '.'): RenderBudget {
  const onSlowRender = options.onSlowRender;
  return new RenderBudget({
    maxRenders: config.helm.maxRenders,
    totalTimeoutMs: config.helm.totalTimeoutSeconds * 1000,
    memoryLimitBytes: config.helm.memoryLimitMiB * MiB,
    maxOutputBytes: config.helm.maxOutputMiB * MiB,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(onSlowRender ? { onSlowRender: (dir: string, seconds: number) => onSlowRender(relativeTo(repoRoot, dir), seconds) } : {}),
  });
}

/** One error naming what the render budget left out (every render refused, deadline passed), if anything. */
export function budgetError(budget: RenderBudget, repoRoot: string): ScanError | undefined {
  const refused = budget.refusedCount();
  if (refused === 0) return undefined;
  const charts = [...budget.refused.keys()].map((dir) => relativeTo(repoRoot, dir)).sort();
  const why = (budget.refusal() ?? '').replace(/^not rendered: /, '');
  const named = charts.slice(0, 10).join(', ') + (charts.length > 10 ? ` and ${charts.length - 10} more` : '');
  return {
    kind: 'render',
    file: charts[0] ?? '.',
    message: `${refused} helm render${refused === 1 ? '' : 's'} not made or stopped (value sets, Terraform releases, re-renders locating findings at values and template lines) of ${named}: ${why}`,
  };
}

export function countBlocking(findings: { severity: Severity }[], failOn: FailOn): number {
  return findings.filter((f) => isBlocking(f.severity, failOn)).length;
}

export async function scan(options: ScanOptions): Promise<ScanResult> {
  // One budget of YAML nodes for everything this scan parses, manifests and rendered charts alike: many
  // large inputs together end as errors, not as an out-of-memory crash.
  const cache = options.cacheDir !== undefined ? renderCacheAt(options.cacheDir, options.paths) : undefined;
  const result = await runWithRenderCache(cache, () => runWithYamlBudget(YamlBudget.forHeap(), () => scanWithBudget(options)));
  cache?.prune();
  return result;
}

async function scanWithBudget(options: ScanOptions): Promise<ScanResult> {
  const started = performance.now();
  const rules = options.rules ?? RULES;
  const firstPath = options.paths.find((p) => p !== '-') ?? '.';
  const repoRoot = findRepoRoot(firstPath);
  // helm is located (`helm version`) while the configuration is read; unused when nothing needs helm.
  const helmLocated = locateHelm(options.helmPath);
  helmLocated.catch(() => undefined);
  const headConfig = fileConfig(options, repoRoot);
  const defaultSeverity = (id: string) => rules.find((rule) => rule.meta.id === id)?.meta.defaultSeverity;
  let policy: ResolvedPolicy | undefined;
  if (options.policyFrom !== undefined) {
    const first = path.resolve(options.paths.find((p) => p !== '-') ?? '.');
    policy = await policyAt(
      options.policyFrom,
      headConfig,
      { ...(options.configFile !== undefined ? { configFile: options.configFile } : {}), first, firstIsDirectory: existsSync(first) && statSync(first).isDirectory() },
      repoRoot,
      ruleIds(rules),
      defaultSeverity,
    );
  }
  const config = withScanOptions(policy?.config ?? headConfig, options);
  enforceLocks(config, defaultSeverity, (file) => relativeTo(repoRoot, file));
  const paths = options.paths.length > 0 ? options.paths : ['.'];
  const discovery = discover(paths, { repoRoot, include: config.include, exclude: config.exclude, ...(options.judgeChartFiles !== undefined ? { judgeChartFiles: options.judgeChartFiles } : {}) });
  if (options.selectCharts) {
    const kept = new Set(options.selectCharts(discovery.inputs.flatMap((i) => (i.kind === 'chart' ? [relativeTo(repoRoot, i.dir)] : [])), config));
    discovery.inputs = discovery.inputs.filter((i) => i.kind !== 'chart' || kept.has(relativeTo(repoRoot, i.dir)));
  }
  let sharded: ShardSelection | undefined;
  if (options.shard) {
    // Files the configuration and options name are read too: their content must be the same in every shard.
    const named = [
      ...namedValuesFiles(config),
      ...(config.admissionPolicies ?? []),
      ...(options.policies ?? []),
      ...(config.baseline !== undefined ? [config.baseline] : []),
    ];
    sharded = selectShard(discovery.inputs, options.shard, repoRoot, named);
    discovery.inputs = sharded.inputs;
  }
  // Each value set of a chart is evaluated on its own (a render as soon as it is parsed, while the others
  // still run); the same finding in several sets is merged below.
  const evaluator = new ValueSetEvaluation([...rules, ...customRulesOf(config.customRules ?? [])], config);
  const comments = new CommentFiles();
  // Every helm run of this scan (charts, value sets, provenance, Terraform releases) shares one budget.
  const budget = renderBudgetOf(config, options, repoRoot);
  const totalCharts = discovery.inputs.filter((input) => input.kind === 'chart').length;
  const rendered = new Set<string>();
  let renders = 0;
  // The values' credentials reports must not show, taken as each render is evaluated (its values are at
  // hand then; provenance lets them go once it has located the render's findings).
  const valuesSecretsOf = new Map<ChartRender, string[]>();
  const loaded = await runWithRenderBudget(budget, () =>
    load(discovery.inputs, config, options, repoRoot, helmLocated, (render) => {
      evaluator.add(render);
      if (render.variant === undefined) {
        valuesSecretsOf.set(render, valuesSecrets(nodesOf(evaluator.valuesOf(render).value)));
        evaluator.releaseValues(render);
      }
      comments.add(render);
      rendered.add(render.chart);
      options.onProgress?.({ renders: ++renders, charts: rendered.size, totalCharts });
    }),
  );
  // ValidatingAdmissionPolicies (issue 19): from --policies and among the scanned objects, read by rules/admission-policy.ts.
  // In a pull request (policyFrom) the configuration's policy files are read as the base commit has them.
  const configPolicies = config.admissionPolicies ?? [];
  const atBase = policy?.sha !== undefined && configPolicies.length > 0 ? await policyFilesAtBase(repoRoot, policy.sha, configPolicies) : undefined;
  // With a base scan, objects the base deploys are admitted as UPDATEs, those the change removes as DELETEs
  // (every evaluated object: second renders' too).
  const evaluated = [...new Set([...loaded.objects, ...loaded.variants.flatMap((render) => render.objects)])];
  options.onObjects?.(evaluated);
  const userInfo = options.admissionUser ?? config.admissionUserInfo;
  const admissionContext = { ...(options.admissionBase ? { base: options.admissionBase, evaluated } : {}), ...(userInfo ? { userInfo } : {}) };
  loaded.errors.push(...prepareScanAdmission(loaded.objects, [...(atBase ? [] : configPolicies), ...(options.policies ?? [])], repoRoot, atBase, admissionContext));
  const evaluation = evaluator.finish(loaded.objects, [...loaded.renders, ...loaded.variants]);
  evaluation.findings.push(...deletionFindings(config));
  // A finding that depends on a value Terraform only knows at apply is neither a violation nor safe: say so.
  evaluation.findings = markUnknownFindings(evaluation.findings, loaded.objects, config);
  // Values and template lines (proven by re-rendering), the values lint, value-set merging, suppressions.
  // In a pull request, suppressions its files add count once merged (decided against the base's files).
  const pending = policy ? await policy.pending({ comments: comments.comments(loaded.renders), objects: loaded.objects, renders: loaded.renders }) : undefined;
  const processed = await runWithRenderBudget(budget, () =>
    processFindings({
    findings: evaluation.findings,
    renders: loaded.renders,
    objects: loaded.objects,
    config,
    repoRoot,
    ruleIds: ruleIds(rules),
    comments,
    ...(pending !== undefined ? { pending } : {}),
    }),
  );
  // Proven fixes for the findings that gate (or all): edits re-rendered on a copy of each chart, within
  // what is left of the scan's render budget (a proof that runs out offers no fix, it is no scan error).
  const fixMode = options.fixes ?? 'gating';
  if (fixMode !== 'off' && loaded.renders.length > 0) {
    const eligible = options.selectFixes?.(processed.findings);
    const wanted = processed.findings.filter(
      (f) =>
        f.source.kind === 'helm' &&
        f.suppressed === undefined &&
        (fixMode === 'all' || isBlocking(f.severity, config.failOn)) &&
        (options.fixRules === undefined || options.fixRules.includes(f.ruleId)) &&
        (eligible === undefined || eligible.has(f)),
    );
    const allRules = [...rules, ...customRulesOf(config.customRules ?? [])];
    const namespaces = loaded.objects.filter((o) => o.ref.kind === 'Namespace');
    const report = await attachFixes(
      wanted,
      processed.findings,
      { rules: allRules, objects: loaded.objects, ...(options.fixOptIn ? { optIn: options.fixOptIn } : {}) },
      {
        repoRoot,
        config,
        helm: () => helmLocated,
        helmPath: helmCandidate(options.helmPath),
        variants: options.renderVariants !== false,
        maxRenders: Math.max(0, config.helm.maxRenders - budget.started),
        scanErrors: loaded.errors,
        signal: budget.signal,
        evaluate: (copy: RenderedCharts, chart: string) => {
          // Evaluated as the scan evaluates a chart: per value set, with the scan's namespaces for scan-wide rules.
          const evaluation = new ValueSetEvaluation(allRules, config).finish([...copy.objects, ...namespaces.filter((o) => o.source.chart !== chart)], [...copy.renders, ...copy.variants]);
          return markUnknownFindings(evaluation.findings, copy.objects, config).filter((f) => f.source.chart === chart);
        },
      },
    );
    options.onFixes?.(report);
  }
  const shard =
    options.shard && sharded
      ? await runWithRenderBudget(budget, () =>
          shardInfo(options.shard!, sharded!, {
            config,
            options,
            repoRoot,
            rules,
            objects: loaded.objects,
            renders: loaded.renders,
            variants: loaded.variants,
            evaluated: evaluation.findings,
            suppress: (findings) =>
              void applySuppressions(findings, {
                config,
                repoRoot,
                objects: loaded.objects,
                comments: comments.comments(loaded.renders),
                ruleIds: ruleIds(rules),
                ...(pending !== undefined ? { pending } : {}),
              }),
          }),
        )
      : undefined;
  // The second renders are evaluated (and the shard's join facts taken); their diverging objects stay in
  // loaded.objects, the rest can go.
  loaded.variants.length = 0;
  const refused = budgetError(budget, repoRoot);
  const errors = [...discovery.errors, ...loaded.errors, ...evaluation.errors, ...(refused ? [refused] : [])];

  const blast = new Map<ScannedObject, BlastRadius>();
  for (const unit of evaluation.units) for (const [object, radius] of blastRadiiOf(unit)) blast.set(object, radius);
  const objects: ObjectRecord[] = loaded.objects.map((object) => {
    const record: ObjectRecord = { object: object.ref, source: object.source };
    const admission = evaluation.admission.get(object);
    if (admission) {
      const template = podTemplateOf(object.raw);
      if (template) record.podTemplate = { path: template.base, origin: template.origin ?? 'kubernetes', detected: template.detected ?? 'kind' };
      record.admission = admission;
    }
    const radius = blast.get(object);
    if (radius) record.blastRadius = radius;
    return record;
  });

  for (const chart of loaded.charts) {
    const denied = new Set<string>();
    for (const object of loaded.objects) {
      if (object.source.chart !== chart.chart || (object.source.valueSet ?? 'default') !== chart.valueSet) continue;
      const verdict = evaluation.admission.get(object)?.[config.pss.level];
      for (const v of verdict?.violations ?? []) denied.add(v.check);
    }
    chart.admission = { level: config.pss.level, version: config.pss.version, allowed: denied.size === 0, deniedBy: [...denied].sort() };
  }

  const findings = processed.findings.sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || a.source.file.localeCompare(b.source.file) || a.ruleId.localeCompare(b.ruleId),
  );
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const finding of findings) bySeverity[finding.severity]++;

  const blocking = countBlocking(
    findings.filter((f) => !f.suppressed),
    config.failOn,
  );
  const failed = blocking > 0 || (config.failOnErrors && errors.length > 0);
  // The run's own and the secrets given from outside the repository (--set) first: where the redactor bounds
  // its work, they keep their places before those a pull request can add (Secret objects, values files).
  const redactor = new Redactor([
    ...runCredentials({ credentials: options.credentials ?? [], workTrees: [repoRoot, process.cwd()] }),
    ...valuesSecrets([...config.helm.set, ...loaded.renders.flatMap((r) => r.request.set)].map((pair) => ({ path: [pair.slice(0, pair.indexOf('=')).split('.').pop() ?? ''], value: pair.slice(pair.indexOf('=') + 1) }))),
    ...loaded.secrets,
    ...loaded.renders.flatMap((render) => valuesSecretsOf.get(render) ?? valuesSecrets(nodesOf(valuesOfRender(render).value))),
    ...scannedSecrets(loaded.objects),
    ...scannedSecrets(options.admissionBase ?? []),
  ]);
  // The result every reporter and publisher sees: no credential of the run or of the scan, in any encoding.
  const scanned = redactor.value<ScanResult>({
    tool: { name: 'preadmit', version: TOOL_VERSION },
    pss: { ...config.pss },
    findings,
    objects,
    charts: loaded.charts,
    errors,
    suppressions: processed.suppressions,
    // Suppressions the files add are policy changes; in the fallback no suppression counts, and they are
    // reported as suppressions that need attention instead.
    ...(policy !== undefined ? { policy: { ...policy.info, changes: policy.info.from === 'revision' ? [...policy.info.changes, ...pendingChanges(processed.suppressions)] : [] } } : {}),
    ...(discovery.skipped.length + loaded.skipped.length > 0 ? { skipped: [...discovery.skipped, ...loaded.skipped] } : {}),
    ...(shard !== undefined ? { shard } : {}),
    summary: {
      verdict: failed ? 'fail' : 'pass',
      findings: findings.length,
      bySeverity,
      blocking,
      failOn: config.failOn,
      objects: objects.length,
      charts: loaded.charts.length,
      errors: errors.length,
      renderMs: Math.round(loaded.renderMs),
      totalMs: Math.round(performance.now() - started),
      suppressed: findings.filter((f) => f.suppressed).length,
      provenance: processed.provenance,
    },
  });
  // A reviewed baseline file marks what it lists as existing (not in a --base comparison's partial scans).
  return config.baseline !== undefined && options.selectCharts === undefined ? applyBaselineFile(scanned, config, repoRoot, policy?.info.from === 'revision' ? policy.sha : undefined) : scanned;
}

interface ShardContext {
  config: Config;
  options: ScanOptions;
  repoRoot: string;
  rules: readonly Rule[];
  objects: readonly ScannedObject[];
  renders: readonly ChartRender[];
  variants: readonly ChartRender[];
  /** The evaluation's findings, located by provenance (processFindings locates them in place). */
  evaluated: readonly Finding[];
  /** Marks suppressed findings in place, as the scan's own suppression step. */
  suppress: (findings: Finding[]) => void;
}

/**
 * What a shard's report carries for `preadmit merge` (shard-joins.ts): its units, what identifies the
 * scan, its Namespaces and the join findings other shards' Namespaces may decide, finished like the
 * scan's own findings (unknown-until-apply values, provenance, suppressions).
 */
async function shardInfo(request: ShardRequest, selection: ShardSelection, ctx: ShardContext): Promise<ShardInfo> {
  const { config, repoRoot } = ctx;
  const joins = pendingNamespaceJoins(ctx.objects, ctx.rules, config);
  const findings = markUnknownFindings(
    joins.map((j) => j.finding),
    ctx.objects,
    config,
  );
  joins.forEach((join, i) => (join.finding = findings[i]!));
  // The place of a join finding is the place of the pss-* finding on the same field: provenance gives
  // both the same location, so it is copied rather than proven again; the rest are located here.
  const located = new Map<string, Finding>();
  for (const f of ctx.evaluated) if (f.category === 'pod-security' && f.source.located !== undefined) located.set(placeKey(f), f);
  const unlocated = findings.filter((f) => f.source.kind === 'helm' && f.source.variant === undefined && !borrowLocation(f, located));
  if (unlocated.length > 0 && config.provenance.enabled) {
    const kept = new Map(ctx.renders.map((r) => [r, r.record.provenance]));
    await attachProvenance(unlocated, ctx.renders, config);
    for (const [render, before] of kept) {
      const now = render.record.provenance;
      if (before && now && now !== before) render.record.provenance = { renders: before.renders + now.renders, ms: before.ms + now.ms };
      else if (before) render.record.provenance = before;
    }
  }
  ctx.suppress(findings);
  const relative = (p: string) => relativeTo(repoRoot, path.resolve(p));
  return {
    index: request.index,
    count: request.count,
    assignment: 'rendezvous-sha256',
    config: configDigest(config, { policies: (ctx.options.policies ?? []).map(relative), renderVariants: ctx.options.renderVariants !== false, rules: ruleIds(ctx.rules) }, repoRoot),
    inputs: selection.inputsDigest,
    total: selection.total,
    units: selection.units,
    failOnErrors: config.failOnErrors,
    namespaces: namespaceFacts(ctx.objects),
    joins: joins.map(({ source: _object, ...join }) => join),
    valueSets: { severity: config.valueSets.severity, lockedRules: [...config.lockedRules] },
    diverging: [...new Set(ctx.variants.filter((r) => r.diverges === true).map((r) => `${r.chart}\u0000${r.valueSet.name}`))].sort(),
    policies: [...new Set(ctx.objects.filter((o) => POLICY_KINDS.has(o.ref.kind)).map((o) => o.source.chart ?? o.source.file))].sort(),
  };
}

/** Exit status: 1 when blocking findings remain or inputs failed (unless configured otherwise). */
export function exitCodeOf(result: ScanResult): 0 | 1 {
  return result.summary.verdict === 'fail' ? 1 : 0;
}

export { CONFIG_FILE_NAME };
