import { defineRule, type PodRule } from '../src/engine/rule-kit.ts';
import { at, obj } from '../src/k8s/values.ts';

export default defineRule<PodRule>({
  // The values edit that removes the finding (src/fix proves it by re-rendering every value set).
  fix: { set: { readOnlyRootFilesystem: true } },
  meta: {
    id: 'read-only-root-filesystem',
    title: 'Containers run with a read-only root filesystem',
    category: 'workload',
    defaultSeverity: 'low',
    description:
      'A writable root filesystem lets an intruder drop tools, alter binaries or persist inside the container; a read-only one confines writes to the volumes you declare. Init and regular containers are checked; ephemeral debug containers and Windows pods (which cannot set the field) are not.',
    remediation:
      'Set `securityContext.readOnlyRootFilesystem: true` on the container and mount an `emptyDir` at each path it must write to (for example /tmp or a cache directory).',
    references: [
      { title: 'Kubernetes: configure a security context', url: 'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/' },
    ],
    messages: {
      unset: 'container "{{container}}" does not set securityContext.readOnlyRootFilesystem=true',
      disabled: 'container "{{container}}" sets securityContext.readOnlyRootFilesystem=false',
    },
  },
  target: 'pod',
  *check(pod) {
    // The API rejects readOnlyRootFilesystem on pods with spec.os.name=windows.
    if (at(pod.spec, 'os', 'name') === 'windows') return;
    for (const view of pod.containers) {
      if (view.list === 'ephemeralContainers') continue;
      const value = obj(view.container.securityContext)?.readOnlyRootFilesystem;
      if (value === true) continue;
      yield {
        messageId: value === false ? 'disabled' : 'unset',
        path: `${view.pointer}/securityContext/readOnlyRootFilesystem`,
        data: { container: view.name },
      };
    }
  },
});
