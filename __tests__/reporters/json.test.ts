import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { JSON_KEYS, renderJson, toJsonValue } from '../../src/reporters/json.ts';
import { repoRoot } from '../helpers/shared.ts';
import { admission, blastRadius, finding, helmSource, manifestSource, ref, sampleResult, scanResult, terraformSource } from './fixtures.ts';

const schema = JSON.parse(readFileSync(path.join(repoRoot, 'schemas', 'scan-result.schema.json'), 'utf8')) as {
  properties: Record<string, { properties?: Record<string, unknown> }>;
  $defs: Record<string, { properties?: Record<string, { properties?: Record<string, unknown> }> }>;
};
const ajv = new Ajv2020({ strict: true, allErrors: true });
const validate = ajv.compile(schema);

function errorsOf(value: unknown): string {
  return validate(value) ? '' : ajv.errorsText(validate.errors);
}

/** A result with every optional field present somewhere. */
function maximalResult() {
  const sample = sampleResult();
  const extra = finding({
    object: ref('Job', 'migrate*', 'prod', 'batch/v1'),
    path: '/spec/template/metadata/annotations/a~1b~0c',
    source: terraformSource({ line: 3, document: 2, chart: 'charts/x', template: 'x/templates/job.yaml', valueSet: 'ci' }),
    related: [ref('ServiceAccount', 'sa', 'prod', 'v1')],
  });
  const objects = sample.objects.map((o, i) => (i === 0 ? { ...o, podTemplate: { path: '/spec/template', origin: 'custom-resource' as const, detected: 'shape' as const }, blastRadius: blastRadius() } : o));
  return scanResult({ ...sample, objects, findings: [...sample.findings, extra], version: '1.2.3-rc.1' });
}

describe('json reporter', () => {
  it('prints pretty JSON with 2-space indentation and a trailing newline', () => {
    const out = renderJson(sampleResult());
    expect(out.endsWith('}\n')).toBe(true);
    expect(out.split('\n')[1]).toBe('  "tool": {');
    expect(out).toContain('\n    "name": "preadmit",\n');
  });

  it('validates against schemas/scan-result.schema.json', () => {
    for (const result of [sampleResult(), maximalResult(), scanResult(), scanResult({ failOn: 'never' })]) {
      expect(errorsOf(JSON.parse(renderJson(result)))).toBe('');
    }
  });

  it('keeps every field of the model, in the documented key order', () => {
    const result = maximalResult();
    const out = JSON.parse(renderJson(result)) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['tool', 'pss', 'summary', 'findings', 'objects', 'charts', 'errors']);
    const tf = (out.findings as Record<string, unknown>[]).find((f) => (f.object as { kind: string }).kind === 'Job')!;
    expect(Object.keys(tf)).toEqual(['ruleId', 'severity', 'category', 'message', 'object', 'path', 'source', 'fingerprint', 'remediation', 'related']);
    expect(tf.source).toEqual({
      kind: 'terraform',
      file: 'infra/main.tf',
      line: 3,
      chart: 'charts/x',
      template: 'x/templates/job.yaml',
      valueSet: 'ci',
      document: 2,
      plan: 'infra/plan.json',
      address: 'module.app.kubernetes_manifest.web',
    });
    expect((out.summary as Record<string, unknown>).bySeverity).toEqual({ critical: 3, high: 2, medium: 2, low: 1, info: 1 });
    // Round trip: the same data, only reordered.
    const sortKey = (f: { fingerprint: string; source: { valueSet?: string } }) => `${f.fingerprint}${f.source.valueSet ?? ''}`;
    const byFingerprint = (list: { fingerprint: string; source: { valueSet?: string } }[]) => [...list].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
    expect(byFingerprint(out.findings as Parameters<typeof byFingerprint>[0])).toEqual(byFingerprint(JSON.parse(JSON.stringify(result.findings))));
  });

  it('is stable: the order of the input lists does not change the bytes', () => {
    const a = sampleResult();
    const b = sampleResult();
    b.findings.reverse();
    b.objects.reverse();
    b.charts.reverse();
    b.errors.reverse();
    expect(renderJson(b)).toBe(renderJson(a));
    // Findings come sorted by place: chart renders first (by value set), then files.
    const files = (toJsonValue(a) as { findings: { source: { file: string; valueSet?: string } }[] }).findings.map((f) => `${f.source.valueSet ?? '-'} ${f.source.file}`);
    expect(files).toEqual([
      '- deploy/app.yaml',
      '- deploy/app.yaml',
      '- deploy/rbac.yaml',
      '- infra/main.tf',
      'default charts/shop/templates/deployment.yaml',
      'default charts/shop/templates/deployment.yaml',
      'default charts/shop/templates/worker.yaml',
      'prod charts/shop/templates/deployment.yaml',
    ]);
  });

  it('drops what the model does not declare (functions, unknown keys) and absent optionals', () => {
    const result = scanResult({ findings: [finding({ source: manifestSource({ line: undefined }) })] });
    Object.assign(result.findings[0]!, { lineOf: () => 1, extra: 'x' });
    const out = renderJson(result);
    expect(out).not.toContain('lineOf');
    expect(out).not.toContain('extra');
    expect(out).not.toContain('"line"');
    expect(errorsOf(JSON.parse(out))).toBe('');
  });

  it('the schema rejects what the model forbids', () => {
    const good = JSON.parse(renderJson(sampleResult())) as {
      findings: Record<string, unknown>[];
      objects: { admission?: { restricted: { violations: Record<string, unknown>[] } } }[];
      summary: Record<string, unknown>;
    };
    const mutate = (change: (r: typeof good) => void) => {
      const copy = structuredClone(good);
      change(copy);
      return copy;
    };
    expect(errorsOf(mutate((r) => (r.findings[0]!.severity = 'urgent')))).toMatch(/allowed values/);
    expect(errorsOf(mutate((r) => (r.findings[0]!.path = 'spec/containers')))).toMatch(/pattern/);
    expect(errorsOf(mutate((r) => (r.findings[0]!.path = '/a~2b')))).toMatch(/pattern/);
    expect(errorsOf(mutate((r) => ((r.findings[0]!.source as Record<string, unknown>).kind = 'kustomize')))).toMatch(/allowed values/);
    expect(errorsOf(mutate((r) => ((r.findings[0]!.source as Record<string, unknown>).line = 0)))).toMatch(/>= 1/);
    expect(errorsOf(mutate((r) => (r.findings[0]!.surprise = true)))).toMatch(/additional properties/);
    expect(errorsOf(mutate((r) => delete r.summary.verdict))).toMatch(/verdict/);
    expect(errorsOf(mutate((r) => (r.summary.failOn = 'info')))).toMatch(/allowed values/);
    expect(errorsOf(mutate((r) => (r.objects[0]!.admission!.restricted.violations[0]!.check = '')))).toMatch(/fewer than 1/);
    expect(errorsOf(mutate((r) => delete r.findings[0]!.fingerprint))).toMatch(/fingerprint/);
  });

  it('the schema and the serializer name the same fields (both follow the model)', () => {
    const propsOf = (def: { properties?: Record<string, unknown> } | undefined) => Object.keys(def?.properties ?? {});
    const d = schema.$defs;
    expect(propsOf(schema as { properties?: Record<string, unknown> })).toEqual([...JSON_KEYS.scanResult]);
    expect(propsOf(schema.properties.tool)).toEqual([...JSON_KEYS.tool]);
    expect(propsOf(schema.properties.pss)).toEqual([...JSON_KEYS.pss]);
    expect(propsOf(d.summary)).toEqual([...JSON_KEYS.summary]);
    expect(propsOf(d.finding)).toEqual([...JSON_KEYS.finding]);
    expect(propsOf(d.objectRef)).toEqual([...JSON_KEYS.objectRef]);
    expect(propsOf(d.source)).toEqual([...JSON_KEYS.source]);
    expect(propsOf(d.objectRecord)).toEqual([...JSON_KEYS.objectRecord]);
    expect(propsOf(d.admissionVerdict)).toEqual([...JSON_KEYS.admission]);
    expect(propsOf(d.levelVerdict)).toEqual([...JSON_KEYS.levelVerdict]);
    expect(propsOf(d.pssViolation)).toEqual([...JSON_KEYS.violation]);
    expect(propsOf(d.chartRecord)).toEqual([...JSON_KEYS.chartRecord]);
    expect(propsOf(d.chartRecord!.properties!.admission)).toEqual([...JSON_KEYS.chartAdmission]);
    expect(propsOf(d.scanError)).toEqual([...JSON_KEYS.scanError]);
    const blast = d.blastRadius!.properties! as Record<string, { properties?: Record<string, { properties?: Record<string, unknown>; items?: { properties?: Record<string, { properties?: Record<string, unknown> }> } }> }>;
    expect(propsOf(d.blastRadius)).toEqual([...JSON_KEYS.blastRadius]);
    expect(propsOf(blast.privilege)).toEqual([...JSON_KEYS.blastPrivilege]);
    expect(propsOf(blast.authority)).toEqual([...JSON_KEYS.blastAuthority]);
    expect(propsOf(blast.authority!.properties!.serviceAccount)).toEqual([...JSON_KEYS.blastServiceAccount]);
    expect(propsOf(blast.authority!.properties!.grants!.items)).toEqual([...JSON_KEYS.blastGrant]);
    expect(propsOf(blast.authority!.properties!.grants!.items!.properties!.role)).toEqual([...JSON_KEYS.blastGrantRole]);
    expect(propsOf(blast.authority!.properties!.dangerous!.items)).toEqual([...JSON_KEYS.blastDangerous]);
    expect(propsOf(blast.reachability)).toEqual([...JSON_KEYS.blastReachability]);
    expect(propsOf(blast.reachability!.properties!.exposure!.items)).toEqual([...JSON_KEYS.blastExposure]);
    expect(propsOf(blast.secrets)).toEqual([...JSON_KEYS.blastSecrets]);
  });

  it('documents every property', () => {
    const missing: string[] = [];
    const walk = (node: unknown, where: string) => {
      if (node === null || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (n.properties !== undefined) {
        for (const [key, prop] of Object.entries(n.properties as Record<string, Record<string, unknown>>)) {
          const target = typeof prop.$ref === 'string' ? (d(prop.$ref as string) as Record<string, unknown>) : prop;
          if (typeof prop.description !== 'string' && typeof target.description !== 'string') missing.push(`${where}/${key}`);
          walk(prop, `${where}/${key}`);
        }
      }
      for (const [k, v] of Object.entries(n)) if (k !== 'properties') walk(v, `${where}/${k}`);
    };
    const d = (pointer: string) => pointer.split('/').slice(1).reduce<unknown>((o, t) => (o as Record<string, unknown>)[t], schema);
    walk(schema, '');
    expect(missing).toEqual([]);
  });

  it('keeps the blast radius of objects, field for field', () => {
    const result = maximalResult();
    const out = JSON.parse(renderJson(result)) as { objects: { blastRadius?: unknown }[] };
    const withBlast = out.objects.filter((o) => o.blastRadius !== undefined);
    expect(withBlast).toHaveLength(1);
    expect(withBlast[0]!.blastRadius).toEqual(JSON.parse(JSON.stringify(blastRadius())));
    const bad = structuredClone(out) as { objects: { blastRadius?: { secrets: { readable: string } } }[] };
    bad.objects.find((o) => o.blastRadius)!.blastRadius!.secrets.readable = 'some';
    expect(errorsOf(bad)).toMatch(/allowed values/);
  });

  it('keeps admission verdicts of objects and charts', () => {
    const result = scanResult({
      objects: [{ object: ref(), source: helmSource(), admission: admission('v1.30', [], ['runAsNonRoot']) }],
      charts: [{ chart: 'charts/shop', name: 'shop', valueSet: 'default', objects: 1, renderMs: 5, admission: { level: 'restricted', version: 'v1.30', allowed: false, deniedBy: ['runAsNonRoot'] } }],
    });
    const out = JSON.parse(renderJson(result)) as { objects: unknown[]; charts: unknown[] };
    expect(out.objects[0]).toMatchObject({ admission: { version: 'v1.30', baseline: { allowed: true, violations: [] }, restricted: { allowed: false, violations: [{ check: 'runAsNonRoot' }] } } });
    expect(out.charts[0]).toMatchObject({ admission: { allowed: false, deniedBy: ['runAsNonRoot'] } });
    expect(errorsOf(out)).toBe('');
  });
});

describe('json reporter: pod templates', () => {
  it('says where an object keeps its pod and whether it is a custom resource judged as a pod', () => {
    const out = JSON.parse(renderJson(maximalResult())) as { objects: { podTemplate?: unknown }[] };
    expect(out.objects.filter((o) => o.podTemplate !== undefined).map((o) => o.podTemplate)).toEqual([{ path: '/spec/template', origin: 'custom-resource', detected: 'shape' }]);
    expect(errorsOf(out)).toBe('');
    const bad = structuredClone(out) as { objects: { podTemplate?: { origin: string } }[] };
    bad.objects.find((o) => o.podTemplate)!.podTemplate!.origin = 'crd';
    expect(errorsOf(bad)).toMatch(/allowed values/);
  });
});
