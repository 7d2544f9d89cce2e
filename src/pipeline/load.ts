// The load step of a scan: manifests and Terraform plans read, charts rendered with every value set.
// Every input becomes ScannedObjects or a ScanError; nothing is skipped without a record.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.ts';
import { objectsFromDocuments } from '../loaders/objects.ts';
import { readManifestStream } from '../loaders/kubectl-stream.ts';
import { UsageError } from '../model/errors.ts';
import { renderCharts, type ChartRender, type RenderedCharts } from '../render/charts.ts';
import { helmCandidate, HelmNotFoundError, type HelmBinary } from '../render/helm.ts';
import { classifyPlanFile, classifyText, loadPlanFile, type PlanClassification } from '../terraform/index.ts';
import { relativeTo, type Input } from './discover.ts';

/** The scan options loading reads (see ScanOptions). */
export interface LoadOptions {
  helmPath?: string;
  /** Reads standard input for the path `-`. */
  /** Standard input's bytes (read as a file is: a byte order mark decides the encoding), or a text. */
  readStdin?: () => Promise<Buffer | string>;
  /** Off, charts get no second render. */
  renderVariants?: boolean;
}

/** What the scan read: the charts' renders (RenderedCharts) with the manifests' and plans' objects and errors. */
export interface Loaded extends RenderedCharts {
  /** Values given to helm that reports must not show (Terraform set_sensitive...). */
  secrets: string[];
}

/** A manifest file's bytes (standard input's text), read as kubectl apply -f reads them. */
function loadManifestText(input: Buffer | string, file: string, explicit: boolean, loaded: Loaded): void {
  const parsed = readManifestStream(input);
  for (const problem of parsed.problems) {
    loaded.errors.push({ kind: 'parse', file, message: problem.message, ...(problem.line ? { line: problem.line } : {}) });
  }
  const { objects, problems } = objectsFromDocuments(parsed.documents, {
    source: { kind: 'manifest', file },
    linesAreSource: true,
    strict: explicit,
  });
  for (const problem of problems) {
    loaded.errors.push({ kind: 'parse', file, message: problem.message, ...(problem.line ? { line: problem.line } : {}) });
  }
  // One by one: a file of 300,000 documents overflows the stack as spread arguments.
  for (const object of objects) loaded.objects.push(object);
}

export async function load(
  inputs: Input[],
  config: Config,
  options: LoadOptions,
  repoRoot: string,
  helmLocated: Promise<HelmBinary>,
  onRender?: (render: ChartRender) => void,
): Promise<Loaded> {
  const loaded: Loaded = { objects: [], errors: [], charts: [], renderMs: 0, renders: [], variants: [], skipped: [], secrets: [] };
  const helm = () => helmLocated;

  // A JSON file may be a Terraform plan: plans are recognised by content, not by name.
  const loadPlanOrManifest = async (classification: PlanClassification, absolute: string, file: string, text: () => Buffer | string, explicit: boolean) => {
    if (classification.kind === 'rejected') {
      loaded.errors.push({ kind: 'parse', file, message: classification.message });
      // What kubectl would apply from it is judged all the same (the plan error already fails the scan).
      if (classification.manifests) loadManifestText(text(), file, false, loaded);
    } else if (classification.kind === 'plan') {
      // Plan keys on a Kubernetes object: kubectl applies it, so its objects are judged besides the plan.
      if (classification.manifests) loadManifestText(text(), file, explicit, loaded);
      const plan = await loadPlanFile(classification.json, {
        file: absolute,
        repoRoot,
        helm,
        timeoutMs: config.helm.timeoutSeconds * 1000,
        ...(config.helm.kubeVersion ? { kubeVersion: config.helm.kubeVersion } : {}),
      });
      for (const object of plan.objects) loaded.objects.push(object);
      loaded.errors.push(...plan.errors);
      // What the plan itself says it lacks (errored, incomplete, deferred changes) is reported, never passed over.
      for (const note of plan.notes) loaded.errors.push({ kind: 'read', file: note.file, ...(note.line ? { line: note.line } : {}), message: note.message });
      loaded.charts.push(...plan.charts);
      loaded.secrets.push(...plan.secrets);
      loaded.skipped.push(...plan.skipped); // Terraform resources that write to the cluster and were not read, with why
      loaded.renderMs += plan.renderMs;
    } else {
      loadManifestText(text(), file, explicit, loaded);
    }
  };

  for (const input of inputs) {
    if (input.kind === 'stdin') {
      if (!options.readStdin) throw new UsageError('"-" given but standard input cannot be read here');
      const input = await options.readStdin();
      await loadPlanOrManifest(typeof input === 'string' ? classifyText(input) : classifyPlanFile(input), path.join(process.cwd(), 'stdin.json'), '<stdin>', () => input, true);
    } else if (input.kind === 'manifest') {
      const file = relativeTo(repoRoot, input.file);
      let bytes: Buffer;
      try {
        bytes = readFileSync(input.file);
      } catch (error) {
        loaded.errors.push({ kind: 'read', file, message: `cannot read: ${(error as Error).message}` });
        continue;
      }
      await loadPlanOrManifest(classifyPlanFile(bytes), input.file, file, () => bytes, input.explicit);
    }
  }

  const charts = inputs.filter((input): input is Extract<Input, { kind: 'chart' }> => input.kind === 'chart');
  if (charts.length > 0) {
    // A usage error when charts need helm and there is none (renderCharts ends with helm's version check).
    let rendered: Awaited<ReturnType<typeof renderCharts>>;
    try {
      rendered = await renderCharts(charts.map((chart) => chart.dir), helm, config, repoRoot, { valueSets: true, helmPath: helmCandidate(options.helmPath), variants: options.renderVariants !== false, ...(onRender ? { onRender } : {}) });
    } catch (error) {
      if (error instanceof HelmNotFoundError) throw new UsageError(error.message, { cause: error });
      throw error;
    }
    loaded.renders.push(...rendered.renders);
    loaded.variants.push(...rendered.variants);
    for (const object of rendered.objects) loaded.objects.push(object);
    loaded.errors.push(...rendered.errors);
    loaded.charts.push(...rendered.charts);
    loaded.skipped.push(...rendered.skipped);
    loaded.renderMs += rendered.renderMs;
  }
  return loaded;
}
