// The import graph of the product (src/ and rules/) and the direction its imports must run: each folder
// sits in one layer, a file imports only its own layer and the layers below, and no files import each
// other in a circle. docs/architecture.md draws the same picture; __tests__/architecture.test.ts fails
// when the code leaves it. `npx tsx scripts/import-graph.ts` prints the layers, the folder graph and any
// upward import or cycle.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Bottom to top. A folder's sub-folders belong to it (src/pss/checks is src/pss), except `src`, which is
 * only the entry files at its root (cli.ts, bin.ts): a new folder must be placed here before it can hold code.
 */
export const LAYERS: readonly Layer[] = [
  { folder: 'src/model', owns: 'types every stage shares, JSON pointers, severities, errors, path confinement; no I/O' },
  { folder: 'src/secrets', owns: 'credential formats and redaction' },
  { folder: 'src/k8s', owns: 'Kubernetes object knowledge: workloads, RBAC, selectors, network policies, capabilities, host paths' },
  { folder: 'src/pss', owns: 'Pod Security Standards checks, versions and namespace enforcement labels' },
  { folder: 'src/loaders', owns: 'YAML decoding with positions and manifest objects' },
  { folder: 'src/admission', owns: 'ValidatingAdmissionPolicy semantics and the Kubernetes CEL libraries on the CEL engine; custom CEL rules' },
  { folder: 'src/config', owns: '.preadmit.yaml: schema, validation, user patterns, render bounds' },
  { folder: 'src/render', owns: 'helm adapter, chart rendering per value set, second renders, effective values, template lines' },
  { folder: 'src/terraform', owns: 'Terraform plan JSON: resources, unknown values, helm_release renders' },
  { folder: 'src/engine', owns: 'rule kit, evaluation, unit joins, blast radius' },
  { folder: 'rules', owns: 'one module per rule; rules/_templates for families' },
  { folder: 'src/provenance', owns: 'values and template lines located for findings, values lint; uses renders, never drives them' },
  { folder: 'src/fix', owns: 'proven fixes: values edits from rule recipes, written as the file is written, proven by re-rendering a copy of the chart' },
  { folder: 'src/reporters', owns: 'text, JSON, SARIF, markdown; output files; runner-command defusing' },
  { folder: 'src/pipeline', owns: 'the scan: discover, policy, render, evaluate, locate, suppress, result' },
  { folder: 'src', rootOnly: true, owns: 'the CLI (cli.ts, bin.ts) and the process set-up both entries run first (v8-tiering.ts)' },
  { folder: 'src/action', owns: 'the GitHub Action shell and publishers' },
];

export interface Layer {
  folder: string;
  /** Only the files directly in the folder (src/ itself), not its sub-folders. */
  rootOnly?: boolean;
  owns: string;
}

export type Edge = { from: string; to: string };

/** Relative .ts imports of one file (import/export ... from, import(), import type), as repo paths. */
export function importsOf(file: string, text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)))
    .filter((target) => target.endsWith('.ts'));
}

export function sourceFiles(root: string, folders: readonly string[] = ['src', 'rules']): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir)).sort()) {
      const rel = `${dir}/${entry}`;
      if (statSync(path.join(root, rel)).isDirectory()) walk(rel);
      else if (entry.endsWith('.ts')) files.push(rel);
    }
  };
  for (const folder of folders) walk(folder);
  return files;
}

export function edgesOf(root: string, files: readonly string[]): Edge[] {
  return files.flatMap((from) => importsOf(from, readFileSync(path.join(root, from), 'utf8')).map((to) => ({ from, to })));
}

/** The layer a file belongs to: the longest listed folder that holds it. */
export function layerOf(file: string, layers: readonly Omit<Layer, 'owns'>[] = LAYERS): string | undefined {
  let best: string | undefined;
  for (const { folder, rootOnly } of layers) {
    const holds = rootOnly ? path.posix.dirname(file) === folder : file.startsWith(`${folder}/`);
    if (holds && (best === undefined || folder.length > best.length)) best = folder;
  }
  return best;
}

/** Imports whose target sits in a higher layer, and files outside every layer. */
export function upwardImports(edges: readonly Edge[], layers: readonly Omit<Layer, 'owns'>[] = LAYERS): { upward: Edge[]; unplaced: string[] } {
  const upward: Edge[] = [];
  const unplaced = new Set<string>();
  for (const edge of edges) {
    const from = layerOf(edge.from, layers);
    const to = layerOf(edge.to, layers);
    if (from === undefined) unplaced.add(edge.from);
    if (to === undefined) unplaced.add(edge.to);
    if (from === undefined || to === undefined || from === to) continue;
    if (layers.findIndex((l) => l.folder === to) > layers.findIndex((l) => l.folder === from)) upward.push(edge);
  }
  return { upward, unplaced: [...unplaced].sort() };
}

/** Groups of files that import each other, directly or around a circle (strongly connected, > 1 file, or a self-import). */
export function fileCycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || (next.get(v) ?? []).includes(v)) cycles.push(group.sort());
    }
  };
  for (const v of [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/** Folder -> folders it imports (the picture in docs/architecture.md). */
export function folderGraph(edges: readonly Edge[], layers: readonly Omit<Layer, 'owns'>[] = LAYERS): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const edge of edges) {
    const from = layerOf(edge.from, layers) ?? path.posix.dirname(edge.from);
    const to = layerOf(edge.to, layers) ?? path.posix.dirname(edge.to);
    if (from !== to) graph.set(from, (graph.get(from) ?? new Set()).add(to));
  }
  return graph;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const edges = edgesOf(root, sourceFiles(root));
  const graph = folderGraph(edges);
  for (const { folder, owns } of LAYERS) console.log(`${folder.padEnd(15)} -> ${[...(graph.get(folder) ?? [])].sort().join(', ') || '(nothing)'}   # ${owns}`);
  const { upward, unplaced } = upwardImports(edges);
  const cycles = fileCycles(edges);
  console.log(`upward imports: ${upward.length}`);
  for (const e of upward) console.log(`  ${e.from} -> ${e.to}`);
  console.log(`file cycles: ${cycles.length}`);
  for (const c of cycles) console.log(`  ${c.join(' ')}`);
  if (unplaced.length > 0) console.log(`files outside every layer: ${unplaced.join(' ')}`);
  if (upward.length + cycles.length + unplaced.length > 0) process.exitCode = 1;
}
