// Property-based fuzzing of the paths hostile input takes: YAML text to objects, every rule of the catalog
// through the engine, and the Pod Security evaluator. For every input: no uncaught exception, everything
// ends as objects or errors (nothing silently lost), no rule crash, and the same input gives the same output.
//
// CI runs PREADMIT_FUZZ_RUNS (default 200) inputs per property; set it higher for a longer run, and
// PREADMIT_FUZZ_SEED to replay a failure.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { defaultConfig, type Config } from '../../src/config/config.ts';
import type { ScannedObject } from '../../src/model/model.ts';
import { evaluate } from '../../src/engine/evaluate.ts';
import { loadPlan } from '../../src/terraform/index.ts';
import { goYamlStream } from '../../src/loaders/go-yaml-value.ts';
import { objectsFromDocuments } from '../../src/loaders/objects.ts';
import { loadYamlDocuments, measureYaml, parseYamlDocuments, type YamlDocument } from '../../src/loaders/yaml-docs.ts';
import type { JsYamlOptions } from '../../src/loaders/yaml-positions.ts';
import { evaluateBothLevels, PSS_CHECKS } from '../../src/pss/index.ts';
import { repoRoot } from '../helpers/shared.ts';
import { anyValue, blankYaml, deepObject, mutatedObject, mutatedYaml, PLANTED_SECRET, randomYaml, typeConfusion } from './arbitraries.ts';

const RUNS = Number(process.env.PREADMIT_FUZZ_RUNS ?? 200);
const SEED = process.env.PREADMIT_FUZZ_SEED === undefined ? undefined : Number(process.env.PREADMIT_FUZZ_SEED);
const params = { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) };
/** Long runs get time enough; the default CI run stays well under its share of 20 s. */
const TIMEOUT = Math.max(60_000, RUNS * 100);

/** Everything a document yields that a report could show, as one string. */
function snapshot(parsed: ReturnType<typeof loadYamlDocuments>): string {
  return JSON.stringify({
    documents: parsed.documents.map((d) => [d.index, d.value, d.line, d.lineOf('/spec/containers/0'), d.lineOf('/metadata/name')]),
    problems: parsed.problems,
  });
}

function objectsOf(values: unknown[]): ScannedObject[] {
  const documents = values.map((value, index): YamlDocument => ({ index, value, line: index + 1, lineOf: () => index + 1 }));
  return objectsFromDocuments(documents, { source: { kind: 'manifest', file: 'fuzz.yaml' }, linesAreSource: true, strict: true }).objects;
}

const RULE_IDS = RULES.map((r) => r.meta.id);
const OPTION_KEYS = ['allowed', 'required', 'exempt', 'labels', 'annotations', 'kinds', 'workloadsOnly', 'podTemplate', 'registries'];
/** Rule options as a configuration in the pull request could set them (the schema only says "object"). */
const ruleOptions = fc.dictionary(fc.constantFrom(...RULE_IDS), fc.dictionary(fc.constantFrom(...OPTION_KEYS), fc.oneof(anyValue, typeConfusion, fc.constantFrom(['app'], { app: '' }, { app: '[a-z]+' }, true))), { maxKeys: 3 });

function configWith(pss: Config['pss'], options: Record<string, Record<string, unknown>>): Config {
  const config = defaultConfig();
  config.pss = pss;
  for (const [id, o] of Object.entries(options)) config.rules[id] = { enabled: true, options: o };
  return config;
}

const pssSettings = fc.record({ version: fc.constantFrom('latest', 'v1.0', 'v1.22', 'v1.25', 'v1.37'), level: fc.constantFrom('baseline' as const, 'restricted' as const) });

describe('fuzz: YAML text to objects', () => {
  it(
    'never throws, loses nothing, quotes no secret, and is deterministic',
    () => {
      fc.assert(
        fc.property(fc.oneof(mutatedYaml, randomYaml), (text) => {
          const first = loadYamlDocuments(text);
          expect(snapshot(loadYamlDocuments(text))).toBe(snapshot(first));
          // Something that is not blank for kubectl becomes documents or problems. (kubectl's reader keeps one
          // document per `---` piece: `---\n...\n  ---` holds none, and the differential corpus pins that.)
          if (!blankYaml(goYamlStream(text))) expect(first.documents.length + first.problems.length).toBeGreaterThan(0);
          // Every non-empty document of an explicit file becomes objects or a problem.
          const { objects, problems } = objectsFromDocuments(first.documents, { source: { kind: 'manifest', file: 'f.yaml' }, linesAreSource: true, strict: true });
          for (const doc of first.documents) {
            if (doc.value === null) continue;
            // A list (any object with items) whose items are null or empty creates nothing, for kubectl too.
            const items = typeof doc.value === 'object' && !Array.isArray(doc.value) && 'items' in doc.value ? (doc.value as { items: unknown }).items : undefined;
            if (items === null || (Array.isArray(items) && items.length === 0)) continue;
            expect(objects.some((o) => o.source.document === doc.index) || problems.some((p) => p.index === doc.index)).toBe(true);
          }
          for (const problem of [...first.problems, ...problems]) {
            expect(problem.message).not.toContain(PLANTED_SECRET);
            expect(problem.message.length).toBeLessThanOrEqual(400);
          }
          // The positional parser never throws either.
          parseYamlDocuments(text);
        }),
        params,
      );
    },
    TIMEOUT,
  );

  it(
    'estimates nodes before parsing within a small factor of what js-yaml produces',
    () => {
      fc.assert(
        fc.property(fc.oneof(mutatedYaml, randomYaml), (text) => {
          let nodes = 0;
          const options: JsYamlOptions = { maxDepth: 1000, listener: (event) => void (event === 'close' && nodes++) };
          try {
            loadAll(text, null, options);
          } catch {
            return; // not YAML js-yaml reads: nothing to compare
          }
          // js-yaml counts keys as nodes and opens a block value it first tried as a key twice: a node of the
          // estimate is at most ~3 of js-yaml's.
          const measured = measureYaml(text).nodes;
          expect(nodes).toBeLessThanOrEqual(3 * measured + 2 + 2 * (text.match(/^---/gm)?.length ?? 0) + 4);
        }),
        params,
      );
    },
    TIMEOUT,
  );
});

describe('fuzz: every rule of the catalog', () => {
  it(
    'never crashes on objects with wrong types, hostile keys or hostile options, and is deterministic',
    () => {
      fc.assert(
        fc.property(fc.array(mutatedObject, { minLength: 1, maxLength: 6 }), pssSettings, ruleOptions, (values, pss, options) => {
          const config = configWith(pss, options as Record<string, Record<string, unknown>>);
          const first = evaluate(objectsOf(values), RULES, config);
          // The engine turns a rule's exception into an error: a fuzz must find none (an invalid
          // regular expression in options is the one configuration mistake reported that way).
          expect(first.errors.filter((e) => !/not a valid regular expression/.test(e.message))).toEqual([]);
          const again = evaluate(objectsOf(structuredClone(values)), RULES, config);
          expect(JSON.stringify(again.findings)).toBe(JSON.stringify(first.findings));
          for (const finding of first.findings) expect(finding.message).not.toContain(PLANTED_SECRET);
        }),
        params,
      );
    },
    TIMEOUT,
  );

  it(
    'never overflows the stack on values nested as deep as the loader accepts',
    () => {
      fc.assert(
        fc.property(fc.array(deepObject, { minLength: 1, maxLength: 3 }), pssSettings, (values, pss) => {
          const result = evaluate(objectsOf(values), RULES, configWith(pss, {}));
          expect(result.errors).toEqual([]);
        }),
        { ...params, numRuns: Math.max(20, Math.round(RUNS / 4)) },
      );
    },
    TIMEOUT,
  );
});

describe('fuzz: the Pod Security evaluator', () => {
  const checkIds = new Set(PSS_CHECKS.map((c) => c.id));
  it(
    'never throws on any pod, agrees with itself, and names only known checks',
    () => {
      fc.assert(
        fc.property(fc.oneof(mutatedObject, anyValue), fc.oneof(anyValue, typeConfusion), pssSettings, (object, extra, pss) => {
          const metadata = (object as { metadata?: unknown })?.metadata ?? extra;
          const spec = (object as { spec?: unknown })?.spec ?? extra;
          const pod = { metadata: metadata as Record<string, unknown>, spec: spec as Record<string, unknown> };
          const first = evaluateBothLevels(pod, pss.version);
          expect(JSON.stringify(evaluateBothLevels(structuredClone(pod), pss.version))).toBe(JSON.stringify(first));
          for (const level of [first.baseline, first.restricted]) {
            expect(level.allowed).toBe(level.violations.length === 0);
            for (const v of level.violations) {
              expect(checkIds.has(v.check)).toBe(true);
              for (const f of v.fields) expect(f.path === '' || f.path.startsWith('/')).toBe(true);
            }
          }
        }),
        params,
      );
    },
    TIMEOUT,
  );
});

describe('fuzz: the Terraform plan converter', () => {
  // Templates: the hand-written plans of the Terraform suite (every typed resource, manifests, clusters,
  // helm_release), mutated at random places with arbitrary values and wrong types.
  const fixtures = path.join(repoRoot, '__tests__', 'terraform', 'fixtures');
  const plans = readdirSync(fixtures, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(path.join(fixtures, f), 'utf8')) as unknown);

  const pathsIn = (value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []) => {
    out.push(prefix);
    if (Array.isArray(value)) value.forEach((v, i) => pathsIn(v, [...prefix, i], out));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsIn(v, [...prefix, k], out);
    return out;
  };
  const mutatedPlan = fc.tuple(fc.nat(plans.length - 1), fc.array(fc.tuple(fc.nat(), fc.oneof(anyValue, typeConfusion)), { minLength: 1, maxLength: 10 })).map(([index, mutations]) => {
    const plan = structuredClone(plans[index]) as Record<string, unknown>;
    for (const [at, value] of mutations) {
      const paths = pathsIn(plan).filter((p) => p.length > 0);
      const target = paths[at % paths.length]!;
      let node = plan as Record<string | number, unknown>;
      for (const step of target.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
      node[target[target.length - 1]!] = structuredClone(value); // constants are shared: never alias them
    }
    return plan;
  });

  it('never throws, ends every input as objects or errors, evaluates without rule crashes, and is deterministic', () => {
    const options = { planFile: 'fuzz/plan.json', planDir: path.join(fixtures, 'privileged'), repoRoot };
    fc.assert(
      fc.property(mutatedPlan, (plan) => {
        const first = loadPlan(plan, options);
        const second = loadPlan(structuredClone(plan), options);
        expect(Array.isArray(first.objects) && Array.isArray(first.errors)).toBe(true);
        expect(JSON.stringify({ o: first.objects, e: first.errors, h: first.helmReleases })).toBe(JSON.stringify({ o: second.objects, e: second.errors, h: second.helmReleases }));
        const evaluation = evaluate(first.objects, RULES, defaultConfig());
        expect(evaluation.errors).toEqual([]);
      }),
      params,
    );
  });
});
