import { defineRule, type PodRule } from '../src/engine/rule-kit.ts';

export default defineRule<PodRule>({
  meta: {
    id: 'allowed-runtime-classes',
    title: 'Pods use an allowed RuntimeClass',
    category: 'admission',
    defaultSeverity: 'medium',
    description:
      'Where untrusted workloads must run in a sandbox (gVisor, Kata Containers), the RuntimeClass is the isolation boundary: a pod naming another class, or none, runs on the shared host kernel. Off until configured: option `allowed` lists the permitted `runtimeClassName` values, and `required: true` also rejects pods that name none (with `required` alone, any class is accepted but one must be named).',
    remediation: 'Set `spec.runtimeClassName` in the pod template to one of the allowed RuntimeClasses.',
    references: [{ title: 'Kubernetes: runtime class', url: 'https://kubernetes.io/docs/concepts/containers/runtime-class/' }],
    messages: {
      notAllowed: 'runtimeClassName "{{runtimeClass}}" is not allowed (allowed: {{allowed}})',
      missing: 'no runtimeClassName is set; one of {{allowed}} is required',
    },
  },
  target: 'pod',
  *check(pod, context) {
    const allowed = Array.isArray(context.options.allowed) ? context.options.allowed.filter((v): v is string => typeof v === 'string' && v !== '') : [];
    const required = context.options.required === true;
    if (allowed.length === 0 && !required) return;
    const runtimeClass = typeof pod.spec.runtimeClassName === 'string' && pod.spec.runtimeClassName !== '' ? pod.spec.runtimeClassName : undefined;
    const list = allowed.length > 0 ? allowed.join(', ') : 'any RuntimeClass';
    const path = '/spec/runtimeClassName';
    const data: Record<string, string> = { allowed: list };
    if (runtimeClass === undefined) {
      if (required) yield { messageId: 'missing', path, data };
    } else if (allowed.length > 0 && !allowed.includes(runtimeClass)) {
      yield { messageId: 'notAllowed', path, data: { ...data, runtimeClass } };
    }
  },
});
