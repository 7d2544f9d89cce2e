// The Action's side of sharding: the `shard` and multi-line `report` inputs, report globs, merging the
// shards' reports before publishing, and the example workflow (a matrix of shards and one publish job).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { expandReports, loadReports } from '../../src/action/from-report.ts';
import { ConfigurationError, readInputs } from '../../src/action/inputs.ts';
import { scan } from '../../src/pipeline/scan.ts';
import { renderJson } from '../../src/reporters/json.ts';
import { repoRoot } from '../helpers/shared.ts';
import { makeShardRepo } from './fixture.ts';

const inputs = (values: Record<string, string>) => (name: string) => values[name] ?? '';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('Action inputs shard and report', () => {
  it('reads shard K/N and refuses a bad one naming the input', () => {
    expect(readInputs(inputs({ shard: '2/8' })).shard).toEqual({ index: 2, count: 8 });
    expect(readInputs(inputs({})).shard).toBeUndefined();
    expect(() => readInputs(inputs({ shard: '9/8' }))).toThrow(ConfigurationError);
    expect(() => readInputs(inputs({ shard: '9/8' }))).toThrow(/input shard 9\/8: the shard number must be from 1 to 8/);
    expect(() => readInputs(inputs({ shard: 'all' }))).toThrow(/input shard must be K\/N/);
  });

  it('reads report as one file or glob per line, and refuses report with shard', () => {
    expect(readInputs(inputs({ report: 'report.json' })).reports).toEqual(['report.json']);
    expect(readInputs(inputs({ report: ' reports/a.json\n\nreports/**/*.json \n' })).reports).toEqual(['reports/a.json', 'reports/**/*.json']);
    expect(readInputs(inputs({})).reports).toBeUndefined();
    expect(() => readInputs(inputs({ report: 'r.json', shard: '1/2' }))).toThrow(/input shard scans one shard and input report publishes reports/);
  });
});

describe('publishing the shards of one scan', () => {
  let workspace: string;
  let root: string;
  beforeAll(async () => {
    root = makeShardRepo();
    workspace = mkdtempSync(path.join(os.tmpdir(), 'preadmit-shard-action-'));
    dirs.push(root, workspace);
    // As download-artifact lays them out: one folder per artifact.
    for (let k = 1; k <= 3; k++) {
      mkdirSync(path.join(workspace, 'preadmit-reports', `preadmit-shard-${k}`), { recursive: true });
      const result = await scan({ paths: [root], helmPath: process.env.PREADMIT_TEST_HELM3!, shard: { index: k, count: 3 } });
      writeFileSync(path.join(workspace, 'preadmit-reports', `preadmit-shard-${k}`, 'preadmit-report.json'), renderJson(result));
    }
  }, 180_000);

  it('expands globs in order, each file once, and refuses a glob that matches nothing', () => {
    const files = expandReports(['preadmit-reports/**/*.json', 'preadmit-reports/preadmit-shard-1/preadmit-report.json'], workspace);
    expect(files.map((f) => path.relative(workspace, f))).toEqual([1, 2, 3].map((k) => `preadmit-reports/preadmit-shard-${k}/preadmit-report.json`));
    expect(expandReports(['one.json'], workspace)).toEqual([path.join(workspace, 'one.json')]);
    expect(() => expandReports(['reports/*.json'], workspace)).toThrow(/input report: no file matches reports\/\*\.json/);
  });

  it('merges every shard into one report, and names a missing shard', () => {
    const files = expandReports(['preadmit-reports/**/*.json'], workspace);
    const merged = loadReports(files);
    expect(merged.shard).toBeUndefined();
    expect(merged.findings.filter((f) => f.ruleId === 'pss-namespace-rejection')).toHaveLength(4);
    expect(merged.summary.findings).toBe(merged.findings.length);
    expect(() => loadReports(files.slice(1))).toThrow(ConfigurationError);
    expect(() => loadReports(files.slice(1))).toThrow(/input report: shard 1\/3 missing/);
  });
});

describe('examples/sharded-scan/preadmit-sharded.yml', () => {
  interface Step {
    id?: string;
    uses?: string;
    if?: string;
    with?: Record<string, string | number>;
  }
  interface Job {
    needs?: string | string[];
    if?: string;
    permissions?: Record<string, string>;
    strategy?: { matrix: { shard: number[] } };
    steps: Step[];
  }
  const workflow = parse(readFileSync(path.join(repoRoot, 'examples', 'sharded-scan', 'preadmit-sharded.yml'), 'utf8')) as { permissions: Record<string, string>; jobs: Record<string, Job> };
  const action = parse(readFileSync(path.join(repoRoot, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> };

  it('scans in a matrix of shards, each uploading its report-json', () => {
    const scanJob = workflow.jobs.scan!;
    const shards = scanJob.strategy!.matrix.shard;
    const step = scanJob.steps.find((s) => s.uses?.startsWith('preadmit/preadmit'))!;
    // Every shard 1..N once, and the input says the same N.
    expect(shards).toEqual(Array.from({ length: shards.length }, (_, i) => i + 1));
    expect(step.with!.shard).toBe(`\${{ matrix.shard }}/${shards.length}`);
    expect(readInputs(inputs({ shard: `${shards[1]}/${shards.length}` })).shard).toEqual({ index: 2, count: shards.length });
    const upload = scanJob.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
    expect(upload.with!.path).toBe(`\${{ steps.${step.id}.outputs.report-json }}`);
    expect(String(upload.with!.name)).toContain('${{ matrix.shard }}');
    expect(workflow.permissions).toEqual({ contents: 'read' });
    for (const s of scanJob.steps) for (const name of Object.keys(s.uses?.startsWith('preadmit/') ? (s.with ?? {}) : {})) expect(action.inputs).toHaveProperty(name);
  });

  it('publishes once: needs the scan jobs, downloads every shard, merges them with report, uploads one SARIF', () => {
    const publish = workflow.jobs.publish!;
    expect(publish.needs).toBe('scan');
    expect(publish.if).toBe('${{ !cancelled() }}');
    expect(publish.permissions).toMatchObject({ checks: 'write', 'pull-requests': 'write', 'security-events': 'write' });
    const download = publish.steps.find((s) => s.uses?.startsWith('actions/download-artifact'))!;
    const preadmit = publish.steps.find((s) => s.uses?.startsWith('preadmit/preadmit'))!;
    expect(String(download.with!.pattern)).toBe('preadmit-shard-*');
    // The report glob reaches the downloaded files (one folder per artifact).
    const glob = String(preadmit.with!.report);
    expect(glob.startsWith(`${download.with!.path}/`)).toBe(true);
    expect(readInputs(inputs({ report: glob })).reports).toEqual([glob]);
    const sarif = publish.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'))!;
    expect(sarif.with!.sarif_file).toBe(`\${{ steps.${preadmit.id}.outputs.sarif-file }}`);
    expect(action.outputs).toHaveProperty('sarif-file');
    expect(publish.steps.filter((s) => s.uses?.startsWith('preadmit/preadmit'))).toHaveLength(1);
  });
});
