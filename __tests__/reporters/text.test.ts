import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/model.ts';
import { renderText, terminalSafe } from '../../src/reporters/text.ts';
import { finding, HOSTILE, manifestSource, ref, sampleResult, scanResult, terraformSource } from './fixtures.ts';

const ESC = '\u001b';

function lines(out: string): string[] {
  return out.split('\n');
}

describe('text reporter', () => {
  it('groups findings by chart render, then by object, with a verdict per chart', () => {
    const out = renderText(sampleResult());
    const l = lines(out);
    const shopDefault = l.indexOf('chart charts/shop (values: default) · 2 objects — denied at restricted:latest by privileged, runAsNonRoot');
    const shopProd = l.indexOf('chart charts/shop (values: prod) · 2 objects — denied at restricted:latest by runAsNonRoot');
    const clean = l.indexOf('chart charts/clean (values: default) · 3 objects — admissible at restricted:latest');
    expect([clean, shopDefault, shopProd].every((i) => i > 0)).toBe(true);
    expect(clean).toBeLessThan(shopDefault);
    expect(shopDefault).toBeLessThan(shopProd);
    expect(l[clean + 1]).toBe('  no findings');
    // Objects under their chart, the most severe object first, findings most severe first: file:line,
    // severity and rule; the message under it; the fix the first time a rule appears.
    expect(l.slice(shopDefault + 1, shopDefault + 11)).toEqual([
      '  Deployment shop/web',
      '    CRITICAL  pss-privileged  charts/shop/templates/deployment.yaml:31',
      '      Container "app" breaks pss-privileged.',
      '      fix: Fix it.',
      '    HIGH      pss-run-as-non-root  charts/shop/templates/deployment.yaml:22',
      '      Container "app" breaks pss-run-as-non-root.',
      '      fix: Fix it.',
      '  StatefulSet shop/worker',
      '    MEDIUM    image-tag-latest  charts/shop/templates/worker.yaml:12',
      '      Container "app" breaks image-tag-latest.',
    ]);
    // The prod value set comes after the chart's defaults and lists only what it adds.
    expect(l.slice(shopProd + 1, shopProd + 5)).toEqual([
      '  Deployment shop/web',
      '    HIGH      pss-run-as-non-root  charts/shop/templates/deployment.yaml:24',
      '      Container "app" breaks pss-run-as-non-root.',
      '      ↳ only with values prod',
    ]);
  });

  it('groups manifests and terraform by file, with denied objects marked', () => {
    const l = lines(renderText(sampleResult()));
    const app = l.indexOf('file deploy/app.yaml');
    expect(l.slice(app, app + 7)).toEqual([
      'file deploy/app.yaml',
      '  Pod default/debug — denied at restricted:latest by privileged, runAsNonRoot',
      '    CRITICAL  pss-privileged  deploy/app.yaml:14',
      '      Container "app" breaks pss-privileged.',
      '    LOW       resources-missing  deploy/app.yaml:9',
      '      Container "app" breaks resources-missing.',
      '      fix: Fix it.',
    ]);
    const rbac = l.indexOf('file deploy/rbac.yaml');
    // No line known: just the file.
    expect(l[rbac + 2]).toBe('    INFO      values-note  deploy/rbac.yaml');
    const tf = l.indexOf('terraform infra/main.tf');
    expect(l[tf + 1]).toBe('  Deployment prod/api (module.app.kubernetes_manifest.web)');
  });

  it('lists errors first, with file, line and cause', () => {
    const l = lines(renderText(sampleResult()));
    const header = l.indexOf('ERRORS (2): parts of the input were not scanned');
    expect(header).toBe(2);
    expect(l[header + 1]).toBe('  ✖ render     charts/broken: helm template failed: template: broken/templates/x.yaml:3: function "nope" not defined');
    expect(l[header + 2]).toBe('  ✖ parse      deploy/bad.yaml:4: mapping values are not allowed here');
  });

  it('ends with counts by severity and the verdict against fail-on', () => {
    const l = lines(renderText(sampleResult()));
    expect(l.at(-1)).toBe('');
    expect(l.at(-3)).toBe('Summary: 8 findings (2 critical, 2 high, 2 medium, 1 low, 1 info) · 6 objects · 3 chart renders · 2 errors · 920 ms');
    expect(l.at(-2)).toBe('FAIL: 4 findings at or above high, and 2 errors');
    expect(l[0]).toBe('preadmit 0.1.0 · Pod Security restricted:latest · fail-on high');
  });

  it('says pass, fail on errors, or pass-but-incomplete', () => {
    const last = (out: string) => lines(out).at(-2);
    expect(last(renderText(scanResult({ findings: [finding({ severity: 'medium' })] })))).toBe('PASS: no findings at or above high');
    expect(last(renderText(scanResult({ findings: [finding()], failOn: 'never' })))).toBe('PASS: fail-on is never');
    expect(last(renderText(scanResult({ findings: [finding()], failOn: 'critical' })))).toBe('FAIL: 1 finding at or above critical');
    const errors = [{ kind: 'read' as const, file: 'x.yaml', message: 'EACCES' }];
    expect(last(renderText(scanResult({ errors })))).toBe('FAIL: 1 error kept parts of the input from being scanned (no findings at or above high)');
    expect(last(renderText(scanResult({ errors, failOnErrors: false })))).toBe(
      'PASS (incomplete): no findings at or above high, but 1 error kept parts of the input from being scanned',
    );
    expect(renderText(scanResult())).toContain('\nNo findings.\n');
  });

  it('uses colour only when asked', () => {
    const plain = renderText(sampleResult());
    const coloured = renderText(sampleResult(), { color: true });
    expect(plain).not.toContain(ESC);
    expect(coloured).toContain(`${ESC}[1m${ESC}[35mCRITICAL${ESC}[39m${ESC}[22m`);
    expect(coloured).toContain(`${ESC}[1m${ESC}[31mFAIL: 4 findings at or above high, and 2 errors${ESC}[39m${ESC}[22m`);
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });

  it('never lets a scanned value write control characters to the terminal', () => {
    const result = scanResult({
      findings: [
        finding({ object: ref('Pod', HOSTILE.ansi, 'ns\rx'), message: `${HOSTILE.ansi} ${HOSTILE.bidi}`, path: '/a\nb', source: manifestSource({ file: `deploy/${HOSTILE.ansi}.yaml` }) }),
        finding({ source: terraformSource({ address: `module.x\u001b]0;title\u0007` }), path: '/b' }),
      ],
      errors: [{ kind: 'parse', file: 'bad\u0008.yaml', message: `boom${HOSTILE.ansi}` }],
    });
    for (const color of [false, true]) {
      const out = renderText(result, { color }).replace(/\u001b\[\d+m/g, ''); // our own colours
      expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    }
    const out = renderText(result, { verbose: true });
    expect(out).toContain('Pod ns\\x0dx/\\x1b[31mred\\x1b[0m\\x07');
    expect(out).toContain('/a\\nb');
    expect(out).toContain('abc\\u202edcba');
  });

  it('wraps messages to the terminal width, shows pointers with verbose, lists from --min-severity up', () => {
    const long = finding({ message: 'word '.repeat(40).trim(), path: '/spec/x' });
    const wrapped = lines(renderText(scanResult({ findings: [long] }), { width: 60 }));
    const body = wrapped.filter((line) => line.startsWith('      word'));
    expect(body.length).toBeGreaterThan(2);
    expect(body.every((line) => line.length <= 60)).toBe(true);
    expect(renderText(scanResult({ findings: [long] }))).not.toContain('at /spec/x');
    expect(renderText(scanResult({ findings: [long] }), { verbose: true })).toContain('      at /spec/x');
    const mixed = scanResult({ findings: [finding({ severity: 'high', ruleId: 'shown-rule' }), finding({ severity: 'low', ruleId: 'hidden-rule', path: '/y' })] });
    const filtered = renderText(mixed, { minSeverity: 'medium' });
    expect(filtered).toContain('shown-rule');
    expect(filtered).not.toContain('hidden-rule');
    expect(filtered).toContain('1 finding below medium not listed (--min-severity medium); the verdict counts them as always');
    expect(lines(filtered).at(-3)).toContain('2 findings');
  });

  it('shows a suppressed finding as suppressed, not at its severity', () => {
    const suppressed = { ...finding({ severity: 'critical' }), suppressed: { kind: 'config', reason: 'accepted' } as Finding['suppressed'] };
    const out = renderText(scanResult({ findings: [suppressed] }));
    expect(out).toMatch(/^ {4}SUPPRESSED {2}/m);
    expect(out).not.toMatch(/^ {4}CRITICAL/m);
  });

  it('lists the largest blast radii once per workload, whatever number of value sets render it', () => {
    const radius = (rating: 'critical' | 'high' | 'medium', reasons: string[]) =>
      ({ rating, reasons, privilege: { baselineAllowed: false, restrictedAllowed: false, baselineViolations: [] }, authority: { serviceAccount: { namespace: 'shop', name: 'web', defined: true }, tokenMounted: true, grants: [], dangerous: [] }, reachability: { hostNetwork: false, ingressPolicies: [], egressPolicies: [], exposure: [] }, secrets: { mounted: [], readable: [] } }) as never;
    const record = (valueSet: string, name: string, blastRadius: unknown) => ({ object: ref('Deployment', name, 'shop'), source: { kind: 'helm' as const, file: 'charts/shop/templates/d.yaml', chart: 'charts/shop', valueSet }, blastRadius: blastRadius as never });
    const result = { ...scanResult(), objects: [record('default', 'web', radius('high', ['can read secrets'])), record('prod', 'web', radius('critical', ['privileged'])), record('default', 'quiet', radius('medium', ['nothing much']))] };
    const l = lines(renderText(result));
    const at = l.indexOf('LARGEST BLAST RADIUS (what a compromise of the workload reaches)');
    expect(l.slice(at + 1, at + 4)).toEqual(['  CRITICAL  Deployment shop/web  charts/shop (values: default, prod)', '      privileged', '']);
  });

  it('terminalSafe leaves ordinary text alone', () => {
    expect(terminalSafe('Deployment shop/web: ünïcode ✓ "quotes"')).toBe('Deployment shop/web: ünïcode ✓ "quotes"');
    expect(terminalSafe('a\tb')).toBe('a b');
  });
});
