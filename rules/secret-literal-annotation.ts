import { join } from '../src/model/pointer.ts';
import { defineRule, type ObjectRule, type Report } from '../src/engine/rule-kit.ts';
import { obj } from '../src/k8s/values.ts';
import { detectByName, detectFormat, keyMaterial, redact } from '../src/secrets/secret-literal.ts';

/**
 * An object name, `namespace/name` or a secret store path (`database/creds/db`): what annotations that
 * configure a controller's or an injector's credentials hold, lower case.
 */
const OBJECT_NAME = /^[a-z0-9](?:[-a-z0-9_./]*[a-z0-9])?$/;
/** `checksum/secret: <sha256>` (the Helm idiom to roll pods when a Secret changes) holds a digest, not the Secret. */
const DIGEST_ANNOTATION = /(?:^|[./-])checksum(?:[./-]|$)/i;

/** Where annotations are: the object's own, and its pod template's (Deployment...) or job template's (CronJob). */
const ANNOTATION_PLACES = [['metadata'], ['spec', 'template', 'metadata'], ['spec', 'jobTemplate', 'spec', 'template', 'metadata']] as const;

export default defineRule<ObjectRule>({
  meta: {
    id: 'secret-literal-annotation',
    title: 'No credentials in annotations',
    category: 'secrets',
    defaultSeverity: 'high',
    description:
      "Annotations are readable by everyone who can list the object (far more than can read Secrets), are copied into events, dashboards and backups, and `kubectl.kubernetes.io/last-applied-configuration` repeats the whole object, Secret data included. Reported for an annotation value holding a known token format (PEM private key, cloud and SaaS tokens, JWT, `Bearer` token, HTTP basic credentials, URL with a password), and for an annotation whose name (after its prefix) names a credential (`example.com/api-token`) and holds a literal that is not an object name or store path (`auth-secret: basic-auth` names a Secret) and is not a digest (`checksum/secret`). Messages show only the value's length.",
    remediation: 'Keep credentials in Secrets and reference them by name from the annotation (controllers such as ingress-nginx take a Secret name for basic auth); then rotate the credential.',
    references: [
      { title: 'Kubernetes: annotations', url: 'https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/' },
      { title: 'Kubernetes: good practices for Secrets', url: 'https://kubernetes.io/docs/concepts/security/secrets-good-practices/' },
    ],
    messages: {
      name: 'annotation "{{key}}" holds a literal credential {{redacted}}',
      format: 'annotation "{{key}}" contains what looks like {{what}} {{redacted}}',
    },
  },
  target: 'object',
  // kubernetes_annotations (a Terraform resource that annotates an existing object) is read as a
  // pseudo-object with the annotations in these places
  includeTerraformResources: true,
  *check(object): Generator<Report> {
    for (const place of ANNOTATION_PLACES) {
      let node: unknown = object.raw;
      for (const key of place) node = obj(node)?.[key];
      const annotations = obj(obj(node)?.annotations);
      if (!annotations) continue;
      for (const [key, value] of Object.entries(annotations)) {
        if (typeof value !== 'string') continue;
        const name = key.slice(key.lastIndexOf('/') + 1);
        // `nginx.ingress.kubernetes.io/auth-secret: basic-auth` names a Secret (`namespace/name`), it does not hold one.
        const reference = (OBJECT_NAME.test(value) && !keyMaterial(value)) || DIGEST_ANNOTATION.test(key);
        const detection = detectFormat(value) ?? (value.includes('\n') || reference ? undefined : detectByName(name, value));
        if (!detection) continue;
        yield { messageId: detection.signal, path: join(`/${place.join('/')}/annotations`, key), data: { key, what: detection.what, redacted: redact(detection.length) } };
      }
    }
  },
});
