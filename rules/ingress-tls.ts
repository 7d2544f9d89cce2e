// An Ingress without TLS serves its hosts over plain HTTP: credentials and sessions travel in clear text.
import { join } from '../src/model/pointer.ts';
import { defineRule } from '../src/engine/rule-kit.ts';
import { arr, isObj, str } from '../src/k8s/values.ts';

function tlsHosts(spec: Record<string, unknown>): Set<string> {
  const hosts = new Set<string>();
  for (const entry of arr(spec.tls).filter(isObj)) for (const host of arr(entry.hosts)) if (typeof host === 'string') hosts.add(host);
  return hosts;
}

function covered(host: string, tls: Set<string>): boolean {
  if (tls.has(host)) return true;
  const dot = host.indexOf('.');
  return dot !== -1 && tls.has('*' + host.slice(dot));
}

export default defineRule({
  target: 'object',
  kinds: ['Ingress'],
  meta: {
    id: 'ingress-tls',
    title: 'Ingress hosts need TLS',
    category: 'network',
    defaultSeverity: 'medium',
    description: 'An Ingress without a TLS section (or a host missing from it) serves that host over plain HTTP, exposing credentials and session cookies on the network.',
    remediation: 'Add a spec.tls entry listing every host, with a secretName (or a cert-manager annotation that provisions it).',
    references: [{ title: 'Ingress TLS', url: 'https://kubernetes.io/docs/concepts/services-networking/ingress/#tls' }],
    messages: {
      noTls: 'Ingress has no TLS section: its hosts are served over plain HTTP',
      hostWithoutTls: 'host {{host}} is not covered by the TLS section',
    },
  },
  *check(ingress) {
    const spec = isObj(ingress.raw.spec) ? ingress.raw.spec : {};
    const tls = arr(spec.tls);
    if (tls.length === 0) {
      yield { messageId: 'noTls', path: '/spec/tls' };
      return;
    }
    const hosts = tlsHosts(spec);
    for (const [index, rule] of arr(spec.rules).entries()) {
      const host = isObj(rule) ? str(rule.host) : undefined;
      if (host && !covered(host, hosts)) yield { messageId: 'hostWithoutTls', path: join('/spec/rules', index, 'host'), data: { host } };
    }
  },
});
