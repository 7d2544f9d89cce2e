// The copy of a chart a proof renders (src/fix/chart-copy.ts) renders as helm renders the original: a link
// to a file elsewhere in the repository is followed (issue 15: every fix of such a chart was "not proven:
// ... is a symlink to nothing"), a link inside the chart stays a link, and nothing outside the repository
// is ever read.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.ts';
import { copyChartAsHelmReads } from '../../src/fix/chart-copy.ts';

const helm = process.env.PREADMIT_TEST_HELM3!;
const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));
afterEach(() => vi.restoreAllMocks());

function temp(prefix: string): string {
  const root = mkdtempSync(path.join(os.tmpdir(), prefix));
  roots.push(root);
  return root;
}

function write(root: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

/** A git repository whose chart `charts/app` takes its labels helper from `shared/_labels.tpl` through a relative link. */
function repo(): string {
  const root = temp('preadmit-fix-link-');
  execFileSync('git', ['init', '-q', root]);
  write(root, 'shared/_labels.tpl', '{{- define "app.labels" -}}\napp: demo\n{{- end }}\n');
  write(root, 'shared/helpers/_name.tpl', '{{- define "app.name" -}}p{{- end }}\n');
  write(root, 'charts/app/Chart.yaml', 'apiVersion: v2\nname: app\nversion: 0.1.0\n');
  write(root, 'charts/app/values.yaml', 'securityContext:\n  privileged: true\n');
  write(
    root,
    'charts/app/templates/pod.yaml',
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ include "app.name" . }}\n  labels:\n    {{- include "app.labels" . | nindent 4 }}\nspec:\n  automountServiceAccountToken: false\n  containers:\n    - name: c\n      image: nginx:1.25\n      securityContext:\n        {{- toYaml .Values.securityContext | nindent 8 }}\n',
  );
  symlinkSync('../../../shared/_labels.tpl', path.join(root, 'charts/app/templates/_labels.tpl'));
  symlinkSync('../../../shared/helpers', path.join(root, 'charts/app/templates/helpers'));
  return root;
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const code = await main(args);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

describe('proof copies of a chart with symlinks', () => {
  it('preadmit fix proves the fix of a chart whose helpers are links to files and folders elsewhere in the repository', async () => {
    const root = repo();
    const result = await run(['fix', path.join(root, 'charts/app'), '--helm', helm, '--dry-run']);
    expect(result.stderr).not.toMatch(/symlink to nothing|not proven/);
    expect(result.stderr).toContain('set securityContext.privileged to false in charts/app/values.yaml (pss-privileged)');
    expect(result.stdout).toContain('-  privileged: true\n+  privileged: false\n');
    expect(result.code).toBe(0);
  }, 120_000);

  it('copies what a link out of the chart points to, and keeps a link inside the chart a link into the copy', () => {
    const root = repo();
    symlinkSync('pod.yaml', path.join(root, 'charts/app/templates/pod-again.yaml'));
    const copy = path.join(temp('preadmit-fix-copy-'), 'charts/app');
    expect(copyChartAsHelmReads(path.join(root, 'charts/app'), copy)).toBeUndefined();
    const labels = path.join(copy, 'templates/_labels.tpl');
    expect(lstatSync(labels).isFile()).toBe(true);
    expect(readFileSync(labels, 'utf8')).toContain('define "app.labels"');
    expect(readFileSync(path.join(copy, 'templates/helpers/_name.tpl'), 'utf8')).toContain('define "app.name"');
    const again = path.join(copy, 'templates/pod-again.yaml');
    expect(readlinkSync(again)).toBe('pod.yaml');
    // An edit of the copy's pod.yaml shows through the link, as in the repository.
    writeFileSync(path.join(copy, 'templates/pod.yaml'), 'edited');
    expect(readFileSync(again, 'utf8')).toBe('edited');
    expect(readFileSync(path.join(root, 'charts/app/templates/pod.yaml'), 'utf8')).not.toBe('edited');
  });

  it('refuses, as the scan does, a chart with a link out of the repository, and reads nothing through it', () => {
    const root = repo();
    const outside = temp('preadmit-fix-outside-');
    write(outside, 'secret.tpl', 'TOKEN');
    symlinkSync(path.join(outside, 'secret.tpl'), path.join(root, 'charts/app/templates/_secret.tpl'));
    const copy = path.join(temp('preadmit-fix-copy-'), 'charts/app');
    expect(copyChartAsHelmReads(path.join(root, 'charts/app'), copy)).toBe('templates/_secret.tpl is a symlink leading outside the repository (helm would read what it points to)');
    expect(() => lstatSync(path.join(copy, 'templates/_secret.tpl'))).toThrow();
  });
});
