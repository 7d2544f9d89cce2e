// Suppressions that never touch manifests: .preadmit.yaml entries (scope, reason, expiry), comments on
// values and template lines, annotations on objects; suppressed findings are kept and marked.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.ts';
import type { Finding, ScannedObject, SuppressionRecord } from '../../src/model/model.ts';
import { scan } from '../../src/pipeline/scan.ts';
import { applySuppressions, parseComments } from '../../src/pipeline/suppress.ts';
import { repoRoot } from '../helpers/shared.ts';
import { pipeline } from './harness.ts';

const chart = path.join(repoRoot, '__tests__', 'fixtures', 'provenance', 'suppressed');
const rel = (file: string) => `__tests__/fixtures/provenance/suppressed/${file}`;

describe('suppressions on a chart', async () => {
  const result = await pipeline({ paths: [chart], helmPath: process.env.PREADMIT_TEST_HELM3!, today: '2025-06-01' });
  const find = (ruleId: string, name: string, container?: number) =>
    result.findings.find((f) => f.ruleId === ruleId && f.object.name === name && (container === undefined || f.path.includes(`/containers/${container}/`)))!;

  it('applies a comment on a values.yaml line to the finding located there', () => {
    expect(find('pss-privileged', 'release-web').suppressed).toEqual({
      kind: 'comment',
      reason: "the CNI plugin programs the node's network stack",
      file: rel('values.yaml'),
      line: 6,
    });
  });

  it('applies the same comments through scan(), which reads them as renders arrive', async () => {
    const scanned = await scan({ paths: [chart], helmPath: process.env.PREADMIT_TEST_HELM3! });
    const byComment = (findings: Finding[]) =>
      findings
        .filter((f) => f.suppressed?.kind === 'comment')
        .map((f) => `${f.fingerprint} ${f.suppressed!.file}:${f.suppressed!.line}`)
        .sort();
    expect(byComment(scanned.findings).length).toBeGreaterThan(1);
    expect(byComment(scanned.findings)).toEqual(byComment(result.findings));
    const records = (suppressions: SuppressionRecord[] = []) => suppressions.filter((s) => s.kind === 'comment').map((s) => `${s.file}:${s.line} ${s.status}`).sort();
    expect(records(scanned.suppressions)).toEqual(records(result.suppressions));
  });

  it('applies a comment above a template line, scoped to the container it names', () => {
    const sidecar = find('pss-run-as-user', 'release-web', 1);
    expect(sidecar.suppressed).toMatchObject({ kind: 'comment', file: rel('templates/web.yaml'), line: 23 });
    expect(sidecar.source.templateLocation).toEqual({ file: rel('templates/web.yaml'), line: 24 });
  });

  it('applies an annotation on the object, and reports one naming no container of it as unused', () => {
    expect(find('pss-host-namespaces', 'release-agent').suppressed).toMatchObject({ kind: 'annotation', reason: 'the agent reads the host process table' });
    expect(result.suppressions.find((s) => s.kind === 'annotation' && s.container === 'nobody')).toMatchObject({ status: 'unused', rule: 'pss-run-as-user', matched: 0 });
  });

  it('applies configured suppressions by scope, and neither expired nor unused ones', () => {
    expect(find('image-tag', 'release-web', 1).suppressed).toMatchObject({ kind: 'config', reason: "busybox is pinned by the platform team's mirror", file: rel('.preadmit.yaml'), line: 3 });
    // Expired: the finding counts again, and the suppression is reported with what it matched.
    expect(find('image-tag', 'release-web', 0).suppressed).toBeUndefined();
    const byLine = new Map(result.suppressions.filter((s) => s.kind === 'config').map((s) => [s.line, s]));
    expect(byLine.get(3)).toMatchObject({ status: 'applied', matched: 1, container: 'sidecar' });
    expect(byLine.get(7)).toMatchObject({ status: 'expired', matched: 1, expires: '2020-01-31' });
    expect(byLine.get(11)).toMatchObject({ status: 'unused', matched: 0, rule: 'pss-sysctls' });
  });

  it('refuses a comment without a reason, and reports it as invalid', () => {
    expect(find('pss-allow-privilege-escalation', 'release-web', 0).suppressed).toBeUndefined();
    expect(result.suppressions.find((s) => s.kind === 'comment' && s.line === 7)).toMatchObject({ status: 'invalid', rule: 'pss-allow-privilege-escalation' });
  });

  it('keeps suppressed findings (marked), never drops them', () => {
    const suppressed = result.findings.filter((f) => f.suppressed);
    expect(suppressed.map((f) => f.ruleId).sort()).toEqual(['image-tag', 'pss-host-namespaces', 'pss-privileged', 'pss-run-as-user']);
    expect(result.findings.length).toBe(result.findings.filter((f) => !f.suppressed).length + 4);
  });
});

describe('applySuppressions', () => {
  const object: ScannedObject = {
    ref: { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'ns' },
    raw: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations: { 'preadmit.dev/ignore.pss-privileged': '  ' } }, spec: { containers: [{ name: 'a' }] } },
    source: { kind: 'manifest', file: 'deploy/p.yaml', line: 1, document: 0 },
  };
  const finding = (ruleId: string): Finding => ({
    ruleId,
    severity: 'high',
    category: 'pod-security',
    message: 'm',
    object: object.ref,
    path: '/spec/containers/0/securityContext/privileged',
    source: { ...object.source },
    fingerprint: '0'.repeat(32),
    remediation: '',
  });

  it('reports an annotation without a reason as invalid and does not apply it', () => {
    const findings = [finding('pss-privileged')];
    const records = applySuppressions(findings, { config: defaultConfig(), repoRoot, objects: [object] });
    expect(findings[0]!.suppressed).toBeUndefined();
    expect(records).toEqual([expect.objectContaining({ kind: 'annotation', status: 'invalid', matched: 1 })]);
  });

  it('matches configured scopes with globs, and a wildcard rule', () => {
    const config = defaultConfig();
    config.suppressions = [
      { rule: '*', reason: 'legacy namespace', namespace: 'n*', kind: 'Pod', container: 'a', declared: { file: path.join(repoRoot, '.preadmit.yaml'), line: 4 } },
      { rule: 'pss-privileged', reason: 'other', name: 'q', declared: { file: path.join(repoRoot, '.preadmit.yaml'), line: 9 } },
    ];
    const findings = [finding('pss-privileged'), finding('image-tag')];
    const records = applySuppressions(findings, { config, repoRoot, objects: [{ ...object, raw: { ...object.raw, metadata: { name: 'p' } } }] });
    expect(findings.map((f) => f.suppressed?.reason)).toEqual(['legacy namespace', 'legacy namespace']);
    expect(records.map((r) => [r.line, r.status, r.matched])).toEqual([
      [4, 'applied', 2],
      [9, 'unused', 0],
    ]);
  });

  it('parses comments trailing a line, above a line, and in template comment syntax', () => {
    const text = [
      'a: 1 # preadmit: ignore rule-a -- trailing reason',
      '# preadmit: ignore rule-b.web -- above',
      '',
      '# another comment',
      'b: 2',
      '{{- /* preadmit: ignore rule-c -- go template comment */}}',
      'c: 3',
      'd: 4 # preadmit: ignore rule-d',
    ].join('\n');
    expect(parseComments('f', text).map((c) => [c.line, c.target, c.rule, c.container, c.reason])).toEqual([
      [1, 1, 'rule-a', undefined, 'trailing reason'],
      [2, 5, 'rule-b', 'web', 'above'],
      [6, 7, 'rule-c', undefined, 'go template comment'],
      [8, 8, 'rule-d', undefined, undefined],
    ]);
  });
});
