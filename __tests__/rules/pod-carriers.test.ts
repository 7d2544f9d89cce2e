// Pods of kinds other than Kubernetes' own workloads: OpenShift DeploymentConfig, workload custom resources
// (Knative, Argo Rollouts, KEDA, OpenKruise) and any custom resource whose spec holds a pod template.
import privileged from '../../rules/pss-privileged.ts';
import imageTag from '../../rules/image-tag.ts';
import ingress from '../../rules/network-policy-ingress.ts';
import { testRule } from '../helpers/rule-tester.ts';

const PRIVILEGED = 'securityContext: {privileged: true}';

const deploymentConfig = (apiVersion: string, security = PRIVILEGED) => `apiVersion: ${apiVersion}
kind: DeploymentConfig
metadata: {name: dc}
spec:
  replicas: 1
  template:
    metadata: {labels: {app: dc}}
    spec:
      containers: [{name: dc, image: "dc:1.0", ${security}}]
`;

const knative = (security = PRIVILEGED) => `apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: hello}
spec:
  template:
    metadata: {labels: {app: hello}}
    spec:
      containers:
        - image: "ghcr.io/x/hello:1.0"
          ${security}
`;

const scaledJob = `apiVersion: keda.sh/v1alpha1
kind: ScaledJob
metadata: {name: worker}
spec:
  jobTargetRef:
    template:
      spec:
        containers: [{name: worker, image: "worker:1.0", ${PRIVILEGED}}]
  triggers: [{type: cron}]
`;

const customResource = (spec: string) => `apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
${spec}`;

testRule(privileged, {
  valid: [
    { name: 'DeploymentConfig without privilege', yaml: deploymentConfig('apps.openshift.io/v1', 'securityContext: {privileged: false}') },
    { name: 'Knative Service without privilege', yaml: knative('securityContext: {runAsNonRoot: true}') },
    { name: 'a string template is not a pod', yaml: customResource('  template: "containers: [{securityContext: {privileged: true}}]"\n') },
    { name: 'a template without containers is not a pod', yaml: customResource('  template:\n    spec:\n      securityContext: {runAsUser: 0}\n') },
    { name: 'a list of workflow templates is not a pod template', yaml: customResource(`  templates:\n    - name: main\n      container: {image: "x:1", ${PRIVILEGED}}\n`) },
    { name: 'containers as a mapping is not a pod', yaml: customResource(`  template:\n    spec:\n      containers: {main: {image: "x:1", ${PRIVILEGED}}}\n`) },
    { name: 'an unknown core-group kind is not judged by shape', yaml: `apiVersion: v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: "a:1", ${PRIVILEGED}}]\n` },
  ],
  invalid: [
    { name: 'privileged OpenShift DeploymentConfig', yaml: deploymentConfig('apps.openshift.io/v1'), findings: [{ path: '/spec/template/spec/containers/0/securityContext/privileged' }] },
    { name: 'privileged legacy v1 DeploymentConfig', yaml: deploymentConfig('v1'), findings: [{ path: '/spec/template/spec/containers/0/securityContext/privileged' }] },
    { name: 'privileged Knative Service container without a name', yaml: knative(), findings: [{ path: '/spec/template/spec/containers/0/securityContext/privileged' }] },
    { name: 'privileged KEDA ScaledJob', yaml: scaledJob, findings: [{ path: '/spec/jobTargetRef/template/spec/containers/0/securityContext/privileged' }] },
    {
      name: 'privileged Argo Rollout',
      yaml: `apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec:\n  template:\n    spec:\n      containers: [{name: r, image: "r:1", ${PRIVILEGED}}]\n`,
      findings: [{ path: '/spec/template/spec/containers/0/securityContext/privileged' }],
    },
    {
      name: 'any custom resource with a pod template in spec.template',
      yaml: customResource(`  template:\n    metadata: {labels: {app: w}}\n    spec:\n      initContainers: [{name: init, image: "i:1"}]\n      containers: [{name: main, image: "m:1", ${PRIVILEGED}}]\n`),
      findings: [{ path: '/spec/template/spec/containers/0/securityContext/privileged' }],
    },
    {
      name: 'a custom resource with a CronJob-like job template',
      yaml: customResource(`  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: main, image: "m:1", ${PRIVILEGED}}]\n`),
      findings: [{ path: '/spec/jobTemplate/spec/template/spec/containers/0/securityContext/privileged' }],
    },
  ],
});

testRule(imageTag, {
  valid: [{ name: 'DeploymentConfig with a pinned tag', yaml: deploymentConfig('apps.openshift.io/v1', 'securityContext: {}') }],
  invalid: [
    {
      name: 'Knative Service image without a tag',
      yaml: `apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: hello}\nspec:\n  template:\n    spec:\n      containers: [{image: ghcr.io/x/hello}]\n`,
      findings: [{ path: '/spec/template/spec/containers/0/image' }],
    },
  ],
});

const networkPolicy = (selector: string) => `---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np}\nspec:\n  podSelector: {matchLabels: {${selector}}}\n`;

testRule(ingress, {
  valid: [
    { name: 'DeploymentConfig selected by a NetworkPolicy', yaml: deploymentConfig('apps.openshift.io/v1') + networkPolicy('app: dc') },
    // Labels the controller adds to every pod it creates count like the template's own.
    { name: 'DeploymentConfig selected by its deploymentconfig label', yaml: deploymentConfig('apps.openshift.io/v1') + networkPolicy('deploymentconfig: dc') },
    { name: 'Knative Service selected by its serving.knative.dev/service label', yaml: knative() + networkPolicy('serving.knative.dev/service: hello') },
    {
      name: 'Job selected by its job-name label',
      yaml: `apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: m, image: "m:1"}]\n` + networkPolicy('batch.kubernetes.io/job-name: migrate'),
    },
  ],
  invalid: [
    { name: 'Knative Service pods without a NetworkPolicy', yaml: knative(), findings: [{ path: '/spec/template/metadata/labels' }] },
    { name: 'DeploymentConfig label of another DeploymentConfig', yaml: deploymentConfig('apps.openshift.io/v1') + networkPolicy('deploymentconfig: other'), findings: [{ path: '/spec/template/metadata/labels' }] },
    {
      name: 'CronJob pods do not get a known job-name',
      yaml: `apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\nspec:\n  schedule: "@daily"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: m, image: "m:1"}]\n` + networkPolicy('job-name: nightly'),
      findings: [{ path: '/spec/jobTemplate/spec/template/metadata/labels' }],
    },
  ],
});
