// The API versions a real cluster reports to helm, for `helm template --api-versions`.
//
// Without the flag, helm answers `.Capabilities.APIVersions.Has` from the group/versions compiled into its
// own client library: group/versions only (never `group/version/Kind`, which `helm install` gets from the
// cluster's discovery and charts commonly ask for: "policy/v1/PodDisruptionBudget"), including alpha
// versions and versions long removed (policy/v1beta1, extensions/v1beta1), and missing those newer than
// its build (helm 3.17 lacks resource.k8s.io/v1). `--api-versions` can only add to that set, so the stale
// entries stay; what a real cluster serves by default is added here, group/version and group/version/Kind.
//
// CRD and aggregated groups (monitoring.coreos.com, cert-manager.io, metrics.k8s.io...) are not in the
// scan's main render: whether a cluster has them is not known, and claiming them changes what charts
// render. A chart that asks for API versions is rendered a second time with COMMON_EXTENSION_APIS present
// (src/render/render-variants.ts) and both renders are judged.

/** The Kubernetes version preadmit renders for when none is configured (helm 3.17 would say 1.32, helm 4.1 1.35). */
export const DEFAULT_KUBE_VERSION = '1.34.0';

/** The minor versions the table below is written for; outside it, see apiVersionsFor. */
export const TABLE_MINORS = { from: 25, to: 34 } as const;

interface ServedGroupVersion {
  groupVersion: string;
  kinds: readonly string[];
  /** First minor (1.N) that serves it by default. */
  since: number;
  /** Last minor that serves it, when it was removed. */
  until?: number;
}

/**
 * Built-in group/versions served by default (no feature gates, no --runtime-config) and their top-level
 * kinds, from the Kubernetes release notes and deprecation guide, for 1.25 to 1.34.
 */
const BUILT_IN: readonly ServedGroupVersion[] = [
  { groupVersion: 'v1', since: 0, kinds: ['Binding', 'ComponentStatus', 'ConfigMap', 'Endpoints', 'Event', 'LimitRange', 'Namespace', 'Node', 'PersistentVolume', 'PersistentVolumeClaim', 'Pod', 'PodTemplate', 'ReplicationController', 'ResourceQuota', 'Secret', 'Service', 'ServiceAccount'] },
  { groupVersion: 'admissionregistration.k8s.io/v1', since: 16, kinds: ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'] },
  { groupVersion: 'admissionregistration.k8s.io/v1', since: 30, kinds: ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'] },
  { groupVersion: 'apiextensions.k8s.io/v1', since: 16, kinds: ['CustomResourceDefinition'] },
  { groupVersion: 'apiregistration.k8s.io/v1', since: 10, kinds: ['APIService'] },
  { groupVersion: 'apps/v1', since: 9, kinds: ['ControllerRevision', 'DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet'] },
  { groupVersion: 'authentication.k8s.io/v1', since: 6, kinds: ['TokenReview'] },
  { groupVersion: 'authentication.k8s.io/v1', since: 28, kinds: ['SelfSubjectReview'] },
  { groupVersion: 'authorization.k8s.io/v1', since: 6, kinds: ['LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview'] },
  { groupVersion: 'autoscaling/v1', since: 2, kinds: ['HorizontalPodAutoscaler'] },
  { groupVersion: 'autoscaling/v2', since: 23, kinds: ['HorizontalPodAutoscaler'] },
  { groupVersion: 'autoscaling/v2beta2', since: 12, until: 25, kinds: ['HorizontalPodAutoscaler'] },
  { groupVersion: 'batch/v1', since: 21, kinds: ['CronJob', 'Job'] },
  { groupVersion: 'certificates.k8s.io/v1', since: 19, kinds: ['CertificateSigningRequest'] },
  { groupVersion: 'coordination.k8s.io/v1', since: 14, kinds: ['Lease'] },
  { groupVersion: 'discovery.k8s.io/v1', since: 21, kinds: ['EndpointSlice'] },
  { groupVersion: 'events.k8s.io/v1', since: 19, kinds: ['Event'] },
  { groupVersion: 'flowcontrol.apiserver.k8s.io/v1', since: 29, kinds: ['FlowSchema', 'PriorityLevelConfiguration'] },
  { groupVersion: 'flowcontrol.apiserver.k8s.io/v1beta2', since: 23, until: 28, kinds: ['FlowSchema', 'PriorityLevelConfiguration'] },
  { groupVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', since: 26, until: 31, kinds: ['FlowSchema', 'PriorityLevelConfiguration'] },
  { groupVersion: 'networking.k8s.io/v1', since: 19, kinds: ['Ingress', 'IngressClass', 'NetworkPolicy'] },
  { groupVersion: 'networking.k8s.io/v1', since: 33, kinds: ['IPAddress', 'ServiceCIDR'] },
  { groupVersion: 'node.k8s.io/v1', since: 20, kinds: ['RuntimeClass'] },
  { groupVersion: 'policy/v1', since: 21, kinds: ['PodDisruptionBudget'] },
  { groupVersion: 'rbac.authorization.k8s.io/v1', since: 8, kinds: ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'] },
  { groupVersion: 'resource.k8s.io/v1', since: 34, kinds: ['DeviceClass', 'ResourceClaim', 'ResourceClaimTemplate', 'ResourceSlice'] },
  { groupVersion: 'scheduling.k8s.io/v1', since: 14, kinds: ['PriorityClass'] },
  { groupVersion: 'storage.k8s.io/v1', since: 6, kinds: ['StorageClass'] },
  { groupVersion: 'storage.k8s.io/v1', since: 13, kinds: ['VolumeAttachment'] },
  { groupVersion: 'storage.k8s.io/v1', since: 17, kinds: ['CSINode'] },
  { groupVersion: 'storage.k8s.io/v1', since: 18, kinds: ['CSIDriver'] },
  { groupVersion: 'storage.k8s.io/v1', since: 24, kinds: ['CSIStorageCapacity'] },
  { groupVersion: 'storage.k8s.io/v1', since: 34, kinds: ['VolumeAttributesClass'] },
];

/**
 * CRD and aggregated API groups a cluster often has (Prometheus operator, cert-manager, Gateway API,
 * Istio, metrics-server, VPA, snapshots, KEDA): present only in the second render of a chart that asks
 * for API versions.
 */
export const COMMON_EXTENSION_APIS: readonly ServedGroupVersion[] = [
  { groupVersion: 'monitoring.coreos.com/v1', since: 0, kinds: ['Alertmanager', 'PodMonitor', 'Probe', 'Prometheus', 'PrometheusRule', 'ServiceMonitor', 'ThanosRuler'] },
  { groupVersion: 'monitoring.coreos.com/v1alpha1', since: 0, kinds: ['AlertmanagerConfig', 'PrometheusAgent', 'ScrapeConfig'] },
  { groupVersion: 'cert-manager.io/v1', since: 0, kinds: ['Certificate', 'CertificateRequest', 'ClusterIssuer', 'Issuer'] },
  { groupVersion: 'gateway.networking.k8s.io/v1', since: 0, kinds: ['GRPCRoute', 'Gateway', 'GatewayClass', 'HTTPRoute'] },
  { groupVersion: 'gateway.networking.k8s.io/v1beta1', since: 0, kinds: ['Gateway', 'GatewayClass', 'HTTPRoute', 'ReferenceGrant'] },
  { groupVersion: 'networking.istio.io/v1', since: 0, kinds: ['DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar', 'VirtualService'] },
  { groupVersion: 'networking.istio.io/v1beta1', since: 0, kinds: ['DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar', 'VirtualService'] },
  { groupVersion: 'security.istio.io/v1', since: 0, kinds: ['AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication'] },
  { groupVersion: 'metrics.k8s.io/v1beta1', since: 0, kinds: ['NodeMetrics', 'PodMetrics'] },
  { groupVersion: 'autoscaling.k8s.io/v1', since: 0, kinds: ['VerticalPodAutoscaler'] },
  { groupVersion: 'snapshot.storage.k8s.io/v1', since: 0, kinds: ['VolumeSnapshot', 'VolumeSnapshotClass', 'VolumeSnapshotContent'] },
  { groupVersion: 'keda.sh/v1alpha1', since: 0, kinds: ['ScaledJob', 'ScaledObject', 'TriggerAuthentication'] },
];

function minorOf(kubeVersion: string): number | undefined {
  const match = /^v?1\.(\d+)(?:\.|$)/.exec(kubeVersion.trim());
  return match ? Number(match[1]) : undefined;
}

function flatten(entries: readonly ServedGroupVersion[], minor: number): string[] {
  const out = new Set<string>();
  for (const entry of entries) {
    if (entry.since > minor || (entry.until !== undefined && entry.until < minor)) continue;
    out.add(entry.groupVersion);
    for (const kind of entry.kinds) out.add(`${entry.groupVersion}/${kind}`);
  }
  return [...out];
}

/**
 * What to pass as `--api-versions` for a Kubernetes version: the built-in group/versions and
 * group/version/Kinds it serves by default. A version newer than the table gets the newest row (releases
 * add GA APIs, they rarely remove one); an older or unreadable one gets nothing (helm's defaults).
 */
export function apiVersionsFor(kubeVersion: string, options: { extensions?: boolean } = {}): string[] {
  const minor = minorOf(kubeVersion);
  if (minor === undefined || minor < TABLE_MINORS.from) return [];
  const at = Math.min(minor, TABLE_MINORS.to);
  return [...flatten(BUILT_IN, at), ...(options.extensions ? flatten(COMMON_EXTENSION_APIS, at) : [])];
}
