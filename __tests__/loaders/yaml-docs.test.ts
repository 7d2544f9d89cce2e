import { beforeEach, describe, expect, it } from 'vitest';
import { objectsFromDocuments } from '../../src/loaders/objects.ts';
import { parseRenderedDocument } from '../../src/loaders/rendered-yaml.ts';
import { loadAll } from 'js-yaml';
import { loadYamlDocuments, parseYamlDocuments, type ParsedYaml } from '../../src/loaders/yaml-docs.ts';
import type { JsYamlOptions } from '../../src/loaders/yaml-positions.ts';

const load = (text: string, strict = true, parse: (text: string) => ParsedYaml = parser) => {
  const parsed = parse(text);
  const objects = objectsFromDocuments(parsed.documents, { source: { kind: 'manifest', file: 'f.yaml' }, linesAreSource: true, strict });
  return { ...objects, problems: [...parsed.problems, ...objects.problems] };
};

let parser: (text: string) => ParsedYaml = parseYamlDocuments;

describe.each([
  ['parseYamlDocuments (positional)', parseYamlDocuments],
  ['loadYamlDocuments (fast, lazy positions)', loadYamlDocuments],
])('%s', (_, parse) => {
  beforeEach(() => {
    parser = parse;
  });

  it('reads every document with the line of each field', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n---\n# comment\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\nspec:\n  ports:\n    - port: 80\n      nodePort: 30000\n';
    const { objects, problems } = load(text);
    expect(problems).toEqual([]);
    expect(objects.map((o) => `${o.ref.kind}/${o.ref.name}@${o.source.line}`)).toEqual(['Pod/a@1', 'Service/b@7']);
    expect(objects[1]!.lineOf!('/spec/ports/0/nodePort')).toBe(14);
    // a missing field maps to its nearest existing ancestor
    expect(objects[1]!.lineOf!('/spec/ports/0/hostPort')).toBe(13);
    expect(objects[1]!.lineOf!('/spec/selector')).toBe(11);
  });

  it('expands kind: List items with their own lines', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: one}\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: two}\n';
    const { objects } = load(text);
    expect(objects.map((o) => `${o.ref.name}@${o.source.line}`)).toEqual(['one@4', 'two@7']);
    expect(objects[1]!.lineOf!('/metadata/name')).toBe(9);
  });

  it('keeps good documents when one is broken, and names the broken one', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\nkey: [unclosed\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok2}\n';
    const { objects, problems } = load(text);
    expect(objects.map((o) => o.ref.name)).toEqual(['ok', 'ok2']);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.index).toBe(1);
  });

  it('keeps the last of duplicate keys (as Kubernetes does), and rejects tabs for indentation and non-mapping documents', () => {
    const dup = load('apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  hostNetwork: false\n  hostNetwork: true\n');
    expect(dup.problems).toEqual([]);
    expect(dup.objects[0]!.raw).toMatchObject({ spec: { hostNetwork: true } });
    expect(dup.objects[0]!.duplicateKeys).toEqual([{ pointer: '/spec/hostNetwork', key: 'hostNetwork', firstLine: 5, line: 6, hidden: false, effective: true }]);
    expect(dup.objects[0]!.lineOf!('/spec/hostNetwork')).toBe(6);
    expect(load('a:\n\tb: 1\n').problems.length).toBeGreaterThan(0);
    expect(load('- a\n- b\n').problems[0]!.message).toMatch(/list, not a Kubernetes object/);
    expect(load('just a string\n').problems[0]!.message).toMatch(/string, not a Kubernetes object/);
  });

  it('refuses alias expansion bombs instead of expanding them', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill('*' + String.fromCharCode(96 + i)).join(',')}]`);
    const { problems, objects } = load(bomb.join('\n') + '\n');
    expect(objects).toEqual([]);
    expect(problems[0]!.message).toMatch(/alias/i);
  });

  it('refuses documents nested deeper than the limit', () => {
    const deep = '['.repeat(500) + ']'.repeat(500);
    const { problems } = load(deep);
    expect(problems.length).toBe(1);
  });

  it('reads a BOM and CRLF line endings', () => {
    const { objects, problems } = load('\ufeffapiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: crlf\r\n');
    expect(problems).toEqual([]);
    expect(objects[0]!.ref.name).toBe('crlf');
    expect(objects[0]!.lineOf!('/metadata/name')).toBe(4);
  });

  it('ignores non-Kubernetes YAML when searching directories but reports it when named', () => {
    expect(load('name: ci\non: push\n', false)).toMatchObject({ objects: [], problems: [] });
    expect(load('name: ci\non: push\n', true).problems[0]!.message).toMatch(/no apiVersion and kind/);
  });

  it('skips empty documents', () => {
    expect(load('---\n# nothing\n---\n').problems).toEqual([]);
  });

  it('numbers documents and lines the same way across markers and comments', () => {
    const text = '# header comment\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\n# c\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n';
    const { objects } = load(text);
    expect(objects.map((o) => [o.ref.name, o.source.document, o.source.line, o.lineOf!('/metadata/name')])).toEqual([
      ['a', 0, 2, 4],
      ['b', 2, 8, 11],
    ]);
  });

  it('falls back to full parsing for directives and document end markers', () => {
    const { objects, problems } = load('%YAML 1.1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\n...\n');
    expect(problems).toEqual([]);
    expect(objects.map((o) => o.ref.name)).toEqual(['d']);
  });
});

describe('the YAML dialect Kubernetes reads', () => {
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {built: 2024-01-01}\nspec:\n  containers:\n    - name: c\n      securityContext: {privileged: yes}\n  volumes:\n    - name: v\n      secret: {secretName: s, defaultMode: 0644}\n';
  const expectDialect = (value: unknown) => {
    const p = value as { metadata: { annotations: { built: unknown } }; spec: { containers: { securityContext: { privileged: unknown } }[]; volumes: { secret: { defaultMode: unknown } }[] } };
    expect(p.spec.containers[0]!.securityContext.privileged).toBe(true); // YAML 1.1 boolean
    expect(p.spec.volumes[0]!.secret.defaultMode).toBe(0o644); // YAML 1.1 octal
    expect(p.metadata.annotations.built).toBe('2024-01-01'); // timestamps stay strings
  };

  it('in manifests (positional parser)', () => {
    expectDialect(parseYamlDocuments(pod).documents[0]!.value);
  });

  it('in rendered output (fast parser)', () => {
    expectDialect(parseRenderedDocument(pod).documents[0]!.value);
  });

  it('reads only the header of a CustomResourceDefinition', () => {
    const crd = 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  versions: []\n';
    expect(parseRenderedDocument(crd).documents[0]!.value).toEqual({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' } });
  });

  it('falls back to the positional parser for errors, keeping its limits', () => {
    const aliased = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: &n x}\ndata: {a: *n}\n';
    expect(parseRenderedDocument(aliased).documents[0]!.value).toMatchObject({ data: { a: 'x' } });
    expect(parseRenderedDocument('a: 1\na: 2\n')).toMatchObject({ problems: [], documents: [{ value: { a: 2 }, duplicates: [{ pointer: '/a', firstLine: 1, line: 2 }] }] });
  });

  it('reads plain YAML 1.2 (the configuration) on the fast path as the positional parser does', () => {
    const text = [
      'failOn: off',
      'switches: [on, yes, no, true, False, y]',
      'numbers: [0o17, 0x1f, 017, 1e3, .inf, -.Inf, .nan, 1_000, +12]',
      'nulls: [~, null, Null, ""]',
      'when: 2024-01-01',
      'base: &b {a: 1}',
      'merged: {<<: *b, c: 2}',
      'rules:',
      '  image-tag: "off"',
      "  pss-privileged: {severity: 'low'}",
      '',
    ].join('\n');
    const fast = loadYamlDocuments(text, 'yaml-1.2');
    const slow = parseYamlDocuments(text, 'yaml-1.2');
    expect(fast.problems).toEqual([]);
    const clean = (v: unknown) => JSON.parse(JSON.stringify(v, (_, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x)));
    expect(clean(fast.documents[0]!.value)).toEqual(clean(slow.documents[0]!.value));
    expect((fast.documents[0]!.value as { failOn: unknown }).failOn).toBe('off');
    for (const pointer of ['/rules/pss-privileged/severity', '/merged', '/numbers/3']) expect(fast.documents[0]!.lineOf(pointer), pointer).toBe(slow.documents[0]!.lineOf(pointer));
    expect(loadYamlDocuments('a: 1\na: 2\n', 'yaml-1.2').problems[0]!.message).toMatch(/unique/i);
  });

  it('loads ordinary aliases on the fast path with the same values and lines as the positional parser', () => {
    const text = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: web}',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: &name web',
      '          image: nginx:1.27',
      '          env:',
      '            - {name: SELF, value: *name}',
      '          securityContext: &sc',
      '            runAsNonRoot: true',
      '      initContainers:',
      '        - name: init',
      '          image: busybox:1.36',
      '          securityContext: *sc',
      '',
    ].join('\n');
    const fast = loadYamlDocuments(text);
    const slow = parseYamlDocuments(text);
    expect(fast.problems).toEqual([]);
    expect(fast.documents[0]!.value).toEqual(slow.documents[0]!.value);
    for (const pointer of ['/spec/template/spec/containers/0/env/0/value', '/spec/template/spec/initContainers/0/securityContext']) {
      expect(fast.documents[0]!.lineOf(pointer), pointer).toBe(slow.documents[0]!.lineOf(pointer));
    }
  });

  it('still refuses aliases that expand too far, and merge keys over aliases, through the positional parser', () => {
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    expect(loadYamlDocuments(laughs.join('\n')).problems[0]?.message).toMatch(/alias/i);
    const merged = 'base: &b {x: 1}\nm: {<<: *b, y: 2}\n';
    expect(loadYamlDocuments(merged).documents[0]!.value).toEqual(parseYamlDocuments(merged).documents[0]!.value);
  });

  it('gives the positional parser lines where js-yaml reads a node twice (block values, flow lists over lines, block scalar items)', () => {
    const text = [
      'apiVersion: v1', // 1
      'kind: Pod',
      'metadata:',
      '  name: p',
      'spec:', // 5
      '  containers:',
      '    - name: c',
      '      image: c:1',
      '      command:',
      '        [', // 10
      '          "sh",',
      '          "-c",',
      '          "run"',
      '        ]',
      '      args:', // 15
      '        - --flag',
      '        - |',
      '          multi',
      '          line',
      '        - last', // 20
      '      securityContext:',
      '        # a comment before the value',
      '        privileged: true',
      '',
    ].join('\n');
    const fast = loadYamlDocuments(text).documents[0]!;
    const slow = parseYamlDocuments(text).documents[0]!;
    expect(fast.value).toEqual(slow.value);
    const expected: Record<string, number> = {
      '/spec/containers/0/command': 9,
      '/spec/containers/0/command/0': 11,
      '/spec/containers/0/command/2': 13,
      '/spec/containers/0/args/0': 16,
      '/spec/containers/0/args/2': 20,
      '/spec/containers/0/securityContext/privileged': 23,
      '/spec/containers/0/securityContext/missing': 21,
    };
    for (const [pointer, line] of Object.entries(expected)) {
      expect(fast.lineOf(pointer), pointer).toBe(line);
      expect(slow.lineOf(pointer), pointer).toBe(line);
    }
    // A block scalar item is at its `- |` line (the positional parser names the line its content starts).
    expect(fast.lineOf('/spec/containers/0/args/1')).toBe(17);
  });

  it('makes at most one js-yaml node per byte in the densest forms (what lets chunks up to 256 KiB skip measuring)', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `k${i.toString(36)}`);
    const dense = [
      '[' + 'a,'.repeat(5000) + 'a]\n',
      '{' + keys.join(',') + '}\n',
      '-\n'.repeat(5000),
      '- a\n'.repeat(5000),
      keys.map((k) => `${k}: a\n`).join(''),
      keys.map((k) => `? ${k}\n`).join(''),
      '- [[]]\n'.repeat(5000),
    ];
    for (const text of dense) {
      let nodes = 0;
      const options: JsYamlOptions = { listener: (event) => void (event === 'close' && nodes++) };
      loadAll(text, null, options);
      expect(nodes, text.slice(0, 20)).toBeGreaterThan(0);
      expect(nodes, text.slice(0, 20)).toBeLessThanOrEqual(text.length);
    }
  });
});

describe('reading time is linear in line length (issue 15)', () => {
  it('loads a ~4 MiB one-line JSON document within a generous bound (was quadratic: >400 s)', () => {
    const entries: string[] = [];
    for (let i = 0, length = 0; length < 4 * 1024 * 1024; i++) {
      const entry = `"k${i}":"${'v'.repeat(40)}"`;
      entries.push(entry);
      length += entry.length + 1;
    }
    const text = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{${entries.join(',')}}}\n`;
    const started = performance.now();
    const parsed = loadYamlDocuments(text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.documents[0]!.lineOf('/data/k5')).toBe(1);
    expect(Object.keys((parsed.documents[0]!.value as { data: object }).data)).toHaveLength(entries.length);
    // Today ~1-2 s on a shared 2-core runner; the quadratic scan took minutes.
    expect(performance.now() - started).toBeLessThan(30_000);
  }, 60_000);
});

describe('CustomResourceDefinition header shortcut', () => {
  const pod = (head: string, tail = '') => `apiVersion: v1\n${head}metadata:\n  name: p\nspec:\n  hostNetwork: true\n  containers: [{name: a, image: a}]\n${tail}`;

  it('is not triggered by a string value that contains the kind line', () => {
    const text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    note: "x\nkind: CustomResourceDefinition\n    y"\nspec:\n  hostNetwork: true\n`;
    expect(parseRenderedDocument(text).documents[0]!.value).toMatchObject({ kind: 'Pod', spec: { hostNetwork: true } });
  });

  it('is not taken when a key after spec (a duplicate kind) changes the object', () => {
    const text = pod('kind: CustomResourceDefinition\n', 'kind: Pod\n');
    expect(parseRenderedDocument(text).documents[0]!.value).toMatchObject({ kind: 'Pod', spec: { hostNetwork: true } });
  });

  it('is still taken for a real CustomResourceDefinition with a status', () => {
    const crd = 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: w.example.com\nspec:\n  group: example.com\nstatus:\n  acceptedNames: {}\n';
    expect(parseRenderedDocument(crd).documents[0]!.value).toEqual({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'w.example.com' } });
  });
});

describe('line breaks other than LF (go-yaml v2 breaks at CR, CR LF, NEL, LS and PS)', () => {
  const BREAKS = { CR: '\r', NEL: '\u0085', LS: '\u2028', PS: '\u2029' };

  for (const [name, brk] of Object.entries(BREAKS)) {
    it(`${name} ends a key in a flow mapping, on the fast path and the positional parser`, () => {
      const text = `spec:\n  securityContext: {allowPrivilegeEscalation: false,${brk}    privileged: true}\n`;
      for (const parse of [loadYamlDocuments, parseYamlDocuments]) {
        expect(parse(text)).toMatchObject({ problems: [], documents: [{ value: { spec: { securityContext: { allowPrivilegeEscalation: false, privileged: true } } } }] });
      }
    });

    it(`${name} starts a new block sequence entry and counts as a line, as go counts it`, () => {
      const text = `spec:\n  containers:\n  - name: app\n    image: nginx${brk}  - name: evil\n    securityContext:\n      privileged: true\n`;
      const [doc] = loadYamlDocuments(text).documents;
      expect(doc!.value).toEqual({ spec: { containers: [{ name: 'app', image: 'nginx' }, { name: 'evil', securityContext: { privileged: true } }] } });
      expect(doc!.lineOf('/spec/containers/1/securityContext/privileged')).toBe(7);
      expect(parseYamlDocuments(text).documents[0]!.lineOf('/spec/containers/1/securityContext/privileged')).toBe(7);
    });

    it(`${name} before --- hides the rest of the piece, as go-yaml decodes one document per \`---\` line`, () => {
      const text = `a: 1${brk}---${brk}kind: NetworkPolicy\n---\nb: 2\n`;
      for (const parse of [loadYamlDocuments, parseYamlDocuments]) {
        const parsed = parse(text);
        expect(parsed.problems).toEqual([]);
        expect(parsed.documents.map((d) => d.value)).toEqual([{ a: 1 }, { b: 2 }]);
        expect(parsed.documents[1]!.line).toBe(5);
      }
    });

    it(`${name} makes the CustomResourceDefinition header shortcut parse the whole object`, () => {
      const text = `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: w.example.com\nspec:\n  group: example.com${brk}apiVersion: v1${brk}kind: Pod${brk}metadata: {name: evil}${brk}spec: {hostNetwork: true}\n`;
      expect(parseRenderedDocument(text)).toMatchObject({ problems: [], documents: [{ value: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'evil' }, spec: { hostNetwork: true } } }] });
    });
  }

  it('a merge document (the positional parser) reads CR as a break as well', () => {
    const text = 'base: &b {x: 1}\nc:\n  <<: *b\n  allowPrivilegeEscalation: false\r  privileged: true\r';
    expect(loadYamlDocuments(text).documents[0]!.value).toEqual({ base: { x: 1 }, c: { x: 1, allowPrivilegeEscalation: false, privileged: true } });
  });

  it('CR LF stays one line break', () => {
    const parsed = loadYamlDocuments('a: 1\r\nb:\r\n  c: "x\r\n  y"\r\n---\r\nd: 2\r\n');
    expect(parsed.documents.map((d) => d.value)).toEqual([{ a: 1, b: { c: 'x y' } }, { d: 2 }]);
    expect(parsed.documents[0]!.lineOf('/b/c')).toBe(3);
    expect(parsed.documents[1]!.line).toBe(6);
  });
});

describe('document end markers and byte order marks (apimachinery splits at --- lines, go-yaml reads the first document)', () => {
  it('text after `...` without a `---` is not decoded', () => {
    for (const parse of [loadYamlDocuments, parseYamlDocuments]) {
      const parsed = parse('a: 1\n...\nkind: NetworkPolicy\n---\nb: 2\n');
      expect(parsed.problems).toEqual([]);
      expect(parsed.documents.map((d) => [d.value, d.line])).toEqual([[{ a: 1 }, 1], [{ b: 2 }, 5]]);
    }
  });

  it('a byte order mark at the start of a document is dropped, elsewhere it stays', () => {
    for (const parse of [loadYamlDocuments, parseYamlDocuments]) {
      expect(parse('a: 1\n...\n---\n\ufeffkind: Pod\n').documents.map((d) => d.value)).toEqual([{ a: 1 }, { kind: 'Pod' }]);
      expect(parse('a: 1\n\ufeffkind: Pod\n').documents.map((d) => d.value)).toEqual([{ a: 1, '\ufeffkind': 'Pod' }]);
    }
  });

  it('an explicit !!merge tag merges', () => {
    for (const parse of [loadYamlDocuments, parseYamlDocuments]) {
      expect(parse('b: &b {privileged: true}\nc:\n  !!merge <<: *b\n').documents[0]!.value).toEqual({ b: { privileged: true }, c: { privileged: true } });
    }
  });
});

describe('numbers as go-yaml v2 resolves them', () => {
  it('reads security fields written with underscores, prefixes and a leading dot as numbers', () => {
    const text = 'runAsUser: 0_0\nrunAsGroup: 0x0\nfsGroup: +0\nm: .1_0\nk: .1e999\n';
    for (const parse of [loadYamlDocuments, parseYamlDocuments]) {
      expect(parse(text).documents[0]!.value).toEqual({ runAsUser: 0, runAsGroup: 0, fsGroup: 0, m: 0.1, k: '.1e999' });
    }
  });
});

describe('lists as kubectl and helm flatten them (cli-runtime FlattenListVisitor, apimachinery unstructured decoding)', () => {
  const objectsOf = (text: string) => {
    const parsed = loadYamlDocuments(text);
    const result = objectsFromDocuments(parsed.documents, { source: { kind: 'manifest', file: 'f.yaml' }, linesAreSource: true, strict: true });
    return { ...result, problems: [...parsed.problems, ...result.problems] };
  };

  it('reads any object with an items list as a list, whatever its kind, and says where each item came from', () => {
    const { objects, problems } = objectsOf('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n    spec: {hostNetwork: true}\n');
    expect(problems).toEqual([]);
    expect(objects.map((o) => [o.ref.kind, o.ref.name, o.source.line, o.source.origin])).toEqual([['Pod', 'p', 5, 'list item /items/0 of document 1']]);
  });

  it('gives items without kind and apiVersion the list kind without List, and its apiVersion', () => {
    const { objects } = objectsOf('apiVersion: v1\nkind: PodList\nitems:\n  - metadata: {name: p}\n    spec: {hostPID: true}\n');
    expect(objects.map((o) => `${o.ref.apiVersion} ${o.ref.kind} ${o.ref.name}`)).toEqual(['v1 Pod p']);
  });

  it('creates nothing for items: null, and reports items that are not a list', () => {
    expect(objectsOf('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nitems: null\n')).toMatchObject({ objects: [], problems: [] });
    expect(objectsOf('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nitems: x\n').problems.map((p) => p.message)).toEqual([expect.stringContaining('`items` field that is not a list')]);
  });

  it('reports a list inside a list (kubectl rejects it) and still judges its items', () => {
    const { objects, problems } = objectsOf('apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: List\n    items:\n      - apiVersion: v1\n        kind: Pod\n        metadata: {name: deep}\n');
    expect(objects.map((o) => [o.ref.name, o.source.line])).toEqual([['deep', 7]]);
    expect(problems.map((p) => p.message)).toEqual([expect.stringContaining('list item /items/0 is itself a list')]);
  });
});
