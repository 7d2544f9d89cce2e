// Label selectors as admission matching applies them: invalid selectors are errors (a configuration error of
// the policy or binding), not "no match".

export class SelectorError extends Error {}

interface Requirement { key?: unknown; operator?: unknown; values?: unknown }
interface LabelSelector { matchLabels?: Record<string, unknown>; matchExpressions?: Requirement[] }

export function isEmptySelector(selector: unknown): boolean {
  const s = selector as LabelSelector | undefined | null;
  if (!s || typeof s !== 'object') return true;
  return Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

/** Throws SelectorError for selectors the API server's conversion rejects. */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  const s = (selector ?? {}) as LabelSelector;
  const checks: Array<() => boolean> = [];
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) checks.push(() => labels[k] === String(v));
  for (const req of s.matchExpressions ?? []) {
    const key = String(req.key ?? '');
    const values = Array.isArray(req.values) ? req.values.map(String) : [];
    switch (req.operator) {
      case 'In':
      case 'NotIn': {
        if (values.length === 0) throw new SelectorError(`Internal error occurred: values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty`);
        const inSet = () => key in labels && values.includes(labels[key] as string);
        checks.push(req.operator === 'In' ? inSet : () => !inSet());
        break;
      }
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) throw new SelectorError(`Internal error occurred: values: Invalid value: ${JSON.stringify(values)}: values set must be empty for exists and does not exist`);
        checks.push(req.operator === 'Exists' ? () => key in labels : () => !(key in labels));
        break;
      default:
        throw new SelectorError(`Internal error occurred: "${String(req.operator)}" is not a valid label selector operator`);
    }
  }
  return checks.every((c) => c());
}

export function labelsOf(object: unknown): Record<string, string> {
  const labels = (object as { metadata?: { labels?: unknown } } | null)?.metadata?.labels;
  if (!labels || typeof labels !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) out[k] = String(v);
  return out;
}
