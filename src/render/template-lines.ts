// Lines of a chart's template source (not the rendered output). Two ways to a line, each reported only
// when it is unambiguous:
// - a values key proven to feed a field: the one line of the template that references it (`.Values.a.b`,
//   `$.Values.a`, `with .Values.a`, or the one `include` of a helper that references it);
// - a literal field, or the block a missing field belongs in: the one line reached by walking the
//   template's own YAML structure (key by key, list items by their `name:`) from the document root.
import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { tokens as pointerTokens } from '../model/pointer.ts';
import { isObj } from '../k8s/values.ts';
import type { ValuePath } from './effective-values.ts';
import { lineIndex } from '../loaders/yaml-positions.ts';

export interface TemplateFile {
  file: string;
  lines: string[];
}

interface Define {
  name: string;
  file: string;
  start: number;
  end: number;
}

const KEY_LINE = /^(\s*)(-\s+)?("[^"]*"|'[^']*'|[A-Za-z0-9_$./@-]+)\s*:(?:\s+(.*?))?\s*$/;
const ITEM_LINE = /^(\s*)-(\s+|$)/;
const ACTION_ONLY = /^\s*\{\{.*\}\}\s*$/;

function unquote(text: string): string {
  if ((text.startsWith('"') && text.endsWith('"')) || (text.startsWith("'") && text.endsWith("'"))) return text.slice(1, -1);
  return text;
}

/** A line as YAML sees it before rendering: comment, template action, or content. */
function isComment(line: string): boolean {
  return /^\s*#/.test(line) || /^\s*\{\{-?\s*\/\*/.test(line);
}

/** The YAML key of a line, if it has one (`key:` or `- key:`), with indentation of the key. */
export function keyOf(line: string): { key: string; indent: number; value: string; item: boolean } | undefined {
  if (isComment(line) || ACTION_ONLY.test(line)) return undefined;
  const m = KEY_LINE.exec(line.replace(/\s+#.*$/, ''));
  if (!m) return undefined;
  if (m[3]!.includes('{{')) return undefined;
  const indent = m[1]!.length + (m[2] ? m[2].length : 0);
  return { key: unquote(m[3]!), indent, value: m[4] ?? '', item: m[2] !== undefined };
}

export function indentOf(line: string): number {
  return /^\s*/.exec(line)![0].length;
}

export function isContent(line: string): boolean {
  return line.trim() !== '' && !isComment(line) && !ACTION_ONLY.test(line);
}

export class TemplateSources {
  private readonly files = new Map<string, TemplateFile | undefined>();
  private definesCache?: Define[];
  private allFilesCache?: string[];
  private readonly helperRefsCache = new Map<string, Set<string>>();

  constructor(private readonly chartDir: string) {}

  read(file: string): TemplateFile | undefined {
    if (this.files.has(file)) return this.files.get(file);
    let result: TemplateFile | undefined;
    try {
      if (!file.endsWith('.tgz')) result = { file, lines: readFileSync(file, 'utf8').split(/\r?\n/) };
    } catch {
      result = undefined;
    }
    this.files.set(file, result);
    return result;
  }

  /** Every template and helper file of the chart and its vendored subcharts (listed once per instance). */
  allFiles(): readonly string[] {
    if (this.allFilesCache) return this.allFilesCache;
    const out: string[] = [];
    // Entry types come with the listing; only symlinks are followed with a stat.
    const list = (dir: string): { name: string; full: string; dir: boolean }[] => {
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return []; // absent, or not a directory
      }
      return entries
        .map((entry) => {
          const full = path.join(dir, entry.name);
          let isDir = entry.isDirectory();
          if (entry.isSymbolicLink() || (!isDir && !entry.isFile())) {
            try {
              isDir = statSync(full).isDirectory();
            } catch {
              isDir = false;
            }
          }
          return { name: entry.name, full, dir: isDir };
        })
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    };
    const walk = (dir: string, depth: number) => {
      if (depth > 8) return;
      for (const entry of list(dir)) {
        if (entry.dir) walk(entry.full, depth + 1);
        else if (/\.(tpl|yaml|yml|txt|json)$/.test(entry.name)) out.push(entry.full);
      }
    };
    const chartWalk = (dir: string, depth: number) => {
      walk(path.join(dir, 'templates'), 0);
      if (depth > 6) return;
      for (const entry of list(path.join(dir, 'charts'))) if (entry.dir) chartWalk(entry.full, depth + 1);
    };
    chartWalk(this.chartDir, 0);
    return (this.allFilesCache = out);
  }

  /** `define` blocks across the chart, with their line ranges. */
  defines(): Define[] {
    if (this.definesCache) return this.definesCache;
    const out: Define[] = [];
    for (const file of this.allFiles()) {
      const source = this.read(file);
      if (!source) continue;
      const text = source.lines.join('\n');
      if (!text.includes('define')) continue;
      const stack: { name?: string; line: number }[] = [];
      const lineAt = lineIndex(text);
      for (const action of text.matchAll(/\{\{-?\s*(\/\*[\s\S]*?\*\/|[\s\S]*?)\s*-?\}\}/g)) {
        const body = action[1]!;
        if (body.startsWith('/*')) continue;
        const open = /^(if|range|with|define|block)\b\s*("([^"]*)")?/.exec(body);
        if (open) {
          stack.push({ ...(open[1] === 'define' || open[1] === 'block' ? { name: open[3] ?? '' } : {}), line: lineAt(action.index!) });
        } else if (/^end\b/.test(body)) {
          const top = stack.pop();
          if (top?.name !== undefined) out.push({ name: top.name, file, start: top.line, end: lineAt(action.index!) });
        }
      }
    }
    this.definesCache = out;
    return out;
  }

  /** The helpers a template includes, directly or through other helpers. */
  reachableDefines(file: string): Define[] {
    const template = this.read(file);
    if (!template) return [];
    const byName = new Map<string, Define[]>();
    for (const d of this.defines()) byName.set(d.name, [...(byName.get(d.name) ?? []), d]);
    const seen = new Set<Define>();
    const queue: string[][] = [template.lines];
    while (queue.length > 0) {
      const lines = queue.shift()!;
      for (const line of lines) {
        for (const m of line.matchAll(/\b(?:include|template)\s+"([^"]+)"/g)) {
          for (const d of byName.get(m[1]!) ?? []) {
            if (seen.has(d)) continue;
            seen.add(d);
            queue.push(this.read(d.file)!.lines.slice(d.start - 1, d.end));
          }
        }
      }
    }
    return [...seen];
  }

  /** Field names -> scope-relative values paths referenced on lines that set that field (`privileged: {{ .Values.x }}`). */
  fieldReferences(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const file of this.allFiles()) {
      const source = this.read(file);
      if (!source) continue;
      for (const line of source.lines) {
        if (!line.includes('.Values.')) continue;
        const m = /^\s*(?:-\s+)?([A-Za-z0-9_-]+)\s*:\s*(.*)$/.exec(line);
        if (!m) continue;
        for (const ref of m[2]!.matchAll(/\.Values((?:\.[A-Za-z0-9_]+)+)/g)) {
          const set = out.get(m[1]!) ?? new Set<string>();
          set.add(ref[1]!.slice(1));
          out.set(m[1]!, set);
        }
      }
    }
    return out;
  }
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A regex for `.Values.<path>` exactly (not continuing with a further `.key`). */
function referencePattern(p: ValuePath): RegExp | undefined {
  if (p.length === 0 || p.some((t) => typeof t !== 'string' || !/^[A-Za-z0-9_]+$/.test(t))) return undefined;
  return new RegExp(`\\.Values${p.map((t) => `\\.${escapeRegex(String(t))}`).join('')}(?![A-Za-z0-9_.])`);
}

/**
 * The key of a line or, for a line that is only a template action, of the block it sits in: the
 * nearest key line above that opens a block (`securityContext:` with nothing after it).
 */
function contextKeys(lines: string[], index: number): string[] {
  const own = /^\s*(?:-\s+)?([A-Za-z0-9_-]+)\s*:/.exec(lines[index]!);
  if (own) return [own[1]!];
  for (let i = index - 1; i >= 0 && i >= index - 4; i--) {
    const k = keyOf(lines[i]!);
    if (k) return k.value === '' ? [k.key] : [];
    if (isContent(lines[i]!)) break;
  }
  return [];
}

const GENERIC_KEYS = new Set(['spec', 'template', 'metadata', 'jobTemplate']);

/**
 * A line found, or why none was. `ref` is the line holding the `.Values` reference the line was found
 * through (the same line, or a `with`/`if` just above it) and how many keys of the values path it names.
 */
export type LineResult = { file: string; line: number; ref?: { line: number; length: number } } | { reason: string };

/** The field name and the names of the blocks around it, from a pointer: privileged, securityContext, ... */
function namesOf(pointer: string): string[] {
  return pointerTokens(pointer)
    .filter((t) => !/^\d+$/.test(t))
    .reverse();
}

/**
 * The line that emits the field, given a line referencing its value: the line itself when its key (or
 * the block it is spread into) is the field or one of the two blocks around it; for `with`/`if` on the
 * value, the key line right after it.
 */
function emittingLine(lines: string[], index: number, names: readonly string[]): number | undefined {
  if (contextKeys(lines, index).some((k) => names.includes(k))) return index;
  if (/\{\{-?\s*(with|if)\b/.test(lines[index]!) && ACTION_ONLY.test(lines[index]!)) {
    for (let j = index + 1; j < lines.length && j <= index + 3; j++) {
      const k = keyOf(lines[j]!);
      if (k) return names.includes(k.key) ? j : undefined;
      if (isContent(lines[j]!)) return undefined;
    }
  }
  return undefined;
}

export interface EmittingLine {
  file: string;
  /** 1-based line that emits the field. */
  line: number;
  /** The line holding the `.Values` reference (the same line, or a `with`/`if` just above it) and how many keys of the path it names. */
  ref: { line: number; length: number };
}

/**
 * Lines that may emit a field whose value a values path is proven to feed, best first: in the template,
 * the lines referencing the longest prefix of the path that emit the field (see emittingLine); else in
 * the helpers the template includes (directly or through other helpers). Lines that only pass the value
 * on (assignments, range over a whole section) are not candidates. Which one really emits the field is
 * for line-proof.ts to prove.
 */
export function emittingLines(sources: TemplateSources, file: string, valuesPath: ValuePath, pointer: string): EmittingLine[] | { reason: string } {
  const template = sources.read(file);
  if (!template) return { reason: 'the template file cannot be read (packaged subchart?)' };
  // The field and the two blocks around it; structural keys above a block (spec, template) say nothing.
  const names = namesOf(pointer)
    .slice(0, 3)
    .filter((n, i) => i === 0 || !GENERIC_KEYS.has(n));
  const scan = (files: { file: string; lines: string[]; from: number; to: number }[], pattern: RegExp, length: number) => {
    let referencing = 0;
    const emitting = new Map<string, EmittingLine>();
    for (const f of files) {
      for (let i = f.from; i < f.to; i++) {
        const line = f.lines[i]!;
        if (isComment(line) || !pattern.test(line)) continue;
        referencing++;
        const at = emittingLine(f.lines, i, names);
        const key = `${f.file}:${at}`;
        if (at !== undefined && !emitting.has(key)) emitting.set(key, { file: f.file, line: at + 1, ref: { line: i + 1, length } });
      }
    }
    return { referencing, emitting: [...emitting.values()] };
  };
  const out: EmittingLine[] = [];
  const own = [{ file, lines: template.lines, from: 0, to: template.lines.length }];
  for (let length = valuesPath.length; length >= 1; length--) {
    const pattern = referencePattern(valuesPath.slice(0, length));
    if (!pattern) continue;
    const found = scan(own, pattern, length);
    if (found.referencing === 0) continue;
    out.push(...found.emitting);
    break;
  }
  const helpers = sources.reachableDefines(file).map((d) => ({ file: d.file, lines: sources.read(d.file)!.lines, from: d.start - 1, to: d.end }));
  for (let length = valuesPath.length; length >= 1; length--) {
    const pattern = referencePattern(valuesPath.slice(0, length));
    if (!pattern) continue;
    const found = scan(helpers, pattern, length);
    if (found.referencing === 0) continue;
    out.push(...found.emitting);
    break;
  }
  if (out.length === 0) return { reason: `no line emitting .Values.${valuesPath.join('.')} found in ${path.basename(file)} or its helpers` };
  return out;
}

/** The one emitting line, when there is exactly one (see emittingLines). */
export function referenceLine(sources: TemplateSources, file: string, valuesPath: ValuePath, pointer: string): LineResult {
  const lines = emittingLines(sources, file, valuesPath, pointer);
  if ('reason' in lines) return lines;
  if (lines.length > 1) return { reason: `.Values.${valuesPath.join('.')} is emitted on ${lines.length} lines` };
  return lines[0]!;
}

/**
 * The end (exclusive) of the block of a key line or list item: the lines after it indented deeper. A key
 * whose value is a list written at its own indentation (`containers:` then `- name: x`) keeps those items.
 */
function blockEnd(lines: string[], start: number, indent: number, indentlessItems = false): number {
  let end = start + 1;
  for (; end < lines.length; end++) {
    const line = lines[end]!;
    if (!isContent(line)) continue;
    const at = indentOf(line);
    if (at > indent) continue;
    if (indentlessItems && at === indent && ITEM_LINE.test(line)) continue;
    break;
  }
  return end;
}

/** Action-only lines in a list block that could add items at the items' level. */
function listIsLiteral(lines: string[], from: number, to: number, itemIndent: number): boolean {
  for (let i = from; i < to; i++) {
    const line = lines[i]!;
    if (!ACTION_ONLY.test(line)) continue;
    if (indentOf(line) <= itemIndent) return false;
    for (const m of line.matchAll(/\bn?indent\s+(\d+)/g)) if (Number(m[1]) <= itemIndent) return false;
  }
  return true;
}

/** The document of a multi-document template holding the object: the one whose literal kind is its kind. */
function documentRange(lines: string[], kind: string | undefined): [number, number] {
  const separators = lines.map((l, i) => (/^---\s*$/.test(l) ? i : -1)).filter((i) => i >= 0);
  if (separators.length === 0 || kind === undefined) return [0, lines.length];
  const bounds = [-1, ...separators, lines.length];
  const matching: [number, number][] = [];
  for (let b = 0; b < bounds.length - 1; b++) {
    const from = bounds[b]! + 1;
    const to = bounds[b + 1]!;
    if (lines.slice(from, to).some((l) => new RegExp(`^kind:\\s*["']?${kind}["']?\\s*$`).test(l))) matching.push([from, to]);
  }
  return matching.length === 1 ? matching[0]! : [0, lines.length];
}

/**
 * Walks the template's literal YAML structure along a pointer and returns the line of its last token,
 * or a reason. Each step must be unique: the one key line of that name at the scope's shallowest
 * indentation; the one list item whose `name:` is the rendered item's name, or the item at the same
 * index of a list written out literally (no template action that could add items).
 */
export function structuralLine(sources: TemplateSources, file: string, pointer: string, raw: unknown): LineResult {
  const template = sources.read(file);
  if (!template) return { reason: 'the template file cannot be read (packaged subchart?)' };
  const lines = template.lines;
  const tokens = pointerTokens(pointer);
  if (tokens.length === 0) return { reason: 'the finding is about the whole object' };
  let [from, to] = documentRange(lines, isObj(raw) && typeof raw.kind === 'string' ? raw.kind : undefined);
  let parentIndent = -1;
  let node: unknown = raw;
  let lastLine = -1;
  for (const token of tokens) {
    if (Array.isArray(node)) {
      const index = Number(token);
      const item = node[index];
      const name = isObj(item) && typeof item.name === 'string' ? item.name : undefined;
      // List items directly in this block.
      const items: number[] = [];
      let itemIndent: number | undefined;
      for (let i = from; i < to; i++) {
        const line = lines[i]!;
        if (!isContent(line) || !ITEM_LINE.test(line)) continue;
        const indent = indentOf(line);
        if (parentIndent >= 0 && indent < parentIndent) continue;
        if (itemIndent === undefined || indent < itemIndent) {
          itemIndent = indent;
          items.length = 0;
        }
        if (indent === itemIndent) items.push(i);
      }
      if (itemIndent === undefined) return { reason: `the list at ${token} is not written out in the template` };
      let chosen: number | undefined;
      if (name !== undefined) {
        const named = items.filter((start) => {
          const end = blockEnd(lines, start, itemIndent!);
          for (let i = start; i < end; i++) {
            const k = keyOf(lines[i]!);
            if (k && k.key === 'name' && unquote(k.value) === name && k.indent === itemIndent! + 2) return true;
          }
          return false;
        });
        if (named.length === 1) chosen = named[0];
        else if (named.length > 1) return { reason: `several list items are named ${name}` };
      }
      if (chosen === undefined && items.length === node.length && listIsLiteral(lines, from, to, itemIndent)) chosen = items[index];
      if (chosen === undefined) return { reason: `list item ${token} cannot be told apart in the template` };
      lastLine = chosen;
      from = chosen;
      to = blockEnd(lines, chosen, itemIndent);
      parentIndent = itemIndent;
      node = item;
      continue;
    }
    // A key: the shallowest key lines in scope (deeper than the parent).
    let minIndent: number | undefined;
    const matches: number[] = [];
    for (let i = from; i < to; i++) {
      if (i === lastLine && !ITEM_LINE.test(lines[i]!)) continue;
      const k = keyOf(lines[i]!);
      if (!k || k.indent <= parentIndent) continue;
      if (minIndent === undefined || k.indent < minIndent) {
        minIndent = k.indent;
        matches.length = 0;
      }
      if (k.indent === minIndent && k.key === token) matches.push(i);
    }
    if (matches.length !== 1) {
      return { reason: matches.length === 0 ? `${token} is not written out in the template (emitted by a helper or a value?)` : `${token} appears ${matches.length} times at the same place in the template` };
    }
    const at = matches[0]!;
    lastLine = at;
    const k = keyOf(lines[at]!)!;
    from = at + 1;
    to = blockEnd(lines, at, k.indent, k.value === '');
    parentIndent = k.indent;
    node = isObj(node) ? node[token] : undefined;
  }
  return { file, line: lastLine + 1 };
}

/** The literal value written on a key line, when it has one and no template action. */
export function literalValueAt(sources: TemplateSources, file: string, line: number): string | undefined {
  const text = sources.read(file)?.lines[line - 1];
  if (text === undefined || text.includes('{{')) return undefined;
  const k = keyOf(text);
  if (!k || k.value === '') return undefined;
  return unquote(k.value);
}
