// Image rules: tag, digest, registry allowlist, pull policy; and the reference parser they share.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import imageDigest from '../../rules/image-digest.ts';
import imagePullPolicy from '../../rules/image-pull-policy.ts';
import imageRegistry from '../../rules/image-registry.ts';
import imageTag from '../../rules/image-tag.ts';
import { isFloating, matchesPrefix, normalisePrefix, parseImage } from '../../rules/_templates/image-ref.ts';
import { runRule, testRule } from '../helpers/rule-tester.ts';

type Json = Record<string, unknown>;

const SHA = 'sha256:' + '0123456789abcdef'.repeat(4);

function workload(kind: 'Pod' | 'Deployment' | 'CronJob', spec: Json): string {
  const metadata = { name: 'web' };
  const template = { metadata: { labels: { app: 'web' } }, spec };
  if (kind === 'Pod') return stringify({ apiVersion: 'v1', kind, metadata, spec });
  if (kind === 'CronJob') return stringify({ apiVersion: 'batch/v1', kind, metadata, spec: { schedule: '0 * * * *', jobTemplate: { spec: { template } } } });
  return stringify({ apiVersion: 'apps/v1', kind, metadata, spec: { selector: { matchLabels: { app: 'web' } }, template } });
}

/** A pod whose containers run `images` (a string, or a container object for extra fields). */
const run = (kind: 'Pod' | 'Deployment' | 'CronJob', ...images: (unknown | Json)[]) =>
  workload(kind, { containers: images.map((image, i) => (image !== null && typeof image === 'object' ? { name: `c${i}`, ...(image as Json) } : { name: `c${i}`, image })) });

const DEPLOY = '/spec/template';
const CRON = '/spec/jobTemplate/spec/template';

const malformed = [
  { name: 'image is a number', yaml: run('Deployment', 5) },
  { name: 'image is empty', yaml: run('Deployment', '') },
  { name: 'image is missing', yaml: run('Deployment', { imagePullPolicy: 'IfNotPresent' }) },
  { name: 'image is not a valid reference (empty tag)', yaml: run('Deployment', 'nginx:') },
  { name: 'containers is a string', yaml: workload('Deployment', { containers: 'oops' }) },
];

describe('parseImage', () => {
  it.each([
    ['nginx', { registry: 'docker.io', repository: 'library/nginx', tag: undefined, digest: undefined }],
    ['nginx:1.25', { registry: 'docker.io', repository: 'library/nginx', tag: '1.25' }],
    ['bitnami/redis:7.2', { registry: 'docker.io', repository: 'bitnami/redis', tag: '7.2' }],
    ['index.docker.io/library/nginx', { registry: 'docker.io', repository: 'library/nginx' }],
    ['localhost:5000/app', { registry: 'localhost:5000', repository: 'app', tag: undefined }],
    ['localhost/app:2', { registry: 'localhost', repository: 'app', tag: '2' }],
    ['registry.example.com:5000/team/app:1.0', { registry: 'registry.example.com:5000', repository: 'team/app', tag: '1.0' }],
    ['Registry.Example.com/app', { registry: 'registry.example.com', repository: 'app' }],
    ['[::1]:5000/app:1', { registry: '[::1]:5000', repository: 'app', tag: '1' }],
    [`app@${SHA}`, { registry: 'docker.io', repository: 'library/app', tag: undefined, digest: SHA }],
    [`ghcr.io/acme/app:1.2@${SHA}`, { registry: 'ghcr.io', repository: 'acme/app', tag: '1.2', digest: SHA }],
  ])('%s', (raw, expected: { registry: string; repository: string; tag?: string; digest?: string }) => {
    const ref = parseImage(raw);
    expect(ref && { registry: ref.registry, repository: ref.repository, tag: ref.tag, digest: ref.digest }).toEqual({ tag: undefined, digest: undefined, ...expected });
  });

  it.each(['', 'nginx:', ':1.0', 'Nginx', 'app@latest', 'app@sha256:short', 'a b', 'app:1.0:2', 'registry.example.com:port/app'])('rejects %j', (raw) => {
    expect(parseImage(raw)).toBeUndefined();
  });

  it('floating means untagged or latest, and not pinned', () => {
    expect(isFloating(parseImage('nginx')!)).toBe(true);
    expect(isFloating(parseImage('nginx:Latest')!)).toBe(true);
    expect(isFloating(parseImage('nginx:1')!)).toBe(false);
    expect(isFloating(parseImage(`nginx:latest@${SHA}`)!)).toBe(false);
  });

  it('matches prefixes at path boundaries, hosts case-insensitively, familiar names and globs', () => {
    const image = (raw: string) => parseImage(raw)!;
    expect(normalisePrefix('Docker.IO/library/')).toBe('docker.io/library');
    expect(normalisePrefix('nginx')).toBe('docker.io/library/nginx');
    expect(matchesPrefix(image('ghcr.io/acme/app:1'), 'ghcr.io/acme')).toBe(true);
    expect(matchesPrefix(image('ghcr.io/acme-evil/app:1'), 'ghcr.io/acme')).toBe(false);
    expect(matchesPrefix(image('nginx:1'), 'docker.io')).toBe(true);
    expect(matchesPrefix(image('nginx:1'), 'nginx')).toBe(true);
    expect(matchesPrefix(image('registry.example.community/app'), 'registry.example.com')).toBe(false);
    expect(matchesPrefix(image('registry.example.com:5000/app'), 'registry.example.com')).toBe(false);
    expect(matchesPrefix(image('123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1'), '*.dkr.ecr.*.amazonaws.com')).toBe(true);
  });
});

testRule(imageTag, {
  valid: [
    { name: 'version tag', yaml: run('Deployment', 'registry.example.com/app:1.4.2') },
    { name: 'digest only', yaml: run('Deployment', `registry.example.com/app@${SHA}`) },
    { name: 'latest pinned by digest', yaml: run('CronJob', `app:latest@${SHA}`) },
    { name: 'registry port with a tag', yaml: run('Pod', 'localhost:5000/app:1.0') },
    ...malformed,
  ],
  invalid: [
    {
      name: 'no tag in a Deployment',
      yaml: run('Deployment', 'nginx'),
      findings: [{ path: `${DEPLOY}/spec/containers/0/image`, message: 'container "c0" image "nginx" has no tag and no digest' }],
    },
    {
      name: 'registry port is not a tag',
      yaml: run('Pod', 'registry.example.com/app:1', 'localhost:5000/app'),
      findings: [{ path: '/spec/containers/1/image', message: 'has no tag' }],
    },
    {
      name: 'LATEST in a CronJob init container',
      yaml: workload('CronJob', { initContainers: [{ name: 'init', image: 'busybox:LATEST' }], containers: [{ name: 'app', image: 'app:1' }] }),
      findings: [{ path: `${CRON}/spec/initContainers/0/image`, message: 'mutable tag "LATEST"' }],
    },
    {
      name: 'ephemeral containers count',
      yaml: workload('Pod', { containers: [{ name: 'app', image: 'app:1' }], ephemeralContainers: [{ name: 'debug', image: 'busybox:latest' }] }),
      findings: [{ path: '/spec/ephemeralContainers/0/image' }],
    },
  ],
});

testRule(imageDigest, {
  valid: [
    { name: 'pinned', yaml: run('Deployment', `registry.example.com/app:1.0@${SHA}`) },
    { name: 'exempt registry', yaml: run('Deployment', 'registry.example.com/team/app:1.0'), options: { exempt: ['registry.example.com'] } },
    { name: 'exempt glob', yaml: run('CronJob', 'registry.example.com/team/app:1.0'), options: { exempt: ['registry.example.com/*/app'] } },
    { name: 'exempt familiar name', yaml: run('Deployment', 'nginx:1.25'), options: { exempt: ['nginx'] } },
    ...malformed,
  ],
  invalid: [
    {
      name: 'tag only in a Deployment',
      yaml: run('Deployment', 'registry.example.com/app:1.0'),
      findings: [{ path: `${DEPLOY}/spec/containers/0/image`, message: 'image "registry.example.com/app:1.0" is not pinned by digest' }],
    },
    {
      name: 'exemption does not cross name boundaries (CronJob)',
      yaml: run('CronJob', 'registry.example.community/app:1.0', 'registry.example.com/app:1.0'),
      options: { exempt: ['registry.example.com'] },
      findings: [{ path: `${CRON}/spec/containers/0/image` }],
    },
    {
      name: 'malformed exempt option is ignored',
      yaml: run('Pod', 'app:1'),
      options: { exempt: 'app' },
      findings: [{ path: '/spec/containers/0/image' }],
    },
  ],
});

testRule(imageRegistry, {
  valid: [
    { name: 'no options: never fires', yaml: run('Deployment', 'evil.example/x:1') },
    { name: 'empty allowlist: never fires', yaml: run('Deployment', 'evil.example/x:1'), options: { allowed: [] } },
    { name: 'allowlist not a list: never fires', yaml: run('Deployment', 'evil.example/x:1'), options: { allowed: 'ghcr.io' } },
    { name: 'docker.io covers familiar names', yaml: run('Deployment', 'nginx:1.25', 'bitnami/redis:7'), options: { allowed: ['docker.io'] } },
    { name: 'host/path prefix', yaml: run('CronJob', 'ghcr.io/acme/app:1', `ghcr.io/acme/tools/cli@${SHA}`), options: { allowed: ['ghcr.io/acme/'] } },
    { name: 'glob for ECR', yaml: run('Deployment', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1'), options: { allowed: ['*.dkr.ecr.*.amazonaws.com'] } },
    { ...malformed[0]!, options: { allowed: ['ghcr.io'] } },
    { ...malformed[1]!, options: { allowed: ['ghcr.io'] } },
  ],
  invalid: [
    {
      name: 'Docker Hub image when only ghcr.io is allowed',
      yaml: run('Deployment', 'nginx:1.25'),
      options: { allowed: ['ghcr.io'] },
      findings: [{ path: `${DEPLOY}/spec/containers/0/image`, message: 'is from docker.io/library/nginx, which is not under an allowed registry (ghcr.io)' }],
    },
    {
      name: 'prefix boundary: acme-evil is not acme (CronJob)',
      yaml: run('CronJob', 'ghcr.io/acme/app:1', 'ghcr.io/acme-evil/app:1'),
      options: { allowed: ['ghcr.io/acme'] },
      findings: [{ path: `${CRON}/spec/containers/1/image` }],
    },
    {
      name: 'docker.io/library does not cover other Hub namespaces',
      yaml: run('Pod', 'nginx:1', 'bitnami/redis:7'),
      options: { allowed: ['docker.io/library'] },
      findings: [{ path: '/spec/containers/1/image' }],
    },
  ],
});

testRule(imagePullPolicy, {
  valid: [
    { name: 'pinned image with IfNotPresent', yaml: run('Deployment', { image: `app:1@${SHA}`, imagePullPolicy: 'IfNotPresent' }) },
    { name: 'policy omitted', yaml: run('Deployment', { image: 'app:latest' }) },
    { name: 'Always', yaml: run('CronJob', { image: 'app:1.0', imagePullPolicy: 'Always' }) },
    { name: 'policy of the wrong type', yaml: run('Deployment', { image: 'app:1.0', imagePullPolicy: 5 }) },
    // image-digest reports a version tag that is not pinned: one finding per image.
    { name: 'version tag with Never (image-digest reports it)', yaml: run('CronJob', { image: 'app:1.0', imagePullPolicy: 'Never' }) },
    ...malformed,
  ],
  invalid: [
    {
      name: 'latest with IfNotPresent in a Deployment',
      yaml: run('Deployment', { image: 'app:latest', imagePullPolicy: 'IfNotPresent' }),
      findings: [{ path: `${DEPLOY}/spec/containers/0/imagePullPolicy`, message: 'floats (no tag or latest) but imagePullPolicy is IfNotPresent' }],
    },
  ],
});

describe('image-pull-policy and image-digest', () => {
  it('report an image once: floating images here, other unpinned tags there', () => {
    const findings = runRule(imagePullPolicy, run('Pod', { image: 'nginx', imagePullPolicy: 'IfNotPresent' }, { image: 'app:1.0', imagePullPolicy: 'IfNotPresent' }));
    expect(findings.map((f) => [f.path, f.severity])).toEqual([['/spec/containers/0/imagePullPolicy', 'low']]);
  });
});
