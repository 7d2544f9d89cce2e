import { pssCheckRule } from './_templates/pss-check.ts';

export default pssCheckRule({
  id: 'pss-restricted-volumes',
  check: 'restrictedVolumes',
  level: 'restricted',
  title: 'Only restricted volume types',
  severity: 'medium',
  description:
    'Volume types other than configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret reach node or network storage directly.',
  remediation: 'Use a persistentVolumeClaim (or one of the allowed volume types) instead of the direct volume source.',
});
