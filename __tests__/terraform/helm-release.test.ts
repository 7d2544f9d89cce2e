// helm_release: local charts are rendered (privileged.test.ts); remote ones are named as not analysable
// offline and their values checked for settings dangerous whatever the chart does.
import { describe, expect, it } from 'vitest';
import valuesDanger from '../../rules/tf-helm-values-danger.ts';
import { parseSetName, setEntriesToValues, typedValue } from '../../src/terraform/index.ts';
import { fixture, loadPlanAt, run, TF_RULES } from './helpers.ts';

const plan = loadPlanAt(fixture('helm', 'plan.json'));
const release = (address: string) => plan.objects.find((o) => o.source.address === address)!;

describe('remote helm_release', () => {
  it('is named, per release, as not analysable offline (never passed silently)', () => {
    expect(plan.helmReleases).toEqual([]);
    expect(plan.errors.map((e) => [e.kind, e.message.split(':')[0]])).toEqual([
      ['dependency', 'helm_release helm_release.agent'],
      ['dependency', 'helm_release module.aws.helm_release.lbc'],
      ['dependency', 'helm_release helm_release.db'],
      ['dependency', 'helm_release helm_release.app'],
    ]);
    expect(plan.errors[0]!.message).toContain('chart "node-agent" from https://charts.example.com version 1.4.0 is not in the repository and not analysable offline');
    expect(plan.errors[2]!.message).toContain('chart "oci://registry.example.com/charts/db" version 2.0.0 is not in the repository and not analysable offline');
    expect(plan.errors[3]!.message).toContain('local chart "../../charts/app" version 0.1.0 was not found in the repository');
  });

  it('reads values, set, set_list and set_sensitive in both provider shapes (2.x blocks, 3.x attributes with nulls)', () => {
    expect(release('helm_release.agent').raw).toMatchObject({
      chartSource: 'remote',
      values: [{ daemonset: { hostNetwork: true } }, { podSecurityContext: { runAsUser: 0 } }],
      set: [{ name: 'hostPID', value: 'true' }, { name: 'image.tag', value: '1.2.3', type: 'string' }],
      set_list: [{ name: 'securityContext.capabilities.add', value: ['NET_ADMIN', 'ALL'] }],
      set_sensitive: [{ name: 'auth.password', value: 'HELM-SET-SENSITIVE-pa55w0rd' }],
      sensitive: ['/set_sensitive/0/value'],
    });
    expect(release('module.aws.helm_release.lbc').raw).toMatchObject({ values: [], set: [{ name: 'clusterName', value: 'prod' }, { name: 'vpcId', value: null }], set_list: [], set_sensitive: [] });
    expect(release('module.aws.helm_release.lbc').unknown).toEqual(['/set/1/value']);
  });

  it('finds dangerous values without rendering, located at the value', () => {
    const findings = run(plan.objects, [valuesDanger]);
    expect(findings.filter((f) => f.source.address === 'helm_release.agent').map((f) => `${f.severity} ${f.path}`)).toEqual([
      'high /values/0/daemonset/hostNetwork',
      'high /values/0/daemonset/securityContext/privileged',
      'high /values/0/daemonset/securityContext/capabilities/add',
      'high /values/0/daemonset/volumes/0/hostPath',
      'medium /values/1/podSecurityContext/runAsUser',
      'high /set/0/value',
      'high /set_list/0/value',
    ]);
    expect(findings.find((f) => f.path === '/values/0/daemonset/securityContext/privileged')!.message).toBe('values[0] sets daemonset.securityContext.privileged: privileged containers are root on the node');
    expect(findings.find((f) => f.path === '/set/0/value')!.message).toBe('set[0] sets hostPID: pods share the node\'s namespaces');
    // values sensitive as a whole: judged like the others
    expect(findings.filter((f) => f.source.address === 'helm_release.db').map((f) => f.path)).toEqual(['/values/0/primary/podSecurityContext/runAsNonRoot']);
  });

  it('reports values and set entries unknown until apply', () => {
    const findings = run(plan.objects, TF_RULES).filter((f) => f.ruleId === 'tf-unknown-until-apply');
    expect(findings.map((f) => [f.source.address, f.path, f.message])).toEqual([
      ['module.aws.helm_release.lbc', '/set/1/value', 'helm_release set entry "vpcId" has a value unknown until apply: the chart was checked without it'],
      ['helm_release.app', '/values', 'helm_release values (values) are unknown until apply: the chart was checked without them'],
    ]);
  });

  it('never shows a sensitive value: set_sensitive, sensitive values, repository_password, variables', () => {
    const findings = run(plan.objects, TF_RULES);
    const text = JSON.stringify(findings);
    for (const secret of ['HELM-SET-SENSITIVE-pa55w0rd', 'HELM-REPO-PASSWORD-secret', 'HELM-SENSITIVE-VALUES-rootpw', 'HELM-SENSITIVE-VARIABLE-value']) expect(text).not.toContain(secret);
    // never read at all
    for (const secret of ['HELM-REPO-PASSWORD-secret', 'HELM-SENSITIVE-VARIABLE-value']) expect(JSON.stringify(plan)).not.toContain(secret);
    // judged, and handed to the redactor for the report
    expect(plan.secrets).toEqual(expect.arrayContaining(['HELM-SET-SENSITIVE-pa55w0rd', 'HELM-SENSITIVE-VALUES-rootpw']));
  });
});

describe('helm --set semantics for the render', () => {
  it('splits names on unescaped dots, with list indexes', () => {
    expect(parseSetName('image.tag')).toEqual(['image', 'tag']);
    expect(parseSetName('annotations.prometheus\\.io/scrape')).toEqual(['annotations', 'prometheus.io/scrape']);
    expect(parseSetName('containers[1].args[0]')).toEqual(['containers', 1, 'args', 0]);
  });

  it('types values as helm does (strvals typedVal: any case, no leading zero)', () => {
    expect([typedValue('true'), typedValue('True'), typedValue('FALSE'), typedValue('null'), typedValue('10'), typedValue('010'), typedValue('1.5'), typedValue('-0')]).toEqual([true, true, false, null, 10, '010', '1.5', 0]);
  });

  it('builds the values as the provider does: values merged, then set, set_list and set_sensitive applied onto them, in that order', () => {
    expect(setEntriesToValues([
      { attribute: 'set_sensitive', index: 0, name: 'auth.password', value: 's3cret' },
      { attribute: 'set', index: 0, name: 'securityContext.privileged', value: 'true' },
      { attribute: 'set', index: 1, name: 'image.tag', value: '10', type: 'string' },
      { attribute: 'set_list', index: 0, name: 'args', value: ['--a', '2'] },
      { attribute: 'set', index: 2, name: 'containers[1].name', value: 'sidecar' },
      { attribute: 'set', index: 3, name: 'securityContext.privileged', value: 'false' },
      { attribute: 'set_sensitive', index: 1, name: 'securityContext.privileged', value: 'TRUE' },
    ], ['securityContext: {runAsUser: 1000}\nextra: [{name: a, image: a:1}, {name: b}]\n'])).toEqual({
      securityContext: { privileged: true, runAsUser: 1000 },
      image: { tag: '10' },
      args: ['--a', 2],
      containers: [null, { name: 'sidecar' }],
      auth: { password: 's3cret' },
      extra: [{ name: 'a', image: 'a:1' }, { name: 'b' }],
    });
  });
});
