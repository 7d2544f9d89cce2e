// `kubernetes_manifest` (the `manifest` attribute is the object, in API form) and `kubectl_manifest`
// (`yaml_body`, a sensitive YAML text; the provider applies its first document only).
import { tokens } from '../model/pointer.ts';
import { isObj, str, type Obj } from '../k8s/values.ts';
import { parseYamlDocuments } from '../loaders/yaml-docs.ts';
import { child, markedPointers, redactSecretPayload, sensitiveStrings } from './marks.ts';

/** Where a pointer into a converted object comes from in the resource: an attribute path, and a place in its YAML. */
export interface AttributeRef {
  path: (string | number)[];
  yaml?: { document: number; pointer: string };
}

export interface ObjectDraft {
  raw: Obj;
  unknown: string[];
  attributeOf(pointer: string): AttributeRef;
  /** Namespace of a namespaced object that names none; undefined when it is unknown. */
  defaultNamespace?: string;
  /** Index of the YAML document (kubectl_manifest). */
  document?: number;
  /** Strings marked sensitive: judged as they are, never printed. */
  sensitive?: string[];
}

export interface Drafted {
  drafts: ObjectDraft[];
  problems: string[];
  /** The whole manifest is unknown until apply (or cannot be read): stands for the resource as a pseudo-object. */
  wholeUnknown?: string;
}

/** Pointer steps with array indexes as numbers, following the value. */
export function steps(root: unknown, pointer: string): (string | number)[] {
  const out: (string | number)[] = [];
  let node = root;
  for (const step of tokens(pointer)) {
    if (Array.isArray(node)) {
      out.push(Number(step));
      node = node[Number(step)];
    } else if (!isObj(node) && /^\d+$/.test(step)) {
      // past the end of the value: a number is a list index, as in every planned value
      out.push(Number(step));
      node = undefined;
    } else {
      out.push(step);
      node = isObj(node) ? node[step] : undefined;
    }
  }
  return out;
}

function namespaceDefault(unknown: readonly string[]): string | undefined {
  return unknown.some((u) => u === '/metadata' || u === '/metadata/namespace') ? undefined : 'default';
}

export function fromKubernetesManifest(after: Obj, afterUnknown: unknown, afterSensitive: unknown): Drafted {
  // Prefer `manifest` (as written); `object` (the provider's prediction) only when manifest is not there.
  for (const attribute of ['manifest', 'object'] as const) {
    const value = after[attribute];
    const unknownMark = child(afterUnknown, attribute);
    if (!isObj(value) || unknownMark === true) continue;
    const unknown = markedPointers(unknownMark);
    if (unknown.includes('/apiVersion') || unknown.includes('/kind')) continue;
    // Sensitive parts are applied as planned, so they are judged as planned (and kept out of reports).
    const raw = redactSecretPayload(value);
    const draft: ObjectDraft = { raw, unknown, attributeOf: (pointer) => ({ path: [attribute, ...steps(raw, pointer)] }) };
    const sensitive = sensitiveStrings(value, child(afterSensitive, attribute));
    if (sensitive.size > 0) draft.sensitive = [...sensitive];
    const ns = namespaceDefault(unknown);
    if (ns !== undefined) draft.defaultNamespace = ns;
    return { drafts: [draft], problems: [] };
  }
  return { drafts: [], problems: [], wholeUnknown: 'the manifest' };
}

/**
 * The strings under `sensitive_fields` (dot paths through mappings, as the provider's
 * unstructured.NestedFieldNoCopy reads them). The provider only hides them from display
 * (yaml_body_parsed); the body is applied as written, so they are judged and kept out of reports.
 */
function sensitiveFieldStrings(raw: Obj, fields: unknown): string[] {
  const out = new Set<string>();
  for (const field of Array.isArray(fields) ? fields : []) {
    if (typeof field !== 'string' || field === '') continue;
    let node: unknown = raw;
    for (const key of field.split('.')) node = isObj(node) && Object.hasOwn(node, key) ? node[key] : undefined;
    if (node !== undefined) sensitiveStrings(node, true, out);
  }
  return [...out];
}

/**
 * kubectl_manifest: the first document of yaml_body is the object. Both kubectl providers decode
 * yaml_body with gopkg.in/yaml.v2 Unmarshal, which reads the first document only: later ones are never
 * applied (counted in `ignored`, not judged). yaml_body itself is never put in a message.
 */
export function fromKubectlManifest(after: Obj, afterUnknown: unknown): Drafted & { ignored?: number[] } {
  const text = typeof after.yaml_body === 'string' && child(afterUnknown, 'yaml_body') !== true
    ? after.yaml_body
    : typeof after.yaml_body_parsed === 'string' && child(afterUnknown, 'yaml_body_parsed') !== true
      ? after.yaml_body_parsed
      : undefined;
  if (text === undefined) return { drafts: [], problems: [], wholeUnknown: 'yaml_body' };
  const parsed = parseYamlDocuments(text);
  const problems = parsed.problems
    .filter((p) => p.index === 0)
    .map((p) => `yaml_body is not valid YAML (document ${p.index + 1}${p.line ? `, line ${p.line}` : ''}); its content is not shown because it is sensitive`);
  const ignored = [...new Set([...parsed.documents.filter((d) => d.index > 0 && d.value !== null).map((d) => d.index), ...parsed.problems.filter((p) => p.index > 0).map((p) => p.index)])].sort((a, b) => a - b);
  const result = (drafts: ObjectDraft[]) => ({ drafts, problems, ...(ignored.length > 0 ? { ignored } : {}) });
  if (problems.length > 0) return result([]);
  const doc = parsed.documents.find((d) => d.index === 0);
  if (doc === undefined || doc.value === null) {
    // yaml.v2 gives the provider an empty object: it refuses it (no apiVersion and kind) and applies nothing
    problems.push('the first document of yaml_body is empty: the kubectl provider reads only the first document and cannot apply it');
    return result([]);
  }
  if (!isObj(doc.value)) {
    problems.push('yaml_body document 1 is not a mapping');
    return result([]);
  }
  let raw = redactSecretPayload(doc.value);
  if (override(after)) raw = { ...raw, metadata: { ...(isObj(raw.metadata) ? raw.metadata : {}), namespace: override(after) } };
  const draft: ObjectDraft = {
    raw,
    unknown: [],
    defaultNamespace: 'default',
    document: 0,
    attributeOf: (pointer) => ({ path: ['yaml_body'], yaml: { document: 0, pointer } }),
  };
  const sensitive = sensitiveFieldStrings(doc.value, after.sensitive_fields);
  if (sensitive.length > 0) draft.sensitive = sensitive;
  return result([draft]);
}

function override(after: Obj): string | undefined {
  return str(after.override_namespace);
}
