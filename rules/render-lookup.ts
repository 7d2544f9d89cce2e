// `lookup` returns an empty map under helm template (there is no cluster to ask) and `.Release.Revision` is
// always 1: whatever a template decides from them, the scan sees the first-install, empty-cluster answer.
// (Branches on the release name, namespace or Kubernetes version are rendered a second time and reported by
// render-divergence.)
// An object with security-relevant fields whose template (or a helper it includes) uses either is
// reported at that line: its settings on the cluster cannot be checked before install.
import { defineRule, type Report } from '../src/engine/rule-kit.ts';
import { describeConstruct } from '../src/render/render-variants.ts';

export default defineRule({
  target: 'object',
  meta: {
    id: 'render-lookup',
    title: 'Security settings must not depend on lookup or the release revision',
    category: 'admission',
    defaultSeverity: 'medium',
    description:
      'Under helm template, lookup returns an empty map and .Release.Revision is 1; on a cluster lookup returns live objects and every upgrade raises the revision. An object with security-relevant fields (pod and container security settings, host access, volumes, images, service accounts, RBAC, network policies, Service exposure, Pod Security labels) rendered by a template that uses lookup or the revision may be rendered differently at install or upgrade than preadmit saw, and no render can show how. (A template branching on the release name, namespace or Kubernetes version is rendered a second time with other ones: render-divergence.)',
    remediation: 'Decide security settings from values, not from lookup results or the revision; keep lookup to data that is not security-relevant (reusing a generated password), in a template of its own.',
    references: [
      { title: 'Helm template functions: lookup', url: 'https://helm.sh/docs/chart_template_guide/functions_and_pipelines/#using-the-lookup-function' },
      { title: 'Helm built-in objects (Release.Revision)', url: 'https://helm.sh/docs/chart_template_guide/builtin_objects/' },
    ],
    messages: {
      unknowable: '{{kind}} "{{name}}" has security settings and its template uses {{constructs}}, which helm template cannot evaluate (lookup returns an empty map, .Release.Revision is always 1): the settings on the cluster may differ from the scanned ones',
    },
  },
  *check(object): Generator<Report> {
    const lines = object.renderDependence?.unknowable;
    if (lines === undefined || lines.length === 0) return;
    const template = lines.find((c) => c.inArchive === undefined);
    yield {
      messageId: 'unknowable',
      path: '',
      data: { kind: object.ref.kind, name: object.ref.name, constructs: lines.slice(0, 3).map(describeConstruct).join(', ') },
      ...(template ? { at: { template: { file: template.file, line: template.line } } } : {}),
    };
  },
});
