// The chart context rules read through RuleContext.chart: a render's values with the file and line that set
// each string, and the chart's template sources. Everything comes from the chart's files, on first use:
// no render, no helm, and it works with provenance off.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ChartRender } from '../render/charts.ts';
import type { ScannedObject, TemplateLocation, ValuesLocation } from '../model/model.ts';
import { isInside, relativeTo, safeRealpath } from '../model/paths.ts';
import type { ChartContext, ChartDefaultString } from '../engine/rule-kit.ts';
import { effectiveValues, locationOf, nodesOf, scopeOfTemplate, type EffectiveValues, type ValuesFileCache } from '../render/effective-values.ts';

/** Template files larger than this are not searched (helm rendered them, but a literal search needs no more). */
const MAX_TEMPLATE_BYTES = 2 * 1024 * 1024;
/** Helper files searched per chart at most, and how deep under templates/. */
const MAX_HELPERS = 200;
const MAX_DEPTH = 4;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A matcher for lines that write `text` as a literal: quoted ("x", 'x', `x`: a template string or a YAML
 * quoted scalar), or as the whole value after `:` or `=` (a YAML value, a properties or .env entry), a
 * trailing comment allowed. A word that merely occurs (`release:` as a key, `secret` in a name) is not one.
 */
function literalMatcher(text: string): (line: string) => boolean {
  const quoted = ['"', "'", '`'].map((q) => q + text + q);
  const value = new RegExp(`[:=]\\s*${escapeRegExp(text)}\\s*(?:[,;]\\s*)?(?:#.*)?$`);
  return (line) => line.includes(text) && (quoted.some((q) => line.includes(q)) || value.test(line));
}

const RENDER_VALUES = new WeakMap<ChartRender, EffectiveValues>();

/**
 * The effective values of a render, computed once per render for every stage that reads them (the rules'
 * chart context, provenance, the values lint). Nothing mutates them.
 */
export function valuesOfRender(render: ChartRender, files?: ValuesFileCache): EffectiveValues {
  let values = RENDER_VALUES.get(render);
  if (values === undefined) {
    const { dir, request } = render;
    values = effectiveValues({ chartDir: dir, valuesFiles: request.valuesFiles, set: request.set, ...(files ? { files } : {}) });
    RENDER_VALUES.set(render, values);
  }
  return values;
}

/**
 * Lets go of a render's effective values (memory, issue 18: kept for every render, they held ~20 MB of the
 * corpus's default run until the end of the scan); valuesOfRender computes them again if asked.
 */
export function releaseValuesOfRender(render: ChartRender): void {
  RENDER_VALUES.delete(render);
}

class DefaultString implements ChartDefaultString {
  private located?: ValuesLocation;
  constructor(
    readonly path: readonly (string | number)[],
    readonly value: string,
    private readonly locate: () => ValuesLocation,
  ) {}

  get where(): ValuesLocation {
    return (this.located ??= this.locate());
  }
}

export class RenderChartContext implements ChartContext {
  private values?: EffectiveValues;
  private defaults?: ChartDefaultString[];
  private strings?: string[];
  private supplied?: Set<string>;
  private readonly lines = new Map<string, string[] | undefined>();
  private readonly helpers = new Map<string, string[]>();

  constructor(
    private readonly render: ChartRender,
    private readonly files: ValuesFileCache = new Map(),
  ) {}

  /**
   * Lets go of what was computed for the rules (values, their strings, template lines): once its render is
   * evaluated nothing reads them again, and kept for every render they held ~12 MB of the corpus's default
   * run (issue 18). Asked again, they are computed again.
   */
  release(): void {
    delete this.values;
    delete this.defaults;
    delete this.strings;
    delete this.supplied;
    this.lines.clear();
    this.helpers.clear();
  }

  private effective(): EffectiveValues {
    return (this.values ??= valuesOfRender(this.render, this.files));
  }

  defaultStrings(): readonly ChartDefaultString[] {
    if (this.defaults) return this.defaults;
    const values = this.effective();
    const repoRoot = this.render.repoRoot;
    const out: ChartDefaultString[] = [];
    for (const node of nodesOf(values.value)) {
      if (node.kind !== 'scalar' || typeof node.value !== 'string' || node.value === '') continue;
      if (values.originOf(node.path)?.layer.kind !== 'chart') continue;
      // The line is looked up only for the strings a rule reports (a position lookup per leaf is the costly part).
      out.push(
        new DefaultString(node.path, node.value, () => {
          const where = locationOf(values, node.path)!;
          return { file: relativeTo(repoRoot, where.file), ...(where.line !== undefined ? { line: where.line } : {}), key: where.key };
        }),
      );
    }
    return (this.defaults = out);
  }

  valueStrings(): readonly string[] {
    if (this.strings) return this.strings;
    const out: string[] = [];
    for (const node of nodesOf(this.effective().value)) if (typeof node.value === 'string' && node.value !== '') out.push(node.value);
    return (this.strings = out);
  }

  suppliedStrings(): ReadonlySet<string> {
    if (this.supplied) return this.supplied;
    const out = new Set<string>();
    for (const layer of this.effective().layers) {
      if (layer.kind === 'chart') continue;
      for (const node of nodesOf(layer.value)) if (typeof node.value === 'string' && node.value !== '') out.add(node.value);
    }
    return (this.supplied = out);
  }

  scopeOf(template: string): readonly (string | number)[] | undefined {
    return scopeOfTemplate(this.effective(), template)?.path;
  }

  findLiteral(template: string, texts: readonly string[]): TemplateLocation | undefined {
    const wanted = texts.filter((t) => t !== '' && !t.includes('\n')).map(literalMatcher);
    if (wanted.length === 0) return undefined;
    const scope = scopeOfTemplate(this.effective(), template);
    if (scope?.dir === undefined) return undefined;
    // `parent/charts/child/templates/x.yaml`: past the chart names, the path is inside the scope's directory.
    const rest = template.split('/').slice(1 + 2 * (scope.sourceNames.length - 1));
    const own = path.join(scope.dir, ...rest);
    for (const file of [own, ...this.helperFiles(scope.dir)]) {
      const lines = this.read(file, scope.dir);
      if (lines === undefined) continue;
      const index = lines.findIndex((line) => wanted.some((holds) => holds(line)));
      if (index !== -1) return { file: relativeTo(this.render.repoRoot, file), line: index + 1 };
    }
    return undefined;
  }

  /** `templates/_*` files of a chart directory (partials: helm renders none of them on their own). */
  private helperFiles(dir: string): string[] {
    const known = this.helpers.get(dir);
    if (known) return known;
    const out: string[] = [];
    const walk = (at: string, depth: number) => {
      if (depth > MAX_DEPTH || out.length >= MAX_HELPERS) return;
      let entries: string[];
      try {
        entries = readdirSync(at).sort();
      } catch {
        return;
      }
      for (const entry of entries) {
        const full = path.join(at, entry);
        try {
          const stat = statSync(full);
          if (stat.isDirectory()) walk(full, depth + 1);
          else if (entry.startsWith('_') && out.length < MAX_HELPERS) out.push(full);
        } catch {
          // unreadable entry: skipped
        }
      }
    };
    walk(path.join(dir, 'templates'), 0);
    this.helpers.set(dir, out);
    return out;
  }

  /** A template file's lines, only when it really lies inside the chart directory and is not huge. */
  private read(file: string, dir: string): string[] | undefined {
    if (this.lines.has(file)) return this.lines.get(file);
    let lines: string[] | undefined;
    const real = safeRealpath(file);
    const root = safeRealpath(dir);
    try {
      if (real !== undefined && root !== undefined && isInside(root, real) && statSync(real).size <= MAX_TEMPLATE_BYTES) {
        lines = readFileSync(real, 'utf8').split(/\r?\n/);
      }
    } catch {
      lines = undefined;
    }
    this.lines.set(file, lines);
    return lines;
  }
}
