// The scan pipeline's one call into admission: load policy files, prepare the evaluation, and report
// unreadable files and policies that do not compile (the API server would refuse them) as scan errors.
import path from 'node:path';
import type { ScanError, ScannedObject } from '../core/model.ts';
import { loadPolicyFiles, prepareAdmission } from './prepared.ts';
import { compilePolicy } from './vap.ts';

export function prepareScanAdmission(objects: readonly ScannedObject[], policyPaths: readonly string[], repoRoot: string): ScanError[] {
  const rel = (f: string) => path.relative(repoRoot, path.resolve(f)) || '.';
  const { objects: policyObjects, errors } = loadPolicyFiles(policyPaths.map((p) => path.resolve(p)));
  const out: ScanError[] = errors.map((e) => ({ kind: 'config', file: rel(e.file), message: e.message }));
  prepareAdmission(objects, policyObjects);
  const policies = [...policyObjects, ...objects.map((o) => o.raw)].filter((o) => (o as { kind?: unknown }).kind === 'ValidatingAdmissionPolicy' && String((o as { apiVersion?: unknown }).apiVersion ?? '').startsWith('admissionregistration.k8s.io/'));
  for (const policy of policies) {
    for (const e of compilePolicy(policy as Record<string, unknown>).errors) {
      out.push({ kind: 'config', file: policyPaths.length > 0 ? rel(policyPaths[0]!) : '.', message: `ValidatingAdmissionPolicy ${e.policy}: ${e.field} does not compile: ${e.expression}: ${e.error}` });
    }
  }
  return out;
}
