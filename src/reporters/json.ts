// The ScanResult as stable JSON: every object written with its keys in one documented order, optional
// fields left out when absent, and the lists sorted so the same scan always prints the same bytes.
// schemas/scan-result.schema.json describes this output; a test keeps the key lists below and the
// schema's properties equal, and the compiler keeps the key lists and the model equal.
import type {
  AdmissionVerdict,
  BaseInfo,
  BaselineEntry,
  AppliedSuppression,
  PolicyChange,
  PolicyInfo,
  ProvenanceSummary,
  SkippedPath,
  SuppressionRecord,
  TemplateLocation,
  ValuesLocation,
  BlastRadius,
  ChartRecord,
  Finding,
  ProvenFix,
  LevelVerdict,
  ObjectRecord,
  ObjectRef,
  PssViolation,
  ScanError,
  ScanResult,
  ScanSummary,
  SourceInfo,
  ShardInfo,
  ShardJoin,
  ShardNamespace,
} from '../model/model.ts';
import { SEVERITIES } from '../model/model.ts';
import { chain, compareFindingsByPlace, compareRefs, compareSources, compareText } from './common.ts';

/**
 * A key list that must name every key of T (a compile error names the missing ones). The order is the
 * order of keys in the JSON output.
 */
function keysOf<T>() {
  return <const K extends readonly (keyof T)[]>(
    keys: K & ([Exclude<keyof T, K[number]>] extends [never] ? unknown : { missingKeys: Exclude<keyof T, K[number]> }),
  ): K => keys;
}

export const JSON_KEYS = {
  scanResult: keysOf<ScanResult>()(['tool', 'pss', 'summary', 'findings', 'objects', 'charts', 'errors', 'suppressions', 'policy', 'skipped', 'fixed', 'base', 'baselineFile', 'shard']),
  shard: keysOf<ShardInfo>()(['index', 'count', 'assignment', 'config', 'inputs', 'total', 'units', 'failOnErrors', 'namespaces', 'joins', 'valueSets', 'diverging', 'policies']),
  shardNamespace: keysOf<ShardNamespace>()(['name', 'valueSet', 'object', 'file', 'level', 'version']),
  shardJoin: keysOf<ShardJoin>()(['valueSet', 'namespace', 'level', 'minors', 'finding', 'data']),
  baselineFile: keysOf<NonNullable<ScanResult['baselineFile']>>()(['file', 'entries', 'stale']),
  baselineEntry: keysOf<BaselineEntry>()(['fingerprint', 'rule', 'object', 'where', 'path', 'severity', 'reason']),
  base: keysOf<BaseInfo>()(['revision', 'sha', 'gate', 'rendered', 'unchanged', 'allBecause', 'mergeBaseOf', 'missing', 'errors']),
  policy: keysOf<PolicyInfo>()(['from', 'revision', 'file', 'message', 'changes']),
  policyChange: keysOf<PolicyChange>()(['kind', 'change', 'summary', 'file', 'line']),
  skippedPath: keysOf<SkippedPath>()(['path', 'reason']),
  tool: keysOf<ScanResult['tool']>()(['name', 'version']),
  pss: keysOf<ScanResult['pss']>()(['level', 'version']),
  summary: keysOf<ScanSummary>()(['verdict', 'findings', 'bySeverity', 'blocking', 'failOn', 'objects', 'charts', 'errors', 'renderMs', 'totalMs', 'suppressed', 'provenance', 'new', 'existing', 'fixed']),
  provenanceSummary: keysOf<ProvenanceSummary>()(['values', 'template', 'object', 'renders', 'ms']),
  finding: keysOf<Finding>()(['ruleId', 'severity', 'category', 'message', 'object', 'path', 'source', 'fingerprint', 'remediation', 'related', 'valueSets', 'suppressed', 'status', 'baseSeverity', 'fix']),
  provenFix: keysOf<ProvenFix>()(['file', 'line', 'endLine', 'replacement', 'diff', 'description']),
  appliedSuppression: keysOf<AppliedSuppression>()(['kind', 'reason', 'file', 'line', 'expires']),
  suppressionRecord: keysOf<SuppressionRecord>()(['kind', 'status', 'rule', 'reason', 'file', 'line', 'expires', 'container', 'object', 'matched', 'message']),
  objectRef: keysOf<ObjectRef>()(['apiVersion', 'kind', 'namespace', 'name']),
  source: keysOf<SourceInfo>()(['kind', 'file', 'line', 'chart', 'template', 'valueSet', 'document', 'variant', 'plan', 'address', 'values', 'templateLocation', 'located', 'unproven', 'origin']),
  valuesLocation: keysOf<ValuesLocation>()(['file', 'line', 'key']),
  templateLocation: keysOf<TemplateLocation>()(['file', 'line']),
  objectRecord: keysOf<ObjectRecord>()(['object', 'source', 'podTemplate', 'admission', 'blastRadius']),
  podTemplate: keysOf<NonNullable<ObjectRecord['podTemplate']>>()(['path', 'origin', 'detected']),
  blastRadius: keysOf<BlastRadius>()(['rating', 'reasons', 'privilege', 'authority', 'reachability', 'secrets']),
  blastPrivilege: keysOf<BlastRadius['privilege']>()(['baselineAllowed', 'restrictedAllowed', 'baselineViolations']),
  blastAuthority: keysOf<BlastRadius['authority']>()(['serviceAccount', 'tokenMounted', 'grants', 'dangerous']),
  blastServiceAccount: keysOf<BlastRadius['authority']['serviceAccount']>()(['namespace', 'name', 'defined']),
  blastGrant: keysOf<Grant>()(['binding', 'role', 'scope', 'resolved']),
  blastGrantRole: keysOf<Grant['role']>()(['kind', 'name']),
  blastDangerous: keysOf<BlastRadius['authority']['dangerous'][number]>()(['id', 'summary', 'scope', 'via']),
  blastReachability: keysOf<BlastRadius['reachability']>()(['hostNetwork', 'ingressPolicies', 'egressPolicies', 'exposure']),
  blastExposure: keysOf<BlastRadius['reachability']['exposure'][number]>()(['service', 'type', 'ingresses']),
  blastSecrets: keysOf<BlastRadius['secrets']>()(['mounted', 'readable']),
  admission: keysOf<AdmissionVerdict>()(['version', 'baseline', 'restricted']),
  levelVerdict: keysOf<LevelVerdict>()(['allowed', 'violations']),
  violation: keysOf<PssViolation>()(['check', 'reason', 'detail', 'unknown']),
  chartRecord: keysOf<ChartRecord>()(['chart', 'name', 'valueSet', 'objects', 'renderMs', 'valuesFiles', 'set', 'variant', 'answers', 'literals', 'provenance', 'admission']),
  chartVariant: keysOf<NonNullable<ChartRecord['variant']>>()(['variant', 'objects', 'renderMs', 'diverging', 'removed', 'error']),
  chartProvenance: keysOf<NonNullable<ChartRecord['provenance']>>()(['renders', 'ms']),
  chartAdmission: keysOf<NonNullable<ChartRecord['admission']>>()(['level', 'version', 'allowed', 'deniedBy']),
  scanError: keysOf<ScanError>()(['kind', 'file', 'line', 'chart', 'message']),
} as const;

type Grant = BlastRadius['authority']['grants'][number];

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Copies the listed keys in order, skipping undefined values, converting nested values with `nested`. */
function pick<T extends object>(
  value: T,
  keys: readonly (keyof T)[],
  nested: { [K in keyof T]?: (v: NonNullable<T[K]>) => Json } = {},
): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const key of keys) {
    const v = value[key];
    if (v === undefined) continue;
    const convert = nested[key];
    out[key as string] = convert ? convert(v as NonNullable<T[typeof key]>) : (v as Json);
  }
  return out;
}

const strings = (list: readonly string[]): Json => [...list];
const refJson = (ref: ObjectRef) => pick(ref, JSON_KEYS.objectRef);
const sourceJson = (source: SourceInfo) =>
  pick(source, JSON_KEYS.source, {
    values: (v) => pick(v, JSON_KEYS.valuesLocation),
    templateLocation: (t) => pick(t, JSON_KEYS.templateLocation),
  });
const violationJson = (v: PssViolation) => pick(v, JSON_KEYS.violation);
const levelJson = (level: LevelVerdict) => pick(level, JSON_KEYS.levelVerdict, { violations: (vs) => vs.map(violationJson) });
const admissionJson = (a: AdmissionVerdict) => pick(a, JSON_KEYS.admission, { baseline: levelJson, restricted: levelJson });

function findingJson(f: Finding): Json {
  return pick(f, JSON_KEYS.finding, {
    object: refJson,
    source: sourceJson,
    related: (refs) => [...refs].sort(compareRefs).map(refJson),
    valueSets: strings,
    suppressed: (s) => pick(s, JSON_KEYS.appliedSuppression),
  });
}

function suppressionRecordJson(r: SuppressionRecord): Json {
  return pick(r, JSON_KEYS.suppressionRecord, { object: refJson });
}

function blastRadiusJson(b: BlastRadius): Json {
  const K = JSON_KEYS;
  return pick(b, K.blastRadius, {
    reasons: strings,
    privilege: (p) => pick(p, K.blastPrivilege, { baselineViolations: strings }),
    authority: (a) =>
      pick(a, K.blastAuthority, {
        serviceAccount: (sa) => pick(sa, K.blastServiceAccount),
        grants: (grants) => grants.map((g) => pick(g, K.blastGrant, { binding: refJson, role: (role) => pick(role, K.blastGrantRole) })),
        dangerous: (list) => list.map((d) => pick(d, K.blastDangerous)),
      }),
    reachability: (r) =>
      pick(r, K.blastReachability, {
        ingressPolicies: strings,
        egressPolicies: strings,
        exposure: (list) => list.map((e) => pick(e, K.blastExposure, { ingresses: strings })),
      }),
    secrets: (sec) => pick(sec, K.blastSecrets, { mounted: strings }),
  });
}

function objectRecordJson(r: ObjectRecord): Json {
  return pick(r, JSON_KEYS.objectRecord, { object: refJson, source: sourceJson, podTemplate: (t) => pick(t, JSON_KEYS.podTemplate), admission: admissionJson, blastRadius: blastRadiusJson });
}

function chartRecordJson(c: ChartRecord): Json {
  return pick(c, JSON_KEYS.chartRecord, {
    valuesFiles: strings,
    set: strings,
    variant: (v) => pick(v, JSON_KEYS.chartVariant),
    answers: (v) => pick(v, JSON_KEYS.chartVariant),
    literals: (list) => list.map((v) => pick(v, JSON_KEYS.chartVariant)),
    provenance: (p) => pick(p, JSON_KEYS.chartProvenance),
    admission: (a) => pick(a, JSON_KEYS.chartAdmission, { deniedBy: (d) => [...d] }),
  });
}

function summaryJson(s: ScanSummary): Json {
  return pick(s, JSON_KEYS.summary, {
    bySeverity: (counts) => Object.fromEntries(SEVERITIES.map((sev) => [sev, counts[sev]])),
    provenance: (p) => pick(p, JSON_KEYS.provenanceSummary),
  });
}

function shardJson(s: ShardInfo): Json {
  return pick(s, JSON_KEYS.shard, {
    units: strings,
    namespaces: (list) => list.map((n) => pick(n, JSON_KEYS.shardNamespace, { object: refJson })),
    joins: (list) =>
      [...list]
        .sort((a, b) => chain(compareFindingsByPlace(a.finding, b.finding), compareText(a.level, b.level), (a.minors[0] ?? 0) - (b.minors[0] ?? 0)))
        .map((j) => pick(j, JSON_KEYS.shardJoin, { minors: (m) => [...m], finding: findingJson, data: (d) => ({ ...d }) })),
    valueSets: (v) => ({ severity: v.severity, lockedRules: [...v.lockedRules] }),
    diverging: strings,
    policies: strings,
  });
}

/** The result as a plain JSON value with canonical key order and sorted lists. */
export function toJsonValue(result: ScanResult): Json {
  const findings = [...result.findings].sort(compareFindingsByPlace);
  const objects = [...result.objects].sort((a, b) => chain(compareSources(a.source, b.source), compareRefs(a.object, b.object)));
  const charts = [...result.charts].sort((a, b) => chain(compareText(a.chart, b.chart), compareText(a.valueSet, b.valueSet)));
  const errors = [...result.errors].sort((a, b) =>
    chain(compareText(a.file, b.file), (a.line ?? 0) - (b.line ?? 0), compareText(a.kind, b.kind), compareText(a.message, b.message)),
  );
  return pick(result, JSON_KEYS.scanResult, {
    tool: (t) => pick(t, JSON_KEYS.tool),
    pss: (p) => pick(p, JSON_KEYS.pss),
    summary: summaryJson,
    findings: () => findings.map(findingJson),
    objects: () => objects.map(objectRecordJson),
    charts: () => charts.map(chartRecordJson),
    errors: () => errors.map((e) => pick(e, JSON_KEYS.scanError)),
    suppressions: (list) =>
      [...list]
        .sort((a, b) => chain(compareText(a.file, b.file), (a.line ?? 0) - (b.line ?? 0), compareText(a.rule, b.rule), compareText(a.kind, b.kind)))
        .map(suppressionRecordJson),
    // Changes keep the order they were found in: configuration first, then the files' suppressions.
    policy: (p) => pick(p, JSON_KEYS.policy, { changes: (list) => list.map((c) => pick(c, JSON_KEYS.policyChange)) }),
    skipped: (list) => [...list].sort((a, b) => compareText(a.path, b.path)).map((s) => pick(s, JSON_KEYS.skippedPath)),
    fixed: (list) => [...list].sort(compareFindingsByPlace).map(findingJson),
    base: (b) => pick(b, JSON_KEYS.base, { rendered: strings, unchanged: strings }),
    baselineFile: (b) => pick(b, JSON_KEYS.baselineFile, { stale: (list) => list.map((e) => pick(e, JSON_KEYS.baselineEntry)) }),
    shard: shardJson,
  });
}

/** Pretty JSON (2 spaces) with a trailing newline. */
export function renderJson(result: ScanResult): string {
  return JSON.stringify(toJsonValue(result), null, 2) + '\n';
}
