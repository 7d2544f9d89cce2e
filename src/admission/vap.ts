// ValidatingAdmissionPolicy evaluation as the API server's admission plugin applies it to one request:
// policy and binding matching, params, matchConditions, variables, validations, validationActions,
// failurePolicy and audit annotations. Pure: the caller supplies every object (no cluster access).
import { compileCel, celErrorMessage, toCel, type CelProgram, type CelScope } from './cel.ts';
import { Authorizer, UnknownDecision, type AuthzDecider } from './k8s-cel/authz.ts';
import { isEmptySelector, labelsOf, selectorMatches, SelectorError } from './selectors.ts';
import { kindMapping, splitApiVersion, type CrdIndex, type GroupVersionResource } from './resources.ts';

type Obj = Record<string, any>;
export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionRequest {
  operation: Operation;
  object: Obj | null;
  oldObject: Obj | null;
  kind: { group: string; version: string; kind: string };
  resource: GroupVersionResource;
  subResource: string;
  namespace: string;
  name: string;
  namespaced: boolean;
  userInfo?: Obj;
  dryRun?: boolean;
  options?: Obj;
}

export interface ParamKindInfo { group: string; kind: string; namespaced: boolean; registered: boolean }

export interface PolicyWorld {
  policies: readonly Obj[];
  bindings: readonly Obj[];
  params: readonly Obj[];
  namespaces: readonly Obj[];
  /** How a paramKind resolves; default: served, namespaced when a param object of that kind has a namespace. */
  paramKind?: (apiVersion: string, kind: string) => Partial<ParamKindInfo> | undefined;
  /** Authorizer decisions; default: unknown (the validation is reported as unknown, never pass). */
  authorizer?: AuthzDecider;
  /**
   * Whether request.userInfo is the real requester (the conformance cases; a configured identity). Offline
   * it is not: an expression reading it is unknown, never admitted (default false).
   */
  identityKnown?: boolean;
  /** Namespace objects missing from the scan get only the kubernetes.io/metadata.name label (default true). */
  assumeMissingNamespaces?: boolean;
}

export type Evaluation = 'admit' | 'deny' | 'error' | 'unknown';
export interface ValidationOutcome {
  index: number;
  evaluation: Evaluation;
  action: 'admit' | 'deny' | 'unknown';
  message?: string;
  reason?: string;
  effects?: string[];
  expression: string;
  /** 'audit' when the failure comes from an audit annotation's valueExpression (not a validation). */
  source?: 'audit';
}
export interface AuditOutcome { key: string; action: 'publish' | 'exclude' | 'error'; value?: string; error?: string }
export interface ParamEvaluation {
  param: Obj | null;
  matchConditions?: { matches: boolean; failedConditionName?: string; error?: string };
  policyError?: { evaluation: Evaluation; action: 'admit' | 'deny' | 'unknown'; message: string };
  validations: ValidationOutcome[];
  auditAnnotations: AuditOutcome[];
}
export interface BindingResult {
  name: string;
  matches: boolean;
  matchError?: string;
  validationActions: string[];
  paramError?: string;
  paramCount: number;
  evaluations: ParamEvaluation[];
}
export interface PolicyResult {
  name: string;
  matches: boolean;
  matchError?: string;
  configurationError?: string;
  bindings: BindingResult[];
}
export interface CompileError { policy: string; field: string; expression: string; error: string }
export interface Denial { policy: string; binding?: string; source: string; message: string; reason: string }
export interface AdmissionVerdict {
  allowed: boolean;
  code?: number;
  reason?: string;
  message?: string;
  warnings: string[];
  auditAnnotations: Record<string, string>;
  policies: PolicyResult[];
  compileErrors: CompileError[];
  deniedBy: Denial[];
  /** True when a decision depends on something only the live cluster knows (authorizer, ...). */
  unknown: boolean;
}

const REASON_CODES: Record<string, number> = { Unauthorized: 401, Forbidden: 403, Invalid: 422, RequestEntityTooLarge: 413 };
const MAX_MESSAGE_BYTES = 5120;

// ---------------------------------------------------------------------------------------------------------
// Compilation (cached per policy object)

interface CompiledExpr { expression: string; field: string; program?: CelProgram; error?: string; type?: string }
interface CompiledPolicy {
  name: string;
  variables: { name: string; expr: CompiledExpr }[];
  matchConditions: { name: string; expr: CompiledExpr }[];
  validations: { expr: CompiledExpr; message?: string; messageExpr?: CompiledExpr; reason?: string }[];
  auditAnnotations: { key: string; expr: CompiledExpr }[];
  errors: CompileError[];
  varsClass: new (resolve: (name: string) => unknown) => object;
}

const compiledCache = new WeakMap<Obj, CompiledPolicy>();

function typeAccepts(type: string | undefined, wanted: readonly string[]): boolean {
  return type !== undefined && wanted.includes(type);
}

export function compilePolicy(policy: Obj): CompiledPolicy {
  const hit = compiledCache.get(policy);
  if (hit) return hit;
  const spec = policy.spec ?? {};
  const name = String(policy.metadata?.name ?? '');
  const errors: CompileError[] = [];
  const varDecls: { name: string; type: string }[] = [];
  class Vars { constructor(readonly resolve: (name: string) => unknown) {} }
  const hasVariables = Array.isArray(spec.variables) && spec.variables.length > 0;
  const scopeFor = (): CelScope => ({ params: !!spec.paramKind, variables: [...varDecls], variablesClass: hasVariables ? Vars : undefined, authorizer: true });
  const compile = (expression: string, field: string, wanted?: readonly string[], wantedLabel?: string, authorizer = true): CompiledExpr => {
    const c = compileCel(expression, { ...scopeFor(), authorizer });
    if (!c.ok) {
      errors.push({ policy: name, field, expression, error: c.error });
      return { expression, field, error: `compilation failed: ${c.error}` };
    }
    if (wanted && !typeAccepts(c.type, wanted)) {
      const error = `must evaluate to ${wantedLabel ?? wanted[0]} but got ${c.type}`;
      errors.push({ policy: name, field, expression, error });
      return { expression, field, error };
    }
    return { expression, field, program: c.program, type: c.type };
  };

  const variables: CompiledPolicy['variables'] = [];
  (spec.variables ?? []).forEach((v: Obj, i: number) => {
    const expr = compile(String(v.expression ?? ''), `spec.variables[${i}].expression`);
    variables.push({ name: String(v.name), expr });
    varDecls.push({ name: String(v.name), type: expr.type ?? 'dyn' });
  });
  const matchConditions = (spec.matchConditions ?? []).map((m: Obj, i: number) => ({
    name: String(m.name ?? ''),
    expr: compile(String(m.expression ?? ''), `spec.matchConditions[${i}].expression`, ['bool']),
  }));
  const validations = (spec.validations ?? []).map((v: Obj, i: number) => ({
    expr: compile(String(v.expression ?? ''), `spec.validations[${i}].expression`, ['bool']),
    message: typeof v.message === 'string' ? v.message : undefined,
    messageExpr: typeof v.messageExpression === 'string' ? compile(v.messageExpression, `spec.validations[${i}].messageExpression`, ['string'], undefined, false) : undefined,
    reason: typeof v.reason === 'string' ? v.reason : undefined,
  }));
  const auditAnnotations = (spec.auditAnnotations ?? []).map((a: Obj, i: number) => ({
    key: String(a.key ?? ''),
    expr: compile(String(a.valueExpression ?? ''), `spec.auditAnnotations[${i}].valueExpression`, ['string', 'null'], 'one of [string null_type]'),
  }));
  const names = variables.map((v) => v.name);
  for (const n of names) Object.defineProperty(Vars.prototype, n, { get(this: Vars) { return this.resolve(n); }, enumerable: true });
  const compiled: CompiledPolicy = { name, variables, matchConditions, validations, auditAnnotations, errors, varsClass: Vars as never };
  compiledCache.set(policy, compiled);
  return compiled;
}

// ---------------------------------------------------------------------------------------------------------
// Matching

function ruleMatches(rule: Obj, req: AdmissionRequest): boolean {
  const has = (list: unknown, value: string) => Array.isArray(list) && (list.includes('*') || list.includes(value));
  if (!has(rule.operations, req.operation)) return false;
  if (!has(rule.apiGroups, req.resource.group)) return false;
  if (!has(rule.apiVersions, req.resource.version)) return false;
  const resources: string[] = Array.isArray(rule.resources) ? rule.resources.map(String) : [];
  const resourceOk = resources.some((r) => {
    const slash = r.indexOf('/');
    const res = slash < 0 ? r : r.slice(0, slash);
    const sub = slash < 0 ? '' : r.slice(slash + 1);
    return (res === '*' || res === req.resource.resource) && (sub === '*' || sub === req.subResource);
  });
  if (!resourceOk) return false;
  const scope = rule.scope ?? '*';
  if (scope === 'Cluster' && req.namespaced) return false;
  if (scope === 'Namespaced' && !req.namespaced) return false;
  const names = rule.resourceNames;
  if (Array.isArray(names) && names.length > 0 && !names.includes(req.name)) return false;
  return true;
}

function namespaceLabels(world: PolicyWorld, namespace: string): Record<string, string> | undefined {
  const ns = world.namespaces.find((n) => n?.metadata?.name === namespace);
  if (ns) return labelsOf(ns);
  if (world.assumeMissingNamespaces === false) return undefined;
  return { 'kubernetes.io/metadata.name': namespace };
}

/** matchConstraints / matchResources; throws SelectorError on a broken selector. */
function resourcesMatch(match: Obj | undefined, req: AdmissionRequest, world: PolicyWorld, rulesRequired: boolean): boolean {
  const m = match ?? {};
  const rules: Obj[] = m.resourceRules ?? [];
  if ((rules.length > 0 || rulesRequired) && !rules.some((r) => ruleMatches(r, req))) return false;
  if ((m.excludeResourceRules ?? []).some((r: Obj) => ruleMatches(r, req))) return false;
  if (!isEmptySelector(m.namespaceSelector)) {
    if (req.namespaced) {
      const labels = namespaceLabels(world, req.namespace);
      if (!labels) throw new SelectorError(`namespace "${req.namespace}" not found`);
      if (!selectorMatches(m.namespaceSelector, labels)) return false;
    } else if (req.resource.group === '' && req.resource.resource === 'namespaces' && req.subResource === '') {
      const target = req.object ?? req.oldObject;
      if (!selectorMatches(m.namespaceSelector, labelsOf(target))) return false;
    } else {
      selectorMatches(m.namespaceSelector, {}); // validates the selector only
    }
  }
  if (!isEmptySelector(m.objectSelector)) {
    const a = req.object ? selectorMatches(m.objectSelector, labelsOf(req.object)) : false;
    const b = req.oldObject ? selectorMatches(m.objectSelector, labelsOf(req.oldObject)) : false;
    if (!a && !b) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Params

function resolveParamKind(world: PolicyWorld, paramKind: Obj): ParamKindInfo {
  const apiVersion = String(paramKind.apiVersion ?? '');
  const kind = String(paramKind.kind ?? '');
  const { group } = splitApiVersion(apiVersion);
  const given = world.paramKind?.(apiVersion, kind) ?? {};
  const same = world.params.filter((p) => p?.apiVersion === apiVersion && p?.kind === kind);
  const builtin = kindMapping(group, kind);
  const namespaced = given.namespaced ?? (builtin.known ? builtin.namespaced : same.length === 0 || same.some((p) => !!p.metadata?.namespace));
  return { group, kind, namespaced, registered: given.registered ?? true };
}

function collectParams(world: PolicyWorld, policy: Obj, binding: Obj, req: AdmissionRequest): { params: (Obj | null)[]; error?: string; skip?: boolean } {
  const paramKind = policy.spec?.paramKind;
  if (!paramKind) return { params: [null] };
  const ref = binding.spec?.paramRef;
  if (!ref) return { params: [null] }; // no paramRef: evaluated once with params null
  const info = resolveParamKind(world, paramKind);
  let namespace = '';
  if (info.namespaced) {
    namespace = ref.namespace ?? req.namespace;
    if (!namespace) return { params: [], error: 'cannot use namespaced paramRef in policy binding that matches cluster-scoped resources' };
  } else if (ref.namespace) {
    return { params: [], error: 'paramRef.namespace must not be provided for a cluster-scoped `paramKind`' };
  }
  const candidates = world.params.filter((p) => p?.apiVersion === paramKind.apiVersion && p?.kind === paramKind.kind
    && (info.namespaced ? (p.metadata?.namespace ?? '') === namespace : true));
  let found: Obj[];
  if (typeof ref.name === 'string' && ref.name !== '') found = candidates.filter((p) => p.metadata?.name === ref.name);
  else found = candidates.filter((p) => selectorMatches(ref.selector ?? {}, labelsOf(p)));
  found.sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
  if (found.length === 0) {
    if (ref.parameterNotFoundAction === 'Deny') return { params: [], error: 'no params found for policy binding with `Deny` parameterNotFoundAction' };
    return { params: [], skip: true };
  }
  return { params: found };
}

// ---------------------------------------------------------------------------------------------------------
// Evaluation

class Unknown extends Error {}
/** A composited variable's failure, worded whole (a compile error keeps its source and caret lines). */
class VariableFailure extends Error {}

function runProgram(program: CelProgram, vars: Record<string, unknown>): { value?: unknown; error?: string; unknown?: boolean } {
  try {
    return { value: program(vars) };
  } catch (err) {
    if (err instanceof UnknownDecision || err instanceof Unknown || (err as { cause?: unknown })?.cause instanceof UnknownDecision) return { unknown: true, error: celErrorMessage(err) };
    const variable = err instanceof VariableFailure ? err : (err as { cause?: unknown })?.cause instanceof VariableFailure ? (err as { cause: VariableFailure }).cause : undefined;
    if (variable) return { error: variable.message };
    return { error: celErrorMessage(err) };
  }
}

function celRequest(req: AdmissionRequest): Map<string, unknown> {
  const m = new Map<string, unknown>();
  const kind = toCel(req.kind);
  const resource = toCel(req.resource);
  m.set('kind', kind); m.set('resource', resource);
  if (req.subResource) m.set('subResource', req.subResource);
  m.set('requestKind', kind); m.set('requestResource', resource);
  if (req.subResource) m.set('requestSubResource', req.subResource);
  if (req.name) m.set('name', req.name);
  if (req.namespace) m.set('namespace', req.namespace);
  m.set('operation', req.operation);
  const userInfo = new Map<string, unknown>();
  for (const [k, v] of Object.entries(req.userInfo ?? {})) if (v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0)) userInfo.set(k, toCel(v));
  m.set('userInfo', userInfo);
  m.set('dryRun', req.dryRun ?? false);
  const optionKind = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions', CONNECT: '' }[req.operation];
  m.set('options', toCel(req.options ?? (optionKind ? { kind: optionKind, apiVersion: 'meta.k8s.io/v1' } : null)));
  return m;
}

function effectiveMessage(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  const t = text.trim();
  if (t === '' || t.includes('\n') || Buffer.byteLength(t) > MAX_MESSAGE_BYTES) return undefined;
  return t;
}

export function evaluateAdmission(req: AdmissionRequest, world: PolicyWorld): AdmissionVerdict {
  const verdict: AdmissionVerdict = { allowed: true, warnings: [], auditAnnotations: {}, policies: [], compileErrors: [], deniedBy: [], unknown: false };
  const auditFailures: Obj[] = [];
  const auditValues = new Map<string, string[]>();
  const object = req.object ? toCel(req.object) : null;
  const oldObject = req.oldObject ? toCel(req.oldObject) : null;
  const nsObject = req.namespaced ? world.namespaces.find((n) => n?.metadata?.name === req.namespace) : undefined;
  const namespaceObject = req.namespaced ? toCel(nsObject ?? { apiVersion: 'v1', kind: 'Namespace', metadata: { name: req.namespace, labels: { 'kubernetes.io/metadata.name': req.namespace } } }) : null;
  const request = celRequest(req);
  const authorizer = new Authorizer(world.authorizer ?? (() => { throw new UnknownDecision(); }));
  let firstDeny: { policy: string; binding?: string; message: string; reason: string } | undefined;
  const deny = (d: Denial) => {
    verdict.deniedBy.push(d);
    firstDeny ??= d;
  };

  const policies = [...world.policies].sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
  for (const policy of policies) {
    const name = String(policy.metadata?.name ?? '');
    const spec = policy.spec ?? {};
    const failurePolicy = spec.failurePolicy ?? 'Fail';
    const compiled = compilePolicy(policy);
    verdict.compileErrors.push(...compiled.errors);
    const result: PolicyResult = { name, matches: false, bindings: [] };
    verdict.policies.push(result);
    const bindings = world.bindings.filter((b) => b?.spec?.policyName === name)
      .sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
    if (bindings.length === 0) { result.configurationError = 'not active: no binding refers to this policy'; continue; }
    try {
      result.matches = resourcesMatch(spec.matchConstraints, req, world, true);
    } catch (err) {
      result.matchError = (err as Error).message;
      if (failurePolicy === 'Fail') deny({ policy: name, source: 'matchConstraints', message: `failed to configure policy: ${result.matchError}`, reason: 'Invalid' });
      continue;
    }
    if (!result.matches) continue;
    if (spec.paramKind) {
      const info = resolveParamKind(world, spec.paramKind);
      if (!info.registered) {
        result.configurationError = `failed to find resource referenced by paramKind: '${spec.paramKind.apiVersion}, Kind=${spec.paramKind.kind}'`;
        if (failurePolicy === 'Fail') deny({ policy: name, source: 'spec.paramKind', message: `failed to configure policy: ${result.configurationError}`, reason: 'Invalid' });
        continue;
      }
    }
    for (const binding of bindings) {
      const bname = String(binding.metadata?.name ?? '');
      const actions: string[] = Array.isArray(binding.spec?.validationActions) ? binding.spec.validationActions.map(String) : [];
      const br: BindingResult = { name: bname, matches: false, validationActions: actions, paramCount: 0, evaluations: [] };
      result.bindings.push(br);
      try {
        br.matches = binding.spec?.matchResources ? resourcesMatch(binding.spec.matchResources, req, world, false) : true;
      } catch (err) {
        br.matchError = (err as Error).message;
        if (failurePolicy === 'Fail') deny({ policy: name, binding: bname, source: 'matchResources', message: `failed to configure binding: ${br.matchError}`, reason: 'Invalid' });
        continue;
      }
      if (!br.matches) continue;
      let collected: ReturnType<typeof collectParams>;
      try {
        collected = collectParams(world, policy, binding, req);
      } catch (err) {
        collected = { params: [], error: (err as Error).message };
      }
      if (collected.error) {
        br.paramError = collected.error;
        if (failurePolicy === 'Fail') deny({ policy: name, binding: bname, source: 'paramRef', message: `failed to configure binding: ${collected.error}`, reason: 'Invalid' });
        continue;
      }
      if (collected.skip) continue;
      br.paramCount = spec.paramKind ? collected.params.length : 0;
      for (const param of collected.params) {
        const ev = evaluateOne(compiled, failurePolicy, {
          object, oldObject, request, namespaceObject, params: param ? toCel(param) : null, authorizer,
        }, world.identityKnown === true);
        ev.param = param;
        br.evaluations.push(ev);
        const applyDeny = (message: string, reason: string, source: string, index: number) => {
          for (const a of actions) {
            if (a === 'Deny') deny({ policy: name, binding: bname, source, message, reason });
            if (a === 'Warn') verdict.warnings.push(`Validation failed for ValidatingAdmissionPolicy '${name}' with binding '${bname}': ${message}`);
            if (a === 'Audit') auditFailures.push({ message, policy: name, binding: bname, expressionIndex: index, validationActions: actions });
          }
        };
        if (ev.policyError) {
          if (ev.policyError.action === 'unknown') verdict.unknown = true;
          if (ev.policyError.action === 'deny') applyDeny(ev.policyError.message, 'Invalid', 'spec.matchConditions', 0);
          continue;
        }
        for (const v of ev.validations) {
          if (v.action === 'unknown') verdict.unknown = true;
          if (v.action !== 'deny') continue;
          v.effects = [...actions];
          applyDeny(v.message ?? '', v.reason ?? 'Invalid', `spec.validations[${v.index}]`, v.index);
        }
        for (const a of ev.auditAnnotations) {
          if (a.action !== 'publish' || a.value === undefined) continue;
          const key = `${name}/${a.key}`;
          auditValues.set(key, [...(auditValues.get(key) ?? []), a.value]);
        }
      }
    }
  }
  for (const [k, values] of auditValues) verdict.auditAnnotations[k] = [...new Set(values)].join(', ');
  if (auditFailures.length > 0) verdict.auditAnnotations['validation.policy.admission.k8s.io/validation_failure'] = JSON.stringify(auditFailures);
  verdict.warnings.sort();
  if (firstDeny) {
    verdict.allowed = false;
    verdict.reason = firstDeny.reason;
    verdict.code = REASON_CODES[firstDeny.reason] ?? 422;
    const resource = req.resource.group ? `${req.resource.resource}.${req.resource.group}` : req.resource.resource;
    const who = firstDeny.binding !== undefined ? `ValidatingAdmissionPolicy '${firstDeny.policy}' with binding '${firstDeny.binding}'` : `ValidatingAdmissionPolicy '${firstDeny.policy}'`;
    verdict.message = `${resource} "${req.name}" is forbidden: ${who} denied request: ${firstDeny.message}`;
  }
  return verdict;
}

const READS_IDENTITY = /\brequest\s*\.\s*\??\s*userInfo\b/;

function evaluateOne(compiled: CompiledPolicy, failurePolicy: string, base: Record<string, unknown>, identityKnown: boolean): ParamEvaluation {
  const out: ParamEvaluation = { param: null, validations: [], auditAnnotations: [] };
  // Offline the requester is not known: whatever reads request.userInfo (directly or through a variable) is unknown.
  const identityVariables = compiled.variables.some((v) => READS_IDENTITY.test(v.expr.expression));
  const needsIdentity = (expression: string) => !identityKnown && (READS_IDENTITY.test(expression) || (identityVariables && /\bvariables\b/.test(expression)));
  const run = (program: CelProgram, vars: Record<string, unknown>, expression: string) => {
    const r = runProgram(program, vars);
    return needsIdentity(expression) ? { unknown: true, error: 'request.userInfo is the requesting identity, unknown offline' } : r;
  };
  const cache = new Map<string, { value?: unknown; error?: string; unknown?: boolean }>();
  const vars: Record<string, unknown> = { ...base };
  const byName = new Map(compiled.variables.map((v) => [v.name, v.expr]));
  vars.variables = compiled.variables.length === 0 ? new Map() : new compiled.varsClass((name) => {
    let r = cache.get(name);
    if (!r) {
      const expr = byName.get(name);
      if (!expr?.program) r = { error: `composited variable "${name}" fails to compile: ${expr?.error ?? 'unknown variable'}` };
      else {
        r = runProgram(expr.program, vars);
        if (r.error !== undefined && !r.unknown) r = { error: r.error.startsWith('composited variable') ? r.error : `composited variable "${name}" fails to evaluate: ${r.error}` };
      }
      cache.set(name, r);
    }
    if (r.unknown) throw new Unknown(r.error);
    if (r.error !== undefined) throw new VariableFailure(r.error);
    return r.value;
  });
  const onError = (evaluation: Evaluation): 'admit' | 'deny' | 'unknown' => (evaluation === 'unknown' ? 'unknown' : failurePolicy === 'Fail' ? 'deny' : 'admit');

  if (compiled.matchConditions.length > 0) {
    let firstError: { name: string; message: string; unknown: boolean } | undefined;
    for (const mc of compiled.matchConditions) {
      if (!mc.expr.program) { firstError ??= { name: mc.name, message: `compilation error: ${mc.expr.error}`, unknown: false }; continue; }
      const r = run(mc.expr.program, vars, mc.expr.expression);
      if (r.error !== undefined) { firstError ??= { name: mc.name, message: `expression '${mc.expr.expression}' resulted in error: ${r.error}`, unknown: !!r.unknown }; continue; }
      if (r.value === false) {
        out.matchConditions = { matches: false, failedConditionName: mc.name };
        return out;
      }
    }
    if (firstError) {
      out.matchConditions = { matches: false, error: firstError.message };
      const evaluation: Evaluation = firstError.unknown ? 'unknown' : 'error';
      out.policyError = { evaluation, action: onError(evaluation), message: firstError.message };
      return out;
    }
    out.matchConditions = { matches: true };
  }

  compiled.validations.forEach((v, index) => {
    const o: ValidationOutcome = { index, evaluation: 'admit', action: 'admit', expression: v.expr.expression };
    out.validations.push(o);
    if (!v.expr.program) {
      o.evaluation = 'error';
      o.action = onError('error');
      o.message = `compilation error: ${v.expr.error}`;
      o.reason = v.reason ?? 'Invalid';
      return;
    }
    const r = run(v.expr.program, vars, v.expr.expression);
    if (r.error !== undefined || typeof r.value !== 'boolean') {
      o.evaluation = r.unknown ? 'unknown' : 'error';
      o.action = onError(o.evaluation);
      o.message = r.unknown ? `expression '${v.expr.expression}' needs the live cluster: ${r.error}` : `expression '${v.expr.expression}' resulted in error: ${r.error ?? 'no such overload'}`;
      o.reason = v.reason ?? 'Invalid';
      return;
    }
    if (r.value) return;
    o.evaluation = 'deny';
    o.action = 'deny';
    o.reason = v.reason ?? 'Invalid';
    let message: string | undefined;
    if (v.messageExpr?.program) {
      const m = runProgram(v.messageExpr.program, vars);
      if (m.error === undefined) message = effectiveMessage(m.value);
    }
    o.message = message ?? (v.message !== undefined && v.message.trim() !== '' ? v.message.trim() : `failed expression: ${v.expr.expression}`);
  });

  for (const a of compiled.auditAnnotations) {
    if (!a.expr.program) {
      out.auditAnnotations.push({ key: a.key, action: 'error', error: `compilation error: ${a.expr.error}` });
      out.validations.push({ index: out.validations.length, evaluation: 'error', action: onError('error'), expression: a.expr.expression,
        message: `compilation error: ${a.expr.error}`, reason: 'Invalid', source: 'audit' });
      continue;
    }
    // The API server binds no authorizer for audit annotations (it compiles, then fails at runtime).
    const { authorizer: _unbound, ...auditVars } = vars;
    const r = run(a.expr.program, auditVars, a.expr.expression);
    if (r.error !== undefined) {
      out.auditAnnotations.push({ key: a.key, action: 'error', error: r.error });
      // The API server turns an audit annotation error into a failure decision under failurePolicy.
      const evaluation: Evaluation = r.unknown ? 'unknown' : 'error';
      out.validations.push({ index: out.validations.length, evaluation, action: onError(evaluation), expression: a.expr.expression,
        message: `expression '${a.expr.expression}' resulted in error: ${r.error}`, reason: 'Invalid', source: 'audit' } as ValidationOutcome);
      continue;
    }
    const value = typeof r.value === 'string' ? r.value.trim() : '';
    out.auditAnnotations.push(value === '' ? { key: a.key, action: 'exclude' } : { key: a.key, action: 'publish', value });
  }
  return out;
}
