// Proving which values key decides a finding's field, by re-rendering.
//
// For every finding of a render, candidate values nodes are collected (leaves whose value equals the
// field, values maps that could feed the block a missing field belongs in). One confirmation render then
// replaces every candidate leaf with a unique sentinel (`qz00a`, see sentinelText, or a unique number for
// numbers) and adds a sentinel key to every candidate map: a candidate is confirmed when its sentinel
// shows up at the finding's field (or in the block a missing field belongs in). When that render fails
// (a values.schema.json type check, arithmetic on a value, `required`), the candidates the error names
// are dropped, else the set is bisected, within a hard cap of extra renders. Booleans a sentinel cannot
// prove (`{{ if .Values.x }}privileged: true{{ end }}`) get a flip render each while the cap allows:
// the key decides the field when flipping it changes the field and nothing else about the object's
// existence. Whatever cannot be proven is reported as such, never guessed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChartRender } from '../render/charts.ts';
import { objectsOfRender } from '../render/charts.ts';
import type { Config } from '../config/config.ts';
import type { Finding, ScannedObject } from '../model/model.ts';
import { get, join, tokens as pointerTokens } from '../model/pointer.ts';
import { isObj } from '../k8s/values.ts';
import { podTemplateOf } from '../k8s/workloads.ts';
import { renderChart } from '../render/helm.ts';
import {
  clone,
  displayKey,
  getAt,
  nodesOf,
  pathKey,
  pointerOf,
  scopeOfTemplate,
  type ChartScope,
  type EffectiveValues,
  type Token,
  type ValueNode,
} from '../render/effective-values.ts';

/**
 * Sentinels are `qz` and three base-36 digits (`qz00a`): distinctive, valid as a YAML key, a label value
 * or a DNS label, and short enough that helm's error messages keep them (render/helm.ts redacts longer
 * strings from values files outside the chart), so a failed render names the sentinel it choked on.
 */
const SENTINEL_PATTERN = /(?<![A-Za-z0-9])qz([0-9a-z]{3})(?![A-Za-z0-9])/gi;
export const MAX_SENTINELS = 36 ** 3 - 1;

/** The text standing in for candidate `id`. */
export function sentinelText(id: number): string {
  return `qz${id.toString(36).padStart(3, '0')}`;
}

/** A regex finding candidate `id`'s sentinel. */
export function sentinelPattern(id: number): RegExp {
  return new RegExp(`(?<![A-Za-z0-9])${sentinelText(id)}(?![A-Za-z0-9])`, 'i');
}
/** Numbers stay numbers (schemas, `int`); below 1e6 so helm never prints them in exponent form. */
const NUMERIC_BASE = 947_000;
const NUMERIC_LIMIT = 999;

export type CandidateKind = 'leaf' | 'mapKey' | 'list';

export interface Candidate {
  id: number;
  /** Path in the top-level values space. */
  path: Token[];
  kind: CandidateKind;
  /** For numeric leaves: the number standing in for it. */
  numeric?: number;
  /** For lists: the sentinel ids of the elements. */
  elements?: number[];
  /** Added for the values lint only (no finding needs it). */
  lint?: boolean;
  /** Why it could not be tried. */
  rejected?: string;
  /** The render it was tried in (index into the outcomes). */
  trial?: number;
  /** Set with --set: the override must be a --set pair too (they win over values files). */
  viaSet?: boolean;
}

export interface Target {
  finding: Finding;
  object: ScannedObject;
  pointer: string;
  present: boolean;
  value: unknown;
  scope: ChartScope | undefined;
  candidates: Candidate[];
  /** Candidates proven to decide the field, with the depth at which a map showed up (missing fields). */
  confirmed?: { candidate: Candidate; depth: number; how: 'sentinel' | 'flip'; text?: string }[];
  /** Flip candidates (booleans), tried after the sentinel render when renders remain. */
  flips: Candidate[];
  note?: string;
}

export interface Trial {
  objects: ScannedObject[];
  /** Sentinel id -> candidate. */
  candidates: Candidate[];
  /** The values it was rendered with (re-used to prove template lines under the same values). */
  overrides: Overrides;
}

export interface LocateStats {
  renders: number;
  ms: number;
  failures: string[];
}

interface Ctx {
  render: ChartRender;
  values: EffectiveValues;
  config: Config;
  tmp: string;
  budget: number;
  stats: LocateStats;
  nextId: number;
  numericUsed: number;
  candidates: Map<string, Candidate>;
  flipOnly: Map<string, Candidate>;
  trials: Trial[];
  counter: number;
  /** The template files confirmation renders need (their targets'), when the lint does not read them all. */
  only?: string[];
}

// ---------------------------------------------------------------------------------------------------------
// Pointers in objects

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** The container or pod spec a pointer lies in: missing fields belong to that block at most. */
export function anchorOf(object: ScannedObject, pointer: string): string {
  const tokens = pointerTokens(pointer);
  for (let i = tokens.length - 2; i >= 0; i--) {
    if (CONTAINER_LISTS.has(tokens[i]!) && /^\d+$/.test(tokens[i + 1] ?? '')) return join('', ...tokens.slice(0, i + 2));
  }
  const pod = podTemplateOf(object.raw);
  if (pod) {
    const spec = `${pod.base}/spec`;
    if (pointer.startsWith(spec + '/') || pointer === spec) return spec;
  }
  return '';
}

/** The deepest existing node on the way to a pointer. */
export function nearestExisting(raw: unknown, pointer: string): string {
  const tokens = pointerTokens(pointer);
  let node: unknown = raw;
  let at = '';
  for (const token of tokens) {
    let next: unknown;
    if (Array.isArray(node)) next = node[Number(token)];
    else if (isObj(node)) next = node[token];
    if (next === undefined) break;
    node = next;
    at = join(at, token);
  }
  return at;
}

/**
 * The same pointer in another render of the object: list items that have a `name` (containers, volumes,
 * env, ports) are followed by name, since a changed value can add an item before them.
 */
export function remapPointer(from: unknown, to: unknown, pointer: string): string | undefined {
  let a: unknown = from;
  let b: unknown = to;
  let out = '';
  for (const token of pointerTokens(pointer)) {
    if (Array.isArray(a) && Array.isArray(b)) {
      const item = a[Number(token)];
      let index = Number(token);
      if (isObj(item) && typeof item.name === 'string') {
        const found = b.findIndex((x) => isObj(x) && x.name === item.name);
        if (found === -1) return undefined;
        index = found;
      }
      out = join(out, index);
      a = item;
      b = b[index];
    } else {
      out = join(out, token);
      a = isObj(a) ? a[token] : undefined;
      b = isObj(b) ? b[token] : undefined;
    }
  }
  return out;
}

function identity(object: ScannedObject): string {
  const { ref } = object;
  return `${ref.apiVersion}\u0000${ref.kind}\u0000${ref.namespace ?? ''}\u0000${ref.name}`;
}

/** The object in another render: by identity, else by template and position among its kind. */
export function counterpart(object: ScannedObject, original: readonly ScannedObject[], objects: readonly ScannedObject[]): ScannedObject | undefined {
  const key = identity(object);
  const same = objects.filter((o) => identity(o) === key);
  if (same.length === 1) return same[0];
  if (same.length > 1) return undefined;
  const sameKind = (list: readonly ScannedObject[]) => list.filter((o) => o.source.template === object.source.template && o.ref.kind === object.ref.kind);
  const before = sameKind(original);
  const after = sameKind(objects);
  if (before.length !== after.length) return undefined;
  return after[before.indexOf(object)];
}

/** Sentinel ids (string and numeric) found anywhere in a value, keys included. */
export function sentinelsIn(value: unknown, numericIds: ReadonlyMap<number, number>, out = new Set<number>()): Set<number> {
  const scanText = (text: string) => {
    for (const m of text.matchAll(SENTINEL_PATTERN)) out.add(parseInt(m[1]!.toLowerCase(), 36));
    if (numericIds.size > 0) {
      for (const m of text.matchAll(/\b(9470\d\d|947[1-9]\d\d)\b/g)) {
        const id = numericIds.get(Number(m[1]));
        if (id !== undefined) out.add(id);
      }
    }
  };
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string') scanText(node);
    else if (typeof node === 'number') {
      const id = numericIds.get(node);
      if (id !== undefined) out.add(id);
    } else if (Array.isArray(node)) stack.push(...node);
    else if (isObj(node)) {
      for (const [k, v] of Object.entries(node)) {
        scanText(k);
        stack.push(v);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Candidates

function sameScalar(a: unknown, b: unknown): boolean {
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a === 'object' || typeof b === 'object') return false;
  return String(a) === String(b);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return sameScalar(a, b);
}

function lastName(p: readonly Token[]): string | undefined {
  for (let i = p.length - 1; i >= 0; i--) if (typeof p[i] === 'string') return p[i] as string;
  return undefined;
}

function similar(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y) return true;
  if (Math.min(x.length, y.length) < 5) return false;
  return x.includes(y) || y.includes(x);
}

/** The field name of a pointer (the last token that is not a list index). */
export function fieldName(pointer: string): string {
  const tokens = pointerTokens(pointer);
  for (let i = tokens.length - 1; i >= 0; i--) if (!/^\d+$/.test(tokens[i]!)) return tokens[i]!;
  return '';
}

/** Whether a values node is visible to templates of a scope, and its path as they name it. */
export function scopeRelative(p: readonly Token[], scope: ChartScope | undefined): Token[] | undefined {
  const s = scope?.path ?? [];
  if (s.length > 0 && p[0] === 'global') return [...p];
  if (p.length < s.length || s.some((t, i) => p[i] !== t)) return undefined;
  const rel = p.slice(s.length);
  // A subchart's copy of the globals is not where they are set.
  if (rel.length > 0 && rel[0] === 'global' && s.length > 0) return undefined;
  return [...rel];
}

function isSubchartGlobalCopy(p: readonly Token[], scopes: readonly ChartScope[]): boolean {
  return scopes.some((s) => s.path.length > 0 && p.length > s.path.length && s.path.every((t, i) => p[i] === t) && p[s.path.length] === 'global');
}

/** A boolean tried only by flipping it (not part of the sentinel render). */
function flipCandidate(ctx: Ctx, p: Token[]): Candidate {
  const key = `leaf:${pathKey(p)}`;
  const existing = ctx.candidates.get(key) ?? ctx.flipOnly.get(key);
  if (existing) return existing;
  const c: Candidate = { id: ctx.nextId++, path: p, kind: 'leaf' };
  if (ctx.values.originOf(p)?.layer.kind === 'set') c.viaSet = true;
  ctx.flipOnly.set(key, c);
  return c;
}

function candidate(ctx: Ctx, p: Token[], kind: CandidateKind, original: unknown): Candidate {
  const key = `${kind}:${pathKey(p)}`;
  const existing = ctx.candidates.get(key);
  if (existing) return existing;
  const c: Candidate = { id: ctx.nextId++, path: p, kind };
  if (ctx.nextId + (Array.isArray(original) ? original.length : 0) > MAX_SENTINELS) c.rejected = 'too many candidate values keys in this chart';
  if (kind === 'leaf' && typeof original === 'number' && ctx.numericUsed < NUMERIC_LIMIT) c.numeric = NUMERIC_BASE + ctx.numericUsed++;
  if (kind === 'list' && Array.isArray(original)) c.elements = original.map(() => ctx.nextId++);
  const origin = ctx.values.originOf(p);
  if (origin?.layer.kind === 'set') {
    c.viaSet = true;
    if (p.some((t) => typeof t === 'number') || kind !== 'leaf') c.rejected = 'set with --set inside a list';
  }
  ctx.candidates.set(key, c);
  return c;
}

export interface Nodes {
  scalars: ValueNode[];
  maps: ValueNode[];
  lists: ValueNode[];
}

export function valueNodes(values: EffectiveValues): Nodes {
  const out: Nodes = { scalars: [], maps: [], lists: [] };
  for (const node of nodesOf(values.value)) {
    if (isSubchartGlobalCopy(node.path, values.scopes)) continue;
    if (node.kind === 'scalar') out.scalars.push(node);
    else if (node.kind === 'map') out.maps.push(node);
    else out.lists.push(node);
  }
  return out;
}

function segmentOf(field: string, part: string): boolean {
  if (part.length < 3 || part.length >= field.length) return false;
  let from = 0;
  for (;;) {
    const at = field.indexOf(part, from);
    if (at === -1) return false;
    const before = at === 0 ? '' : field[at - 1]!;
    const after = at + part.length >= field.length ? '' : field[at + part.length]!;
    if ((before === '' || /[:/@=,\s"]/.test(before)) && (after === '' || /[:/@=,\s"]/.test(after))) return true;
    from = at + 1;
  }
}

const MAX_LOOSE = 16;
/** Flip renders per chart render at most (each proves one boolean). */
const MAX_FLIPS = 2;
const MAX_MAPS = 24;

/** Candidate values nodes for one finding. */
export function collectCandidates(ctx: Ctx, target: Target, nodes: Nodes, fieldRefs: Map<string, Set<string>>): void {
  const F = fieldName(target.pointer);
  const visible = (n: ValueNode) => scopeRelative(n.path, target.scope) !== undefined;
  const refs = fieldRefs.get(F) ?? new Set<string>();
  const referenced = (n: ValueNode) => {
    const rel = scopeRelative(n.path, target.scope);
    return rel !== undefined && refs.has(rel.map(String).join('.'));
  };
  const add = (c: Candidate) => {
    if (!target.candidates.includes(c)) target.candidates.push(c);
  };
  if (target.present) {
    const V = target.value;
    if (V !== null && typeof V === 'object') {
      // A block or list: values nodes with the same content.
      let count = 0;
      for (const n of [...nodes.maps, ...nodes.lists]) {
        if (count >= MAX_MAPS) break;
        if (!visible(n) || !deepEqual(n.value, V)) continue;
        if (Array.isArray(V) ? V.length === 0 : Object.keys(V).length === 0) {
          const name = lastName(n.path);
          if (name === undefined || !similar(name, F)) continue;
        }
        add(candidate(ctx, n.path, n.kind === 'map' ? 'mapKey' : 'list', n.value));
        count++;
      }
      return;
    }
    let loose = 0;
    for (const n of nodes.scalars) {
      if (!visible(n)) continue;
      const name = lastName(n.path);
      const equal = sameScalar(n.value, V);
      const named = name !== undefined && (name === F || similar(name, F));
      if (equal && (named || referenced(n))) {
        add(candidate(ctx, n.path, 'leaf', n.value));
        if (typeof n.value === 'boolean' && named) target.flips.push(ctx.candidates.get(`leaf:${pathKey(n.path)}`)!);
        continue;
      }
      if (typeof V === 'boolean' || typeof n.value === 'boolean') continue;
      if (loose >= MAX_LOOSE) continue;
      if (typeof V === 'number' && (V === 0 || V === 1)) continue;
      if (equal && String(V).length >= 2) {
        add(candidate(ctx, n.path, 'leaf', n.value));
        loose++;
      } else if (typeof V === 'string' && typeof n.value === 'string' && segmentOf(V, n.value)) {
        add(candidate(ctx, n.path, 'leaf', n.value));
        loose++;
      }
    }
    return;
  }
  // A missing field: values maps named like the blocks between the container (or pod) and the field.
  const anchor = anchorOf(target.object, target.pointer);
  const blockNames = pointerTokens(target.pointer.slice(anchor.length)).filter((t) => !/^\d+$/.test(t));
  // Best first: named exactly like a block, sharing a word with the template's path (values sections
  // usually follow templates/<component>/), shallow.
  const where = (target.object.source.template ?? '').toLowerCase();
  const scored: { n: ValueNode; score: number }[] = [];
  for (const n of nodes.maps) {
    if (!visible(n)) continue;
    const name = lastName(n.path);
    if (name === undefined || typeof n.path[n.path.length - 1] !== 'string') continue;
    const exact = blockNames.includes(name);
    if (!exact && !blockNames.some((b) => similar(name, b))) continue;
    const related = n.path.slice(0, -1).some((t) => typeof t === 'string' && t.length >= 3 && where.includes(t.toLowerCase()));
    scored.push({ n, score: (exact ? 0 : 200) + (related ? 0 : 100) + n.path.length });
  }
  scored.sort((a, b) => a.score - b.score);
  for (const { n } of scored.slice(0, MAX_MAPS)) add(candidate(ctx, n.path, 'mapKey', n.value));
  // A boolean that switches the field on (`{{ if .Values.readOnly }}readOnlyRootFilesystem: true{{ end }}`).
  const F2 = blockNames[blockNames.length - 1] ?? F;
  for (const n of nodes.scalars) {
    if (typeof n.value !== 'boolean' || !visible(n)) continue;
    const name = lastName(n.path);
    // Only a false that could switch the field on, named exactly as the field.
    if (name === F2 && n.value === false) target.flips.push(flipCandidate(ctx, n.path));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Renders


/** Puts a value at a path of the override; a list on the way is copied whole (helm replaces lists). */
function setOverride(override: Record<string, unknown>, effective: unknown, p: readonly Token[], value: unknown): void {
  let listAt = -1;
  for (let i = 0; i < p.length; i++) {
    if (Array.isArray(getAt(effective, p.slice(0, i)))) {
      listAt = i - 1;
      break;
    }
  }
  const direct = listAt === -1 ? p : p.slice(0, listAt + 1);
  let node: Record<string, unknown> = override;
  for (let i = 0; i < direct.length - 1; i++) {
    const token = String(direct[i]);
    if (!isObj(node[token])) node[token] = {};
    node = node[token] as Record<string, unknown>;
  }
  const last = String(direct[direct.length - 1]);
  if (listAt === -1) {
    node[last] = value;
    return;
  }
  if (!Array.isArray(node[last])) node[last] = clone(getAt(effective, direct));
  let inner: unknown = node[last];
  const rest = p.slice(listAt + 1);
  for (let i = 0; i < rest.length - 1; i++) inner = Array.isArray(inner) ? inner[rest[i] as number] : isObj(inner) ? inner[String(rest[i])] : undefined;
  const tail = rest[rest.length - 1]!;
  if (Array.isArray(inner) && typeof tail === 'number') inner[tail] = value;
  else if (isObj(inner)) inner[String(tail)] = value;
}

function setPair(p: readonly Token[], value: string | number | boolean): string {
  const key = p.map((t) => (typeof t === 'number' ? `[${t}]` : `.${String(t).replace(/([.,=\\[\]])/g, '\\$1')}`)).join('').replace(/^\./, '');
  return `${key}=${String(value).replace(/([,\\])/g, '\\$1')}`;
}

export interface Overrides {
  file: Record<string, unknown>;
  set: string[];
  /** The names along the values paths changed (a render of a template subset keeps the files reading them). */
  keys: string[];
}

function overridesFor(ctx: Ctx, candidates: readonly Candidate[], flip?: Candidate): Overrides {
  const out: Overrides = { file: {}, set: [], keys: [] };
  const effective = ctx.values.value;
  const put = (c: Candidate, p: readonly Token[], value: unknown) => {
    for (const t of c.path) if (typeof t === 'string' && !out.keys.includes(t)) out.keys.push(t);
    if (c.viaSet && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) out.set.push(setPair(p, value));
    else setOverride(out.file, effective, p, value);
  };
  if (flip) {
    put(flip, flip.path, !getAt(effective, flip.path));
    return out;
  }
  for (const c of candidates) {
    if (c.kind === 'leaf') put(c, c.path, c.numeric ?? sentinelText(c.id));
    else if (c.kind === 'mapKey') put(c, [...c.path, sentinelText(c.id)], {});
    else {
      const list = clone(getAt(effective, c.path)) as unknown[];
      const elements = c.elements ?? [];
      const replaced = list.map((item, i) => {
        const id = elements[i]!;
        return isObj(item) ? { ...item, [sentinelText(id)]: sentinelText(id) } : sentinelText(id);
      });
      put(c, c.path, replaced);
    }
  }
  return out;
}

async function renderWith(ctx: Ctx, overrides: Overrides): Promise<{ ok: true; objects: ScannedObject[] } | { ok: false; message: string }> {
  const file = path.join(ctx.tmp, `override-${ctx.counter++}.yaml`);
  writeFileSync(file, JSON.stringify(overrides.file));
  const { request, dir, chart, valueSet, repoRoot } = ctx.render;
  const started = performance.now();
  const outcome = await renderChart({ ...request, purpose: 'provenance', valuesFiles: [...request.valuesFiles, file], set: [...request.set, ...overrides.set], ...(ctx.only !== undefined ? { onlyTemplates: ctx.only, changedValueKeys: overrides.keys } : {}) });
  ctx.stats.ms += performance.now() - started;
  ctx.stats.renders++;
  if (!outcome.ok) return { ok: false, message: outcome.message };
  return { ok: true, objects: objectsOfRender(outcome.stdout, dir, chart, valueSet.name, ctx.config, repoRoot, undefined, { transient: true }) };
}

/** Whether a render error names a candidate (schema errors name the key, dotted or as a pointer). */
function named(message: string, c: Candidate, scopes: readonly ChartScope[]): boolean {
  // The chart quoted a sentinel back (a validation in a template or NOTES.txt).
  const ids = [c.id, ...(c.elements ?? [])];
  if (ids.some((id) => sentinelPattern(id).test(message))) return true;
  if (c.numeric !== undefined && new RegExp(`\\b${c.numeric}\\b`).test(message)) return true;
  const forms = new Set<string>();
  const add = (p: readonly Token[]) => {
    if (p.length === 0) return;
    forms.add(displayKey(p));
    forms.add(p.map(String).join('.'));
    forms.add(pointerOf(p));
  };
  add(c.path);
  for (const s of scopes) if (s.path.length > 0 && s.path.every((t, i) => c.path[i] === t)) add(c.path.slice(s.path.length));
  for (const form of forms) {
    const at = message.indexOf(form);
    if (at === -1) continue;
    const after = message[at + form.length] ?? '';
    if (!/[A-Za-z0-9_]/.test(after)) return true;
  }
  return false;
}

/** One confirmation render for a set of candidates; on failure, drops what the error names or bisects. */
async function trySentinels(ctx: Ctx, candidates: Candidate[]): Promise<void> {
  const live = candidates.filter((c) => c.rejected === undefined);
  if (live.length === 0) return;
  if (ctx.budget <= 0) {
    for (const c of live) c.rejected = 'the cap on extra renders was reached';
    return;
  }
  ctx.budget--;
  const overrides = overridesFor(ctx, live);
  const result = await renderWith(ctx, overrides);
  if (result.ok) {
    const index = ctx.trials.push({ objects: result.objects, candidates: live, overrides }) - 1;
    for (const c of live) c.trial = index;
    return;
  }
  ctx.stats.failures.push(result.message.split('\n').slice(0, 3).join(' '));
  const blamed = live.filter((c) => named(result.message, c, ctx.values.scopes));
  if (blamed.length > 0 && blamed.length < live.length) {
    for (const c of blamed) c.rejected = `the chart rejects a changed value there (${firstLine(result.message)})`;
    return trySentinels(ctx, live.filter((c) => !blamed.includes(c)));
  }
  const lint = live.filter((c) => c.lint);
  if (lint.length > 0 && lint.length < live.length) {
    for (const c of lint) c.rejected = 'dropped after a failed confirmation render';
    return trySentinels(ctx, live.filter((c) => !c.lint));
  }
  if (live.length === 1) {
    live[0]!.rejected = `the chart does not render with this value changed (${firstLine(result.message)})`;
    return;
  }
  const half = Math.ceil(live.length / 2);
  await trySentinels(ctx, live.slice(0, half));
  await trySentinels(ctx, live.slice(half));
}

function firstLine(message: string): string {
  const line = message.split('\n').find((l) => l.trim() !== '') ?? message;
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

// ---------------------------------------------------------------------------------------------------------
// Interpretation

function numericIdsOf(trial: Trial): Map<number, number> {
  const out = new Map<number, number>();
  for (const c of trial.candidates) if (c.numeric !== undefined) out.set(c.numeric, c.id);
  return out;
}

function confirmIn(target: Target, trial: Trial, index: number, originals: readonly ScannedObject[]): { candidate: Candidate; depth: number; text?: string }[] {
  const mine = target.candidates.filter((c) => c.trial === index);
  if (mine.length === 0) return [];
  const other = counterpart(target.object, originals, trial.objects);
  if (other === undefined) return [];
  const numeric = numericIdsOf(trial);
  const out: { candidate: Candidate; depth: number; text?: string }[] = [];
  if (target.present) {
    const at = remapPointer(target.object.raw, other.raw, target.pointer);
    if (at === undefined) return [];
    const value = get(other.raw, at);
    const seen = sentinelsIn(value, numeric);
    for (const c of mine) {
      if (c.kind === 'leaf' && seen.has(c.id)) out.push({ candidate: c, depth: 0, ...(typeof value === 'string' ? { text: value } : {}) });
      else if (c.kind === 'mapKey' && isObj(value) && sentinelText(c.id) in value) out.push({ candidate: c, depth: 0 });
      else if (c.kind === 'list' && (c.elements ?? []).length > 0 && (c.elements ?? []).every((id) => seen.has(id))) out.push({ candidate: c, depth: 0 });
    }
    return out;
  }
  // Missing: the map's sentinel key in a block on the way from the container (or pod) to the field.
  const anchor = anchorOf(target.object, target.pointer);
  const tokens = pointerTokens(target.pointer);
  const anchorDepth = pointerTokens(anchor).length;
  for (const c of mine) {
    if (c.kind !== 'mapKey') continue;
    const key = sentinelText(c.id);
    for (let depth = tokens.length; depth > anchorDepth; depth--) {
      const block = join('', ...tokens.slice(0, depth));
      const at = remapPointer(target.object.raw, other.raw, block);
      if (at === undefined) continue;
      const node = get(other.raw, at);
      if (isObj(node) && key in node) {
        out.push({ candidate: c, depth });
        break;
      }
    }
  }
  return out;
}

async function tryFlips(ctx: Ctx, targets: Target[], originals: readonly ScannedObject[]): Promise<void> {
  const pending = targets.filter((t) => (t.confirmed ?? []).length === 0 && t.flips.length > 0);
  // The candidates most findings wait for first.
  const wanted = new Map<Candidate, Target[]>();
  for (const t of pending) for (const c of t.flips) wanted.set(c, [...(wanted.get(c) ?? []), t]);
  const order = [...wanted.entries()].sort((a, b) => b[1].length - a[1].length).slice(0, MAX_FLIPS);
  for (const [c, waiting] of order) {
    if (waiting.every((t) => (t.confirmed ?? []).length > 0)) continue;
    if (ctx.budget <= 0) break;
    if (c.viaSet && c.path.some((t) => typeof t === 'number')) continue;
    ctx.budget--;
    const result = await renderWith(ctx, overridesFor(ctx, [], c));
    if (!result.ok) continue;
    for (const t of waiting) {
      if ((t.confirmed ?? []).length > 0) continue;
      const other = counterpart(t.object, originals, result.objects);
      if (other === undefined) continue; // the object vanished: that proves nothing about the field
      const at = remapPointer(t.object.raw, other.raw, t.pointer) ?? t.pointer;
      const now = get(other.raw, at);
      const changed = t.present ? !deepEqual(now, t.value) : now !== undefined;
      if (changed) t.confirmed = [{ candidate: c, depth: 0, how: 'flip' }];
    }
  }
}

// ---------------------------------------------------------------------------------------------------------

export interface LocateInput {
  render: ChartRender;
  values: EffectiveValues;
  config: Config;
  targets: Target[];
  fieldRefs: Map<string, Set<string>>;
  /** Values paths the lint wants to know about (whether any render shows them). */
  lintPaths: Token[][];
  maxRenders: number;
}

export interface LocateOutput {
  stats: LocateStats;
  /** The values of each successful confirmation render (Candidate.trial indexes it). */
  trials: Overrides[];
  /** Lint paths whose sentinel showed up somewhere in a confirmation render. */
  shown: Set<string>;
  /** Lint paths that were tried (a render with their sentinel succeeded). */
  tried: Set<string>;
}

export async function locate(input: LocateInput): Promise<LocateOutput> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'preadmit-provenance-'));
  const ctx: Ctx = {
    render: input.render,
    values: input.values,
    config: input.config,
    tmp,
    budget: input.maxRenders,
    stats: { renders: 0, ms: 0, failures: [] },
    nextId: 1,
    numericUsed: 0,
    candidates: new Map(),
    flipOnly: new Map(),
    trials: [],
    counter: 0,
  };
  const shown = new Set<string>();
  const tried = new Set<string>();
  try {
    const nodes = valueNodes(input.values);
    for (const target of input.targets) collectCandidates(ctx, target, nodes, input.fieldRefs);
    // A list candidate replaces its elements: a lint leaf inside it is watched through its element's
    // sentinel, and other candidates inside it go to a render of their own.
    const lists = [...ctx.candidates.values()].filter((c) => c.kind === 'list');
    const listOf = (p: readonly Token[]) => lists.find((l) => l.path.length < p.length && l.path.every((t, i) => p[i] === t));
    const lint: { path: Token[]; candidate: Candidate; id: number }[] = [];
    for (const p of input.lintPaths) {
      const key = `leaf:${pathKey(p)}`;
      const existing = ctx.candidates.get(key);
      const list = listOf(p);
      if (existing) lint.push({ path: p, candidate: existing, id: existing.id });
      else if (list && typeof p[list.path.length] === 'number' && p.length === list.path.length + 1) {
        lint.push({ path: p, candidate: list, id: list.elements![p[list.path.length] as number]! });
      } else {
        const c = candidate(ctx, p, 'leaf', getAt(input.values.value, p));
        c.lint = true;
        lint.push({ path: p, candidate: c, id: c.id });
      }
    }
    const all = [...ctx.candidates.values()];
    const inner = all.filter((c) => listOf(c.path) !== undefined);
    const outer = all.filter((c) => !inner.includes(c));
    // The lint reads every object of its render (is a sentinel shown anywhere): only renders without it
    // need no more than the targets' templates.
    const only = templateFilesOf(input.render, input.targets.map((t) => t.object));
    if (lint.length === 0) ctx.only = only;
    if (all.some((c) => c.rejected === undefined && !c.lint) || lint.length > 0) {
      await trySentinels(ctx, outer);
      await trySentinels(ctx, inner);
    }
    ctx.trials.forEach((trial, index) => {
      for (const target of input.targets) {
        const found = confirmIn(target, trial, index, input.render.objects);
        if (found.length > 0) target.confirmed = [...(target.confirmed ?? []), ...found.map((f) => ({ ...f, how: 'sentinel' as const }))];
      }
    });
    // Lint: whether a leaf's sentinel shows anywhere in its render.
    for (const { path: p, candidate: c, id } of lint) {
      if (c.trial === undefined) continue;
      tried.add(pathKey(p));
      const trial = ctx.trials[c.trial]!;
      const numeric = numericIdsOf(trial);
      if (trial.objects.some((o) => sentinelsIn(o.raw, numeric).has(id))) shown.add(pathKey(p));
    }
    ctx.only = only;
    await tryFlips(ctx, input.targets, input.render.objects);
    for (const target of input.targets) {
      if ((target.confirmed ?? []).length > 0) continue;
      const rejected = target.candidates.filter((c) => c.rejected !== undefined);
      const tried = target.candidates.length - rejected.length;
      if (target.candidates.length === 0 && target.flips.length === 0) target.note = 'no values key holds this value';
      else {
        const parts: string[] = [];
        if (tried > 0 || target.flips.length > 0) parts.push(`none of ${tried + target.flips.length} candidate values keys changed the field when re-rendered`);
        if (rejected.length > 0) parts.push(`${rejected.length} could not be tried: ${rejected[0]!.rejected}`);
        target.note = parts.join('; ');
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { stats: ctx.stats, shown, tried, trials: ctx.trials.map((t) => t.overrides) };
}

/**
 * The chart-relative template files of objects (helm.ts renders only these, and what they need, when
 * asked), or undefined when one is not a file of the chart's own folder (an archive's, a template that
 * names another path in its `# Source:` line).
 */
export function templateFilesOf(render: ChartRender, objects: readonly ScannedObject[]): string[] | undefined {
  const out = new Set<string>();
  for (const object of objects) {
    const rel = path.relative(render.dir, path.resolve(render.repoRoot, object.source.file));
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    out.add(rel.split(path.sep).join('/'));
  }
  return out.size === 0 ? undefined : [...out].sort();
}

export function newTarget(finding: Finding, object: ScannedObject, values: EffectiveValues): Target {
  const pointer = finding.path;
  const value = get(object.raw, pointer);
  return {
    finding,
    object,
    pointer,
    present: value !== undefined,
    value,
    scope: object.source.template ? scopeOfTemplate(values, object.source.template) : undefined,
    candidates: [],
    flips: [],
  };
}
