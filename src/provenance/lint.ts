// The values lint: dangerous defaults in a chart's values.yaml (its own or a subchart's) that no render
// of the chart shows, reported at the values line as `values-dangerous-default`. A setting counts as
// shown when a finding is located at its key, when its sentinel appeared anywhere in a confirmation
// render, or when any rendered object of the chart (any value set) has a field of that name with that
// value: only what no render can be showing is reported.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import path from 'node:path';
import rule from '../../rules/values-dangerous-default.ts';
import type { ChartRender } from '../render/charts.ts';
import type { Config } from '../config/config.ts';
import { relativeTo } from '../model/paths.ts';
import type { Finding, Severity } from '../model/model.ts';
import { isObj } from '../k8s/values.ts';
import { fieldName } from './locate.ts';
import { DEFAULT_VALUE_SET } from '../render/value-sets.ts';
import { valuesOfRender } from './chart-context.ts';
import { getAt, locationOf, nodesOf, pathKey, pointerOf, type EffectiveValues, type Token } from '../render/effective-values.ts';
import { capabilityName, DANGEROUS_CAPABILITIES } from '../k8s/capabilities.ts';
import { matchRuntimeSocket, matchSensitivePath, normaliseHostPath } from '../k8s/host-paths.ts';

export const DANGEROUS_RULE_ID = rule.meta.id;

/** A host path whose mount hands over the node even read-only: a runtime socket or a secret-revealing path. */
function sensitiveHostPath(raw: string): boolean {
  const normalised = normaliseHostPath(raw);
  return matchRuntimeSocket(normalised) !== undefined || matchSensitivePath(normalised)?.exposure === 'read';
}

export interface DangerousLeaf {
  /** Path in the top-level values space. */
  path: Token[];
  value: unknown;
  /** What the setting does, completing "<key>: <value> in <file> ...". */
  what: string;
  /** The field name a rendered object would carry it under. */
  field: string;
}

function nameAt(p: readonly Token[], fromEnd: number): string | undefined {
  const t = p[p.length - 1 - fromEnd];
  return typeof t === 'string' ? t : undefined;
}

/** Leaves set by a chart's own values.yaml (not by a value set's file) that are dangerous as written. */
export function dangerousLeaves(values: EffectiveValues): DangerousLeaf[] {
  const out: DangerousLeaf[] = [];
  for (const node of nodesOf(values.value)) {
    if (node.kind !== 'scalar') continue;
    const p = node.path;
    const v = node.value;
    const name = nameAt(p, 0);
    let what: string | undefined;
    let field = name ?? '';
    if (name === 'privileged' && v === true) what = 'runs a privileged container (root on the node)';
    else if (name === 'allowPrivilegeEscalation' && v === true) what = 'lets container processes gain more privileges than their parent';
    else if ((name === 'hostNetwork' || name === 'hostPID' || name === 'hostIPC') && v === true) what = `shares the node's ${name.slice(4) === 'Network' ? 'network' : name.slice(4)} namespace`;
    else if (name === 'runAsUser' && v === 0) what = 'runs the container as root';
    else if (name === 'procMount' && v === 'Unmasked') what = 'unmasks /proc';
    else if (name === 'type' && v === 'Unconfined' && (nameAt(p, 1) === 'seccompProfile' || nameAt(p, 1) === 'appArmorProfile')) {
      what = `turns ${nameAt(p, 1)} off`;
      field = 'type';
    } else if (typeof p[p.length - 1] === 'number' && nameAt(p, 1) === 'add' && nameAt(p, 2) === 'capabilities' && typeof v === 'string' && DANGEROUS_CAPABILITIES.has(capabilityName(v))) {
      what = `adds the ${v} capability`;
      field = 'add';
    } else if (name === 'path' && nameAt(p, 1) === 'hostPath' && typeof v === 'string' && sensitiveHostPath(v)) {
      what = `mounts the node's ${v}`;
    }
    if (what === undefined) continue;
    if (values.originOf(p)?.layer.kind !== 'chart') continue;
    out.push({ path: p, value: v, what, field });
  }
  return out;
}

// What a dangerous default looks like in a values file's text. Deliberately loose (any quoting, flow or
// block style, a tag or anchor before the value, the value on the next line, an alias): a file matching
// none of these holds none of the settings dangerousLeaves reports, so its chart's values are not parsed
// for the lint. A test holds each setting of dangerousLeaves against these, in every style.
const VALUE = String.raw`["']?\s*:\s*(?:[&!]\S*\s+)*["']?`;
const DANGEROUS_TEXT: readonly RegExp[] = [
  new RegExp(String.raw`(?:privileged|allowPrivilegeEscalation|hostNetwork|hostPID|hostIPC)${VALUE}[tTyYoO*]`),
  new RegExp(String.raw`runAsUser${VALUE}(?:[-+]?0|\*)`),
  /Unmasked|Unconfined|hostPath/,
  new RegExp(String.raw`\b(?:CAP_)?(?:${[...DANGEROUS_CAPABILITIES].filter((c) => c !== 'ALL').join('|')})\b`, 'i'),
  // ALL is dangerous only added (`drop: [ALL]` is everywhere): after an `add` key, in a flow list, a block list or an alias.
  /\badd["']?\s*:\s*(?:[&!]\S*\s+)*(?:\*|\[[^\]]*\b(?:CAP_)?ALL\b|(?:-\s*[^\n]*\n\s*)*-\s*["']?(?:CAP_)?ALL\b)/i,
];

export function mayHoldDangerousDefault(text: string): boolean {
  return DANGEROUS_TEXT.some((pattern) => pattern.test(text));
}

/** values.yaml files of a chart directory and of the subchart directories under its charts/, as text. */
function chartValuesTexts(dir: string, depth = 0): string[] {
  const out: string[] = [];
  try {
    out.push(readFileSync(path.join(dir, 'values.yaml'), 'utf8'));
  } catch {
    // no values.yaml
  }
  if (depth >= 8) return out;
  let entries: Dirent[] = [];
  try {
    entries = readdirSync(path.join(dir, 'charts'), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) if (entry.isDirectory()) out.push(...chartValuesTexts(path.join(dir, 'charts', entry.name), depth + 1));
  return out;
}

const MAY_HOLD = new WeakMap<ChartRender, boolean>();

/** Whether a render's chart (its subcharts included) has a values file that may set something dangerousLeaves reports. */
export function renderMayHoldDangerousDefault(render: ChartRender): boolean {
  let answer = MAY_HOLD.get(render);
  if (answer === undefined) MAY_HOLD.set(render, (answer = chartValuesTexts(render.dir).some(mayHoldDangerousDefault)));
  return answer;
}

/** Field names dangerousLeaves reports settings under (DangerousLeaf.field). */
export const LINT_FIELDS: ReadonlySet<string> = new Set(['privileged', 'allowPrivilegeEscalation', 'hostNetwork', 'hostPID', 'hostIPC', 'runAsUser', 'procMount', 'type', 'add', 'path']);

const RENDERED_FIELDS = new WeakMap<ChartRender, Set<string>>();

/** `name\0value` for every scalar of a render's objects named in LINT_FIELDS (list items under their list's name). */
export function renderedFieldsOf(render: ChartRender): Set<string> {
  let out = RENDERED_FIELDS.get(render);
  if (out !== undefined) return out;
  const fields = (out = new Set<string>());
  const walk = (node: unknown, name: string) => {
    if (Array.isArray(node)) for (const item of node) walk(item, name);
    else if (isObj(node)) for (const [k, v] of Object.entries(node)) walk(v, k);
    else if (node !== null && node !== undefined && LINT_FIELDS.has(name)) fields.add(`${name}\u0000${String(node)}`);
  };
  for (const object of render.objects) walk(object.raw, '');
  RENDERED_FIELDS.set(render, fields);
  return fields;
}

interface LocatedLeaf {
  leaf: DangerousLeaf;
  where: ReturnType<typeof locationOf>;
}
const LOCATED_LEAVES = new WeakMap<EffectiveValues, LocatedLeaf[]>();

/** dangerousLeaves with their values lines, computed once per values. */
function locatedLeavesOf(values: EffectiveValues): LocatedLeaf[] {
  let out = LOCATED_LEAVES.get(values);
  if (out === undefined) LOCATED_LEAVES.set(values, (out = dangerousLeaves(values).map((leaf) => ({ leaf, where: locationOf(values, leaf.path) }))));
  return out;
}

/**
 * The values lint's work on a chart's default render, done as it arrives (while other renders run) rather
 * than after the last one: the dangerous leaves of its values and their lines. Returns whether there are
 * any: only then do renders need searching (renderedFieldsOf, computed once per render).
 */
export function prepareLint(render: ChartRender, values: EffectiveValues): boolean {
  return renderMayHoldDangerousDefault(render) && locatedLeavesOf(values).length > 0;
}

export interface LintKnowledge {
  values: EffectiveValues;
  shown: Set<string>;
  tried: Set<string>;
}

/**
 * Findings for dangerous values.yaml defaults no render shows, one per key, at the values line. Pass
 * the findings already located (attachProvenance) and, when provenance ran, its knowledge per chart.
 */
export function lintValues(
  findings: readonly Finding[],
  renders: readonly ChartRender[],
  config: Config,
  knowledge: ReadonlyMap<string, LintKnowledge> = new Map(),
): Finding[] {
  const setting = config.rules[DANGEROUS_RULE_ID];
  if (setting?.enabled === false) return [];
  const severity: Severity = setting?.severity ?? rule.meta.defaultSeverity;
  const out: Finding[] = [];
  const byChart = new Map<string, ChartRender[]>();
  for (const render of renders) byChart.set(render.chart, [...(byChart.get(render.chart) ?? []), render]);
  for (const [chart, chartRenders] of byChart) {
    const render = chartRenders.find((r) => r.valueSet.name === DEFAULT_VALUE_SET);
    if (render === undefined) continue;
    const known = knowledge.get(chart);
    if (known === undefined && !renderMayHoldDangerousDefault(render)) continue;
    const values = known?.values ?? valuesOfRender(render);
    const leaves = locatedLeavesOf(values);
    if (leaves.length === 0) continue;
    const rendered = (key: string) => chartRenders.some((r) => renderedFieldsOf(r).has(key));
    const located = new Set<string>();
    const unlocatedFields = new Set<string>();
    for (const f of findings) {
      if (f.source.chart !== chart) continue;
      if (f.source.values) located.add(`${f.source.values.file}\u0000${f.source.values.key}`);
      else if (f.source.located !== undefined) unlocatedFields.add(fieldName(f.path));
    }
    for (const { leaf, where } of leaves) {
      if (where === undefined || where.kind !== 'chart') continue;
      const file = relativeTo(render.repoRoot, where.file);
      if (located.has(`${file}\u0000${where.key}`)) continue;
      if (known?.tried.has(pathKey(leaf.path))) {
        // A confirmation render changed the key: it shows nowhere unless its sentinel showed somewhere, or
        // a finding on a field of that name could not be located (a value used as a condition).
        if (known.shown.has(pathKey(leaf.path))) continue;
        if (unlocatedFields.has(leaf.field)) continue;
      } else if (rendered(`${leaf.field}\u0000${String(leaf.value)}`)) continue;
      const inner = values.originOf(leaf.path)!.inner;
      const message = rule.meta.messages.dangerous!
        .replace('{{key}}', where.key)
        .replace('{{value}}', JSON.stringify(getAt(values.value, leaf.path)))
        .replace('{{file}}', file.split('/').pop() ?? file)
        .replace('{{what}}', leaf.what);
      out.push({
        ruleId: DANGEROUS_RULE_ID,
        severity,
        category: rule.meta.category,
        message,
        object: { apiVersion: 'v1', kind: 'HelmValues', name: render.info.name },
        path: pointerOf(inner),
        source: {
          kind: 'helm',
          file,
          ...(where.line !== undefined ? { line: where.line } : {}),
          chart,
          valueSet: DEFAULT_VALUE_SET,
          values: { file, ...(where.line !== undefined ? { line: where.line } : {}), key: where.key },
          located: 'values',
        },
        fingerprint: createHash('sha256').update([DANGEROUS_RULE_ID, chart, file, where.key].join('\u0000')).digest('hex').slice(0, 32),
        remediation: rule.meta.remediation,
        valueSets: [DEFAULT_VALUE_SET],
      });
    }
  }
  return out;
}
