// Which charts a comparison with a base has to render: those whose files changed since the base, those
// depending on one (a `file://` dependency; a vendored copy under `charts/` is inside the chart already),
// and every chart when the configuration or a values file it names changed. The others render the same
// on both sides, so their findings would all be "existing": they are left out of both scans and listed.
import { readdirSync, readlinkSync, realpathSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { dependenciesOf } from '../render/chart-metadata.ts';
import { readChartMetadata } from '../render/helm.ts';
import { CONFIG_FILE_NAME, namedValuesFiles, type Config } from '../config/config.ts';
import { isInside } from '../model/paths.ts';
import { relativeTo } from './discover.ts';

/**
 * Repository-relative directories a chart's `file://` dependencies name, as helm's loader reads them:
 * requirements.yaml merged into Chart.yaml whatever the apiVersion (chart-metadata.ts).
 */
export function localDependencies(repoRoot: string, chart: string): string[] {
  const dir = path.join(repoRoot, chart);
  const metadata = readChartMetadata(dir, repoRoot);
  if (typeof metadata === 'string') return []; // helm says what is wrong when it renders
  const out: string[] = [];
  for (const dep of dependenciesOf(metadata)) {
    if (!dep.repository.startsWith('file://')) continue;
    const target = path.resolve(dir, dep.repository.slice('file://'.length));
    // A dependency outside the repository is not in the comparison: it is the same on both sides.
    if (isInside(repoRoot, target)) out.push(relativeTo(repoRoot, target));
  }
  return out;
}

const under = (file: string, dir: string) => dir === '.' || file === dir || file.startsWith(dir + '/');

/**
 * Repository-relative targets of the symlinks in a chart's folder that resolve outside it (helm reads
 * through them): a change there changes the chart's render. Links into the chart itself, dangling ones and
 * targets outside the repository (the same on both sides) add nothing.
 */
export function linkedOutside(repoRoot: string, chart: string): string[] {
  const root = path.join(repoRoot, chart);
  let realRoot: string;
  let realRepo: string;
  try {
    realRoot = realpathSync(root);
    realRepo = realpathSync(repoRoot);
  } catch {
    return [];
  }
  const out = new Set<string>();
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const at = path.join(dir, entry.name);
      // A chart at the repository's root holds .git: nothing helm renders (it renders from a mirror without it).
      if (entry.isDirectory()) {
        if (entry.name !== '.git') walk(at);
      }
      else if (entry.isSymbolicLink()) {
        let target: string;
        try {
          target = realpathSync(at);
        } catch {
          continue;
        }
        if (isInside(realRoot, target)) continue;
        const add = (from: string, t: string) => {
          const rel = path.relative(from, t);
          if (!rel.startsWith('..') && !path.isAbsolute(rel)) out.add(rel.split(path.sep).join('/') || '.');
        };
        add(realRepo, target);
        // Every hop of a chain of links too: the pull request may retarget any of them.
        let hop = at;
        for (let hops = 0; hops < 40; hops++) {
          let next: string;
          try {
            next = path.resolve(path.dirname(hop), readlinkSync(hop));
          } catch {
            break; // not a link (the chain's end)
          }
          add(repoRoot, next);
          hop = next;
        }
      }
    }
  };
  walk(root);
  return [...out];
}

export interface ChartChoice {
  rendered: string[];
  unchanged: string[];
  /** Why every chart is rendered, when it is. */
  allBecause?: string;
}

/**
 * Splits one side's charts (repository-relative directories) into those to render and those unchanged.
 * `changed` lists the repository-relative files that differ between the base and the head (either side's
 * name of a renamed file); `repoRoot` is the side's root, for reading its Chart.yaml files.
 */
export function chooseCharts(repoRoot: string, charts: readonly string[], changed: readonly string[], config: Config, extraValuesFiles: readonly string[], all: string | undefined): ChartChoice {
  const everything = (why: string): ChartChoice => ({ rendered: [...charts].sort(), unchanged: [], allBecause: why });
  if (all !== undefined) return everything(all);
  const rel = (file: string) => relativeTo(repoRoot, path.resolve(repoRoot, file));
  // The configuration decides how every chart renders (values, value sets, release name, kube version, rules).
  const config_ = changed.find((file) => path.posix.basename(file) === CONFIG_FILE_NAME || (config.file !== undefined && file === rel(config.file)));
  if (config_ !== undefined) return everything(`the configuration ${config_} changed`);
  const named = new Set([...namedValuesFiles(config), ...extraValuesFiles].map(rel));
  const values = changed.find((file) => named.has(file));
  if (values !== undefined) return everything(`the values file ${values}, which the configuration names, changed`);

  const memo = new Map<string, boolean>();
  const isChanged = (dir: string, visiting: Set<string>): boolean => {
    const known = memo.get(dir);
    if (known !== undefined) return known;
    if (visiting.has(dir)) return false; // a dependency cycle: helm refuses it; decided by the other members
    visiting.add(dir);
    // A changed folder holding the chart is a submodule whose commit moved (git lists the gitlink's path);
    // a symlink in the chart reads files the pull request may change outside it.
    const result =
      changed.some((file) => under(file, dir) || under(dir, file)) ||
      linkedOutside(repoRoot, dir).some((target) => changed.some((file) => under(file, target) || under(target, file))) ||
      localDependencies(repoRoot, dir).some((dep) => isChanged(dep, visiting));
    visiting.delete(dir);
    memo.set(dir, result);
    return result;
  };
  const rendered: string[] = [];
  const unchanged: string[] = [];
  for (const chart of [...charts].sort()) (isChanged(chart, new Set()) ? rendered : unchanged).push(chart);
  return { rendered, unchanged };
}
