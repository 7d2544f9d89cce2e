import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { detached, detachStrings, parseRenderedDocument } from '../../src/loaders/rendered-yaml.ts';

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

  it('lets the text go: values kept from 40 documents of 1 MB each hold a few bytes, not the documents', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const heap = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const before = heap();
    const kept: unknown[] = [];
    for (let i = 0; i < 40; i++) {
      // The label (a long scalar) and the annotation (a map value) are slices of the whole text until detached.
      const text = `kind: ConfigMap\nmetadata:\n  labels:\n    app: a-label-value-longer-than-thirteen-${i}\n  annotations:\n    note: another-value-longer-than-thirteen-${i}\ndata:\n  blob: ${'x'.repeat(1024 * 1024)}\n`;
      const value = parseRenderedDocument(text).documents[0]!.value as { metadata: { labels: unknown; annotations: unknown } };
      detachStrings(value);
      kept.push(value.metadata.labels, value.metadata.annotations);
    }
    // Undetached, every kept value holds its 1 MB document (two bytes per character once V8 copies it: 40-80 MB).
    expect(heap() - before).toBeLessThan(16 * 1024 * 1024);
    expect(kept).toHaveLength(80);
  });
});
