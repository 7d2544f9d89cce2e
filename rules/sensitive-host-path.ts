import { HOST_PATH_DOC, hostMountsRule, matchRuntimeSocket, matchSensitivePath, mountedReadOnly } from './_templates/host-mounts.ts';

export default hostMountsRule({
  meta: {
    id: 'sensitive-host-path',
    title: 'No sensitive host directories mounted',
    category: 'workload',
    defaultSeverity: 'high',
    description:
      'A hostPath volume onto node credentials, kubelet or runtime state, /proc, /sys, /dev or the root filesystem lets a compromised container read other pods\' secrets or modify the node. Writable mounts are reported as high; read-only (or unmounted) volumes of paths that disclose secrets (such as /proc or /sys for node exporters) as medium; read-only mounts of host binaries, /var/log and CA bundles are not reported, since they matter only when writable. Runtime sockets are left to runtime-socket-mount.',
    remediation:
      'Mount the narrowest host path the workload needs, with `readOnly: true` on every volumeMount; prefer a projected, configMap, secret or CSI volume, or the Kubernetes API, to reading node files.',
    references: [
      { title: 'Kubernetes: hostPath volumes', url: HOST_PATH_DOC },
      { title: 'Kubernetes: Pod Security Standards', url: 'https://kubernetes.io/docs/concepts/security/pod-security-standards/' },
    ],
    messages: {
      writable: 'volume "{{volume}}" mounts host path {{path}} writable: {{why}}',
      readOnly: 'volume "{{volume}}" mounts host path {{path}} (read-only): {{why}}',
      unmounted: 'volume "{{volume}}" declares host path {{path}} (mounted by no container): {{why}}',
    },
  },
  classify(volume) {
    if (matchRuntimeSocket(volume.normalised)) return undefined; // runtime-socket-mount reports it
    const entry = matchSensitivePath(volume.normalised);
    if (!entry) return undefined;
    const data = { volume: volume.name, path: volume.path, why: entry.why };
    if (!mountedReadOnly(volume)) return { messageId: 'writable', data };
    if (entry.exposure === 'write') return undefined;
    return { messageId: volume.mounts.length === 0 ? 'unmounted' : 'readOnly', data, severity: 'medium' };
  },
});
