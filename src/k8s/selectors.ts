// Kubernetes label selectors, as the API server evaluates them.
import { arr, isObj, scalarText, str, type Obj } from './values.ts';

export type Labels = Readonly<Record<string, string>>;

export function labelsOf(metadata: unknown): Labels {
  const labels = isObj(metadata) && isObj(metadata.labels) ? metadata.labels : {};
  // No prototype: a selector asking for `toString` or `__proto__` finds a label only when there is one.
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(labels)) {
    if (typeof value === 'string') out[key] = value;
    else if (scalarText(value) !== undefined) out[key] = scalarText(value)!;
  }
  return out;
}

export interface Selector {
  /** An empty selector selects everything. */
  empty: boolean;
  /** Label pairs every match must carry (for indexed lookups); empty when the selector has none. */
  required: readonly (readonly [string, string])[];
  matches(labels: Labels): boolean;
}

const NOTHING: Selector = { empty: false, required: [], matches: () => false };
const EVERYTHING: Selector = { empty: true, required: [], matches: () => true };

/**
 * A LabelSelector (matchLabels + matchExpressions). `undefined`/null selects everything, as in
 * NetworkPolicy.podSelector; a malformed selector selects nothing (the API server would reject it).
 */
export function labelSelector(value: unknown): Selector {
  if (value === undefined || value === null) return EVERYTHING;
  if (!isObj(value)) return NOTHING;
  const terms: ((labels: Labels) => boolean)[] = [];
  const required: [string, string][] = [];
  if (value.matchLabels !== undefined && value.matchLabels !== null) {
    if (!isObj(value.matchLabels)) return NOTHING;
    for (const [key, expected] of Object.entries(value.matchLabels)) {
      const want = scalarText(expected);
      if (want === undefined) return NOTHING; // a list or mapping as a label value: the API server rejects it
      required.push([key, want]);
      terms.push((labels) => labels[key] === want);
    }
  }
  if (value.matchExpressions !== undefined && value.matchExpressions !== null) {
    if (!Array.isArray(value.matchExpressions)) return NOTHING;
    for (const expression of value.matchExpressions) {
      const term = expressionTerm(expression);
      if (term === undefined) return NOTHING;
      terms.push(term);
    }
  }
  if (terms.length === 0) return EVERYTHING;
  return { empty: false, required, matches: (labels) => terms.every((term) => term(labels)) };
}

function expressionTerm(expression: unknown): ((labels: Labels) => boolean) | undefined {
  if (!isObj(expression)) return undefined;
  const key = str(expression.key);
  const operator = str(expression.operator);
  if (key === undefined || operator === undefined) return undefined;
  const texts = arr(expression.values).map(scalarText);
  if (texts.some((t) => t === undefined)) return undefined;
  const values = new Set(texts as string[]);
  switch (operator) {
    case 'In':
      return (labels) => labels[key] !== undefined && values.has(labels[key]!);
    case 'NotIn':
      return (labels) => labels[key] === undefined || !values.has(labels[key]!);
    case 'Exists':
      return (labels) => labels[key] !== undefined;
    case 'DoesNotExist':
      return (labels) => labels[key] === undefined;
    default:
      return undefined;
  }
}

/** A Service's `spec.selector` (a plain map): absent or empty selects no pods (endpoints are managed by hand). */
export function serviceSelector(value: unknown): Selector {
  if (!isObj(value) || Object.keys(value).length === 0) return NOTHING;
  const entries: (readonly [string, string])[] = [];
  for (const [k, v] of Object.entries(value)) {
    const text = scalarText(v);
    if (text === undefined) return NOTHING;
    entries.push([k, text]);
  }
  return { empty: false, required: entries, matches: (labels) => entries.every(([k, v]) => labels[k] === v) };
}

export type { Obj };
