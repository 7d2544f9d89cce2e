// Template for the Pod Security Standards rule family: one rule per upstream check. The engine evaluates
// each pod once at the configured version; a rule reports its own check's violations, one report per
// offending field, with a message about that field. A baseline check reports at every level, so a stricter
// level never lowers what baseline forbids; a restricted check reports only what baseline allows (see
// reportedViolations). A check the level or version does not apply simply has no violations.
import type { Category, FixRecipe, PodRule, RuleMeta } from '../../src/engine/rule-kit.ts';
import type { Severity } from '../../src/model/model.ts';

const PSS_DOC = 'https://kubernetes.io/docs/concepts/security/pod-security-standards/';

export interface PssRuleSpec {
  id: string;
  /** Upstream check ID, e.g. `privileged`. */
  check: string;
  level: 'baseline' | 'restricted';
  title: string;
  severity: Severity;
  description: string;
  remediation: string;
  /** The values edit that removes the finding (src/fix), when one is right for every chart. */
  fix?: FixRecipe;
}

export function pssCheckRule(spec: PssRuleSpec): PodRule {
  const category: Category = 'pod-security';
  const meta: RuleMeta = {
    id: spec.id,
    title: spec.title,
    category,
    defaultSeverity: spec.severity,
    description: `${spec.description} Pod Security Standards ${spec.level} check \`${spec.check}\`, evaluated exactly as Pod Security Admission does at the configured policy version.`,
    remediation: spec.remediation,
    references: [
      { title: `Pod Security Standards: ${spec.level}`, url: `${PSS_DOC}#${spec.level}` },
    ],
    messages: { violation: '{{reason}}: {{detail}}' },
  };
  return {
    meta,
    target: 'pod',
    ...(spec.fix ? { fix: spec.fix } : {}),
    *check(pod) {
      for (const violation of pod.pss) {
        if (violation.check !== spec.check) continue;
        for (const field of violation.fields) {
          yield { messageId: 'violation', path: field.path, data: { reason: violation.reason, detail: field.detail } };
        }
      }
    },
  };
}
