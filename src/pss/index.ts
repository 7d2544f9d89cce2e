// Pod Security Standards as evaluated by upstream Pod Security Admission (policy versions v1.0 to v1.37).
import type { AdmissionVerdict, LevelVerdict, PssViolation } from '../model/model.ts';
import { podContext, type PodContext } from './context.ts';
import { checksFor, overriddenBy, PSS_CHECKS, type ActiveCheck } from './registry.ts';
import type { CheckFailure, CheckFn, PssField, PssLevel } from './types.ts';
import { resolvePssVersion } from './version.ts';

export type { PssCheckInfo, PssField, PssLevel } from './types.ts';
export { PSS_LATEST_MINOR, resolvePssVersion } from './version.ts';
export { PSS_CHECKS } from './registry.ts';

/** Checks that apply at a level and minor version, after overrides, in evaluation order. */
export function activeChecks(level: PssLevel, minor: number): string[] {
  return checksFor(level, minor).map((c) => c.id);
}

export interface PssFinding extends PssViolation {
  /** Every offending field (pointers relative to the pod template node), each with its own detail. */
  fields: PssField[];
}

export interface PodVerdict {
  allowed: boolean;
  violations: PssFinding[];
}

export interface PodInput {
  metadata: Record<string, unknown>;
  spec: Record<string, unknown>;
}

const PSS_LEVELS: ReadonlySet<string> = new Set(['privileged', 'baseline', 'restricted']);

function minorOf(version: string): number {
  const minor = resolvePssVersion(version);
  if (minor === undefined) throw new RangeError(`invalid Pod Security Standards version ${JSON.stringify(version)} (expected "latest" or "v1.<minor>")`);
  return minor;
}

function levelOf(level: PssLevel): PssLevel {
  if (!PSS_LEVELS.has(level)) throw new RangeError(`invalid Pod Security Standards level ${JSON.stringify(level)}`);
  return level;
}

function run(checks: readonly ActiveCheck[], pod: PodContext, cache?: Map<CheckFn, CheckFailure | undefined>): PodVerdict {
  const violations: PssFinding[] = [];
  for (const check of checks) {
    let failure: CheckFailure | undefined;
    if (cache?.has(check.evaluate)) failure = cache.get(check.evaluate);
    else {
      failure = check.evaluate(pod);
      cache?.set(check.evaluate, failure);
    }
    if (failure === undefined) continue;
    violations.push({
      check: check.id,
      reason: failure.reason === '' ? 'unknown forbidden reason' : failure.reason,
      detail: failure.detail,
      fields: failure.fields.map((field) => ({ ...field })),
    });
  }
  return { allowed: violations.length === 0, violations };
}

/**
 * Evaluates one pod (metadata + spec, as podTemplateOf returns them) at a level and version
 * ('latest' or 'v1.N'). Throws RangeError on an invalid version string or level. Applies the API-server
 * defaulting PSA sees (source-less volume -> emptyDir) without mutating the input.
 */
export function evaluatePod(pod: PodInput, level: PssLevel, version: string): PodVerdict {
  const minor = minorOf(version);
  const checks = checksFor(levelOf(level), minor);
  if (checks.length === 0) return { allowed: true, violations: [] };
  return run(checks, podContext(pod?.metadata, pod?.spec));
}

function stripPaths(verdict: PodVerdict): LevelVerdict {
  return {
    allowed: verdict.allowed,
    violations: verdict.violations.map(({ check, reason, detail, unknown }) => ({ check, reason, detail, ...(unknown !== undefined ? { unknown } : {}) })),
  };
}

/** Both levels at once, with paths; checks shared by the two levels run once. */
export function evaluateBothLevels(pod: PodInput, version: string): { baseline: PodVerdict; restricted: PodVerdict } {
  const minor = minorOf(version);
  const context = podContext(pod?.metadata, pod?.spec);
  const cache = new Map<CheckFn, CheckFailure | undefined>();
  return {
    baseline: run(checksFor('baseline', minor), context, cache),
    restricted: run(checksFor('restricted', minor), context, cache),
  };
}

const CHECK_LEVEL: ReadonlyMap<string, 'baseline' | 'restricted'> = new Map(PSS_CHECKS.map((check) => [check.id, check.level]));

/**
 * What the rules report at a level, from both levels' verdicts. At baseline: baseline's violations. At
 * restricted: every baseline violation still (a stricter level never hides what baseline forbids, and each
 * keeps its baseline rule and severity), including those of the checks restricted overrides; and each
 * restricted check only the fields its overridden baseline checks do not report, i.e. what baseline allows
 * and restricted does not. The admission verdicts themselves stay upstream's.
 */
export function reportedViolations(both: { baseline: PodVerdict; restricted: PodVerdict }, level: 'baseline' | 'restricted', version: string): PssFinding[] {
  if (level === 'baseline') return both.baseline.violations;
  const minor = minorOf(version);
  const reported = new Map<string, Set<string>>();
  for (const violation of both.baseline.violations) reported.set(violation.check, new Set(violation.fields.map((f) => f.path)));
  const out = [...both.baseline.violations];
  for (const violation of both.restricted.violations) {
    if (CHECK_LEVEL.get(violation.check) !== 'restricted') continue;
    const covered = new Set<string>();
    for (const id of overriddenBy(violation.check, minor)) for (const path of reported.get(id) ?? []) covered.add(path);
    const fields = violation.fields.filter((field) => !covered.has(field.path));
    if (fields.length > 0) out.push({ ...violation, fields });
  }
  return out;
}

/** Both levels at once (what the engine stores per object). Violations carry no paths here. */
export function admissionOf(pod: PodInput, version: string): AdmissionVerdict {
  const both = evaluateBothLevels(pod, version);
  return { version, baseline: stripPaths(both.baseline), restricted: stripPaths(both.restricted) };
}

export function withoutPaths(verdict: PodVerdict): LevelVerdict {
  return stripPaths(verdict);
}

/** Upstream aggregated detail text: `reason (detail), reason, ...` in evaluation order. */
export function forbiddenDetail(violations: readonly PssViolation[]): string {
  return violations.map((v) => (v.detail === '' ? v.reason : `${v.reason} (${v.detail})`)).join(', ');
}

/** Upstream aggregated reason text: `reason, reason, ...`. */
export function forbiddenReasons(violations: readonly PssViolation[]): string {
  return violations.map((v) => v.reason).join(', ');
}
