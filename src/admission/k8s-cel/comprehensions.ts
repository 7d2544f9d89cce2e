// cel-go's two-variable comprehensions (ext.TwoVarComprehensions: all, exists, existsOne, transformList,
// transformMap, transformMapEntry) and ext.Lists' sortBy, as cel-js macros. For a list the first variable
// is the index, for a map the key. Errors follow cel-go: all/exists absorb an error when another element
// decides the result; existsOne and the transforms stop at the first error.
import type { Environment } from '@marcbachmann/cel-js';
import { celCompare, celEquals, entriesOf } from './values.ts';

type Ast = { op: string; args: unknown };
interface Checker { check(node: unknown, ctx: Ctx): unknown; getType(name: string): unknown; dynType: unknown }
interface Ctx { forkWithVariable(name: string, type: unknown): Ctx; reuse(parent: Ctx): Ctx; setIterValue(v: unknown, ev: unknown): Ctx }
interface Ev { run(node: unknown, ctx: Ctx): unknown }

function identifier(node: unknown): string {
  const n = node as Ast;
  if (n?.op === 'id' && typeof n.args === 'string') return n.args;
  throw new Error('argument must be a simple name');
}

function pairs(value: unknown): [unknown, unknown][] {
  if (Array.isArray(value)) return value.map((v, i) => [BigInt(i), v]);
  const entries = entriesOf(value);
  if (entries) return entries;
  throw new Error('no such overload');
}

interface Macro { receiver: unknown; args: unknown[]; k: string; v: string; ctx1?: Ctx; ctx2?: Ctx }

function twoVar(result: string, run: (ev: Ev, m: Macro, ctx: Ctx, items: [unknown, unknown][], body: (i: number, node: unknown) => unknown) => unknown) {
  return ({ args, receiver }: { args: unknown[]; receiver: unknown }) => {
    const m: Macro & Record<string, unknown> = { receiver, args, k: identifier(args[0]), v: identifier(args[1]), async: false };
    m.typeCheck = (checker: Checker, macro: Macro, ctx: Ctx) => {
      checker.check(macro.receiver, ctx);
      macro.ctx1 = ctx.forkWithVariable(macro.k, checker.dynType);
      macro.ctx2 = macro.ctx1.forkWithVariable(macro.v, checker.dynType);
      for (const node of macro.args.slice(2)) checker.check(node, macro.ctx2);
      return checker.getType(result);
    };
    m.evaluate = (ev: Ev, macro: Macro, ctx: Ctx) => {
      const items = pairs(ev.run(macro.receiver, ctx));
      const body = (i: number, node: unknown) => {
        const [key, value] = items[i]!;
        const c1 = macro.ctx1!.reuse(ctx).setIterValue(key, ev);
        const c2 = macro.ctx2!.reuse(c1).setIterValue(value, ev);
        return ev.run(node, c2);
      };
      return run(ev, macro, ctx, items, body);
    };
    return m;
  };
}

function bool(v: unknown): boolean {
  if (typeof v !== 'boolean') throw new Error('no such overload');
  return v;
}

export function registerComprehensions(env: Environment): void {
  const reg = (sig: string, handler: unknown) => env.registerFunction(sig, handler as never);
  for (const recv of ['list', 'map']) {
    reg(`${recv}.all(ast, ast, ast): bool`, twoVar('bool', (_ev, m, _ctx, items, body) => {
      let error: unknown;
      for (let i = 0; i < items.length; i++) {
        try { if (!bool(body(i, m.args[2]))) return false; } catch (err) { error ??= err; }
      }
      if (error) throw error;
      return true;
    }));
    reg(`${recv}.exists(ast, ast, ast): bool`, twoVar('bool', (_ev, m, _ctx, items, body) => {
      let error: unknown;
      for (let i = 0; i < items.length; i++) {
        try { if (bool(body(i, m.args[2]))) return true; } catch (err) { error ??= err; }
      }
      if (error) throw error;
      return false;
    }));
    reg(`${recv}.existsOne(ast, ast, ast): bool`, twoVar('bool', (_ev, m, _ctx, items, body) => {
      let n = 0;
      for (let i = 0; i < items.length; i++) if (bool(body(i, m.args[2]))) n++;
      return n === 1;
    }));
    reg(`${recv}.transformList(ast, ast, ast): list<dyn>`, twoVar('list<dyn>', (_ev, m, _ctx, items, body) => items.map((_x, i) => body(i, m.args[2]))));
    reg(`${recv}.transformList(ast, ast, ast, ast): list<dyn>`, twoVar('list<dyn>', (_ev, m, _ctx, items, body) => {
      const out: unknown[] = [];
      for (let i = 0; i < items.length; i++) if (bool(body(i, m.args[2]))) out.push(body(i, m.args[3]));
      return out;
    }));
    reg(`${recv}.transformMap(ast, ast, ast): map<dyn, dyn>`, twoVar('map<dyn, dyn>', (_ev, m, _ctx, items, body) => new Map(items.map(([k], i) => [k, body(i, m.args[2])]))));
    reg(`${recv}.transformMap(ast, ast, ast, ast): map<dyn, dyn>`, twoVar('map<dyn, dyn>', (_ev, m, _ctx, items, body) => {
      const out = new Map<unknown, unknown>();
      for (let i = 0; i < items.length; i++) if (bool(body(i, m.args[2]))) out.set(items[i]![0], body(i, m.args[3]));
      return out;
    }));
    const entryMerge = (out: Map<unknown, unknown>, entry: unknown) => {
      for (const [k, v] of entriesOf(entry) ?? []) {
        if ([...out.keys()].some((x) => celEquals(x, k))) throw new Error(`insert failed: key ${String(k)} already exists`);
        out.set(k, v);
      }
    };
    reg(`${recv}.transformMapEntry(ast, ast, ast): map<dyn, dyn>`, twoVar('map<dyn, dyn>', (_ev, m, _ctx, items, body) => {
      const out = new Map<unknown, unknown>();
      for (let i = 0; i < items.length; i++) entryMerge(out, body(i, m.args[2]));
      return out;
    }));
    reg(`${recv}.transformMapEntry(ast, ast, ast, ast): map<dyn, dyn>`, twoVar('map<dyn, dyn>', (_ev, m, _ctx, items, body) => {
      const out = new Map<unknown, unknown>();
      for (let i = 0; i < items.length; i++) if (bool(body(i, m.args[2]))) entryMerge(out, body(i, m.args[3]));
      return out;
    }));
  }
  // sortBy(e, key): a one-variable macro over a list, stable, keys compared as CEL orders them.
  reg('list.sortBy(ast, ast): list<dyn>', ({ args, receiver }: { args: unknown[]; receiver: unknown }) => {
    const m: Record<string, unknown> & { ctx1?: Ctx } = { receiver, args, v: identifier(args[0]), async: false };
    m.typeCheck = (checker: Checker, macro: typeof m, ctx: Ctx) => {
      checker.check(macro.receiver, ctx);
      macro.ctx1 = ctx.forkWithVariable(macro.v as string, checker.dynType);
      checker.check(args[1], macro.ctx1);
      return checker.getType('list<dyn>');
    };
    m.evaluate = (ev: Ev, macro: typeof m, ctx: Ctx) => {
      const list = ev.run(macro.receiver, ctx);
      if (!Array.isArray(list)) throw new Error('no such overload');
      const keyed = list.map((e) => ({ e, k: ev.run(args[1], macro.ctx1!.reuse(ctx).setIterValue(e, ev)) }));
      return keyed.sort((a, b) => celCompare(a.k, b.k)).map((x) => x.e);
    };
    return m;
  });
}
