// Maps a resource address (and an attribute path inside it) to a .tf file and line. The plan carries
// no positions: module directories come from `configuration.root_module.module_calls[*].source` (local
// `./` and `../` sources, resolved from the root module directory, and `.terraform/modules/modules.json`
// when present), the resource from a `resource "<type>" "<name>"` block in that directory's .tf files, and
// the attribute from a light scan of the block (hcl.ts). Nothing outside the repository is read.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isObj, str } from '../k8s/values.ts';
import { parseYamlDocuments, type YamlDocument } from '../loaders/yaml-docs.ts';
import { locatePath, parseHcl, type HclBlock, type HclValue } from './hcl.ts';
import { safeRealpath } from '../model/paths.ts';

export interface AddressParts {
  /** Module calls from the root, with their instance keys: `module.a["x"].module.b` -> [{name:'a', key:'x'}, {name:'b'}]. */
  modules: { name: string; key?: string | number }[];
  mode: 'managed' | 'data';
  type: string;
  name: string;
  index?: string | number;
}

/** Splits an address on the dots outside instance keys (keys may hold dots, brackets and escaped quotes). */
function segments(address: string): { name: string; key?: string | number }[] | undefined {
  const out: { name: string; key?: string | number }[] = [];
  let i = 0;
  while (i < address.length) {
    const start = i;
    while (i < address.length && address[i] !== '.' && address[i] !== '[') i++;
    const name = address.slice(start, i);
    if (name === '') return undefined;
    let key: string | number | undefined;
    if (address[i] === '[') {
      i++;
      if (address[i] === '"') {
        let raw = '';
        i++;
        while (i < address.length && address[i] !== '"') {
          if (address[i] === '\\' && i + 1 < address.length) {
            raw += address[i + 1];
            i += 2;
          } else raw += address[i++];
        }
        key = raw;
        i++; // closing quote
      } else {
        const end = address.indexOf(']', i);
        if (end === -1) return undefined;
        const text = address.slice(i, end);
        key = /^\d+$/.test(text) ? Number(text) : text;
        i = end;
      }
      if (address[i] !== ']') return undefined;
      i++;
    }
    out.push(key === undefined ? { name } : { name, key });
    if (i < address.length) {
      if (address[i] !== '.') return undefined;
      i++;
    }
  }
  return out;
}

/** Parses an absolute resource (instance) address; undefined when it is not one. */
export function parseAddress(address: string): AddressParts | undefined {
  const parts = segments(address);
  if (parts === undefined) return undefined;
  const modules: AddressParts['modules'] = [];
  let i = 0;
  while (i + 1 < parts.length && parts[i]!.name === 'module' && parts[i]!.key === undefined) {
    const call = parts[i + 1]!;
    modules.push(call.key === undefined ? { name: call.name } : { name: call.name, key: call.key });
    i += 2;
  }
  let mode: AddressParts['mode'] = 'managed';
  if (parts[i]?.name === 'data' && parts[i]!.key === undefined) {
    mode = 'data';
    i++;
  }
  if (parts.length - i !== 2) return undefined;
  const type = parts[i]!;
  const name = parts[i + 1]!;
  if (type.key !== undefined) return undefined;
  const result: AddressParts = { modules, mode, type: type.name, name: name.name };
  if (name.key !== undefined) result.index = name.key;
  return result;
}

export interface ResourceLocation {
  /** Absolute path of the .tf file. */
  absolute: string;
  /** Repository-relative path. */
  file: string;
  line: number;
  block: HclBlock;
}

export interface LocatorOptions {
  /** `configuration` of the plan. */
  configuration: unknown;
  /** Absolute directory of the root module (where terraform ran; by default the plan's directory). */
  rootDir: string;
  /** Absolute repository root: nothing outside it is read, and files are named relative to it. */
  repoRoot: string;
}

const LOCAL_SOURCE = /^\.\.?[\\/]/;

export class TfLocator {
  private readonly rootDir: string;
  private readonly repoRoot: string;
  private readonly realRoot: string;
  private readonly rootModule: Record<string, unknown> | undefined;
  private readonly dirs = new Map<string, string | undefined>();
  private readonly indexes = new Map<string, Map<string, ResourceLocation>>();
  private readonly heredocs = new WeakMap<HclValue, YamlDocument[]>();
  private modulesJson?: Map<string, string>;

  constructor(options: LocatorOptions) {
    this.rootDir = path.resolve(options.rootDir);
    this.repoRoot = path.resolve(options.repoRoot);
    this.realRoot = safeRealpath(this.repoRoot) ?? this.repoRoot;
    const configuration = isObj(options.configuration) ? options.configuration : {};
    this.rootModule = isObj(configuration.root_module) ? configuration.root_module : undefined;
  }

  private inside(dir: string): boolean {
    const real = safeRealpath(dir);
    if (real === undefined) return false;
    const rel = path.relative(this.realRoot, real);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  }

  /** `.terraform/modules/modules.json`: module key (`a.b`) -> directory, for registry and git modules. */
  private installedModules(): Map<string, string> {
    if (this.modulesJson) return this.modulesJson;
    this.modulesJson = new Map();
    const file = path.join(this.rootDir, '.terraform', 'modules', 'modules.json');
    try {
      if (!existsSync(file) || !this.inside(file)) return this.modulesJson;
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      const list = isObj(parsed) && Array.isArray(parsed.Modules) ? parsed.Modules : [];
      for (const entry of list) {
        if (!isObj(entry)) continue;
        const key = str(entry.Key);
        const dir = str(entry.Dir);
        if (key !== undefined && dir !== undefined) this.modulesJson.set(key, path.resolve(this.rootDir, dir));
      }
    } catch {
      // an unreadable modules.json only means remote modules stay unlocated
    }
    return this.modulesJson;
  }

  /** Absolute directory of a module instance, or undefined when it is remote or outside the repository. */
  moduleDir(modules: readonly { name: string }[]): string | undefined {
    const key = modules.map((m) => m.name).join('.');
    if (this.dirs.has(key)) return this.dirs.get(key);
    let dir: string | undefined = this.rootDir;
    let module: Record<string, unknown> | undefined = this.rootModule;
    const names: string[] = [];
    for (const call of modules) {
      names.push(call.name);
      const calls: unknown = module?.module_calls;
      const entry: unknown = isObj(calls) ? calls[call.name] : undefined;
      const source = isObj(entry) ? str(entry.source) : undefined;
      module = isObj(entry) && isObj(entry.module) ? entry.module : undefined;
      if (source !== undefined && LOCAL_SOURCE.test(source) && dir !== undefined) dir = path.resolve(dir, source);
      else dir = this.installedModules().get(names.join('.'));
      if (dir === undefined) break;
    }
    const result = dir !== undefined && existsSync(dir) && this.inside(dir) ? dir : undefined;
    this.dirs.set(key, result);
    return result;
  }

  private index(dir: string): Map<string, ResourceLocation> {
    let index = this.indexes.get(dir);
    if (index) return index;
    index = new Map();
    this.indexes.set(dir, index);
    let entries: string[];
    try {
      entries = readdirSync(dir).filter((f) => f.endsWith('.tf')).sort();
    } catch {
      return index;
    }
    for (const entry of entries) {
      const absolute = path.join(dir, entry);
      let text: string;
      try {
        if (!statSync(absolute).isFile()) continue;
        text = readFileSync(absolute, 'utf8');
      } catch {
        continue;
      }
      const file = path.relative(this.repoRoot, absolute).split(path.sep).join('/');
      for (const item of parseHcl(text)) {
        if (item.type !== 'block' || (item.name !== 'resource' && item.name !== 'data') || item.labels.length !== 2) continue;
        const key = `${item.name === 'data' ? 'data' : 'managed'}|${item.labels[0]}|${item.labels[1]}`;
        if (!index.has(key)) index.set(key, { absolute, file, line: item.line, block: item });
      }
    }
    return index;
  }

  /** The resource block of an address, or undefined when its module or block is not in the repository. */
  resource(address: string | AddressParts): ResourceLocation | undefined {
    const parts = typeof address === 'string' ? parseAddress(address) : address;
    if (parts === undefined) return undefined;
    const dir = this.moduleDir(parts.modules);
    if (dir === undefined) return undefined;
    return this.index(dir).get(`${parts.mode}|${parts.type}|${parts.name}`);
  }

  /**
   * Line of an attribute path inside a resource block: the deepest element found, else the block's line.
   * `yaml` continues into a heredoc that holds YAML (kubectl_manifest.yaml_body, helm_release.values).
   */
  attributeLine(location: ResourceLocation, attributePath: readonly (string | number)[], yaml?: { document: number; pointer: string }): number {
    const found = locatePath(location.block.body, attributePath, location.line);
    if (yaml === undefined || found.matched !== attributePath.length || found.value?.type !== 'heredoc') return found.line;
    const heredoc = found.value;
    let documents = this.heredocs.get(heredoc);
    if (documents === undefined) {
      documents = parseYamlDocuments(heredoc.text).documents;
      this.heredocs.set(heredoc, documents);
    }
    const document = documents.find((d) => d.index === yaml.document);
    if (document === undefined) return found.line;
    return heredoc.contentLine + document.lineOf(yaml.pointer) - 1;
  }
}

