// Regular expressions from the configuration (which may come with the pull request) run on values from its
// manifests: a pattern that backtracks exponentially must neither hang the scan nor be silently dropped.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import requiredLabels from '../../rules/required-labels.ts';
import { backtrackingProblem, compileUserPattern, linearEngineAvailable } from '../../src/config/user-pattern.ts';
import { runRule } from '../helpers/rule-tester.ts';

function deployment(labels: Record<string, string>): string {
  return stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels }, spec: { selector: {}, template: { spec: { containers: [{ name: 'app', image: 'app:1' }] } } } });
}

describe('configured patterns', () => {
  it('are matched in linear time: (a|a)*b against a 100,000-character label takes well under a second', () => {
    expect(linearEngineAvailable()).toBe(true);
    const started = performance.now();
    const reports = runRule(requiredLabels, deployment({ team: 'a'.repeat(100_000) }), { options: { labels: { team: '(a|a)*b' } } });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(reports.map((r) => [r.ruleId, r.path])).toEqual([['required-labels', '/metadata/labels/team']]);
    expect(reports[0]!.message).toContain('which does not match /(a|a)*b/');
  });

  it.each(['(a+)+$', '(x+x+)+y', '(.*a){12}', '([a-z]|[a-z0-9])*!'])('match %s in linear time too', (pattern) => {
    const regex = compileUserPattern(pattern, 'option labels.team');
    expect(regex).toBeInstanceOf(RegExp);
    const started = performance.now();
    expect((regex as RegExp).test('a'.repeat(50_000) + 'x')).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('still match what they mean', () => {
    const regex = compileUserPattern('[a-z]([-a-z0-9]*[a-z0-9])?', 'option labels.team') as RegExp;
    expect(['web', 'web-1', 'a'].map((v) => regex.test(v))).toEqual([true, true, true]);
    expect(['-web', 'web-', 'Web', 'web 1'].map((v) => regex.test(v))).toEqual([false, false, false, false]);
  });

  it.each([
    ['(a)\\1', 'cannot be matched in linear time'],
    ['(?=a)a', 'cannot be matched in linear time'],
    ['(', 'is not a valid regular expression'],
    ['a'.repeat(257), 'is longer than 256 characters'],
  ])('refuses %s, naming the option', (pattern, message) => {
    const refused = compileUserPattern(pattern, 'option labels.team');
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toContain(`option labels.team ${message}`);
    expect(() => runRule(requiredLabels, deployment({ team: 'a' }), { options: { labels: { team: pattern } } })).toThrow(`option labels.team ${message}`);
  });

  it('without the linear engine, the patterns that could backtrack exponentially are named', () => {
    expect(backtrackingProblem('(a|a)*b')).toBe('a repeated group that repeats or alternates inside');
    expect(backtrackingProblem('(a+)+')).toBe('a repeated group that repeats or alternates inside');
    expect(backtrackingProblem('(\\d+\\.){3,}')).toBe('a repeated group that repeats or alternates inside');
    expect(backtrackingProblem('(a)\\1')).toBe('a backreference');
    expect(backtrackingProblem('(?<!x)a')).toBe('a lookaround');
    expect(backtrackingProblem('[a-z]([-a-z0-9]*[a-z0-9])?')).toBeUndefined();
    expect(backtrackingProblem('prod|staging')).toBeUndefined();
  });
});
