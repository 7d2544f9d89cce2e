// Fingerprints of rendered objects do not depend on names a template randomises: the same commit scanned
// twice gives the same fingerprints, and two objects of one template keep two.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/pipeline/scan.ts';
import type { Finding } from '../../src/model/model.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function chart(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'preadmit-fp-'));
  dirs.push(root);
  // A .git marks the repository root, so files are named relative to it.
  mkdirSync(path.join(root, '.git'));
  for (const [file, text] of Object.entries({ 'chart/Chart.yaml': 'apiVersion: v2\nname: rnd\nversion: 0.1.0\n', ...files })) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return path.join(root, 'chart');
}

const pod = (name: string, extra = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
    - name: c
      image: nginx:1.27.0
      securityContext:
        privileged: true${extra}
`;

const privileged = (findings: Finding[]) => findings.filter((f) => f.ruleId === 'pss-privileged');
const helmPath = () => process.env.PREADMIT_TEST_HELM3!;

describe('fingerprints of rendered objects', () => {
  it('are the same on every render of a template that randomises names (randAlphaNum, uuidv4, now)', async () => {
    const dir = chart({
      'chart/templates/pods.yaml': [
        pod('web-{{ randAlphaNum 8 | lower }}'),
        '---\n' + pod('job-{{ uuidv4 }}'),
        '---\n' + pod('cron-{{ now | unixEpoch }}-{{ randNumeric 6 }}'),
      ].join(''),
    });
    const first = await scan({ paths: [dir], helmPath: helmPath(), provenance: false });
    const second = await scan({ paths: [dir], helmPath: helmPath(), provenance: false });
    const a = privileged(first.findings);
    const b = privileged(second.findings);
    expect(a).toHaveLength(3);
    // The names did change between the two renders...
    expect(a.map((f) => f.object.name).sort()).not.toEqual(b.map((f) => f.object.name).sort());
    // ...the fingerprints did not, and stay three distinct ones.
    expect(a.map((f) => f.fingerprint).sort()).toEqual(b.map((f) => f.fingerprint).sort());
    expect(new Set(a.map((f) => f.fingerprint)).size).toBe(3);
  });

  it('keep two objects of one template apart, also when the template forges another template\'s # Source: line', async () => {
    const dir = chart({
      'chart/templates/a.yaml': pod('one') + '---\n' + pod('two'),
      'chart/templates/b.yaml': '# Source: rnd/templates/a.yaml\n' + pod('three'),
    });
    const result = await scan({ paths: [dir], helmPath: helmPath(), provenance: false });
    const found = privileged(result.findings);
    expect(found.map((f) => f.object.name).sort()).toEqual(['one', 'three', 'two']);
    expect(new Set(found.map((f) => f.fingerprint)).size).toBe(3);
  });

  it('do not change when lines move above the object or other templates add documents', async () => {
    const before = chart({ 'chart/templates/a.yaml': pod('web-{{ randAlphaNum 5 | lower }}') });
    const after = chart({
      'chart/templates/0-first.yaml': pod('other'),
      'chart/templates/a.yaml': '# a comment\n# another\n' + pod('web-{{ randAlphaNum 5 | lower }}').replace('spec:\n', 'spec:\n  restartPolicy: Always\n'),
    });
    const [x, y] = await Promise.all([scan({ paths: [before], helmPath: helmPath(), provenance: false }), scan({ paths: [after], helmPath: helmPath(), provenance: false })]);
    const web = (findings: Finding[]) => privileged(findings).find((f) => f.object.name.startsWith('web-'))!;
    expect(web(x.findings).fingerprint).toBe(web(y.findings).fingerprint);
  });

  it('of manifests still follow the object name', async () => {
    const dir = chart({ 'm/a.yaml': pod('a'), 'm/b.yaml': pod('b') });
    const result = await scan({ paths: [path.join(path.dirname(dir), 'm')], provenance: false });
    expect(new Set(privileged(result.findings).map((f) => f.fingerprint)).size).toBe(2);
  });
});
