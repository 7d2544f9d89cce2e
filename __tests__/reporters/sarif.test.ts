import type { Log, ReportingDescriptor, Result } from 'sarif';
import { describe, expect, it } from 'vitest';
import type { Severity } from '../../src/model/model.ts';
import { FINGERPRINT_KEY, GITHUB_LIMITS, renderSarif, toArtifactUri, toSarifLog } from '../../src/reporters/sarif.ts';
import { finding, HOSTILE, HOSTILE_ALL, manifestSource, ref, RULES, sampleResult, scanResult, terraformSource } from './fixtures.ts';
import { loadSarifValidator } from './sarif-schema.ts';

const validateSarif = loadSarifValidator();

function parse(out: string): Log {
  return JSON.parse(out) as Log;
}

function schemaErrors(log: unknown): string {
  return validateSarif(log) ? '' : JSON.stringify(validateSarif.errors, null, 1).slice(0, 2000);
}

function run(log: Log) {
  expect(log.runs).toHaveLength(1);
  return log.runs[0]!;
}

// GitHub's bands (GITHUB.md §6): > 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
function githubBand(score: number): string {
  if (score > 9.0) return 'critical';
  if (score >= 7.0) return 'high';
  if (score >= 4.0) return 'medium';
  return 'low';
}

/** The constraints GitHub code scanning adds to the SARIF schema. */
function assertGithubConstraints(log: Log): void {
  const r = run(log);
  const rules = r.tool.driver.rules ?? [];
  expect(r.results!.length).toBeLessThanOrEqual(GITHUB_LIMITS.resultsPerRun);
  expect(rules.length).toBeLessThanOrEqual(25_000);
  for (const rule of rules) {
    const severity = rule.properties?.['security-severity'] as unknown;
    expect(typeof severity, `security-severity of ${rule.id}`).toBe('string');
    const score = Number(severity);
    expect(score).toBeGreaterThan(0);
    expect(score).toBeLessThanOrEqual(10);
    const tags = rule.properties?.tags ?? [];
    expect(tags).toContain('security');
    expect(tags.length).toBeLessThanOrEqual(20);
    expect(rule.name!.length).toBeLessThanOrEqual(255);
    expect(rule.shortDescription!.text.length).toBeLessThanOrEqual(1024);
    expect(rule.fullDescription!.text.length).toBeLessThanOrEqual(1024);
    expect(rule.help!.text.length).toBeGreaterThan(0);
  }
  for (const result of r.results!) {
    expect(result.ruleId).toBeDefined();
    expect(rules[result.ruleIndex!]!.id).toBe(result.ruleId);
    expect(result.message.text!.length).toBeGreaterThan(0);
    expect(result.partialFingerprints?.[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{32}$/);
    expect(result.locations!.length).toBeGreaterThanOrEqual(1);
    const physical = result.locations![0]!.physicalLocation!;
    const uri = physical.artifactLocation!.uri!;
    expect(uri).not.toMatch(/^(\/|\.\/|[A-Za-z][A-Za-z0-9+.-]*:)/);
    expect(uri).not.toContain('\\');
    expect(uri).not.toContain('//');
    expect(physical.artifactLocation!.uriBaseId).toBe('%SRCROOT%');
    expect(Number.isInteger(physical.region!.startLine)).toBe(true);
    expect(physical.region!.startLine!).toBeGreaterThanOrEqual(1);
  }
}

describe('sarif reporter', () => {
  it('validates against the official SARIF 2.1.0 schema and GitHub constraints', () => {
    for (const result of [sampleResult(), scanResult(), scanResult({ failOn: 'never', findings: [finding()] })]) {
      const log = parse(renderSarif(result, RULES));
      expect(schemaErrors(log)).toBe('');
      assertGithubConstraints(log);
    }
  });

  it('the schema check can fail', () => {
    const log = parse(renderSarif(sampleResult(), RULES));
    const broken = structuredClone(log) as unknown as { runs: { results: Record<string, unknown>[] }[] };
    broken.runs[0]!.results[0]!.level = 'fatal';
    expect(schemaErrors(broken)).toMatch(/allowedValues/);
    const noDriver = structuredClone(log) as unknown as { runs: { tool: Record<string, unknown> }[] };
    delete noDriver.runs[0]!.tool.driver;
    expect(schemaErrors(noDriver)).toMatch(/driver/);
  });

  it('describes the tool and every rule', () => {
    const r = run(toSarifLog(scanResult({ version: '2.4.1' }), RULES));
    const driver = r.tool.driver;
    expect(driver).toMatchObject({ name: 'preadmit', version: '2.4.1', semanticVersion: '2.4.1', informationUri: 'https://github.com/preadmit/preadmit' });
    expect(driver.rules!.map((d) => d.id)).toEqual(RULES.map((m) => m.id));
    const privileged = driver.rules![0]!;
    expect(privileged).toMatchObject({
      id: 'pss-privileged',
      name: 'PssPrivileged',
      shortDescription: { text: 'No privileged containers' },
      fullDescription: { text: 'No privileged containers: why it matters.' },
      helpUri: 'https://kubernetes.io/docs/pss-privileged',
      defaultConfiguration: { level: 'error' },
      properties: { 'security-severity': '9.5', tags: ['security', 'kubernetes', 'pod-security'] },
    });
    expect(privileged.help!.text).toContain('Remediation: Fix `pss-privileged` like this.');
    expect(privileged.help!.text).toContain('No privileged containers reference: https://kubernetes.io/docs/pss-privileged');
    expect(privileged.help!.markdown).toContain('[No privileged containers reference](https://kubernetes.io/docs/pss-privileged)');
    const scores = Object.fromEntries(driver.rules!.map((d) => [d.id, d.properties!['security-severity']]));
    expect(scores).toEqual({ 'pss-privileged': '9.5', 'pss-run-as-non-root': '8.0', 'image-tag-latest': '5.5', 'resources-missing': '3.0', 'values-note': '1.0' });
    const levels = Object.fromEntries(driver.rules!.map((d) => [d.id, d.defaultConfiguration!.level]));
    expect(levels).toEqual({ 'pss-privileged': 'error', 'pss-run-as-non-root': 'error', 'image-tag-latest': 'warning', 'resources-missing': 'note', 'values-note': 'note' });
    // A rule without references still gets a help URI.
    expect(driver.rules![2]!.helpUri).toBe('https://github.com/preadmit/preadmit/blob/main/docs/rules/image-tag-latest.md');
    // Scores land in GitHub's band for the rule's severity (info has no band of its own: low).
    for (const meta of RULES) {
      const d = driver.rules!.find((x) => x.id === meta.id)!;
      expect(githubBand(Number(d.properties!['security-severity']))).toBe(meta.defaultSeverity === 'info' ? 'low' : meta.defaultSeverity);
    }
  });

  it('accepts the rule modules as well as their metadata', () => {
    const fromModules = renderSarif(sampleResult(), RULES.map((meta) => ({ meta })));
    expect(fromModules).toBe(renderSarif(sampleResult(), RULES));
  });

  it('writes one result per finding with location, logical location, fingerprint and properties', () => {
    const result = sampleResult();
    const r = run(toSarifLog(result, RULES));
    expect(r.results).toHaveLength(result.findings.length);
    const prod = r.results!.find((x) => x.properties?.valueSet === 'prod')!;
    const source = result.findings[2]!;
    expect(prod).toEqual<Result>({
      ruleId: 'pss-run-as-non-root',
      ruleIndex: 1,
      level: 'error',
      message: { text: 'Deployment shop/web (values: prod): Container "app" breaks pss-run-as-non-root.' },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: 'charts/shop/templates/deployment.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 24 } },
          logicalLocations: [{ name: 'web', fullyQualifiedName: 'Deployment/shop/web', kind: 'resource', properties: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop' } }],
        },
      ],
      partialFingerprints: { 'preadmit/v2': source.fingerprint },
      properties: {
        path: '/spec/template/spec/securityContext/runAsNonRoot',
        severity: 'high',
        category: 'pod-security',
        chart: 'charts/shop',
        template: 'shop/templates/deployment.yaml',
        valueSet: 'prod',
      },
    });
  });

  it('maps severities to levels: error for critical and high, warning for medium, note for low and info', () => {
    const severities: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
    const result = scanResult({ findings: severities.map((severity, i) => finding({ severity, path: `/x/${i}` })), failOn: 'never' });
    const levels = run(toSarifLog(result, RULES)).results!.map((x) => [x.properties!.severity, x.level]);
    expect(levels).toEqual([
      ['critical', 'error'],
      ['high', 'error'],
      ['medium', 'warning'],
      ['low', 'note'],
      ['info', 'note'],
    ]);
  });

  it('scores a rule by the severity in effect (configured overrides), since GitHub takes severity from the rule', () => {
    const result = scanResult({ findings: [finding({ ruleId: 'pss-privileged', severity: 'low' })] });
    const rule = run(toSarifLog(result, RULES)).tool.driver.rules!.find((d) => d.id === 'pss-privileged')!;
    expect(rule.properties!['security-severity']).toBe('3.0');
    expect(rule.defaultConfiguration!.level).toBe('note');
    expect(rule.properties!.defaultSeverity).toBe('critical');
  });

  it('always gives a line: startLine 1 when the line is unknown', () => {
    const result = scanResult({ findings: [finding({ source: manifestSource({ line: undefined }) }), finding({ source: manifestSource({ line: 0 }), path: '/a' })] });
    const lines = run(toSarifLog(result, RULES)).results!.map((x) => x.locations![0]!.physicalLocation!.region!.startLine);
    expect(lines).toEqual([1, 1]);
  });

  it('adds the terraform address as a second logical location', () => {
    const result = scanResult({ findings: [finding({ object: ref('Deployment', 'api', 'prod'), source: terraformSource({ line: 12 }) })] });
    const res = run(toSarifLog(result, RULES)).results![0]!;
    expect(res.locations![0]!.logicalLocations).toEqual([
      { name: 'api', fullyQualifiedName: 'Deployment/prod/api', kind: 'resource', properties: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'prod' } },
      { name: 'module.app.kubernetes_manifest.web', fullyQualifiedName: 'module.app.kubernetes_manifest.web', kind: 'resource', properties: { terraformAddress: true } },
    ]);
    expect(res.properties).toMatchObject({ plan: 'infra/plan.json', address: 'module.app.kubernetes_manifest.web' });
    expect(res.locations![0]!.physicalLocation!.artifactLocation!.uri).toBe('infra/main.tf');
  });

  it('names cluster-scoped objects without a namespace', () => {
    const result = scanResult({ findings: [finding({ object: ref('ClusterRole', 'admin', null, 'rbac.authorization.k8s.io/v1') })] });
    const res = run(toSarifLog(result, RULES)).results![0]!;
    expect(res.message.text).toBe('ClusterRole admin: Container "app" breaks pss-privileged.');
    expect(res.locations![0]!.logicalLocations![0]!.fullyQualifiedName).toBe('ClusterRole/admin');
  });

  it('reports scan errors as tool execution notifications and marks the run unsuccessful', () => {
    const r = run(toSarifLog(sampleResult(), RULES));
    const invocation = r.invocations![0]!;
    expect(invocation.executionSuccessful).toBe(false);
    expect(invocation.toolExecutionNotifications).toEqual([
      {
        level: 'error',
        message: { text: 'render error in charts/broken: helm template failed: template: broken/templates/x.yaml:3: function "nope" not defined' },
        properties: { kind: 'render', chart: 'charts/broken' },
        locations: [{ physicalLocation: { artifactLocation: { uri: 'charts/broken', uriBaseId: '%SRCROOT%' } } }],
      },
      {
        level: 'error',
        message: { text: 'parse error in deploy/bad.yaml: mapping values are not allowed here' },
        properties: { kind: 'parse' },
        locations: [{ physicalLocation: { artifactLocation: { uri: 'deploy/bad.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 4 } } }],
      },
    ]);
    const clean = run(toSarifLog(scanResult({ findings: [finding()] }), RULES)).invocations![0]!;
    expect(clean).toEqual({ executionSuccessful: true });
  });

  it('writes repository-relative URIs: forward slashes, no ./ or /, special characters encoded', () => {
    expect(toArtifactUri('./charts/app/templates/deploy.yaml')).toBe('charts/app/templates/deploy.yaml');
    expect(toArtifactUri('/charts/app//x.yaml')).toBe('charts/app/x.yaml');
    expect(toArtifactUri('charts\\app\\x.yaml')).toBe('charts/app/x.yaml');
    expect(toArtifactUri('my charts/a b#1?.yaml')).toBe('my%20charts/a%20b%231%3F.yaml');
    expect(toArtifactUri('c:/x.yaml')).toBe('c%3A/x.yaml');
    expect(toArtifactUri('ünï.yaml')).toBe('%C3%BCn%C3%AF.yaml');
  });

  it('stays valid with hostile names, messages and file names', () => {
    const result = scanResult({
      findings: [
        finding({ object: ref(HOSTILE.html, HOSTILE_ALL, HOSTILE.mention), message: HOSTILE_ALL, source: manifestSource({ file: `./deploy/${HOSTILE.comment} x.yaml` }) }),
        finding({ path: '/metadata/annotations/a~1b', source: manifestSource({ file: 'C:\\evil\\x.yaml' }) }),
      ],
      errors: [{ kind: 'parse', file: `deploy/${HOSTILE.pipe}.yaml`, line: 2, message: HOSTILE_ALL }],
    });
    const log = parse(renderSarif(result, RULES));
    expect(schemaErrors(log)).toBe('');
    assertGithubConstraints(log);
  });

  it('lists rules that only findings name, so every result has a rule with a security-severity', () => {
    const result = scanResult({ findings: [finding({ ruleId: 'internal-error', severity: 'high', category: 'admission' })] });
    const log = toSarifLog(result, RULES);
    const rules = run(log).tool.driver.rules!;
    const added = rules[rules.length - 1] as ReportingDescriptor;
    expect(added).toMatchObject({ id: 'internal-error', name: 'InternalError', properties: { 'security-severity': '8.0', tags: ['security', 'kubernetes', 'admission'] } });
    expect(run(log).results![0]!.ruleIndex).toBe(rules.length - 1);
    expect(schemaErrors(JSON.parse(JSON.stringify(log)))).toBe('');
  });

  it('writes each rule once even when given twice', () => {
    const rules = run(toSarifLog(scanResult(), [...RULES, RULES[0]!])).tool.driver.rules!;
    expect(rules.map((d) => d.id)).toEqual(RULES.map((m) => m.id));
  });

  it(`keeps at most ${GITHUB_LIMITS.resultsPerRun} results, the most severe, and says what was cut`, () => {
    const count = GITHUB_LIMITS.resultsPerRun + 7;
    const findings = Array.from({ length: count }, (_, i) =>
      finding({ ruleId: i < 5 ? 'values-note' : 'pss-run-as-non-root', path: `/spec/containers/${i}`, source: manifestSource({ line: i + 1 }) }),
    );
    const log = toSarifLog(scanResult({ findings }), RULES);
    const r = run(log);
    expect(r.results).toHaveLength(GITHUB_LIMITS.resultsPerRun);
    // The info findings are the ones left out; all high ones stay.
    expect(r.results!.filter((x) => x.ruleId === 'values-note')).toHaveLength(0);
    expect(r.results!.every((x) => x.level === 'error')).toBe(true);
    const notes = r.invocations![0]!.toolExecutionNotifications!;
    expect(notes.map((n) => n.level)).toEqual(['warning', 'note']);
    expect(notes[0]!.message.text).toBe(
      `preadmit found ${count} findings; GitHub code scanning accepts at most 25000 results per run, so the 7 least severe were left out of this file (2 high, 5 info). The JSON report has them all.`,
    );
    expect(notes[1]!.message.text).toBe('This file has 25000 results; GitHub code scanning keeps only the 5000 most severe of them.');
    // Truncation is not an execution failure.
    expect(r.invocations![0]!.executionSuccessful).toBe(true);
  });

  it('orders results most severe first', () => {
    const r = run(toSarifLog(sampleResult(), RULES));
    const order = r.results!.map((x) => x.properties!.severity);
    expect(order).toEqual(['critical', 'critical', 'high', 'high', 'medium', 'medium', 'low', 'info']);
  });

  it('prints pretty JSON with a trailing newline and the SARIF version', () => {
    const out = renderSarif(scanResult(), RULES);
    expect(out.startsWith('{\n  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",\n  "version": "2.1.0",\n')).toBe(true);
    expect(out.endsWith('}\n')).toBe(true);
  });
});
