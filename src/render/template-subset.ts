// Which template files a provenance render can leave out (issue 18). A confirmation render only reads the
// objects of the findings it locates, but helm renders every template of the chart: on the corpus a third
// of helm's CPU went to provenance renders, most of it on templates no finding is in (generated
// certificates, CRDs in templates, dozens of other components). A template file renders on its own in
// helm: its output depends on the values, the release and the named templates (`define`) of the whole
// chart, not on the other files' output, except where a file
// - defines named templates (any file may; `_`-files are never rendered on their own anyway),
// - changes shared data while it renders (`set`, `unset`, `merge`, `mergeOverwrite`: a dict of `.Values`
//   changed by one file is seen by the files rendered after it), itself or through a named template it
//   includes, or
// - is included by its path (`include (print $.Template.BasePath "/configmap.yaml") .`, the checksum idiom).
// Such files are always kept, with the files the kept ones name; the rest is left out. Subcharts unpacked in
// `charts/` are read the same way; archives are kept whole (their named templates count as changing
// data). Anything unreadable keeps the whole chart. A render that fails without them is made again with
// every file (helm.ts), so the subset can only lose nothing or make a render succeed that a template no
// finding is in would have stopped.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { actionSpans } from './actions.ts';

interface TemplateFile {
  /** Chart-relative path, `/`-separated. */
  rel: string;
  /** Pinned: defines, changes shared data, or calls what does: never left out. */
  pinned: boolean;
  /** Indexes of the files whose base name its text holds (a path include). */
  names: number[];
}

/** The template files of a chart, or undefined when some cannot be read (nothing is left out then). */
export interface TemplateIndex {
  files: TemplateFile[];
  byRel: Map<string, number>;
}

const MUTATES = /\b(?:set|unset|merge|mergeOverwrite|mustMerge|mustMergeOverwrite)\b/;
const DEFINES = /\{\{-?\s*(?:define|block)\b/;
const DEFINE = /\{\{-?\s*(?:define|block)\s+(?:"((?:[^"\\]|\\.)*)"|`([^`]*)`)/g;
const CALL = /\b(?:include|template)\s+(?:"((?:[^"\\]|\\.)*)"|`([^`]*)`|(\S))/g;
const MAX_FILES = 5000;
const MAX_BYTES = 4 * 1024 * 1024;

/** The template files of a chart and of the subcharts unpacked in it, read as the module header says. */
export function templateIndex(chartDir: string): TemplateIndex | undefined {
  const found: { rel: string; text: string }[] = [];
  let archives = false;
  const walk = (abs: string, rel: string, depth: number): boolean => {
    if (depth > 32 || found.length > MAX_FILES) return false;
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      return false;
    }
    for (const entry of entries) {
      const from = path.join(abs, entry.name);
      const name = `${rel}/${entry.name}`;
      let stat;
      try {
        stat = entry.isSymbolicLink() ? statSync(from) : entry;
      } catch {
        return false;
      }
      if (stat.isDirectory()) {
        if (!walk(from, name, depth + 1)) return false;
      } else if (stat.isFile()) {
        let text: string;
        try {
          if (statSync(from).size > MAX_BYTES) return false;
          text = readFileSync(from, 'utf8');
        } catch {
          return false;
        }
        found.push({ rel: name, text });
      } else return false;
    }
    return true;
  };
  const chart = (abs: string, prefix: string, depth: number): boolean => {
    if (depth > 8) return false;
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      return false;
    }
    const templates = entries.find((e) => e.name === 'templates');
    if (templates !== undefined && !walk(path.join(abs, 'templates'), `${prefix}templates`, 0)) return false;
    if (!entries.some((e) => e.name === 'charts')) return true;
    let subs;
    try {
      subs = readdirSync(path.join(abs, 'charts'), { withFileTypes: true });
    } catch {
      return false;
    }
    for (const sub of subs) {
      const from = path.join(abs, 'charts', sub.name);
      let isDir: boolean;
      try {
        isDir = statSync(from).isDirectory();
      } catch {
        return false;
      }
      if (!isDir) {
        if (/\.tgz$/i.test(sub.name)) archives = true;
        continue;
      }
      if (!chart(from, `${prefix}charts/${sub.name}/`, depth + 1)) return false;
    }
    return true;
  };
  if (!chart(chartDir, '', 0)) return undefined;

  // Named templates and the files that define them; a name defined nowhere here (an archive's, a name
  // built at render time) counts as one that may change data.
  const definedIn = new Map<string, number[]>();
  const defines = found.map((f, i) => {
    for (const m of f.text.matchAll(DEFINE)) {
      const name = m[1] ?? m[2]!;
      definedIn.set(name, [...(definedIn.get(name) ?? []), i]);
    }
    return DEFINES.test(f.text);
  });
  const actions = found.map((f) => actionSpans(f.text).filter((s) => !s.comment).map((s) => f.text.slice(s.start, s.end)));
  // The named templates each file calls; undefined: a name known only at render time (or tpl's text).
  const calls = actions.map((list) => {
    const out: (string | undefined)[] = [];
    for (const action of list) {
      for (const m of action.matchAll(CALL)) out.push(m[1] ?? m[2]);
      if (/\btpl\b/.test(action)) out.push(undefined);
    }
    return out;
  });
  const mutating = new Set<number>();
  actions.forEach((list, i) => {
    if (list.some((a) => MUTATES.test(a))) mutating.add(i);
  });
  // Files calling a named template of a changing file (or an unknown one) change data too: to a fixed point.
  for (let changed = true; changed; ) {
    changed = false;
    calls.forEach((list, i) => {
      if (mutating.has(i)) return;
      const reaches = list.some((name) => {
        if (name === undefined) return archives || mutating.size > 0;
        const at = definedIn.get(name);
        return at === undefined || at.some((j) => mutating.has(j));
      });
      if (reaches) {
        mutating.add(i);
        changed = true;
      }
    });
  }
  // Only a file calling a name no file defines (a path, a computed name) can include a file by its path.
  const byBase = new Map<string, number[]>();
  found.forEach((f, i) => {
    const b = f.rel.slice(f.rel.lastIndexOf('/') + 1);
    byBase.set(b, [...(byBase.get(b) ?? []), i]);
  });
  const files: TemplateFile[] = found.map((f, i) => {
    const names: number[] = [];
    if (calls[i]!.some((name) => name === undefined || !definedIn.has(name))) {
      for (const [b, list] of byBase) if (f.text.includes(b)) names.push(...list.filter((j) => j !== i));
    }
    const own = f.rel.slice(f.rel.lastIndexOf('/') + 1);
    return { rel: f.rel, pinned: own.startsWith('_') || defines[i]! || mutating.has(i), names };
  });
  return { files, byRel: new Map(files.map((f, i) => [f.rel, i])) };
}

/**
 * The template files (chart-relative) a render that only needs `keep` can leave out, or an empty list when
 * a kept file is not one of the chart's template files (an archive's, outside the chart): nothing then.
 */
export function omittedTemplates(index: TemplateIndex | undefined, keep: readonly string[]): string[] {
  if (index === undefined || keep.length === 0) return [];
  const kept = new Set<number>();
  const queue: number[] = [];
  for (const rel of keep) {
    const at = index.byRel.get(rel);
    if (at === undefined) return [];
    queue.push(at);
  }
  index.files.forEach((f, i) => {
    if (f.pinned) queue.push(i);
  });
  while (queue.length > 0) {
    const i = queue.pop()!;
    if (kept.has(i)) continue;
    kept.add(i);
    queue.push(...index.files[i]!.names);
  }
  return index.files.filter((_, i) => !kept.has(i)).map((f) => f.rel);
}
