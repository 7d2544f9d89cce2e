// The policies that isolate pods, in the three dialects clusters run: Kubernetes NetworkPolicy, Cilium
// (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy) and Calico (projectcalico.org/v3 or
// crd.projectcalico.org/v1 NetworkPolicy and GlobalNetworkPolicy). Each becomes one or more isolation
// rules: which pods they select (yes / no / unknown, with why) and which directions they put in
// default-deny. A selector preadmit cannot evaluate is "unknown", never "selects".
import { parseCalicoSelector, UNKNOWN_LABEL, type CalicoSelector, type LabelLookup, type Tri } from './calico-selector.ts';
import { labelSelector, type Labels, type Selector } from './selectors.ts';
import { arr, bool, isObj, type Obj } from './values.ts';
import { apiGroup } from './workloads.ts';

export type PolicyDialect = 'kubernetes' | 'cilium' | 'calico';

/** What a policy may know about a pod: its labels, namespace, service account, and the namespace's labels. */
export interface PodSubject {
  labels: Labels;
  namespace: string;
  serviceAccount: string;
  /** Labels of the pod's namespace when the scan holds the Namespace object; undefined when unknown. */
  namespaceLabels: Labels | undefined;
  /** Labels of the pod's service account when the scan holds it; undefined when unknown. */
  serviceAccountLabels: Labels | undefined;
}

export interface IsolationRule {
  dialect: PolicyDialect;
  /** The namespace the rule is confined to; undefined for cluster-wide policies. */
  namespace: string | undefined;
  ingress: boolean;
  egress: boolean;
  /** Whether the rule selects a pod; `unknown` comes with `whyUnknown`. */
  selects(pod: PodSubject): Tri;
  /** For Kubernetes policies: the label selector, for indexed lookups. */
  labelSelector?: Selector;
  /** Why `selects` may answer unknown (an invalid selector, labels outside the scan). */
  whyUnknown?: string;
}

const KUBERNETES_GROUPS = new Set(['networking.k8s.io', 'extensions']);
const CALICO_GROUPS = new Set(['projectcalico.org', 'crd.projectcalico.org']);

/** True for a Kubernetes NetworkPolicy (not Calico's NetworkPolicy, which shares the kind name). */
export function isKubernetesNetworkPolicy(apiVersion: string, kind: string): boolean {
  return kind === 'NetworkPolicy' && KUBERNETES_GROUPS.has(apiGroup(apiVersion));
}

/** Kinds that may isolate pods, for unit lookups by kind. */
export const ISOLATING_KINDS = ['NetworkPolicy', 'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'GlobalNetworkPolicy'] as const;

const nonEmptyList = (value: unknown) => Array.isArray(value) && value.length > 0;

/** The isolation rules of a policy object; empty for kinds that are not policies (or Calico's staged ones). */
export function isolationRulesOf(apiVersion: string, kind: string, namespace: string, raw: Obj): IsolationRule[] {
  const group = apiGroup(apiVersion);
  const spec = isObj(raw.spec) ? raw.spec : {};
  if (kind === 'NetworkPolicy' && KUBERNETES_GROUPS.has(group)) return [kubernetesRule(namespace, spec)];
  if (group === 'cilium.io' && (kind === 'CiliumNetworkPolicy' || kind === 'CiliumClusterwideNetworkPolicy')) {
    const clusterWide = kind === 'CiliumClusterwideNetworkPolicy';
    const rules = [...(isObj(raw.spec) ? [raw.spec] : []), ...arr(raw.specs).filter(isObj)];
    return rules.flatMap((rule) => ciliumRule(clusterWide ? undefined : namespace, rule));
  }
  if (CALICO_GROUPS.has(group) && (kind === 'NetworkPolicy' || kind === 'GlobalNetworkPolicy')) return calicoRule(kind === 'GlobalNetworkPolicy' ? undefined : namespace, spec);
  return [];
}

function kubernetesRule(namespace: string, spec: Obj): IsolationRule {
  const types = arr(spec.policyTypes).filter((t): t is string => typeof t === 'string');
  // Without policyTypes: Ingress always, Egress only when egress rules are present.
  const ingress = types.length > 0 ? types.includes('Ingress') : true;
  const egress = types.length > 0 ? types.includes('Egress') : spec.egress !== undefined && spec.egress !== null;
  const selector = labelSelector(spec.podSelector ?? {});
  return { dialect: 'kubernetes', namespace, ingress, egress, labelSelector: selector, selects: (pod) => pod.namespace === namespace && selector.matches(pod.labels) };
}

// ---------------------------------------------------------------------------------------------------------
// Cilium

/** Label sources that address Kubernetes pod labels; any other source (reserved:, cidr:, ...) is never a pod's. */
const CILIUM_POD_SOURCES = ['k8s:', 'any:'];
const CILIUM_NAMESPACE_LABELS = 'io.cilium.k8s.namespace.labels.';

function ciliumKey(key: string): string {
  for (const source of CILIUM_POD_SOURCES) if (key.startsWith(source)) return key.slice(source.length);
  return key;
}

/** The endpoint selector with its label sources stripped, and whether it reads namespace labels. */
function ciliumSelector(value: Obj): { selector: Selector; readsNamespaceLabels: boolean } {
  const rewritten: Obj = {};
  let readsNamespaceLabels = false;
  if (isObj(value.matchLabels)) {
    const labels: Obj = {};
    for (const [key, v] of Object.entries(value.matchLabels)) {
      const k = ciliumKey(key);
      if (k.startsWith(CILIUM_NAMESPACE_LABELS)) readsNamespaceLabels = true;
      // `app` and `k8s:app` are one label to Cilium: asking for two values of it selects nothing.
      if (Object.hasOwn(labels, k) && labels[k] !== v) return { selector: labelSelector({ matchLabels: [] }), readsNamespaceLabels };
      labels[k] = v;
    }
    rewritten.matchLabels = labels;
  } else if (value.matchLabels !== undefined) rewritten.matchLabels = value.matchLabels;
  if (Array.isArray(value.matchExpressions)) {
    rewritten.matchExpressions = value.matchExpressions.map((e) => {
      if (!isObj(e) || typeof e.key !== 'string') return e;
      const k = ciliumKey(e.key);
      if (k.startsWith(CILIUM_NAMESPACE_LABELS)) readsNamespaceLabels = true;
      return { ...e, key: k };
    });
  } else if (value.matchExpressions !== undefined) rewritten.matchExpressions = value.matchExpressions;
  return { selector: labelSelector(rewritten), readsNamespaceLabels };
}

/** The labels Cilium gives a pod's endpoint: its own, its namespace, its service account, its namespace's labels. */
function ciliumLabels(pod: PodSubject): Labels {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  Object.assign(out, pod.labels);
  out['io.kubernetes.pod.namespace'] = pod.namespace;
  out['io.cilium.k8s.policy.serviceaccount'] = pod.serviceAccount;
  for (const [key, value] of Object.entries(pod.namespaceLabels ?? {})) out[CILIUM_NAMESPACE_LABELS + key] = value;
  return out;
}

function ciliumRule(namespace: string | undefined, rule: Obj): IsolationRule[] {
  // A nodeSelector rule selects nodes (host firewall), not pods; a rule with neither selector is invalid.
  if (!isObj(rule.endpointSelector)) return [];
  const defaults = isObj(rule.enableDefaultDeny) ? rule.enableDefaultDeny : {};
  // A section puts the selected endpoints in default-deny for its direction only when it lists rules,
  // unless the policy turns that off (enableDefaultDeny).
  const ingress = (nonEmptyList(rule.ingress) || nonEmptyList(rule.ingressDeny)) && bool(defaults.ingress) !== false;
  const egress = (nonEmptyList(rule.egress) || nonEmptyList(rule.egressDeny)) && bool(defaults.egress) !== false;
  const { selector, readsNamespaceLabels } = ciliumSelector(rule.endpointSelector);
  const whyUnknown = readsNamespaceLabels ? 'its endpointSelector reads namespace labels and the Namespace is not in the scan' : undefined;
  return [
    {
      dialect: 'cilium',
      namespace,
      ingress,
      egress,
      ...(whyUnknown ? { whyUnknown } : {}),
      selects: (pod) => {
        if (namespace !== undefined && pod.namespace !== namespace) return false;
        if (readsNamespaceLabels && pod.namespaceLabels === undefined) return 'unknown';
        return selector.matches(ciliumLabels(pod));
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------
// Calico

/** Namespace labels Calico and Kubernetes set on every namespace, known without the Namespace object. */
function namespaceLookup(pod: PodSubject): LabelLookup {
  return (key) => {
    if (key === 'projectcalico.org/name' || key === 'kubernetes.io/metadata.name') return pod.namespace;
    if (pod.namespaceLabels === undefined) return UNKNOWN_LABEL;
    return Object.hasOwn(pod.namespaceLabels, key) ? pod.namespaceLabels[key] : undefined;
  };
}

function serviceAccountLookup(pod: PodSubject): LabelLookup {
  return (key) => {
    if (key === 'projectcalico.org/name') return pod.serviceAccount;
    if (pod.serviceAccountLabels === undefined) return UNKNOWN_LABEL;
    return Object.hasOwn(pod.serviceAccountLabels, key) ? pod.serviceAccountLabels[key] : undefined;
  };
}

/** The labels Calico gives a pod's workload endpoint (own labels, `projectcalico.org/*`, `pcns.*`, `pcsa.*`). */
function endpointLookup(pod: PodSubject): LabelLookup {
  const namespace = namespaceLookup(pod);
  const account = serviceAccountLookup(pod);
  return (key) => {
    if (key === 'projectcalico.org/namespace') return pod.namespace;
    if (key === 'projectcalico.org/orchestrator') return 'k8s';
    if (key === 'projectcalico.org/serviceaccount') return pod.serviceAccount;
    if (key.startsWith('pcns.')) return namespace(key.slice('pcns.'.length));
    if (key.startsWith('pcsa.')) return account(key.slice('pcsa.'.length));
    return Object.hasOwn(pod.labels, key) ? pod.labels[key] : undefined;
  };
}

function calicoSelector(value: unknown, field: string): CalicoSelector {
  if (value === undefined || value === null) return parseCalicoSelector('');
  if (typeof value !== 'string') return { ok: false, error: `${field} is not a string`, text: String(JSON.stringify(value)) };
  return parseCalicoSelector(value);
}

function calicoRule(namespace: string | undefined, spec: Obj): IsolationRule[] {
  // Untracked and pre-DNAT policies apply to host endpoints only.
  if (spec.doNotTrack === true || spec.preDNAT === true) return [];
  const types = arr(spec.types).filter((t): t is string => typeof t === 'string');
  const hasIngress = nonEmptyList(spec.ingress);
  const hasEgress = nonEmptyList(spec.egress);
  // Without types: Egress alone for a policy with only egress rules, Ingress plus Egress with both, else Ingress.
  const ingress = types.length > 0 ? types.includes('Ingress') : !(hasEgress && !hasIngress);
  const egress = types.length > 0 ? types.includes('Egress') : hasEgress;
  const selectors: { field: string; parsed: CalicoSelector; lookup: (pod: PodSubject) => LabelLookup }[] = [{ field: 'selector', parsed: calicoSelector(spec.selector, 'selector'), lookup: endpointLookup }];
  if (namespace === undefined && spec.namespaceSelector !== undefined) {
    selectors.push({ field: 'namespaceSelector', parsed: calicoSelector(spec.namespaceSelector, 'namespaceSelector'), lookup: namespaceLookup });
  }
  if (spec.serviceAccountSelector !== undefined) selectors.push({ field: 'serviceAccountSelector', parsed: calicoSelector(spec.serviceAccountSelector, 'serviceAccountSelector'), lookup: serviceAccountLookup });
  const invalid = selectors.find((s) => !s.parsed.ok);
  if (invalid && !invalid.parsed.ok) {
    const why = `its ${invalid.field} "${invalid.parsed.text}" is not a valid Calico selector (${invalid.parsed.error})`;
    return [{ dialect: 'calico', namespace, ingress, egress, whyUnknown: why, selects: (pod) => (namespace !== undefined && pod.namespace !== namespace ? false : 'unknown') }];
  }
  // `global()` as the namespace selector means non-namespaced (host) endpoints: no pod.
  const hostOnly = selectors.some((s) => s.field === 'namespaceSelector' && s.parsed.text.trim() === 'global()');
  return [
    {
      dialect: 'calico',
      namespace,
      ingress,
      egress,
      whyUnknown: 'its selectors read namespace or service account labels that are not in the scan',
      selects: (pod) => {
        if (hostOnly) return false;
        if (namespace !== undefined && pod.namespace !== namespace) return false;
        let result: Tri = true;
        for (const { parsed, lookup } of selectors) {
          const v = parsed.ok ? parsed.matches(lookup(pod)) : 'unknown';
          if (v === false) return false;
          if (v === 'unknown') result = 'unknown';
        }
        return result;
      },
    },
  ];
}
