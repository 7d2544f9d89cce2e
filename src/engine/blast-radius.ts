// The blast radius of a workload: runtime privilege (PSS), API authority (effective RBAC of its service
// account through every binding of its unit), reachability (NetworkPolicies, Services, Ingresses) and
// secret access, joined into one record with a rating and the reasons for it.
import type { BlastRadius, BlastRating, ScannedObject } from '../model/model.ts';
import { adminEquivalence, allows, dangerousIn, grantedRequests, type PolicyRule, type Request } from '../k8s/rbac.ts';
import { hostPathVolumes, matchRuntimeSocket, matchSensitivePath, mountedReadOnly } from '../k8s/host-paths.ts';
import { arr, at, isObj, str } from '../k8s/values.ts';
import type { PodView } from './rule-kit.ts';
import type { UnitIndex } from './unit.ts';
import { capabilityName, ESCAPE_CAPABILITIES } from '../k8s/capabilities.ts';

const RANK: Record<BlastRating, number> = { low: 0, medium: 1, high: 2, critical: 3 };
const LOWER: Record<BlastRating, BlastRating> = { critical: 'high', high: 'medium', medium: 'low', low: 'low' };
const lower = (rating: BlastRating): BlastRating => LOWER[rating];

/** exec, attach (get or create) and ephemeral containers: port-forward alone reaches a pod's ports, not its files or token. */
const EXEC_OR_ATTACH: Request[] = [
  ...['get', 'create'].flatMap((verb) => ['pods/exec', 'pods/attach'].map((r): Request => [verb, '', r])),
  ['update', '', 'pods/ephemeralcontainers'],
  ['patch', '', 'pods/ephemeralcontainers'],
];
const portForwardOnly = (rules: readonly PolicyRule[], namespaced: boolean) => !rules.some((rule) => grantedRequests(rule, EXEC_OR_ATTACH, namespaced).length > 0);


/**
 * How much of the node a baseline violation hands over: critical for a direct path to node root
 * (privileged, host PID, HostProcess, escape capabilities, a runtime socket or a writable sensitive host
 * path), high for the rest of baseline.
 */
function privilegeReasons(pod: PodView): { rating: BlastRating; text: string }[] {
  const reasons: { rating: BlastRating; text: string }[] = [];
  for (const violation of pod.admission.baseline.violations) {
    let rating: BlastRating = 'high';
    let text = `${violation.reason} (${violation.detail})`;
    if (violation.check === 'privileged' || violation.check === 'windowsHostProcess') rating = 'critical';
    else if (violation.check === 'hostNamespaces' && pod.spec.hostPID === true) rating = 'critical';
    else if (violation.check === 'capabilities_baseline') {
      const added = pod.containers.flatMap(({ container }) => arr(at(container, 'securityContext', 'capabilities', 'add')).filter((c): c is string => typeof c === 'string'));
      const escape = [...new Set(added.filter((c) => ESCAPE_CAPABILITIES.has(capabilityName(c))))];
      if (escape.length > 0) rating = 'critical';
    } else if (violation.check === 'hostPathVolumes') {
      const parts = hostPathVolumes(pod).map((volume) => {
        const socket = matchRuntimeSocket(volume.normalised);
        const sensitive = matchSensitivePath(volume.normalised);
        const writable = !mountedReadOnly(volume);
        if (socket || (sensitive && writable)) rating = 'critical';
        const what = socket ? 'the container runtime socket' : sensitive ? sensitive.why : 'a host directory';
        return `${volume.path} (${what}${writable ? ', writable' : ', read-only'})`;
      });
      if (parts.length > 0) text = `mounts host paths ${parts.join('; ')}`;
    }
    reasons.push({ rating, text });
  }
  return reasons;
}

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
  reasons.push(...privilegeReasons(pod));
  if (pod.admission.baseline.allowed && !pod.admission.restricted.allowed) {
    add('medium', `not hardened to restricted: ${pod.admission.restricted.violations.map((v) => v.reason).join(', ')}`);
  }

  // 2. API authority.
  const account = unit.serviceAccountOf(pod);
  const tokenMounted = unit.tokenMounted(pod);
  const grants = unit.grantsFor(account.namespace, account.name);
  const dangerous: (BlastRadius['authority']['dangerous'][number] & { severity: string; limitedByName: boolean })[] = [];
  let readable: BlastRadius['secrets']['readable'] = 'none';
  for (const grant of grants) {
    const scope = grant.namespace ?? 'cluster';
    const via = `${grant.binding.ref.kind}/${grant.binding.ref.name} -> ${grant.roleRef.kind}/${grant.roleRef.name}`;
    const namespaced = grant.namespace !== undefined;
    // cluster-admin in all but name (every verb on every core and RBAC resource, enumerated or `*`, or a
    // direct escalation route): one reason that says so, above the catalog permissions it also holds.
    const admin = adminEquivalence(grant.rules, namespaced);
    if (admin) dangerous.push({ id: 'cluster-admin-equivalent', summary: `is as good as cluster-admin (${admin.how})`, scope, via, severity: 'critical', limitedByName: false });
    for (const { permission, limitedByName } of dangerousIn(grant.rules, namespaced)) {
      if (permission.id === 'pod-exec' && portForwardOnly(grant.rules, namespaced)) dangerous.push({ id: permission.id, summary: 'can port-forward to pods', scope, via, severity: 'medium', limitedByName });
      else dangerous.push({ id: permission.id, summary: permission.summary, scope, via, severity: permission.severity, limitedByName });
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
    // One reason per permission, at its widest scope: cluster-wide beats a namespace, unnamed beats named.
    const widest = new Map<string, (typeof dangerous)[number]>();
    const breadth = (d: (typeof dangerous)[number]) => (d.scope === 'cluster' ? 2 : 0) + (d.limitedByName ? 0 : 1);
    for (const d of dangerous) {
      const current = widest.get(d.id);
      if (!current || breadth(d) > breadth(current)) widest.set(d.id, d);
    }
    for (const d of widest.values()) {
      const where = d.scope === 'cluster' ? 'in the whole cluster' : `in namespace ${d.scope}`;
      const summary = d.id === 'secrets-read' && d.scope === 'cluster' && !d.limitedByName ? 'can read all secrets in the cluster' : `${d.summary}${d.limitedByName ? ' (named objects only)' : ''} ${where}`;
      // Cluster-wide, reading every secret or minting any account's token is as good as cluster-admin; other
      // permissions weigh what the catalog says. Within a namespace, or for named objects only, one step less each.
      let rating: BlastRating = d.severity === 'critical' || d.id === 'secrets-read' || d.id === 'token-request' ? 'critical' : d.severity === 'medium' ? 'medium' : 'high';
      if (d.scope !== 'cluster') rating = lower(rating);
      if (d.limitedByName) rating = lower(rating);
      add(rating, summary);
    }
    // The namespace's default account: whatever is bound to it is inherited by every pod there that names no other account.
    if (account.name === 'default' && grants.length > 0) {
      const bindings = grants.map((g) => `${g.binding.ref.kind}/${g.binding.ref.name}`);
      add('low', `runs as the default service account of namespace ${account.namespace}, whose permissions (${bindings.join(', ')}) every pod there that names no other account inherits`);
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
  // A policy whose selection preadmit cannot decide is not isolation; the reason says which one.
  const undecided = (direction: 'ingress' | 'egress') => {
    const names = [...new Set(selection.undecided.filter((u) => u.direction === direction).map((u) => `${u.policy.ref.kind} ${u.policy.ref.name}`))];
    return names.length > 0 ? `; ${names.join(', ')} may select it, preadmit cannot tell` : '';
  };
  if (openIngress) add('low', `reachable from any pod (no NetworkPolicy selects it for ingress${undecided('ingress')})`);
  if (!hostNetwork && selection.egress.length === 0) add('low', `can connect anywhere (no egress NetworkPolicy${undecided('egress')})`);

  // 4. Secrets.
  const mounted = mountedSecrets(pod);
  if (mounted.length > 0) add('low', `holds secrets ${mounted.join(', ')}`);

  // Exposure outside the cluster makes a workload with high authority or privilege an entry point: critical.
  let rating: BlastRating = reasons.reduce<BlastRating>((worst, r) => (RANK[r.rating] > RANK[worst] ? r.rating : worst), 'low');
  if (external.length > 0 && rating === 'high') rating = 'critical';
  reasons.sort((a, b) => RANK[b.rating] - RANK[a.rating]);

  return {
    rating,
    reasons: reasons.map((r) => r.text),
    privilege: { baselineAllowed: pod.admission.baseline.allowed, restrictedAllowed: pod.admission.restricted.allowed, baselineViolations },
    authority: {
      serviceAccount: { namespace: account.namespace, name: account.name, defined: account.object !== undefined },
      tokenMounted,
      grants: grants.map((g) => ({ binding: g.binding.ref, role: g.roleRef, scope: g.namespace ?? 'cluster', resolved: g.resolved })),
      dangerous: dangerous.map(({ id, summary, scope, via, limitedByName }) => ({ id, summary: summary + (limitedByName ? ' (named objects only)' : ''), scope, via })),
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

const UNIT_RADII = new WeakMap<UnitIndex, Map<ScannedObject, BlastRadius>>();

/** The blast radius of every pod of a unit, computed once (a scan computes a render's as the render arrives). */
export function blastRadiiOf(unit: UnitIndex): Map<ScannedObject, BlastRadius> {
  let radii = UNIT_RADII.get(unit);
  if (radii === undefined) {
    radii = new Map();
    for (const pod of unit.pods) radii.set(pod.object, blastRadiusOf(pod, unit));
    UNIT_RADII.set(unit, radii);
  }
  return radii;
}
