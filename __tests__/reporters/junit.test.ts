import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../src/reporters/junit.ts';
import { finding, HOSTILE, manifestSource, ref, sampleResult, scanResult } from './fixtures.ts';

/** Tags in order, with every text node free of raw markup characters (a small well-formedness check). */
function tags(xml: string): string[] {
  const out: string[] = [];
  const body = xml.replace(/^<\?xml[^>]*\?>\n/, '');
  for (const part of body.split(/(<[^<>]+>)/)) {
    if (part.startsWith('<')) out.push(part.replace(/\s.*$/s, '').replace(/\/?>$/, ''));
    else {
      expect(part).not.toMatch(/[<>]/);
      expect(part.replace(/&(?:amp|lt|gt|quot|apos);/g, '')).not.toContain('&');
    }
  }
  return out;
}

describe('junit reporter', () => {
  it('one test case per rule and object; blocking ones fail, the others pass with their findings', () => {
    const xml = renderJunit(sampleResult());
    const names = [...xml.matchAll(/<testcase classname="([^"]+)" name="([^"]+)"/g)].map((m) => `${m[1]} | ${m[2]}`);
    expect(names).toContain('preadmit.pss-privileged | charts/shop: Deployment shop/web');
    expect(names).toContain('preadmit.pss-run-as-non-root | charts/shop: Deployment shop/web [prod]');
    expect(names).toContain('preadmit.input | charts/broken');
    // fail-on high: the two critical and two high findings fail; errors are errored cases.
    expect(xml).toMatch(/<testsuites name="preadmit" tests="\d+" failures="4" errors="2"/);
    expect(xml).toContain('<system-out>[LOW] deploy/app.yaml:9 /spec/containers/0/resources: Container &quot;app&quot; breaks resources-missing.</system-out>');
    const t = tags(xml);
    expect(t.filter((x) => x === '<testcase').length).toBe(t.filter((x) => x === '</testcase').length);
  });

  it('keeps scanned text from breaking the XML', () => {
    const result = scanResult({ findings: [finding({ object: ref('Pod', `a<b>&"c'${HOSTILE.ansi}`), message: `]]></failure><x y="${HOSTILE.ansi}`, severity: 'critical', source: manifestSource({ file: 'x&y.yaml' }) })] });
    const xml = renderJunit(result);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(xml).toContain('name="x&amp;y.yaml: Pod shop/a&lt;b&gt;&amp;&quot;c&apos;');
    tags(xml);
  });
});
