// Proven fixes on the shared chart corpus (issue 17): how many findings get a fix proven by re-rendering,
// per rule, in the charts' defaults and in their ci/ value sets, and what the proofs cost in helm renders.
// The corpus is copied to a temporary folder (never edited in place); with --apply, `preadmit fix`'s edits
// are written to that copy, the edited charts are scanned again and every fixed finding is checked gone.
//
//   npx tsx scripts/fix-corpus.ts [--corpus ../shared/corpus] [--helm .cache/helm/v3/helm] [--apply]
//       [--evidence /tmp/fix-evidence] [--charts a,b]
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RULES } from '../rules/index.ts';
import { applyFixReport, type FixReport } from '../src/pipeline/fixes.ts';
import { scan } from '../src/pipeline/scan.ts';
import type { Finding } from '../src/model/model.ts';
import { corpusCharts, corpusConfig } from './corpus.ts';

const { values } = parseArgs({
  options: {
    corpus: { type: 'string', default: path.resolve(import.meta.dirname, '../../shared/corpus') },
    helm: { type: 'string', default: path.resolve(import.meta.dirname, '../.cache/helm/v3/helm') },
    apply: { type: 'boolean', default: false },
    evidence: { type: 'string', default: '/tmp/fix-evidence' },
    charts: { type: 'string' },
  },
});

const fixable = new Set(RULES.filter((rule) => rule.fix !== undefined && rule.fix.optIn !== true).map((rule) => rule.meta.id));
const work = mkdtempSync(path.join(os.tmpdir(), 'preadmit-fix-corpus-'));
mkdirSync(path.join(work, '.git'));
const only = values.charts?.split(',');
const charts = corpusCharts(values.corpus!)
  .filter((chart) => only === undefined || only.includes(chart.name))
  .map((chart) => {
    const dir = path.join(work, 'charts', chart.name);
    cpSync(chart.dir, dir, { recursive: true, verbatimSymlinks: true });
    return { ...chart, dir, values: chart.values.map((file) => path.join(work, path.relative(values.corpus!, file))) };
  });
cpSync(path.join(values.corpus!, 'values'), path.join(work, 'values'), { recursive: true });
writeFileSync(path.join(work, '.preadmit.yaml'), corpusConfig(charts));

let report: FixReport | undefined;
const started = performance.now();
// Proofs get their own room: the scan's default 1000 renders are mostly spent by the corpus' 201 renders and provenance.
const result = await scan({ paths: charts.map((c) => c.dir), helmPath: values.helm!, fixes: 'all', bounds: { maxRenders: 10_000 }, onFixes: (r) => (report = r) });
const seconds = (performance.now() - started) / 1000;

interface Row {
  findings: number;
  atValues: number;
  candidates: number;
  proven: number;
  provenDefault: number;
  provenCiOnly: number;
}
const rows = new Map<string, Row>();
const row = (id: string) => rows.get(id) ?? rows.set(id, { findings: 0, atValues: 0, candidates: 0, proven: 0, provenDefault: 0, provenCiOnly: 0 }).get(id)!;
const candidateFindings = new Set<Finding>((report?.charts ?? []).flatMap((c) => [...c.proven, ...c.rejected.map((r) => r.edit)].flatMap((e) => e.findings)));
for (const f of result.findings) {
  if (!fixable.has(f.ruleId) || f.source.kind !== 'helm') continue;
  const r = row(f.ruleId);
  r.findings++;
  if (f.source.values !== undefined) r.atValues++;
  if ([...candidateFindings].some((c) => c.fingerprint === f.fingerprint && c.source.chart === f.source.chart)) r.candidates++;
  if (f.fix !== undefined) {
    r.proven++;
    if ((f.valueSets ?? ['default']).includes('default')) r.provenDefault++;
    else r.provenCiOnly++;
  }
}
const total = [...rows.values()].reduce((t, r) => ({ findings: t.findings + r.findings, atValues: t.atValues + r.atValues, candidates: t.candidates + r.candidates, proven: t.proven + r.proven, provenDefault: t.provenDefault + r.provenDefault, provenCiOnly: t.provenCiOnly + r.provenCiOnly }), { findings: 0, atValues: 0, candidates: 0, proven: 0, provenDefault: 0, provenCiOnly: 0 });
const lines = [
  `| rule | findings | at a values key | candidate edit | proven fix | proven, in defaults | proven, only ci/ sets |`,
  `|---|---:|---:|---:|---:|---:|---:|`,
  ...[...rows.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([id, r]) => `| ${id} | ${r.findings} | ${r.atValues} | ${r.candidates} | ${r.proven} | ${r.provenDefault} | ${r.provenCiOnly} |`),
  `| **total** | ${total.findings} | ${total.atValues} | ${total.candidates} | ${total.proven} | ${total.provenDefault} | ${total.provenCiOnly} |`,
];
const proofs = report?.charts ?? [];
const renders = proofs.reduce((n, c) => n + c.renders, 0);
console.log(lines.join('\n'));
console.log(`\n${result.summary.charts} chart renders, ${result.summary.findings} findings, ${result.errors.length} errors; scan ${seconds.toFixed(1)} s (renders ${result.summary.renderMs} ms summed)`);
console.log(`proofs: ${proofs.length} charts, ${proofs.reduce((n, c) => n + c.trials, 0)} trials, ${renders} helm renders`);
for (const c of [...proofs].sort((a, b) => b.renders - a.renders)) console.log(`  ${c.chart}: ${c.renders} renders, ${c.trials} trials, ${c.proven.length} edits proven, ${c.rejected.length} not`);
const reasons = new Map<string, number>();
for (const c of proofs) for (const r of c.rejected) reasons.set(r.reason.replace(/:.*$/, ''), (reasons.get(r.reason.replace(/:.*$/, '')) ?? 0) + 1);
for (const s of report?.skipped ?? []) if (fixable.has(s.finding.ruleId)) reasons.set(`no candidate: ${s.reason.replace(/\d+/g, 'N')}`, (reasons.get(`no candidate: ${s.reason.replace(/\d+/g, 'N')}`) ?? 0) + 1);
console.log('\nwhy not:');
for (const [reason, n] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${n}  ${reason}`);

if (values.apply) {
  mkdirSync(values.evidence!, { recursive: true });
  const applied = applyFixReport(report, work, { dryRun: false });
  writeFileSync(path.join(values.evidence!, 'fixes.diff'), applied.diff);
  writeFileSync(path.join(values.evidence!, 'fix-notes.txt'), applied.notes.join('\n') + '\n');
  const fixed = result.findings.filter((f) => f.fix !== undefined);
  const edited = [...new Set(fixed.map((f) => f.source.chart!))];
  const again = await scan({ paths: edited.map((c) => path.join(work, c)), helmPath: values.helm!, fixes: 'off' });
  const still = fixed.filter((f) => again.findings.some((g) => g.fingerprint === f.fingerprint));
  const before = new Set(result.findings.filter((f) => edited.includes(f.source.chart!)).map((f) => f.fingerprint));
  const appeared = again.findings.filter((g) => !before.has(g.fingerprint));
  const summary = `applied: ${applied.findings} findings, ${applied.files.length} files in ${edited.length} charts; re-scan: ${fixed.length - still.length} of ${fixed.length} fixed findings gone, ${still.length} still there, ${appeared.length} new, ${again.errors.length} errors`;
  console.log(`\n${summary}\nevidence: ${values.evidence}/fixes.diff`);
  writeFileSync(path.join(values.evidence!, 'summary.txt'), `${lines.join('\n')}\n\n${summary}\n${still.map((f) => `still: ${f.ruleId} ${f.source.chart} ${f.path}`).join('\n')}\n${appeared.map((f) => `new: ${f.ruleId} ${f.source.chart} ${f.path}`).join('\n')}\n`);
}
console.log(`\ncopy: ${work}`);
