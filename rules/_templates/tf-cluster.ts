// Template for rules on managed clusters planned by Terraform (aws_eks_cluster, google_container_cluster,
// azurerm_kubernetes_cluster). The loader represents each as a pseudo-object `terraform/v1 <type>` named by
// its address, `raw` the planned values, `unknown` the pointers unknown until apply. Paths are JSON
// pointers into the planned values (`/vpc_config/0/public_access_cidrs/0`).
// A rule reads values through `planned()`: an unknown value is never a violation and never safe; the
// rule reports it with the `unknown` message at a lower severity (unknownSeverity).
import type { ScannedObject, Severity } from '../../src/model/model.ts';
import { get } from '../../src/model/pointer.ts';
import type { Category, ObjectRule, Report, RuleContext, RuleMeta } from '../../src/engine/rule-kit.ts';
import { isUnknownAt, unknownOf, unknownSeverity, UNKNOWN_NOTE } from '../../src/terraform/unknown.ts';

export type Planned = { known: true; value: unknown } | { known: false; pointer: string };

/** The planned value at a pointer: unknown when it (or a container of it) is unknown until apply. */
export function planned(object: ScannedObject, pointer: string): Planned {
  const unknown = unknownOf(object);
  if (isUnknownAt(unknown, pointer)) return { known: false, pointer };
  return { known: true, value: get(object.raw, pointer) };
}

/** First of several pointers (attribute renames across provider versions) that holds a value or is unknown. */
export function plannedAny(object: ScannedObject, pointers: readonly string[]): Planned & { at: string } {
  let firstUnknown: (Planned & { at: string }) | undefined;
  for (const pointer of pointers) {
    const value = planned(object, pointer);
    if (value.known && value.value !== undefined && value.value !== null) return { ...value, at: pointer };
    if (!value.known) firstUnknown ??= { ...value, at: pointer };
  }
  return firstUnknown ?? { known: true, value: undefined, at: pointers[0]! };
}

/** A Terraform attribute path for messages: `/vpc_config/0/public_access_cidrs` -> `vpc_config[0].public_access_cidrs`. */
export function attributeName(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((step) => (/^\d+$/.test(step) ? `[${step}]` : `.${step.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('')
    .replace(/^\./, '');
}

export const UNKNOWN_MESSAGE = `{{attribute}} is ${UNKNOWN_NOTE}: {{why}}`;

export interface ClusterRuleSpec {
  id: string;
  /** Terraform resource types the rule reads. */
  types: readonly string[];
  title: string;
  category: Category;
  severity: Severity;
  description: string;
  remediation: string;
  references: RuleMeta['references'];
  /** Messages besides `unknown` (which every cluster rule has). */
  messages: Record<string, string>;
  check(object: ScannedObject, helpers: ClusterHelpers, context: RuleContext): Iterable<Report>;
}

export interface ClusterHelpers {
  /** The report for a value unknown until apply (lower severity), saying why it matters. */
  unknown(pointer: string, why: string): Report;
}

export function clusterRule(spec: ClusterRuleSpec): ObjectRule {
  const lowered = unknownSeverity(spec.severity);
  const helpers: ClusterHelpers = {
    unknown: (pointer, why) => ({ messageId: 'unknown', path: pointer, data: { attribute: attributeName(pointer) || 'the whole resource', why }, severity: lowered }),
  };
  return {
    target: 'object',
    kinds: spec.types,
    meta: {
      id: spec.id,
      title: spec.title,
      category: spec.category,
      defaultSeverity: spec.severity,
      description: `${spec.description} Read from the Terraform plan; a value the plan does not know yet is reported as "${UNKNOWN_NOTE}" at ${lowered} severity, never as safe.`,
      remediation: spec.remediation,
      references: spec.references,
      messages: { ...spec.messages, unknown: UNKNOWN_MESSAGE },
    },
    *check(object, context) {
      if (object.ref.apiVersion !== 'terraform/v1') return;
      if (isUnknownAt(unknownOf(object), '')) {
        yield helpers.unknown('', 'it could not be checked');
        return;
      }
      yield* spec.check(object, helpers, context);
    },
  };
}

/** A list of strings at a pointer (non-strings dropped). */
export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** CIDRs that mean "anyone". */
export function isWorld(cidr: string): boolean {
  return cidr.trim() === '0.0.0.0/0' || cidr.trim() === '::/0';
}
