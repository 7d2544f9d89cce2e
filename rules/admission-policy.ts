// The cluster's own ValidatingAdmissionPolicies (CEL) applied to each object as the request deploying it
// sends it (CREATE; with a base scan, UPDATE of an object the base deploys, DELETE of one the change
// removes): one finding per failed validation of a matching binding (issue 19). The evaluation is prepared by the scan
// (src/admission/prepared.ts); this rule only reads it.
import { admissionOf, operationOf } from '../src/admission/prepared.ts';
import type { Severity } from '../src/model/model.ts';
import { defineRule, type Report } from '../src/engine/rule-kit.ts';

const SEVERITY_BY_ACTION: Record<string, Severity> = { Deny: 'high', Warn: 'medium', Audit: 'low' };

/**
 * Where in the object a validation looks: the first `object.a.b` chain of its expression, down to the
 * deepest field the object has plus the one it lacks (where a missing field belongs), so the finding gets
 * a line (and a values line through provenance). '' when the expression reads no object field directly.
 */
export function pointerOf(expression: string | undefined, raw: unknown): string {
  const m = /\bobject((?:\.\??[A-Za-z_][A-Za-z0-9_]*)+)/.exec(expression ?? '');
  if (!m) return '';
  const fields = m[1]!.split('.').filter((f) => f !== '').map((f) => f.replace(/^\?/, ''));
  let node: unknown = raw;
  let pointer = '';
  for (const field of fields) {
    const esc = field.replace(/~/g, '~0').replace(/\//g, '~1');
    if (node === null || typeof node !== 'object' || Array.isArray(node)) break;
    pointer += `/${esc}`;
    if (!(field in (node as Record<string, unknown>))) break;
    node = (node as Record<string, unknown>)[field];
  }
  return pointer;
}

export default defineRule({
  target: 'object',
  scope: 'scan',
  meta: {
    id: 'admission-policy',
    title: 'Objects pass the ValidatingAdmissionPolicies of the cluster',
    category: 'admission',
    defaultSeverity: 'high',
    description:
      'ValidatingAdmissionPolicies (CEL, built into Kubernetes since 1.30) are how platform teams enforce their rules in the cluster; a chart change one of them rejects is otherwise found when the deploy fails. preadmit evaluates the policies given with `--policies` and those among the scanned objects exactly as the API server does (matching, params, matchConditions, variables, failurePolicy): as a CREATE request, or, compared with a base revision (`--base`, pull requests), as an UPDATE of an object the base deploys under the same name (with it as `oldObject`) and a DELETE of an object the change removes (seen only by policies matching DELETE). Deny blocks at high, Warn is medium, Audit low. A decision that needs the live cluster (authorizer, or `request.userInfo` when no identity is configured with `admission.userInfo` or `--as`) is reported as unknown, never as a pass.',
    remediation: 'Change the object so the validation holds (its message says what the policy requires), or have the policy owners change the policy or its binding.',
    references: [
      { title: 'Kubernetes: Validating Admission Policy', url: 'https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/' },
    ],
    messages: {
      failed: "{{action}} by ValidatingAdmissionPolicy {{policy}} (binding {{binding}}, validation {{index}}){{request}}: {{message}}",
      unknown: 'ValidatingAdmissionPolicy {{policy}} (binding {{binding}}, validation {{index}}){{request}} needs the live cluster to decide: {{message}}',
    },
  },
  *check(object) {
    const verdict = admissionOf(object);
    if (!verdict) return;
    // A CREATE says nothing more; an UPDATE or DELETE says so (the base revision deploys the object).
    const operation = operationOf(object);
    const request = operation === 'UPDATE' ? ' on UPDATE (the base revision deploys this object)' : operation === 'DELETE' ? ' on DELETE (the change removes this object)' : '';
    // A DELETE is another request than the object's CREATE or UPDATE: never the same finding as one of them.
    const keyOf = (key: string) => (operation === 'DELETE' ? `${key}/DELETE` : key);
    for (const policy of verdict.policies) {
      for (const binding of policy.bindings) {
        for (const ev of binding.evaluations) {
          const outcomes: { index: number; action: string; message?: string; expression?: string }[] = ev.policyError ? [{ index: 0, action: ev.policyError.action, message: ev.policyError.message }] : ev.validations;
          for (const v of outcomes) {
            if (v.action !== 'deny' && v.action !== 'unknown') continue;
            const data = { policy: policy.name, binding: binding.name, index: v.index, message: v.message ?? '', request };
            const path = operation === 'DELETE' ? '' : pointerOf(v.expression, object.raw);
            // One finding per param too (a selector can pick several): the param is part of the key.
            const param = ev.param ? `/${String(ev.param.metadata?.namespace ?? '')}/${String(ev.param.metadata?.name ?? '')}` : '';
            if (v.action === 'unknown') {
              yield { messageId: 'unknown', path, key: keyOf(`${policy.name}/${binding.name}/${v.index}${param}`), data: { ...data, action: 'unknown' }, severity: 'medium' } satisfies Report;
              continue;
            }
            for (const action of binding.validationActions) {
              const report: Report = { messageId: 'failed', path, key: keyOf(`${policy.name}/${binding.name}/${v.index}/${action}${param}`), data: { ...data, action: action === 'Deny' ? 'Denied' : action === 'Warn' ? 'Warned' : 'Audited' } };
              const severity = SEVERITY_BY_ACTION[action];
              if (severity) report.severity = severity;
              yield report;
            }
          }
        }
      }
    }
  },
});
