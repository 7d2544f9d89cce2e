// No report format ever carries the value of a Secret or of a credential found in a manifest.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../src/core/scan.ts';
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
