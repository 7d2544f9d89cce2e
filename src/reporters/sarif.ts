// SARIF 2.1.0 for GitHub code scanning. What GitHub reads and the limits it enforces are summarised in
// shared/docs/GITHUB.md §6; the output validates against schemas/sarif-schema-2.1.0.json (OASIS).
import type { Invocation, Location, Log, LogicalLocation, Notification, ReportingDescriptor, Result, Run } from 'sarif';
import { SEVERITIES, type Finding, type ScanError, type ScanResult, type Severity } from '../model/model.ts';
import type { RuleMeta } from '../engine/rule-kit.ts';
import {
  clip,
  compareFindingsBySeverity,
  compareSeverity,
  countBySeverity,
  objectLabel,
  plural,
  pssLabel,
  qualifiedName,
  ruleMetas,
  type RuleLike,
} from './common.ts';

export const INFORMATION_URI = 'https://github.com/preadmit/preadmit';
export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The key of the one partial fingerprint preadmit writes. Bump the version if fingerprints change meaning. */
export const FINGERPRINT_KEY = 'preadmit/v2';
export const SRCROOT = '%SRCROOT%';
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/**
 * GitHub's scores: over 9.0 critical, 7.0 to 8.9 high, 4.0 to 6.9 medium, 0.1 to 3.9 low. Code scanning
 * has no info band, so info findings score as low.
 */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '1.0',
};

export const SARIF_LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/** Limits GitHub code scanning enforces on an upload (GITHUB.md §6 "Limits"). */
export const GITHUB_LIMITS = {
  /** Results per run; an upload with more is rejected. */
  resultsPerRun: 25_000,
  /** Results per run that GitHub keeps, the most severe first; the rest are dropped silently. */
  resultsShown: 5_000,
  tagsPerRule: 20,
  ruleNameLength: 255,
  descriptionLength: 1024,
} as const;

/**
 * A repository-relative path as a relative URI reference: forward slashes, no leading `./` or `/`, and each
 * segment percent-encoded so that spaces, `#`, `?` or a `:` in the first segment keep their meaning as file name.
 */
export function toArtifactUri(file: string): string {
  const segments = file
    .replace(/\\/g, '/')
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.');
  return segments.map((segment) => encodeURIComponent(segment)).join('/');
}

function startLine(line: number | undefined): number {
  return line !== undefined && Number.isInteger(line) && line >= 1 ? line : 1;
}

/** `pss-run-as-non-root` -> `PssRunAsNonRoot`: the identifier-like name SARIF expects. */
function ruleName(id: string): string {
  const name = id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
  return clip(name || id, GITHUB_LIMITS.ruleNameLength);
}

function tagsFor(category: string): string[] {
  return [...new Set(['security', 'kubernetes', category])].slice(0, GITHUB_LIMITS.tagsPerRule);
}

/** The most severe of the severities in effect for a rule in this run, if it has findings. */
function effectiveSeverities(findings: readonly Finding[]): Map<string, Severity> {
  const byRule = new Map<string, Severity>();
  for (const f of findings) {
    const current = byRule.get(f.ruleId);
    if (current === undefined || compareSeverity(f.severity, current) < 0) byRule.set(f.ruleId, f.severity);
  }
  return byRule;
}

function ruleDescriptor(meta: RuleMeta, severity: Severity): ReportingDescriptor {
  const references = meta.references.map((r) => `- ${r.title}: ${r.url}`).join('\n');
  const referencesMd = meta.references.map((r) => `- [${r.title}](${r.url})`).join('\n');
  const text = [meta.description, `Remediation: ${meta.remediation}`, references && `References:\n${references}`].filter(Boolean).join('\n\n');
  const markdown = [
    `**${meta.title}**`,
    meta.description,
    `**Remediation.** ${meta.remediation}`,
    referencesMd && `**References**\n\n${referencesMd}`,
  ]
    .filter(Boolean)
    .join('\n\n');
  return {
    id: meta.id,
    name: ruleName(meta.id),
    shortDescription: { text: clip(meta.title, GITHUB_LIMITS.descriptionLength) },
    fullDescription: { text: clip(meta.description, GITHUB_LIMITS.descriptionLength) },
    help: { text, markdown },
    helpUri: meta.references[0]?.url ?? `${INFORMATION_URI}/blob/main/docs/rules/${meta.id}.md`,
    defaultConfiguration: { level: SARIF_LEVEL[severity] },
    properties: {
      'security-severity': SECURITY_SEVERITY[severity],
      tags: tagsFor(meta.category),
      category: meta.category,
      defaultSeverity: meta.defaultSeverity,
    },
  };
}

/** A descriptor for a rule id that has findings but no metadata (so every result still has its rule). */
function fallbackDescriptor(finding: Finding, severity: Severity): ReportingDescriptor {
  return {
    id: finding.ruleId,
    name: ruleName(finding.ruleId),
    shortDescription: { text: clip(finding.ruleId, GITHUB_LIMITS.descriptionLength) },
    fullDescription: { text: clip(`Findings reported by ${finding.ruleId}.`, GITHUB_LIMITS.descriptionLength) },
    help: { text: finding.remediation || finding.ruleId, markdown: finding.remediation || finding.ruleId },
    helpUri: INFORMATION_URI,
    defaultConfiguration: { level: SARIF_LEVEL[severity] },
    properties: { 'security-severity': SECURITY_SEVERITY[severity], tags: tagsFor(finding.category), category: finding.category },
  };
}

/**
 * Rules in the order given (first wins for a repeated id), then rules that only findings name. Code scanning
 * takes an alert's severity from its rule, so a rule's security-severity and level are those in effect in
 * this run (a configured override), falling back to the rule's default.
 */
function buildRules(rules: readonly RuleMeta[], findings: readonly Finding[]): { descriptors: ReportingDescriptor[]; index: Map<string, number> } {
  const effective = effectiveSeverities(findings);
  const descriptors: ReportingDescriptor[] = [];
  const index = new Map<string, number>();
  for (const meta of rules) {
    if (index.has(meta.id)) continue;
    index.set(meta.id, descriptors.length);
    descriptors.push(ruleDescriptor(meta, effective.get(meta.id) ?? meta.defaultSeverity));
  }
  for (const f of findings) {
    if (index.has(f.ruleId)) continue;
    index.set(f.ruleId, descriptors.length);
    descriptors.push(fallbackDescriptor(f, effective.get(f.ruleId) ?? f.severity));
  }
  return { descriptors, index };
}

function logicalLocations(finding: Finding): LogicalLocation[] {
  const { object, source } = finding;
  const locations: LogicalLocation[] = [
    {
      name: object.name,
      fullyQualifiedName: qualifiedName(object),
      kind: 'resource',
      properties: { apiVersion: object.apiVersion, kind: object.kind, ...(object.namespace !== undefined && { namespace: object.namespace }) },
    },
  ];
  if (source.address !== undefined) {
    locations.push({ name: source.address, fullyQualifiedName: source.address, kind: 'resource', properties: { terraformAddress: true } });
  }
  return locations;
}

function physical(file: string, line: number | undefined): Location['physicalLocation'] {
  return { artifactLocation: { uri: toArtifactUri(file), uriBaseId: SRCROOT }, region: { startLine: startLine(line) } };
}

/**
 * A chart finding located at its values key is reported there (the line a chart maintainer changes), with
 * the template line and the object's template as related locations; anything else at its file and line.
 */
function resultOf(finding: Finding, ruleIndex: number): Result {
  const { source } = finding;
  const valueSet = source.valueSet !== undefined && source.valueSet !== 'default' ? ` (values: ${source.valueSet})` : '';
  const values = source.values;
  const location: Location = {
    physicalLocation: values !== undefined ? physical(values.file, values.line) : physical(source.file, source.line),
    logicalLocations: logicalLocations(finding),
  };
  const related: Location[] = [];
  if (values !== undefined) {
    related.push({ id: 1, physicalLocation: physical(source.file, source.line), message: { text: `the template of ${objectLabel(finding.object)}` } });
  }
  const template = source.templateLocation;
  if (template !== undefined && !(template.file === source.file && template.line === source.line)) {
    related.push({ id: related.length + 1, physicalLocation: physical(template.file, template.line), message: { text: 'the template line that emits the field' } });
  }
  const cause = values !== undefined ? ` — ${values.file.split('/').pop()}${values.line !== undefined ? `:${values.line}` : ''} \`${values.key}\`` : '';
  const result: Result = {
    ruleId: finding.ruleId,
    ruleIndex,
    level: SARIF_LEVEL[finding.severity],
    message: { text: `${objectLabel(finding.object)}${valueSet}: ${finding.message}${cause}` },
    locations: [location],
    ...(related.length > 0 && { relatedLocations: related }),
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
    // A proven fix (src/fix): whole lines line..endLine of the values file replaced, as a suggested change does.
    ...(finding.fix !== undefined && {
      fixes: [
        {
          description: { text: finding.fix.description },
          artifactChanges: [
            {
              artifactLocation: { uri: toArtifactUri(finding.fix.file), uriBaseId: SRCROOT },
              replacements: [{ deletedRegion: { startLine: finding.fix.line, endLine: finding.fix.endLine }, insertedContent: { text: finding.fix.replacement } }],
            },
          ],
        },
      ],
    }),
    // With a base (--base): new, or unchanged since it; its findings now gone are `absent` (toSarifLog).
    ...(finding.status !== undefined && { baselineState: finding.status === 'new' ? 'new' : 'unchanged' }),
    properties: {
      path: finding.path,
      severity: finding.severity,
      category: finding.category,
      ...(source.chart !== undefined && { chart: source.chart }),
      ...(source.template !== undefined && { template: source.template }),
      ...(source.valueSet !== undefined && { valueSet: source.valueSet }),
      ...(finding.valueSets !== undefined && { valueSets: [...finding.valueSets], inChartDefaults: finding.valueSets.includes('default') }),
      ...(values !== undefined && { valuesKey: values.key, valuesFile: values.file }),
      ...(source.located !== undefined && { located: source.located }),
      ...(source.unproven !== undefined && { unproven: source.unproven }),
      ...(source.plan !== undefined && { plan: source.plan }),
      ...(source.address !== undefined && { address: source.address }),
      ...(finding.related !== undefined && finding.related.length > 0 && { related: finding.related.map(qualifiedName) }),
    },
  };
  const s = finding.suppressed;
  if (s !== undefined) {
    result.suppressions = [
      {
        kind: s.kind === 'config' ? 'external' : 'inSource',
        status: 'accepted',
        justification: s.reason,
        ...(s.file !== undefined && { location: { physicalLocation: physical(s.file, s.line) } }),
        properties: { by: s.kind, ...(s.expires !== undefined && { expires: s.expires }) },
      },
    ];
  }
  return result;
}

function suppressionNotification(record: NonNullable<ScanResult['suppressions']>[number]): Notification {
  const what = record.status === 'expired' ? `expired on ${record.expires}` : record.status === 'unused' ? 'matches no finding' : record.status === 'pending' ? `is not in effect yet: ${record.message ?? ''}` : `is invalid: ${record.message ?? ''}`;
  return {
    level: record.status === 'invalid' ? 'error' : 'warning',
    message: { text: `${record.kind} suppression of ${record.rule}${record.container !== undefined ? ` (container ${record.container})` : ''} ${what}` },
    locations: [{ physicalLocation: physical(record.file, record.line) }],
    properties: { suppression: record.status, kind: record.kind },
  };
}

function errorNotification(error: ScanError): Notification {
  const notification: Notification = {
    level: 'error',
    message: { text: `${error.kind} error${error.file ? ` in ${error.file}` : ''}: ${error.message}` },
    properties: { kind: error.kind, ...(error.chart !== undefined && { chart: error.chart }) },
  };
  if (error.file !== '') {
    notification.locations = [
      {
        physicalLocation: {
          artifactLocation: { uri: toArtifactUri(error.file), uriBaseId: SRCROOT },
          ...(error.line !== undefined && { region: { startLine: startLine(error.line) } }),
        },
      },
    ];
  }
  return notification;
}

function severityBreakdown(findings: readonly Finding[]): string {
  const counts = countBySeverity(findings);
  return SEVERITIES.filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(', ');
}

/** The most severe findings first, cut to what GitHub accepts, with notifications saying what was cut. */
function limitResults(findings: readonly Finding[]): { kept: Finding[]; notifications: Notification[] } {
  const sorted = [...findings].sort(compareFindingsBySeverity);
  const notifications: Notification[] = [];
  const kept = sorted.slice(0, GITHUB_LIMITS.resultsPerRun);
  const dropped = sorted.slice(GITHUB_LIMITS.resultsPerRun);
  if (dropped.length > 0) {
    notifications.push({
      level: 'warning',
      message: {
        text:
          `preadmit found ${plural(sorted.length, 'finding')}; GitHub code scanning accepts at most ${GITHUB_LIMITS.resultsPerRun} results per run, ` +
          `so the ${dropped.length} least severe were left out of this file (${severityBreakdown(dropped)}). The JSON report has them all.`,
      },
      properties: { omittedResults: dropped.length },
    });
  }
  if (kept.length > GITHUB_LIMITS.resultsShown) {
    notifications.push({
      level: 'note',
      message: {
        text: `This file has ${kept.length} results; GitHub code scanning keeps only the ${GITHUB_LIMITS.resultsShown} most severe of them.`,
      },
    });
  }
  return { kept, notifications };
}

export function toSarifLog(result: ScanResult, rules: readonly RuleLike[]): Log {
  const fixed = result.fixed ?? [];
  const { descriptors, index } = buildRules(ruleMetas(rules), [...result.findings, ...fixed]);
  const { kept, notifications: limitNotes } = limitResults(result.findings);
  // The base's findings now gone, in the room GitHub's limit leaves: SARIF's baselineState `absent`.
  const absent = [...fixed].sort(compareFindingsBySeverity).slice(0, Math.max(0, GITHUB_LIMITS.resultsPerRun - kept.length));
  const suppressionNotes = (result.suppressions ?? []).filter((r) => r.status !== 'applied').map(suppressionNotification);
  const notifications = [...result.errors.map(errorNotification), ...suppressionNotes, ...limitNotes];
  const invocation: Invocation = { executionSuccessful: result.errors.length === 0 };
  if (notifications.length > 0) invocation.toolExecutionNotifications = notifications;
  const run: Run = {
    tool: {
      driver: {
        name: 'preadmit',
        version: result.tool.version,
        ...(SEMVER.test(result.tool.version) && { semanticVersion: result.tool.version }),
        informationUri: INFORMATION_URI,
        rules: descriptors,
      },
    },
    invocations: [invocation],
    results: [...kept.map((f) => resultOf(f, index.get(f.ruleId)!)), ...absent.map((f): Result => ({ ...resultOf(f, index.get(f.ruleId)!), baselineState: 'absent' }))],
    properties: {
      pss: pssLabel(result.pss.level, result.pss.version),
      failOn: result.summary.failOn,
      blocking: result.summary.blocking,
      objects: result.summary.objects,
      charts: result.summary.charts,
      ...(result.summary.suppressed !== undefined && { suppressed: result.summary.suppressed }),
      ...(result.summary.provenance !== undefined && { provenance: { ...result.summary.provenance } }),
      ...(result.base !== undefined && { base: { revision: result.base.revision, sha: result.base.sha, gate: result.base.gate, new: result.summary.new ?? 0, existing: result.summary.existing ?? 0, fixed: result.summary.fixed ?? 0, unchanged: [...result.base.unchanged] } }),
    },
  };
  return { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [run] };
}

export function renderSarif(result: ScanResult, rules: readonly RuleLike[]): string {
  return JSON.stringify(toSarifLog(result, rules), null, 2) + '\n';
}
