// customRules in .preadmit.yaml: rules written in CEL on the admission policies' engine.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/pipeline/scan.ts';
import { workspace, writeTree } from '../hostile/helpers.ts';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: a, image: "nginx:latest"}, {name: b, image: "nginx:1.27"}]}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: prod}
data: {a: b}
`;

function repo(config: string): string {
  const dir = workspace();
  mkdirSync(path.join(dir, '.git'));
  writeTree(dir, { '.preadmit.yaml': config, 'deploy/app.yaml': DEPLOYMENT });
  return dir;
}

const RULE = `customRules:
  - id: no-latest-tag
    severity: high
    match: {kinds: [Deployment, Pod]}
    expression: "pod == null || pod.containers.all(c, !c.image.endsWith(':latest'))"
    messageExpression: "'containers use :latest: ' + pod.containers.filter(c, c.image.endsWith(':latest')).map(c, c.name).join(', ')"
`;

describe('customRules', () => {
  it('reports an object whose expression is false, with the messageExpression, severity and the pod spec path', async () => {
    const result = await scan({ paths: [path.join(repo(RULE), 'deploy')] });
    const findings = result.findings.filter((f) => f.ruleId === 'no-latest-tag');
    expect(findings.map((f) => [f.severity, f.object.kind, f.path, f.message])).toEqual([['high', 'Deployment', '/spec/template/spec', 'containers use :latest: a']]);
  });
  it('a runtime error is a finding (fail closed), not a pass', async () => {
    const result = await scan({ paths: [path.join(repo(`customRules:\n  - id: needs-owner\n    expression: "object.metadata.labels.owner == 'x'"\n    message: owner label must be x\n`), 'deploy')] });
    expect(result.findings.filter((f) => f.ruleId === 'needs-owner').map((f) => f.message)).toEqual([
      expect.stringContaining('could not be evaluated on this object: no such key: labels'),
      expect.stringContaining('could not be evaluated on this object: no such key: labels'),
    ]);
  });
  it('an expression that does not compile is a configuration error naming the rule and its line', async () => {
    const dir = repo(`customRules:\n  - id: broken\n    expression: "object.metadata.name =="\n`);
    await expect(scan({ paths: [path.join(dir, 'deploy')] })).rejects.toThrow(/\.preadmit\.yaml:3: custom rule broken: expression does not compile/);
  });
  it('a custom rule may not take a built-in rule id', async () => {
    const dir = repo(`customRules:\n  - id: image-tag\n    expression: "true"\n`);
    await expect(scan({ paths: [path.join(dir, 'deploy')] })).rejects.toThrow(/custom rule id "image-tag" is a built-in rule's id/);
  });
});
