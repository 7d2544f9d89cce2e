// Loads the ValidatingAdmissionPolicy conformance cases (../shared/conformance/vap) and compares preadmit's
// verdict with the real admission plugin's, in the README's order. Shared by the suite and the script
// that prints the per-category table.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { evaluateAdmission, type AdmissionRequest, type AdmissionVerdict } from '../../src/admission/vap.ts';
import { kindMapping, splitApiVersion } from '../../src/admission/resources.ts';

type Obj = Record<string, any>;
export interface VapCase { id: string; category: string; input: Obj; expected: Obj }

export function loadCases(root: string): VapCase[] {
  return readdirSync(path.join(root, 'cases')).filter((f) => f.endsWith('.yaml')).sort().map((f) => {
    const input = yaml.load(readFileSync(path.join(root, 'cases', f), 'utf8')) as Obj;
    const expected = JSON.parse(readFileSync(path.join(root, 'expected', f.replace(/\.yaml$/, '.json')), 'utf8')) as Obj;
    return { id: input.id, category: input.category, input, expected };
  });
}

export function requestOf(c: Obj): AdmissionRequest {
  const r = c.request;
  const obj = r.object ?? r.oldObject;
  const { group, version } = splitApiVersion(String(obj?.apiVersion ?? 'v1'));
  const kind = String(obj?.kind ?? '');
  const mapping = kindMapping(group, kind);
  const resource = r.resource ?? { group, version, resource: mapping.resource };
  const namespaced = r.scope ? r.scope === 'Namespaced' : mapping.namespaced;
  const namespace = namespaced ? String(r.namespace ?? obj?.metadata?.namespace ?? '') : '';
  const fix = (o: Obj | undefined): Obj | null => {
    if (!o) return null;
    const copy = structuredClone(o);
    copy.metadata ??= {};
    if (namespaced) copy.metadata.namespace ??= namespace;
    else delete copy.metadata.namespace;
    return copy;
  };
  return {
    operation: r.operation, object: fix(r.object), oldObject: fix(r.oldObject),
    kind: { group, version, kind }, resource, subResource: r.subResource ?? '',
    namespace, name: String(r.name ?? obj?.metadata?.name ?? ''), namespaced,
    userInfo: r.userInfo, dryRun: r.dryRun, options: r.options,
  };
}

export function runCase(c: Obj): AdmissionVerdict {
  const decision = c.authorizer ?? 'allow';
  return evaluateAdmission(requestOf(c), {
    policies: c.policies ?? [], bindings: c.bindings ?? [], params: c.params ?? [], namespaces: c.namespaces ?? [],
    assumeMissingNamespaces: false,
    identityKnown: true,
    paramKind: (apiVersion, kind) => {
      const pk = (c.paramKinds ?? []).find((p: Obj) => p.apiVersion === apiVersion && p.kind === kind);
      if (!pk) return undefined;
      return { registered: pk.registered !== false, namespaced: pk.scope ? pk.scope === 'Namespaced' : undefined };
    },
    authorizer: () => ({ allowed: decision === 'allow', reason: 'oracle fixed decision' }),
  });
}

/** Differences with the expected verdict, most important first; [] when the case passes. */
export function compareCase(c: VapCase, got: AdmissionVerdict): string[] {
  const want = c.expected.admission;
  const diffs: string[] = [];
  if (got.allowed !== want.allowed) diffs.push(`allowed: want ${want.allowed}, got ${got.allowed} (${got.message ?? ''})`);
  if (!want.allowed && got.allowed === false) {
    if (got.code !== want.code) diffs.push(`code: want ${want.code}, got ${got.code}`);
    if (got.message !== want.message) diffs.push(`message: want ${JSON.stringify(want.message)}, got ${JSON.stringify(got.message)}`);
  }
  if (JSON.stringify(got.warnings) !== JSON.stringify(want.warnings ?? [])) diffs.push(`warnings: want ${JSON.stringify(want.warnings)}, got ${JSON.stringify(got.warnings)}`);
  const wantAudit = want.auditAnnotations ?? {};
  if (JSON.stringify(sortKeys(got.auditAnnotations)) !== JSON.stringify(sortKeys(wantAudit))) diffs.push(`auditAnnotations: want ${JSON.stringify(wantAudit)}, got ${JSON.stringify(got.auditAnnotations)}`);
  for (const wp of c.expected.policies ?? []) {
    const gp = got.policies.find((p) => p.name === wp.name);
    if (!gp) { diffs.push(`policy ${wp.name}: missing`); continue; }
    if (gp.matches !== wp.matches) diffs.push(`policy ${wp.name}: matches want ${wp.matches}`);
    for (const wb of wp.bindings ?? []) {
      const gb = gp.bindings.find((b) => b.name === wb.name);
      if (!gb) { diffs.push(`binding ${wb.name}: missing`); continue; }
      if (gb.matches !== wb.matches) diffs.push(`binding ${wb.name}: matches want ${wb.matches}`);
      (wb.evaluations ?? []).forEach((we: Obj, i: number) => {
        const ge = gb.evaluations[i];
        for (const wv of we.validations ?? []) {
          const gv = ge?.validations.find((v) => v.index === wv.index);
          if (!gv) { diffs.push(`validation ${wv.index}: missing`); continue; }
          if (gv.evaluation !== wv.evaluation || gv.action !== wv.action) diffs.push(`validation ${wv.index}: want ${wv.evaluation}/${wv.action}, got ${gv.evaluation}/${gv.action} ${gv.message ?? ''}`);
          else if (wv.message !== undefined && gv.message !== wv.message) diffs.push(`validation ${wv.index} message: want ${JSON.stringify(wv.message)}, got ${JSON.stringify(gv.message)}`);
        }
      });
    }
  }
  return diffs;
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

/** The verdict part only: allowed, warnings and each validation's evaluation/action (no message texts). */
export function verdictDiffs(diffs: readonly string[]): string[] {
  return diffs.filter((d) => !/message|^code/.test(d));
}
