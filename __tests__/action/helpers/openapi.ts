// Validates HTTP requests against GitHub's official REST description (api.github.com.json from the pinned
// @octokit/openapi, provisioned into .cache/openapi by scripts/provision-openapi.ts): the path must match an
// operation's template, the method must exist there, path and query parameters must be declared and of the
// right type, and the JSON body must satisfy the operation's request schema.
//
// The description is OpenAPI 3.0 (its own JSON Schema dialect), so schemas are converted for Ajv lazily,
// per operation: `nullable` becomes a null type, `$ref`s to components are collected into `definitions`,
// `x-*` / `example` / `discriminator` keys go, and formats Ajv does not know are dropped. Stricter than
// GitHub on one point, on purpose: an object schema that lists its properties rejects unknown ones, so a
// misspelt field fails the test instead of being silently ignored.
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface Operation {
  method: string;
  template: string;
  operationId: string;
  op: JsonObject;
}

export interface Matched extends Operation {
  pathParams: Record<string, string>;
}

export interface Validation {
  operation?: Matched;
  errors: string[];
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'];

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export class OpenApi {
  readonly spec: JsonObject;
  private readonly routes: { regex: RegExp; names: string[]; literals: number; template: string; item: JsonObject }[] = [];
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });

  constructor(file: string) {
    this.spec = JSON.parse(readFileSync(file, 'utf8')) as JsonObject;
    this.ajv.addFormat('date-time', (v: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)));
    this.ajv.addFormat('uri', (v: string) => {
      try {
        new URL(v);
        return true;
      } catch {
        return false;
      }
    });
    for (const [template, item] of Object.entries(this.spec.paths as JsonObject)) {
      const names: string[] = [];
      const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{([^}]+)\\?\}/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      const literals = template.split('/').filter((s) => s !== '' && !s.startsWith('{')).length;
      this.routes.push({ regex: new RegExp(`^${pattern}$`), names, literals, template, item: item as JsonObject });
    }
  }

  /** The operation for a method and path, preferring the template with most literal segments. */
  match(method: string, pathname: string): Matched | undefined {
    const candidates = this.routes
      .map((route) => ({ route, m: route.regex.exec(pathname) }))
      .filter((c) => c.m !== null)
      .sort((a, b) => b.route.literals - a.route.literals);
    for (const { route, m } of candidates) {
      const op = route.item[method.toLowerCase()];
      if (!isObject(op)) continue;
      const pathParams = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(m![i + 1]!)]));
      return { method: method.toUpperCase(), template: route.template, operationId: String(op.operationId), op, pathParams };
    }
    return undefined;
  }

  /** Whether some operation exists on the path at all (to tell 404 from 405). */
  hasPath(pathname: string): boolean {
    return this.routes.some((r) => r.regex.test(pathname));
  }

  private deref(value: JsonObject): JsonObject {
    let current = value;
    for (let i = 0; typeof current.$ref === 'string' && i < 10; i++) {
      const parts = (current.$ref as string).replace(/^#\//, '').split('/');
      let node: Json = this.spec;
      for (const p of parts) node = isObject(node) ? (node[p] ?? null) : null;
      if (!isObject(node)) throw new Error(`unresolvable $ref ${current.$ref as string}`);
      current = node;
    }
    return current;
  }

  private parameters(operation: Operation): JsonObject[] {
    const item = (this.spec.paths as JsonObject)[operation.template] as JsonObject;
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    const own = Array.isArray(operation.op.parameters) ? operation.op.parameters : [];
    return [...shared, ...own].filter(isObject).map((p) => this.deref(p));
  }

  /** The Ajv validator of a JSON Schema from the description (compiled once per key). */
  validatorFor(key: string, schema: JsonObject, closed = true): ValidateFunction {
    let validate = this.validators.get(key);
    if (validate === undefined) {
      const definitions: JsonObject = {};
      const root = this.convert(schema, definitions, closed);
      validate = this.ajv.compile({ ...(root as JsonObject), definitions });
      this.validators.set(key, validate);
    }
    return validate;
  }

  /** OpenAPI 3.0 schema -> JSON Schema draft-07 for Ajv. */
  private convert(schema: Json, definitions: JsonObject, closed: boolean): Json {
    const convert = (s: Json) => this.convert(s, definitions, closed);
    if (Array.isArray(schema)) return schema.map(convert);
    if (!isObject(schema)) return schema;
    if (typeof schema.$ref === 'string') {
      const ref = schema.$ref;
      const name = ref.replace(/^#\/components\/schemas\//, '');
      if (name === ref) return convert(this.deref(schema));
      if (!(name in definitions)) {
        definitions[name] = true; // placeholder against cycles
        definitions[name] = convert(this.deref(schema));
      }
      return { $ref: `#/definitions/${name}` };
    }
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(schema)) {
      if (key.startsWith('x-') || key === 'example' || key === 'examples' || key === 'discriminator' || key === 'nullable' || key === 'xml') continue;
      if (key === 'format' && value !== 'date-time' && value !== 'uri') continue;
      if (key === 'properties' && isObject(value)) {
        out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v)]));
      } else if (key === 'items' || key === 'additionalProperties' || key === 'not') {
        out[key] = convert(value);
      } else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') {
        out[key] = (value as Json[]).map(convert);
      } else {
        out[key] = value;
      }
    }
    if (closed && isObject(out.properties) && out.additionalProperties === undefined && out.allOf === undefined && out.anyOf === undefined && out.oneOf === undefined) {
      out.additionalProperties = false;
    }
    if (schema.nullable === true) {
      if (typeof out.type === 'string') out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      if (out.type === undefined) return { anyOf: [out, { type: 'null' }] };
    }
    return out;
  }

  /** Checks one request; `errors` is empty when it is valid. */
  validate(method: string, url: URL, headers: Record<string, string | string[] | undefined>, rawBody: string): Validation {
    const errors: string[] = [];
    const operation = this.match(method, url.pathname);
    if (operation === undefined) {
      errors.push(this.hasPath(url.pathname) ? `${method} is not an operation on ${url.pathname}` : `no operation matches ${url.pathname}`);
      return { errors };
    }
    const params = this.parameters(operation);

    for (const p of params.filter((p) => p.in === 'path')) {
      const value = operation.pathParams[p.name as string];
      const ok = value !== undefined && value !== '' && this.validatorFor(`param:${p.name as string}`, (p.schema as JsonObject) ?? {})(coerce(value, p.schema));
      if (!ok) errors.push(`path parameter ${p.name as string}=${JSON.stringify(value)} does not match its schema`);
    }
    const declaredQuery = new Map(params.filter((p) => p.in === 'query').map((p) => [p.name as string, p]));
    for (const [name, value] of url.searchParams) {
      const p = declaredQuery.get(name);
      if (p === undefined) errors.push(`query parameter ${name} is not declared for ${operation.operationId}`);
      else if (!this.validatorFor(`query:${operation.operationId}:${name}`, (p.schema as JsonObject) ?? {})(coerce(value, p.schema))) {
        errors.push(`query parameter ${name}=${JSON.stringify(value)} does not match its schema`);
      }
    }
    for (const p of params.filter((p) => p.in === 'query' && p.required === true)) {
      if (!url.searchParams.has(p.name as string)) errors.push(`required query parameter ${p.name as string} is missing`);
    }

    const requestBody = isObject(operation.op.requestBody) ? this.deref(operation.op.requestBody) : undefined;
    const bodySchema = requestBody && isObject(requestBody.content) && isObject(requestBody.content['application/json']) ? requestBody.content['application/json'].schema : undefined;
    if (rawBody !== '') {
      const type = String(headers['content-type'] ?? '');
      if (!type.startsWith('application/json')) errors.push(`body sent as ${JSON.stringify(type)}, not application/json`);
      if (!isObject(bodySchema)) errors.push(`${operation.operationId} takes no JSON body`);
      else {
        let body: unknown;
        try {
          body = JSON.parse(rawBody);
        } catch (error) {
          errors.push(`body is not JSON: ${(error as Error).message}`);
        }
        if (body !== undefined) {
          const validate = this.validatorFor(`body:${operation.operationId}`, bodySchema);
          if (!validate(body)) {
            for (const e of validate.errors ?? []) errors.push(`body${e.instancePath} ${e.message ?? 'is invalid'}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
          }
        }
      }
    } else if (requestBody?.required === true) {
      errors.push(`${operation.operationId} requires a body`);
    }
    return { operation, errors };
  }

  /** The example response the description gives for an operation and status, by example name or the first. */
  example(operation: Operation, status: string, name?: string): Json | undefined {
    const responses = operation.op.responses as JsonObject;
    const response = isObject(responses[status]) ? this.deref(responses[status]) : undefined;
    const content = response && isObject(response.content) ? response.content['application/json'] : undefined;
    if (!isObject(content) || !isObject(content.examples)) return undefined;
    const entry = name !== undefined ? content.examples[name] : Object.values(content.examples)[0];
    if (!isObject(entry)) return undefined;
    return structuredClone(this.deref(entry).value ?? null);
  }
}

function coerce(value: string, schema: Json | undefined): unknown {
  const type = isObject(schema) ? schema.type : undefined;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}
