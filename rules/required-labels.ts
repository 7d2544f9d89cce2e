import { requiredMetadataRule } from './_templates/required-metadata.ts';

export default requiredMetadataRule({
  id: 'required-labels',
  field: 'labels',
  title: 'Objects carry the labels your organisation requires',
  severity: 'medium',
  description:
    'Ownership, cost and policy tooling (and NetworkPolicy or PodDisruptionBudget selectors) rely on labels; an object without them has no owner to page and escapes label-based policy. Off until configured: option `labels` lists required keys (`[team, app.kubernetes.io/name]`) or maps keys to a regular expression the whole value must match (`{ team: "[a-z-]+" }`); `kinds` limits the kinds checked, `workloadsOnly: true` checks only objects that run pods, and `podTemplate: true` also checks the pod template of workloads. A present but empty value counts as missing.',
  remediation: 'Add the missing labels under `metadata.labels` (and under the pod template\'s `metadata.labels` for workloads), typically from a shared Helm helper so every template gets them.',
  references: [
    { title: 'Kubernetes: labels and selectors', url: 'https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/' },
    { title: 'Kubernetes: recommended labels', url: 'https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/' },
  ],
  echoValue: true,
});
