// A manifest file read as kubectl apply -f reads it (cli-runtime FileVisitor, apimachinery YAMLOrJSONDecoder
// v0.34). Every expected reading below was checked with an oracle built from that Go code.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifestStream } from '../../src/loaders/kubectl-stream.ts';
import { objectsFromDocuments } from '../../src/loaders/objects.ts';
import { scan } from '../../src/pipeline/scan.ts';
import { workspace } from '../hostile/helpers.ts';

const POD = (name: string, spec = '"hostPID":true') => `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"${name}"},"spec":{${spec},"containers":[{"name":"c","image":"x:1"}]}}`;
const CM = (name: string) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"}}`;

function read(input: string | Buffer, strict = true) {
  const parsed = readManifestStream(typeof input === 'string' ? Buffer.from(input) : input);
  const objects = objectsFromDocuments(parsed.documents, { source: { kind: 'manifest', file: 'f' }, linesAreSource: true, strict });
  return { objects: objects.objects, problems: [...parsed.problems, ...objects.problems], documents: parsed.documents };
}

async function scanFile(name: string, content: string | Buffer) {
  const dir = workspace('preadmit-kubectl-stream-');
  writeFileSync(path.join(dir, name), content);
  // Named, and found by walking the directory: both as kubectl apply -f and -R -f read it.
  const named = await scan({ paths: [path.join(dir, name)] });
  const walked = await scan({ paths: [dir] });
  return { named, walked };
}

const findings = (result: Awaited<ReturnType<typeof scan>>) => result.findings.filter((f) => f.severity === 'critical' || f.severity === 'high').map((f) => `${f.ruleId} ${f.object.name} ${f.path} @${f.source.line}`);

describe('a Unicode space before the `{` that starts a file', () => {
  // GuessJSONStream trims unicode.IsSpace and sees `{`; JSON fails on the space, the decoder rewinds,
  // eats the spaces (consumeWhitespace) and reads the object as YAML.
  for (const space of ['\v', '\f', '\u00a0', '\u1680', '\u2000', '\u200a', '\u202f', '\u205f', '\u3000', ' \u00a0\t']) {
    it(`reads the object after ${JSON.stringify(space)}`, () => {
      const { objects, problems } = read(`${space}${POD('evil')}`);
      expect(problems).toEqual([]);
      expect(objects.map((o) => `${o.ref.kind}/${o.ref.name}`)).toEqual(['Pod/evil']);
      expect(objects[0]!.raw).toMatchObject({ spec: { hostPID: true } });
    });
  }

  it('judges it named and in a directory search: pss-host-namespaces at /spec/hostPID', async () => {
    for (const name of ['pod.json', 'pod.yaml']) {
      const { named, walked } = await scanFile(name, `\u00a0${POD('evil')}`);
      for (const result of [named, walked]) {
        expect(result.errors).toEqual([]);
        expect(findings(result)).toContain('pss-host-namespaces evil /spec/hostPID @1');
      }
    }
  });

  it('stops eating spaces after one newline, as consumeWhitespace does: `\u00a0{...}` on line 2 is a YAML string kubectl fails on', () => {
    const { objects, problems } = read(`\u00a0\n\u00a0${POD('p')}`);
    expect(objects).toEqual([]);
    expect(problems).toEqual([expect.objectContaining({ line: 2, message: 'document 1 is a string, not a Kubernetes object' })]);
  });

  it('starts the JSON stream at the first byte: a leading space JSON does not know sends the whole file to YAML', () => {
    // kubectl: JSON fails on the NBSP, YAML reads `{...}` and then, in the same document, nothing more
    const { objects } = read(`\u00a0${CM('a')}\n`);
    expect(objects.map((o) => o.ref.name)).toEqual(['a']);
    // JSON whitespace before the `{` keeps it a JSON stream
    expect(read(` \t\r\n${CM('a')}${CM('b')}`).objects.map((o) => o.ref.name)).toEqual(['a', 'b']);
  });

  it('reads a plain YAML file with a leading Unicode space as YAML, as before', () => {
    expect(read('\u00a0\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n').problems.length).toBeGreaterThan(0);
    expect(read('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n').objects).toHaveLength(1);
  });
});

describe('a stream of JSON values', () => {
  it('reads concatenated JSON and NDJSON, each value an object, with its own line', () => {
    for (const text of [`${CM('a')}\n${POD('p')}\n`, `${CM('a')}${POD('p')}`, `  ${CM('a')}\r\n\t${POD('p')}`]) {
      const { objects, problems } = read(text);
      expect(problems).toEqual([]);
      expect(objects.map((o) => `${o.ref.kind}/${o.ref.name}`)).toEqual(['ConfigMap/a', 'Pod/p']);
    }
    const { objects } = read(`${CM('a')}\n${POD('p')}\n`);
    expect(objects[1]!.source.line).toBe(2);
    expect(objects[1]!.lineOf!('/spec/hostPID')).toBe(2);
  });

  it('reads YAML after one JSON value, with the file\'s lines', () => {
    const text = `${CM('a')}\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostNetwork: true\n  containers:\n  - name: c\n    image: nginx:1\n`;
    const { objects, problems } = read(text);
    expect(problems).toEqual([]);
    expect(objects.map((o) => `${o.ref.kind}/${o.ref.name}@${o.source.line}`)).toEqual(['ConfigMap/a@1', 'Pod/p@2']);
    expect(objects[1]!.lineOf!('/spec/hostNetwork')).toBe(7);
    expect(objects[1]!.source.document).toBe(1);
  });

  it('fails as kubectl does after two JSON values, and where too little is left to read as YAML', () => {
    const two = read(`${CM('a')}${CM('b')}\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n`);
    expect(two.objects.map((o) => o.ref.name)).toEqual(['a', 'b']);
    expect(two.problems).toEqual([{ index: 2, line: 2, message: expect.stringMatching(/^invalid JSON after 2 JSON values \(unexpected "a" where a value should start at line 2, column 1\): kubectl reads this file as a stream of JSON values and fails here$/) }]);
    const short = read(`${CM('a')}\nab`);
    expect(short.objects.map((o) => o.ref.name)).toEqual(['a']);
    expect(short.problems).toEqual([expect.objectContaining({ line: 2, message: expect.stringMatching(/kubectl cannot read the rest as YAML/) })]);
  });

  it('reads a JSON string with a raw U+2028 before `...` or `--- ` as encoding/json does: one object, nothing hidden', () => {
    for (const marker of ['...', '--- x', '---']) {
      const text = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","annotations":{"a":"x\u2028${marker}\u2028y"}},"spec":{"hostPID":true,"containers":[{"name":"c","image":"x:1"}]}}\n`;
      const { objects, problems } = read(text);
      expect(problems).toEqual([]);
      expect(objects).toHaveLength(1);
      expect(objects[0]!.raw).toMatchObject({ metadata: { annotations: { a: `x\u2028${marker}\u2028y` } }, spec: { hostPID: true } });
    }
  });

  it('judges every object of concatenated JSON: pss-host-namespaces at /spec/hostPID of the second', async () => {
    const { named, walked } = await scanFile('j2.json', `${CM('a')}\n${POD('p')}\n`);
    for (const result of [named, walked]) {
      expect(result.errors).toEqual([]);
      expect(findings(result)).toContain('pss-host-namespaces p /spec/hostPID @2');
    }
  });

  it('keeps the last of duplicate keys with both lines, and finds each field\'s line in multi-line JSON', () => {
    const text = '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": {"name": "a"},\n  "spec": {\n    "hostPID": false,\n    "containers": [\n      {"name": "c", "image": "x:1"},\n      {"name": "d", "image": "x:1", "securityContext": {"privileged": true}}\n    ],\n    "hostPID": true\n  }\n}\n';
    const { objects, problems } = read(text);
    expect(problems).toEqual([]);
    expect(objects[0]!.raw).toMatchObject({ spec: { hostPID: true } });
    expect(objects[0]!.duplicateKeys).toEqual([{ pointer: '/spec/hostPID', key: 'hostPID', firstLine: 6, line: 11, hidden: false, effective: true }]);
    expect(objects[0]!.lineOf!('/spec/hostPID')).toBe(11);
    expect(objects[0]!.lineOf!('/spec/containers/1/securityContext/privileged')).toBe(9);
    expect(objects[0]!.lineOf!('/spec/containers/1/securityContext/missing')).toBe(9);
    expect(objects[0]!.lineOf!('/spec/containers/0')).toBe(8);
  });

  it('decodes an escaped lone surrogate as U+FFFD, and refuses a number no float64 holds', () => {
    expect(read('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"x":"a\\ud800b"}}').objects[0]!.raw).toMatchObject({ data: { x: 'a\ufffdb' } });
    expect(read('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"x":1e400}}').problems).toEqual([expect.objectContaining({ message: expect.stringMatching(/too large for a float64/) })]);
  });

  it('reads a broken JSON file as YAML, as kubectl falls back to it, and reports the YAML error', () => {
    const { objects, problems } = read('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "t"}, "spec": {"containers": [{"name": "a"');
    expect(objects).toEqual([]);
    expect(problems).toEqual([expect.objectContaining({ line: 1 })]);
    // YAML flow syntax kubectl accepts after JSON fails
    expect(read('{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}').objects.map((o) => o.ref.name)).toEqual(['a']);
  });
});

describe('bytes as unicode.BOMOverride decodes them', () => {
  it('reads UTF-16 (both byte orders) with a byte order mark', () => {
    const yaml = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: x}]\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(yaml, 'utf16le')]);
    const be = Buffer.from(le);
    for (let i = 0; i + 1 < be.length; i += 2) [be[i], be[i + 1]] = [be[i + 1]!, be[i]!];
    for (const bytes of [le, be]) {
      const { objects, problems } = read(bytes);
      expect(problems).toEqual([]);
      expect(objects[0]!.lineOf!('/spec/hostNetwork')).toBe(6);
    }
  });

  it('reads a byte that is not UTF-8 as U+FFFD, in a comment or a value, without an error', () => {
    const comment = read(Buffer.concat([Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n# caf'), Buffer.from([0xe9]), Buffer.from(' comment\ndata: {a: b}\n')]));
    expect(comment.problems).toEqual([]);
    expect(comment.objects[0]!.raw).toMatchObject({ data: { a: 'b' } });
    const value = read(Buffer.concat([Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: "caf'), Buffer.from([0xe9, 0x80]), Buffer.from('"}\n')]));
    expect(value.problems).toEqual([]);
    expect(value.objects[0]!.raw).toMatchObject({ data: { a: 'caf\ufffd\ufffd' } });
  });

  it('still refuses a NUL byte, which go-yaml rejects', () => {
    expect(read('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: "x\u0000"}\n').problems[0]!.message).toMatch(/NUL/);
  });
});

describe('a document that is not an object, in a directory search', () => {
  it('is reported where kubectl apply -R fails on it: beside Kubernetes objects, or naming one', async () => {
    const dir = workspace('preadmit-kubectl-stream-');
    writeFileSync(path.join(dir, 'beside.yaml'), `${POD('p')}\n---\njust a string\n`);
    writeFileSync(path.join(dir, 'names.yaml'), '"apiVersion: v1 kind: Pod"\n');
    writeFileSync(path.join(dir, 'list.yaml'), '- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n');
    // other YAML (a playbook, a version file) is left alone, as before
    writeFileSync(path.join(dir, 'playbook.yaml'), '- hosts: all\n  tasks: []\n');
    writeFileSync(path.join(dir, 'version.yaml'), '1.2.3\n');
    const result = await scan({ paths: [dir] });
    expect(result.errors.map((e) => `${path.basename(e.file)}:${e.line} ${e.message}`).sort()).toEqual([
      'beside.yaml:3 document 2 is a string, not a Kubernetes object: kubectl apply fails on it',
      'list.yaml:1 document 1 is a list, not a Kubernetes object: kubectl apply fails on it',
      'names.yaml:1 document 1 is a string, not a Kubernetes object: kubectl apply fails on it',
    ]);
    expect(findings(result)).toContain('pss-host-namespaces p /spec/hostPID @1');
  });
});
