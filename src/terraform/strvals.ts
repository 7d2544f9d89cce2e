// The values a helm_release gives helm, built as the helm provider (3.x, resource_helm_release.go
// getValues) builds them: each `values` text read as YAML (sigs.k8s.io/yaml: the first document, a
// mapping) and deep-merged into the previous ones (mergeMaps: mappings merge, anything else replaces);
// then every `set` entry, every `set_list` entry and every `set_sensitive` entry, in that order, applied
// ONTO that map: `auto`/"" by strvals.ParseInto(name=value), `string` by ParseIntoString, `literal` as the
// YAML `name: value` stored under the top-level key `name`; set_list as ParseInto(name={v1,v2}).
// strvals is helm's --set parser (helm.sh/helm/v3/pkg/strvals, v3.18 as the provider 3.1 links it), ported rune for rune: unescaped commas
// start another assignment, `a[0].b=x` edits one element of an existing list, `True`/`NULL` are typed
// case-insensitively. A result that differs from the provider's would judge a release that is not applied.
import { isObj, type Obj } from '../k8s/values.ts';
import { parseYamlDocuments } from '../loaders/yaml-docs.ts';

/** helm's limits (strvals.MaxIndex, MaxNestedNameLevel). */
const MAX_INDEX = 65536;
const MAX_NESTED_NAME_LEVEL = 30;

export class StrvalsError extends Error {}

const EOF = Symbol('EOF');
const NOT_LIST = Symbol('not a list');
type Outcome = undefined | typeof EOF;

class Runes {
  private readonly runes: string[];
  private at = 0;
  constructor(text: string) {
    this.runes = Array.from(text);
  }
  read(): string | undefined {
    return this.at < this.runes.length ? this.runes[this.at++] : undefined;
  }
  unread(): void {
    this.at--;
  }
}

/** Runes up to one of `stop` (consumed), a backslash taking the next rune as it is; `last` undefined at the end. */
function runesUntil(sc: Runes, stop: string): { v: string; last: string | undefined } {
  let v = '';
  for (;;) {
    const r = sc.read();
    if (r === undefined) return { v, last: undefined };
    if (stop.includes(r)) return { v, last: r };
    if (r === '\\') {
      const next = sc.read();
      if (next === undefined) return { v, last: undefined };
      v += next;
    } else v += r;
  }
}

/** Go's strings.EqualFold against an ASCII lower-case word: `ſ` folds to `s`. */
function equalFold(value: string, word: string): boolean {
  return value.length === word.length && value.toLowerCase().replace(/\u017f/g, 's') === word;
}

/** strvals typedVal: booleans and null in any case, `0`, and integers that do not start with 0 (Go's ParseInt). */
export function typedVal(val: string, forceString: boolean): unknown {
  if (forceString) return val;
  if (equalFold(val, 'true')) return true;
  if (equalFold(val, 'false')) return false;
  if (equalFold(val, 'null')) return null;
  if (val === '0') return 0;
  if (val.length !== 0 && val[0] !== '0' && /^[+-]?\d+$/.test(val)) {
    const n = BigInt(val);
    // int64; the values file helm reads it from makes it a float64 like every number of a values file
    if (n >= -(2n ** 63n) && n < 2n ** 63n) return Number(n);
  }
  return val;
}

/** Go's strconv.Atoi (64-bit int). */
function atoi(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw new StrvalsError(`error parsing index: strconv.Atoi: parsing "${text}": invalid syntax`);
  const n = BigInt(text);
  if (n < -(2n ** 63n) || n >= 2n ** 63n) throw new StrvalsError(`error parsing index: strconv.Atoi: parsing "${text}": value out of range`);
  return Number(n);
}

/** Own keys only, and `__proto__` as a key like any other (Go maps have no prototype). */
function has(data: Obj, key: string): boolean {
  return Object.hasOwn(data, key);
}
function setKey(data: Obj, key: string, value: unknown): void {
  if (key.length === 0) return;
  Object.defineProperty(data, key, { value, enumerable: true, writable: true, configurable: true });
}

function setIndex(list: unknown[], index: number, value: unknown): unknown[] {
  if (index < 0) throw new StrvalsError(`negative ${index} index not allowed`);
  if (index > MAX_INDEX) throw new StrvalsError(`index of ${index} is greater than maximum supported index of ${MAX_INDEX}`);
  while (list.length <= index) list.push(null);
  list[index] = value;
  return list;
}

/** A Go type assertion that panics (helm recovers it as "unable to parse key"). */
function asList(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new StrvalsError(`unable to parse key: interface conversion: interface {} is ${goType(value)}, not []interface {}`);
  return value;
}
function asMap(value: unknown): Obj {
  if (!isObj(value)) throw new StrvalsError(`unable to parse key: interface conversion: interface {} is ${goType(value)}, not map[string]interface {}`);
  return value;
}
function goType(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (Array.isArray(value)) return '[]interface {}';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  return 'map[string]interface {}';
}

class Parser {
  constructor(
    private readonly sc: Runes,
    private readonly data: Obj,
    private readonly forceString: boolean,
  ) {}

  parse(): void {
    while (this.key(this.data, 0) !== EOF);
  }

  private reader(rs: string): unknown {
    return typedVal(rs, this.forceString);
  }

  private key(data: Obj, level: number): Outcome {
    const { v: k, last } = runesUntil(this.sc, '=[,.');
    if (last === undefined) {
      if (k.length === 0) return EOF;
      throw new StrvalsError(`key "${k}" has no value`);
    }
    if (last === '[') {
      const i = this.keyIndex();
      let list: unknown[] = [];
      if (has(data, k)) list = asList(data[k]);
      const { list: updated, outcome } = this.listItem(list, i, level);
      setKey(data, k, updated);
      return outcome;
    }
    if (last === '=') {
      const vl = this.valList();
      if (Array.isArray(vl)) {
        setKey(data, k, vl);
        return undefined;
      }
      if (vl === EOF) {
        setKey(data, k, '');
        return EOF;
      }
      setKey(data, k, this.reader(this.val()));
      return undefined;
    }
    if (last === ',') throw new StrvalsError(`key "${k}" has no value (cannot end with ,)`);
    // '.'
    level++;
    if (level > MAX_NESTED_NAME_LEVEL) throw new StrvalsError(`value name nested level is greater than maximum supported nested level of ${MAX_NESTED_NAME_LEVEL}`);
    let inner: Obj = {};
    if (has(data, k)) inner = asMap(data[k]);
    const outcome = this.key(inner, level);
    if (outcome === undefined && Object.keys(inner).length === 0) throw new StrvalsError(`key map "${k}" has no value`);
    if (Object.keys(inner).length !== 0) setKey(data, k, inner);
    return outcome;
  }

  private keyIndex(): number {
    const { v, last } = runesUntil(this.sc, ']');
    // helm 3.18 wraps io.EOF here and compares errors with ==: an index cut short (`a[1`) is an error
    if (last === undefined) throw new StrvalsError('error parsing index: EOF');
    return atoi(v);
  }

  private listItem(list: unknown[], i: number, level: number, depth = 0): { list: unknown[]; outcome: Outcome } {
    if (i < 0) throw new StrvalsError(`negative ${i} index not allowed`);
    // helm recurses without a bound; here a name of 20,000 `[0]` would overflow the stack and end the scan.
    if (depth > MAX_NESTED_NAME_LEVEL) throw new StrvalsError(`list indexes nested more than ${MAX_NESTED_NAME_LEVEL} deep (preadmit's bound; helm's parser has none)`);
    const { v: k, last } = runesUntil(this.sc, '[.=');
    if (k.length > 0) throw new StrvalsError(`unexpected data at end of array index: "${k}"`);
    if (last === undefined) return { list, outcome: EOF };
    if (last === '=') {
      const vl = this.valList();
      if (Array.isArray(vl)) return { list: setIndex(list, i, vl), outcome: undefined };
      if (vl === EOF) return { list: setIndex(list, i, ''), outcome: undefined };
      return { list: setIndex(list, i, this.reader(this.val())), outcome: undefined };
    }
    if (last === '[') {
      const next = this.keyIndex();
      let current: unknown[] = [];
      if (list.length > i && list[i] !== null && list[i] !== undefined) current = asList(list[i]);
      const nested = this.listItem(current, next, level, depth + 1);
      if (nested.outcome === EOF) return { list, outcome: EOF };
      return { list: setIndex(list, i, nested.list), outcome: undefined };
    }
    // '.': a mapping in the list (one that is not a mapping yet is replaced by an empty one)
    let inner: Obj = {};
    if (list.length > i) {
      if (!isObj(list[i])) list[i] = {};
      inner = list[i] as Obj;
    }
    const outcome = this.key(inner, level);
    if (outcome === EOF) return { list, outcome: EOF };
    return { list: setIndex(list, i, inner), outcome: undefined };
  }

  private val(): string {
    return runesUntil(this.sc, ',').v;
  }

  /** `{a,b}`: a list; NOT_LIST (nothing consumed) otherwise; EOF at the end. */
  private valList(): unknown[] | typeof EOF | typeof NOT_LIST {
    const r = this.sc.read();
    if (r === undefined) return EOF;
    if (r !== '{') {
      this.sc.unread();
      return NOT_LIST;
    }
    const list: unknown[] = [];
    for (;;) {
      const { v, last } = runesUntil(this.sc, ',}');
      if (last === undefined) throw new StrvalsError("list must terminate with '}'");
      if (last === '}') {
        const next = this.sc.read();
        if (next !== undefined && next !== ',') this.sc.unread();
        list.push(this.reader(v));
        return list;
      }
      list.push(this.reader(v));
    }
  }
}

/** strvals.ParseInto (forceString: ParseIntoString): merges `name=value,...` into `dest`. */
export function parseInto(line: string, dest: Obj, forceString = false): void {
  new Parser(new Runes(line), dest, forceString).parse();
}

/** The provider's mergeMaps: mappings merge key by key, any other value replaces. */
export function mergeMaps(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const existing = has(out, key) ? out[key] : undefined;
    setKey(out, key, isObj(value) && isObj(existing) ? mergeMaps(existing, value) : value);
  }
  return out;
}

export interface SetEntry {
  /** Which attribute the entry is from: the provider applies all of `set`, then `set_list`, then `set_sensitive`. */
  attribute: 'set' | 'set_string' | 'set_list' | 'set_sensitive';
  index: number;
  name: string;
  /** null for a known null value (the provider reads it as ""). */
  value: string | null | (string | null)[];
  type?: string;
  /** The value is marked sensitive: an error about it names the entry, never what the parser read of it. */
  sensitive?: boolean;
}

const ATTRIBUTE_ORDER = { set: 0, set_string: 1, set_list: 2, set_sensitive: 3 } as const;

/**
 * The values the provider hands helm for these `values` texts and set entries. Throws StrvalsError (with
 * the attribute and index) where the provider fails the plan or apply. Messages never quote a value.
 */
export function providerValues(texts: readonly string[], entries: readonly SetEntry[]): Obj {
  let base: Obj = {};
  texts.forEach((text, i) => {
    if (text === '') return;
    const parsed = parseYamlDocuments(text);
    if (parsed.problems.length > 0) throw new StrvalsError(`values[${i}] is not valid YAML${parsed.problems[0]!.line ? ` (line ${parsed.problems[0]!.line})` : ''}`);
    const doc = parsed.documents[0]?.value ?? null;
    if (doc === null) return;
    if (!isObj(doc)) throw new StrvalsError(`values[${i}] is not a YAML mapping`);
    base = mergeMaps(base, doc);
  });
  const ordered = [...entries].sort((a, b) => ATTRIBUTE_ORDER[a.attribute] - ATTRIBUTE_ORDER[b.attribute]);
  for (const entry of ordered) {
    const where = `${entry.attribute}[${entry.index}] "${entry.name.length > 120 ? `${entry.name.slice(0, 120)}...` : entry.name}"`;
    try {
      if (entry.attribute === 'set_list') {
        // getListValue: null elements dropped, the rest joined with commas (a comma in an element splits it)
        const list = (Array.isArray(entry.value) ? entry.value : []).filter((v): v is string => v !== null);
        parseInto(`${entry.name}={${list.join(',')}}`, base);
        continue;
      }
      const value = typeof entry.value === 'string' ? entry.value : '';
      const type = entry.attribute === 'set_string' ? 'string' : (entry.type ?? '');
      if (type === '' || type === 'auto') parseInto(`${entry.name}=${value}`, base);
      else if (type === 'string') parseInto(`${entry.name}=${value}`, base, true);
      else if (type === 'literal') setKey(base, entry.name, literal(entry.name, value));
      else throw new StrvalsError(`Unexpected type: ${type}`);
    } catch (error) {
      // The parser's messages quote keys, which after a comma come from the value (`set_sensitive` "Hu7,xq9").
      if (error instanceof StrvalsError) throw new StrvalsError(entry.sensitive === true ? `${where}: helm's --set parser refuses its sensitive value (not shown)` : `${where}: ${error.message}`);
      throw error;
    }
  }
  return base;
}

/** `type = "literal"`: the provider reads `name: value` as YAML and keeps what is under `name`. */
function literal(name: string, value: string): unknown {
  const parsed = parseYamlDocuments(`${name}: ${value}`);
  if (parsed.problems.length > 0) throw new StrvalsError('the literal value is not valid YAML');
  const doc = parsed.documents[0]?.value ?? null;
  return isObj(doc) ? (has(doc, name) ? doc[name] : null) : doc;
}
