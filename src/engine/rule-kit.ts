// The contract between the engine and a rule module under rules/.
// A rule declares what it looks at (its target) and returns reports with pointers; the engine turns
// reports into findings (message, severity after config, location, fingerprint).
import type { ObjectRef, ScannedObject, Severity, TemplateLocation, ValuesLocation } from '../model/model.ts';
import type { Obj } from '../k8s/values.ts';
import type { PodView } from './pod-view.ts';
import type { UnitIndex } from './unit.ts';
import type { FixRecipe } from './fix-recipe.ts';

export type { PodView, FixRecipe };

export const CATEGORIES = ['pod-security', 'workload', 'rbac', 'network', 'secrets', 'images', 'admission', 'values'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface RuleMeta {
  /** kebab-case, equals the module's file name. */
  id: string;
  title: string;
  category: Category;
  defaultSeverity: Severity;
  /** Why it matters, one paragraph. */
  description: string;
  remediation: string;
  references: { title: string; url: string }[];
  /** Message templates by id; `{{name}}` placeholders are filled from a report's data. */
  messages: Record<string, string>;
}

export interface Report {
  messageId: string;
  /** Pointer relative to the view's base (the object for `object`, the pod template for `pod`). */
  path: string;
  data?: Record<string, string | number>;
  /** Other objects this report was derived from. */
  related?: ObjectRef[];
  /** Tells apart several reports at one path (e.g. one per failed admission policy validation); part of the fingerprint. */
  key?: string;
  /** A severity for this report other than the rule's default (e.g. cluster-wide vs namespaced); config still wins. */
  severity?: Severity;
  /**
   * Where in the chart's sources the rule itself found the cause (a values.yaml key, a template line), for
   * rules that read the chart through `RuleContext.chart`: the finding is located there and provenance
   * spends no render on it.
   */
  at?: { values?: ValuesLocation; template?: TemplateLocation };
}

/** A string a chart's own values.yaml sets: the chart's, a subchart's, or a parent's section for a subchart. */
export interface ChartDefaultString {
  /** Path in the top-level values space (subchart values under their alias). */
  path: readonly (string | number)[];
  value: string;
  /** The values file (repository-relative), line and key as written in that file (looked up when first read). */
  readonly where: ValuesLocation;
}

/** What a chart render knows besides its objects: its values and template sources. Read-only, computed on first use. */
export interface ChartContext {
  /**
   * Non-empty string leaves of the render's values whose value comes from the chart's own values.yaml files
   * (the chart's or a subchart's), not from a values file or `--set` pair of the scan, in file order.
   */
  defaultStrings(): readonly ChartDefaultString[];
  /** Every non-empty string leaf of the render's values, defaults and supplied values alike. */
  valueStrings(): readonly string[];
  /** The non-empty strings the scan's values files and `--set` pairs supply (what the user chose, not a default). */
  suppliedStrings(): ReadonlySet<string>;
  /** The values path of the (sub)chart a `# Source:` template belongs to (empty for the chart itself). */
  scopeOf(template: string): readonly (string | number)[] | undefined;
  /**
   * The first line of the template's own file, then of its chart's helper files (`templates/_*`), that
   * writes one of `texts` (single-line) as a literal: quoted (`"x"`, `'x'`), or as the whole value after
   * `:` or `=`. A word that merely occurs in the line (as a key, inside a name) does not count.
   */
  findLiteral(template: string, texts: readonly string[]): TemplateLocation | undefined;
}

/** Everything a rule may consult beyond its own view; read-only. */
export interface RuleContext {
  /** PSS level and version the scan evaluates at. */
  pss: { level: 'baseline' | 'restricted'; version: string };
  /** The objects deployed together with this one (a chart render, a plan, the manifests), with join indexes. */
  unit: UnitIndex;
  /**
   * Namespace objects anywhere in the scan, by name (a namespace is often created apart from what runs in
   * it). Only for rules declared `scope: 'scan'`.
   */
  namespaces: ReadonlyMap<string, ScannedObject>;
  /** Rule options from configuration (already validated). */
  options: Readonly<Record<string, unknown>>;
  /** For objects rendered from a chart in this scan: the chart's values and template sources; absent for manifests and plans. */
  chart?: ChartContext;
}

interface RuleBase {
  meta: RuleMeta;
  /**
   * `scan` for a rule that reads RuleContext.namespaces (objects outside its unit): it runs once the whole
   * scan is loaded. Other rules run per unit, chart renders as they arrive, and reading `namespaces` from
   * them is an error.
   */
  scope?: 'unit' | 'scan';
  /** The values edit that removes this rule's finding, when one edit is right (src/fix proves it by re-render). */
  fix?: FixRecipe;
}

export interface ObjectRule extends RuleBase {
  target: 'object';
  /** Kinds this rule reads (`Service`, `ClusterRole`, `aws_eks_cluster`...); omitted means every Kubernetes kind. */
  kinds?: readonly string[];
  /**
   * Without `kinds`, a rule sees Kubernetes objects only, not the Terraform resources (clusters,
   * helm_release) that plans add as `terraform/v1` objects; set this to see those too.
   */
  includeTerraformResources?: boolean;
  check(object: ScannedObject, context: RuleContext): Iterable<Report>;
}

export interface PodRule extends RuleBase {
  target: 'pod';
  check(pod: PodView, context: RuleContext): Iterable<Report>;
}

export type Rule = ObjectRule | PodRule;

export function defineRule<R extends Rule>(rule: R): R {
  return rule;
}

export type { Obj, TemplateLocation, ValuesLocation };
