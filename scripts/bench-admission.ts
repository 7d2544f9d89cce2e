// Speed of ValidatingAdmissionPolicy evaluation on the corpus charts (issue 19): the same scan with and
// without 20 realistic policies (the distinct policies of the conformance corpus's realistic/kyverno
// cases, each bound with Deny), alternating, and the evaluations per object.
// Usage: npx tsx scripts/bench-admission.ts [--charts N] [--rounds N]
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import yaml from 'js-yaml';
import { scan } from '../src/pipeline/scan.ts';
import { corpusCharts, corpusConfig } from './corpus.ts';

const { values } = parseArgs({ options: { charts: { type: 'string', default: '10' }, rounds: { type: 'string', default: '2' } } });
const shared = path.resolve('..', 'shared');
const casesDir = path.join(shared, 'conformance', 'vap', 'cases');

const policies = new Map<string, { policy: unknown; binding: unknown }>();
for (const f of readdirSync(casesDir).filter((f) => f.startsWith('real-kyverno')).sort()) {
  const c = yaml.load(readFileSync(path.join(casesDir, f), 'utf8')) as { policies: { metadata: { name: string } }[]; bindings: unknown[] };
  const p = c.policies[0]!;
  if (!policies.has(p.metadata.name) && policies.size < 20) policies.set(p.metadata.name, { policy: p, binding: c.bindings[0] });
}
const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-vap-bench-'));
const policyFile = path.join(dir, 'policies.yaml');
writeFileSync(policyFile, [...policies.values()].flatMap((p) => [p.policy, p.binding]).map((d) => yaml.dump(d)).join('---\n'));

const charts = corpusCharts(path.join(shared, 'corpus')).slice(0, Number(values.charts));
const configFile = path.join(dir, '.preadmit.yaml');
writeFileSync(configFile, corpusConfig(charts, { valueSets: { ci: false } }));
const helmPath = path.resolve('.cache/helm/v3/helm');

async function run(withPolicies: boolean) {
  const started = performance.now();
  const result = await scan({ paths: charts.map((c) => c.dir), configFile, helmPath, provenance: false, renderVariants: false, ...(withPolicies ? { policies: [policyFile] } : {}) });
  return { ms: performance.now() - started, objects: result.summary.objects, findings: result.findings.filter((f) => f.ruleId === 'admission-policy').length, errors: result.errors.length };
}

const times = { with: [] as number[], without: [] as number[] };
let last: Awaited<ReturnType<typeof run>> | undefined;
for (let round = 0; round < Number(values.rounds); round++) {
  for (const withPolicies of round % 2 === 0 ? [false, true] : [true, false]) {
    const r = await run(withPolicies);
    times[withPolicies ? 'with' : 'without'].push(r.ms);
    if (withPolicies) last = r;
  }
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const withMs = median(times.with), withoutMs = median(times.without);
console.log(`${charts.length} charts, ${last!.objects} objects, ${policies.size} policies (${last!.findings} admission-policy findings, ${last!.errors} errors)`);
console.log(`scan without policies: ${withoutMs.toFixed(0)} ms; with: ${withMs.toFixed(0)} ms; ratio ${(withMs / withoutMs).toFixed(2)}`);
console.log(`policy evaluations: ${last!.objects * policies.size} (objects x policies), ${(((withMs - withoutMs) * 1000) / (last!.objects * policies.size)).toFixed(1)} µs each on average`);
