// Policy rules that are no-ops until configured: required labels and annotations, allowed RuntimeClasses.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import allowedRuntimeClasses from '../../rules/allowed-runtime-classes.ts';
import requiredAnnotations from '../../rules/required-annotations.ts';
import requiredLabels from '../../rules/required-labels.ts';
import { requirementsOf } from '../../rules/_templates/required-metadata.ts';
import { runRule, testRule } from '../helpers/rule-tester.ts';

type Json = Record<string, unknown>;

interface Shape {
  metadata?: Json;
  podMetadata?: Json;
  podSpec?: Json;
}

function object(kind: 'Pod' | 'Deployment' | 'CronJob' | 'ConfigMap', shape: Shape = {}): string {
  const metadata = { name: 'web', ...shape.metadata };
  const spec = { containers: [{ name: 'app', image: 'app:1' }], ...shape.podSpec };
  const template = { metadata: { ...shape.podMetadata }, spec };
  switch (kind) {
    case 'ConfigMap':
      return stringify({ apiVersion: 'v1', kind, metadata, data: { a: 'b' } });
    case 'Pod':
      return stringify({ apiVersion: 'v1', kind, metadata, spec });
    case 'CronJob':
      return stringify({ apiVersion: 'batch/v1', kind, metadata, spec: { schedule: '0 * * * *', jobTemplate: { spec: { template } } } });
    default:
      return stringify({ apiVersion: 'apps/v1', kind, metadata, spec: { selector: {}, template } });
  }
}

const DEPLOY = '/spec/template';
const CRON = '/spec/jobTemplate/spec/template';

describe('requirementsOf', () => {
  it('reads a list or a map; anything else is no requirement', () => {
    expect(requirementsOf(['team', 5, ''], 'labels')).toEqual([{ key: 'team' }]);
    expect(requirementsOf({ team: '[a-z]+', owner: '' }, 'labels').map((r) => [r.key, r.pattern])).toEqual([
      ['team', '[a-z]+'],
      ['owner', undefined],
    ]);
    expect(requirementsOf('team', 'labels')).toEqual([]);
    expect(requirementsOf(undefined, 'labels')).toEqual([]);
  });
  it('anchors patterns to the whole value', () => {
    const [requirement] = requirementsOf({ env: 'prod|staging' }, 'labels');
    expect(requirement?.regex?.test('prod')).toBe(true);
    expect(requirement?.regex?.test('production')).toBe(false);
  });
  it('names an invalid pattern', () => {
    expect(() => requirementsOf({ team: '(' }, 'labels')).toThrow(/labels\.team is not a valid regular expression/);
  });
});

testRule(requiredLabels, {
  valid: [
    { name: 'no options: never fires', yaml: object('Deployment') },
    { name: 'labels option not a list or map: never fires', yaml: object('Deployment'), options: { labels: 'team' } },
    { name: 'present', yaml: object('Deployment', { metadata: { labels: { team: 'shop', 'app.kubernetes.io/name': 'web' } } }), options: { labels: ['team', 'app.kubernetes.io/name'] } },
    { name: 'pattern matches', yaml: object('CronJob', { metadata: { labels: { env: 'prod' } } }), options: { labels: { env: 'prod|staging' } } },
    { name: 'other kinds are skipped with kinds', yaml: object('ConfigMap'), options: { labels: ['team'], kinds: ['Deployment'] } },
    { name: 'non-workloads are skipped with workloadsOnly', yaml: object('ConfigMap'), options: { labels: ['team'], workloadsOnly: true } },
    { name: 'pod template is not checked unless asked', yaml: object('Deployment', { metadata: { labels: { team: 'shop' } } }), options: { labels: ['team'] } },
    { name: 'numeric label values are read as strings', yaml: object('Deployment', { metadata: { labels: { tier: 1 } } }), options: { labels: { tier: '[0-9]' } } },
    { name: 'metadata.labels of the wrong type does not crash when no rule applies', yaml: object('ConfigMap', { metadata: { labels: 'oops' } }), options: { labels: ['team'], kinds: ['Pod'] } },
  ],
  invalid: [
    {
      name: 'missing on a Deployment, key with a slash',
      yaml: object('Deployment', { metadata: { labels: { team: 'shop' } } }),
      options: { labels: ['team', 'app.kubernetes.io/name'] },
      findings: [{ path: '/metadata/labels/app.kubernetes.io~1name', message: 'Deployment "web" has no label "app.kubernetes.io/name" in metadata' }],
    },
    {
      name: 'empty value counts as missing',
      yaml: object('ConfigMap', { metadata: { labels: { team: '' } } }),
      options: { labels: ['team'] },
      findings: [{ path: '/metadata/labels/team', message: 'has an empty label "team"' }],
    },
    {
      name: 'pattern mismatch quotes the label value',
      yaml: object('Deployment', { metadata: { labels: { env: 'production' } } }),
      options: { labels: { env: 'prod|staging' } },
      findings: [{ path: '/metadata/labels/env', message: 'is "production", which does not match /prod|staging/' }],
    },
    {
      name: 'pod template of a CronJob with podTemplate',
      yaml: object('CronJob', { metadata: { labels: { team: 'shop' } } }),
      options: { labels: ['team'], podTemplate: true },
      findings: [{ path: `${CRON}/metadata/labels/team`, message: 'in the pod template metadata' }],
    },
    {
      name: 'pod template of a Deployment with workloadsOnly and podTemplate',
      yaml: object('Deployment', { podMetadata: { labels: { team: 'shop' } } }),
      options: { labels: ['team'], workloadsOnly: true, podTemplate: true },
      findings: [{ path: '/metadata/labels/team' }],
    },
    {
      name: 'a bare Pod is checked once',
      yaml: object('Pod'),
      options: { labels: ['team'], podTemplate: true },
      findings: [{ path: '/metadata/labels/team' }],
    },
    {
      name: 'labels of the wrong type read as absent; deployment template too',
      yaml: object('Deployment', { metadata: { labels: 'oops' }, podMetadata: { labels: ['x'] } }),
      options: { labels: ['team'], podTemplate: true },
      findings: [{ path: '/metadata/labels/team' }, { path: `${DEPLOY}/metadata/labels/team` }],
    },
  ],
});

describe('required-labels with an invalid pattern', () => {
  it('surfaces as a rule error, not a silent pass', () => {
    expect(() => runRule(requiredLabels, object('Deployment'), { options: { labels: { team: '(' } } })).toThrow(/not a valid regular expression/);
  });
});

testRule(requiredAnnotations, {
  valid: [
    { name: 'no options: never fires', yaml: object('Deployment') },
    { name: 'present', yaml: object('CronJob', { metadata: { annotations: { 'example.com/owner': 'team-shop@example.com' } } }), options: { annotations: ['example.com/owner'] } },
    { name: 'pattern matches', yaml: object('Deployment', { metadata: { annotations: { owner: 'a@example.com' } } }), options: { annotations: { owner: '[^@]+@example\\.com' } } },
    { name: 'annotations is a list', yaml: object('ConfigMap', { metadata: { annotations: ['owner'] } }), options: { annotations: ['owner'], kinds: ['Deployment'] } },
  ],
  invalid: [
    {
      name: 'missing on a Deployment and its pod template',
      yaml: object('Deployment'),
      options: { annotations: ['example.com/owner'], podTemplate: true },
      findings: [
        { path: '/metadata/annotations/example.com~1owner', message: 'Deployment "web" has no annotation "example.com/owner" in metadata' },
        { path: `${DEPLOY}/metadata/annotations/example.com~1owner` },
      ],
    },
    {
      name: 'mismatch never quotes the annotation value (CronJob)',
      yaml: object('CronJob', { metadata: { annotations: { owner: 'hunter2-not-an-email' } } }),
      options: { annotations: { owner: '[^@]+@example\\.com' } },
      findings: [{ path: '/metadata/annotations/owner', message: 'annotation "owner" in metadata does not match' }],
    },
  ],
});

describe('required-annotations messages', () => {
  it('do not contain the value', () => {
    const [finding] = runRule(requiredAnnotations, object('Pod', { metadata: { annotations: { owner: 'hunter2-not-an-email' } } }), { options: { annotations: { owner: 'x' } } });
    expect(finding?.message).not.toContain('hunter2');
  });
});

testRule(allowedRuntimeClasses, {
  valid: [
    { name: 'no options: never fires', yaml: object('Deployment', { podSpec: { runtimeClassName: 'runc' } }) },
    { name: 'allowed class', yaml: object('Deployment', { podSpec: { runtimeClassName: 'gvisor' } }), options: { allowed: ['gvisor', 'kata'] } },
    { name: 'absent and not required', yaml: object('CronJob'), options: { allowed: ['gvisor'] } },
    { name: 'required alone accepts any class', yaml: object('Pod', { podSpec: { runtimeClassName: 'runc' } }), options: { required: true } },
    { name: 'allowed of the wrong type: never fires', yaml: object('Pod', { podSpec: { runtimeClassName: 'runc' } }), options: { allowed: 'gvisor' } },
    { name: 'containers malformed', yaml: object('Deployment', { podSpec: { containers: 'oops', runtimeClassName: 'gvisor' } }), options: { allowed: ['gvisor'] } },
  ],
  invalid: [
    {
      name: 'other class in a Deployment',
      yaml: object('Deployment', { podSpec: { runtimeClassName: 'runc' } }),
      options: { allowed: ['gvisor', 'kata'] },
      findings: [{ path: `${DEPLOY}/spec/runtimeClassName`, message: 'runtimeClassName "runc" is not allowed (allowed: gvisor, kata)' }],
    },
    {
      name: 'required and absent in a CronJob',
      yaml: object('CronJob'),
      options: { allowed: ['gvisor'], required: true },
      findings: [{ path: `${CRON}/spec/runtimeClassName`, message: 'no runtimeClassName is set; one of gvisor is required' }],
    },
    {
      name: 'required, and a class of the wrong type reads as absent',
      yaml: object('Pod', { podSpec: { runtimeClassName: 5 } }),
      options: { required: true },
      findings: [{ path: '/spec/runtimeClassName', message: 'any RuntimeClass' }],
    },
  ],
});
