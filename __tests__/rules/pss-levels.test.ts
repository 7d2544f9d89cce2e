// A stricter Pod Security level never gives a weaker gate: each baseline violation is reported by its
// baseline rule, at its severity, at every level, and blocks at the default --fail-on; the restricted check
// that overrides it (upstream) adds only what baseline allows. Runs the whole rule set as a scan does.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeOf, scan } from '../../src/pipeline/scan.ts';

const DIGEST = 'nginx@sha256:' + '0'.repeat(64);

/** One workload per overridden baseline check, each otherwise as hardened as restricted asks. */
const CASES: { check: string; rule: string; overriding: string; path: string; yaml: string }[] = [
  {
    check: 'capabilities_baseline',
    rule: 'pss-capabilities-baseline',
    overriding: 'pss-capabilities-restricted',
    path: '/spec/template/spec/containers/0/securityContext/capabilities/add/0',
    yaml: `apiVersion: apps/v1
kind: Deployment
metadata: {name: caps}
spec:
  selector: {matchLabels: {app: caps}}
  template:
    metadata: {labels: {app: caps}}
    spec:
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: app
          image: ${DIGEST}
          securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL], add: [SYS_ADMIN]}}
`,
  },
  {
    check: 'seccompProfile_baseline',
    rule: 'pss-seccomp-baseline',
    overriding: 'pss-seccomp-restricted',
    path: '/spec/securityContext/seccompProfile/type',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: seccomp}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: Unconfined}}
  containers:
    - name: app
      image: ${DIGEST}
      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`,
  },
  {
    check: 'hostPathVolumes',
    rule: 'pss-host-path-volumes',
    overriding: 'pss-restricted-volumes',
    path: '/spec/jobTemplate/spec/template/spec/volumes/0/hostPath',
    yaml: `apiVersion: batch/v1
kind: CronJob
metadata: {name: hostpath}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
          containers:
            - name: app
              image: ${DIGEST}
              securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
              volumeMounts: [{name: data, mountPath: /data}]
          volumes:
            - name: data
              hostPath: {path: /opt/app-data}
`,
  },
  {
    check: 'procMount',
    rule: 'pss-proc-mount',
    overriding: 'pss-proc-mount-restricted',
    path: '/spec/containers/0/securityContext/procMount',
    yaml: `apiVersion: v1
kind: Pod
metadata: {name: procmount}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: app
      image: ${DIGEST}
      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, procMount: Unmasked}
`,
  },
];

const LEVELS = [undefined, 'restricted', 'baseline'] as const;

describe('baseline violations block at every Pod Security level', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-levels-'));
  for (const c of CASES) {
    const file = path.join(dir, `${c.check}.yaml`);
    writeFileSync(file, c.yaml);
    for (const level of LEVELS) {
      it(`${c.check} at ${level ?? 'the default level'}: ${c.rule} (high), exit 1, never ${c.overriding} on the same field`, async () => {
        const result = await scan({ paths: [file], ...(level ? { pssLevel: level } : {}) });
        const pss = result.findings.filter((f) => f.category === 'pod-security');
        const baseline = pss.filter((f) => f.ruleId === c.rule);
        expect(baseline.map((f) => `${f.ruleId} ${f.path} ${f.severity}`)).toEqual([`${c.rule} ${c.path} high`]);
        expect(pss.filter((f) => f.path === c.path).map((f) => f.ruleId)).toEqual([c.rule]);
        expect(pss.filter((f) => f.ruleId === c.overriding)).toEqual([]);
        expect(exitCodeOf(result)).toBe(1);
        // Upstream's verdicts are untouched: denied at both levels, the restricted check id as upstream names it.
        const verdict = result.objects.find((o) => o.admission)?.admission;
        expect(verdict?.baseline.violations.map((v) => v.check)).toEqual([c.check]);
        expect(verdict?.restricted.allowed).toBe(false);
      });
    }
  }
});
