// Shared by the hostile-input suites: temporary workspaces, chart builders, and the generated members of the
// hostile corpus (inputs too large, binary or filesystem-specific to keep as files in the repository). Every
// generator is named for what it attacks.
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const hostileDir = path.dirname(fileURLToPath(import.meta.url));
/** The committed part of the hostile corpus. */
export const corpusDir = path.join(hostileDir, 'corpus');

export const helm3 = (): string => process.env.PREADMIT_TEST_HELM3!;
export const helm4 = (): string => process.env.PREADMIT_TEST_HELM4!;
export const HELMS = [
  ['helm 3', 'PREADMIT_TEST_HELM3'],
  ['helm 4', 'PREADMIT_TEST_HELM4'],
] as const;

/** A fresh directory under the system temp dir (outside any git work tree). */
export function workspace(prefix = 'preadmit-hostile-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes files (relative path -> content) under `dir`, creating directories. */
export function writeTree(dir: string, files: Record<string, string | Buffer>): string {
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(dir, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return dir;
}

/** A chart at dir/name with a Chart.yaml, and the given files. */
export function chart(dir: string, name: string, files: Record<string, string | Buffer> = {}, chartYaml?: string): string {
  const root = path.join(dir, name);
  writeTree(root, { 'Chart.yaml': chartYaml ?? `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`, ...files });
  return root;
}

/** Copies a committed hostile chart or manifest into `dir`. */
export function fromCorpus(kind: 'charts' | 'manifests', name: string, dir: string): string {
  const target = path.join(dir, name);
  cpSync(path.join(corpusDir, kind, name), target, { recursive: true });
  return target;
}

export const PRIVILEGED_POD = `apiVersion: v1
kind: Pod
metadata:
  name: privileged
spec:
  containers:
    - name: app
      image: registry.example/app:1.0
      securityContext:
        privileged: true
`;

// -------------------------------------------------------------------------------------------------------
// Generated hostile inputs

/** A manifest over the 64 MiB file limit, as a sparse file: refused from its size, never read. */
export function oversizedFile(dir: string, name = 'oversized-file.yaml'): string {
  const file = path.join(dir, name);
  writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\n');
  truncateSync(file, 65 * 1024 * 1024);
  return file;
}

/** `[1,1,1,...]`: two bytes per node, a few megabytes that would cost gigabytes to parse. */
export function nodeFlood(megabytes = 3): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flood\ndata:\n  x: [${'1,'.repeat(megabytes * 512 * 1024)}1]\n`;
}

/** Flow nesting deep enough to exhaust a recursive parser's stack. */
export function deepFlowNesting(levels = 20_000): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  x: ${'['.repeat(levels)}${']'.repeat(levels)}\n`;
}

/** Block nesting (indentation) deeper than the limit. */
export function deepBlockNesting(levels = 1_000): string {
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: deep-block', 'data:'];
  for (let i = 1; i <= levels; i++) lines.push(`${' '.repeat(i * 2)}k${i}:`);
  lines.push(`${' '.repeat((levels + 1) * 2)}leaf`);
  return lines.join('\n') + '\n';
}

/** The classic exponential entity expansion ("billion laughs"): 9 levels of 9 aliases. */
export function billionLaughs(): string {
  let text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  let previous = 'a';
  for (const name of ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']) {
    text += `  ${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]\n`;
    previous = name;
  }
  return text;
}

/** A Pod whose container name holds bytes that are not UTF-8 (Latin-1 é, a lone continuation byte). */
export function nonUtf8Bytes(): Buffer {
  const [before, after] = PRIVILEGED_POD.split('name: app');
  return Buffer.concat([Buffer.from(`${before}name: caf`), Buffer.from([0xe9, 0x80]), Buffer.from(after!)]);
}

/** The privileged Pod encoded as UTF-16LE with a byte-order mark. */
export function utf16Manifest(): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(PRIVILEGED_POD, 'utf16le')]);
}

/** A symlink named `name` in `dir` to `target` (absolute). */
export function link(dir: string, name: string, target: string): string {
  const full = path.join(dir, name);
  mkdirSync(path.dirname(full), { recursive: true });
  rmSync(full, { recursive: true, force: true });
  symlinkSync(target, full);
  return full;
}

/**
 * A fake helm: an executable script that records its arguments (one per line) and environment, answers
 * `version`, and prints a Pod for `template`. Tests read what preadmit ran.
 */
export function recordingHelm(dir: string): { path: string; log: string; env: string } {
  const log = path.join(dir, 'helm-args.log');
  const env = path.join(dir, 'helm-env.log');
  const script = path.join(dir, 'bin', 'helm');
  writeTree(dir, {
    'bin/helm': `#!/bin/sh
printf '%s\\n' "--- call" "$@" >> '${log}'
env >> '${env}'
if [ "$1" = version ]; then echo v3.17.0; exit 0; fi
printf '%s\\n' '---' '# Source: c/templates/pod.yaml' 'apiVersion: v1' 'kind: Pod' 'metadata: {name: recorded}' 'spec: {containers: [{name: c, image: "c:1"}]}'
`,
  });
  chmodSync(script, 0o755);
  return { path: script, log, env };
}
