// The one declaration of `.preadmit.yaml`. The JSON Schema in schemas/config.schema.json is generated
// from this (npm run generate) and a test fails when the two drift.
import { SEVERITIES } from './model.ts';

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
      include: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Globs (minimatch) of repository paths to scan; default everything.' },
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
            values: { type: 'array', items: { type: 'string' }, description: 'Values files (relative to this file) for the default render.' },
            set: { type: 'array', items: { type: 'string', pattern: '^[^=]+=' }, description: 'key=value pairs for the default render.' },
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
          kubeVersion: { type: 'string', pattern: '^v?1\\.[0-9]+(\\.[0-9]+)?$', description: 'Kubernetes version given to helm template --kube-version.' },
          timeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 3600, description: 'Per-render timeout (default 120).' },
          valuesFiles: { type: 'array', items: { type: 'string' }, description: 'Values files (relative to the config file) for every chart.' },
          set: { type: 'array', items: { type: 'string', pattern: '^[^=]+=' }, description: 'key=value pairs for every chart.' },
        },
      },
    },
  } as const;
}
