// Timestamps keep the offset they were written with, as cel-go's do; errors still name timestamp().
import { describe, expect, it } from 'vitest';
import { compileCel, toCel, type CelScope } from '../../src/admission/cel.ts';
import { renameTimestampCalls } from '../../src/admission/k8s-cel/timestamps.ts';
import { stringEnd, stringStarts } from '../../src/admission/optional-literals.ts';

const scope: CelScope = { params: false, variables: [], authorizer: false };
const run = (expression: string, object: unknown = {}) => {
  const compiled = compileCel(expression, scope);
  if (!compiled.ok) return `compile error: ${compiled.error}`;
  try {
    return compiled.program({ object: toCel(object), oldObject: null, request: new Map(), namespaceObject: null, variables: new Map() });
  } catch (err) {
    return `error: ${(err as Error).message.split('\n')[0]}`;
  }
};

describe('timestamps', () => {
  it('string() prints the offset the timestamp was written with, and Go\'s fraction (no trailing zeros)', () => {
    expect(run("string(timestamp('2011-01-05T00:00:00.000+01:00'))")).toBe('2011-01-05T00:00:00+01:00');
    expect(run("string([timestamp('2011-01-01T00:00:00+01:00'), timestamp('2011-01-02T00:00:00-05:30')].max())")).toBe('2011-01-02T00:00:00-05:30');
    expect(run("string(timestamp('2011-01-05T00:00:00.500Z'))")).toBe('2011-01-05T00:00:00.5Z');
    expect(run("string(timestamp(object.t))", { t: '2024-02-29T23:59:59.123456789+02:00' })).toBe('2024-02-29T23:59:59.123+02:00');
    expect(run("timestamp('2011-01-05T00:00:00+01:00') == timestamp('2011-01-04T23:00:00Z')")).toBe(true);
    expect(run("timestamp(timestamp('2011-01-04T23:00:00Z')) == timestamp(1294182000)")).toBe(true);
  });
  it('renames only calls of timestamp( outside strings', () => {
    const rename = (e: string) => renameTimestampCalls(e, stringEnd, stringStarts);
    expect(rename("timestamp('x') + x.timestamp('y') + 'timestamp(' + mytimestamp(1) + timestamp (1)")).toBe("__tstamp_('x') + x.timestamp('y') + 'timestamp(' + mytimestamp(1) + __tstamp_ (1)");
  });
  it('errors name timestamp, at the column of the source', () => {
    expect(run('timestamp(true)')).toMatch(/^compile error: ERROR: <input>:1:\d+: found no matching overload for 'timestamp' applied to '\(bool\)'\n \| timestamp\(true\)/);
    expect(run("timestamp('2011-13-45')")).toMatch(/^compile error: ERROR: <input>:1:11: invalid timestamp argument/);
    expect(run('timestamp(object.t)', { t: 'nope' })).toBe('error: timestamp() requires a string in ISO 8601 format');
  });
});
