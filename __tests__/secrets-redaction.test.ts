// No report format ever carries the value of a Secret or of a credential found in a manifest.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../src/pipeline/scan.ts';
import { FORMATS, render } from '../src/reporters/index.ts';
import { RULES } from '../rules/index.ts';

const PLAIN = 'Sup3rS3cretPassw0rd!xyz';
const TOKEN = 'AKIAIOSFODNN7EXAMPLE';
const ENCODED = Buffer.from(PLAIN).toString('base64');

const manifests = `apiVersion: v1
kind: Secret
metadata: {name: db}
type: Opaque
data:
  password: ${ENCODED}
stringData:
  token: ${TOKEN}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data:
  DB_PASSWORD: ${PLAIN}
  AWS_ACCESS_KEY_ID: ${TOKEN}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: api:1
          env:
            - {name: DB_PASSWORD, value: "${PLAIN}"}
            - {name: AWS_ACCESS_KEY_ID, value: ${TOKEN}}
`;

describe('secret values never reach a report', () => {
  it.each(FORMATS)('%s', async (format) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-secrets-'));
    writeFileSync(path.join(dir, 'app.yaml'), manifests);
    const result = await scan({ paths: [path.join(dir, 'app.yaml')] });
    // the credentials are found...
    expect(result.findings.some((f) => f.category === 'secrets')).toBe(true);
    // ...and no format carries them, plain or encoded
    const report = render(format, result, { rules: RULES });
    for (const value of [PLAIN, TOKEN, ENCODED]) expect(report).not.toContain(value);
  });
});

// A chart that ships credentials: a password in values.yaml (into data, base64, and into a URL in
// stringData) and a literal in a template, reported by secret-chart-default.
const LITERAL = 'Lit3ralT0kenInTemplate!';
const chartFiles: Record<string, string> = {
  'Chart.yaml': 'apiVersion: v2\nname: shipped\nversion: 0.1.0\n',
  'values.yaml': `auth:\n  password: "${PLAIN}"\n`,
  'templates/secret.yaml': [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: {{ .Release.Name }}-db',
    'data:',
    '  password: {{ .Values.auth.password | b64enc | quote }}',
    'stringData:',
    '  DATABASE_URL: "postgres://app:{{ .Values.auth.password }}@db:5432/app"',
    `  api-token: "${LITERAL}"`,
    '',
  ].join('\n'),
};

describe('shipped chart credentials never reach a report', () => {
  it.each(FORMATS)('%s', async (format) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-secrets-chart-'));
    for (const [file, text] of Object.entries(chartFiles)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    const result = await scan({ paths: [dir], helmPath: process.env.PREADMIT_TEST_HELM3! });
    const shipped = result.findings.filter((f) => f.ruleId === 'secret-chart-default');
    // the values.yaml password (data and URL) and the template literal are found...
    expect(shipped.map((f) => f.path).sort()).toEqual(['/data/password', '/stringData/DATABASE_URL', '/stringData/api-token']);
    // ...and no format carries them, plain or encoded
    const report = render(format, result, { rules: RULES });
    expect(report).toContain('secret-chart-default');
    for (const value of [PLAIN, ENCODED, LITERAL, Buffer.from(LITERAL).toString('base64')]) expect(report).not.toContain(value);
  });
});
