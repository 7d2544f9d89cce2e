// What identifies a scan's checkout for `preadmit merge` (pipeline/shard.ts contentDigest): the content of
// every unit's files, not only the unit names (issue 15: shards of different commits merged).
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, describe, expect, it } from 'vitest';
import { contentDigest, selectShard } from '../../src/pipeline/shard.ts';
import type { Input } from '../../src/pipeline/discover.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function write(root: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

function repo(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'preadmit-digest-'));
  dirs.push(root);
  write(root, '.git/HEAD', 'ref: refs/heads/main\n');
  write(root, 'charts/app/Chart.yaml', 'apiVersion: v2\nname: app\nversion: 0.1.0\n');
  write(root, 'charts/app/values.yaml', 'privileged: false\n');
  write(root, 'charts/app/templates/pod.yaml', 'kind: Pod\n');
  write(root, 'shared/labels.tpl', '{{- define "labels" }}a: b{{ end }}\n');
  write(root, 'manifests/pod.yaml', 'apiVersion: v1\nkind: Pod\n');
  write(root, 'values/prod.yaml', 'replicas: 1\n');
  return root;
}

const inputs = (root: string): Input[] => [
  { kind: 'chart', dir: path.join(root, 'charts/app'), explicit: false },
  { kind: 'manifest', file: path.join(root, 'manifests/pod.yaml'), explicit: false },
];
const digest = (root: string, extra: string[] = []) => selectShard(inputs(root), { index: 1, count: 2 }, root, extra).inputsDigest;

describe('shard inputs digest', () => {
  it('is the same for the same content in another checkout folder, whatever the file times', () => {
    const a = repo();
    const b = mkdtempSync(path.join(os.tmpdir(), 'preadmit-digest-copy-'));
    dirs.push(b);
    cpSync(a, b, { recursive: true });
    // An absolute link names the checkout folder: what counts is where in the repository it leads.
    for (const root of [a, b]) symlinkSync(path.join(root, 'shared/labels.tpl'), path.join(root, 'charts/app/templates/_labels.tpl'));
    utimesSync(path.join(b, 'charts/app/values.yaml'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect(digest(b)).toBe(digest(a));
    expect(digest(a)).toMatch(/^[0-9a-f]{64}$/);
    // Every shard of the scan computes the same digest.
    expect(selectShard(inputs(a), { index: 2, count: 2 }, a).inputsDigest).toBe(digest(a));
  });

  it('changes when a file of a unit changes, even at the same size and names', () => {
    const root = repo();
    const before = digest(root);
    write(root, 'charts/app/values.yaml', 'privileged: truee\n');
    expect(digest(root)).not.toBe(before);
    const chart = digest(root);
    write(root, 'manifests/pod.yaml', 'apiVersion: v2\nkind: Pod\n');
    expect(digest(root)).not.toBe(chart);
  });

  it('covers files git does not track that still render (a built dependency) and files the options name', () => {
    const root = repo();
    const before = digest(root, [path.join(root, 'values/prod.yaml')]);
    write(root, 'charts/app/charts/dep-1.0.0.tgz', 'not really a tarball');
    const withDependency = digest(root, [path.join(root, 'values/prod.yaml')]);
    expect(withDependency).not.toBe(before);
    write(root, 'values/prod.yaml', 'replicas: 2\n');
    expect(digest(root, [path.join(root, 'values/prod.yaml')])).not.toBe(withDependency);
  });

  it('follows a symlink inside the repository, never one out of it, and stops at a cycle', () => {
    const root = repo();
    symlinkSync('../../../shared/labels.tpl', path.join(root, 'charts/app/templates/_labels.tpl'));
    const before = digest(root);
    write(root, 'shared/labels.tpl', '{{- define "labels" }}a: c{{ end }}\n');
    expect(digest(root)).not.toBe(before);

    const outside = mkdtempSync(path.join(os.tmpdir(), 'preadmit-digest-outside-'));
    dirs.push(outside);
    write(outside, 'secret.txt', 'one');
    symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'charts/app/templates/outside.txt'));
    symlinkSync('..', path.join(root, 'charts/app/templates/loop'));
    const linked = digest(root);
    write(outside, 'secret.txt', 'two');
    expect(digest(root)).toBe(linked);
  });

  it('orders units and paths, so the order inputs were found in does not matter', () => {
    const root = repo();
    const units: [string, string[]][] = [
      ['charts/app', [path.join(root, 'charts/app')]],
      ['(manifests)', [path.join(root, 'manifests/pod.yaml')]],
    ];
    expect(contentDigest(units, root)).toBe(contentDigest([...units].reverse(), root));
  });

  it('walks folders that link to each other once each (a pull request cannot make it run for ever)', () => {
    const root = repo();
    const k = 12;
    for (let i = 0; i < k; i++) write(root, `charts/app/files/s${i}/f.txt`, `${i}`);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (i !== j) symlinkSync(`../s${j}`, path.join(root, `charts/app/files/s${i}/t${j}`));
    const started = performance.now();
    const first = digest(root);
    // Walked once per order of links, 12 folders would take longer than the universe has existed.
    expect(performance.now() - started).toBeLessThan(5000);
    expect(digest(root)).toBe(first);
    writeFileSync(path.join(root, 'charts/app/files/s7/f.txt'), 'changed');
    expect(digest(root)).not.toBe(first);
  });

  it('does not follow a link into .git (where the checkout keeps its token)', () => {
    const root = repo();
    write(root, '.git/config', '[http]\n  extraheader = AUTHORIZATION: basic one\n');
    symlinkSync('../../.git', path.join(root, 'charts/app/g'));
    const first = digest(root);
    write(root, '.git/config', '[http]\n  extraheader = AUTHORIZATION: basic two\n');
    expect(digest(root)).toBe(first);
  });

  it('reads a rebuilt dependency archive by its entries and a lock file without its generated time (each shard job builds its own)', async () => {
    const root = repo();
    const packed = path.join(root, 'build');
    write(packed, 'dep/Chart.yaml', 'apiVersion: v2\nname: dep\nversion: 0.1.0\n');
    write(packed, 'dep/templates/pod.yaml', 'kind: Pod\n');
    const archive = path.join(root, 'charts/app/charts/dep-0.1.0.tgz');
    mkdirSync(path.dirname(archive), { recursive: true });
    const build = async (time: Date) => {
      for (const f of ['dep', 'dep/Chart.yaml', 'dep/templates', 'dep/templates/pod.yaml']) utimesSync(path.join(packed, f), time, time);
      await tar.create({ gzip: true, file: archive, cwd: packed }, ['dep']);
      write(root, 'charts/app/Chart.lock', `dependencies:\n- name: dep\n  version: 0.1.0\ndigest: sha256:ab\ngenerated: "${time.toISOString()}"\n`);
    };
    const inputsOnly = () => contentDigest([['charts/app', [path.join(root, 'charts/app')]]], root);
    await build(new Date('2026-01-01T00:00:00Z'));
    const first = inputsOnly();
    await build(new Date('2026-06-01T00:00:00Z'));
    expect(inputsOnly()).toBe(first);
    write(packed, 'dep/templates/pod.yaml', 'kind: Pod\nspec: {hostNetwork: true}\n');
    await build(new Date('2026-06-01T00:00:00Z'));
    expect(inputsOnly()).not.toBe(first);
  });
});
