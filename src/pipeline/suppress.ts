// Suppressions that never touch manifests: entries in .preadmit.yaml (rule, scope, required reason,
// optional expiry), `# preadmit: ignore <rule>[.<container>] -- <reason>` comments on a values.yaml or
// template line, and, for compatibility, `preadmit.dev/ignore.<rule>[.<container>]: <reason>`
// annotations on the object (only with annotationSuppressions: true, never from vendored subcharts).
// Nothing suppresses a locked rule. A suppressed finding is kept and marked (finding.suppressed), counts in
// every report and never blocks. Expired, unused and invalid suppressions are returned as records.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { minimatch } from 'minimatch';
import { isObj } from '../k8s/values.ts';
import { podTemplateOf } from '../k8s/workloads.ts';
import { TemplateSources } from '../render/template-lines.ts';
import type { ChartRender } from '../render/charts.ts';
import { lockLabel, type Config, type ConfiguredSuppression } from '../config/config.ts';
import { relativeTo } from './discover.ts';
import type { AppliedSuppression, Finding, ObjectRef, ScannedObject, SourceInfo, SuppressionRecord } from '../model/model.ts';
import { get, tokens as pointerTokens } from '../model/pointer.ts';

export const ANNOTATION_PREFIX = 'preadmit.dev/ignore.';
const MARKER = /(#|\{\{-?\s*\/\*)\s*preadmit:\s*ignore\s+(\S+)(?:\s+--(.*?))?\s*(?:\*\/\s*-?\}\})?\s*$/;

export interface SuppressionOptions {
  config: Config;
  repoRoot: string;
  /** The scanned objects (annotations, and container names for container-scoped suppressions). */
  objects: readonly ScannedObject[];
  /** `# preadmit: ignore` comments by file (CommentFiles.comments: the files commentFiles() names). */
  comments?: Map<string, SuppressionComment[]>;
  /** Known rule ids: a comment or annotation naming another is invalid. */
  ruleIds?: readonly string[];
  /** YYYY-MM-DD (default: today, UTC). */
  today?: string;
  /**
   * Suppressions the pull request adds: they take effect once merged, and are reported as pending.
   * Without it, every suppression in the files counts (policy from the checked-out files).
   */
  pending?: PendingSuppressions;
}

/** What a pull request adds to the suppressions of its base (see src/pipeline/policy.ts). */
export interface PendingSuppressions {
  /** Why such a suppression does not count yet. */
  message: string;
  /** A comment the base does not have (by absolute file and the line of its marker). */
  comment(file: string, line: number): boolean;
  /**
   * For a comment the base has: why it cannot count for this finding yet (the pull request changes the
   * templates of the finding's chart), or undefined when it can.
   */
  commentFinding?(file: string, line: number, finding: Finding): string | undefined;
  /** An annotation the base does not have on the object with the same value (see policy.ts for how that is decided). */
  annotation(object: ScannedObject, key: string, value: unknown): boolean;
}

/** Where a comment is, as PendingSuppressions.comment is asked. */
export function commentKey(file: string, line: number): string {
  return `${file}\u0000${line}`;
}

/** Whether an object comes from a subchart vendored under the chart's charts/ (a directory or a .tgz). */
export function fromVendoredSubchart(object: ScannedObject): boolean {
  return object.source.template?.split('/')[1] === 'charts';
}

export interface SuppressionComment {
  file: string;
  /** The line the marker is written on. */
  line: number;
  /** The line it applies to: its own (trailing comment) or the next content line (comment above). */
  target: number;
  rule: string;
  container?: string;
  reason?: string;
  matched: number;
}

/** `rule` or `rule.container` (rule ids have no dots; container names are DNS labels). */
function splitRule(spec: string): { rule: string; container?: string } {
  const dot = spec.indexOf('.');
  return dot === -1 ? { rule: spec } : { rule: spec.slice(0, dot), container: spec.slice(dot + 1) };
}

export function parseComments(file: string, text: string): SuppressionComment[] {
  const lines = text.split(/\r?\n/);
  const out: SuppressionComment[] = [];
  lines.forEach((line, i) => {
    if (!line.includes('preadmit:')) return;
    const m = MARKER.exec(line);
    if (!m) return;
    const before = line.slice(0, m.index);
    let target = i + 1;
    if (before.trim() === '') {
      // A comment of its own applies to the next line that is neither blank nor a comment.
      let j = i + 1;
      while (j < lines.length && (lines[j]!.trim() === '' || /^\s*(#|\{\{-?\s*\/\*)/.test(lines[j]!))) j++;
      target = j + 1;
    }
    const { rule, container } = splitRule(m[2]!);
    const reason = m[3]?.trim();
    out.push({ file, line: i + 1, target, rule, ...(container ? { container } : {}), ...(reason ? { reason } : {}), matched: 0 });
  });
  return out;
}

/** The files of rendered charts that may carry suppression comments: values files and templates. */
export function commentFiles(renders: readonly ChartRender[]): string[] {
  const files = new Set<string>();
  const seen = new Set<string>();
  for (const render of renders) {
    for (const file of render.request.valuesFiles) files.add(file);
    if (seen.has(render.dir)) continue;
    seen.add(render.dir);
    const sources = new TemplateSources(render.dir);
    for (const file of sources.allFiles()) files.add(file);
    const add = (dir: string) => files.add(path.join(dir, 'values.yaml'));
    add(render.dir);
    for (const file of sources.allFiles()) {
      const chartDir = file.slice(0, file.lastIndexOf(`${path.sep}templates${path.sep}`));
      if (chartDir) add(chartDir);
    }
  }
  return [...files].filter((f) => existsSync(f)).sort();
}

function readComments(file: string): SuppressionComment[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return [];
  }
  // Most files carry no marker: searched as bytes, decoded only when they do.
  return bytes.includes('preadmit:') ? parseComments(file, bytes.toString('utf8')) : [];
}

/** The comments of the files commentFiles() names for each render, read as renders arrive (each file once). */
export class CommentFiles {
  private readonly byFile = new Map<string, SuppressionComment[]>();
  private readonly charts = new Set<string>();

  add(render: ChartRender): void {
    const files = this.charts.has(render.dir) ? render.request.valuesFiles.filter((f) => existsSync(f)) : commentFiles([render]);
    this.charts.add(render.dir);
    for (const file of files) if (!this.byFile.has(file)) this.byFile.set(file, readComments(file));
  }

  /** Comments by file, fresh (unmatched) for one application. */
  comments(renders: readonly ChartRender[]): Map<string, SuppressionComment[]> {
    for (const render of renders) if (!this.charts.has(render.dir)) this.add(render);
    const out = new Map<string, SuppressionComment[]>();
    for (const [file, comments] of this.byFile) if (comments.length > 0) out.set(file, comments.map((c) => ({ ...c, matched: 0 })));
    return out;
  }
}

function objectKey(source: SourceInfo, ref: ObjectRef): string {
  return [source.chart ?? '', source.file, source.valueSet ?? '', source.template ?? '', source.document ?? -1, ref.apiVersion, ref.kind, ref.namespace ?? '', ref.name].join('\u0000');
}

/** The container a finding is about, from its path (`.../containers/2/...`). */
function containerOf(finding: Finding, object: ScannedObject | undefined): string | undefined {
  if (object === undefined) return undefined;
  const tokens = pointerTokens(finding.path);
  for (let i = tokens.length - 2; i >= 0; i--) {
    if (/^(containers|initContainers|ephemeralContainers)$/.test(tokens[i]!) && /^\d+$/.test(tokens[i + 1]!)) {
      const item = get(object.raw, '/' + tokens.slice(0, i + 2).join('/'));
      return isObj(item) && typeof item.name === 'string' ? item.name : undefined;
    }
  }
  return undefined;
}

/** One record per object and annotation, whatever the value set that rendered the object. */
function annotationKey(object: ScannedObject, key: string): string {
  const { ref, source } = object;
  return [source.chart ?? source.file, source.address ?? '', ref.apiVersion, ref.kind, ref.namespace ?? '', ref.name, key].join('\u0000');
}

/** The annotations of an object and of its pod template (a workload's pods carry the template's). */
export function annotationsOf(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const meta = raw.metadata;
  if (isObj(meta) && isObj(meta.annotations)) Object.assign(out, meta.annotations);
  const pod = podTemplateOf(raw);
  if (pod && pod.base !== '' && isObj(pod.metadata.annotations)) Object.assign(out, pod.metadata.annotations);
  return out;
}

/** The object's suppression annotations (`preadmit.io/ignore.<rule>`), read once per object. */
function suppressionAnnotationsOf(object: ScannedObject, cache: Map<ScannedObject, [string, unknown][]>): [string, unknown][] {
  let out = cache.get(object);
  if (out === undefined) cache.set(object, (out = Object.entries(annotationsOf(object.raw)).filter(([key]) => key.startsWith(ANNOTATION_PREFIX))));
  return out;
}

function glob(value: string | undefined, pattern: string | undefined): boolean {
  if (pattern === undefined) return true;
  if (value === undefined) return false;
  return value === pattern || minimatch(value, pattern, { dot: true });
}

function configMatches(s: ConfiguredSuppression, f: Finding, container: () => string | undefined, repoRoot: string): boolean {
  if (s.rule !== '*' && s.rule !== f.ruleId) return false;
  if (s.chart !== undefined && !glob(f.source.chart === undefined ? undefined : path.resolve(repoRoot, f.source.chart), s.chart)) return false;
  if (s.file !== undefined) {
    const files = [f.source.file, f.source.values?.file].filter((x): x is string => x !== undefined).map((x) => path.resolve(repoRoot, x));
    if (!files.some((x) => glob(x, s.file))) return false;
  }
  if (s.valueSet !== undefined) {
    const sets = f.valueSets ?? (f.source.valueSet !== undefined ? [f.source.valueSet] : []);
    if (!sets.includes(s.valueSet)) return false;
  }
  if (!glob(f.object.kind, s.kind) || !glob(f.object.namespace, s.namespace) || !glob(f.object.name, s.name)) return false;
  if (s.container !== undefined && !glob(container(), s.container)) return false;
  return true;
}

/**
 * Marks suppressed findings (in place) and returns every suppression met with what became of it:
 * applied, unused, expired (no longer suppresses), invalid (no reason, unknown rule, a locked rule,
 * an annotation preadmit does not honour) or pending (added by the pull request: counts once merged).
 */
export function applySuppressions(findings: Finding[], options: SuppressionOptions): SuppressionRecord[] {
  const { config, repoRoot, pending } = options;
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const known = options.ruleIds ? new Set(options.ruleIds) : undefined;
  const locked = new Set(config.lockedRules);
  const lockedMessage = (rule: string) => `rule ${rule} is locked (${lockLabel(config, rule, (f) => relativeTo(repoRoot, f))}): its findings cannot be suppressed`;
  const objects = new Map<string, ScannedObject>();
  for (const object of options.objects) objects.set(objectKey(object.source, object.ref), object);
  const objectOf = (f: Finding) => objects.get(objectKey(f.source, f.object));

  const configured = config.suppressions.map((s) => ({ s, matched: 0, expired: s.expires !== undefined && s.expires < today, locked: locked.has(s.rule) }));
  const comments = options.comments ?? new Map<string, SuppressionComment[]>();
  const commentProblem = (c: SuppressionComment): string | undefined =>
    c.reason === undefined
      ? 'no reason given (write `-- <reason>` after the rule)'
      : known && c.rule !== '*' && !known.has(c.rule)
        ? `unknown rule ${c.rule}`
        : locked.has(c.rule)
          ? lockedMessage(c.rule)
          : undefined;
  const commentPending = (c: SuppressionComment) => pending !== undefined && pending.comment(c.file, c.line);
  /** Base comments held back for findings whose chart the pull request changes: one pending record per comment, rule and object. */
  const heldRecords = new Map<SuppressionComment, Map<string, SuppressionRecord>>();
  const holdComment = (c: SuppressionComment, f: Finding, message: string) => {
    let byFinding = heldRecords.get(c);
    if (byFinding === undefined) heldRecords.set(c, (byFinding = new Map()));
    const key = [f.ruleId, f.object.kind, f.object.namespace ?? '', f.object.name].join('\u0000');
    if (byFinding.has(key)) return;
    const container = c.container;
    byFinding.set(key, { kind: 'comment', status: 'pending', rule: f.ruleId, ...(c.reason ? { reason: c.reason } : {}), file: relativeTo(repoRoot, c.file), line: c.line, ...(container ? { container } : {}), object: f.object, matched: 0, message });
  };
  const annotationRecords = new Map<string, SuppressionRecord>();
  const annotationCache = new Map<ScannedObject, [string, unknown][]>();

  /** The record of one annotation on one object, with why it cannot apply (status invalid or pending). */
  const annotationRecord = (object: ScannedObject, key: string, value: unknown): SuppressionRecord => {
    const recordKey = annotationKey(object, key);
    let record = annotationRecords.get(recordKey);
    if (record) return record;
    const { rule, container } = splitRule(key.slice(ANNOTATION_PREFIX.length));
    const reason = typeof value === 'string' ? value.trim() : '';
    const invalid =
      reason === ''
        ? 'the annotation gives no reason'
        : known && rule !== '*' && !known.has(rule)
          ? `unknown rule ${rule}`
          : locked.has(rule)
            ? lockedMessage(rule)
            : !config.annotationSuppressions
              ? 'annotation suppressions are off (annotationSuppressions: true in the configuration turns them on)'
              : fromVendoredSubchart(object)
                ? `the object comes from a vendored subchart (${object.source.template!.split('/').slice(0, 3).join('/')}): its annotations never suppress`
                : undefined;
    const isPending = invalid === undefined && pending !== undefined && pending.annotation(object, key, value);
    record = {
      kind: 'annotation',
      status: invalid ? 'invalid' : isPending ? 'pending' : 'unused',
      rule,
      ...(reason ? { reason } : {}),
      file: object.source.file,
      ...(object.source.line !== undefined ? { line: object.source.line } : {}),
      ...(container ? { container } : {}),
      object: object.ref,
      matched: 0,
      ...(invalid ? { message: invalid } : isPending ? { message: pending!.message } : {}),
    };
    annotationRecords.set(recordKey, record);
    return record;
  };

  for (const f of findings) {
    const object = objectOf(f);
    let containerName: string | undefined | null = null;
    const container = () => (containerName === null ? (containerName = containerOf(f, object)) : containerName);
    // A wildcard never reaches a locked rule's findings; a suppression naming the rule is invalid.
    const lockedRule = locked.has(f.ruleId);
    let applied: AppliedSuppression | undefined;
    for (const entry of configured) {
      if (lockedRule && entry.s.rule === '*') continue;
      if (!configMatches(entry.s, f, container, repoRoot)) continue;
      entry.matched++;
      if (entry.expired || entry.locked || applied) continue;
      applied = {
        kind: 'config',
        reason: entry.s.reason,
        file: relativeTo(repoRoot, entry.s.declared.file),
        ...(entry.s.declared.line !== undefined ? { line: entry.s.declared.line } : {}),
        ...(entry.s.expires !== undefined ? { expires: entry.s.expires } : {}),
      };
    }
    for (const loc of [f.source.values, f.source.templateLocation]) {
      if (loc?.line === undefined) continue;
      for (const c of comments.get(path.resolve(repoRoot, loc.file)) ?? []) {
        if (c.target !== loc.line && c.line !== loc.line) continue;
        if (c.rule !== '*' && c.rule !== f.ruleId) continue;
        if (c.rule === '*' && lockedRule) continue;
        if (c.container !== undefined && c.container !== container()) continue;
        const usable = commentProblem(c) === undefined && !commentPending(c);
        const held = usable ? pending?.commentFinding?.(c.file, c.line, f) : undefined;
        if (held !== undefined) {
          holdComment(c, f, held);
          continue;
        }
        c.matched++;
        if (applied || !usable) continue;
        applied = { kind: 'comment', reason: c.reason!, file: relativeTo(repoRoot, c.file), line: c.line };
      }
    }
    if (object) {
      for (const [key, value] of suppressionAnnotationsOf(object, annotationCache)) {
        const record = annotationRecord(object, key, value);
        if (record.rule !== '*' && record.rule !== f.ruleId) continue;
        if (record.rule === '*' && lockedRule) continue;
        if (record.container !== undefined && record.container !== container()) continue;
        record.matched++;
        if (applied || record.status === 'invalid' || record.status === 'pending') continue;
        applied = { kind: 'annotation', reason: record.reason!, file: object.source.file, ...(object.source.line !== undefined ? { line: object.source.line } : {}) };
      }
    }
    if (applied) f.suppressed = applied;
  }

  // Annotation records of objects without findings (unused), once per object and key.
  for (const object of options.objects) for (const [key, value] of suppressionAnnotationsOf(object, annotationCache)) annotationRecord(object, key, value);

  const records: SuppressionRecord[] = [];
  for (const { s, matched, expired, locked: isLocked } of configured) {
    records.push({
      kind: 'config',
      status: isLocked ? 'invalid' : expired ? 'expired' : matched > 0 ? 'applied' : 'unused',
      rule: s.rule,
      reason: s.reason,
      file: relativeTo(repoRoot, s.declared.file),
      ...(s.declared.line !== undefined ? { line: s.declared.line } : {}),
      ...(s.expires !== undefined ? { expires: s.expires } : {}),
      ...(s.container !== undefined ? { container: s.container } : {}),
      matched,
      ...(isLocked ? { message: lockedMessage(s.rule) } : expired ? { message: `expired on ${s.expires}: the findings it matched count again` } : {}),
    });
  }
  for (const v of config.lockViolations ?? []) {
    records.push({ kind: 'config', status: 'invalid', rule: v.rule, file: v.file, ...(v.line !== undefined ? { line: v.line } : {}), matched: 0, message: v.message });
  }
  for (const list of comments.values()) {
    for (const c of list) {
      const held = heldRecords.get(c);
      // A base comment that met only findings it cannot count for yet: those records say what happened.
      if (held !== undefined && c.matched === 0) {
        records.push(...held.values());
        continue;
      }
      const invalid = commentProblem(c);
      const isPending = invalid === undefined && commentPending(c);
      records.push({
        kind: 'comment',
        status: invalid ? 'invalid' : isPending ? 'pending' : c.matched > 0 ? 'applied' : 'unused',
        rule: c.rule,
        ...(c.reason ? { reason: c.reason } : {}),
        file: relativeTo(repoRoot, c.file),
        line: c.line,
        ...(c.container ? { container: c.container } : {}),
        matched: c.matched,
        ...(invalid ? { message: invalid } : isPending ? { message: pending!.message } : {}),
      });
      if (held !== undefined) records.push(...held.values());
    }
  }
  for (const record of annotationRecords.values()) {
    if (record.status !== 'invalid' && record.status !== 'pending') record.status = record.matched > 0 ? 'applied' : 'unused';
    records.push(record);
  }
  return records;
}
