// The scan's ValidatingAdmissionPolicies, prepared once by the scan pipeline (policy files from
// `--policies`, plus policies, bindings, params and Namespaces among the scanned objects) and read by the
// admission-policy rule: each object is evaluated as a CREATE request, once.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import type { ScannedObject } from '../model/model.ts';
import { crdIndex, kindMapping, splitApiVersion, type CrdIndex } from './resources.ts';
import { evaluateAdmission, type AdmissionVerdict, type PolicyWorld } from './vap.ts';

type Obj = Record<string, any>;
const ADMISSION_GROUP = 'admissionregistration.k8s.io/';

interface Prepared { world: PolicyWorld; crds: CrdIndex; cache: WeakMap<object, AdmissionVerdict> }
let prepared: Prepared | undefined;

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
export function prepareAdmission(scanned: readonly ScannedObject[], policyObjects: readonly Obj[]): void {
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
    },
    crds: crdIndex(all),
    cache: new WeakMap(),
  };
}

export function clearAdmission(): void { prepared = undefined; }

/** The verdict for one scanned object as a CREATE request, or undefined when the scan has no policies. */
export function admissionOf(object: ScannedObject): AdmissionVerdict | undefined {
  if (!prepared) return undefined;
  const hit = prepared.cache.get(object);
  if (hit) return hit;
  const raw = object.raw as Obj;
  const { group, version } = splitApiVersion(String(raw.apiVersion ?? ''));
  const kind = String(raw.kind ?? '');
  const mapping = kindMapping(group, kind, prepared.crds);
  const namespace = mapping.namespaced ? String(raw.metadata?.namespace ?? object.ref.namespace ?? 'default') : '';
  const copy = structuredClone(raw);
  copy.metadata ??= {};
  if (mapping.namespaced) copy.metadata.namespace = namespace; else delete copy.metadata.namespace;
  const verdict = evaluateAdmission({
    operation: 'CREATE', object: copy, oldObject: null, kind: { group, version, kind },
    resource: { group, version, resource: mapping.resource }, subResource: '', namespace,
    name: String(raw.metadata?.name ?? ''), namespaced: mapping.namespaced,
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
