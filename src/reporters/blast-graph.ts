// A picture of one workload's blast radius: the workload, what exposes it, the service account and the
// bindings that give it dangerous permissions, what reaches the node, the secrets it holds. Dangerous
// edges only. blastGraphModel decides the nodes and edges once; blastGraph writes them as Mermaid for the
// pull-request comment (GitHub renders Mermaid in comments), the HTML report draws the same graph as SVG.
// Every label comes from scanned files: Mermaid gets it as entity codes outside a small safe alphabet.
import type { BlastRadius, ObjectRef } from '../model/model.ts';

/** Most edges drawn per workload: a picture, not an inventory. */
const MAX_EDGES = 12;

/** What a node stands for (the HTML report colours by it). */
export type BlastNodeKind = 'workload' | 'exposure' | 'node' | 'account' | 'role' | 'permission' | 'secret';

export interface BlastNode {
  id: string;
  kind: BlastNodeKind;
  /** Plain text from the scan (unescaped): every renderer escapes it its own way. */
  label: string;
}

export interface BlastEdge {
  from: string;
  to: string;
  label?: string;
}

export interface BlastGraphModel {
  nodes: BlastNode[];
  edges: BlastEdge[];
}

/** A label Mermaid shows as text: letters, digits and a few separators as they are, everything else as `#N;`. */
export function mermaidLabel(text: string, max = 60): string {
  const clipped = [...text].length > max ? `${[...text].slice(0, max - 1).join('')}…` : text;
  return [...clipped].map((c) => (/^[A-Za-z0-9 ./_:=-]$/.test(c) ? c : `#${c.codePointAt(0)};`)).join('');
}

/** The nodes and edges of the picture; the workload is always the first node (`n0`). */
export function blastGraphModel(object: ObjectRef, radius: BlastRadius): BlastGraphModel {
  const nodes: BlastNode[] = [];
  const edges: BlastEdge[] = [];
  const node = (kind: BlastNodeKind, label: string) => {
    const id = `n${nodes.length}`;
    nodes.push({ id, kind, label });
    return id;
  };
  const workload = node('workload', `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`);
  const room = () => edges.length < MAX_EDGES;
  const edge = (from: string, to: string, label?: string) => {
    edges.push(label === undefined ? { from, to } : { from, to, label });
  };
  // The budget is checked before a node is drawn: no node without its edge.
  for (const exposure of radius.reachability.exposure.filter((e) => e.type !== 'ClusterIP' || e.ingresses.length > 0).slice(0, 3)) {
    if (!room()) break;
    const via = exposure.ingresses.length > 0 ? `Ingress ${exposure.ingresses.slice(0, 2).join(', ')}` : `${exposure.type} Service ${exposure.service}`;
    edge(node('exposure', via), workload, 'exposes');
  }
  if (radius.reachability.hostNetwork && room()) edge(workload, node('node', 'node network'), 'hostNetwork');
  for (const violation of radius.privilege.baselineViolations.slice(0, 3)) if (room()) edge(workload, node('node', `node: ${violation}`), 'reaches');
  if (radius.authority.tokenMounted && radius.authority.dangerous.length > 0 && room()) {
    const sa = radius.authority.serviceAccount;
    const account = node('account', `ServiceAccount ${sa.namespace}/${sa.name}`);
    edge(workload, account, 'token');
    const roles = new Map<string, string>();
    for (const grant of radius.authority.dangerous.slice(0, 4)) {
      const via = grant.via || 'binding';
      let role = roles.get(via);
      if (!room()) break;
      if (role === undefined) {
        role = node('role', via);
        roles.set(via, role);
        edge(account, role);
      }
      if (room()) edge(role, node('permission', `${grant.summary} (${grant.scope})`));
    }
  }
  if ((radius.secrets.readable === 'cluster' || radius.secrets.readable === 'namespace') && room()) edge(workload, node('secret', `reads every Secret in the ${radius.secrets.readable}`), 'API');
  if (radius.secrets.mounted.length > 0 && room()) edge(workload, node('secret', `Secrets ${radius.secrets.mounted.slice(0, 3).join(', ')}${radius.secrets.mounted.length > 3 ? ' …' : ''}`), 'mounts');
  return { nodes, edges };
}

/** The graph as a fenced Mermaid block; each node is declared just before its first edge. */
export function blastGraph(object: ObjectRef, radius: BlastRadius): string {
  const { nodes, edges } = blastGraphModel(object, radius);
  const lines: string[] = ['graph LR'];
  const declared = new Set<string>();
  const declare = (id: string) => {
    if (declared.has(id)) return;
    declared.add(id);
    lines.push(`  ${id}["${mermaidLabel(nodes.find((n) => n.id === id)!.label)}"]`);
  };
  declare('n0');
  for (const e of edges) {
    declare(e.from);
    declare(e.to);
    lines.push(`  ${e.from} -->${e.label ? `|"${mermaidLabel(e.label, 40)}"|` : ''} ${e.to}`);
  }
  return ['```mermaid', ...lines, '```'].join('\n');
}
