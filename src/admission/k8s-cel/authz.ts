// Kubernetes authz library (authorizer.group(..).resource(..).check(verb)). Offline there is no authorizer:
// the decision comes from a callback; preadmit's own callback throws UnknownDecision so that a validation
// depending on it is reported as unknown, never as pass.
import type { Environment } from '@marcbachmann/cel-js';

export interface AuthzDecision { allowed: boolean; reason: string; error?: string }
export type AuthzDecider = (check: Record<string, string>) => AuthzDecision;

export class UnknownDecision extends Error {
  constructor() { super('authorizer decision needs the live cluster (unknown offline)'); }
}

export class Authorizer {
  constructor(readonly decide: AuthzDecider, readonly user?: string) {}
}
export class PathCheck { constructor(readonly authz: Authorizer, readonly path: string) {} }
export class GroupCheck { constructor(readonly authz: Authorizer, readonly group: string) {} }
export class ResourceCheck {
  constructor(readonly authz: Authorizer, readonly fields: Record<string, string>) {}
  with(key: string, value: string): ResourceCheck { return new ResourceCheck(this.authz, { ...this.fields, [key]: value }); }
}
export class Decision { constructor(readonly d: AuthzDecision) {} }

export function registerAuthz(env: Environment): void {
  env.registerType('Authorizer', Authorizer)
    .registerType('PathCheck', PathCheck)
    .registerType('GroupCheck', GroupCheck)
    .registerType('ResourceCheck', ResourceCheck)
    .registerType('Decision', Decision)
    .registerFunction('Authorizer.path(string): PathCheck', (a: Authorizer, p: string) => new PathCheck(a, p))
    .registerFunction('Authorizer.group(string): GroupCheck', (a: Authorizer, g: string) => new GroupCheck(a, g))
    .registerFunction('Authorizer.serviceAccount(string, string): Authorizer', (a: Authorizer, ns: string, n: string) => new Authorizer(a.decide, `system:serviceaccount:${ns}:${n}`))
    .registerFunction('GroupCheck.resource(string): ResourceCheck', (g: GroupCheck, r: string) => new ResourceCheck(g.authz, { group: g.group, resource: r }))
    .registerFunction('ResourceCheck.subresource(string): ResourceCheck', (r: ResourceCheck, v: string) => r.with('subresource', v))
    .registerFunction('ResourceCheck.namespace(string): ResourceCheck', (r: ResourceCheck, v: string) => r.with('namespace', v))
    .registerFunction('ResourceCheck.name(string): ResourceCheck', (r: ResourceCheck, v: string) => r.with('name', v))
    .registerFunction('ResourceCheck.fieldSelector(string): ResourceCheck', (r: ResourceCheck, v: string) => r.with('fieldSelector', v))
    .registerFunction('ResourceCheck.labelSelector(string): ResourceCheck', (r: ResourceCheck, v: string) => r.with('labelSelector', v))
    .registerFunction('ResourceCheck.check(string): Decision', (r: ResourceCheck, verb: string) => new Decision(r.authz.decide({ ...r.fields, verb })))
    .registerFunction('PathCheck.check(string): Decision', (p: PathCheck, verb: string) => new Decision(p.authz.decide({ path: p.path, verb })))
    .registerFunction('Decision.allowed(): bool', (d: Decision) => d.d.allowed)
    .registerFunction('Decision.reason(): string', (d: Decision) => d.d.reason)
    .registerFunction('Decision.errored(): bool', (d: Decision) => d.d.error !== undefined)
    .registerFunction('Decision.error(): string', (d: Decision) => d.d.error ?? '');
}
