// Findings and input errors as annotations on the repository file and line that cause them. The same list
// feeds the check run (every one, in batches of 50) and the workflow-command fallback (the most severe).
import type { Finding, ScanResult } from '../../model/model.ts';
import { clip, compareFindingsBySeverity, isBlocking, objectLabel, outcomeOf } from '../../reporters/common.ts';
import type { ChangedLines } from '../changed-lines.ts';

export type AnnotationLevel = 'failure' | 'warning' | 'notice';

/** The Checks API annotation object (field names as GitHub spells them). */
export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: AnnotationLevel;
  /** At most 255 characters. */
  title: string;
  message: string;
  raw_details?: string;
}

/** The Checks API takes at most 50 annotations per request. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** Beyond this many the rest are left to the SARIF and JSON reports (20 requests; secondary rate limits). */
export const MAX_CHECK_ANNOTATIONS = 1000;

const LEVEL_ORDER: Record<AnnotationLevel, number> = { failure: 0, warning: 1, notice: 2 };

/** Repository-relative path as GitHub wants it: forward slashes, no leading `./`. */
export function annotationPath(file: string): string {
  return file.replace(/\\/g, '/').replace(/^(\.\/)+/, '') || '.';
}

/**
 * Where a finding's annotation goes: on the line that causes it, preferring one the pull request changed
 * (so it shows in the diff). Candidates in order: the values file line that sets the field, the template
 * line that emits it, the object's own line. The first candidate the pull request changed wins; without
 * one (or without a diff), the first candidate there is.
 */
export function annotationPlace(f: Pick<Finding, 'source'>, changed?: ChangedLines): { path: string; line: number } {
  const { source } = f;
  const candidates: { path: string; line: number }[] = [];
  // A values file from outside the repository (a runner path) is no place GitHub can show.
  const inRepository = (file: string) => !/^(\/|\.\.\/|<|[A-Za-z]:)/.test(annotationPath(file)) && annotationPath(file) !== '..';
  if (source.values?.line !== undefined && source.values.line >= 1 && inRepository(source.values.file)) candidates.push({ path: annotationPath(source.values.file), line: source.values.line });
  if (source.templateLocation !== undefined && source.templateLocation.line >= 1 && inRepository(source.templateLocation.file)) candidates.push({ path: annotationPath(source.templateLocation.file), line: source.templateLocation.line });
  candidates.push({ path: annotationPath(source.file), line: source.line !== undefined && source.line >= 1 ? source.line : 1 });
  return candidates.find((c) => changed?.get(c.path)?.has(c.line) === true) ?? candidates[0]!;
}

/** The files a finding's annotation can go on (annotationPlace's candidates). */
export function annotationFiles(f: Pick<Finding, 'source'>): string[] {
  const { source } = f;
  return [source.values?.file, source.templateLocation?.file, source.file].filter((file): file is string => file !== undefined).map(annotationPath);
}

/** The findings annotated: with a comparison (a base, a baseline file), the new ones, unless every finding gates. */
export function annotatedFindings(result: ScanResult): Finding[] {
  const compared = result.base !== undefined || result.baselineFile !== undefined;
  if (!compared || result.base?.gate === 'all') return result.findings;
  return result.findings.filter((f) => f.status === 'new');
}

/**
 * Blocking findings are failures; other critical/high/medium findings warnings; low and info notices.
 * Input errors are failures when they fail the run, warnings otherwise. Most severe first.
 */
export function annotationsFor(result: ScanResult, changed?: ChangedLines): CheckAnnotation[] {
  const failOn = result.summary.failOn;
  const findings = annotatedFindings(result).sort(compareFindingsBySeverity).map((f): CheckAnnotation => {
    const level: AnnotationLevel = isBlocking(f.severity, failOn)
      ? 'failure'
      : f.severity === 'critical' || f.severity === 'high' || f.severity === 'medium'
        ? 'warning'
        : 'notice';
    const place = annotationPlace(f, changed);
    const details = [
      `rule: ${f.ruleId} (${f.severity})`,
      `object: ${f.object.apiVersion} ${objectLabel(f.object)}`,
      `field: ${f.path || '/'}`,
      ...(f.source.chart !== undefined ? [`chart: ${f.source.chart}${f.source.valueSet ? ` (values: ${f.source.valueSet})` : ''}`] : []),
      ...(f.source.address !== undefined ? [`terraform: ${f.source.address}`] : []),
      ...(f.source.values !== undefined ? [`values: ${f.source.values.file}${f.source.values.line !== undefined ? `:${f.source.values.line}` : ''} ${f.source.values.key}`] : []),
      `object at: ${annotationPath(f.source.file)}${f.source.line !== undefined ? `:${f.source.line}` : ''}`,
      ...(f.status !== undefined ? [`status: ${f.status}`] : []),
      `fingerprint: ${f.fingerprint}`,
    ];
    return {
      path: place.path,
      start_line: place.line,
      end_line: place.line,
      annotation_level: level,
      title: clip(`${f.ruleId}: ${objectLabel(f.object)}`, 255),
      message: clip(`[${f.severity}] ${f.message}\n\nHow to fix: ${f.remediation}`, 8000),
      raw_details: clip(details.join('\n'), 8000),
    };
  });
  const errorLevel: AnnotationLevel = outcomeOf(result) === 'incomplete' ? 'warning' : 'failure';
  const errors = result.errors
    .filter((e) => e.file !== '' && e.file !== '<stdin>')
    .map((e): CheckAnnotation => {
      const line = e.line !== undefined && e.line >= 1 ? e.line : 1;
      return {
        path: annotationPath(e.file),
        start_line: line,
        end_line: line,
        annotation_level: errorLevel,
        title: clip(`preadmit ${e.kind} error${e.chart !== undefined ? `: ${e.chart}` : ''}`, 255),
        message: clip(`${e.message}\n\nThis input was not scanned, or not completely.`, 8000),
      };
    });
  // Stable: findings keep their severity order within a level.
  return [...errors, ...findings].sort((a, b) => LEVEL_ORDER[a.annotation_level] - LEVEL_ORDER[b.annotation_level]);
}

export function batches<T>(items: readonly T[], size = ANNOTATIONS_PER_REQUEST): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
