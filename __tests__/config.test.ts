import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.ts';
import { UsageError } from '../src/model/errors.ts';
import { ruleIds } from '../src/pipeline/scan.ts';

function configFile(text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-config-'));
  const file = path.join(dir, '.preadmit.yaml');
  writeFileSync(file, text);
  return file;
}
const load = (text: string) => loadConfig(configFile(text), ruleIds(), '.preadmit.yaml');

describe('.preadmit.yaml', () => {
  it('merges a valid file over the defaults', () => {
    const config = load('failOn: medium\npss:\n  level: baseline\n  version: v1.30\nrules:\n  pss-run-as-user: off\n  pss-privileged: high\n  pss-sysctls: { severity: low }\nhelm:\n  namespace: apps\n  valuesFiles: [ci/a.yaml]\n');
    expect(config.failOn).toBe('medium');
    expect(config.pss).toEqual({ level: 'baseline', version: 'v1.30' });
    expect(config.rules['pss-run-as-user']).toMatchObject({ enabled: false });
    expect(config.rules['pss-privileged']).toMatchObject({ enabled: true, severity: 'high' });
    expect(config.rules['pss-sysctls']).toMatchObject({ enabled: true, severity: 'low' });
    expect(config.helm.namespace).toBe('apps');
    expect(config.helm.releaseName).toBe('release');
    expect(path.isAbsolute(config.helm.valuesFiles[0]!)).toBe(true);
  });

  it.each([
    ['an unknown key, with its line', 'failOn: high\nfailon: low\n', /\.preadmit\.yaml:2: unknown key "failon"/],
    ['an unknown rule id', 'rules:\n  pss-privileged: off\n  no-such-rule: off\n', /\.preadmit\.yaml:3: unknown rule id "no-such-rule"/],
    ['a rule id typo', 'rules:\n  pss-privilged: off\n', /\.preadmit\.yaml:2: unknown rule id "pss-privilged" in rules; did you mean pss-privileged\?$/],
    ['a wrong type', 'include: charts/**\n', /\.preadmit\.yaml:1: include must be array/],
    ['a bad severity', 'rules:\n  pss-privileged: severe\n', /\.preadmit\.yaml:2:/],
    ['a PSS version that is a number', 'pss:\n  version: 1.25\n', /\.preadmit\.yaml:2: pss.version must/],
    ['a malformed PSS version', 'pss:\n  version: v1.025\n', /\.preadmit\.yaml:2: pss.version must match/],
    ['invalid YAML', 'failOn: [high\n', /\.preadmit\.yaml:\d+: invalid YAML/],
    ['an unknown locked rule', 'lockedRules: [pss-privileged, no-such-rule]\n', /\.preadmit\.yaml:1: lockedRules\.1 must be one of/],
    ['annotationSuppressions that is not a boolean', 'annotationSuppressions: sometimes\n', /\.preadmit\.yaml:1: annotationSuppressions must be boolean/],
  ])('rejects %s', (_, text, message) => {
    expect(() => load(text)).toThrow(UsageError);
    expect(() => load(text)).toThrow(message);
  });

  it('accepts an empty file', () => {
    const config = load('# nothing yet\n');
    expect(config.failOn).toBe('high');
    // Off by default: whoever writes a template or its values can add any annotation.
    expect(config.annotationSuppressions).toBe(false);
    expect(config.lockedRules).toEqual([]);
  });

  it('reads locks from lockedRules and from locked: true, with where each is declared', () => {
    const config = load('annotationSuppressions: true\nlockedRules: [pss-privileged]\nrules:\n  pss-host-namespaces: {locked: true}\n');
    expect(config.annotationSuppressions).toBe(true);
    expect(config.lockedRules).toEqual(['pss-host-namespaces', 'pss-privileged']);
    expect(config.lockDeclared).toMatchObject({ 'pss-privileged': { line: 2 }, 'pss-host-namespaces': { line: 4 } });
  });
});
