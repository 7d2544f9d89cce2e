import { requiredMetadataRule } from './_templates/required-metadata.ts';

export default requiredMetadataRule({
  id: 'required-annotations',
  field: 'annotations',
  title: 'Objects carry the annotations your organisation requires',
  severity: 'medium',
  description:
    'Annotations often carry what admission and operations depend on (owner contact, runbook, data classification); an object without them reaches the cluster without that context. Off until configured: option `annotations` lists required keys or maps keys to a regular expression the whole value must match; `kinds`, `workloadsOnly` and `podTemplate` scope it as for required-labels. A present but empty value counts as missing; values are never quoted in messages.',
  remediation: 'Add the missing annotations under `metadata.annotations` (and under the pod template\'s `metadata.annotations` for workloads).',
  references: [{ title: 'Kubernetes: annotations', url: 'https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/' }],
  echoValue: false,
});
