// Everything derived from the sources must match them: the rule registry, the rule catalog, the config
// JSON Schema, and the committed dist/ bundles that GitHub runs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundle, BUNDLES } from '../scripts/bundle.ts';
import { derivedFiles, registrySource } from '../scripts/generate.ts';
import { repoRoot } from './helpers/shared.ts';
import { RULES } from '../rules/index.ts';

const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');

describe('generated files', () => {
  it('rules/index.ts lists every rule module', () => {
    expect(read('rules/index.ts')).toBe(registrySource());
  });

  it.each(['docs/rules.md', 'README.md', 'schemas/config.schema.json'])('%s is up to date (npm run generate)', async (file) => {
    const derived = (await derivedFiles()).find((d) => d.file === file)!;
    expect(read(file), `${file} is stale: run npm run generate`).toBe(derived.content);
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
