// JUnit XML for CI systems other than GitHub (GitLab, Jenkins, Azure Pipelines, CircleCI read it): one
// test case per rule and object that has findings. A case fails when one of its findings blocks (at or
// above fail-on, not suppressed, and new when a base is compared); the others pass, their findings in
// system-out. Inputs that could not be read are one errored case each.
import { isBlocking, type Finding, type ScanResult } from '../model/model.ts';
import { compareText, locationLabel, objectLabel } from './common.ts';

/** Text as XML 1.0 character data: the five specials escaped, characters XML cannot hold replaced. */
function xml(text: string): string {
  return text
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** A scanned value on one line: its line breaks written as \n, so no line of the report is the chart's. */
function oneLine(text: string): string {
  return text.replace(/\r\n?|[\n\u0085\u2028\u2029]/g, '\\n');
}

function gates(finding: Finding, result: ScanResult): boolean {
  return finding.suppressed === undefined && finding.status !== 'existing' && isBlocking(finding.severity, result.summary.failOn);
}

function describe(finding: Finding): string {
  const where = finding.source.values !== undefined ? `${locationLabel(finding.source.values.file, finding.source.values.line)} (${finding.source.values.key})` : locationLabel(finding.source.file, finding.source.line);
  const marks = [finding.severity.toUpperCase(), ...(finding.suppressed ? ['suppressed'] : []), ...(finding.status ? [finding.status] : [])].join(', ');
  return oneLine(`[${marks}] ${where} ${finding.path || '/'}: ${finding.message}`);
}

export function renderJunit(result: ScanResult): string {
  const cases = new Map<string, { rule: string; name: string; findings: Finding[] }>();
  for (const finding of result.findings) {
    const scope = finding.source.chart ?? finding.source.address ?? finding.source.file;
    const valueSet = finding.source.valueSet !== undefined && finding.source.valueSet !== 'default' ? ` [${finding.source.valueSet}]` : '';
    const name = oneLine(`${scope}: ${objectLabel(finding.object)}${valueSet}`);
    const key = `${finding.ruleId}\u0000${name}`;
    const entry = cases.get(key) ?? { rule: finding.ruleId, name, findings: [] };
    entry.findings.push(finding);
    cases.set(key, entry);
  }
  const lines: string[] = [];
  let failures = 0;
  for (const { rule, name, findings } of [...cases.values()].sort((a, b) => compareText(a.rule, b.rule) || compareText(a.name, b.name))) {
    const blocking = findings.filter((f) => gates(f, result));
    const body = findings.map(describe).join('\n');
    lines.push(`    <testcase classname="preadmit.${xml(rule)}" name="${xml(name)}" file="${xml(oneLine(findings[0]!.source.values?.file ?? findings[0]!.source.file))}">`);
    if (blocking.length > 0) {
      failures++;
      lines.push(`      <failure type="${blocking[0]!.severity}" message="${xml(oneLine(blocking[0]!.message))}">${xml(body)}\n\nFix: ${xml(oneLine(blocking[0]!.remediation))}</failure>`);
    } else lines.push(`      <system-out>${xml(body)}</system-out>`);
    lines.push('    </testcase>');
  }
  for (const error of result.errors) {
    lines.push(`    <testcase classname="preadmit.input" name="${xml(oneLine(locationLabel(error.file, error.line)))}" file="${xml(oneLine(error.file))}">`);
    lines.push(`      <error type="${xml(error.kind)}" message="${xml(oneLine(error.message))}"/>`);
    lines.push('    </testcase>');
  }
  const tests = cases.size + result.errors.length;
  const time = (result.summary.totalMs / 1000).toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="preadmit" tests="${tests}" failures="${failures}" errors="${result.errors.length}" time="${time}">`,
    `  <testsuite name="preadmit ${xml(result.tool.version)} (fail-on ${result.summary.failOn})" tests="${tests}" failures="${failures}" errors="${result.errors.length}" skipped="0" time="${time}">`,
    ...lines,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
