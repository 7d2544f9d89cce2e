// Every input of action.yml, read once into a typed, validated object. A bad value is a
// ConfigurationError: the run fails with a message naming the input, never with a stack trace.
import * as core from '@actions/core';
import type { FailOn } from '../model/model.ts';
import { UsageError } from '../model/errors.ts';
import { parseShard } from '../pipeline/shard.ts';

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

export const FAIL_ON_VALUES: readonly FailOn[] = ['critical', 'high', 'medium', 'low', 'never'];
export const COMMENT_WHEN_CLEAN_VALUES = ['resolve', 'delete', 'update'] as const;
export type CommentWhenClean = (typeof COMMENT_WHEN_CLEAN_VALUES)[number];
export const POLICY_FROM_VALUES = ['base', 'head'] as const;
export type PolicyFrom = (typeof POLICY_FROM_VALUES)[number];
export const GATE_VALUES = ['new', 'all'] as const;
export type Gate = (typeof GATE_VALUES)[number];
export const PSS_LEVEL_VALUES = ['baseline', 'restricted'] as const;

export interface ActionInputs {
  /** Paths to scan, relative to GITHUB_WORKSPACE (default `.`). */
  paths: string[];
  /** Configuration file; otherwise .preadmit.yaml is looked up from the first path. */
  config?: string;
  /** Values files applied to every chart. */
  valuesFiles: string[];
  /** Terraform plan JSON files (`terraform show -json`), scanned alongside `paths`. */
  terraformPlans: string[];
  /** ValidatingAdmissionPolicy files or folders (`policies`). */
  policies: string[];
  /** Overrides failOn of the config file (whose default is high). */
  failOn?: FailOn;
  pssVersion?: string;
  /** Upsert the sticky PR comment. */
  comment: boolean;
  /** What happens to the sticky comment when a later run has no findings and no errors. */
  commentWhenClean: CommentWhenClean;
  /** Proven fixes on lines the pull request changed as suggested changes in a pull request review. */
  suggestions: boolean;
  /** Annotate findings (check run, or workflow commands as a fallback). */
  annotations: boolean;
  checkName: string;
  /** Report, never block: conclusion neutral instead of failure, and the step succeeds. */
  advisory: boolean;
  /** Where the SARIF report goes, relative to GITHUB_WORKSPACE; default: RUNNER_TEMP, outside the checkout. */
  sarifFile?: string;
  githubToken: string;
  /** helm binary (default: helm on PATH). */
  helm?: string;
  /**
   * Publish these JSON reports (from earlier preadmit runs) instead of scanning: files or globs, one per line.
   * Several are the shards of one scan, merged into one check run, comment and SARIF (pipeline/merge.ts).
   */
  reports?: string[];
  /** Scan only shard K of N (`K/N`) and write its JSON report for a publish job; nothing is published. */
  shard?: { index: number; count: number };
  /** The render cache's folder (outside the workspace; the scan refuses one inside the repository). */
  renderCache?: string;
  /** With `report` on workflow_run: the pull request to comment on (verified against the run's head SHA). */
  pullRequest?: number;
  /** On pull request events: the policy comes from the base commit (default) or the checked-out head. */
  policyFrom: PolicyFrom;
  /** On pull requests, compared with the base commit: new (default there) gates on new findings only, all on every finding. */
  gate?: Gate;
  /** With a base: render only the charts the pull request changes (default), or every chart. */
  changedOnly: boolean;
  /** Pod Security level findings are reported at (default: the configuration's, else restricted). */
  pssLevel?: (typeof PSS_LEVEL_VALUES)[number];
  /** Whether inputs that could not be read or rendered fail the check (default: the configuration's, else on). */
  failOnErrors?: boolean;
  /** helm --set pairs (key=value) applied to every chart, one per line. */
  set: string[];
  /** Kubernetes version helm renders for (.Capabilities.KubeVersion). */
  kubeVersion?: string;
  /** Namespace and release name charts are rendered with. */
  namespace?: string;
  releaseName?: string;
}

export type GetInput = (name: string) => string;

const defaultGetInput: GetInput = (name) => core.getInput(name);

function list(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function toggle(name: string, value: string, fallback: boolean): boolean {
  const v = value.trim().toLowerCase();
  if (v === '') return fallback;
  if (['on', 'true', 'yes', '1'].includes(v)) return true;
  if (['off', 'false', 'no', '0'].includes(v)) return false;
  throw new ConfigurationError(`input ${name} must be on or off (got "${value}")`);
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T | undefined {
  const v = value.trim().toLowerCase();
  if (v === '') return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new ConfigurationError(`input ${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  return v as T;
}

/** Reads and validates every input. */
export function readInputs(getInput: GetInput = defaultGetInput): ActionInputs {
  const get = (name: string) => getInput(name).trim();

  const pssVersion = get('pss-version');
  if (pssVersion !== '' && !/^(latest|v1\.(0|[1-9][0-9]*))$/.test(pssVersion)) {
    throw new ConfigurationError(`input pss-version must be latest or v1.N, e.g. v1.33 (got "${pssVersion}")`);
  }
  const checkName = get('check-name') || 'preadmit';
  if (checkName.length > 100 || /[\u0000-\u001f]/.test(checkName)) {
    throw new ConfigurationError('input check-name must be one line of at most 100 characters');
  }
  const token = get('github-token');
  if (token !== '') core.setSecret(token);

  const failOn = oneOf('fail-on', get('fail-on'), FAIL_ON_VALUES);
  const config = get('config');
  const helm = get('helm');
  const paths = list(getInput('paths'));
  // Reports are one per line (a file name may hold a comma); globs are expanded when the run publishes them.
  const reports = getInput('report')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  let shard: ActionInputs['shard'];
  try {
    shard = get('shard') !== '' ? parseShard(get('shard'), 'input shard') : undefined;
  } catch (error) {
    if (error instanceof UsageError) throw new ConfigurationError(error.message);
    throw error;
  }
  if (shard !== undefined && reports.length > 0) throw new ConfigurationError('input shard scans one shard and input report publishes reports: give one of them');
  const sarifFile = get('sarif-file');
  // A --set value may hold commas (`a={x,y}`): pairs are separated by newlines only.
  const set = getInput('set')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  for (const pair of set) if (!pair.includes('=')) throw new ConfigurationError(`input set expects key=value lines (got "${pair}")`);
  // The same patterns as helm.kubeVersion, helm.namespace and helm.releaseName in the configuration schema.
  const kubeVersion = get('kube-version');
  if (kubeVersion !== '' && !/^v?1\.[0-9]+(\.[0-9]+)?$/.test(kubeVersion)) throw new ConfigurationError(`input kube-version must be a Kubernetes version like 1.33 or v1.33.2 (got "${kubeVersion}")`);
  const namespace = get('namespace');
  if (namespace !== '' && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) throw new ConfigurationError(`input namespace must be a Kubernetes namespace name (got "${namespace}")`);
  const releaseName = get('release-name');
  if (releaseName !== '' && !/^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$/.test(releaseName)) throw new ConfigurationError(`input release-name must be a helm release name: lowercase letters, digits and dashes, at most 53 characters (got "${releaseName}")`);
  const gate = oneOf('gate', get('gate'), GATE_VALUES);
  const pssLevel = oneOf('pss-level', get('pss-level'), PSS_LEVEL_VALUES);
  const pr = get('pull-request');
  if (pr !== '' && !/^[1-9][0-9]{0,9}$/.test(pr)) throw new ConfigurationError(`input pull-request must be a pull request number (got "${pr}")`);
  return {
    paths: paths.length > 0 ? paths : ['.'],
    ...(config !== '' && { config }),
    valuesFiles: list(getInput('values-files')),
    terraformPlans: list(getInput('terraform-plans')),
    policies: list(getInput('policies')),
    ...(failOn !== undefined && { failOn }),
    ...(pssVersion !== '' && { pssVersion }),
    comment: toggle('comment', get('comment'), true),
    commentWhenClean: oneOf('comment-when-clean', get('comment-when-clean'), COMMENT_WHEN_CLEAN_VALUES) ?? 'resolve',
    suggestions: toggle('suggestions', get('suggestions'), true),
    annotations: toggle('annotations', get('annotations'), true),
    checkName,
    advisory: toggle('advisory', get('advisory'), false),
    ...(sarifFile !== '' && { sarifFile }),
    githubToken: token,
    ...(helm !== '' && { helm }),
    ...(reports.length > 0 && { reports }),
    ...(shard !== undefined && { shard }),
    ...(get('render-cache') !== '' && { renderCache: get('render-cache') }),
    ...(pr !== '' && { pullRequest: Number(pr) }),
    policyFrom: oneOf('policy-from', get('policy-from'), POLICY_FROM_VALUES) ?? 'base',
    ...(gate !== undefined && { gate }),
    changedOnly: toggle('changed-only', get('changed-only'), true),
    ...(pssLevel !== undefined && { pssLevel }),
    ...(get('fail-on-errors') !== '' && { failOnErrors: toggle('fail-on-errors', get('fail-on-errors'), true) }),
    set,
    ...(kubeVersion !== '' && { kubeVersion }),
    ...(namespace !== '' && { namespace }),
    ...(releaseName !== '' && { releaseName }),
  };
}
