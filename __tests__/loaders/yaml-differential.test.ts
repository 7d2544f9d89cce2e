// Differential test: preadmit's YAML decoding against Kubernetes' own (sigs.k8s.io/yaml v1.6.0 over
// go.yaml.in/yaml/v2 v2.4.2, documents split by apimachinery v0.34's YAML reader), whose output for each
// input is committed next to it (scripts/yaml-oracle generates it; no Go is needed here).
// A document the Go decoder rejects must not be read by preadmit as a value that differs from nothing:
// preadmit reports a problem for it, or (where listed in KNOWN_DIFFERENCES, with the reason) reads it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadYamlDocuments, parseYamlDocuments, type ParsedYaml } from '../../src/loaders/yaml-docs.ts';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/yaml-differential');
const inputs = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

/**
 * Inputs where preadmit knowingly reads differently from the Go decoder, and why that is acceptable.
 * Every entry must still differ (a fixed one is removed from this list by the test).
 */
const KNOWN_DIFFERENCES: Record<string, string> = {
  // apimachinery's YAML reader splits at `---` only, so `%YAML 1.1` is a document of its own that the
  // decoder rejects (kubectl apply fails); preadmit reads the directive as YAML does and judges the
  // document after it. Judging an object Kubernetes refuses errs on the safe side.
  'directive-yaml11': 'a %YAML directive: kubectl fails, preadmit judges the document',
  // `--- b: 2`: apimachinery's reader refuses content after a separator (the whole stream fails);
  // preadmit reads it as YAML does (a document `b: 2`) and judges it: the safe side again.
  'separator-with-content': 'content after ---: kubectl fails, preadmit judges both documents',
  // go-yaml limits an implicit key to 1024 characters and rejects the document; js-yaml (the fast path)
  // reads it. Finding that limit needs a scan of every line's key length, not worth it for a document
  // Kubernetes refuses (it is judged, the safe side); the positional parser rejects it as Go does.
  // A null or collection key (`~: a`, `[1, 2]: a`): the Go decoder rejects the document, js-yaml makes a
  // string key of it ("null", "1,2"). Looking for such keys in every document cost more than a tenth of
  // the corpus's parse time; the document is judged (the safe side), the positional parser rejects it.
  'fast path/key-null': 'a null key: kubectl fails, the fast path judges the document',
  'fast path/key-sequence': 'a sequence as key: kubectl fails, the fast path judges the document',
  'fast path/long-key': 'an implicit key over 1024 characters: kubectl fails, the fast path judges the document',
  // go-yaml v2 breaks lines at LS and PS (preadmit too: the structure is the same) but keeps the character
  // itself in a scalar's text where a LF would fold into a space: `"x<LS>y"` is "x\u2028y" for go, "x y"
  // for preadmit. Only the text of a multi-line scalar differs (a folded scalar always holds a break or a
  // space, so it never resolves to a bool or a number on either side).
  'linebreak-dq-ls': 'LS in a quoted scalar: go keeps the character, preadmit reads a folded space',
  'linebreak-ls-in-double-quotes': 'LS in a quoted scalar: go keeps the character, preadmit reads a folded space',
  'linebreak-plain-ls': 'LS in a plain scalar: go keeps the character, preadmit reads a folded space',
  // The `yaml` package (the positional parser) ends a flow collection or a quoted scalar at a line that
  // starts at column 0 inside a block mapping; go-yaml reads on. The document is reported as not valid
  // YAML (never read as another value); the fast path, which most documents take, agrees with go.
  'positional parser/linebreak-comment-ls-in-flow': 'a flow mapping continued at column 0: an error for the positional parser',
  'positional parser/linebreak-flow-cr': 'a flow mapping continued at column 0: an error for the positional parser',
  'positional parser/linebreak-flow-ls': 'a flow mapping continued at column 0: an error for the positional parser',
  'positional parser/linebreak-flow-nel': 'a flow mapping continued at column 0: an error for the positional parser',
  'positional parser/linebreak-flow-ps': 'a flow mapping continued at column 0: an error for the positional parser',
  'positional parser/linebreak-flowseq-ls': 'a flow sequence continued at column 0: an error for the positional parser',
  'positional parser/linebreak-dq-cr': 'a quoted scalar continued at column 0: an error for the positional parser',
  'positional parser/linebreak-dq-nel': 'a quoted scalar continued at column 0: an error for the positional parser',
};

interface Expected {
  value?: unknown;
  error?: string;
}

/** The decoded value in JSON terms (what the Go side printed): -0 is 0, object key order is irrelevant. */
function normal(value: unknown): unknown {
  if (typeof value === 'number') return Object.is(value, -0) ? 0 : value;
  if (Array.isArray(value)) return value.map(normal);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normal(v)]).sort(([a], [b]) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0)));
  }
  return value;
}

/** preadmit's reading of a text, in the oracle's terms: one entry per document, a value or an error. */
function preadmitReading(text: string, parse: (text: string) => ParsedYaml): Expected[] {
  const parsed = parse(text);
  const entries: { index: number; entry: Expected }[] = [];
  for (const doc of parsed.documents) if (doc.value !== null) entries.push({ index: doc.index, entry: { value: normal(doc.value) } });
  for (const problem of parsed.problems) entries.push({ index: problem.index, entry: { error: problem.message } });
  return entries.sort((a, b) => a.index - b.index).map((e) => e.entry);
}

/** Whether preadmit's reading agrees: equal values, and an error wherever Go has one (messages differ). */
function agrees(actual: Expected[], expected: Expected[]): boolean {
  if (actual.length !== expected.length) return false;
  return expected.every((e, i) => {
    const a = actual[i]!;
    if (e.error !== undefined) return a.error !== undefined;
    if (a.error !== undefined) return false;
    return JSON.stringify(a.value) === JSON.stringify(normal(e.value));
  });
}

describe('YAML differential corpus (expected decoding from the Go decoder)', () => {
  it('has an expectation for every input and an input for every expectation', () => {
    const expectations = readdirSync(dir).filter((f) => f.endsWith('.expected.json')).map((f) => f.replace(/\.expected\.json$/, '.yaml')).sort();
    expect(expectations).toEqual(inputs);
    expect(inputs.length).toBeGreaterThan(40);
    for (const name of Object.keys(KNOWN_DIFFERENCES)) expect(inputs).toContain(`${name.replace(/^.*\//, '')}.yaml`);
  });

  for (const [label, parse] of [['fast path', loadYamlDocuments], ['positional parser', parseYamlDocuments]] as const) {
    describe(label, () => {
      for (const input of inputs) {
        const name = input.replace(/\.yaml$/, '');
        const known = KNOWN_DIFFERENCES[`${label}/${name}`] ?? KNOWN_DIFFERENCES[name];
        it(`${name}${known ? ' (known difference)' : ''}`, () => {
          const text = readFileSync(path.join(dir, input), 'utf8');
          const expected = JSON.parse(readFileSync(path.join(dir, `${name}.expected.json`), 'utf8')) as Expected[];
          const actual = preadmitReading(text, parse);
          if (known !== undefined) {
            expect(agrees(actual, expected), `${name} now agrees: remove it from KNOWN_DIFFERENCES`).toBe(false);
            return;
          }
          if (!agrees(actual, expected)) expect(actual).toEqual(expected.map((e) => (e.error !== undefined ? { error: e.error } : { value: normal(e.value) })));
        });
      }
    });
  }
});
