// Parsing of helm's rendered output: the fast loader, and CustomResourceDefinitions by their header.
import { isObj } from '../k8s/values.ts';
import { hasOtherBreak } from './go-yaml-value.ts';
import { loadYamlDocuments, type ParsedYaml } from './yaml-docs.ts';

/** A line that may name the kind (a cheap pre-filter only: the parsed header decides). */
const CRD_KIND = /^kind:[ \t]*["']?CustomResourceDefinition["']?[ \t]*$/m;
const TOP_LEVEL_SPEC = /^spec:/m;
/** A line at column 0 that is not blank or a comment: a top-level key (or a continuation of a scalar). */
const TOP_LEVEL_LINE = /\n[^\s#]/g;

/**
 * CustomResourceDefinitions are often megabytes of schema that no rule reads: only their header
 * (apiVersion, kind, metadata) is parsed when it stands before `spec:`. The shortcut is taken only when
 * it cannot change the object: the header PARSES to a CustomResourceDefinition without a duplicate key
 * (a string value that contains `kind: CustomResourceDefinition` does not), and after `spec:` nothing
 * but `status:` starts at column 0 (a `kind: Pod` written after the schema would be the kind Kubernetes
 * keeps). Anything else is parsed whole.
 */
function crdHeader(text: string): string | undefined {
  // Lines are found by LF: a text with any other line break go-yaml v2 knows (CR, NEL, LS, PS: a key
  // after `\r` is a top-level key for helm and kubectl) is parsed whole.
  if (!CRD_KIND.test(text) || hasOtherBreak(text)) return undefined;
  const spec = TOP_LEVEL_SPEC.exec(text);
  if (!spec) return undefined;
  // One regular expression pass (a CRD's schema is megabytes; ~8 ms over the corpus's CRDs).
  TOP_LEVEL_LINE.lastIndex = spec.index;
  let seenStatus = false;
  for (let match = TOP_LEVEL_LINE.exec(text); match !== null; match = TOP_LEVEL_LINE.exec(text)) {
    if (!seenStatus && text.startsWith('status:', match.index + 1)) seenStatus = true;
    else return undefined;
  }
  return text.slice(0, spec.index);
}

export function parseRenderedDocument(text: string): ParsedYaml {
  const header = crdHeader(text);
  if (header !== undefined) {
    const parsed = loadYamlDocuments(header);
    const [doc, ...others] = parsed.documents;
    const value = doc?.value;
    if (parsed.problems.length === 0 && others.length === 0 && doc?.duplicates === undefined && isObj(value) && value.kind === 'CustomResourceDefinition' && isObj(value.metadata) && !Object.hasOwn(value, 'items')) {
      return parsed;
    }
  }
  return loadYamlDocuments(text);
}

/** V8 copies a substring shorter than this (SlicedString::kMinLength); a longer one points into its parent. */
const SLICE_MIN_LENGTH = 13;

/**
 * The string as a copy that shares no memory with the text it was read from. js-yaml returns scalars as
 * slices of the document's text, and V8 keeps a slice's whole parent alive: one long value kept after the
 * scan held the whole of helm's output for its render (on the corpus's default run, ~120 MB of stdout
 * held until the end of the scan; issue 18).
 */
export function detached(text: string): string {
  return text.length < SLICE_MIN_LENGTH ? text : (JSON.parse(JSON.stringify(text)) as string);
}

/**
 * Replaces, in place, every string of a parsed document with a detached copy (keys are already copies:
 * V8 interns property names), the same copy for equal strings when `strings` is given (a chart's value
 * sets and second renders repeat most of their text: one copy is kept for all). Values an alias shares
 * are visited once. Returns the value.
 */
export function detachStrings<T>(value: T, strings?: Map<string, string>, seen: Set<object> = new Set()): T {
  if (typeof value === 'string') {
    if (strings === undefined) return detached(value) as T;
    const known = strings.get(value);
    if (known !== undefined) return known as T;
    const copy = detached(value);
    strings.set(copy, copy);
    return copy as T;
  }
  if (value === null || typeof value !== 'object' || seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = detachStrings(value[i], strings, seen);
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    const copy = detachStrings(item, strings, seen);
    // An object is detached in place; a string copy is equal to the original (===) but must replace it.
    if (typeof item !== 'string' && copy === item) continue;
    // (An own `__proto__` key is a plain data key here, not the prototype.)
    Object.defineProperty(record, key, { value: copy, writable: true, enumerable: true, configurable: true });
  }
  return value;
}
