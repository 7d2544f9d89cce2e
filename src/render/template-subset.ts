// Which template files a provenance render can leave out (issue 18). A confirmation render only reads the
// objects of the findings it locates, but helm renders every template of the chart: on the corpus a third
// of helm's CPU went to provenance renders, most of it on templates no finding is in (generated
// certificates, CRDs in templates, dozens of other components). A template file renders on its own in
// helm: its output depends on the values, the release and the named templates (`define`) of the whole
// chart, not on the other files' output, except where a file
// - defines named templates (any file may; `_`-files are never rendered on their own anyway),
// - reaches past itself while it renders, itself or through a named template it calls: changes data other
//   files read (`set`/`unset` of anything but a dict it made, a merge of anything but data sharing nothing
//   at any depth, `sortAlpha` of a shared list, which helm 3 sorts in place: a dict of `.Values` changed by
//   one file is seen by the files rendered after it), or stops the render (`fail`, `required`: the proof
//   would hold for a chart that does not render). `tpl` of values or a chart file runs text the index reads
//   too (the chart's other files, the render's values files and `--set` values, as written and as YAML
//   decodes them); tpl of anything else (a literal, decoded or built text) may do anything.
// - reads a values key the render changes from one that succeeded (provenance's sentinels and flips, by the
//   key's names, or `.Values` handed on whole, or a key looked up by a computed name): what the changed
//   values break there (a sentinel compared with a boolean, a nil map after a flip) breaks the chart too.
// - is included by its path (`include (print $.Template.BasePath "/configmap.yaml") .`, the checksum idiom),
//   or by a name with a slash (a define named like a file is replaced by the file).
// Such files are always kept, with the files the kept ones name; the rest is left out. Subcharts unpacked in
// `charts/` are read the same way; with an archive there, whose named templates are not read (and may
// replace the chart's own), every call counts as reaching past. Anything unreadable keeps the whole chart.
// A render that fails for a missing template is made again with every file (helm.ts).
import { readdirSync, readFileSync, statSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { actionSpans, goStringValue, STRING_LITERALS } from './actions.ts';
import { loadYamlDocuments, outsideYamlBudget } from '../loaders/yaml-docs.ts';

interface Unit {
  /** Its actions' code (codeOf). */
  actions: string[];
  /** The words of its actions, string literals' included (the values keys it may read by name); emptied into TemplateIndex.byWord. */
  words: Set<string>;
  /** It may read any values key: `.Values` handed on whole, a key looked up by a computed name, tpl of computed text. */
  readsAny: boolean;
  /** The named templates it calls; undefined: a name known only at render time; TPL: tpl's text; ANYTHING: tpl of text the index cannot read. */
  calls: (string | undefined | typeof TPL | typeof ANYTHING)[];
}

const TPL = Symbol('tpl');
const EMPTY_WORDS: Set<string> = new Set();
/** A call that may do anything (tpl of text the index cannot read). */
const ANYTHING = Symbol('anything');
/** Words of an action; values keys are split the same way when matched against them (omittedTemplates). */
const WORD = /[\p{L}\p{N}_-]+/gu;
/** `.Values` (or a part of it) handed on whole, or a key looked up by a computed name. */
const READS_ANY = /(?:^|[^\w.])(?:\$\w*)?\.Values(?![\w.])|\b(?:index|get|dig|pluck|hasKey)\b[^|)]*(?:\$|\()/;
/** tpl text the index reads: a values field chain (optionally as YAML), or a chart file. */
/** A call of tpl in an action's code. */
const TPL_CALL = /(?:^|[\s(|=])tpl(?![\w.])/g;
const PLAIN_TPL_TEXT = /^(?:\$?\.Values(?:\.[\w-]+)*|\((?:toYaml|toString|toJson)\s+\$?\.Values(?:\.[\w-]+)*\)|\(\$?\.Values(?:\.[\w-]+)*\s*\|\s*(?:toYaml|toString|toJson)\)|\(\$?\.Files\.Get\s+""\))$/;

/** The template files of a chart (and of its unpacked subcharts), their named templates and calls. */
export interface TemplateIndex {
  files: {
    /** Chart-relative path, `/`-separated. */
    rel: string;
    /** A helper (`_` file) or a file defining named templates: never left out. */
    kept: boolean;
    /** What helm runs when it renders the file. */
    top: Unit;
    /** Files whose base name its text holds, when it calls a name no file defines (an include by path). */
    names: number[];
  }[];
  byRel: Map<string, number>;
  units: Unit[];
  definitions: Map<string, Unit[]>;
  defined: Set<Unit>;
  /** Units that change shared data by themselves. */
  direct: Set<Unit>;
  /** Subchart archives are there (their named templates are not read). */
  archives: boolean;
  /** What the chart's other files would do handed to tpl (textCalls), all together. */
  fileCalls: TextCalls;
  /** The units whose actions hold a word. */
  byWord: Map<string, Unit[]>;
}

/** Functions that change their first argument (sprig: a dict). */
const MERGES = new Set(['merge', 'mergeOverwrite', 'mustMerge', 'mustMergeOverwrite']);
/** Calls whose effects may reach past the file (changesShared). */
const EFFECTS = /(?:^|[\s(|=])(set|unset|merge|mergeOverwrite|mustMerge|mustMergeOverwrite|sortAlpha|fail|required)(?![\w.])/g;
/**
 * Functions that return a new dict (or list) no other file holds. Its values may be shared ones (`dict "a"
 * .Values.a`, `pick .Values "a"`): changing its own keys is harmless, a merge into it is not (a deep merge
 * reaches the shared maps it holds).
 */
const NEW_DATA = new Set(['dict', 'omit', 'pick', 'fromYaml', 'fromJson', 'fromYamlArray', 'fromJsonArray', 'deepCopy', 'mustDeepCopy', 'list']);
/** Functions whose result shares nothing at any depth with data other files read. */
const DEEP_NEW = new Set(['fromYaml', 'fromJson', 'fromYamlArray', 'fromJsonArray', 'deepCopy', 'mustDeepCopy']);
const DEFINES = /\{\{-?\s*(?:define|block)\b/;
const CALL = /\b(?:include|template)\s+(?:"((?:[^"\\]|\\.)*)"|`([^`]*)`|(\S))/g;
/** A call in text that is not a template (values, files); only `(`, `$` or `.` builds a name. */
const TEXT_CALL = /\b(?:include|template)\s+(?:"([^"\\]*)"|'([^']*)'|`([^`]*)`|([($.]))/g;
const MAX_FILES = 5000;
const MAX_BYTES = 4 * 1024 * 1024;
const MAX_LINKS = 200_000;

/** What text handed to tpl would do: the named templates it calls, effects past it, the values keys it reads. */
export interface TextCalls {
  calls: (string | undefined)[];
  effects: boolean;
  words: Set<string>;
  readsAny: boolean;
}

/**
 * What text that is not a template (values, files) would do if handed to tpl: the named templates its
 * actions call (undefined for a name built at render time) and whether an action has effects past it.
 */
export function textCalls(text: string): TextCalls {
  const calls: (string | undefined)[] = [];
  const words = new Set<string>();
  let effects = false;
  let readsAny = false;
  if (!text.includes('{{')) return { calls, effects, words, readsAny };
  // A YAML double-quoted string escapes the template's quotes: read as tpl would be handed them.
  const unescaped = text.replace(/\\"/g, '"');
  for (const span of actionSpans(unescaped)) {
    if (span.comment) continue;
    const action = unescaped.slice(span.start, span.end);
    for (const m of action.matchAll(TEXT_CALL)) calls.push(m[4] !== undefined ? undefined : (m[1] ?? m[2] ?? m[3]));
    for (const word of action.match(WORD) ?? []) words.add(word);
    const code = codeOf(action);
    if (!effects && code.search(EFFECTS) !== -1) effects = true;
    // tpl inside tpl'd text, of anything: read as doing anything.
    if (code.search(TPL_CALL) !== -1) {
      calls.push(undefined);
      effects = true;
      readsAny = true;
    }
    if (READS_ANY.test(code)) readsAny = true;
  }
  return { calls, effects, words, readsAny };
}

/**
 * textCalls of a values text both as written and as its YAML string scalars decode (`\x7B{` is `{{` once
 * YAML reads it; tpl is handed the decoded string).
 */
export function valuesTextCalls(text: string): TextCalls {
  const raw = textCalls(text);
  // Only a double-quoted scalar's escapes decode to other characters (block scalars are the text as written).
  if (!text.includes('\\')) return raw;
  const strings: string[] = [];
  const seen = new Set<object>();
  const walk = (node: unknown): void => {
    if (typeof node === 'string') strings.push(node);
    else if (node !== null && typeof node === 'object' && !seen.has(node)) {
      seen.add(node);
      for (const [key, value] of Object.entries(node)) {
        strings.push(key);
        walk(value);
      }
    }
  };
  const parsed = outsideYamlBudget(() => loadYamlDocuments(text));
  for (const document of parsed.documents) walk(document.value);
  const decoded = textCalls(strings.join('\n'));
  for (const word of decoded.words) raw.words.add(word);
  return { calls: [...raw.calls, ...decoded.calls], effects: raw.effects || decoded.effects, words: raw.words, readsAny: raw.readsAny || decoded.readsAny };
}

/** The template files of a chart and of the subcharts unpacked in it, read as the module header says. */
export function templateIndex(chartDir: string): TemplateIndex | undefined {
  const found: { rel: string; text: string }[] = [];
  const fileCalls: TextCalls = { calls: [], effects: false, words: new Set(), readsAny: false };
  const addText = (text: string | undefined, name = '') => {
    if (text === undefined) {
      fileCalls.calls.push(undefined);
      fileCalls.effects = true;
      fileCalls.readsAny = true;
      return;
    }
    // A chart's values file is handed to tpl as YAML decodes it; any other file as written (.Files.Get).
    const found = /^values\.ya?ml$/i.test(name) ? valuesTextCalls(text) : textCalls(text);
    fileCalls.calls.push(...found.calls);
    fileCalls.effects ||= found.effects;
    fileCalls.readsAny ||= found.readsAny;
    for (const word of found.words) fileCalls.words.add(word);
  };
  let archives = false;
  let count = 0;
  // Every file under a folder: a template (templates/) or other text (its calls are what tpl may be handed).
  const walk = (abs: string, rel: string, depth: number, templates: boolean): boolean => {
    const entries = depth > 32 ? undefined : listing(abs);
    if (entries === undefined) return false;
    for (const entry of entries) {
      if (++count > MAX_FILES) return false;
      const from = path.join(abs, entry.name);
      const name = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const stat = statOf(from);
      if (stat === undefined) return false;
      if (stat.isDirectory()) {
        if (!walk(from, name, depth + 1, templates)) return false;
      } else if (stat.isFile()) {
        if (stat.size > MAX_BYTES) {
          if (templates) return false;
          addText(undefined);
          continue;
        }
        let text: string;
        try {
          text = readFileSync(from, 'utf8');
        } catch {
          return false;
        }
        if (templates) found.push({ rel: name, text });
        else addText(text, name);
      } else return false;
    }
    return true;
  };
  const chart = (abs: string, prefix: string, depth: number): boolean => {
    const entries = depth > 8 ? undefined : listing(abs);
    if (entries === undefined) return false;
    for (const entry of entries) {
      const from = path.join(abs, entry.name);
      if (entry.name === 'templates') {
        if (!walk(from, `${prefix}templates`, 0, true)) return false;
      } else if (entry.name === 'charts') {
        const subs = listing(from);
        if (subs === undefined) return false;
        for (const sub of subs) {
          const at = path.join(from, sub.name);
          const stat = statOf(at);
          if (stat === undefined) return false;
          if (stat.isDirectory()) {
            if (!chart(at, `${prefix}charts/${sub.name}/`, depth + 1)) return false;
          } else if (/\.tgz$/i.test(sub.name)) archives = true;
        }
      } else {
        const stat = statOf(from);
        if (stat === undefined) return false;
        if (stat.isDirectory()) {
          if (!walk(from, `${prefix}${entry.name}`, 0, false)) return false;
        } else if (stat.size > MAX_BYTES) addText(undefined);
        else {
          try {
            addText(readFileSync(from, 'utf8'), entry.name);
          } catch {
            return false;
          }
        }
      }
    }
    return true;
  };
  if (!chart(chartDir, '', 0)) return undefined;

  // Each file's actions by unit: its top level (what helm runs when it renders the file) and each named
  // template it defines (what runs where it is called).
  const parsed = found.map((f) => unitsOf(f.text));
  const definitions = new Map<string, Unit[]>();
  for (const u of parsed) for (const [name, unit] of u.defines) definitions.set(name, [...(definitions.get(name) ?? []), unit]);
  const units = parsed.flatMap((u) => [u.top, ...u.defines.values()]);
  const defined = new Set(parsed.flatMap((u) => [...u.defines.values()]));
  const direct = new Set(units.filter((unit) => changesShared(unit.actions)));
  // Kept for the scan: the units by word (what a render changing a key reads), not their text (memory).
  const byWord = new Map<string, Unit[]>();
  for (const unit of units) {
    for (const word of unit.words) {
      const list = byWord.get(word);
      if (list === undefined) byWord.set(word, [unit]);
      else list.push(unit);
    }
    unit.words = EMPTY_WORDS;
    unit.actions = [];
  }
  // Only a file calling a name no file defines (a path, a computed name) can include a file by its path.
  const byBase = new Map<string, number[]>();
  found.forEach((f, i) => {
    const b = f.rel.slice(f.rel.lastIndexOf('/') + 1);
    byBase.set(b, [...(byBase.get(b) ?? []), i]);
  });
  let links = 0;
  const files = found.map((f, i) => {
    const calls = [parsed[i]!.top, ...parsed[i]!.defines.values()].flatMap((unit) => unit.calls);
    const names: number[] = [];
    // A name with a slash may be a file's (a define named like one is replaced by the file in helm).
    if (calls.some((name) => typeof name !== 'string' || !definitions.has(name) || name.includes('/'))) {
      const words = new Set(f.text.match(/[^\s"'`/\\(){}|,]+/g) ?? []);
      for (const name of calls) if (typeof name === 'string' && name.includes('/')) words.add(name.slice(name.lastIndexOf('/') + 1));
      for (const [b, list] of byBase) if (words.has(b)) names.push(...list.filter((j) => j !== i));
    }
    links += names.length;
    const own = f.rel.slice(f.rel.lastIndexOf('/') + 1);
    return { rel: f.rel, kept: own.startsWith('_') || parsed[i]!.defines.size > 0 || DEFINES.test(f.text), top: parsed[i]!.top, names };
  });
  // Files naming each other by the thousand: nothing is left out rather than hold the web.
  if (links > MAX_LINKS) return undefined;
  return { files, byRel: new Map(files.map((f, i) => [f.rel, i])), units, definitions, defined, direct, archives, fileCalls, byWord };
}

/** A folder's entries but `.git`, or undefined when it cannot be listed. */
function listing(dir: string): Dirent[] | undefined {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.name !== '.git');
  } catch {
    return undefined;
  }
}

/** A path's stat with symlinks followed (as helm's loader follows them), or undefined. */
function statOf(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

/** A file's top level and the named templates it defines (by `define`/`block` nesting; comments skipped). */
function unitsOf(text: string): { top: Unit; defines: Map<string, Unit> } {
  const top: Unit = { actions: [], calls: [], words: new Set(), readsAny: false };
  const defines = new Map<string, Unit>();
  // The open blocks: a named template's unit, or undefined for if/range/with.
  const stack: (Unit | undefined)[] = [];
  for (const span of actionSpans(text)) {
    if (span.comment) continue;
    const raw = text.slice(span.start, span.end);
    const code = codeOf(raw);
    const word = /^\s*([A-Za-z_]\w*)/.exec(code)?.[1];
    const current = stack.findLast((u) => u !== undefined) ?? top;
    if (word === 'define' || word === 'block') {
      const name = /^\{\{-?\s*(?:define|block)\s+(?:"((?:[^"\\]|\\.)*)"|`([^`]*)`)/.exec(raw);
      const unit: Unit = { actions: [], calls: [], words: new Set(), readsAny: false };
      const defined = name === null ? undefined : name[1] !== undefined ? goStringValue(`"${name[1]}"`) : name[2]!;
      if (defined !== undefined) defines.set(defined, unit);
      // A block also runs where it stands.
      if (word === 'block') current.calls.push(defined);
      stack.push(unit);
      continue;
    }
    if (word === 'end') {
      stack.pop();
      continue;
    }
    if (word === 'if' || word === 'range' || word === 'with') stack.push(undefined);
    current.actions.push(code);
    for (const w of raw.match(WORD) ?? []) current.words.add(w);
    if (READS_ANY.test(code)) current.readsAny = true;
    for (const m of raw.matchAll(CALL)) current.calls.push(m[1] !== undefined ? goStringValue(`"${m[1]}"`) : m[2]);
    for (const m of code.matchAll(TPL_CALL)) {
      // tpl of values or a chart file: the index reads that text. Of anything else (a literal, decoded or
      // built text): it may do anything.
      const text = argumentsAt(code, m.index + m[0].length)[0] ?? '';
      if (PLAIN_TPL_TEXT.test(text)) current.calls.push(TPL);
      else {
        current.calls.push(ANYTHING);
        current.readsAny = true;
      }
    }
  }
  return { top, defines };
}

/** An action's code: delimiters, trim markers and string literals taken out (a string names nothing it calls). */
function codeOf(action: string): string {
  return action
    .replace(/^\{\{-?/, ' ')
    .replace(/-?\}\}$/, ' ')
    .replace(STRING_LITERALS, '""');
}

/** The end of the parenthesised group opening at `at` (exclusive), or -1. */
function groupEnd(code: string, at: number): number {
  let depth = 0;
  for (let i = at; i < code.length; i++) {
    if (code[i] === '(') depth++;
    else if (code[i] === ')' && --depth === 0) return i + 1;
  }
  return -1;
}

/** The commands of a pipeline (split at `|` outside parentheses), trimmed. */
function commands(pipeline: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < pipeline.length; i++) {
    const c = pipeline[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(pipeline.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(pipeline.slice(start).trim());
  return out;
}

/** The function of a pipeline's last command (groups unwrapped), with that command's text. */
function lastFunction(pipeline: string): { fn: string; command: string; input?: string } | undefined {
  let list = commands(pipeline);
  let last = list.at(-1) ?? '';
  while (last.startsWith('(') && groupEnd(last, 0) === last.length) {
    list = commands(last.slice(1, -1));
    last = list.at(-1) ?? '';
  }
  const fn = /^[A-Za-z_]\w*/.exec(last)?.[0];
  return fn === undefined ? undefined : { fn, command: last, ...(list.length > 1 ? { input: list.slice(0, -1).join('|') } : {}) };
}

/** The arguments of the command whose function name ends at `at`, to the end of that command. */
function argumentsAt(code: string, at: number): string[] {
  const out: string[] = [];
  let i = at;
  for (;;) {
    while (i < code.length && /\s/.test(code[i]!)) i++;
    if (i >= code.length || code[i] === '|' || code[i] === ')') return out;
    if (code[i] === '(') {
      const end = groupEnd(code, i);
      if (end === -1) return out;
      out.push(code.slice(i, end));
      i = end;
      continue;
    }
    const token = /^(?:""|[^\s|()]+)/.exec(code.slice(i))![0];
    out.push(token);
    i += token.length;
  }
}

/** The command piped into the one starting at `start` (the text before its `|`), if any. */
function pipedInto(code: string, start: number): string | undefined {
  let i = start - 1;
  while (i >= 0 && /\s/.test(code[i]!)) i--;
  if (code[i] !== '|') return undefined;
  let depth = 0;
  for (let j = i - 1; j >= 0; j--) {
    const c = code[j];
    if (c === ')') depth++;
    else if (c === '(') {
      if (depth === 0) return code.slice(j + 1, i);
      depth--;
    } else if (c === '|' && depth === 0) return code.slice(j + 1, i);
  }
  return code.slice(0, i).replace(/^\s*(?:\$\w+\s*:?=)?/, '');
}

/** Variables holding data made in this unit: new at the top (`fresh`), or sharing nothing at any depth (`deep`). */
interface Freshness {
  fresh: ReadonlySet<string>;
  deep: ReadonlySet<string>;
}

/** Whether an argument shares nothing with data other files read (a literal, new data of literals, a deep variable). */
function deepArgument(arg: string, f: Freshness): boolean {
  if (arg === '""' || /^(?:-?[\d.]+|true|false|nil)$/.test(arg)) return true;
  if (arg.startsWith('(')) return deepPipeline(arg.slice(1, -1), f);
  if (/^[A-Za-z_]\w*$/.test(arg)) return DEEP_NEW.has(arg) || arg === 'dict' || arg === 'list';
  const variable = /^(\$\w+)(?:\.[\w.]*)?$/.exec(arg);
  return variable !== null && f.deep.has(variable[1]!);
}

/** Whether a pipeline's result shares nothing at any depth: parsed data, a copy, or new data and merges of such. */
function deepPipeline(pipeline: string, f: Freshness): boolean {
  const last = lastFunction(pipeline);
  if (last === undefined) return deepArgument(pipeline.trim(), f);
  if (DEEP_NEW.has(last.fn)) return true;
  if (last.fn === 'dict' || last.fn === 'list' || MERGES.has(last.fn)) {
    const args = argumentsAt(last.command, last.fn.length);
    return args.every((a) => deepArgument(a, f)) && (last.input === undefined || deepPipeline(last.input, f));
  }
  return false;
}

/** Whether a pipeline yields a new dict (its own keys may be changed): new data, or a merge into new data. */
function freshPipeline(pipeline: string, f: Freshness): boolean {
  const last = lastFunction(pipeline);
  if (last === undefined) return false;
  if (NEW_DATA.has(last.fn)) return true;
  if (!MERGES.has(last.fn)) return false;
  const first = argumentsAt(last.command, last.fn.length)[0];
  return first !== undefined && freshArgument(first, f);
}

function freshArgument(arg: string, f: Freshness): boolean {
  if (arg.startsWith('(')) return freshPipeline(arg.slice(1, -1), f);
  if (/^[A-Za-z_]\w*$/.test(arg)) return NEW_DATA.has(arg);
  const variable = /^(\$\w+)(\.[\w.]*)?$/.exec(arg);
  if (variable === null) return false;
  return variable[2] === undefined ? f.fresh.has(variable[1]!) : f.deep.has(variable[1]!);
}

/**
 * Whether a unit's actions may reach past its file: change data other files read (`set`/`unset` of
 * anything but a dict it made, a merge of anything but data sharing nothing, `sortAlpha` of a shared list,
 * which sorts it in place in helm 3) or stop the render (`fail`, `required`: the full render would fail).
 */
function changesShared(code: readonly string[]): boolean {
  if (!code.some((c) => c.search(EFFECTS) !== -1)) return false;
  // Assignments by variable; range's variables hold the ranged data (never new).
  const assigned = new Map<string, string[]>();
  const shared = new Set<string>();
  for (const c of code) {
    const range = /^\s*range\s+(\$\w+)\s*(?:,\s*(\$\w+)\s*)?:?=/.exec(c);
    if (range) {
      shared.add(range[1]!);
      if (range[2] !== undefined) shared.add(range[2]);
      continue;
    }
    const assignment = /^\s*(?:(?:if|with|else\s+if|else\s+with)\s+)?(\$\w+)\s*:?=(?!=)(.*)$/s.exec(c);
    if (assignment) assigned.set(assignment[1]!, [...(assigned.get(assignment[1]!) ?? []), assignment[2]!]);
    // An assignment inside a pipeline (`if ($d = .Values.x)`) is not read: the variable may hold anything.
    for (const m of c.matchAll(/[^\s]\s*(\$\w+)\s*:?=(?!=)/g)) if (assignment === null || m.index > 0) shared.add(m[1]!);
  }
  const calls = code.flatMap((c) =>
    [...c.matchAll(EFFECTS)].map((m) => {
      const at = m.index + m[0].length;
      return { fn: m[1]!, args: argumentsAt(c, at), piped: pipedInto(c, at - m[1]!.length) };
    }),
  );
  const candidates = [...assigned.keys()].filter((v) => !shared.has(v));
  const fresh = new Set(candidates);
  const deep = new Set(candidates);
  const f = { fresh, deep };
  for (let changed = true; changed; ) {
    changed = false;
    for (const v of [...deep]) {
      // A deep variable stays so unless something shared is merged or set into it.
      const filled = calls.some((call) => {
        const target = call.fn === 'set' || MERGES.has(call.fn) ? call.args[0] : undefined;
        if (target === undefined || /^\$\w+/.exec(target)?.[0] !== v) return false;
        const values = [...call.args.slice(call.fn === 'set' ? 2 : 1), ...(call.piped !== undefined ? [`(${call.piped})`] : [])];
        return !values.every((a) => deepArgument(a, f));
      });
      if (!filled && assigned.get(v)!.every((rhs) => deepPipeline(rhs, f))) continue;
      deep.delete(v);
      changed = true;
    }
    for (const v of [...fresh]) {
      if (assigned.get(v)!.every((rhs) => freshPipeline(rhs, f))) continue;
      fresh.delete(v);
      changed = true;
    }
  }
  return calls.some((call) => {
    if (call.fn === 'fail' || call.fn === 'required') return true;
    const first = call.args[0] ?? (call.piped !== undefined ? `(${call.piped})` : undefined);
    if (first === undefined) return true;
    if (call.fn === 'set' || call.fn === 'unset') return !freshArgument(first, f);
    if (call.fn === 'sortAlpha') return !deepArgument(first, f);
    return ![...call.args, ...(call.piped !== undefined ? [`(${call.piped})`] : [])].every((a) => deepArgument(a, f));
  });
}

/**
 * The template files (chart-relative) a render that only needs `keep` can leave out, or an empty list when
 * a kept file is not one of the chart's template files (an archive's, outside the chart): nothing then.
 * `given`: the text of the render's own values files and `--set` values (what tpl may be handed), or what
 * valuesTextCalls read of them.
 * `valueKeys`: the names of the values keys this render changes from a render that succeeded (provenance's
 * sentinels and flips): the files reading any of them are kept too, so that a file the changed values break
 * (a sentinel compared with a number, a nil map after a flip) fails the subset as it fails the chart.
 */
export function omittedTemplates(index: TemplateIndex | undefined, keep: readonly string[], given: readonly (string | TextCalls)[] = [], valueKeys: readonly string[] = []): string[] {
  if (index === undefined || keep.length === 0) return [];
  const kept = new Set<number>();
  const queue: number[] = [];
  for (const rel of keep) {
    const at = index.byRel.get(rel);
    if (at === undefined) return [];
    queue.push(at);
  }
  const handed = given.map((text) => (typeof text === 'string' ? valuesTextCalls(text) : text));
  const texts = [index.fileCalls, ...handed];
  const tplCalls = [...new Set(texts.flatMap((t) => t.calls))];
  // Units that change shared data or stop the render, themselves or through what they call.
  const mutating = closure(index, index.direct, texts.some((t) => t.effects), tplCalls);
  // Units that read a changed key (by name, or any key).
  const parts = valueKeys.map((key) => key.match(WORD) ?? []).filter((p) => p.length > 0);
  const readsChanged = (words: ReadonlySet<string>, any: boolean) => any || parts.some((p) => p.every((w) => words.has(w)));
  const seed = new Set(index.units.filter((u) => u.readsAny));
  for (const p of parts) {
    // Units holding every word of the key: the shortest list, checked against the others.
    const lists = p.map((w) => index.byWord.get(w) ?? []);
    const shortest = lists.reduce((a, b) => (b.length < a.length ? b : a));
    const others = lists.filter((l) => l !== shortest).map((l) => new Set(l));
    for (const unit of shortest) if (others.every((o) => o.has(unit))) seed.add(unit);
  }
  const reading = parts.length === 0 ? new Set<Unit>() : closure(index, seed, texts.some((t) => readsChanged(t.words, t.readsAny)), tplCalls);
  index.files.forEach((f, i) => {
    if (f.kept || mutating.has(f.top) || reading.has(f.top)) queue.push(i);
  });
  while (queue.length > 0) {
    const i = queue.pop()!;
    if (kept.has(i)) continue;
    kept.add(i);
    queue.push(...index.files[i]!.names);
  }
  return collapsed(index.files.map((f) => f.rel), new Set(index.files.filter((_, i) => !kept.has(i)).map((f) => f.rel)));
}

/**
 * The units that do what `seed` does, themselves or through the named templates they call, to a fixed
 * point: a name defined nowhere here, or built at render time, may be any named template that does (and
 * with a subchart archive there, whose named templates are not read and may replace the chart's own, any
 * name may); tpl does it when the text it may be handed does (`tplHit`) or names what does.
 */
function closure(index: TemplateIndex, seed: ReadonlySet<Unit>, tplHit: boolean, tplCalls: readonly (string | undefined)[]): Set<Unit> {
  const marked = new Set(seed);
  let named = [...marked].some((u) => index.defined.has(u));
  const reaches = (name: Unit['calls'][number]): boolean => {
    if (name === ANYTHING) return true;
    if (name === TPL) return tplHit || tplCalls.some(reaches);
    if (index.archives) return true;
    if (name === undefined) return named;
    const at = index.definitions.get(name);
    return at === undefined || at.some((d) => marked.has(d));
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const unit of index.units) {
      if (marked.has(unit) || !unit.calls.some(reaches)) continue;
      marked.add(unit);
      if (index.defined.has(unit)) named = true;
      changed = true;
    }
  }
  return marked;
}

/**
 * The left-out files with every folder all of whose files are left out named instead of its files (the
 * staged view then leaves the folder out whole rather than linking what is beside each file).
 */
function collapsed(all: readonly string[], left: ReadonlySet<string>): string[] {
  // Folders holding a kept file: no folder above a kept file is left out whole.
  const holds = new Set<string>();
  for (const rel of all) {
    if (left.has(rel)) continue;
    for (let at = rel.lastIndexOf('/'); at > 0; at = rel.lastIndexOf('/', at - 1)) holds.add(rel.slice(0, at));
  }
  const out = new Set<string>();
  for (const rel of left) {
    // The outermost folder without a kept file, from the chart level's templates/ folder down (a chart's
    // whole templates/ folder when none of its files is kept: a subchart's, or the chart's own when only
    // a subchart's file is read).
    const parts = rel.split('/');
    const base = parts.lastIndexOf('templates');
    let name = rel;
    for (let depth = base; depth < parts.length - 1; depth++) {
      const folder = parts.slice(0, depth + 1).join('/');
      if (!holds.has(folder)) {
        name = folder;
        break;
      }
    }
    out.add(name);
  }
  return [...out];
}
