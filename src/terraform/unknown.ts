// Values a plan does not know ("known after apply") are never violations and never safe. Objects from a
// plan carry `unknown`: JSON pointers (into `raw`) whose planned value is unknown. A finding whose answer
// depends on one of them is reported as "unknown until apply" at a lower severity.
import type { Config } from '../config/config.ts';
import type { Finding, ScannedObject, Severity } from '../model/model.ts';
import { tokens } from '../model/pointer.ts';
import { hideSensitiveValues } from './sensitive.ts';

/** A scanned object from a plan: `unknown` is the field proposed for ScannedObject in model.ts. */
export type TerraformObject = ScannedObject & { unknown: readonly string[] };

/** apiVersion of the pseudo-objects that stand for Terraform resources themselves (clusters, releases). */
import { TERRAFORM_API_VERSION } from '../model/model.ts';

export { TERRAFORM_API_VERSION };

export function unknownOf(object: ScannedObject): readonly string[] {
  const unknown = (object as { unknown?: unknown }).unknown;
  return Array.isArray(unknown) ? (unknown as string[]) : [];
}

function isPrefix(prefix: string, pointer: string): boolean {
  return prefix === pointer || prefix === '' || pointer.startsWith(prefix + '/');
}

/** True when the value at `pointer` (or a container of it) is unknown. */
export function isUnknownAt(unknown: readonly string[], pointer: string): boolean {
  return unknown.some((u) => isPrefix(u, pointer));
}

/**
 * Fields the provider computes when they are not configured and that no check reads: unknown on every
 * create, they never make a finding about their enclosing block unknown.
 */
const COMPUTED_NOISE = new Set([
  // subjects[].apiGroup: the provider computes it from the kind (Optional+Computed), unknown on every create.
  'apiGroup',
  'hostname', 'nodeName', 'schedulerName', 'readinessGates', 'terminationMessagePolicy', 'strategy', 'clusterIP', 'clusterIPs',
  'healthCheckNodePort', 'ipFamilies', 'ipFamilyPolicy', 'sessionAffinityConfig', 'internalTrafficPolicy', 'nodePort',
  'uid', 'resourceVersion', 'generation', 'name', 'imagePullSecrets', 'externalTrafficPolicy', 'ingressClassName',
]);

/**
 * The unknown pointer a finding at `path` depends on: the value itself, a container of it, or a direct
 * child of it (a finding about a block whose field is unknown). Deeper descendants, and computed fields
 * no check reads, are not counted, so a finding on a pod spec does not turn unknown because the pod's
 * hostname is.
 */
export interface UnknownContext {
  /** The planned object: what is known decides whether an unknown can change the finding. */
  raw?: unknown;
  /**
   * The finding is about the value at its path alone (a Pod Security check names the exact offending field):
   * an unknown below a present scalar or mapping there cannot change it (a hostPath volume is one whatever
   * its unknown `type`); below a list it can (an unknown item of `capabilities.drop` may be ALL).
   */
  exactField?: boolean;
}

/** The planned value at a JSON pointer (lists by index), undefined when absent. */
function valueAt(raw: unknown, pointer: string): unknown {
  let node = raw;
  for (const key of tokens(pointer)) {
    if (Array.isArray(node)) node = node[Number(key)];
    else if (node !== null && typeof node === 'object') node = (node as Record<string, unknown>)[key];
    else return undefined;
  }
  return node;
}

export function unknownBehind(unknown: readonly string[], path: string, context: UnknownContext = {}): string | undefined {
  const container = unknown.find((u) => isPrefix(u, path));
  if (container !== undefined) return container;
  const value = context.raw === undefined ? undefined : valueAt(context.raw, path);
  const childrenCount = !context.exactField || value === undefined || Array.isArray(value);
  const child = childrenCount
    ? unknown.find((u) => {
        if (!u.startsWith(path + '/')) return false;
        const rest = u.slice(path.length + 1);
        return !rest.includes('/') && !COMPUTED_NOISE.has(rest);
      })
    : undefined;
  // A value the object sets itself is not inherited: the other level's unknown cannot change it.
  return child ?? (value === undefined ? inheritedUnknown(unknown, path) : undefined);
}

/**
 * Security context fields a container inherits from its pod's (PodSecurityContext and SecurityContext
 * share them; the container's value wins). A finding on one level depends on the other level's value.
 */
const INHERITED_FIELDS: ReadonlySet<string> = new Set(['runAsNonRoot', 'runAsUser', 'runAsGroup', 'seccompProfile', 'seLinuxOptions', 'appArmorProfile', 'windowsOptions']);
const CONTAINER_LISTS = '(?:containers|initContainers|ephemeralContainers)';
const POD_LEVEL = /^(.*)\/securityContext\/([^/]+)(?:\/.*)?$/;
const CONTAINER_LEVEL = new RegExp(`^(.*)/${CONTAINER_LISTS}/\\d+/securityContext/([^/]+)(?:/.*)?$`);

/**
 * The unknown a finding depends on through inheritance: for a pod-level field ("pod or containers must set
 * runAsNonRoot"), the same field of any container (init and ephemeral too), or a container, its security
 * context or a container list left unknown; for a container-level field, the pod's own field.
 */
function inheritedUnknown(unknown: readonly string[], path: string): string | undefined {
  const container = CONTAINER_LEVEL.exec(path);
  if (container) {
    const [, spec, field] = container;
    if (!INHERITED_FIELDS.has(field!)) return undefined;
    const podField = `${spec}/securityContext/${field}`;
    return unknown.find((u) => u.startsWith(`${spec}/`) && (isPrefix(u, podField) || u.startsWith(`${podField}/`)));
  }
  const pod = POD_LEVEL.exec(path);
  if (!pod) return undefined;
  const [, spec, field] = pod;
  if (!INHERITED_FIELDS.has(field!)) return undefined;
  const prefix = `${spec}/`;
  const counterpart = new RegExp(`^${CONTAINER_LISTS}(?:/\\d+(?:/securityContext(?:/${field}(?:/.*)?)?)?)?$`);
  return unknown.find((u) => u.startsWith(prefix) && counterpart.test(u.slice(prefix.length)));
}

/**
 * An unknown that cannot take a permission away from an RBAC rule: `nonResourceURLs` of a rule that
 * lists resources (the API server refuses a rule with both: whatever the value, the resources granted stay
 * or nothing is applied). An unknown `resourceNames` does narrow every verb: with names listed, even create
 * and deletecollection (whose requests carry no name) are no longer granted (rbac ResourceNameMatches).
 */
function cannotNarrowRbacRule(raw: unknown, pointer: string): boolean {
  const match = /^(\/rules\/\d+)\/nonResourceURLs(?:\/.*)?$/.exec(pointer);
  if (!match) return false;
  const rule = valueAt(raw, match[1]!);
  const resources = rule !== null && typeof rule === 'object' ? (rule as Record<string, unknown>).resources : undefined;
  return Array.isArray(resources) && resources.length > 0;
}

/** One step lower and never more than medium: an unknown never blocks at the default fail-on (high). */
export function unknownSeverity(severity: Severity): Severity {
  switch (severity) {
    case 'critical':
    case 'high':
      return 'medium';
    case 'medium':
      return 'low';
    default:
      return 'info';
  }
}

export const UNKNOWN_NOTE = 'unknown until apply';

function objectKey(address: string | undefined, ref: { kind: string; namespace?: string; name: string }): string {
  return [address ?? '', ref.kind, ref.namespace ?? '', ref.name].join('\u0000');
}

/**
 * Finishes the findings on plan objects: those whose answer depends on an unknown value get their severity
 * lowered (unless configuration sets the rule's severity) and a message saying so (findings of tf-* rules,
 * and on the terraform/v1 pseudo-objects, are left alone: those rules report unknowns themselves); values
 * the plan marks sensitive are taken out of every message (sensitive.ts).
 */
export function markUnknownFindings(findings: Finding[], objects: readonly ScannedObject[], config?: Pick<Config, 'rules'>): Finding[] {
  return hideSensitiveValues(markUnknown(findings, objects, config), objects);
}

function markUnknown(findings: Finding[], objects: readonly ScannedObject[], config?: Pick<Config, 'rules'>): Finding[] {
  const byKey = new Map<string, { unknown: readonly string[]; raw: unknown }>();
  for (const object of objects) {
    if (object.source.kind !== 'terraform' || object.ref.apiVersion === TERRAFORM_API_VERSION) continue;
    const unknown = unknownOf(object);
    if (unknown.length > 0) byKey.set(objectKey(object.source.address, object.ref), { unknown, raw: object.raw });
  }
  if (byKey.size === 0) return findings;
  return findings.map((finding) => {
    if (finding.source.kind !== 'terraform' || finding.ruleId.startsWith('tf-')) return finding;
    const planned = byKey.get(objectKey(finding.source.address, finding.object));
    if (planned === undefined) return finding;
    const unknown = finding.category === 'rbac' ? planned.unknown.filter((u) => !cannotNarrowRbacRule(planned.raw, u)) : planned.unknown;
    const behind = unknownBehind(unknown, finding.path, { raw: planned.raw, exactField: finding.category === 'pod-security' });
    if (behind === undefined) return finding;
    const configured = config?.rules[finding.ruleId]?.severity;
    return {
      ...finding,
      severity: configured ?? unknownSeverity(finding.severity),
      message: `${finding.message} (${UNKNOWN_NOTE}: ${behind === '' ? 'the whole object' : behind} is not known at plan time)`,
    };
  });
}
