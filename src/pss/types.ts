// Contracts between the PSS registry and the per-check modules.
import type { PodContext } from './context.ts';

export type PssLevel = 'privileged' | 'baseline' | 'restricted';

/** One offending field of a failing check, with a detail that names that field alone. */
export interface PssField {
  /** JSON pointer relative to the pod template node: the offending field, or where a missing one belongs. */
  path: string;
  /** What is wrong with this field, in upstream's words (`container "app" must not set ...`). */
  detail: string;
}

/**
 * A failing check: upstream ForbiddenReason / ForbiddenDetail (aggregated over the pod, byte for byte as
 * Pod Security Admission words them) plus every offending field on its own. `fields` is complete even where
 * upstream's detail stops at the first kind of problem (seccompProfile_restricted names only the bad
 * values when there are any), so that fixing what is reported leaves nothing unreported.
 */
export interface CheckFailure {
  reason: string;
  detail: string;
  fields: PssField[];
}

/** One versioned implementation: undefined means allowed. */
export type CheckFn = (pod: PodContext) => CheckFailure | undefined;

export interface VersionedCheck {
  /** First policy minor version (v1.N) this implementation applies to. */
  minVersion: number;
  /** Baseline check IDs this (restricted) implementation supersedes while active. */
  overrides?: readonly string[];
  evaluate: CheckFn;
}

export interface PssCheckInfo {
  id: string;
  level: 'baseline' | 'restricted';
  /** First minor version at which the check exists. */
  since: number;
  /** Short human title, e.g. 'Privileged containers'. */
  title: string;
}

export interface CheckDefinition {
  id: string;
  level: 'baseline' | 'restricted';
  title: string;
  /** Ascending by minVersion. */
  versions: readonly VersionedCheck[];
}
