// mergeReports on hand-made shard reports: what is combined how (errors every shard reports, suppression
// records, the baseline file's stale entries, base comparisons, the summary worked out again).
import { describe, expect, it } from 'vitest';
import { mergeReports } from '../../src/pipeline/merge.ts';
import type { ScanResult, ShardInfo, SuppressionRecord } from '../../src/model/model.ts';
import { finding, helmSource, scanResult } from '../reporters/fixtures.ts';

function shardInfo(index: number, count: number, units: string[]): ShardInfo {
  return {
    index,
    count,
    assignment: 'rendezvous-sha256',
    config: 'c'.repeat(32),
    inputs: 'd'.repeat(64),
    total: 2,
    units,
    failOnErrors: true,
    namespaces: [],
    joins: [],
    valueSets: { severity: 'keep', lockedRules: [] },
    diverging: [],
    policies: [],
  };
}

const record = (over: Partial<SuppressionRecord>): SuppressionRecord => ({ kind: 'config', status: 'unused', rule: 'pss-privileged', reason: 'r', file: '.preadmit.yaml', line: 2, matched: 0, ...over });

function part(index: number, over: Partial<ScanResult>): ScanResult {
  const unit = index === 1 ? 'charts/a' : 'charts/b';
  const high = finding({ source: helmSource({ chart: unit, file: `${unit}/templates/d.yaml` }), severity: 'high', ruleId: 'pss-privileged' });
  const low = finding({ source: helmSource({ chart: unit, file: `${unit}/templates/d.yaml` }), severity: 'low', ruleId: 'image-tag' });
  return { ...scanResult({ findings: index === 1 ? [high, low] : [low], errors: [{ kind: 'read', file: 'big.yaml', message: 'too large' }] }), shard: shardInfo(index, 2, [unit]), ...over };
}

describe('mergeReports parts', () => {
  it('reports an error every shard has once, and the others as they are', () => {
    const a = part(1, {});
    const b = part(2, {});
    b.errors.push({ kind: 'render', file: 'charts/b', message: 'helm failed' });
    const merged = mergeReports([{ file: 'a', result: a }, { file: 'b', result: b }]);
    expect(merged.errors).toEqual([
      { kind: 'read', file: 'big.yaml', message: 'too large' },
      { kind: 'render', file: 'charts/b', message: 'helm failed' },
    ]);
    expect(merged.summary.errors).toBe(2);
  });

  it('a suppression is unused only when no shard used it; matched counts add up', () => {
    const a = part(1, { suppressions: [record({}), record({ rule: 'image-tag', line: 5 })] });
    const b = part(2, { suppressions: [record({ status: 'applied', matched: 2 }), record({ rule: 'image-tag', line: 5 })] });
    const merged = mergeReports([{ file: 'a', result: a }, { file: 'b', result: b }]);
    expect(merged.suppressions).toEqual([record({ status: 'applied', matched: 2 }), record({ rule: 'image-tag', line: 5 })]);
  });

  it('works the summary out again: counts, blocking at --fail-on, the slowest shard as wall time', () => {
    const a = part(1, {});
    const b = part(2, {});
    a.summary = { ...a.summary, verdict: 'pass', blocking: 0, totalMs: 900, renderMs: 500 };
    b.summary = { ...b.summary, totalMs: 1200, renderMs: 700 };
    const merged = mergeReports([{ file: 'a', result: a }, { file: 'b', result: b }]);
    expect(merged.summary).toMatchObject({ verdict: 'fail', findings: 3, blocking: 1, bySeverity: { high: 1, low: 2 }, errors: 1, totalMs: 1200, renderMs: 1200 });
    expect(mergeReports([{ file: 'a', result: part(1, { errors: [] }) }, { file: 'b', result: part(2, { errors: [] }) }], { failOn: 'critical' }).summary).toMatchObject({ verdict: 'pass', blocking: 0, failOn: 'critical' });
  });

  it('keeps a baseline entry stale only when no shard matched it, and gates on new findings', () => {
    const entry = (fingerprint: string) => ({ fingerprint, rule: 'r', object: 'o', where: 'w', path: '/p', reason: 'x' });
    const a = part(1, { baselineFile: { file: '.preadmit-baseline.yaml', entries: 2, stale: [entry('a'.repeat(32)), entry('b'.repeat(32))] } });
    const b = part(2, { baselineFile: { file: '.preadmit-baseline.yaml', entries: 2, stale: [entry('a'.repeat(32))] } });
    for (const f of [...a.findings, ...b.findings]) f.status = f.severity === 'high' ? 'existing' : 'new';
    const merged = mergeReports([{ file: 'a', result: a }, { file: 'b', result: b }]);
    expect(merged.baselineFile?.stale.map((e) => e.fingerprint)).toEqual(['a'.repeat(32)]);
    expect(merged.summary).toMatchObject({ new: 2, existing: 1, blocking: 0 });
  });

  it('unites base comparisons: rendered and unchanged charts, fixed findings, base errors', () => {
    const base = { revision: 'main', sha: 'f'.repeat(40), gate: 'new' as const, errors: 1 };
    const a = part(1, { base: { ...base, rendered: ['charts/a'], unchanged: [] }, fixed: [finding({ ruleId: 'gone' })] });
    const b = part(2, { base: { ...base, rendered: [], unchanged: ['charts/b'] }, fixed: [] });
    const merged = mergeReports([{ file: 'a', result: a }, { file: 'b', result: b }]);
    expect(merged.base).toEqual({ ...base, rendered: ['charts/a'], unchanged: ['charts/b'], errors: 2 });
    expect(merged.fixed?.map((f) => f.ruleId)).toEqual(['gone']);
    expect(merged.summary.fixed).toBe(1);
  });

  it('refuses shards compared with different bases or gates, or one compared and one not (issue 15)', () => {
    const base = { revision: 'main', sha: 'f'.repeat(40), gate: 'new' as const, errors: 0, rendered: [], unchanged: [] };
    const merge = (a: Partial<ScanResult>, b: Partial<ScanResult>) => mergeReports([{ file: 'shard-1.json', result: part(1, a) }, { file: 'shard-2.json', result: part(2, b) }]);
    expect(() => merge({ base }, {})).toThrow(`shard-2.json was scanned without --base, shard-1.json with --base main (commit ${'f'.repeat(40)}) and --gate new: every shard must compare with the same base`);
    expect(() => merge({}, { base })).toThrow(/shard-2\.json was scanned with --base main .*, shard-1\.json without --base/);
    expect(() => merge({ base }, { base: { ...base, gate: 'all' } })).toThrow(/--gate all, shard-1\.json with --base main .* --gate new/);
    expect(() => merge({ base }, { base: { ...base, sha: 'e'.repeat(40) } })).toThrow(`commit ${'e'.repeat(40)}`);
    // The same commit named differently is the same base.
    expect(merge({ base }, { base: { ...base, revision: 'origin/main' } }).base?.sha).toBe('f'.repeat(40));
  });
});
