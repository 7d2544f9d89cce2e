// The confirmation render that proves values keys and template lines at once (issue 18): what it reads
// back. withoutSentinels puts a render made with sentinels and line markers back to the chart's own values,
// so a line proven there counts only where that render rendered the block as the chart's values do.
import { describe, expect, it } from 'vitest';
import { sameRendered, sentinelText, withoutSentinels, type Candidate } from '../../src/provenance/locate.ts';
import { lineMarker, STAGED_MARKER } from '../../src/provenance/line-proof.ts';

const effective = { image: { tag: '1.2.3', repository: 'nginx' }, replicas: 3, podSecurityContext: {}, resources: { limits: { cpu: '1' } } };
const candidates: Candidate[] = [
  { id: 1, path: ['image', 'tag'], kind: 'leaf' },
  { id: 2, path: ['replicas'], kind: 'leaf', numeric: 947000 },
  { id: 3, path: ['podSecurityContext'], kind: 'mapKey' },
  { id: 4, path: ['resources'], kind: 'mapKey' },
];
const restore = (value: unknown, literals = new Map<string, string>()) => withoutSentinels(value, candidates, effective, STAGED_MARKER, literals);

describe('withoutSentinels and sameRendered', () => {
  it('puts sentinels back and takes the line markers out', () => {
    const rendered = { image: `${lineMarker('s2')} nginx:${sentinelText(1)}`, replicas: 947000, resources: { limits: { cpu: '1' }, [sentinelText(4)]: {}, [lineMarker('s7')]: 'x' } };
    const restored = restore(rendered);
    expect(restored).toEqual({ image: 'nginx:1.2.3', replicas: 3, resources: { limits: { cpu: '1' } } });
    expect(sameRendered(restored, { image: 'nginx:1.2.3', replicas: 3, resources: { limits: { cpu: '1' } } })).toBe(true);
  });

  it('reads a block rendered only for the key a sentinel added as empty or absent, nothing more', () => {
    const restored = restore({ securityContext: { [sentinelText(3)]: {} } });
    expect(sameRendered(restored, {})).toBe(true);
    expect(sameRendered(restored, { securityContext: {} })).toBe(true);
    expect(sameRendered(restored, { securityContext: { runAsUser: 0 } })).toBe(false);
  });

  it('puts back the literal a value marker replaced, and unquotes a marked quoted value', () => {
    const literals = new Map([[lineMarker('s3'), 'true']]);
    expect(restore({ privileged: lineMarker('s3') }, literals)).toEqual({ privileged: 'true' });
    expect(sameRendered(restore({ privileged: lineMarker('s3') }, literals), { privileged: true })).toBe(true);
    expect(restore({ name: `${lineMarker('s4')} "web"` })).toEqual({ name: 'web' });
  });

  it('tells a block whose content the changed values moved from the chart’s own', () => {
    // The sentinel turned a branch on: a volume the chart's own values do not render.
    const restored = restore({ volumes: [{ name: 'data' }, { name: 'certs' }] });
    expect(sameRendered(restored, { volumes: [{ name: 'data' }] })).toBe(false);
    expect(sameRendered({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameRendered({ a: undefined }, {})).toBe(true);
    expect(sameRendered('1', 1)).toBe(true);
    expect(sameRendered(null, 'null')).toBe(false);
  });

  it('counts any two hex digests alike (checksums of files holding sentinels), other texts by their text', () => {
    expect(sameRendered({ 'checksum/config': 'a'.repeat(64) }, { 'checksum/config': 'b'.repeat(64) })).toBe(true);
    expect(sameRendered({ name: 'web-1' }, { name: 'web-2' })).toBe(false);
  });

  it('keeps marker 1 from being a part of marker 10', () => {
    expect(lineMarker(10).includes(lineMarker(1))).toBe(false);
    expect(lineMarker('s10').includes(lineMarker('s1'))).toBe(false);
    expect(STAGED_MARKER.test(lineMarker('s12'))).toBe(true);
    expect(STAGED_MARKER.test(lineMarker(12))).toBe(false);
  });
});
