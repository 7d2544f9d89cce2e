// Shared by the Terraform suites: load a fixture or corpus plan through the same steps the scan takes.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultConfig, type Config } from '../../src/config/config.ts';
import type { Finding, ScannedObject } from '../../src/model/model.ts';
import { evaluate } from '../../src/engine/evaluate.ts';
import type { Rule } from '../../src/engine/rule-kit.ts';
import { classifyPlanFile, loadPlan, markUnknownFindings, type PlanLoad } from '../../src/terraform/index.ts';
import { repoRoot } from '../helpers/shared.ts';

export const fixtures = path.join(repoRoot, '__tests__', 'terraform', 'fixtures');

/** The tf-* rules (not yet in the generated registry until `npm run generate`). */
export const TF_RULES: Rule[] = await Promise.all(
  readdirSync(path.join(repoRoot, 'rules'))
    .filter((f) => f.startsWith('tf-') && f.endsWith('.ts'))
    .sort()
    .map(async (f) => ((await import(path.join(repoRoot, 'rules', f))) as { default: Rule }).default),
);

export function planJson(file: string): Record<string, unknown> {
  const classified = classifyPlanFile(readFileSync(file));
  if (classified.kind !== 'plan') throw new Error(`${file} is not a plan: ${classified.kind === 'rejected' ? classified.message : 'not-plan'}`);
  return classified.json;
}

/** Loads a plan file as the scan does (plan file named relative to the repository). */
export function loadPlanAt(file: string, options: { repoRoot?: string; rootModuleDir?: string } = {}): PlanLoad {
  const root = options.repoRoot ?? repoRoot;
  return loadPlan(planJson(file), {
    planFile: path.relative(root, file).split(path.sep).join('/'),
    planDir: path.dirname(file),
    repoRoot: root,
    ...(options.rootModuleDir ? { rootModuleDir: options.rootModuleDir } : {}),
  });
}

export function fixture(...parts: string[]): string {
  return path.join(fixtures, ...parts);
}

/** Evaluates objects with rules (default configuration, every rule enabled) and marks unknown-dependent findings. */
export function run(objects: ScannedObject[], rules: readonly Rule[], configure?: (config: Config) => void): Finding[] {
  const config = defaultConfig();
  configure?.(config);
  const { findings, errors } = evaluate(objects, rules, config);
  if (errors.length > 0) throw new Error(`evaluation errors: ${errors.map((e) => e.message).join('; ')}`);
  return markUnknownFindings(findings, objects, config);
}

export function byAddress<T extends { source: { address?: string } }>(items: T[], address: string): T[] {
  return items.filter((item) => item.source.address === address);
}
