// Literal credentials in env values and ConfigMaps, and the shared detector behind both rules.
// Token-shaped fixtures are assembled at runtime so this file does not itself look like a leak to scanners.
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import secretLiteralAnnotation from '../../rules/secret-literal-annotation.ts';
import secretLiteralArgs from '../../rules/secret-literal-args.ts';
import secretLiteralConfigmap from '../../rules/secret-literal-configmap.ts';
import secretLiteralEnv from '../../rules/secret-literal-env.ts';
import secretLiteralFormat from '../../rules/secret-literal-format.ts';
import {
  clearlyNotCredential,
  credentialName,
  detectLiteralSecret,
  embeddedEntries,
  knownFormat,
  nameWords,
  pairedAwsSecrets,
  redact,
  shannonEntropy,
} from '../../src/secrets/secret-literal.ts';
import { runRule, testRule } from '../helpers/rule-tester.ts';

type Json = Record<string, unknown>;

const RANDOM = 'Q7r8S9t0U1v2W3x4Y5z6A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6';
const LONG = RANDOM.repeat(4).split('').reverse().join('');
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** A GitHub/npm-style token: prefix, 30 random characters, their CRC-32 in base62 (6 characters). */
function checksummed(prefix: string, body: string): string {
  let n = crc32(body);
  let sum = '';
  for (let i = 0; i < 6; i++, n = Math.floor(n / 62)) sum = BASE62[n % 62] + sum;
  return prefix + body + sum;
}
const TOKENS = {
  aws: ['AK', 'IA', 'Z7Q4M2XKSPL3RTEW'].join(''),
  awsDocExample: ['AK', 'IA', 'IOSFODNN7', 'EXAMPLE'].join(''),
  github: checksummed(['gh', 'p_'].join(''), RANDOM.slice(0, 30)),
  githubBadChecksum: ['gh', 'p_', RANDOM.slice(0, 36)].join(''),
  githubPlaceholder: ['gh', 'p_', 'x'.repeat(36)].join(''),
  slack: ['xo', 'xb-', '2417093551-', RANDOM.slice(0, 24)].join(''),
  jwt: ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiJ3ZWIiLCJpYXQiOjE3MDAwMDAwMDB9', RANDOM.slice(0, 43)].join('.'),
  pem: ['-----BEGIN ', 'RSA PRIVATE KEY-----\n', 'MIIEpAIBAAKCAQEA', RANDOM, '\n-----END RSA PRIVATE KEY-----\n'].join(''),
  url: ['postgres://app:', 'S3cr3t-Pa55', '@db.internal:5432/shop'].join(''),
  githubFineGrained: ['github', '_pat_', RANDOM.slice(0, 22), '_', LONG.slice(0, 59)].join(''),
  gitlab: ['gl', 'pat-', RANDOM.slice(3, 23)].join(''),
  stripe: ['sk', '_live_', RANDOM.slice(5, 29)].join(''),
  google: ['AI', 'za', RANDOM.slice(0, 35)].join(''),
  sendgrid: ['SG', '.', RANDOM.slice(0, 22), '.', LONG.slice(0, 43)].join(''),
  npm: checksummed(['np', 'm_'].join(''), RANDOM.slice(10, 40)),
  openai: ['sk-', 'proj-', LONG.slice(0, 58), 'T3Blbk', 'FJ', LONG.slice(60, 118)].join(''),
  openaiLegacy: ['sk-', RANDOM.slice(0, 20), 'T3Blbk', 'FJ', LONG.slice(0, 20)].join(''),
  anthropic: ['sk-', 'ant-', 'api03-', LONG.slice(0, 93), 'AA'].join(''),
  azure: ['DefaultEndpointsProtocol=https;AccountName=acct;', 'Account', 'Key=', Buffer.from(LONG.slice(0, 64)).toString('base64'), ';EndpointSuffix=core.windows.net'].join(''),
  vault: ['hv', 's.', LONG.slice(0, 95)].join(''),
  bearer: ['Bea', 'rer ', RANDOM.slice(0, 40)].join(''),
  basic: ['Bas', 'ic ', Buffer.from('admin:S3cr3t-pw!').toString('base64')].join(''),
  connection: ['Server=db;Database=shop;User Id=app;', 'Password=', 'Hunt3r-2xyz;'].join(''),
  awsSecret: ['wJalrXUtnFEMI', '/K7MDENG/bPxRfiCY', 'Q2W3E4R5T6'].join(''),
};

describe('secret-literal detector', () => {
  it('splits names into words', () => {
    expect(nameWords('DB_PASSWORD')).toEqual(['db', 'password']);
    expect(nameWords('dbPassword')).toEqual(['db', 'password']);
    expect(nameWords('APIKey')).toEqual(['api', 'key']);
    expect(nameWords('spring.datasource.password')).toEqual(['spring', 'datasource', 'password']);
  });

  it.each(['DB_PASSWORD', 'dbPassword', 'MYSQL_ROOT_PASSWORD', 'api_key', 'APIKey', 'apikey', 'AWS_SECRET_ACCESS_KEY', 'SECRET_KEY_BASE', 'JWT_SECRET', 'client-secret', 'GITHUB_TOKEN', 'DB_PASS', 'SMTP_PWD', 'PRIVATE_KEY', 'APP_KEY', 'credentials', 'htpasswd', 'DBPWD', 'smtp_passwd', 'apiKey', 'ClientCredential', 'REGISTRY_AUTH_TOKEN'])(
    '%s names a credential',
    (name) => expect(credentialName(name)).toBe('strong'),
  );

  it.each(['TOKEN_FILE', 'PASSWORD_PATH', 'SECRET_NAME', 'DB_SECRET_REF', 'AUTH_ENABLED', 'TOKEN_TTL', 'PASSWORD_MIN_LENGTH', 'TOKEN_URL', 'AWS_ACCESS_KEY_ID', 'existingSecret', 'GF_SECURITY_ADMIN_PASSWORD__FILE', 'TOKENIZER', 'PASSWORDLESS_LOGIN', 'BYPASS', 'PWD', 'SECRETS_PROVIDER', 'TOKEN_TYPE', 'USE_TOKEN', 'POSTGRES_HOST_AUTH_METHOD', 'OLDPWD', 'secretKeyRef', 'keyRef', 'API_KEY_ID', 'DB_PASSWORD_FILE', 'adminPasswordKey', 'existingSecretPasswordKey', 'tokenKey', 'registryCredentialHelpers'])(
    '%s does not',
    (name) => expect(credentialName(name)).toBeUndefined(),
  );

  it('treats other *_key names as keys: only random key material counts', () => {
    expect(credentialName('azure_batch_key')).toBe('key');
    expect(credentialName('CACHE_KEY')).toBe('key');
    expect(detectLiteralSecret('azure_batch_key', Buffer.from(LONG.slice(0, 32)).toString('base64'))?.signal).toBe('name');
    expect(detectLiteralSecret('CACHE_KEY', 'user-session-prefix')).toBeUndefined();
    expect(detectLiteralSecret('PARTITION_KEY', 'tenantId')).toBeUndefined();
    expect(detectLiteralSecret('routing-key', 'orders.created.v1')).toBeUndefined();
  });

  it('treats *_AUTH as weak: only credential-shaped values count', () => {
    expect(credentialName('BASIC_AUTH')).toBe('weak');
    expect(detectLiteralSecret('BASIC_AUTH', 'admin:admin')?.signal).toBe('name');
    expect(detectLiteralSecret('PROXY_AUTH', 'ntlm')).toBeUndefined();
  });

  it.each(['', '  ', 'true', 'No', '0', '3600', '30s', '1Gi', '/var/run/secrets/token', './pw.txt', 'C:\\secrets\\pw', 'https://auth.example.com/token', '$(DB_PASSWORD)', 'prefix-${PW}', "{{ .Values.password }}", '$__env{PW}', '$PW', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db', 'vault:secret/data/db#password', 'ref+vault://db/password', 'ENC[AES256_GCM,data:abc]', '{cipher}abc', '********', 'null'])(
    'value %j is clearly not a credential',
    (value) => expect(clearlyNotCredential(value)).toBe(true),
  );

  it.each(['changeme', 'admin', 'hunter2', 'correct horse battery staple', '<your-password>', TOKENS.url])('value %j may be one', (value) => {
    expect(clearlyNotCredential(value)).toBe(false);
  });

  it('recognises token formats, with entropy and the documented AWS example excluded', () => {
    expect(knownFormat(TOKENS.aws)?.what).toBe('an AWS access key ID');
    expect(knownFormat(TOKENS.awsDocExample)).toBeUndefined();
    expect(knownFormat(`token: ${TOKENS.github}`)?.what).toBe('a GitHub token');
    expect(knownFormat(TOKENS.githubPlaceholder)).toBeUndefined();
    expect(knownFormat(TOKENS.githubBadChecksum)).toBeUndefined();
    expect(knownFormat(TOKENS.slack)?.what).toBe('a Slack token');
    expect(knownFormat(['https://hooks.slack.com/services/', 'T0A1B2C3D/B4E5F6G7H/', RANDOM.slice(0, 24)].join(''))?.what).toBe('a Slack webhook URL');
    expect(knownFormat(TOKENS.jwt)?.what).toBe('a JSON Web Token');
    expect(knownFormat(TOKENS.pem)?.what).toBe('a PEM private key');
    expect(knownFormat('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----')).toBeUndefined();
    expect(knownFormat('-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----')).toBeUndefined();
    expect(knownFormat(TOKENS.url)?.what).toBe('a URL with an embedded password');
    expect(knownFormat('postgres://app:$(DB_PASSWORD)@db:5432/shop')).toBeUndefined();
    expect(knownFormat('postgres://app@db:5432/shop')).toBeUndefined();
    expect(knownFormat('https://user:<password>@example.com')).toBeUndefined();
  });

  it.each([
    ['githubFineGrained', 'a GitHub token'],
    ['gitlab', 'a GitLab token'],
    ['stripe', 'a Stripe live key'],
    ['google', 'a Google API key'],
    ['sendgrid', 'a SendGrid API key'],
    ['npm', 'an npm token'],
    ['openai', 'an OpenAI API key'],
    ['openaiLegacy', 'an OpenAI API key'],
    ['anthropic', 'an Anthropic API key'],
    ['azure', 'an Azure storage account key'],
    ['vault', 'a HashiCorp Vault token'],
    ['bearer', 'a bearer token'],
    ['basic', 'HTTP basic credentials'],
    ['connection', 'a connection string with a password'],
  ] as const)('recognises %s as %s', (token, what) => {
    expect(knownFormat(TOKENS[token])?.what).toBe(what);
  });

  it.each([
    ['a checksum-less npm token', ['np', 'm_', RANDOM.slice(0, 36)].join('')],
    ['a Stripe test key', ['sk', '_test_', RANDOM.slice(0, 24)].join('')],
    ['an OpenAI-like key without its marker', ['sk-', RANDOM.slice(0, 48)].join('')],
    ['a JWT-shaped string whose header has no alg', [Buffer.from('{"typ":"JWT"}').toString('base64url'), 'eyJzdWIiOiJ3ZWIiLCJpYXQiOjE3MDAwMDAwMDB9', RANDOM.slice(0, 43)].join('.')],
    ['a bearer reference', 'Bearer $(API_TOKEN)'],
    ['a bearer template', 'Bearer ${TOKEN_FROM_ENV}'],
    ['a bearer placeholder', `Bearer ${'x'.repeat(32)}`],
    ['basic words', 'Basic authentication is enabled'],
    ['a connection string with a reference', 'Server=db;Password=${DB_PASSWORD};'],
    ['a connection string with a mask', 'Server=db;Password=********;'],
    ['a sentence with a password', 'Password=see the docs'],
    ['a GitLab placeholder', ['gl', 'pat-', 'x'.repeat(20)].join('')],
  ])('does not take %s for a credential', (_, value) => {
    expect(knownFormat(value)).toBeUndefined();
  });

  it('pairs an AWS secret access key with its access key ID', () => {
    expect([...pairedAwsSecrets([TOKENS.aws, TOKENS.awsSecret, 'info'])]).toEqual([1]);
    expect([...pairedAwsSecrets(['info', TOKENS.awsSecret])]).toEqual([]);
    expect([...pairedAwsSecrets([TOKENS.aws, 'a'.repeat(40)])]).toEqual([]);
  });

  it('measures entropy in bits per character', () => {
    expect(shannonEntropy('')).toBe(0);
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
  });

  it('redacts to a length only', () => {
    expect(redact('hunter2')).toBe('<redacted, 7 chars>');
    expect(redact(1)).toBe('<redacted, 1 char>');
  });

  it('finds entries embedded in configuration files, skipping comments and nested blocks', () => {
    const content = [
      '# password: commented-out',
      'spring.datasource.password=hunter2',
      'db:',
      '  password: "s3cret" # trailing comment',
      '  options: |',
      '{"apiKey": "abc123def", "port": 5432}',
      '<password>pw</password>',
      'export API_TOKEN=xyz',
    ].join('\n');
    expect(embeddedEntries(content).map((e) => [e.line, e.key, e.value])).toEqual([
      [2, 'spring.datasource.password', 'hunter2'],
      [3, 'db', ''],
      [4, 'password', 's3cret'],
      [6, 'apiKey', 'abc123def'],
      [7, 'password', 'pw'],
      [8, 'API_TOKEN', 'xyz'],
    ]);
  });

  it('does not take code for literals', () => {
    const script = [
      'const secretData = JSON.stringify({',
      '  "data": {',
      '    "token": base64Token,',
      '  },',
      '})',
      'password = os.getenv("DB_PASSWORD")',
      "token = response.json()['token']",
      'api_key: args.api_key',
      'connect(password=password)',
      'secret = "literal-in-code"',
    ].join('\n');
    expect(embeddedEntries(script).map((e) => [e.line, e.key, e.value])).toEqual([[10, 'secret', 'literal-in-code']]);
  });
});

function workload(kind: 'Pod' | 'Deployment' | 'CronJob', spec: Json): string {
  const metadata = { name: 'web' };
  const template = { metadata: { labels: { app: 'web' } }, spec };
  if (kind === 'Pod') return stringify({ apiVersion: 'v1', kind, metadata, spec });
  if (kind === 'CronJob') return stringify({ apiVersion: 'batch/v1', kind, metadata, spec: { schedule: '0 * * * *', jobTemplate: { spec: { template } } } });
  return stringify({ apiVersion: 'apps/v1', kind, metadata, spec: { selector: {}, template } });
}

const withEnv = (kind: 'Pod' | 'Deployment' | 'CronJob', env: unknown, list = 'containers') => workload(kind, { containers: [], [list]: [{ name: 'app', image: 'app:1', env }] });

const DEPLOY = '/spec/template';
const CRON = '/spec/jobTemplate/spec/template';

testRule(secretLiteralEnv, {
  valid: [
    {
      name: 'secretKeyRef and descriptive names',
      yaml: withEnv('Deployment', [
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        { name: 'TOKEN_FILE', value: '/var/run/secrets/tokens/api' },
        { name: 'PASSWORD_PATH', value: 'db/password' },
        { name: 'SECRET_NAME', value: 'db-credentials' },
        { name: 'DB_SECRET_REF', value: 'db-credentials' },
        { name: 'AUTH_ENABLED', value: 'true' },
        { name: 'TOKEN_TTL', value: '3600' },
        { name: 'MYSQL_ALLOW_EMPTY_PASSWORD', value: 'yes' },
      ]),
    },
    {
      name: 'references, empty values and URLs without passwords (CronJob)',
      yaml: withEnv('CronJob', [
        { name: 'DB_PASSWORD', value: '' },
        { name: 'API_TOKEN', value: '$(TOKEN_FROM_SECRET)' },
        { name: 'DATABASE_URL', value: 'postgres://app@db:5432/shop' },
        { name: 'AUTH_TOKEN', value: 'https://vault.example.com/v1/auth' },
        { name: 'DSN', value: 'postgres://app:$(DB_PASSWORD)@db:5432/shop' },
      ]),
    },
    {
      name: 'references, placeholders and non-secret keys',
      yaml: withEnv('Deployment', [
        { name: 'AUTH_HEADER', value: 'Bearer $(API_TOKEN)' },
        { name: 'GH', value: TOKENS.githubBadChecksum },
        { name: 'CACHE_KEY', value: 'user-session-prefix' },
        { name: 'AWS_ACCESS_KEY_ID_FILE', value: '/var/run/aws/id' },
        { name: 'STRIPE', value: ['sk', '_test_', RANDOM.slice(0, 24)].join('') },
        { name: 'DSN', value: 'Server=db;Database=shop;Password=$(DB_PASSWORD);' },
      ]),
    },
    { name: 'env is a map', yaml: withEnv('Deployment', { DB_PASSWORD: 'hunter2' }) },
    { name: 'env items malformed', yaml: withEnv('Deployment', [5, null, { name: 7, value: 'hunter2' }, { name: 'DB_PASSWORD', value: 12345 }, { name: 'X', value: ['a'] }]) },
    { name: 'containers is a string', yaml: workload('Deployment', { containers: 'oops' }) },
  ],
  invalid: [
    {
      name: 'shipped default password in a Deployment',
      yaml: withEnv('Deployment', [
        { name: 'LOG_LEVEL', value: 'info' },
        { name: 'ADMIN_PASSWORD', value: 'changeme' },
      ]),
      findings: [{ path: `${DEPLOY}/spec/containers/0/env/1/value`, message: 'container "app" sets ADMIN_PASSWORD to a literal value <redacted, 8 chars>' }],
    },
    {
      name: 'known formats under innocent names in a CronJob init container',
      yaml: withEnv('CronJob', [
        { name: 'AWS_ACCESS_KEY_ID', value: TOKENS.aws },
        { name: 'DATABASE_URL', value: TOKENS.url },
        { name: 'CONFIG', value: `token=${TOKENS.github}` },
      ], 'initContainers'),
      findings: [
        { path: `${CRON}/spec/initContainers/0/env/0/value`, message: 'sets AWS_ACCESS_KEY_ID to what looks like an AWS access key ID <redacted, 20 chars>' },
        { path: `${CRON}/spec/initContainers/0/env/1/value`, message: 'a URL with an embedded password' },
        { path: `${CRON}/spec/initContainers/0/env/2/value`, message: 'a GitHub token' },
      ],
    },
    {
      name: 'a bearer token in a header value, an AWS key pair, cloud and SaaS keys under innocent names',
      yaml: withEnv('Deployment', [
        { name: 'AUTH_HEADER', value: `Authorization: ${TOKENS.bearer}` },
        { name: 'S3_ID', value: TOKENS.aws },
        { name: 'S3_KEY_MATERIAL', value: TOKENS.awsSecret },
        { name: 'OPENAI', value: TOKENS.openai },
        { name: 'CLAUDE', value: TOKENS.anthropic },
        { name: 'MAIL', value: TOKENS.sendgrid },
        { name: 'STORAGE', value: TOKENS.azure },
        { name: 'azure_batch_key', value: Buffer.from(LONG.slice(0, 32)).toString('base64') },
      ]),
      findings: [
        { path: `${DEPLOY}/spec/containers/0/env/0/value`, message: 'sets AUTH_HEADER to what looks like a bearer token <redacted, 47 chars>' },
        { path: `${DEPLOY}/spec/containers/0/env/1/value`, message: 'an AWS access key ID' },
        { path: `${DEPLOY}/spec/containers/0/env/2/value`, message: 'sets S3_KEY_MATERIAL to what looks like an AWS secret access key <redacted, 40 chars>' },
        { path: `${DEPLOY}/spec/containers/0/env/3/value`, message: 'an OpenAI API key' },
        { path: `${DEPLOY}/spec/containers/0/env/4/value`, message: 'an Anthropic API key' },
        { path: `${DEPLOY}/spec/containers/0/env/5/value`, message: 'a SendGrid API key' },
        { path: `${DEPLOY}/spec/containers/0/env/6/value`, message: 'an Azure storage account key' },
        { path: `${DEPLOY}/spec/containers/0/env/7/value`, message: 'sets azure_batch_key to a literal value' },
      ],
    },
    {
      name: 'camelCase and compound names, ephemeral container',
      yaml: withEnv('Pod', [
        { name: 'apiKey', value: 'k-12ab34cd' },
        { name: 'BASIC_AUTH', value: 'admin:admin' },
        { name: 'SLACK', value: TOKENS.slack },
      ], 'ephemeralContainers'),
      findings: [{ path: '/spec/ephemeralContainers/0/env/0/value' }, { path: '/spec/ephemeralContainers/0/env/1/value' }, { path: '/spec/ephemeralContainers/0/env/2/value' }],
    },
  ],
});

const configMap = (data: unknown) => stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config' }, data });
const binaryConfigMap = (binaryData: unknown) => stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-files' }, binaryData });
const b64 = (content: string | Buffer) => Buffer.from(content).toString('base64');
const OPENSSH_KEY = ['-----BEGIN ', 'OPENSSH PRIVATE KEY-----\n', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmU', RANDOM, '\n-----END OPENSSH ', 'PRIVATE KEY-----\n'].join('');

/** Every format under an innocent key, named as the message names it. */
const EVERY_FORMAT: [keyof typeof TOKENS, string][] = [
  ['pem', 'a PEM private key'],
  ['aws', 'an AWS access key ID'],
  ['github', 'a GitHub token'],
  ['githubFineGrained', 'a GitHub token'],
  ['gitlab', 'a GitLab token'],
  ['slack', 'a Slack token'],
  ['npm', 'an npm token'],
  ['stripe', 'a Stripe live key'],
  ['google', 'a Google API key'],
  ['sendgrid', 'a SendGrid API key'],
  ['openai', 'an OpenAI API key'],
  ['openaiLegacy', 'an OpenAI API key'],
  ['anthropic', 'an Anthropic API key'],
  ['azure', 'an Azure storage account key'],
  ['vault', 'a HashiCorp Vault token'],
  ['jwt', 'a JSON Web Token'],
  ['bearer', 'a bearer token'],
  ['basic', 'HTTP basic credentials'],
  ['url', 'a URL with an embedded password'],
  ['connection', 'a connection string with a password'],
];

testRule(secretLiteralConfigmap, {
  valid: [
    {
      name: 'placeholders and look-alikes of every format',
      yaml: configMap({
        github: TOKENS.githubPlaceholder,
        githubNoChecksum: TOKENS.githubBadChecksum,
        npm: ['np', 'm_', RANDOM.slice(0, 36)].join(''),
        stripeTest: ['sk', '_test_', RANDOM.slice(0, 24)].join(''),
        awsDocs: TOKENS.awsDocExample,
        bearer: 'Authorization: Bearer $(TOKEN)',
        basic: 'uses Basic authentication',
        jwtLike: [Buffer.from('{"typ":"JWT"}').toString('base64url'), 'eyJzdWIiOiJ3ZWIiLCJpYXQiOjE3MDAwMDAwMDB9', RANDOM.slice(0, 43)].join('.'),
        dsn: 'Server=db;Database=shop;Password=${DB_PASSWORD};',
        cert: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      }),
    },
    {
      name: 'ordinary configuration',
      yaml: configMap({
        LOG_LEVEL: 'info',
        'password-policy': 'min 12 chars',
        TOKEN_TTL: '3600',
        'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n',
        'app.properties': 'server.port=8080\n# spring.datasource.password=old\nspring.datasource.password=${DB_PASSWORD}\nspring.datasource.url=jdbc:postgresql://db/shop\n',
        'config.json': '{"auth": {"enabled": true, "tokenFile": "/var/run/secrets/token"}}',
      }),
    },
    { name: 'data is a list', yaml: configMap(['password=hunter2']) },
    { name: 'data values of other types', yaml: configMap({ password: 12345, token: null, nested: { password: 'x' } }) },
    {
      name: 'binaryData: binary content, a certificate, ordinary text and values of other types',
      yaml: binaryConfigMap({
        'logo.png': b64(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]), Buffer.from(RANDOM)])),
        'ca.crt': b64('-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n'),
        'app.properties': b64('server.port=8080\nspring.datasource.password=${DB_PASSWORD}\n'),
        'token-ttl': b64('3600'),
        password: 12345,
        secret: null,
      }),
    },
    {
      name: 'binaryData: a name signal needs text, not binary content',
      yaml: binaryConfigMap({ password: b64(Buffer.from([0x00, 0x01, 0xfe, 0xff, 0x10, 0x80, 0x7f, 0x02])) }),
    },
    {
      name: 'binaryData: only the first 1 MiB (a ConfigMap\'s limit) is decoded',
      yaml: binaryConfigMap({ 'blob.bin': b64(Buffer.concat([Buffer.alloc(1024 * 1024 + 3, 0x20), Buffer.from(OPENSSH_KEY)])) }),
    },
  ],
  invalid: [
    {
      name: 'every format under an innocent key',
      yaml: configMap(Object.fromEntries(EVERY_FORMAT.map(([token], i) => [`value-${i}`, `see ${TOKENS[token]} here`]))),
      findings: EVERY_FORMAT.map(([, what], i) => ({ path: `/data/value-${i}`, message: `ConfigMap key "value-${i}" contains what looks like ${what} <redacted, ` })),
    },
    {
      name: 'credential-named keys',
      yaml: configMap({ 'db.password': 'hunter2', LOG_LEVEL: 'debug', API_KEY: 'k-12ab34cd', token: 'block-scalar-token\n' }),
      findings: [
        { path: '/data/db.password', message: 'ConfigMap key "db.password" holds a literal credential <redacted, 7 chars>' },
        { path: '/data/API_KEY' },
        { path: '/data/token' },
      ],
    },
    {
      name: 'a private key and a token under innocent keys, key with a slash',
      yaml: configMap({ 'tls/key.pem': TOKENS.pem, notes: `deploy with ${TOKENS.jwt}` }),
      findings: [
        { path: '/data/tls~1key.pem', message: 'contains what looks like a PEM private key' },
        { path: '/data/notes', message: 'a JSON Web Token' },
      ],
    },
    {
      name: 'binaryData: an OpenSSH private key, a credential-named key and an embedded file, decoded from base64',
      yaml: binaryConfigMap({
        id_rsa: b64(OPENSSH_KEY),
        password: b64('hunter2'),
        'application.yaml': b64('spring:\n  datasource:\n    password: hunter2\n'),
        'keystore.bin': b64(Buffer.concat([Buffer.from([0x30, 0x82, 0xff, 0xfe, 0x00]), Buffer.from(TOKENS.pem), Buffer.from([0x00, 0xff])])),
        'wrapped.b64': b64(OPENSSH_KEY).replace(/(.{76})/g, '$1\n'),
      }),
      findings: [
        { path: '/binaryData/id_rsa', message: 'ConfigMap key "id_rsa" contains what looks like a PEM private key <redacted, ' },
        { path: '/binaryData/password', message: 'ConfigMap key "password" holds a literal credential <redacted, 7 chars>' },
        { path: '/binaryData/application.yaml', message: 'sets "password" (line 3) to a literal credential <redacted, 7 chars>' },
        { path: '/binaryData/keystore.bin', message: 'a PEM private key' },
        { path: '/binaryData/wrapped.b64', message: 'a PEM private key' },
      ],
    },
    {
      name: 'an AWS key pair split across data and binaryData, key with a slash',
      yaml: stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws' }, data: { id: TOKENS.aws }, binaryData: { 'aws/secret': b64(TOKENS.awsSecret) } }),
      findings: [
        { path: '/data/id', message: 'an AWS access key ID' },
        { path: '/binaryData/aws~1secret', message: 'ConfigMap key "aws/secret" contains what looks like an AWS secret access key <redacted, 40 chars>' },
      ],
    },
    {
      name: 'credentials inside embedded configuration files',
      yaml: configMap({
        'application.yaml': 'spring:\n  datasource:\n    url: jdbc:postgresql://db/shop\n    password: hunter2\nredis:\n  password: "r3dis"\n',
        '.env': 'PORT=8080\nSTRIPE_SECRET=abc123xyz\n',
        'settings.json': '{"smtp": {"host": "mail", "password": "m4il-pw"}}',
      }),
      findings: [
        { path: '/data/application.yaml', message: 'sets "password" (line 4) to a literal credential <redacted, 7 chars> and 1 more' },
        { path: '/data/.env', message: 'sets "STRIPE_SECRET" (line 2)' },
        { path: '/data/settings.json', message: 'sets "password" (line 1)' },
      ],
    },
  ],
});

describe('secret-literal messages never contain the value', () => {
  const secretValues = ['changeme', 'hunter2', 'r3dis', TOKENS.aws, TOKENS.url, TOKENS.github];
  it('env', () => {
    const findings = runRule(secretLiteralEnv, withEnv('Deployment', [
      { name: 'ADMIN_PASSWORD', value: 'changeme' },
      { name: 'AWS_ACCESS_KEY_ID', value: TOKENS.aws },
      { name: 'DATABASE_URL', value: TOKENS.url },
      { name: 'GH', value: TOKENS.github },
    ]));
    expect(findings).toHaveLength(4);
    for (const finding of findings) for (const value of secretValues) expect(JSON.stringify(finding)).not.toContain(value);
  });
  it('every format', () => {
    const findings = runRule(secretLiteralConfigmap, configMap(Object.fromEntries(EVERY_FORMAT.map(([token], i) => [`value-${i}`, TOKENS[token]]))));
    expect(findings).toHaveLength(EVERY_FORMAT.length);
    for (const finding of findings) for (const [token] of EVERY_FORMAT) expect(JSON.stringify(finding)).not.toContain(TOKENS[token].trim().split('\n')[1] ?? TOKENS[token]);
  });
  it('configmap', () => {
    const findings = runRule(secretLiteralConfigmap, configMap({ password: 'hunter2', 'app.yaml': 'redis:\n  password: r3dis\n', aws: TOKENS.aws }));
    expect(findings).toHaveLength(3);
    for (const finding of findings) for (const value of secretValues) expect(JSON.stringify(finding)).not.toContain(value);
  });
});

const withCommand = (command: unknown, args: unknown) => workload('Deployment', { containers: [{ name: 'app', image: 'app:1', command, args }] });
const withHandlers = (handlers: Json) => workload('Deployment', { containers: [{ name: 'app', image: 'app:1', ...handlers }] });

testRule(secretLiteralArgs, {
  valid: [
    {
      name: 'file paths, references and flags without values',
      yaml: withCommand(['/app'], ['--password-file=/run/secrets/pw', '--token', '$(API_TOKEN)', '--api-key=$(API_KEY)', '--password', '--verbose', 'PASSWORD=', '--secret-name=db-credentials', '--imagePullSecrets=regcred,regcred2', '--tls-secret', 'kube-system/ingress-tls', 'sh -c "curl -H \'Authorization: Bearer $TOKEN\'"']),
    },
    { name: 'command and args of other types', yaml: withCommand('run', [5, null, { a: 1 }]) },
    {
      name: 'hooks and probes without credentials: references, paths, plain headers and queries',
      yaml: withHandlers({
        lifecycle: {
          postStart: { exec: { command: ['sh', '-c', 'curl -H "Authorization: Bearer $API_TOKEN" http://localhost/warm', '--token-file=/run/secrets/token'] } },
          preStop: { httpGet: { path: '/shutdown?grace=30s', port: 8080, httpHeaders: [{ name: 'X-Drain', value: 'true' }, { name: 'Authorization', value: 'Bearer $(API_TOKEN)' }] } },
        },
        livenessProbe: { httpGet: { path: '/healthz?verbose=1&token_ttl=60', port: 8080, httpHeaders: [{ name: 'Accept', value: 'application/json' }, { name: 'X-Api-Key', value: '' }, { name: 'Authorization', value: 'Basic' }] } },
        readinessProbe: { exec: { command: ['sh', '-c', 'mysql --password=$(cat /run/secrets/pw) -e "select 1" && PGPASSWORD="$(cat /pw)" psql -c \'select 1\' && redis-cli --pass=`cat /pw` ping'] } },
        startupProbe: { grpc: { port: 9090, service: 'grpc.health.v1.Health' } },
      }),
    },
    {
      name: 'hooks and probes of other types',
      yaml: withHandlers({ lifecycle: 'oops', livenessProbe: { exec: { command: 'cat /tmp/token' }, httpGet: { httpHeaders: [null, { name: 5, value: 'x' }, { name: 'X-Api-Key', value: 7 }], path: 9 } }, readinessProbe: [], startupProbe: { grpc: { service: 3 } } }),
    },
  ],
  invalid: [
    {
      name: 'assignments, flag values and formats',
      yaml: withCommand(['sh', '-c', `curl -H "Authorization: ${TOKENS.bearer}" https://api.example.com`], ['--db-password=hunter22', '--api-token', 'abcd1234efgh', `--gh=${TOKENS.github}`, 'export DB_PASS=s3cr3t-pw && run']),
      findings: [
        { path: `${DEPLOY}/spec/containers/0/command/2`, message: 'container "app" passes what looks like a bearer token <redacted, 47 chars> in command[2]' },
        { path: `${DEPLOY}/spec/containers/0/args/0`, message: 'container "app" passes a literal credential <redacted, 8 chars> in args[0]' },
        { path: `${DEPLOY}/spec/containers/0/args/2`, message: 'passes a literal credential <redacted, 12 chars> in args[2]' },
        { path: `${DEPLOY}/spec/containers/0/args/3`, message: 'a GitHub token' },
        { path: `${DEPLOY}/spec/containers/0/args/4`, message: 'a literal credential <redacted, 9 chars>' },
      ],
    },
    {
      name: 'the review\'s cases: an AWS key in a postStart exec command, basic credentials in a readiness probe header',
      yaml: withHandlers({
        lifecycle: { postStart: { exec: { command: ['sh', '-c', `aws configure set aws_access_key_id ${TOKENS.aws}`] } } },
        readinessProbe: { httpGet: { path: '/ready', port: 8080, httpHeaders: [{ name: 'Authorization', value: ['Basic ', 'dXNlcjpodW50ZXIy', 'aHVudGVyMg=='].join('') }] } },
      }),
      findings: [
        { path: `${DEPLOY}/spec/containers/0/lifecycle/postStart/exec/command/2`, message: 'container "app" passes what looks like an AWS access key ID <redacted, 20 chars> in lifecycle.postStart.exec.command[2]' },
        { path: `${DEPLOY}/spec/containers/0/readinessProbe/httpGet/httpHeaders/0/value`, message: 'passes what looks like HTTP basic credentials <redacted, 34 chars> in readinessProbe.httpGet.httpHeaders[0] (Authorization)' },
      ],
    },
    {
      name: 'every hook and probe: exec flags, named headers, query parameters, a token scheme, a gRPC service',
      yaml: withHandlers({
        lifecycle: {
          postStart: { httpGet: { path: '/warm', port: 8080, httpHeaders: [{ name: 'X-Api-Key', value: 'k-12ab34cd' }] } },
          preStop: { exec: { command: ['/bin/drain', '--admin-password', 'hunter22'] } },
        },
        livenessProbe: { httpGet: { path: '/healthz?access_token=abc123def456', port: 8080 } },
        readinessProbe: { httpGet: { path: '/ready', port: 8080, httpHeaders: [{ name: 'Authorization', value: `token ${RANDOM.slice(0, 40)}` }, { name: 'PRIVATE-TOKEN', value: TOKENS.gitlab }] } },
        startupProbe: { exec: { command: ['sh', '-c', `PGPASSWORD=s3cr3t-pw psql -c 'select 1'`] } },
      }),
      findings: [
        { path: `${DEPLOY}/spec/containers/0/lifecycle/postStart/httpGet/httpHeaders/0/value`, message: 'passes a literal credential <redacted, 10 chars> in lifecycle.postStart.httpGet.httpHeaders[0] (X-Api-Key)' },
        { path: `${DEPLOY}/spec/containers/0/lifecycle/preStop/exec/command/2`, message: 'passes a literal credential <redacted, 8 chars> in lifecycle.preStop.exec.command[2]' },
        { path: `${DEPLOY}/spec/containers/0/livenessProbe/httpGet/path`, message: 'passes a literal credential <redacted, 12 chars> in livenessProbe.httpGet.path' },
        { path: `${DEPLOY}/spec/containers/0/readinessProbe/httpGet/httpHeaders/0/value`, message: 'passes a literal credential <redacted, 40 chars> in readinessProbe.httpGet.httpHeaders[0] (Authorization)' },
        { path: `${DEPLOY}/spec/containers/0/readinessProbe/httpGet/httpHeaders/1/value`, message: 'a GitLab token' },
        { path: `${DEPLOY}/spec/containers/0/startupProbe/exec/command/2`, message: 'passes a literal credential <redacted, 9 chars> in startupProbe.exec.command[2]' },
      ],
    },
    {
      name: 'init and ephemeral containers of a CronJob and a Job: args, hooks, probes',
      yaml: [
        workload('CronJob', {
          initContainers: [{ name: 'migrate', image: 'app:1', args: ['--db-password=hunter22'], lifecycle: { postStart: { exec: { command: ['sh', '-c', `echo ${TOKENS.github}`] } } } }],
          containers: [{ name: 'app', image: 'app:1', startupProbe: { grpc: { port: 9090, service: TOKENS.jwt } } }],
        }),
        stringify({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'app:1' }], ephemeralContainers: [{ name: 'debug', image: 'busybox', command: ['sh', '-c', `curl -u admin:${'pw-'}x9 ${TOKENS.url}`], readinessProbe: { httpGet: { port: 80, httpHeaders: [{ name: 'Authorization', value: TOKENS.bearer }] } } }] } } } }),
      ].join('---\n'),
      findings: [
        { path: `${CRON}/spec/initContainers/0/args/0`, message: 'container "migrate" passes a literal credential <redacted, 8 chars> in args[0]' },
        { path: `${CRON}/spec/initContainers/0/lifecycle/postStart/exec/command/2`, message: 'a GitHub token' },
        { path: `${CRON}/spec/containers/0/startupProbe/grpc/service`, message: 'a JSON Web Token' },
        { path: '/spec/template/spec/ephemeralContainers/0/command/2', message: 'container "debug" passes what looks like a URL with an embedded password' },
        { path: '/spec/template/spec/ephemeralContainers/0/readinessProbe/httpGet/httpHeaders/0/value', message: 'a bearer token' },
      ],
    },
  ],
});

describe('secret-literal-args messages never contain the value', () => {
  it('hooks and probes', () => {
    const basic = ['Basic ', 'dXNlcjpodW50ZXIy', 'aHVudGVyMg=='].join('');
    const findings = runRule(secretLiteralArgs, withHandlers({
      lifecycle: { postStart: { exec: { command: ['sh', '-c', `export KEY=${TOKENS.aws}`] } } },
      readinessProbe: { httpGet: { path: '/r?api_key=abc123def456', httpHeaders: [{ name: 'Authorization', value: basic }, { name: 'X-Auth-Token', value: 'Tk-9a8b7c6d5e4f' }] } },
    }));
    expect(findings).toHaveLength(4);
    for (const finding of findings) for (const value of [TOKENS.aws, basic, 'dXNlcjpodW50ZXIy', 'abc123def456', 'Tk-9a8b7c6d5e4f']) expect(JSON.stringify(finding)).not.toContain(value);
  });
});

const annotated = (annotations: Json, templateAnnotations?: Json) =>
  stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', annotations },
    spec: { selector: {}, template: { metadata: { labels: { app: 'web' }, ...(templateAnnotations ? { annotations: templateAnnotations } : {}) }, spec: { containers: [{ name: 'app', image: 'app:1' }] } } },
  });

testRule(secretLiteralAnnotation, {
  valid: [
    {
      name: 'Secret references and ordinary annotations',
      yaml: annotated({
        'nginx.ingress.kubernetes.io/auth-secret': 'basic-auth',
        'nginx.ingress.kubernetes.io/auth-secret-type': 'auth-file',
        'vault.hashicorp.com/agent-inject-secret-db': 'database/creds/db',
        'example.com/token-ttl': '3600',
        'checksum/secret': 'a3f1c9e2b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a6',
        description: 'uses Basic authentication',
      }),
    },
    { name: 'annotations of other types', yaml: stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', annotations: { a: 5, b: null } } }) },
  ],
  invalid: [
    {
      name: 'a token format and a credential-named annotation, on the object and its pod template',
      yaml: annotated({ 'example.com/api-token': 'Tk-9a8b7c6d5e4f' }, { 'example.com/webhook': TOKENS.github }),
      findings: [
        { path: '/metadata/annotations/example.com~1api-token', message: 'annotation "example.com/api-token" holds a literal credential <redacted, 15 chars>' },
        { path: '/spec/template/metadata/annotations/example.com~1webhook', message: 'annotation "example.com/webhook" contains what looks like a GitHub token <redacted, 40 chars>' },
      ],
    },
  ],
});

const csiPod = (volumeAttributes: Json, labels: Json = { app: 'web' }) =>
  workload('Pod', { containers: [{ name: 'app', image: 'app:1', volumeMounts: [{ name: 'data', mountPath: '/data' }] }], volumes: [{ name: 'data', csi: { driver: 'blob.csi.azure.com', volumeAttributes } }] }).replace('name: web\n', `name: web\n  labels: ${JSON.stringify(labels)}\n`);

testRule(secretLiteralFormat, {
  valid: [
    {
      name: 'ordinary attributes, labels and a CRD schema example',
      yaml: [
        csiPod({ storageAccount: 'acct', containerName: 'data', secretName: 'blob-credentials', password: 'hunter2-not-a-format' }),
        stringify({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'xs.example.com' }, spec: { versions: [{ name: 'v1', schema: { openAPIV3Schema: { description: `example: ${TOKENS.github}` } } }] } }),
        stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { key: TOKENS.pem, token: TOKENS.github } }),
      ].join('---\n'),
    },
    {
      name: 'places other secret-literal rules report are not reported twice',
      yaml: [
        withEnv('CronJob', [{ name: 'GH', value: TOKENS.github }]),
        withCommand(['sh', '-c', `echo ${TOKENS.aws}`], [TOKENS.jwt]),
        withHandlers({ readinessProbe: { httpGet: { path: `/r?x=${TOKENS.github}`, httpHeaders: [{ name: 'Authorization', value: TOKENS.bearer }] } }, lifecycle: { preStop: { exec: { command: [TOKENS.slack] } } } }),
        configMap({ key: TOKENS.pem }),
        binaryConfigMap({ key: b64(TOKENS.pem) }),
        annotated({ 'example.com/x': TOKENS.github }, { 'example.com/y': TOKENS.github }),
      ].join('---\n'),
    },
  ],
  invalid: [
    {
      name: 'CSI volume attributes, a label, a StorageClass parameter, a custom resource field',
      yaml: [
        csiPod({ storageAccount: 'acct', accountKey: TOKENS.azure, sasToken: TOKENS.jwt }, { app: 'web', deployer: TOKENS.github }),
        stringify({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'example.com/csi', parameters: { endpoint: TOKENS.url } }),
        stringify({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'm' }, spec: { endpoints: [{ port: 'http', params: { token: [TOKENS.slack] } }] } }),
        stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', labels: { owner: TOKENS.github } }, data: { pem: b64(TOKENS.pem) } }),
      ].join('---\n'),
      findings: [
        { path: '/spec/volumes/0/csi/volumeAttributes/accountKey', message: 'Pod field /spec/volumes/0/csi/volumeAttributes/accountKey contains what looks like an Azure storage account key <redacted, ' },
        { path: '/spec/volumes/0/csi/volumeAttributes/sasToken', message: 'a JSON Web Token' },
        { path: '/metadata/labels/deployer', message: 'Pod field /metadata/labels/deployer contains what looks like a GitHub token <redacted, 40 chars>' },
        { path: '/parameters/endpoint', message: 'StorageClass field /parameters/endpoint contains what looks like a URL with an embedded password' },
        { path: '/spec/endpoints/0/params/token/0', message: 'a Slack token' },
        { path: '/metadata/labels/owner', message: 'Secret field /metadata/labels/owner contains what looks like a GitHub token' },
      ],
    },
    {
      name: 'container fields the other rules do not read, in a Deployment template',
      yaml: workload('Deployment', { containers: [{ name: 'app', image: 'app:1', workingDir: `/srv/${TOKENS.github}`, livenessProbe: { httpGet: { host: 'x', port: 80, httpHeaders: [{ name: TOKENS.github, value: 'x' }] } } }] }),
      findings: [
        { path: `${DEPLOY}/spec/containers/0/workingDir`, message: 'Deployment field /spec/template/spec/containers/0/workingDir contains what looks like a GitHub token' },
        { path: `${DEPLOY}/spec/containers/0/livenessProbe/httpGet/httpHeaders/0/name` },
      ],
    },
    {
      name: 'a token written as a mapping key: ConfigMap data, a label key, a custom resource field (reported at the mapping)',
      yaml: [
        configMap({ [TOKENS.github]: 'x' }),
        stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', labels: { [`example.com/${TOKENS.npm}`]: 'x' } }, spec: { config: { [TOKENS.github]: true } } }),
      ].join('---\n'),
      findings: [
        { path: '/data', message: 'ConfigMap mapping /data has a key that looks like a GitHub token <redacted, 40 chars>' },
        { path: '/metadata/labels', message: 'an npm token' },
        { path: '/spec/config', message: 'a GitHub token' },
      ],
    },
  ],
});

describe('secret-literal-format messages never contain the value', () => {
  it('labels and attributes', () => {
    const findings = runRule(secretLiteralFormat, csiPod({ accountKey: TOKENS.azure }, { deployer: TOKENS.github }));
    expect(findings).toHaveLength(2);
    for (const finding of findings) for (const value of [TOKENS.azure.split('Key=')[1]!.split(';')[0]!, TOKENS.github]) expect(JSON.stringify(finding)).not.toContain(value);
  });
});
