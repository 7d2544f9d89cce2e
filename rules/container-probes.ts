import { defineRule, type PodRule } from '../src/engine/rule-kit.ts';
import { isObj } from '../src/k8s/values.ts';

/** Kinds whose pods are expected to keep running; Jobs, CronJobs, bare Pods and PodTemplates are not. */
const LONG_RUNNING = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Rollout', 'CloneSet']);

export default defineRule<PodRule>({
  meta: {
    id: 'container-probes',
    title: 'Long-running containers define readiness and liveness probes',
    category: 'workload',
    defaultSeverity: 'info',
    description:
      'Without a readiness probe a rollout sends traffic to pods that are not ready and cannot stop a bad release; without a liveness probe a hung process is never restarted. Only controllers of long-running pods (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Argo Rollout, Kruise CloneSet) and their regular containers are checked.',
    remediation:
      'Add a `readinessProbe` that succeeds only when the container can serve, and a `livenessProbe` that fails only when it must be restarted (keep it cheaper and more lenient than the readiness probe, and never dependent on other services).',
    references: [
      { title: 'Kubernetes: configure liveness, readiness and startup probes', url: 'https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/' },
    ],
    messages: {
      missingReadiness: 'container "{{container}}" has no readinessProbe',
      missingLiveness: 'container "{{container}}" has no livenessProbe',
    },
  },
  target: 'pod',
  *check(pod) {
    if (!LONG_RUNNING.has(pod.object.ref.kind)) return;
    for (const view of pod.containers) {
      if (view.list !== 'containers') continue;
      const data = { container: view.name };
      if (!isObj(view.container.readinessProbe)) yield { messageId: 'missingReadiness', path: `${view.pointer}/readinessProbe`, data };
      if (!isObj(view.container.livenessProbe)) yield { messageId: 'missingLiveness', path: `${view.pointer}/livenessProbe`, data };
    }
  },
});
