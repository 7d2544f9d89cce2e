// Renders charts with the real helm binary. Only `helm template` (and `helm version`) is ever run, with
// arguments as an array (no shell), and HELM_* homes pointed at a private directory so a repository
// cannot bring its own plugins, repositories or registry credentials.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { isObj, str, arr } from '../k8s/values.ts';

export class HelmNotFoundError extends Error {}

export interface HelmBinary {
  path: string;
  version: string;
  major: number;
}

/** Private HELM_* homes for every helm process of this run. */
let privateHome: string | undefined;
function helmEnvironment(): Record<string, string> {
  if (privateHome === undefined) {
    privateHome = mkdtempSync(path.join(os.tmpdir(), 'preadmit-helm-home-'));
    process.once('exit', () => rmSync(privateHome!, { recursive: true, force: true }));
  }
  return {
    HELM_CACHE_HOME: path.join(privateHome, 'cache'),
    HELM_CONFIG_HOME: path.join(privateHome, 'config'),
    HELM_DATA_HOME: path.join(privateHome, 'data'),
    HELM_PLUGINS: path.join(privateHome, 'plugins'),
    HELM_REGISTRY_CONFIG: path.join(privateHome, 'registry.json'),
    HELM_REPOSITORY_CONFIG: path.join(privateHome, 'repositories.yaml'),
    HELM_REPOSITORY_CACHE: path.join(privateHome, 'repository'),
    HELM_NO_PLUGINS: '1',
    HELM_DEBUG: 'false',
  };
}

/** Finds helm (the given path, else `helm` on PATH) and asks its version. */
export async function locateHelm(explicit?: string): Promise<HelmBinary> {
  // A path (not a bare command name) is resolved now: renders run with the chart directory as cwd.
  const candidate = explicit === undefined ? 'helm' : explicit.includes('/') ? path.resolve(explicit) : explicit;
  try {
    const { stdout } = await execa(candidate, ['version', '--template', '{{.Version}}'], {
      env: helmEnvironment(),
      timeout: 30_000,
    });
    const version = stdout.trim();
    const major = Number(/^v?(\d+)/.exec(version)?.[1] ?? NaN);
    if (!(major >= 3)) throw new HelmNotFoundError(`${candidate} reports version "${version}"; preadmit needs helm 3.8 or newer`);
    return { path: candidate, version, major };
  } catch (error) {
    if (error instanceof HelmNotFoundError) throw error;
    const how = explicit ? `the helm given with --helm (${explicit}) could not be run` : 'no helm found on PATH';
    throw new HelmNotFoundError(
      `${how}: ${(error as Error & { shortMessage?: string }).shortMessage ?? (error as Error).message}. ` +
        'Install helm 3.8+ (https://helm.sh/docs/intro/install/) or pass its path with --helm.',
    );
  }
}

export interface ChartInfo {
  /** Absolute chart directory. */
  dir: string;
  name: string;
  version: string;
  type: 'application' | 'library';
  dependencies: { name: string; alias?: string; version?: string }[];
}

/** Reads Chart.yaml; a string when it is not a usable chart description. */
export function readChartInfo(dir: string): ChartInfo | string {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path.join(dir, 'Chart.yaml'), 'utf8'), { maxAliasCount: 100 });
  } catch (error) {
    return `Chart.yaml could not be parsed: ${(error as Error).message.split('\n')[0]}`;
  }
  if (!isObj(parsed)) return 'Chart.yaml is not a mapping';
  const name = str(parsed.name);
  if (!name) return 'Chart.yaml has no name';
  const dependencies = arr(parsed.dependencies).filter(isObj).map((dep) => ({
    name: str(dep.name) ?? '',
    alias: str(dep.alias),
    version: str(dep.version),
  }));
  // apiVersion v1 charts declare dependencies in requirements.yaml.
  const requirements = path.join(dir, 'requirements.yaml');
  if (str(parsed.apiVersion) === 'v1' && existsSync(requirements)) {
    try {
      const req = parseYaml(readFileSync(requirements, 'utf8'));
      if (isObj(req)) for (const dep of arr(req.dependencies).filter(isObj)) dependencies.push({ name: str(dep.name) ?? '', alias: str(dep.alias), version: str(dep.version) });
    } catch {
      // helm reports a broken requirements.yaml itself when it renders.
    }
  }
  return {
    dir,
    name,
    version: str(parsed.version) ?? String(parsed.version ?? ''),
    type: str(parsed.type) === 'library' ? 'library' : 'application',
    dependencies: dependencies.filter((d) => d.name !== ''),
  };
}

/** Names of the charts vendored in `charts/` (directories by their Chart.yaml name, archives by file name). */
export function vendoredCharts(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const chartsDir = path.join(dir, 'charts');
  if (!existsSync(chartsDir)) return found;
  for (const entry of readdirSync(chartsDir)) {
    const full = path.join(chartsDir, entry);
    if (entry.endsWith('.tgz')) {
      found.set(entry.replace(/-v?\d+\.\d+\.\d+[^/]*\.tgz$/, '').replace(/\.tgz$/, ''), full);
    } else if (statSync(full).isDirectory() && existsSync(path.join(full, 'Chart.yaml'))) {
      const info = readChartInfo(full);
      found.set(typeof info === 'string' ? entry : info.name, full);
    }
  }
  return found;
}

/** Declared dependencies with nothing in charts/ to satisfy them (we never download them). */
export function missingDependencies(chart: ChartInfo): string[] {
  if (chart.dependencies.length === 0) return [];
  const vendored = vendoredCharts(chart.dir);
  return chart.dependencies.filter((dep) => !vendored.has(dep.name)).map((dep) => dep.name);
}

export interface RenderRequest {
  helm: HelmBinary;
  chartDir: string;
  releaseName: string;
  namespace: string;
  valuesFiles: string[];
  set: string[];
  kubeVersion?: string;
  timeoutMs: number;
}

export type RenderOutcome = { ok: true; stdout: string; ms: number } | { ok: false; message: string; ms: number };

export async function renderChart(request: RenderRequest): Promise<RenderOutcome> {
  const args = ['template', request.releaseName, request.chartDir, '--namespace', request.namespace];
  for (const file of request.valuesFiles) args.push('--values', file);
  for (const pair of request.set) args.push('--set', pair);
  if (request.kubeVersion) args.push('--kube-version', request.kubeVersion);
  const started = performance.now();
  const result = await execa(request.helm.path, args, {
    env: helmEnvironment(),
    extendEnv: true,
    reject: false,
    timeout: request.timeoutMs,
    maxBuffer: 256 * 1024 * 1024,
    stripFinalNewline: false,
    cwd: request.chartDir,
  });
  const ms = performance.now() - started;
  if (result.timedOut) return { ok: false, message: `helm template did not finish within ${Math.round(request.timeoutMs / 1000)} s`, ms };
  if (result.isMaxBuffer) return { ok: false, message: 'helm template produced more than 256 MiB of output', ms };
  if (result.exitCode !== 0 || result.failed) {
    const stderr = String(result.stderr ?? '').trim();
    const message = stderr.split('\n').filter((line) => !/^(WARNING|walk\.go|install\.go)/.test(line)).join('\n').trim();
    return { ok: false, message: message || result.shortMessage || `helm exited with ${result.exitCode}`, ms };
  }
  return { ok: true, stdout: String(result.stdout), ms };
}

export interface RenderedDocument {
  /** Template path as helm prints it in `# Source:` (chart name first). */
  template: string;
  text: string;
}

/** Splits helm's output into documents, keeping each one's `# Source:` template path. */
export function splitRendered(stdout: string): RenderedDocument[] {
  const documents: RenderedDocument[] = [];
  const chunks = stdout.split(/^---[ \t]*$/m);
  for (const chunk of chunks) {
    const match = /^\s*# Source: (.+)$/m.exec(chunk);
    const body = chunk.trim();
    if (body === '') continue;
    documents.push({ template: match?.[1]?.trim() ?? '', text: chunk });
  }
  return documents;
}

/** Maps helm's template path (`<chart>/charts/<sub>/templates/x.yaml`) to a file under the chart directory. */
export function templateFile(chartDir: string, template: string): string {
  const parts = template.split('/');
  let dir = chartDir;
  let i = 1;
  while (parts[i] === 'charts' && parts[i + 2] !== undefined) {
    const sub = vendoredCharts(dir).get(parts[i + 1]!);
    if (sub === undefined) break;
    if (sub.endsWith('.tgz')) return sub; // the template lives inside an archive: point at the archive
    dir = sub;
    i += 2;
  }
  return path.join(dir, ...parts.slice(i));
}
