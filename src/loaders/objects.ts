// Turns parsed YAML documents into Kubernetes objects. `kind: List` items are expanded; a document that
// is not an object becomes a problem naming its position, never a crash and never silently dropped. An
// object with a field of the wrong type (`spec: "x"`) is kept and scanned, and reported as a problem.
import type { ObjectRef, ScannedObject, SourceInfo } from '../model/model.ts';
import { join } from '../model/pointer.ts';
import { shapeProblems } from '../k8s/shape.ts';
import { isObj, str, type Obj } from '../k8s/values.ts';
import type { YamlDocument, YamlProblem } from './yaml-docs.ts';

/** Kinds that never live in a namespace: their refs carry no namespace even inside a release. */
const CLUSTER_SCOPED = new Set([
  'APIService', 'CertificateSigningRequest', 'ClusterIssuer', 'ClusterRole', 'ClusterRoleBinding', 'ComponentStatus',
  'CSIDriver', 'CSINode', 'CustomResourceDefinition', 'FlowSchema', 'IngressClass', 'MutatingWebhookConfiguration',
  'Namespace', 'Node', 'PersistentVolume', 'PodSecurityPolicy', 'PriorityClass', 'PriorityLevelConfiguration',
  'RuntimeClass', 'StorageClass', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration', 'VolumeAttachment', 'VolumeSnapshotClass', 'ClusterIssuer',
]);

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

export interface ObjectsFromDocuments {
  objects: ScannedObject[];
  problems: YamlProblem[];
}

export interface ObjectOptions {
  source: SourceInfo;
  /** Namespace given to namespaced objects that name none (helm's --namespace). */
  defaultNamespace?: string;
  /** True when lines in the document are lines of source.file (manifests), false for rendered output. */
  linesAreSource: boolean;
  /** Whether a document that is not a Kubernetes object is a problem (explicit input) or ignored. */
  strict: boolean;
}

export function refOf(raw: Obj, defaultNamespace?: string): ObjectRef | string {
  const apiVersion = str(raw.apiVersion);
  const kind = str(raw.kind);
  if (!apiVersion || !kind) return 'document has no apiVersion and kind strings: not a Kubernetes object';
  if (raw.metadata !== undefined && raw.metadata !== null && !isObj(raw.metadata)) return `${kind} has a metadata that is not a mapping`;
  const metadata = isObj(raw.metadata) ? raw.metadata : {};
  const name = str(metadata.name) ?? (str(metadata.generateName) ? `${str(metadata.generateName)}*` : '');
  const ref: ObjectRef = { apiVersion, kind, name };
  const namespace = str(metadata.namespace) ?? (isClusterScoped(kind) ? undefined : defaultNamespace);
  if (namespace !== undefined && !isClusterScoped(kind)) ref.namespace = namespace;
  return ref;
}

/**
 * The objects a document holds, as kubectl and helm's kube client read it (cli-runtime's
 * FlattenListVisitor over apimachinery's unstructured decoder, checked with the Go code): ANY object with
 * an `items` field is a list, whatever its kind (a ConfigMap with `items: [...]` creates its items, not a
 * ConfigMap; `items: null` creates nothing), and an item with neither kind nor apiVersion takes the
 * list's apiVersion and its kind without the `List` suffix (`PodList` items are Pods). A list inside a
 * list makes kubectl and helm reject the document (`*unstructured.Unstructured is not a list`): that is
 * reported, and its items are still judged, all the way down, so nothing in it goes unchecked.
 */
function listEntries(raw: Obj, doc: YamlDocument, problems: YamlProblem[]): [unknown, string][] {
  if (!Object.hasOwn(raw, 'items')) return [[raw, '']];
  const entries: [unknown, string][] = [];
  const pending: [Obj, string, number][] = [[raw, '', 0]];
  while (pending.length > 0) {
    const [list, prefix, depth] = pending.shift()!;
    const items = list.items;
    if (items === null) continue; // an empty list: nothing is created
    if (!Array.isArray(items)) {
      problems.push({ index: doc.index, line: doc.lineOf(join(prefix, 'items')), message: `${prefix === '' ? 'document' : `list item ${prefix}`} has an \`items\` field that is not a list: kubectl and helm read an object with \`items\` as a list, and reject this one` });
      continue;
    }
    const listKind = str(list.kind);
    const listApiVersion = str(list.apiVersion);
    items.forEach((item, i) => {
      const pointer = join(prefix, 'items', i);
      if (isObj(item) && Object.hasOwn(item, 'items') && depth < 50) {
        problems.push({ index: doc.index, line: doc.lineOf(pointer), message: `list item ${pointer} is itself a list: kubectl and helm reject the document; its items are judged anyway` });
        pending.push([item, pointer, depth + 1]);
        return;
      }
      if (isObj(item) && item.kind === undefined && item.apiVersion === undefined && listKind !== undefined) {
        // apimachinery's decodeToList: an item without kind and apiVersion takes the list's.
        entries.push([{ ...item, apiVersion: listApiVersion, kind: listKind.replace(/List$/, '') }, pointer]);
        return;
      }
      entries.push([item, pointer]);
    });
  }
  return entries;
}

/** Names a Kubernetes object: `apiVersion` or `kind` as a key, or (in a string) as text. */
function mentionsObject(value: unknown): boolean {
  if (typeof value === 'string') return /\bapiVersion\b/.test(value) && /\bkind\b/.test(value);
  if (Array.isArray(value)) return value.some((item) => isObj(item) && (Object.hasOwn(item, 'apiVersion') || Object.hasOwn(item, 'kind')));
  return false;
}

export function objectsFromDocuments(documents: YamlDocument[], options: ObjectOptions): ObjectsFromDocuments {
  const objects: ScannedObject[] = [];
  const problems: YamlProblem[] = [];
  // kubectl apply -R fails on a document that is not an object. Found by walking, other YAML (CI
  // configuration, playbooks) is left alone, but not in a file that holds Kubernetes objects, nor a
  // document that names one (a manifest kubectl does not read as one must not pass unseen).
  const holdsObjects = !options.strict && documents.some((doc) => isObj(doc.value) && (Object.hasOwn(doc.value, 'apiVersion') || Object.hasOwn(doc.value, 'kind')));
  for (const doc of documents) {
    if (doc.value === null) continue; // an empty document (a lone `---`, comments only) is valid YAML with nothing in it
    if (!isObj(doc.value)) {
      if (options.strict || holdsObjects || mentionsObject(doc.value)) {
        const what = `document ${doc.index + 1} is a ${Array.isArray(doc.value) ? 'list' : typeof doc.value}, not a Kubernetes object`;
        problems.push({ index: doc.index, line: doc.line, message: options.strict ? what : `${what}: kubectl apply fails on it` });
      }
      continue;
    }
    const raw = doc.value;
    const entries = listEntries(raw, doc, problems);
    const firstObject = objects.length;
    for (const [value, prefix] of entries) {
      const line = options.linesAreSource ? doc.lineOf(prefix) : undefined;
      if (!isObj(value)) {
        problems.push({ index: doc.index, line, message: `list item ${prefix} is not a Kubernetes object` });
        continue;
      }
      const ref = refOf(value, options.defaultNamespace);
      if (typeof ref === 'string') {
        if (options.strict || value.kind !== undefined || value.apiVersion !== undefined) problems.push({ index: doc.index, line, message: ref });
        continue;
      }
      const shape = shapeProblems(value, ref.apiVersion, ref.kind);
      if (shape.length > 0) {
        const first = shape[0]!;
        const more = shape.length > 1 ? ` (and ${shape.length - 1} more field${shape.length > 2 ? 's' : ''} of the wrong type)` : '';
        const label = `${ref.kind}${ref.name ? ` ${ref.name}` : ''}`;
        problems.push({
          index: doc.index,
          line: options.linesAreSource ? doc.lineOf(prefix + first.pointer) : undefined,
          message: `${label}: ${first.message}${more}; the API server would reject this object, and rules read the field as absent`,
        });
      }
      const source: SourceInfo = { ...options.source, document: doc.index };
      if (line !== undefined) source.line = line;
      if (prefix !== '') source.origin = `${options.source.origin ? `${options.source.origin}, ` : ''}list item ${prefix} of document ${doc.index + 1}`;
      const object: ScannedObject = { ref, raw: value, source };
      const duplicates = doc.duplicates?.filter((d) => d.pointer.startsWith(`${prefix}/`)).map((d) => ({ ...d, pointer: d.pointer.slice(prefix.length) }));
      if (duplicates && duplicates.length > 0) object.duplicateKeys = duplicates;
      if (options.linesAreSource) object.lineOf = (pointer) => doc.lineOf(prefix + pointer);
      objects.push(object);
    }
    // A list's own keys written twice (`items:` twice hides a whole list): said on its first object.
    const prefixes = entries.map(([, prefix]) => `${prefix}/`);
    const listLevel = prefixes[0] === '/' ? [] : (doc.duplicates ?? []).filter((d) => !prefixes.some((prefix) => d.pointer.startsWith(prefix)));
    const first = objects[firstObject];
    if (listLevel.length > 0 && first !== undefined) first.duplicateKeys = [...listLevel.map((d) => ({ ...d, pointer: '' })), ...(first.duplicateKeys ?? [])];
  }
  return { objects, problems };
}
