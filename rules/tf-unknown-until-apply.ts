// What a plan does not know is never safe: a value that a security check reads, unknown until apply,
// is reported as such (and so are objects the plan does not describe at all, and helm_release values
// the render had to do without). Rules that read such a value report their own finding as "unknown
// until apply" at a lower severity; this rule covers values whose absence would otherwise read as safe.
import { defineRule, type Report } from '../src/engine/rule-kit.ts';
import { tokens } from '../src/model/pointer.ts';
import { arr, isObj, str } from '../src/k8s/values.ts';
import { unknownOf } from '../src/terraform/unknown.ts';

/** Field names that security checks read: an unknown value here could be a violation. */
const SECURITY_FIELDS = new Set([
  'spec', 'template', 'jobTemplate', 'containers', 'initContainers', 'ephemeralContainers', 'securityContext', 'privileged',
  'allowPrivilegeEscalation', 'capabilities', 'add', 'runAsUser', 'runAsGroup', 'runAsNonRoot', 'readOnlyRootFilesystem',
  'seccompProfile', 'seLinuxOptions', 'procMount', 'sysctls', 'windowsOptions', 'hostProcess', 'appArmorProfile',
  'hostNetwork', 'hostPID', 'hostIPC', 'hostUsers', 'ports', 'hostPort', 'volumes', 'hostPath', 'path', 'image',
  'automountServiceAccountToken', 'type', 'loadBalancerSourceRanges', 'externalIPs', 'rules', 'subjects', 'roleRef',
  'verbs', 'apiGroups', 'resourceNames', 'nonResourceURLs', 'aggregationRule', 'podSelector', 'policyTypes', 'ingress',
  'egress', 'from', 'to', 'ipBlock', 'cidr', 'except', 'tls', 'manifest', 'yaml_body',
]);
/** Pod Security Admission labels of a namespace. */
const PSA_LABEL = /^pod-security\.kubernetes\.io\//;
/** Terraform types whose pseudo-objects have their own rules (tf-eks-*, tf-gke-*, tf-aks-*). */
const CLUSTERS = new Set(['aws_eks_cluster', 'google_container_cluster', 'azurerm_kubernetes_cluster']);

function relevant(pointer: string): boolean {
  const steps = tokens(pointer);
  const last = steps[steps.length - 1];
  if (last === undefined) return true;
  if (/^\d+$/.test(last)) return SECURITY_FIELDS.has(steps[steps.length - 2] ?? '');
  if (steps[0] === 'metadata') return steps[1] === 'labels' && (steps.length === 2 || PSA_LABEL.test(last));
  return SECURITY_FIELDS.has(last);
}

export default defineRule({
  target: 'object',
  includeTerraformResources: true,
  meta: {
    id: 'tf-unknown-until-apply',
    title: 'Security-relevant values unknown until apply',
    category: 'admission',
    defaultSeverity: 'low',
    description:
      'A Terraform plan does not know values computed during apply (references to resources created in the same plan, data sources read later, provider defaults). preadmit never treats them as safe: an object whose security-relevant fields (security contexts, host access, images, RBAC rules, selectors, Pod Security labels) or whole manifest are unknown is reported here, and helm_release values the render had to do without too.',
    remediation: 'Make the value known at plan time (a literal or a variable instead of a reference to a resource created in the same apply), or review the applied object.',
    references: [{ title: 'Terraform JSON output format: values unknown until apply', url: 'https://developer.hashicorp.com/terraform/internals/json-format#change-representation' }],
    messages: {
      whole: '{{what}} is unknown until apply: it could not be checked',
      field: '{{field}} is unknown until apply: the checks that read it could not decide',
      values: 'helm_release values ({{field}}) are unknown until apply: the chart was checked without them',
      set: 'helm_release {{attribute}} entry "{{name}}" has a value unknown until apply: the chart was checked without it',
      chart: 'helm_release {{field}} is unknown until apply: the chart could not be located',
    },
  },
  *check(object): Generator<Report> {
    if (object.source.kind !== 'terraform' || CLUSTERS.has(object.ref.kind)) return;
    const unknown = unknownOf(object);
    if (unknown.length === 0) return;
    if (unknown.includes('')) {
      const what = object.ref.apiVersion === 'terraform/v1' ? `${object.ref.kind} ${object.ref.name}` : `${object.ref.kind} ${object.ref.name || object.source.address || ''}`;
      yield { messageId: 'whole', path: '', data: { what: what.trim() }, severity: 'medium' };
      return;
    }
    if (object.ref.kind === 'helm_release' && object.ref.apiVersion === 'terraform/v1') {
      for (const pointer of unknown) {
        const steps = tokens(pointer);
        const attribute = steps[0] ?? '';
        if (attribute === 'values') yield { messageId: 'values', path: pointer, data: { field: steps.length > 1 ? `values[${steps[1]}]` : 'values' } };
        else if (attribute.startsWith('set')) {
          const entry = arr(object.raw[attribute])[Number(steps[1])];
          yield { messageId: 'set', path: pointer, data: { attribute, name: (isObj(entry) ? str(entry.name) : undefined) ?? `#${steps[1] ?? ''}` } };
        } else yield { messageId: 'chart', path: pointer, data: { field: attribute } };
      }
      return;
    }
    for (const pointer of unknown) if (relevant(pointer)) yield { messageId: 'field', path: pointer, data: { field: pointer } };
  },
});
