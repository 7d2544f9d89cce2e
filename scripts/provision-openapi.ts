// Provisions GitHub's official REST API description (OpenAPI 3.0.3) for the Action's runner-style tests:
// the one file generated/api.github.com.json out of the pinned npm package @octokit/openapi (the package
// unpacks to ~400 MB; only this ~13 MB file is kept). Nothing is committed: it lands in
// .cache/openapi/api.github.com.json, next to a stamp naming the package it came from.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';

export const OPENAPI_PACKAGE = '@octokit/openapi@23.0.2';
const ENTRY = 'package/generated/api.github.com.json';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const openapiCacheDir = path.join(repoRoot, '.cache', 'openapi');
export const openapiFile = path.join(openapiCacheDir, 'api.github.com.json');
const stampFile = path.join(openapiCacheDir, 'package.txt');

function looksValid(file: string): boolean {
  try {
    const spec = JSON.parse(readFileSync(file, 'utf8')) as { openapi?: unknown; paths?: Record<string, unknown> };
    return typeof spec.openapi === 'string' && spec.openapi.startsWith('3.') && spec.paths?.['/repos/{owner}/{repo}/check-runs'] !== undefined;
  } catch {
    return false;
  }
}

function current(): boolean {
  return existsSync(openapiFile) && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === OPENAPI_PACKAGE;
}

/** Makes sure .cache/openapi/api.github.com.json exists and came from the pinned package. Returns its path. */
export async function provisionOpenapi(log: (line: string) => void = () => {}): Promise<string> {
  if (current()) return openapiFile;
  log(`provisioning GitHub's REST OpenAPI description from ${OPENAPI_PACKAGE}`);
  const work = mkdtempSync(path.join(os.tmpdir(), 'preadmit-openapi-'));
  try {
    // npm pack checks the tarball against the registry's integrity hash.
    execFileSync('npm', ['pack', OPENAPI_PACKAGE, '--silent', '--ignore-scripts', '--pack-destination', work], {
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 600_000,
    });
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (tarball === undefined) throw new Error(`npm pack ${OPENAPI_PACKAGE} produced no tarball`);
    await tar.x({ file: path.join(work, tarball), cwd: work, filter: (p) => p === ENTRY });
    const extracted = path.join(work, ...ENTRY.split('/'));
    if (!existsSync(extracted)) throw new Error(`${ENTRY} not found in ${OPENAPI_PACKAGE}`);
    if (!looksValid(extracted)) throw new Error(`${ENTRY} from ${OPENAPI_PACKAGE} is not an OpenAPI 3 description of api.github.com`);
    mkdirSync(openapiCacheDir, { recursive: true });
    const partial = `${openapiFile}.partial`;
    writeFileSync(partial, readFileSync(extracted));
    renameSync(partial, openapiFile);
    writeFileSync(stampFile, OPENAPI_PACKAGE + '\n');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return openapiFile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await provisionOpenapi((line) => console.error(line)));
}
