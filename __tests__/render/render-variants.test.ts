// A chart cannot tell the scan from the install: renders for the target Kubernetes version with a cluster's
// API versions, a second render as helm upgrade (with common CRD APIs) for charts whose text branches on
// them, both judged, divergences and lookup reported at the template line. Real helm 3 and helm 4.
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding, ScanResult } from '../../src/model/model.ts';
import { exitCodeOf, scan } from '../../src/pipeline/scan.ts';
import { renderText } from '../../src/reporters/text.ts';
import { renderMarkdown } from '../../src/reporters/markdown.ts';
import * as tar from 'tar';
import { chart, HELMS, workspace, writeTree } from '../hostile/helpers.ts';

const DIGEST = 'nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000';

/** A Pod whose container securityContext body is `body` (indented under securityContext:). */
function pod(body: string, specExtra = ''): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:${specExtra}
  containers:
    - name: web
      image: ${DIGEST}
      securityContext:
${body}
`;
}

const UPGRADE_ONLY = pod(`        {{- if .Release.IsUpgrade }}
        privileged: true
        {{- else }}
        privileged: false
        {{- end }}`);

/** A helm that logs its arguments (one line per call) and runs the real one. */
function countingHelm(real: string): { path: string; calls: () => string[][] } {
  const dir = workspace('preadmit-counting-');
  const log = path.join(dir, 'calls.log');
  const script = path.join(dir, 'helm');
  writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${real}' "$@"\n`);
  chmodSync(script, 0o755);
  return {
    path: script,
    calls: () =>
      readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.split(' ')),
  };
}

/** Scans one chart built from `files` with provenance off (so every helm call is a scan render). */
async function scanChart(helmPath: string, files: Record<string, string>, extraConfig = ''): Promise<{ result: ScanResult; dir: string }> {
  const root = workspace('preadmit-variants-');
  const dir = chart(root, 'app', files);
  const config = path.join(root, '.preadmit.yaml');
  writeFileSync(config, `provenance:\n  enabled: false\n${extraConfig}`);
  const result = await scan({ paths: [dir], helmPath, configFile: config });
  return { result, dir };
}

const ids = (findings: Finding[]) => findings.map((f) => `${f.ruleId} ${f.path}${f.source.variant ? ` (${f.source.variant})` : ''}`).sort();

describe.each(HELMS)('%s', (_, helmVar) => {
  const helm = () => process.env[helmVar]!;

  it('a chart privileged only on upgrade: findings of the upgrade render and a divergence at the IsUpgrade line', async () => {
    const { result } = await scanChart(helm(), { 'templates/pod.yaml': UPGRADE_ONLY });
    expect(result.errors).toEqual([]);
    const privileged = result.findings.find((f) => f.ruleId === 'pss-privileged')!;
    expect(privileged).toMatchObject({ severity: 'critical', path: '/spec/containers/0/securityContext/privileged', source: { variant: 'upgrade+extension-apis+other-release', located: 'object' } });
    expect(privileged.message).toContain('(only when rendered as helm upgrade renders it (--is-upgrade), ');
    const divergence = result.findings.find((f) => f.ruleId === 'render-divergence')!;
    // Graded by what the upgrade render hides: pss-privileged (critical) only shows there.
    expect(divergence).toMatchObject({ severity: 'critical', path: '/spec/containers/0/securityContext/privileged', source: { variant: 'upgrade+extension-apis+other-release', located: 'template' } });
    expect(divergence.message).toContain('only that render shows pss-privileged (critical)');
    expect(divergence.source.templateLocation).toEqual({ file: expect.stringMatching(/app\/templates\/pod\.yaml$/), line: 10 });
    expect(divergence.message).toContain('false -> true');
    expect(divergence.message).toContain('.Release.IsUpgrade at');
    // Findings both renders show are reported once, from the install render.
    expect(result.findings.filter((f) => f.ruleId === 'pss-run-as-non-root').map((f) => f.source.variant)).toEqual([undefined]);
    expect(result.charts[0]!.variant).toMatchObject({ variant: 'upgrade+extension-apis+other-release', objects: 1, diverging: 1 });
    expect(exitCodeOf(result)).toBe(1);
  }, 60_000);

  it('a divergence weighs only what is not suppressed: privileged accepted in the configuration leaves it info', async () => {
    const { result } = await scanChart(helm(), { 'templates/pod.yaml': UPGRADE_ONLY }, 'suppressions:\n  - rule: pss-privileged\n    reason: the upgrade path needs raw sockets, ADR-7\n');
    expect(result.errors).toEqual([]);
    expect(result.findings.find((f) => f.ruleId === 'pss-privileged')?.suppressed?.kind).toBe('config');
    const divergence = result.findings.find((f) => f.ruleId === 'render-divergence')!;
    expect(divergence).toMatchObject({ severity: 'info', path: '/spec/containers/0/securityContext/privileged' });
    expect(divergence.message).toContain('what only that render shows is suppressed');
    expect(exitCodeOf(result)).toBe(0);
  }, 60_000);

  it('a render with the cluster\'s answers that fails is shown in the text and markdown reports', async () => {
    const { result } = await scanChart(helm(), {
      'templates/pod.yaml': `{{- $s := lookup "v1" "Secret" .Release.Namespace "db" }}{{ if $s }}{{ $s.data.password | required "the db Secret has no password" }}{{ end }}\n${pod('        privileged: false')}`,
    });
    expect(result.charts[0]!.answers?.error).toContain('the db Secret has no password');
    expect(renderText(result, { color: false, width: 200 })).toMatch(/the render with the cluster's answers \(.*\) failed: .*the db Secret has no password/);
    expect(renderMarkdown(result)).toMatch(/Renders that failed \(what they would show is unknown\): .*app.*render with the cluster's answers: .*the db Secret has no password/);
  }, 60_000);

  it('a NetworkPolicy only the install render has: the upgrade render\'s own findings count, the removal is counted', async () => {
    const { result } = await scanChart(helm(), {
      'templates/pod.yaml': pod('        privileged: false'),
      'templates/policy.yaml': '{{- if not .Release.IsUpgrade }}\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n{{- end }}\n',
    });
    expect(result.errors).toEqual([]);
    expect(result.charts[0]!.variant).toMatchObject({ variant: 'upgrade+extension-apis+other-release', diverging: 0, removed: 1 });
    // Without the policy, the upgraded Pod accepts traffic from any pod: shown by that render only.
    expect(ids(result.findings.filter((f) => f.ruleId.startsWith('network-policy')))).toEqual([
      'network-policy-egress /metadata/labels (upgrade+extension-apis+other-release)',
      'network-policy-ingress /metadata/labels (upgrade+extension-apis+other-release)',
    ]);
  }, 60_000);

  it('another release\'s render keeps its references: the service account named after the release is the chart\'s own', async () => {
    const { result } = await scanChart(helm(), {
      'templates/sa.yaml': 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Release.Name }}-app\n',
      'templates/pod.yaml': pod('        privileged: {{ eq .Release.Namespace "kube-system" }}', '\n  serviceAccountName: {{ .Release.Name }}-app'),
    });
    expect(result.errors).toEqual([]);
    expect(result.charts[0]!.variant).toMatchObject({ variant: 'upgrade+extension-apis+other-release', diverging: 1 });
    expect(result.findings.filter((f) => f.source.variant !== undefined).map((f) => f.ruleId).sort()).toEqual(['pss-privileged', 'render-divergence']);
  }, 60_000);

  // A managed cluster answers Minor "31+" and "v1.31.2-eks-..." (helm template never does); a namespace pattern.
  it.each([
    ['the version\'s Minor with a +', 'hasSuffix "+" .Capabilities.KubeVersion.Minor'],
    ['a provider suffix in the version', 'contains "-eks-" .Capabilities.KubeVersion.GitVersion'],
    ['Minor through a variable, as an int', '$kv := .Capabilities.KubeVersion }}{{ eq 0 (int $kv.Minor)'],
    ['a namespace pattern with alternation', 'regexMatch "^(kube|prod)-" .Release.Namespace'],
    ['another provider named in the test', 'contains "-gke." .Capabilities.KubeVersion.Version'],
    ['a provider found through a variable', '$v := .Capabilities.KubeVersion.GitVersion }}{{ hasSuffix "aks" $v'],
  ])('%s: the render as the cluster answers shows privileged', async (_, condition) => {
    const { result } = await scanChart(helm(), { 'templates/pod.yaml': pod(`        privileged: {{ ${condition} }}`) });
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f) => f.ruleId === 'pss-privileged').map((f) => [f.severity, f.path])).toEqual([['critical', '/spec/containers/0/securityContext/privileged']]);
    expect(result.findings.find((f) => f.ruleId === 'render-divergence')?.severity).toBe('critical');
    expect(exitCodeOf(result)).toBe(1);
  }, 60_000);

  it('decoy literals first: a further render takes each literal beyond the second and third renders\' two', async () => {
    const { result } = await scanChart(helm(), {
      'templates/pod.yaml': pod(`        {{- if eq .Release.Namespace "team-a" }}
        allowPrivilegeEscalation: false
        {{- end }}
        {{- if eq .Release.Namespace "team-b" }}
        allowPrivilegeEscalation: false
        {{- end }}
        {{- if eq .Release.Namespace "team-c" }}
        allowPrivilegeEscalation: false
        {{- end }}
        privileged: {{ eq .Release.Namespace "team-d" }}`),
    });
    expect(result.errors).toEqual([]);
    expect(result.charts[0]!.literals?.length).toBe(2);
    expect(result.findings.filter((f) => f.ruleId === 'pss-privileged').map((f) => [f.severity, f.path])).toEqual([['critical', '/spec/containers/0/securityContext/privileged']]);
    expect(exitCodeOf(result)).toBe(1);
  }, 60_000);

  // Fourth hostile round: each of these deploys hostNetwork on some real install and passed the gate before.
  it.each([
    ['a negated namespace pattern the scan and the second render both match', '{{- if not (regexMatch "^[a-z-]+$" .Release.Namespace) }}', 'pss-host-namespaces'],
    ['a negated release-name pattern', '{{- if not (regexMatch "^[a-z]+$" .Release.Name) }}', 'pss-host-namespaces'],
    ['a regular expression on the Kubernetes version', '{{- if regexMatch "^v1\\\\.34\\\\.[1-9]$" .Capabilities.KubeVersion.Version }}', 'render-lookup'],
    ['the patch number taken apart', '{{- $p := atoi (last (splitList "." .Capabilities.KubeVersion.Version)) }}{{- if and (ge $p 1) (le $p 20) }}', 'render-lookup'],
    ['a constraint from values', '{{- if semverCompare (default ">=1.34.1, <1.34.20" .Values.range) .Capabilities.KubeVersion.Version }}', 'render-lookup'],
    ['a pattern from values', '{{- if regexMatch (default "^kube-system$" .Values.pattern) .Release.Namespace }}', 'render-lookup'],
    ['decoy versions in a template comment', '{{- /* 1.34.1 1.34.2 1.34.3 1.34.4 1.34.5 1.34.6 1.34.7 .Capabilities.KubeVersion */}}{{- if semverCompare "=1.34.8" .Capabilities.KubeVersion.Version }}', 'pss-host-namespaces'],
    ['decoy namespaces in comments and a dict lookup', '{{- /* eq .Release.Namespace "d1" */}}{{- /* eq .Release.Namespace "d2" */}}{{- /* eq .Release.Namespace "d3" */}}{{- /* eq .Release.Namespace "d4" */}}{{- /* eq .Release.Namespace "d5" */}}{{- /* eq .Release.Namespace "d6" */}}{{- if hasKey (dict "kube-system" true) .Release.Namespace }}', 'pss-host-namespaces'],
    ['semver in a comment on the same line', '{{- /* semver */}}{{- if contains "-eks-" .Capabilities.KubeVersion.GitVersion }}', 'pss-host-namespaces'],
    ['Minor through a variable holding .Capabilities', '{{- $c := .Capabilities }}{{- if hasSuffix "+" $c.KubeVersion.Minor }}', 'pss-host-namespaces'],
    ['Minor inside with .Capabilities.KubeVersion', '{{- with .Capabilities.KubeVersion }}{{- if hasSuffix "+" .Minor }}', 'pss-host-namespaces'],
    ['the version as .String', '{{- if contains "-eks-" .Capabilities.KubeVersion.String }}', 'pss-host-namespaces'],
    ['a piped lower-case name', '{{- if hasPrefix "prod-" (.Release.Name | lower) }}', 'pss-host-namespaces'],
    ['a group with its own flags', '{{- if regexMatch "^kube-(?i:system)$" .Release.Namespace }}', 'pss-host-namespaces'],
  ])('%s', async (_, condition, rule) => {
    const ends = (condition.match(/\{\{-?\s*(?:if|with)\b/g) ?? []).length;
    const { result } = await scanChart(helm(), { 'templates/pod.yaml': pod('        privileged: false', `\n  ${condition}\n  hostNetwork: true\n  ${'{{- end }}'.repeat(ends)}`) });
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f) => f.severity === 'critical' || f.severity === 'high').map((f) => f.ruleId)).toContain(rule);
    expect(exitCodeOf(result)).toBe(1);
  }, 60_000);

  // Fifth hostile round: each of these deploys hostNetwork on some real install and passed the gate before.
  it.each([
    ['a pattern tested on a helper built from the release name', '{{- if regexMatch "^prod-" (include "app.fullname" .) }}', 'pss-host-namespaces'],
    ['a helper returning the namespace compared with a literal', '{{- if eq (include "app.namespace" .) "kube-system" }}', 'pss-host-namespaces'],
    ['the namespace through default', '{{- if eq (default .Release.Namespace .Values.namespaceOverride) "kube-system" }}', 'pss-host-namespaces'],
    ['the namespace through a variable assigned an expression', '{{- $ns := coalesce .Values.ns .Release.Namespace }}{{- if eq $ns "kube-system" }}', 'pss-host-namespaces'],
    ['a plain pattern longer than 63 characters', `{{- if regexMatch "^(kube-system|${'a'.repeat(60)})$" .Release.Namespace }}`, 'pss-host-namespaces'],
    ['a counted repetition the linear engine refuses', '{{- if regexMatch "^prod-[a-z]{0,40}$" .Release.Namespace }}', 'pss-host-namespaces'],
    ['a provider\'s whole version compared for equality', '{{- if eq .Capabilities.KubeVersion.Version "v1.34.2-eks-113cf36" }}', 'pss-host-namespaces'],
    ['the upgrade flag joined with the scan\'s own namespace', '{{- if and .Release.IsUpgrade (eq .Release.Namespace "default") }}', 'pss-host-namespaces'],
    ['the upgrade flag joined with an API being absent', '{{- if and .Release.IsUpgrade (not (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1")) }}', 'pss-host-namespaces'],
    ['an API present joined with the scan\'s own release name', '{{- if and (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1") (eq .Release.Name "release") }}', 'pss-host-namespaces'],
    ['a character constant hiding lookup', `{{- $found := index (list '"' (lookup "v1" "Namespace" "" "kube-system") "") 1 }}{{- if $found }}`, 'pss-host-namespaces'],
    ['a closing brace pair inside a string hiding lookup', '{{- $found := index (list "}}" (lookup "v1" "Namespace" "" "kube-system") "") 1 }}{{- if $found }}', 'pss-host-namespaces'],
    ['a managed Minor read through a parenthesised dot', '{{- if not (eq (.).Capabilities.KubeVersion.Minor "34") }}', 'pss-host-namespaces'],
    ['a managed Minor read inside a raw string passed to tpl', '{{- if not (eq (tpl `{{ .Capabilities.KubeVersion.Minor }}` .) "34") }}', 'pss-host-namespaces'],
    ['the version object handed to a helper', '{{- if ne (include "kv.minor" .Capabilities.KubeVersion) "34" }}', 'pss-host-namespaces'],
    // Sixth round.
    ['lookup in a quoted tpl string with escaped quotes', '{{- $f := tpl "{{ lookup \\"v1\\" \\"Namespace\\" \\"\\" \\"kube-system\\" }}" . }}{{- if ne $f "map[]" }}', 'pss-host-namespaces'],
    ['lookup in a quoted tpl string spelled with escapes', '{{- $f := tpl "\\x7b{ \\x6cookup `v1` `Namespace` `` `kube-system` }}" . }}{{- if ne $f "map[]" }}', 'pss-host-namespaces'],
    ['Minor in a quoted tpl string with escaped quotes', '{{- $f := tpl "{{ contains \\"+\\" .Capabilities.KubeVersion.Minor }}" . }}{{- if eq $f "true" }}', 'pss-host-namespaces'],
    ['a multi-line action with a closing brace pair in a string on its second line', '{{- $f := index (list\n    "}}" (lookup "v1" "Namespace" "" "kube-system")) 1 }}{{- if $f }}', 'pss-host-namespaces'],
    ['comment delimiters inside strings around a namespace read', '{{- $n := index (list "{{/*" .Release.Namespace "*/}}") 1 }}{{- if eq $n "kube-system" }}', 'pss-host-namespaces'],
    ['a prefix and a suffix tested together', '{{- if and (hasPrefix "kube-" .Release.Namespace) (hasSuffix "-system" .Release.Namespace) }}', 'pss-host-namespaces'],
    ['seven namespaces in a helper whose output decides', '{{- if eq (include "app.tier" .) "sys" }}', 'pss-host-namespaces'],
    ['a literal built at render time', '{{- if eq .Release.Namespace (print "kube-" "system") }}', 'render-lookup'],
    ['a range over names', '{{- $hit := false }}{{- range $n := list "a1" "a2" "kube-system" }}{{- $hit = or $hit (eq $.Release.Namespace $n) }}{{- end }}{{- if $hit }}', 'render-lookup'],
    ['a digest of the namespace', '{{- if eq (.Release.Namespace | sha256sum | trunc 8) "88007f70" }}', 'render-lookup'],
    ['template text assembled at render time for tpl', '{{- $f := tpl (print "{{ look" "up \\"v1\\" \\"Namespace\\" \\"\\" \\"kube-system\\" }}") . }}{{- if ne $f "map[]" }}', 'render-lookup'],
    ['.Capabilities through a computed key, converted', '{{- $v := index . (print "Capa" "bilities") | toYaml | fromYaml }}{{- if ne (toString (index $v.KubeVersion "Minor")) "34" }}', 'render-lookup'],
    ['the release reached through a computed key of the root', '{{- $r := index . (print "Rel" "ease") }}{{- if eq (index $r (print "Name" "space")) "kube-system" }}', 'render-lookup'],
    // Seventh round (a review of the whole change).
    ['a closing brace pair in a string inside with .Capabilities.KubeVersion', '{{- with .Capabilities.KubeVersion }}{{- $m := index (list "}}" .Minor) 1 }}{{- if not (eq $m "34") }}', 'pss-host-namespaces'],
    ['a helper handed .Release reading .Namespace', '{{- if eq (include "rel.ns" .Release) "kube-system" }}', 'pss-host-namespaces'],
    ['the version object read as data (toJson | fromJson)', '{{- $kv := .Capabilities.KubeVersion | toJson | fromJson }}{{- if ne (get $kv "Minor") "34" }}', 'pss-host-namespaces'],
    ['a variable holding the version object read as data', '{{- $v := .Capabilities.KubeVersion }}{{- $kv := $v | toJson | fromJson }}{{- if ne (get $kv "Minor") "34" }}', 'pss-host-namespaces'],
    ['with .Release holding another block before the namespace test', '{{- with .Release }}{{- if .IsInstall }}{{- end }}{{- if eq .Namespace "kube-system" }}', 'pss-host-namespaces'],
    ['with a variable bound to .Release', '{{- with $r := .Release }}{{- if eq .Namespace "kube-system" }}', 'pss-host-namespaces'],
    ['with (.Release) in parentheses', '{{- with (.Release) }}{{- if eq .Namespace "kube-system" }}', 'pss-host-namespaces'],
    ['else with .Release', '{{- with .Values.nothing }}{{- else with .Release }}{{- if eq .Namespace "kube-system" }}', 'pss-host-namespaces'],
    ['lookup in a quoted string inside a raw string passed to tpl', '{{- if eq (tpl `{{ tpl "{{ lookup \\"v1\\" \\"Namespace\\" \\"\\" \\"kube-system\\" }}" . }}` .) "map[]" }}{{- else }}', 'pss-host-namespaces'],
  ])('%s', async (_, condition, rule) => {
    const ends = (condition.match(/\{\{-?\s*(?:if|with|range)\b/g) ?? []).length - (condition.match(/\{\{-?\s*end\b/g) ?? []).length;
    const tiers = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'].map((n) => `{{- else if eq .Release.Namespace "${n}" }}${n}`).join('');
    const helpers = `{{- define "app.fullname" }}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 }}{{- end }}\n{{- define "app.namespace" }}{{ .Release.Namespace | trunc 63 }}{{- end }}\n{{- define "kv.minor" }}{{ .Minor }}{{- end }}\n{{- define "rel.ns" }}{{ .Namespace }}{{- end }}\n{{- define "app.tier" }}{{- if eq .Release.Namespace "a0" }}a0${tiers}{{- else if eq .Release.Namespace "kube-system" }}sys{{- else }}none{{- end }}{{- end }}\n`;
    const { result } = await scanChart(helm(), { 'templates/_helpers.tpl': helpers, 'templates/pod.yaml': pod('        privileged: false', `\n  ${condition}\n  hostNetwork: true\n  ${'{{- end }}'.repeat(ends)}`) });
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f) => f.severity === 'critical' || f.severity === 'high').map((f) => f.ruleId)).toContain(rule);
    expect(exitCodeOf(result)).toBe(1);
  }, 60_000);

  // Legitimate idioms near the release name that decide nothing about it: no render-lookup, no failure.
  it.each([
    ['a service account name defaulting to the release name', 'serviceAccountName: {{ index .Values.serviceAccount "name" | default .Release.Name }}'],
    ['a name built from the release printed with a values path', 'serviceAccountName: {{ printf "%s-%s" .Release.Name (index .Values.dirs "default" | base) }}'],
    ['a configured namespace compared with the release namespace', 'hostNetwork: {{ and (eq .Values.namespace .Release.Namespace) .Values.hostNetwork }}'],
    ['a per-component value indexed by a variable inside with', '{{- $c := "web" }}{{- with .Values.net }}\n  hostNetwork: {{ index . $c }}\n  {{- end }}'],
    ['values text rendered with tpl (printf "%v")', 'hostNetwork: {{ tpl (printf "%v" .Values.hostNetwork) . }}'],
    ['a comment naming lookup beside a values test', '{{- if .Values.hostNetwork }} {{- /* set from values; we no longer use lookup "v1" "Node" here */}}\n  hostNetwork: true\n  {{- end }}'],
  ])('%s', async (_, line) => {
    const { result } = await scanChart(helm(), {
      'values.yaml': 'serviceAccount: {name: ""}\ndirs: {default: /data/x}\nnamespace: default\nhostNetwork: false\nnet: {web: false}\n',
      'templates/pod.yaml': pod('        privileged: false', `\n  ${line}`),
    });
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f) => f.ruleId === 'render-lookup' || f.ruleId === 'render-divergence').map((f) => `${f.ruleId} ${f.severity}`)).toEqual([]);
  }, 60_000);

  it('a helper printing the version object for semverCompare renders with the cluster\'s answers too (no false divergence)', async () => {
    const { result } = await scanChart(helm(), {
      'templates/_helpers.tpl': '{{- define "app.kubeVersion" -}}{{ if .Values.kubeVersionOverride }}{{ .Values.kubeVersionOverride }}{{ else }}{{ .Capabilities.KubeVersion }}{{ end -}}{{- end -}}\n',
      'templates/pod.yaml': pod('        privileged: false', '\n  {{- if semverCompare ">=1.19-0" (include "app.kubeVersion" .) }}\n  securityContext:\n    seccompProfile: {type: RuntimeDefault}\n  {{- end }}\n  {{- if contains "-eks-" .Capabilities.KubeVersion.GitVersion }}\n  dnsPolicy: Default\n  {{- end }}'),
    });
    expect(result.errors).toEqual([]);
    expect(result.charts[0]!.answers).toBeDefined();
    expect(result.charts[0]!.answers?.error).toBeUndefined();
    expect(result.findings.filter((f) => f.ruleId === 'render-divergence' && f.severity !== 'info')).toEqual([]);
  }, 60_000);

  it('more comparisons deciding host access than renders are made for: an error, not a pass', async () => {
    const decoys = Array.from({ length: 17 }, (_, i) => `  {{- if eq .Release.Namespace "team-${i}" }}\n  hostPID: false\n  {{- end }}`).join('\n');
    const { result } = await scanChart(helm(), { 'templates/pod.yaml': pod('        privileged: false', `\n${decoys}`) });
    expect(result.errors.map((e) => e.message).join('\n')).toMatch(/more than 16 comparisons of the release name or namespace decide host-access or privilege settings/);
    expect(exitCodeOf(result)).toBe(1);
  }, 120_000);

  it('more deciding tests no literal renders than are listed: an error, not a pass (decoys cannot push the real one out)', async () => {
    const decoys = Array.from({ length: 4100 }, (_, i) => `{{- if eq .Release.Namespace (print "team-" "${i}") }}\nhostPID: false\n{{- end }}`).join('\n');
    const { result } = await scanChart(helm(), {
      'templates/decoys.yaml': `{{- if .Values.never }}\napiVersion: v1\nkind: Pod\nmetadata:\n  name: decoy\nspec:\n${decoys}\n{{- end }}\n`,
      'templates/pod.yaml': pod('        privileged: false', '\n  {{- if eq .Release.Namespace (print "kube-" "system") }}\n  hostNetwork: true\n  {{- end }}'),
    });
    expect(result.errors.map((e) => e.message).join('\n')).toMatch(/more than 4096 tests on the release name or namespace that no render can enumerate/);
    expect(exitCodeOf(result)).toBe(1);
  }, 120_000);

  it('a render with the cluster\'s answers that fails leaves the managed version\'s reads unseen: reported, not passed', async () => {
    const { result } = await scanChart(helm(), {
      'templates/pod.yaml': pod(
        '        privileged: false',
        '\n  {{- $s := lookup "v1" "Secret" "" "x" }}{{- if $s }}{{ required "the found secret has no key" $s.data.key }}{{- end }}\n  {{- if not (eq .Capabilities.KubeVersion.Minor "34") }}\n  hostNetwork: true\n  {{- end }}',
      ),
    });
    expect(result.charts[0]!.answers?.error).toMatch(/the found secret has no key/);
    const divergence = result.findings.find((f) => f.ruleId === 'render-divergence')!;
    expect(divergence).toMatchObject({ severity: 'high', object: { kind: 'Pod' } });
    expect(divergence.message).toMatch(/KubeVersion/);
    expect(exitCodeOf(result)).toBe(1);
  }, 60_000);

  it('a provider name ending in a dot keeps the version valid semver: a semver comparison through a variable still renders', async () => {
    const { result } = await scanChart(helm(), {
      'templates/pod.yaml': pod('        privileged: false', '\n  {{- $kv := .Capabilities.KubeVersion.Version }}\n  {{- if and (contains "-gke." .Capabilities.KubeVersion.Version) (semverCompare ">=1.25-0" $kv) }}\n  hostNetwork: true\n  {{- end }}'),
    });
    expect(result.errors).toEqual([]);
    expect(result.charts[0]!.answers?.error).toBeUndefined();
    expect(result.findings.find((f) => f.ruleId === 'pss-host-namespaces')?.severity).toBe('critical');
  }, 60_000);

  it('a chart that reads the managed form safely (trimSuffix, a semver comparison with -0) shows no divergence', async () => {
    const { result } = await scanChart(helm(), {
      'templates/pod.yaml': pod(`        privileged: {{ and (lt (int (trimSuffix "+" .Capabilities.KubeVersion.Minor)) 10) (not (semverCompare ">=1.20.0-0" .Capabilities.KubeVersion.Version)) }}`),
    });
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f) => f.ruleId === 'pss-privileged' || f.ruleId === 'render-divergence')).toEqual([]);
    expect(result.charts[0]!.answers).toMatchObject({ diverging: 0 });
  }, 60_000);

  it('a chart privileged only when a CRD API is present: the extension-apis render finds it', async () => {
    const { result } = await scanChart(helm(), {
      'templates/pod.yaml': pod(`        privileged: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}`),
    });
    expect(result.errors).toEqual([]);
    expect(ids(result.findings.filter((f) => f.ruleId === 'pss-privileged' || f.ruleId === 'render-divergence'))).toEqual([
      'pss-privileged /spec/containers/0/securityContext/privileged (upgrade+extension-apis+other-release)',
      'render-divergence /spec/containers/0/securityContext/privileged (upgrade+extension-apis+other-release)',
    ]);
    const divergence = result.findings.find((f) => f.ruleId === 'render-divergence')!;
    expect(divergence.source.templateLocation?.line).toBe(10);
    expect(divergence.message).toContain('.Capabilities.APIVersions at');
  }, 60_000);

  it('a chart using the host network only when a CRD API is absent: the install render finds it, the divergence is reported', async () => {
    const { result } = await scanChart(helm(), {
      'templates/pod.yaml': pod('        privileged: false', `\n  {{- if not (.Capabilities.APIVersions.Has "cert-manager.io/v1") }}\n  hostNetwork: true\n  {{- end }}`),
    });
    expect(result.errors).toEqual([]);
    const host = result.findings.find((f) => f.ruleId === 'pss-host-namespaces')!;
    expect(host).toMatchObject({ path: '/spec/hostNetwork' });
    expect(host.source.variant).toBeUndefined();
    const divergence = result.findings.find((f) => f.ruleId === 'render-divergence')!;
    expect(divergence).toMatchObject({ path: '/spec/hostNetwork', source: { variant: 'upgrade+extension-apis+other-release', templateLocation: { line: 6 } } });
    expect(divergence.message).toContain('/spec/hostNetwork true -> absent');
    // Graded by what the other render hides: without the host network its Pod is reachable by any pod
    // (network-policy-ingress, low), nothing that blocks.
    expect(divergence.severity).toBe('low');
    expect(divergence.message).toContain('only that render shows network-policy-ingress (low), network-policy-egress (info)');
  }, 60_000);

  it('renders for Kubernetes 1.34 with the group/version/Kinds a cluster reports', async () => {
    const { result } = await scanChart(helm(), {
      // helm's own defaults would answer false for both (it knows group/versions only, and 1.32 or 1.35).
      'templates/pod.yaml': pod(
        '        privileged: false',
        `\n  {{- if not (.Capabilities.APIVersions.Has "policy/v1/PodDisruptionBudget") }}\n  hostPID: true\n  {{- end }}\n  {{- if ne .Capabilities.KubeVersion.Version "v1.34.0" }}\n  hostIPC: true\n  {{- end }}`,
      ),
    });
    expect(result.errors).toEqual([]);
    // The install render (1.34.0) has neither; another patch release of the cluster would get hostIPC.
    expect(result.findings.filter((f) => (f.ruleId === 'pss-host-namespaces' || f.ruleId === 'render-divergence') && f.source.variant === undefined)).toEqual([]);
    expect(ids(result.findings.filter((f) => f.ruleId === 'render-divergence'))).toEqual(['render-divergence /spec/hostIPC (upgrade+extension-apis+other-release)']);
  }, 60_000);

  it('a chart whose securityContext depends on lookup: render-lookup at the lookup line, no second render', async () => {
    const { result } = await scanChart(helm(), {
      'templates/pod.yaml': pod(`        {{- $ns := lookup "v1" "Namespace" "" "kube-system" }}
        privileged: {{ if $ns }}true{{ else }}false{{ end }}`),
      'templates/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: reused\ndata:\n  old: {{ (lookup "v1" "ConfigMap" "default" "reused").data | toJson | quote }}\n',
    });
    expect(result.errors).toEqual([]);
    // The ConfigMap has no security-relevant fields: only the Pod is reported.
    // The render with the cluster's answers (lookup finds the namespace) shows the privileged side too.
    expect(ids(result.findings.filter((f) => f.ruleId.startsWith('render-')))).toEqual([
      'render-divergence /spec/containers/0/securityContext/privileged (extension-apis+other-release+cluster-answers)',
      'render-lookup ',
    ]);
    const lookup = result.findings.find((f) => f.ruleId === 'render-lookup')!;
    // The branch on the lookup's answer writes privileged: high, at the lookup line.
    expect(lookup).toMatchObject({ severity: 'high', object: { kind: 'Pod', name: 'web' }, source: { located: 'template', templateLocation: { line: 10 } } });
    expect(lookup.message).toContain('sets privileged in a branch on lookup at');
    // The second render (made for every chart's defaults) cannot answer lookup either: nothing diverges.
    expect(result.charts[0]!.variant).toMatchObject({ diverging: 0 });
    expect(exitCodeOf(result)).toBe(1);
  }, 60_000);

  it.each([
    ['lookup beside security fields (a reused checksum)', '{{- $cm := lookup "v1" "ConfigMap" "default" "app" }}', 'annotations:\n    checksum: {{ if $cm }}{{ $cm.data | toJson | sha256sum }}{{ end }}', 'medium'],
    ['the helm version deciding the host network', '', '{{- if semverCompare ">=3.99.0" .Capabilities.HelmVersion.Version }}\n  hostNetwork: true\n  {{- end }}', 'high'],
    ['the clock deciding privilege', '', '{{- if eq (now | date "Mon") "Sun" }}\n  hostPID: true\n  {{- end }}', 'high'],
    ['the revision in an annotation', '', 'annotations:\n    revision: "{{ .Release.Revision }}"', 'medium'],
    ['a variable set in a branch on lookup, written to hostNetwork', '{{- $ns := lookup "v1" "Namespace" "" "default" }}\n{{- $net := false }}\n{{- with $ns }}{{- with .metadata.labels }}{{- with index . "net.example.com/host" }}{{- $net = true }}{{- end }}{{- end }}{{- end }}', 'hostNetwork: {{ $net }}', 'high'],
    ['lookup deciding only runAsUser (baseline does not restrict it)', '{{- $ns := lookup "v1" "Namespace" "" "default" }}', 'securityContext:\n    runAsNonRoot: true\n    {{- if not $ns }}\n    runAsUser: 1001\n    {{- end }}', 'medium'],
  ])('render-lookup: %s', async (_, first, extra, severity) => {
    const { result } = await scanChart(helm(), { 'templates/pod.yaml': `${first}\n${pod('        privileged: false', `\n  ${extra}`)}` });
    expect(result.errors).toEqual([]);
    // (the cluster-answers render may show the other side as an info divergence: no worse)
    expect(result.findings.filter((f) => f.ruleId.startsWith('render-') && f.severity !== 'info').map((f) => `${f.ruleId} ${f.severity}`)).toEqual([`render-lookup ${severity}`]);
  }, 60_000);

  // A hostile review's charts: each renders privileged (or adds capabilities) on the cluster, not in the scan.
  it.each([
    ['.Release read through index', '{{- $r := index . "Release" }}', `privileged: {{ index $r (print "Is" "Upgrade") }}`, 'pss-privileged'],
    ['template text built for tpl', '', `privileged: {{ tpl (printf "{{ .Release.Is%s }}" "Upgrade") . }}`, 'pss-privileged'],
    ['a trailing comment on the kind', '', `privileged: {{ .Release.IsUpgrade }}`, 'pss-privileged', 'kind: Pod # app'],
    ['the revision read with get', '', `privileged: {{ gt (int (get .Release "Revision")) 1 }}`, 'render-lookup'],
    ['lookup with its arguments on the next line', '{{- $ks := lookup\n      "v1" "Namespace" "" "kube-system" }}', `privileged: {{ not (empty $ks) }}`, 'render-lookup'],
    ['the clock through a variable', '{{- $y := now | date "2006" | atoi }}', `privileged: {{ gt $y 2026 }}`, 'render-lookup'],
    ['lookup through two variables', '{{- $ks := lookup "v1" "Namespace" "" "kube-system" }}\n{{- $on := not (empty $ks) }}', `{{- if $on }}\n        privileged: true\n        {{- end }}`, 'render-lookup'],
    ['lookup deciding added capabilities', '{{- $ks := lookup "v1" "Namespace" "" "kube-system" }}', `capabilities:\n          add: {{ if $ks }}["SYS_ADMIN"]{{ else }}[]{{ end }}`, 'render-lookup'],
    ['the helm version through a variable', '{{- $c := .Capabilities }}', `privileged: {{ semverCompare ">=3.18.0-0, <4.0.0-0" $c.HelmVersion.Version }}`, 'render-lookup'],
    ['an API version built at render time', '', `privileged: {{ .Capabilities.APIVersions.Has (print "cilium.io" "/v2") }}`, 'render-lookup'],
    ['namespace membership in a list', '', `privileged: {{ has .Release.Namespace (list "kube-system" "prod") }}`, 'pss-privileged'],
    ['the namespace piped to hasPrefix', '', `privileged: {{ .Release.Namespace | hasPrefix "prod" }}`, 'pss-privileged'],
    ['the release object in a variable', '{{- $r := .Release }}', `privileged: {{ eq $r.Namespace "kube-system" }}`, 'pss-privileged'],
    ['with .Release', '', `privileged: {{ with .Release }}{{ eq .Namespace "kube-system" }}{{ end }}`, 'pss-privileged'],
    ['a dict of namespaces', '{{- $sys := dict "kube-system" true "monitoring" true }}', `privileged: {{ hasKey $sys .Release.Namespace }}`, 'pss-privileged'],
    ['the name length piped', '', `privileged: {{ gt (.Release.Name | len) 10 }}`, 'pss-privileged'],
    ['two namespace literals, the dangerous one second', '', `{{- if eq .Release.Namespace "aaa" }}\n        privileged: false\n        {{- else if eq .Release.Namespace "kube-system" }}\n        privileged: true\n        {{- end }}`, 'pss-privileged'],
    ['two Kubernetes patch literals, the dangerous one second', '', `{{- if semverCompare "=1.34.1" .Capabilities.KubeVersion.Version }}\n        privileged: false\n        {{- else if semverCompare ">=1.34.4" .Capabilities.KubeVersion.Version }}\n        privileged: true\n        {{- end }}`, 'pss-privileged'],
    ['the Kubernetes version in a variable, a patch range', '{{- $kv := .Capabilities.KubeVersion.Version }}', `privileged: {{ semverCompare ">=1.34.2, <1.34.50" $kv }}`, 'pss-privileged'],
    ['a decoy namespace literal first', '# tier: {{ if eq .Release.Namespace "monitoring" }}mon{{ else }}app{{ end }}', `privileged: {{ eq .Release.Namespace "kube-system" }}`, 'pss-privileged'],
    ['the release name upper-cased', '', `privileged: {{ eq (upper .Release.Name) "PROD" }}`, 'pss-privileged'],
    ['an exact patch release', '', `privileged: {{ eq .Capabilities.KubeVersion.Version "v1.34.5" }}`, 'pss-privileged'],
    ['a patch range', '', `privileged: {{ semverCompare ">1.34.0, <1.34.50" .Capabilities.KubeVersion.Version }}`, 'pss-privileged'],
  ])('blocks a chart whose cluster render differs: %s', async (_, before, line, rule, kind?: string) => {
    let text = `${before}\n${pod(`        ${line}`)}`;
    if (kind) text = text.replace('kind: Pod', kind);
    const { result } = await scanChart(helm(), { 'templates/pod.yaml': text });
    expect(result.errors).toEqual([]);
    const blocking = result.findings.filter((f) => f.severity === 'critical' || f.severity === 'high');
    expect(blocking.map((f) => f.ruleId)).toContain(rule);
    expect(exitCodeOf(result)).toBe(1);
  }, 60_000);

  // A second hostile review's charts: the answer travels through set, dict/toYaml, includes, another file.
  it.each([
    ['a first install outside the scan\'s namespace', '', `privileged: {{ and .Release.IsInstall (ne .Release.Namespace "default") }}`, 'pss-privileged'],
    ['a first install on a cluster with the API', '', `privileged: {{ and .Release.IsInstall (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1") }}`, 'pss-privileged'],
    ['lookup through set', '{{- $cfg := dict "priv" false }}\n{{- if lookup "v1" "Namespace" "" "kube-system" }}{{ $_ := set $cfg "priv" true }}{{ end }}', `privileged: {{ $cfg.priv }}`, 'pss-privileged'],
    ['the revision through set', '{{- $cfg := dict "priv" false }}\n{{- $_ := set $cfg "priv" (gt (int .Release.Revision) 1) }}', `privileged: {{ $cfg.priv }}`, 'pss-privileged'],
    ['the clock through set', '{{- $cfg := dict "priv" false }}\n{{- $_ := set $cfg "priv" (ge (now | date "2006" | atoi) 2027) }}', `privileged: {{ $cfg.priv }}`, 'pss-privileged'],
    ['lookup through toYaml', '{{- $sc := dict "privileged" (not (empty (lookup "v1" "Namespace" "" "kube-system"))) }}', `seccompProfile: {type: RuntimeDefault}\n{{ toYaml $sc | indent 8 }}`, 'pss-privileged'],
  ])('blocks a chart whose cluster answers change it: %s', async (_, before, line, rule) => {
    const { result } = await scanChart(helm(), { 'templates/pod.yaml': `${before}\n${pod(`        ${line}`)}` });
    expect(result.errors).toEqual([]);
    const blocking = result.findings.filter((f) => f.severity === 'critical' || f.severity === 'high');
    expect(blocking.map((f) => f.ruleId)).toContain(rule);
    expect(exitCodeOf(result)).toBe(1);
  }, 60_000);

  // A third hostile review: the answer carried into a securityContext through a dict and toYaml was medium
  // (lookup, the helm version) or not reported (the clock); a random draw deciding privilege passed.
  it.each([
    ['lookup through a dict and toYaml', '{{- $p := dict "privileged" (gt (len ((lookup "v1" "Node" "" "").items | default list)) 0) "allowPrivilegeEscalation" true }}', 'privileged'],
    ['the helm version through a dict and toYaml', '{{- $p := dict "privileged" (hasPrefix "v4" .Capabilities.HelmVersion.Version) "allowPrivilegeEscalation" true }}', 'privileged'],
    ['the clock through a dict and toYaml', '{{- $p := dict "privileged" (gt (now | unixEpoch | int64) 1900000000) "allowPrivilegeEscalation" true }}', 'privileged'],
    ['a random draw set into the map', '{{- $p := dict "readOnlyRootFilesystem" true }}\n{{- $_ := set $p "privileged" (hasPrefix "0" uuidv4) }}', 'privileged'],
  ])('render-lookup is high: %s', async (_, first, setting) => {
    const { result } = await scanChart(helm(), { 'templates/pod.yaml': `${first}\n${pod('        capabilities: {drop: [ALL]}\n{{ toYaml $p | indent 8 }}')}` });
    expect(result.errors).toEqual([]);
    const lookup = result.findings.filter((f) => f.ruleId === 'render-lookup');
    expect(lookup.map((f) => `${f.ruleId} ${f.path} ${f.severity} ${f.source.templateLocation?.line}`)).toEqual([`render-lookup  high ${first.includes('set $p') ? 2 : 1}`]);
    expect(lookup[0]!.message).toContain(`sets ${setting} in a branch on`);
    expect(exitCodeOf(result)).toBe(1);
  }, 60_000);

  it.each(['uuidv4', '(randAlphaNum 1)', '(randNumeric 1)', '(randInt 0 2 | toString)', '("01" | shuffle)'])('render-lookup is high: a random draw (%s) decides privilege in a condition', async (draw) => {
    const { result } = await scanChart(helm(), { 'templates/pod.yaml': pod(`        allowPrivilegeEscalation: {{ if hasPrefix "0" ${draw} }}true\n        privileged: true{{ else }}false{{ end }}`) });
    expect(result.errors).toEqual([]);
    const lookup = result.findings.find((f) => f.ruleId === 'render-lookup')!;
    expect(lookup).toMatchObject({ path: '', severity: 'high', source: { templateLocation: { line: 10 } } });
    expect(lookup.message).toContain('sets allowPrivilegeEscalation in a branch on');
  }, 60_000);

  it('random values in names, labels, passwords and a rollout annotation, and a timestamp annotation, are no finding', async () => {
    const text = pod('        privileged: false')
      .replace('  name: web\n', '  name: "web-{{ randAlpha 5 | lower }}-test"\n  labels:\n    id: {{ uuidv4 | quote }}\n  annotations:\n    rollme: {{ randAlphaNum 5 | quote }}\n    updated: {{ now | date "20060102150405" | quote }}\n')
      .replace('      securityContext:', '      env:\n        - name: PASSWORD\n          value: {{ $password }}\n      securityContext:');
    const { result } = await scanChart(helm(), { 'templates/pod.yaml': `{{- $password := randAlphaNum 16 | b64enc | quote }}\n${text}` });
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f) => f.ruleId === 'render-lookup')).toEqual([]);
  }, 60_000);

  it('a generated certificate written out, or chosen by ternary against a configured one, is no finding beside the template\'s RBAC (linkerd)', async () => {
    const role = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\nrules:\n  - apiGroups: [""]\n    resources: [pods]\n    verbs: [get]\n';
    const secret = (n: number) =>
      `{{- $ca := genSelfSignedCert "h" (list) (list "h") 365 }}\napiVersion: v1\nkind: Secret\nmetadata:\n  name: tls-${n}\ndata:\n  tls.crt: {{ ternary (b64enc (trim $ca.Cert)) (b64enc (trim .Values.crt)) (empty .Values.crt) }}\n  tls.key: {{ $ca.Key | b64enc }}\n`;
    const { result } = await scanChart(helm(), { 'templates/rbac.yaml': `${role}---\n${secret(1)}---\n${secret(2)}`, 'values.yaml': 'crt: ""\n' });
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f) => f.ruleId === 'render-lookup')).toEqual([]);
    // The condition drawing the value: still reported.
    const drawn = await scanChart(helm(), { 'templates/pod.yaml': `{{- $r := randAlpha 1 }}\n${pod('        privileged: {{ ternary true false (eq $r "a") }}')}` });
    expect(drawn.result.findings.filter((f) => f.ruleId === 'render-lookup').map((f) => `${f.ruleId} ${f.severity}`)).toEqual(['render-lookup high']);
  }, 60_000);

  it('the clock or a random value in a condition that decides no security setting is medium, not dropped', async () => {
    for (const annotation of ['{{ if eq (now | date "Mon") "x" }}odd{{ else }}even{{ end }}', '{{ if eq (randAlpha 1) "x" }}odd{{ else }}even{{ end }}', '{{ $n := randInt 0 2 }}{{ repeat $n "x" }}']) {
      const { result } = await scanChart(helm(), { 'templates/pod.yaml': pod('        privileged: false').replace('  name: web\n', `  name: web\n  annotations:\n    day: "${annotation}"\n`) });
      expect(result.errors).toEqual([]);
      expect(result.findings.filter((f) => f.ruleId === 'render-lookup').map((f) => `${f.ruleId} ${f.path} ${f.severity}`)).toEqual(['render-lookup  medium']);
    }
  }, 60_000);

  // A literal Kubernetes minor compared where it decides privilege was silent: the second render varied only
  // the patch. It now renders the other side of the literal, another minor included.
  it.each([
    ['a later minor', 'semverCompare ">=1.35.0-0" .Capabilities.KubeVersion.Version'],
    ['a later minor, written X.Y', 'semverCompare ">=1.36-0" .Capabilities.KubeVersion.Version'],
    ['a variable holding the version, a later minor', '(semverCompare ">1.36.2" $kv)'],
  ])('a Kubernetes version comparison deciding privilege on %s: rendered on its other side, divergence at its line', async (_, test) => {
    const { result } = await scanChart(helm(), { 'templates/pod.yaml': `{{- $kv := .Capabilities.KubeVersion.Version }}\n${pod(`        allowPrivilegeEscalation: {{ if ${test} }}true\n        privileged: true{{ else }}false{{ end }}`)}` });
    expect(result.errors).toEqual([]);
    const divergence = result.findings.find((f) => f.ruleId === 'render-divergence')!;
    expect(divergence).toMatchObject({ severity: 'critical', path: '/spec/containers/0/securityContext/allowPrivilegeEscalation', source: { templateLocation: { line: 11 } } });
    expect(result.findings.find((f) => f.ruleId === 'pss-privileged')).toMatchObject({ path: '/spec/containers/0/securityContext/privileged', severity: 'critical' });
    expect(exitCodeOf(result)).toBe(1);
  }, 60_000);

  it('decoy version comparisons cannot push a deciding one out of reach: 16 that decide nothing, or 7 that decide the same either way', async () => {
    const real = '        allowPrivilegeEscalation: {{ if semverCompare ">=1.36-0" .Capabilities.KubeVersion.Version }}true\n        privileged: true{{ else }}false{{ end }}';
    const plain = Array.from({ length: 16 }, (_, i) => `{{- if eq .Capabilities.KubeVersion.Version "v1.34.${i + 1}" }}{{- end }}\n`).join('');
    const same = Array.from({ length: 7 }, (_, i) => `        {{- if semverCompare ">=1.${40 + i}-0" .Capabilities.KubeVersion.Version }}\n        seccompProfile: {type: RuntimeDefault}\n        {{- else }}\n        seccompProfile: {type: RuntimeDefault}\n        {{- end }}\n`).join('');
    const charts: Record<string, string>[] = [{ 'templates/_decoys.tpl': plain, 'templates/pod.yaml': pod(real) }, { 'templates/pod.yaml': pod(`${same}${real}`) }];
    for (const files of charts) {
      const { result } = await scanChart(helm(), files);
      expect(result.errors).toEqual([]);
      expect(result.findings.find((f) => f.ruleId === 'pss-privileged')).toMatchObject({ path: '/spec/containers/0/securityContext/privileged', severity: 'critical' });
      expect(exitCodeOf(result)).toBe(1);
    }
  }, 120_000);

  it('a comparison deciding privilege only on clusters older than the target gets no other-minor render', async () => {
    const calls = countingHelm(helm());
    const { result } = await scanChart(calls.path, { 'templates/pod.yaml': pod(`        allowPrivilegeEscalation: {{ if semverCompare "<1.30-0" .Capabilities.KubeVersion.Version }}true\n        privileged: true{{ else }}false{{ end }}`) });
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f) => f.ruleId === 'pss-privileged' || f.ruleId === 'render-divergence')).toEqual([]);
    const versions = calls.calls().flatMap((call) => call.filter((a) => a.startsWith('--kube-version=')));
    expect(versions.every((v) => v.startsWith('--kube-version=1.34.'))).toBe(true);
  }, 60_000);

  it('a Kubernetes minor compared where it decides no security setting (an API version choice) gets no other-minor render', async () => {
    const calls = countingHelm(helm());
    const { result } = await scanChart(calls.path, { 'templates/pod.yaml': pod('        privileged: false').replace('  name: web\n', '  name: web\n  annotations:\n    api: {{ if semverCompare ">=1.21-0" .Capabilities.KubeVersion.Version }}policy/v1{{ else }}policy/v1beta1{{ end }}\n') });
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f) => f.ruleId.startsWith('render-'))).toEqual([]);
    const versions = calls.calls().flatMap((call) => call.filter((a) => a.startsWith('--kube-version=')));
    expect(versions.every((v) => v.startsWith('--kube-version=1.34.'))).toBe(true);
  }, 60_000);

  it('lookup across files: a template that sets .Values from a lookup for another template', async () => {
    const { result } = await scanChart(helm(), {
      'templates/zz-first.yaml': '{{- $_ := set .Values "onCluster" (not (empty (lookup "v1" "Namespace" "" "kube-system"))) }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
      'templates/pod.yaml': pod('        privileged: {{ .Values.onCluster | default false }}'),
    });
    expect(result.errors).toEqual([]);
    expect(result.findings.find((f) => f.ruleId === 'pss-privileged')).toMatchObject({ source: { variant: 'extension-apis+other-release+cluster-answers' } });
    expect(result.charts[0]!.answers).toMatchObject({ variant: 'extension-apis+other-release+cluster-answers', diverging: 1 });
  }, 60_000);

  it('the cluster-answers render rewrites a template reached through a symlink too', async () => {
    const root = workspace('preadmit-variants-');
    const dir = chart(root, 'app', { 'files/pod.tpl': `{{- $cfg := dict "priv" false }}\n{{- if lookup "v1" "Namespace" "" "kube-system" }}{{ $_ := set $cfg "priv" true }}{{ end }}\n${pod('        privileged: {{ $cfg.priv }}')}` });
    mkdirSync(path.join(dir, 'templates'), { recursive: true });
    symlinkSync('../files/pod.tpl', path.join(dir, 'templates', 'pod.yaml'));
    const config = path.join(root, '.preadmit.yaml');
    writeFileSync(config, 'provenance:\n  enabled: false\n');
    const result = await scan({ paths: [dir], helmPath: helm(), configFile: config });
    expect(result.errors).toEqual([]);
    expect(result.findings.find((f) => f.ruleId === 'pss-privileged')).toMatchObject({ source: { variant: 'extension-apis+other-release+cluster-answers' } });
  }, 60_000);

  it('a values key named lookup and plain text naming a revision are not constructs', async () => {
    const { result } = await scanChart(helm(), {
      'values.yaml': 'lookup:\n  enabled: false\n',
      'templates/pod.yaml': `# Revision 2 of this template; DNS lookup\n${pod('        privileged: {{ .Values.lookup.enabled }}')}`,
    });
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f) => f.ruleId.startsWith('render-'))).toEqual([]);
  }, 60_000);

  it('a release name literal that is a common word changes no other text of the second render', async () => {
    const { result } = await scanChart(helm(), {
      'templates/pod.yaml': pod('        privileged: {{ eq .Release.Name "a" }}').replace(`image: ${DIGEST}`, 'image: registry.example/a/nginx:latest'),
    });
    expect(result.errors).toEqual([]);
    const divergence = result.findings.filter((f) => f.ruleId === 'render-divergence');
    expect(divergence.map((f) => f.path)).toEqual(['/spec/containers/0/securityContext/privileged']);
    expect(divergence[0]!.message).not.toContain('/image');
  }, 60_000);

  it('the cluster-answers render reaches a lookup in a subchart archive and in a values string passed to tpl', async () => {
    const root = workspace('preadmit-variants-');
    const sub = chart(root, 'sub', { 'templates/_h.tpl': '{{- define "sub.onCluster" -}}{{- if lookup "v1" "Namespace" "" "kube-system" -}}true{{- else -}}false{{- end -}}{{- end -}}\n' });
    const dir = chart(root, 'app', { 'templates/pod.yaml': pod('        privileged: {{ include "sub.onCluster" . }}') });
    writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: sub\n    version: 0.1.0\n');
    mkdirSync(path.join(dir, 'charts'), { recursive: true });
    await tar.c({ gzip: true, cwd: path.dirname(sub), file: path.join(dir, 'charts', 'sub-0.1.0.tgz') }, ['sub']);
    const values = chart(root, 'tpl', {
      'values.yaml': `sc: '{{ if lookup "v1" "Namespace" "" "kube-system" }}true{{ else }}false{{ end }}'\n`,
      'templates/pod.yaml': pod('        privileged: {{ tpl .Values.sc . }}'),
    });
    const config = path.join(root, '.preadmit.yaml');
    writeFileSync(config, 'provenance:\n  enabled: false\n');
    for (const target of [dir, values]) {
      const result = await scan({ paths: [target], helmPath: helm(), configFile: config });
      expect(result.errors).toEqual([]);
      expect(result.findings.find((f) => f.ruleId === 'pss-privileged')).toMatchObject({ source: { variant: 'extension-apis+other-release+cluster-answers' } });
    }
  }, 60_000);

  it('a password helper whose upgrade branch only fails (an else-if guard) is not reported', async () => {
    const { result } = await scanChart(helm(), {
      'templates/_helpers.tpl': `{{- define "db.password" -}}
{{- $secret := lookup "v1" "Secret" .Release.Namespace "db" -}}
{{- if $secret -}}{{- index $secret.data "password" -}}
{{- else if .Values.password -}}{{- .Values.password | b64enc -}}
{{- else if .Release.IsUpgrade -}}{{- fail "db: pass --set password=... when upgrading" -}}
{{- else -}}{{- randAlphaNum 16 | b64enc -}}{{- end -}}
{{- end -}}
`,
      'templates/pod.yaml': pod('        privileged: false').replace('  name: web', '  name: web\n  annotations:\n    checksum/password: {{ include "db.password" . | sha256sum }}'),
    });
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f) => f.ruleId.startsWith('render-')).map((f) => `${f.ruleId} ${f.severity}`)).toEqual(['render-lookup medium']);
  }, 60_000);

  it('render-lookup: a helm version guard that only fails the render is no finding', async () => {
    const guard = '{{- if (semverCompare "<v3.9.0" (.Capabilities.HelmVersion.Version | default "v3.0.0")) -}}\n    {{- fail "ERROR: Helm >= 3.9.0 is required" -}}\n{{- end -}}\n';
    const { result } = await scanChart(helm(), { 'templates/pod.yaml': `${guard}${pod('        privileged: false')}` });
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f) => f.ruleId.startsWith('render-'))).toEqual([]);
  }, 60_000);

  it.each([
    ['the release name compared', 'privileged: {{ ne .Release.Name "release" }}', ''],
    ['a helper returning the release name', 'privileged: {{ ne (include "n" .) "release" }}', '{{- define "n" -}}{{ .Release.Name }}{{- end -}}\n'],
    ['the namespace length', 'privileged: {{ ne (len .Release.Namespace) 7 }}', ''],
    ['a variable holding the namespace', '{{- $ns := .Release.Namespace }}\n        privileged: {{ if hasPrefix "def" $ns }}false{{ else }}true{{ end }}', ''],
    ['semverCompare on the cluster version', 'privileged: {{ semverCompare ">1.34.0" .Capabilities.KubeVersion.Version }}', ''],
    ['the GitVersion compared', 'privileged: {{ not (eq .Capabilities.KubeVersion.GitVersion "v1.34.0") }}', ''],
    ['the namespace compared with a literal', 'privileged: {{ eq .Release.Namespace "kube-system" }}', ''],
    ['the namespace through a variable, against a prefix', '{{- $ns := $.Release.Namespace }}\n        privileged: {{ if hasPrefix "prod-" $ns }}true{{ else }}false{{ end }}', ''],
    ['the release name\'s length', 'privileged: {{ gt (len .Release.Name) 10 }}', ''],
    ['the release name compared with a literal', 'privileged: {{ if eq "platform" .Release.Name -}} true {{- else -}} false {{- end }}', ''],
  ])('a chart privileged for another release (%s): rendered again, divergence graded critical', async (_, line, helpers) => {
    const { result } = await scanChart(helm(), {
      'templates/pod.yaml': pod(`        ${line}`),
      ...(helpers ? { 'templates/_helpers.tpl': helpers } : {}),
    });
    expect(result.errors).toEqual([]);
    const divergence = result.findings.find((f) => f.ruleId === 'render-divergence')!;
    expect(divergence).toMatchObject({ severity: 'critical', path: '/spec/containers/0/securityContext/privileged', source: { variant: 'upgrade+extension-apis+other-release' } });
    expect(divergence.message).toContain('false -> true');
    expect(divergence.message).toContain('in a condition or comparison at');
    expect(result.findings.find((f) => f.ruleId === 'pss-privileged')).toMatchObject({ severity: 'critical', source: { variant: 'upgrade+extension-apis+other-release' } });
    expect(result.findings.filter((f) => f.ruleId === 'render-lookup')).toEqual([]);
    expect(exitCodeOf(result)).toBe(1);
  }, 60_000);

  it('names built from the release (helm create helpers) get no second render for a ci/ value set', async () => {
    const counting = countingHelm(helm());
    const { result } = await scanChart(counting.path, {
      'ci/extra-values.yaml': 'extra: true\n',
      'templates/_helpers.tpl': `{{- define "app.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}
`,
      'templates/pod.yaml': pod('        privileged: false').replace('name: web', 'name: {{ include "app.fullname" . }}\n  namespace: {{ .Release.Namespace }}\n  labels:\n    release: {{ .Release.Name | quote }}').replace('containers:', 'serviceAccountName: {{ include "app.fullname" . }}\n  containers:'),
    }, 'valueSets:\n  severity: keep\n');
    expect(result.errors).toEqual([]);
    // The defaults always get the second render; the ci/ set only when its text shows a construct.
    expect(result.charts.map((c) => [c.valueSet, c.variant?.variant])).toEqual([['default', 'upgrade+extension-apis+other-release'], ['ci/extra-values.yaml', undefined]]);
    expect(counting.calls().filter((args) => args[0] === 'template')).toHaveLength(3);
  }, 60_000);

  it('renders a ci/ value set without such constructs once, and one that has them twice; the defaults always twice', async () => {
    const counting = countingHelm(helm());
    const { result } = await scanChart(counting.path, {
      'ci/extra-values.yaml': 'extra: true\n',
      'templates/pod.yaml': pod('        privileged: false'),
      // Mentions that cannot change an object: a NOTES.txt and a template of kinds without security fields.
      'templates/NOTES.txt': '{{ if .Release.IsUpgrade }}Upgraded.{{ end }}\n',
      'templates/pdb.yaml': 'apiVersion: {{ if .Capabilities.APIVersions.Has "policy/v1/PodDisruptionBudget" }}policy/v1{{ else }}policy/v1beta1{{ end }}\nkind: PodDisruptionBudget\nmetadata:\n  name: web\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app: web\n',
    }, 'valueSets:\n  severity: keep\n');
    expect(result.errors).toEqual([]);
    const renders = counting.calls().filter((args) => args[0] === 'template');
    // default, its second render and its render with the cluster's answers (NOTES.txt names IsUpgrade),
    // the ci/ set (no second render: no construct can change its objects).
    expect(renders).toHaveLength(4);
    // (renders run two at a time: the install render is the one in the scan's own namespace, not an upgrade)
    const install = renders.find((args) => args.includes('--namespace=default') && !args.includes('--is-upgrade'))!;
    expect(install).toContain('--kube-version=1.34.0');
    expect(install.find((a) => a.startsWith('--api-versions='))).toContain('policy/v1/PodDisruptionBudget');
    expect(renders.filter((args) => args.includes('--is-upgrade'))).toHaveLength(1);
    expect(result.charts.map((c) => [c.valueSet, c.variant?.variant])).toEqual([['default', 'upgrade+extension-apis+other-release'], ['ci/extra-values.yaml', undefined]]);

    const again = countingHelm(helm());
    await scanChart(again.path, { 'templates/pod.yaml': UPGRADE_ONLY, 'ci/extra-values.yaml': 'extra: true\n' }, 'valueSets:\n  severity: keep\n');
    const twice = again.calls().filter((args) => args[0] === 'template');
    // default, its two further renders (upgrade; cluster answers), ci/ and its upgrade render
    expect(twice).toHaveLength(5);
    expect(twice.filter((args) => args.includes('--is-upgrade'))).toHaveLength(2);
  }, 60_000);

  it('renders a ci/ value set a second time only when its findings could block (capped at medium below fail-on high, they cannot)', async () => {
    const files = { 'templates/pod.yaml': UPGRADE_ONLY, 'ci/extra-values.yaml': 'extra: true\n' };
    const capped = countingHelm(helm());
    await scanChart(capped.path, files);
    const cappedRenders = capped.calls().filter((args) => args[0] === 'template');
    // default + its upgrade render and cluster-answers render, ci/extra without one
    expect(cappedRenders).toHaveLength(4);
    expect(cappedRenders.filter((args) => args.includes('--is-upgrade'))).toHaveLength(1);

    const root = workspace('preadmit-variants-');
    const dir = chart(root, 'app', files);
    const config = path.join(root, '.preadmit.yaml');
    writeFileSync(config, 'provenance:\n  enabled: false\nvalueSets:\n  severity: keep\n');
    const kept = countingHelm(helm());
    await scan({ paths: [dir], helmPath: kept.path, configFile: config });
    expect(kept.calls().filter((args) => args[0] === 'template' && args.includes('--is-upgrade'))).toHaveLength(2);
  }, 60_000);

  it('asks the second render for every API version the templates name, not only the common CRD groups', async () => {
    const { result } = await scanChart(helm(), {
      'templates/pod.yaml': pod(`        {{- if .Capabilities.APIVersions.Has "foo.example.io/v1" }}
        privileged: true
        {{- else }}
        privileged: false
        {{- end }}`),
    });
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f) => f.ruleId === 'pss-privileged' || f.ruleId === 'render-divergence').map((f) => [f.ruleId, f.severity])).toEqual(
      expect.arrayContaining([
        ['pss-privileged', 'critical'],
        ['render-divergence', 'critical'],
      ]),
    );
  }, 60_000);

  it('reads the upgrade branch however the template spells it (the whole .Release passed on)', async () => {
    const { result } = await scanChart(helm(), {
      'templates/pod.yaml': pod(`        {{- $r := .Release }}
        privileged: {{ index $r (printf "Is%s" "Upgrade") }}`),
    });
    expect(ids(result.findings.filter((f) => f.ruleId === 'pss-privileged' || f.ruleId === 'render-divergence'))).toEqual([
      'pss-privileged /spec/containers/0/securityContext/privileged (upgrade+extension-apis+other-release)',
      'render-divergence /spec/containers/0/securityContext/privileged (upgrade+extension-apis+other-release)',
    ]);
    expect(result.findings.find((f) => f.ruleId === 'render-divergence')!.message).toContain('.Release (the whole object)');
  }, 60_000);

  it('follows the branch into an included helper, and an object only the upgrade renders', async () => {
    const { result } = await scanChart(helm(), {
      'templates/_helpers.tpl': '{{- define "app.debug" -}}\n{{- if .Release.IsUpgrade }}\napiVersion: v1\nkind: Pod\nmetadata:\n  name: debug\nspec:\n  hostPID: true\n  containers:\n    - name: d\n      image: ' + DIGEST + '\n{{- end }}\n{{- end }}\n',
      'templates/debug.yaml': '{{ include "app.debug" . }}\n',
    });
    expect(result.errors).toEqual([]);
    const divergence = result.findings.find((f) => f.ruleId === 'render-divergence')!;
    expect(divergence).toMatchObject({ path: '', object: { kind: 'Pod', name: 'debug' }, source: { variant: 'upgrade+extension-apis+other-release' } });
    expect(divergence.source.templateLocation).toEqual({ file: expect.stringMatching(/templates\/_helpers\.tpl$/), line: 2 });
    expect(result.findings.find((f) => f.ruleId === 'pss-host-namespaces')).toMatchObject({ path: '/spec/hostPID', source: { variant: 'upgrade+extension-apis+other-release' } });
    // The object only the upgrade renders is listed among the scan's objects.
    expect(result.objects.filter((o) => o.object.name === 'debug').map((o) => o.source.variant)).toEqual(['upgrade+extension-apis+other-release']);
  }, 60_000);

  it('generated names are not divergences, and an upgrade render a guard stops is made again with the guard harmless', async () => {
    const { result } = await scanChart(helm(), {
      'templates/job.yaml': `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate-{{ randAlphaNum 6 | lower }}
  annotations:
    first: {{ .Release.IsInstall | quote }}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: m
          image: ${DIGEST}
`,
    });
    expect(result.errors).toEqual([]);
    expect(result.charts[0]!.variant).toMatchObject({ variant: 'upgrade+extension-apis+other-release', diverging: 0 });
    expect(result.findings.filter((f) => f.source.variant !== undefined)).toEqual([]);

    const failing = await scanChart(helm(), {
      'templates/pod.yaml': pod(`        {{- if .Release.IsUpgrade }}{{ fail "PASSWORDS ERROR: give the current password on upgrade" }}{{ end }}
        privileged: false`),
    });
    expect(failing.result.errors).toEqual([]);
    // Made again with the fail harmless, the upgrade render renders, and nothing else changes.
    expect(failing.result.charts[0]!.variant).toMatchObject({ variant: 'upgrade+extension-apis+other-release', diverging: 0 });
    expect(failing.result.charts[0]!.variant?.error).toBeUndefined();
    expect(failing.result.findings.filter((f) => f.ruleId === 'render-divergence')).toEqual([]);
  }, 60_000);

  it('a combined render failing as an upgrade (not on a fail guard) is made again without --is-upgrade: the API branch is still judged', async () => {
    const counting = countingHelm(helm());
    const { result } = await scanChart(counting.path, {
      'templates/NOTES.txt': '{{ if .Release.IsUpgrade }}{{ required "PASSWORDS ERROR: give pw" .Values.pw }}{{ end }}\n',
      'templates/pod.yaml': pod('        privileged: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}'),
    });
    expect(result.errors).toEqual([]);
    // main, the upgrade render (fails), again with fails harmless (required still fails), again without
    // --is-upgrade, the cluster-answers render (a first install)
    expect(counting.calls().filter((args) => args[0] === 'template')).toHaveLength(5);
    // (The cluster-answers render shows the same divergence: one finding.)
    expect(ids(result.findings.filter((f) => f.ruleId === 'render-divergence'))).toEqual(['render-divergence /spec/containers/0/securityContext/privileged (extension-apis+other-release)']);
    expect(result.charts[0]!.variant).toMatchObject({ variant: 'extension-apis+other-release', error: expect.stringContaining('PASSWORDS ERROR') });
  }, 60_000);

  it('a fail guard on upgrade hides nothing: made again with the guard harmless, the privileged upgrade is found', async () => {
    const { result } = await scanChart(helm(), {
      'templates/NOTES.txt': '{{- if and .Release.IsUpgrade (not .Values.pw) }}{{ fail "PASSWORDS ERROR: give pw" }}{{ end }}\n',
      'templates/pod.yaml': pod('        privileged: {{ .Release.IsUpgrade }}'),
    });
    expect(result.errors).toEqual([]);
    expect(result.findings.find((f) => f.ruleId === 'pss-privileged')).toMatchObject({ severity: 'critical', source: { variant: 'upgrade+extension-apis+other-release' } });
    expect(result.charts[0]!.variant?.error).toBeUndefined();
    expect(exitCodeOf(result)).toBe(1);
  }, 60_000);

  it('a guard elsewhere (NOTES.txt, a namespace or OpenShift check) does not make an unrelated object unchecked', async () => {
    const { result } = await scanChart(helm(), {
      'templates/NOTES.txt': '{{- if and .Release.IsUpgrade (not .Values.pw) }}{{ fail "PASSWORDS ERROR: give pw" }}{{ end }}\n',
      'templates/guard.yaml': '{{- if eq .Release.Namespace "kube-system" }}{{ fail "not into kube-system" }}{{ end }}\n{{- if .Capabilities.APIVersions.Has "security.openshift.io/v1" }}{{ fail "set openshift.enabled" }}{{ end }}\n',
      'templates/pod.yaml': pod('        privileged: false').replace('apiVersion: v1', 'apiVersion: {{ if semverCompare "<1.14-0" .Capabilities.KubeVersion.Version }}v1beta1{{ else }}v1{{ end }}'),
    });
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f) => f.ruleId.startsWith('render-') && f.severity !== 'info')).toEqual([]);
    expect(exitCodeOf(result)).toBe(0);
  }, 60_000);

  it('an upgrade render that fails (not on a fail guard) is reported at high with helm\'s message and the branching line', async () => {
    const { result } = await scanChart(helm(), {
      'templates/pod.yaml': pod(`        {{- if .Release.IsUpgrade }}{{ required "provide .Values.pw when upgrading" .Values.pw }}{{ end }}
        privileged: {{ .Release.IsUpgrade }}`),
    });
    expect(result.errors).toEqual([]);
    expect(result.findings.find((f) => f.ruleId === 'pss-privileged')).toBeUndefined();
    const unseen = result.findings.filter((f) => f.ruleId === 'render-divergence');
    expect(unseen).toHaveLength(1);
    expect(unseen[0]).toMatchObject({ severity: 'high', path: '', object: { kind: 'Pod', name: 'web' }, source: { variant: 'upgrade', templateLocation: { line: 10 } } });
    expect(unseen[0]!.message).toContain('could not be checked as helm upgrade renders it (--is-upgrade)');
    expect(unseen[0]!.message).toContain('provide .Values.pw when upgrading');
    expect(unseen[0]!.message).toContain('.Release.IsUpgrade at');
    expect(exitCodeOf(result)).toBe(1);
  }, 60_000);
});

describe('a subchart archive', () => {
  it('branching on upgrade inside a .tgz subchart gets the second render, the line named inside the archive', async () => {
    const root = workspace('preadmit-variants-tgz-');
    const sub = chart(root, 'sub', { 'templates/pod.yaml': UPGRADE_ONLY });
    const parent = chart(root, 'parent', {}, 'apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n  - name: sub\n    version: 0.1.0\n');
    const { execa } = await import('execa');
    await execa(process.env.PREADMIT_TEST_HELM3!, ['package', sub, '--destination', path.join(parent, 'charts')], { env: { HOME: root, PATH: process.env.PATH ?? '' } });
    writeTree(root, { '.preadmit.yaml': 'provenance:\n  enabled: false\n' });
    const result = await scan({ paths: [parent], helmPath: process.env.PREADMIT_TEST_HELM3!, configFile: path.join(root, '.preadmit.yaml') });
    expect(result.errors).toEqual([]);
    const divergence = result.findings.find((f) => f.ruleId === 'render-divergence')!;
    expect(divergence.path).toBe('/spec/containers/0/securityContext/privileged');
    expect(divergence.message).toMatch(/\.Release\.IsUpgrade at .*charts\/sub-0\.1\.0\.tgz \(sub\/templates\/pod\.yaml:10\)/);
  }, 60_000);
});

describe('what the render with the cluster\'s answers reaches', () => {
  it('an archive inside a subchart archive: its lookup answered too', async () => {
    const root = workspace('preadmit-variants-nested-');
    const inner = chart(root, 'inner', { 'templates/pod.yaml': pod('        privileged: {{ if lookup "v1" "Namespace" "" "prod" }}true{{ else }}false{{ end }}') });
    const middle = chart(root, 'middle', {}, 'apiVersion: v2\nname: middle\nversion: 0.1.0\ndependencies:\n  - name: inner\n    version: 0.1.0\n');
    const parent = chart(root, 'parent', {}, 'apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n  - name: middle\n    version: 0.1.0\n');
    const { execa } = await import('execa');
    const env = { env: { HOME: root, PATH: process.env.PATH ?? '' } };
    await execa(process.env.PREADMIT_TEST_HELM3!, ['package', inner, '--destination', path.join(middle, 'charts')], env);
    // helm package would unpack middle's dependency: the archive is made as a vendoring tool may leave it.
    mkdirSync(path.join(parent, 'charts'), { recursive: true });
    await tar.c({ gzip: true, file: path.join(parent, 'charts', 'middle-0.1.0.tgz'), cwd: path.dirname(middle) }, [path.basename(middle)]);
    writeTree(root, { '.preadmit.yaml': 'provenance:\n  enabled: false\n' });
    const result = await scan({ paths: [parent], helmPath: process.env.PREADMIT_TEST_HELM3!, configFile: path.join(root, '.preadmit.yaml') });
    expect(result.errors).toEqual([]);
    expect(result.findings.find((f) => f.ruleId === 'pss-privileged')).toMatchObject({ severity: 'critical', path: '/spec/containers/0/securityContext/privileged' });
    expect(exitCodeOf(result)).toBe(1);
  }, 60_000);

  it('a values file from outside the chart whose text the chart passes to tpl', async () => {
    const root = workspace('preadmit-variants-tplvalues-');
    const dir = chart(root, 'app', {
      'values.yaml': 'extra: ""\n',
      'templates/pod.yaml': pod('{{ tpl .Values.extra . | indent 8 }}'),
    });
    const values = path.join(root, 'env', 'prod.yaml');
    writeTree(root, { 'env/prod.yaml': 'extra: |\n  privileged: {{ if lookup "v1" "Namespace" "" "prod" }}true{{ else }}false{{ end }}\n', '.preadmit.yaml': 'provenance:\n  enabled: false\n' });
    const result = await scan({ paths: [dir], valuesFiles: [values], helmPath: process.env.PREADMIT_TEST_HELM3!, configFile: path.join(root, '.preadmit.yaml') });
    expect(result.errors).toEqual([]);
    expect(result.charts[0]!.answers).toBeDefined();
    expect(result.findings.find((f) => f.ruleId === 'pss-privileged')).toMatchObject({ severity: 'critical', path: '/spec/containers/0/securityContext/privileged' });
    expect(exitCodeOf(result)).toBe(1);
  }, 60_000);
});
