// Provenance of findings in rendered charts: the values.yaml line (or value set file line) whose key
// decides the offending field, and the template line that emits it. Keys are proven by re-rendering
// (locate.ts); template lines by unambiguous references or the template's literal structure
// (template-lines.ts). Anything not proven is said so (source.unproven) and the finding stays at its
// object, never at a wrong line.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mapLimit, type ChartRender } from '../render/charts.ts';
import { releaseSubsets } from '../render/helm.ts';
import type { Config } from '../config/config.ts';
import { relativeTo } from '../model/paths.ts';
import type { Finding, ProvenanceSummary, ScannedObject, SourceInfo } from '../model/model.ts';
import { get, tokens as pointerTokens } from '../model/pointer.ts';
import { DANGEROUS_RULE_ID, dangerousLeaves } from './lint.ts';
import { fieldName, locate, nearestExisting, newTarget, scopeRelative, sentinelPattern, type Target } from './locate.ts';
import { prefixPointer, proveLines, type LineClaim } from './line-proof.ts';
import { emittingLines, keyOf, literalValueAt, structuralLine, TemplateSources, type EmittingLine } from '../render/template-lines.ts';
import { compareValueSets, DEFAULT_VALUE_SET } from '../render/value-sets.ts';
import { releaseValuesOfRender, valuesOfRender } from './chart-context.ts';
import { locationOf, pathKey, type EffectiveValues } from '../render/effective-values.ts';

export { lintValues } from './lint.ts';

/** What provenance learnt per chart render, for the values lint. */
export interface RenderKnowledge {
  values: EffectiveValues;
  /** Lint paths (pathKey) whose sentinel a confirmation render showed somewhere. */
  shown: Set<string>;
  /** Lint paths a confirmation render tried. */
  tried: Set<string>;
}

export interface ProvenanceReport {
  /** Extra helm renders, all charts together. */
  renders: number;
  /** Time spent locating (extra renders included), summed over renders. */
  ms: number;
  /** Knowledge per render of a chart's defaults, by chart (repository-relative). */
  defaults: Map<string, RenderKnowledge>;
}

function objectKey(source: SourceInfo, ref: { apiVersion: string; kind: string; namespace?: string; name: string }): string {
  return [source.template ?? '', source.document ?? -1, ref.apiVersion, ref.kind, ref.namespace ?? '', ref.name].join('\u0000');
}

const IMAGE_SLOT: Record<string, 'tag' | 'digest' | 'registry'> = {
  'image-tag': 'tag',
  'image-digest': 'digest',
  'image-registry': 'registry',
};

/** The part of an image reference a rule is about (registry, tag or digest), as rendered. */
function imageSlot(image: string, slot: 'tag' | 'digest' | 'registry'): string | undefined {
  const at = image.indexOf('@');
  const digest = at === -1 ? undefined : image.slice(at + 1);
  const name = at === -1 ? image : image.slice(0, at);
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const tag = colon > slash ? name.slice(colon + 1) : undefined;
  const repository = colon > slash ? name.slice(0, colon) : name;
  if (slot === 'tag') return tag;
  if (slot === 'digest') return digest ?? tag;
  const first = repository.split('/')[0]!;
  return repository.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : repository;
}

interface Decision {
  path?: (string | number)[];
  how?: 'sentinel' | 'flip';
  /** The confirmation render that proved it. */
  trial?: number;
  /** The block a map was found to feed (missing fields): pointer depth. */
  depth?: number;
  reason?: string;
}

function trialOf(candidate: { trial?: number }): { trial?: number } {
  return candidate.trial === undefined ? {} : { trial: candidate.trial };
}

function decide(target: Target): Decision {
  const confirmed = target.confirmed ?? [];
  if (confirmed.length === 0) return { reason: target.note ?? 'no values key could be proven' };
  const flip = confirmed.find((c) => c.how === 'flip');
  if (flip) return { path: flip.candidate.path, how: 'flip' };
  const unique = [...new Map(confirmed.map((c) => [c.candidate.id, c])).values()];
  if (target.present) {
    const slot = IMAGE_SLOT[target.finding.ruleId];
    if (slot && fieldName(target.pointer) === 'image') {
      // An image rule is about one part of the reference: only the key feeding that part decides it.
      const inSlot = unique.filter((c) => {
        const part = c.text === undefined ? undefined : imageSlot(c.text, slot);
        if (part === undefined) return false;
        const own = sentinelPattern(c.candidate.id);
        return own.test(part) || (c.candidate.numeric !== undefined && part.includes(String(c.candidate.numeric)));
      });
      if (inSlot.length === 1) return { path: inSlot[0]!.candidate.path, how: 'sentinel', ...trialOf(inSlot[0]!.candidate) };
      return { reason: inSlot.length === 0 ? `no values key feeds the image's ${slot}` : `${inSlot.length} values keys feed the image's ${slot}` };
    }
    if (unique.length === 1) return { path: unique[0]!.candidate.path, how: 'sentinel', ...trialOf(unique[0]!.candidate) };
    return { reason: `${unique.length} values keys feed this field together` };
  }
  const deepest = Math.max(...unique.map((c) => c.depth));
  const atDeepest = unique.filter((c) => c.depth === deepest);
  if (atDeepest.length === 1) return { path: atDeepest[0]!.candidate.path, how: 'sentinel', depth: deepest, ...trialOf(atDeepest[0]!.candidate) };
  return { reason: `${atDeepest.length} values maps feed the block this field belongs in` };
}

/** The line of a `--set` pair in the configuration file, when it is written there. */
function setPairLine(config: Config, pair: string): { file: string; line: number } | undefined {
  if (!config.file) return undefined;
  let text: string;
  try {
    text = readFileSync(config.file, 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split(/\r?\n/);
  const index = lines.findIndex((l) => l.includes(pair));
  return index === -1 ? undefined : { file: config.file, line: index + 1 };
}

/** What is known about one finding before its template line is proven. */
interface Plan {
  target: Target;
  notes: string[];
  /** Template lines that may emit the field, best first, to be proven by re-rendering. */
  claims: LineClaim[];
}

/** A claim for a line reached by walking the template's structure to `at`. */
function structuralClaim(target: Target, line: { file: string; line: number }, at: string, sources: TemplateSources): LineClaim {
  const text = sources.read(line.file)?.lines[line.line - 1] ?? '';
  const key = keyOf(text);
  const tokens = pointerTokens(at);
  const endsAtKey = key !== undefined && tokens[tokens.length - 1] === key.key;
  // A key line with something after the key (`hostPID: true`, `- image: x`, `resources: {{ toYaml .r }}`,
  // `securityContext: {}`) changes by value; a key opening a block, or a list item, gets a marker added.
  const byValue = key !== undefined && endsAtKey && key.value !== '' && !/^[|>]/.test(key.value);
  return {
    file: line.file,
    line: line.line,
    mutation: byValue ? { kind: 'value' } : { kind: 'child' },
    object: target.object,
    pointer: at,
    expect: byValue && key.value.trim() !== '{}' ? 'contains' : 'key',
  };
}

/** An empty block renders `{}` or nothing: a marker line next to it would not be YAML. */
function isEmptyBlock(value: unknown): boolean {
  return value === undefined || value === null || (Array.isArray(value) ? value.length === 0 : typeof value === 'object' && Object.keys(value).length === 0);
}

/** The claim that an emitting line found through a values reference emits the finding's field. */
function referenceClaim(target: Target, found: EmittingLine, relative: (string | number)[], decision: Decision, values: EffectiveValues, sources: TemplateSources): LineClaim | undefined {
  const reported = keyOf(sources.read(found.file)?.lines[found.line - 1] ?? '');
  const keyed = reported ? pointerForKey(target.pointer, reported.key) : undefined;
  // The line writes a key of the field's path: proven by changing that line itself.
  if (keyed !== undefined) return structuralClaim(target, found, keyed, sources);
  // A line that is only a template action (toYaml, include): proven by replacing its reference, and
  // reported at the emitting line (the key line after a `with`).
  const length = found.ref.length;
  const path = relative.slice(0, length);
  const extra = relative.length - length;
  const depth = target.present ? pointerTokens(target.pointer).length : (decision.depth ?? 0);
  const report = { file: found.file, line: found.line };
  if (decision.how === 'flip') {
    if (extra !== 0) return undefined;
    const flipped = getAtValue(values, decision.path!) ? 'false' : 'true';
    return { file: found.file, line: found.ref.line, report, mutation: { kind: 'reference', path, with: flipped }, object: target.object, pointer: target.pointer, expect: 'changed', original: get(target.object.raw, target.pointer) };
  }
  const leaf = target.present && extra === 0 && (target.value === null || typeof target.value !== 'object') && target.candidates.some((c) => c.kind === 'leaf' && c.path === decision.path);
  if (leaf) return { file: found.file, line: found.ref.line, report, mutation: { kind: 'reference', path, with: 'string' }, object: target.object, pointer: target.pointer, expect: 'contains' };
  return { file: found.file, line: found.ref.line, report, mutation: { kind: 'reference', path, with: 'map' }, object: target.object, pointer: prefixPointer(target.pointer, depth - extra), expect: 'key' };
}

/** At most this many candidate lines per finding are put to the proof. */
const MAX_CLAIMS = 6;

function planTarget(target: Target, render: ChartRender, values: EffectiveValues, sources: TemplateSources, config: Config): Plan {
  const { finding } = target;
  const source = finding.source;
  const templateAbs = path.resolve(render.repoRoot, source.file);
  const decision = decide(target);
  const plan: Plan = { target, notes: [], claims: [] };
  if (decision.path) {
    const where = locationOf(values, decision.path);
    if (where?.kind === 'set') {
      const inConfig = setPairLine(config, where.file);
      if (inConfig) source.values = { file: relativeTo(render.repoRoot, inConfig.file), line: inConfig.line, key: where.key };
      else plan.notes.push(`decided by --set ${where.file}`);
    } else if (where) {
      source.values = { file: relativeTo(render.repoRoot, where.file), ...(where.line !== undefined ? { line: where.line } : {}), key: where.key };
    }
    const relative = scopeRelative(decision.path, target.scope);
    const found = relative ? emittingLines(sources, templateAbs, relative, target.pointer) : undefined;
    if (relative && found && !('reason' in found)) {
      for (const line of found.slice(0, MAX_CLAIMS)) {
        const claim = referenceClaim(target, line, relative, decision, values, sources);
        if (claim) plan.claims.push(claim);
      }
    } else if (found && 'reason' in found) plan.notes.push(found.reason);
    // The field's own key line (present), or the block a values map is spread into (missing), when the
    // template writes it out.
    const at = target.present ? target.pointer : prefixPointer(target.pointer, decision.depth ?? 0);
    const structural = at === '' ? undefined : structuralLine(sources, templateAbs, at, target.object.raw);
    if (structural && 'line' in structural) {
      if (!plan.claims.some((c) => c.file === structural.file && (c.report?.line ?? c.line) === structural.line)) plan.claims.push(structuralClaim(target, structural, at, sources));
    } else if (plan.claims.length === 0 && structural) plan.notes.push(structural.reason);
    // Lines are proven under the chart's own values, except where the block they emit only renders
    // with the values that proved the key (`with` on an empty map): there, under those values.
    if (decision.how === 'sentinel' && decision.trial !== undefined) {
      for (const claim of plan.claims) if (isEmptyBlock(get(target.object.raw, claim.pointer)) && claim.mutation.kind !== 'value') claim.trial = decision.trial;
    }
  } else {
    plan.notes.push(decision.reason ?? 'no values key could be proven');
    const at = target.present ? target.pointer : nearestExisting(target.object.raw, target.pointer);
    const found = structuralLine(sources, templateAbs, at, target.object.raw);
    if ('line' in found) {
      // A literal value on the line must be the rendered one, or the walk went astray.
      const literal = literalValueAt(sources, templateAbs, found.line);
      const rendered = get(target.object.raw, at);
      if (literal !== undefined && (rendered === null || typeof rendered !== 'object') && literal !== String(rendered)) {
        plan.notes.push('the template line found does not hold the rendered value');
      } else plan.claims.push(structuralClaim(target, found, at, sources));
    } else plan.notes.push(found.reason);
  }
  return plan;
}

/** The pointer along `pointer` ending at the deepest token named `key`. */
function pointerForKey(pointer: string, key: string): string | undefined {
  const tokens = pointerTokens(pointer);
  for (let i = tokens.length - 1; i >= 0; i--) if (tokens[i] === key) return prefixPointer(pointer, i + 1);
  return undefined;
}

function getAtValue(values: EffectiveValues, p: readonly (string | number)[]): unknown {
  let node: unknown = values.value;
  for (const t of p) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[t as string] : undefined;
  return node;
}

/** Writes what was proven into the finding's source: the first claimed line the re-render confirmed. */
function finishPlan(plan: Plan, render: ChartRender): void {
  const source = plan.target.finding.source;
  const templateAbs = path.resolve(render.repoRoot, source.file);
  const proven = plan.claims.find((c) => c.proven);
  if (proven) {
    const at = proven.report ?? { file: proven.file, line: proven.line };
    source.templateLocation = { file: relativeTo(render.repoRoot, at.file), line: at.line };
    // source.file is the template helm names in `# Source:`; its line only when the emitting line is there.
    if (at.file === templateAbs) source.line = at.line;
  } else if (plan.claims.length > 0) {
    const tried = plan.claims.map((c) => `${relativeTo(render.repoRoot, c.file).split('/').pop()}:${c.line}`).join(', ');
    plan.notes.push(`template line${plan.claims.length > 1 ? 's' : ''} ${tried} not confirmed by re-rendering (${plan.claims[0]!.failure ?? 'not tried'})`);
  }
  source.located = source.values ? 'values' : source.templateLocation ? 'template' : 'object';
  if (plan.notes.length > 0) source.unproven = plan.notes.join('; ');
}

export interface ProvenanceOptions {
  /** Renders handled at once (default: the number of CPUs). */
  concurrency?: number;
}

/**
 * Locates the findings of rendered charts at values and template lines, in place (source.values,
 * source.templateLocation, source.line, source.located, source.unproven). Call it after evaluation and
 * before mergeValueSets: findings a chart's defaults show are located in the default render; a value
 * set's render only locates the findings only it shows. Costs one extra render per chart and value set
 * that has such findings (more when a render fails or booleans need flipping), at most
 * config.provenance.maxRenders each; records the cost on each render's ChartRecord.
 */
export async function attachProvenance(findings: readonly Finding[], renders: readonly ChartRender[], config: Config, options: ProvenanceOptions = {}): Promise<ProvenanceReport> {
  const report: ProvenanceReport = { renders: 0, ms: 0, defaults: new Map() };
  if (!config.provenance.enabled) return report;
  // A finding several value sets show is reported as the first of them shows it (mergeValueSets: the
  // defaults, else the first set by name): only that one is located, the others no report shows.
  const speaker = new Map<string, string>();
  for (const f of findings) {
    if (f.source.kind !== 'helm') continue;
    const key = `${f.source.chart}\u0000${f.fingerprint}`;
    const set = f.source.valueSet ?? DEFAULT_VALUE_SET;
    const known = speaker.get(key);
    if (known === undefined || compareValueSets(set, known) < 0) speaker.set(key, set);
  }
  const byRender = new Map<string, Finding[]>();
  for (const f of findings) {
    // Findings their rule located itself (from the chart's sources) need no re-render.
    if (f.source.kind !== 'helm' || f.ruleId === DANGEROUS_RULE_ID || f.source.located !== undefined) continue;
    const set = f.source.valueSet ?? DEFAULT_VALUE_SET;
    if (speaker.get(`${f.source.chart}\u0000${f.fingerprint}`) !== set) continue;
    const key = `${f.source.chart}\u0000${set}`;
    byRender.set(key, [...(byRender.get(key) ?? []), f]);
  }
  const lintOn = config.rules[DANGEROUS_RULE_ID]?.enabled !== false;
  const sources = new Map<string, TemplateSources>();
  const sourcesOf = (dir: string) => {
    let s = sources.get(dir);
    if (!s) sources.set(dir, (s = new TemplateSources(dir)));
    return s;
  };
  const concurrency = options.concurrency ?? Math.max(1, os.availableParallelism());
  // A chart's template sources are let go once its last render is located (memory, issue 18: the peak of
  // the corpus's default run was while locating, with every chart's sources held).
  const pending = new Map<string, number>();
  for (const render of renders) pending.set(render.dir, (pending.get(render.dir) ?? 0) + 1);
  const done = (render: ChartRender) => {
    const left = (pending.get(render.dir) ?? 1) - 1;
    pending.set(render.dir, left);
    if (left === 0) {
      sources.delete(render.dir);
      releaseSubsets(render.request);
    }
  };
  await mapLimit([...renders], concurrency, async (render) => {
    try {
      await locateRender(render);
    } finally {
      done(render);
      // Only the defaults' values are read again (the values lint, through report.defaults).
      if (render.valueSet.name !== DEFAULT_VALUE_SET) releaseValuesOfRender(render);
    }
  });
  return report;

  async function locateRender(render: ChartRender): Promise<void> {
    const isDefault = render.valueSet.name === DEFAULT_VALUE_SET;
    const mine = byRender.get(`${render.chart}\u0000${render.valueSet.name}`) ?? [];
    if (mine.length === 0 && !(isDefault && lintOn)) return;
    const started = performance.now();
    const values = valuesOfRender(render);
    const index = new Map<string, ScannedObject>();
    for (const object of render.objects) index.set(objectKey(object.source, object.ref), object);
    const templateSources = sourcesOf(render.dir);
    const targets: Target[] = [];
    for (const finding of mine) {
      const object = index.get(objectKey(finding.source, finding.object));
      if (object === undefined) {
        finding.source.located = 'object';
        finding.source.unproven = 'the rendered object was not found again';
        continue;
      }
      if (finding.path === '') {
        finding.source.located = 'object';
        finding.source.unproven = 'the finding is about the whole object';
        continue;
      }
      targets.push(newTarget(finding, object, values));
    }
    const lintPaths = isDefault && lintOn ? dangerousLeaves(values).map((d) => d.path) : [];
    // One render of the cap is kept for proving template lines.
    const max = config.provenance.maxRenders;
    const result = await locate({
      render,
      values,
      config,
      targets,
      fieldRefs: templateSources.fieldReferences(),
      lintPaths,
      maxRenders: Math.max(1, max - 1),
    });
    const plans = targets.map((target) => planTarget(target, render, values, templateSources, config));
    const proof = { renders: 0, ms: 0 };
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'preadmit-lines-'));
    try {
      await proveLines(render, config, plans.flatMap((p) => p.claims), max - result.stats.renders, tmp, proof, result.trials);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    for (const plan of plans) finishPlan(plan, render);
    const ms = performance.now() - started;
    const renders = result.stats.renders + proof.renders;
    render.record.provenance = { renders, ms: Math.round(ms) };
    report.renders += renders;
    report.ms += ms;
    if (isDefault) report.defaults.set(render.chart, { values, shown: result.shown, tried: result.tried });
  }
}

/** Counts for the summary: chart findings by how far they were located, and the cost. */
export function provenanceSummary(findings: readonly Finding[], report: ProvenanceReport): ProvenanceSummary {
  const out: ProvenanceSummary = { values: 0, template: 0, object: 0, renders: report.renders, ms: Math.round(report.ms) };
  for (const f of findings) if (f.source.located) out[f.source.located]++;
  return out;
}
