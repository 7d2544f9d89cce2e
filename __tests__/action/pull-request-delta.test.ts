// What the Action says about a pull request compared with its base: the lead line of the comment and
// summaries, which findings are annotated and on which line, and when there is a base at all.
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { basePlan, baseUnavailableNote } from '../../src/action/base.ts';
import { recomputeVerdict } from '../../src/action/from-report.ts';
import { parseChangedLines } from '../../src/action/changed-lines.ts';
import { annotationPlace, annotationsFor } from '../../src/action/publish/annotations.ts';
import { checkTitle, composeReport, isClean, leadLine } from '../../src/action/report.ts';
import { compareWithBase } from '../../src/pipeline/base-compare.ts';
import type { BaseInfo, Finding } from '../../src/model/model.ts';
import { finding, helmSource, manifestSource, ref, scanResult } from '../reporters/fixtures.ts';

const BASE: BaseInfo = { revision: 'a'.repeat(40), sha: 'a'.repeat(40), gate: 'new', rendered: ['charts/shop'], unchanged: [], errors: 0 };

/** Head findings compared with base findings: 2 new (1 blocking at high), 3 existing, 1 fixed. */
function compared(gate: 'new' | 'all' = 'new') {
  const existing = [
    finding({ ruleId: 'pss-privileged', object: ref('Deployment', 'old-1') }),
    finding({ ruleId: 'pss-privileged', object: ref('Deployment', 'old-2') }),
    finding({ ruleId: 'image-tag-latest', object: ref('Deployment', 'old-3'), severity: 'medium' }),
  ];
  const fresh = [finding({ ruleId: 'pss-privileged', object: ref('Deployment', 'new-1') }), finding({ ruleId: 'image-tag-latest', object: ref('Deployment', 'new-2'), severity: 'medium' })];
  const fixed = finding({ ruleId: 'pss-host-network', object: ref('Deployment', 'gone'), severity: 'high' });
  const head = scanResult({ findings: [...existing, ...fresh] });
  return compareWithBase(head, [...existing, fixed], { ...BASE, gate }, true);
}

describe('the lead line', () => {
  it('says what the pull request did: new (blocking), existing, fixed', () => {
    const result = compared();
    expect(leadLine(result)).toBe('2 new findings (1 blocking) · 3 existing · 1 fixed');
    expect(result.summary.blocking).toBe(1);
    expect(checkTitle(result, 'failure')).toBe('1 blocking new finding at or above high');
  });

  it('names existing findings that block with gate: all', () => {
    expect(leadLine(compared('all'))).toBe('2 new findings (1 blocking) · 3 existing (2 blocking: gate all) · 1 fixed');
  });

  it('is absent without a comparison, and says no new findings plainly', () => {
    expect(leadLine(scanResult({ findings: [finding()] }))).toBeUndefined();
    const same = [finding()];
    expect(leadLine(compareWithBase(scanResult({ findings: same }), same, BASE, true))).toBe('0 new findings · 1 existing · 0 fixed');
  });

  it('leads the comment, before the report; new findings in full, existing ones collapsed, fixed ones listed', () => {
    const body = composeReport(compared(), { rules: RULES, limit: 65_000, prefix: '<!-- marker -->\n' });
    expect(body.startsWith('<!-- marker -->\n**2 new findings (1 blocking) · 3 existing · 1 fixed**\n\n### ❌ preadmit: 1 blocking new finding')).toBe(true);
    // The non-blocking new finding is a table under a heading, not inside <details>.
    expect(body).toMatch(/#### Other new findings \(1\)\n\n\| Severity/);
    expect(body).toContain('<details>\n<summary>Existing findings, already in the base (3)</summary>');
    expect(body).toContain('<summary>Fixed: in the base, gone now (1)</summary>');
    expect(body).toContain('gone');
  });

  it('keeps the comment within its budget with the lead line and a base note', () => {
    const many = Array.from({ length: 600 }, (_, i) => finding({ object: ref('Deployment', `app-${i}`), message: 'x'.repeat(200) }));
    const result = compareWithBase(scanResult({ findings: many }), [], BASE, true);
    const body = composeReport(result, { rules: RULES, limit: 20_000, prefix: '<!-- marker -->\n', baseNote: baseUnavailableNote('x'.repeat(5_000)), limitName: 'the limit' });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(20_000);
    expect(body).toContain('**600 new findings (600 blocking) · 0 existing · 0 fixed**');
    expect(body).toContain('> [!WARNING]\n> **no comparison with the pull request');
    expect(body).toContain('Shortened to fit the limit');
  });
});

describe('which findings are annotated, and where', () => {
  const valuesSource = helmSource({
    file: 'charts/shop/templates/deployment.yaml',
    line: 31,
    values: { file: 'charts/shop/values.yaml', line: 12, key: 'securityContext.privileged' },
    templateLocation: { file: 'charts/shop/templates/deployment.yaml', line: 40 },
  });

  it('the values line first, then the template line, then the object line', () => {
    expect(annotationPlace({ source: valuesSource })).toEqual({ path: 'charts/shop/values.yaml', line: 12 });
    const { values: _values, ...templateOnly } = valuesSource;
    expect(annotationPlace({ source: templateOnly })).toEqual({ path: 'charts/shop/templates/deployment.yaml', line: 40 });
    expect(annotationPlace({ source: manifestSource({ line: 9 }) })).toEqual({ path: 'deploy/app.yaml', line: 9 });
    // A values file outside the repository (a runner path) is no place for an annotation either.
    expect(annotationPlace({ source: { ...valuesSource, values: { file: '../ci/values.yaml', line: 3, key: 'a' } } })).toEqual({ path: 'charts/shop/templates/deployment.yaml', line: 40 });
    expect(annotationPlace({ source: { ...valuesSource, values: { file: '/home/runner/values.yaml', line: 3, key: 'a' } } })).toEqual({ path: 'charts/shop/templates/deployment.yaml', line: 40 });
    // A values key without a known line is no place for an annotation.
    expect(annotationPlace({ source: { ...valuesSource, values: { file: 'charts/shop/values.yaml', key: 'a' } } })).toEqual({ path: 'charts/shop/templates/deployment.yaml', line: 40 });
  });

  it('prefers the candidate line the pull request changed', () => {
    const changed = (file: string, ...lines: number[]) => new Map([[file, new Set(lines)]]);
    expect(annotationPlace({ source: valuesSource }, changed('charts/shop/templates/deployment.yaml', 40))).toEqual({ path: 'charts/shop/templates/deployment.yaml', line: 40 });
    expect(annotationPlace({ source: valuesSource }, changed('charts/shop/templates/deployment.yaml', 31))).toEqual({ path: 'charts/shop/templates/deployment.yaml', line: 31 });
    expect(annotationPlace({ source: valuesSource }, changed('charts/shop/values.yaml', 12, 40))).toEqual({ path: 'charts/shop/values.yaml', line: 12 });
    // Nothing on a changed line: values first all the same.
    expect(annotationPlace({ source: valuesSource }, changed('README.md', 12))).toEqual({ path: 'charts/shop/values.yaml', line: 12 });
  });

  it('annotates only new findings when new findings gate, every finding with gate: all or without a base', () => {
    const titles = (fs: Finding[]) => fs.map((f) => f.object.name).sort();
    const names = (r: ReturnType<typeof compared>) => annotationsFor(r).map((a) => /: Deployment \S+\/(\S+)$/.exec(a.title)?.[1]).sort();
    const result = compared();
    expect(names(result)).toEqual(titles(result.findings.filter((f) => f.status === 'new')));
    expect(names(result)).toEqual(['new-1', 'new-2']);
    expect(names(compared('all'))).toHaveLength(5);
    expect(annotationsFor(scanResult({ findings: [finding(), finding({ object: ref('Deployment', 'b') })] }))).toHaveLength(2);
    // The details say where the cause is and whether the finding is new.
    const [a] = annotationsFor(compareWithBase(scanResult({ findings: [finding({ source: valuesSource })] }), [], BASE, true));
    expect(a).toMatchObject({ path: 'charts/shop/values.yaml', start_line: 12, end_line: 12, annotation_level: 'failure' });
    expect(a!.raw_details).toContain('values: charts/shop/values.yaml:12 securityContext.privileged');
    expect(a!.raw_details).toContain('status: new');
  });
});

describe('the lines a pull request changed', () => {
  it('reads the added lines of a -U0 diff, per file, and ignores deleted files', () => {
    const diff = [
      'diff --git a/charts/shop/values.yaml b/charts/shop/values.yaml',
      'index 1..2 100644',
      '--- a/charts/shop/values.yaml',
      '+++ b/charts/shop/values.yaml',
      '@@ -12 +12 @@ image:',
      '-  privileged: false',
      '+  privileged: true',
      '@@ -20,0 +21,3 @@',
      '+a',
      '+b',
      '+c',
      '@@ -30,2 +33,0 @@',
      'diff --git a/charts/my chart/values.yaml b/charts/my chart/values.yaml',
      '--- a/charts/my chart/values.yaml\t',
      '+++ b/charts/my chart/values.yaml\t',
      '@@ -3 +3 @@',
      '+x',
      'diff --git a/old.yaml b/old.yaml',
      'deleted file mode 100644',
      '--- a/old.yaml',
      '+++ /dev/null',
      '@@ -1,2 +0,0 @@',
      '-x',
      '-y',
    ].join('\n');
    const lines = parseChangedLines(diff);
    expect([...lines.keys()]).toEqual(['charts/shop/values.yaml', 'charts/my chart/values.yaml']);
    expect([...lines.get('charts/my chart/values.yaml')!]).toEqual([3]);
    expect([...lines.get('charts/shop/values.yaml')!]).toEqual([12, 21, 22, 23]);
  });
});

describe('when there is a base', () => {
  const pr = { number: 3, headSha: 'b'.repeat(40), fromFork: true, baseSha: 'c'.repeat(40) };
  it('on pull requests: the event’s base SHA (also from a fork), gate new by default, changed charts only', () => {
    expect(basePlan({ changedOnly: true }, { eventName: 'pull_request', pullRequest: pr })).toEqual({ kind: 'compare', revision: 'c'.repeat(40), gate: 'new', all: false });
    expect(basePlan({ gate: 'all', changedOnly: false }, { eventName: 'pull_request_target', pullRequest: pr })).toEqual({ kind: 'compare', revision: 'c'.repeat(40), gate: 'all', all: true });
    const { baseSha: _b, ...noBase } = pr;
    expect(basePlan({ changedOnly: true }, { eventName: 'pull_request', pullRequest: noBase })).toEqual({ kind: 'unavailable', reason: 'the event payload has no pull_request.base.sha' });
  });
  it('pushes and manual runs have none', () => {
    expect(basePlan({ gate: 'new', changedOnly: true }, { eventName: 'push' })).toEqual({ kind: 'none' });
    expect(basePlan({ changedOnly: true }, { eventName: 'workflow_dispatch' })).toEqual({ kind: 'none' });
  });
});

describe('report mode (two-workflow pattern) keeps the comparison', () => {
  it('gates a compared report on its new findings, recounting them; gate: all makes every finding gate', () => {
    const report = compared();
    // A doctored summary changes nothing: the counts come from the findings.
    const doctored = { ...report, summary: { ...report.summary, verdict: 'pass' as const, blocking: 0, new: 0, existing: 0, fixed: 0 } };
    expect(recomputeVerdict(doctored, { failOn: 'high', failOnErrors: true }).summary).toMatchObject({ verdict: 'fail', blocking: 1, new: 2, existing: 3, fixed: 1 });
    const all = recomputeVerdict(doctored, { failOn: 'high', failOnErrors: true, gate: 'all' });
    expect(all.summary).toMatchObject({ verdict: 'fail', blocking: 3 });
    expect(all.base?.gate).toBe('all');
    // Without a comparison, every finding gates, whatever status a finding claims.
    const plain = scanResult({ findings: [{ ...finding(), status: 'existing' }] });
    expect(recomputeVerdict(plain, { failOn: 'high', failOnErrors: true }).summary).toMatchObject({ verdict: 'fail', blocking: 1 });
  });
});

describe('a clean pull request', () => {
  it('compared with its base: nothing new and nothing fixed is clean, whatever the base already had', () => {
    const same = [finding(), finding({ object: ref('Deployment', 'b') })];
    expect(isClean(compareWithBase(scanResult({ findings: same }), same, { ...BASE, gate: 'all' }, true))).toBe(false); // gate all: they block
    const low = [finding({ ruleId: 'image-digest', severity: 'low' })];
    expect(isClean(compareWithBase(scanResult({ findings: low }), low, BASE, true))).toBe(true);
    expect(isClean(compareWithBase(scanResult({ findings: same }), same, BASE, true))).toBe(true);
    expect(isClean(compareWithBase(scanResult({ findings: [] }), same, BASE, true))).toBe(false); // fixed ones are news
    expect(isClean(compared())).toBe(false);
    // Without a base, any finding is something to say.
    expect(isClean(scanResult({ findings: low }))).toBe(false);
  });
});
