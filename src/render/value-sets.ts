// The value sets a chart is rendered with: its defaults, every ci/*-values.yaml (the chart-testing
// convention) and the sets named for it in .preadmit.yaml. Rendering lists them here; the pipeline
// evaluates each set's render and merges the findings (pipeline/evaluate.ts).
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { minimatch } from 'minimatch';
import type { Config } from '../config/config.ts';

export const DEFAULT_VALUE_SET = 'default';

/** The order in which value sets speak for a finding several of them show: the defaults, then by name. */
export function compareValueSets(a: string, b: string): number {
  if (a === b) return 0;
  if (a === DEFAULT_VALUE_SET) return -1;
  if (b === DEFAULT_VALUE_SET) return 1;
  return a < b ? -1 : 1;
}

export interface ValueSet {
  name: string;
  kind: 'default' | 'ci' | 'config';
  /** Values files given to helm, in order (absolute): the configured base, then the set's own. */
  valuesFiles: string[];
  set: string[];
  /** The files and pairs that make this set differ from the default render. */
  own: { valuesFiles: string[]; set: string[] };
}

/** The configuration entries that apply to a chart directory. */
export function chartEntries(dir: string, config: Config): Config['charts'] {
  return config.charts.filter((entry) => entry.path === dir || minimatch(dir, entry.path));
}

/** ci/*-values.yaml files of a chart, sorted by name. */
export function ciValuesFiles(dir: string): string[] {
  const ci = path.join(dir, 'ci');
  if (!existsSync(ci)) return [];
  try {
    if (!statSync(ci).isDirectory()) return [];
    return readdirSync(ci)
      .filter((f) => f.endsWith('-values.yaml'))
      .sort()
      .map((f) => path.join(ci, f));
  } catch {
    return [];
  }
}

/**
 * The value sets a chart is rendered with: `default` (the chart's values plus the configured base
 * values), then `ci/<file>` for each ci/*-values.yaml when enabled, then the configured sets.
 */
export function valueSetsOf(dir: string, config: Config, options: { all?: boolean } = {}): ValueSet[] {
  const own = chartEntries(dir, config);
  const baseFiles = [...config.helm.valuesFiles, ...own.flatMap((entry) => entry.valuesFiles)];
  const baseSet = [...config.helm.set, ...own.flatMap((entry) => entry.set)];
  const sets: ValueSet[] = [{ name: DEFAULT_VALUE_SET, kind: 'default', valuesFiles: baseFiles, set: baseSet, own: { valuesFiles: [], set: [] } }];
  if (options.all === false) return sets;
  if (config.valueSets.ci) {
    for (const file of ciValuesFiles(dir)) {
      sets.push({ name: `ci/${path.basename(file)}`, kind: 'ci', valuesFiles: [...baseFiles, file], set: baseSet, own: { valuesFiles: [file], set: [] } });
    }
  }
  const names = new Set(sets.map((s) => s.name));
  for (const entry of own) {
    for (const set of entry.valueSets) {
      if (names.has(set.name)) continue;
      names.add(set.name);
      sets.push({
        name: set.name,
        kind: 'config',
        valuesFiles: [...baseFiles, ...set.valuesFiles],
        set: [...baseSet, ...set.set],
        own: { valuesFiles: set.valuesFiles, set: set.set },
      });
    }
  }
  return sets;
}
