// The one declaration of `.preadmit.yaml`. The JSON Schema in schemas/config.schema.json is generated
// from this (npm run generate) and a test fails when the two drift.
import { RENDER_BOUNDS as B } from './render-budget.ts';
import { SEVERITIES } from '../model/model.ts';

export function configSchema(ruleIds: readonly string[]) {
  const severity = { type: 'string', enum: [...SEVERITIES], description: 'A finding severity.' };
  const ruleSetting = {
    description: 'off, a severity override, or an object with enabled/severity/options.',
    oneOf: [
      { type: 'string', enum: ['off', 'on', ...SEVERITIES] },
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          enabled: { type: 'boolean' },
          severity,
          options: { type: 'object', description: 'Rule-specific options.' },
          locked: { type: 'boolean', description: 'No configuration, comment or annotation may suppress or disable the rule (in a pull request, the lock comes from the base branch).' },
        },
      },
    ],
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/preadmit/preadmit/schemas/config.schema.json',
    title: 'preadmit configuration (.preadmit.yaml)',
    type: 'object',
    additionalProperties: false,
    properties: {
      failOn: {
        type: 'string',
        enum: ['critical', 'high', 'medium', 'low', 'never'],
        description: 'Lowest severity that fails the run (default high).',
      },
      failOnErrors: {
        type: 'boolean',
        description: 'Whether inputs that cannot be read or rendered fail the run (default true).',
      },
      pss: {
        type: 'object',
        additionalProperties: false,
        description: 'Pod Security Standards level and policy version to evaluate.',
        properties: {
          level: { type: 'string', enum: ['baseline', 'restricted'], description: 'Default restricted.' },
          version: { type: 'string', pattern: '^(latest|v1\\.(0|[1-9][0-9]*))$', description: 'latest or v1.N (default latest).' },
        },
      },
      rules: {
        type: 'object',
        description: 'Per-rule settings by rule id.',
        propertyNames: { enum: [...ruleIds] },
        additionalProperties: ruleSetting,
      },
      lockedRules: {
        type: 'array',
        items: { type: 'string', enum: [...ruleIds] },
        description: 'Rules no configuration, comment or annotation may suppress or disable; trying is reported as an invalid suppression.',
      },
      baseline: {
        type: 'string',
        minLength: 1,
        description: 'The reviewed baseline file (written by `preadmit baseline`, relative to this file): findings it lists are existing and do not fail the run; entries matching no finding are reported as stale. In a pull request it is read as the base commit has it.',
      },
      annotationSuppressions: {
        type: 'boolean',
        description: 'Whether preadmit.dev/ignore.<rule> annotations on objects suppress findings (default false: whoever writes a template or its values can add any annotation). Never from vendored subcharts.',
      },
      include: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Globs (minimatch) of repository paths to scan; default everything.' },
      customRules: {
        type: 'array',
        description: 'Rules written in CEL (the admission policies\' engine): `expression` holds for an object that is fine; when false the object gets a finding with `message` (or `messageExpression`). Variables: `object`, and `pod` (the pod spec of any workload kind, else null).',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'expression'],
          properties: {
            id: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', description: 'The rule id (kebab-case, not a built-in rule\'s).' },
            title: { type: 'string', minLength: 1 },
            severity,
            match: { type: 'object', additionalProperties: false, properties: { kinds: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Kinds checked; default every Kubernetes kind.' } } },
            expression: { type: 'string', minLength: 1, description: 'CEL; true when the object is fine.' },
            message: { type: 'string', minLength: 1 },
            messageExpression: { type: 'string', minLength: 1, description: 'CEL returning the message (falls back to `message`).' },
          },
        },
      },
      admission: {
        type: 'object',
        additionalProperties: false,
        description: 'The cluster\'s ValidatingAdmissionPolicies, evaluated on every scanned object (rule admission-policy).',
        properties: {
          policies: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Files or folders (relative to this file) holding ValidatingAdmissionPolicies, their bindings and the param objects they reference.' },
          userInfo: {
            type: 'object',
            additionalProperties: false,
            description: 'Who deploys (e.g. the CI service account): request.userInfo for every request, with system:authenticated added to the groups as the API server does for an authenticated user. Without it, validations reading request.userInfo are unknown, never a pass. `--as` and `--as-group` override it.',
            properties: {
              username: { type: 'string', minLength: 1 },
              uid: { type: 'string', minLength: 1 },
              groups: { type: 'array', items: { type: 'string', minLength: 1 } },
              extra: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } }, description: 'Extra attributes (a key to a list of values).' },
            },
          },
        },
      },
      exclude: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Globs (minimatch) of repository paths to skip.' },
      charts: {
        type: 'array',
        description: 'Render settings for particular charts.',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['path'],
          properties: {
            path: { type: 'string', minLength: 1, description: 'Chart directory, or a glob of chart directories, relative to this file.' },
            values: {
              type: 'array',
              items: { type: 'string' },
              description: "Values files (relative to this file) for the default render; every value set of the chart starts from them too (use them for values the chart requires).",
            },
            set: { type: 'array', items: { type: 'string', pattern: '^[^=]+=' }, description: 'key=value pairs for the default render (and the base of every value set of the chart).' },
            valueSets: {
              type: 'array',
              description: "Further renders of the chart, each with its own values on top of the chart's defaults: findings only they show are labelled with the set's name.",
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['name'],
                properties: {
                  name: { type: 'string', pattern: '^(?!default$)(?!ci/)[A-Za-z0-9][A-Za-z0-9._/-]*$', maxLength: 100, description: 'Name of the value set (not default, not starting with ci/).' },
                  values: { type: 'array', items: { type: 'string' }, description: 'Values files (relative to this file).' },
                  set: { type: 'array', items: { type: 'string', pattern: '^[^=]+=' }, description: 'key=value pairs.' },
                },
              },
            },
          },
        },
      },
      valueSets: {
        type: 'object',
        additionalProperties: false,
        description: "Value sets: a chart is rendered with its defaults, every ci/*-values.yaml (the chart-testing convention) and the sets named under charts; findings are merged across sets.",
        properties: {
          ci: { type: 'boolean', description: 'Render each ci/*-values.yaml of a chart as a value set (default true).' },
          severity: {
            type: 'string',
            enum: ['keep', ...SEVERITIES],
            description: "Highest severity of a finding that only a value set other than the chart's defaults shows (default medium, so it is reported without blocking at fail-on high); keep leaves rule severities alone.",
          },
        },
      },
      provenance: {
        description: 'Locating findings in rendered charts at the values.yaml line and template line that cause them (true, false, or settings).',
        oneOf: [
          { type: 'boolean' },
          {
            type: 'object',
            additionalProperties: false,
            properties: {
              enabled: { type: 'boolean', description: 'Default true.' },
              maxRenders: { type: 'integer', minimum: 1, maximum: 64, description: 'Most extra helm renders per chart and value set spent proving locations (default 8).' },
            },
          },
        ],
      },
      suppressions: {
        type: 'array',
        description: 'Findings accepted on purpose. Suppressed findings stay in every report, marked; expired and unused suppressions are reported.',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['rule', 'reason'],
          properties: {
            rule: { type: 'string', enum: ['*', ...ruleIds], description: 'The rule id (or * for every rule).' },
            reason: { type: 'string', minLength: 1, description: 'Why the finding is accepted (required).' },
            expires: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'Last day (YYYY-MM-DD) the suppression applies; after it the finding counts again and the suppression is reported as expired.' },
            chart: { type: 'string', minLength: 1, description: 'Chart directory or glob, relative to this file.' },
            file: { type: 'string', minLength: 1, description: 'Manifest or template file or glob, relative to this file.' },
            valueSet: { type: 'string', minLength: 1, description: 'Only findings of this value set (default, ci/..., or a configured name).' },
            kind: { type: 'string', minLength: 1, description: 'Object kind (glob).' },
            namespace: { type: 'string', minLength: 1, description: 'Object namespace (glob).' },
            name: { type: 'string', minLength: 1, description: 'Object name (glob).' },
            container: { type: 'string', minLength: 1, description: 'Container name (glob): only findings about this container.' },
          },
        },
      },
      helm: {
        type: 'object',
        additionalProperties: false,
        description: 'How charts are rendered.',
        properties: {
          releaseName: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 53, description: 'Release name (default release).' },
          namespace: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63, description: 'Release namespace (default default).' },
          kubeVersion: { type: 'string', pattern: '^v?1\\.[0-9]+(\\.[0-9]+)?$', description: 'Kubernetes version given to helm template --kube-version, with the API versions it serves (default 1.34.0).' },
          // The configuration may come with the pull request: every bound has a maximum it cannot pass.
          timeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: B.timeoutSeconds.max, description: `Seconds one render may take (default ${B.timeoutSeconds.default}, at most ${B.timeoutSeconds.max}).` },
          totalTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: B.totalTimeoutSeconds.max, description: `Seconds all renders of one scan may take together; renders still running then are stopped, later ones not started (default ${B.totalTimeoutSeconds.default}, at most ${B.totalTimeoutSeconds.max}).` },
          memoryLimitMiB: { type: 'integer', minimum: B.memoryLimitMiB.min, maximum: B.memoryLimitMiB.max, description: `Hard limit of one helm process's memory in MiB (RLIMIT_DATA; default ${B.memoryLimitMiB.default}, ${B.memoryLimitMiB.min} to ${B.memoryLimitMiB.max}).` },
          maxOutputMiB: { type: 'integer', minimum: 1, maximum: B.maxOutputMiB.max, description: `Most output of one render in MiB; helm is stopped past it (default ${B.maxOutputMiB.default}, at most ${B.maxOutputMiB.max}).` },
          maxRenders: { type: 'integer', minimum: 1, maximum: B.maxRenders.max, description: `Most helm runs in one scan: charts times value sets, provenance re-renders, Terraform releases (default ${B.maxRenders.default}, at most ${B.maxRenders.max}).` },
          valuesFiles: { type: 'array', items: { type: 'string' }, description: 'Values files (relative to the config file) for every chart.' },
          set: { type: 'array', items: { type: 'string', pattern: '^[^=]+=' }, description: 'key=value pairs for every chart.' },
        },
      },
    },
  } as const;
}
