import { describe, expect, it } from 'vitest';
import { parseCalicoSelector, UNKNOWN_LABEL, type LabelLookup } from '../../src/k8s/calico-selector.ts';

const labels = (map: Record<string, string>, unknown: string[] = []): LabelLookup => (key) => (unknown.includes(key) ? UNKNOWN_LABEL : Object.hasOwn(map, key) ? map[key] : undefined);

function evaluate(selector: string, map: Record<string, string>, unknown: string[] = []) {
  const parsed = parseCalicoSelector(selector);
  if (!parsed.ok) throw new Error(`${selector}: ${parsed.error}`);
  return parsed.matches(labels(map, unknown));
}

describe('Calico selectors', () => {
  const web = { app: 'web', tier: 'frontend', 'app.kubernetes.io/name': 'shop' };

  it.each([
    ['', true],
    ['all()', true],
    ["app == 'web'", true],
    ['app == "api"', false],
    ["app != 'api'", true],
    ["missing != 'x'", true], // != matches endpoints without the label
    ['has(tier)', true],
    ['!has(tier)', false],
    ['has( missing )', false],
    ["app in {'api', 'web'}", true],
    ["app not in {'api', 'web'}", false],
    ["missing not in {'a'}", true],
    ["missing in {'a'}", false],
    ["app in {}", false],
    ["tier contains 'ont'", true],
    ["tier starts with 'front'", true],
    ["tier startswith 'front'", true],
    ["tier ends with 'end'", true],
    ["app.kubernetes.io/name == 'shop'", true],
    ["app == 'api' || tier == 'frontend'", true],
    ["app == 'web' && tier == 'backend'", false],
    ["app == 'api' || app == 'web' && tier == 'backend'", false], // && binds tighter than ||
    ["(app == 'api' || app == 'web') && tier == 'frontend'", true],
    ["!!has(app)", true],
    ["!(app == 'web' && has(tier))", false],
  ])('%s -> %s', (selector, expected) => {
    expect(evaluate(selector, web)).toBe(expected);
  });

  it('answers unknown only when the result depends on an unknown label', () => {
    expect(evaluate("team == 'a'", {}, ['team'])).toBe('unknown');
    expect(evaluate("team == 'a' && app == 'x'", { app: 'y' }, ['team'])).toBe(false);
    expect(evaluate("team == 'a' || app == 'x'", { app: 'x' }, ['team'])).toBe(true);
    expect(evaluate("!has(team)", {}, ['team'])).toBe('unknown');
  });

  it.each([
    ["app = 'web'", 'expected =='],
    ["app == web", 'expected a quoted string'],
    ["app == 'web", 'unterminated string'],
    ["app == 'web' &", 'expected &&'],
    ["app == 'web' | has(x)", 'expected ||'],
    ['has(app', "no closing ')'"],
    ['has()', 'no label name'],
    ["(app == 'web'", 'expected )'],
    ["app == 'web')", 'unexpected'],
    ["app is 'web'", 'was expecting an operator'],
    ["app in {'a' 'b'}", 'expected }'],
    ['app', 'expected an operator'],
    ["app == 'a' app == 'b'", 'unexpected'],
    ['&& has(a)', 'unexpected'],
    ['all', 'expected an operator'],
    ['$app == "x"', 'unexpected character'],
  ])('rejects %s', (selector, error) => {
    const parsed = parseCalicoSelector(selector);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(error);
  });

  it('refuses hostile selectors quickly instead of overflowing the stack', () => {
    const deep = '('.repeat(100_000) + "a == 'b'" + ')'.repeat(100_000);
    const nested = parseCalicoSelector(deep);
    expect(nested.ok).toBe(false);
    if (!nested.ok) expect(nested.error).toContain('nested deeper than 64');
    expect(evaluate('('.repeat(64) + "a == 'b'" + ')'.repeat(64), { a: 'b' })).toBe(true);
    // About an object's size limit of terms: tokenized and evaluated in linear time.
    const long = Array.from({ length: 100_000 }, (_, i) => `k${i} == 'v'`).join(' || ');
    const started = performance.now();
    expect(evaluate(long, { k99999: 'v' })).toBe(true);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
