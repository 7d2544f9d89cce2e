// Bundles the CLI (dist/cli.js) and the Action entry (dist/index.js) as ESM for Node 20+/node24.
// dist/ is committed because GitHub runs it as is; a test fails when it is stale.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const BUNDLES = [
  { entry: 'src/bin.ts', out: 'dist/cli.js' },
  { entry: 'src/action/main.ts', out: 'dist/index.js' },
] as const;

export async function bundle(write: boolean) {
  return Promise.all(
    BUNDLES.map(({ entry, out }) =>
      build({
        absWorkingDir: root,
        entryPoints: [entry],
        outfile: out,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        write,
        legalComments: 'none',
        // CommonJS dependencies (ajv) call require(); give the ESM bundle one.
        banner: { js: "import { createRequire as __preadmitCreateRequire } from 'node:module';\nconst require = __preadmitCreateRequire(import.meta.url);" },
        logLevel: write ? 'warning' : 'silent',
      }),
    ),
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bundle(true);
  console.log(BUNDLES.map((b) => b.out).join(', '));
}
