// Values lint: a dangerous setting in a chart's values.yaml that no render shows (it sits under a
// component that is disabled by default, or a template no default reaches). It is not a finding of any
// rendered object, so it has no `check`: src/provenance/lint.ts produces its findings, at the values line.
import { defineRule, type ObjectRule } from '../src/engine/rule-kit.ts';

export default defineRule<ObjectRule>({
  meta: {
    id: 'values-dangerous-default',
    title: "Dangerous defaults in a chart's values.yaml that no render shows",
    category: 'values',
    defaultSeverity: 'low',
    description:
      "A chart's values.yaml sets something dangerous (privileged: true, a host namespace, running as root, a sensitive hostPath, a powerful capability) that none of the chart's renders shows, typically under a component disabled by default. Whoever enables that component inherits the setting without a finding in review. Reported at the values line, with a lower severity than the same setting in a rendered object; a setting a render shows is reported by the rule for that field instead.",
    remediation: 'Default the setting to the safe value (privileged: false, hostNetwork: false, runAsNonRoot: true, no added capabilities) and let users opt in, documented next to the key.',
    references: [{ title: 'Helm: values files', url: 'https://helm.sh/docs/chart_template_guide/values_files/' }],
    messages: {
      dangerous: '{{key}}: {{value}} in {{file}} {{what}}, and no render of the chart shows it (a component disabled by default?): whoever enables it gets this default',
    },
  },
  target: 'object',
  // Never run on objects: the findings come from the values lint.
  kinds: [],
  *check() {},
});
