// Which charts a comparison with a base has to render: those whose files changed since the base, those
// depending on one (a `file://` dependency; a vendored copy under `charts/` is inside the chart already),
// and every chart when the configuration or a values file it names changed. The others render the same
// on both sides, so their findings would all be "existing": they are left out of both scans and listed.
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
    const result = changed.some((file) => under(file, dir)) || localDependencies(repoRoot, dir).some((dep) => isChanged(dep, visiting));
    visiting.delete(dir);
    memo.set(dir, result);
    return result;
  };
  const rendered: string[] = [];
  const unchanged: string[] = [];
  for (const chart of [...charts].sort()) (isChanged(chart, new Set()) ? rendered : unchanged).push(chart);
  return { rendered, unchanged };
}
