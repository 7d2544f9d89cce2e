// The npm package as users get it: `npm pack`, installed into an empty folder with no network, runs
// `preadmit scan` on a chart. The package has no runtime dependencies (the CLI is one bundled file), so the
// install needs no registry and prints no engine warning on Node 20.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const work = mkdtempSync(path.join(os.tmpdir(), 'preadmit-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed npm package', () => {
  it('installs offline into an empty folder and scans a chart', () => {
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as { filename: string; files: { path: string }[] }[];
    const files = packed[0]!.files.map((f) => f.path).sort();
    expect(files).toEqual(expect.arrayContaining(['dist/cli.js', 'schemas/scan-result.schema.json', 'schemas/config.schema.json', 'docs/rules.md', 'README.md', 'LICENSE', 'package.json']));
    // Nothing the CLI does not need: no sources, tests or the Action's bundle.
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('__tests__/') || f === 'dist/index.js')).toEqual([]);

    const project = path.join(work, 'project');
    mkdirSync(project);
    writeFileSync(path.join(project, 'package.json'), '{"name":"consumer","version":"1.0.0","private":true}\n');
    const install = execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel', 'warn', path.join(work, packed[0]!.filename)], { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(install).not.toMatch(/EBADENGINE|WARN/);
    expect(readdirSync(path.join(project, 'node_modules')).filter((d) => !d.startsWith('.'))).toEqual(['preadmit']);

    const chart = path.join(work, 'chart');
    mkdirSync(path.join(chart, 'templates'), { recursive: true });
    writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: app\nversion: 0.1.0\n');
    writeFileSync(path.join(chart, 'templates', 'pod.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  hostNetwork: true\n  containers:\n    - name: web\n      image: nginx:1.27\n');
    let status = 0;
    let stdout = '';
    try {
      stdout = execFileSync(path.join(project, 'node_modules', '.bin', 'preadmit'), ['scan', chart, '--helm', process.env.PREADMIT_TEST_HELM3!, '--format', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      status = (error as { status: number }).status;
      stdout = (error as { stdout: string }).stdout;
    }
    expect(status).toBe(1);
    const result = JSON.parse(stdout) as { findings: { ruleId: string; path: string }[] };
    expect(result.findings.map((f) => `${f.ruleId} ${f.path}`)).toContain('pss-host-namespaces /spec/hostNetwork');
  }, 120_000);
});
