// The blast radius of a workload: runtime privilege (PSS), API authority (effective RBAC of its service
// account through every binding of its unit), reachability (NetworkPolicies, Services, Ingresses) and
// secret access, joined into one record with a rating and the reasons for it.
import type { BlastRadius, BlastRating } from '../core/model.ts';
import { allows, dangerousIn } from '../k8s/rbac.ts';
import { arr, isObj, str } from '../k8s/values.ts';
import type { PodView } from './rule-kit.ts';
import type { UnitIndex } from './unit.ts';

const RANK: Record<BlastRating, number> = { low: 0, medium: 1, high: 2, critical: 3 };

/** Baseline checks that hand over the node itself. */
const NODE_LEVEL = new Set(['privileged', 'hostNamespaces', 'hostPathVolumes', 'windowsHostProcess', 'capabilities_baseline']);

export function mountedSecrets(pod: PodView): string[] {
  const names = new Set<string>();
  for (const volume of arr(pod.spec.volumes).filter(isObj)) {
    const secret = isObj(volume.secret) ? str(volume.secret.secretName) : undefined;
    if (secret) names.add(secret);
    const projected = isObj(volume.projected) ? arr(volume.projected.sources) : [];
    for (const source of projected.filter(isObj)) {
      const name = isObj(source.secret) ? str(source.secret.name) : undefined;
      if (name) names.add(name);
    }
  }
  for (const { container } of pod.containers) {
    for (const env of arr(container.env).filter(isObj)) {
      const from = isObj(env.valueFrom) && isObj(env.valueFrom.secretKeyRef) ? str(env.valueFrom.secretKeyRef.name) : undefined;
      if (from) names.add(from);
    }
    for (const envFrom of arr(container.envFrom).filter(isObj)) {
      const from = isObj(envFrom.secretRef) ? str(envFrom.secretRef.name) : undefined;
      if (from) names.add(from);
    }
  }
  return [...names].sort();
}

export function blastRadiusOf(pod: PodView, unit: UnitIndex): BlastRadius {
  const reasons: { rating: BlastRating; text: string }[] = [];
  const add = (rating: BlastRating, text: string) => reasons.push({ rating, text });

  // 1. Runtime privilege.
  const baselineViolations = pod.admission.baseline.violations.map((v) => v.check);
  for (const violation of pod.admission.baseline.violations) {
    add(NODE_LEVEL.has(violation.check) ? 'critical' : 'high', `${violation.reason} (${violation.detail})`);
  }
  if (pod.admission.baseline.allowed && !pod.admission.restricted.allowed) {
    add('medium', `not hardened to restricted: ${pod.admission.restricted.violations.map((v) => v.reason).join(', ')}`);
  }

  // 2. API authority.
  const account = unit.serviceAccountOf(pod);
  const tokenMounted = unit.tokenMounted(pod);
  const grants = unit.grantsFor(account.namespace, account.name);
  const dangerous: BlastRadius['authority']['dangerous'] = [];
  let readable: BlastRadius['secrets']['readable'] = 'none';
  for (const grant of grants) {
    const scope = grant.namespace ?? 'cluster';
    const via = `${grant.binding.ref.kind}/${grant.binding.ref.name} -> ${grant.roleRef.kind}/${grant.roleRef.name}`;
    for (const { permission, limitedByName } of dangerousIn(grant.rules, grant.namespace !== undefined)) {
      dangerous.push({ id: permission.id, summary: permission.summary + (limitedByName ? ' (named objects only)' : ''), scope, via });
    }
    const secretRules = grant.rules.filter((r) => ['get', 'list', 'watch'].some((verb) => allows(r, verb, '', 'secrets')));
    if (secretRules.length > 0) {
      const unrestricted = secretRules.some((r) => r.resourceNames.length === 0 || allows(r, 'list', '', 'secrets'));
      const level = !unrestricted ? 'named' : scope === 'cluster' ? 'cluster' : 'namespace';
      const order = { none: 0, named: 1, namespace: 2, cluster: 3 } as const;
      if (order[level] > order[readable]) readable = level;
    }
  }
  if (tokenMounted) {
    const seen = new Set<string>();
    for (const d of dangerous) {
      const key = `${d.id}@${d.scope}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const where = d.scope === 'cluster' ? 'in the whole cluster' : `in namespace ${d.scope}`;
      const severity = d.id === 'secrets-read' ? (d.scope === 'cluster' ? 'critical' : 'high') : d.scope === 'cluster' ? 'critical' : 'high';
      const summary = d.id === 'secrets-read' && d.scope === 'cluster' ? 'can read all secrets in the cluster' : `${d.summary} ${where}`;
      add(d.summary.endsWith('(named objects only)') ? 'medium' : severity, summary);
    }
  }

  // 3. Reachability.
  const hostNetwork = pod.spec.hostNetwork === true;
  const selection = unit.policiesSelecting(pod);
  const exposure = unit.exposureOf(pod);
  const external = exposure.filter((e) => e.type === 'LoadBalancer' || e.type === 'NodePort' || e.ingresses.length > 0);
  const openIngress = !hostNetwork && selection.ingress.length === 0;
  if (external.length > 0) {
    const how = external.map((e) => (e.ingresses.length > 0 ? `Ingress ${e.ingresses.map((i) => i.ref.name).join(', ')}` : `${e.type} Service ${e.service.ref.name}`)).join('; ');
    add('medium', `exposed outside the cluster through ${how}`);
  }
  if (openIngress) add('low', 'reachable from any pod (no NetworkPolicy selects it for ingress)');
  if (!hostNetwork && selection.egress.length === 0) add('low', 'can connect anywhere (no egress NetworkPolicy)');

  // 4. Secrets.
  const mounted = mountedSecrets(pod);
  if (mounted.length > 0) add('low', `holds secrets ${mounted.join(', ')}`);

  // Combinations that make a reachable workload worse than its parts.
  let rating: BlastRating = reasons.reduce<BlastRating>((worst, r) => (RANK[r.rating] > RANK[worst] ? r.rating : worst), 'low');
  const authorityReasons = reasons.filter((r) => RANK[r.rating] >= RANK.high && /^can /.test(r.text));
  if ((openIngress || external.length > 0) && authorityReasons.length > 0 && rating === 'high') rating = 'critical';
  reasons.sort((a, b) => RANK[b.rating] - RANK[a.rating]);

  return {
    rating,
    reasons: reasons.map((r) => r.text),
    privilege: { baselineAllowed: pod.admission.baseline.allowed, restrictedAllowed: pod.admission.restricted.allowed, baselineViolations },
    authority: {
      serviceAccount: { namespace: account.namespace, name: account.name, defined: account.object !== undefined },
      tokenMounted,
      grants: grants.map((g) => ({ binding: g.binding.ref, role: g.roleRef, scope: g.namespace ?? 'cluster', resolved: g.resolved })),
      dangerous,
    },
    reachability: {
      hostNetwork,
      ingressPolicies: selection.ingress.map((p) => p.ref.name),
      egressPolicies: selection.egress.map((p) => p.ref.name),
      exposure: exposure.map((e) => ({ service: e.service.ref.name, type: e.type, ingresses: e.ingresses.map((i) => i.ref.name) })),
    },
    secrets: { mounted, readable },
  };
}
