// `preadmit scan --shard K/N` and `preadmit merge REPORT...` as users run them (main() in process):
// usage errors exit 2 with a message naming the cause, the merged report in every format.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import type { ScanResult } from '../../src/model/model.ts';
import { makeShardRepo } from './fixture.ts';

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const [o, e] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    return { code: await main(args), stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

const helm = () => process.env.PREADMIT_TEST_HELM3!;
let root: string;
let out: string;
const shardFile = (k: number) => path.join(out, `shard-${k}.json`);

beforeAll(async () => {
  root = makeShardRepo();
  out = mkdtempSync(path.join(os.tmpdir(), 'preadmit-shard-cli-'));
  for (const k of [1, 2]) {
    const run = await cli(['scan', root, '--helm', helm(), '--shard', `${k}/2`, '--format', 'json', '--output', shardFile(k)]);
    expect(run.stderr).not.toMatch(/internal error/);
    expect([0, 1]).toContain(run.code);
  }
  const whole = await cli(['scan', root, '--helm', helm(), '--format', 'json', '--output', path.join(out, 'whole.json')]);
  expect(whole.code).toBe(1);
}, 180_000);
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

describe('preadmit scan --shard', () => {
  it.each([
    ['0/2', /--shard 0\/2: the shard number must be from 1 to 2/],
    ['3/2', /--shard 3\/2: the shard number must be from 1 to 2/],
    ['1/999', /the number of shards must be from 1 to 256/],
    ['half', /--shard must be K\/N, this shard's number and the number of shards, like 2\/8 \(got "half"\)/],
  ])('--shard %s is a usage error (exit 2)', async (value, message) => {
    const run = await cli(['scan', root, '--helm', helm(), '--shard', value]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('refuses --shard with preadmit baseline', async () => {
    const run = await cli(['baseline', root, '--shard', '1/2']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/not --base, --format, --shard or standard input/);
  });

  it('writes a report that records its shard, and merges back into the unsharded report', async () => {
    const one = JSON.parse(readFileSync(shardFile(1), 'utf8')) as ScanResult;
    expect(one.shard).toMatchObject({ index: 1, count: 2, total: 6 });
    const merged = await cli(['merge', shardFile(1), shardFile(2), '--format', 'json', '--output', path.join(out, 'merged.json')]);
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(1);
    const a = JSON.parse(readFileSync(path.join(out, 'merged.json'), 'utf8')) as ScanResult;
    const b = JSON.parse(readFileSync(path.join(out, 'whole.json'), 'utf8')) as ScanResult;
    expect(a.findings).toEqual(b.findings);
    expect(a.findings.filter((f) => f.ruleId === 'pss-namespace-rejection')).toHaveLength(4);
    expect(a.suppressions).toEqual(b.suppressions);
    expect({ ...a.summary, totalMs: 0, renderMs: 0, provenance: undefined }).toEqual({ ...b.summary, totalMs: 0, renderMs: 0, provenance: undefined });
    expect(a.shard).toBeUndefined();
  });
});

describe('preadmit merge', () => {
  it.each(['text', 'sarif', 'markdown', 'junit'])('prints the merged report as %s', async (format) => {
    const run = await cli(['merge', shardFile(2), shardFile(1), '--format', format]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('pss-namespace-rejection');
    if (format === 'sarif') expect((JSON.parse(run.stdout) as { runs: { results: unknown[] }[] }).runs[0]!.results.length).toBeGreaterThan(4);
  });

  it('applies --fail-on to the merged findings', async () => {
    expect((await cli(['merge', shardFile(1), shardFile(2), '--fail-on', 'never', '--format', 'json'])).code).toBe(0);
  });

  it('names a missing shard (exit 2)', async () => {
    const run = await cli(['merge', shardFile(1)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/preadmit: shard 2\/2 missing: the merged report would lack its charts \(given: 1\/2\)/);
  });

  it('refuses a report that is not a shard, a file that is not a report, scan options and no reports', async () => {
    const whole = await cli(['merge', path.join(out, 'whole.json'), shardFile(1)]);
    expect(whole.code).toBe(2);
    expect(whole.stderr).toMatch(/whole\.json is not a shard's report: it was made without --shard K\/N/);
    const bogus = await cli(['merge', path.join(root, 'manifests', 'pod.yaml')]);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toMatch(/pod\.yaml is not JSON/);
    const missing = await cli(['merge', path.join(out, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the report .*nope\.json/);
    const option = await cli(['merge', shardFile(1), shardFile(2), '--helm', 'x']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/not --helm/);
    const none = await cli(['merge']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/needs the JSON reports of every shard/);
    const format = await cli(['merge', shardFile(1), shardFile(2), '--format', 'html5']);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/--format must be one of/);
  });
});
