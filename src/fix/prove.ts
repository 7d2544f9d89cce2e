// Proof by re-render: a chart's candidate edits are applied together to a temporary copy of the chart (as
// helm reads it: chart-copy.ts), every value set is rendered again the way the scan renders it (same
// configuration, second renders) and evaluated again. An edit is kept only if the findings it is for are
// gone in every value set that showed them, no finding appears that the scan did not have, and every
// render still succeeds. When the batch fails, it is split in halves until the edits that are safe are
// found (bisection); what is kept is proven together once more. Nothing is written outside the temporary copy.
import { runWithRenderCache } from '../render/render-cache.ts';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { minimatch } from 'minimatch';
import type { Config } from '../config/config.ts';
import { RenderBudget, runWithRenderBudget } from '../config/render-budget.ts';
import type { Finding } from '../model/model.ts';
import { isInside } from '../model/paths.ts';
import { renderCharts, type RenderedCharts } from '../render/charts.ts';
import type { HelmBinary } from '../render/helm.ts';
import { DEFAULT_VALUE_SET } from '../render/value-sets.ts';
import { CONTAINER_LISTS, podTemplateOf } from '../k8s/workloads.ts';
import type { ScannedObject } from '../model/model.ts';
import { copyChartAsHelmReads } from './chart-copy.ts';
import { applyEdit, type CandidateEdit } from './derive.ts';

/** What the scan knows and does, for re-rendering one chart's copy. */
export interface ProofContext {
  repoRoot: string;
  config: Config;
  helm: () => Promise<HelmBinary>;
  helmPath?: string;
  /** The scan's second renders (off for measurements). */
  variants: boolean;
  /** Evaluates a copy's renders as the scan does (per value set, not merged): its findings of the chart. */
  evaluate: (rendered: RenderedCharts, chart: string) => Finding[];
  /** Most renders the proofs of this chart may make (else the edits are not proven). */
  maxRenders: number;
  /** Errors of the scan (file and message): a render that already failed in the scan fails no proof. */
  scanErrors?: readonly { file: string; message: string }[];
  /** Stops proofs with the scan (SIGINT, deadline). */
  signal?: AbortSignal;
}

export interface ChartProof {
  chart: string;
  /** Edits proven together. */
  proven: CandidateEdit[];
  /** Edits not proven, with why. */
  rejected: { edit: CandidateEdit; reason: string }[];
  /** helm runs the proofs made. */
  renders: number;
  /** Trials (full re-renders of the chart's value sets). */
  trials: number;
}

/** (fingerprint, value set) pairs: what a chart's findings are, set by set. */
function keysOf(findings: readonly Finding[]): Set<string> {
  const keys = new Set<string>();
  for (const f of findings) for (const set of f.valueSets ?? [f.source.valueSet ?? DEFAULT_VALUE_SET]) keys.add(`${f.fingerprint}\u0000${set}`);
  return keys;
}

/** The configuration for a copy of the chart: its entries and values files inside the chart point into the copy. */
function configForCopy(config: Config, dir: string, copy: string): Config {
  const inChart = (file: string) => (isInside(dir, file) ? path.join(copy, path.relative(dir, file)) : file);
  const charts = config.charts
    .filter((entry) => entry.path === dir || minimatch(dir, entry.path))
    .map((entry) => ({
      ...entry,
      path: copy,
      valuesFiles: entry.valuesFiles.map(inChart),
      valueSets: entry.valueSets.map((set) => ({ ...set, valuesFiles: set.valuesFiles.map(inChart) })),
    }));
  return { ...config, charts, helm: { ...config.helm, valuesFiles: config.helm.valuesFiles.map(inChart) } };
}

interface TrialOutcome {
  ok: boolean;
  /** Why the batch as a whole failed (a render error, new findings). */
  failure?: string;
  /** Edits whose findings are all gone. */
  effective: Set<CandidateEdit>;
  /** The objects new findings are on (kind, namespace, name). */
  newOn?: Set<string>;
}

function objectName(f: Finding): string {
  return `${f.object.kind}\u0000${f.object.namespace ?? ''}\u0000${f.object.name}`;
}

/** Applies edits to texts of files (repository-relative), in order; an edit that no longer applies is reported. */
export function applyEdits(texts: Map<string, string>, edits: readonly CandidateEdit[]): { failed: { edit: CandidateEdit; reason: string }[] } {
  const failed: { edit: CandidateEdit; reason: string }[] = [];
  for (const edit of edits) {
    const text = texts.get(edit.file);
    if (text === undefined) {
      failed.push({ edit, reason: `${edit.file} was not read` });
      continue;
    }
    const outcome = applyEdit(text, edit);
    if ('reason' in outcome) failed.push({ edit, reason: outcome.reason });
    else texts.set(edit.file, outcome.text);
  }
  return { failed };
}

/** Proves one chart's candidate edits (all in files inside the chart directory). */
export async function proveChart(chart: string, edits: CandidateEdit[], scanFindings: readonly Finding[], context: ProofContext): Promise<ChartProof> {
  const proof: ChartProof = { chart, proven: [], rejected: [], renders: 0, trials: 0 };
  const dir = path.join(context.repoRoot, chart);
  const before = keysOf(scanFindings.filter((f) => f.source.chart === chart));
  const originals = new Map<string, string>();
  for (const edit of edits) if (!originals.has(edit.file)) originals.set(edit.file, readFileSync(path.join(context.repoRoot, edit.file), 'utf8'));
  const budget = new RenderBudget({
    maxRenders: Math.max(0, context.maxRenders),
    memoryLimitBytes: context.config.helm.memoryLimitMiB * 1024 * 1024,
    maxOutputBytes: context.config.helm.maxOutputMiB * 1024 * 1024,
    ...(context.signal ? { signal: context.signal } : {}),
  });
  const root = mkdtempSync(path.join(os.tmpdir(), 'preadmit-fix-'));
  const results = new Map<string, TrialOutcome>();
  const scanErrors = new Set((context.scanErrors ?? []).map((e) => `${e.file}\u0000${e.message}`));
  const checkedCharts = new Map<string, string | undefined>();
  try {
    const trial = async (batch: CandidateEdit[]): Promise<TrialOutcome> => {
      const id = batch.map((e) => edits.indexOf(e)).join(',');
      const known = results.get(id);
      if (known) return known;
      proof.trials++;
      const copyRoot = path.join(root, String(proof.trials));
      const copy = path.join(copyRoot, chart);
      mkdirSync(path.dirname(copy), { recursive: true });
      const uncopied = copyChartAsHelmReads(dir, copy, checkedCharts);
      if (uncopied !== undefined) {
        const outcome = { ok: false, failure: `the chart is not rendered: ${uncopied}`, effective: new Set<CandidateEdit>() };
        results.set(id, outcome);
        return outcome;
      }
      const texts = new Map(originals);
      const { failed } = applyEdits(texts, batch);
      if (failed.length > 0) {
        const outcome = { ok: false, failure: `${failed[0]!.edit.description}: ${failed[0]!.reason}`, effective: new Set<CandidateEdit>() };
        results.set(id, outcome);
        return outcome;
      }
      for (const [file, text] of texts) if (text !== originals.get(file)) writeFileSync(path.join(copyRoot, file), text);
      const started = budget.started;
      let rendered: RenderedCharts;
      try {
        // Never from the render cache: the unedited control render must be a fresh one (a chart that renders
        // differently every time is found by it), and a proof's renders are worth nothing to a later run.
        rendered = await runWithRenderCache(undefined, () =>
          runWithRenderBudget(budget, () =>
            renderCharts([copy], context.helm, configForCopy(context.config, dir, copy), copyRoot, { valueSets: true, variants: context.variants, ...(context.helmPath ? { helmPath: context.helmPath } : {}) }),
          ),
        );
      } finally {
        proof.renders += budget.started - started;
      }
      rmSync(copyRoot, { recursive: true, force: true });
      const errors = rendered.errors.filter((e) => !scanErrors.has(`${e.file}\u0000${e.message.split(copyRoot).join(context.repoRoot)}`));
      if (budget.refusedCount() > 0) return { ok: false, failure: 'the render budget ran out', effective: new Set() };
      if (errors.length > 0) {
        const outcome = { ok: false, failure: `a render fails with the edits: ${errors[0]!.message.split('\n')[0]}`, effective: new Set<CandidateEdit>() };
        results.set(id, outcome);
        return outcome;
      }
      const refused = apiServerRefusal(rendered.objects);
      if (refused !== undefined) {
        const outcome = { ok: false, failure: `the API server would refuse ${refused}`, effective: new Set<CandidateEdit>() };
        results.set(id, outcome);
        return outcome;
      }
      const found = context.evaluate(rendered, chart);
      const after = keysOf(found);
      const added = found.filter((f) => [...keysOf([f])].some((key) => !before.has(key)));
      const effective = new Set(batch.filter((edit) => edit.findings.every((f) => [...keysOf([f])].every((key) => !after.has(key)))));
      const outcome: TrialOutcome = added.length > 0 ? { ok: false, failure: `new finding${added.length === 1 ? '' : 's'} would appear: ${[...new Set(added.map((f) => `${f.ruleId} at ${f.object.kind}/${f.object.name} ${f.path}`))].slice(0, 3).join('; ')}`, effective, newOn: new Set(added.map(objectName)) } : { ok: true, effective };
      results.set(id, outcome);
      return outcome;
    };
    // Halves of a failing batch are tried on their own, down to single edits.
    const safe = async (batch: CandidateEdit[]): Promise<CandidateEdit[]> => {
      if (batch.length === 0) return [];
      const outcome = await trial(batch);
      if (outcome.ok) return batch.filter((e) => outcome.effective.has(e));
      if (budget.refusedCount() > 0) return [];
      if (batch.length === 1) {
        proof.rejected.push({ edit: batch[0]!, reason: outcome.failure ?? 'not proven' });
        return [];
      }
      // New findings on an object point at the edits for that object's findings: the rest is tried without
      // them first (one trial instead of a bisection when they are the cause). New findings on no edited
      // object may come from the chart itself (random names on every render): an unedited copy is rendered
      // once, and when it brings them too, no edit of the chart can be proven.
      const newOn = outcome.newOn;
      const suspects = newOn === undefined ? [] : batch.filter((e) => e.findings.some((f) => newOn.has(objectName(f))));
      if (newOn !== undefined && suspects.length === 0 && !results.has('')) {
        const control = await trial([]);
        if (!control.ok) unstable = control.failure ?? 'unstable';
      }
      if (unstable !== undefined) return [];
      if (suspects.length > 0 && suspects.length < batch.length) {
        return [...(await safe(batch.filter((e) => !suspects.includes(e)))), ...(await safe(suspects))];
      }
      const middle = Math.ceil(batch.length / 2);
      return [...(await safe(batch.slice(0, middle))), ...(await safe(batch.slice(middle)))];
    };
    let unstable: string | undefined;
    let kept = await safe(edits);
    if (unstable !== undefined) {
      proof.rejected = edits.map((edit) => ({ edit, reason: `the chart renders differently every time (${unstable})` }));
      return proof;
    }
    // What is offered is proven together: the kept edits once more when they are not a batch already tried.
    for (let round = 0; round < 3 && kept.length > 0; round++) {
      const outcome = await trial(kept);
      if (outcome.ok && kept.every((e) => outcome.effective.has(e))) break;
      if (!outcome.ok) {
        kept = [];
        break;
      }
      kept = kept.filter((e) => outcome.effective.has(e));
    }
    proof.proven = kept;
    for (const edit of edits) {
      if (kept.includes(edit) || proof.rejected.some((r) => r.edit === edit)) continue;
      proof.rejected.push({ edit, reason: budget.refusedCount() > 0 ? 'the render budget for proofs ran out' : 'the re-render still shows the finding' });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return proof;
}

/**
 * A container the API server's validation refuses (and the scan's rules do not judge): allowPrivilegeEscalation
 * false with privileged true or CAP_SYS_ADMIN added. An edit adding one half to a chart with the other fails.
 */
function apiServerRefusal(objects: readonly ScannedObject[]): string | undefined {
  for (const object of objects) {
    const pod = podTemplateOf(object.raw);
    if (pod === undefined) continue;
    for (const list of CONTAINER_LISTS) {
      const containers = Array.isArray(pod.spec[list]) ? (pod.spec[list] as unknown[]) : [];
      for (const container of containers) {
        const sc = (container as { securityContext?: { allowPrivilegeEscalation?: unknown; privileged?: unknown; capabilities?: { add?: unknown } } } | null)?.securityContext;
        if (sc?.allowPrivilegeEscalation !== false) continue;
        const add = Array.isArray(sc.capabilities?.add) ? sc.capabilities.add : [];
        if (sc.privileged === true || add.some((c) => c === 'SYS_ADMIN' || c === 'CAP_SYS_ADMIN')) {
          return `${object.ref.kind}/${object.ref.name}: allowPrivilegeEscalation false with ${sc.privileged === true ? 'privileged true' : 'CAP_SYS_ADMIN added'}`;
        }
      }
    }
  }
  return undefined;
}

/** Why a values file may not be edited: a link, or outside the chart (or the repository). */
export function editableProblem(repoRoot: string, chart: string, file: string): string | undefined {
  const absolute = path.join(repoRoot, file);
  if (file.startsWith('..') || path.isAbsolute(file) || !isInside(repoRoot, absolute)) return `${file} is outside the repository`;
  if (!isInside(path.join(repoRoot, chart), absolute)) return `${file} is outside the chart ${chart}`;
  let at = absolute;
  // The file and every folder between it and the chart must be what they say (no link leads elsewhere).
  while (isInside(path.join(repoRoot, chart), at)) {
    try {
      if (lstatSync(at).isSymbolicLink()) return `${path.relative(repoRoot, at)} is a symbolic link`;
    } catch {
      return `${file} cannot be read`;
    }
    if (at === path.join(repoRoot, chart)) break;
    at = path.dirname(at);
  }
  try {
    if (!lstatSync(absolute).isFile()) return `${file} is not a regular file`;
  } catch {
    return `${file} cannot be read`;
  }
  return undefined;
}
