// Cilium and Calico policies isolate pods too: the coverage rules count them per direction, and a policy
// whose selection cannot be decided is named in the finding instead of counting as isolation.
import allowAll from '../../rules/network-policy-allow-all.ts';
import egressWorld from '../../rules/network-policy-egress-world.ts';
import egress from '../../rules/network-policy-egress.ts';
import ingress from '../../rules/network-policy-ingress.ts';
import selectsNothing from '../../rules/network-policy-selects-nothing.ts';
import { testRule } from '../helpers/rule-tester.ts';

const deployment = (labels = 'app: web', namespace = 'shop') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${namespace}}
spec:
  selector: {matchLabels: {${labels}}}
  template:
    metadata:
      labels: {${labels}}
    spec:
      containers: [{name: web, image: web:1}]
`;
const LABELS = '/spec/template/metadata/labels';

const cilium = (spec: string, kind = 'CiliumNetworkPolicy', namespace = 'shop') => `---
apiVersion: cilium.io/v2
kind: ${kind}
metadata: {name: cnp${kind === 'CiliumNetworkPolicy' ? `, namespace: ${namespace}` : ''}}
${spec}`;

const calico = (spec: string, kind = 'NetworkPolicy', apiVersion = 'projectcalico.org/v3', namespace = 'shop') => `---
apiVersion: ${apiVersion}
kind: ${kind}
metadata: {name: cal${kind === 'NetworkPolicy' ? `, namespace: ${namespace}` : ''}}
spec:
${spec}`;

const namespace = (name: string, labels: string) => `---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}, labels: {${labels}}}\n`;

testRule(ingress, {
  valid: [
    { name: 'Cilium policy with an ingress section', yaml: deployment() + cilium('spec:\n  endpointSelector: {matchLabels: {app: web}}\n  ingress: [{fromEndpoints: [{matchLabels: {app: api}}]}]\n') },
    { name: 'Cilium empty endpointSelector selects the namespace', yaml: deployment() + cilium('spec:\n  endpointSelector: {}\n  ingress: [{}]\n') },
    { name: 'Cilium k8s: label source', yaml: deployment() + cilium('spec:\n  endpointSelector: {matchLabels: {"k8s:app": web}}\n  ingressDeny: [{fromEntities: [world]}]\n') },
    { name: 'Cilium rule in specs[]', yaml: deployment() + cilium('specs:\n  - endpointSelector: {matchLabels: {app: other}}\n    ingress: [{}]\n  - endpointSelector: {matchLabels: {app: web}}\n    ingress: [{}]\n') },
    {
      name: 'Cilium clusterwide policy across namespaces',
      yaml: deployment() + cilium('spec:\n  endpointSelector:\n    matchExpressions: [{key: io.kubernetes.pod.namespace, operator: NotIn, values: [kube-system]}]\n  ingress: [{}]\n', 'CiliumClusterwideNetworkPolicy'),
    },
    { name: 'Cilium namespace labels known from the Namespace', yaml: deployment() + namespace('shop', 'team: a') + cilium('spec:\n  endpointSelector: {matchLabels: {io.cilium.k8s.namespace.labels.team: a}}\n  ingress: [{}]\n', 'CiliumClusterwideNetworkPolicy') },
    { name: 'Calico selector expression', yaml: deployment() + calico("  selector: app == 'web' && !has(canary)\n  types: [Ingress]\n") },
    { name: 'Calico policy without selector selects all()', yaml: deployment() + calico('  ingress: [{action: Allow, source: {selector: "app == \'api\'"}}]\n', 'NetworkPolicy', 'crd.projectcalico.org/v1') },
    { name: 'Calico GlobalNetworkPolicy by namespace name', yaml: deployment() + calico("  namespaceSelector: projectcalico.org/name == 'shop'\n  selector: has(app)\n  types: [Ingress, Egress]\n", 'GlobalNetworkPolicy') },
    { name: 'Calico GlobalNetworkPolicy by namespace label', yaml: deployment() + namespace('shop', 'env: prod') + calico("  namespaceSelector: env == 'prod'\n  types: [Ingress]\n", 'GlobalNetworkPolicy') },
  ],
  invalid: [
    { name: 'Cilium egress-only policy', yaml: deployment() + cilium('spec:\n  endpointSelector: {}\n  egress: [{toEntities: [world]}]\n'), findings: [{ path: LABELS }] },
    { name: 'Cilium empty ingress list restricts nothing', yaml: deployment() + cilium('spec:\n  endpointSelector: {}\n  ingress: []\n'), findings: [{ path: LABELS }] },
    { name: 'Cilium default deny turned off', yaml: deployment() + cilium('spec:\n  endpointSelector: {}\n  enableDefaultDeny: {ingress: false}\n  ingress: [{fromEntities: [cluster]}]\n'), findings: [{ path: LABELS }] },
    { name: 'Cilium policy in another namespace', yaml: deployment() + cilium('spec:\n  endpointSelector: {}\n  ingress: [{}]\n', 'CiliumNetworkPolicy', 'other'), findings: [{ path: LABELS }] },
    { name: 'Cilium nodeSelector policy selects nodes', yaml: deployment() + cilium('spec:\n  nodeSelector: {}\n  ingress: [{}]\n', 'CiliumClusterwideNetworkPolicy'), findings: [{ path: LABELS }] },
    { name: 'Cilium app and k8s:app with two values select nothing', yaml: deployment() + cilium('spec:\n  endpointSelector: {matchLabels: {"k8s:app": other, app: web}}\n  ingress: [{}]\n'), findings: [{ path: LABELS }] },
    { name: 'Cilium reserved: label source is not a pod label', yaml: deployment() + cilium('spec:\n  endpointSelector: {matchLabels: {"reserved:host": ""}}\n  ingress: [{}]\n'), findings: [{ path: LABELS }] },
    {
      name: 'Cilium namespace labels without the Namespace',
      yaml: deployment() + cilium('spec:\n  endpointSelector: {matchLabels: {io.cilium.k8s.namespace.labels.team: a}}\n  ingress: [{}]\n', 'CiliumClusterwideNetworkPolicy'),
      findings: [{ path: LABELS, message: 'is known to select' }],
    },
    { name: 'Calico selector matches other pods', yaml: deployment() + calico("  selector: app == 'api'\n"), findings: [{ path: LABELS }] },
    { name: 'Calico egress-only by default', yaml: deployment() + calico('  egress: [{action: Allow}]\n'), findings: [{ path: LABELS }] },
    { name: 'Calico staged policy enforces nothing', yaml: deployment() + calico('  selector: all()\n  types: [Ingress]\n', 'StagedNetworkPolicy'), findings: [{ path: LABELS }] },
    {
      name: 'Calico invalid selector is unknown, not isolation',
      yaml: deployment() + calico("  selector: app = 'web'\n  types: [Ingress]\n"),
      findings: [{ path: LABELS, message: `NetworkPolicy cal: its selector "app = 'web'" is not a valid Calico selector (expected ==)` }],
    },
    {
      name: 'Calico namespace label not in the scan',
      yaml: deployment() + calico("  namespaceSelector: env == 'prod'\n  types: [Ingress]\n", 'GlobalNetworkPolicy'),
      findings: [{ path: LABELS, message: 'GlobalNetworkPolicy cal: its selectors read namespace or service account labels' }],
    },
    { name: 'Calico global() namespace selector selects host endpoints', yaml: deployment() + calico('  namespaceSelector: global()\n  types: [Ingress]\n', 'GlobalNetworkPolicy'), findings: [{ path: LABELS }] },
    { name: 'Calico pre-DNAT policy applies to hosts', yaml: deployment() + calico('  preDNAT: true\n  applyOnForward: true\n  types: [Ingress]\n', 'GlobalNetworkPolicy'), findings: [{ path: LABELS }] },
  ],
});

testRule(egress, {
  valid: [
    { name: 'Cilium egress section', yaml: deployment() + cilium('spec:\n  endpointSelector: {matchLabels: {app: web}}\n  egress: [{toEndpoints: [{}]}]\n') },
    { name: 'Cilium egressDeny section', yaml: deployment() + cilium('spec:\n  endpointSelector: {}\n  egressDeny: [{toEntities: [world]}]\n') },
    { name: 'Calico egress rules imply Egress', yaml: deployment() + calico("  selector: app == 'web'\n  egress: [{action: Allow}]\n") },
    { name: 'Calico types Egress', yaml: deployment() + calico('  types: [Egress]\n', 'GlobalNetworkPolicy') },
  ],
  invalid: [
    { name: 'Cilium ingress-only policy', yaml: deployment() + cilium('spec:\n  endpointSelector: {}\n  ingress: [{}]\n'), findings: [{ path: LABELS }] },
    { name: 'Calico ingress and no egress rules', yaml: deployment() + calico('  ingress: [{action: Allow}]\n'), findings: [{ path: LABELS }] },
    { name: 'Calico types Ingress only', yaml: deployment() + calico('  types: [Ingress]\n  egress: [{action: Allow}]\n'), findings: [{ path: LABELS }] },
  ],
});

// Cilium and Calico policies count for isolation, so a rule of theirs that admits everyone is reported like a
// Kubernetes one; Calico's NetworkPolicy shares the kind name with Kubernetes' and is read in its own shape.
testRule(allowAll, {
  valid: [
    { name: 'Calico rules with peers', yaml: calico("  selector: all()\n  ingress: [{action: Allow, source: {selector: \"app == 'api'\"}}]\n  egress: [{action: Allow, destination: {nets: [10.0.0.0/8], ports: [443]}}, {action: Deny}]\n") },
    { name: 'Calico namespaced selector all() stays in the namespace', yaml: calico('  ingress: [{action: Allow, source: {selector: all()}}]\n') },
    { name: 'Calico Deny rule without a source', yaml: calico('  ingress: [{action: Deny}]\n') },
    { name: 'Cilium empty rule is default deny', yaml: cilium('spec:\n  endpointSelector: {}\n  ingress: [{}]\n  egress: [{}]\n') },
    { name: 'Cilium namespaced empty endpoint selector', yaml: cilium('spec:\n  endpointSelector: {}\n  ingress: [{fromEndpoints: [{}]}]\n') },
    { name: 'Cilium world entity on ingress is not every pod', yaml: cilium('spec:\n  endpointSelector: {}\n  ingress: [{fromEntities: [world]}]\n') },
    { name: 'Cilium nodeSelector policy', yaml: cilium('spec:\n  nodeSelector: {}\n  ingress: [{toPorts: [{ports: [{port: "22"}]}]}]\n', 'CiliumClusterwideNetworkPolicy') },
  ],
  invalid: [
    { name: 'Kubernetes empty ingress rule next to a Calico policy', yaml: calico("  ingress: [{action: Allow, source: {selector: \"app == 'x'\"}}]\n") + '---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np}\nspec:\n  podSelector: {}\n  ingress: [{}]\n', findings: [{ path: '/spec/ingress/0' }] },
    { name: 'Calico Allow without a source', yaml: calico('  ingress: [{action: Deny, source: {nets: [192.0.2.0/24]}}, {action: Allow}]\n'), findings: [{ path: '/spec/ingress/1', message: 'every pod in every namespace on every port' }] },
    { name: 'Calico Allow to every net on listed ports', yaml: calico('  egress: [{action: Allow, destination: {nets: [0.0.0.0/0], ports: [443]}}]\n', 'GlobalNetworkPolicy'), findings: [{ path: '/spec/egress/0', message: '(on the listed ports)' }] },
    { name: 'Calico all() namespaces and pods', yaml: calico('  ingress: [{action: Allow, source: {namespaceSelector: all()}}]\n', 'NetworkPolicy', 'crd.projectcalico.org/v1'), findings: [{ path: '/spec/ingress/0' }] },
    { name: 'Cilium ports without a peer', yaml: cilium('spec:\n  endpointSelector: {}\n  ingress: [{toPorts: [{ports: [{port: "80"}]}]}]\n'), findings: [{ path: '/spec/ingress/0', message: '(on the listed ports)' }] },
    { name: 'Cilium cluster entity on ingress', yaml: cilium('specs:\n  - endpointSelector: {}\n    ingress: [{fromEndpoints: [{matchLabels: {app: a}}]}, {fromEntities: [cluster]}]\n'), findings: [{ path: '/specs/0/ingress/1' }] },
    { name: 'Cilium all entity on egress', yaml: cilium('spec:\n  endpointSelector: {}\n  egress: [{toEntities: [all]}]\n'), findings: [{ path: '/spec/egress/0', message: 'every destination on every port' }] },
    { name: 'Cilium clusterwide empty endpoint selector', yaml: cilium('spec:\n  endpointSelector: {}\n  ingress: [{fromEndpoints: [{}]}]\n', 'CiliumClusterwideNetworkPolicy'), findings: [{ path: '/spec/ingress/0' }] },
  ],
});

testRule(egressWorld, {
  valid: [
    { name: 'Calico egress to every net', yaml: calico('  egress: [{action: Allow, destination: {nets: [0.0.0.0/0]}, to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]\n') },
    { name: 'Cilium egress to a private range and the cluster', yaml: cilium('spec:\n  endpointSelector: {}\n  egress: [{toCIDR: [10.0.0.0/8]}, {toEntities: [cluster, kube-apiserver]}, {toCIDRSet: [{cidr: 192.0.2.0/24}]}]\n') },
  ],
  invalid: [
    { name: 'Kubernetes policy, legacy extensions group', yaml: '---\napiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: {name: np}\nspec:\n  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]\n', findings: [{ path: '/spec/egress/0/to/0/ipBlock/cidr' }] },
    { name: 'Cilium toCIDR everywhere', yaml: cilium('spec:\n  endpointSelector: {}\n  egress: [{toEndpoints: [{}]}, {toCIDR: [10.0.0.0/8, 0.0.0.0/0]}]\n'), findings: [{ path: '/spec/egress/1/toCIDR/1', message: 'metadata endpoint' }] },
    { name: 'Cilium toCIDRSet with metadata excepted', yaml: cilium('spec:\n  endpointSelector: {}\n  egress: [{toCIDRSet: [{cidr: "::/0"}, {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}]}]\n'), findings: [{ path: '/spec/egress/0/toCIDRSet/0/cidr' }, { path: '/spec/egress/0/toCIDRSet/1/cidr' }] },
    { name: 'Cilium world entity in a clusterwide rule', yaml: cilium('specs:\n  - endpointSelector: {}\n    egress: [{toEntities: [world]}]\n', 'CiliumClusterwideNetworkPolicy'), findings: [{ path: '/specs/0/egress/0/toEntities/0', message: 'allows the world entity' }] },
  ],
});

testRule(selectsNothing, {
  valid: [
    { name: 'Calico policy with a podSelector-like field', yaml: deployment() + calico('  podSelector: {matchLabels: {app: typo}}\n'), unit: 'chart' },
    { name: 'Cilium policy selects the chart pods', yaml: deployment() + cilium('spec:\n  endpointSelector: {matchLabels: {"k8s:app": web}}\n  ingress: [{}]\n'), unit: 'chart' },
    { name: 'Cilium empty endpointSelector in specs[]', yaml: deployment() + cilium('specs:\n  - endpointSelector: {matchLabels: {app: typo}}\n  - endpointSelector: {}\n'), unit: 'chart' },
    { name: 'Cilium clusterwide policy is for other pods too', yaml: deployment() + cilium('spec:\n  endpointSelector: {matchLabels: {app: typo}}\n  ingress: [{}]\n', 'CiliumClusterwideNetworkPolicy'), unit: 'chart' },
    { name: 'Calico selector matches', yaml: deployment() + calico("  selector: app in {'web', 'api'}\n"), unit: 'chart' },
    { name: 'Calico invalid selector is undecided, not nothing', yaml: deployment() + calico("  selector: app = 'wbe'\n"), unit: 'chart' },
    { name: 'Calico GlobalNetworkPolicy is cluster-wide', yaml: deployment() + calico("  selector: app == 'wbe'\n", 'GlobalNetworkPolicy'), unit: 'chart' },
  ],
  invalid: [
    { name: 'Kubernetes policy typo beside a Calico policy', yaml: deployment() + calico("  selector: app == 'web'\n") + '---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: wbe}}\n', unit: 'chart', findings: [{ path: '/spec/podSelector' }] },
    { name: 'Cilium endpointSelector typo', yaml: deployment() + cilium('spec:\n  endpointSelector: {matchLabels: {app: wbe}}\n  ingress: [{}]\n'), unit: 'chart', findings: [{ path: '/spec/endpointSelector', message: 'endpointSelector matches none of the 1 pod templates' }] },
    { name: 'Cilium rules in specs[] select nothing', yaml: deployment() + cilium('specs:\n  - endpointSelector: {matchLabels: {app: wbe}}\n  - endpointSelector: {matchLabels: {app: ewb}}\n'), unit: 'chart', findings: [{ path: '/specs/0/endpointSelector' }] },
    { name: 'Calico selector typo', yaml: deployment() + calico("  selector: app == 'wbe'\n  types: [Ingress]\n"), unit: 'chart', findings: [{ path: '/spec/selector', message: 'selector matches none' }] },
  ],
});
