// Every chart of the shared real-world corpus renders and scans with helm 3 and helm 4: no crash, no
// error, objects from every chart, and pod-carrying objects judged.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/pipeline/scan.ts';
import { corpusCharts, corpusConfig } from '../../scripts/corpus.ts';
import { sharedPath, skipMessage } from '../helpers/shared.ts';

const corpus = sharedPath('corpus');

describe.skipIf(!corpus)('shared chart corpus', () => {
  const charts = corpus ? corpusCharts(corpus) : [];
  const config = path.join(mkdtempSync(path.join(os.tmpdir(), 'preadmit-corpus-')), '.preadmit.yaml');
  // The charts' default values only, without provenance re-renders: this suite is about rendering and
  // scanning every chart (value sets and provenance have suites of their own).
  writeFileSync(config, corpusConfig(charts, { valueSets: { ci: false }, provenance: false }));

  it.each([
    ['helm 3', 'PREADMIT_TEST_HELM3'],
    ['helm 4', 'PREADMIT_TEST_HELM4'],
  ])('scans all %s charts without an error', async (_, helmVar) => {
    const result = await scan({ paths: [path.join(corpus!, 'charts')], configFile: config, helmPath: process.env[helmVar]!, kubeVersion: '1.33.0' });
    expect(result.errors).toEqual([]);
    expect(result.charts).toHaveLength(charts.length);
    const empty = result.charts.filter((c) => c.objects === 0).map((c) => c.chart);
    expect(empty).toEqual([]);
    // every pod-carrying object has an admission verdict
    const workloads = result.objects.filter((o) => o.admission);
    expect(workloads.length).toBeGreaterThan(120);
    for (const finding of result.findings) {
      expect(finding.source.file.startsWith('../shared/corpus/charts/') || !finding.source.file.startsWith('/')).toBe(true);
      expect(finding.source.file).not.toMatch(/^\/|tmp/);
    }
  }, 300_000);
});

// Said once on stderr too: the default reporter lists skipped files, not their tests' names.
if (!corpus) console.warn(skipMessage('corpus suite'));
describe.skipIf(corpus)('shared chart corpus (absent)', () => {
  it.skip(skipMessage('corpus suite'), () => {});
});
