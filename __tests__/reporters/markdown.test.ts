import { describe, expect, it } from 'vitest';
import type { Finding, ScanError } from '../../src/model/model.ts';
import { DEFAULT_MAX_LENGTH, escapeMarkdown, renderMarkdown, safeUrl } from '../../src/reporters/markdown.ts';
import { finding, HOSTILE, HOSTILE_ALL, manifestSource, ref, RULES, sampleResult, scanResult } from './fixtures.ts';

const ZWSP = '\u200b';
const ZWJ = '\u200d';
const fileUrl = (file: string, line?: number) => `https://github.com/o/r/blob/abc/${file}${line === undefined ? '' : `#L${line}`}`;

/**
 * What GitHub would act on in an escaped value: any Markdown metacharacter not preceded by a backslash,
 * any raw HTML, an entity we did not write, a mention, a reference, an autolink.
 */
function assertInert(md: string): void {
  const unescaped = md.replace(/\\[\s\S]/g, '');
  expect(unescaped, md).not.toMatch(/[<>`*_[\]()!|~$#\\{}]/);
  expect(md.replace(/&(amp|lt|gt|quot);/g, ''), md).not.toContain('&');
  expect(md, md).not.toMatch(/@[A-Za-z0-9]/);
  expect(md, md).not.toMatch(/[A-Za-z]:\/\//);
  expect(md, md).not.toMatch(/www\\?\./i);
  expect(md, md).not.toMatch(/(mailto|xmpp):[^\u200b]/i);
  expect(md, md).not.toMatch(/#\d|GH-\d/i);
  expect(md, md).not.toMatch(/[\n\r\u0000-\u001f\u202a-\u202e]/);
}

/** Pipes that end table cells (not escaped ones). */
function cellSeparators(row: string): number {
  return row.replace(/\\[\s\S]/g, '').split('|').length - 1;
}

function section(md: string, heading: string): string {
  const start = md.indexOf(heading);
  expect(start, `${heading} in report`).toBeGreaterThanOrEqual(0);
  const next = md.indexOf('\n#### ', start + heading.length);
  return md.slice(start, next === -1 ? undefined : next);
}

describe('escapeMarkdown', () => {
  it('escapes Markdown metacharacters, including the table pipe', () => {
    expect(escapeMarkdown('a|b')).toBe('a\\|b');
    expect(escapeMarkdown('**bold** _it_ ~~x~~')).toBe('\\*\\*bold\\*\\* \\_it\\_ \\~\\~x\\~\\~');
    expect(escapeMarkdown('`code`')).toBe('\\`code\\`');
    expect(escapeMarkdown('![i](u)')).toBe('\\!\\[i\\]\\(u\\)');
    expect(escapeMarkdown('# 1. - + $x$ \\')).toBe('\\# 1\\. \\- \\+ \\$x\\$ \\\\');
  });

  it('turns HTML into entities', () => {
    expect(escapeMarkdown(HOSTILE.html)).toBe('&lt;img src=x onerror=alert\\(1\\)&gt;');
    expect(escapeMarkdown(HOSTILE.comment)).toBe('&lt;\\!\\-\\- Sticky Pull Request Comment \\-\\-&gt;');
    expect(escapeMarkdown('&lt; & "q"')).toBe('&amp;lt; &amp; &quot;q&quot;');
  });

  it('breaks mentions, team mentions, e-mail addresses and issue references with a joiner', () => {
    expect(escapeMarkdown('@octocat')).toBe(`@${ZWJ}octocat`);
    expect(escapeMarkdown('@github/security-team')).toBe(`@${ZWJ}github/security\\-team`);
    expect(escapeMarkdown('admin@evil.example')).toBe(`admin@${ZWJ}evil\\.example`);
    expect(escapeMarkdown('owner/repo#2 GH-3')).toBe(`owner/repo\\#${ZWJ}2 GH\\-${ZWJ}3`);
  });

  it('neutralises autolinks', () => {
    expect(escapeMarkdown('https://evil.example/p')).toBe(`https:${ZWSP}//evil\\.example/p`);
    expect(escapeMarkdown('ftp://x')).toBe(`ftp:${ZWSP}//x`);
    expect(escapeMarkdown('WWW.evil.example')).toBe(`WWW${ZWSP}\\.evil\\.example`);
    expect(escapeMarkdown('mailto:a')).toBe(`mailto:${ZWSP}a`);
  });

  it('keeps everything on one line and drops control characters', () => {
    expect(escapeMarkdown('a\nb\r\nc\td')).toBe('a b  c d');
    expect(escapeMarkdown(HOSTILE.ansi)).toBe(' \\[31mred \\[0m ');
    expect(escapeMarkdown(HOSTILE.bidi)).toBe('abc dcba');
  });

  it('leaves plain text readable', () => {
    expect(escapeMarkdown('Deployment shop/web')).toBe('Deployment shop/web');
    expect(escapeMarkdown('ünïcode ✓')).toBe('ünïcode ✓');
  });

  it.each(Object.entries(HOSTILE))('makes %s inert', (_name, value) => {
    assertInert(escapeMarkdown(value));
  });

  it('makes all of them together inert', () => {
    assertInert(escapeMarkdown(HOSTILE_ALL));
  });
});

describe('safeUrl', () => {
  it('keeps http(s) links, encoding what would end a link or a table cell', () => {
    expect(safeUrl('https://github.com/o/r/blob/abc/a.yaml#L3')).toBe('https://github.com/o/r/blob/abc/a.yaml#L3');
    expect(safeUrl('https://x/a b(1)|[2]<3>.yaml')).toBe('https://x/a%20b%281%29%7C%5B2%5D%3C3%3E.yaml');
    expect(safeUrl('https://x/ü')).toBe('https://x/%C3%BC');
  });

  it('drops anything else', () => {
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl('data:text/html,x')).toBeUndefined();
    expect(safeUrl('//evil.example')).toBeUndefined();
    expect(safeUrl(undefined)).toBeUndefined();
  });
});

describe('markdown reporter', () => {
  it('starts with the verdict, then counts by severity', () => {
    const md = renderMarkdown(sampleResult(), { rules: RULES, fileUrl });
    expect(md.startsWith('### ❌ preadmit: 4 blocking findings\n\n4 findings at or above **high** block this change. Also, 2 errors kept parts of the input from being scanned.\n\n')).toBe(true);
    expect(md).toContain('Scanned 6 objects from 3 chart renders · Pod Security restricted:latest · preadmit 0\\.1\\.0');
    expect(md).toContain(
      [
        '| Severity | Findings | Blocks |',
        '| :-- | --: | :-: |',
        '| 🔴 Critical | 2 | yes |',
        '| 🟠 High | 2 | yes |',
        '| 🟡 Medium | 2 | no |',
        '| 🔵 Low | 1 | no |',
        '| ⚪ Info | 1 | no |',
      ].join('\n'),
    );
  });

  it('tables the blocking findings with links to file lines, and collapses the rest', () => {
    const md = renderMarkdown(sampleResult(), { rules: RULES, fileUrl });
    const blocking = section(md, '#### Blocking findings (4)');
    const rows = blocking.split('\n').filter((l) => l.startsWith('| 🔴') || l.startsWith('| 🟠'));
    expect(rows).toHaveLength(4);
    expect(rows[0]).toBe(
      '| 🔴 Critical | [`pss-privileged`](https://kubernetes.io/docs/pss-privileged) | Pod default/debug | Container &quot;app&quot; breaks pss\\-privileged\\.<br><sub><code>/spec/containers/0/securityContext/privileged</code></sub> | [deploy/app\\.yaml:14](https://github.com/o/r/blob/abc/deploy/app.yaml#L14) |',
    );
    expect(rows[3]).toContain('[charts/shop/templates/deployment\\.yaml:24](https://github.com/o/r/blob/abc/charts/shop/templates/deployment.yaml#L24) <sub>values: prod</sub>');
    expect(blocking).not.toContain('Medium');
    const details = md.slice(md.indexOf('<details>'));
    expect(details.startsWith('<details>\n<summary>Other findings (4)</summary>\n\n| Severity |')).toBe(true);
    expect(details.trimEnd().endsWith('</details>')).toBe(true);
    expect(details.match(/^\| (🟡|🔵|⚪)/gm)).toHaveLength(4);
    // Without fileUrl, locations are plain text.
    const plain = renderMarkdown(sampleResult(), { rules: RULES });
    expect(plain).toContain('| deploy/app\\.yaml:14 |');
    expect(plain).not.toContain('](https://github.com');
  });

  it('puts the sections in order: verdict, counts, blocking, admission, errors, other findings', () => {
    const md = renderMarkdown(sampleResult(), { rules: RULES });
    const at = ['### ❌', '| Severity | Findings |', '#### Blocking findings', '#### Pod Security admission', '#### Errors', '<details>'].map((s) => md.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('shows the PSS admission verdict of every chart render and of denied manifests', () => {
    const md = renderMarkdown(sampleResult(), { rules: RULES });
    expect(section(md, '#### Pod Security admission (restricted:latest)')).toContain(
      [
        '| Chart or file | Values | Objects | Verdict |',
        '| --- | --- | --- | --- |',
        '| charts/shop | default | 2 objects | ❌ denied at restricted:latest by privileged, runAsNonRoot |',
        '| charts/shop | prod | 2 objects | ❌ denied at restricted:latest by runAsNonRoot |',
        '| charts/clean | default | 3 objects | ✅ admissible at restricted:latest |',
        '| deploy/app\\.yaml | — | Pod default/debug | ❌ denied at restricted:latest by privileged, runAsNonRoot |',
      ].join('\n'),
    );
  });

  it('lists errors with kind, file and message', () => {
    const md = renderMarkdown(sampleResult(), { rules: RULES, fileUrl });
    expect(section(md, '#### Errors (2)')).toContain(
      '| parse | [deploy/bad\\.yaml:4](https://github.com/o/r/blob/abc/deploy/bad.yaml#L4) | mapping values are not allowed here |',
    );
  });

  it('words each outcome', () => {
    const head = (md: string) => md.split('\n\n').slice(0, 2).join('\n\n');
    expect(head(renderMarkdown(scanResult({ findings: [finding({ severity: 'low' })] })))).toBe('### ✅ preadmit: no blocking findings\n\nNo findings at or above **high**.');
    expect(head(renderMarkdown(scanResult({ findings: [finding()], failOn: 'never' })))).toBe('### ✅ preadmit: no blocking findings\n\nFindings never block (fail-on: **never**).');
    expect(head(renderMarkdown(scanResult({ findings: [finding()] })))).toBe('### ❌ preadmit: 1 blocking finding\n\n1 finding at or above **high** blocks this change.');
    const errors: ScanError[] = [{ kind: 'helm', file: '', message: 'helm not found' }];
    expect(head(renderMarkdown(scanResult({ errors })))).toBe('### ❌ preadmit: scan failed\n\n1 error kept parts of the input from being scanned, and errors fail this check.');
    expect(head(renderMarkdown(scanResult({ errors, failOnErrors: false })))).toBe(
      '### ⚠️ preadmit: passed, scan incomplete\n\nNo findings at or above **high**, but 1 error kept parts of the input from being scanned.',
    );
    expect(renderMarkdown(scanResult({ errors }))).toContain('| helm | — | helm not found |');
  });

  it('has no blocking table when fail-on is never, and says when there is nothing to report', () => {
    const never = renderMarkdown(scanResult({ findings: [finding(), finding({ path: '/x' })], failOn: 'never' }));
    expect(never).not.toContain('#### Blocking findings');
    expect(never).toContain('<summary>Findings (2)</summary>');
    expect(never).toContain('| Critical | 2 | no |'.replace('|', '| 🔴'));
    const empty = renderMarkdown(scanResult());
    expect(empty).toContain('_No findings._');
    expect(empty).not.toContain('<details>');
    expect(empty).not.toContain('####');
  });

  it('cannot be injected into by a chart', () => {
    const hostile = ref(HOSTILE.html, `${HOSTILE.mention} ${HOSTILE.details}`, HOSTILE.pipe);
    const result = scanResult({
      findings: [
        finding({ object: hostile, message: HOSTILE_ALL, path: `/metadata/annotations/${HOSTILE.image}`, source: manifestSource({ file: `deploy/${HOSTILE.comment}|x.yaml`, line: 3 }) }),
        finding({ object: hostile, severity: 'low', message: HOSTILE.newline, path: '/x', source: manifestSource({ file: HOSTILE.link, valueSet: HOSTILE.url }) }),
      ],
      errors: [{ kind: 'parse', file: `${HOSTILE.www}/${HOSTILE.email}`, line: 2, message: `${HOSTILE.code} ${HOSTILE.issue}` }],
      objects: [{ object: hostile, source: manifestSource({ file: HOSTILE.emphasis }), admission: { version: 'latest', baseline: { allowed: true, violations: [] }, restricted: { allowed: false, violations: [{ check: HOSTILE.heading, reason: '', detail: '' }] } } }],
    });
    const md = renderMarkdown(result, { rules: RULES, fileUrl: (file) => `https://github.com/o/r/blob/abc/${file}` });
    // Link destinations come from fileUrl (trusted, but encoded) and rule references; nothing else links.
    const destinations = [...md.matchAll(/\]\(([^)]*)\)/g)].map((m) => m[1]!);
    for (const href of destinations) {
      expect(href).toMatch(/^https:\/\/(github\.com\/o\/r\/blob\/abc\/|kubernetes\.io\/docs\/)/);
      expect(href).not.toMatch(/[\s()[\]|<>"'`\\]/);
    }
    const text = md.replace(/\]\([^)]*\)/g, ']');
    // No HTML, comment, image, mention, autolink or reference got through...
    expect(text).not.toMatch(/<(?!\/?(code|sub|details|summary|br)>)/);
    expect(text.match(/<details>/g)).toHaveLength(1);
    expect(text.match(/<\/details>/g)).toHaveLength(1);
    expect(text).not.toContain('<!--');
    expect(text).not.toMatch(/(?<!\\)!\[/);
    expect(text).not.toMatch(/@[A-Za-z0-9]/);
    expect(text).not.toMatch(/evil\.example|:\/\/evil|www\./);
    expect(text).not.toMatch(/#\d|GH-\d/);
    // ...every table row keeps its columns...
    const tables = md.split(/\n(?!\|)/).map((block) => block.split('\n').filter((l) => l.startsWith('|'))).filter((rows) => rows.length > 0);
    expect(tables).toHaveLength(5); // counts, blocking, admission, errors, other findings
    for (const rows of tables) {
      expect(rows.length).toBeGreaterThanOrEqual(3);
      for (const row of rows) expect(cellSeparators(row), row).toBe(cellSeparators(rows[0]!));
    }
    // ...and the text still reads the same.
    expect(md).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;');
    expect(md).toContain(`@${ZWJ}octocat`);
    // The hostile link as a file name is text, and its URL was encoded before use.
    expect(destinations).toContain('https://github.com/o/r/blob/abc/%5Bclick%20me%5D%28javascript:alert%281%29%29');
  });

  it(`stays under maxLength (default ${DEFAULT_MAX_LENGTH}), cutting other findings first and saying so`, () => {
    const findings: Finding[] = [];
    for (let i = 0; i < 100; i++) findings.push(finding({ ruleId: 'pss-run-as-non-root', path: `/spec/containers/${i}`, message: `blocking ${i}` }));
    for (let i = 0; i < 2000; i++) findings.push(finding({ ruleId: 'image-tag-latest', path: `/spec/containers/${i}/image`, message: `other ${i} ${'y'.repeat(100)}` }));
    const result = scanResult({ findings, errors: [{ kind: 'parse', file: 'a.yaml', message: 'bad' }] });
    const md = renderMarkdown(result, { rules: RULES, fileUrl });
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(DEFAULT_MAX_LENGTH);
    expect(Buffer.byteLength(md)).toBeGreaterThan(DEFAULT_MAX_LENGTH - 2000);
    // All blocking findings and the error stay; other findings are cut.
    expect(md.match(/\| 🟠 High \| \[/g)).toHaveLength(100);
    expect(md).toContain('| parse | [a\\.yaml]');
    const shownOthers = md.match(/\| 🟡 Medium \| `/g)?.length ?? 0;
    expect(shownOthers).toBeLessThan(2000);
    expect(md).toContain(`_… and ${2000 - shownOthers} more other findings not shown here._`);
    expect(md).toContain(
      `> [!NOTE]\n> Shortened to stay under 65,000 characters: ${2000 - shownOthers} of 2000 other findings are not shown. The JSON and SARIF reports have everything.`,
    );
    expect(md.trimEnd().endsWith('</details>')).toBe(true);
  });

  it('cuts blocking findings last but errors (what was not scanned stays visible), and only when nothing else is left', () => {
    const findings = Array.from({ length: 300 }, (_, i) => finding({ path: `/c/${i}`, message: 'm'.repeat(200) }));
    findings.push(finding({ ruleId: 'values-note', path: '/n' }));
    const result = scanResult({ findings, errors: [{ kind: 'parse', file: 'a.yaml', message: 'bad' }] });
    const md = renderMarkdown(result, { rules: RULES, maxLength: 20_000 });
    expect(md.length).toBeLessThanOrEqual(20_000);
    const shown = md.match(/\| 🔴 Critical \| \[/g)?.length ?? 0;
    expect(shown).toBeGreaterThan(10);
    expect(shown).toBeLessThan(300);
    expect(md).toContain(`Shortened to stay under 20,000 characters: ${300 - shown} of 300 blocking findings, 1 of 1 other findings are not shown.`);
    expect(md).toContain('| parse | a\\.yaml | bad |');
    expect(md).toContain('_… and 1 more other findings not shown here._');
  });

  it('leaves how provenance located findings out when asked (the comment; the job summary keeps it)', () => {
    const result = { ...scanResult({ findings: [finding()] }) };
    result.summary = { ...result.summary, provenance: { values: 3, template: 2, object: 1, renders: 4, ms: 10 } };
    expect(renderMarkdown(result, { rules: RULES })).toContain('located at a values line: 3');
    expect(renderMarkdown(result, { rules: RULES, statistics: false })).not.toContain('located at a values line');
  });

  it('respects even a tiny maxLength', () => {
    for (const maxLength of [1500, 400, 50, 5]) {
      const md = renderMarkdown(sampleResult(), { rules: RULES, fileUrl, maxLength });
      expect(Buffer.byteLength(md)).toBeLessThanOrEqual(maxLength);
    }
  });

  it('counts UTF-8 bytes, so a job summary of multi-byte text stays within its byte limit too', () => {
    const findings = Array.from({ length: 500 }, (_, i) => finding({ path: `/c/${i}`, message: '漢字のメッセージ'.repeat(20) }));
    const md = renderMarkdown(scanResult({ findings }), { rules: RULES, maxLength: 30_000 });
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(30_000);
    expect(Buffer.byteLength(md)).toBeGreaterThan(28_000);
    expect(md.length).toBeLessThan(20_000);
  });

  it('clips very long values in cells', () => {
    const md = renderMarkdown(scanResult({ findings: [finding({ message: 'z'.repeat(10_000), object: ref('Pod', 'n'.repeat(5_000)) })] }));
    expect(md).toContain(`${'z'.repeat(399)}…`);
    expect(md).not.toContain('z'.repeat(400));
    expect(md).toContain(`${'n'.repeat(50)}`);
    expect(md.length).toBeLessThan(3_000);
  });
});
