// npm run demo: scans the example chart with helm 3 (provisioned on first use) and prints the report only.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { provisionHelm } from './provision-helm.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let helm: string;
try {
  helm = await provisionHelm('v3');
} catch (error) {
  console.error(`demo: ${(error as Error).message}`);
  process.exit(1);
}
const run = spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'scan', path.join('examples', 'insecure-chart'), '--helm', helm, '--fail-on', 'never', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 1);
