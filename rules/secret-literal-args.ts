import { defineRule, type PodRule, type Report } from '../src/engine/rule-kit.ts';
import type { ContainerView } from '../src/k8s/workloads.ts';
import { arr, isObj, obj } from '../src/k8s/values.ts';
import { clearlyNotCredential, credentialName, detectByName, detectFormat, keyMaterial, redact, type SecretDetection } from '../src/secrets/secret-literal.ts';

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

/** `$(cat /run/secrets/pw)`, `"$PW"`, `` `cat pw` ``: a shell expansion cut at a space by ASSIGNMENT, not a literal. */
const SHELL_EXPANSION = /^["']?(?:\$|`)/;

/** A credential in one command or args element, or in the flag before it. */
function detect(element: string, previous: string | undefined): SecretDetection | undefined {
  const format = detectFormat(element);
  if (format) return format;
  for (const match of element.matchAll(ASSIGNMENT)) {
    if (SHELL_EXPANSION.test(match[2]!)) continue;
    const value = strip(match[2]!);
    const named = namesSecrets(match[1]!, value) ? undefined : detectByName(match[1]!, value);
    if (named) return { ...named, length: [...value].length };
  }
  const flag = previous !== undefined ? FLAG.exec(previous) : null;
  if (flag && credentialName(flag[1]!) !== undefined && !element.startsWith('-') && !clearlyNotCredential(element) && !namesSecrets(flag[1]!, element)) return detectByName(flag[1]!, element);
  return undefined;
}

/** `Authorization` / `Proxy-Authorization`: `<scheme> <credentials>`, or credentials alone. */
const AUTHORIZATION = /^(?:proxy-)?authorization$/i;

/**
 * A credential in an HTTP header the kubelet sends. Kubernetes does not expand `$(VAR)` in probe and
 * hook headers: whatever is written is sent. Known formats (`Bearer`, `Basic`) anywhere; an
 * Authorization header with another scheme (`token <hex>`) when its credentials look random; any other
 * header by its name (`X-Api-Key`, `PRIVATE-TOKEN`), as for env variables.
 */
function detectHeader(name: string, value: string): SecretDetection | undefined {
  const format = detectFormat(value);
  if (format) return format;
  if (AUTHORIZATION.test(name)) {
    const credentials = value.trim().replace(/^[A-Za-z][\w-]*[ \t]+(?=\S)/, '');
    return !clearlyNotCredential(credentials) && (keyMaterial(credentials) || /^[^\s:]+:\S{3,}$/.test(credentials))
      ? { signal: 'name', what: 'a credential-like name', length: [...credentials].length }
      : undefined;
  }
  return detectByName(name, value);
}

/** A credential in an httpGet path's query string (`/healthz?access_token=...`), by format or parameter name. */
function detectPath(path: string): SecretDetection | undefined {
  const format = detectFormat(path);
  if (format) return format;
  const query = path.indexOf('?');
  if (query < 0) return undefined;
  for (const pair of path.slice(query + 1, query + 1 + 4096).split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    let value = pair.slice(eq + 1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // not percent-encoded text: judged as written
    }
    const named = detectByName(pair.slice(0, eq), value);
    if (named) return named;
  }
  return undefined;
}

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const HOOKS = ['postStart', 'preStop'] as const;

interface Hit {
  /** Pointer relative to the pod template base. */
  path: string;
  /** Where, as the message says it: `args[2]`, `readinessProbe.httpGet.httpHeaders[0] (Authorization)`. */
  field: string;
  detection: SecretDetection;
}

/** Elements of an exec command list (container command/args, exec handlers), each with the element before it. */
function* commandList(list: unknown, path: string, field: string): Generator<Hit> {
  const items = arr(list);
  for (let index = 0; index < items.length; index++) {
    const element = items[index];
    if (typeof element !== 'string') continue;
    const previous = items[index - 1];
    const detection = detect(element, typeof previous === 'string' ? previous : undefined);
    if (detection) yield { path: `${path}/${index}`, field: `${field}[${index}]`, detection };
  }
}

/** A probe or lifecycle handler: exec command, httpGet headers and path, gRPC service name. */
function* handler(node: unknown, path: string, field: string): Generator<Hit> {
  const h = obj(node);
  if (!h) return;
  yield* commandList(obj(h.exec)?.command, `${path}/exec/command`, `${field}.exec.command`);
  const httpGet = obj(h.httpGet);
  if (httpGet) {
    const headers = arr(httpGet.httpHeaders);
    for (let index = 0; index < headers.length; index++) {
      const header = headers[index];
      if (!isObj(header) || typeof header.name !== 'string' || typeof header.value !== 'string') continue;
      const detection = detectHeader(header.name, header.value);
      if (detection) yield { path: `${path}/httpGet/httpHeaders/${index}/value`, field: `${field}.httpGet.httpHeaders[${index}] (${header.name})`, detection };
    }
    if (typeof httpGet.path === 'string') {
      const detection = detectPath(httpGet.path);
      if (detection) yield { path: `${path}/httpGet/path`, field: `${field}.httpGet.path`, detection };
    }
  }
  const service = obj(h.grpc)?.service;
  if (typeof service === 'string') {
    const detection = detectFormat(service);
    if (detection) yield { path: `${path}/grpc/service`, field: `${field}.grpc.service`, detection };
  }
}

/** Every literal string of a container that Kubernetes passes on to a process or a server. */
function* containerHits(view: ContainerView): Generator<Hit> {
  const c = view.container;
  yield* commandList(c.command, `${view.pointer}/command`, 'command');
  yield* commandList(c.args, `${view.pointer}/args`, 'args');
  for (const hook of HOOKS) yield* handler(obj(c.lifecycle)?.[hook], `${view.pointer}/lifecycle/${hook}`, `lifecycle.${hook}`);
  for (const probe of PROBES) yield* handler(c[probe], `${view.pointer}/${probe}`, probe);
}

export default defineRule<PodRule>({
  meta: {
    id: 'secret-literal-args',
    title: 'No credentials in container commands, arguments, lifecycle hooks and probes',
    category: 'secrets',
    defaultSeverity: 'high',
    description:
      'A credential in `command` or `args`, or in a lifecycle hook or probe (`exec.command`, `httpGet.httpHeaders`, `httpGet.path`, `grpc.service` of postStart/preStop and liveness/readiness/startup probes) is in the repository, the object in etcd and, for commands, the process list of the node (`ps` shows every argument to anyone on the host), and it cannot be rotated without a redeploy. Checked for init, regular and ephemeral containers of every pod carrier. Reported for a known token format anywhere in an element (PEM private key, cloud and SaaS tokens, JWT, `Bearer` token, HTTP basic credentials, URL with a password), for `--password=x` / `PASSWORD=x` assignments and for a credential-named flag followed by its value (`--api-token x`) when the value is a literal (not empty, a path, a `$(VAR)` reference or a shell expansion such as `$(cat /run/secrets/pw)`; a flag named for Secrets given object names, `--imagePullSecrets=regcred,regcred2`, names them); for a credential-named header (`X-Api-Key`) or query parameter (`?access_token=`) holding a literal, and an `Authorization` header whose credentials look random or are `user:password` (the kubelet does not expand `$(VAR)` in headers). Messages show only the value\'s length.',
    remediation:
      'Pass the credential through an environment variable from a Secret (`valueFrom.secretKeyRef`, referenced as `$(VAR)` in args, or read by the hook or probe command from the environment) or a mounted file read by the program; for an HTTP probe that needs authentication, use an exec or gRPC probe that reads the credential from a file, or an unauthenticated health endpoint. Then rotate the credential.',
    references: [
      { title: 'Kubernetes: define a command and arguments for a container', url: 'https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/' },
      { title: 'Kubernetes: configure liveness, readiness and startup probes', url: 'https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/' },
      { title: 'Kubernetes: good practices for Secrets', url: 'https://kubernetes.io/docs/concepts/security/secrets-good-practices/' },
    ],
    messages: {
      name: 'container "{{container}}" passes a literal credential {{redacted}} in {{field}}; credentials should come from a Secret',
      format: 'container "{{container}}" passes what looks like {{what}} {{redacted}} in {{field}}',
    },
  },
  target: 'pod',
  *check(pod): Generator<Report> {
    for (const view of pod.containers) {
      for (const hit of containerHits(view)) {
        yield {
          messageId: hit.detection.signal,
          path: hit.path,
          data: { container: view.name, field: hit.field, what: hit.detection.what, redacted: redact(hit.detection.length) },
        };
      }
    }
  },
});
