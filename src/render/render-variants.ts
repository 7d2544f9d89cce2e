// A chart can tell `helm template` from `helm install`/`helm upgrade` on a cluster: `.Release.IsUpgrade`,
// `.Release.IsInstall`, `.Capabilities.APIVersions.Has`, `lookup` (always empty without a cluster) and
// `.Release.Revision` (always 1). The scan renders what a real install on the target Kubernetes version
// renders (kube-api-versions.ts); a chart whose sources mention install/upgrade or API versions is rendered
// a second time, as `helm upgrade` on a cluster with common CRD APIs renders it. Both renders are judged
// (findings of either count) and an object whose security-relevant fields differ between them is marked,
// with the template lines that branch, for the render-divergence rule. Objects whose template uses
// `lookup` or `.Release.Revision` are marked for render-lookup: no render can show what those return.
//
// The decision to render twice is static, from the chart's text: every file of the chart and of its
// vendored subcharts (archives too), since a template can `tpl` a values string or a file.
import { actionSpans, goStringValue, replaceActions, STRING_LITERALS, templateActions, withBlockActions, withNumericEscapes } from './actions.ts';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { MANAGED_VERSION_SUFFIX, READS_AS_DATA, tarEntries } from './helm.ts';
import { goRegExpOrWider, regexExamples } from './regex-example.ts';
import { join } from '../model/pointer.ts';
import { arr, isObj, str, type Obj } from '../k8s/values.ts';
import { podTemplateOf, CONTAINER_LISTS } from '../k8s/workloads.ts';
import { TemplateSources } from './template-lines.ts';
import { relativeTo } from '../model/paths.ts';
import type { FieldDifference, RenderVariant, ScannedObject, TemplateConstruct } from '../model/model.ts';

/** What a variant render changes in helm's answers. */
export interface VariantInputs {
  upgrade: boolean;
  extensionApis: boolean;
  /** Another release name and namespace, and another patch of the Kubernetes version (VARIANT_RELEASE). */
  release?: boolean;
  /** The cluster's answers helm template cannot give: lookup finds objects, a later revision and clock (helm.ts). */
  clusterAnswers?: boolean;
  /** With extensionApis: the API versions the chart's templates ask for by name (`.Capabilities.APIVersions.Has "x"`). */
  apiLiterals?: string[];
  /** With release: literals the templates compare the release name or namespace with. */
  releaseLiterals?: ReleaseLiteral[];
  /** With release: versions the templates compare the cluster's Kubernetes version with. */
  kubeLiterals?: string[];
  /** Which of the literals that flip a test this render takes (0: the first; the third render takes the next). */
  literalIndex?: number;
  /** With clusterAnswers: the suffix the cluster's version gets (the provider names the templates test for). */
  versionSuffix?: string;
  /** Made again with every `fail` harmless, after a guard stopped it (not part of its name). */
  failsIgnored?: boolean;
  /** One of the renders that pair the upgrade flag with each other input both ways (pairedVariants). */
  paired?: boolean;
}

/**
 * The variant render's release name and namespace. The name has the main name's length, so names helpers
 * truncate (`trunc 63`, kube-prometheus-stack's 26) are cut at the same place and still match once the
 * name is written back; the namespace has another length, so `len` branches show too.
 */
export const VARIANT_RELEASE = { name: 'preadmit-variant', namespace: 'preadmit-variant-ns' } as const;

export function variantReleaseName(main: string): string {
  let name = VARIANT_RELEASE.name.padEnd(main.length, 'x').slice(0, main.length).replace(/-$/, 'x');
  if (name === main) name = `q${name.slice(1)}`;
  return name;
}

/**
 * The variant's Kubernetes version: the same minor (Chart.yaml kubeVersion ranges still hold), another
 * patch: the first version the templates compare the cluster's with that is of this minor and not the
 * scan's (one past it for `>`, one before for `<`), else .99.
 */
export function variantKubeVersion(kubeVersion: string, literals: readonly string[] = [], index = 0): string {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(kubeVersion);
  if (!match) return kubeVersion;
  const candidates = kubeLiteralVersions(kubeVersion, literals);
  if (candidates.length > 0) return candidates[Math.min(index, candidates.length - 1)]!;
  return `${match[1]}.${match[2]}.${match[3] === '99' ? '98' : '99'}`;
}

/**
 * The versions that the literals make a comparison flip at (variantKubeVersion): of the scan's minor, and, for
 * a literal whose comparison decides a host-access or privilege setting (marked DECIDING_KUBE), of another
 * minor: the later version on the other side of the literal from the scan's (`>=1.35.0-0` on 1.34: 1.35.0;
 * `<1.30-0` none: the scan's version is already past it), first.
 */
function kubeLiteralVersions(kubeVersion: string, literals: readonly string[]): string[] {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(kubeVersion);
  if (!match) return [];
  const patch = Number(match[3] ?? 0);
  const candidates: string[] = [];
  const scan = [Number(match[1]), Number(match[2]), patch] as const;
  const below = (a: readonly number[], b: readonly number[]) => a[0]! < b[0]! || (a[0] === b[0] && (a[1]! < b[1]! || (a[1] === b[1] && a[2]! < b[2]!)));
  for (const literal of literals) {
    if (!literal.startsWith(DECIDING_KUBE)) continue;
    const compared = /^(>=|<=|!=|>|<|=|~|\^)?v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(literal.slice(DECIDING_KUBE.length));
    if (!compared || (compared[2] === match[1] && compared[3] === match[2])) continue;
    const at = [Number(compared[2]), Number(compared[3]), Number(compared[4] ?? 0)] as const;
    // The literal and its neighbours: the first on the other side of the comparison from the scan's version.
    const before = at[2] > 0 ? [at[0], at[1], at[2] - 1] : at[1] > 0 ? [at[0], at[1] - 1, 0] : undefined;
    const op = compared[1] ?? '=';
    const passes = (v: readonly number[]) =>
      op === '<' ? below(v, at) : op === '>' ? below(at, v) : op === '<=' ? !below(at, v) : op === '=' ? v.join('.') === at.join('.') : op === '!=' ? v.join('.') !== at.join('.') : !below(v, at);
    const other = [before, at, [at[0], at[1], at[2] + 1]].find((v) => v !== undefined && passes(v) !== passes(scan));
    // Only a later version: the cluster's upgrades, after which the next `helm upgrade` of the unchanged chart
    // renders the other branch. An older cluster is not the one scanned for (--kube-version names it): its
    // branches would be findings no target cluster gets (an operator's RBAC for clusters before 1.33).
    if (other === undefined || !below(scan, other)) continue;
    const version = other.join('.');
    if (!candidates.includes(version)) candidates.push(version);
  }
  for (const literal of literals) {
    const compared = /^(>=|<=|!=|>|<|=|~|\^)?v?(\d+)\.(\d+)\.(\d+)([-+][0-9A-Za-z.+-]+)?$/.exec(literal.startsWith(DECIDING_KUBE) ? literal.slice(DECIDING_KUBE.length) : literal);
    if (!compared || compared[2] !== match[1] || compared[3] !== match[2]) continue;
    // A suffixed version (a provider's build) is taken as written, where an equality would hold.
    const suffix = compared[5] !== undefined && (compared[1] === undefined || compared[1] === '=') && /^[-+][0-9A-Za-z]+(?:[.-][0-9A-Za-z]+)*(?:\+[0-9A-Za-z]+(?:[.-][0-9A-Za-z]+)*)?$/.test(compared[5]) ? compared[5] : '';
    const at = Number(compared[4]) + (suffix === '' && compared[1] === '>' ? 1 : suffix === '' && compared[1] === '<' ? -1 : 0);
    const version = `${match[1]}.${match[2]}.${at}${suffix}`;
    if (at >= 0 && (at !== patch || suffix !== '') && !candidates.includes(version)) candidates.push(version);
  }
  // Another minor first, then one of the scan's (the render with a managed cluster's version suffix takes the
  // second: its comparisons of the scan's minor keep their answers).
  const ownMinor = new RegExp(`^${match[1]}\\.${match[2]}\\.`);
  if (candidates.length > 0 && !candidates.some((c) => ownMinor.test(c))) candidates.push(`${match[1]}.${match[2]}.${patch === 99 ? 98 : 99}`);
  return candidates;
}

/**
 * Text with each template comment (an action opening with a slash and a star) blanked, lines kept. Actions
 * are found as Go's lexer finds them: `"{{/*"` inside a string starts no comment.
 */
export function withoutTemplateComments(text: string): string {
  if (!text.includes('/*')) return text;
  let out = '';
  let last = 0;
  for (const { start, end } of actionSpans(text)) {
    if (!/^\{\{-?\s*\/\*/.test(text.slice(start, start + 64))) continue;
    out += text.slice(last, start) + text.slice(start, end).replace(/[^\n]/g, ' ');
    last = end;
  }
  return out + text.slice(last);
}

/**
 * Marks a version literal whose comparison decides a host-access or privilege setting: it is rendered on the
 * other side even in another minor (kubeLiteralVersions), where other literals only vary the patch.
 */
const DECIDING_KUBE = '!';

/**
 * Versions (with their operator) written in actions that read the cluster's Kubernetes version. At most 16:
 * deciding ones first, taking the places of others when full, so decoys cannot push them out; more than 16
 * deciding ones cannot all be rendered, which `onUnrendered` reports (the scan fails rather than passes).
 */
export function collectKubeLiterals(text: string, into: string[], onUnrendered?: (why: string) => void): void {
  const put = (literal: string) => {
    if (into.includes(literal)) return;
    const deciding = literal.startsWith(DECIDING_KUBE);
    const firstPlain = () => {
      const at = into.findIndex((l) => !l.startsWith(DECIDING_KUBE));
      return at === -1 ? into.length : at;
    };
    if (into.length >= 16) {
      if (!deciding) return;
      const spare = into.findLastIndex((l) => !l.startsWith(DECIDING_KUBE));
      if (spare === -1) return onUnrendered?.(`more than 16 comparisons of the Kubernetes version decide host-access or privilege settings (the next: ${JSON.stringify(literal.slice(DECIDING_KUBE.length))})`);
      into.splice(spare, 1);
    }
    if (deciding) into.splice(firstPlain(), 0, literal);
    else into.push(literal);
  };
  // Variables holding the version (`$kv := .Capabilities.KubeVersion.Version`) read it too.
  const holders = new Set([...text.matchAll(/(\$\w+)\s*:?=\s*\(?\s*\$?\.Capabilities\.KubeVersion\b/g)].map((m) => m[1]!));
  const reads = (action: string) => /KubeVersion/.test(action) || (holders.size > 0 && [...action.matchAll(/\$\w+/g)].some((m) => holders.has(m[0])));
  let lines: string[] | undefined;
  let line = 0;
  let countedTo = 0;
  for (const action of templateActions(text)) {
    if (!reads(action[0])) continue;
    // A provider's whole version (`"v1.34.2-eks-113cf36"`) keeps its suffix: an equality needs all of it.
    for (const m of action[0].matchAll(/(>=|<=|!=|>|<|=|~|\^)?\s*v?(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z][0-9A-Za-z.+-]{0,62})?)/g)) {
      put(`${m[1] ?? ''}${m[2]}`);
    }
    // A comparison deciding a host-access or privilege setting (`semverCompare ">=1.35.0-0" ...` writing
    // privileged): its literals, `X.Y` ones too, are rendered on both sides whatever their minor.
    const compared = [...action[0].matchAll(/\bsemverCompare\s+"([^"]{1,200})"|\b(?:eq|ne|lt|le|gt|ge)\b[^}]{0,200}?"v?(\d+\.\d+(?:\.\d+)?)[^"]{0,64}"/g)];
    if (compared.length === 0) continue;
    for (let i = text.indexOf('\n', countedTo); i !== -1 && i < action.index; i = text.indexOf('\n', i + 1)) line++;
    countedTo = action.index;
    lines ??= text.split('\n');
    if (decidedSetting(lines, line) === undefined) continue;
    for (const c of compared) {
      for (const m of (c[1] ?? `=${c[2]}`).matchAll(/(>=|<=|!=|>|<|=|~|\^)?\s*v?(\d+\.\d+(?:\.\d+)?)/g)) {
        put(`${DECIDING_KUBE}${m[1] ?? '='}${m[2]}`);
      }
    }
  }
}

export function variantName(inputs: VariantInputs): RenderVariant {
  const parts = [...(inputs.upgrade ? ['upgrade'] : []), ...(inputs.extensionApis ? ['extension-apis'] : []), ...(inputs.release ? ['other-release'] : []), ...(inputs.clusterAnswers ? ['cluster-answers'] : [])];
  return parts.join('+') as RenderVariant;
}

/** How the variant render is made, for messages. */
export function variantDescription(variant: RenderVariant): string {
  const parts = variant.split('+');
  const how = [
    ...(parts.includes('upgrade') ? ['as helm upgrade renders it (--is-upgrade)'] : []),
    ...(parts.includes('extension-apis') ? ['on a cluster with common CRD APIs (monitoring.coreos.com/v1, cert-manager.io/v1...)'] : []),
    ...(parts.includes('other-release') ? [`with another release name, namespace (${VARIANT_RELEASE.namespace}) and Kubernetes version`] : []),
    ...(parts.includes('cluster-answers') ? ['as a first install where lookup finds the objects it asks for, a year later'] : []),
  ];
  if (variant === 'upgrade+extension-apis') return 'as helm upgrade renders it on a cluster with common CRD APIs';
  return how.join(', ');
}

/** A construct line for messages: `lookup at chart/templates/x.yaml:12`. */
export function describeConstruct(construct: TemplateConstruct): string {
  return construct.inArchive ? `${construct.construct} at ${construct.file} (${construct.inArchive}:${construct.line})` : `${construct.construct} at ${construct.file}:${construct.line}`;
}

export type ConstructKind = 'upgrade' | 'apiVersions' | 'lookup' | 'revision' | 'release' | 'helmVersion' | 'clock' | 'random' | 'computedApi' | 'computedIdentity' | 'managedVersion';
/** Constructs no render can answer as the cluster will: render-lookup reports them. */
export const UNKNOWABLE: readonly ConstructKind[] = ['lookup', 'revision', 'helmVersion', 'clock', 'random', 'computedApi', 'computedIdentity'];
const UNKNOWABLE_KINDS: ReadonlySet<ConstructKind> = new Set(UNKNOWABLE);
/** The constructs a variant render changes the answer of. */
type VariantKind = 'upgrade' | 'apiVersions' | 'release';

/** Sprig's functions whose result is random (sprig's functions.go: strings, crypto). */
const RANDOM = /(?<![\w.$])(?:randAlphaNum|randAlpha|randAscii|randNumeric|randBytes|randInt|uuidv4|shuffle|genPrivateKey|genCA|genCAWithKey|genSelfSignedCert|genSelfSignedCertWithKey|genSignedCert|genSignedCertWithKey|htpasswd|bcrypt|encryptAES)\b/;

/**
 * Text that makes a template's output depend on each input. Beyond the plain field names, passing the whole
 * `.Release` or `.Capabilities` object on (`index .Release "IsUpgrade"`, `$r := .Release`, `toYaml`) counts:
 * the field can then be read under any spelling.
 */
const CONSTRUCTS: Record<ConstructKind, RegExp> = {
  upgrade: /\bIs(?:Upgrade|Install)\b|\.Release(?![\w.])/,
  apiVersions: /\bAPIVersions\b|\.Capabilities(?![\w.])/,
  // The function, not a values key (`.Values.lookup`) or a variable (`$lookup`): matched on actionCode().
  lookup: /(?<![\w.$])lookup\b(?=\s*(?:["'`$(.]|$))/,
  revision: /\.Release\.Revision\b|\bRevision\b(?=\s*\))|["']Revision["']/,
  // Which helm installs the chart, and when: the scan's helm and clock are not the install's.
  helmVersion: /\bHelmVersion\b/,
  // Reported only where it decides a setting (ConstructLocator.find): a timestamp annotation is common.
  clock: /(?<![\w.$])now\b/,
  // Sprig's random functions (strings, numbers, uuids, shuffles, generated keys and certificates, salted
  // hashes): every render, and every install, gets another answer. Reported where it is more than printed.
  random: RANDOM,
  // An API version the second render cannot name: built at render time (`.Has (print "cilium.io" "/v2")`).
  computedApi: /APIVersions\.Has\s+[^\s"]/,
  // The release name, namespace or Kubernetes version tested in a way no set of renders enumerates (on code
  // with strings blanked): a pattern or constraint that is not a literal, a regular expression on the
  // version, the version taken apart (splitList, atoi, regexFind, substr...). Each render sees one answer.
  computedIdentity:
    /\b(?:semverCompare|regexMatch|mustRegexMatch)\s+(?:[$.]|\((?!\s*print))[^}]{0,256}(?:\.Release\.(?:Name|Namespace)|KubeVersion)|\b(?:regexMatch|mustRegexMatch|regexFind|mustRegexFind|regexFindAll)\s+""\s+[^}]{0,256}KubeVersion|KubeVersion[^}]{0,256}\|\s*(?:splitList|split|splitn|atoi|regexFind|substr|trunc|trimAll)\b|\b(?:splitList|split|splitn|atoi|regexFind|substr|trunc)\b[^}]{0,256}KubeVersion/,
  // Any read of the Kubernetes version (or the whole .Capabilities): what the render with a managed cluster's
  // version answers; named only when that render fails (charts.ts), the read then being unjudged.
  managedVersion: /KubeVersion|\.Capabilities(?![\w.])/,
  // The release name, namespace or Kubernetes version where it decides something (releaseBranchLines):
  // this pattern only names the construct; the decision is not a line regex.
  release: /\.Release\.(?:Name|Namespace)\b|\.Capabilities\.KubeVersion\b/,
};

/**
 * The template code of a line: the text inside `{{ }}` (from an unclosed `{{` to the end of the line, or
 * up to a `}}` that closes an action opened above), with string literals blanked unless `strings` (a
 * `get .Release "Revision"` names the field in one). Plain YAML text and comments are not code.
 */
export function actionCode(line: string, strings = false): string {
  let out = '';
  let rest = line;
  const close = rest.indexOf('}}');
  const open = rest.indexOf('{{');
  if (close !== -1 && (open === -1 || close < open)) {
    out += rest.slice(0, close) + ' ';
    rest = rest.slice(close + 2);
  }
  // Actions as Go's lexer ends them (a `}}` inside a string does not), and one left open to the line's end.
  let last = 0;
  for (const span of actionSpans(rest)) {
    out += `${rest.slice(span.start + 2, span.end - 2)} `;
    last = span.end;
  }
  const unclosed = rest.indexOf('{{', last);
  if (unclosed !== -1) out += `${rest.slice(unclosed + 2)} `;
  return strings ? out : blankStrings(out);
}

/**
 * Code with its string literals blanked (`""`), except strings holding template text (`tpl "{{ lookup ... }}"`),
 * which render as code: what they hold counts.
 */
function blankStrings(code: string, depth = 0): string {
  // A string holding template text (escapes read: `"{{ lookup \\"v1\\" ... }}"`, `"\\x7b{ ... }}"`) is code, and so
  // are the strings inside it (a quoted string inside a raw one, passed to tpl in turn).
  return code.replace(STRING_LITERALS, (literal) => {
    if (!literal.includes('{') && !literal.includes('\\')) return '""';
    const value = goStringValue(literal);
    return value.includes('{{') ? ` ${depth < 8 ? blankStrings(value, depth + 1) : value} ` : '""';
  });
}

/**
 * The actions of `lines`, read over the whole text as Go's lexer reads them (an action may span lines and
 * hold `}}` in a string), each given to the line it starts on: per line, their code (without the braces),
 * string literals blanked unless `strings`; comments are left out. An action left open runs to the end of its line. Made once per
 * lines array.
 */
function lineActions(lines: readonly string[], strings = false): string[][] {
  const cache = strings ? lineActionsWithStrings : lineActionsBlanked;
  const known = cache.get(lines);
  if (known !== undefined) return known;
  const text = lines.join('\n');
  const out: string[][] = lines.map(() => []);
  let line = 0;
  let counted = 0;
  const lineAt = (at: number) => {
    for (let i = text.indexOf('\n', counted); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) line++;
    counted = Math.max(counted, at);
    return line;
  };
  const spans = actionSpans(text);
  for (const { start, end, comment } of spans) {
    // A comment is no code (`{{/* we no longer use lookup */}}`).
    if (comment) continue;
    const code = text.slice(start, end).replace(/^\{\{-?/, '').replace(/-?\}\}$/, '');
    out[lineAt(start)]!.push(strings ? code : blankStrings(code));
  }
  const open = text.indexOf('{{', spans.at(-1)?.end ?? 0);
  if (open !== -1) {
    const close = text.indexOf('\n', open);
    const code = text.slice(open + 2, close === -1 ? text.length : close);
    out[lineAt(open)]!.push(strings ? code : blankStrings(code));
  }
  cache.set(lines, out);
  return out;
}
const lineActionsBlanked = new WeakMap<readonly string[], string[][]>();
const lineActionsWithStrings = new WeakMap<readonly string[], string[][]>();


/** The construct as a reader knows it, from the matched text. */
function constructName(kind: ConstructKind, line: string): string {
  const match = CONSTRUCTS[kind].exec(line)?.[0] ?? '';
  if (kind === 'upgrade') return match.startsWith('Is') ? `.Release.${match}` : '.Release (the whole object)';
  if (kind === 'apiVersions') return match === 'APIVersions' ? '.Capabilities.APIVersions' : '.Capabilities (the whole object)';
  if (kind === 'lookup') return 'lookup';
  if (kind === 'helmVersion') return '.Capabilities.HelmVersion';
  if (kind === 'clock') return 'now (the render\'s clock) in a condition';
  if (kind === 'random') return `${match || 'a random function'} (a random value: every render and install gets another)`;
  if (kind === 'computedApi') return '.Capabilities.APIVersions.Has with a computed API version';
  if (kind === 'managedVersion') return '.Capabilities.KubeVersion (as a managed cluster reports it: Minor "31+", a provider suffix)';
  if (kind === 'computedIdentity') return 'the release name, namespace or Kubernetes version tested with a computed pattern or constraint, or taken apart';
  if (kind === 'release') return `${match || 'a helper using .Release.Name, .Release.Namespace or .Capabilities.KubeVersion'} in a condition or comparison`;
  return '.Release.Revision';
}

/**
 * Template text assembled at render time and handed to tpl (`tpl (print "{{ look" "up ...") .`): what it
 * reads (lookup, the version) no text shows and no rewrite reaches.
 */
const TPL_ASSEMBLED = /\btpl\s+\(\s*(?:print|printf|cat|join|replace|nospace|repeat|substr|b64dec|b32dec|trimAll|trimPrefix|trimSuffix|lower|upper|reverse)\b[^)]{0,400}?(?:"[^"]*\{[^"]*"|`[^`]*\{[^`]*`|b64dec|b32dec|reverse)/;

/**
 * A reference to the release name, namespace or cluster version. The variant keeps the minor version, so
 * `.Capabilities.KubeVersion.Major` and `.Minor` are the same in both renders.
 */
const RELEASE_REF = /\.Release\.(?:Name|Namespace)\b|\.Capabilities\.KubeVersion\b(?!\.(?:Major|Minor)\b)/;
/**
 * Functions whose result decides something from their arguments: a comparison, a length, a match, a map
 * lookup. Truthiness (`if .Release.Name`, and, or, not, empty) is left out: the name, namespace and version
 * are never empty in either render; so are interpolations (printf, trunc, default...).
 */
const BRANCHING = /(?:^|[\s(|])(?:eq|ne|lt|le|gt|ge|len|semverCompare|regexMatch|mustRegexMatch|regexFind|mustRegexFind|regexFindAll|mustRegexFindAll|hasPrefix|hasSuffix|contains|has|hasKey|mustHas|index|get|pluck|dig)(?=[\s)|]|$)/;
/** helm create's fullname idiom (`if contains $name .Release.Name`): both branches print a name built from it. */
const FULLNAME_IDIOM = /^\{\{-?\s*if\s+(?:contains|ne|eq)\s+(?:\$\w+|\.Chart\.Name)\s+(?:\$\w+|(?:\$|\.\w+)*\.Release\.Name)\s*-?\}\}$/;
/**
 * A semverCompare with a literal constraint that another patch of the same minor cannot flip: only `>=` and
 * `<` (and ~, ^ ranges) against X.Y or X.Y.0 versions (`>=1.19-0`, `<1.35.0-0`). `>1.34.0` or `<=1.34.0` can.
 */
const PATCH_PROOF_SEMVER = /\bsemverCompare\s+"((?:\s*(?:>=|<|~|\^)\s*v?\d+\.\d+(?:\.0)?(?:-[0-9A-Za-z.]+)?\s*(?:,|\|\||\s)?)+)"\s+(?:\([^()]*\)|[^\s()}]+)/g;

/**
 * Lines (1-based) of template text where the release name, namespace or Kubernetes version (read directly,
 * through a variable assigned from them, or through an included helper in `releaseHelpers`) is used in a
 * branching action. `helper`: the text is one `define`, whose fullname idiom is not a branch when the helper
 * prints nothing but template output (no literal text a branch could choose).
 */
export function releaseBranchLines(text: string, releaseHelpers: ReadonlySet<string>, helper = false): number[] {
  const actions = templateActions(text);
  const literal = helper && replaceActions(text, () => '').trim() !== '';
  const variables = new Set<string>();
  const refers = (action: string): boolean => {
    if (RELEASE_REF.test(action)) return true;
    for (const m of action.matchAll(/\b(?:include|template)\s+"([^"]+)"/g)) if (releaseHelpers.has(m[1]!)) return true;
    for (const m of action.matchAll(/\$\w+/g)) if (variables.has(m[0])) return true;
    return false;
  };
  const lines: number[] = [];
  let line = 1;
  let countedTo = 0;
  let split: string[] | undefined;
  let at = 1;
  let at_ = 0;
  for (const match of actions) {
    if (/^\{\{-?\s*\/\*/.test(match[0])) continue; // a comment
    // A semverCompare another patch cannot flip decides nothing here, unless it decides a host-access or
    // privilege setting: then its literal is rendered on both sides, in another minor (kubeLiteralVersions).
    PATCH_PROOF_SEMVER.lastIndex = 0;
    let action = match[0];
    if (PATCH_PROOF_SEMVER.test(action)) {
      for (let i = text.indexOf('\n', at_); i !== -1 && i < match.index!; i = text.indexOf('\n', i + 1)) at++;
      at_ = match.index!;
      split ??= text.split('\n');
      if (decidedSetting(split, at - 1) === undefined) action = action.replace(PATCH_PROOF_SEMVER, 'true');
    }
    const assigned = /^\{\{-?\s*(\$\w+)\s*:?=/.exec(action)?.[1];
    // (A lookup's result is empty in every render, whatever it is asked for.)
    if (assigned !== undefined && refers(action) && !/\blookup\b/.test(action)) variables.add(assigned);
    if (!refers(action)) continue;
    // `{{ include "helper" (index .Subcharts "x") }}`: the helper's output is printed, not compared.
    if (/^\{\{-?\s*(?:include|template)\s+"[^"]+"[^|]*\}\}$/.test(action)) continue;
    const body = blankStrings(action.replace(/^\{\{-?|-?\}\}$/g, ''));
    if (!BRANCHING.test(body)) continue;
    if (helper && !literal && FULLNAME_IDIOM.test(action.replace(/\s+/g, ' '))) continue;
    // Counted on from the previous branch (from the start each time is quadratic).
    for (let i = text.indexOf('\n', countedTo); i !== -1 && i < match.index!; i = text.indexOf('\n', i + 1)) line++;
    countedTo = match.index!;
    lines.push(line);
  }
  return lines;
}

/**
 * Lines of `{{ if ... }}` actions whose block only fails the render (`fail`, after assignments; no text, no
 * other output): a chart demanding a value on upgrade. With that value given, the block renders nothing,
 * so its condition changes no object.
 */
export function failGuardLines(text: string): Set<number> {
  const out = new Set<number>();
  const actions = templateActions(text);
  const lineAt = (offset: number) => {
    let line = 1;
    for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
    return line;
  };
  const body = (action: string) => action.replace(/^\{\{-?\s*|\s*-?\}\}$/g, '');
  actions.forEach((open, index) => {
    // `if` or an `else if` branch, to the next `else` (of any form) or `end`: failing or going on.
    const branch = /^else\s+if\b/.test(body(open[0]));
    if (!branch && !/^if\b/.test(body(open[0]))) return;
    let depth = 0;
    let fails = false;
    let from = open.index! + open[0].length;
    for (let j = index + 1; j < actions.length; j++) {
      const action = actions[j]!;
      if (text.slice(from, action.index).trim() !== '') return; // literal text in the block
      from = action.index! + action[0].length;
      const b = body(action[0]);
      if (/^(?:if|with|range|define|block)\b/.test(b)) return; // nested blocks: not a plain guard
      if (/^end\b/.test(b) || /^else\b/.test(b)) {
        if (depth === 0 && fails) out.add(lineAt(open.index!));
        return;
      }
      if (/^\/\*[\s\S]*\*\/$/.test(b) || /^\$\w+\s*:?=/.test(b)) continue;
      if (/(?:^|\|\s*)fail\b/.test(b)) {
        fails = true;
        continue;
      }
      return; // any other output
    }
  });
  return out;
}

/** Helpers whose text, or a helper they include, reads the release name, namespace or Kubernetes version. */
export function releaseHelpersOf(sources: TemplateSources): Set<string> {
  const defines = sources.defines();
  const texts = new Map<string, string>();
  for (const d of defines) texts.set(d.name, `${texts.get(d.name) ?? ''}\n${(sources.read(d.file)?.lines ?? []).slice(d.start - 1, d.end).join('\n')}`);
  const out = new Set<string>();
  for (const [name, text] of texts) if (RELEASE_REF.test(text)) out.add(name);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, text] of texts) {
      if (out.has(name)) continue;
      for (const m of text.matchAll(/\b(?:include|template)\s+"([^"]+)"/g)) {
        if (out.has(m[1]!)) {
          out.add(name);
          changed = true;
          break;
        }
      }
    }
  }
  return out;
}

/** Where a chart's text uses each construct (first lines only: the decision needs one). */
export interface ChartConstructs {
  upgrade: boolean;
  apiVersions: boolean;
  lookup: boolean;
  revision: boolean;
  release: boolean;
  helmVersion: boolean;
  clock: boolean;
  random: boolean;
  computedApi: boolean;
  computedIdentity: boolean;
  /** Lines (`file:line`, repository-relative) of deciding tests on the release identity no render enumerates. */
  unenumerated: Set<string>;
  managedVersion: boolean;
  /** Lines anywhere in the chart, for a divergence whose template cannot be traced (archives, tpl). */
  anywhere: Partial<Record<ConstructKind, TemplateConstruct>>;
  /** Files holding install/upgrade or API-version constructs: absolute paths, or archives (inArchive set). */
  files: { file: string; archive: boolean; kinds: Set<VariantKind> }[];
  /** Whether any file calls `tpl` (text outside templates/ then renders as a template). */
  usesTpl: boolean;
  /**
   * The templates read the Kubernetes version where a managed cluster's answer differs (`.Minor` of "31+",
   * a string test on "v1.31.2-eks-..."): the render with the cluster's answers gives that form.
   */
  managedKube: boolean;
  /**
   * API versions the chart's text passes to `.Capabilities.APIVersions.Has`: the second render reports them
   * too, so a branch on any API (not only the common CRD groups) takes its other side there.
   */
  literals: {
    apiVersions: Set<string>;
    release: ReleaseLiteral[];
    kube: string[];
    kubeNames: string[];
    /** What each helper (`define`) of the chart's text reads of the release, and the helpers it includes. */
    helpers: Map<string, HelperReads>;
    /**
     * A comparison deciding a host-access or privilege setting that no render can take: more of them than
     * MAX_RELEASE_LITERALS, or a pattern no name can be found for. The scan reports it as an error.
     */
    unrendered?: string;
  };
}

/**
 * A literal the templates compare the release name or namespace with (`eq .Release.Namespace "kube-system"`,
 * `hasPrefix "prod-" $ns`): the second render uses it, since another arbitrary value never equals it.
 */
export interface ReleaseLiteral {
  field: 'name' | 'namespace';
  /** `length`: `literal` is `<op> <n>` with the length first (`gt (len .Release.Name) 20` is `gt 20`). */
  /** `regex`: `literal` is the pattern of a `regexMatch` (as written: case matters). */
  test: 'eq' | 'hasPrefix' | 'hasSuffix' | 'contains' | 'length' | 'regex';
  literal: string;
  /** The comparison writes a host-access or privilege setting (decidedSetting). */
  decides?: boolean;
  /**
   * The value compared is a helper's output (`regexMatch "^prod-" (include "app.fullname" .)`): while the
   * chart is read, the helper's name; then the field is what the helper reads (resolveHelperLiterals).
   */
  helper?: string;
  /** The helper is handed something else than the root context (`include "x" .Release`). */
  handed?: boolean;
  /** The helper (`define`) whose text holds the comparison: deciding when the helper's output decides. */
  inHelper?: string;
}

/**
 * Whether an expression over the release name or namespace may give something else than the field itself:
 * any function but those that keep it when nothing else is set (default, coalesce, a case or space change,
 * printing it alone). Quoted strings are not functions.
 */
function transforms(expression: string): boolean {
  const code = expression.replace(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, '""');
  for (const m of code.matchAll(/(?:^|[\s(|])([a-zA-Z]\w*)(?=[\s)]|$)/g)) {
    if (!/^(?:default|coalesce|toString|lower|upper|trim|print|printf|quote|squote|trunc|list|index|first|last)$/.test(m[1]!)) return true;
  }
  return /printf\s+""/.test(code) && !/printf\s+"%s"/.test(expression);
}

/** Literals left out of a full list while their helper's output was not yet known to decide. */
const droppedInHelpers = new WeakMap<ReleaseLiteral[], Set<string>>();

/** What a helper's text reads of the release identity, directly or through the helpers it includes. */
export interface HelperReads {
  name: boolean;
  namespace: boolean;
  includes: string[];
  /** More helpers are included than were listed: what it reads is not known whole. */
  partial?: boolean;
}

const LENGTH_TESTS: Record<string, (a: number, b: number) => boolean> = { eq: (a, b) => a === b, ne: (a, b) => a !== b, lt: (a, b) => a < b, le: (a, b) => a <= b, gt: (a, b) => a > b, ge: (a, b) => a >= b };
const SWAPPED: Record<string, string> = { eq: 'eq', ne: 'ne', lt: 'gt', le: 'ge', gt: 'lt', ge: 'le' };

function lengthPasses(literal: string, length: number): boolean {
  const [op, n] = literal.split(' ');
  return LENGTH_TESTS[op!]!(length, Number(n));
}

/** A chart whose files were not read (they lead outside the repository: it is not rendered either). */
export function noConstructs(): ChartConstructs {
  return { upgrade: false, apiVersions: false, lookup: false, revision: false, release: false, helmVersion: false, clock: false, random: false, computedApi: false, computedIdentity: false, unenumerated: new Set(), managedVersion: false, anywhere: {}, files: [], usesTpl: false, managedKube: false, literals: { apiVersions: new Set(), release: [], kube: [], kubeNames: [], helpers: new Map() } };
}

/** Most bytes of one file, and of a whole chart, read for the decision. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;
const MAX_CHART_BYTES = 64 * 1024 * 1024;

/**
 * Text with Go's numeric string escapes (`\x6c`, `\154`, `\u006c`, `\U0000006c`) decoded, for reading what
 * a template names (never rendered): one that would decode to a quote, a backslash or a line break becomes a
 * space, so strings and lines stay where they were.
 */
function decodedEscapes(text: string): string {
  return withNumericEscapes(text, (char, code) => (code < 0x20 || code === 0x22 || code === 0x27 || code === 0x5c || code === 0x60 || code === 0x2028 || code === 0x2029 ? ' ' : char));
}

/** Reads every file of a chart (its subcharts and their archives included) once, for the constructs. */
export function chartConstructs(dir: string, repoRoot: string): ChartConstructs {
  const found = noConstructs();
  let budget = MAX_CHART_BYTES;
  const scanText = (written: string, where: (line: number) => TemplateConstruct, file: string, archive: boolean) => {
    // Escapes in a string of template text (`tpl "{{ \\x6cookup ... }}"`) spell what the text reads: decoded.
    const text = decodedEscapes(written);
    if (!found.usesTpl && /\btpl\b/.test(text)) found.usesTpl = true;
    const constructs = /IsUpgrade|IsInstall|Release|APIVersions|Capabilities|lookup|Revision|\bnow\b/.test(text) || RANDOM.test(text);
    // A helper's output compared with a literal (`eq (include "app.namespace" .) "kube-system"`): the helper may
    // read the release, which resolveHelperLiterals decides once every helper is read.
    // So may the root context indexed by a computed key (`index . (print "Rel" "ease")`).
    if (!constructs && !/\b(?:include|template)\b|\b(?:index|get|pluck|dig)\s+[$.]\s/.test(text)) return;
    // Outside templates/, a YAML comment line is never rendered (not even through tpl): blanked, lines kept.
    const comments = !archive && !file.split(path.sep).includes('templates');
    const lines = text.split(/\r?\n/).map((line) => (comments && /^\s*#/.test(line) ? '' : line));
    // A deciding test on the release identity no literal renders: reported at its line (ConstructLocator).
    const unenumerated = (line: number) => {
      const at = where(line + 1);
      found.computedIdentity = true;
      found.anywhere.computedIdentity ??= { ...at, construct: constructName('computedIdentity', '') };
      if (at.inArchive !== undefined) found.literals.unrendered ??= `a test on the release name or namespace that no render can enumerate decides host-access or privilege settings in ${at.inArchive}`;
      else if (found.unenumerated.size < 4096) found.unenumerated.add(`${at.file}:${at.line}`);
      // Past that many lines, the rest is not listed: the chart is not judged rather than passed.
      else found.literals.unrendered ??= `more than 4096 tests on the release name or namespace that no render can enumerate decide host-access or privilege settings`;
    };
    if (!constructs) return collectLiterals(lines, found.literals, unenumerated);
    const kinds = new Set<VariantKind>();
    // Archive files and text tpl may render: a branch on the release (helpers named in an archive file are
    // not followed; helm create's fullname idiom in a helper file is not a branch).
    const releaseLine = /Release\.Name|Release\.Namespace|KubeVersion/.test(text) ? releaseBranchLines(lines.join('\n'), new Set(), path.basename(file).startsWith('_') || /\/_[^/]*$/.test(where(1).inArchive ?? ''))[0] : undefined;
    for (const kind of Object.keys(CONSTRUCTS) as ConstructKind[]) {
      const codes = lineActions(lines, kind === 'revision');
      const index = kind === 'release' ? (releaseLine ?? 0) - 1 : codes.findIndex((line) => line.some((code) => CONSTRUCTS[kind].test(code)));
      if (index === -1) continue;
      if (kind === 'upgrade' || kind === 'apiVersions' || kind === 'release') kinds.add(kind);
      found[kind] = true;
      found.anywhere[kind] ??= { ...where(index + 1), construct: constructName(kind, lines[index]!) };
    }
    // Any use at all: whether a template branches through a helper is decided in variantOf.
    if (RELEASE_REF.test(text)) found.release = true;
    if (!found.managedKube && /KubeVersion/.test(text)) {
      const holders = new Set([...text.matchAll(/(\$\w+)\s*:?=\s*\(?\s*\$?\.Capabilities\.KubeVersion\b/g)].map((m) => m[1]!));
      // Each action on its own (a `semver` elsewhere on the line does not excuse it), comments left out.
      const actions = lineActions(withoutTemplateComments(lines.join('\n')).split('\n'), true);
      const index = actions.findIndex((codes) => codes.some((code) => managedKubeRead(code, holders)));
      // Names a string test looks for in the version (`contains "gke"`): the render's version carries them.
      for (const code of actions.flat()) {
        if (!managedKubeRead(code, holders)) continue;
        for (const m of code.matchAll(/"([-.+_]?[A-Za-z][-A-Za-z0-9.+_]{0,30})"|`([-.+_]?[A-Za-z][-A-Za-z0-9.+_]{0,30})`/g)) {
          const name = m[1] ?? m[2]!;
          if (name !== '' && found.literals.kubeNames.length < 8 && !found.literals.kubeNames.includes(name)) found.literals.kubeNames.push(name);
        }
      }
      if (index !== -1) {
        found.managedKube = true;
        found.anywhere.release ??= { ...where(index + 1), construct: '.Capabilities.KubeVersion as a managed cluster reports it (Minor "31+", a provider suffix)' };
      }
    }
    collectLiterals(lines, found.literals, unenumerated);
    if (kinds.size > 0) found.files.push({ file, archive, kinds });
  };
  const scanArchive = (bytes: Buffer, archive: string, prefix: string, depth: number) => {
    let tar: Buffer;
    try {
      tar = gunzipSync(bytes, { maxOutputLength: Math.max(1, budget) });
    } catch {
      return; // not an archive, or larger than what is left: helm (and chartProblem) report it
    }
    budget -= tar.length;
    try {
      for (const entry of tarEntries(tar)) {
        if (entry.name.endsWith('.tgz') && depth < 4) scanArchive(entry.content, archive, `${prefix}${entry.name}/`, depth + 1);
        else if (entry.content.length <= MAX_FILE_BYTES) scanText(entry.content.toString('utf8'), (line) => ({ construct: '', file: archive, line, inArchive: `${prefix}${entry.name}` }), archive, true);
      }
    } catch (error) {
      // The entries after a header that cannot be read are unseen: the chart is not judged.
      found.literals.unrendered ??= `${prefix || 'the archive'} of ${relativeTo(dir, archive)} cannot be read as helm reads it (${(error as Error).message})`;
    }
  };
  const walk = (at: string, depth: number) => {
    if (depth > 32 || budget <= 0) return;
    let entries: string[];
    try {
      entries = readdirSync(at).sort();
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(at, entry);
      let stat;
      try {
        stat = statSync(full);
      } catch {
        continue;
      }
      if (stat.isDirectory()) {
        // crds/ is installed as it is, never rendered (nor reachable by tpl: see tplReachable).
        if (entry !== '.git' && entry !== 'node_modules' && entry !== 'crds') walk(full, depth + 1);
        continue;
      }
      if (!stat.isFile() || stat.size > MAX_FILE_BYTES || budget <= 0 || !tplReachable(full) && !full.split(path.sep).includes('templates')) continue;
      let bytes: Buffer;
      try {
        bytes = readFileSync(full);
      } catch {
        continue;
      }
      budget -= bytes.length;
      if (entry.endsWith('.tgz')) scanArchive(bytes, relativeTo(repoRoot, full), '', 0);
      else scanText(bytes.toString('utf8'), (line) => ({ construct: '', file: relativeTo(repoRoot, full), line }), full, false);
    }
  };
  walk(dir, 0);
  found.literals.release = resolveHelperLiterals(found.literals.release, found.literals.helpers, (why) => (found.literals.unrendered ??= why));
  return found;
}

/**
 * The constructs a values file from outside the chart adds when the chart passes values to `tpl`: lookup,
 * the revision, the clock and a managed cluster's version, in its `{{ }}` actions (at most 4 MiB read).
 */
export function addValuesTextConstructs(found: ChartConstructs, file: string): void {
  let text: string;
  try {
    if (statSync(file).size > MAX_FILE_BYTES) return;
    text = readFileSync(file, 'utf8');
  } catch {
    return; // helm reports a values file it cannot read
  }
  text = decodedEscapes(text);
  // The literals it compares the release and version with, as the chart's own text's.
  collectLiterals(text.split(/\r?\n/), found.literals);
  found.literals.release = resolveHelperLiterals(found.literals.release, found.literals.helpers, (why) => (found.literals.unrendered ??= why));
  if (RELEASE_REF.test(text)) found.release = true;
  for (const action of templateActions(text)) {
    const code = actionCode(action[0]);
    if (CONSTRUCTS.lookup.test(code)) found.lookup = true;
    if (CONSTRUCTS.revision.test(actionCode(action[0], true))) found.revision = true;
    if (CONSTRUCTS.clock.test(code)) found.clock = true;
    if (managedKubeRead(actionCode(action[0], true), new Set())) found.managedKube = true;
  }
}

/**
 * Whether text outside templates/ can reach a `tpl` call: values and files a template may read, not the
 * chart's CRDs (helm installs crds/ as they are) or its documentation.
 */
function tplReachable(file: string): boolean {
  return !file.split(path.sep).includes('crds') && !/\.(md|markdown|rst|txt|png|svg)$/i.test(file) && !/(^|[\\/])(LICENSE|NOTICE|OWNERS)[^\\/]*$/.test(file);
}

/** Kinds whose objects have fields securityFields() compares. */
const SECURITY_KINDS = new Set(['Pod', 'PodTemplate', 'ReplicationController', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Rollout', 'CloneSet', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'Service', 'NetworkPolicy', 'ServiceAccount', 'Namespace']);
/** An include or template call whose helper name is computed at render time (not a checksum of a template file). */
const DYNAMIC_INCLUDE = /\b(?:include|template)\s+(?:\((?![^)]*Template\.BasePath)|\$)/;

/** What one template text (a template file, or one helper) contributes to the decision. */
interface TextFacts<D = unknown> {
  upgrade: boolean;
  apiVersions: boolean;
  /** Decides something from the release name, namespace or Kubernetes version (releaseBranchLines). */
  release: boolean;
  /** Names a helper at render time (`include (printf ...)`), so unnamed helpers may be reached. */
  dynamic: boolean;
  /** Top-level `kind:` lines (an object's kind; indented ones are references: scaleTargetRef, subjects). */
  kinds: number;
  /** One of them is a kind with security fields, or computed by the template. */
  securityKind: boolean;
  /** The helpers it names. */
  names: D[];
}

function textFacts<D>(text: string, byName: ReadonlyMap<string, D[]>, releaseHelpers: ReadonlySet<string>, helper: boolean): TextFacts<D> {
  const kinds = [...text.matchAll(/^kind:\s*(.*?)\s*$/gm)].map((m) => m[1]!.replace(/^["']|["']$/g, ''));
  return {
    upgrade: CONSTRUCTS.upgrade.test(text),
    apiVersions: CONSTRUCTS.apiVersions.test(text),
    release: releaseBranchLines(text, releaseHelpers, helper).length > 0,
    dynamic: DYNAMIC_INCLUDE.test(text),
    kinds: kinds.length,
    securityKind: kinds.some((kind) => kind.includes('{{') || SECURITY_KINDS.has(kind)),
    names: [...text.matchAll(/\b(?:include|template)\s+"([^"]+)"/g)].flatMap((m) => byName.get(m[1]!) ?? []),
  };
}

/**
 * The second render a chart needs, or undefined. Decided from the text alone: a template that renders
 * objects (not a helper, not NOTES.txt) whose own text or included helpers use install/upgrade or API
 * version constructs and can emit an object with security fields; or a construct the chain cannot
 * account for: in a subchart archive, in text a `tpl` call may render (values, files), in a template file
 * preadmit does not read, or in a helper no template names when some template names helpers at render time.
 */
/** `sources`: the chart's template sources when already read (the chart's ConstructLocator has them). */
export function variantOf(dir: string, constructs: ChartConstructs, sources: TemplateSources = new TemplateSources(dir)): VariantInputs | undefined {
  if (!constructs.upgrade && !constructs.apiVersions && !constructs.release) return undefined;
  const inputs: VariantInputs = { upgrade: false, extensionApis: false, release: false };
  const add = (kinds: Iterable<VariantKind>) => {
    for (const kind of kinds) {
      if (kind === 'upgrade') inputs.upgrade = true;
      else if (kind === 'apiVersions') inputs.extensionApis = true;
      else inputs.release = true;
    }
  };
  const releaseHelpers = constructs.release ? releaseHelpersOf(sources) : new Set<string>();
  const templateFiles = new Set(sources.allFiles());
  const inTemplates = (file: string) => file.split(path.sep).includes('templates');
  for (const { file, archive, kinds } of constructs.files) {
    if (archive || (!templateFiles.has(file) && (inTemplates(file) || (constructs.usesTpl && tplReachable(file))))) {
      if (process.env.PREADMIT_DEBUG_VARIANTS) console.error('variant: file', file);
      add(kinds);
    }
  }
  // Each helper's text is analysed once; a template combines its own text's facts with its helpers'.
  const defines = sources.defines();
  const byName = new Map<string, typeof defines>();
  for (const d of defines) byName.set(d.name, [...(byName.get(d.name) ?? []), d]);
  const factsOf = new Map<(typeof defines)[number], TextFacts<(typeof defines)[number]>>();
  for (const d of defines) factsOf.set(d, textFacts((sources.read(d.file)?.lines ?? []).slice(d.start - 1, d.end).join('\n'), byName, releaseHelpers, true));
  const reached = new Set<(typeof defines)[number]>();
  let dynamic = false;
  for (const file of templateFiles) {
    const name = path.basename(file);
    if (name.startsWith('_') || name.endsWith('NOTES.txt')) continue;
    const facts = [textFacts((sources.read(file)?.lines ?? []).join('\n'), byName, releaseHelpers, false)];
    const mine = new Set<(typeof defines)[number]>();
    const queue = [...facts[0]!.names];
    while (queue.length > 0) {
      const define = queue.pop()!;
      if (mine.has(define)) continue;
      mine.add(define);
      reached.add(define);
      const own = factsOf.get(define)!;
      facts.push(own);
      queue.push(...own.names);
    }
    if (facts.some((f) => f.dynamic)) dynamic = true;
    const upgrade = facts.some((f) => f.upgrade);
    const apis = facts.some((f) => f.apiVersions);
    const release = facts.some((f) => f.release);
    if (!upgrade && !apis && !release) continue;
    const anyKind = facts.some((f) => f.kinds > 0);
    if (anyKind && !facts.some((f) => f.securityKind)) continue;
    if (process.env.PREADMIT_DEBUG_VARIANTS) console.error('variant: template', file, upgrade, apis, release);
    add([...(upgrade ? (['upgrade'] as const) : []), ...(apis ? (['apiVersions'] as const) : []), ...(release ? (['release'] as const) : [])]);
  }
  if (dynamic) {
    for (const define of defines) {
      if (reached.has(define)) continue;
      const facts = factsOf.get(define)!;
      add([...(facts.upgrade ? (['upgrade'] as const) : []), ...(facts.apiVersions ? (['apiVersions'] as const) : []), ...(facts.release ? (['release'] as const) : [])]);
    }
  }
  if (!inputs.release) delete inputs.release;
  if (inputs.extensionApis && constructs.literals.apiVersions.size > 0) inputs.apiLiterals = [...constructs.literals.apiVersions].sort();
  if (inputs.release && constructs.literals.release.length > 0) inputs.releaseLiterals = [...constructs.literals.release];
  if (inputs.release && constructs.literals.kube.length > 0) inputs.kubeLiterals = [...constructs.literals.kube];
  return inputs.upgrade || inputs.extensionApis || inputs.release ? inputs : undefined;
}

/**
 * The third render of a chart's defaults: a first install (so a condition joining IsInstall with another
 * input flips), with extension APIs and another release, and the cluster's answers to lookup, the revision
 * and the clock. Made when the chart's text names any of those (the answers only change what names them).
 */
export function answersVariant(constructs: ChartConstructs, full: VariantInputs): VariantInputs | undefined {
  // Several literals compared with the release or the Kubernetes version: this render takes the next one.
  const moreLiterals = constructs.literals.release.length > 1 || constructs.literals.kube.length > 1;
  if (!constructs.lookup && !constructs.revision && !constructs.clock && !constructs.upgrade && !moreLiterals && !constructs.managedKube) return undefined;
  // The version as a managed cluster reports it only when the templates read it that way (managedKube).
  return { ...full, upgrade: false, clusterAnswers: true, literalIndex: 1, ...(constructs.managedKube ? { versionSuffix: managedVersionSuffix(constructs.literals.kubeNames) } : {}) };
}

/**
 * The managed cluster's version suffix carrying the names the templates test for, still a valid semver
 * prerelease (a comparison on it must not fail where the real cluster's would not): only letters, digits,
 * `-` and `.`, no empty part (`-gke.` becomes `-gke.0`).
 */
export function managedVersionSuffix(names: readonly string[]): string {
  let suffix = MANAGED_VERSION_SUFFIX;
  for (const name of names) {
    const clean = name.replace(/[^A-Za-z0-9.-]/g, '').replace(/\.{2,}/g, '.');
    if (clean === '' || clean === '.' || clean === '-') continue;
    suffix += (/^[.-]/.test(clean) ? '' : '-') + clean;
    if (/[.-]$/.test(suffix)) suffix += '0';
  }
  // `x-.y`, `x.-y` are valid; an empty identifier (`..`, `.` at an end) is not.
  return suffix.replace(/\.\./g, '.0.').replace(/-\./g, '-0.').slice(0, 100).replace(/[.-]$/, '0');
}

/**
 * Most renders beyond the third, one per further literal, for literals whose comparison decides no
 * host-access or privilege setting (a chart comparing with many is rare and hostile); every deciding literal
 * (release name, namespace, Kubernetes version) gets its render, up to MAX_RELEASE_LITERALS per chart.
 */
const MAX_LITERAL_RENDERS = 4;
/** Most literals the release name and namespace are compared with that are kept per chart. */
const MAX_RELEASE_LITERALS = 16;

/**
 * Renders like the second for the literals beyond the two the second and third renders take: when the
 * templates compare the release name, namespace or Kubernetes version with three or more values that each
 * flip a test, one more render per value (at most MAX_LITERAL_RENDERS), so a decoy cannot push the one that
 * matters out of reach.
 */
export function literalVariants(constructs: ChartConstructs, full: VariantInputs, config: { releaseName: string; namespace: string; kubeVersion: string }, third = true): VariantInputs[] {
  const counts = [
    releaseLiteralValues('name', config.releaseName, constructs.literals.release).length,
    releaseLiteralValues('namespace', config.namespace, constructs.literals.release).length,
    kubeLiteralVersions(config.kubeVersion, constructs.literals.kube).length,
  ];
  // The third render's version carries a managed cluster's suffix (a prerelease to semver): its patch
  // literal is then taken again by a plain render.
  const first = !third || (constructs.managedKube && counts[2]! >= 2) ? 1 : 2;
  const deciding = constructs.literals.release.filter((l) => l.decides);
  const decidingCount = Math.max(
    releaseLiteralValues('name', config.releaseName, deciding).length,
    releaseLiteralValues('namespace', config.namespace, deciding).length,
    kubeLiteralVersions(config.kubeVersion, constructs.literals.kube.filter((l) => l.startsWith(DECIDING_KUBE))).length,
  );
  const most = Math.min(Math.max(...counts), first + Math.max(MAX_LITERAL_RENDERS, decidingCount));
  const out: VariantInputs[] = [];
  for (let index = first; index < most; index++) out.push({ ...full, literalIndex: index });
  return out;
}

/**
 * Renders that, with the scan's, the second and the third, give every pair of the inputs a chart's templates
 * branch on both ways: upgrade or install, common CRD APIs present or not, the scan's release identity or
 * another. The second render changes all three and the third all but the upgrade flag, so a condition
 * joining two inputs they change together (`and .Release.IsUpgrade (eq .Release.Namespace "default")`,
 * `and (.Capabilities.APIVersions.Has "x/v1") (eq .Release.Name "release")`) takes its other side in none of
 * them. `reads` is what the templates branch on (variantOf); `third` whether the third render is made. The
 * fewest rows are added (a pairwise covering design over three flags); a flag the
 * templates do not branch on stays as the scan has it.
 */
export function pairedVariants(reads: VariantInputs | undefined, full: VariantInputs, third: boolean): VariantInputs[] {
  if (reads === undefined) return [];
  const factors = [reads.upgrade, reads.extensionApis, reads.release === true];
  const read = [0, 1, 2].filter((i) => factors[i]);
  if (read.length < 2) return [];
  type Row = readonly [boolean, boolean, boolean];
  const rows: Row[] = [[false, false, false], [true, true, true], ...(third ? [[false, true, true] as Row] : [])];
  const uncovered = (row: Row, list: readonly Row[]) => {
    let n = 0;
    for (const i of read) for (const j of read) if (i < j && !list.some((r) => r[i] === row[i] && r[j] === row[j])) n++;
    return n;
  };
  const candidates: Row[] = [];
  for (let bits = 0; bits < 8; bits++) candidates.push([(bits & 1) !== 0 && factors[0]!, (bits & 2) !== 0 && factors[1]!, (bits & 4) !== 0 && factors[2]!]);
  // The fewest rows that leave no pair uncovered: one, two or three of the 8 (with the third render, two
  // always do; without it, all three flags read take three).
  const covers = (list: readonly Row[]) => candidates.every((row) => uncovered(row, list) === 0);
  let added: Row[] = [];
  if (!covers(rows)) {
    const pairs = candidates.flatMap((a) => candidates.map((b) => [a, b]));
    added =
      candidates.map((row) => [row]).find((one) => covers([...rows, ...one])) ??
      pairs.find((two) => covers([...rows, ...two])) ??
      pairs.flatMap((two) => candidates.map((c) => [...two, c])).find((three) => covers([...rows, ...three]))!;
  }
  return added.map(([upgrade, extensionApis, release]) => ({ ...full, paired: true, upgrade, extensionApis, release }));
}

/** Every input the second render can change: as upgrade, with extension APIs (and the named ones), as another release. */
export function fullVariant(constructs: ChartConstructs): VariantInputs {
  return {
    upgrade: true,
    extensionApis: true,
    release: true,
    ...(constructs.literals.apiVersions.size > 0 ? { apiLiterals: [...constructs.literals.apiVersions].sort() } : {}),
    ...(constructs.literals.release.length > 0 ? { releaseLiterals: [...constructs.literals.release] } : {}),
    ...(constructs.literals.kube.length > 0 ? { kubeLiterals: [...constructs.literals.kube] } : {}),
  };
}

const DEFINE = /\{\{-?\s*define\s+"([^"]{1,200})"\s*-?\}\}/g;

/** What each `define` of `code` reads of the release (its text up to the next define), for helper literals. */
function collectHelperReads(code: string, into: Map<string, HelperReads>): void {
  const starts = [...code.matchAll(DEFINE)];
  starts.forEach((m, i) => {
    if (into.size >= 4096) return;
    const body = code.slice(m.index! + m[0].length, i + 1 < starts.length ? starts[i + 1]!.index : code.length);
    const canonical = canonicalReleaseText(body);
    const known = into.get(m[1]!) ?? { name: false, namespace: false, includes: [] };
    known.name ||= /\.Release\.Name\b/.test(canonical);
    known.namespace ||= /\.Release\.Namespace\b/.test(canonical);
    for (const inc of body.matchAll(/\b(?:include|template)\s+"([^"]{1,200})"/g)) {
      if (known.includes.includes(inc[1]!)) continue;
      if (known.includes.length < 64) known.includes.push(inc[1]!);
      else known.partial = true;
    }
    into.set(m[1]!, known);
  });
}

/**
 * The chart's literals with each helper's output replaced by what the helper reads (its name or namespace,
 * through the helpers it includes): a name that passes the test is the render's release name, since a
 * helper built from it (helm create's fullname) begins with it. A helper whose reads are not known whole, or
 * that is handed another context than the root and reads neither by name, is tried as both; a helper of
 * the root reading neither decides nothing about them and is dropped.
 */
export function resolveHelperLiterals(literals: readonly ReleaseLiteral[], helpers: ReadonlyMap<string, HelperReads>, onUnrendered?: (why: string) => void): ReleaseLiteral[] {
  // What a helper reads, through the helpers it includes, and whether that is known whole (not when a helper
  // includes more than was listed or the walk passes its bound).
  const readsOf = (name: string) => {
    const out = { name: false, namespace: false };
    const seen = new Set<string>();
    const queue = [name];
    let known = true;
    while (queue.length > 0) {
      const next = queue.pop()!;
      if (seen.has(next)) continue;
      if (seen.size >= 256) {
        known = false;
        break;
      }
      seen.add(next);
      const reads = helpers.get(next);
      if (reads?.partial === true) known = false;
      if (reads === undefined) continue;
      out.name ||= reads.name;
      out.namespace ||= reads.namespace;
      queue.push(...reads.includes);
    }
    return { ...out, known };
  };
  // A helper whose output a deciding test compares decides too: the literals inside it (and inside the
  // helpers it includes) are deciding, so each gets its render.
  const deciding = new Set<string>();
  const queue = literals.filter((l) => l.helper !== undefined && l.decides).map((l) => l.helper!);
  while (queue.length > 0 && deciding.size < 256) {
    const name = queue.pop()!;
    if (deciding.has(name)) continue;
    deciding.add(name);
    queue.push(...(helpers.get(name)?.includes ?? []));
  }
  const promoted = literals.map((l) => (l.inHelper !== undefined && deciding.has(l.inHelper) && !l.decides ? { ...l, decides: true } : l));
  const dropped = [...(droppedInHelpers.get(literals as ReleaseLiteral[]) ?? [])].find((name) => deciding.has(name));
  if (dropped !== undefined) onUnrendered?.(`more than ${MAX_RELEASE_LITERALS} comparisons of the release name or namespace, some in the helper ${JSON.stringify(dropped)} whose output decides host-access or privilege settings`);
  // Deciding first (a stable sort): the renders take them first.
  const ordered = [...promoted.filter((l) => l.decides), ...promoted.filter((l) => !l.decides)];
  const out: ReleaseLiteral[] = [];
  const push = (literal: ReleaseLiteral) => {
    if (!out.some((l) => l.field === literal.field && l.test === literal.test && l.literal === literal.literal)) out.push(literal);
  };
  for (const literal of ordered) {
    if (literal.helper === undefined) {
      push(literal);
      continue;
    }
    const { helper: _helper, handed, ...rest } = literal;
    const reads = readsOf(literal.helper);
    // Not known whole, or handed another context and reading neither by name: tried as both, not dropped.
    const both = !reads.known || (handed === true && !reads.name && !reads.namespace);
    if (reads.name || both) push({ ...rest, field: 'name' });
    if (reads.namespace || both) push({ ...rest, field: 'namespace' });
  }
  return out;
}

const API_VERSION_LITERAL = /APIVersions\.Has\s+"([A-Za-z0-9.\/-]{1,253})"/g;
/** The API versions `lines` ask for by name (ChartConstructs.literals); at most 64 per chart. */
function collectLiterals(lines: readonly string[], into: ChartConstructs['literals'], onUnenumerated?: (line: number) => void): void {
  for (const line of lines) {
    if (!line.includes('APIVersions') || into.apiVersions.size >= 64) continue;
    for (const match of line.matchAll(API_VERSION_LITERAL)) into.apiVersions.add(match[1]!);
  }
  // Template comments render nothing: no literal is taken from them.
  const code = withoutTemplateComments(lines.join('\n'));
  if (/\bdefine\b/.test(code)) collectHelperReads(code, into.helpers);
  if (/\bRelease\b|\b(?:include|template)\b|\b(?:index|get|pluck|dig)\s+[$.]\s/.test(code)) collectReleaseLiterals(code, into.release, (why) => (into.unrendered ??= why), onUnenumerated);
  if (/KubeVersion/.test(code)) collectKubeLiterals(code, into.kube, (why) => (into.unrendered ??= why));
}

/** String functions: what they see of the version differs on a managed cluster (a suffix, a `+`). */
const STRING_TEST = /\b(?:contains|hasPrefix|hasSuffix|regexMatch|mustRegexMatch|regexFind|regexFindAll|trimSuffix|trimPrefix|trimAll|splitList|split|splitn|replace|substr|trunc|eq|ne|has|index|upper|lower|toString|quote|len)\b/;

const WHOLE_KUBE_VERSION = /\.Capabilities\.KubeVersion(?![\w.])/;
const HOLDER_ASSIGNMENT = /^\s*-?\s*\$\w+\s*:?=\s*\(?\s*\$?\.Capabilities\.KubeVersion\s*\)?\s*-?\s*$/;

/** An action that reads the version's `.Minor`, or the version with a string function. */
function managedKubeRead(code: string, holders: ReadonlySet<string>): boolean {
  // `with .Capabilities.KubeVersion` (or `.Capabilities`): what the block reads is not followed, so it counts.
  if (/\bwith\s+\$?\.Capabilities(?:\.KubeVersion)?(?:\s|$)/.test(code)) return true;
  // The version object handed on whole (`include "kv.minor" .Capabilities.KubeVersion`): read under another name.
  if (WHOLE_KUBE_VERSION.test(code) && !HOLDER_ASSIGNMENT.test(code)) return true;
  const held = holderReads(code, holders);
  if (/KubeVersion\.Minor\b/.test(code) || held.minor) return true;
  const version = /KubeVersion(?:\.(?:GitVersion|Version))?\b(?!\.(?:Major|Minor))/.test(code) || held.version;
  // A variable holding the version read as data (`$v | toJson`): its fields, Minor included.
  return version && (STRING_TEST.test(code) || (held.version && READS_AS_DATA.test(code)));
}

/**
 * Whether `code` reads a variable holding the version (`$kv := .Capabilities.KubeVersion`) as `.Minor`, or as
 * the version itself: by the variables it names, looked up in the set (any number of them, linear in code).
 */
function holderReads(code: string, holders: ReadonlySet<string>): { minor: boolean; version: boolean } {
  const out = { minor: false, version: false };
  if (holders.size === 0 || !code.includes('$')) return out;
  for (const m of code.matchAll(/\$\w+/g)) {
    if (!holders.has(m[0])) continue;
    const after = code.slice(m.index! + m[0].length, m.index! + m[0].length + 8);
    if (/^\.Minor\b/.test(after)) out.minor = true;
    else if (!/^\.Major\b/.test(after)) out.version = true;
  }
  return out;
}

/** Names of every shape a pattern may exclude: digits, dots, dashes, one letter, the longest. */
const NON_MATCHING_NAMES = ['x0', '0x', 'x', '0', 'x-0', 'x.0', 'a--b', 'x'.repeat(53), 'preadmit-variant-ns'];

/** A name or namespace helm accepts (DNS-1123 label; a release name may hold dots, up to 53). */
const RELEASE_VALUE = /^[a-z0-9](?:[-a-z0-9.]{0,51}[a-z0-9])?$/;
const ESCAPED_PATTERN = /\b(?:regexMatch|mustRegexMatch)\s+(?:"((?:[^"\\]|\\.){1,1024})"|`([^`]{1,1024})`)\s+(\([^()]*\)|[^\s)}]+)/g;

const COMPARED = /\b(eq|ne|hasPrefix|hasSuffix|contains|regexMatch|mustRegexMatch)\s+(?:"([^"\\]{1,63})"\s+(\([^()]*\)|\S+)|(\([^()]*\)|\S+)\s+"([^"\\]{1,63})")/g;

/**
 * Literals `text` compares the release name or namespace with: directly (`.Release.Namespace`,
 * `$.Release.Namespace`) or through a variable assigned from them in the same file. At most 16 per chart.
 */
export function collectReleaseLiterals(written: string, into: ReleaseLiteral[], onUnrendered?: (why: string) => void, onUnenumerated?: (line: number) => void): void {
  const text = canonicalReleaseText(written);
  // The helper each action sits in (its define up to the next one), for literals a helper's output carries.
  const defines = [...text.matchAll(DEFINE)].map((m) => ({ name: m[1]!, at: m.index! }));
  let inDefine = -1;
  const variables = new Map<string, ReleaseLiteral['field']>();
  // Assigned from them, or from an expression over one of them (`$ns := default .Release.Namespace .Values.ns`).
  const transformedVariables = new Set<string>();
  for (const m of text.matchAll(/(\$\w+)\s*:?=\s*([^}\n]{0,200}?)\$?\.Release\.(Name|Namespace)\b([^}\n]{0,200})/g)) {
    if (variables.has(m[1]!)) continue;
    variables.set(m[1]!, m[3] === 'Name' ? 'name' : 'namespace');
    if (transforms(`${m[2]} ${m[4]}`)) transformedVariables.add(m[1]!);
  }
  // A helper's output (`(include "app.fullname" .)`): resolved to what the helper reads once the chart is read.
  let helper: string | undefined;
  let handed = false;
  // The operand transforms the name (`sha256sum`, `b64enc`, `replace`...): the literal is tried as the field,
  // and the test is reported too, since no render is sure to pass it.
  let uncertain = false;
  const fieldOf = (operandWritten: string): ReleaseLiteral['field'] | undefined => {
    helper = undefined;
    handed = false;
    uncertain = false;
    const written = operandWritten.startsWith('(') ? operandWritten : operandWritten.replace(/\)+$/, '');
    const included = /^\(\s*(?:include|template)\s+"([^"]{1,200})"([^()]*)\)$/.exec(written);
    if (included) {
      helper = included[1]!;
      // Handed something else than the root context (`.Release`): what `.Namespace` or `.Name` means inside is not known.
      handed = !/^\s*[$.]?\s*$/.test(included[2]!);
      return 'name';
    }
    // Case and space functions around it (`upper .Release.Name`): the literal is compared lower-cased.
    const operand = written.replace(/^\(\s*(?:upper|lower|trim|toString|trimAll\s+"[^"]*"|trunc\s+\d+)\s+([^()\s]+)\s*\)$/, '$1');
    const direct = /^\(?\$?(?:\$\w+)?\.Release\.(Name|Namespace)\)?$/.exec(operand);
    if (direct) return direct[1] === 'Name' ? 'name' : 'namespace';
    const variable = variables.get(operand.replace(/[()]/g, ''));
    if (variable !== undefined) {
      uncertain = transformedVariables.has(operand.replace(/[()]/g, ''));
      return variable;
    }
    // An expression over one of them (`(default .Release.Namespace .Values.ns)`, `(printf "%s" .Release.Name)`,
    // `(coalesce .Values.ns $ns)`): the literal is tried as that field, which is what the expression gives
    // when nothing else is set.
    if (!operand.startsWith('(')) return undefined;
    const fields = new Set<ReleaseLiteral['field']>();
    for (const m of operand.matchAll(/\.Release\.(Name|Namespace)\b|\$\w+/g)) {
      const field = m[1] !== undefined ? (m[1] === 'Name' ? 'name' : 'namespace') : variables.get(m[0]);
      if (field !== undefined) fields.add(field);
    }
    if (fields.size !== 1) return undefined;
    uncertain = transforms(operand);
    return [...fields][0];
  };
  const lines = text.split('\n');
  let deciding = false;
  // A literal whose comparison writes a host-access or privilege setting goes first: one render takes one value.
  let added = 0;
  let current: ReleaseLiteral[] = [];
  let unsure = false;
  const add = (written: ReleaseLiteral) => {
    added++;
    if (uncertain) unsure = true;
    const own = inDefine === -1 ? written : { ...written, inHelper: defines[inDefine]!.name };
    const literal = helper === undefined ? own : { ...own, helper, ...(handed ? { handed: true } : {}) };
    const same = into.findIndex((l) => l.field === literal.field && l.test === literal.test && l.literal === literal.literal && l.helper === literal.helper);
    if (same !== -1) {
      // Seen already where it decided nothing (a helper read first): deciding here, it moves up.
      if (deciding && !into[same]!.decides) {
        const [moved] = into.splice(same, 1);
        const at = into.findIndex((l) => !l.decides);
        into.splice(at === -1 ? into.length : at, 0, { ...moved!, decides: true });
      }
      return;
    }
    if (into.length >= MAX_RELEASE_LITERALS) {
      // Full: a deciding literal takes the place of one that decides nothing; with none left, the chart
      // cannot be rendered every way that matters, which the scan reports rather than passing it.
      const spare = into.findLastIndex((l) => !l.decides);
      if (!deciding) {
        // Inside a helper it may decide after all (its output compared where it decides): remembered.
        if (literal.inHelper !== undefined) (droppedInHelpers.get(into) ?? droppedInHelpers.set(into, new Set()).get(into)!).add(literal.inHelper);
        return;
      }
      if (spare === -1) return onUnrendered?.(`more than ${MAX_RELEASE_LITERALS} comparisons of the release name or namespace decide host-access or privilege settings (the next: ${JSON.stringify(literal.literal)})`);
      into.splice(spare, 1);
    }
    const kept = deciding ? { ...literal, decides: true } : literal;
    current.push(kept);
    if (deciding) into.splice(into.findIndex((l) => !l.decides) === -1 ? into.length : into.findIndex((l) => !l.decides), 0, kept);
    else into.push(kept);
  };
  // The line of each action, counted on from the previous one (slicing from the start per action is quadratic).
  let lineAt = 0;
  let countedTo = 0;
  for (const action of templateActions(text)) {
    for (let at = text.indexOf('\n', countedTo); at !== -1 && at < action.index; at = text.indexOf('\n', at + 1)) lineAt++;
    countedTo = action.index;
    while (inDefine + 1 < defines.length && defines[inDefine + 1]!.at <= action.index) inDefine++;
    added = 0;
    current = [];
    unsure = false;
    deciding = /\b(?:eq|ne|has|hasKey|index|get|dig|pluck|hasPrefix|hasSuffix|contains|regexMatch|mustRegexMatch|len)\b/.test(action[0]) && decidedSetting(lines, lineAt) !== undefined;
    collectFromAction(action);
    if (!deciding) continue;
    // One action testing a field several ways (`and (hasPrefix "kube-" $ns) (hasSuffix "-system" $ns)`): one
    // value passing every test is tried too.
    const mine = current.filter((l) => l.test !== 'length' && l.test !== 'regex' && l.helper === undefined);
    for (const field of ['name', 'namespace'] as const) {
      const tests = mine.filter((l) => l.field === field);
      const prefix = tests.find((l) => l.test === 'hasPrefix')?.literal ?? '';
      const suffix = tests.find((l) => l.test === 'hasSuffix')?.literal ?? '';
      const middle = tests.filter((l) => l.test === 'contains').map((l) => l.literal).join('');
      if (tests.length > 1 && (prefix !== '' || suffix !== '') && !tests.some((l) => l.test === 'eq')) add({ field, test: 'eq', literal: `${prefix}${middle}${suffix}` });
    }
    // A deciding test on the release identity that gave no literal (`eq .Release.Namespace (print "kube-" "system")`,
    // a range over names, a digest, the name taken apart), or the root context indexed by a computed key
    // (`index . (print "Rel" "ease")`): no set of renders enumerates it; the caller reports the line.
    // The release name or namespace must be an operand of a comparison (`eq`, `has`, `hasPrefix`...: up to
    // the call's end or a pipe), not merely nearby (`index .Values.sa "name" | default .Release.Name`); one
    // compared with a value or a range's element (`eq .Values.namespace .Release.Namespace`, `ne .
    // $.Release.Namespace`) is the user's configuration, not the install's identity.
    const refers = [...action[0].matchAll(/\b(?:eq|ne|lt|le|gt|ge|has|mustHas|hasPrefix|hasSuffix|contains|regexMatch|mustRegexMatch)\s+([^|})]{0,200})/g)].some((m) => {
      const args = m[1]!;
      if (/\.Values\b|(?:^|\s)\.(?:\s|$)/.test(args)) return false;
      return /\.Release\.(?:Name|Namespace)\b/.test(args) || [...args.matchAll(/\$\w+/g)].some((v) => variables.has(v[0]));
    });
    // The root context indexed by a key built at render time (`index . (print "Rel" "ease")`), or `$` by a variable.
    const computedRoot = /\b(?:index|get|pluck|dig)\s+(?:\$|\.)\s+\(\s*(?:print|printf|cat|join|nospace|replace|lower|upper|trim)\b|\b(?:index|get|pluck|dig)\s+\$\s+\$\w/.test(action[0]);
    if ((refers && added === 0) || computedRoot || unsure) onUnenumerated?.(lineAt);
  }
  function collectFromAction(action: RegExpExecArray): void {
    // Lengths: `gt (len .Release.Name) 20`, `lt 10 (len $ns)`.
    for (const m of action[0].matchAll(/\b(eq|ne|lt|le|gt|ge)\s+(?:\(len\s+([^()\s]+)\s*\)\s+(\d{1,3})|(\d{1,3})\s+\(len\s+([^()\s]+)\s*\))/g)) {
      const field = fieldOf(m[2] ?? m[5]!);
      if (field === undefined) continue;
      add({ field, test: 'length', literal: m[2] !== undefined ? `${m[1]} ${m[3]}` : `${SWAPPED[m[1]!]} ${m[4]}` });
    }
    // A dict of names looked up by the release (`hasKey $system .Release.Namespace`): its string literals.
    for (const m of action[0].matchAll(/\b(?:hasKey|index|get|pluck|dig)\s+(?:\([^()]*\)|\S+)\s+(\([^()]*\)|[^\s)}]+)/g)) {
      const field = fieldOf(m[1]!);
      if (field === undefined) continue;
      for (const item of text.matchAll(/\bdict\s+((?:"[^"\\]{1,63}"\s+[^\s)]+\s*)+)/g)) {
        for (const key of item[1]!.matchAll(/"([^"\\]{1,63})"\s+[^\s)]+/g)) if (/^[-a-z0-9.]+$/.test(key[1]!)) add({ field, test: 'eq', literal: key[1]! });
      }
    }
    // Membership: `has .Release.Namespace (list "kube-system" "prod")`.
    for (const m of action[0].matchAll(/\b(?:has|mustHas)\s+(\([^()]*\)|\S+)\s+\(\s*list\s+((?:"[^"\\]{1,63}"\s*)+)\)/g)) {
      const field = fieldOf(m[1]!);
      if (field === undefined) continue;
      for (const item of m[2]!.matchAll(/"([^"]*)"/g)) if (/^[-a-z0-9.]+$/.test(item[1]!)) add({ field, test: 'eq', literal: item[1]! });
    }
    // Patterns written with escapes or as a raw string (`regexMatch "^ns-\\d+$"`, `regexMatch `^ns-\d+$``).
    for (const m of action[0].matchAll(ESCAPED_PATTERN)) {
      if (m[1] !== undefined && !m[1].includes('\\') && m[1].length <= 63) continue; // a short plain pattern: COMPARED below
      const pattern = m[1] !== undefined ? goStringValue(`"${m[1]}"`) : m[2]!;
      const field = fieldOf(m[3]!.replace(/-?\}\}$/, ''));
      if (field === undefined) continue;
      if (regexExamples(pattern).length > 0) add({ field, test: 'regex', literal: pattern });
      else if (deciding) onUnrendered?.(`no name matching the pattern ${JSON.stringify(pattern.slice(0, 80))} could be made for the release ${field}, and the match decides host-access or privilege settings`);
    }
    for (const m of action[0].matchAll(COMPARED)) {
      // eq/ne take the literal on either side; the string functions take it first (hasPrefix "kube-" $ns).
      let literal = (m[2] ?? m[5]!).toLowerCase();
      let fn = m[1]!;
      // A plain pattern is a string test: ^prod- is hasPrefix, -prod$ hasSuffix, ^prod$ eq, prod contains.
      if (fn.endsWith('egexMatch')) {
        if (m[2] === undefined) continue;
        const anchored = /^\^?([-a-z0-9]+)\$?$/.exec(literal);
        if (!anchored) {
          // Any other pattern (classes, groups, alternation): the render's value is a string it matches.
          const operand = m[3]!.replace(/-?\}\}$/, '');
          const field = fieldOf(operand);
          if (field === undefined) continue;
          if (regexExamples(m[2]).length > 0) add({ field, test: 'regex', literal: m[2] });
          else if (deciding) onUnrendered?.(`no name matching the pattern ${JSON.stringify(m[2].slice(0, 80))} could be made for the release ${field}, and the match decides host-access or privilege settings`);
          continue;
        }
        fn = literal.startsWith('^') && literal.endsWith('$') ? 'eq' : literal.startsWith('^') ? 'hasPrefix' : literal.endsWith('$') ? 'hasSuffix' : 'contains';
        literal = anchored[1]!;
      }
      const operand = (m[3] ?? m[4]!).replace(/-?\}\}$/, '');
      if (m[4] !== undefined && fn !== 'eq' && fn !== 'ne') continue;
      const field = fieldOf(operand);
      if (field === undefined || !/^[-a-z0-9.]+$/.test(literal)) continue;
      add({ field, test: fn === 'ne' ? 'eq' : (fn as ReleaseLiteral['test']), literal });
    }
  }
}

/**
 * Template text with the release name and namespace written one way, for collectReleaseLiterals:
 * `$r := .Release` then `$r.Namespace`, `.Namespace` inside `with .Release`, pipes (`.Release.Namespace |
 * hasPrefix "prod"`, `.Release.Name | len`) become `.Release.Namespace` and prefix calls.
 */
const RELEASE_WITH = /^\{\{-?\s*(?:else\s+)?with\s+(?:\$\w+\s*:?=\s*)?\(?\s*\$?\.Release\s*\)?\s*-?\}\}$/;

export function canonicalReleaseText(text: string): string {
  // Variables holding the release (`$r := .Release`, `$r := (.Release)`): their `.Name` and `.Namespace` (one
  // pass, any number).
  const holders = new Set([...text.matchAll(/(\$\w+)\s*:?=\s*\(?\s*\$?\.Release\s*\)?(?![.\w])/g)].map((m) => m[1]!));
  let out = holders.size === 0 ? text : text.replace(/(\$\w+)\.(Name|Namespace)\b/g, (m, holder: string, field: string) => (holders.has(holder) ? `.Release.${field}` : m));
  // Inside `with .Release` (`$.Release`, `(.Release)`, `$r := .Release`, `else with .Release`), where the dot is
  // still the release.
  if (/\bwith\s+[^}]*\.Release\b/.test(out)) out = withBlockActions(out, RELEASE_WITH, (action) => action.replace(/(^|[\s(])\.(Name|Namespace)\b/g, '$1.Release.$2'));
  const operand = String.raw`(\$?(?:\$\w+)?\.Release\.(?:Name|Namespace)|\$\w+)`;
  out = out.replace(new RegExp(`${operand}\\s*\\|\\s*(hasPrefix|hasSuffix|contains|eq|ne|regexMatch|mustRegexMatch)\\s+("(?:[^"\\\\]|\\\\.)*"|\`[^\`]*\`)`, 'g'), '$2 $3 $1');
  out = out.replace(new RegExp(`\\(\\s*${operand}\\s*\\|\\s*len\\s*\\)`, 'g'), '(len $1)');
  // Case and space functions piped (`(.Release.Name | lower)`) are written as calls, which fieldOf reads.
  out = out.replace(new RegExp(`\\(\\s*${operand}\\s*\\|\\s*(upper|lower|trim|toString)\\s*\\)`, 'g'), '($2 $1)');
  return out;
}

/**
 * The value the second render gives the release name or namespace: a literal the templates compare it with
 * whose test the scan's value does not pass (so the branch flips), else undefined (the generic variant value).
 */
export function releaseLiteralFor(field: ReleaseLiteral['field'], main: string, literals: readonly ReleaseLiteral[] = [], index = 0): string | undefined {
  const values = releaseLiteralValues(field, main, literals);
  return values[Math.min(index, values.length - 1)];
}

/** Every value releaseLiteralFor can give, in the literals' order. */
function releaseLiteralValues(field: ReleaseLiteral['field'], main: string, literals: readonly ReleaseLiteral[]): string[] {
  const out: string[] = [];
  const passes = ({ test, literal }: ReleaseLiteral, value: string) =>
    test === 'eq' ? value === literal : test === 'hasPrefix' ? value.startsWith(literal) : test === 'hasSuffix' ? value.endsWith(literal) : value.includes(literal);
  // The shortest valid value that passes the test: the literal, padded where it starts or ends with - or .
  const valueOf = ({ test, literal }: ReleaseLiteral) => {
    const start = test === 'eq' || test === 'hasPrefix' || /^[a-z0-9]/.test(literal) ? '' : 'x';
    const end = test === 'eq' || test === 'hasSuffix' || /[a-z0-9]$/.test(literal) ? '' : 'x';
    return `${start}${literal}${end}`;
  };
  const valid = (value: string) => RELEASE_VALUE.test(value) && (field === 'name' || (value.length <= 63 && !value.includes('.')));
  for (const literal of literals) {
    if (literal.field !== field) continue;
    if (literal.test === 'length') {
      // A name of another length on the other side of the test (the variant's own name keeps the length).
      const n = Number(literal.literal.split(' ')[1]);
      const length = [n - 1, n, n + 1].find((l) => l >= 1 && l <= (field === 'name' ? 53 : 63) && lengthPasses(literal.literal, l) !== lengthPasses(literal.literal, main.length));
      if (length !== undefined) out.push(`p${'x'.repeat(length - 1)}`);
      continue;
    }
    if (literal.test === 'regex') {
      // A name the pattern matches and the scan's does not (padded where the pattern leaves an end open).
      const compiled = goRegExpOrWider(literal.literal);
      if (compiled === undefined) continue;
      const pattern = compiled.regexp;
      // Read wider than written (counted repetitions the linear engine refuses, opened): whether the scan's
      // name matches is not known, so a name it matches and then one it does not are both rendered.
      const other = compiled.exact ? undefined : NON_MATCHING_NAMES.find((v) => valid(v) && !pattern.test(v));
      if (compiled.exact && pattern.test(main)) {
        // The scan's name matches (a `not (regexMatch ...)` guard): a valid name the pattern does not match.
        const other = NON_MATCHING_NAMES.find((v) => valid(v) && !pattern.test(v));
        if (other !== undefined) out.push(other);
        continue;
      }
      for (const example of regexExamples(literal.literal)) {
        const value = [example, `${example}x`, `x${example}`, `x${example}x`].find((v) => valid(v) && pattern.test(v));
        if (value !== undefined) {
          out.push(value);
          break;
        }
      }
      if (other !== undefined) out.push(other);
      continue;
    }
    if (passes(literal, main)) continue;
    const value = valueOf(literal);
    if (valid(value)) out.push(value);
  }
  return [...new Set(out)];
}

/** Settings that grant host access or privilege, or another identity: a branch on an unknowable answer must not write them. */
const DECISIVE_NAMES = 'privileged|add|hostNetwork|hostPID|hostIPC|hostUsers|hostPath|hostPort|hostProcess|allowPrivilegeEscalation|capabilities|procMount|seccompProfile|appArmorProfile|sysctls|serviceAccountName|verbs';
const DECISIVE_KEY = new RegExp(`(?:^|[\\s{,"'])(${DECISIVE_NAMES})["']?\\s*:`);
/** A decisive setting named as a string in template code: a key of a `dict` or `set` that toYaml may write. */
const DECISIVE_STRING = new RegExp(`["'\`](${DECISIVE_NAMES})["'\`]`);
/**
 * Keys under which a whole structure written from a value (`securityContext: {{ toYaml $sc | nindent 4 }}`)
 * can hold decisive settings whatever its keys are.
 */
const DECISIVE_PARENT = /^(securityContext|capabilities|containers|initContainers|ephemeralContainers|volumes|spec|template|rules)$/;
/** Functions that change the map or list in their first argument (`set $sc "privileged" $x`): it then carries the value. */
const MUTATED = /\b(?:set|unset|merge|mergeOverwrite|mustMerge|mustMergeOverwrite)\s+\(?\s*(\$\w+)/g;

/**
 * The decisive setting (DECISIVE_KEY) that the construct on line `index` (0-based) of `lines` writes: on
 * that line itself, in the block it opens (`if`, `with`, `range`, `else if`, to the matching `end`), or
 * through the variables it assigns: every later action that reads one (directly or through variables
 * assigned from it) counts as the construct itself.
 */
export function decidedSetting(lines: readonly string[], index: number): string | undefined {
  const withoutActions = (text: string) => replaceActions(text, () => ' ');
  const own = DECISIVE_KEY.exec(withoutActions(lines[index]!))?.[1];
  if (own !== undefined) return own;
  const { text, lineStarts, actions, budget } = actionIndexOf(lines);
  if (budget.left <= 0) return UNTRACED;
  const start = lineStarts[index]!;
  const end = start + lines[index]!.length;
  const lineAround = (at: number, length: number) => text.slice(text.lastIndexOf('\n', at) + 1, (text.indexOf('\n', at + length) + 1 || text.length + 1) - 1);
  // From the start of the opener's line (`privileged: {{ if $found }}true{{ end }}`) to its `end`.
  const blockOf = (opener: number): string | undefined => {
    const from = text.lastIndexOf('\n', actions[opener]!.at) + 1;
    let depth = 0;
    for (let j = opener + 1; j < actions.length; j++) {
      if (--budget.left <= 0) return undefined;
      const body = actions[j]!.body;
      if (/^(?:if|with|range|define|block)\b/.test(body)) depth++;
      else if (/^end\b/.test(body)) {
        if (depth === 0) return text.slice(from, actions[j]!.at);
        depth--;
      }
    }
    return text.slice(from);
  };
  const opens = (body: string) => /^(?:if|with|range|else\s+if|else\s+with)\b/.test(body);
  // Variables carrying the answer, each with the decisive key its map was seen to hold (`dict "privileged" ...`),
  // or null when every key it was given is written out and none is decisive (a `dict "password" ...`).
  const tainted = new Map<string, string | null | undefined>();
  const reads = (body: string) => [...body.matchAll(/\$\w+/g)].some((m) => tainted.has(m[0]));
  const taint = (name: string, key: string | null | undefined) => {
    const known = tainted.get(name);
    tainted.set(name, typeof known === 'string' ? known : key === undefined && tainted.has(name) ? known : key);
  };
  /** What an action carrying the answer holds: a decisive key it names, null when its keys are all plain. */
  const keyOf = (body: string): string | null | undefined => {
    const named = DECISIVE_STRING.exec(body)?.[1];
    if (named !== undefined) return named;
    const carried = [...body.matchAll(/\$\w+/g)].filter((m) => tainted.has(m[0])).map((m) => tainted.get(m[0]));
    const inherited = carried.find((k) => typeof k === 'string');
    if (inherited !== undefined) return inherited;
    // A map built here with its keys written (`dict "password" (lookup ...)`), or only such maps read.
    return /\b(?:dict|set)\s+/.test(body) || (carried.length > 0 && carried.every((k) => k === null)) ? null : undefined;
  };
  /**
   * The key an output action writes under when its line has none of its own (`{{ toYaml $sc | nindent 6 }}`):
   * the nearest line above, less indented than the output (its `indent`/`nindent`, else its column), with a key.
   */
  const parentKey = (at: number): string | undefined => {
    const lineIndex = lineOf(at);
    const body = actions.find((a) => a.at === at)?.body ?? '';
    const column = Number(/\bn?indent\s+(\d+)/.exec(body)?.[1] ?? at - lineStarts[lineIndex]!);
    for (let i = lineIndex - 1, steps = 0; i >= 0 && steps < 400; i--, steps++) {
      const text = withoutActions(lines[i]!);
      const key = /^(\s*)(?:-\s+)?["']?([\w.-]+)["']?\s*:/.exec(text);
      if (key && key[1]!.length < column) return key[2];
    }
    return undefined;
  };
  const lineOf = (at: number) => {
    let lo = 0;
    for (let hi = lineStarts.length - 1; lo < hi; ) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  // Actions before the line's cannot start the chain: the walk starts at the first one reaching into it.
  let first = 0;
  for (let lo = 0, hi = actions.length; lo < hi; ) {
    const mid = (lo + hi) >> 1;
    if (actions[mid]!.at + actions[mid]!.length > start) hi = mid;
    else lo = first = mid + 1;
  }
  for (let i = first; i < actions.length; i++) {
    const action = actions[i]!;
    // Past the line with nothing tainted: no later action depends on it.
    if (action.at > end && tainted.size === 0) break;
    if (--budget.left <= 0) return UNTRACED;
    const origin = action.at + action.length > start && action.at <= end;
    if (!origin && !reads(action.body)) continue;
    const assigned = /^(\$\w+)\s*:?=/.exec(action.body)?.[1];
    const key = keyOf(action.body);
    if (assigned !== undefined) taint(assigned, key);
    // A map the answer is put into (`set $sc "privileged" $found`, `merge $sc $found`) carries it too.
    for (const m of action.body.matchAll(MUTATED)) if (m[1] !== assigned || assigned === undefined) taint(m[1]!, key);
    const around = withoutActions(lineAround(action.at, action.length));
    const onLine = DECISIVE_KEY.exec(around)?.[1];
    if (onLine !== undefined && assigned === undefined) return onLine;
    if (opens(action.body)) {
      const block = blockOf(i);
      if (block === undefined) return UNTRACED;
      budget.left -= block.length >> 6;
      const key = DECISIVE_KEY.exec(withoutActions(block))?.[1];
      if (key !== undefined) return key;
      // What the branch assigns depends on the answer too (`{{ with $ns }}{{ $net = true }}{{ end }}`), and so
      // do the maps it changes (`{{ $_ := set $sc "privileged" true }}`).
      for (const m of block.matchAll(/\{\{-?\s*(\$\w+)\s*:?=/g)) taint(m[1]!, DECISIVE_STRING.exec(block)?.[1]);
      for (const m of block.matchAll(MUTATED)) taint(m[1]!, DECISIVE_STRING.exec(block)?.[1]);
    } else if (assigned === undefined && !/^(?:end|else|define|template|block|\/\*)\b/.test(action.body) && !/^\s*(?:\$\w+\s*:?=)/.test(action.body)) {
      // Written out: a map holding a decisive key (`{{ toYaml $sc }}` of `dict "privileged" (lookup ...)`), or
      // a structure whose keys are not all seen, under a key that holds decisive settings.
      if (typeof key === 'string') return key;
      if (key === null) continue;
      const own = /^\s*(?:-\s+)?["']?([\w.-]+)["']?\s*:\s*$/.exec(around)?.[1];
      const parent = own ?? (/^\s*(?:-\s*)?$/.test(around) ? parentKey(action.at) : undefined);
      if (parent !== undefined && DECISIVE_PARENT.test(parent)) return parent;
    }
  }
  return undefined;
}

/**
 * What decidedSetting answers when a text is too large to follow within its budget: the setting is taken to
 * be decided (the comparison then gets its render first; an unknowable construct is reported as deciding).
 */
const UNTRACED = 'a setting (the template is too large to follow every use)';

/** Steps decidedSetting may take over one text, all its calls together (hostile texts are quadratic). */
const DECIDED_BUDGET = 2_000_000;

interface ActionIndex {
  text: string;
  lineStarts: number[];
  actions: { at: number; length: number; body: string }[];
  budget: { left: number };
}
const actionIndexes = new WeakMap<readonly string[], ActionIndex>();

/** The text of `lines`, where each line starts and its actions, made once per lines array. */
function actionIndexOf(lines: readonly string[]): ActionIndex {
  let index = actionIndexes.get(lines);
  if (index === undefined) {
    const text = lines.join('\n');
    const lineStarts: number[] = [];
    let at = 0;
    for (const line of lines) {
      lineStarts.push(at);
      at += line.length + 1;
    }
    const actions = templateActions(text).map((m) => ({ at: m.index!, length: m[0].length, body: m[0].replace(/^\{\{-?\s*|\s*-?\}\}$/g, '') }));
    actionIndexes.set(lines, (index = { text, lineStarts, actions, budget: { left: DECIDED_BUDGET } }));
  }
  return index;
}

/**
 * Lines of an object's template, then of the helpers it includes (directly or through others), that use a
 * construct of the given kinds; the chart-wide first line when the template cannot be traced (a template in
 * an archive, text reached through `tpl`).
 */
export class ConstructLocator {
  /** The chart's template sources, read once for the second-render decision (variantOf) and the lines. */
  readonly sources: TemplateSources;

  constructor(
    private readonly chartDir: string,
    private readonly repoRoot: string,
    private readonly constructs: ChartConstructs,
  ) {
    this.sources = new TemplateSources(chartDir);
  }

  private releaseHelpersCache?: Set<string>;

  private get releaseHelpers(): Set<string> {
    return (this.releaseHelpersCache ??= releaseHelpersOf(this.sources));
  }

  /** find's answers by template file and arguments: they depend on the object only through its file. */
  private readonly found = new Map<string, TemplateConstruct[]>();

  find(object: ScannedObject, kinds: readonly ConstructKind[], fallback: boolean, skipFailGuards = false): TemplateConstruct[] {
    const file = object.source.file ? path.resolve(this.repoRoot, object.source.file) : undefined;
    // Every object of a template (and every value set's render of it) asks the same: scanned once (issue 18:
    // 9-18 s of the corpus's default run went to scanning the same helpers again per object).
    const memo = `${file ?? ''}\u0000${kinds.join(',')}\u0000${fallback}\u0000${skipFailGuards}`;
    const known = this.found.get(memo);
    if (known !== undefined) return known.map((c) => ({ ...c }));
    const answer = this.findUncached(file, kinds, fallback, skipFailGuards);
    this.found.set(memo, answer.map((c) => ({ ...c })));
    return answer;
  }

  private findUncached(file: string | undefined, kinds: readonly ConstructKind[], fallback: boolean, skipFailGuards: boolean): TemplateConstruct[] {
    const out: TemplateConstruct[] = [];
    const seen = new Set<string>();
    const template = file !== undefined && !file.endsWith('.tgz') ? this.sources.read(file) : undefined;
    // A helper's answer decides what the lines that include it write (`privileged: {{ include "onCluster" . }}`).
    const includersDecide = (name: string | undefined): string | undefined => {
      if (name === undefined || template === undefined) return undefined;
      const includes = new RegExp(`\\b(?:include|template)\\s+"${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`);
      for (let i = 0; i < template.lines.length; i++) {
        if (!includes.test(template.lines[i]!)) continue;
        const key = decidedSetting(template.lines, i);
        if (key !== undefined) return key;
      }
      return undefined;
    };
    const scanLines = (lines: readonly string[], fileName: string, offset: number, helper: boolean, defineName?: string) => {
      const branches = kinds.includes('release') ? new Set(releaseBranchLines(lines.join('\n'), this.releaseHelpers, helper)) : new Set<number>();
      const guards = skipFailGuards ? failGuardLines(lines.join('\n')) : new Set<number>();
      lines.forEach((line, i) => {
        if (/^\s*#/.test(line) && !line.includes('{{')) return; // a YAML comment renders nothing
        for (const kind of kinds) {
          const listed = kind === 'computedIdentity' && this.constructs.unenumerated.has(`${relativeTo(this.repoRoot, fileName)}:${offset + i + 1}`);
          // Template text assembled at render time for tpl: counted only where it decides a setting (bitnami's
          // common helpers assemble text for tpl from values, which the cluster-answers render rewrites).
          const assembled = kind === 'computedIdentity' && !listed && lineActions(lines, true)[i]!.some((code) => TPL_ASSEMBLED.test(code));
          if (!listed && !assembled && (kind === 'release' ? !branches.has(i + 1) : !lineActions(lines, kind === 'revision')[i]!.some((code) => CONSTRUCTS[kind].test(code)))) continue;
          if (assembled && !lineActions(lines)[i]!.some((code) => CONSTRUCTS.computedIdentity.test(code)) && decidedSetting(lines, i) === undefined) continue;
          if (guards.has(i + 1)) continue;
          const decides = UNKNOWABLE_KINDS.has(kind) ? (decidedSetting(lines, i) ?? (helper ? includersDecide(defineName) : undefined)) : undefined;
          // The clock or a random value only printed (a timestamp annotation, a generated name or password)
          // decides nothing; in a condition, a comparison or a variable it is reported (medium) though no
          // setting it decides was traced.
          if ((kind === 'clock' || kind === 'random') && decides === undefined && onlyPrinted(lines, i, CONSTRUCTS[kind])) continue;
          const at = { construct: constructName(kind, line), file: relativeTo(this.repoRoot, fileName), line: offset + i + 1, ...(decides !== undefined ? { decides } : {}) };
          const key = `${at.file}:${at.line}`;
          if (!seen.has(key)) {
            seen.add(key);
            out.push(at);
          }
        }
      });
    };
    if (template !== undefined && file !== undefined) {
      scanLines(template.lines, file, 0, false);
      for (const define of this.sources.reachableDefines(file)) {
        const lines = this.sources.read(define.file)?.lines.slice(define.start - 1, define.end) ?? [];
        scanLines(lines, define.file, define.start - 1, true, define.name);
      }
    }
    if (out.length === 0 && fallback) {
      for (const kind of kinds) {
        const anywhere = this.constructs.anywhere[kind];
        if (anywhere) out.push(anywhere);
      }
    }
    return out;
  }

  /** The construct kinds a variant render changes. */
  static kindsOf(inputs: VariantInputs): ConstructKind[] {
    return [
      ...(inputs.upgrade || inputs.clusterAnswers ? (['upgrade'] as const) : []),
      ...(inputs.extensionApis ? (['apiVersions'] as const) : []),
      ...(inputs.release ? (['release'] as const) : []),
      ...(inputs.clusterAnswers ? (['lookup', 'revision', 'clock'] as const) : []),
    ];
  }

  get dir(): string {
    return this.chartDir;
  }
}

/** Functions that decide, compare or keep a value for later: a clock or random value passed to one is more than printed. */
// Arithmetic and repetition too: `repeat $n "true"` with a random count prints a field's value by the draw.
const DECIDING_USE = /(?:^|[\s(|])(?:if|else|with|range|eq|ne|lt|le|gt|ge|and|or|not|empty|ternary|has|hasKey|hasPrefix|hasSuffix|contains|regexMatch|mustRegexMatch|semverCompare|set|dict|list|merge|mergeOverwrite|include|template|tpl|index|get|repeat|until|untilStep|mod|div|add|add1|sub|mul|max|min|floor|ceil|round)(?=[\s)|]|$)/;

/**
 * `ternary A B C` chooses A or B by C: a value only in A or B is printed, not decided on (linkerd writes a
 * generated certificate or the configured one, by whether one is configured). Such ternaries are left out
 * of the text the deciding functions are looked for in; one whose condition holds the value stays.
 */
function withoutChosenTernaries(code: string, holdsValue: (text: string) => boolean): string {
  let text = code;
  const argument = (at: number): number => {
    let i = at;
    while (text[i] === ' ' || text[i] === '\t' || text[i] === '\n') i++;
    if (text[i] === '(') {
      let depth = 0;
      for (; i < text.length; i++) {
        if (text[i] === '(') depth++;
        else if (text[i] === ')' && --depth === 0) return i + 1;
      }
      return -1;
    }
    const token = /^[^\s()|]+/.exec(text.slice(i));
    return token === null ? -1 : i + token[0].length;
  };
  for (let guard = 0; guard < 64; guard++) {
    const found = /(?:^|[\s(|])ternary(?=\s)/.exec(text);
    if (found === null) break;
    const start = found.index + found[0].length - 'ternary'.length;
    const first = argument(start + 'ternary'.length);
    const second = first === -1 ? -1 : argument(first);
    const third = second === -1 ? -1 : argument(second);
    if (third === -1 || holdsValue(text.slice(second, third))) break;
    // The chosen values stay (they may hold deciding functions of their own); the word and the condition go.
    text = `${text.slice(0, start)}(${text.slice(start + 'ternary'.length, second)})${text.slice(third)}`;
  }
  return text;
}

/**
 * Whether the value of `construct` on line `index` of `lines` is only printed: its actions, and every later
 * action reading a variable assigned from it (through plain assignments), branch on, compare, store or hand
 * on nothing (a generated password in a variable then written to env, a timestamp annotation).
 */
function onlyPrinted(lines: readonly string[], index: number, construct: RegExp): boolean {
  const { actions, lineStarts } = actionIndexOf(lines);
  const start = lineStarts[index]!;
  const end = start + lines[index]!.length;
  const held = new Set<string>();
  const madeBy = new RegExp(`^\\s*\\(?\\s*(?:${construct.source})`);
  for (const action of actions) {
    if (action.at + action.length <= start) continue;
    const code = blankStrings(action.body);
    const assigned = /^\s*(\$\w+)\s*:?=\s*([\s\S]*)$/.exec(code);
    // What the action computes: the right of an assignment (the variable assigned is not read).
    const expression = assigned?.[2] ?? code;
    const origin = action.at <= end && construct.test(expression);
    const reads = [...expression.matchAll(/\$\w+/g)].some((m) => held.has(m[0]));
    if (!origin && !reads) {
      if (action.at > end && held.size === 0) break;
      continue;
    }
    const random = (text: string) => construct.test(text) || [...text.matchAll(/\$\w+/g)].some((m) => held.has(m[0]));
    // `$ca := genSelfSignedCert $host (list) (list $host) 365`: the function's own arguments are no use of its value.
    const madeHere = assigned !== null && !expression.includes('|') && !reads && madeBy.test(expression);
    if (!madeHere && DECIDING_USE.test(withoutChosenTernaries(expression, random))) return false;
    if (assigned) held.add(assigned[1]!);
    if (held.size > 64) return false;
  }
  return true;
}

/** Pod spec fields the Pod Security Standards and preadmit's rules judge. */
const POD_FIELDS = ['hostNetwork', 'hostPID', 'hostIPC', 'hostUsers', 'shareProcessNamespace', 'securityContext', 'serviceAccountName', 'serviceAccount', 'automountServiceAccountToken', 'volumes', 'runtimeClassName', 'os'];
const CONTAINER_FIELDS = ['securityContext', 'image', 'ports', 'volumeMounts', 'lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'];
/** Pod annotations the Pod Security Standards read (AppArmor, seccomp before their fields existed). */
const POD_ANNOTATIONS = /apparmor\.security\.beta\.kubernetes\.io|seccomp\.security\.alpha\.kubernetes\.io/;

/** Other kinds: the fields that grant or expose something. Random certificates (caBundle) are left out on purpose. */
const KIND_FIELDS: Record<string, readonly string[]> = {
  Role: ['/rules'],
  ClusterRole: ['/rules', '/aggregationRule'],
  RoleBinding: ['/roleRef', '/subjects'],
  ClusterRoleBinding: ['/roleRef', '/subjects'],
  Service: ['/spec/type', '/spec/externalIPs', '/spec/loadBalancerSourceRanges'],
  NetworkPolicy: ['/spec'],
  ServiceAccount: ['/automountServiceAccountToken'],
};

function leaves(value: unknown, pointer: string, out: Map<string, string>): void {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(pointer, '[]');
    value.forEach((item, i) => leaves(item, join(pointer, i), out));
  } else if (isObj(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) out.set(pointer, '{}');
    for (const key of keys) leaves(value[key], join(pointer, key), out);
  } else if (value !== undefined) {
    out.set(pointer, JSON.stringify(value));
  }
}

function at(raw: unknown, pointer: string): unknown {
  let node = raw;
  for (const token of pointer.split('/').slice(1)) node = isObj(node) ? node[token] : undefined;
  return node;
}

/** The security-relevant leaves of an object, by JSON pointer (values as JSON). Empty for other kinds. */
export function securityFields(raw: Obj): Map<string, string> {
  const out = new Map<string, string>();
  const pod = podTemplateOf(raw);
  if (pod !== undefined) {
    for (const field of POD_FIELDS) leaves(pod.spec[field], join(pod.base, 'spec', field), out);
    for (const list of CONTAINER_LISTS) {
      arr(pod.spec[list]).forEach((container, index) => {
        if (!isObj(container)) return;
        for (const field of CONTAINER_FIELDS) leaves(container[field], join(pod.base, 'spec', list, index, field), out);
      });
    }
    const annotations = isObj(pod.metadata.annotations) ? pod.metadata.annotations : {};
    for (const [key, value] of Object.entries(annotations)) if (POD_ANNOTATIONS.test(key)) leaves(value, join(pod.base, 'metadata', 'annotations', key), out);
    return out;
  }
  const kind = str(raw.kind) ?? '';
  for (const pointer of KIND_FIELDS[kind] ?? []) leaves(at(raw, pointer), pointer, out);
  if (kind === 'Namespace') {
    const metadata = isObj(raw.metadata) ? raw.metadata : {};
    const labels = isObj(metadata.labels) ? metadata.labels : {};
    for (const [key, value] of Object.entries(labels)) if (key.startsWith('pod-security.kubernetes.io/')) leaves(value, join('/metadata/labels', key), out);
  }
  return out;
}

function identity(object: ScannedObject): string {
  return `${object.ref.kind}\u0000${object.ref.namespace ?? ''}\u0000${object.ref.name}`;
}

function serialise(fields: Map<string, string>): string {
  return JSON.stringify([...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export interface ObjectDivergence {
  object: ScannedObject;
  fields: FieldDifference[];
  onlyInVariant: boolean;
}

/**
 * The variant render's objects whose security-relevant fields differ from the main render's object of the
 * same kind, namespace and name (apiVersion may differ: an API-version branch), or that only the variant
 * renders. A variant object no main object matches by name (a generated name) matches a main object of its kind with
 * the same security fields, so random names are not divergences.
 */
export function divergingObjects(main: readonly ScannedObject[], variant: readonly ScannedObject[], normalise: (text: string) => string = (text) => text): ObjectDivergence[] {
  // The variant's names and values as the main render would spell them (another release: its name put back).
  const variantKey = (object: ScannedObject) => normalise(identity(object));
  const variantFields = (object: ScannedObject) => new Map([...securityFields(object.raw)].map(([pointer, value]) => [normalise(pointer), normalise(value)]));
  const byIdentity = new Map<string, ScannedObject>();
  for (const object of main) if (!byIdentity.has(identity(object))) byIdentity.set(identity(object), object);
  const matched = new Set<ScannedObject>();
  const out: ObjectDivergence[] = [];
  const unmatched: ScannedObject[] = [];
  for (const object of variant) {
    const counterpart = byIdentity.get(variantKey(object));
    if (counterpart === undefined || matched.has(counterpart)) {
      unmatched.push(object);
      continue;
    }
    matched.add(counterpart);
    const before = securityFields(counterpart.raw);
    const after = variantFields(object);
    const fields: FieldDifference[] = [];
    for (const pointer of new Set([...before.keys(), ...after.keys()])) {
      const a = before.get(pointer);
      const b = after.get(pointer);
      if (a === b) continue;
      fields.push({ pointer, ...(a !== undefined ? { main: a } : {}), ...(b !== undefined ? { variant: securityFields(object.raw).get(pointer) ?? b } : {}) });
    }
    if (fields.length > 0) out.push({ object, fields, onlyInVariant: false });
  }
  // Objects only the variant renders: the same security fields as a leftover main object of the kind is a rename.
  const leftovers = new Map<string, string[]>();
  for (const object of main) {
    if (matched.has(object)) continue;
    const key = object.ref.kind;
    leftovers.set(key, [...(leftovers.get(key) ?? []), serialise(securityFields(object.raw))]);
  }
  for (const object of unmatched) {
    const fields = variantFields(object);
    if (fields.size === 0) continue;
    // A second copy of a main object (another release's namespace written back as the main one's): the
    // install render has the same object with the same settings.
    const twin = byIdentity.get(variantKey(object));
    if (twin !== undefined && serialise(securityFields(twin.raw)) === serialise(fields)) continue;
    const candidates = leftovers.get(object.ref.kind) ?? [];
    const same = candidates.indexOf(serialise(fields));
    if (same !== -1) {
      candidates.splice(same, 1);
      continue;
    }
    out.push({ object, fields: [...securityFields(object.raw)].map(([pointer, value]) => ({ pointer, variant: value })), onlyInVariant: true });
  }
  return out;
}

/**
 * Main render objects with security fields that the variant does not render at all (by name, or by the
 * same settings under another name): a NetworkPolicy or a Pod Security label the install render has and
 * the upgrade drops. No variant object stands for them; their absence shows as the variant's own findings
 * (a workload no policy selects there), which count once the render is known to differ.
 */
export function removedObjects(main: readonly ScannedObject[], variant: readonly ScannedObject[], normalise: (text: string) => string = (text) => text): ScannedObject[] {
  const names = new Set(variant.map((object) => normalise(identity(object))));
  const mainNames = new Set(main.map(identity));
  // Variant objects under a name the main render does not have: a rename (a generated name) may stand for one.
  const settings = new Map<string, string[]>();
  for (const object of variant) {
    if (mainNames.has(normalise(identity(object)))) continue;
    const fields = new Map([...securityFields(object.raw)].map(([pointer, value]) => [normalise(pointer), normalise(value)]));
    settings.set(object.ref.kind, [...(settings.get(object.ref.kind) ?? []), serialise(fields)]);
  }
  const out: ScannedObject[] = [];
  for (const object of main) {
    if (names.has(identity(object))) continue;
    const fields = securityFields(object.raw);
    if (fields.size === 0) continue;
    const candidates = settings.get(object.ref.kind) ?? [];
    const renamed = candidates.indexOf(serialise(fields));
    if (renamed !== -1) {
      candidates.splice(renamed, 1);
      continue;
    }
    out.push(object);
  }
  return out;
}

/** Whether an object has any field the comparison (and render-lookup) looks at. */
export function hasSecurityFields(object: ScannedObject): boolean {
  return securityFields(object.raw).size > 0;
}
