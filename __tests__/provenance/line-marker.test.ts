// Line proofs read a marker back by inclusion in the rendered text: no marker may be a part of another.
import { describe, expect, it } from 'vitest';
import { lineMarker } from '../../src/provenance/line-proof.ts';

describe('lineMarker', () => {
  it('keeps marker 1 from being a part of marker 10 or 11', () => {
    for (const [a, b] of [[1, 10], [1, 11], [2, 21], [12, 123]] as const) {
      expect(lineMarker(b).includes(lineMarker(a))).toBe(false);
      expect(`prefix-${lineMarker(b)}-suffix`.includes(lineMarker(a))).toBe(false);
    }
    expect(`image: ${lineMarker(7)}`.includes(lineMarker(7))).toBe(true);
  });
});
