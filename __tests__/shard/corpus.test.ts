// Sharding on real charts: eight corpus charts (copied to a temporary repository, never into the project)
// beside a `namespaces` chart that creates the Namespaces they run in (`default` enforcing restricted,
// `kube-system` baseline), scanned with the default configuration (value sets and provenance on),
// unsharded and on 2 and 3 shards: the merged report equals the unsharded one finding for finding,
// including the namespace joins that cross shards.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeReports } from '../../src/pipeline/merge.ts';
import { scan } from '../../src/pipeline/scan.ts';
import { shardOfUnit } from '../../src/pipeline/shard.ts';
import type { ScanResult } from '../../src/model/model.ts';
import { sharedPath, skipMessage } from '../helpers/shared.ts';
import { comparable, roundTrip } from './fixture.ts';

const corpus = sharedPath('corpus', 'charts');
const CHARTS = [
  'prometheus-community__prometheus-adapter',
  'elastic__filebeat',
  'elastic__kibana',
  'prometheus-community__prometheus-blackbox-exporter',
  'prometheus-community__prometheus-node-exporter',
  'grafana__promtail',
  'kubernetes-sigs__metrics-server',
  'bitnami-labs__sealed-secrets',
];

let root: string;
let whole: ScanResult;
const helm = () => process.env.PREADMIT_TEST_HELM3!;

describe.skipIf(corpus === undefined)('sharding the corpus charts', () => {
  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'preadmit-shard-corpus-'));
    mkdirSync(path.join(root, '.git'));
    writeFileSync(path.join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    for (const chart of CHARTS) cpSync(path.join(corpus!, chart), path.join(root, 'charts', chart), { recursive: true });
    mkdirSync(path.join(root, 'charts', 'namespaces', 'templates'), { recursive: true });
    writeFileSync(path.join(root, 'charts', 'namespaces', 'Chart.yaml'), 'apiVersion: v2\nname: namespaces\nversion: 0.1.0\n');
    writeFileSync(
      path.join(root, 'charts', 'namespaces', 'templates', 'namespaces.yaml'),
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: default\n  labels: {pod-security.kubernetes.io/enforce: restricted}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: kube-system\n  labels: {pod-security.kubernetes.io/enforce: baseline, pod-security.kubernetes.io/enforce-version: v1.25}\n',
    );
    whole = await scan({ paths: [root], helmPath: helm() });
  }, 600_000);
  afterAll(() => root && rmSync(root, { recursive: true, force: true }));

  it('has namespace joins from the namespaces chart onto corpus charts', () => {
    const joins = whole.findings.filter((f) => f.ruleId === 'pss-namespace-rejection');
    expect(new Set(joins.map((f) => f.source.chart)).size).toBeGreaterThanOrEqual(5);
    expect(whole.errors).toEqual([]);
  });

  it.each([2, 3])('merged over %i shards equals the unsharded scan', async (count) => {
    const reports = [];
    for (let index = 1; index <= count; index++) reports.push({ file: `shard-${index}`, result: roundTrip(await scan({ paths: [root], helmPath: helm(), shard: { index, count } })) });
    // The joins cross shards: most charts are not in the namespaces chart's shard.
    const home = shardOfUnit('charts/namespaces', count);
    expect(CHARTS.filter((c) => shardOfUnit(`charts/${c}`, count) !== home).length).toBeGreaterThanOrEqual(3);
    const merged = comparable(mergeReports(reports));
    const unsharded = comparable(whole);
    expect(merged.findings.length).toBe(unsharded.findings.length);
    expect(merged.findings).toEqual(unsharded.findings);
    expect(merged).toEqual(unsharded);
  }, 600_000);
});

if (corpus === undefined) console.warn(skipMessage('sharding the corpus charts'));
