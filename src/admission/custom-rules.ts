// Custom rules written in CEL in .preadmit.yaml (`customRules`), on the admission policies' CEL engine:
// `expression` holds for an object that is fine (like a ValidatingAdmissionPolicy validation); when it is
// false the object gets a finding with `message` or `messageExpression`. A runtime error is a finding too
// (fail closed), never a silent pass. Their configuration and its checks live here; the rule modules they
// become, in rules/_templates/custom-cel.ts.
import type { Severity } from '../model/model.ts';
import { compileCustomRuleCel } from './cel.ts';

export interface CustomRuleConfig {
  id: string;
  severity?: Severity;
  title?: string;
  match?: { kinds?: string[] };
  expression: string;
  message?: string;
  messageExpression?: string;
}

/** Compile problems of the configured custom rules, with the JSON pointer of the field. */
export function customRuleProblems(rules: readonly CustomRuleConfig[], builtinIds: readonly string[]): { pointer: string; message: string }[] {
  const problems: { pointer: string; message: string }[] = [];
  rules.forEach((rule, i) => {
    if (builtinIds.includes(rule.id)) problems.push({ pointer: `/customRules/${i}/id`, message: `custom rule id "${rule.id}" is a built-in rule's id` });
    if (rules.findIndex((r) => r.id === rule.id) !== i) problems.push({ pointer: `/customRules/${i}/id`, message: `custom rule id "${rule.id}" is used twice` });
    const expr = compileCustomRuleCel(rule.expression);
    if (!expr.ok) problems.push({ pointer: `/customRules/${i}/expression`, message: `custom rule ${rule.id}: expression does not compile: ${expr.error}` });
    else if (expr.type !== 'bool' && expr.type !== 'dyn') problems.push({ pointer: `/customRules/${i}/expression`, message: `custom rule ${rule.id}: expression must evaluate to bool but got ${expr.type}` });
    if (rule.messageExpression !== undefined) {
      const m = compileCustomRuleCel(rule.messageExpression);
      if (!m.ok) problems.push({ pointer: `/customRules/${i}/messageExpression`, message: `custom rule ${rule.id}: messageExpression does not compile: ${m.error}` });
    }
  });
  return problems;
}
