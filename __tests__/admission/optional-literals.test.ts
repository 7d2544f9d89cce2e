// Optional entries of list and map literals ([a, ?b], {?'k': v}), which cel-js cannot parse: rewritten to
// equivalent calls before compiling, and evaluated as cel-go does.
import { describe, expect, it } from 'vitest';
import { rewriteOptionalEntries } from '../../src/admission/optional-literals.ts';
import { compileCel, toCel, type CelScope } from '../../src/admission/cel.ts';

const scope: CelScope = { params: false, variables: [], authorizer: false };
const run = (expression: string, object: unknown = {}) => {
  const compiled = compileCel(expression, scope);
  if (!compiled.ok) return `compile error: ${compiled.error.split('\n')[0]}`;
  return compiled.program({ object: toCel(object), oldObject: null, request: new Map(), namespaceObject: null, variables: new Map() });
};

describe('optional list and map entries', () => {
  it('leaves expressions without them as they are (strings, optional field and index selection included)', () => {
    for (const e of ["object.?spec.?x.orValue(1) == 1", "a[?'k']", "'[?a]' + \"{?b}\" + r'[?c]'", "c ? [1] : [2]", "{'a': c ? 1 : 2}"]) expect(rewriteOptionalEntries(e)).toBe(e);
  });
  it('rewrites list and map literals, nested, after `in`, with trailing commas', () => {
    expect(rewriteOptionalEntries("['a', ?x, 'c']")).toBe("(['a'] + __preadmit_optList(x) + [ 'c'])");
    expect(rewriteOptionalEntries("y in [?x,]")).toBe('y in (__preadmit_optList(x))');
    expect(rewriteOptionalEntries("{'k2': 'v2', ?'k': x}")).toBe("__preadmit_optMap({'k2': 'v2'}, 'k',  x)");
    expect(rewriteOptionalEntries("[{?'k': a}]")).toBe("[__preadmit_optMap({}, 'k',  a)]");
  });
  it('evaluates as cel-go: an entry is present exactly when its optional has a value', () => {
    expect(run("['a', ?optional.none(), 'c'] == ['a', 'c']")).toBe(true);
    expect(run("[?optional.of(1), 2] == [1, 2]")).toBe(true);
    expect(run("{?'k': optional.none(), 'k2': 'v2'} == {'k2': 'v2'}")).toBe(true);
    expect(run("{?'k': optional.of('v'), 'k2': 'v2'} == {'k': 'v', 'k2': 'v2'}")).toBe(true);
    // The usual use: copy a field only when the object sets it.
    expect(run("{?'team': object.metadata.?labels.?team, 'app': 'x'}.size()", { metadata: { labels: { team: 'a' } } })).toBe(2n);
    expect(run("{?'team': object.metadata.?labels.?team, 'app': 'x'}.size()", { metadata: {} })).toBe(1n);
    expect(run("[?object.?spec.?replicas].size() == 0", { spec: {} })).toBe(true);
  });
  it('an optional entry whose value is not an optional does not compile (cel-go refuses it too)', () => {
    expect(run("[?1]")).toMatch(/^compile error: /);
  });
});
