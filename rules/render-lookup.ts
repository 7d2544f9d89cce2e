// `lookup` returns an empty map under helm template (there is no cluster to ask), `.Release.Revision` is
// always 1, `.Capabilities.HelmVersion` is the scan's helm, `now` the scan's clock and a random function one draw: whatever a template
// decides from them, the scan sees one answer and the cluster may get another. (Branches on the release
// name, namespace or Kubernetes version are rendered a second time and reported by render-divergence.)
// An object with security-relevant fields whose template (or a helper it includes) uses one is reported at
// that line; high when the construct's branch writes a host-access, privilege or identity setting itself.
import { defineRule, type Report } from '../src/engine/rule-kit.ts';
import { describeConstruct } from '../src/render/render-variants.ts';

export default defineRule({
  target: 'object',
  meta: {
    id: 'render-lookup',
    title: 'Security settings must not depend on lookup, the release revision, the helm version, the clock or random values',
    category: 'admission',
    defaultSeverity: 'medium',
    description:
      'Under helm template, lookup returns an empty map, .Release.Revision is 1, .Capabilities.HelmVersion is the scanning helm and now is the time of the scan; on a cluster lookup returns live objects, every upgrade raises the revision, and the install runs another helm at another time; a random function (randAlphaNum, randInt, uuidv4, shuffle, generated keys) gives every render and every install another value. An object with security-relevant fields (pod and container security settings, host access, volumes, images, service accounts, RBAC, network policies, Service exposure, Pod Security labels) rendered by a template that uses one of them may be rendered differently at install or upgrade than preadmit saw, and no render can show how. The finding is high when the branch that depends on the answer writes a host-access, privilege or identity setting (privileged, hostNetwork/PID/IPC, hostPath, hostPort, capabilities, allowPrivilegeEscalation, seccomp/AppArmor profiles, sysctls, procMount, serviceAccountName, RBAC verbs; not runAsUser or runAsNonRoot, which the baseline level does not restrict), medium otherwise (a reused password or checksum beside security fields; the clock or a random value only printed, as in a timestamp annotation, a generated name or password, is not reported). A value counts as writing a setting when it reaches it through variables, dict/set/merge and toYaml: a map holding the setting\'s key, or a structure written under securityContext, capabilities, containers, volumes, spec or rules. A branch that only fails the render is not counted. (A template branching on the release name, namespace or Kubernetes version is rendered a second time with other ones: render-divergence.)',
    remediation: 'Decide security settings from values, not from lookup results, the revision, the helm version, the clock or random functions; keep lookup to data that is not security-relevant (reusing a generated password), in a template of its own.',
    references: [
      { title: 'Helm template functions: lookup', url: 'https://helm.sh/docs/chart_template_guide/functions_and_pipelines/#using-the-lookup-function' },
      { title: 'Helm built-in objects (Release.Revision, Capabilities.HelmVersion)', url: 'https://helm.sh/docs/chart_template_guide/builtin_objects/' },
    ],
    messages: {
      unknowable: '{{kind}} "{{name}}" has security settings and its template uses {{constructs}}, which helm template cannot answer as the cluster will (lookup returns an empty map, .Release.Revision is always 1, the helm version and the clock are the scan\'s, a random function answers anew each time): the settings on the cluster may differ from the scanned ones',
      decides: '{{kind}} "{{name}}" sets {{setting}} in a branch on {{constructs}}, which helm template cannot answer as the cluster will (lookup returns an empty map, .Release.Revision is always 1, the helm version and the clock are the scan\'s, a random function answers anew each time): the scan saw one side of that branch, the cluster may get the other',
    },
  },
  *check(object): Generator<Report> {
    const lines = object.renderDependence?.unknowable;
    if (lines === undefined || lines.length === 0) return;
    const deciding = lines.filter((c) => c.decides !== undefined);
    const shown = deciding.length > 0 ? deciding : lines;
    const template = shown.find((c) => c.inArchive === undefined);
    const at = template ? { at: { template: { file: template.file, line: template.line } } } : {};
    const constructs = shown.slice(0, 3).map(describeConstruct).join(', ');
    if (deciding.length > 0) {
      yield { messageId: 'decides', path: '', severity: 'high', data: { kind: object.ref.kind, name: object.ref.name, setting: deciding[0]!.decides!, constructs }, ...at };
      return;
    }
    yield { messageId: 'unknowable', path: '', data: { kind: object.ref.kind, name: object.ref.name, constructs }, ...at };
  },
});
