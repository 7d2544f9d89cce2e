import allowAll from '../../rules/network-policy-allow-all.ts';
import egressWorld from '../../rules/network-policy-egress-world.ts';
import egress from '../../rules/network-policy-egress.ts';
import ingress from '../../rules/network-policy-ingress.ts';
import selectsNothing from '../../rules/network-policy-selects-nothing.ts';
import ingressTls from '../../rules/ingress-tls.ts';
import externalIps from '../../rules/service-external-ips.ts';
import loadBalancer from '../../rules/service-load-balancer-open.ts';
import nodePort from '../../rules/service-node-port.ts';
import { testRule } from '../helpers/rule-tester.ts';

const deployment = (labels = 'app: web', extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {${labels}}}
  template:
    metadata:
      labels: {${labels}}
    spec:
${extra}      containers: [{name: web, image: web:1}]
`;
const policy = (spec: string, namespace = 'shop') => `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: ${namespace}}
spec:
${spec}`;

testRule(ingress, {
  valid: [
    { name: 'selected by an ingress policy', yaml: deployment() + policy('  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]\n') },
    { name: 'namespace-wide default deny (empty selector, no policyTypes)', yaml: deployment() + policy('  podSelector: {}\n') },
    { name: 'matchExpressions In', yaml: deployment() + policy('  podSelector:\n    matchExpressions: [{key: app, operator: In, values: [api, web]}]\n') },
    { name: 'host network pods are left to pss-host-namespaces', yaml: deployment('app: web', '      hostNetwork: true\n') },
  ],
  invalid: [
    { name: 'no policy at all', yaml: deployment(), findings: [{ path: '/spec/template/metadata/labels', message: 'any pod in the cluster' }] },
    { name: 'policy selects other pods', yaml: deployment() + policy('  podSelector: {matchLabels: {app: api}}\n'), findings: [{ path: '/spec/template/metadata/labels' }] },
    { name: 'policy in another namespace', yaml: deployment() + policy('  podSelector: {}\n', 'other'), findings: [{ path: '/spec/template/metadata/labels' }] },
    { name: 'egress-only policy does not restrict ingress', yaml: deployment() + policy('  podSelector: {}\n  policyTypes: [Egress]\n'), findings: [{ path: '/spec/template/metadata/labels' }] },
  ],
});

testRule(egress, {
  valid: [
    { name: 'egress listed in policyTypes', yaml: deployment() + policy('  podSelector: {}\n  policyTypes: [Ingress, Egress]\n') },
    { name: 'egress rules imply Egress', yaml: deployment() + policy('  podSelector: {}\n  egress: []\n') },
  ],
  invalid: [
    { name: 'ingress-only policy (no policyTypes, no egress)', yaml: deployment() + policy('  podSelector: {}\n  ingress: []\n'), findings: [{ path: '/spec/template/metadata/labels' }] },
    { name: 'no policy', yaml: deployment(), findings: [{ path: '/spec/template/metadata/labels' }] },
  ],
});

testRule(allowAll, {
  valid: [
    { name: 'deny all ingress', yaml: policy('  podSelector: {}\n  policyTypes: [Ingress]\n') },
    { name: 'from a labelled namespace', yaml: policy('  podSelector: {}\n  ingress:\n    - from: [{namespaceSelector: {matchLabels: {team: a}}}]\n') },
    { name: 'malformed rules', yaml: policy('  podSelector: {}\n  ingress: "oops"\n  egress: [5]\n') },
  ],
  invalid: [
    { name: 'empty ingress rule', yaml: policy('  podSelector: {}\n  ingress:\n    - {}\n'), findings: [{ path: '/spec/ingress/0', message: 'every pod in every namespace on every port' }] },
    { name: 'all namespaces', yaml: policy('  podSelector: {}\n  ingress:\n    - from: [{podSelector: {matchLabels: {a: b}}}]\n    - from: [{namespaceSelector: {}}]\n      ports: [{port: 80}]\n'), findings: [{ path: '/spec/ingress/1' }] },
    { name: 'empty egress rule', yaml: policy('  podSelector: {}\n  egress:\n    - {}\n'), findings: [{ path: '/spec/egress/0' }] },
  ],
});

testRule(egressWorld, {
  valid: [{ name: 'private range', yaml: policy('  podSelector: {}\n  egress:\n    - to: [{ipBlock: {cidr: 10.0.0.0/8}}]\n') }],
  invalid: [
    { name: '0.0.0.0/0', yaml: policy('  podSelector: {}\n  egress:\n    - to: [{podSelector: {}}, {ipBlock: {cidr: 0.0.0.0/0}}]\n'), findings: [{ path: '/spec/egress/0/to/1/ipBlock/cidr', message: 'metadata endpoint' }] },
    { name: '::/0 with metadata excepted', yaml: policy('  podSelector: {}\n  egress:\n    - to: [{ipBlock: {cidr: "::/0", except: [169.254.169.254/32]}}]\n'), findings: [{ path: '/spec/egress/0/to/0/ipBlock/cidr' }] },
  ],
});

testRule(selectsNothing, {
  valid: [
    { name: 'selects the chart pods', yaml: deployment() + policy('  podSelector: {matchLabels: {app: web}}\n'), unit: 'chart' },
    { name: 'empty selector is namespace-wide', yaml: deployment() + policy('  podSelector: {}\n'), unit: 'chart' },
    { name: 'plain manifests are not a whole app', yaml: deployment() + policy('  podSelector: {matchLabels: {app: typo}}\n') },
  ],
  invalid: [
    { name: 'label typo', yaml: deployment() + policy('  podSelector: {matchLabels: {app: wbe}}\n'), unit: 'chart', findings: [{ path: '/spec/podSelector' }] },
    { name: 'expression excludes every pod', yaml: deployment() + policy('  podSelector:\n    matchExpressions: [{key: app, operator: NotIn, values: [web]}]\n'), unit: 'chart', findings: [{ path: '/spec/podSelector' }] },
  ],
});

const service = (spec: string, annotations = '{}') => `apiVersion: v1
kind: Service
metadata: {name: web, annotations: ${annotations}}
spec:
  selector: {app: web}
  ports: [{port: 80}]
${spec}`;

testRule(nodePort, {
  valid: [{ name: 'ClusterIP', yaml: service('  type: ClusterIP\n') }, { name: 'no type', yaml: service('') }],
  invalid: [{ name: 'NodePort', yaml: service('  type: NodePort\n'), findings: [{ path: '/spec/type' }] }, { name: 'NodePort with nodePort', yaml: service('  type: NodePort\n  externalTrafficPolicy: Local\n'), findings: [{ path: '/spec/type' }] }],
});

testRule(loadBalancer, {
  valid: [
    { name: 'source ranges', yaml: service('  type: LoadBalancer\n  loadBalancerSourceRanges: [203.0.113.0/24]\n') },
    { name: 'internal AWS load balancer', yaml: service('  type: LoadBalancer\n', '{service.beta.kubernetes.io/aws-load-balancer-scheme: internal}') },
    { name: 'internal GKE load balancer', yaml: service('  type: LoadBalancer\n', '{networking.gke.io/load-balancer-type: Internal}') },
  ],
  invalid: [
    { name: 'open LoadBalancer', yaml: service('  type: LoadBalancer\n'), findings: [{ path: '/spec/type', message: 'open to every source' }] },
    { name: 'world range', yaml: service('  type: LoadBalancer\n  loadBalancerSourceRanges: [10.0.0.0/8, 0.0.0.0/0]\n'), findings: [{ path: '/spec/loadBalancerSourceRanges/1' }] },
  ],
});

testRule(externalIps, {
  valid: [{ name: 'no externalIPs', yaml: service('') }, { name: 'empty list', yaml: service('  externalIPs: []\n') }],
  invalid: [{ name: 'externalIPs', yaml: service('  externalIPs: [198.51.100.7]\n'), findings: [{ path: '/spec/externalIPs' }] }, { name: 'two', yaml: service('  externalIPs: [198.51.100.7, 198.51.100.8]\n'), findings: [{ path: '/spec/externalIPs', message: '(2)' }] }],
});

const ingressObject = (spec: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
    - host: shop.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
    - host: api.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}]}
${spec}`;

testRule(ingressTls, {
  valid: [
    { name: 'every host covered', yaml: ingressObject('  tls: [{hosts: [shop.example.com, api.example.com], secretName: tls}]\n') },
    { name: 'wildcard certificate', yaml: ingressObject('  tls: [{hosts: ["*.example.com"], secretName: tls}]\n') },
  ],
  invalid: [
    { name: 'no tls', yaml: ingressObject(''), findings: [{ path: '/spec/tls' }] },
    { name: 'one host missing', yaml: ingressObject('  tls: [{hosts: [shop.example.com], secretName: tls}]\n'), findings: [{ path: '/spec/rules/1/host', message: 'api.example.com' }] },
  ],
});
