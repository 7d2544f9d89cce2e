// The values lint parses a chart's values only when a values file's text may hold a dangerous default
// (mayHoldDangerousDefault). The text check must accept every setting dangerousLeaves reports, however it
// is written, or the lint would go silent on it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dangerousLeaves, LINT_FIELDS, mayHoldDangerousDefault } from '../../src/provenance/lint.ts';
import { effectiveValues } from '../../src/render/effective-values.ts';

function leavesOf(values: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-prefilter-'));
  writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: c\nversion: 0.1.0\n');
  writeFileSync(path.join(dir, 'values.yaml'), values);
  return dangerousLeaves(effectiveValues({ chartDir: dir, valuesFiles: [], set: [] }));
}

const DANGEROUS: Record<string, string> = {
  'privileged block': 'app:\n  securityContext:\n    privileged: true\n',
  'privileged yes (YAML 1.1)': 'app:\n  privileged: yes\n',
  'privileged quoted key, flow': 'app: {"privileged": True}\n',
  'privileged value on the next line': 'app:\n  privileged:\n    true\n',
  'privileged with a tag': 'app:\n  privileged: !!bool true\n',
  'privileged through an alias': 'on: &on true\napp:\n  privileged: *on\n',
  'allowPrivilegeEscalation': 'sc: {allowPrivilegeEscalation: true}\n',
  'hostNetwork': 'hostNetwork: true\n',
  'hostPID': 'hostPID: true\n',
  'hostIPC': 'pod:\n  hostIPC: ON\n',
  'runAsUser 0': 'sc:\n  runAsUser: 0\n',
  'runAsUser 0 quoted key': 'sc: {"runAsUser": 0}\n',
  'procMount': 'sc:\n  procMount: Unmasked\n',
  'seccomp Unconfined': 'sc:\n  seccompProfile:\n    type: Unconfined\n',
  'appArmor Unconfined': 'sc:\n  appArmorProfile: {type: Unconfined}\n',
  'capability block list': 'sc:\n  capabilities:\n    add:\n      - NET_ADMIN\n',
  'capability lower case with CAP_': 'sc:\n  capabilities:\n    add: [cap_sys_admin]\n',
  'capability ALL in a block list': 'sc:\n  capabilities:\n    drop: [NET_RAW]\n    add:\n      - CHOWN\n      - ALL\n',
  'capability ALL in a flow list': 'sc:\n  capabilities: {add: ["ALL"]}\n',
  'sensitive hostPath': 'volumes:\n  - name: docker\n    hostPath:\n      path: /var/run/docker.sock\n',
};

const SAFE: Record<string, string> = {
  'hardened defaults': 'sc:\n  privileged: false\n  allowPrivilegeEscalation: false\n  runAsUser: 1000\n  runAsNonRoot: true\n  hostNetwork: false\n  capabilities:\n    drop: [ALL]\n    add: []\n  seccompProfile: {type: RuntimeDefault}\n',
  'drop ALL in a block list': 'sc:\n  capabilities:\n    drop:\n      - ALL\n',
};

describe('the values lint text check', () => {
  for (const [name, text] of Object.entries(DANGEROUS)) {
    it(`accepts ${name}, which dangerousLeaves reports`, () => {
      const leaves = leavesOf(text);
      expect(leaves.length, 'dangerousLeaves').toBeGreaterThan(0);
      expect(mayHoldDangerousDefault(text)).toBe(true);
      // Renders are searched for these field names only (a render that shows the setting silences the lint).
      for (const leaf of leaves) expect(LINT_FIELDS.has(leaf.field), leaf.field).toBe(true);
    });
  }
  for (const [name, text] of Object.entries(SAFE)) {
    it(`turns away ${name}`, () => {
      expect(leavesOf(text)).toEqual([]);
      expect(mayHoldDangerousDefault(text)).toBe(false);
    });
  }
});
