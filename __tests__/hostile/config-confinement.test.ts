// A configuration that comes with the pull request (inside the repository) may not make preadmit read
// outside the repository, and every glob in a configuration is checked, each error with its line.
// (Requires the lead's patches to src/config/config.ts and src/pipeline/scan.ts.)
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/pipeline/scan.ts';
import { chart, helm3, link, PRIVILEGED_POD, workspace, writeTree } from './helpers.ts';

/** A repository (a directory with .git) with one chart, and a directory outside it holding a values file. */
function setup(config: (outside: string) => string): { repo: string; outside: string; target: string } {
  const repo = workspace();
  mkdirSync(path.join(repo, '.git'));
  const outside = workspace('preadmit-hostile-outside-');
  writeTree(outside, { 'values.yaml': 'secret: Outside-Values-Secret\n' });
  const target = chart(path.join(repo, 'charts'), 'app', { 'templates/pod.yaml': PRIVILEGED_POD });
  writeFileSync(path.join(repo, '.preadmit.yaml'), config(outside));
  return { repo, outside, target };
}

describe('a configuration inside the repository', () => {
  it.each([
    ['an absolute path', (o: string) => `helm:\n  valuesFiles: [${JSON.stringify(path.join(o, 'values.yaml'))}]\n`, 2],
    ['a relative path that climbs out', () => 'charts:\n  - path: charts/app\n    values: ["../../../../etc/passwd"]\n', 3],
    ['a value set file', (o: string) => `charts:\n  - path: charts/app\n    valueSets:\n      - name: prod\n        values: [${JSON.stringify(path.join(o, 'values.yaml'))}]\n`, 5],
  ])('may not name a values file outside it: %s', async (_, config, line) => {
    const { target } = setup(config);
    await expect(scan({ paths: [target], helmPath: helm3() })).rejects.toThrow(new RegExp(`\\.preadmit\\.yaml:${line}: values file .*leads outside the repository`));
  });

  it('may not reach outside through a symlink inside it', async () => {
    const { repo, outside, target } = setup(() => 'helm:\n  valuesFiles: [values/prod.yaml]\n');
    link(repo, 'values/prod.yaml', path.join(outside, 'values.yaml'));
    await expect(scan({ paths: [target], helmPath: helm3() })).rejects.toThrow(/\.preadmit\.yaml:2: values file "values\/prod\.yaml": path \(through a symlink\) leads outside/);
  });

  it('may not itself be a symlink out of the repository', async () => {
    const { repo, outside, target } = setup(() => '');
    writeFileSync(path.join(outside, 'evil.yaml'), 'failOn: never\n');
    link(repo, '.preadmit.yaml', path.join(outside, 'evil.yaml'));
    await expect(scan({ paths: [target], helmPath: helm3() })).rejects.toThrow(/the configuration file is a symlink leading outside the repository; not read/);
  });

  it('may name values files inside it', async () => {
    const { repo, target } = setup(() => 'helm:\n  valuesFiles: [values/prod.yaml]\n');
    writeTree(repo, { 'values/prod.yaml': 'a: 1\n' });
    const result = await scan({ paths: [target], helmPath: helm3() });
    expect(result.errors).toEqual([]);
  });
});

describe('a configuration outside the repository (the operator\'s)', () => {
  it('may name values files anywhere', async () => {
    const { repo, outside, target } = setup(() => '');
    const config = path.join(workspace(), 'operator.yaml');
    writeFileSync(config, `helm:\n  valuesFiles: [${JSON.stringify(path.join(outside, 'values.yaml'))}]\n`);
    const result = await scan({ paths: [target], helmPath: helm3(), configFile: config });
    expect(result.errors).toEqual([]);
    expect(repo).toBeDefined();
  });
});

describe('globs in a configuration', () => {
  it.each([
    ['include', 'include:\n  - "{1..100000}"\n', 2],
    ['exclude', 'exclude:\n  - ok/**\n  - "a{b,c}{d,e}{f,g}{h,i}{j,k}{l,m}{n,o}{p,q}{r,s}"\n', 3],
    ['a chart path', `charts:\n  - path: "${'x'.repeat(2000)}"\n`, 2],
    ['a suppression', 'suppressions:\n  - rule: pss-privileged\n    reason: r\n    name: "{1..9999}"\n', 4],
  ])('are checked before anything runs: %s, with its line', async (_, config, line) => {
    const { target } = setup(() => config);
    await expect(scan({ paths: [target], helmPath: helm3() })).rejects.toThrow(new RegExp(`\\.preadmit\\.yaml:${line}: "`));
  });
});
