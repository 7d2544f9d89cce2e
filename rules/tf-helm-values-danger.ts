// A helm_release whose chart cannot be rendered offline (remote, or missing) is still checked for values
// that are dangerous whatever the chart does with them: privileged containers, host namespaces, host
// paths, root users. Local charts are rendered instead, and their objects checked by every rule.
import { defineRule, type Report } from '../src/engine/rule-kit.ts';
import type { Severity } from '../src/model/model.ts';
import { escapeToken } from '../src/model/pointer.ts';
import { arr, isObj, str } from '../src/k8s/values.ts';
import { providerValues } from '../src/terraform/strvals.ts';
import { capabilityName, DANGEROUS_CAPABILITIES } from '../src/k8s/capabilities.ts';


interface Danger {
  messageId: string;
  severity: Severity;
}

/** Whether `key: value` (under `parent`) is dangerous in any chart's values. */
function danger(key: string, value: unknown, parent: string | undefined): Danger | undefined {
  const truthy = value === true || value === 'true';
  switch (key) {
    case 'privileged':
      return truthy ? { messageId: 'privileged', severity: 'high' } : undefined;
    case 'hostNetwork':
    case 'hostPID':
    case 'hostIPC':
      return truthy ? { messageId: 'hostNamespace', severity: 'high' } : undefined;
    case 'allowPrivilegeEscalation':
      return truthy ? { messageId: 'escalation', severity: 'medium' } : undefined;
    case 'runAsUser':
      return value === 0 || value === '0' ? { messageId: 'root', severity: 'medium' } : undefined;
    case 'runAsNonRoot':
      return value === false || value === 'false' ? { messageId: 'root', severity: 'medium' } : undefined;
    case 'hostPath':
      return (isObj(value) && Object.keys(value).length > 0) || (typeof value === 'string' && value !== '') ? { messageId: 'hostPath', severity: 'high' } : undefined;
    case 'hostPort':
      return typeof value === 'number' && value > 0 ? { messageId: 'hostPort', severity: 'medium' } : undefined;
    case 'add':
      if (parent !== 'capabilities') return undefined;
      return arr(value).some((c) => typeof c === 'string' && DANGEROUS_CAPABILITIES.has(capabilityName(c)))
        ? { messageId: 'capabilities', severity: 'high' }
        : undefined;
    default:
      return undefined;
  }
}

function walk(node: unknown, pointer: string, keys: string[], where: string, out: Report[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => walk(item, `${pointer}/${i}`, [...keys, String(i)], where, out));
    return;
  }
  if (!isObj(node)) return;
  for (const [key, value] of Object.entries(node)) {
    const path = [...keys, key];
    const at = `${pointer}/${escapeToken(key)}`;
    const found = danger(key, value, keys[keys.length - 1]);
    if (found) out.push({ messageId: found.messageId, path: at, data: { key: path.join('.'), where }, severity: found.severity });
    else walk(value, at, path, where, out);
  }
}

export default defineRule({
  target: 'object',
  kinds: ['helm_release'],
  meta: {
    id: 'tf-helm-values-danger',
    title: 'helm_release values must not ask for host access or privileges',
    category: 'values',
    defaultSeverity: 'high',
    description:
      'When a helm_release chart is remote (or otherwise not in the repository) preadmit cannot render it offline, but values that ask for privileged containers, host namespaces, host paths, dangerous capabilities or root are dangerous whatever the chart does with them. Checked in `values` and `set`/`set_list`/`set_sensitive` entries (sensitive values are judged like any other and never printed).',
    remediation: 'Remove the setting from the release values, or vendor the chart into the repository so its rendered manifests are checked by every rule.',
    references: [{ title: 'Pod Security Standards', url: 'https://kubernetes.io/docs/concepts/security/pod-security-standards/' }],
    messages: {
      privileged: '{{where}} sets {{key}}: privileged containers are root on the node',
      hostNamespace: '{{where}} sets {{key}}: pods share the node\'s namespaces',
      escalation: '{{where}} sets {{key}}: processes may gain more privileges than their parent',
      root: '{{where}} sets {{key}}: containers may run as root',
      hostPath: '{{where}} sets {{key}}: pods mount a path of the node',
      hostPort: '{{where}} sets {{key}}: pods bind a port on the node',
      capabilities: '{{where}} sets {{key}} with a dangerous capability',
    },
  },
  *check(release) {
    if (release.ref.apiVersion !== 'terraform/v1' || release.raw.chartSource === 'local') return;
    const reports: Report[] = [];
    arr(release.raw.values).forEach((doc, i) => walk(doc, `/values/${i}`, [], `values[${i}]`, reports));
    for (const attribute of ['set', 'set_list', 'set_sensitive'] as const) {
      for (const [i, entry] of arr(release.raw[attribute]).entries()) {
        if (!isObj(entry)) continue;
        const name = str(entry.name);
        if (name === undefined) continue;
        // what the provider makes of the entry alone (strvals: `a=x,b.privileged=true` sets two keys, `True` is a boolean)
        let parsed: Record<string, unknown>;
        try {
          const value = Array.isArray(entry.value) ? entry.value.map((v) => (v === null ? null : String(v))) : entry.value === null || entry.value === undefined ? null : String(entry.value);
          parsed = providerValues([], [{ attribute, index: i, name, value, ...(typeof entry.type === 'string' ? { type: entry.type } : {}) }]);
        } catch {
          continue; // the provider cannot apply it either (reported by the loader)
        }
        const found: Report[] = [];
        walk(parsed, '', [], `${attribute}[${i}]`, found);
        for (const report of found) reports.push({ ...report, path: `/${attribute}/${i}/value` });
      }
    }
    yield* reports;
  },
});
