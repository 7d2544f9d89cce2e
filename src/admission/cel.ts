// The CEL environment of ValidatingAdmissionPolicies, on @marcbachmann/cel-js with the Kubernetes libraries
// (src/admission/k8s-cel/*) registered as extensions. Values follow Kubernetes unstructured JSON: integral
// numbers are int (bigint), other numbers double.
import { Environment } from '@marcbachmann/cel-js';
import { registerKubernetesLibraries } from './k8s-cel/index.ts';
import { rewriteOptionalEntries, stringEnd, stringStarts } from './optional-literals.ts';
import { renameTimestampCalls, TIMESTAMP_CALL } from './k8s-cel/timestamps.ts';

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
let functionNames: Set<string> | undefined;
/** Every function and method name the environment declares (an unknown one is an undeclared reference in cel-go). */
function knownFunctionNames(): Set<string> {
  functionNames ??= new Set((baseEnvironment().getDefinitions() as { functions: { name: string }[] }).functions.map((f) => f.name));
  return functionNames;
}
let mixedBase: Environment | undefined;
/**
 * Kubernetes compiles with homogeneous aggregate literals ([1, 'a'] is an error) except for the list literal
 * that `format` takes; cel-js has one switch for the whole expression, hence a second environment.
 */
function baseEnvironment(homogeneous = true): Environment {
  if (homogeneous && base) return base;
  if (!homogeneous && mixedBase) return mixedBase;
  const env = new Environment({ unlistedVariablesAreDyn: false, enableOptionalTypes: true, homogeneousAggregateLiterals: homogeneous });
  registerKubernetesLibraries(env);
  if (homogeneous) base = env; else mixedBase = env;
  return env;
}

const scopeCache = new Map<string, Environment>();
function environmentFor(scope: CelScope, homogeneous = true): Environment {
  const key = `${scope.params}|${scope.authorizer}|${homogeneous}`;
  const cacheable = !scope.variablesClass;
  const hit = cacheable ? scopeCache.get(key) : undefined;
  if (hit) return hit;
  const env = baseEnvironment(homogeneous).clone();
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

/** The first line of a cel-js error. */
function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}

const celGoType = (t: string): string => t.replace(/(list|map|optional)<([^<>]*)>/g, (_m, k: string, inner: string) => `${k === 'optional' ? 'optional_type' : k}(${inner})`).replace(/(list|map|optional)<([^<>]*)>/g, (_m, k: string, inner: string) => `${k}(${inner})`);

interface ErrNode { op?: string; args?: unknown; range?: { start: number; end: number }; pos?: number }

/** A compile error worded and located as cel-go prints it: `ERROR: <input>:L:C: msg` and a caret line. */
function compileErrorMessage(err: unknown, expression: string, shown = expression): string {
  const first = firstLine(err);
  const node = (err as { node?: ErrNode })?.node;
  let offset = node?.range?.start ?? node?.pos ?? (err as { range?: { start: number } })?.range?.start;
  let message = first;
  let m: RegExpExecArray | null;
  if ((m = /^Unknown variable: (.+)$/.exec(first))) message = `undeclared reference to '${m[1]}' (in container '')`;
  else if ((m = /^List elements must have the same type, (expected type '.*' but found '.*')$/.exec(first))) message = celGoType(m[1]!);
  else if ((m = /^no such overload: (\S+) (==|!=|<=|>=|<|>|\+|-|\*|\/|%|in) (\S+)$/.exec(first))) {
    message = `found no matching overload for '_${m[2]}_' applied to '(${celGoType(m[1]!)}, ${celGoType(m[3]!)})'`;
    const left = (node?.args as ErrNode[] | undefined)?.[0]?.range?.end;
    if (left !== undefined) offset = expression.indexOf(m[2]!, left);
  } else if ((m = /^found no matching overload for '(?:(.+)\.)?([A-Za-z_][A-Za-z0-9_]*)\((.*)\)'$/.exec(first))) {
    message = m[1] !== undefined
      ? `found no matching overload for '${m[2]}' applied to '${celGoType(m[1])}.(${celGoType(m[3]!)})'`
      : `found no matching overload for '${m[2]}' applied to '(${celGoType(m[3]!)})'`;
    if (offset !== undefined) {
      const at = m[1] !== undefined ? expression.indexOf(`.${m[2]}(`, offset) : expression.indexOf(`${m[2]}(`, offset);
      if (at >= 0) offset = at + (m[1] !== undefined ? 1 : 0) + m[2]!.length;
    }
    if (!knownFunctionNames().has(m[2]!)) message = `undeclared reference to '${m[2]}' (in container '')`;
  } else if (/invalid predicate iteration variable$/.test(first)) message = 'argument must be a simple name';
  else if (first === 'Unexpected token: EOF') message = "Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}";
  else if ((m = /^No such key: (.+)$/.exec(first))) {
    message = `undefined field '${m[1]}'`;
    const at = expression.indexOf(`.${m[1]}`);
    if (at >= 0) offset = at;
  }
  if (offset === undefined || offset < 0) return message;
  const located = locatedError(shown, offset, message);
  // cel-go also reports the function an undeclared namespace is called with (`base64.encode(`), at its `(`.
  const unknown = /^Unknown variable: (.+)$/.exec(first)?.[1];
  const call = unknown !== undefined ? new RegExp(`^${unknown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\.\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\(`).exec(expression.slice(offset)) : null;
  if (call && !knownFunctionNames().has(call[1]!)) {
    return `${located}\n${locatedError(shown, offset + call[0].length - 1, `undeclared reference to '${call[1]}' (in container '')`)}`;
  }
  return located;
}

/** One cel-go error: `ERROR: <input>:L:C: msg`, the source line and a caret under the column. */
function locatedError(expression: string, offset: number, message: string): string {
  const before = expression.slice(0, offset);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const col = [...expression.slice(lineStart, offset)].length + 1;
  const sourceLine = expression.split('\n')[line - 1] ?? '';
  return `ERROR: <input>:${line}:${col}: ${message}\n | ${sourceLine}\n | ${'.'.repeat(col - 1)}^`;
}

/** Rewrites cel-js error texts to the wording of cel-go where admission messages expose them. */
export function celErrorMessage(err: unknown): string {
  const first = firstLine(err);
  if (/receiver must be|^found no matching overload/.test(first)) return 'no such overload';
  const operator = /^no such overload: .+ (==|!=|<=|>=|<|>|\+|-|\*|\/|%|in) .+$/.exec(first);
  if (operator) return `no such overload: _${operator[1]}_`;
  const unbound = /^Unknown variable: (.+)$/.exec(first);
  if (unbound) return `no such attribute(s): ${unbound[1]}`;
  return first.replace(/^No such key: /, 'no such key: ');
}

const customEnvs = new Map<boolean, Environment>();
/** Custom rules in .preadmit.yaml: `object` and `pod` (the pod spec of any workload kind, else null). */
export function compileCustomRuleCel(expression: string): Compiled {
  const envFor = (homogeneous: boolean) => {
    let env = customEnvs.get(homogeneous);
    if (!env) customEnvs.set(homogeneous, (env = baseEnvironment(homogeneous).clone().registerVariable('object', 'dyn').registerVariable('pod', 'dyn')));
    return env;
  };
  return compileIn(envFor, expression);
}

export function compileCel(expression: string, scope: CelScope): Compiled {
  return compileIn((homogeneous) => environmentFor(scope, homogeneous), expression);
}

/** Whether a mixed-literal error sits inside the argument list of a `.format(` call (cel-go exempts it). */
function insideFormatCall(expression: string, offset: number | undefined): boolean {
  if (offset === undefined) return false;
  const call = expression.lastIndexOf('.format(', offset);
  if (call < 0) return false;
  let depth = 0;
  for (let i = call + '.format('.length; i < offset; i++) {
    if (expression[i] === '(') depth++;
    if (expression[i] === ')' && depth-- === 0) return false;
  }
  return true;
}

/**
 * cel-go folds duration()/timestamp() of a literal at compile time: an invalid literal is a compile error
 * ("invalid duration argument"), which the API server refuses, not a runtime error.
 */
function constantConversionError(expression: string): string | undefined {
  const literal = /\b(duration|timestamp)\(\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d+)\s*\)/g;
  for (let m = literal.exec(expression); m !== null; m = literal.exec(expression)) {
    try {
      baseEnvironment().evaluate(m[0]);
    } catch {
      const offset = m.index + m[1]!.length + 1;
      const before = expression.slice(0, offset);
      const line = before.split('\n').length;
      const lineStart = before.lastIndexOf('\n') + 1;
      const col = [...expression.slice(lineStart, offset)].length + 1;
      return `ERROR: <input>:${line}:${col}: invalid ${m[1]} argument\n | ${expression.split('\n')[line - 1] ?? ''}\n | ${'.'.repeat(col - 1)}^`;
    }
  }
  return undefined;
}

function compileIn(envFor: (homogeneous: boolean) => Environment, source: string, homogeneous = true): Compiled {
  const env = envFor(homogeneous);
  const conversion = constantConversionError(source);
  if (conversion !== undefined) return { ok: false, error: conversion };
  // timestamp( calls renamed to a same-length name that keeps the offset (k8s-cel/timestamps.ts); optional
  // list/map entries, which cel-js does not parse, rewritten to equivalent calls (errors then quote the rewrite).
  const renamed = renameTimestampCalls(source, stringEnd, stringStarts);
  const expression = rewriteOptionalEntries(renamed);
  // Errors name timestamp, and quote the source when only the rename (same length) changed it.
  const shown = expression === renamed ? source : expression.split(TIMESTAMP_CALL).join('timestamp');
  const compileError = (err: unknown) => compileErrorMessage(err, expression, shown).split(TIMESTAMP_CALL).join('timestamp');
  try {
    const checked = env.check(expression);
    if (!checked.valid) {
      const err = checked.error as { message?: string; node?: { range?: { start: number } } } | undefined;
      if (homogeneous && /^List elements must have the same type/.test(err?.message ?? '') && insideFormatCall(expression, err?.node?.range?.start)) {
        return compileIn(envFor, source, false);
      }
      return { ok: false, error: compileError(checked.error) };
    }
    const parsed = env.parse(expression);
    return { ok: true, type: checked.type ?? 'dyn', program: (vars) => parsed(vars) };
  } catch (err) {
    return { ok: false, error: compileError(err) };
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
