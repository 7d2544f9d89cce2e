// Kind -> resource for built-in types (the API server's REST mapping), and CRDs found in the scan.

export interface GroupVersionResource { group: string; version: string; resource: string }
export interface KindMapping { resource: string; namespaced: boolean }

const BUILTIN: Record<string, Record<string, [string, boolean]>> = {
  '': {
    Pod: ['pods', true], Service: ['services', true], ConfigMap: ['configmaps', true], Secret: ['secrets', true],
    ServiceAccount: ['serviceaccounts', true], PersistentVolumeClaim: ['persistentvolumeclaims', true],
    ReplicationController: ['replicationcontrollers', true], Endpoints: ['endpoints', true], Event: ['events', true],
    LimitRange: ['limitranges', true], ResourceQuota: ['resourcequotas', true], PodTemplate: ['podtemplates', true],
    Namespace: ['namespaces', false], Node: ['nodes', false], PersistentVolume: ['persistentvolumes', false],
    Binding: ['bindings', true], ComponentStatus: ['componentstatuses', false],
  },
  apps: { Deployment: ['deployments', true], StatefulSet: ['statefulsets', true], DaemonSet: ['daemonsets', true], ReplicaSet: ['replicasets', true], ControllerRevision: ['controllerrevisions', true] },
  batch: { Job: ['jobs', true], CronJob: ['cronjobs', true] },
  autoscaling: { HorizontalPodAutoscaler: ['horizontalpodautoscalers', true] },
  policy: { PodDisruptionBudget: ['poddisruptionbudgets', true] },
  'networking.k8s.io': { Ingress: ['ingresses', true], NetworkPolicy: ['networkpolicies', true], IngressClass: ['ingressclasses', false] },
  'rbac.authorization.k8s.io': { Role: ['roles', true], RoleBinding: ['rolebindings', true], ClusterRole: ['clusterroles', false], ClusterRoleBinding: ['clusterrolebindings', false] },
  'storage.k8s.io': { StorageClass: ['storageclasses', false], CSIDriver: ['csidrivers', false], VolumeAttachment: ['volumeattachments', false] },
  'scheduling.k8s.io': { PriorityClass: ['priorityclasses', false] },
  'node.k8s.io': { RuntimeClass: ['runtimeclasses', false] },
  'apiextensions.k8s.io': { CustomResourceDefinition: ['customresourcedefinitions', false] },
  'admissionregistration.k8s.io': {
    ValidatingAdmissionPolicy: ['validatingadmissionpolicies', false], ValidatingAdmissionPolicyBinding: ['validatingadmissionpolicybindings', false],
    ValidatingWebhookConfiguration: ['validatingwebhookconfigurations', false], MutatingWebhookConfiguration: ['mutatingwebhookconfigurations', false],
  },
  'discovery.k8s.io': { EndpointSlice: ['endpointslices', true] },
  'coordination.k8s.io': { Lease: ['leases', true] },
  'certificates.k8s.io': { CertificateSigningRequest: ['certificatesigningrequests', false] },
  'apiregistration.k8s.io': { APIService: ['apiservices', false] },
  'gateway.networking.k8s.io': { Gateway: ['gateways', true], HTTPRoute: ['httproutes', true], GatewayClass: ['gatewayclasses', false], GRPCRoute: ['grpcroutes', true], ReferenceGrant: ['referencegrants', true] },
};

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** CRDs of the scan: group/kind -> plural and scope. */
export type CrdIndex = Map<string, KindMapping>;

export function crdIndex(objects: readonly unknown[]): CrdIndex {
  const index: CrdIndex = new Map();
  for (const o of objects) {
    const crd = o as { kind?: unknown; spec?: { group?: unknown; names?: { kind?: unknown; plural?: unknown }; scope?: unknown } };
    if (crd?.kind !== 'CustomResourceDefinition' || typeof crd.spec?.group !== 'string') continue;
    const kind = crd.spec.names?.kind;
    const plural = crd.spec.names?.plural;
    if (typeof kind !== 'string' || typeof plural !== 'string') continue;
    index.set(`${crd.spec.group}/${kind}`, { resource: plural, namespaced: crd.spec.scope !== 'Cluster' });
  }
  return index;
}

/** The resource and scope of a kind; unknown kinds fall back to the lower-case plural, namespaced. */
export function kindMapping(group: string, kind: string, crds?: CrdIndex): KindMapping & { known: boolean } {
  const builtin = BUILTIN[group]?.[kind];
  if (builtin) return { resource: builtin[0], namespaced: builtin[1], known: true };
  const crd = crds?.get(`${group}/${kind}`);
  if (crd) return { ...crd, known: true };
  return { resource: pluralize(kind.toLowerCase()), namespaced: true, known: false };
}

function pluralize(word: string): string {
  if (/(s|x|z|ch|sh)$/.test(word)) return word + 'es';
  if (/[^aeiou]y$/.test(word)) return word.slice(0, -1) + 'ies';
  return word + 's';
}
