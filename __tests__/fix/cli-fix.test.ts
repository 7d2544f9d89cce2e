// `preadmit fix`: --dry-run prints a unified diff and changes nothing; without it the proven edits are
// written; --rule limits them; usage errors exit 2 with the cause.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { main } from '../../src/cli.ts';
import { repoRoot } from '../helpers/shared.ts';
import { loadSarifValidator } from '../reporters/sarif-schema.ts';

const helm = process.env.PREADMIT_TEST_HELM3!;

const VALUES = '# app\r\nsecurityContext:\r\n  privileged: true # no\r\n  runAsUser: 1000\r\n';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function chart(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'preadmit-fix-cli-'));
  roots.push(root);
  mkdirSync(path.join(root, '.git'));
  mkdirSync(path.join(root, 'app/templates'), { recursive: true });
  writeFileSync(path.join(root, 'app/Chart.yaml'), 'apiVersion: v2\nname: app\nversion: 0.1.0\n');
  writeFileSync(path.join(root, 'app/values.yaml'), VALUES);
  writeFileSync(
    path.join(root, 'app/templates/pod.yaml'),
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  automountServiceAccountToken: false\n  containers:\n    - name: c\n      image: nginx:1.25\n      securityContext:\n        {{- toYaml .Values.securityContext | nindent 8 }}\n',
  );
  return root;
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('preadmit fix', () => {
  it('--dry-run prints the diff of the proven edits and leaves the file alone', async () => {
    const root = chart();
    const result = await run(['fix', path.join(root, 'app'), '--helm', helm, '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--- a/app/values.yaml\n+++ b/app/values.yaml\n');
    expect(result.stdout).toContain('-  privileged: true # no\n+  privileged: false # no\n');
    expect(result.stdout).toContain('+  allowPrivilegeEscalation: false\n');
    expect(result.stderr).toMatch(/would fix \d+ findings with \d+ edits in 1 file \(proven by \d+ helm renders of 1 chart\)/);
    expect(result.stderr).toContain('set securityContext.privileged to false in app/values.yaml (pss-privileged)');
    expect(readFileSync(path.join(root, 'app/values.yaml'), 'utf8')).toBe(VALUES);
  }, 120_000);

  it('applies the edits, keeping CRLF and comments, and the findings are gone on a new scan', async () => {
    const root = chart();
    expect((await run(['fix', path.join(root, 'app'), '--helm', helm])).code).toBe(0);
    const text = readFileSync(path.join(root, 'app/values.yaml'), 'utf8');
    expect(text.startsWith('# app\r\nsecurityContext:\r\n  privileged: false # no\r\n  runAsUser: 1000\r\n')).toBe(true);
    expect(text).not.toMatch(/[^\r]\n/);
    const rescan = await run(['scan', path.join(root, 'app'), '--helm', helm, '--format', 'json', '--fixes', 'off']);
    const ids = (JSON.parse(rescan.stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId);
    expect(ids).not.toContain('pss-privileged');
    expect(ids).not.toContain('pss-allow-privilege-escalation');
    expect(ids).not.toContain('pss-capabilities-restricted');
  }, 180_000);

  it('--rule limits the edits to that rule\'s findings', async () => {
    const root = chart();
    const result = await run(['fix', path.join(root, 'app'), '--helm', helm, '--rule', 'pss-privileged']);
    expect(result.code).toBe(0);
    expect(readFileSync(path.join(root, 'app/values.yaml'), 'utf8')).toBe(VALUES.replace('privileged: true', 'privileged: false'));
  }, 120_000);

  it('scan reports the proven fix in JSON and SARIF (schema-valid) and the text report', async () => {
    const root = chart();
    const json = JSON.parse((await run(['scan', path.join(root, 'app'), '--helm', helm, '--format', 'json'])).stdout) as { findings: { ruleId: string; fix?: { file: string; line: number; endLine: number; replacement: string } }[] };
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validateJson = ajv.compile(JSON.parse(readFileSync(path.join(repoRoot, 'schemas', 'scan-result.schema.json'), 'utf8')) as object);
    expect(validateJson(json) ? '' : ajv.errorsText(validateJson.errors)).toBe('');
    expect(json.findings.find((f) => f.ruleId === 'pss-privileged')?.fix).toMatchObject({ file: 'app/values.yaml', line: 3, endLine: 3, replacement: '  privileged: false # no' });
    const sarif = JSON.parse((await run(['scan', path.join(root, 'app'), '--helm', helm, '--format', 'sarif'])).stdout) as { runs: { results: { ruleId: string; fixes?: unknown[] }[] }[] };
    const validateSarif = loadSarifValidator();
    expect(validateSarif(sarif), JSON.stringify(validateSarif.errors)).toBe(true);
    expect(sarif.runs[0]!.results.find((r) => r.ruleId === 'pss-privileged')?.fixes).toEqual([
      {
        description: { text: 'set securityContext.privileged to false in app/values.yaml' },
        artifactChanges: [{ artifactLocation: { uri: 'app/values.yaml', uriBaseId: '%SRCROOT%' }, replacements: [{ deletedRegion: { startLine: 3, endLine: 3 }, insertedContent: { text: '  privileged: false # no' } }] }],
      },
    ]);
    const text = (await run(['scan', path.join(root, 'app'), '--helm', helm])).stdout;
    expect(text.replace(/\s+/g, ' ')).toContain('proven fix: set securityContext.privileged to false in app/values.yaml (line 3; apply: preadmit fix --rule pss-privileged app)');
    const off = JSON.parse((await run(['scan', path.join(root, 'app'), '--helm', helm, '--format', 'json', '--fixes', 'off'])).stdout) as { findings: { fix?: unknown }[] };
    expect(off.findings.some((f) => f.fix !== undefined)).toBe(false);
  }, 180_000);

  it.each([
    [['fix', '.', '--rule', 'pss-privilegd'], /unknown rule "pss-privilegd"; did you mean pss-privileged\?/],
    [['fix', '.', '--fix-rule', 'pss-privileged'], /--fix-rule pss-privileged: the rule has no opt-in fix/],
    [['scan', '.', '--dry-run'], /--dry-run is an option of preadmit fix/],
    [['fix', '.', '--format', 'json'], /preadmit fix takes paths and scan options, not --base, --format/],
    [['scan', '.', '--fixes', 'some'], /--fixes must be one of off, gating, all \(got "some"\)/],
  ])('%j is a usage error', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
