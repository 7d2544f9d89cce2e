// A credential in a helm_release's `set` or `values`: Terraform keeps it in clear in the plan, the state
// and `terraform show`; `set_sensitive` (or a value from a secret manager data source) keeps it out.
import { escapeToken } from '../src/model/pointer.ts';
import { defineRule, type ObjectRule, type Report } from '../src/engine/rule-kit.ts';
import { arr, isObj, str } from '../src/k8s/values.ts';
import { parseSetName } from '../src/terraform/render-release.ts';
import { detectByName, detectFormat, redact, type SecretDetection } from '../src/secrets/secret-literal.ts';

function detect(key: string, value: string): SecretDetection | undefined {
  return detectFormat(value) ?? detectByName(key, value);
}

/** Pointers of values Terraform marks sensitive (the loader lists them): those are kept out of `terraform plan`. */
function sensitiveAt(raw: Record<string, unknown>): (pointer: string) => boolean {
  const marked = arr(raw.sensitive).filter((p): p is string => typeof p === 'string');
  return (pointer) => marked.some((m) => pointer === m || pointer.startsWith(`${m}/`));
}

function* walk(node: unknown, pointer: string, key: string, where: string, skip: (pointer: string) => boolean): Generator<Report> {
  if (skip(pointer)) return;
  if (typeof node === 'string') {
    const detection = detect(key, node);
    if (detection) yield { messageId: detection.signal, path: pointer, data: { where, key, what: detection.what, redacted: redact(detection.length) } };
  } else if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) yield* walk(item, `${pointer}/${i}`, key, where, skip);
  } else if (isObj(node)) {
    for (const [k, v] of Object.entries(node)) yield* walk(v, `${pointer}/${escapeToken(k)}`, k, where, skip);
  }
}

export default defineRule<ObjectRule>({
  meta: {
    id: 'secret-literal-helm-release',
    title: 'helm_release credentials must be set_sensitive',
    category: 'secrets',
    defaultSeverity: 'high',
    description:
      'A credential given to a helm_release in `set`, `set_list` or `values` is stored in clear in the Terraform plan and state and shown by `terraform plan`/`show`. Reported for credential-named keys holding a literal (as for env values: not empty, a path, a reference) and for values of a known token format; entries Terraform already marks sensitive are not. Messages show only the value\'s length.',
    remediation: 'Pass the credential with `set_sensitive` (from a `sensitive` variable or a secret manager data source), or let the chart read an existing Secret (`existingSecret`); then rotate the credential.',
    references: [
      { title: 'Terraform helm provider: helm_release set_sensitive', url: 'https://registry.terraform.io/providers/hashicorp/helm/latest/docs/resources/release' },
      { title: 'Terraform: sensitive data in state', url: 'https://developer.hashicorp.com/terraform/language/state/sensitive-data' },
    ],
    messages: {
      name: '{{where}} sets {{key}} to a literal credential {{redacted}}: it is stored in clear in the plan and state',
      format: '{{where}} sets {{key}} to what looks like {{what}} {{redacted}}: it is stored in clear in the plan and state',
    },
  },
  target: 'object',
  kinds: ['helm_release'],
  *check(release): Generator<Report> {
    if (release.ref.apiVersion !== 'terraform/v1') return;
    const skip = sensitiveAt(release.raw);
    for (const [i, doc] of arr(release.raw.values).entries()) yield* walk(doc, `/values/${i}`, '', `values[${i}]`, skip);
    for (const attribute of ['set', 'set_list'] as const) {
      for (const [i, entry] of arr(release.raw[attribute]).entries()) {
        if (!isObj(entry)) continue;
        const name = str(entry.name);
        if (name === undefined) continue;
        const key = String(parseSetName(name).filter((s) => typeof s === 'string').pop() ?? name);
        for (const report of walk(entry.value, `/${attribute}/${i}/value`, key, `${attribute}[${i}]`, skip)) yield { ...report, data: { ...report.data, key: name } };
      }
    }
  },
});
