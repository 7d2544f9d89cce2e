// Custom rules of .preadmit.yaml (src/admission/custom-rules.ts) as rule modules: one object rule each,
// evaluating its CEL expression on the admission policies' engine with `object` and `pod`.
import type { ObjectRule, Report } from '../../src/engine/rule-kit.ts';
import { podTemplateOf } from '../../src/k8s/workloads.ts';
import { celErrorMessage, compileCustomRuleCel, toCel, type CelProgram } from '../../src/admission/cel.ts';
import type { CustomRuleConfig } from '../../src/admission/custom-rules.ts';

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
