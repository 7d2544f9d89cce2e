// The scan pipeline's one call into admission: load policy files, prepare the evaluation, and report
// unreadable files and policies that do not compile (the API server would refuse them) as scan errors.
import path from 'node:path';
import type { Finding, ScanError, ScannedObject } from '../model/model.ts';
import type { Config } from '../config/config.ts';
import { filesUnderAt, readFilesAt } from './git.ts';
import { loadPolicyFiles, policyObjectsOf, prepareAdmission, removedObjects, type AdmissionContext } from '../admission/prepared.ts';
import { compilePolicy } from '../admission/vap.ts';
import { evaluate } from '../engine/evaluate.ts';
import admissionPolicy from '../../rules/admission-policy.ts';

/**
 * The configuration's policy files as a pull request's base commit has them (issue 11: whoever writes the
 * pull request cannot weaken the policies that judge it); a path the base lacks is an error, not a pass.
 */
export async function policyFilesAtBase(repoRoot: string, sha: string, paths: readonly string[]): Promise<{ texts: { file: string; text: string }[]; errors: ScanError[] }> {
  const texts: { file: string; text: string }[] = [];
  const errors: ScanError[] = [];
  for (const p of paths) {
    const rel = path.relative(repoRoot, p);
    const files = await filesUnderAt(repoRoot, sha, rel);
    if (!Array.isArray(files)) { errors.push({ kind: 'config', file: rel, message: files.message }); continue; }
    const wanted = files.filter((f) => /\.(ya?ml|json)$/.test(f));
    if (wanted.length === 0) { errors.push({ kind: 'config', file: rel, message: `policy path does not exist at the base commit ${sha.slice(0, 12)}` }); continue; }
    const read = await readFilesAt(repoRoot, sha, wanted);
    read.forEach((r, i) => {
      if (r.kind === 'file') texts.push({ file: wanted[i]!, text: r.text });
      else errors.push({ kind: 'config', file: wanted[i]!, message: r.kind === 'missing' ? 'missing at the base commit' : r.message });
    });
  }
  return { texts, errors };
}

export function prepareScanAdmission(objects: readonly ScannedObject[], policyPaths: readonly string[], repoRoot: string, atBase?: { texts: { file: string; text: string }[]; errors: ScanError[] }, context: AdmissionContext = {}): ScanError[] {
  const rel = (f: string) => path.relative(repoRoot, path.resolve(f)) || '.';
  const fromDisk = loadPolicyFiles(policyPaths.map((p) => path.resolve(p)));
  const fromBase = atBase ? policyObjectsOf(atBase.texts) : { objects: [], errors: [] };
  const policyObjects = [...fromBase.objects, ...fromDisk.objects];
  const errors = [...fromBase.errors, ...fromDisk.errors];
  const out: ScanError[] = [...(atBase?.errors ?? []), ...errors.map((e): ScanError => ({ kind: 'config', file: rel(e.file), message: e.message }))];
  prepareAdmission(objects, policyObjects, context);
  const policies = [...policyObjects, ...objects.map((o) => o.raw)].filter((o) => (o as { kind?: unknown }).kind === 'ValidatingAdmissionPolicy' && String((o as { apiVersion?: unknown }).apiVersion ?? '').startsWith('admissionregistration.k8s.io/'));
  for (const policy of policies) {
    for (const e of compilePolicy(policy as Record<string, unknown>).errors) {
      out.push({ kind: 'config', file: policyPaths.length > 0 ? rel(policyPaths[0]!) : '.', message: `ValidatingAdmissionPolicy ${e.policy}: ${e.field} does not compile: ${e.expression}: ${e.error}` });
    }
  }
  return out;
}

/**
 * Findings of the DELETE requests for the base's objects the change removes (a base scan only; none
 * without policies matching DELETE). They are the base's objects, on the base's file: located on the
 * object (the head has no line of it), never re-rendered by provenance.
 */
export function deletionFindings(config: Config): Finding[] {
  const removed = removedObjects();
  if (removed.length === 0 || config.rules[admissionPolicy.meta.id]?.enabled === false) return [];
  return evaluate(removed, [admissionPolicy], config).findings.map((f) => {
    const { line: _line, ...source } = f.source;
    return { ...f, source: { ...source, located: 'object', unproven: 'the change removes this object: it is sent as a DELETE request' } };
  });
}
