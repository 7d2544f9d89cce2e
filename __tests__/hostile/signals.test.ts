// A scan stops promptly on SIGTERM/SIGINT, even while helm spins on a template that never ends (and that
// ignores SIGTERM itself): helm is killed, preadmit says why and exits 128+n. Runs the CLI from source.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/shared.ts';
import { chart, helm3, workspace } from './helpers.ts';

/** Ids of the processes whose command line holds `text`. */
function processesWith(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (condition()) return true;
  return condition();
}

describe.skipIf(process.platform !== 'linux')('preadmit stopped by a signal', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('on %s kills helm and exits %s at once', async (signal, code) => {
    const dir = workspace();
    const spin = chart(dir, 'spin', { 'templates/a.yaml': '{{- range $i := until 100000 }}{{- range $j := until 100000 }}{{- end }}{{- end }}\n' });
    const cli = execa(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src', 'bin.ts'), 'scan', spin, '--helm', helm3()], { reject: false, cwd: repoRoot });
    // helm runs with the chart directory as its last argument
    const helmRuns = () => processesWith(spin).filter((pid) => pid !== cli.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('template'));
    expect(await until(() => helmRuns().length > 0, 20_000)).toBe(true);
    const helmPids = helmRuns();
    const sent = performance.now();
    cli.kill(signal);
    const result = await cli;
    expect(performance.now() - sent).toBeLessThan(3_000);
    expect(result.exitCode).toBe(code);
    expect(result.stderr).toContain(`preadmit: ${signal} received; helm renders stopped, scan abandoned (no report)`);
    expect(result.stdout).toBe('');
    expect(await until(() => helmPids.every((pid) => !processesWith(spin).includes(pid)), 2_000)).toBe(true);
  }, 40_000);
});
