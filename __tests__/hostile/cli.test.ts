// The bundled CLI under hostile input: standard input that never ends, and error lines on stderr that
// carry values from scanned files (file names, helm's messages) without control characters or commands.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/shared.ts';
import { corpusDir, helm3, PRIVILEGED_POD, workspace } from './helpers.ts';

const cli = path.join(repoRoot, 'dist', 'cli.js');

describe('preadmit CLI with hostile input', () => {
  it('stops reading standard input past 64 MiB and reports it, instead of exhausting memory', async () => {
    const input = PRIVILEGED_POD + '#'.repeat(65 * 1024 * 1024) + '\n';
    const result = await execa(process.execPath, [cli, 'scan', '-', '--format', 'json'], { input, reject: false, cwd: repoRoot });
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as { errors: { file: string; message: string }[] };
    expect(report.errors).toEqual([expect.objectContaining({ file: '<stdin>', message: expect.stringMatching(/larger than 64 MiB; not parsed/) })]);
  });

  it('reads standard input as kubectl reads a file: UTF-16 with a byte order mark is decoded, its privileged pod judged', async () => {
    const input = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(PRIVILEGED_POD, 'utf16le')]);
    const result = await execa(process.execPath, [cli, 'scan', '-', '--format', 'json'], { input, reject: false, cwd: repoRoot });
    const report = JSON.parse(result.stdout) as { errors: unknown[]; findings: { ruleId: string; path: string }[] };
    expect(report.errors).toEqual([]);
    expect(report.findings.filter((f) => f.ruleId === 'pss-privileged').map((f) => f.path)).toEqual(['/spec/containers/0/securityContext/privileged']);
    expect(result.exitCode).toBe(1);
  });

  it('prints error lines with no control character and no line a runner would take for a command', async () => {
    const dir = workspace();
    writeFileSync(path.join(dir, 'pod.yaml'), PRIVILEGED_POD);
    writeFileSync(path.join(dir, 'bad \u001b[2J\n::error::pwned.yaml'), 'kind: [unclosed\napiVersion: v1\n');
    const result = await execa(process.execPath, [cli, 'scan', dir, path.join(corpusDir, 'charts', 'chart-fail-hostile-message'), '--helm', helm3(), '--format', 'json'], {
      reject: false,
      cwd: repoRoot,
    });
    expect(result.exitCode).toBe(1);
    const lines = result.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toMatch(/^preadmit: error: /);
      expect(line).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    }
    expect(result.stderr).toContain('\\n: :error: :pwned.yaml'); // the file name, escaped onto its line, `::` broken up
    expect(result.stderr).not.toMatch(/::|##\[/); // nothing a runner would execute, anywhere in a line
  });
});
