// The 806 ValidatingAdmissionPolicy cases of ../shared/conformance/vap against the verdicts of the real
// admission plugin (k8s.io/apiserver v0.37.2). Cases preadmit does not match yet are listed, one id a line,
// in vap-known-failures.txt and run as expected failures, so a fix or a regression both show up here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedPath, skipMessage } from '../helpers/shared.ts';
import { compareCase, loadCases, runCase } from './vap-cases.ts';

const root = sharedPath('conformance', 'vap');
const knownFailures = new Set(
  readFileSync(path.join(import.meta.dirname, 'vap-known-failures.txt'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')),
);

if (!root) console.warn(skipMessage('ValidatingAdmissionPolicy conformance (conformance/vap)'));

describe.skipIf(!root)('ValidatingAdmissionPolicy conformance', () => {
  const cases = root ? loadCases(root) : [];
  it('holds the documented 806 cases', () => {
    expect(cases.length).toBe(806);
  });
  for (const c of cases) {
    const run = () => expect(compareCase(c, runCase(c.input))).toEqual([]);
    if (knownFailures.has(c.id)) it.fails(`${c.id} (known failure)`, run);
    else it(c.id, run);
  }
});
