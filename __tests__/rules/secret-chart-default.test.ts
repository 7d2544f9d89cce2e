// secret-chart-default on rendered Secrets with a chart context written out as data: which chart defaults
// (and which template literals) a Secret key is reported for. The same rule on real charts rendered by
// helm, with values files, subcharts and value sets, is in __tests__/provenance/secret-defaults.test.ts.
import { describe, expect, it } from 'vitest';
import rule from '../../rules/secret-chart-default.ts';
import type { ChartContext, ChartDefaultString } from '../../src/engine/rule-kit.ts';
import { runRule, testRule } from '../helpers/rule-tester.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const AWS_KEY_ID = ['AK', 'IA', 'Z7Q3K5L2M4N6P7R2'].join('');

interface FakeChart {
  /** Chart defaults by dotted key, in values.yaml order (line = position + 1). */
  defaults?: Record<string, string>;
  /** Strings the scan's values files and --set pairs supply, by dotted key. */
  supplied?: Record<string, string>;
  /** Lines of the Secret's template file. */
  template?: string[];
  /** Values path of the (sub)chart the template belongs to. */
  scope?: string[];
}

/** A chart context as data: defaults located at chart/values.yaml, literals found by plain search. */
function chart({ defaults = {}, supplied = {}, template = [], scope = [] }: FakeChart): ChartContext {
  const strings: ChartDefaultString[] = Object.entries(defaults)
    .filter(([, value]) => value !== '')
    .map(([key, value], i) => ({ path: key.split('.'), value, where: { file: 'chart/values.yaml', line: i + 1, key } }));
  return {
    defaultStrings: () => strings,
    valueStrings: () => [...Object.values(defaults), ...Object.values(supplied)].filter((v) => v !== ''),
    suppliedStrings: () => new Set(Object.values(supplied)),
    scopeOf: () => scope,
    findLiteral: (_template, texts) => {
      const index = template.findIndex((line) => texts.some((t) => line.includes(`"${t}"`) || line.trimEnd().endsWith(`: ${t}`)));
      return index === -1 ? undefined : { file: 'chart/templates/all.yaml', line: index + 1 };
    },
  };
}

function secret(fields: { data?: Record<string, string>; stringData?: Record<string, string> }, apiVersion = 'v1'): string {
  const lines = [`apiVersion: ${apiVersion}`, 'kind: Secret', 'metadata:', '  name: app'];
  for (const [field, map] of Object.entries(fields)) {
    lines.push(`${field}:`);
    for (const [key, value] of Object.entries(map)) lines.push(`  ${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  }
  return lines.join('\n') + '\n';
}

const inChart = (c: FakeChart) => ({ unit: 'chart' as const, chart: chart(c) });

testRule(rule, {
  valid: [
    {
      name: 'plain manifests: no chart, no defaults',
      yaml: secret({ data: { password: b64('changeme-please') } }),
    },
    {
      name: 'empty default: the chart generates the value (randAlphaNum)',
      yaml: secret({ data: { password: b64('Qp0ANHitvWddxta5gYywpQTY') } }),
      ...inChart({ defaults: { 'auth.password': '' }, template: ['  password: {{ .Values.auth.password | default (randAlphaNum 24) | b64enc }}'] }),
    },
    {
      name: 'value supplied by a values file of the scan, not a chart default',
      yaml: secret({ data: { password: b64('user-supplied-password') } }),
      ...inChart({ defaults: { 'auth.password': '' }, supplied: { 'auth.password': 'user-supplied-password' } }),
    },
    {
      name: 'a supplied value that happens to equal an unrelated default',
      yaml: secret({ data: { 'redis-password': b64('argocd') } }),
      ...inChart({ defaults: { nameOverride: 'argocd' }, supplied: { 'externalRedis.password': 'argocd' } }),
    },
    {
      name: 'an unrelated default equal to the value of a credential-named key',
      yaml: secret({ data: { 'redis-password': b64('argocd') } }),
      ...inChart({ defaults: { nameOverride: 'argocd' } }),
    },
    {
      name: 'existingSecret: the chart renders no Secret of its own',
      yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  secretName: my-existing-secret\n',
      ...inChart({ defaults: { 'auth.existingSecret': 'my-existing-secret', 'auth.password': 'ext-default-password' } }),
    },
    {
      name: 'a user name under a username key',
      yaml: secret({ data: { username: b64('admin') } }),
      ...inChart({ defaults: { 'auth.username': 'admin' } }),
    },
    {
      name: 'a user-name Secret key whose value equals a password default too',
      yaml: secret({ data: { 'admin-user': b64('admin') } }),
      ...inChart({ defaults: { adminUser: 'admin', adminPassword: 'admin' } }),
    },
    {
      name: 'non-credential keys and a config file without credentials',
      yaml: secret({ data: { 'log-level': b64('info'), region: b64('eu-west-1') }, stringData: { 'config.yaml': 'log_level: info\nregion: eu-west-1\n' } }),
      ...inChart({ defaults: { 'settings.logLevel': 'info', 'settings.region': 'eu-west-1' } }),
    },
    {
      name: 'a short default is not matched inside a longer value',
      yaml: secret({ stringData: { url: 'https://administrator.example.com' } }),
      ...inChart({ defaults: { 'auth.password': 'admin' } }),
    },
    {
      name: "a sibling subchart's default is out of the template's scope",
      yaml: secret({ data: { 'root-password': b64('cache-pass-123') } }),
      ...inChart({ defaults: { 'cache.auth.password': 'cache-pass-123' }, scope: ['db'] }),
    },
    {
      name: 'a default that is a reference, not a credential',
      yaml: secret({ stringData: { password: '${DB_PASSWORD}' } }),
      ...inChart({ defaults: { 'auth.password': '${DB_PASSWORD}' } }),
    },
    {
      name: 'a Secret of another API version',
      yaml: secret({ stringData: { password: 'changeme-please' } }, 'example.com/v1'),
      ...inChart({ defaults: { 'auth.password': 'changeme-please' } }),
    },
    {
      name: 'a credential-named key whose value is nowhere in the template (generated)',
      yaml: secret({ stringData: { 'admin-password': 'x8Zq2LmVt7Rw' } }),
      ...inChart({ template: ['  admin-password: {{ randAlphaNum 12 | quote }}'] }),
    },
    {
      name: 'a literal under a key that is not a credential',
      yaml: secret({ stringData: { release: 'production' } }),
      ...inChart({ template: ['  release: production'] }),
    },
  ],
  invalid: [
    {
      name: 'a values.yaml password base64-encoded into data',
      yaml: secret({ data: { password: b64('changeme-please') } }),
      ...inChart({ defaults: { 'auth.password': 'changeme-please' } }),
      findings: [{ path: '/data/password', message: 'chart default auth.password in values.yaml' }],
    },
    {
      name: 'a well-known default (changeme) is reported like any other',
      yaml: secret({ data: { 'db-password': b64('changeme') } }),
      ...inChart({ defaults: { 'db.password': 'changeme' } }),
      findings: [{ path: '/data/db-password' }],
    },
    {
      name: 'a values.yaml token in stringData',
      yaml: secret({ stringData: { 'api-token': 's3cr3t-api-token-value' } }),
      ...inChart({ defaults: { 'api.token': 's3cr3t-api-token-value' } }),
      findings: [{ path: '/stringData/api-token', message: 'api.token' }],
    },
    {
      name: 'a password inside a connection URL',
      yaml: secret({ stringData: { DATABASE_URL: 'postgres://app:hunter2hunter2@db.example.com:5432/app' } }),
      ...inChart({ defaults: { 'database.user': 'app', 'database.password': 'hunter2hunter2', 'database.host': 'db.example.com' } }),
      findings: [{ path: '/stringData/DATABASE_URL', message: 'contains <redacted, 14 chars> from the chart default database.password' }],
    },
    {
      name: 'a short default as an entry of a config file stored in the Secret',
      yaml: secret({ stringData: { 'config.yaml': 'redis:\n  host: cache\n  password: admin\n' } }),
      ...inChart({ defaults: { 'redis.password': 'admin' } }),
      findings: [{ path: '/stringData/config.yaml', message: '("password", line 3)' }],
    },
    {
      name: "a subchart's own default",
      yaml: secret({ data: { 'root-password': b64('db-root-default') } }),
      ...inChart({ defaults: { 'db.auth.rootPassword': 'db-root-default' }, scope: ['db'] }),
      findings: [{ path: '/data/root-password', message: 'db.auth.rootPassword' }],
    },
    {
      name: 'a global default reaches a subchart',
      yaml: secret({ data: { 'postgres-password': b64('pg-global-pass') } }),
      ...inChart({ defaults: { 'global.postgresql.password': 'pg-global-pass' }, scope: ['db'] }),
      findings: [{ path: '/data/postgres-password' }],
    },
    {
      name: 'the Secret key names the credential the values key holds (mysql.rootpw)',
      yaml: secret({ data: { 'mysql-root-password': b64('mysql-default-pw') } }),
      ...inChart({ defaults: { 'mysql.rootpw': 'mysql-default-pw' } }),
      findings: [{ path: '/data/mysql-root-password' }],
    },
    {
      name: 'a known token format, whatever the names',
      yaml: secret({ stringData: { config: AWS_KEY_ID } }),
      ...inChart({ defaults: { 'aws.id': AWS_KEY_ID } }),
      findings: [{ path: '/stringData/config', message: 'the same AWS access key ID' }],
    },
    {
      name: 'a literal credential written into the template (stringData)',
      yaml: secret({ stringData: { 'admin-password': 'literal-admin-pw' } }),
      ...inChart({ template: ['stringData:', '  admin-password: "literal-admin-pw"'] }),
      findings: [{ path: '/stringData/admin-password', message: 'written into the chart (all.yaml:2)' }],
    },
    {
      name: 'a literal credential written into the template base64-encoded (data)',
      yaml: secret({ data: { 'api-key': b64('literal-api-key-99') } }),
      ...inChart({ template: ['data:', `  api-key: ${b64('literal-api-key-99')}`] }),
      findings: [{ path: '/data/api-key' }],
    },
    {
      name: 'a literal fallback in the template (default "...") when the values key is unset',
      yaml: secret({ stringData: { 'fallback-token': 'fallback-token-1234' } }),
      ...inChart({ template: ['  fallback-token: {{ .Values.auth.fallbackToken | default "fallback-token-1234" | quote }}'] }),
      findings: [{ path: '/stringData/fallback-token' }],
    },
  ],
});

describe('secret-chart-default findings', () => {
  const defaults = { 'auth.username': 'admin', 'auth.password': 'changeme', 'auth.replicationPassword': 'changeme' };

  it('locate at the values line of the key, and show the key and a redaction, never the value', () => {
    const [finding, ...rest] = runRule(rule, secret({ data: { password: b64('changeme') } }), inChart({ defaults }));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      ruleId: 'secret-chart-default',
      severity: 'high',
      category: 'secrets',
      object: { kind: 'Secret', name: 'app' },
      path: '/data/password',
      source: { located: 'values', values: { file: 'chart/values.yaml', line: 2, key: 'auth.password' } },
    });
    expect(finding!.message).toContain('"password"');
    expect(finding!.message).toContain('<redacted, 8 chars>');
    expect(JSON.stringify(finding)).not.toContain('changeme');
    expect(JSON.stringify(finding)).not.toContain(b64('changeme'));
  });

  it('prefer the values key named like the Secret key when several defaults are equal', () => {
    const [finding] = runRule(rule, secret({ data: { 'replication-password': b64('changeme') } }), inChart({ defaults }));
    expect(finding!.source.values).toMatchObject({ key: 'auth.replicationPassword', line: 3 });
  });

  it('locate a literal at its template line', () => {
    const [finding] = runRule(rule, secret({ stringData: { token: 'literal-token-77' } }), inChart({ template: ['stringData:', '  token: literal-token-77'] }));
    expect(finding!.source).toMatchObject({ located: 'template', templateLocation: { file: 'chart/templates/all.yaml', line: 2 }, line: 2 });
    expect(finding!.message).not.toContain('literal-token-77');
  });

  it('count the other defaults a config file holds', () => {
    const config = 'db:\n  password: first-secret-pw\ncache:\n  password: second-secret-pw\n';
    const [finding, ...rest] = runRule(rule, secret({ stringData: { 'app.yaml': config } }), inChart({ defaults: { 'db.password': 'first-secret-pw', 'cache.password': 'second-secret-pw' } }));
    expect(rest).toEqual([]);
    expect(finding!.message).toContain('1 more chart default in this value');
  });
});
