// Broken and hostile manifests: every one is an error naming its file (and line), nothing crashes, nothing
// is quoted from the source, and the other files of the scan are still scanned.
import { readdirSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScannedObject } from '../../src/model/model.ts';
import { scan } from '../../src/pipeline/scan.ts';
import { loadYamlDocuments, outsideYamlBudget, parseYamlDocuments, runWithYamlBudget, YAML_LIMITS, YamlBudget } from '../../src/loaders/yaml-docs.ts';
import {
  billionLaughs,
  corpusDir,
  deepBlockNesting,
  deepFlowNesting,
  fromCorpus,
  nodeFlood,
  nonUtf8Bytes,
  oversizedFile,
  PRIVILEGED_POD,
  utf16Manifest,
  workspace,
} from './helpers.ts';

const manifests = path.join(corpusDir, 'manifests');

/** Corpus manifests that are broken: the error each one must produce (and where). */
const BROKEN: Record<string, { line: number; message: RegExp; keepsObject?: boolean }> = {
  'yaml-syntax-error.yaml': { line: 8, message: /Flow sequence .* end with a \]/ },
  'yaml-tab-indentation.yaml': { line: 4, message: /Tabs are not allowed/ },
  'yaml-billion-laughs.yaml': { line: 2, message: /aliases expand the document more than/ },
  'yaml-recursive-alias.yaml': { line: 2, message: /alias refers to its own anchor/ },
  'yaml-merge-key-bomb.yaml': { line: 2, message: /aliases expand the document more than/ },
  'yaml-deep-flow-nesting.yaml': { line: 7, message: /nested deeper than 200 levels/ },
  'yaml-nul-byte.yaml': { line: 7, message: /line 7 has a NUL character/, keepsObject: true },
  'yaml-unclosed-quote-in-secret.yaml': { line: 9, message: /Missing closing "quote/ },
  'yaml-invalid-escape-in-secret.yaml': { line: 7, message: /^Invalid escape sequence …$/ },
  'yaml-scalar-document.yaml': { line: 2, message: /document 1 is a string, not a Kubernetes object/ },
  'yaml-list-document.yaml': { line: 2, message: /document 1 is a list, not a Kubernetes object/ },
  'object-spec-string.yaml': { line: 5, message: /^Pod spec-string: spec is a string, not a mapping; the API server would reject/, keepsObject: true },
  'object-containers-strings.yaml': { line: 10, message: /containers\[0\] is a string, not a mapping \(and 1 more field/, keepsObject: true },
  'object-metadata-number.yaml': { line: 1, message: /metadata that is not a mapping/ },
  'object-kind-number.yaml': { line: 1, message: /no apiVersion and kind strings/ },
  'object-list-items-scalars.yaml': { line: 4, message: /list item \/items\/0 is not a Kubernetes object/ },
  'object-securitycontext-list.yaml': { line: 9, message: /securityContext is a list, not a mapping/, keepsObject: true },
  'object-privileged-string.yaml': { line: 11, message: /privileged is a string, not a boolean/, keepsObject: true },
  'object-rbac-rules-string.yaml': { line: 5, message: /^ClusterRole rules-string: rules is a string, not a list/, keepsObject: true },
  'json-truncated.json': { line: 1, message: /Flow map .* end with a \}/ },
};

describe('the committed hostile manifests', () => {
  it('are all accounted for: each broken one below, each valid one in its own test', () => {
    const valid = ['yaml-bom-crlf.yaml', 'object-numbers-as-go-yaml-reads-them.yaml', 'object-prototype-keys.yaml', 'yaml-duplicate-keys.yaml', 'json-duplicate-keys.json', 'yaml-non-utf8-latin1.yaml', 'yaml-utf16le-bom.yaml'];
    expect(readdirSync(manifests).sort()).toEqual([...Object.keys(BROKEN), ...valid].sort());
  });

  it.each(Object.entries(BROKEN))('%s: one error naming the file and line, and the scan goes on', async (name, expected) => {
    const dir = workspace();
    const file = fromCorpus('manifests', name, dir);
    writeFileSync(path.join(dir, 'good.yaml'), PRIVILEGED_POD);
    const result = await scan({ paths: [file, path.join(dir, 'good.yaml')] });
    expect(result.errors).toHaveLength(1);
    const error = result.errors[0]!;
    expect(error).toMatchObject({ kind: 'parse', file: expect.stringMatching(new RegExp(`${name.replace('.', '\\.')}$`)), line: expected.line });
    expect(error.message).toMatch(expected.message);
    // the good file is scanned all the same, and the run fails because of the error
    expect(result.findings.some((f) => f.ruleId === 'pss-privileged' && f.source.file.endsWith('good.yaml'))).toBe(true);
    expect(result.objects.filter((o) => o.source.file.endsWith(name))).toHaveLength(expected.keepsObject ? 1 : 0);
    expect(result.summary.verdict).toBe('fail');
  });

  it('quotes nothing of a secret from the source in a YAML error', async () => {
    for (const name of ['yaml-unclosed-quote-in-secret.yaml', 'yaml-invalid-escape-in-secret.yaml']) {
      const result = await scan({ paths: [path.join(manifests, name)] });
      const text = JSON.stringify(result);
      expect(text).not.toMatch(/Hunter2|Secret-Value|\\\\q/);
    }
  });

  it('reads duplicate keys as Kubernetes does (the last wins): the object is judged with it and the duplicate reported', async () => {
    const result = await scan({ paths: [path.join(manifests, 'yaml-duplicate-keys.yaml'), path.join(manifests, 'json-duplicate-keys.json')] });
    expect(result.errors).toEqual([]);
    const yaml = result.findings.filter((f) => f.source.file.endsWith('yaml-duplicate-keys.yaml')).map((f) => `${f.ruleId} ${f.severity} ${f.path}`);
    expect(yaml).toContain('yaml-duplicate-key high /spec/containers/0/securityContext/privileged');
    expect(yaml).toContain('pss-privileged critical /spec/containers/0/securityContext/privileged');
    expect(result.findings.some((f) => f.ruleId === 'yaml-duplicate-key' && f.source.file.endsWith('json-duplicate-keys.json'))).toBe(true);
  });

  it('loads a file with a byte-order mark and CRLF line endings, with correct lines', async () => {
    const result = await scan({ paths: [path.join(manifests, 'yaml-bom-crlf.yaml')] });
    expect(result.errors).toEqual([]);
    expect(result.findings.find((f) => f.ruleId === 'pss-privileged')?.source.line).toBe(11);
  });

  it('reads a UTF-16 file with a byte order mark, and bytes that are not UTF-8, as kubectl does (unicode.BOMOverride)', async () => {
    let objects: readonly ScannedObject[] = [];
    const result = await scan({ paths: [path.join(manifests, 'yaml-utf16le-bom.yaml'), path.join(manifests, 'yaml-non-utf8-latin1.yaml')], onObjects: (o) => (objects = o) });
    expect(result.errors).toEqual([]);
    const found = result.findings.filter((f) => f.ruleId === 'pss-privileged').map((f) => `${path.basename(f.source.file)} ${f.path}`);
    expect(found.sort()).toEqual(['yaml-non-utf8-latin1.yaml /spec/containers/0/securityContext/privileged', 'yaml-utf16le-bom.yaml /spec/containers/0/securityContext/privileged']);
    // kubectl sends the Latin-1 byte as U+FFFD (valid UTF-8 the API server decodes): preadmit reads the same.
    const latin1 = objects.find((o) => o.source.file.endsWith('yaml-non-utf8-latin1.yaml'))!;
    expect((latin1.raw as { spec: { containers: { name: string }[] } }).spec.containers[0]!.name).toBe('caf\ufffd');
  });

  it('reads numbers as the API server does: runAsUser 0e0 is root and hostPort 8e1 is port 80', async () => {
    const result = await scan({ paths: [path.join(manifests, 'object-numbers-as-go-yaml-reads-them.yaml')] });
    expect(result.errors).toEqual([]);
    const ids = result.findings.map((f) => `${f.ruleId} ${f.path}`);
    expect(ids).toContain('pss-host-ports /spec/containers/0/ports/0/hostPort');
    expect(ids).toContain('pss-run-as-user /spec/securityContext/runAsUser');
    expect(ids).toContain('pss-run-as-user /spec/containers/0/securityContext/runAsUser');
  });

  it('reads __proto__ and constructor as plain keys: no prototype pollution, no crash', async () => {
    const result = await scan({ paths: [path.join(manifests, 'object-prototype-keys.yaml')] });
    expect(result.errors).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).privileged).toBeUndefined();
    expect(({} as Record<string, unknown>).hostNetwork).toBeUndefined();
    // `__proto__` is not `securityContext.privileged`, nor is `constructor.prototype`
    expect(result.findings.map((f) => f.ruleId)).not.toContain('pss-privileged');
  });

  it('in a walked directory, ignores YAML that is not a Kubernetes object but reports what looks like one', async () => {
    const dir = workspace();
    for (const name of readdirSync(manifests)) fromCorpus('manifests', name, dir);
    const result = await scan({ paths: [dir] });
    const files = new Set(result.errors.map((e) => path.basename(e.file)));
    // a scalar document is other YAML when nobody named the file; a list of objects kubectl fails on is not
    const expected = Object.keys(BROKEN).filter((n) => n !== 'yaml-scalar-document.yaml');
    expect([...files].sort()).toEqual(expected.sort());
    expect(result.errors).toHaveLength(expected.length);
    expect(result.errors.find((e) => e.file.endsWith('yaml-list-document.yaml'))?.message).toBe('document 1 is a list, not a Kubernetes object: kubectl apply fails on it');
  });
});

describe('generated hostile manifests', () => {
  const cases: [string, () => string | Buffer, RegExp, boolean][] = [
    ['node-flood.yaml', () => nodeFlood(3), /more than 500,000 YAML nodes/, false],
    ['deep-flow-nesting.yaml', () => deepFlowNesting(20_000), /nested deeper than 200 levels/, false],
    ['deep-block-nesting.yaml', () => deepBlockNesting(1_000), /nested deeper than 200 levels/, false],
    ['billion-laughs.yaml', billionLaughs, /aliases expand the document more than/, false],
  ];

  it.each(cases)('%s: an error, in bounded time and memory', async (name, make, message, keepsObject) => {
    const dir = workspace();
    writeFileSync(path.join(dir, name), make());
    const before = process.memoryUsage().rss;
    const started = performance.now();
    const result = await scan({ paths: [path.join(dir, name)] });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(process.memoryUsage().rss - before).toBeLessThan(1024 * 1024 * 1024);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.message).toMatch(message);
    expect(result.objects).toHaveLength(keepsObject ? 1 : 0);
  });

  it('reads bytes that are not UTF-8 as U+FFFD, one per byte as Go does, and UTF-16 with a byte order mark, without an error', async () => {
    const dir = workspace();
    writeFileSync(path.join(dir, 'non-utf8-bytes.yaml'), nonUtf8Bytes());
    writeFileSync(path.join(dir, 'utf16-manifest.yaml'), utf16Manifest());
    let objects: readonly ScannedObject[] = [];
    const result = await scan({ paths: [dir], onObjects: (o) => (objects = o) });
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f) => f.ruleId === 'pss-privileged').map((f) => `${path.basename(f.source.file)} ${f.path}`).sort()).toEqual([
      'non-utf8-bytes.yaml /spec/containers/0/securityContext/privileged',
      'utf16-manifest.yaml /spec/containers/0/securityContext/privileged',
    ]);
    const names = objects.map((o) => (o.raw as { spec: { containers: { name: string }[] } }).spec.containers[0]!.name).sort();
    expect(names).toEqual(['app', 'caf\ufffd\ufffd']);
  });

  it('refuses UTF-16 without a byte order mark, which kubectl reads as UTF-8 and fails on', async () => {
    const dir = workspace();
    writeFileSync(path.join(dir, 'utf16-no-bom.yaml'), utf16Manifest().subarray(2));
    const result = await scan({ paths: [path.join(dir, 'utf16-no-bom.yaml')] });
    expect(result.errors).toEqual([expect.objectContaining({ kind: 'parse', line: 1, message: expect.stringMatching(/UTF-16 encoded without a byte order mark: kubectl reads it as UTF-8 and fails/) })]);
    expect(result.objects).toEqual([]);
  });

  it('refuses a file over 64 MiB from its size, without reading it', async () => {
    const dir = workspace();
    const file = oversizedFile(dir);
    writeFileSync(path.join(dir, 'good.yaml'), PRIVILEGED_POD);
    for (const paths of [[dir], [file, path.join(dir, 'good.yaml')]]) {
      const result = await scan({ paths });
      expect(result.errors).toEqual([expect.objectContaining({ kind: 'read', file: expect.stringMatching(/oversized-file\.yaml$/), message: expect.stringMatching(/65\.0 MiB, larger than the 64 MiB/) })]);
      expect(result.findings.some((f) => f.ruleId === 'pss-privileged')).toBe(true);
    }
  });

  it('refuses a 500 MB Terraform plan from its size with a message, instead of running out of memory', async () => {
    const dir = workspace();
    const plan = path.join(dir, 'plan.json');
    writeFileSync(plan, '{"format_version":"1.2","terraform_version":"1.9.0","planned_values":{');
    truncateSync(plan, 500 * 1024 * 1024);
    writeFileSync(path.join(dir, 'good.yaml'), PRIVILEGED_POD);
    const result = await scan({ paths: [dir] });
    expect(result.errors).toEqual([expect.objectContaining({ kind: 'read', file: expect.stringMatching(/plan\.json$/), message: expect.stringMatching(/500\.0 MiB, larger than the 64 MiB/) })]);
    expect(result.findings.some((f) => f.ruleId === 'pss-privileged')).toBe(true);
  });

  it('gives the same result for the same input, whatever the stack depth of the caller', () => {
    const text = deepFlowNesting(3_000);
    const shallow = JSON.stringify(loadYamlDocuments(text).problems);
    const recurse = (n: number): string => (n === 0 ? JSON.stringify(loadYamlDocuments(text).problems) : recurse(n - 1));
    expect(recurse(5_000)).toBe(shallow);
    expect(JSON.stringify(parseYamlDocuments(text).problems)).toBe(shallow);
  });

  it('shares one node budget across everything parsed inside a budget, across awaits', async () => {
    const doc = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {x: [${'1,'.repeat(400)}1]}\n`;
    const budget = new YamlBudget(1_000);
    const results = await runWithYamlBudget(budget, async () => {
      const out = [];
      for (let i = 0; i < 4; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        out.push(loadYamlDocuments(doc));
      }
      return out;
    });
    expect(results.map((r) => r.documents.length)).toEqual([1, 1, 1, 0]);
    expect(results[3]!.problems[0]!.message).toMatch(/this scan already parsed 1,000 YAML nodes, its limit for node's heap \(split the scan over shards with --shard, give node a larger heap with NODE_OPTIONS=--max-old-space-size=MIB/);
    // outside of it, no budget applies
    expect(loadYamlDocuments(doc).documents).toHaveLength(1);
    // text parsed and let go at once (provenance's trial renders) spends none of it
    const fresh = new YamlBudget(1_000);
    const transient = await runWithYamlBudget(fresh, async () => Array.from({ length: 4 }, () => outsideYamlBudget(() => loadYamlDocuments(doc))));
    expect(transient.map((r) => r.documents.length)).toEqual([1, 1, 1, 1]);
    expect(fresh.used).toBe(0);
    expect(YamlBudget.forHeap(2 * 1024 ** 3).maxNodes).toBe(Math.floor(2 * 1024 ** 3 / 800));
  });

  it('has limits that leave room for the largest real documents', () => {
    expect(YAML_LIMITS.maxDocumentNodes).toBeGreaterThanOrEqual(10 * 46_504); // largest corpus document, estimated
    expect(YAML_LIMITS.maxDepth).toBeGreaterThanOrEqual(5 * 37); // deepest corpus document
  });
});
