import { describe, expect, it } from 'vitest';
import { detached, detachStrings, parseRenderedDocument } from '../../src/loaders/rendered-yaml.ts';

// (Whether a kept value still holds its text is not observable from JavaScript, and a heap measurement in
// a test is at the collector's mercy: the corpus run measures it, scripts/profile-default.ts.)
describe('detachStrings (issue 18: kept objects must not hold the whole render)', () => {
  it('leaves the data equal: nested values, numbers, an own __proto__ key, aliases', () => {
    const text = 'a: &x\n  long: a-value-longer-than-thirteen\n  n: 3\nb: *x\nlist: [short, another-long-value-here, null, true]\n"__proto__": a-string-under-proto-key\n';
    const parsed = parseRenderedDocument(text);
    const value = parsed.documents[0]!.value as Record<string, unknown>;
    const expected = structuredClone(value);
    detachStrings(value);
    expect(value).toEqual(expected);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toBe('a-string-under-proto-key');
    // The alias still names one value.
    expect(value.b).toBe(value.a);
  });

  it('keeps one copy of each distinct string across documents', () => {
    const strings = new Map<string, string>();
    for (const name of ['one', 'two']) {
      const parsed = parseRenderedDocument(`kind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  shared: the-same-long-value-in-both\n`);
      detachStrings(parsed.documents[0]!.value, strings);
    }
    expect([...strings.keys()].sort()).toEqual(['ConfigMap', 'one', 'the-same-long-value-in-both', 'two']);
    expect(detached('short')).toBe('short');
    expect(detached('a-long-string-to-copy')).toBe('a-long-string-to-copy');
  });
});
