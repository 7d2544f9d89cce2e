// Detection of credentials written as literals into manifests (container env values, ConfigMap data),
// shared by the secret-literal-* rules. Two independent signals:
//
//   1. name: the variable or key is named like a credential (DB_PASSWORD, apiKey, client-secret) and
//      its value is not something that is clearly not a credential (empty, boolean, number, duration,
//      file path, URL without a password, `$(VAR)` / `${...}` / `{{ }}` reference, secret-manager
//      reference, encrypted blob). Obvious default passwords (`changeme`, `admin`) ARE reported:
//      shipping them is the problem. Names that describe a credential rather than hold one are not
//      credential names: TOKEN_FILE, PASSWORD_PATH, SECRET_NAME, *_SECRET_REF, AUTH_ENABLED, TOKEN_TTL.
//   2. format: whatever the name, the value contains a token of a known format (private key PEM block,
//      AWS access key ID, GitHub/GitLab/Slack/npm/Stripe/Google tokens, Slack webhook URL, JWT, Azure storage key, URL
//      with an embedded password); random-looking formats must also have high Shannon entropy, so
//      `ghp_xxxx...` style placeholders and AWS's documented example key are not reported.
//
// Values never leave this module except as their length: use `redact`.

export interface SecretDetection {
  signal: 'name' | 'format';
  /** What was recognised, for messages: 'an AWS access key ID', 'a credential-like name'. */
  what: string;
  /** Length of the offending text (the matched token for formats, the whole value for names). */
  length: number;
}

/** `<redacted, 24 chars>`: how a detected value is shown, always. */
export function redact(valueOrLength: string | number): string {
  const length = typeof valueOrLength === 'number' ? valueOrLength : [...valueOrLength].length;
  return `<redacted, ${length} ${length === 1 ? 'char' : 'chars'}>`;
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  const chars = [...text];
  if (chars.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / chars.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

// ---------------------------------------------------------------------------------------------------------
// Names

/** Lower-case words of an identifier: `dbPassword` / `DB_PASSWORD` / `db.password` / `APIKey` -> words. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
}

/** A word that names a credential, alone or as the end of a compound (`dbpassword`, `ghtoken`), plural allowed. */
const SECRET_WORD = /^[a-z0-9]*(?:password|passwd|passphrase|secret|token|apikey|accesskey|secretkey|privatekey|privkey|credential|creds)s?$/;
/** `dbpwd`, `adminpwd`: a password abbreviated at the end of a compound (`oldpwd` is the shell's previous directory). */
const PWD_COMPOUND = /^[a-z0-9]+pwd$/;
/** Words that name a credential only on their own (`DB_PASS`, `DB_PWD`; not `bypass`, and `PWD` alone is the shell's cwd). */
const WHOLE_SECRET_WORDS = new Set(['pass', 'pwd', 'pw']);
/** `<qualifier>_key` pairs that name a key that is a secret. */
const KEY_QUALIFIERS = new Set([
  'api', 'access', 'secret', 'private', 'encryption', 'signing', 'master', 'account', 'shared', 'session', 'hmac',
  'license', 'auth', 'app', 'storage', 'subscription', 'ssh', 'gpg', 'pgp', 'deploy', 'webhook', 'client', 'crypt', 'cipher',
]);
/** A final word that says the variable describes a credential (where, which, how long, whether) instead of holding it. */
const DESCRIPTIVE_SUFFIXES = new Set([
  'file', 'files', 'path', 'paths', 'dir', 'directory', 'folder', 'location', 'mount', 'name', 'names', 'ref', 'reference',
  'id', 'ids', 'arn', 'enabled', 'enable', 'disabled', 'disable', 'required', 'require', 'ttl', 'expiry', 'expiration',
  'expires', 'expire', 'lifetime', 'duration', 'interval', 'period', 'rotation', 'timeout', 'seconds', 'secs', 'minutes',
  'hours', 'days', 'ms', 'length', 'len', 'size', 'count', 'max', 'min', 'limit', 'threshold', 'retries', 'attempts', 'url',
  'urls', 'uri', 'endpoint', 'host', 'hostname', 'port', 'type', 'mode', 'kind', 'class', 'method', 'scheme', 'strategy',
  'algorithm', 'alg', 'format', 'encoding', 'encoder', 'hasher', 'header', 'prefix', 'suffix', 'field', 'env',
  'var', 'variable', 'source', 'provider', 'backend', 'store', 'policy', 'rules', 'pattern', 'regex', 'complexity', 'hint',
  'prompt', 'question', 'label', 'title', 'description', 'desc', 'message', 'text', 'user', 'username', 'login', 'email',
  'owner', 'namespace', 'issuer', 'audience', 'aud', 'scope', 'scopes', 'selector', 'template', 'version', 'config',
  'enforce', 'check', 'reset', 'helper', 'helpers', 'plugin', 'plugins', 'manager',
]);
/** `adminPasswordKey`, `tokenKey`: the key of a Secret where the credential is, not the credential. */
const KEY_OF = new Set(['password', 'passwords', 'passwd', 'pwd', 'token', 'tokens', 'credential', 'credentials']);
/** Stems of SECRET_WORD, WHOLE_SECRET_WORDS, `<qualifier>_key` and `auth`: a name without one is no credential name. */
const CREDENTIAL_STEM = /pass|pw|secret|token|key|cred|auth/i;

/** Whether a text may name a credential anywhere (a file without a stem has no credential-named entry). */
export function mayNameCredential(text: string): boolean {
  return CREDENTIAL_STEM.test(text);
}
/** A first word that makes the variable a switch or a pointer to an existing object. */
const DESCRIPTIVE_PREFIXES = new Set(['existing', 'use', 'enable', 'disable', 'require', 'allow', 'skip', 'no', 'is', 'has', 'should', 'generate', 'show', 'hide']);

/** Whether a name describes something about a credential or an account (USER, TOKEN_FILE, existingSecret, SECRET_NAME) instead of holding one. */
export function descriptiveName(name: string): boolean {
  const words = nameWords(name);
  const last = words[words.length - 1];
  const first = words[0];
  return last !== undefined && first !== undefined && (DESCRIPTIVE_SUFFIXES.has(last) || DESCRIPTIVE_PREFIXES.has(first));
}

/**
 * Whether a variable or key name says it holds a credential: `strong` for password/secret/token/key
 * names, `weak` for names ending in `auth` (BASIC_AUTH), whose values must also look like a credential,
 * `key` for other `*_key` names, whose values must look like random key material.
 */
export function credentialName(name: string): 'strong' | 'weak' | 'key' | undefined {
  // Every name accepted below contains one of these stems; most names (a dashboard's thousands of JSON
  // keys) are turned away here without being split into words.
  if (!CREDENTIAL_STEM.test(name)) return undefined;
  const words = nameWords(name);
  const last = words[words.length - 1];
  const first = words[0];
  if (last === undefined || first === undefined) return undefined;
  if (DESCRIPTIVE_SUFFIXES.has(last) || DESCRIPTIVE_PREFIXES.has(first)) return undefined;
  if (words.length === 1 && WHOLE_SECRET_WORDS.has(last)) return undefined; // PWD, PASS alone: ambiguous
  if ((last === 'key' || last === 'keys') && words.length > 1 && KEY_OF.has(words[words.length - 2]!)) return undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (SECRET_WORD.test(word) || WHOLE_SECRET_WORDS.has(word) || (PWD_COMPOUND.test(word) && word !== 'oldpwd')) return 'strong';
    if ((word === 'key' || word === 'keys') && i > 0 && KEY_QUALIFIERS.has(words[i - 1]!)) return 'strong';
  }
  if (last === 'auth' || last === 'authorization') return 'weak';
  // Any other `*_key` (AZURE_BATCH_KEY, but also CACHE_KEY, PARTITION_KEY, routing-key): a key of
  // something, which is a credential only when the value looks like random key material.
  if (words.length > 1 && (last === 'key' || last === 'keys')) return 'key';
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Values

const NOT_CREDENTIAL_WORDS = /^(?:true|false|yes|no|on|off|y|n|enabled?|disabled?|none|null|nil|undefined|~)$/i;
const NUMBER = /^[-+]?\d+(?:\.\d+)?$/;
const DURATION_OR_QUANTITY = /^\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|w|[KMGTPE]i?|k)$/i;
const FILE_PATH = /^(?:~|\.{1,2})?\/\S*$|^[A-Za-z]:\\|^file:|^@\//;
const URL = /^[a-z][a-z0-9+.-]*:\/\/\S*$/i;
// Quantifiers after a literal prefix are bounded: unbounded, every prefix in a long value (`$($($(...`,
// `a.a.a...` before `://`) rescans the rest of it, and a 200 KB value took minutes.
const URL_WITH_PASSWORD = /\b[a-z][a-z0-9+.-]{0,31}:\/\/([^\s:/@]{1,256}):([^\s/@]{1,256})@[^\s/@]/i;
/** `$(VAR)`, `${VAR}`, `{{ .x }}`, Grafana `$__env{X}`, `%{x}`, `#{x}`, `%(x)s`, or a bare `$VAR`. */
const REFERENCE = /\$\([^)]{0,256}\)|\$\{[^}]{0,256}\}|\{\{.{0,256}\}\}|\$__\w{1,64}\{|%\{[^}]{0,256}\}|#\{[^}]{0,256}\}|%\([\w.]{1,64}\)s|^\$[A-Za-z_]\w*$/;
/** Secret managers and encrypted values: the literal is a pointer or ciphertext, not the credential. */
const MANAGED = /^(?:arn:aws[\w-]*:(?:secretsmanager|ssm|kms):|vault:|ref\+|projects\/[^/]+\/secrets\/|ENC\[|ENC\(|\{cipher\})/;
const MASK = /^\*+$|^x{4,}$/i;

/** Values that are clearly not a credential, whatever the variable is called. */
export function clearlyNotCredential(value: string): boolean {
  const v = value.trim();
  if (v === '' || NOT_CREDENTIAL_WORDS.test(v) || NUMBER.test(v) || DURATION_OR_QUANTITY.test(v) || MASK.test(v)) return true;
  if (FILE_PATH.test(v) || REFERENCE.test(v) || MANAGED.test(v)) return true;
  if (URL.test(v) && !URL_WITH_PASSWORD.test(v)) return true;
  return false;
}

/** What a weak (`*_AUTH`) name's value must look like: `user:password`, or a long random-looking string. */
function credentialShaped(value: string): boolean {
  const v = value.trim();
  if (/^[^\s:]+:\S+$/.test(v)) return true;
  return v.length >= 16 && !/\s/.test(v) && shannonEntropy(v) >= 3;
}

// ---------------------------------------------------------------------------------------------------------
// Known token formats

interface Format {
  what: string;
  pattern: RegExp;
  /** Minimum Shannon entropy of the match (random tokens); 0 for structural formats. */
  entropy: number;
  /** Extra check on the match (a checksum, a decodable header). */
  accept?: (match: RegExpExecArray) => boolean;
}

/** CRC-32 (IEEE), as GitHub and npm tokens use for their checksum. */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * GitHub (`ghp_` ... `ghr_`) and npm (`npm_`) tokens end in the base62 CRC-32 of their 30 random
 * characters (github.blog 2021-04-05 "Behind GitHub's new authentication token formats"; npm's 2021
 * format): a string of the right shape without it is a placeholder or a made-up example, not a token.
 */
export function prefixedTokenChecksumOk(token: string): boolean {
  const body = token.slice(4, -6);
  let sum = 0;
  for (const c of token.slice(-6)) {
    const digit = BASE62.indexOf(c);
    if (digit < 0) return false;
    sum = sum * 62 + digit;
  }
  return sum === crc32(body);
}

/** A JWT's first segment decodes to a JSON object header with an `alg` (RFC 7519/7515). */
function jwtHeaderOk(token: string): boolean {
  try {
    const header: unknown = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null && typeof (header as { alg?: unknown }).alg === 'string';
  } catch {
    return false;
  }
}

/** `Basic <base64>` whose payload decodes to printable `user:password`. */
function basicCredentialsOk(encoded: string): boolean {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  return /^[^\s:\u0000-\u001f]{1,256}:[^\u0000-\u001f]{3,}$/.test(decoded) && !decoded.includes('\uFFFD');
}

/** What follows `Bearer ` must be the token itself, not a reference to one (`$(TOKEN)`, `${TOKEN}`, `<token>`). */
const BEARER = /\bBearer[ \t]+([A-Za-z0-9\-._~+/]{16,}=*)(?![A-Za-z0-9\-._~+/=$({<])/;

// Patterns and lengths as gitleaks' default rule set documents them (rule ids in comments), with the
// checks that keep placeholders out: GitHub/npm checksums, JWT headers, entropy for the rest.
const FORMATS: readonly Format[] = [
  // private-key
  { what: 'a PEM private key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/, entropy: 0 },
  // aws-access-token: the ID alone is not secret, but it is only ever written next to its secret key.
  { what: 'an AWS access key ID', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/, entropy: 3, accept: (m) => !m[0].includes('EXAMPLE') },
  // github-pat, github-oauth, github-app-token, github-refresh-token, github-fine-grained-pat
  { what: 'a GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{36}\b/, entropy: 3, accept: (m) => prefixedTokenChecksumOk(m[0]) },
  { what: 'a GitHub token', pattern: /\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\b/, entropy: 3 },
  // gitlab-pat, gitlab-pat-routable (and the deploy, runner, CI job and agent tokens of the same family)
  { what: 'a GitLab token', pattern: /\b(?:glpat|gldt|glrt|glptt|glagent|gloas)-[A-Za-z0-9_-]{20,300}(?:\.[0-9a-z]{9})?(?![\w-])/, entropy: 3 },
  // slack-bot-token, slack-user-token, slack-legacy-*, slack-app-token
  { what: 'a Slack token', pattern: /\bxox[abposre]-(?:\d+-)+[A-Za-z0-9-]{8,}|\bxapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+/, entropy: 3 },
  // slack-webhook-url
  { what: 'a Slack webhook URL', pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/T[A-Z0-9]+\/[A-Z0-9]+\/[A-Za-z0-9]{20,}/, entropy: 3 },
  // npm-access-token
  { what: 'an npm token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/, entropy: 3, accept: (m) => prefixedTokenChecksumOk(m[0]) },
  // stripe-access-token (live keys only: test-mode keys move no money)
  { what: 'a Stripe live key', pattern: /\b[rs]k_live_[A-Za-z0-9]{20,99}\b/, entropy: 3 },
  // gcp-api-key
  { what: 'a Google API key', pattern: /\bAIza[\w-]{35}(?![\w-])/, entropy: 3 },
  // sendgrid-api-token: SG.<22>.<43>
  { what: 'a SendGrid API key', pattern: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![\w-])/, entropy: 3 },
  // openai-api-key: legacy and project/service-account/admin keys carry T3BlbkFJ ("OpenAI" in base64)
  { what: 'an OpenAI API key', pattern: /\bsk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{58,74}T3BlbkFJ[A-Za-z0-9_-]{58,74}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})(?![\w-])/, entropy: 3 },
  // anthropic-api-key, anthropic-admin-api-key
  { what: 'an Anthropic API key', pattern: /\bsk-ant-(?:api03|admin01)-[A-Za-z0-9_-]{93}AA(?![\w-])/, entropy: 3 },
  // azure-ad-client-secret
  { what: 'an Azure AD client secret', pattern: /(?<![\w~.-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![\w~.-])/, entropy: 3.5 },
  // Azure storage / Service Bus connection strings: AccountKey is 64 bytes (88 base64 characters), SAS keys 32 bytes (44)
  { what: 'an Azure storage account key', pattern: /\b(?:AccountKey|SharedAccessKey)=[A-Za-z0-9+/]{43,86}={0,2}/, entropy: 3.5 },
  // vault-service-token, vault-batch-token
  { what: 'a HashiCorp Vault token', pattern: /\bhv[sb]\.[\w-]{90,300}/, entropy: 3 },
  // digitalocean-pat, pypi-upload-token, shopify-access-token, databricks-api-token, twilio-api-key: fixed prefixes
  { what: 'a DigitalOcean token', pattern: /\bdo[opr]_v1_[a-f0-9]{64}\b/, entropy: 3 },
  { what: 'a PyPI token', pattern: /\bpypi-AgEIcHlwaS5vcmc[\w-]{50,1000}/, entropy: 3 },
  { what: 'a Shopify token', pattern: /\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b/, entropy: 3 },
  { what: 'a Databricks token', pattern: /\bdapi[a-f0-9]{32}(?:-\d)?\b/, entropy: 3 },
  { what: 'a Docker Hub token', pattern: /\bdckr_pat_[A-Za-z0-9_-]{27,}/, entropy: 3 },
  // jwt: three base64url segments whose first is a JSON header with "alg"
  { what: 'a JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/, entropy: 3, accept: (m) => jwtHeaderOk(m[0]) },
  // An Authorization header value: `Bearer <token>` (RFC 6750 b64token), `Basic <base64 of user:password>` (RFC 7617)
  { what: 'a bearer token', pattern: BEARER, entropy: 3 },
  { what: 'HTTP basic credentials', pattern: /\bBasic[ \t]+([A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])/, entropy: 3, accept: (m) => basicCredentialsOk(m[1]!) },
  {
    what: 'a URL with an embedded password',
    pattern: URL_WITH_PASSWORD,
    entropy: 0,
    // `user:$(DB_PASSWORD)@`, `user:${PW}@`, `user:****@` and `user:<password>@` are references or masks.
    accept: (m) => passwordLiteral(m[2] ?? ''),
  },
  // ADO.NET / ODBC / JDBC-style connection strings: `...;Password=<literal>;...`
  { what: 'a connection string with a password', pattern: /(?:^|;)\s*(?:Password|Pwd)\s*=\s*([^;'"\s][^;]{2,255})(?=;|$)/i, entropy: 0, accept: (m) => /;/.test(m.input) && passwordLiteral(m[1]!.trim()) },
];

/** A password as written, not a reference, mask or placeholder in brackets. */
function passwordLiteral(password: string): boolean {
  return !REFERENCE.test(password) && !MASK.test(password) && !/^[<[{].*[>\]}]$/.test(password) && !/^%[0-9A-Za-z]?s$/.test(password);
}

/** The known token format found in a value (and the matched text's length), if any. */
export function knownFormat(value: string): { what: string; length: number } | undefined {
  for (const format of FORMATS) {
    const match = format.pattern.exec(value);
    if (!match) continue;
    // The token itself (a capture group when the pattern matches context around it) is what must look random.
    const token = match[1] !== undefined && format.pattern !== URL_WITH_PASSWORD ? match[1] : match[0];
    if (format.entropy > 0 && shannonEntropy(token) < format.entropy) continue;
    if (format.accept && !format.accept(match)) continue;
    return { what: format.what, length: [...match[0]].length };
  }
  return undefined;
}

/**
 * Global patterns of every credential format, without the checks that keep findings precise: what the
 * report redaction replaces wherever it occurs (a checksum-less `ghs_...` is still not printed).
 */
export const TOKEN_PATTERNS: readonly RegExp[] = [
  /\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})/g,
  /\b(?:glpat|gldt|glrt|glptt|glagent|gloas|glcbt)-[A-Za-z0-9_.-]{20,300}/g,
  /\bxox[abposre]-[A-Za-z0-9-]{10,}|\bxapp-[A-Za-z0-9-]{10,}/g,
  /\bnpm_[A-Za-z0-9]{36}\b/g,
  /\b[rs]k_(?:live|test|prod)_[A-Za-z0-9]{10,99}/g,
  /\bAIza[\w-]{35}/g,
  /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g,
  /\bsk-(?:ant-)?[A-Za-z0-9_-]{32,}/g,
  /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g,
  /\bhv[sb]\.[\w-]{24,}/g,
  /\bdo[opr]_v1_[a-f0-9]{64}\b/g,
  /\bpypi-[\w-]{50,}/g,
  /\bdckr_pat_[A-Za-z0-9_-]{20,}/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g,
  /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)/g,
  /(?<=\b(?:AccountKey|SharedAccessKey)=)[A-Za-z0-9+/]{20,}={0,2}/g,
  /(?<=\b[Bb]earer[ \t]+)[A-Za-z0-9\-._~+/]{16,}=*/g,
  /(?<=\b[Bb]asic[ \t]+)[A-Za-z0-9+/]{12,}={0,2}/g,
  /(?<=\bx-access-token:)[^\s@'"]{8,}/g,
];

/**
 * An AWS secret access key written next to its access key ID: 40 base64 characters, random. Given
 * the texts of one place (a container's env values, a ConfigMap's data, one value), the indexes of the
 * texts that hold such a key when some text of the place holds an access key ID.
 */
export function pairedAwsSecrets(texts: readonly string[]): Set<number> {
  const out = new Set<number>();
  if (!texts.some((t) => /\b(?:AKIA|ASIA)[A-Z2-7]{16}\b/.test(t) && !t.includes('EXAMPLE'))) return out;
  texts.forEach((text, index) => {
    for (const match of text.matchAll(/(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g)) {
      if (/[A-Z]/.test(match[0]) && /[a-z]/.test(match[0]) && /[0-9/+]/.test(match[0]) && shannonEntropy(match[0]) >= 4) out.add(index);
    }
  });
  return out;
}

/** Only the token-format signal (for values whose name says nothing). */
export function detectFormat(value: string): SecretDetection | undefined {
  const format = knownFormat(value);
  return format ? { signal: 'format', what: format.what, length: format.length } : undefined;
}

/**
 * Random key material: 16+ characters of a base64/hex-like alphabet, digits among letters, at least 3.5
 * bits of entropy per character. `user-session`, `my-cache-key-prefix` and `spec.nodeName` are not.
 */
export function keyMaterial(value: string): boolean {
  const v = value.trim();
  return v.length >= 16 && /^[A-Za-z0-9+/=_\-.~]+$/.test(v) && /\d/.test(v) && /[A-Za-z]/.test(v) && shannonEntropy(v) >= 3.5;
}

/** Only the name signal. */
export function detectByName(name: string, value: string): SecretDetection | undefined {
  const strength = credentialName(name);
  if (strength === undefined || clearlyNotCredential(value)) return undefined;
  if (strength === 'weak' && !credentialShaped(value)) return undefined;
  if (strength === 'key' && !keyMaterial(value)) return undefined;
  return { signal: 'name', what: 'a credential-like name', length: [...value].length };
}

/** A literal credential in `name: value`, by token format first, then by name. */
export function detectLiteralSecret(name: string, value: string): SecretDetection | undefined {
  return detectFormat(value) ?? detectByName(name, value);
}

// ---------------------------------------------------------------------------------------------------------
// Embedded configuration (ConfigMap values holding files)

export interface EmbeddedEntry {
  key: string;
  value: string;
  /** 1-based line within the content. */
  line: number;
}

const LINE_ENTRY = /^\s*(?:export\s+)?(?:-\s+)?(["']?)([A-Za-z_][\w.-]*)\1\s*(?::(?=\s|$)|=)\s*(.*)$/;
const JSON_ENTRY = /"([A-Za-z_][\w.-]*)"\s*:\s*"((?:[^"\\\n]|\\.)*)"/g;
const XML_ENTRY = /<([A-Za-z_][\w.-]*)>([^<\n]+)<\/\1>/g;
const COMMENT = /^\s*(?:#|\/\/|;|!|<!--)/;

/** An unquoted value that is code, not a literal: `body.token.value`, `os.getenv("PW")`, `args["pw"]`. */
const EXPRESSION = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[[^\]]*\]|\([^)]*\))+\s*[;,]?$/;

/** The literal a line assigns, or undefined when it assigns code or a nested structure. */
function literalOf(raw: string, keyQuoted: boolean, key: string): string | undefined {
  const v = raw.trim();
  const quote = v[0];
  if ((quote === '"' || quote === "'") && v.length >= 2) {
    const end = v.indexOf(quote, 1);
    if (end > 0) return v.slice(1, end);
  }
  // `"token": base64Token` is not JSON: a quoted key with an unquoted, non-literal value is code.
  if (keyQuoted && !/^(?:-?\d[\d.eE+-]*|true|false|null)[,;]?$/.test(v)) return undefined;
  const value = v.replace(/\s+#.*$/, '').replace(/[,;]$/, '').trim(); // trailing comment, JSON comma, INI semicolon
  if (/^[|>][-+]?\d*$|^[{[]/.test(value)) return undefined; // block scalar or nested structure: not followed
  if (EXPRESSION.test(value)) return undefined;
  if (value.toLowerCase() === key.toLowerCase()) return undefined; // `password=password` passes a variable on
  return value;
}

/**
 * Top-level and nested `key: value` / `key = value` / `KEY=value` lines (YAML, properties, .env, INI,
 * TOML), `"key": "value"` pairs (JSON, also on one line) and `<key>value</key>` elements (XML), with their
 * line numbers. A line-wise approximation: cheap, no parser, comment lines skipped; block scalars and
 * values split over lines are not followed; unquoted values that are code (`body.token.value`,
 * `os.getenv("PW")`, a quoted key with a bare identifier, `password=password`) are not literals.
 */
export function embeddedEntries(content: string): EmbeddedEntry[] {
  const entries: EmbeddedEntry[] = [];
  const seen = new Set<string>();
  const add = (key: string, value: string, line: number) => {
    const id = `${line}\u0000${key}`;
    if (seen.has(id)) return;
    seen.add(id);
    entries.push({ key, value, line });
  };
  const lines = content.split(/\r?\n/);
  lines.forEach((text, i) => {
    if (COMMENT.test(text)) return;
    const match = LINE_ENTRY.exec(text);
    if (!match) return;
    const value = literalOf(match[3] ?? '', match[1] !== '', match[2]!);
    if (value !== undefined) add(match[2]!, value, i + 1);
  });
  // Line of an offset by binary search over line starts (slicing and splitting per match was quadratic).
  const starts = [0];
  for (let i = content.indexOf('\n'); i !== -1; i = content.indexOf('\n', i + 1)) starts.push(i + 1);
  const lineAt = (index: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  for (const pattern of [JSON_ENTRY, XML_ENTRY]) {
    for (const match of content.matchAll(pattern)) {
      const line = lineAt(match.index);
      if (COMMENT.test(lines[line - 1] ?? '')) continue;
      add(match[1]!, match[2]!, line);
    }
  }
  return entries.sort((a, b) => a.line - b.line);
}
