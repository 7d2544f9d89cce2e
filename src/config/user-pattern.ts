// Regular expressions written in `.preadmit.yaml` (rule options such as required label patterns). The
// configuration may come with the pull request, and the values matched come from its manifests: with a
// backtracking engine `(a|a)*b` takes seconds for a 25-character label and doubles per character (issue 15).
// They are matched by V8's own linear-time engine (the `l` flag, an RE2-style automaton built into node:
// no dependency), which refuses what it cannot run in linear time (backreferences, lookarounds). Where
// that engine is missing, patterns that could backtrack exponentially are refused instead.
import { setFlagsFromString } from 'node:v8';

/** Longest pattern accepted. */
export const MAX_PATTERN_LENGTH = 256;

let linearEngine: boolean | undefined;

/** Whether V8's linear-time engine is available (enabled once; it only adds the `l` flag). */
export function linearEngineAvailable(): boolean {
  if (linearEngine === undefined) {
    try {
      setFlagsFromString('--enable-experimental-regexp-engine');
      new RegExp('a', 'l');
      linearEngine = true;
    } catch {
      linearEngine = false;
    }
  }
  return linearEngine;
}

/**
 * Without the linear engine: what could make a backtracking engine take exponential time, or undefined. A
 * repeated group holding a quantifier or an alternation (`(a+)+`, `(a|a)*`), a backreference, a lookaround.
 */
export function backtrackingProblem(pattern: string): string | undefined {
  if (/\\[1-9]|\\k</.test(pattern)) return 'a backreference';
  if (/\(\?<?[=!]/.test(pattern)) return 'a lookaround';
  if (/\((?:[^()\\]|\\.)*(?:[*+?}|])(?:[^()\\]|\\.)*\)\s*(?:[*+]|\{\d*,)/.test(pattern)) return 'a repeated group that repeats or alternates inside';
  return undefined;
}

/**
 * A matcher of the whole value against `pattern`, or an Error saying why the pattern is refused (`what`
 * names the option in messages).
 */
export function compileUserPattern(pattern: string, what: string): RegExp | Error {
  if (pattern.length > MAX_PATTERN_LENGTH) return new Error(`${what} is longer than ${MAX_PATTERN_LENGTH} characters`);
  const source = `^(?:${pattern})$`;
  if (linearEngineAvailable()) {
    try {
      return new RegExp(source, 'l');
    } catch (error) {
      const message = (error as Error).message;
      if (/linear time/.test(message)) return new Error(`${what} cannot be matched in linear time (backreferences, lookarounds and \\p{...} classes are not supported): ${JSON.stringify(pattern.slice(0, 80))}`);
      return new Error(`${what} is not a valid regular expression: ${message}`);
    }
  }
  const problem = backtrackingProblem(pattern);
  if (problem) return new Error(`${what} has ${problem}, which could take exponential time to match; rewrite it (a character class instead of an alternation: [ab]* rather than (a|b)*)`);
  try {
    return new RegExp(source, 'u');
  } catch (error) {
    return new Error(`${what} is not a valid regular expression: ${(error as Error).message}`);
  }
}
