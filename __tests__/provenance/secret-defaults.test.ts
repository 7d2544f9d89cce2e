// secret-chart-default on a chart written for it (fixtures/charts/secret-defaults), rendered by the real
// helm 3 and helm 4: passwords from the chart's values.yaml and its subchart's, a password inside a URL,
// literals in a template and a helper, and what must stay silent (a generated password, a value set's own
// password, an existingSecret, user names and settings). Located from the chart's files, no re-render.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/model.ts';
import { repoRoot } from '../helpers/shared.ts';
import { pipeline, type PipelineResult } from './harness.ts';

const chart = path.join(repoRoot, '__tests__', 'fixtures', 'charts', 'secret-defaults');
const RULE = 'secret-chart-default';
const helms = [
  ['helm 3', process.env.PREADMIT_TEST_HELM3!],
  ['helm 4', process.env.PREADMIT_TEST_HELM4!],
] as const;

/** `object path <- values.yaml:line key` or `object path <- template:line`. */
function summary(f: Finding): string {
  const v = f.source.values;
  const t = f.source.templateLocation;
  const at = v ? `${v.file.replace('__tests__/fixtures/charts/secret-defaults/', '')}:${v.line} ${v.key}` : t ? `${t.file.replace('__tests__/fixtures/charts/secret-defaults/', '')}:${t.line}` : '?';
  return `${f.object.name} ${f.path} <- ${at}`;
}

const EXPECTED = [
  'release-app /data/password <- values.yaml:4 auth.password',
  'release-app /stringData/DATABASE_URL <- values.yaml:12 database.password',
  'release-app /stringData/api-token <- values.yaml:8 api.token',
  'release-db /data/replication-password <- values.yaml:25 db.auth.replicationPassword',
  'release-db /data/root-password <- charts/db/values.yaml:2 auth.rootPassword',
  'release-literal /data/api-key <- templates/literal-secret.yaml:6',
  'release-literal /data/monitor-password <- templates/_helpers.tpl:2',
  'release-literal /stringData/admin-password <- templates/literal-secret.yaml:9',
  'release-literal /stringData/fallback-token <- templates/literal-secret.yaml:10',
];

describe.each(helms)('%s', (_, helmPath) => {
  let cached: Promise<PipelineResult> | undefined;
  const scanChart = () => (cached ??= pipeline({ paths: [chart], helmPath }));

  it('reports the credentials the chart ships, at the values or template line, and nothing else', async () => {
    const result = await scanChart();
    const findings = result.findings.filter((f) => f.ruleId === RULE);
    expect(findings.map(summary).sort()).toEqual(EXPECTED);
    for (const f of findings) {
      expect(f.severity).toBe('high');
      expect(f.object.kind).toBe('Secret');
      // the chart's defaults show it: kept in the default value set, also seen in the ci one
      expect(f.valueSets).toEqual(['default', 'ci/supplied-values.yaml']);
      expect(f.source.located).toBe(f.source.values ? 'values' : 'template');
    }
  });

  it('never reports a generated password, the password a value set supplies, a user name or a setting', async () => {
    const result = await scanChart();
    const findings = result.findings.filter((f) => f.ruleId === RULE);
    // release-supplied renders a random password by default and the ci file's password in the ci set
    expect(result.rendered.charts.map((c) => c.valueSet)).toEqual(['default', 'ci/supplied-values.yaml']);
    expect(findings.filter((f) => f.object.name === 'release-supplied')).toEqual([]);
    expect(findings.filter((f) => f.object.name === 'release-external')).toEqual([]);
    expect(result.objects.some((o) => o.ref.name === 'release-external')).toBe(false);
    const paths = findings.filter((f) => f.object.name === 'release-app').map((f) => f.path);
    for (const quiet of ['/data/username', '/data/generated-password', '/data/log-level', '/data/region', '/stringData/config.yaml']) expect(paths).not.toContain(quiet);
  });

  it('spends no provenance render on its findings, and finds the same with provenance off', async () => {
    const on = await scanChart();
    expect(on.provenance.renders).toBe(0);
    const off = await pipeline({ paths: [chart], helmPath, configure: (c) => (c.provenance.enabled = false) });
    expect(off.provenance.renders).toBe(0);
    expect(off.findings.filter((f) => f.ruleId === RULE).map(summary).sort()).toEqual(EXPECTED);
  });

  it('names the Secret key, the values key and a redaction, never the value', async () => {
    const findings = (await scanChart()).findings.filter((f) => f.ruleId === RULE);
    const password = findings.find((f) => f.path === '/data/password')!;
    expect(password.message).toContain('Secret key "password" is <redacted, 15 chars> from the chart default auth.password in values.yaml');
    const root = findings.find((f) => f.path === '/data/root-password')!;
    expect(root.message).toContain('auth.rootPassword in charts/db/values.yaml');
    const text = JSON.stringify(findings);
    for (const value of ['changeme-please', 's3cr3t-api-token-value', 'hunter2hunter2', 'db-root-default', 'parent-repl-default', 'literal-api-key-99', 'monitor-pass-42', 'literal-admin-pw', 'fallback-token-1234']) {
      expect(text).not.toContain(value);
      expect(text).not.toContain(Buffer.from(value).toString('base64'));
    }
  });

  it('reports nothing when a values file overrides every shipped credential', async () => {
    const result = await pipeline({
      paths: [chart],
      helmPath,
      set: ['auth.password=', 'api.token=', 'database.password=', 'db.auth.rootPassword=', 'db.auth.replicationPassword='],
      configure: (c) => (c.valueSets.ci = false),
    });
    expect(result.findings.filter((f) => f.ruleId === RULE).map(summary).sort()).toEqual(EXPECTED.filter((e) => e.startsWith('release-literal')));
  });

  it('is suppressed by a comment on its values line, like any finding located there', async () => {
    const copy = path.join(mkdtempSync(path.join(os.tmpdir(), 'preadmit-secret-defaults-')), 'secret-defaults');
    cpSync(chart, copy, { recursive: true });
    const values = path.join(copy, 'values.yaml');
    writeFileSync(values, readFileSync(values, 'utf8').replace('  password: changeme-please', '  password: changeme-please # preadmit: ignore secret-chart-default -- demo only, overridden in every install'));
    const result = await pipeline({ paths: [copy], helmPath, configure: (c) => (c.valueSets.ci = false) });
    const password = result.findings.find((f) => f.ruleId === RULE && f.path === '/data/password')!;
    expect(password.suppressed).toMatchObject({ kind: 'comment', line: 4 });
    expect(result.findings.filter((f) => f.ruleId === RULE && !f.suppressed)).toHaveLength(EXPECTED.length - 1);
  });
});
