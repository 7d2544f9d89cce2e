import { HOST_PATH_DOC, hostMountsRule, matchRuntimeSocket } from './_templates/host-mounts.ts';

export default hostMountsRule({
  meta: {
    id: 'runtime-socket-mount',
    title: 'No container runtime socket mounted from the host',
    category: 'workload',
    defaultSeverity: 'critical',
    description:
      'A pod that reaches the Docker, containerd or CRI-O socket can start privileged containers, read every other container and take over the node; mounting it read-only does not help, because connecting to a socket is still allowed. Matches the sockets under /run and /var/run (and the Windows named pipes) and the directories that hold them, after normalising `//`, `.` and trailing slashes.',
    remediation:
      'Remove the hostPath volume. Build images with a daemonless builder (BuildKit rootless, Kaniko, Buildah) and read container metadata through the Kubernetes API or the CRI with a dedicated, audited agent instead.',
    references: [
      { title: 'Kubernetes: hostPath volumes', url: HOST_PATH_DOC },
      { title: 'Kubernetes: Pod Security Standards', url: 'https://kubernetes.io/docs/concepts/security/pod-security-standards/' },
    ],
    messages: {
      socket: 'volume "{{volume}}" mounts the container runtime socket {{path}} from the node',
      directory: 'volume "{{volume}}" mounts host directory {{path}}, which holds the container runtime socket',
    },
  },
  classify(volume) {
    const match = matchRuntimeSocket(volume.normalised);
    if (!match) return undefined;
    return { messageId: match.kind, data: { volume: volume.name, path: volume.path } };
  },
});
