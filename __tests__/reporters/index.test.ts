import { describe, expect, it } from 'vitest';
import { FORMATS, render } from '../../src/reporters/index.ts';
import { renderHtml } from '../../src/reporters/html.ts';
import { renderJson } from '../../src/reporters/json.ts';
import { renderMarkdown } from '../../src/reporters/markdown.ts';
import { renderSarif } from '../../src/reporters/sarif.ts';
import { renderText } from '../../src/reporters/text.ts';
import { RULES, sampleResult } from './fixtures.ts';

describe('render', () => {
  const result = sampleResult();
  const fileUrl = (file: string, line?: number) => `https://github.com/o/r/blob/abc/${file}#L${line ?? 1}`;

  it('dispatches each format to its reporter with its options', () => {
    expect(render('text', result, { rules: RULES, color: true })).toBe(renderText(result, { color: true }));
    expect(render('text', result, { rules: RULES })).toBe(renderText(result));
    expect(render('json', result, { rules: RULES })).toBe(renderJson(result));
    expect(render('sarif', result, { rules: RULES })).toBe(renderSarif(result, RULES));
    expect(render('html', result, { rules: RULES })).toBe(renderHtml(result, { rules: RULES }));
    expect(render('markdown', result, { rules: RULES, fileUrl, maxLength: 3000 })).toBe(renderMarkdown(result, { rules: RULES, fileUrl, maxLength: 3000 }));
    expect(render('markdown', result, { rules: RULES, maxLength: 3000 }).length).toBeLessThanOrEqual(3000);
  });

  it('renders every format without touching the result', () => {
    const before = JSON.stringify(result);
    for (const format of FORMATS) expect(render(format, result, { rules: RULES }).endsWith('\n')).toBe(true);
    expect(JSON.stringify(result)).toBe(before);
  });

  it('ignores colour outside text and links outside markdown', () => {
    expect(render('json', result, { rules: RULES, color: true })).not.toContain('\u001b');
    expect(render('sarif', result, { rules: RULES, fileUrl })).not.toContain('github.com/o/r');
  });
});
