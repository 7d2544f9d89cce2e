// A key written twice in one mapping: Kubernetes (sigs.k8s.io/yaml over go-yaml v2, non-strict) keeps the
// LAST value, and a reviewer reading the manifest top-down sees the first. preadmit judges the object with
// the last value (src/loaders/go-yaml-value.ts); this rule says the hidden value is there.
import { isDeepStrictEqual } from 'node:util';
import { tokens } from '../src/model/pointer.ts';
import { defineRule } from '../src/engine/rule-kit.ts';

/**
 * Fields that security rules read (Pod Security, RBAC, network, secrets, images): a duplicate on one of
 * them, or on an ancestor whose hidden and effective values differ in one, is high; any other is low.
 */
export const SECURITY_FIELDS: ReadonlySet<string> = new Set([
  // pod and container security
  'securityContext', 'privileged', 'allowPrivilegeEscalation', 'capabilities', 'add', 'drop', 'runAsUser', 'runAsGroup',
  'runAsNonRoot', 'readOnlyRootFilesystem', 'procMount', 'seccompProfile', 'appArmorProfile', 'seLinuxOptions', 'sysctls',
  'windowsOptions', 'hostProcess', 'hostNetwork', 'hostPID', 'hostIPC', 'hostUsers', 'hostPath', 'hostPort', 'hostAliases',
  'volumes', 'volumeMounts', 'containers', 'initContainers', 'ephemeralContainers', 'image', 'command', 'args', 'env',
  'envFrom', 'lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe', 'serviceAccountName', 'serviceAccount',
  'automountServiceAccountToken', 'nodeName', 'runtimeClassName', 'shareProcessNamespace',
  // RBAC
  'rules', 'verbs', 'resources', 'apiGroups', 'resourceNames', 'nonResourceURLs', 'subjects', 'roleRef', 'aggregationRule',
  // network and exposure
  'ingress', 'egress', 'podSelector', 'namespaceSelector', 'ipBlock', 'policyTypes', 'ports', 'externalIPs', 'loadBalancerSourceRanges',
  // secrets and admission labels
  'data', 'stringData', 'labels', 'annotations', 'kind', 'apiVersion', 'namespace',
]);

function touchesSecurity(value: unknown): boolean {
  const stack = [value];
  let budget = 10_000;
  while (stack.length > 0 && budget-- > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (!Array.isArray(node)) for (const key of Object.keys(node)) if (SECURITY_FIELDS.has(key)) return true;
    stack.push(...Object.values(node));
  }
  return false;
}

function shown(value: unknown): string {
  const text = value !== null && typeof value === 'object' ? (Array.isArray(value) ? 'a list' : 'a mapping') : JSON.stringify(value) ?? 'nothing';
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

export default defineRule({
  target: 'object',
  meta: {
    id: 'yaml-duplicate-key',
    title: 'No key written twice in one YAML mapping',
    category: 'admission',
    defaultSeverity: 'low',
    description:
      'kubectl, helm and the API server decode YAML with sigs.k8s.io/yaml, which keeps the LAST of duplicate keys without an error. A reader sees the first value: `privileged: false` near the top and `privileged: true` further down runs privileged. preadmit judges the object with the value Kubernetes uses and reports the duplicate, high when the two values differ on a field security rules read.',
    remediation: 'Write each key once; delete the occurrence that is not meant to apply (and find out why it was added).',
    references: [{ title: 'sigs.k8s.io/yaml (non-strict decoding keeps the last duplicate key)', url: 'https://github.com/kubernetes-sigs/yaml' }],
    messages: {
      duplicate: 'key "{{key}}" is written twice (lines {{firstLine}} and {{line}}): Kubernetes uses the last value ({{effective}}), not the one at line {{firstLine}} ({{hidden}})',
      duplicateRendered:
        'key "{{key}}" is written twice (lines {{firstLine}} and {{line}} of the rendered document): Kubernetes uses the last value ({{effective}}), not the one at line {{firstLine}} ({{hidden}})',
    },
  },
  *check(object) {
    for (const duplicate of object.duplicateKeys ?? []) {
      const differs = !isDeepStrictEqual(duplicate.hidden, duplicate.effective);
      const security = tokens(duplicate.pointer).some((token) => SECURITY_FIELDS.has(token)) || touchesSecurity(duplicate.hidden) || touchesSecurity(duplicate.effective);
      yield {
        // Lines of a chart's render are lines of helm's output document, not of a file in the repository.
        messageId: object.lineOf === undefined ? 'duplicateRendered' : 'duplicate',
        path: duplicate.pointer,
        data: { key: duplicate.key, firstLine: duplicate.firstLine, line: duplicate.line, effective: shown(duplicate.effective), hidden: shown(duplicate.hidden) },
        ...(differs && security ? { severity: 'high' as const } : {}),
      };
    }
  },
});
