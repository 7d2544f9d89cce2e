// Pod Security Standards as evaluated by upstream Pod Security Admission (policy versions v1.0 to v1.37).
import type { AdmissionVerdict, LevelVerdict, PssViolation } from '../core/model.ts';
import { podContext, type PodContext } from './context.ts';
import { checksFor, type ActiveCheck } from './registry.ts';
import type { CheckFailure, CheckFn, PssLevel } from './types.ts';
import { resolvePssVersion } from './version.ts';

export type { PssCheckInfo, PssLevel } from './types.ts';
export { PSS_LATEST_MINOR, resolvePssVersion } from './version.ts';
export { PSS_CHECKS } from './registry.ts';

/** Checks that apply at a level and minor version, after overrides, in evaluation order. */
export function activeChecks(level: PssLevel, minor: number): string[] {
  return checksFor(level, minor).map((c) => c.id);
}

export interface PssFinding extends PssViolation {
  /** JSON pointers relative to the pod template node: the offending fields, or where a missing one belongs. */
  paths: string[];
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
      paths: [...failure.paths],
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
    violations: verdict.violations.map(({ check, reason, detail }) => ({ check, reason, detail })),
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
