// Which shard a unit goes to (pipeline/shard.ts): rendezvous hashing of the repository-relative path.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/model/errors.ts';
import { MANIFESTS_UNIT, parseShard, selectShard, shardOfUnit } from '../../src/pipeline/shard.ts';
import type { Input } from '../../src/pipeline/discover.ts';

const charts = Array.from({ length: 400 }, (_, i) => `charts/app-${i}`);
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('shard assignment', () => {
  it('is fixed for a path: the same shard on every run (pinned values)', () => {
    expect([2, 3, 4, 8].map((n) => shardOfUnit('charts/platform', n))).toEqual([1, 3, 3, 3]);
    expect(shardOfUnit('charts/app-b', 8)).toBe(7);
    expect(shardOfUnit('charts/app-b', 2)).toBe(2);
    expect(shardOfUnit('charts/app-b', 1)).toBe(1);
  });

  it('does not move any unit when units are added or removed (a shard depends on its own path and N only)', () => {
    const before = new Map(charts.map((c) => [c, shardOfUnit(c, 8)]));
    const inputs = (list: string[]): Input[] => list.map((c) => ({ kind: 'chart', dir: path.join('/repo', c), explicit: false }));
    const added = [...charts, 'charts/new-one', 'charts/new-two'];
    for (let k = 1; k <= 8; k++) {
      const was = selectShard(inputs(charts), { index: k, count: 8 }, '/repo').units;
      const now = selectShard(inputs(added), { index: k, count: 8 }, '/repo').units.filter((u) => !u.startsWith('charts/new-'));
      expect(now).toEqual(was);
    }
    const removed = charts.slice(50);
    for (const c of removed) expect(shardOfUnit(c, 8)).toBe(before.get(c));
  });

  it('spreads units evenly and moves about 1/(N+1) of them when a shard is added', () => {
    const sizes = [0, 0, 0, 0];
    for (const c of charts) sizes[shardOfUnit(c, 4) - 1]!++;
    for (const size of sizes) expect(size).toBeGreaterThan(70); // 100 each on average
    const moved = charts.filter((c) => shardOfUnit(c, 4) !== shardOfUnit(c, 5));
    // Rendezvous: only units that go to the new shard 5 move (hash mod N would move ~80%).
    expect(moved.every((c) => shardOfUnit(c, 5) === 5)).toBe(true);
    expect(moved.length).toBeGreaterThan(50);
    expect(moved.length).toBeLessThan(110);
  });

  it('every unit is in exactly one shard, and the shards agree on the whole scan', () => {
    const inputs: Input[] = charts.map((c) => ({ kind: 'chart', dir: path.join('/repo', c), explicit: false }));
    const parts = [1, 2, 3].map((k) => selectShard(inputs, { index: k, count: 3 }, '/repo'));
    expect(parts.flatMap((p) => p.units).sort()).toEqual([...charts].sort());
    expect(new Set(parts.map((p) => p.inputsDigest)).size).toBe(1);
    expect(parts.every((p) => p.total === 400)).toBe(true);
  });

  it('keeps the plain manifests together (one unit) and gives each Terraform plan its own', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'preadmit-shard-units-'));
    dirs.push(root);
    mkdirSync(path.join(root, 'deploy'));
    writeFileSync(path.join(root, 'deploy', 'a.yaml'), 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n');
    writeFileSync(path.join(root, 'deploy', 'b.yaml'), 'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b}\n');
    writeFileSync(path.join(root, 'plan.json'), JSON.stringify({ format_version: '1.2', terraform_version: '1.9.0', planned_values: { root_module: {} }, resource_changes: [] }));
    const inputs: Input[] = ['deploy/a.yaml', 'deploy/b.yaml', 'plan.json'].map((f) => ({ kind: 'manifest', file: path.join(root, f), explicit: false }));
    const all = selectShard(inputs, { index: 1, count: 1 }, root);
    expect(all.units).toEqual([MANIFESTS_UNIT, 'plan.json'].sort());
    for (let k = 1; k <= 4; k++) {
      const part = selectShard(inputs, { index: k, count: 4 }, root);
      const files = part.inputs.map((i) => (i.kind === 'manifest' ? path.relative(root, i.file) : ''));
      // Both manifests or neither: their joins (a RoleBinding and its ServiceAccount) stay in one shard.
      expect(files.includes('deploy/a.yaml')).toBe(files.includes('deploy/b.yaml'));
    }
  });

  it('reads K/N and refuses anything else with a usage error', () => {
    expect(parseShard('2/8')).toEqual({ index: 2, count: 8 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    for (const [bad, message] of [
      ['0/4', /--shard 0\/4: the shard number must be from 1 to 4/],
      ['5/4', /the shard number must be from 1 to 4/],
      ['1/0', /the number of shards must be from 1 to 256/],
      ['1/300', /the number of shards must be from 1 to 256/],
      ['2', /--shard must be K\/N/],
      ['a/b', /--shard must be K\/N/],
      ['-1/4', /--shard must be K\/N/],
    ] as const) {
      expect(() => parseShard(bad), bad).toThrow(UsageError);
      expect(() => parseShard(bad), bad).toThrow(message);
    }
  });
});
