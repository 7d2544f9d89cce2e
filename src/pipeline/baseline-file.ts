// The reviewed baseline file (`.preadmit-baseline.yaml`): for a repository without a usable base (first
// adoption, push builds), the findings someone accepted as already there, each with a reason to fill in.
// `preadmit baseline` writes it; `baseline:` in the configuration names it. Findings it lists are
// `existing` and do not gate; entries matching no finding are reported as stale, so the file only shrinks.
// Entries are matched by fingerprint, which lines moving, documents reordering and names a template
// randomises do not change (engine/identity.ts).
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { isObj, str, arr } from '../k8s/values.ts';
import { loadYamlDocuments } from '../loaders/yaml-docs.ts';
import type { Config } from '../config/config.ts';
import { relativeTo } from './discover.ts';
import { UsageError } from '../model/errors.ts';
import { readFileAt } from './git.ts';
import { isBlocking, severityRank, SEVERITIES, type BaselineEntry, type Finding, type PolicyChange, type ScanResult, type Severity } from '../model/model.ts';

export const BASELINE_FILE_NAME = '.preadmit-baseline.yaml';

const HEADER = `# preadmit baseline: findings accepted as already there (\`baseline:\` in .preadmit.yaml names this file).
# Findings listed here are reported as existing and do not fail the run; new ones do. Give each entry a
# reason, and remove entries once fixed: preadmit reports entries that match no finding as stale.
# Regenerate with: preadmit baseline [PATH...] (reasons of entries still matching are kept).
`;

function entryOf(f: Finding, reason = ''): BaselineEntry {
  const { object, source } = f;
  const where = source.address ?? (source.chart !== undefined ? `${source.chart}${source.template ? ` (${source.template})` : ''}` : source.file);
  return { fingerprint: f.fingerprint, rule: f.ruleId, object: `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`, where, path: f.path, severity: f.severity, reason };
}

/** The baseline file for a scan's unsuppressed findings, keeping the reasons an earlier file gave. */
export function renderBaselineFile(findings: readonly Finding[], previous: readonly BaselineEntry[] = []): string {
  const reasons = new Map(previous.map((e) => [`${e.rule}\u0000${e.fingerprint}`, e.reason]));
  const seen = new Set<string>();
  const entries: BaselineEntry[] = [];
  for (const f of findings) {
    const key = `${f.ruleId}\u0000${f.fingerprint}`;
    if (f.suppressed !== undefined || seen.has(key)) continue;
    seen.add(key);
    entries.push(entryOf(f, reasons.get(key) ?? ''));
  }
  entries.sort((a, b) => a.where.localeCompare(b.where) || a.object.localeCompare(b.object) || a.rule.localeCompare(b.rule) || a.path.localeCompare(b.path));
  return HEADER + stringify({ version: 1, findings: entries }, { lineWidth: 0 });
}

/** The entries of a baseline file's text; a clear error naming the file and line for anything else. */
export function parseBaselineFile(text: string, display: string): BaselineEntry[] {
  const parsed = loadYamlDocuments(text, 'yaml-1.2');
  const problem = parsed.problems[0];
  if (problem) throw new UsageError(`${display}:${problem.line ?? 1}: invalid YAML: ${problem.message}`);
  const doc = parsed.documents[0];
  if (parsed.documents.length > 1) throw new UsageError(`${display}: expected one YAML document, found ${parsed.documents.length}`);
  const value = doc?.value;
  if (value === undefined || value === null) return [];
  if (!isObj(value) || value.version !== 1) throw new UsageError(`${display}:1: not a preadmit baseline file (expected version: 1 and findings: [...])`);
  const out: BaselineEntry[] = [];
  for (const [i, item] of arr(value.findings).entries()) {
    const line = doc?.lineOf(`/findings/${i}`) ?? 1;
    const fingerprint = isObj(item) ? str(item.fingerprint) : undefined;
    const rule = isObj(item) ? str(item.rule) : undefined;
    if (!isObj(item) || fingerprint === undefined || !/^[0-9a-f]{32}$/.test(fingerprint) || rule === undefined) {
      throw new UsageError(`${display}:${line}: a baseline entry needs a rule and a 32-hex-digit fingerprint`);
    }
    const severity = item.severity;
    if (severity !== undefined && severity !== null && !(SEVERITIES as readonly unknown[]).includes(severity)) {
      throw new UsageError(`${display}:${line}: severity must be one of ${SEVERITIES.join(', ')} (the severity the entry accepts), not ${JSON.stringify(severity)}`);
    }
    out.push({
      fingerprint,
      rule,
      object: str(item.object) ?? '',
      where: str(item.where) ?? '',
      path: str(item.path) ?? '',
      ...(typeof severity === 'string' ? { severity: severity as Severity } : {}),
      reason: item.reason === null || item.reason === undefined ? '' : String(item.reason),
    });
  }
  return out;
}

/**
 * The scan's result with the baseline file applied: findings it lists are existing, the others new, the
 * verdict from the new ones, and its entries that match nothing listed as stale. With a policy from a
 * revision (a pull request's base), the file is read as that revision has it: a pull request cannot add
 * its own findings to the baseline and pass.
 */
export async function applyBaselineFile(result: ScanResult, config: Config, repoRoot: string, policySha: string | undefined): Promise<ScanResult> {
  const file = config.baseline!;
  const display = relativeTo(repoRoot, file);
  let text: string;
  if (policySha !== undefined) {
    const at = await readFileAt(repoRoot, policySha, display);
    if (at.kind === 'unreadable') throw new UsageError(`baseline file ${display} at ${policySha.slice(0, 12)}: ${at.message}`);
    text = at.kind === 'file' ? at.text : '';
  } else {
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`baseline file ${display}, named by the configuration, cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  const entries = parseBaselineFile(text, policySha !== undefined ? `${display}@${policySha.slice(0, 12)}` : display);
  const listed = new Map(entries.map((e) => [`${e.rule}\u0000${e.fingerprint}`, e]));
  const matched = new Set<string>();
  const findings = result.findings.map((f): Finding => {
    const key = `${f.ruleId}\u0000${f.fingerprint}`;
    const entry = listed.get(key);
    if (entry === undefined) return { ...f, status: 'new' };
    matched.add(key);
    // Accepted at a lower severity: the finding got worse since (a values default turned it on, a mount made writable).
    if (entry.severity !== undefined && severityRank(f.severity) > severityRank(entry.severity)) return { ...f, status: 'new', baseSeverity: entry.severity };
    return { ...f, status: 'existing' };
  });
  const stale = entries.filter((e) => !matched.has(`${e.rule}\u0000${e.fingerprint}`));
  const changes = policySha !== undefined && result.policy !== undefined ? [...result.policy.changes, ...baselineChanges(file, display, new Set(listed.keys()))] : undefined;
  const blocking = findings.filter((f) => f.status === 'new' && !f.suppressed && isBlocking(f.severity, result.summary.failOn)).length;
  const failed = blocking > 0 || (config.failOnErrors && result.errors.length > 0);
  const existing = findings.filter((f) => f.status === 'existing').length;
  return {
    ...result,
    findings,
    baselineFile: { file: display, entries: entries.length, stale },
    ...(changes !== undefined ? { policy: { ...result.policy!, changes } } : {}),
    summary: { ...result.summary, verdict: failed ? 'fail' : 'pass', blocking, new: findings.length - existing, existing },
  };
}

/** What the checked-out baseline file changes against the revision's: a policy change, listed for review. */
function baselineChanges(file: string, display: string, atRevision: ReadonlySet<string>): PolicyChange[] {
  let head: BaselineEntry[];
  try {
    head = parseBaselineFile(readFileSync(file, 'utf8'), display);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') head = [];
    else return [{ kind: 'config', change: 'changed', summary: `baseline file ${display} cannot be read as checked out: ${(error as Error).message}`, file: display }];
  }
  const keys = new Set(head.map((e) => `${e.rule}\u0000${e.fingerprint}`));
  const added = [...keys].filter((k) => !atRevision.has(k)).length;
  const removed = [...atRevision].filter((k) => !keys.has(k)).length;
  if (added === 0 && removed === 0) return [];
  return [{ kind: 'config', change: 'changed', summary: `baseline file ${display}: ${added} ${added === 1 ? 'entry' : 'entries'} added, ${removed} removed (findings it adds count as new until merged)`, file: display }];
}
