// Custom rules written in CEL in .preadmit.yaml (`customRules`), on the admission policies' CEL engine:
// `expression` holds for an object that is fine (like a ValidatingAdmissionPolicy validation); when it is
// false the object gets a finding with `message` or `messageExpression`. A runtime error is a finding too
// (fail closed), never a silent pass.
import type { Severity } from '../core/model.ts';
import type { ObjectRule, Report } from '../engine/rule-kit.ts';
import { podTemplateOf } from '../k8s/workloads.ts';
import { celErrorMessage, compileCustomRuleCel, toCel, type CelProgram } from './cel.ts';

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

function program(expression: string): CelProgram {
  const c = compileCustomRuleCel(expression);
  if (!c.ok) throw new Error(`expression does not compile: ${c.error}`); // refused at configuration load
  return c.program;
}

export function customRulesOf(rules: readonly CustomRuleConfig[]): ObjectRule[] {
  return rules.map((rule): ObjectRule => {
    const check = program(rule.expression);
    const messageProgram = rule.messageExpression !== undefined ? program(rule.messageExpression) : undefined;
    const fallback = rule.message ?? `custom rule ${rule.id} failed: ${rule.expression}`;
    return {
      target: 'object',
      ...(rule.match?.kinds ? { kinds: rule.match.kinds } : {}),
      meta: {
        id: rule.id,
        title: rule.title ?? `Custom rule ${rule.id}`,
        category: 'admission',
        defaultSeverity: rule.severity ?? 'medium',
        description: `A rule of this repository's .preadmit.yaml, in CEL: ${rule.expression}`,
        remediation: rule.message ?? 'Change the object so the custom rule\'s expression holds.',
        references: [],
        messages: { failed: '{{message}}', error: 'custom rule {{id}} could not be evaluated on this object: {{error}}' },
      },
      *check(object): Iterable<Report> {
        const template = podTemplateOf(object.raw);
        const vars = { object: toCel(object.raw), pod: template ? toCel(template.spec) : null };
        let value: unknown;
        try {
          value = check(vars);
        } catch (err) {
          yield { messageId: 'error', path: '', data: { id: rule.id, error: celErrorMessage(err) } };
          return;
        }
        if (value === true) return;
        if (value !== false) {
          yield { messageId: 'error', path: '', data: { id: rule.id, error: 'the expression did not return a bool' } };
          return;
        }
        let message = fallback;
        if (messageProgram) {
          try {
            const m = messageProgram(vars);
            if (typeof m === 'string' && m.trim() !== '') message = m.trim();
          } catch { /* the static message stands in, as for admission policies */ }
        }
        yield { messageId: 'failed', path: template ? `${template.base}/spec` : '', data: { message } };
      },
    };
  });
}
