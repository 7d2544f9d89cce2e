// helm_release values are built as the helm provider builds them (strvals.ts): `values` merged, then every
// set entry applied ONTO that map by helm's strvals parser. Each case renders a local chart that is
// restricted by default with the real helm; the entry makes its pod privileged only under the provider's
// reading, and a control entry does not.
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/pipeline/scan.ts';
import type { ScanResult } from '../../src/model/model.ts';
import { parseInto, providerValues } from '../../src/terraform/strvals.ts';
import { fixture } from './helpers.ts';

async function scanRelease(after: Record<string, unknown>, chartFiles: Record<string, string> = {}): Promise<ScanResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-tf-helm-'));
  // a repository of its own: the chart is inside it
  mkdirSync(path.join(dir, '.git'));
  cpSync(fixture('helm-set', 'charts'), path.join(dir, 'charts'), { recursive: true });
  for (const [name, text] of Object.entries(chartFiles)) writeFileSync(path.join(dir, 'charts', 'app', name), text);
  const release = { name: 'r', namespace: 'apps', chart: './charts/app', repository: null, values: [], set: [], set_list: [], set_sensitive: [], postrender: [], ...after };
  writeFileSync(path.join(dir, 'plan.json'), JSON.stringify({
    format_version: '1.2',
    resource_changes: [{
      address: 'helm_release.r', mode: 'managed', type: 'helm_release', name: 'r', provider_name: 'registry.terraform.io/hashicorp/helm',
      change: { actions: ['create'], before: null, after: release, after_unknown: { id: true, manifest: true, metadata: true }, after_sensitive: {} },
    }],
  }));
  return scan({ paths: [path.join(dir, 'plan.json')], helmPath: process.env.PREADMIT_TEST_HELM3! });
}

const privileged = (result: ScanResult) => result.findings.filter((f) => f.ruleId === 'pss-privileged' && f.source.address === 'helm_release.r').map((f) => f.path);

describe('helm_release set entries, as the helm provider applies them', () => {
  it('a comma in a set value starts another key (strvals.ParseInto), an escaped one does not', async () => {
    const injected = await scanRelease({ set: [{ name: 'podAnnotations.note', type: '', value: 'x,securityContext.privileged=true' }] });
    expect(injected.errors).toEqual([]);
    expect(privileged(injected)).toEqual(['/spec/template/spec/containers/0/securityContext/privileged']);
    const escaped = await scanRelease({ set: [{ name: 'podAnnotations.note', type: '', value: 'x\\,securityContext.privileged=true' }] });
    expect(privileged(escaped)).toEqual([]);
    // type = "string" goes through strvals too (ParseIntoString): the comma splits there as well
    const asString = await scanRelease({ set: [{ name: 'podAnnotations.note', type: 'string', value: 'x,hostNetwork=true' }] });
    expect(asString.findings.filter((f) => f.ruleId === 'pss-host-namespaces').map((f) => f.path)).toEqual(['/spec/template/spec/hostNetwork']);
  });

  it('a set entry edits one element of a list from values; it does not replace the list', async () => {
    const result = await scanRelease({
      values: ['extraContainers:\n- name: side\n  image: busybox:1.35\n  securityContext: {privileged: true}\n'],
      set: [{ name: 'extraContainers[0].image', type: '', value: 'busybox:1.36' }],
    });
    expect(privileged(result)).toEqual(['/spec/template/spec/containers/1/securityContext/privileged']);
  });

  it('True and TRUE are booleans (strvals typedVal folds case), "true" as type string is not', async () => {
    for (const value of ['True', 'TRUE']) expect(privileged(await scanRelease({ set: [{ name: 'securityContext.privileged', type: '', value }] }))).toHaveLength(1);
    // a string "true" is not a boolean: the API server would refuse the object; nothing privileged is admitted
    expect(privileged(await scanRelease({ set: [{ name: 'securityContext.privileged', type: 'string', value: 'yes' }] }))).toEqual([]);
  });

  it('type = "literal" is read as YAML under its top-level key', async () => {
    expect(privileged(await scanRelease({ set: [{ name: 'securityContext', type: 'literal', value: '{privileged: true}' }] }))).toHaveLength(1);
    expect(privileged(await scanRelease({ set: [{ name: 'securityContext', type: 'literal', value: '{privileged: false}' }] }))).toEqual([]);
  });

  it('set_sensitive entries come after set and set_list, whatever the order in the plan', async () => {
    const result = await scanRelease({
      set: [{ name: 'securityContext.privileged', type: '', value: 'false' }],
      set_sensitive: [{ name: 'securityContext.privileged', type: '', value: 'true' }],
    });
    expect(privileged(result)).toHaveLength(1);
  });

  it('an entry the provider cannot parse is an error naming the release and the entry, not a silent render', async () => {
    const result = await scanRelease({ set: [{ name: 'a[1', type: '', value: 'x' }] });
    expect(result.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^helm_release helm_release\.r: the helm provider cannot build the release's values: set\[0\] "a\[1": error parsing index/)]);
    expect(result.summary.verdict).toBe('fail');
  });

  it('an unparsable sensitive value is an error that quotes nothing of it; indexes nested without end are an error, not a crash', async () => {
    const leaky = await scanRelease({ set_sensitive: [{ name: 'auth.password', type: '', value: 'Hu7,xq9' }] });
    expect(leaky.errors.map((e) => e.message)).toEqual([expect.stringMatching(/set_sensitive\[0\] "auth\.password": helm's --set parser refuses its sensitive value \(not shown\)/)]);
    expect(JSON.stringify(leaky)).not.toMatch(/xq9|Hu7/);
    // A chart's fail message printing a short sensitive value, plain or base64: neither reaches the report.
    for (const how of ['.Values.failWith', '(b64enc .Values.failWith)']) {
      const failing = await scanRelease({ set_sensitive: [{ name: 'failWith', type: '', value: 'Zq9' }] }, { 'templates/fail.yaml': `{{ fail (printf "bad setting %s" ${how}) }}\n` });
      expect(failing.errors.map((e) => e.message)).toEqual([expect.stringContaining('bad setting ***')]);
      expect(JSON.stringify(failing)).not.toMatch(/Zq9|WnE5/);
    }
    const deep = await scanRelease({ set: [{ name: `a${'[0]'.repeat(20_000)}`, type: '', value: 'x' }] });
    expect(deep.errors.map((e) => e.message)).toEqual([expect.stringMatching(/list indexes nested more than 30 deep/)]);
    expect(deep.summary.verdict).toBe('fail');
  });
});

describe('helm_release with a post-renderer', () => {
  it('is not analysable: an error naming the address and the program fails the run, nothing is rendered', async () => {
    for (const postrender of [{ binary_path: 'sed', args: ['s/allowPrivilegeEscalation: false/privileged: true/'] }, [{ binary_path: './bin/patch', args: [] }]]) {
      const result = await scanRelease({ postrender });
      expect(result.errors.map((e) => [e.kind, e.message])).toEqual([[
        'dependency',
        expect.stringMatching(/^helm_release helm_release\.r: post-renderer "(sed" with 1 argument|\.\/bin\/patch") \(postrender\.binary_path\) rewrites the rendered manifests before they are applied, and preadmit never runs a program named by the plan: the release is not analysable/),
      ]]);
      expect(result.charts).toEqual([]);
      expect(result.summary.verdict).toBe('fail');
    }
  });

  it('renders as before when postrender is unset (2.x [] and 3.x null)', async () => {
    for (const postrender of [[], null]) {
      const result = await scanRelease({ postrender });
      expect(result.errors).toEqual([]);
      expect(result.charts).toHaveLength(1);
    }
  });
});

describe('helm_release of a remote chart', () => {
  it('judges each set entry as the provider reads it (tf-helm-values-danger)', async () => {
    const result = await scanRelease({
      chart: 'app', repository: 'https://charts.example.com', version: '1.0.0',
      set: [{ name: 'podAnnotations.note', type: '', value: 'x,securityContext.privileged=True' }, { name: 'podAnnotations.other', type: '', value: 'x\\,hostNetwork=true' }],
    });
    expect(result.findings.filter((f) => f.ruleId === 'tf-helm-values-danger').map((f) => [f.path, f.message])).toEqual([
      ['/set/0/value', 'set[0] sets securityContext.privileged: privileged containers are root on the node'],
    ]);
  });
});

describe('strvals port', () => {
  const parsed = (line: string) => {
    const out = {};
    parseInto(line, out);
    return out;
  };
  it('matches helm --set on the cases helm documents and the edge cases (checked against helm 3.17 template)', () => {
    expect(parsed('a=b,c.d=e')).toEqual({ a: 'b', c: { d: 'e' } });
    expect(parsed('a={1,x},b=\\,')).toEqual({ a: [1, 'x'], b: ',' });
    expect(parsed('a[2].b=c')).toEqual({ a: [null, null, { b: 'c' }] });
    expect(parsed('a=falſe,b=007,c=-0,d=9223372036854775808')).toEqual({ a: false, b: '007', c: 0, d: '9223372036854775808' });
    expect(parsed('__proto__.x=1')).toEqual(JSON.parse('{"__proto__":{"x":1}}'));
    expect(() => parsed('a=1,a.b=2')).toThrow(/unable to parse key/);
  });

  it('merges values texts as the provider does (mappings merge, lists replace)', () => {
    expect(providerValues(['a: {b: 1, l: [1, 2]}\n', 'a: {c: 2, l: [3]}\n'], [])).toEqual({ a: { b: 1, c: 2, l: [3] } });
  });
});
