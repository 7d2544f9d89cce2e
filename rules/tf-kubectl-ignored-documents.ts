// A kubectl_manifest whose yaml_body holds several YAML documents: the kubectl providers decode it with
// gopkg.in/yaml.v2 Unmarshal, which reads the first document only, so the others never reach the
// cluster. They are not judged (judging them would block on objects that are never applied); this says
// they are dropped, which is rarely what the author meant.
import { defineRule, type Report } from '../src/engine/rule-kit.ts';
import { arr } from '../src/k8s/values.ts';

export default defineRule({
  target: 'object',
  kinds: ['kubectl_manifest'],
  includeTerraformResources: true,
  meta: {
    id: 'tf-kubectl-ignored-documents',
    title: 'kubectl_manifest applies only the first YAML document',
    category: 'admission',
    defaultSeverity: 'low',
    description:
      'The kubectl providers (gavinbunney/kubectl, alekc/kubectl) decode `yaml_body` with gopkg.in/yaml.v2, which reads only its first document: every document after the first `---` is silently dropped and never applied. preadmit judges the first document, as applied, and reports the rest here.',
    remediation: 'Give each object its own kubectl_manifest, e.g. with `for_each` over `data.kubectl_file_documents.<name>.manifests` (or `kubectl_path_documents`).',
    references: [{ title: 'kubectl provider: kubectl_manifest (a single YAML resource)', url: 'https://registry.terraform.io/providers/gavinbunney/kubectl/latest/docs/resources/kubectl_manifest' }],
    messages: {
      ignored: 'yaml_body has {{count}} more YAML document(s) after the first (document {{documents}}): the kubectl provider applies only the first, so they never reach the cluster and were not checked',
    },
  },
  *check(object): Generator<Report> {
    if (object.ref.apiVersion !== 'terraform/v1') return;
    const documents = arr(object.raw.ignoredDocuments);
    if (documents.length === 0) return;
    yield { messageId: 'ignored', path: '/yaml_body', data: { count: documents.length, documents: documents.join(', ') } };
  },
});
