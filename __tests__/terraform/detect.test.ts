// Recognising plans by content, and rejecting with a clear message what only looks like one.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyPlanFile } from '../../src/terraform/detect.ts';
import { sharedPath, skipMessage } from '../helpers/shared.ts';

const corpus = sharedPath('terraform', 'corpus');
const minimalPlan = JSON.stringify({ format_version: '1.2', terraform_version: '1.9.8', resource_changes: [], planned_values: { root_module: {} } });

function utf16le(text: string, bom = true): Buffer {
  const body = Buffer.from(text, 'utf16le');
  return bom ? Buffer.concat([Buffer.from([0xff, 0xfe]), body]) : body;
}

function utf16be(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
  return Buffer.concat([Buffer.from([0xfe, 0xff]), le]);
}

describe('classifyPlanFile', () => {
  it('recognises a plan by its keys, whatever the file is called', () => {
    const result = classifyPlanFile(Buffer.from(minimalPlan));
    expect(result).toMatchObject({ kind: 'plan', encoding: 'utf-8', json: { format_version: '1.2' } });
  });

  it('marks a Kubernetes object with plan keys (a List with format_version and planned_values) to be read as manifests too', () => {
    const list = '{"apiVersion":"v1","kind":"List","format_version":"1.2","planned_values":{},"items":[]}';
    expect(classifyPlanFile(Buffer.from(list))).toMatchObject({ kind: 'plan', manifests: true });
    expect(classifyPlanFile(Buffer.from(minimalPlan))).not.toHaveProperty('manifests');
    // a stream of JSON values (kubectl applies each) is no plan Terraform writes: rejected, and read as manifests
    expect(classifyPlanFile(Buffer.from(`${list}\n{"apiVersion":"v1","kind":"Pod"}`))).toMatchObject({ kind: 'rejected', manifests: true });
    expect(classifyPlanFile(Buffer.from(minimalPlan.slice(0, -3)))).not.toHaveProperty('manifests');
  });

  it('accepts a plan with only format_version and configuration, or prior_state (no changes planned)', () => {
    expect(classifyPlanFile(Buffer.from('{"format_version":"0.1","configuration":{}}')).kind).toBe('plan');
    expect(classifyPlanFile(Buffer.from('  \n{"format_version":"1.0","prior_state":{}, "planned_values": {}}')).kind).toBe('plan');
  });

  it('decodes UTF-16 (with and without a byte order mark, both byte orders) and UTF-8 with a BOM', () => {
    for (const bytes of [utf16le(minimalPlan), utf16le(minimalPlan, false), utf16be(minimalPlan), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(minimalPlan)])]) {
      const result = classifyPlanFile(bytes);
      expect(result.kind).toBe('plan');
    }
    expect(classifyPlanFile(utf16le(minimalPlan))).toMatchObject({ encoding: 'utf-16le' });
    expect(classifyPlanFile(utf16be(minimalPlan))).toMatchObject({ encoding: 'utf-16be' });
  });

  it('rejects a binary planfile (a ZIP archive) and says to run terraform show -json', () => {
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(26), Buffer.from('tfplan'), Buffer.alloc(64)]);
    const result = classifyPlanFile(zip);
    expect(result.kind).toBe('rejected');
    if (result.kind === 'rejected') {
      expect(result.message).toContain('binary planfile');
      expect(result.message).toContain('run terraform show -json');
    }
    // another archive that happens to be named .json is not ours
    expect(classifyPlanFile(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('hello.txt')])).kind).toBe('not-plan');
  });

  it('rejects the terraform plan -json log stream', () => {
    const stream = [
      '{"@level":"info","@message":"Terraform 1.13.4","@module":"terraform.ui","type":"version","terraform":"1.13.4","ui":"1.2"}',
      '{"@level":"info","@message":"azurerm_kubernetes_cluster.aks: Plan to create","type":"planned_change"}',
    ].join('\n');
    const result = classifyPlanFile(Buffer.from(stream));
    expect(result).toMatchObject({ kind: 'rejected' });
    if (result.kind === 'rejected') expect(result.message).toMatch(/^terraform plan -json log stream, not a plan: .*run terraform show -json/);
  });

  it('rejects a state file and a state representation', () => {
    const tfstate = { version: 4, terraform_version: '1.9.8', serial: 3, lineage: 'abc', outputs: {}, resources: [] };
    const raw = classifyPlanFile(Buffer.from(JSON.stringify(tfstate)));
    expect(raw).toMatchObject({ kind: 'rejected' });
    if (raw.kind === 'rejected') expect(raw.message).toContain('state file');
    const shown = classifyPlanFile(Buffer.from(JSON.stringify({ format_version: '1.0', terraform_version: '1.9.8', values: { root_module: {} } })));
    expect(shown).toMatchObject({ kind: 'rejected' });
    if (shown.kind === 'rejected') expect(shown.message).toContain('state file');
  });

  it('rejects truncated or corrupted plan JSON with the position of the error', () => {
    const truncated = classifyPlanFile(Buffer.from(minimalPlan.slice(0, 40)));
    expect(truncated.kind).toBe('rejected');
    if (truncated.kind === 'rejected') expect(truncated.message).toMatch(/invalid or truncated.*end of input.*line 1, column 41/);
    const broken = classifyPlanFile(Buffer.from('{\n  "format_version": "1.2",\n  "resource_changes": [}\n}'));
    expect(broken.kind).toBe('rejected');
    if (broken.kind === 'rejected') expect(broken.message).toMatch(/line 3, column \d+ \(character \d+\)/);
  });

  it('rejects an unsupported major format version', () => {
    const result = classifyPlanFile(Buffer.from('{"format_version":"2.0","resource_changes":[]}'));
    expect(result).toMatchObject({ kind: 'rejected' });
  });

  it('leaves other JSON and YAML to the manifest path', () => {
    for (const text of [
      '{"name":"preadmit","version":"1.0.0","dependencies":{}}',
      '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[]}}',
      '[{"format_version":"1.2"}]',
      'apiVersion: v1\nkind: ConfigMap\n',
      '{"broken": ',
      '',
    ]) {
      expect(classifyPlanFile(Buffer.from(text)).kind, text).toBe('not-plan');
    }
    expect(classifyPlanFile(Buffer.from([0, 1, 2, 3, 0, 0, 0, 0])).kind).toBe('not-plan');
  });
});

describe.skipIf(corpus === undefined)('classifyPlanFile on every file of the corpus', () => {
  const files = corpus === undefined ? [] : readdirSync(corpus, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json') && !f.startsWith('tf-src')).sort();

  it('finds files to classify', () => {
    expect(files.length).toBeGreaterThanOrEqual(45);
  });

  it.each(files)('%s', (file) => {
    const result = classifyPlanFile(readFileSync(path.join(corpus!, file)));
    if (file.startsWith('edge-cases/')) {
      expect(result.kind).toBe('rejected');
      if (result.kind !== 'rejected') return;
      if (file.includes('cfikeAI')) expect(result.message).toContain('terraform plan -json log stream, not a plan');
      else {
        // UTF-16LE with BOM whose lossy re-encoding swallowed a quote: decoded, then rejected at the exact spot
        expect(result.message).toContain('decoded from UTF-16LE');
        expect(result.message).toContain('invalid or truncated');
        expect(result.message).toContain('character 208664');
      }
      return;
    }
    expect(result.kind).toBe('plan');
    if (result.kind !== 'plan') return;
    const utf16 = file.startsWith('Anupriya35') || file.startsWith('merakiki0514');
    expect(result.encoding).toBe(utf16 ? 'utf-16le' : 'utf-8');
  });
});

describe.skipIf(corpus !== undefined)('corpus', () => {
  it.skip(skipMessage('Terraform corpus classification'), () => {});
});
