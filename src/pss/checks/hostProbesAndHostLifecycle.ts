import { obj, str } from '../../k8s/values.ts';
import { containerPhrase, joinQuote, pluralize, sortedSet } from '../format.ts';
import type { CheckDefinition, CheckFn, PssField } from '../types.ts';

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const LIFECYCLE_HANDLERS = ['postStart', 'preStop'] as const;
const HOST_ACTIONS = ['httpGet', 'tcpSocket'] as const;

/** v1.34: probes and lifecycle handlers must not name a host (httpGet.host, tcpSocket.host). */
export const hostProbesAndHostLifecycle_1_34: CheckFn = (pod) => {
  const bad: string[] = [];
  const hosts: string[] = [];
  const fields: PssField[] = [];
  const visit = (name: string, handler: unknown, base: string, field: string): boolean => {
    const h = obj(handler);
    if (h === undefined) return false;
    let found = false;
    for (const action of HOST_ACTIONS) {
      const host = str(obj(h[action])?.host);
      if (host === undefined || host === '') continue;
      found = true;
      hosts.push(host);
      fields.push({ path: `${base}/${action}/host`, detail: `${containerPhrase([name])} must not set ${field}.${action}.host (${joinQuote([host])})` });
    }
    return found;
  };
  for (const c of pod.containers) {
    let containerBad = false;
    for (const probe of PROBES) {
      if (visit(c.name, c.container[probe], `${c.pointer}/${probe}`, probe)) containerBad = true;
    }
    const lifecycle = obj(c.container.lifecycle);
    if (lifecycle !== undefined) {
      for (const handler of LIFECYCLE_HANDLERS) {
        if (visit(c.name, lifecycle[handler], `${c.pointer}/lifecycle/${handler}`, `lifecycle.${handler}`)) containerBad = true;
      }
    }
    if (containerBad) bad.push(c.name);
  }
  if (bad.length === 0) return undefined;
  const names = sortedSet(bad);
  const distinctHosts = sortedSet(hosts);
  return {
    reason: 'probe or lifecycle host',
    detail: `${containerPhrase(names)} ${pluralize('uses', 'use', names.length)} ${pluralize('probe or lifecycle host', 'probe or lifecycle hosts', distinctHosts.length)} ${joinQuote(distinctHosts)}`,
    fields,
  };
};

export const hostProbesAndHostLifecycle: CheckDefinition = {
  id: 'hostProbesAndHostLifecycle',
  level: 'baseline',
  title: 'Host probes and lifecycle hooks',
  versions: [{ minVersion: 34, evaluate: hostProbesAndHostLifecycle_1_34 }],
};
