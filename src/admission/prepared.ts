// The scan's ValidatingAdmissionPolicies, prepared once by the scan pipeline (policy files from
// `--policies`, plus policies, bindings, params and Namespaces among the scanned objects) and read by the
// admission-policy rule: each object is evaluated once, as the request deploying the change would send it.
// Without a base scan that is a CREATE. With one (`--base`, a pull request), an object the base deploys
// under the same name is an UPDATE with the base's object as oldObject (helm upgrade and kubectl apply
// update an object of the same group, kind, namespace and name in the same release, and create any other),
// and an object only the base has is a DELETE (object null), which only policies matching DELETE see.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import type { ScannedObject } from '../model/model.ts';
import { crdIndex, kindMapping, splitApiVersion, type CrdIndex } from './resources.ts';
import { evaluateAdmission, type AdmissionVerdict, type PolicyWorld } from './vap.ts';

type Obj = Record<string, any>;
const ADMISSION_GROUP = 'admissionregistration.k8s.io/';

/** The requesting identity as `request.userInfo` has it (authentication.k8s.io/v1 UserInfo). */
export interface UserInfo { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> }

export interface AdmissionContext {
  /** The base revision's evaluated objects: objects deployed there are updated (or deleted), not created. */
  base?: readonly ScannedObject[];
  /** Every object the scan evaluates (second renders' too), paired with the base's; default the scanned objects. */
  evaluated?: readonly ScannedObject[];
  /** Who deploys (`admission.userInfo`, `--as`); without one, expressions reading request.userInfo are unknown. */
  userInfo?: UserInfo;
}

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

interface Prepared {
  world: PolicyWorld;
  crds: CrdIndex;
  cache: WeakMap<object, AdmissionVerdict>;
  userInfo?: UserInfo;
  /** Head object -> the base object it updates. */
  updates: Map<ScannedObject, ScannedObject>;
  /** Base objects no head object updates: the change deletes them. */
  removed: Set<ScannedObject>;
}
let prepared: Prepared | undefined;

/**
 * What makes two renders' objects the same object in the cluster: where they are deployed from (a chart's
 * release per value set, a Terraform resource, or the manifests together, which `kubectl apply` applies
 * whatever file holds them) and the API server's own key, group, kind, namespace and name (not the version:
 * apps/v1beta2 and apps/v1 name one object; not the render variant: a chart's install and upgrade renders
 * of an object are one object). Not the fingerprint's template place (model/identity.ts): an object whose
 * name changes is created anew and the old one deleted, and a name a template randomises is a new object
 * on every upgrade.
 */
export function deployedKey(source: ScannedObject['source'], ref: ScannedObject['ref'], withScope = true): string {
  const scope = !withScope ? source.kind
    : source.kind === 'helm' ? `helm\u0000${source.chart ?? ''}`
      : source.kind === 'terraform' ? `terraform\u0000${source.address ?? source.plan ?? ''}`
        : 'manifest';
  const valueSet = source.kind === 'helm' ? (source.valueSet ?? 'default') : '';
  const { group } = splitApiVersion(ref.apiVersion);
  return [scope, valueSet, group, ref.kind, ref.namespace ?? '', ref.name].join('\u0000');
}

/**
 * Pairs head objects with the base objects they update: by deployedKey, then, for a chart (or Terraform
 * resource) only one side has (a chart folder renamed: its release is the same), by the key without it.
 * Every head render of an object (the main render, a second render) updates the same base object (the
 * base's main render of it when it has one); base objects no head object updates are removed, one per key.
 */
function pairWithBase(head: readonly ScannedObject[], base: readonly ScannedObject[]): { updates: Map<ScannedObject, ScannedObject>; removed: Set<ScannedObject> } {
  const updates = new Map<ScannedObject, ScannedObject>();
  const scopeOf = (o: ScannedObject) => (o.source.kind === 'helm' ? o.source.chart : o.source.kind === 'terraform' ? o.source.address : '') ?? '';
  const headScopes = new Set(head.map(scopeOf));
  const baseScopes = new Set(base.map(scopeOf));
  const passes: ((o: ScannedObject, side: 'head' | 'base') => string | undefined)[] = [
    (o) => deployedKey(o.source, o.ref),
    (o, side) => ((side === 'head' ? baseScopes : headScopes).has(scopeOf(o)) ? undefined : deployedKey(o.source, o.ref, false)),
  ];
  const matched = new Set<ScannedObject>();
  for (const key of passes) {
    const pool = new Map<string, ScannedObject>();
    for (const o of base) {
      const k = key(o, 'base');
      if (k === undefined) continue;
      const held = pool.get(k);
      if (held === undefined || (held.source.variant !== undefined && o.source.variant === undefined)) pool.set(k, o);
    }
    for (const o of head) {
      if (updates.has(o)) continue;
      const k = key(o, 'head');
      const match = k === undefined ? undefined : pool.get(k);
      if (match === undefined) continue;
      updates.set(o, match);
      matched.add(match);
    }
  }
  // One DELETE per removed object: the base's main render of it (or its first render).
  const removed = new Map<string, ScannedObject>();
  const updatedKeys = new Set([...matched].map((o) => deployedKey(o.source, o.ref)));
  for (const o of base) {
    const k = deployedKey(o.source, o.ref);
    if (updatedKeys.has(k)) continue;
    const held = removed.get(k);
    if (held === undefined || (held.source.variant !== undefined && o.source.variant === undefined)) removed.set(k, o);
  }
  return { updates, removed: new Set(removed.values()) };
}

/** Reads policy files and folders (.yaml/.yml/.json, multi-document); errors name the file and cause. */
export function loadPolicyFiles(paths: readonly string[]): { objects: Obj[]; errors: { file: string; message: string }[] } {
  const objects: Obj[] = [];
  const errors: { file: string; message: string }[] = [];
  const visit = (p: string) => {
    let stat;
    try { stat = statSync(p); } catch { errors.push({ file: p, message: 'policy path does not exist' }); return; }
    if (stat.isDirectory()) { for (const e of readdirSync(p).sort()) if (/\.(ya?ml|json)$/.test(e) || statSync(path.join(p, e)).isDirectory()) visit(path.join(p, e)); return; }
    try {
      for (const doc of yaml.loadAll(readFileSync(p, 'utf8'))) {
        if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
          const o = doc as Obj;
          if (o.kind === 'List' && Array.isArray(o.items)) objects.push(...o.items); else objects.push(o);
        }
      }
    } catch (err) {
      errors.push({ file: p, message: `cannot read policy file: ${(err as Error).message.split('\n')[0]}` });
    }
  };
  for (const p of paths) visit(p);
  return { objects, errors };
}

const isPolicy = (o: Obj) => typeof o?.apiVersion === 'string' && o.apiVersion.startsWith(ADMISSION_GROUP) && o.kind === 'ValidatingAdmissionPolicy';
const isBinding = (o: Obj) => typeof o?.apiVersion === 'string' && o.apiVersion.startsWith(ADMISSION_GROUP) && o.kind === 'ValidatingAdmissionPolicyBinding';

/** Sets the policies of the current scan; with none, the rule reports nothing. */
export function prepareAdmission(scanned: readonly ScannedObject[], policyObjects: readonly Obj[], context: AdmissionContext = {}): void {
  const all = [...policyObjects, ...scanned.map((s) => s.raw as Obj)];
  const policies = all.filter(isPolicy);
  if (policies.length === 0) { prepared = undefined; return; }
  // A param the policy files define is not replaced by a scanned object of the same identity (a chart under
  // review could otherwise ship its own allow-list); scanned params only add to selector matches.
  const identity = (o: Obj) => `${o?.apiVersion}\u0000${o?.kind}\u0000${o?.metadata?.namespace ?? ''}\u0000${o?.metadata?.name ?? ''}`;
  const trusted = policyObjects.filter((o) => !isPolicy(o) && !isBinding(o));
  const trustedIds = new Set(trusted.map(identity));
  const scannedParams = scanned.map((s) => s.raw as Obj).filter((o) => !isPolicy(o) && !isBinding(o) && !trustedIds.has(identity(o)));
  prepared = {
    world: {
      policies,
      bindings: all.filter(isBinding),
      params: [...trusted, ...scannedParams],
      namespaces: all.filter((o) => o?.apiVersion === 'v1' && o?.kind === 'Namespace'),
      // A configured identity is the requester: request.userInfo is read as the API server would fill it.
      identityKnown: context.userInfo !== undefined,
    },
    crds: crdIndex(all),
    cache: new WeakMap(),
    ...(context.userInfo !== undefined ? { userInfo: requestUserInfo(context.userInfo) } : {}),
    ...(context.base !== undefined ? pairWithBase(context.evaluated ?? scanned, context.base) : { updates: new Map(), removed: new Set() }),
  };
}

/**
 * request.userInfo as the API server has it for that identity: an authenticated user (any name but
 * system:anonymous) is also in system:authenticated, which the authenticator adds (and `kubectl --as`
 * impersonation adds likewise), unless the groups already name it or system:unauthenticated.
 */
export function requestUserInfo(user: UserInfo): UserInfo {
  const groups = [...(user.groups ?? [])];
  if (user.username !== undefined && user.username !== 'system:anonymous' && !groups.includes('system:authenticated') && !groups.includes('system:unauthenticated')) groups.push('system:authenticated');
  return { ...user, ...(groups.length > 0 ? { groups } : {}) };
}

/** The operation an object of this scan is admitted with (CREATE without a base). */
export function operationOf(object: ScannedObject): Operation {
  if (prepared?.updates.has(object)) return 'UPDATE';
  if (prepared?.removed.has(object)) return 'DELETE';
  return 'CREATE';
}

/** The base's objects the change removes (only with a base scan): the pipeline evaluates them as DELETE requests. */
export function removedObjects(): readonly ScannedObject[] {
  return prepared ? [...prepared.removed] : [];
}

export function clearAdmission(): void { prepared = undefined; }

/**
 * The verdict for one scanned object, as the request that deploys it (operationOf: CREATE, UPDATE of the
 * base's object, or DELETE of a removed base object), or undefined when the scan has no policies.
 */
export function admissionOf(object: ScannedObject): AdmissionVerdict | undefined {
  if (!prepared) return undefined;
  const hit = prepared.cache.get(object);
  if (hit) return hit;
  const raw = object.raw as Obj;
  const { group, version } = splitApiVersion(String(raw.apiVersion ?? ''));
  const kind = String(raw.kind ?? '');
  const mapping = kindMapping(group, kind, prepared.crds);
  const namespace = mapping.namespaced ? String(raw.metadata?.namespace ?? object.ref.namespace ?? 'default') : '';
  // As stored: a namespaced object carries the request's namespace, a cluster-scoped one none.
  const asStored = (o: Obj) => {
    const copy = structuredClone(o);
    copy.metadata ??= {};
    if (mapping.namespaced) copy.metadata.namespace = namespace; else delete copy.metadata.namespace;
    return copy;
  };
  const operation = operationOf(object);
  const old = prepared.updates.get(object);
  const verdict = evaluateAdmission({
    operation,
    object: operation === 'DELETE' ? null : asStored(raw),
    oldObject: operation === 'DELETE' ? asStored(raw) : old ? asStored(old.raw as Obj) : null,
    kind: { group, version, kind },
    resource: { group, version, resource: mapping.resource }, subResource: '', namespace,
    name: String(raw.metadata?.name ?? ''), namespaced: mapping.namespaced,
    ...(prepared.userInfo !== undefined ? { userInfo: prepared.userInfo as Obj } : {}),
  }, prepared.world);
  prepared.cache.set(object, verdict);
  return verdict;
}

/** Parses policy file texts already read (e.g. from a pull request's base commit). */
export function policyObjectsOf(files: readonly { file: string; text: string }[]): { objects: Obj[]; errors: { file: string; message: string }[] } {
  const objects: Obj[] = [];
  const errors: { file: string; message: string }[] = [];
  for (const { file, text } of files) {
    try {
      for (const doc of yaml.loadAll(text)) {
        if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
          const o = doc as Obj;
          if (o.kind === 'List' && Array.isArray(o.items)) objects.push(...o.items); else objects.push(o);
        }
      }
    } catch (err) {
      errors.push({ file, message: `cannot read policy file: ${(err as Error).message.split('\n')[0]}` });
    }
  }
  return { objects, errors };
}

/**
 * Whether the last prepared scan sent the object (a base finding's source and object) as an UPDATE that
 * the policy's binding does not match at all (a policy for CREATE only): the base's finding then went away
 * because the request changed, not because the object was fixed.
 */
export function updateNotMatched(source: ScannedObject['source'], ref: ScannedObject['ref'], policy: string, binding: string): boolean {
  if (!prepared || prepared.updates.size === 0) return false;
  const key = deployedKey(source, ref);
  for (const [head, base] of prepared.updates) {
    if (deployedKey(base.source, base.ref) !== key) continue;
    const verdict = admissionOf(head);
    const p = verdict?.policies.find((r) => r.name === policy);
    return !p?.matches || !p.bindings.some((b) => b.name === binding && b.matches);
  }
  return false;
}
