// The CEL environment of ValidatingAdmissionPolicies, on @marcbachmann/cel-js with the Kubernetes libraries
// (src/admission/k8s-cel/*) registered as extensions. Values follow Kubernetes unstructured JSON: integral
// numbers are int (bigint), other numbers double.
import { Environment } from '@marcbachmann/cel-js';
import { registerKubernetesLibraries } from './k8s-cel/index.ts';

export type CelProgram = (vars: Record<string, unknown>) => unknown;
export type Compiled = { ok: true; program: CelProgram; type: string } | { ok: false; error: string };

/** Which top-level variables an expression of a policy may reference. */
export interface CelScope {
  params: boolean;
  /** Composited variables visible to the expression (earlier ones only), with their CEL types. */
  variables: readonly { name: string; type: string }[];
  /** The class of the runtime `variables` value (one per policy; getters evaluate lazily). */
  variablesClass?: new (...args: never[]) => object;
  authorizer: boolean;
}

let base: Environment | undefined;
function baseEnvironment(): Environment {
  if (base) return base;
  const env = new Environment({ unlistedVariablesAreDyn: false, enableOptionalTypes: true, homogeneousAggregateLiterals: true });
  registerKubernetesLibraries(env);
  base = env;
  return env;
}

const scopeCache = new Map<string, Environment>();
function environmentFor(scope: CelScope): Environment {
  const key = `${scope.params}|${scope.authorizer}`;
  const cacheable = !scope.variablesClass;
  const hit = cacheable ? scopeCache.get(key) : undefined;
  if (hit) return hit;
  const env = baseEnvironment().clone();
  for (const name of ['object', 'oldObject', 'request', 'namespaceObject']) env.registerVariable(name, 'dyn');
  if (scope.params) env.registerVariable('params', 'dyn');
  if (scope.variablesClass) {
    const fields: Record<string, string> = {};
    for (const v of scope.variables) fields[v.name] = v.type;
    env.registerType('kubernetes.Variables', { ctor: scope.variablesClass, fields } as never);
    env.registerVariable('variables', 'kubernetes.Variables');
  } else {
    env.registerVariable('variables', 'map<string, dyn>');
  }
  if (scope.authorizer) env.registerVariable('authorizer', 'Authorizer');
  if (cacheable) scopeCache.set(key, env);
  return env;
}

/** The first line of a cel-js error (compile errors keep cel-js's own words). */
function compileErrorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}

/** Rewrites cel-js error texts to the wording of cel-go where admission messages expose them. */
export function celErrorMessage(err: unknown): string {
  const first = compileErrorMessage(err);
  if (/receiver must be|^found no matching overload/.test(first)) return 'no such overload';
  const operator = /^no such overload: .+ (==|!=|<=|>=|<|>|\+|-|\*|\/|%|in) .+$/.exec(first);
  if (operator) return `no such overload: _${operator[1]}_`;
  return first.replace(/^No such key: /, 'no such key: ');
}

export function compileCel(expression: string, scope: CelScope): Compiled {
  const env = environmentFor(scope);
  try {
    const checked = env.check(expression);
    if (!checked.valid) return { ok: false, error: compileErrorMessage(checked.error) };
    const parsed = env.parse(expression);
    return { ok: true, type: checked.type ?? 'dyn', program: (vars) => parsed(vars) };
  } catch (err) {
    return { ok: false, error: compileErrorMessage(err) };
  }
}

/** JSON (as read from YAML) to CEL values: integral numbers become int, maps keep their own keys only. */
export function toCel(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const out = new Map<string, unknown>();
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out.set(k, toCel(v));
    return out;
  }
  return value;
}
