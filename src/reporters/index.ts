// Reporters turn a ScanResult into text. Each is a pure function of (result, options): no I/O, no
// @actions/* imports. Publishing (files, comments, summaries, uploads) belongs to the callers.
import type { ScanResult } from '../model/model.ts';
import type { RuleLike } from './common.ts';
import { renderHtml } from './html.ts';
import { renderJson } from './json.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown, type MarkdownOptions } from './markdown.ts';
import { renderSarif } from './sarif.ts';
import { renderText, type TextOptions } from './text.ts';

export const FORMATS = ['text', 'json', 'sarif', 'markdown', 'junit', 'html'] as const;
export type Format = (typeof FORMATS)[number];

export interface ReportOptions {
  /**
   * Every rule the scan ran, as metadata or as the rule modules (SARIF lists them all; Markdown links rule
   * ids to their first reference).
   */
  rules: readonly RuleLike[];
  /** text only: ANSI colours (the CLI passes isTTY). */
  color?: boolean;
  /** text only: wrap at these columns (a TTY's width), show JSON pointers, hide findings below a severity. */
  text?: Omit<TextOptions, 'color'>;
  /** markdown only: a link to a repository file and line, or undefined for plain text. */
  fileUrl?: (file: string, line?: number) => string | undefined;
  /** markdown only: upper bound on the report's size in UTF-8 bytes, so also in characters (default 65,000). */
  maxLength?: number;
  /** markdown only: include how provenance located the findings (default true). */
  statistics?: boolean;
  /** markdown only: the findings whose proven fixes are listed (default: every fixable finding), and an opening sentence. */
  fixes?: MarkdownOptions['fixes'];
  fixesIntro?: string;
}

export function render(format: Format, result: ScanResult, options: ReportOptions): string {
  switch (format) {
    case 'text':
      return renderText(result, { ...options.text, color: options.color === true });
    case 'json':
      return renderJson(result);
    case 'junit':
      return renderJunit(result);
    case 'sarif':
      return renderSarif(result, options.rules);
    case 'html':
      return renderHtml(result, { rules: options.rules });
    case 'markdown':
      return renderMarkdown(result, {
        rules: options.rules,
        ...(options.fileUrl !== undefined && { fileUrl: options.fileUrl }),
        ...(options.maxLength !== undefined && { maxLength: options.maxLength }),
        ...(options.statistics !== undefined && { statistics: options.statistics }),
        ...(options.fixes !== undefined && { fixes: options.fixes }),
        ...(options.fixesIntro !== undefined && { fixesIntro: options.fixesIntro }),
      });
  }
}

export type { RuleLike } from './common.ts';
export { escapeHtmlText, escapeMarkdown, DEFAULT_MAX_LENGTH } from './markdown.ts';
export { renderHtml, renderJson, renderMarkdown, renderSarif, renderText };
