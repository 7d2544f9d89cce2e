// The data every stage of a scan shares. Nothing here does I/O.

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Rank for comparisons: higher is more severe. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity);
}

export type FailOn = Exclude<Severity, 'info'> | 'never';

/** Whether a finding of this severity blocks at this fail-on threshold. */
export function isBlocking(severity: Severity, failOn: FailOn): boolean {
  return failOn !== 'never' && severityRank(severity) >= severityRank(failOn);
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export type SourceKind = 'helm' | 'manifest' | 'terraform';

/** Where an object (or a finding) comes from. `file` is always relative to the repository root. */
export interface SourceInfo {
  kind: SourceKind;
  file: string;
  /** 1-based line in `file`, where known. */
  line?: number;
  /** helm: the chart directory, repository-relative. */
  chart?: string;
  /** helm: the template path inside the chart as helm names it (`mychart/templates/deployment.yaml`). */
  template?: string;
  /** helm: the value set the object was rendered with (`default` for the chart's own values). */
  valueSet?: string;
  /** Index of the YAML document within its file or render. */
  document?: number;
  /**
   * helm: set when the object comes from the chart's second render, the way `helm upgrade` (and a
   * cluster with common CRD APIs) renders it; absent for the scan's main (install) render.
   */
  variant?: RenderVariant;
  /** terraform: the plan file and the resource address. */
  plan?: string;
  address?: string;
  /** helm: the values key that decides the field, in the values file that set it (proven by re-rendering). */
  values?: ValuesLocation;
  /** helm: the line of the chart's template source that emits the field (or the block it belongs in). */
  templateLocation?: TemplateLocation;
  /** helm: how far provenance got: a values line, a template line only, or the object only. */
  located?: Located;
  /** helm: why no values key (or no template line) could be proven, when one could not. */
  unproven?: string;
  /** Where inside its file the object comes from when not a plain document: a list's item, a chart's `crds/` folder. */
  origin?: string;
}

/** A key written twice in one YAML mapping: Kubernetes keeps the last value (sigs.k8s.io/yaml, non-strict). */
export interface DuplicateKey {
  /** JSON pointer of the key, relative to the object. */
  pointer: string;
  key: string;
  /** Line of the earlier (hidden) occurrence and of the one that wins, in the parsed text. */
  firstLine: number;
  line: number;
  hidden: unknown;
  effective: unknown;
}

/** A values key and where it is set: the chart's values.yaml, a subchart's, or a value set's file. */
export interface ValuesLocation {
  /** Repository-relative values file (for a --set pair, the configuration file naming it). */
  file: string;
  line?: number;
  /** The key as written in that file: `securityContext.privileged`, `containers[0].image`. */
  key: string;
}

/** A line of a template file in the chart's source (not the rendered output). */
export interface TemplateLocation {
  file: string;
  line: number;
}

export const LOCATED = ['values', 'template', 'object'] as const;
export type Located = (typeof LOCATED)[number];

/** apiVersion of the objects a Terraform plan adds for resources that are not Kubernetes objects (clusters, helm_release). */
export const TERRAFORM_API_VERSION = 'terraform/v1';

/**
 * A chart's second render (render-variants.ts): `upgrade` is `helm template --is-upgrade`, `extension-apis`
 * adds common CRD API versions (monitoring.coreos.com/v1...) to `.Capabilities.APIVersions`, `other-release`
 * renders with another release name, namespace and Kubernetes version.
 */
export type RenderVariant =
  | 'upgrade'
  | 'extension-apis'
  | 'upgrade+extension-apis'
  | 'other-release'
  | 'upgrade+other-release'
  | 'extension-apis+other-release'
  | 'upgrade+extension-apis+other-release'
  | 'extension-apis+other-release+cluster-answers';

/** A line of a chart's template source that uses a construct `helm template` answers unlike the cluster. */
export interface TemplateConstruct {
  /** `.Release.IsUpgrade`, `.Capabilities.APIVersions`, `lookup`, `.Release.Revision`... as written. */
  construct: string;
  /** Repository-relative template file (for a subchart archive: the archive). */
  file: string;
  line: number;
  /** For a template inside a subchart archive: its path in the archive. */
  inArchive?: string;
  /** A host-access or privilege setting the construct's branch writes (`privileged`, `hostPath`...). */
  decides?: string;
}

/** A security-relevant field that differs between the main render and the variant render. */
export interface FieldDifference {
  pointer: string;
  /** JSON of the value in the main (install) render; absent when the field is not there. */
  main?: string;
  /** JSON of the value in the variant render; absent when the field is not there. */
  variant?: string;
}

/** helm: how an object's security-relevant fields depend on what `helm template` does not know. */
export interface RenderDependence {
  /**
   * The object renders differently in the chart's variant render (set on the variant's object); `failed`:
   * the variant render failed with helm's message, so what it renders is unknown (a copy of the main object).
   */
  divergence?: { variant: RenderVariant; fields: FieldDifference[]; onlyInVariant: boolean; constructs: TemplateConstruct[]; failed?: string };
  /** Constructs helm template cannot evaluate (lookup, .Release.Revision) in the object's template or its helpers. */
  unknowable?: TemplateConstruct[];
}

/** A Kubernetes object as scanned: the raw object plus where it came from. */
export interface ScannedObject {
  ref: ObjectRef;
  raw: Record<string, unknown>;
  source: SourceInfo;
  /** Terraform: JSON pointers into `raw` whose planned value is unknown until apply. */
  unknown?: readonly string[];
  /**
   * Terraform: values the plan marks sensitive. They are in `raw` as planned (the rules judge what the
   * cluster gets) and never printed: findings on the object have them replaced (terraform/sensitive.ts).
   */
  sensitive?: readonly string[];
  /** Line in `source.file` of the node at a JSON pointer (nearest existing ancestor), when the file is the object's own text. */
  lineOf?: (pointer: string) => number | undefined;
  /** helm: what the render could not tell (render-variants.ts); read by render-divergence and render-lookup. */
  renderDependence?: RenderDependence;
  /** helm: its place among its template's objects of its kind in the render (engine/identity.ts), for fingerprints. */
  templateOrdinal?: number;
  /** Keys its YAML wrote twice (the last value is in `raw`): rules/yaml-duplicate-key.ts reports them. */
  duplicateKeys?: readonly DuplicateKey[];
}

export interface PssViolation {
  /** Upstream PSS check ID, e.g. `privileged`, `capabilities_restricted`. */
  check: string;
  reason: string;
  detail: string;
  /**
   * Terraform: the value unknown until apply that every offending field of this violation depends on. The
   * evaluation read the plan without it, so the check could not decide: neither denied nor admitted.
   */
  unknown?: string;
}

export interface LevelVerdict {
  allowed: boolean;
  violations: PssViolation[];
}

export interface AdmissionVerdict {
  /** The policy version evaluated, as requested (`latest` or `v1.N`). */
  version: string;
  baseline: LevelVerdict;
  restricted: LevelVerdict;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  category: string;
  message: string;
  object: ObjectRef;
  /** JSON pointer into the object: the offending field, or where a missing field belongs. */
  path: string;
  source: SourceInfo;
  /** Stable across line shifts: depends on rule, object identity, path and chart/file, never on lines. */
  fingerprint: string;
  remediation: string;
  /** Other objects the finding was derived from (joins). */
  related?: ObjectRef[];
  /** helm: the value sets whose renders show the finding, `default` first when the chart's defaults do. */
  valueSets?: string[];
  /** Present when a suppression accepts the finding: it stays in every report, marked, and never blocks. */
  suppressed?: AppliedSuppression;
  /** With a base (--base): new in the scanned files, or already in the base (pipeline/base-compare.ts). */
  status?: FindingStatus;
  /**
   * New because it got worse: the base (or the reviewed baseline file) has the same finding at this lower
   * severity. The pull request raised it, so it gates as new.
   */
  baseSeverity?: Severity;
  /** A values (or template) edit proven by re-rendering every value set to remove this finding (issue 17). */
  fix?: ProvenFix;
}

/**
 * The edit that removes a finding, proven by re-render. Lines `line`..`endLine` (1-based, inclusive, in the
 * file as scanned) are replaced by `replacement` (no trailing newline; the file's own line endings are kept
 * when applied): exactly what a GitHub suggested change on those lines carries.
 */
export interface ProvenFix {
  /** Repository-relative path of the file to edit. */
  file: string;
  line: number;
  endLine: number;
  replacement: string;
  /** Unified diff of the whole edit (the same change), for reports and `preadmit fix --dry-run`. */
  diff: string;
  /** One sentence: what the edit does, e.g. "set securityContext.privileged to false". */
  description: string;
}

export type FindingStatus = 'new' | 'existing';

/** The base revision a scan was compared with (--base), and what it rendered. */
export interface BaseInfo {
  /** The revision asked for, and the commit it names. */
  revision: string;
  sha: string;
  /** new: only new findings gate the run; all: every finding does. */
  gate: 'new' | 'all';
  /** Charts rendered (both sides): changed since the base, depending on a changed chart, or all (`--all`, configuration changed). */
  rendered: string[];
  /** Charts left out on both sides because nothing they render from changed since the base. */
  unchanged: string[];
  /** Why every chart was rendered, when it was. */
  allBecause?: string;
  /** The commit the revision names, when `sha` is its merge base with HEAD (the revision moved on since the branch left it). */
  mergeBaseOf?: string;
  /** Submodules the base's export could not write (not checked out, or their commit not fetched): the head's findings in them count as new. */
  missing?: string[];
  /** Errors of the base's scan (its findings may then be incomplete, which only makes more findings new). */
  errors: number;
}

export const SUPPRESSION_KINDS = ['config', 'comment', 'annotation'] as const;
export type SuppressionKind = (typeof SUPPRESSION_KINDS)[number];

/** The suppression that accepted a finding. */
export interface AppliedSuppression {
  /** config: .preadmit.yaml; comment: `# preadmit: ignore` in values or a template; annotation: on the object. */
  kind: SuppressionKind;
  reason: string;
  /** Where the suppression is written. */
  file?: string;
  line?: number;
  /** YYYY-MM-DD, for configured suppressions that expire. */
  expires?: string;
}

export const SUPPRESSION_STATUSES = ['applied', 'unused', 'expired', 'invalid', 'pending'] as const;
export type SuppressionStatus = (typeof SUPPRESSION_STATUSES)[number];

/** Every suppression the scan met, and what became of it. */
export interface SuppressionRecord {
  kind: SuppressionKind;
  status: SuppressionStatus;
  /** Rule id, or * for every rule. */
  rule: string;
  reason?: string;
  file: string;
  line?: number;
  expires?: string;
  container?: string;
  /** annotation: the object carrying it. */
  object?: ObjectRef;
  /** Findings it accepted. */
  matched: number;
  /** Why it is expired, invalid (no reason given, unknown rule, a locked rule) or pending (added by the pull request). */
  message?: string;
}

/** Where the policy (configuration, suppressions, locks) that gated the scan came from. */
export interface PolicyInfo {
  /** revision: read from a git revision (a pull request's base); fallback: that revision could not be read. */
  from: 'revision' | 'fallback';
  /** The revision asked for (a commit SHA once resolved). */
  revision: string;
  /** Repository-relative configuration file at the revision, when there is one. */
  file?: string;
  /** fallback: why, and what gated the scan instead. */
  message?: string;
  /** What the scanned files change in the policy: listed for review, in effect once merged. */
  changes: PolicyChange[];
}

export interface PolicyChange {
  /** config: a setting of the configuration; suppression: a configured one; comment, annotation: in the scanned files. */
  kind: 'config' | 'suppression' | 'comment' | 'annotation';
  change: 'added' | 'removed' | 'changed';
  summary: string;
  file?: string;
  line?: number;
}

/** A directory the scan did not search, and why (never a silent skip). */
export interface SkippedPath {
  /** Repository-relative. */
  path: string;
  reason: string;
}

export type ScanErrorKind = 'usage' | 'config' | 'read' | 'parse' | 'render' | 'helm' | 'dependency' | 'internal';

export interface ScanError {
  kind: ScanErrorKind;
  /** Repository-relative file (or chart directory) the error is about. */
  file: string;
  message: string;
  line?: number;
  chart?: string;
}

export type BlastRating = 'critical' | 'high' | 'medium' | 'low';

/** How far a compromised workload can go: the four layers joined for one pod-carrying object. */
export interface BlastRadius {
  rating: BlastRating;
  /** Why, most severe first: "can read all secrets in the cluster". */
  reasons: string[];
  privilege: {
    baselineAllowed: boolean;
    restrictedAllowed: boolean;
    /** Baseline checks the pod fails (host access, privileged...). */
    baselineViolations: string[];
  };
  authority: {
    serviceAccount: { namespace: string; name: string; defined: boolean };
    tokenMounted: boolean;
    grants: { binding: ObjectRef; role: { kind: string; name: string }; scope: string; resolved: 'scan' | 'builtin' | 'missing' }[];
    /** Dangerous permissions reachable with the token, with where they apply ('cluster' or a namespace). */
    dangerous: { id: string; summary: string; scope: string; via: string }[];
  };
  reachability: {
    hostNetwork: boolean;
    ingressPolicies: string[];
    egressPolicies: string[];
    exposure: { service: string; type: string; ingresses: string[] }[];
  };
  secrets: {
    /** Secrets mounted as volumes or referenced from env, by name. */
    mounted: string[];
    /** Secrets readable through the service account: 'cluster', 'namespace', named ones, or 'none'. */
    readable: 'cluster' | 'namespace' | 'named' | 'none';
  };
}

export interface ObjectRecord {
  object: ObjectRef;
  source: SourceInfo;
  /** For objects that carry a pod: where its template is, and whether it is the pod of a custom resource judged as a pod. */
  podTemplate?: { path: string; origin: 'kubernetes' | 'custom-resource'; detected: 'kind' | 'shape' };
  admission?: AdmissionVerdict;
  blastRadius?: BlastRadius;
}

/** One extra render of a chart (second, third, further literals): objects, time, objects whose security fields differ, or why it failed. */
export interface VariantRecord {
  variant: RenderVariant;
  objects: number;
  renderMs: number;
  diverging: number;
  removed?: number;
  error?: string;
}

export interface ChartRecord {
  chart: string;
  name: string;
  valueSet: string;
  objects: number;
  renderMs: number;
  /** The values files of the value set on top of the chart's own values (repository-relative), in helm's order. */
  valuesFiles?: string[];
  /** The --set pairs of the value set. */
  set?: string[];
  /** The render with the cluster's answers (lookup finds objects, a later revision and clock), when made. */
  answers?: VariantRecord;
  /**
   * The second render of the chart with these values (render-variants.ts), when its templates branch on
   * install/upgrade or API versions: objects, time, objects whose security fields differ, or why it failed.
   */
  variant?: VariantRecord;
  /**
   * Further renders like the second: each with the next literal the templates compare the release or version with
   * (beyond the two the second and third renders take), and those pairing the upgrade flag, API versions and
   * release identity both ways (render-variants.ts pairedVariants).
   */
  literals?: VariantRecord[];
  /** What locating findings cost for this render: extra helm renders and their time. */
  provenance?: { renders: number; ms: number };
  /** Verdict at the configured level: admissible, or the PSS checks that deny its pods. */
  admission?: { level: 'baseline' | 'restricted'; version: string; allowed: boolean; deniedBy: string[] };
}

export interface ScanSummary {
  /** fail when blocking findings remain, or when inputs failed and errors are configured to fail the run. */
  verdict: 'pass' | 'fail';
  findings: number;
  bySeverity: Record<Severity, number>;
  blocking: number;
  failOn: FailOn;
  objects: number;
  charts: number;
  errors: number;
  renderMs: number;
  totalMs: number;
  /** Findings accepted by a suppression (counted in findings, never blocking). */
  suppressed?: number;
  /** Provenance of findings in rendered charts: how many were located where, and the extra renders it took. */
  provenance?: ProvenanceSummary;
  /** With a base: findings new in the scanned files, already in the base, and in the base only (fixed). */
  new?: number;
  existing?: number;
  fixed?: number;
}

export interface ProvenanceSummary {
  /** Chart findings located at a values line. */
  values: number;
  /** ... at a template line only. */
  template: number;
  /** ... at the object only. */
  object: number;
  /** Extra helm renders spent proving locations. */
  renders: number;
  /** Wall time of locating (extra renders included), summed over charts. */
  ms: number;
}

export interface ScanResult {
  tool: { name: 'preadmit'; version: string };
  pss: { level: 'baseline' | 'restricted'; version: string };
  findings: Finding[];
  objects: ObjectRecord[];
  charts: ChartRecord[];
  errors: ScanError[];
  summary: ScanSummary;
  /** Suppressions met: applied, unused, expired, invalid or pending. */
  suppressions?: SuppressionRecord[];
  /** Where the policy came from, when not from the scanned files themselves (pull requests, --policy-from). */
  policy?: PolicyInfo;
  /** Directories found while searching that were not searched, with why. */
  skipped?: SkippedPath[];
  /** With a base: its findings the scanned files no longer have. */
  fixed?: Finding[];
  /** With a base: which revision, and which charts were rendered or left out. */
  base?: BaseInfo;
  /** The reviewed baseline file applied (`baseline:` in the configuration), and its stale entries. */
  baselineFile?: { file: string; entries: number; stale: BaselineEntry[] };
  /** A part of a sharded scan (`--shard K/N`): which part, what it covered, and what `preadmit merge` needs. */
  shard?: ShardInfo;
}

/**
 * One shard's part of a scan split over N runners (pipeline/shard.ts). Units (a chart directory, a
 * Terraform plan file, or all plain manifests together) go to shards by rendezvous hashing of their
 * repository-relative path, so adding a unit never moves another. Joins that read the whole scan are
 * carried as facts and finished by the merge (pipeline/merge.ts).
 */
export interface ShardInfo {
  /** K of K/N, from 1. */
  index: number;
  count: number;
  assignment: 'rendezvous-sha256';
  /** Digest of the configuration and scan options that gated the scan: shards of one scan share it. */
  config: string;
  /** Digest of every unit of the scan (all shards) and of the content of its files: shards of one checkout share it. */
  inputs: string;
  /** How many units the whole scan has. */
  total: number;
  /** The units this shard scanned (repository-relative; `(manifests)` for the plain manifests). */
  units: string[];
  /** Whether input errors fail the merged run (the configuration's failOnErrors). */
  failOnErrors: boolean;
  /** Namespaces this shard's inputs create, with their Pod Security enforcement. */
  namespaces: ShardNamespace[];
  /** Findings of joins with a Namespace this shard does not hold: kept if another shard's Namespace enforces their level. */
  joins: ShardJoin[];
  /** How value sets merge and which rules are locked (pipeline/evaluate.ts mergeValueSets), for the join findings. */
  valueSets: { severity: Severity | 'keep'; lockedRules: string[] };
  /** `chart NUL valueSet` of second renders that differ in security fields (withoutRepeatedVariantFindings). */
  diverging: string[];
  /** Files of this shard holding ValidatingAdmissionPolicies or bindings, which apply to every shard's objects. */
  policies: string[];
}

/** A Namespace object of a shard: where, and the Pod Security level and version it enforces. */
export interface ShardNamespace {
  name: string;
  /** The value set whose scan-scope joins see it (`default` for manifests and plans). */
  valueSet: string;
  object: ObjectRef;
  file: string;
  level?: 'privileged' | 'baseline' | 'restricted';
  version: string;
}

/**
 * A finding a join would make if a Namespace named `namespace` enforced `level` at one of `minors`
 * (pss-namespace-rejection), located and suppressed as the scan would; its message names the policy only as `<enforced level>` (the merge writes it again).
 */
export interface ShardJoin {
  valueSet: string;
  namespace: string;
  level: 'baseline' | 'restricted';
  minors: number[];
  finding: Finding;
  /** The message data of the rule, the namespace's policy excepted. */
  data: Record<string, string>;
}

/** An entry of the baseline file (pipeline/baseline-file.ts): a finding accepted as already there. */
export interface BaselineEntry {
  fingerprint: string;
  rule: string;
  /** `Kind namespace/name`, for the reader. */
  object: string;
  /** The chart (and template), file or plan address, for the reader. */
  where: string;
  path: string;
  /** The severity accepted: the finding at a higher one is new (it got worse). Absent in older files: any. */
  severity?: Severity;
  /** Why it is accepted (filled in by a reviewer). */
  reason: string;
}
