// Contracts between the PSS registry and the per-check modules.
import type { PodContext } from './context.ts';

export type PssLevel = 'privileged' | 'baseline' | 'restricted';

/** A failing check: upstream ForbiddenReason / ForbiddenDetail plus JSON pointers of the offending fields. */
export interface CheckFailure {
  reason: string;
  detail: string;
  paths: string[];
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
