// The pipeline shared by the CLI and the Action: discover -> load/render -> evaluate -> result.
// It never imports @actions/*, never exits the process, and turns every bad input into a ScanError.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import { RULES } from '../../rules/index.ts';
import { blastRadiiOf } from '../engine/blast-radius.ts';
import { processFindings, ValueSetEvaluation } from '../provenance/index.ts';
import type { Rule } from '../engine/rule-kit.ts';
import { objectsFromDocuments } from '../loaders/objects.ts';
import { helmCandidate, HelmNotFoundError, locateHelm, type HelmBinary } from '../loaders/helm.ts';
import { classifyPlanFile, classifyText, loadPlanFile, markUnknownFindings, type PlanClassification } from '../loaders/terraform/index.ts';
import { loadYamlDocuments, runWithYamlBudget, YamlBudget } from '../loaders/yaml-docs.ts';
import { resolvePssVersion } from '../pss/index.ts';
import { podTemplateOf } from '../k8s/workloads.ts';
import { renderCharts, type ChartRender } from './charts.ts';
import { CONFIG_FILE_NAME, defaultConfig, findConfig, loadConfig, type Config } from './config.ts';
import { discover, findRepoRoot, relativeTo, type Input } from './discover.ts';
import { UsageError } from './errors.ts';
import { CommentFiles } from './suppress.ts';
import {
  isBlocking,
  SEVERITIES,
  severityRank,
  type BlastRadius,
  type ChartRecord,
  type FailOn,
  type ObjectRecord,
  type ScanError,
  type ScannedObject,
  type ScanResult,
  type Severity,
} from './model.ts';

export interface ScanOptions {
  paths: string[];
  /** Explicit configuration file; otherwise .preadmit.yaml is looked up from the first path. */
  configFile?: string;
  failOn?: FailOn;
  pssVersion?: string;
  pssLevel?: 'baseline' | 'restricted';
  valuesFiles?: string[];
  set?: string[];
  helmPath?: string;
  kubeVersion?: string;
  releaseName?: string;
  namespace?: string;
  /** Reads standard input for the path `-`. */
  readStdin?: () => Promise<string>;
  /** Rules to run (default: the built-in catalog). */
  rules?: readonly Rule[];
  /** Overrides the configuration's `provenance` switch (locating findings at values and template lines). */
  provenance?: boolean;
}

export const TOOL_VERSION: string = pkg.version;

export function ruleIds(rules: readonly Rule[] = RULES): string[] {
  return rules.map((rule) => rule.meta.id);
}

/** Resolves configuration: defaults, then the config file, then command-line options. */
export function resolveConfig(options: ScanOptions, repoRoot: string): Config {
  const rules = options.rules ?? RULES;
  const first = options.paths.find((p) => p !== '-') ?? '.';
  const file = options.configFile ? path.resolve(options.configFile) : findConfig(first, repoRoot);
  const config = file ? loadConfig(file, ruleIds(rules), relativeTo(repoRoot, file), repoRoot) : defaultConfig();
  if (options.configFile && !file) throw new UsageError(`configuration file ${options.configFile} not found`);
  if (options.failOn) config.failOn = options.failOn;
  if (options.pssLevel) config.pss.level = options.pssLevel;
  if (options.pssVersion) config.pss.version = options.pssVersion;
  if (resolvePssVersion(config.pss.version) === undefined) {
    throw new UsageError(`invalid PSS version "${config.pss.version}": use latest or v1.N (v1.0 to v1.37)`);
  }
  if (options.kubeVersion) config.helm.kubeVersion = options.kubeVersion;
  if (options.provenance !== undefined) config.provenance.enabled = options.provenance;
  if (options.releaseName) config.helm.releaseName = options.releaseName;
  if (options.namespace) config.helm.namespace = options.namespace;
  config.helm.valuesFiles = [...config.helm.valuesFiles, ...(options.valuesFiles ?? []).map((f) => path.resolve(f))];
  config.helm.set = [...config.helm.set, ...(options.set ?? [])];
  return config;
}

interface Loaded {
  objects: ScannedObject[];
  errors: ScanError[];
  charts: ChartRecord[];
  renderMs: number;
  /** Every successful chart render, kept for provenance re-renders. */
  renders: ChartRender[];
}

function loadManifestText(text: string, file: string, explicit: boolean, loaded: Loaded): void {
  const parsed = loadYamlDocuments(text);
  for (const problem of parsed.problems) {
    loaded.errors.push({ kind: 'parse', file, message: problem.message, ...(problem.line ? { line: problem.line } : {}) });
  }
  const { objects, problems } = objectsFromDocuments(parsed.documents, {
    source: { kind: 'manifest', file },
    linesAreSource: true,
    strict: explicit,
  });
  for (const problem of problems) {
    loaded.errors.push({ kind: 'parse', file, message: problem.message, ...(problem.line ? { line: problem.line } : {}) });
  }
  loaded.objects.push(...objects);
}

async function load(
  inputs: Input[],
  config: Config,
  options: ScanOptions,
  repoRoot: string,
  helmLocated: Promise<HelmBinary>,
  onRender?: (render: ChartRender) => void,
): Promise<Loaded> {
  const loaded: Loaded = { objects: [], errors: [], charts: [], renderMs: 0, renders: [] };
  const helm = () => helmLocated;

  // A JSON file may be a Terraform plan: plans are recognised by content, not by name.
  const loadPlanOrManifest = async (classification: PlanClassification, absolute: string, file: string, text: () => string, explicit: boolean) => {
    if (classification.kind === 'rejected') {
      loaded.errors.push({ kind: 'parse', file, message: classification.message });
    } else if (classification.kind === 'plan') {
      const plan = await loadPlanFile(classification.json, {
        file: absolute,
        repoRoot,
        helm,
        timeoutMs: config.helm.timeoutSeconds * 1000,
        ...(config.helm.kubeVersion ? { kubeVersion: config.helm.kubeVersion } : {}),
      });
      loaded.objects.push(...plan.objects);
      loaded.errors.push(...plan.errors);
      // What the plan itself says it lacks (errored, incomplete, deferred changes) is reported, never passed over.
      for (const note of plan.notes) loaded.errors.push({ kind: 'read', file: note.file, ...(note.line ? { line: note.line } : {}), message: note.message });
      loaded.charts.push(...plan.charts);
      loaded.renderMs += plan.renderMs;
    } else {
      loadManifestText(text(), file, explicit, loaded);
    }
  };

  for (const input of inputs) {
    if (input.kind === 'stdin') {
      if (!options.readStdin) throw new UsageError('"-" given but standard input cannot be read here');
      const text = await options.readStdin();
      await loadPlanOrManifest(classifyText(text), path.join(process.cwd(), 'stdin.json'), '<stdin>', () => text, true);
    } else if (input.kind === 'manifest') {
      const file = relativeTo(repoRoot, input.file);
      let bytes: Buffer;
      try {
        bytes = readFileSync(input.file);
      } catch (error) {
        loaded.errors.push({ kind: 'read', file, message: `cannot read: ${(error as Error).message}` });
        continue;
      }
      await loadPlanOrManifest(classifyPlanFile(bytes), input.file, file, () => bytes.toString('utf8'), input.explicit);
    }
  }

  const charts = inputs.filter((input): input is Extract<Input, { kind: 'chart' }> => input.kind === 'chart');
  if (charts.length > 0) {
    // A usage error when charts need helm and there is none (renderCharts ends with helm's version check).
    let rendered: Awaited<ReturnType<typeof renderCharts>>;
    try {
      rendered = await renderCharts(charts.map((chart) => chart.dir), helm, config, repoRoot, { valueSets: true, helmPath: helmCandidate(options.helmPath), ...(onRender ? { onRender } : {}) });
    } catch (error) {
      if (error instanceof HelmNotFoundError) throw new UsageError(error.message, { cause: error });
      throw error;
    }
    loaded.renders.push(...rendered.renders);
    loaded.objects.push(...rendered.objects);
    loaded.errors.push(...rendered.errors);
    loaded.charts.push(...rendered.charts);
    loaded.renderMs += rendered.renderMs;
  }
  return loaded;
}

export function countBlocking(findings: { severity: Severity }[], failOn: FailOn): number {
  return findings.filter((f) => isBlocking(f.severity, failOn)).length;
}

export async function scan(options: ScanOptions): Promise<ScanResult> {
  // One budget of YAML nodes for everything this scan parses, manifests and rendered charts alike: many
  // large inputs together end as errors, not as an out-of-memory crash.
  return runWithYamlBudget(YamlBudget.forHeap(), () => scanWithBudget(options));
}

async function scanWithBudget(options: ScanOptions): Promise<ScanResult> {
  const started = performance.now();
  const rules = options.rules ?? RULES;
  const firstPath = options.paths.find((p) => p !== '-') ?? '.';
  const repoRoot = findRepoRoot(firstPath);
  // helm is located (`helm version`) while the configuration is read; unused when nothing needs helm.
  const helmLocated = locateHelm(options.helmPath);
  helmLocated.catch(() => undefined);
  const config = resolveConfig(options, repoRoot);
  const paths = options.paths.length > 0 ? options.paths : ['.'];
  const discovery = discover(paths, { repoRoot, include: config.include, exclude: config.exclude });
  // Each value set of a chart is evaluated on its own (a render as soon as it is parsed, while the others
  // still run); the same finding in several sets is merged below.
  const evaluator = new ValueSetEvaluation(rules, config);
  const comments = new CommentFiles();
  const loaded = await load(discovery.inputs, config, options, repoRoot, helmLocated, (render) => {
    evaluator.add(render);
    comments.add(render);
  });
  const evaluation = evaluator.finish(loaded.objects, loaded.renders);
  // A finding that depends on a value Terraform only knows at apply is neither a violation nor safe: say so.
  evaluation.findings = markUnknownFindings(evaluation.findings, loaded.objects, config);
  // Values and template lines (proven by re-rendering), the values lint, value-set merging, suppressions.
  const processed = await processFindings({ findings: evaluation.findings, renders: loaded.renders, objects: loaded.objects, config, repoRoot, ruleIds: ruleIds(rules), comments });
  const errors = [...discovery.errors, ...loaded.errors, ...evaluation.errors];

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
  return {
    tool: { name: 'preadmit', version: TOOL_VERSION },
    pss: { ...config.pss },
    findings,
    objects,
    charts: loaded.charts,
    errors,
    suppressions: processed.suppressions,
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
  };
}

/** Exit status: 1 when blocking findings remain or inputs failed (unless configured otherwise). */
export function exitCodeOf(result: ScanResult): 0 | 1 {
  return result.summary.verdict === 'fail' ? 1 : 0;
}

export { CONFIG_FILE_NAME };
