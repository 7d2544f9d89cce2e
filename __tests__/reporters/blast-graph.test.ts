import { describe, expect, it } from 'vitest';
import { blastGraph, mermaidLabel } from '../../src/reporters/blast-graph.ts';
import { blastRadius, HOSTILE, ref } from './fixtures.ts';

describe('blast radius graph (Mermaid)', () => {
  it('draws the workload, what exposes it, its token to the dangerous permissions, the node and secrets', () => {
    const graph = blastGraph(ref('Deployment', 'web', 'shop'), blastRadius());
    const lines = graph.split('\n');
    expect(lines[0]).toBe('```mermaid');
    expect(lines.at(-1)).toBe('```');
    expect(lines[1]).toBe('graph LR');
    expect(graph).toContain('n0["Deployment shop/web"]');
    expect(graph).toMatch(/n\d+\["Ingress web"\]\n\s+n\d+ -->\|"exposes"\| n0/);
    expect(graph).toMatch(/n0 -->\|"token"\| n\d+/);
    expect(graph).toContain('["ServiceAccount shop/web"]');
    expect(graph).toContain('["read all secrets #40;cluster#41;"]');
    expect(graph).toContain('["node: privileged"]');
    expect(graph).toContain('["reads every Secret in the cluster"]');
    expect(graph).toContain('["Secrets db-password"]');
  });

  it('no token, no API edges', () => {
    const radius = { ...blastRadius(), authority: { ...blastRadius().authority, tokenMounted: false } };
    expect(blastGraph(ref('Deployment', 'web', 'shop'), radius)).not.toContain('ServiceAccount');
  });

  it('writes scanned text as entity codes: no quote, bracket, pipe, backtick, angle bracket or line break gets through', () => {
    const hostile = `${HOSTILE.html} "]\n%%{init: {'theme':'dark'}}%%\`|<script>`;
    const label = mermaidLabel(hostile, 500);
    expect(label).not.toMatch(/["\]\[|`<>\n{}%']/);
    const graph = blastGraph(ref('Deployment', hostile, hostile), { ...blastRadius(), reasons: [hostile] });
    for (const line of graph.split('\n').slice(2, -1)) expect(line).toMatch(/^ {2}n\d+(\["[^"\n]*"\]| -->(\|"[^"\n]*"\|)? n\d+)$/);
  });

  it('stays small: long names clipped, a dozen edges at most', () => {
    const many = {
      ...blastRadius(),
      privilege: { ...blastRadius().privilege, baselineViolations: Array.from({ length: 20 }, (_, i) => `v${i}`) },
      reachability: { ...blastRadius().reachability, hostNetwork: true, exposure: Array.from({ length: 5 }, (_, i) => ({ service: `s${i}`, type: 'LoadBalancer', ingresses: [] })) },
      authority: { ...blastRadius().authority, dangerous: Array.from({ length: 6 }, (_, i) => ({ id: `d${i}`, summary: `perm ${i}`, scope: 'cluster', via: `binding ${i}` })) },
    };
    const graph = blastGraph(ref('Deployment', 'x'.repeat(500), 'shop'), many);
    expect(graph.split('\n').filter((l) => l.includes('-->')).length).toBeLessThanOrEqual(12);
    expect(Math.max(...graph.split('\n').map((l) => l.length))).toBeLessThan(120);
    // Every node drawn has its edge: none left floating when the budget runs out.
    const nodes = [...graph.matchAll(/^ {2}(n\d+)\[/gm)].map((m) => m[1]!);
    const linked = new Set([...graph.matchAll(/(n\d+) -->(?:\|"[^"]*"\|)? (n\d+)/g)].flatMap((m) => [m[1]!, m[2]!]));
    expect(nodes.filter((n) => !linked.has(n))).toEqual([]);
  });
});
