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
