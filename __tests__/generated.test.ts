// Everything derived from the sources must match them: the rule registry, the rule catalog, the config
// JSON Schema and its compiled validator, and the committed dist/ bundles that GitHub runs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundle, BUNDLES } from '../scripts/bundle.ts';
import { derivedFiles, registrySource } from '../scripts/generate.ts';
import { repoRoot } from './helpers/shared.ts';
import { RULES } from '../rules/index.ts';
import { Ajv, type ValidateFunction } from 'ajv';
import { configSchema } from '../src/config/config-schema.ts';
import { RULE_IDS as GENERATED_RULE_IDS, validate as generatedValidate } from '../src/config/config-validator.generated.ts';

const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');

describe('generated files', () => {
  it('rules/index.ts lists every rule module', () => {
    expect(read('rules/index.ts')).toBe(registrySource());
  });

  it.each(['docs/rules.md', 'README.md', 'schemas/config.schema.json', 'src/config/config-validator.generated.ts'])('%s is up to date (npm run generate)', async (file) => {
    const derived = (await derivedFiles()).find((d) => d.file === file)!;
    expect(read(file), `${file} is stale: run npm run generate`).toBe(derived.content);
  });

  it('the compiled config validator decides and explains like ajv compiling the schema now', () => {
    const ids = RULES.map((r) => r.meta.id).sort();
    expect([...GENERATED_RULE_IDS]).toEqual(ids);
    const fresh = new Ajv({ allErrors: true, strict: false }).compile(configSchema(ids));
    const samples: unknown[] = [
      {},
      { failOn: 'high', rules: { 'image-tag': 'off', 'pss-privileged': { severity: 'low' } } },
      { failOn: 'sometimes', rules: { 'no-such-rule': 'off' }, extra: 1 },
      { charts: [{ path: 'x', valueSets: [{ name: 'a'.repeat(101) }] }] },
      { charts: [{ valuesFiles: 3 }], suppressions: [{ rule: 'image-tag' }], pss: { version: 'v2.0' } },
    ];
    for (const sample of samples) {
      const compiled = generatedValidate as unknown as ValidateFunction;
      const ok = compiled(sample);
      const generatedErrors = structuredClone(compiled.errors ?? null);
      expect(ok, JSON.stringify(sample)).toBe(fresh(sample));
      expect(generatedErrors, JSON.stringify(sample)).toEqual(fresh.errors ?? null);
    }
  });

  it('every rule id is kebab-case, unique, and equals its module name', () => {
    const ids = RULES.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(read('rules/index.ts')).toContain(`from './${ids[0]}.ts'`);
  });
});

describe('dist/', () => {
  it('is the bundle of the current sources (npm run bundle)', async () => {
    const results = await bundle(false);
    results.forEach((result, i) => {
      const out = BUNDLES[i]!.out;
      const built = result.outputFiles![0]!.text;
      expect(read(out) === built, `${out} is stale: run npm run bundle and commit dist/`).toBe(true);
    });
  }, 120_000);
});
