// A Mermaid picture of one workload's blast radius for the pull-request comment (GitHub renders Mermaid
// in comments): the workload, what exposes it, the service account and the bindings that give it
// dangerous permissions, what reaches the node, the secrets it holds. Dangerous edges only; every label
// comes from scanned files, so it is written as Mermaid entity codes outside a small safe alphabet.
import type { BlastRadius, ObjectRef } from '../model/model.ts';

/** Most nodes drawn per workload: a picture, not an inventory. */
const MAX_EDGES = 12;

/** A label Mermaid shows as text: letters, digits and a few separators as they are, everything else as `#N;`. */
export function mermaidLabel(text: string, max = 60): string {
  const clipped = [...text].length > max ? `${[...text].slice(0, max - 1).join('')}…` : text;
  return [...clipped].map((c) => (/^[A-Za-z0-9 ./_:=-]$/.test(c) ? c : `#${c.codePointAt(0)};`)).join('');
}

export function blastGraph(object: ObjectRef, radius: BlastRadius): string {
  const lines: string[] = ['graph LR'];
  let nodes = 0;
  const node = (label: string) => {
    const id = `n${nodes++}`;
    lines.push(`  ${id}["${mermaidLabel(label)}"]`);
    return id;
  };
  const workload = node(`${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`);
  let edges = 0;
  const room = () => edges < MAX_EDGES;
  const edge = (from: string, to: string, label?: string) => {
    edges++;
    lines.push(`  ${from} -->${label ? `|"${mermaidLabel(label, 40)}"|` : ''} ${to}`);
  };
  // The budget is checked before a node is drawn: no node without its edge.
  for (const exposure of radius.reachability.exposure.filter((e) => e.type !== 'ClusterIP' || e.ingresses.length > 0).slice(0, 3)) {
    if (!room()) break;
    const via = exposure.ingresses.length > 0 ? `Ingress ${exposure.ingresses.slice(0, 2).join(', ')}` : `${exposure.type} Service ${exposure.service}`;
    edge(node(via), workload, 'exposes');
  }
  if (radius.reachability.hostNetwork && room()) edge(workload, node('node network'), 'hostNetwork');
  for (const violation of radius.privilege.baselineViolations.slice(0, 3)) if (room()) edge(workload, node(`node: ${violation}`), 'reaches');
  if (radius.authority.tokenMounted && radius.authority.dangerous.length > 0 && room()) {
    const sa = radius.authority.serviceAccount;
    const account = node(`ServiceAccount ${sa.namespace}/${sa.name}`);
    edge(workload, account, 'token');
    const roles = new Map<string, string>();
    for (const grant of radius.authority.dangerous.slice(0, 4)) {
      const via = grant.via || 'binding';
      let role = roles.get(via);
      if (!room()) break;
      if (role === undefined) {
        role = node(via);
        roles.set(via, role);
        edge(account, role);
      }
      if (room()) edge(role, node(`${grant.summary} (${grant.scope})`));
    }
  }
  if ((radius.secrets.readable === 'cluster' || radius.secrets.readable === 'namespace') && room()) edge(workload, node(`reads every Secret in the ${radius.secrets.readable}`), 'API');
  if (radius.secrets.mounted.length > 0 && room()) edge(workload, node(`Secrets ${radius.secrets.mounted.slice(0, 3).join(', ')}${radius.secrets.mounted.length > 3 ? ' …' : ''}`), 'mounts');
  return ['```mermaid', ...lines, '```'].join('\n');
}
