// From a finding to the values edit a maintainer would make: the rule's recipe (its `fix`) says what the
// finding's field must be; provenance says which values key decides it (source.values). A key that is the
// field itself gets the value; a key that is the map the field's block is written from gets the field added
// below it (`podSecurityContext: {}` becomes a filled map). Only a candidate: src/fix/prove.ts keeps it
// once a re-render of every value set shows the finding gone and nothing new.
import { parseDocument } from 'yaml';
import type { FixRecipe, FixValue } from '../engine/fix-recipe.ts';
import type { Finding } from '../model/model.ts';
import { get, tokens as pointerTokens } from '../model/pointer.ts';
import { parseValuesKey, setInValues, type EditOutcome, type ValuesPath } from './yaml-edit.ts';

/** One values edit: `path` in `file` set to `value`, for the findings it should remove. */
export interface CandidateEdit {
  /** Repository-relative values file. */
  file: string;
  path: ValuesPath;
  value: FixValue;
  findings: Finding[];
  description: string;
  /**
   * A template that writes the field as a literal (`privileged: true` in templates/*.yaml): that line of
   * `file` (1-based) replaced; `path` is then empty. The line must still read `old` when applied.
   */
  templateLine?: { line: number; old: string; replacement: string };
}

export type Derived = { edit: CandidateEdit } | { reason: string };

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return String(a) === String(b);
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `a.b[0]["x.y"]`: a values path as provenance writes keys. */
export function keyOf(p: ValuesPath): string {
  let out = '';
  for (const token of p) {
    if (typeof token === 'number') out += `[${token}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(token)) out += out === '' ? token : `.${token}`;
    else out += `[${JSON.stringify(token)}]`;
  }
  return out;
}

function valueText(value: FixValue): string {
  return Array.isArray(value) ? `[${value.map(valueText).join(', ')}]` : isMap(value) ? JSON.stringify(value) : String(value);
}

/**
 * Below a values map, the path of the finding's field: the map is the block of the rendered object that
 * holds most of its entries (deepest on a tie). An empty map (or `key:`) shows nothing rendered: it is taken
 * to be the securityContext the field belongs in, else the field's own parent.
 */
export function pathBelowMap(map: Record<string, unknown> | null, raw: unknown, pointer: string): string[] | undefined {
  const tokens = pointerTokens(pointer);
  const entries = map === null ? [] : Object.entries(map);
  let best = -1;
  let bestScore = 0;
  if (entries.length > 0) {
    for (let k = tokens.length - 1; k >= 1; k--) {
      const block = get(raw, '/' + tokens.slice(0, k).map((t) => t.replace(/~/g, '~0').replace(/\//g, '~1')).join('/'));
      if (!isMap(block)) continue;
      const score = entries.filter(([key, value]) => key in block && same(block[key], value)).length;
      if (score > bestScore) {
        bestScore = score;
        best = k;
      }
    }
  }
  if (best === -1) {
    const sc = tokens.lastIndexOf('securityContext');
    best = sc !== -1 && sc < tokens.length - 1 ? sc + 1 : tokens.length - 1;
  }
  const rest = tokens.slice(best);
  return rest.length === 0 || rest.some((t) => /^\d+$/.test(t)) ? undefined : rest;
}

/**
 * The candidate edit for one finding, given its rule's recipe, the rendered object it is about and the text
 * of the values file its key is in.
 */
export function deriveEdit(finding: Finding, recipe: FixRecipe, raw: unknown, valuesText: string): Derived {
  const field = pointerTokens(finding.path).pop();
  const value = field === undefined ? undefined : recipe.set[field];
  if (value === undefined) return { reason: `the rule's fix does not cover the field ${field ?? '(object)'}` };
  const where = finding.source.values;
  if (where === undefined) return { reason: 'no values key was proven for the finding' };
  const key = parseValuesKey(where.key);
  if (key === undefined) return { reason: `the values key ${where.key} cannot be read` };
  const doc = parseDocument(valuesText, { uniqueKeys: false, merge: false, strict: false });
  if (doc.errors.length > 0) return { reason: `${where.file} is not valid YAML` };
  const data = doc.toJS({ maxAliasCount: 10_000 }) as unknown;
  let node: unknown = data;
  for (const token of key) node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[token] : undefined;
  const rendered = get(raw, finding.path);
  let target: ValuesPath;
  if (isMap(node) || node === null) {
    const below = pathBelowMap(node, raw, finding.path);
    if (below === undefined) return { reason: `the field's place below ${where.key} is not clear` };
    target = [...key, ...below];
  } else if (node !== undefined && rendered !== undefined && same(node, rendered)) {
    target = key; // the key is the field: it renders as written
  } else return { reason: `${where.key} does not render as the field` };
  const description = `set ${keyOf(target)} to ${valueText(value)} in ${where.file}`;
  return { edit: { file: where.file, path: target, value, findings: [finding], description } };
}

/**
 * The candidate edit at a template line that writes the finding's field as a literal, for a finding no
 * values key decides: `privileged: true` becomes `privileged: false`, indentation, quoting of the key and a
 * trailing comment kept. Only scalar values, and only a line that holds the field and its literal alone.
 */
export function deriveTemplateEdit(finding: Finding, recipe: FixRecipe, templateText: string): Derived {
  const field = pointerTokens(finding.path).pop();
  const value = field === undefined ? undefined : recipe.set[field];
  if (value === undefined) return { reason: `the rule's fix does not cover the field ${field ?? '(object)'}` };
  if (typeof value === 'object') return { reason: `the fix of ${field} is a block, not a literal a template line can take` };
  const where = finding.source.templateLocation;
  if (where === undefined) return { reason: 'no values key or template line was proven for the finding' };
  const old = templateText.split('\n')[where.line - 1];
  if (old === undefined) return { reason: `${where.file} has no line ${where.line}` };
  const eol = old.endsWith('\r') ? '\r' : '';
  const untrimmed = eol === '' ? old : old.slice(0, -1);
  // Trailing blanks kept aside (and put back): the pattern below never sees them.
  const body = untrimmed.trimEnd();
  const trailing = untrimmed.slice(body.length);
  const escaped = field!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`^(\\s*(?:-\\s+)?)(["']?)${escaped}\\2(\\s*:\\s*)([^\\s#{}"'][^#{}]*?|"[^"{}]*"|'[^'{}]*')(\\s+#.*)?$`).exec(body);
  if (m === null) return { reason: `the template line ${where.file}:${where.line} does not write ${field} as a literal` };
  if (m[4]!.replace(/^["']|["']$/g, '') === String(value)) return { reason: `${field} is already ${valueText(value)} at ${where.file}:${where.line}` };
  const replacement = `${m[1]}${m[2]}${field}${m[2]}${m[3]}${valueText(value)}${m[5] ?? ''}${trailing}${eol}`;
  return { edit: { file: where.file, path: [], value, findings: [finding], description: `set ${field} to ${valueText(value)} in ${where.file}:${where.line}`, templateLine: { line: where.line, old, replacement } } };
}

/** `text` with the edit applied: a values edit through the YAML source, a template line replaced as it stands. */
export function applyEdit(text: string, edit: Pick<CandidateEdit, 'path' | 'value' | 'templateLine'>): EditOutcome {
  if (edit.templateLine === undefined) return setInValues(text, edit.path, edit.value);
  const lines = text.split('\n');
  if (lines[edit.templateLine.line - 1] !== edit.templateLine.old) return { reason: `line ${edit.templateLine.line} changed` };
  lines[edit.templateLine.line - 1] = edit.templateLine.replacement;
  return { text: lines.join('\n') };
}
