// A unit is a set of objects deployed together: one chart render, one Terraform plan, or all the plain
// manifests of a scan. Joins (workload -> service account -> bindings -> roles, policies -> pods,
// services -> pods) happen inside a unit, through indexes built once per unit on first use, so no
// rule pays for a join twice and no join is quadratic in the number of objects.
import type { ScannedObject } from '../model/model.ts';
import { BUILTIN_CLUSTER_ROLES, policyRules, serviceAccountKeys, subjectKey, subjectsOf, type Grant } from '../k8s/rbac.ts';
import { isRbacObject, RbacAggregation } from '../k8s/rbac-aggregation.ts';
import { ISOLATING_KINDS, isolationRulesOf, type PodSubject } from '../k8s/network-policies.ts';
import { labelsOf, serviceSelector, type Labels, type Selector } from '../k8s/selectors.ts';
import { arr, bool, isObj, str } from '../k8s/values.ts';
import type { PodView } from './pod-view.ts';

export function unitKeyOf(object: ScannedObject): string {
  const { source } = object;
  if (source.kind === 'helm') return `helm:${source.chart ?? source.file}:${source.valueSet ?? 'default'}`;
  if (source.kind === 'terraform') return `terraform:${source.plan ?? source.file}`;
  return 'manifests';
}

export interface PolicySelection {
  /**
   * Policies that select the pod and put it in default-deny for ingress / egress: Kubernetes NetworkPolicies,
   * Cilium (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy) and Calico (NetworkPolicy, GlobalNetworkPolicy).
   */
  ingress: ScannedObject[];
  egress: ScannedObject[];
  /** Policies that may select the pod but preadmit cannot tell (an invalid selector, labels outside the scan): not isolation. */
  undecided: { policy: ScannedObject; direction: 'ingress' | 'egress'; reason: string }[];
}

export interface Exposure {
  service: ScannedObject;
  type: string;
  /** Ingress objects routing to the service. */
  ingresses: ScannedObject[];
}

export class UnitIndex {
  readonly key: string;
  readonly objects: readonly ScannedObject[];
  readonly pods: readonly PodView[];
  /** True when the unit is a whole application (a chart render): absence of an object is meaningful. */
  readonly complete: boolean;
  private readonly byKind = new Map<string, ScannedObject[]>();
  private readonly podByObject = new Map<ScannedObject, PodView>();
  private grantsCache?: { bindings: { binding: ScannedObject; grant: Omit<Grant, 'binding'> }[]; bySubject: Map<string, Grant[]> };
  private selectionCache?: Map<PodView, PolicySelection>;
  private selectedByPolicy?: Map<ScannedObject, PodView[]>;
  private exposureCache?: Map<PodView, Exposure[]>;
  private serviceAccounts?: Map<string, ScannedObject>;
  private aggregationCache?: RbacAggregation;
  private labelIndex?: { byNamespace: Map<string, PodView[]>; byPair: Map<string, PodView[]>; labels: Map<PodView, Labels> };

  constructor(key: string, objects: readonly ScannedObject[], pods: readonly PodView[]) {
    this.key = key;
    this.objects = objects;
    this.pods = pods;
    this.complete = key.startsWith('helm:');
    for (const object of objects) {
      const list = this.byKind.get(object.ref.kind);
      if (list) list.push(object);
      else this.byKind.set(object.ref.kind, [object]);
    }
    for (const pod of pods) this.podByObject.set(pod.object, pod);
  }

  ofKind(kind: string): readonly ScannedObject[] {
    return this.byKind.get(kind) ?? [];
  }

  podOf(object: ScannedObject): PodView | undefined {
    return this.podByObject.get(object);
  }

  /** The namespace an object lands in (its own, else `default`). */
  namespaceOf(object: ScannedObject): string {
    return object.ref.namespace ?? 'default';
  }

  /** The service account a pod runs as, and its object when the unit holds it. */
  serviceAccountOf(pod: PodView): { namespace: string; name: string; explicit: boolean; object?: ScannedObject } {
    const explicit = str(pod.spec.serviceAccountName) ?? str(pod.spec.serviceAccount);
    const name = explicit && explicit !== '' ? explicit : 'default';
    const namespace = this.namespaceOf(pod.object);
    if (!this.serviceAccounts) {
      this.serviceAccounts = new Map();
      for (const sa of this.ofKind('ServiceAccount')) this.serviceAccounts.set(`${this.namespaceOf(sa)}/${sa.ref.name}`, sa);
    }
    const object = this.serviceAccounts.get(`${namespace}/${name}`);
    return { namespace, name, explicit: explicit !== undefined && explicit !== '', ...(object ? { object } : {}) };
  }

  /** Whether the API token is mounted into the pod (pod setting wins over the service account's). */
  tokenMounted(pod: PodView): boolean {
    const podSetting = bool(pod.spec.automountServiceAccountToken);
    if (podSetting !== undefined) return podSetting;
    const sa = this.serviceAccountOf(pod).object;
    const saSetting = sa ? bool(sa.raw.automountServiceAccountToken) : undefined;
    return saSetting ?? true;
  }

  /** ClusterRole aggregation of this unit, resolved on first use. */
  aggregation(): RbacAggregation {
    return (this.aggregationCache ??= new RbacAggregation(this.ofKind('ClusterRole')));
  }

  private bindings() {
    if (this.grantsCache) return this.grantsCache;
    const roles = new Map<string, ScannedObject>();
    for (const role of this.ofKind('Role').filter(isRbacObject)) roles.set(`${this.namespaceOf(role)}/${role.ref.name}`, role);
    const clusterRoles = new Map<string, ScannedObject>();
    for (const role of this.ofKind('ClusterRole').filter(isRbacObject)) clusterRoles.set(role.ref.name, role);
    const bindings: { binding: ScannedObject; grant: Omit<Grant, 'binding'> }[] = [];
    for (const binding of [...this.ofKind('RoleBinding'), ...this.ofKind('ClusterRoleBinding')].filter(isRbacObject)) {
      const roleRef = isObj(binding.raw.roleRef) ? binding.raw.roleRef : {};
      const ref = { kind: str(roleRef.kind) ?? '', name: str(roleRef.name) ?? '' };
      const namespace = binding.ref.kind === 'RoleBinding' ? this.namespaceOf(binding) : undefined;
      let grant: Omit<Grant, 'binding'>;
      // A ClusterRoleBinding may only reference a ClusterRole; any other kind grants nothing.
      if (ref.kind === 'Role' && namespace !== undefined) {
        const role = roles.get(`${namespace}/${ref.name}`);
        grant = role ? { role, roleRef: ref, rules: policyRules(role.raw.rules), resolved: 'scan' } : { roleRef: ref, rules: [], resolved: 'missing' };
      } else if (ref.kind === 'ClusterRole') {
        const role = clusterRoles.get(ref.name);
        const builtin = Object.hasOwn(BUILTIN_CLUSTER_ROLES, ref.name) ? BUILTIN_CLUSTER_ROLES[ref.name] : undefined;
        if (role) grant = { role, roleRef: ref, rules: this.aggregation().effectiveRules(role), resolved: 'scan' };
        else if (builtin) grant = { roleRef: ref, rules: builtin, resolved: 'builtin' };
        else grant = { roleRef: ref, rules: [], resolved: 'missing' };
      } else {
        grant = { roleRef: ref, rules: [], resolved: 'missing' };
      }
      if (namespace !== undefined) grant.namespace = namespace;
      bindings.push({ binding, grant });
    }
    // Index grants by the subject they name, so looking up a service account's grants does not scan every binding.
    const bySubject = new Map<string, Grant[]>();
    for (const { binding, grant } of bindings) {
      const bindingNamespace = binding.ref.kind === 'RoleBinding' ? this.namespaceOf(binding) : undefined;
      const keys = new Set(subjectsOf(binding.raw).map((s) => subjectKey(s, bindingNamespace)).filter((k) => k !== undefined));
      for (const key of keys) {
        const list = bySubject.get(key);
        const full = { binding, ...grant };
        if (list) list.push(full);
        else bySubject.set(key, [full]);
      }
    }
    this.grantsCache = { bindings, bySubject };
    return this.grantsCache;
  }

  /** Every grant that reaches a service account through the bindings of this unit. */
  grantsFor(namespace: string, name: string): Grant[] {
    const { bySubject } = this.bindings();
    const keys = serviceAccountKeys(namespace, name);
    const seen = new Set<ScannedObject>();
    const grants: Grant[] = [];
    for (const key of keys) {
      for (const grant of bySubject.get(key) ?? []) {
        if (seen.has(grant.binding)) continue;
        seen.add(grant.binding);
        grants.push(grant);
      }
    }
    return grants;
  }

  /** Every binding with its resolved role (for rules on bindings). */
  allGrants(): Grant[] {
    return this.bindings().bindings.map(({ binding, grant }) => ({ binding, ...grant }));
  }

  private labels() {
    if (this.labelIndex) return this.labelIndex;
    const byNamespace = new Map<string, PodView[]>();
    const byPair = new Map<string, PodView[]>();
    const labels = new Map<PodView, Labels>();
    for (const pod of this.pods) {
      const namespace = this.namespaceOf(pod.object);
      // The template's labels, plus those its controller adds (a Job's job-name, a DeploymentConfig's deploymentconfig).
      const own = pod.controllerLabels ? Object.assign(labelsOf(pod.metadata), pod.controllerLabels) : labelsOf(pod.metadata);
      labels.set(pod, own);
      const inNamespace = byNamespace.get(namespace);
      if (inNamespace) inNamespace.push(pod);
      else byNamespace.set(namespace, [pod]);
      for (const [key, value] of Object.entries(own)) {
        const pairKey = `${namespace}\u0000${key}\u0000${value}`;
        const list = byPair.get(pairKey);
        if (list) list.push(pod);
        else byPair.set(pairKey, [pod]);
      }
    }
    this.labelIndex = { byNamespace, byPair, labels };
    return this.labelIndex;
  }

  /** Pods of a namespace a selector matches, looked up through one of its required label pairs. */
  podsMatching(namespace: string, selector: Selector): PodView[] {
    const index = this.labels();
    const first = selector.required[0];
    const candidates = first ? (index.byPair.get(`${namespace}\u0000${first[0]}\u0000${first[1]}`) ?? []) : (index.byNamespace.get(namespace) ?? []);
    return candidates.filter((pod) => selector.matches(index.labels.get(pod)!));
  }

  /** What a network policy can see of a pod: labels, namespace, service account, and their labels when the unit holds them. */
  private subjectOf(pod: PodView, namespaceLabels: Map<string, Labels>): PodSubject {
    const account = this.serviceAccountOf(pod);
    return {
      labels: this.labels().labels.get(pod)!,
      namespace: this.namespaceOf(pod.object),
      serviceAccount: account.name,
      namespaceLabels: namespaceLabels.get(this.namespaceOf(pod.object)),
      serviceAccountLabels: account.object ? labelsOf(account.object.raw.metadata) : undefined,
    };
  }

  private selections() {
    if (this.selectionCache && this.selectedByPolicy) return { byPod: this.selectionCache, byPolicy: this.selectedByPolicy };
    const byPod = new Map<PodView, PolicySelection>();
    const byPolicy = new Map<ScannedObject, PodView[]>();
    const namespaceLabels = new Map<string, Labels>();
    for (const namespace of this.ofKind('Namespace')) {
      // The API server labels every namespace with its name.
      namespaceLabels.set(namespace.ref.name, { ...labelsOf(namespace.raw.metadata), 'kubernetes.io/metadata.name': namespace.ref.name });
    }
    const subjects = new Map<PodView, PodSubject>();
    const subject = (pod: PodView) => {
      let s = subjects.get(pod);
      if (!s) subjects.set(pod, (s = this.subjectOf(pod, namespaceLabels)));
      return s;
    };
    const selectionOf = (pod: PodView) => {
      let selection = byPod.get(pod);
      if (!selection) byPod.set(pod, (selection = { ingress: [], egress: [], undecided: [] }));
      return selection;
    };
    for (const policy of ISOLATING_KINDS.flatMap((kind) => this.ofKind(kind))) {
      const selected = new Set<PodView>();
      for (const rule of isolationRulesOf(policy.ref.apiVersion, policy.ref.kind, this.namespaceOf(policy), policy.raw)) {
        // Kubernetes selectors go through the label index; Cilium and Calico ones are checked pod by pod.
        const candidates = rule.labelSelector && rule.namespace !== undefined ? this.podsMatching(rule.namespace, rule.labelSelector) : rule.namespace !== undefined ? (this.labels().byNamespace.get(rule.namespace) ?? []) : this.pods;
        for (const pod of candidates) {
          const selects = rule.selects(subject(pod));
          if (selects === false) continue;
          const selection = selectionOf(pod);
          for (const direction of ['ingress', 'egress'] as const) {
            if (!rule[direction]) continue;
            if (selects === true) {
              if (!selection[direction].includes(policy)) selection[direction].push(policy);
            } else {
              selection.undecided.push({ policy, direction, reason: rule.whyUnknown ?? 'its selector cannot be evaluated' });
            }
          }
          if (selects === true) selected.add(pod);
        }
      }
      byPolicy.set(policy, [...selected]);
    }
    this.selectionCache = byPod;
    this.selectedByPolicy = byPolicy;
    return { byPod, byPolicy };
  }

  /** Network policies of the unit that select a pod, split by the direction they restrict. */
  policiesSelecting(pod: PodView): PolicySelection {
    return this.selections().byPod.get(pod) ?? { ingress: [], egress: [], undecided: [] };
  }

  /** Pods of the unit that a network policy (any dialect) certainly selects. */
  podsSelectedBy(policy: ScannedObject): PodView[] {
    return this.selections().byPolicy.get(policy) ?? [];
  }

  /** Services (and the Ingresses routing to them) that send traffic to a pod. */
  exposureOf(pod: PodView): Exposure[] {
    if (!this.exposureCache) {
      const cache = new Map<PodView, Exposure[]>();
      const ingressesByService = new Map<string, ScannedObject[]>();
      for (const ingress of this.ofKind('Ingress')) {
        for (const service of ingressBackends(ingress.raw)) {
          const key = `${this.namespaceOf(ingress)}/${service}`;
          const list = ingressesByService.get(key);
          if (list) list.push(ingress);
          else ingressesByService.set(key, [ingress]);
        }
      }
      for (const service of this.ofKind('Service')) {
        const spec = isObj(service.raw.spec) ? service.raw.spec : {};
        const selector = serviceSelector(spec.selector);
        const namespace = this.namespaceOf(service);
        const exposure: Exposure = {
          service,
          type: str(spec.type) ?? 'ClusterIP',
          ingresses: ingressesByService.get(`${namespace}/${service.ref.name}`) ?? [],
        };
        for (const pod of this.podsMatching(namespace, selector)) {
          const list = cache.get(pod);
          if (list) list.push(exposure);
          else cache.set(pod, [exposure]);
        }
      }
      this.exposureCache = cache;
    }
    return this.exposureCache.get(pod) ?? [];
  }
}

/** Names of the Services an Ingress routes to (networking.k8s.io/v1 and the older extensions shape). */
export function ingressBackends(ingress: Record<string, unknown>): string[] {
  const names = new Set<string>();
  const spec = isObj(ingress.spec) ? ingress.spec : {};
  const add = (backend: unknown) => {
    if (!isObj(backend)) return;
    const name = str(isObj(backend.service) ? backend.service.name : undefined) ?? str(backend.serviceName);
    if (name) names.add(name);
  };
  add(spec.defaultBackend ?? spec.backend);
  for (const rule of arr(spec.rules).filter(isObj)) {
    const http = isObj(rule.http) ? rule.http : {};
    for (const path of arr(http.paths).filter(isObj)) add(path.backend);
  }
  return [...names];
}
