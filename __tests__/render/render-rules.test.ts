// render-divergence and render-lookup in the rule tester's terms: objects (as a chart render marks them)
// in, rule id and JSON pointer out. The marking itself (comparing renders, finding template lines) is
// covered with real helm in render-variants.test.ts; the comparison and the API-version table here.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.ts';
import type { Finding, RenderDependence, RenderVariant, ScannedObject } from '../../src/model/model.ts';
import { chartConstructs, collectReleaseLiterals, withoutTemplateComments, decidedSetting, divergingObjects, pairedVariants, releaseLiteralFor, removedObjects, resolveHelperLiterals, securityFields, type ReleaseLiteral, type VariantInputs } from '../../src/render/render-variants.ts';
import { templateActions, replaceActions } from '../../src/render/actions.ts';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gradeDivergences } from '../../src/pipeline/evaluate.ts';
import { withClusterAnswersText } from '../../src/render/helm.ts';
import { goRegExp, goRegExpOrWider, regexExamples } from '../../src/render/regex-example.ts';
import { evaluate } from '../../src/engine/evaluate.ts';
import { apiVersionsFor, DEFAULT_KUBE_VERSION } from '../../src/render/kube-api-versions.ts';
import renderDivergence from '../../rules/render-divergence.ts';
import renderLookup from '../../rules/render-lookup.ts';
import { loadObjects } from '../helpers/rule-tester.ts';
import type { Rule } from '../../src/engine/rule-kit.ts';

const POD = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      annotations:
        checksum/secret: abc
    spec:
      containers:
        - name: web
          image: web:1
          env:
            - name: PASSWORD
              value: random-1
          securityContext:
            privileged: false
`;

function objectOf(yaml: string, dependence?: RenderDependence): ScannedObject {
  const object = loadObjects(yaml, 'chart')[0]!;
  if (dependence) object.renderDependence = dependence;
  return object;
}

function run(rule: Rule, object: ScannedObject): string[] {
  const config = defaultConfig();
  const { findings, errors } = evaluate([object], [rule], config);
  expect(errors).toEqual([]);
  return findings.map((f) => `${f.ruleId} ${f.path} ${f.source.templateLocation ? `${f.source.templateLocation.file}:${f.source.templateLocation.line}` : '-'}`);
}

const IS_UPGRADE = { construct: '.Release.IsUpgrade', file: 'chart/templates/all.yaml', line: 12 };

describe('render-divergence', () => {
  it('valid: an object without a divergence, or one whose fields do not differ', () => {
    expect(run(renderDivergence, objectOf(POD))).toEqual([]);
    expect(run(renderDivergence, objectOf(POD, { divergence: { variant: 'upgrade', fields: [], onlyInVariant: false, constructs: [IS_UPGRADE] } }))).toEqual([]);
  });

  it('invalid: a differing field, at its pointer and the branching line', () => {
    const object = objectOf(POD, {
      divergence: { variant: 'upgrade', fields: [{ pointer: '/spec/template/spec/containers/0/securityContext/privileged', main: 'false', variant: 'true' }], onlyInVariant: false, constructs: [IS_UPGRADE] },
    });
    expect(run(renderDivergence, object)).toEqual(['render-divergence /spec/template/spec/containers/0/securityContext/privileged chart/templates/all.yaml:12']);
  });

  it('invalid: an object only the variant renders, about the whole object; an archive line is named in the message only', () => {
    const object = objectOf(POD, {
      divergence: { variant: 'upgrade+extension-apis', fields: [{ pointer: '/spec/template/spec/hostPID', variant: 'true' }], onlyInVariant: true, constructs: [{ ...IS_UPGRADE, file: 'chart/charts/sub-1.0.0.tgz', inArchive: 'sub/templates/x.yaml' }] },
    });
    expect(run(renderDivergence, object)).toEqual(['render-divergence  -']);
    const config = defaultConfig();
    const [finding] = evaluate([object], [renderDivergence], config).findings;
    expect(finding!.message).toContain('chart/charts/sub-1.0.0.tgz (sub/templates/x.yaml:12)');
    expect(finding!.message).toContain('as helm upgrade renders it on a cluster with common CRD APIs');
  });
});

describe('render-lookup', () => {
  it('valid: no lookup or revision in the template', () => {
    expect(run(renderLookup, objectOf(POD))).toEqual([]);
  });

  it('invalid: the object, at the lookup line', () => {
    const object = objectOf(POD, { unknowable: [{ construct: 'lookup', file: 'chart/templates/_helpers.tpl', line: 3 }] });
    expect(run(renderLookup, object)).toEqual(['render-lookup  chart/templates/_helpers.tpl:3']);
  });
});

describe('comparing renders', () => {
  it('compares security fields only: a generated password or checksum is no divergence', () => {
    const main = loadObjects(POD, 'chart');
    const variant = loadObjects(POD.replace('random-1', 'random-2').replace('checksum/secret: abc', 'checksum/secret: def'), 'chart');
    expect(divergingObjects(main, variant)).toEqual([]);
    expect([...securityFields(main[0]!.raw).keys()]).toEqual(['/spec/template/spec/containers/0/securityContext/privileged', '/spec/template/spec/containers/0/image']);
  });

  it('reports changed, added and removed security fields', () => {
    const main = loadObjects(POD, 'chart');
    const variant = loadObjects(POD.replace('privileged: false', 'privileged: true').replace('    spec:\n      containers:', '    spec:\n      hostNetwork: true\n      containers:').replace('          image: web:1\n', ''), 'chart');
    const [diverging] = divergingObjects(main, variant);
    expect(diverging!.fields).toEqual([
      { pointer: '/spec/template/spec/containers/0/securityContext/privileged', main: 'false', variant: 'true' },
      { pointer: '/spec/template/spec/containers/0/image', main: '"web:1"' },
      { pointer: '/spec/template/spec/hostNetwork', variant: 'true' },
    ]);
  });

  it('matches a renamed object (a generated name) by its security fields, not as a new object', () => {
    const main = loadObjects(POD.replace('name: web\nspec', 'name: job-abcde\nspec'), 'chart');
    const variant = loadObjects(POD.replace('name: web\nspec', 'name: job-vwxyz\nspec'), 'chart');
    expect(divergingObjects(main, variant)).toEqual([]);
    const privileged = loadObjects(POD.replace('name: web\nspec', 'name: job-vwxyz\nspec').replace('privileged: false', 'privileged: true'), 'chart');
    expect(divergingObjects(main, privileged).map((d) => d.onlyInVariant)).toEqual([true]);
  });

  it('RBAC rules and Service exposure count; a ConfigMap does not', () => {
    const role = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\nrules:\n  - apiGroups: [""]\n    resources: ["pods"]\n    verbs: ["get"]\n';
    expect(divergingObjects(loadObjects(role, 'chart'), loadObjects(role.replace('"pods"', '"secrets"'), 'chart')).map((d) => d.fields.map((f) => f.pointer))).toEqual([['/rules/0/resources/0']]);
    const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "1"\n';
    expect(divergingObjects(loadObjects(configMap, 'chart'), loadObjects(configMap.replace('"1"', '"2"'), 'chart'))).toEqual([]);
  });
});

describe('API versions for --api-versions', () => {
  it('default 1.34: built-in group/versions and group/version/Kinds, no CRD groups', () => {
    expect(DEFAULT_KUBE_VERSION).toBe('1.34.0');
    const apis = apiVersionsFor(DEFAULT_KUBE_VERSION);
    expect(apis).toEqual(expect.arrayContaining(['v1', 'v1/Pod', 'apps/v1/Deployment', 'policy/v1/PodDisruptionBudget', 'resource.k8s.io/v1', 'networking.k8s.io/v1/ServiceCIDR', 'storage.k8s.io/v1/VolumeAttributesClass']));
    for (const gone of ['policy/v1beta1', 'policy/v1beta1/PodSecurityPolicy', 'batch/v1beta1/CronJob', 'flowcontrol.apiserver.k8s.io/v1beta3', 'monitoring.coreos.com/v1']) expect(apis).not.toContain(gone);
    expect(apiVersionsFor(DEFAULT_KUBE_VERSION, { extensions: true })).toEqual(expect.arrayContaining(['monitoring.coreos.com/v1/ServiceMonitor', 'cert-manager.io/v1']));
  });

  it('follows the configured version: what 1.28 served, the newest row above the table, nothing below it', () => {
    const v128 = apiVersionsFor('v1.28.3');
    expect(v128).toEqual(expect.arrayContaining(['flowcontrol.apiserver.k8s.io/v1beta2', 'flowcontrol.apiserver.k8s.io/v1beta3', 'authentication.k8s.io/v1/SelfSubjectReview']));
    expect(v128).not.toContain('resource.k8s.io/v1');
    expect(v128).not.toContain('admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy');
    expect(apiVersionsFor('1.36')).toEqual(apiVersionsFor('1.34'));
    expect(apiVersionsFor('1.21')).toEqual([]);
    expect(apiVersionsFor('not-a-version')).toEqual([]);
  });
});

describe('render-divergence graded by what the other render hides', () => {
  const finding = (ruleId: string, severity: Finding['severity'], variant: RenderVariant | undefined, name = 'web'): Finding => ({
    ruleId,
    severity,
    category: 'pod-security',
    message: `${ruleId} message`,
    object: { apiVersion: 'apps/v1', kind: 'Deployment', name, namespace: 'default' },
    path: '/spec/template/spec/containers/0/securityContext/privileged',
    source: { kind: 'helm', file: 'chart/templates/x.yaml', chart: 'chart', valueSet: 'default', ...(variant ? { variant } : {}) },
    fingerprint: `${ruleId}-${name}-${variant ?? ''}`,
    remediation: '',
  });
  const unseenKey = ['chart', 'default', 'upgrade', 'Deployment', 'default', 'web'].join('\u0000');

  it('takes the worst severity only the other render shows on the object, and names it', () => {
    const [divergence] = gradeDivergences(
      [finding('render-divergence', 'high', 'upgrade'), finding('pss-privileged', 'critical', 'upgrade'), finding('image-digest', 'medium', 'upgrade'), finding('pss-seccomp-baseline', 'high', 'upgrade', 'other')],
      new Set(),
    );
    expect(divergence).toMatchObject({ ruleId: 'render-divergence', severity: 'critical' });
    expect(divergence!.message).toMatch(/; only that render shows pss-privileged \(critical\), image-digest \(medium\)$/);
  });

  it('is info when no rule finds the other render worse (findings of the main render do not count)', () => {
    const graded = gradeDivergences([finding('pss-privileged', 'critical', undefined), finding('render-divergence', 'high', 'upgrade'), finding('render-lookup', 'medium', 'upgrade')], new Set());
    expect(graded.find((f) => f.ruleId === 'render-divergence')).toMatchObject({ severity: 'info', message: expect.stringContaining('no rule finds that render worse') });
  });

  it('keeps its severity when the other render failed: what it deploys is unknown', () => {
    const graded = gradeDivergences([finding('render-divergence', 'high', 'upgrade')], new Set([unseenKey]));
    expect(graded[0]).toMatchObject({ severity: 'high', message: 'render-divergence message' });
  });
});

describe('removedObjects', () => {
  const policy = (name: string, podSelector = '{}') => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n  podSelector: ${podSelector}\n  policyTypes: [Ingress]\n`;
  it('lists main objects with security fields the other render drops, not renamed ones', () => {
    const main = [...loadObjects(policy('deny'), 'chart'), ...loadObjects(policy('kept'), 'chart'), ...loadObjects(policy('random-abc', '{matchLabels: {a: b}}'), 'chart')];
    const variant = [...loadObjects(policy('kept'), 'chart'), ...loadObjects(policy('random-xyz', '{matchLabels: {a: b}}'), 'chart')];
    expect(removedObjects(main, variant).map((o) => o.ref.name)).toEqual(['deny']);
    expect(removedObjects(main, main)).toEqual([]);
  });
});

describe('release literals', () => {
  const literals = (text: string) => {
    const out: ReleaseLiteral[] = [];
    collectReleaseLiterals(text, out);
    return out;
  };
  it('reads the literals the release name and namespace are compared with, directly or through a variable', () => {
    expect(literals('{{ if eq .Release.Namespace "kube-system" }}{{ end }}{{ if ne "prod" $.Release.Name -}}{{ end }}')).toEqual([
      { field: 'namespace', test: 'eq', literal: 'kube-system' },
      { field: 'name', test: 'eq', literal: 'prod' },
    ]);
    expect(literals('{{- $ns := .Release.Namespace }}{{ if hasSuffix "-prod" $ns }}{{ end }}{{ if contains "edge" (.Release.Namespace) }}{{ end }}')).toEqual([
      { field: 'namespace', test: 'hasSuffix', literal: '-prod' },
      { field: 'namespace', test: 'contains', literal: 'edge' },
    ]);
    expect(literals('{{ if gt (len .Release.Name) 20 }}{{ end }}{{ if lt 5 (len $.Release.Namespace) }}{{ end }}')).toEqual([
      { field: 'name', test: 'length', literal: 'gt 20' },
      { field: 'namespace', test: 'length', literal: 'gt 5' },
    ]);
    expect(literals('{{ if regexMatch "^prod-" .Release.Namespace }}{{ end }}{{ if regexMatch "^edge$" $.Release.Name }}{{ end }}{{ if regexMatch "^(a|b)" .Release.Name }}{{ end }}')).toEqual([
      { field: 'namespace', test: 'hasPrefix', literal: 'prod-' },
      { field: 'name', test: 'eq', literal: 'edge' },
      { field: 'name', test: 'regex', literal: '^(a|b)' },
    ]);
    // Not the release: another value compared, or a literal no namespace can hold.
    expect(literals('{{ if eq .Values.ns "kube-system" }}{{ end }}{{ if eq .Release.Namespace "Kube System" }}{{ end }}')).toEqual([]);
  });
  it('chooses a value that flips the test for the scan\'s value, else none', () => {
    expect(releaseLiteralFor('namespace', 'default', [{ field: 'namespace', test: 'eq', literal: 'kube-system' }])).toBe('kube-system');
    expect(releaseLiteralFor('namespace', 'default', [{ field: 'namespace', test: 'eq', literal: 'default' }])).toBeUndefined();
    expect(releaseLiteralFor('namespace', 'default', [{ field: 'namespace', test: 'hasPrefix', literal: 'prod-' }])).toBe('prod-x');
    expect(releaseLiteralFor('namespace', 'default', [{ field: 'namespace', test: 'hasSuffix', literal: '-prod' }])).toBe('x-prod');
    expect(releaseLiteralFor('namespace', 'default', [{ field: 'namespace', test: 'hasPrefix', literal: 'def' }])).toBeUndefined();
    expect(releaseLiteralFor('name', 'release', [{ field: 'namespace', test: 'eq', literal: 'prod' }])).toBeUndefined();
    expect(releaseLiteralFor('name', 'release', [{ field: 'name', test: 'eq', literal: 'my.release' }])).toBe('my.release');
    expect(releaseLiteralFor('namespace', 'default', [{ field: 'namespace', test: 'eq', literal: 'a.b' }])).toBeUndefined();
    // Lengths: a value on the other side of the test.
    expect(releaseLiteralFor('name', 'release', [{ field: 'name', test: 'length', literal: 'gt 10' }])).toBe('pxxxxxxxxxx');
    expect(releaseLiteralFor('name', 'a-very-long-release', [{ field: 'name', test: 'length', literal: 'gt 10' }])).toBe('pxxxxxxxx');
    expect(releaseLiteralFor('namespace', 'default', [{ field: 'namespace', test: 'length', literal: 'eq 7' }])).toBe('pxxxxx');
  });
});

describe('the cluster answers render', () => {
  it('rewrites lookup, the revision and now inside actions only', () => {
    const out = withClusterAnswersText('now: lookup\n{{ $s := lookup "v1" "Secret" .Release.Namespace "db" }}{{ .Release.Revision }}{{ now | date "2006" }}{{/* lookup now */}}');
    expect(out.startsWith('now: lookup\n')).toBe(true);
    expect(out).toContain('{{ $s := dict `apiVersion` `v1` `kind` `Found`');
    expect(out).toContain('`_lookup` "v1" "Secret" .Release.Namespace "db" }}');
    expect(out).toContain('{{ (add1 .Release.Revision) }}');
    expect(out).toContain('{{ (now | dateModify `+8760h`) | date "2006" }}');
    expect(out).toContain('{{/* lookup now */}}');
  });

  it('leaves values keys, variables and strings alone, and reads $.Release and {{now}}', () => {
    expect(withClusterAnswersText('{{ if .Values.lookup.enabled }}{{ $lookup := 1 }}{{ printf "run now ok" }}')).toBe('{{ if .Values.lookup.enabled }}{{ $lookup := 1 }}{{ printf "run now ok" }}');
    expect(withClusterAnswersText('{{ $.Release.Revision }}{{now}}')).toBe('{{ (add1 $.Release.Revision) }}{{(now | dateModify `+8760h`)}}');
    expect(withClusterAnswersText('{{ if .Values.x }}{{ fail "no" }}{{ end }}', { answers: false, failsIgnored: true })).toBe('{{ if .Values.x }}{{ and `` "no" }}{{ end }}');
  });

  it('answers as a managed cluster: Minor with a +, the version with a provider suffix, semver comparisons untouched', () => {
    expect(withClusterAnswersText('{{ hasSuffix "+" .Capabilities.KubeVersion.Minor }}')).toBe('{{ hasSuffix "+" (printf `%s+` .Capabilities.KubeVersion.Minor) }}');
    expect(withClusterAnswersText('{{ $kv := .Capabilities.KubeVersion }}{{ int $kv.Minor }}{{ $other.Minor }}')).toBe('{{ $kv := .Capabilities.KubeVersion }}{{ int (printf `%s+` $kv.Minor) }}{{ $other.Minor }}');
    expect(withClusterAnswersText('{{ contains "-eks-" $.Capabilities.KubeVersion.GitVersion }}')).toBe('{{ contains "-eks-" (printf `%s-eks-4f2a9c1` $.Capabilities.KubeVersion.Version) }}');
    // A field chain is replaced whole (tempo-distributed's `$.context.Capabilities...` in an image tag).
    expect(withClusterAnswersText('{{ printf "k:%s" $.context.Capabilities.KubeVersion.Version }}{{ .ctx.Release.Revision }}')).toBe('{{ printf "k:%s" (printf `%s-eks-4f2a9c1` $.context.Capabilities.KubeVersion.Version) }}{{ (add1 .ctx.Release.Revision) }}');
    // A semver comparison sees the managed form too (a prerelease to it, as on EKS); without a suffix nothing changes.
    expect(withClusterAnswersText('{{ if semverCompare ">=1.31.5" .Capabilities.KubeVersion.Version }}')).toBe('{{ if semverCompare ">=1.31.5" (printf `%s-eks-4f2a9c1` .Capabilities.KubeVersion.Version) }}');
    expect(withClusterAnswersText('{{ int .Capabilities.KubeVersion.Minor }}{{ .Release.Revision }}', { answers: true, failsIgnored: false })).toBe('{{ int .Capabilities.KubeVersion.Minor }}{{ (add1 .Release.Revision) }}');
  });
});

describe('rewrites and scans stay linear on hostile template text, and follow the block structure', () => {
  it('with-blocks: the dot is the version only where the block set it', () => {
    expect(withClusterAnswersText('{{ with .Capabilities.KubeVersion }}{{ if true }}a{{ end }}{{ .Minor }}{{ end }}')).toBe('{{ with .Capabilities.KubeVersion }}{{ if true }}a{{ end }}{{ (printf `%s+` .Minor) }}{{ end }}');
    expect(withClusterAnswersText('{{ with .Capabilities.KubeVersion }}{{ range $.Values.apps }}{{ .Version }}{{ end }}{{ .Version }}{{ end }}{{ .Version }}')).toBe(
      '{{ with .Capabilities.KubeVersion }}{{ range $.Values.apps }}{{ .Version }}{{ end }}{{ (printf `%s-eks-4f2a9c1` .Version) }}{{ end }}{{ .Version }}',
    );
  });

  it.each([
    ['unclosed with-blocks full of ifs', '{{ with .Capabilities }}' + '{{ if x }}'.repeat(50_000)],
    ['with-openers only', '{{ with .Capabilities }}'.repeat(30_000)],
    ['comment openers without a close', '{{/* '.repeat(100_000)],
  ])('%s', (_, text) => {
    const started = performance.now();
    withClusterAnswersText(text);
    withoutTemplateComments(text);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe('regexExamples: a name a template\'s pattern matches', () => {
  it.each([
    ['^(kube|prod)-', ['kube-', 'prod-']],
    ['^[a-z]+-prod$', ['a-prod']],
    ['(?i)^PROD', ['prod']],
    ['sys(tem)?-[0-9]{2}', ['sys-00', 'system-00']],
    ['^ns-[[:digit:]]+$', ['ns-0']],
    ['^[^a-z]', ['0']],
    ['a|b', ['a', 'b']],
  ])('%s', (pattern, expected) => {
    expect(regexExamples(pattern)).toEqual(expected);
    for (const example of expected) expect(goRegExp(pattern)!.test(example)).toBe(true);
  });

  it('runs a pull request\'s pattern in linear time: a backtracking bomb gives nothing, at once', () => {
    const started = performance.now();
    expect(regexExamples('(a|aa){24}$x')).toEqual([]);
    const into: ReleaseLiteral[] = [];
    collectReleaseLiterals('{{ if regexMatch "(a|aa)*(a|aa)*(a|aa)*$x" .Release.Name }}{{ end }}', into);
    releaseLiteralFor('name', 'a'.repeat(40), into);
    expect(goRegExp('(a|aa)*$x')!.test('a'.repeat(100_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('gives nothing for what RE2 or the subset does not have', () => {
    expect(regexExamples('(?=x)')).toEqual([]);
    expect(regexExamples('\\bword')).toEqual([]);
    expect(regexExamples('(unclosed')).toEqual([]);
  });

  it('a regexMatch on the namespace becomes a literal the second render takes', () => {
    const into: ReleaseLiteral[] = [];
    collectReleaseLiterals('{{ if regexMatch "^(kube|prod)-" .Release.Namespace }}privileged: true{{ end }}', into);
    expect(into).toEqual([{ field: 'namespace', test: 'regex', literal: '^(kube|prod)-', decides: true }]);
    expect(releaseLiteralFor('namespace', 'default', into)).toBe('kube-x');
    // Escaped and raw-string patterns, piped too.
    for (const [text, value] of [
      ['{{ if regexMatch "^ns-\\\\d+$" .Release.Namespace }}{{ end }}', 'ns-0'],
      ['{{ if regexMatch `^ns-\\d+$` .Release.Namespace }}{{ end }}', 'ns-0'],
      ['{{ if .Release.Namespace | regexMatch `^(kube|prod)-\\w` }}{{ end }}', 'kube-a'],
    ] as const) {
      const found: ReleaseLiteral[] = [];
      collectReleaseLiterals(text, found);
      expect(found.map((l) => l.test), text).toEqual(['regex']);
      expect(releaseLiteralFor('namespace', 'default', found), text).toBe(value);
    }
    // The scan's own namespace already matches (a `not (regexMatch ...)` guard): a name it does not match.
    expect(releaseLiteralFor('namespace', 'prod-a', into)).toBe('x0');
  });
});

describe('template actions as Go\'s lexer ends them', () => {
  it('a `}}` inside a quoted or raw string, or a character constant holding a quote, does not end the action', () => {
    const text = '{{ $a := list "}}" (lookup "v1" "Namespace" "" "x") }}A{{ index (list \'"\' 1) 0 }}B{{ tpl `{{ .X }}` . }}C{{- /* "}} */ -}}D';
    expect(templateActions(text).map((m) => [m.index, m[0]])).toEqual([
      [0, '{{ $a := list "}}" (lookup "v1" "Namespace" "" "x") }}'],
      [55, '{{ index (list \'"\' 1) 0 }}'],
      [82, '{{ tpl `{{ .X }}` . }}'],
      [105, '{{- /* "}} */ -}}'],
    ]);
    expect(replaceActions(text, () => '_')).toBe('_A_B_C_D');
  });

  it('an unclosed action or string ends the scan in linear time', () => {
    const started = performance.now();
    expect(templateActions('{{ "'.repeat(100_000)).length).toBe(0);
    expect(templateActions('{{ `'.repeat(100_000) + '}}').length).toBe(1);
    expect(templateActions('x {{ a }} {{ b'.repeat(50_000)).length).toBe(50_000);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('the cluster answers render reads template code as Go does', () => {
  it('a character constant does not hide a lookup; a read after a parenthesised dot stays valid', () => {
    expect(withClusterAnswersText(`{{ index (list '"' (lookup "v1" "Namespace" "" "x")) 1 }}`)).toMatch(/^\{\{ index \(list '"' \(dict `apiVersion`/);
    expect(withClusterAnswersText('{{ (.).Capabilities.KubeVersion.Minor }}')).toBe('{{ (printf `%s+` (.).Capabilities.KubeVersion.Minor) }}');
  });

  it('template text in a string literal is rewritten with the other quote, so the string stays whole', () => {
    expect(withClusterAnswersText('{{ tpl `{{ .Capabilities.KubeVersion.Minor }}` . }}')).toBe('{{ tpl `{{ (printf "%s+" .Capabilities.KubeVersion.Minor) }}` . }}');
    expect(withClusterAnswersText('{{ tpl "{{ now }}" . }}')).toBe('{{ tpl "{{ (now | dateModify `+8760h`) }}" . }}');
  });

  it('the version object handed on whole becomes a dict of the managed answers; assigned or in `with`, it is left to those rewrites', () => {
    expect(withClusterAnswersText('{{ include "kv" .Capabilities.KubeVersion }}')).toContain('(dict `Major` .Capabilities.KubeVersion.Major `Minor` (printf `%s+` .Capabilities.KubeVersion.Minor) `Version` (printf `%s-eks-4f2a9c1` .Capabilities.KubeVersion.Version)');
    expect(withClusterAnswersText('{{ $kv := .Capabilities.KubeVersion }}')).toBe('{{ $kv := .Capabilities.KubeVersion }}');
  });
});

describe('release literals through helpers and expressions', () => {
  it('a helper\'s output is the field the helper reads, through the helpers it includes', () => {
    const into: ReleaseLiteral[] = [];
    collectReleaseLiterals('{{ if regexMatch "^prod-" (include "app.fullname" .) }}hostNetwork: true{{ end }}{{ if eq (include "app.ns" .) "kube-system" }}{{ end }}', into);
    expect(into.map((l) => [l.helper, l.test, l.literal])).toEqual([['app.fullname', 'hasPrefix', 'prod-'], ['app.ns', 'eq', 'kube-system']]);
    const helpers = new Map([
      ['app.fullname', { name: false, namespace: false, includes: ['app.name'] }],
      ['app.name', { name: true, namespace: false, includes: [] }],
      ['app.ns', { name: false, namespace: true, includes: [] }],
    ]);
    expect(resolveHelperLiterals(into, helpers).map((l) => [l.field, l.literal])).toEqual([['name', 'prod-'], ['namespace', 'kube-system']]);
    // A helper reading neither gives no literal.
    expect(resolveHelperLiterals(into, new Map())).toEqual([]);
  });

  it('an expression over one field, directly or through a variable, is that field', () => {
    for (const text of ['{{ if eq (default .Release.Namespace .Values.ns) "kube-system" }}{{ end }}', '{{ $ns := coalesce .Values.ns .Release.Namespace }}{{ if eq $ns "kube-system" }}{{ end }}', '{{ if eq (printf "%s" .Release.Namespace) "kube-system" }}{{ end }}']) {
      const into: ReleaseLiteral[] = [];
      collectReleaseLiterals(text, into);
      expect(into.map((l) => [l.field, l.literal]), text).toEqual([['namespace', 'kube-system']]);
    }
  });

  it('a chart\'s helpers are read for what they read of the release', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-helper-literals-'));
    mkdirSync(path.join(dir, 'templates'));
    writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: app\nversion: 0.1.0\n');
    writeFileSync(path.join(dir, 'templates', '_helpers.tpl'), '{{- define "app.ns" }}{{ .Release.Namespace }}{{- end }}\n');
    writeFileSync(path.join(dir, 'templates', 'pod.yaml'), '{{- if eq (include "app.ns" .) "kube-system" }}\nhostNetwork: true\n{{- end }}\n');
    expect(chartConstructs(dir, dir).literals.release).toEqual([{ field: 'namespace', test: 'eq', literal: 'kube-system', decides: true }]);
  });

  it('more deciding literals than renders are made for: what decides nothing gives way, then the chart is reported', () => {
    const decide = (i: number) => `{{ if eq .Release.Namespace "d${i}" }}\nhostPID: true\n{{ end }}\n`;
    const plain = (i: number) => `{{ if eq .Release.Namespace "p${i}" }}\nlabel: x\n{{ end }}\n`;
    const into: ReleaseLiteral[] = [];
    const why: string[] = [];
    collectReleaseLiterals(Array.from({ length: 16 }, (_, i) => plain(i)).join('') + Array.from({ length: 16 }, (_, i) => decide(i)).join(''), into, (w) => why.push(w));
    expect(into.filter((l) => l.decides)).toHaveLength(16);
    expect(why).toEqual([]);
    collectReleaseLiterals(decide(16), into, (w) => why.push(w));
    expect(why[0]).toMatch(/more than 16 comparisons/);
  });

  it('a pattern the linear engine refuses is checked with its counted repetitions opened; both a match and a non-match are rendered', () => {
    expect(goRegExp('^prod-[a-z]{0,40}$')).toBeUndefined();
    expect(goRegExpOrWider('^prod-[a-z]{0,40}$')).toMatchObject({ exact: false });
    expect(goRegExpOrWider('^a{3}\\{2}[{]{20}$')!.regexp.source).toBe('^a+\\{2}[{]+$');
    const into: ReleaseLiteral[] = [];
    collectReleaseLiterals('{{ if regexMatch "^prod-[a-z]{0,40}$" .Release.Namespace }}hostNetwork: true{{ end }}', into);
    expect(releaseLiteralFor('namespace', 'default', into, 0)).toBe('prod-x');
    expect(releaseLiteralFor('namespace', 'default', into, 1)).toBe('x0');
  });

  it('counting actions and deciding settings stays linear on a large template', () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `  k${i}: {{ if eq .Release.Name "a${i}" }}x{{ end }}`).join('\n');
    const started = performance.now();
    collectReleaseLiterals(text, []);
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i += 7) decidedSetting(lines, i);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('pairedVariants: every pair of the inputs a chart branches on, both ways', () => {
  const full: VariantInputs = { upgrade: true, extensionApis: true, release: true };
  const rows = (reads: VariantInputs, third: boolean) => [
    [false, false, false],
    [true, true, true],
    ...(third ? [[false, true, true]] : []),
    ...pairedVariants(reads, full, third).map((v) => [v.upgrade, v.extensionApis, v.release === true]),
  ];
  it.each([
    [{ upgrade: true, extensionApis: true, release: true }, true, 2],
    [{ upgrade: true, extensionApis: false, release: true }, true, 1],
    [{ upgrade: true, extensionApis: true, release: false }, true, 1],
    [{ upgrade: false, extensionApis: true, release: true }, false, 2],
    [{ upgrade: true, extensionApis: false, release: false }, true, 0],
    [{ upgrade: true, extensionApis: true, release: true }, false, 3],
  ] as const)('%j (third render %s): %i more', (reads, third, more) => {
    expect(pairedVariants(reads, full, third)).toHaveLength(more);
    const read = [reads.upgrade, reads.extensionApis, reads.release].map((r, i) => (r ? i : -1)).filter((i) => i >= 0);
    const made = rows(reads, third);
    for (const i of read) for (const j of read) if (i < j) for (const a of [false, true]) for (const b of [false, true]) expect(made.some((r) => r[i] === a && r[j] === b), `${i}=${a} ${j}=${b}`).toBe(true);
  });
});

// A hostile review: an unknowable answer carried into a securityContext through a variable, a dict and toYaml
// was only medium (the line writing it names no setting), and the clock there was not reported at all.
describe('decidedSetting: a value reaching a setting through variables, dict/set/merge and toYaml', () => {
  const CONTAINER = ['  containers:', '  - name: c', '    image: busybox', '    securityContext:', '      readOnlyRootFilesystem: true'];
  const decided = (first: string, ...after: string[]) => decidedSetting([first, 'kind: Pod', 'spec:', ...CONTAINER, ...after], 0);

  it.each([
    ['a dict holding the setting, written with toYaml', '{{- $p := dict "privileged" (gt (len ((lookup "v1" "Node" "" "").items | default list)) 0) "allowPrivilegeEscalation" true }}', ['{{ toYaml $p | indent 6 }}'], 'privileged'],
    ['the helm version in a dict', '{{- $p := dict "privileged" (hasPrefix "v4" .Capabilities.HelmVersion.Version) }}', ['{{ toYaml $p | indent 6 }}'], 'privileged'],
    ['the clock in a dict', '{{- $p := dict "privileged" (gt (now | unixEpoch | int64) 1900000000) }}', ['{{ toYaml $p | indent 6 }}'], 'privileged'],
    ['a dict written inline', '{{- $on := not (empty (lookup "v1" "Namespace" "" "x")) }}', ['{{ toYaml (dict "hostPID" $on) | indent 6 }}'], 'hostPID'],
    ['set into a map written later', '{{- $on := uuidv4 | hasPrefix "0" }}', ['{{- $sc := dict }}', '{{- $_ := set $sc "privileged" $on }}', '{{ toYaml $sc | indent 6 }}'], 'privileged'],
    ['merged into a map written later', '{{- $found := (lookup "v1" "Pod" "x" "y").spec }}', ['{{- $sc := dict "readOnlyRootFilesystem" true }}', '{{- $_ := merge $sc $found }}', '{{ toYaml $sc | indent 6 }}'], 'securityContext'],
    ['a looked-up structure under securityContext', '{{- $sc := (lookup "v1" "Pod" "x" "y").spec.securityContext }}', ['    securityContext: {{ toYaml $sc | nindent 6 }}'], 'securityContext'],
  ])('decides: %s', (_, first, after, key) => {
    expect(decided(first, ...after)).toBe(key);
  });

  it.each([
    ['a dict of plain keys (a reused password)', '{{- $p := dict "password" (lookup "v1" "Secret" "x" "y").data }}', ['{{ toYaml $p | indent 6 }}']],
    ['runAsUser only (the baseline level does not restrict it)', '{{- $p := dict "runAsUser" (randInt 1000 2000) }}', ['{{ toYaml $p | indent 6 }}']],
    ['a random name', '{{- $n := randAlphaNum 5 | lower }}', ['  - name: x-{{ $n }}']],
    ['a looked-up structure under annotations', '{{- $a := (lookup "v1" "Pod" "x" "y").metadata.annotations }}', ['  annotations: {{ toYaml $a | nindent 4 }}']],
  ])('decides nothing: %s', (_, first, after) => {
    expect(decided(first, ...after)).toBeUndefined();
  });
});
