// Proven fixes in the Action (issue 17), in process: which fix ranges GitHub takes as a suggested change
// (the hunk-range check), which fixes are suggested and which go to the comment, the review comment's
// text, and the fixes' collapsed section in the Markdown report with its place in the size budget.
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { parseChangedLines, rangeChanged } from '../../src/action/changed-lines.ts';
import { fileMatches, oldSideLines, planSuggestions, reviewBody, reviewComment, suggestionBody, suggestionsMarker, supersededBody, supersededMarker } from '../../src/action/publish/suggestions.ts';
import type { Finding, ProvenFix } from '../../src/model/model.ts';
import { ruleMetas } from '../../src/reporters/common.ts';
import { renderMarkdown } from '../../src/reporters/markdown.ts';
import { codeBlock, fenceFor, groupFixes } from '../../src/reporters/suggested-fixes.ts';
import { finding, helmSource, HOSTILE, ref, scanResult } from '../reporters/fixtures.ts';

const rules = new Map(ruleMetas(RULES).map((r) => [r.id, r]));

/** A -U0 diff of charts/shop/values.yaml: lines 10-12 added, line 20 changed, a deletion after 30, line 40 changed. */
const DIFF = [
  'diff --git a/charts/shop/values.yaml b/charts/shop/values.yaml',
  '--- a/charts/shop/values.yaml',
  '+++ b/charts/shop/values.yaml',
  '@@ -9,0 +10,3 @@ image:',
  '+securityContext:',
  '+  privileged: true',
  '+  runAsUser: 0',
  '@@ -17 +20 @@',
  '-hostNetwork: false',
  '+hostNetwork: true',
  '@@ -28,2 +30,0 @@',
  '-a: 1',
  '-b: 2',
  '@@ -38 +40 @@',
  '-x: 1',
  '+x: 2',
].join('\n');
const changed = parseChangedLines(DIFF);
const FILE = 'charts/shop/values.yaml';

describe('the hunk-range check: a fix is suggested only where GitHub takes it', () => {
  it('takes a multi-line range inside one hunk, and single lines at both edges of a hunk', () => {
    expect(rangeChanged(changed, FILE, 10, 12)).toBe(true);
    expect(rangeChanged(changed, FILE, 11, 12)).toBe(true);
    expect(rangeChanged(changed, FILE, 10, 10)).toBe(true);
    expect(rangeChanged(changed, FILE, 12, 12)).toBe(true);
    expect(rangeChanged(changed, FILE, 20, 20)).toBe(true);
  });

  it('refuses a range one line past either edge of a hunk, or across two hunks', () => {
    expect(rangeChanged(changed, FILE, 9, 12)).toBe(false);
    expect(rangeChanged(changed, FILE, 10, 13)).toBe(false);
    expect(rangeChanged(changed, FILE, 9, 9)).toBe(false);
    expect(rangeChanged(changed, FILE, 13, 13)).toBe(false);
    expect(rangeChanged(changed, FILE, 12, 20)).toBe(false);
  });

  it('a hunk that only deletes has no line on the RIGHT side to comment on', () => {
    // @@ -28,2 +30,0 @@: nothing added at 30 (or 29, the line before the deletion).
    for (const line of [29, 30, 31]) expect(rangeChanged(changed, FILE, line, line), String(line)).toBe(false);
    expect(rangeChanged(changed, FILE, 40, 40)).toBe(true);
  });

  it('refuses other files, unknown changes and malformed ranges', () => {
    expect(rangeChanged(changed, 'charts/shop/other.yaml', 10, 10)).toBe(false);
    expect(rangeChanged(undefined, FILE, 10, 10)).toBe(false);
    expect(rangeChanged(changed, FILE, 12, 10)).toBe(false);
    expect(rangeChanged(changed, FILE, 0, 0)).toBe(false);
  });
});

/** values.yaml as scanned: lines 10-12 (the pull request's) make the pod privileged and root. */
const VALUES = ['# values', ...Array.from({ length: 8 }, (_, i) => `k${i + 2}: ${i + 2}`), 'securityContext:', '  privileged: true', '  runAsUser: 0', ...Array.from({ length: 30 }, (_, i) => `k${i + 13}: ${i + 13}`)].join('\n') + '\n';

function fixAt(line: number, endLine: number, replacement: string, over: Partial<ProvenFix> = {}): ProvenFix {
  const lines = VALUES.split('\n');
  const old = lines.slice(line - 1, endLine);
  const fresh = replacement.split('\n');
  const diff = [`--- a/${FILE}`, `+++ b/${FILE}`, `@@ -${line},${old.length} +${line},${fresh.length} @@`, ...old.map((l) => `-${l}`), ...fresh.map((l) => `+${l}`)].join('\n') + '\n';
  return { file: FILE, line, endLine, replacement, diff, description: 'set securityContext.privileged to false', ...over };
}

function withFix(fix: ProvenFix, over: Parameters<typeof finding>[0] = {}, status: Finding['status'] = 'new'): Finding {
  return { ...finding({ source: helmSource({ values: { file: FILE, line: fix.line, key: 'securityContext.privileged' } }), ...over }), fix, ...(status !== undefined && { status }) };
}

const read = (file: string) => (file === FILE ? VALUES : undefined);

describe('which fixes are suggested on the diff', () => {
  it('one suggestion per edit, however many findings it removes; fixes off the diff go elsewhere', () => {
    const privileged = fixAt(11, 11, '  privileged: false');
    const outside = fixAt(3, 3, 'k3: 4', { description: 'set k3' });
    const plan = planSuggestions(
      scanResult({
        findings: [
          withFix(privileged),
          withFix(privileged, { ruleId: 'pss-baseline-privileged', object: ref('Deployment', 'api') }),
          withFix(outside, { ruleId: 'image-tag-latest', severity: 'medium' }),
        ],
      }),
      changed,
      read,
      rules,
    );
    expect(plan.suggested).toHaveLength(1);
    expect(plan.suggested[0]!.findings.map((f) => f.object.name).sort()).toEqual(['api', 'web']);
    expect(plan.elsewhere.map((e) => [e.fix.line, e.why])).toEqual([[3, 'outside-diff']]);
  });

  it('only new findings when compared with a base, every one without; never suppressed ones', () => {
    const fix = fixAt(11, 11, '  privileged: false');
    const existing = withFix(fix, {}, 'existing');
    expect(planSuggestions(scanResult({ findings: [existing] }), changed, read, rules).suggested).toHaveLength(0);
    expect(planSuggestions(scanResult({ findings: [withFix(fix, {}, undefined)] }), changed, read, rules).suggested).toHaveLength(1);
    const suppressed = { ...withFix(fix), suppressed: { kind: 'config' as const, reason: 'accepted' } } as Finding;
    expect(planSuggestions(scanResult({ findings: [suppressed] }), changed, read, rules)).toEqual({ suggested: [], elsewhere: [] });
  });

  it('refuses what would not apply as shown: overlaps, redacted credentials, invisible characters, moved lines', () => {
    const wide = fixAt(10, 12, 'securityContext:\n  privileged: false\n  runAsUser: 1000');
    const narrow = fixAt(12, 12, '  runAsUser: 1000', { description: 'run as a user' });
    const plan = planSuggestions(scanResult({ findings: [withFix(wide), withFix(narrow, { ruleId: 'pss-run-as-non-root', severity: 'medium' })] }), changed, read, rules);
    expect(plan.suggested.map((e) => e.fix.line)).toEqual([10]);
    expect(plan.elsewhere.map((e) => e.why)).toEqual(['overlaps']);

    const why = (fix: ProvenFix, reader = read) => planSuggestions(scanResult({ findings: [withFix(fix)] }), changed, reader, rules).elsewhere.map((e) => e.why);
    expect(why(fixAt(11, 11, '  privileged: false # ***'))).toEqual(['redacted']);
    expect(why(fixAt(11, 11, '  privileged: false # \u202eeurt'))).toEqual(['invisible']);
    // The workspace's line 11 is not what the fix replaces (a report from another checkout).
    expect(why(fixAt(11, 11, '  privileged: false'), (f) => read(f)?.replace('  privileged: true', '  privileged: "yes"'))).toEqual(['file-differs']);
    expect(why(fixAt(11, 11, '  privileged: false'), () => undefined)).toEqual(['file-differs']);
  });

  it('reads the old side of the fix diff, context lines included', () => {
    const diff = '--- a/v.yaml\n+++ b/v.yaml\n@@ -4,3 +4,4 @@\n ctx: 1\n-a: 1\n+a: 2\n+b: 3\n ctx: 2\n';
    expect([...oldSideLines(diff)]).toEqual([
      [4, 'ctx: 1'],
      [5, 'a: 1'],
      [6, 'ctx: 2'],
    ]);
    const fix = { file: 'v.yaml', line: 5, endLine: 5, replacement: 'a: 2\nb: 3', diff, description: 'd' };
    expect(fileMatches({ fix, findings: [] }, () => 'x\nx\nx\nctx: 1\na: 1\nctx: 2\n')).toBe(true);
    expect(fileMatches({ fix, findings: [] }, () => 'x\nx\nx\nctx: 1\na: 9\nctx: 2\n')).toBe(false);
    // A diff that does not cover the fix's lines proves nothing.
    expect(fileMatches({ fix: { ...fix, line: 9, endLine: 9 }, findings: [] }, () => 'x\n'.repeat(10))).toBe(false);
  });
});

describe('the review comment', () => {
  it('is a suggestion on the fix lines (RIGHT side; start_line only for several lines) with rule, severity and message', () => {
    const single = reviewComment({ fix: fixAt(11, 11, '  privileged: false'), findings: [withFix(fixAt(11, 11, '  privileged: false'))] }, rules);
    expect(single).toEqual({ path: FILE, line: 11, side: 'RIGHT', body: expect.stringContaining('```suggestion\n  privileged: false\n```') });
    expect(single.body).toContain('`pss-privileged`');
    expect(single.body).toContain('🔴 Critical');
    expect(single.body).toContain('Container &quot;app&quot; breaks pss\\-privileged\\.');
    const multi = reviewComment({ fix: fixAt(10, 12, 'a\nb\nc'), findings: [withFix(fixAt(10, 12, 'a\nb\nc'))] }, rules);
    expect(multi).toMatchObject({ start_line: 10, start_side: 'RIGHT', line: 12, side: 'RIGHT' });
  });

  it('a replacement holding ``` gets a longer fence; hostile text around it stays inert', () => {
    const fix = fixAt(11, 11, '  note: "```\n@admin <img src=x>"', { description: HOSTILE.html });
    const body = suggestionBody({ fix, findings: [withFix(fix, { message: `${HOSTILE.mention} ${HOSTILE.link}` })] }, rules);
    expect(body).toContain('````suggestion\n  note: "```\n@admin <img src=x>"\n````');
    expect(fenceFor('a ```` b')).toBe('`````');
    const outside = body.slice(0, body.indexOf('````suggestion'));
    expect(outside).not.toMatch(/<(img|script|a)\b/i);
    expect(outside).not.toMatch(/@[a-z]/i);
    expect(codeBlock('diff', 'x')).toBe('```diff\nx\n```');
    // An empty replacement deletes the lines: an empty suggestion block.
    const removal = fixAt(11, 11, '');
    expect(suggestionBody({ fix: removal, findings: [withFix(removal)] }, rules).endsWith('\n```suggestion\n```')).toBe(true);
  });

  it('the review says what it holds, behind a marker per check name; the superseded body is one line behind another', () => {
    const marker = suggestionsMarker('preadmit (prod)');
    expect(marker).toBe('<!-- preadmit:suggestions check="preadmit (prod)" -->');
    expect(reviewBody(marker, 2, 1)).toMatch(/^<!-- preadmit:suggestions check="preadmit \(prod\)" -->\n\*\*preadmit\*\*: 2 suggested changes on lines this pull request changed.*1 more proven fix on lines this pull request did not change is in the preadmit comment\.$/);
    const superseded = supersededBody(supersededMarker('preadmit'), 'a'.repeat(40));
    expect(superseded.split('\n')).toHaveLength(2);
    expect(superseded.startsWith(suggestionsMarker('preadmit'))).toBe(false);
    expect(superseded).toContain('superseded by a later run (commit `aaaaaaaaaaaa`)');
  });
});

describe('fixes in the Markdown report', () => {
  const fix = fixAt(3, 3, 'k3: 4', { description: `set k3 ${HOSTILE.mention}` });

  it('a collapsed section with the diff in a fence, the findings it removes, and preadmit fix', () => {
    const md = renderMarkdown(scanResult({ findings: [withFix(fix, {}, undefined)] }), { rules: RULES, fixesIntro: 'These are on other lines.' });
    expect(md).toContain('<details>\n<summary>Proven fixes (1): apply with <code>preadmit fix</code></summary>\n\nThese are on other lines. Each edit was proven');
    expect(md).toContain('Run `preadmit fix` in the repository to apply them');
    expect(md).toContain(`**${FILE.replace(/\./g, '\\.')}:3**: set k3 @\u200d`);
    expect(md).toMatch(/Removes \[`pss-privileged`\]\(https:[^)]+\) 🔴 Critical Deployment shop\/web/);
    expect(md).toContain(`\`\`\`diff\n--- a/${FILE}\n+++ b/${FILE}\n@@ -3,1 +3,1 @@\n-k3: 3\n+k3: 4\n\`\`\``);
  });

  it('lists the fixes it is given (the Action: those not suggested on the diff), none when given none', () => {
    const result = scanResult({ findings: [withFix(fix, {}, undefined)] });
    expect(renderMarkdown(result, { rules: RULES, fixes: [] })).not.toContain('Proven fixes');
    expect(groupFixes(result.findings)).toHaveLength(1);
  });

  it('a diff cannot close its fence or hide characters', () => {
    const hostile = { ...fix, diff: `${fix.diff}+\`\`\`\n+</details> \u202e\n` };
    const md = renderMarkdown(scanResult({ findings: [withFix(hostile, {}, undefined)] }), { rules: RULES });
    expect(md).toContain('````diff\n');
    expect(md).toContain('+</details> \\u{202E}\n````');
    expect(md).not.toContain('\u202e');
  });

  it('within the budget: existing findings are cut before fixes, fixes before other new findings', () => {
    const fixes = Array.from({ length: 30 }, (_, i) => withFix({ ...fixAt(3, 3, 'k3: 4'), file: `charts/c${i}/values.yaml`, diff: `--- a\n+++ b\n@@ -3 +3 @@\n-k3: 3\n+k3: ${'4'.repeat(300)}\n` }, { object: ref('Deployment', `fixed-${i}`), severity: 'low', ruleId: 'image-digest' }));
    const existing = Array.from({ length: 60 }, (_, i) => ({ ...finding({ object: ref('Deployment', `old-${i}`), severity: 'low', ruleId: 'image-digest', message: 'o'.repeat(200) }), status: 'existing' as const }));
    const base = { revision: 'a'.repeat(40), sha: 'a'.repeat(40), gate: 'new' as const, rendered: [], unchanged: ['charts/other'], errors: 0 };
    const result = { ...scanResult({ findings: [...fixes, ...existing] }), base };
    const full = renderMarkdown(result, { rules: RULES, maxLength: 1_000_000 });
    const sizeOf = (s: string) => Buffer.byteLength(s);
    // Room for everything but part of the existing findings: only they are cut.
    const md = renderMarkdown(result, { rules: RULES, maxLength: sizeOf(full) - 3_000 });
    expect(md).toMatch(/Shortened to stay under .*: \d+ of 60 existing findings are not shown/);
    expect(md).toContain('Proven fixes (30)');
    expect(md).not.toMatch(/of 30 proven fixes/);
    // Less room: every existing finding goes, then fixes; the other new findings stay whole.
    const tight = renderMarkdown(result, { rules: RULES, maxLength: 24_000 });
    expect(tight).toMatch(/: \d+ of 30 proven fixes, 60 of 60 existing findings are not shown/);
    expect(tight).not.toMatch(/of 30 other new findings/);
    expect(Buffer.byteLength(tight)).toBeLessThanOrEqual(24_000);
  });
});
