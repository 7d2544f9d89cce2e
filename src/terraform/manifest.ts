// `kubernetes_manifest` (the `manifest` attribute is the object, in API form) and `kubectl_manifest`
// (`yaml_body`, a sensitive YAML text, possibly several documents).
import { tokens } from '../model/pointer.ts';
import { isObj, str, type Obj } from '../k8s/values.ts';
import { parseYamlDocuments } from '../loaders/yaml-docs.ts';
import { child, markedPointers, REDACTED, redactSecretPayload, sensitiveStrings } from './marks.ts';

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

function redactFields(raw: Obj, fields: unknown): Obj {
  if (!Array.isArray(fields)) return raw;
  let out = raw;
  for (const field of fields) {
    if (typeof field !== 'string' || field === '') continue;
    const parts = field.split('.');
    const copy = (node: unknown, i: number): unknown => {
      if (!isObj(node)) return node;
      const key = parts[i]!;
      if (!(key in node)) return node;
      const next = i === parts.length - 1 ? (isObj(node[key]) ? Object.fromEntries(Object.keys(node[key] as Obj).map((k) => [k, REDACTED])) : REDACTED) : copy(node[key], i + 1);
      return next === node[key] ? node : { ...node, [key]: next };
    };
    out = copy(out, 0) as Obj;
  }
  return out;
}

/** kubectl_manifest: every document of yaml_body is an object. yaml_body itself is never put in a message. */
export function fromKubectlManifest(after: Obj, afterUnknown: unknown): Drafted {
  const text = typeof after.yaml_body === 'string' && child(afterUnknown, 'yaml_body') !== true
    ? after.yaml_body
    : typeof after.yaml_body_parsed === 'string' && child(afterUnknown, 'yaml_body_parsed') !== true
      ? after.yaml_body_parsed
      : undefined;
  if (text === undefined) return { drafts: [], problems: [], wholeUnknown: 'yaml_body' };
  const parsed = parseYamlDocuments(text);
  const problems = parsed.problems.map((p) => `yaml_body is not valid YAML (document ${p.index + 1}${p.line ? `, line ${p.line}` : ''}); its content is not shown because it is sensitive`);
  const override = str(after.override_namespace);
  const drafts: ObjectDraft[] = [];
  for (const doc of parsed.documents) {
    if (doc.value === null) continue;
    if (!isObj(doc.value)) {
      problems.push(`yaml_body document ${doc.index + 1} is not a mapping`);
      continue;
    }
    let raw = redactFields(redactSecretPayload(doc.value), after.sensitive_fields);
    if (override) raw = { ...raw, metadata: { ...(isObj(raw.metadata) ? raw.metadata : {}), namespace: override } };
    const index = doc.index;
    drafts.push({
      raw,
      unknown: [],
      defaultNamespace: 'default',
      document: index,
      attributeOf: (pointer) => ({ path: ['yaml_body'], yaml: { document: index, pointer } }),
    });
  }
  return { drafts, problems };
}
