// Values edits keep the file as its author wrote it: exact bytes outside the edited lines, on files with
// comments, anchors, flow maps, quoted keys and CRLF line endings; an edit that would change more than the
// key (an alias sharing the node, a duplicate key) is refused.
import { describe, expect, it } from 'vitest';
import { changedLines, unifiedDiff } from '../../src/fix/lines.ts';
import { parseValuesKey, setInValues } from '../../src/fix/yaml-edit.ts';

function edited(text: string, path: (string | number)[], value: Parameters<typeof setInValues>[2]): string {
  const outcome = setInValues(text, path, value);
  if ('reason' in outcome) throw new Error(outcome.reason);
  return outcome.text;
}

describe('setInValues', () => {
  it('replaces a scalar in place, keeping the comment after it', () => {
    const text = '# top\nsecurityContext:\n  privileged: true   # why?\n  runAsUser: 1000\n';
    expect(edited(text, ['securityContext', 'privileged'], false)).toBe('# top\nsecurityContext:\n  privileged: false   # why?\n  runAsUser: 1000\n');
  });

  it('adds a key after the last entry of a block map, at its indentation, before the next key', () => {
    const text = 'sc:\n    runAsUser: 1000 # me\n    "quoted.key": x\nnext: 2\n';
    expect(edited(text, ['sc', 'allowPrivilegeEscalation'], false)).toBe('sc:\n    runAsUser: 1000 # me\n    "quoted.key": x\n    allowPrivilegeEscalation: false\nnext: 2\n');
  });

  it('turns an empty flow map into a filled block, keeping the comments below it', () => {
    const text = 'podSecurityContext: {}\n  # fsGroup: 2000\nother: 1\n';
    expect(edited(text, ['podSecurityContext', 'seccompProfile', 'type'], 'RuntimeDefault')).toBe('podSecurityContext:\n  seccompProfile:\n    type: RuntimeDefault\n  # fsGroup: 2000\nother: 1\n');
  });

  it('adds into a non-empty flow map in flow style', () => {
    expect(edited('a: {x: 1, "y z": {z: 2}}\nb: 2\n', ['a', 'capabilities', 'drop'], ['ALL'])).toBe('a: {x: 1, "y z": {z: 2}, capabilities: {drop: [ALL]}}\nb: 2\n');
  });

  it('keeps CRLF line endings, also on the lines it adds', () => {
    const text = 'a:\r\n  sc:\r\n  b: 1 # c\r\n';
    expect(edited(text, ['a', 'sc', 'capabilities', 'drop'], ['ALL'])).toBe('a:\r\n  sc:\r\n    capabilities:\r\n      drop:\r\n        - ALL\r\n  b: 1 # c\r\n');
  });

  it('fills a map inside a list item at the item\'s indentation', () => {
    const text = 'c:\n  - name: x\n    securityContext: {}\n  - name: y\n';
    expect(edited(text, ['c', 0, 'securityContext', 'runAsNonRoot'], true)).toBe('c:\n  - name: x\n    securityContext:\n      runAsNonRoot: true\n  - name: y\n');
  });

  it('replaces a block list and keeps its siblings', () => {
    const text = 'sc:\n  capabilities:\n    drop:\n      - NET_RAW\n    add: [X]\n';
    expect(edited(text, ['sc', 'capabilities', 'drop'], ['ALL'])).toBe('sc:\n  capabilities:\n    drop:\n      - ALL\n    add: [X]\n');
  });

  it('keeps a quoted string quoted', () => {
    expect(edited("service:\n  type: 'LoadBalancer' # public\n", ['service', 'type'], 'ClusterIP')).toBe("service:\n  type: 'ClusterIP' # public\n");
  });

  it('leaves anchors and aliases elsewhere in the file byte for byte', () => {
    const text = 'common: &common\n  a: 1\nuses: *common\nsc:\n  privileged: true\n';
    expect(edited(text, ['sc', 'privileged'], false)).toBe('common: &common\n  a: 1\nuses: *common\nsc:\n  privileged: false\n');
  });

  it('refuses to edit an anchored node (its aliases would change too) or one reached through an alias', () => {
    expect(setInValues('base: &b\n  privileged: true\nother: *b\n', ['base', 'privileged'], false)).toEqual({ reason: expect.stringMatching(/anchored/) });
    expect(setInValues('base: &b\n  privileged: true\nother: *b\n', ['other', 'privileged'], false)).toEqual({ reason: expect.stringMatching(/alias/) });
  });

  it('refuses a key written twice and a path through a scalar', () => {
    expect(setInValues('sc:\n  privileged: true\n  privileged: true\n', ['sc', 'privileged'], false)).toEqual({ reason: expect.stringMatching(/written twice/) });
    expect(setInValues('sc: text\n', ['sc', 'privileged'], false)).toEqual({ reason: expect.stringMatching(/not a map/) });
  });

  it('fills `key:` and `key: ~`, keeping a comment on the key line', () => {
    expect(edited('sc: ~ # none\nz: 1\n', ['sc', 'readOnlyRootFilesystem'], true)).toBe('sc: # none\n  readOnlyRootFilesystem: true\nz: 1\n');
    expect(edited('sc:\nz: 1', ['sc', 'runAsNonRoot'], true)).toBe('sc:\n  runAsNonRoot: true\nz: 1');
  });

  it('adds after the last line of a file without a final line break', () => {
    expect(edited('sc:\n  enabled: true', ['sc', 'readOnlyRootFilesystem'], true)).toBe('sc:\n  enabled: true\n  readOnlyRootFilesystem: true');
  });
});

describe('parseValuesKey', () => {
  it('reads keys as provenance writes them', () => {
    expect(parseValuesKey('a.b[0].c')).toEqual(['a', 'b', 0, 'c']);
    expect(parseValuesKey('podAnnotations["x.io/y"].z')).toEqual(['podAnnotations', 'x.io/y', 'z']);
    expect(parseValuesKey('a..b')).toBeUndefined();
  });
});

describe('changed lines and diff', () => {
  it('gives the replaced lines of a change, and the line before for an insertion', () => {
    expect(changedLines('a: 1\nb: 2\nc: 3\n', 'a: 1\nb: 9\nc: 3\n')).toEqual({ line: 2, endLine: 2, replacement: 'b: 9' });
    expect(changedLines('a:\n  x: 1\nc: 3\n', 'a:\n  x: 1\n  y: 2\nc: 3\n')).toEqual({ line: 2, endLine: 2, replacement: '  x: 1\n  y: 2' });
    expect(changedLines('a:\r\n  x: 1\r\n', 'a:\r\n  x: 2\r\n')).toEqual({ line: 2, endLine: 2, replacement: '  x: 2' });
  });

  it('writes a unified diff with context', () => {
    expect(unifiedDiff('v.yaml', 'a: 1\nb: 2\nc: 3\n', 'a: 1\nb: 9\nc: 3\nd: 4\n')).toBe('--- a/v.yaml\n+++ b/v.yaml\n@@ -1,3 +1,4 @@\n a: 1\n-b: 2\n+b: 9\n c: 3\n+d: 4\n');
    expect(unifiedDiff('v.yaml', 'same\n', 'same\n')).toBe('');
  });
});

describe('editableProblem', () => {
  it('allows a regular values file inside the chart, nothing else', async () => {
    const { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { editableProblem } = await import('../../src/fix/prove.ts');
    const root = mkdtempSync(path.join(os.tmpdir(), 'preadmit-editable-'));
    mkdirSync(path.join(root, 'app/ci'), { recursive: true });
    mkdirSync(path.join(root, 'other'));
    writeFileSync(path.join(root, 'app/values.yaml'), 'a: 1\n');
    writeFileSync(path.join(root, 'other/values.yaml'), 'a: 1\n');
    symlinkSync('../../other', path.join(root, 'app/ci/linked'));
    expect(editableProblem(root, 'app', 'app/values.yaml')).toBeUndefined();
    expect(editableProblem(root, 'app', 'other/values.yaml')).toBe('other/values.yaml is outside the chart app');
    expect(editableProblem(root, 'app', '../x/values.yaml')).toBe('../x/values.yaml is outside the repository');
    expect(editableProblem(root, 'app', 'app/ci/linked/values.yaml')).toBe('app/ci/linked is a symbolic link');
  });
});
