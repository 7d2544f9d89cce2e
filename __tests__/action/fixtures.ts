// Repositories the runner-style tests scan: small manifests (no helm needed) and a chart that renders to
// hundreds of findings. Built under os.tmpdir() at test time as git work trees.
import { makeRepo } from './helpers/runner.ts';

export const OWNER = 'acme';
export const REPO = 'shop';
export const TOKEN = 'ghs_fakeInstallationToken0123456789abcdef';
export const HEAD_SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
export const MERGE_SHA = 'd1c2b3a4e5f60718293a4b5c6d7e8f9012345678';
export const BASE_SHA = 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e';
export const PR_NUMBER = 7;

/** Two pods: `debug` privileged (critical, blocks at high), `web` hardened apart from small things. */
export const PODS_YAML = `# Pods for the shop
apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: shop
spec:
  containers:
    - name: shell
      image: busybox:1.36
      securityContext:
        privileged: true
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: web
      image: nginx:1.27
      securityContext:
        allowPrivilegeEscalation: false
        capabilities:
          drop: [ALL]
`;

/** A namespace and a config map: nothing to find. */
export const CLEAN_YAML = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  mode: production
`;

export function manifestRepo(): string {
  return makeRepo({ 'deploy/pods.yaml': PODS_YAML, 'README.md': '# shop\n' });
}

export function cleanRepo(): string {
  return makeRepo({ 'deploy/settings.yaml': CLEAN_YAML });
}

/**
 * A chart whose one template loops over `count` privileged pods, with rules narrowed by .preadmit.yaml so
 * each pod yields 10 findings: count 40 gives 400 findings.
 */
export function fleetRepo(count = 40): string {
  return makeRepo({
    'charts/fleet/Chart.yaml': 'apiVersion: v2\nname: fleet\nversion: 0.1.0\n',
    'charts/fleet/values.yaml': `count: ${count}\nimage: busybox:1.36\n`,
    'charts/fleet/templates/pods.yaml': `{{- range $i := until (int .Values.count) }}
---
apiVersion: v1
kind: Pod
metadata:
  name: worker-{{ $i }}
spec:
  containers:
    - name: app
      image: {{ $.Values.image }}
      securityContext:
        privileged: true
{{- end }}
`,
    '.preadmit.yaml': `rules:
  network-policy-egress: off
  network-policy-ingress: off
  default-service-account: off
  service-account-token-automount: off
`,
  });
}

/** Object names that are workflow commands: each would act on the workflow if the runner read it. */
export const HOSTILE_NAMES = ['##[add-mask]CRITICAL', '##[stop-commands]x', '::error::pwned', '#\u0591#[set-output name=conclusion]success', ':\u200b:warning::zero-width'];
/** A file name that is a legacy command (git and Linux allow `[`, `]` and `=` in names). */
export const HOSTILE_FILE = 'deploy/##[set-output name=conclusion]success.yaml';

/** Privileged pods named HOSTILE_NAMES (critical findings, blocking), one of them in HOSTILE_FILE. */
export function hostileRepo(): string {
  const pod = (name: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${JSON.stringify(name)}
  namespace: shop
spec:
  containers:
    - name: shell
      image: busybox:1.36
      securityContext:
        privileged: true
`;
  const [first, ...rest] = HOSTILE_NAMES;
  return makeRepo({ [HOSTILE_FILE]: pod(first!), 'deploy/pods.yaml': rest.map(pod).join('---\n') });
}
