// A chart can render one thing for the scan and another on the cluster: `.Release.IsUpgrade`,
// `.Release.IsInstall` and `.Capabilities.APIVersions` answer differently under `helm upgrade` on a real
// cluster. A chart whose text uses them is rendered a second time (as helm upgrade renders it, with common
// CRD APIs present; src/render/render-variants.ts) and both renders' findings count; this rule reports each
// object whose security-relevant fields differ between the two, at the template line that branches. Its
// severity is graded after evaluation (gradeDivergences in src/pipeline/evaluate.ts): what the other render hides.
import { defineRule, type Report } from '../src/engine/rule-kit.ts';
import type { FieldDifference } from '../src/model/model.ts';
import { describeConstruct, variantDescription } from '../src/render/render-variants.ts';

/** Fields listed in a message; the rest are counted. */
const LISTED = 3;

function describeField(field: FieldDifference): string {
  const clip = (json: string | undefined) => (json === undefined ? 'absent' : json.length > 60 ? `${json.slice(0, 59)}…` : json);
  return `${field.pointer} ${clip(field.main)} -> ${clip(field.variant)}`;
}

/** helm's message on one line without the `Error:` prefix, clipped (it can quote a long explanation). */
function helmError(message: string): string {
  const text = message.replace(/^\s*Error:\s*/, '').replace(/\s+/g, ' ').trim();
  return text.length > 240 ? `${text.slice(0, 239)}…` : text;
}

export default defineRule({
  target: 'object',
  meta: {
    id: 'render-divergence',
    title: 'Charts must render the same security settings on install, upgrade and any cluster',
    category: 'admission',
    defaultSeverity: 'high',
    description:
      'helm template renders a chart as a first install on a cluster it knows nothing about, with the scan\'s release name and namespace. A template that branches on .Release.IsUpgrade, .Release.IsInstall, .Capabilities.APIVersions, the release name or namespace or the Kubernetes version can render safe settings for the scan and privileged ones when helm upgrade runs against a real cluster or the release is installed under its own name. preadmit renders such charts a second time, as helm upgrade on a cluster with common CRD APIs renders them (with another release name, namespace and patch version when the templates compare those, and the Kubernetes version on the other side of a literal the templates compare it with where that comparison decides a host-access or privilege setting, another minor included), judges both renders, and reports every object whose security-relevant fields (pod and container security settings, host access, volumes, images, service accounts, RBAC rules and bindings, network policies, Service exposure, Pod Security labels) differ between them. The finding weighs what the other render hides: it takes the severity of the worst finding only that render shows on the object (and names it), and is info when no rule finds that render worse (the other render\'s own findings block like any other). A second render that a fail guard stops (a value demanded on upgrade, a namespace or API refused) is made again with every fail harmless and judged like any; when it still fails, every object with security fields whose template uses those constructs is reported at the rule\'s severity: what the chart deploys there could not be seen.',
    remediation: 'Render the same security settings whatever the release state and the cluster\'s APIs: move the branch off security fields (decide them from values), or make both branches equally safe.',
    references: [
      { title: 'Helm built-in objects (Release, Capabilities)', url: 'https://helm.sh/docs/chart_template_guide/builtin_objects/' },
      { title: 'helm template (--is-upgrade, --api-versions)', url: 'https://helm.sh/docs/helm/helm_template/' },
    ],
    messages: {
      differs: '{{kind}} "{{name}}" renders different security settings {{how}} than in the scanned install render: {{fields}}; the template branches on {{constructs}}',
      only: '{{kind}} "{{name}}" is rendered only {{how}}, with security settings the install render does not have ({{fields}}); the template branches on {{constructs}}',
      unrendered:
        '{{kind}} "{{name}}" could not be checked {{how}}: helm failed on that render ({{error}}) and the template branches on {{constructs}}, so its security settings there are unknown; pass the values that render needs in a value set (ci/*-values.yaml) to have it judged',
    },
  },
  *check(object): Generator<Report> {
    const divergence = object.renderDependence?.divergence;
    if (divergence === undefined) return;
    const { fields, constructs } = divergence;
    const where = constructs.length > 0 ? constructs.slice(0, 3).map(describeConstruct).join(', ') : 'a construct preadmit could not find in the template (reached through tpl or a dynamic include)';
    const template = constructs.find((c) => c.inArchive === undefined);
    const at = template ? { at: { template: { file: template.file, line: template.line } } } : {};
    if (divergence.failed !== undefined) {
      yield { messageId: 'unrendered', path: '', data: { kind: object.ref.kind, name: object.ref.name, how: variantDescription(divergence.variant), error: helmError(divergence.failed), constructs: where }, ...at };
      return;
    }
    if (fields.length === 0) return;
    const listed = fields.slice(0, LISTED).map(describeField).join(', ') + (fields.length > LISTED ? ` and ${fields.length - LISTED} more` : '');
    yield {
      messageId: divergence.onlyInVariant ? 'only' : 'differs',
      path: divergence.onlyInVariant ? '' : fields[0]!.pointer,
      data: { kind: object.ref.kind, name: object.ref.name, how: variantDescription(divergence.variant), fields: listed, constructs: where },
      ...at,
    };
  },
});
