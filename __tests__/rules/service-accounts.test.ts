import defaultAccount from '../../rules/default-service-account.ts';
import missing from '../../rules/service-account-missing.ts';
import automount from '../../rules/service-account-token-automount.ts';
import { testRule } from '../helpers/rule-tester.ts';

const cronJob = (podSpec: string) => `apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: apps}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
${podSpec}          containers: [{name: r, image: r:1}]
`;
const account = (name: string, extra = '') => `---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ${name}, namespace: apps}
${extra}`;
const binding = (name: string) => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: apps}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: ${name}, namespace: apps}]
`;

testRule(automount, {
  valid: [
    { name: 'token not mounted in the pod', yaml: cronJob('          serviceAccountName: app\n          automountServiceAccountToken: false\n') + account('app'), unit: 'chart' },
    { name: 'token not mounted by the service account', yaml: cronJob('          serviceAccountName: app\n') + account('app', 'automountServiceAccountToken: false\n'), unit: 'chart' },
    { name: 'the account has permissions', yaml: cronJob('          serviceAccountName: app\n') + account('app') + binding('app'), unit: 'chart' },
    { name: 'plain manifests: bindings may live elsewhere', yaml: cronJob('          serviceAccountName: app\n') + account('app') },
  ],
  invalid: [
    { name: 'unused token', yaml: cronJob('          serviceAccountName: app\n') + account('app'), unit: 'chart', findings: [{ path: '/spec/jobTemplate/spec/template/spec/automountServiceAccountToken', message: 'service account app' }] },
    { name: 'pod overrides the account setting', yaml: cronJob('          serviceAccountName: app\n          automountServiceAccountToken: true\n') + account('app', 'automountServiceAccountToken: false\n'), unit: 'chart', findings: [{ path: '/spec/jobTemplate/spec/template/spec/automountServiceAccountToken' }] },
  ],
});

testRule(defaultAccount, {
  valid: [
    { name: 'own service account', yaml: cronJob('          serviceAccountName: app\n') },
    { name: 'default account without token', yaml: cronJob('          automountServiceAccountToken: false\n') },
  ],
  invalid: [
    { name: 'no serviceAccountName', yaml: cronJob(''), findings: [{ path: '/spec/jobTemplate/spec/template/spec' }] },
    { name: 'explicit default', yaml: cronJob('          serviceAccountName: default\n'), findings: [{ path: '/spec/jobTemplate/spec/template/spec/serviceAccountName' }] },
  ],
});

testRule(missing, {
  valid: [
    { name: 'defined in the chart', yaml: cronJob('          serviceAccountName: app\n') + account('app'), unit: 'chart' },
    { name: 'default account', yaml: cronJob(''), unit: 'chart' },
    { name: 'plain manifests', yaml: cronJob('          serviceAccountName: app\n') },
  ],
  invalid: [
    { name: 'not defined', yaml: cronJob('          serviceAccountName: app\n'), unit: 'chart', findings: [{ path: '/spec/jobTemplate/spec/template/spec/serviceAccountName', message: 'app' }] },
    { name: 'defined in another namespace', yaml: cronJob('          serviceAccountName: app\n') + account('app').replace('namespace: apps', 'namespace: other'), unit: 'chart', findings: [{ path: '/spec/jobTemplate/spec/template/spec/serviceAccountName' }] },
  ],
});
