// One direction of travel (docs/architecture.md): every file imports only its own layer and the layers
// below, and no files import each other in a circle. Read from the import statements of src/ and rules/.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { edgesOf, fileCycles, importsOf, LAYERS, layerOf, sourceFiles, upwardImports, type Edge } from '../scripts/import-graph.ts';
import { repoRoot } from './helpers/shared.ts';

const files = sourceFiles(repoRoot);
const edges = edgesOf(repoRoot, files);
const show = (list: readonly Edge[]) => list.map((e) => `${e.from} -> ${e.to}`);

describe('import direction', () => {
  it('reads the imports of the whole product', () => {
    expect(files.length).toBeGreaterThan(150);
    expect(edges.some((e) => e.from === 'src/pipeline/scan.ts' && e.to === 'rules/index.ts')).toBe(true);
  });

  it('places every file in a layer', () => {
    expect(upwardImports(edges).unplaced, 'a new folder must be placed in LAYERS (scripts/import-graph.ts) and docs/architecture.md').toEqual([]);
  });

  it('has no import from a lower layer into a higher one', () => {
    expect(show(upwardImports(edges).upward)).toEqual([]);
  });

  it('has no files importing each other, directly or around a circle', () => {
    expect(fileCycles(edges)).toEqual([]);
  });

  it('keeps the model at the bottom: src/model imports nothing else of the project', () => {
    const out = edges.filter((e) => e.from.startsWith('src/model/') && !e.to.startsWith('src/model/'));
    expect(show(out)).toEqual([]);
  });

  it('lets nothing but the entry points import the CLI and the Action', () => {
    const entries = (f: string) => layerOf(f) === 'src' || layerOf(f) === 'src/action';
    expect(show(edges.filter((e) => entries(e.to) && !entries(e.from)))).toEqual([]);
  });

  it('names every layer in docs/architecture.md', () => {
    const doc = readFileSync(path.join(repoRoot, 'docs/architecture.md'), 'utf8');
    for (const { folder } of LAYERS) expect(doc, folder).toContain(`\`${folder}/\``);
    expect(readFileSync(path.join(repoRoot, 'README.md'), 'utf8')).toContain('docs/architecture.md');
  });
});

describe('the import checker itself', () => {
  it('reads import, import type, export from and import(), not comments, strings or packages', () => {
    const text = [
      "import { a } from './a.ts';",
      "import type { B } from '../model/b.ts';",
      "export { c } from './c.ts';",
      "export * from './d.ts';",
      "const e = await import('./e.ts');",
      "import './side-effect.ts';",
      "// import { f } from './commented.ts';",
      "const g = \"import { g } from './in-a-string.ts'\";",
      "import { h } from 'node:path';",
      "import pkg from '../../package.json' with { type: 'json' };",
    ].join('\n');
    expect(importsOf('src/render/x.ts', text).sort()).toEqual(
      ['src/model/b.ts', 'src/render/a.ts', 'src/render/c.ts', 'src/render/d.ts', 'src/render/e.ts', 'src/render/side-effect.ts'].sort(),
    );
  });

  it('reports an upward import, a cycle and an unplaced file', () => {
    const up: Edge = { from: 'src/k8s/rbac.ts', to: 'src/pipeline/scan.ts' };
    const down: Edge = { from: 'src/pipeline/scan.ts', to: 'src/k8s/rbac.ts' };
    expect(upwardImports([up, down]).upward).toEqual([up]);
    expect(upwardImports([{ from: 'src/elsewhere/x.ts', to: 'src/model/model.ts' }]).unplaced).toEqual(['src/elsewhere/x.ts']);
    const circle: Edge[] = [
      { from: 'src/engine/a.ts', to: 'src/engine/b.ts' },
      { from: 'src/engine/b.ts', to: 'src/engine/c.ts' },
      { from: 'src/engine/c.ts', to: 'src/engine/a.ts' },
      { from: 'src/engine/c.ts', to: 'src/model/model.ts' },
    ];
    expect(fileCycles(circle)).toEqual([['src/engine/a.ts', 'src/engine/b.ts', 'src/engine/c.ts']]);
    expect(fileCycles(circle.slice(0, 2))).toEqual([]);
  });

  it('places a sub-folder with its folder, and rules/_templates with rules', () => {
    expect(layerOf('src/pss/checks/privileged.ts')).toBe('src/pss');
    expect(layerOf('rules/_templates/rbac.ts')).toBe('rules');
    expect(layerOf('src/cli.ts')).toBe('src');
    expect(layerOf('src/action/publish/comment.ts')).toBe('src/action');
  });
});
