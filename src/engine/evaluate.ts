// Runs every enabled rule over the objects of one scan and turns reports into findings.
import { createHash } from 'node:crypto';
import type { Config } from '../config/config.ts';
import { TERRAFORM_API_VERSION, type AdmissionVerdict, type Finding, type ScanError, type ScannedObject, type Severity } from '../model/model.ts';
import { containersOf, podTemplateOf } from '../k8s/workloads.ts';
import { unknownBehind, unknownOf } from '../terraform/unknown.ts';
import { evaluateBothLevels, reportedViolations, withoutPaths } from '../pss/index.ts';
import type { ChartContext, PodView, Report, Rule, RuleContext } from './rule-kit.ts';
import { identityParts } from '../model/identity.ts';
import { UnitIndex, unitKeyOf } from './unit.ts';

export interface Evaluation {
  findings: Finding[];
  /** Admission verdict per object that carries a pod. */
  admission: Map<ScannedObject, AdmissionVerdict>;
  errors: ScanError[];
  /** The units the objects were grouped in, with their join indexes (reused for blast radius). */
  units: UnitIndex[];
}

/**
 * Helm test hooks (`helm.sh/hook: test`) run only when someone runs `helm test`, briefly, and are not part
 * of the deployed application. They are still admitted by the cluster and can still leak credentials, so
 * Pod Security, admission and secret rules judge them; hardening, image, network and service-account
 * rules do not.
 */
const TEST_HOOK_CATEGORIES: ReadonlySet<string> = new Set(['pod-security', 'admission', 'secrets']);

export function isHelmTestHook(object: ScannedObject): boolean {
  const metadata = object.raw.metadata;
  const annotations = metadata !== null && typeof metadata === 'object' ? (metadata as Record<string, unknown>).annotations : undefined;
  const hook = annotations !== null && typeof annotations === 'object' ? (annotations as Record<string, unknown>)['helm.sh/hook'] : undefined;
  return typeof hook === 'string' && hook.split(',').some((h) => h.trim() === 'test' || h.trim() === 'test-success');
}

const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

export function interpolate(template: string, data: Record<string, string | number> | undefined): string {
  return template.replace(PLACEHOLDER, (_, key: string) => String(data?.[key] ?? ''));
}

export function fingerprintOf(ruleId: string, object: ScannedObject, path: string): string {
  const { source } = object;
  const scope = source.address ?? source.chart ?? source.file;
  // A rendered object is known by its template and place, not by a name a template may randomise (identity.ts).
  return createHash('sha256')
    .update([ruleId, ...identityParts(object), path, scope].join('\u0000'))
    .digest('hex')
    .slice(0, 32);
}

export function podViewOf(object: ScannedObject, pss: Config['pss']): PodView | undefined {
  const template = podTemplateOf(object.raw);
  if (template === undefined) return undefined;
  const pod = { metadata: template.metadata, spec: template.spec };
  const both = evaluateBothLevels(pod, pss.version);
  const unknown = unknownOf(object);
  if (unknown.length > 0) {
    // A plan's unknowns: a violation all of whose fields depend on one is undecided, not a denial.
    for (const violation of [...both.baseline.violations, ...both.restricted.violations]) {
      const behind = violation.fields.map((field) => unknownBehind(unknown, template.base + field.path, { raw: object.raw, exactField: true }));
      if (behind.length > 0 && behind.every((b) => b !== undefined)) violation.unknown = behind[0]!;
    }
  }
  const { baseline, restricted } = both;
  return {
    ...template,
    object,
    containers: containersOf(template.spec),
    admission: { version: pss.version, baseline: withoutPaths(baseline), restricted: withoutPaths(restricted) },
    pss: reportedViolations(both, pss.level, pss.version),
  };
}

export interface EvaluateOptions {
  /** The chart context of a unit rendered from a chart (asked once per unit, with one of its objects). */
  chartOf?: (object: ScannedObject) => ChartContext | undefined;
}

/**
 * RuleContext.namespaces for unit-scoped rules: they run per unit (chart renders as they arrive), before the
 * scan's Namespaces are all known, so reading it is a defect of the rule, reported as an internal error.
 */
const NAMESPACES_OUT_OF_SCOPE: ReadonlyMap<string, ScannedObject> = (() => {
  const fail = (): never => {
    throw new Error("reads the namespaces of the whole scan but is not declared scope: 'scan'");
  };
  return {
    get: fail,
    has: fail,
    forEach: fail,
    entries: fail,
    keys: fail,
    values: fail,
    [Symbol.iterator]: fail,
    get size(): number {
      return fail();
    },
  };
})();

export function evaluate(objects: readonly ScannedObject[], rules: readonly Rule[], config: Config, options: EvaluateOptions = {}): Evaluation {
  const findings: Finding[] = [];
  const errors: ScanError[] = [];
  const admission = new Map<ScannedObject, AdmissionVerdict>();
  const active = rules.filter((rule) => config.rules[rule.meta.id]?.enabled !== false);
  const seen = new Set<string>();
  const units: UnitIndex[] = [];

  const emit = (rule: Rule, object: ScannedObject, base: string, report: Report) => {
    const path = base + report.path;
    const fingerprint = fingerprintOf(rule.meta.id, object, report.key === undefined ? path : `${path}\u0000${report.key}`);
    if (seen.has(fingerprint)) return;
    seen.add(fingerprint);
    const template = rule.meta.messages[report.messageId] ?? report.messageId;
    const severity: Severity = config.rules[rule.meta.id]?.severity ?? report.severity ?? rule.meta.defaultSeverity;
    const source = { ...object.source };
    const line = object.lineOf?.(path);
    if (line !== undefined) source.line = line;
    // A rule that read the chart's sources says where the cause is: located there, as provenance would.
    if (report.at?.template) {
      source.templateLocation = { ...report.at.template };
      if (report.at.template.file === source.file) source.line = report.at.template.line;
      source.located = 'template';
    }
    if (report.at?.values) {
      source.values = { ...report.at.values };
      source.located = 'values';
    }
    const finding: Finding = {
      ruleId: rule.meta.id,
      severity,
      category: rule.meta.category,
      message: interpolate(template, report.data),
      object: object.ref,
      path,
      source,
      fingerprint,
      remediation: rule.meta.remediation,
    };
    if (report.related && report.related.length > 0) finding.related = report.related;
    findings.push(finding);
  };

  const run = (rule: Rule, object: ScannedObject, thunk: () => Iterable<Report>, base: string) => {
    try {
      for (const report of thunk()) emit(rule, object, base, report);
    } catch (error) {
      errors.push({
        kind: 'internal',
        file: object.source.file,
        message: `rule ${rule.meta.id} failed on ${object.ref.kind}/${object.ref.name}: ${(error as Error).message}`,
      });
    }
  };

  // Pod views first: every rule and every join of a unit shares them.
  const pods = new Map<ScannedObject, PodView>();
  for (const object of objects) {
    try {
      const pod = podViewOf(object, config.pss);
      if (pod) {
        pods.set(object, pod);
        admission.set(object, pod.admission);
      }
    } catch (error) {
      errors.push({ kind: 'internal', file: object.source.file, message: `pod of ${object.ref.kind}/${object.ref.name} could not be evaluated: ${(error as Error).message}` });
    }
  }
  const namespaces = new Map<string, ScannedObject>();
  for (const object of objects) if (object.ref.kind === 'Namespace') namespaces.set(object.ref.name, object);
  const namespacesFor = new Map(active.map((rule) => [rule, rule.scope === 'scan' ? namespaces : NAMESPACES_OUT_OF_SCOPE]));
  const grouped = new Map<string, ScannedObject[]>();
  for (const object of objects) {
    const key = unitKeyOf(object);
    const list = grouped.get(key);
    if (list) list.push(object);
    else grouped.set(key, [object]);
  }
  for (const [key, members] of grouped) {
    // Test hooks are not part of the running application: joins (reachability, blast radius) leave them out.
    const unit = new UnitIndex(key, members, members.flatMap((m) => (isHelmTestHook(m) ? [] : (pods.get(m) ?? []))));
    units.push(unit);
    const chart = members[0] !== undefined ? options.chartOf?.(members[0]) : undefined;
    for (const object of members) {
      const pod = pods.get(object);
      const testHook = isHelmTestHook(object);
      const terraformResource = object.ref.apiVersion === TERRAFORM_API_VERSION;
      for (const rule of active) {
        if (testHook && !TEST_HOOK_CATEGORIES.has(rule.meta.category)) continue;
        const context: RuleContext = { pss: config.pss, unit, namespaces: namespacesFor.get(rule)!, options: config.rules[rule.meta.id]?.options ?? {}, ...(chart ? { chart } : {}) };
        if (rule.target === 'object') {
          if (rule.kinds ? !rule.kinds.includes(object.ref.kind) : terraformResource && !rule.includeTerraformResources) continue;
          run(rule, object, () => rule.check(object, context), '');
        } else if (pod) {
          run(rule, object, () => rule.check(pod, context), pod.base);
        }
      }
    }
  }
  return { findings, admission, errors, units };
}
