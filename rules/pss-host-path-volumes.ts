import { pssCheckRule } from './_templates/pss-check.ts';

export default pssCheckRule({
  id: 'pss-host-path-volumes',
  check: 'hostPathVolumes',
  level: 'baseline',
  title: 'No hostPath volumes',
  severity: 'high',
  description:
    "A hostPath volume exposes the node's filesystem to the container: with write access it is a path to node takeover.",
  remediation: 'Replace the hostPath volume with a persistentVolumeClaim, emptyDir, configMap or secret volume.',
});
