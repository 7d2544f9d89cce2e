// Proving template lines by re-rendering. A template line found by reading the chart's source (a
// reference to the proven values key, or a step of the template's literal structure) is only reported
// when changing that one line changes the finding's field: the chart is copied to a temporary
// directory, every claimed line is changed at once (its `.Values` reference replaced by a marker, its
// value replaced by a marker, or a marker key added under it), the copy is rendered with the same values,
// and a claim holds when its own marker shows up where the finding is. A failed render is bisected
// within the cap on extra renders; whatever is not confirmed is not reported.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { objectsOfRender, type ChartRender } from '../render/charts.ts';
import type { Config } from '../config/config.ts';
import type { ScannedObject } from '../model/model.ts';
import { get, join, tokens as pointerTokens } from '../model/pointer.ts';
import { isObj } from '../k8s/values.ts';
import { renderChart } from '../render/helm.ts';
import { counterpart, remapPointer, templateFilesOf, type Overrides } from './locate.ts';
import { escapeRegex, indentOf, isContent, keyOf } from '../render/template-lines.ts';
import type { ValuePath } from '../render/effective-values.ts';

const LINE_MARKER = 'preadmit-line-';

/** Edit `id`'s marker; the closing letter keeps marker 1 from being a part of marker 10 (observe reads texts by inclusion). */
export function lineMarker(id: number): string {
  return `${LINE_MARKER}${id}z`;
}

export type Mutation =
  /** Replace the line's `.Values.<path>` reference: by a string (a leaf), a one-key map (a block), or a boolean (a flip). */
  | { kind: 'reference'; path: ValuePath; with: 'string' | 'map' | 'true' | 'false' }
  /** Replace the value written after the line's key. */
  | { kind: 'value' }
  /** Add a marker key (or list item) under the line's key or list item. */
  | { kind: 'child' };

export interface LineClaim {
  /** Absolute template or helper file, inside the chart directory. */
  file: string;
  /** 1-based line to change. */
  line: number;
  /** The line reported when the claim holds, when not the changed one (the key line after a `with`). */
  report?: { file: string; line: number };
  mutation: Mutation;
  object: ScannedObject;
  /** Where the marker must show: a value containing it, a key of the node, or (flip) a changed value. */
  pointer: string;
  expect: 'contains' | 'key' | 'changed';
  /** The rendered value, for `changed`. */
  original?: unknown;
  /** The confirmation render whose values make the line render (a `with` on a proven map), if any. */
  trial?: number;
  /** Set when the claim is confirmed. */
  proven?: boolean;
  /** Why it is not, when it is not. */
  failure?: string;
}

interface Edit {
  id: number;
  file: string;
  line: number;
  mutation: Mutation;
  claims: LineClaim[];
}

function signature(m: Mutation): string {
  return m.kind === 'reference' ? `reference:${m.path.join('.')}:${m.with}` : m.kind;
}

/** Lines `start` to `start + count` replaced by `lines`. */
interface Change {
  start: number;
  count: number;
  lines: string[];
}

/** The change for one edit, or undefined when the line cannot be changed that way. */
function apply(lines: string[], index: number, edit: Edit): Change | undefined {
  const one = (replacement: string[]): Change => ({ start: index, count: 1, lines: replacement });
  const line = lines[index];
  if (line === undefined) return undefined;
  const marker = lineMarker(edit.id);
  const m = edit.mutation;
  if (m.kind === 'reference') {
    const path = m.path.map((t) => `\\.${escapeRegex(String(t))}`).join('');
    const pattern = new RegExp(`(\\$[A-Za-z0-9_]*)?((?:\\.[A-Za-z0-9_]+)*?)\\.Values${path}(?![A-Za-z0-9_.])`);
    if (!pattern.test(line)) return undefined;
    const replacement = m.with === 'string' ? `"${marker}"` : m.with === 'map' ? `(dict "${marker}" "x")` : m.with;
    return one([line.replace(pattern, replacement)]);
  }
  const key = keyOf(line);
  if (m.kind === 'value') {
    if (!key || key.value === '' || /^[|>]/.test(key.value)) return undefined;
    const at = line.lastIndexOf(key.value);
    const value = key.value.startsWith('{}') ? `{${marker}: x}` : key.value.startsWith('[]') ? `[${marker}]` : marker;
    return one([line.slice(0, at) + value + line.slice(at + key.value.length).replace(/^[^#]*/, '')]);
  }
  // A child: under a key whose value is a block, or under a list item's first key.
  if (!key) return undefined;
  if (key.item) {
    const child = `${' '.repeat(key.indent)}${marker}: x`;
    // After `- name: web` the next line is a sibling key; after `- from:` it would land in the block
    // `from` opens, so the marker goes after the item's last line of its own.
    if (key.value !== '') return one([line, child]);
    const dash = indentOf(line);
    let last = index;
    for (let j = index + 1; j < lines.length; j++) {
      if (!isContent(lines[j]!)) continue;
      if (indentOf(lines[j]!) <= dash) break;
      last = j;
    }
    return { start: index, count: last - index + 1, lines: [...lines.slice(index, last + 1), child] };
  }
  if (key.value !== '' && !/^\{\{.*\}\}\s*$/.test(key.value)) return undefined;
  let childIndent = key.indent + 2;
  let list = false;
  for (let j = index + 1; j < lines.length; j++) {
    const next = lines[j]!;
    const nindent = /\bn?indent\s+(\d+)/.exec(next);
    if (!isContent(next)) {
      if (nindent && /\{\{/.test(next)) {
        childIndent = Number(nindent[1]);
        break;
      }
      continue;
    }
    if (indentOf(next) > key.indent || (/^\s*-(\s|$)/.test(next) && indentOf(next) === key.indent)) {
      childIndent = indentOf(next);
      list = /^\s*-(\s|$)/.test(next);
    }
    break;
  }
  if (key.value !== '') {
    // `labels: {{- include ... | nindent 8 }}`: the helper's output follows the key.
    const nindent = /\bn?indent\s+(\d+)/.exec(key.value);
    if (!nindent) return undefined;
    childIndent = Number(nindent[1]);
  }
  return one([line, list ? `${' '.repeat(childIndent)}- ${marker}` : `${' '.repeat(childIndent)}${marker}: x`]);
}

function observe(claim: LineClaim, marker: string, objects: readonly ScannedObject[], originals: readonly ScannedObject[]): boolean {
  const other = counterpart(claim.object, originals, objects);
  if (other === undefined) return false;
  const at = remapPointer(claim.object.raw, other.raw, claim.pointer) ?? claim.pointer;
  const node = get(other.raw, at);
  switch (claim.expect) {
    case 'contains':
      return (typeof node === 'string' && node.includes(marker)) || (Array.isArray(node) && node.includes(marker)) || (isObj(node) && marker in node);
    case 'key':
      return (isObj(node) && marker in node) || (Array.isArray(node) && node.includes(marker));
    case 'changed':
      return JSON.stringify(node) !== JSON.stringify(claim.original);
  }
}

/** Whether the claim's node renders empty (`{}`, nothing): a marker line would not be YAML there. */
function emptyAt(claim: LineClaim): boolean {
  const node = get(claim.object.raw, claim.pointer);
  return node === null || (isObj(node) && Object.keys(node).length === 0) || (Array.isArray(node) && node.length === 0);
}

export interface ProofStats {
  renders: number;
  ms: number;
}

/**
 * Confirms line claims by rendering a changed copy of the chart (claims marked proven or not), in at
 * most `budget` renders, counted in `stats`.
 */
export async function proveLines(
  render: ChartRender,
  config: Config,
  claims: LineClaim[],
  budget: number,
  tmp: string,
  stats: ProofStats,
  trials: readonly Overrides[] = [],
): Promise<void> {
  if (claims.length === 0) return;
  const edits = new Map<string, Edit>();
  let next = 1;
  for (const claim of claims) {
    const relative = path.relative(render.dir, claim.file);
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      claim.failure = 'the line is outside the chart';
      continue;
    }
    const key = `${claim.file}\u0000${claim.line}\u0000${signature(claim.mutation)}\u0000${claim.trial ?? ''}`;
    let edit = edits.get(key);
    if (!edit) edits.set(key, (edit = { id: next++, file: claim.file, line: claim.line, mutation: claim.mutation, claims: [] }));
    edit.claims.push(claim);
  }
  // Two different edits of one line cannot be tried together.
  const byLine = new Map<string, Edit[]>();
  for (const edit of edits.values()) {
    const k = `${edit.file}\u0000${edit.line}`;
    byLine.set(k, [...(byLine.get(k) ?? []), edit]);
  }
  // Rounds: edits of one line apart, and claims under the values of their own confirmation render.
  const rounds: { trial: number | undefined; edits: Edit[] }[] = [];
  const roundOf = new Map<string, Edit[]>();
  for (const list of byLine.values()) {
    list.forEach((edit, i) => {
      const trial = edit.claims[0]!.trial;
      const key = `${i}\u0000${trial ?? ''}`;
      let edits = roundOf.get(key);
      if (!edits) {
        roundOf.set(key, (edits = []));
        rounds.push({ trial, edits });
      }
      edits.push(edit);
    });
  }

  // The changed files are handed to the render (helm.ts replacedFiles): no copy of the chart is made here.
  const copy = mkdtempSync(path.join(tmp, 'values-'));
  const originals = new Map<string, string>();
  const read = (file: string) => {
    let text = originals.get(file);
    if (text === undefined) originals.set(file, (text = readFileSync(file, 'utf8')));
    return text;
  };
  let remaining = budget;
  let trial: number | undefined;
  const attempt = async (batch: Edit[]): Promise<void> => {
    const usable: Edit[] = [];
    const files = new Map<string, string[]>();
    for (const edit of batch) {
      const lines = files.get(edit.file) ?? read(edit.file).split('\n');
      files.set(edit.file, lines);
      usable.push(edit);
    }
    if (usable.length === 0) return;
    if (remaining <= 0) {
      for (const edit of usable) for (const c of edit.claims) c.failure ??= 'the cap on extra renders was reached';
      return;
    }
    // Change every file of the batch, bottom-up so earlier line numbers stay put.
    const applied: Edit[] = [];
    const replaced = new Map<string, string>();
    for (const [file, lines] of files) {
      const mine = usable.filter((e) => e.file === file).sort((a, b) => b.line - a.line);
      const out = [...lines];
      for (const edit of mine) {
        if (edit.mutation.kind === 'child' && trial === undefined && edit.claims.every((c) => emptyAt(c))) {
          for (const c of edit.claims) c.failure = 'the block is empty: a marker next to it would not be YAML';
          continue;
        }
        const changed = apply(out, edit.line - 1, edit);
        if (changed === undefined) {
          for (const c of edit.claims) c.failure = 'the line cannot be changed to test it';
          continue;
        }
        out.splice(changed.start, changed.count, ...changed.lines);
        applied.push(edit);
      }
      replaced.set(path.relative(render.dir, file).split(path.sep).join('/'), out.join('\n'));
    }
    if (applied.length > 0) {
      remaining--;
      const started = performance.now();
      const overrides = trial === undefined ? undefined : trials[trial];
      const valuesFiles = [...render.request.valuesFiles];
      if (overrides) {
        const file = path.join(copy, `values-${trial}.json`);
        writeFileSync(file, JSON.stringify(overrides.file));
        valuesFiles.push(file);
      }
      // Only the templates of the claims' objects (and the changed files) are read back.
      const only = templateFilesOf(render, applied.flatMap((e) => e.claims.map((c) => c.object)));
      const changedFiles = [...replaced.keys()];
      const outcome = await renderChart({
        ...render.request,
        purpose: 'provenance',
        replacedFiles: replaced,
        valuesFiles,
        set: [...render.request.set, ...(overrides?.set ?? [])],
        ...(only !== undefined ? { onlyTemplates: [...new Set([...only, ...changedFiles])].sort(), changedValueKeys: overrides?.keys ?? [] } : {}),
      });
      stats.ms += performance.now() - started;
      stats.renders++;
      if (outcome.ok) {
        const objects = objectsOfRender(outcome.stdout, render.dir, render.chart, render.valueSet.name, config, render.repoRoot, undefined, { transient: true });
        for (const edit of applied) {
          for (const c of edit.claims) {
            c.proven = observe(c, lineMarker(edit.id), objects, render.objects);
            if (!c.proven) c.failure = 'changing the line did not change the field';
          }
        }
      } else if (applied.length === 1) {
        // A render the scan's budget refused says so (not rendered: ...) rather than blaming the line.
        for (const c of applied[0]!.claims) c.failure = outcome.message.startsWith('not rendered: ') ? outcome.message : 'the chart does not render with the line changed';
      }
      if (!outcome.ok && applied.length > 1) {
        const half = Math.ceil(applied.length / 2);
        await attempt(applied.slice(0, half));
        await attempt(applied.slice(half));
      }
    }
  };
  try {
    for (const round of rounds) {
      trial = round.trial;
      await attempt(round.edits);
    }
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** The pointer `depth` tokens deep along a pointer. */
export function prefixPointer(pointer: string, depth: number): string {
  return join('', ...pointerTokens(pointer).slice(0, Math.max(0, depth)));
}
