// Reads a plan representation into scanned objects: typed kubernetes_* resources converted to API
// objects, kubernetes_manifest / kubectl_manifest objects, helm_release render requests (and a
// pseudo-object per release), and managed clusters (aws_eks_cluster, google_container_cluster,
// azurerm_kubernetes_cluster) as pseudo-objects `terraform/v1 <type>` named by address.
// The planned state is read from resource_changes (create, update, replace and no-op: what will exist
// after apply); deletes, forgets, reads (data sources) and deposed objects are ignored. Plans without
// resource_changes fall back to planned_values (no unknown information there).
import type { ObjectRef, ScanError, SkippedPath, SourceInfo } from '../model/model.ts';
import { refOf } from '../loaders/objects.ts';
import { isObj, str, type Obj } from '../k8s/values.ts';
import { convertTyped, tfPathOf, TYPED_RESOURCES } from './convert.ts';
import { fromHelmRelease, releaseAttributeOf, type HelmReleaseRequest } from './helm-release.ts';
import { TfLocator, parseAddress, type AddressParts, type ResourceLocation } from './locate.ts';
import { fromKubectlManifest, fromKubernetesManifest, steps, type AttributeRef, type ObjectDraft } from './manifest.ts';
import { markedPointers, sensitiveStrings } from './marks.ts';
import { TERRAFORM_API_VERSION, type TerraformObject } from './unknown.ts';

export const CLUSTER_TYPES = new Set(['aws_eks_cluster', 'google_container_cluster', 'azurerm_kubernetes_cluster']);
export const MANIFEST_TYPES = new Set(['kubernetes_manifest', 'kubectl_manifest']);

export interface PlanLoadOptions {
  /** The plan file, repository-relative (as findings name it). */
  planFile: string;
  /** Absolute directory of the plan file. */
  planDir: string;
  /** Absolute repository root. */
  repoRoot: string;
  /** Absolute root module directory, where terraform ran (default: planDir). */
  rootModuleDir?: string;
  /** The plan's `configuration` (set by loadPlan). */
  configuration?: unknown;
}

/** Something the user should know that is not a finding: not evaluated, incomplete, not analysable. */
export interface PlanNote {
  address?: string;
  file: string;
  line?: number;
  message: string;
}

/** A helm_release to render, with where findings on its objects are attributed. */
export interface PlanHelmRelease extends HelmReleaseRequest {
  source: SourceInfo;
}

export interface PlanLoad {
  /** Objects to scan; each carries `unknown` (pointers into raw unknown until apply). */
  objects: TerraformObject[];
  /** Inputs that failed or cannot be analysed: yaml_body that is not YAML, remote/missing charts (kind 'dependency'). */
  errors: ScanError[];
  /** Local charts to render with the release's values (see render-release.ts). */
  helmReleases: PlanHelmRelease[];
  notes: PlanNote[];
  /** Strings the plan marks sensitive (after_sensitive, kubectl sensitive_fields): judged, never printed. */
  secrets: string[];
  /** Resources that write to the cluster and are not read, with why (never passed over silently). */
  skipped: SkippedPath[];
  formatVersion: string;
  terraformVersion?: string;
  /** Resource instances read (managed, not being deleted). */
  instances: number;
}

interface Instance {
  address: string;
  type: string;
  after: unknown;
  afterUnknown: unknown;
  afterSensitive: unknown;
}

const IGNORED_ACTIONS = new Set(['delete', 'forget', 'read']);

function* fromResourceChanges(changes: unknown[]): Generator<Instance> {
  for (const change of changes) {
    if (!isObj(change) || change.mode === 'data' || change.deposed !== undefined) continue;
    const address = str(change.address);
    const type = str(change.type);
    const body = isObj(change.change) ? change.change : undefined;
    if (address === undefined || type === undefined || body === undefined) continue;
    const actions = Array.isArray(body.actions) ? body.actions.filter((a): a is string => typeof a === 'string') : [];
    if (actions.length === 0 || actions.every((a) => IGNORED_ACTIONS.has(a))) continue;
    yield { address, type, after: body.after, afterUnknown: body.after_unknown, afterSensitive: body.after_sensitive };
  }
}

function* fromPlannedModule(module: unknown, depth = 0): Generator<Instance> {
  if (!isObj(module) || depth > 100) return;
  for (const resource of Array.isArray(module.resources) ? module.resources : []) {
    if (!isObj(resource) || resource.mode === 'data') continue;
    const address = str(resource.address);
    const type = str(resource.type);
    if (address === undefined || type === undefined) continue;
    yield { address, type, after: isObj(resource.values) ? resource.values : {}, afterUnknown: undefined, afterSensitive: resource.sensitive_values };
  }
  for (const childModule of Array.isArray(module.child_modules) ? module.child_modules : []) yield* fromPlannedModule(childModule, depth + 1);
}

const PATCH_TYPES = new Set(['kubernetes_env', 'kubernetes_annotations']);
const WANTED = (type: string) => type in TYPED_RESOURCES || MANIFEST_TYPES.has(type) || type === 'helm_release' || PATCH_TYPES.has(type) || CLUSTER_TYPES.has(type);

export function loadPlan(json: unknown, options: PlanLoadOptions): PlanLoad {
  const plan: Obj = isObj(json) ? json : {};
  const planFile = options.planFile;
  const rootDir = options.rootModuleDir ?? options.planDir;
  const locator = new TfLocator({ configuration: plan.configuration, rootDir, repoRoot: options.repoRoot });
  const result: PlanLoad = {
    objects: [],
    errors: [],
    helmReleases: [],
    notes: [],
    secrets: [],
    skipped: [],
    formatVersion: str(plan.format_version) ?? '',
    instances: 0,
  };
  const terraformVersion = str(plan.terraform_version);
  if (terraformVersion !== undefined) result.terraformVersion = terraformVersion;

  if (plan.errored === true) result.notes.push({ file: planFile, message: 'the plan errored (terraform plan failed part-way): it is partial and findings may be missing' });
  if (plan.complete === false) result.notes.push({ file: planFile, message: 'the plan is incomplete (-target or deferred changes): resources it does not plan were not evaluated' });
  for (const deferred of Array.isArray(plan.deferred_changes) ? plan.deferred_changes : []) {
    const change = isObj(deferred) && isObj(deferred.resource_change) ? deferred.resource_change : undefined;
    const address = str(change?.address);
    if (address !== undefined && change?.mode !== 'data') {
      result.notes.push({ address, file: planFile, message: `${address}: change deferred by Terraform (${str(deferred.reason) ?? 'unknown reason'}): not evaluated` });
    }
  }

  let source: Iterable<Instance>;
  if (Array.isArray(plan.resource_changes)) {
    source = fromResourceChanges(plan.resource_changes);
  } else {
    const planned = isObj(plan.planned_values) ? plan.planned_values.root_module : undefined;
    source = fromPlannedModule(planned);
    if (planned !== undefined) result.notes.push({ file: planFile, message: 'the plan has no resource_changes: values unknown until apply cannot be told from unset ones' });
  }

  for (const instance of source) {
    result.instances++;
    if (!WANTED(instance.type)) {
      // every managed kubernetes_* resource writes to the cluster: one preadmit does not read is listed
      if (instance.type.startsWith('kubernetes_')) {
        result.skipped.push({ path: `${planFile}: ${instance.address}`, reason: `${instance.type} writes to the cluster, and preadmit does not read this resource type: not checked` });
      }
      continue;
    }
    try {
      readInstance(instance, result, locator, { ...options, configuration: plan.configuration }, rootDir);
    } catch (error) {
      result.errors.push({ kind: 'internal', file: planFile, message: `${instance.address} could not be read: ${(error as Error).message}` });
    }
  }
  return result;
}

function readInstance(instance: Instance, result: PlanLoad, locator: TfLocator, options: PlanLoadOptions, rootDir: string): void {
  const { address, type } = instance;
  const planFile = options.planFile;
  const parts = parseAddress(address);
  const location = parts ? located(() => locator.resource(parts)) : undefined;
  const where = (): { file: string; line?: number } => (location ? { file: location.file, line: location.line } : { file: planFile });
  const after = isObj(instance.after) ? instance.after : undefined;

  const emit = (raw: Obj, ref: ObjectRef, unknown: string[], attributeOf?: (pointer: string) => AttributeRef, document?: number, sensitive: readonly string[] = []) => {
    const sourceInfo: SourceInfo = { kind: 'terraform', ...where(), plan: planFile, address };
    if (document !== undefined) sourceInfo.document = document;
    const object: TerraformObject = { ref, raw, source: sourceInfo, unknown };
    if (sensitive.length > 0) {
      object.sensitive = sensitive;
      result.secrets.push(...sensitive);
    }
    if (location && attributeOf) object.lineOf = lineOfFor(locator, location, attributeOf);
    result.objects.push(object);
  };
  const pseudo = (raw: Obj, unknown: string[], attributeOf?: (pointer: string) => AttributeRef, sensitive?: readonly string[]) =>
    emit(raw, { apiVersion: TERRAFORM_API_VERSION, kind: type, name: address }, unknown, attributeOf, undefined, sensitive);
  const problem = (message: string, kind: ScanError['kind'] = 'parse') => {
    const error: ScanError = { kind, ...where(), message: `${address}: ${message}` };
    result.errors.push(error);
  };
  const fromDraft = (draft: ObjectDraft) => {
    const ref = refOf(draft.raw, draft.defaultNamespace);
    if (typeof ref === 'string') {
      problem(`${type === 'kubectl_manifest' ? 'yaml_body' : 'manifest'} is not a Kubernetes object: ${ref}`);
      return;
    }
    emit(draft.raw, ref, draft.unknown, draft.attributeOf, draft.document, draft.sensitive);
  };

  if (type in TYPED_RESOURCES) {
    const converted = convertTyped(type, after, instance.afterUnknown, instance.afterSensitive)!;
    if (converted.unknown.includes('')) {
      pseudo({}, ['']);
      return;
    }
    const kind = String(converted.raw.kind);
    const namespaceUnknown = converted.unknown.some((u) => u === '/metadata' || u === '/metadata/namespace');
    const ref = refOf(converted.raw, namespaceUnknown ? undefined : 'default');
    if (typeof ref === 'string') {
      problem(ref);
      return;
    }
    if (ref.name === '' && converted.unknown.some((u) => u === '/metadata/name' || u === '/metadata')) ref.name = '(known after apply)';
    emit(converted.raw, ref, converted.unknown, (pointer) => ({ path: tfPathOf(kind, converted.raw, pointer) }), undefined, converted.sensitive);
    return;
  }

  if (type === 'kubernetes_manifest' || type === 'kubectl_manifest') {
    const drafted = after === undefined
      ? { drafts: [], problems: [], wholeUnknown: type === 'kubectl_manifest' ? 'yaml_body' : 'the manifest' }
      : type === 'kubernetes_manifest'
        ? fromKubernetesManifest(after, instance.afterUnknown, instance.afterSensitive)
        : fromKubectlManifest(after, instance.afterUnknown);
    for (const message of drafted.problems) problem(message);
    if (drafted.wholeUnknown !== undefined) {
      pseudo({}, [''], () => ({ path: [type === 'kubectl_manifest' ? 'yaml_body' : 'manifest'] }));
      return;
    }
    for (const draft of drafted.drafts) fromDraft(draft);
    // documents the provider never applies: said by tf-kubectl-ignored-documents, not judged
    const ignored = 'ignored' in drafted ? (drafted.ignored as number[] | undefined) : undefined;
    if (ignored !== undefined) pseudo({ ignoredDocuments: ignored.map((i) => i + 1) }, [], () => ({ path: ['yaml_body'] }));
    return;
  }

  if (type === 'helm_release') {
    if (after === undefined) {
      pseudo({}, ['']);
      return;
    }
    const moduleDir = parts ? located(() => locator.moduleDir(parts.modules)) : undefined;
    const draft = fromHelmRelease(address, after, instance.afterUnknown, instance.afterSensitive, { rootDir, repoRoot: options.repoRoot, ...(moduleDir ? { moduleDir } : {}) });
    for (const message of draft.problems) problem(message);
    if (draft.notice) result.errors.push({ kind: 'dependency', ...where(), message: draft.notice });
    pseudo(draft.raw, draft.request.unknown, (pointer) => releaseAttributeOf(draft.raw, pointer), draft.request.sensitive);
    if (draft.request.chartDir !== undefined) {
      const sourceInfo: SourceInfo = { kind: 'terraform', ...where(), plan: planFile, address };
      result.helmReleases.push({ ...draft.request, source: sourceInfo });
    }
    return;
  }

  if (type === 'kubernetes_env') {
    // env entries written into a container of an existing workload: a pseudo-object for tf-env-secret-literal
    if (after === undefined) {
      pseudo({}, ['']);
      return;
    }
    const converted = convertTyped('kubernetes_pod_v1', { spec: [{ container: [{ name: 'env', env: after.env }] }] }, undefined, undefined)!;
    const spec = isObj(converted.raw.spec) ? converted.raw.spec : {};
    const container = Array.isArray(spec.containers) && isObj(spec.containers[0]) ? spec.containers[0] : {};
    const metadata = Array.isArray(after.metadata) && isObj(after.metadata[0]) ? after.metadata[0] : isObj(after.metadata) ? after.metadata : {};
    const raw: Obj = {
      target: { apiVersion: after.api_version ?? null, kind: after.kind ?? null, name: metadata.name ?? null, namespace: metadata.namespace ?? null },
      container: after.container ?? null,
      initContainer: after.init_container ?? null,
      env: Array.isArray(container.env) ? container.env : [],
    };
    pseudo(raw, markedPointers(instance.afterUnknown).filter((p) => p.startsWith('/env')), (pointer) => {
      const m = /^\/env\/(\d+)(?:\/(\w+))?/.exec(pointer);
      return { path: m ? ['env', Number(m[1]), ...(m[2] ? [m[2] === 'valueFrom' ? 'value_from' : m[2]] : [])] : ['env'] };
    }, [...sensitiveStrings(after, instance.afterSensitive)]);
    return;
  }

  if (type === 'kubernetes_annotations') {
    // annotations written onto an existing object (and its pod template): a pseudo-object in the API's
    // places, for secret-literal-annotation; nothing else of the object is known
    if (after === undefined) {
      pseudo({}, ['']);
      return;
    }
    const metadata = Array.isArray(after.metadata) && isObj(after.metadata[0]) ? after.metadata[0] : isObj(after.metadata) ? after.metadata : {};
    const raw: Obj = {
      target: { apiVersion: after.api_version ?? null, kind: after.kind ?? null, name: metadata.name ?? null, namespace: metadata.namespace ?? null },
      metadata: { annotations: isObj(after.annotations) ? after.annotations : {} },
      spec: { template: { metadata: { annotations: isObj(after.template_annotations) ? after.template_annotations : {} } } },
    };
    const unknown = markedPointers(instance.afterUnknown).flatMap((p) => (p.startsWith('/annotations') ? [`/metadata${p}`] : p.startsWith('/template_annotations') ? [`/spec/template/metadata/annotations${p.slice('/template_annotations'.length)}`] : []));
    pseudo(raw, unknown, (pointer) => {
      const m = /^\/(metadata|spec\/template\/metadata)\/annotations(?:\/([^/]+))?/.exec(pointer);
      const attribute = m?.[1] === 'metadata' ? 'annotations' : 'template_annotations';
      return { path: m ? [attribute, ...(m[2] ? [m[2].replace(/~1/g, '/').replace(/~0/g, '~')] : [])] : [] };
    }, [...sensitiveStrings(after, instance.afterSensitive)]);
    return;
  }

  if (CLUSTER_TYPES.has(type)) {
    if (after === undefined) {
      pseudo({}, ['']);
      return;
    }
    const unset = parts ? unsetDefaults(type, configResource(options.configuration, parts)) : [];
    const unknown = markedPointers(instance.afterUnknown).filter((u) => !unset.includes(u));
    pseudo(after, unknown, (pointer) => ({ path: steps(after, pointer) }), [...sensitiveStrings(after, instance.afterSensitive)]);
  }
}

/**
 * Attributes the cloud fills in when the configuration leaves them out, so that a plan shows them unknown
 * though their value is the documented default: an EKS public endpoint without public_access_cidrs is
 * open to 0.0.0.0/0 ("The default value is 0.0.0.0/0", EKS API VpcConfigRequest.publicAccessCidrs; the
 * aws provider's attribute is Optional+Computed). Listed by the enclosing block that must be written
 * statically in the configuration (a dynamic block does not appear there, and may set it).
 */
const UNSET_MEANS_DEFAULT: Readonly<Record<string, readonly { block: string; attribute: string; pointer: string }[]>> = {
  aws_eks_cluster: [{ block: 'vpc_config', attribute: 'public_access_cidrs', pointer: '/vpc_config/0/public_access_cidrs' }],
};

/** Pointers of UNSET_MEANS_DEFAULT attributes the configuration does not write: absent, not unknown. */
function unsetDefaults(type: string, resource: Obj | undefined): string[] {
  const expressions = resource && isObj(resource.expressions) ? resource.expressions : undefined;
  if (expressions === undefined) return [];
  return (UNSET_MEANS_DEFAULT[type] ?? []).filter(({ block, attribute }) => {
    const blocks = expressions[block];
    return Array.isArray(blocks) && blocks.length === 1 && isObj(blocks[0]) && !(attribute in blocks[0]);
  }).map((d) => d.pointer);
}

/** The configuration's resource for an address (module calls by name), when the plan has a configuration. */
function configResource(configuration: unknown, parts: AddressParts): Obj | undefined {
  let module: unknown = isObj(configuration) ? configuration.root_module : undefined;
  for (const call of parts.modules) {
    const calls = isObj(module) ? module.module_calls : undefined;
    const next = isObj(calls) ? calls[call.name] : undefined;
    module = isObj(next) ? next.module : undefined;
  }
  const resources = isObj(module) && Array.isArray(module.resources) ? module.resources : [];
  return resources.find((r): r is Obj => isObj(r) && r.mode === 'managed' && r.type === parts.type && r.name === parts.name);
}

/**
 * A location, or undefined when finding it fails: lines are a convenience, and a .tf file the locator
 * cannot read (however deep or malformed) must never cost the resource its evaluation.
 */
function located<T>(find: () => T | undefined): T | undefined {
  try {
    return find();
  } catch {
    return undefined;
  }
}

function lineOfFor(locator: TfLocator, location: ResourceLocation, attributeOf: (pointer: string) => AttributeRef): (pointer: string) => number | undefined {
  return (pointer) => {
    const attribute = attributeOf(pointer);
    return located(() => locator.attributeLine(location, attribute.path, attribute.yaml));
  };
}

