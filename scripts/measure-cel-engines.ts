// Measures how many `lib-` conformance cases each CEL engine passes as shipped (issue 19, engine choice).
// Usage: npx tsx scripts/measure-cel-engines.ts [../shared/conformance/vap]
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { Environment } from '@marcbachmann/cel-js';

// @bufbuild/cel is only measured, not used: imported by a computed name so that the project still
// type-checks once it is dropped from devDependencies (the measurement then says so).
const bufbuildName = '@bufbuild/cel';
const bufbuild = (await import(bufbuildName).catch(() => undefined)) as
  | { run: (expr: string, vars: unknown) => unknown; isCelError: (v: unknown) => boolean }
  | undefined;

const root = process.argv[2] ?? join(process.cwd(), '../shared/conformance/vap');
type Outcome = { kind: 'bool'; value: boolean } | { kind: 'string'; value: string | null } | { kind: 'error' };
type Engine = (expr: string, vars: Record<string, unknown>) => Outcome;

function classify(v: unknown): Outcome {
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  if (typeof v === 'string' || v === null) return { kind: 'string', value: v as string | null };
  return { kind: 'error' };
}
const buf: Engine = (expr, vars) => {
  const r = bufbuild!.run(expr, vars);
  return bufbuild!.isCelError(r) ? { kind: 'error' } : classify(r);
};
const celEnv = new Environment({ unlistedVariablesAreDyn: true, enableOptionalTypes: true, homogeneousAggregateLiterals: false });
const celjs: Engine = (expr, vars) => {
  try { return classify(celEnv.evaluate(expr, vars)); } catch { return { kind: 'error' }; }
};

function caseVerdict(engine: Engine, c: any, exp: any): boolean {
  const pol = c.policies[0];
  const ev = exp.policies[0]?.bindings?.[0]?.evaluations?.[0];
  if (!ev) return false;
  const vars = { object: c.request.object, oldObject: null, params: null, request: { operation: c.request.operation } };
  for (const v of ev.validations ?? []) {
    const o = engine(pol.spec.validations[v.index].expression, vars);
    const want = v.evaluation;
    const got = o.kind === 'bool' ? (o.value ? 'admit' : 'deny') : 'error';
    if (got !== want) return false;
  }
  for (const a of ev.auditAnnotations ?? []) {
    const spec = pol.spec.auditAnnotations.find((x: any) => x.key === a.key);
    const o = engine(spec.valueExpression, vars);
    if (a.action === 'error') { if (o.kind !== 'error') return false; continue; }
    if (o.kind !== 'string') return false;
    const val = (o.value ?? '').trim();
    if (a.action === 'publish' && val !== a.value) return false;
    if (a.action === 'exclude' && val !== '') return false;
  }
  return true;
}

const ids = readdirSync(join(root, 'cases')).filter((f) => f.startsWith('lib-')).map((f) => f.replace(/\.yaml$/, ''));
const engines: [string, Engine][] = [['@marcbachmann/cel-js 8.0.0', celjs]];
if (bufbuild) engines.unshift(['@bufbuild/cel 0.6.1', buf]);
else console.log('@bufbuild/cel is not installed: not measured');
for (const [name, engine] of engines) {
  let pass = 0;
  for (const id of ids) {
    const c = yaml.load(readFileSync(join(root, 'cases', id + '.yaml'), 'utf8'));
    const exp = JSON.parse(readFileSync(join(root, 'expected', id + '.json'), 'utf8'));
    try { if (caseVerdict(engine, c, exp)) pass++; } catch { /* counted as fail */ }
  }
  console.log(`${name}: ${pass}/${ids.length} lib- cases`);
}
