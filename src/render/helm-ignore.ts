// .helmignore as helm's loader applies it (pkg/chart/loader LoadDir): only the top chart's file, to every
// path of the chart's walk, subchart directories included (a path ignored is not loaded; a directory
// ignored is not entered).
import { readFileSync } from 'node:fs';
import path from 'node:path';

// .helmignore as helm's pkg/ignore reads it: one pattern a line (blank lines and `#` comments skipped),
// `!` negates, a trailing `/` matches directories only, a leading `/` or any `/` matches the whole path,
// else the base name; Go's filepath.Match syntax. The default `templates/.?*` is always added.
export interface IgnoreRule {
  negate: boolean;
  mustDir: boolean;
  whole: boolean;
  pattern: RegExp;
}

/** Go's filepath.Match pattern as a regular expression (undefined when Go would refuse it). */
function goPattern(glob: string): RegExp | undefined {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\') {
      if (i + 1 >= glob.length) return undefined;
      out += escapeRegExp(glob[++i]!);
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) return undefined;
      let body = glob.slice(i + 1, end);
      const negated = body.startsWith('^');
      if (negated) body = body.slice(1);
      out += `[${negated ? '^/' : ''}${body.replace(/[\]\[]/g, '\\$&')}]`;
      i = end;
    } else out += escapeRegExp(c);
  }
  try {
    return new RegExp(`^${out}$`, 's');
  } catch {
    return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function helmIgnoreRules(dir: string): IgnoreRule[] {
  let text = '';
  try {
    text = readFileSync(path.join(dir, '.helmignore'), 'utf8');
  } catch {
    // none
  }
  const rules: IgnoreRule[] = [];
  for (let line of [...text.split(/\r?\n/), 'templates/.?*']) {
    line = line.trim();
    if (line === '' || line.startsWith('#') || line.includes('**')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1);
    const mustDir = line.endsWith('/');
    if (mustDir) line = line.slice(0, -1);
    const whole = line.includes('/');
    if (line.startsWith('/')) line = line.slice(1);
    const pattern = goPattern(line);
    if (pattern !== undefined) rules.push({ negate, mustDir, whole, pattern });
  }
  return rules;
}

/** helm's Rules.Ignore, including its reading of `!`: a negated rule ignores every path it does not match. */
export function ignored(rules: readonly IgnoreRule[], name: string, isDir: boolean): boolean {
  for (const rule of rules) {
    const subject = rule.whole ? name : name.slice(name.lastIndexOf('/') + 1);
    if (rule.negate) {
      if (rule.mustDir && !isDir) return true;
      if (!rule.pattern.test(subject)) return true;
      continue;
    }
    if (rule.mustDir && !isDir) continue;
    if (rule.pattern.test(subject)) return true;
  }
  return false;
}
