// Sharded scans merged (issue 18): the merged report equals the unsharded one finding for finding, on a
// repository whose charts join across units, split over 2 and 3 shards; merge refuses reports that are
// not every shard of one scan exactly once.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan, type ScanOptions } from '../../src/pipeline/scan.ts';
import { mergeReports } from '../../src/pipeline/merge.ts';
import { shardOfUnit } from '../../src/pipeline/shard.ts';
import type { ScanResult } from '../../src/model/model.ts';
import { comparable, makeShardRepo, roundTrip } from './fixture.ts';

const helm = () => process.env.PREADMIT_TEST_HELM3!;
let root: string;
let whole: ScanResult;

const options = (): ScanOptions => ({ paths: [root], helmPath: helm() });

async function sharded(count: number): Promise<ScanResult> {
  const reports = [];
  for (let index = 1; index <= count; index++) reports.push({ file: `shard-${index}.json`, result: roundTrip(await scan({ ...options(), shard: { index, count } })) });
  return mergeReports(reports);
}

beforeAll(async () => {
  root = makeShardRepo();
  whole = await scan(options());
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('shard merge', () => {
  it('the test repository joins across shards at 2 and 3 shards', () => {
    for (const count of [2, 3]) expect(shardOfUnit('charts/platform', count)).not.toBe(shardOfUnit('charts/app-b', count));
    expect(shardOfUnit('charts/platform', 3)).not.toBe(shardOfUnit('(manifests)', 3));
    // The unsharded scan has the cross-chart joins: namespace rejections in both value sets, the
    // manifests' Pod, and app-c's suppressed one.
    const joins = whole.findings.filter((f) => f.ruleId === 'pss-namespace-rejection');
    expect(joins.map((f) => `${f.source.chart ?? f.source.file}:${f.object.name}`).sort()).toEqual(['charts/app-b:app-b', 'charts/app-b:app-b', 'charts/app-c:app-c', 'manifests/pod.yaml:debug']);
    // app-b's `extra` value set turns privileged on: its first violation, located at the values line, differs from the default render's.
    const extra = joins.find((f) => f.object.name === 'app-b' && f.path.endsWith('/privileged'));
    expect(extra?.valueSets).toEqual(['ci/extra-values.yaml']);
    expect(extra?.source.values).toEqual({ file: 'charts/app-b/ci/extra-values.yaml', line: 1, key: 'privileged' });
    expect(joins.find((f) => f.object.name === 'app-c')?.suppressed?.kind).toBe('config');
    expect(joins.find((f) => f.object.name === 'app-b')?.message).toContain('enforce=restricted:latest');
    expect(joins.find((f) => f.object.name === 'app-c')?.message).toContain('enforce=baseline:v1.20');
  });

  it.each([2, 3])('the merged report of %i shards equals the unsharded one', async (count) => {
    const merged = await sharded(count);
    const a = comparable(merged);
    const b = comparable(whole);
    expect(a.findings.map((f) => f.fingerprint).sort()).toEqual(b.findings.map((f) => f.fingerprint).sort());
    expect(a.findings.filter((f) => f.ruleId === 'pss-namespace-rejection')).toHaveLength(4);
    expect(a.findings).toEqual(b.findings);
    expect(a).toEqual(b);
    expect(merged.shard).toBeUndefined();
  }, 120_000);

  it('a shard report records which shard it is and what it covered', async () => {
    const result = await scan({ ...options(), shard: { index: 2, count: 3 } });
    expect(result.shard).toMatchObject({ index: 2, count: 3, assignment: 'rendezvous-sha256', total: 6 });
    expect(result.shard!.units).toEqual(['charts/app-b', 'charts/app-d', 'charts/app-e'].filter((u) => shardOfUnit(u, 3) === 2));
    expect(result.charts.every((c) => result.shard!.units.includes(c.chart))).toBe(true);
    expect(result.shard!.joins.some((j) => j.namespace === 'team-b' && j.level === 'restricted')).toBe(true);
  }, 120_000);
});

describe('merge refusals', () => {
  let reports: { file: string; result: ScanResult }[];
  beforeAll(async () => {
    reports = [];
    for (let index = 1; index <= 3; index++) reports.push({ file: `shard-${index}.json`, result: roundTrip(await scan({ ...options(), shard: { index, count: 3 } })) });
  }, 120_000);
  const copy = () => reports.map((r) => ({ file: r.file, result: structuredClone(r.result) }));

  it('names a missing shard', () => {
    expect(() => mergeReports(copy().filter((r) => r.file !== 'shard-2.json'))).toThrow(/shard 2\/3 missing.*given: 1\/3, 3\/3/);
  });
  it('refuses a shard given twice', () => {
    const list = copy();
    expect(() => mergeReports([...list, list[0]!])).toThrow(/shard 1\/3 given twice: shard-1\.json and shard-1\.json/);
  });
  it('refuses reports of different preadmit versions', () => {
    const list = copy();
    list[1]!.result.tool.version = '0.0.1';
    expect(() => mergeReports(list)).toThrow(/shard-2\.json was made by preadmit 0\.0\.1/);
  });
  it('refuses reports of different configurations', () => {
    const list = copy();
    list[2]!.result.shard!.config = 'f'.repeat(32);
    expect(() => mergeReports(list)).toThrow(/different configurations/);
  });
  it('refuses reports of different checkouts or overlapping units', () => {
    const list = copy();
    list[2]!.result.shard!.inputs = 'e'.repeat(64);
    expect(() => mergeReports(list)).toThrow(/saw different charts/);
    const overlap = copy();
    overlap[1]!.result.shard!.units.push(overlap[0]!.result.shard!.units[0]!);
    expect(() => mergeReports(overlap)).toThrow(/scanned by two shards/);
  });
  it('refuses shards of checkouts whose files differ, with the same unit names (issue 15)', async () => {
    const file = path.join(root, 'charts/app-d/templates/deployment.yaml');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('privileged: true', 'privileged: false'));
    let changed: ScanResult;
    try {
      changed = roundTrip(await scan({ ...options(), shard: { index: 2, count: 3 } }));
    } finally {
      writeFileSync(file, text);
    }
    const list = copy();
    list[1] = { file: 'shard-2-other-commit.json', result: changed };
    expect(() => mergeReports(list)).toThrow(/shard-2-other-commit\.json and shard-1\.json saw different charts, manifests or plans \(6 units each, their names or the content of their files differ/);
  }, 120_000);
  it('refuses a report made without --shard and a different split', () => {
    const list = copy();
    delete list[0]!.result.shard;
    expect(() => mergeReports(list)).toThrow(/shard-1\.json is not a shard's report/);
    const split = copy();
    split[1]!.result.shard!.count = 4;
    expect(() => mergeReports(split)).toThrow(/shard of 4/);
  });
  it('refuses shards when a chart ships ValidatingAdmissionPolicies', () => {
    const list = copy();
    list[0]!.result.shard!.policies = ['charts/policies'];
    expect(() => mergeReports(list)).toThrow(/ValidatingAdmissionPolicies in charts\/policies apply to the objects of every shard/);
  });
});
