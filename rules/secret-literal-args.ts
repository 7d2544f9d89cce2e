import { defineRule, type PodRule } from '../src/engine/rule-kit.ts';
import { arr } from '../src/k8s/values.ts';
import { clearlyNotCredential, credentialName, detectByName, detectFormat, keyMaterial, redact, type SecretDetection } from './_templates/secret-literal.ts';

/** `--db-password=x`, `-password=x`, `PASSWORD=x` (an assignment in a shell command), with the name and value. */
const ASSIGNMENT = /(?:^|\s)(?:--?|export\s+)?([A-Za-z_][\w.-]*)=(\S+)/g;
/** `--db-password` alone: the next element (or word) is its value. */
const FLAG = /^--?([A-Za-z][\w.-]*)$/;

/** `--imagePullSecrets=regcred,regcred2`, `--tls-secret=ns/tls`: a flag named for Secrets given their names. */
const SECRET_NAMES = /^[a-z0-9](?:[-a-z0-9.\/]*[a-z0-9])?(?:,[a-z0-9](?:[-a-z0-9.\/]*[a-z0-9])?)*$/;
function namesSecrets(flag: string, value: string): boolean {
  return /(?:secret|credential)s?$/i.test(flag) && SECRET_NAMES.test(value) && !keyMaterial(value);
}

function strip(value: string): string {
  return value.replace(/^(["'])(.*)\1$/, '$2');
}

/** A credential in one command or args element, or in the flag before it. */
function detect(element: string, previous: string | undefined): SecretDetection | undefined {
  const format = detectFormat(element);
  if (format) return format;
  for (const match of element.matchAll(ASSIGNMENT)) {
    const value = strip(match[2]!);
    const named = namesSecrets(match[1]!, value) ? undefined : detectByName(match[1]!, value);
    if (named) return { ...named, length: [...value].length };
  }
  const flag = previous !== undefined ? FLAG.exec(previous) : null;
  if (flag && credentialName(flag[1]!) !== undefined && !element.startsWith('-') && !clearlyNotCredential(element) && !namesSecrets(flag[1]!, element)) return detectByName(flag[1]!, element);
  return undefined;
}

export default defineRule<PodRule>({
  meta: {
    id: 'secret-literal-args',
    title: 'No credentials in container commands and arguments',
    category: 'secrets',
    defaultSeverity: 'high',
    description:
      'A credential in `command` or `args` is in the repository, the object in etcd and the process list of the node (`ps` shows every argument to anyone on the host), and it cannot be rotated without a redeploy. Reported for a known token format anywhere in an element (PEM private key, cloud and SaaS tokens, JWT, `Bearer` token, URL with a password), for `--password=x` / `PASSWORD=x` assignments and for a credential-named flag followed by its value (`--api-token x`) when the value is a literal (not empty, a path, or a `$(VAR)` reference; a flag named for Secrets given object names, `--imagePullSecrets=regcred,regcred2`, names them). Messages show only the value\'s length.',
    remediation:
      'Pass the credential through an environment variable from a Secret (`valueFrom.secretKeyRef`, referenced as `$(VAR)` in args) or a mounted file read by the program; then rotate the credential.',
    references: [
      { title: 'Kubernetes: define a command and arguments for a container', url: 'https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/' },
      { title: 'Kubernetes: good practices for Secrets', url: 'https://kubernetes.io/docs/concepts/security/secrets-good-practices/' },
    ],
    messages: {
      name: 'container "{{container}}" passes a literal credential {{redacted}} in {{field}}[{{index}}]; credentials should come from a Secret',
      format: 'container "{{container}}" passes what looks like {{what}} {{redacted}} in {{field}}[{{index}}]',
    },
  },
  target: 'pod',
  *check(pod) {
    for (const view of pod.containers) {
      for (const field of ['command', 'args'] as const) {
        const list = arr(view.container[field]);
        for (let index = 0; index < list.length; index++) {
          const element = list[index];
          if (typeof element !== 'string') continue;
          const previous = list[index - 1];
          const detection = detect(element, typeof previous === 'string' ? previous : undefined);
          if (!detection) continue;
          yield {
            messageId: detection.signal,
            path: `${view.pointer}/${field}/${index}`,
            data: { container: view.name, field, index, what: detection.what, redacted: redact(detection.length) },
          };
        }
      }
    }
  },
});
