// Template for policy rules that require metadata keys (labels, annotations) on objects and, optionally,
// on the pod templates of workloads. Every such rule is a no-op until its options name what is required.
//
// Options (`<field>` is `labels` or `annotations`):
//   <field>:        string[] (the keys must be present with a non-empty value) or
//                   Record<key, regex> (the whole value must match; '' means any non-empty value)
//   kinds:          string[]  only objects of these kinds (default: every kind)
//   workloadsOnly:  boolean   only objects that carry a pod template (Deployment, CronJob, Pod, ...)
//   podTemplate:    boolean   also require the keys on the pod template's metadata of workloads
import { join } from '../../src/model/pointer.ts';
import { compileUserPattern } from '../../src/config/user-pattern.ts';
import type { ScannedObject } from '../../src/model/model.ts';
import type { ObjectRule, Report, RuleMeta } from '../../src/engine/rule-kit.ts';
import { isObj, obj } from '../../src/k8s/values.ts';
import { isPodCarrier, podTemplateOf } from '../../src/k8s/workloads.ts';

export interface Requirement {
  key: string;
  /** Source of the pattern the value must match in full; undefined: any non-empty value. */
  pattern?: string;
  regex?: RegExp;
}

/** Requirements from the option value; a malformed option reads as none, an invalid regex throws (and the engine reports it). */
export function requirementsOf(value: unknown, field: string): Requirement[] {
  if (Array.isArray(value)) {
    return value.filter((k): k is string => typeof k === 'string' && k !== '').map((key) => ({ key }));
  }
  if (!isObj(value)) return [];
  return Object.entries(value).flatMap(([key, pattern]): Requirement[] => {
    if (key === '') return [];
    if (typeof pattern !== 'string' || pattern === '') return [{ key }];
    // The pattern comes from the configuration (in the pull request too) and runs on values from manifests:
    // it is matched in linear time (compileUserPattern), never by a backtracking engine.
    const regex = compileUserPattern(pattern, `option ${field}.${key}`);
    if (regex instanceof Error) throw regex;
    return [{ key, pattern, regex }];
  });
}

/** A metadata value as a string: numbers and booleans stringified (as YAML authors mean them), others absent. */
function valueOf(map: unknown, key: string): string | undefined {
  const value = obj(map)?.[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export interface RequiredMetadataSpec {
  id: string;
  field: 'labels' | 'annotations';
  title: string;
  severity: RuleMeta['defaultSeverity'];
  description: string;
  remediation: string;
  references: RuleMeta['references'];
  /** Whether messages may quote the offending value (labels: yes; annotations may hold anything). */
  echoValue: boolean;
}

export function requiredMetadataRule(spec: RequiredMetadataSpec): ObjectRule {
  const noun = spec.field === 'labels' ? 'label' : 'annotation';
  const meta: RuleMeta = {
    id: spec.id,
    title: spec.title,
    category: 'admission',
    defaultSeverity: spec.severity,
    description: spec.description,
    remediation: spec.remediation,
    references: spec.references,
    messages: {
      missing: `{{kind}} "{{name}}" has no ${noun} "{{key}}" in {{where}}`,
      empty: `{{kind}} "{{name}}" has an empty ${noun} "{{key}}" in {{where}}`,
      mismatch: spec.echoValue
        ? `{{kind}} "{{name}}" ${noun} "{{key}}" in {{where}} is "{{value}}", which does not match /{{pattern}}/`
        : `{{kind}} "{{name}}" ${noun} "{{key}}" in {{where}} does not match /{{pattern}}/`,
    },
  };

  function* checkMetadata(object: ScannedObject, metadata: unknown, base: string, where: string, required: Requirement[]): Generator<Report> {
    const map = obj(metadata)?.[spec.field];
    for (const requirement of required) {
      const path = join(`${base}/metadata/${spec.field}`, requirement.key);
      const data: Record<string, string> = { kind: object.ref.kind, name: object.ref.name, key: requirement.key, where };
      const value = valueOf(map, requirement.key);
      if (value === undefined) yield { messageId: 'missing', path, data };
      else if (requirement.regex === undefined) {
        if (value.trim() === '') yield { messageId: 'empty', path, data };
      } else if (!requirement.regex.test(value)) {
        yield { messageId: 'mismatch', path, data: { ...data, pattern: requirement.pattern ?? '', value: value.length > 80 ? `${value.slice(0, 77)}...` : value } };
      }
    }
  }

  return {
    meta,
    target: 'object',
    *check(object, context) {
      const required = requirementsOf(context.options[spec.field], spec.field);
      if (required.length === 0) return;
      const kinds = Array.isArray(context.options.kinds) ? context.options.kinds.filter((k): k is string => typeof k === 'string') : [];
      if (kinds.length > 0 && !kinds.includes(object.ref.kind)) return;
      const carrier = isPodCarrier(object.ref.apiVersion, object.ref.kind);
      if (context.options.workloadsOnly === true && !carrier) return;
      yield* checkMetadata(object, object.raw.metadata, '', 'metadata', required);
      if (context.options.podTemplate === true && carrier) {
        const template = podTemplateOf(object.raw);
        if (template && template.base !== '') yield* checkMetadata(object, template.metadata, template.base, 'the pod template metadata', required);
      }
    },
  };
}
