// secret-literal-helm-release: credentials in a helm_release's set/values are in the plan and state in
// clear; set_sensitive (or a sensitive value, listed by the loader) is the way. Token-shaped fixtures are built by concatenation.
import { describe, expect, it } from 'vitest';
import rule from '../../rules/secret-literal-helm-release.ts';
import type { ScannedObject } from '../../src/model/model.ts';
import { run } from './helpers.ts';

const release = (raw: Record<string, unknown>): ScannedObject => ({
  ref: { apiVersion: 'terraform/v1', kind: 'helm_release', name: 'helm_release.app' },
  raw: { name: 'app', namespace: 'default', chart: 'app', chartSource: 'remote', values: [], set: [], set_list: [], set_sensitive: [], ...raw },
  source: { kind: 'terraform', file: 'main.tf', address: 'helm_release.app' },
  unknown: [],
});

const SLACK = ['xo', 'xb-', '2417093551-', '2417093551', 'Q7r8S9t0U1v2W3x4Y5z6A1b2'].join('');

describe('secret-literal-helm-release', () => {
  it('reports credential-named set entries and values, and token formats under any name', () => {
    const findings = run(
      [release({
        set: [{ name: 'auth.password', value: 'hunter2-prod' }, { name: 'image.tag', value: '1.2.3' }, { name: 'notify.url', value: SLACK }],
        values: [{ db: { password: 'S3cret-pw', user: 'app', existingSecret: 'db' } }],
      })],
      [rule],
    );
    expect(findings.map((f) => [f.ruleId, f.path, f.message])).toEqual([
      ['secret-literal-helm-release', '/values/0/db/password', 'values[0] sets password to a literal credential <redacted, 9 chars>: it is stored in clear in the plan and state'],
      ['secret-literal-helm-release', '/set/0/value', 'set[0] sets auth.password to a literal credential <redacted, 12 chars>: it is stored in clear in the plan and state'],
      ['secret-literal-helm-release', '/set/2/value', `set[2] sets notify.url to what looks like a Slack token <redacted, ${SLACK.length} chars>: it is stored in clear in the plan and state`],
    ]);
    for (const finding of findings) for (const value of ['hunter2-prod', 'S3cret-pw', SLACK]) expect(JSON.stringify(finding)).not.toContain(value);
  });

  it('leaves sensitive, empty and reference values alone', () => {
    const findings = run(
      [release({
        set: [{ name: 'auth.password', value: 'hunter2-prod' }, { name: 'auth.existingSecret', value: 'db' }, { name: 'auth.token', value: '' }],
        set_sensitive: [{ name: 'auth.password', value: 'hunter2-prod' }],
        values: [{ auth: { passwordFile: '/run/secrets/pw' } }, { auth: { password: 'S3cret-pw' } }, null],
        // what the plan marks sensitive (the loader lists it): kept out of `terraform plan` already
        sensitive: ['/set/0/value', '/set_sensitive/0/value', '/values/1'],
      })],
      [rule],
    );
    expect(findings).toEqual([]);
  });
});
