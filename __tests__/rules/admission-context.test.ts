import enforce from '../../rules/namespace-pss-enforce.ts';
import rejection from '../../rules/pss-namespace-rejection.ts';
import { testRule } from '../helpers/rule-tester.ts';

const namespace = (labels: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: payments
  labels: {${labels}}
`;
const deployment = (securityContext: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: payments}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: api:1
          securityContext: ${securityContext}
`;

testRule(enforce, {
  valid: [
    { name: 'restricted', yaml: namespace('pod-security.kubernetes.io/enforce: restricted') },
    { name: 'baseline pinned', yaml: namespace('pod-security.kubernetes.io/enforce: baseline, pod-security.kubernetes.io/enforce-version: v1.30') },
  ],
  invalid: [
    { name: 'no label', yaml: namespace('team: pay'), findings: [{ path: '/metadata/labels' }] },
    { name: 'privileged', yaml: namespace('pod-security.kubernetes.io/enforce: privileged'), findings: [{ path: '/metadata/labels/pod-security.kubernetes.io~1enforce' }] },
    {
      name: 'invalid level and version',
      yaml: namespace('pod-security.kubernetes.io/enforce: strict, pod-security.kubernetes.io/enforce-version: "1.30"'),
      findings: [{ path: '/metadata/labels/pod-security.kubernetes.io~1enforce' }, { path: '/metadata/labels/pod-security.kubernetes.io~1enforce-version' }],
    },
  ],
});

const restrictedContext = '{runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}';

testRule(rejection, {
  valid: [
    { name: 'meets restricted', yaml: namespace('pod-security.kubernetes.io/enforce: restricted') + deployment(restrictedContext) },
    { name: 'baseline namespace admits a non-restricted pod', yaml: namespace('pod-security.kubernetes.io/enforce: baseline') + deployment('{}') },
    { name: 'namespace not in the scan', yaml: deployment('{privileged: true}') },
    { name: 'privileged namespace', yaml: namespace('pod-security.kubernetes.io/enforce: privileged') + deployment('{privileged: true}') },
  ],
  invalid: [
    {
      name: 'restricted:v1.30 namespace',
      yaml: namespace('pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/enforce-version: v1.30') + deployment('{}'),
      findings: [{ path: '/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation', message: 'Pods of Deployment/api will be rejected in namespace payments: enforce=restricted:v1.30' }],
    },
    {
      name: 'baseline namespace and a privileged pod',
      yaml: namespace('pod-security.kubernetes.io/enforce: baseline') + deployment('{privileged: true}'),
      findings: [{ path: '/spec/template/spec/containers/0/securityContext/privileged', message: 'enforce=baseline:latest (privileged)' }],
    },
  ],
});
