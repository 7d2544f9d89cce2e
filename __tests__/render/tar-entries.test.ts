// Chart archives read as Go's archive/tar (helm's loader) reads them: an entry a hostile archive hides from a
// weaker reader (a base-256 size, a PAX size record) is still read, and a header Go refuses is refused.
import { describe, expect, it } from 'vitest';
import { tarEntries } from '../../src/render/helm.ts';

function header(name: string, size: number, options: { type?: string; base256?: boolean; corrupt?: boolean } = {}): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  if (options.base256) {
    h[124] = 0x80;
    let rest = size;
    for (let k = 135; k > 124; k--) {
      h[k] = rest % 256;
      rest = Math.floor(rest / 256);
    }
  } else h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write(options.type ?? '0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${(options.corrupt ? sum + 1 : sum).toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

const body = (text: string) => {
  const b = Buffer.alloc(Math.ceil(text.length / 512) * 512);
  b.write(text);
  return b;
};

const archive = (...parts: Buffer[]) => Buffer.concat([...parts, Buffer.alloc(1024)]);
const names = (tar: Buffer) => [...tarEntries(tar)].map((e) => `${e.name}=${e.content.toString()}`);

describe('tarEntries reads what Go reads', () => {
  it('reads a base-256 size and every entry after it', () => {
    const tar = archive(header('sub/a.yaml', 3, { base256: true }), body('a: 1'.slice(0, 3)), header('sub/templates/pod.yaml', 4), body('kind'));
    expect(names(tar)).toEqual(['sub/a.yaml=a: ', 'sub/templates/pod.yaml=kind']);
  });

  it('takes a PAX record\'s size and path for the next entry', () => {
    const pax = '12 size=100\n16 path=sub/x.yaml\n';
    const text = 'y'.repeat(100);
    const tar = archive(header('PaxHeader', pax.length, { type: 'x' }), body(pax), header('short', 0), body(text), header('sub/b.yaml', 1), body('z'));
    expect(names(tar)).toEqual([`sub/x.yaml=${text}`, 'sub/b.yaml=z']);
  });

  it('throws on a header Go refuses (checksum) and on content past the end, rather than stopping quietly', () => {
    expect(() => names(archive(header('sub/a.yaml', 1, { corrupt: true }), body('a')))).toThrow(/checksum/);
    expect(() => names(Buffer.concat([header('sub/a.yaml', 4096), body('a')]))).toThrow(/past the archive's end/);
  });
});
