// A value set that adds nothing to the defaults (a chart's ci/default-values.yaml holding only comments)
// renders as they do (issue 18): its render is the defaults', not a helm run of its own, and the scan
// reports exactly what rendering it gave before: the same findings, with the set named among their value sets.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/pipeline/scan.ts';
import { renderStats, resetRenderStats } from '../../src/render/helm.ts';
import { rendersAsDefaults } from '../../src/render/charts.ts';
import type { ValueSet } from '../../src/render/value-sets.ts';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      hostNetwork: {{ .Values.hostNetwork }}
      containers:
        - name: web
          image: nginx:1.27
`;

function chart(ci: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'preadmit-same-defaults-'));
  mkdirSync(path.join(root, '.git'));
  const dir = path.join(root, 'web');
  const files = { 'Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n', 'values.yaml': 'hostNetwork: true\n', 'templates/deploy.yaml': DEPLOYMENT, ...Object.fromEntries(Object.entries(ci).map(([n, t]) => [`ci/${n}`, t])) };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const set = (files: string[], pairs: string[] = []): ValueSet => ({ name: 'x', kind: 'ci', valuesFiles: files, set: pairs, own: { valuesFiles: files, set: pairs } });

describe('value sets that add nothing to the defaults', () => {
  it('are files of comments, blank lines and document markers only, with no --set of their own', () => {
    const dir = chart({ 'a-values.yaml': '---\n## the defaults\n\n--- # another\n', 'b-values.yaml': '\uFEFF# only a comment\r\n', 'c-values.yaml': 'hostNetwork: false\n', 'd-values.yaml': '{}\n' });
    expect(rendersAsDefaults(set([path.join(dir, 'ci/a-values.yaml')]))).toBe(true);
    expect(rendersAsDefaults(set([path.join(dir, 'ci/b-values.yaml')]))).toBe(true);
    expect(rendersAsDefaults(set([path.join(dir, 'ci/c-values.yaml')]))).toBe(false);
    // `{}` is no values too, but read as a YAML node: rendered, as anything not plainly empty.
    expect(rendersAsDefaults(set([path.join(dir, 'ci/d-values.yaml')]))).toBe(false);
    expect(rendersAsDefaults(set([path.join(dir, 'ci/a-values.yaml')], ['hostNetwork=false']))).toBe(false);
    expect(rendersAsDefaults(set([path.join(dir, 'ci/missing-values.yaml')]))).toBe(false);
    // What YAML reads otherwise, or helm refuses: a U+0085 line break in a comment, a document end, a
    // marker with a comment glued on, a no-break space: rendered as written.
    const odd = chart({ 'nel-values.yaml': '# defaults\u0085hostNetwork: true\n', 'end-values.yaml': '# a\n...\n', 'glued-values.yaml': '---#x\n', 'nbsp-values.yaml': '\u00a0# x\n', 'accent-values.yaml': '# café\n', 'tab-values.yaml': '\t# tabbed\n' });
    for (const name of ['nel', 'end', 'glued', 'nbsp', 'accent', 'tab']) expect(rendersAsDefaults(set([path.join(odd, `ci/${name}-values.yaml`)]))).toBe(false);
  });

  it('share the defaults render and report what their own render reported', async () => {
    const dir = chart({ 'default-values.yaml': '# This tests the default values.\n', 'off-values.yaml': 'hostNetwork: false\n' });
    resetRenderStats();
    const result = await scan({ paths: [dir], helmPath: process.env.PREADMIT_TEST_HELM3!, provenance: false, renderVariants: false });
    expect(result.errors).toEqual([]);
    expect(renderStats.helm['value-set']).toBe(2);
    expect(renderStats.sameAsDefaults).toBe(1);
    const host = result.findings.filter((f) => f.ruleId === 'pss-host-namespaces');
    expect(host.map((f) => [f.path, f.valueSets])).toEqual([['/spec/template/spec/hostNetwork', ['default', 'ci/default-values.yaml']]]);
  });
});
