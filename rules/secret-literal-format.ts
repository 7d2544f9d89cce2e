// Credentials of a known token format anywhere in a Kubernetes object that the other secret-literal-*
// rules do not read: labels, volume attributes and options handed to storage drivers, StorageClass
// parameters, custom resources' fields, a Service's or an Ingress's strings. Only the format signal: a
// field's name means nothing in an arbitrary schema, a PEM private key or an AWS key ID means the same
// everywhere.
import { escapeToken } from '../src/model/pointer.ts';
import { defineRule, type ObjectRule, type Report } from '../src/engine/rule-kit.ts';
import { isObj } from '../src/k8s/values.ts';
import { podTemplateOf } from '../src/k8s/workloads.ts';
import { detectFormat, redact } from '../src/secrets/secret-literal.ts';

/** Past this depth a document is not walked further (the YAML loader bounds nesting well below it). */
const MAX_DEPTH = 64;
/** Only the start of a longer string is read (a ConfigMap, the largest string carrier, holds 1 MiB). */
const MAX_STRING = 1024 * 1024;

/** Kinds whose strings are not the object's own configuration: a Secret's payload is where credentials go, a CRD's schema documents fields. */
const SKIPPED_KINDS = new Set(['CustomResourceDefinition']);
const SECRET_PAYLOAD = /^\/(?:data|stringData|binaryData)\//;

/** What secret-literal-configmap and secret-literal-annotation read, by pointer. */
const CONFIGMAP_DATA = /^\/(?:data|binaryData)\/[^/]+$/;
const ANNOTATION = /^(?:\/spec\/template|\/spec\/jobTemplate\/spec\/template)?\/metadata\/annotations\/[^/]+$/;
/** What secret-literal-env and secret-literal-args read in a container, relative to the container. */
const CONTAINER_FIELD =
  /^\/(?:(?:command|args)\/\d+|env\/\d+\/value|(?:lifecycle\/(?:postStart|preStop)|livenessProbe|readinessProbe|startupProbe)\/(?:exec\/command\/\d+|httpGet\/httpHeaders\/\d+\/value|httpGet\/path|grpc\/service))$/;
const CONTAINER = /^\/spec\/(?:initContainers|containers|ephemeralContainers)\/\d+/;

function coveredElsewhere(kind: string, pointer: string, podBase: string | undefined): boolean {
  if (kind === 'ConfigMap' && CONFIGMAP_DATA.test(pointer)) return true;
  if (ANNOTATION.test(pointer)) return true;
  if (podBase !== undefined && pointer.startsWith(`${podBase}/spec/`)) {
    const rest = pointer.slice(podBase.length);
    const container = CONTAINER.exec(rest);
    if (container && CONTAINER_FIELD.test(rest.slice(container[0].length))) return true;
  }
  return false;
}

export default defineRule<ObjectRule>({
  meta: {
    id: 'secret-literal-format',
    title: 'No credentials of a known format anywhere else in an object',
    category: 'secrets',
    defaultSeverity: 'high',
    description:
      'A credential can ride in any string Kubernetes stores and hands on: a label, a CSI volume\'s `volumeAttributes` or a FlexVolume\'s `options` (given to the storage driver), a StorageClass\'s `parameters`, a custom resource\'s fields (a monitor\'s query parameters, an operator\'s connection settings). Reported for any string value of a Kubernetes object holding a known token format (PEM private key, AWS access key ID, GitHub, GitLab, Slack, npm, Stripe, Google, SendGrid, OpenAI, Anthropic, Azure, Vault and other prefixed tokens, JWT, `Bearer` token, HTTP basic credentials, URL or connection string with a password), except where secret-literal-env, -args, -configmap and -annotation already look (env values, commands, hooks and probes, ConfigMap data, annotations), in a Secret\'s payload, and in CustomResourceDefinitions. Names are not judged here: a field\'s name means nothing in an arbitrary schema. Messages show only the value\'s length.',
    remediation:
      'Move the credential into a Secret and reference it (`nodePublishSecretRef` / `secretRef` for volume drivers, the provisioner\'s secret parameters for a StorageClass, the custom resource\'s secret reference field); then rotate the credential.',
    references: [
      { title: 'Kubernetes: good practices for Secrets', url: 'https://kubernetes.io/docs/concepts/security/secrets-good-practices/' },
      { title: 'Kubernetes: CSI volumes (nodePublishSecretRef)', url: 'https://kubernetes.io/docs/concepts/storage/volumes/#csi' },
    ],
    messages: {
      format: '{{kind}} field {{field}} contains what looks like {{what}} {{redacted}}',
      key: '{{kind}} mapping {{field}} has a key that looks like {{what}} {{redacted}} (keys are stored and shown like values)',
    },
  },
  target: 'object',
  *check(object): Generator<Report> {
    const kind = object.ref.kind;
    if (SKIPPED_KINDS.has(kind)) return;
    const podBase = podTemplateOf(object.raw)?.base;
    const walk = function* (node: unknown, pointer: string, depth: number): Generator<Report> {
      if (typeof node === 'string') {
        if (node.length < 8 || coveredElsewhere(kind, pointer, podBase) || (kind === 'Secret' && SECRET_PAYLOAD.test(pointer))) return;
        const detection = detectFormat(node.length > MAX_STRING ? node.slice(0, MAX_STRING) : node);
        if (detection) yield { messageId: 'format', path: pointer, data: { kind, field: pointer, what: detection.what, redacted: redact(detection.length) } };
        return;
      }
      if (depth >= MAX_DEPTH) return;
      if (Array.isArray(node)) {
        for (let i = 0; i < node.length; i++) yield* walk(node[i], `${pointer}/${i}`, depth + 1);
      } else if (isObj(node)) {
        // A key is stored and printed like a value (a ConfigMap's data keys, label and annotation keys): a
        // token written as one is as public. Reported at the mapping, so the pointer does not carry it.
        let keyReported = false;
        for (const key of Object.keys(node)) {
          if (!keyReported && key.length >= 8 && !(kind === 'Secret' && SECRET_PAYLOAD.test(`${pointer}/`))) {
            const detection = detectFormat(key.length > MAX_STRING ? key.slice(0, MAX_STRING) : key);
            if (detection) {
              keyReported = true;
              yield { messageId: 'key', path: pointer, data: { kind, field: pointer === '' ? '/' : pointer, what: detection.what, redacted: redact(detection.length) } };
            }
          }
          yield* walk(node[key], `${pointer}/${escapeToken(key)}`, depth + 1);
        }
      }
    };
    yield* walk(object.raw, '', 0);
  },
});
