// vitest global setup: every temporary folder the suites make (charts, repositories, staged views) goes
// under one folder of this run, removed when the run ends; test runs used to leave tens of thousands behind.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(path.join(os.tmpdir(), 'preadmit-tests-'));
  // Read by os.tmpdir() in the test workers, which start after this.
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
