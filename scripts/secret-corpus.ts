// Secret findings on the shared chart corpus, per rule and one line each (rule, chart, path, message),
// for false-positive review of the secret rules. Usage: npx tsx scripts/secret-corpus.ts > out.txt
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scan } from '../src/pipeline/scan.ts';
import { corpusCharts, corpusConfig } from './corpus.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpus = process.env.PREADMIT_SHARED ? path.join(process.env.PREADMIT_SHARED, 'corpus') : path.resolve(root, '..', 'shared', 'corpus');
const charts = corpusCharts(corpus);
const config = path.join(mkdtempSync(path.join(os.tmpdir(), 'preadmit-secret-corpus-')), '.preadmit.yaml');
writeFileSync(config, corpusConfig(charts));
const helm = path.join(root, '.cache/helm/v3/helm');
const result = await scan({ paths: [path.join(corpus, 'charts')], configFile: config, helmPath: helm, kubeVersion: '1.33.0' });
const secrets = result.findings.filter((f) => f.category === 'secrets');
const perRule = new Map<string, number>();
for (const f of secrets) perRule.set(f.ruleId, (perRule.get(f.ruleId) ?? 0) + 1);
console.log(`charts ${result.summary.charts} objects ${result.summary.objects} findings ${result.summary.findings} errors ${result.summary.errors} ms ${result.summary.totalMs}`);
for (const [rule, n] of [...perRule].sort()) console.log(`${rule}\t${n}`);
for (const f of secrets) console.log(`- ${f.ruleId}\t${(f.source.chart ?? f.source.file).split('/').pop()}\t${f.object.kind}/${f.object.name}\t${f.path}\t${f.message}`);
