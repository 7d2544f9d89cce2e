// The render cache (issue 18): a hit is byte-identical to a fresh render, any input change is a miss,
// corrupted or planted entries are misses (never a crash, never someone else's output), and a second scan
// of an unchanged repository runs no helm.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { scan } from '../../src/pipeline/scan.ts';
import { locateHelm, renderChart, renderStats, resetRenderStats, type HelmBinary, type RenderRequest } from '../../src/render/helm.ts';
import { fileHash, RenderCache, runWithRenderCache } from '../../src/render/render-cache.ts';
import { createHash } from 'node:crypto';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: "{{ .Values.image }}"
          securityContext:
            privileged: {{ .Values.privileged }}
{{- if .Release.IsUpgrade }}
            runAsUser: 0
{{- end }}
`;

function tree(root: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
}

/** A repository with one chart (a vendored subchart directory) and a values file outside it. */
function repository(): { root: string; chart: string; values: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'preadmit-cache-repo-'));
  mkdirSync(path.join(root, '.git'));
  const chart = path.join(root, 'charts', 'web');
  tree(chart, {
    'Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\ndependencies:\n  - name: sub\n    version: 0.1.0\n',
    'values.yaml': 'image: nginx:1.27\nprivileged: false\n',
    'templates/deploy.yaml': DEPLOYMENT,
    'templates/revision.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: revision\ndata:\n  revision: "{{ .Release.Revision }}"\n',
    'charts/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\n',
    'charts/sub/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sub\ndata:\n  a: "1"\n',
  });
  const values = path.join(root, 'prod-values.yaml');
  writeFileSync(values, 'privileged: true\n');
  return { root, chart, values };
}

let helm3: HelmBinary;
let helm4: HelmBinary;
beforeAll(async () => {
  helm3 = await locateHelm(process.env.PREADMIT_TEST_HELM3!);
  helm4 = await locateHelm(process.env.PREADMIT_TEST_HELM4!);
});

function request(chart: string, extra: Partial<RenderRequest> = {}): RenderRequest {
  return { helm: helm3, chartDir: chart, releaseName: 'rel', namespace: 'apps', valuesFiles: [], set: [], kubeVersion: '1.33.0', timeoutMs: 60_000, ...extra };
}

/** Renders with the cache; says whether helm ran. */
async function cached(cache: RenderCache, req: RenderRequest): Promise<{ stdout: string; ran: boolean }> {
  const before = cache.counters.hits;
  const outcome = await runWithRenderCache(cache, () => renderChart(req));
  if (!outcome.ok) throw new Error(outcome.message);
  return { stdout: outcome.stdout, ran: cache.counters.hits === before };
}

function entries(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.render'))
    .map((e) => path.join(e.parentPath, e.name));
}

describe('render cache', () => {
  it('prunes only its own old entries and temporary files, never other files of the folder (issue 15)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-cache-prune-'));
    try {
      const cache = new RenderCache(dir);
      const oldKey = `ab${'1'.repeat(62)}`;
      const freshKey = `ab${'2'.repeat(62)}`;
      cache.put(oldKey, { ok: true, stdout: 'old' });
      cache.put(freshKey, { ok: true, stdout: 'fresh' });
      const foreign = ['notes.txt', 'README.render', `${'c'.repeat(64)}.render`, `${oldKey}.render.bak`, `${oldKey}.render.12.x.tmp.keep`];
      for (const name of foreign) writeFileSync(path.join(dir, 'ab', name), 'not the cache\'s');
      writeFileSync(path.join(dir, 'ab', `${oldKey}.render.4242.k3j9.tmp`), 'half an entry');
      mkdirSync(path.join(dir, 'cd'));
      writeFileSync(path.join(dir, 'cd', 'report.json'), '{}');
      const outside = path.join(dir, 'elsewhere.txt');
      writeFileSync(outside, 'linked');
      symlinkSync(outside, path.join(dir, 'ab', `ab${'3'.repeat(62)}.render`));
      const month = new Date(Date.now() - 30 * 24 * 3600 * 1000);
      for (const name of readdirSync(path.join(dir, 'ab'))) if (!name.startsWith(freshKey)) utimesSync(path.join(dir, 'ab', name), month, month);
      for (const file of [path.join(dir, 'cd', 'report.json'), outside]) utimesSync(file, month, month);

      expect(cache.prune()).toBe(2);
      const left = readdirSync(path.join(dir, 'ab')).sort();
      expect(left).toEqual([...foreign, `${freshKey}.render`, `ab${'3'.repeat(62)}.render`].sort());
      expect(existsSync(path.join(dir, 'cd', 'report.json'))).toBe(true);
      expect(readFileSync(outside, 'utf8')).toBe('linked');
      expect(new RenderCache(dir).get(freshKey, 1024)).toEqual({ ok: true, stdout: 'fresh' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves a hit byte-identical to a fresh render, for the main render and the cluster-answers copy', async () => {
    const { chart, values } = repository();
    const cache = new RenderCache(mkdtempSync(path.join(os.tmpdir(), 'preadmit-cache-')));
    for (const extra of [{}, { valuesFiles: [values] }, { clusterAnswers: true, isUpgrade: true }] as Partial<RenderRequest>[]) {
      const fresh = await renderChart(request(chart, extra));
      if (!fresh.ok) throw new Error(fresh.message);
      const first = await cached(cache, request(chart, extra));
      const second = await cached(cache, request(chart, extra));
      expect(first.ran).toBe(true);
      expect(second.ran).toBe(false);
      expect(Buffer.from(second.stdout).equals(Buffer.from(fresh.stdout))).toBe(true);
      expect(second.stdout).toBe(first.stdout);
    }
    expect(cache.counters).toMatchObject({ hits: 3, writes: 3, rejected: 0 });
  });

  it('misses on any input change: chart file, values file, subchart, archive, helm version, flags', async () => {
    const { chart, values } = repository();
    const cache = new RenderCache(mkdtempSync(path.join(os.tmpdir(), 'preadmit-cache-')));
    const base = request(chart, { valuesFiles: [values] });
    expect((await cached(cache, base)).ran).toBe(true);
    expect((await cached(new RenderCache(cache.dir), base)).ran).toBe(false);
    const changes: [string, () => RenderRequest][] = [
      ['a chart template', () => (writeFileSync(path.join(chart, 'templates/deploy.yaml'), DEPLOYMENT.replace('web', 'www')), base)],
      ['the values file', () => (writeFileSync(values, 'privileged: true\nimage: evil:1\n'), base)],
      ['a subchart file', () => (writeFileSync(path.join(chart, 'charts/sub/templates/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sub2\n'), base)],
      ['a new file (.Files)', () => (writeFileSync(path.join(chart, 'files.txt'), 'x'), base)],
      ['helm 4 for helm 3', () => ({ ...base, helm: helm4 })],
      ['--kube-version', () => ({ ...base, kubeVersion: '1.31.0' })],
      ['--is-upgrade', () => ({ ...base, isUpgrade: true })],
      ['--api-versions', () => ({ ...base, apiVersions: ['example.com/v1'] })],
      ['--set', () => ({ ...base, set: ['privileged=false'] })],
      ['the release name', () => ({ ...base, releaseName: 'other' })],
      ['the namespace', () => ({ ...base, namespace: 'other' })],
      ['the cluster answers', () => ({ ...base, clusterAnswers: true })],
    ];
    for (const [what, change] of changes) {
      const req = change();
      // A new cache object: nothing remembered in memory, only what is on disk.
      const fresher = new RenderCache(cache.dir);
      const outcome = await cached(fresher, req);
      expect({ what, ran: outcome.ran }).toEqual({ what, ran: true });
      const direct = await renderChart(req);
      expect(direct.ok && direct.stdout === outcome.stdout).toBe(true);
      expect({ what, ran: (await cached(new RenderCache(cache.dir), req)).ran }).toEqual({ what, ran: false });
    }
  });

  it('misses when a vendored subchart archive changes', async () => {
    const { chart } = repository();
    const work = mkdtempSync(path.join(os.tmpdir(), 'preadmit-cache-tgz-'));
    const pack = async (text: string) => {
      tree(path.join(work, 'sub'), { 'Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\n', 'templates/cm.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${text}\n` });
      await tar.create({ gzip: true, file: path.join(chart, 'charts', 'sub-0.1.0.tgz'), cwd: work, portable: true }, ['sub']);
    };
    // The directory is replaced by an archive of the same chart.
    rmSync(path.join(chart, 'charts', 'sub'), { recursive: true });
    await pack('one');
    const cache = new RenderCache(mkdtempSync(path.join(os.tmpdir(), 'preadmit-cache-')));
    const first = await cached(cache, request(chart));
    expect(first.stdout).toContain('name: one');
    await pack('two');
    const second = await cached(new RenderCache(cache.dir), request(chart));
    expect(second.ran).toBe(true);
    expect(second.stdout).toContain('name: two');
  });

  it('treats corrupted, truncated, oversized and misplaced entries as misses and renders afresh', async () => {
    const { chart } = repository();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-cache-'));
    const good = await cached(new RenderCache(dir), request(chart));
    const [file] = entries(dir);
    const original = readFileSync(file!);
    const newline = original.indexOf(0x0a);
    const header = JSON.parse(original.subarray(0, newline).toString()) as Record<string, unknown>;
    const hostile = good.stdout.replace('privileged: false', 'privileged: fals');
    const tampered: [string, Buffer | string][] = [
      ['body changed, checksum kept', Buffer.concat([original.subarray(0, newline + 1), Buffer.from(hostile)])],
      ['body and checksum changed, another key', `${JSON.stringify({ ...header, key: '0'.repeat(64) })}\n${hostile}`],
      ['truncated', original.subarray(0, Math.floor(original.length / 2))],
      ['not JSON', 'garbage\n'],
      ['empty', ''],
      ['another format', `${JSON.stringify({ ...header, format: 'preadmit-render-cache-0' })}\n${good.stdout}`],
    ];
    for (const [what, bytes] of tampered) {
      writeFileSync(file!, bytes);
      const cache = new RenderCache(dir);
      const outcome = await cached(cache, request(chart));
      expect({ what, ran: outcome.ran, same: outcome.stdout === good.stdout }).toEqual({ what, ran: true, same: true });
      // The fresh render replaced the bad entry.
      expect(readFileSync(file!).equals(original)).toBe(true);
    }
    // Larger than the output limit: a miss (and the render is then made under that limit).
    const small = new RenderCache(dir);
    expect(small.get(path.basename(file!, '.render'), 10)).toBeUndefined();
    expect(small.counters.rejected).toBe(1);
  });

  it('keeps a chart helm refuses (the same message again) but never a timed-out render', async () => {
    const { chart } = repository();
    writeFileSync(path.join(chart, 'templates/fail.yaml'), '{{ fail "this chart refuses" }}\n');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-cache-'));
    const first = await runWithRenderCache(new RenderCache(dir), () => renderChart(request(chart)));
    const again = new RenderCache(dir);
    const second = await runWithRenderCache(again, () => renderChart(request(chart)));
    expect(first.ok).toBe(false);
    expect(again.counters.hits).toBe(1);
    expect(!second.ok && !first.ok && second.message === first.message).toBe(true);
    expect(!second.ok && second.message).toMatch(/this chart refuses/);

    // Slow, not large: nested small ranges and no output (one `until 100000000` is an 800 MB list, which could
    // reach helm's memory limit before the timeout on a fast machine).
    writeFileSync(path.join(chart, 'templates/fail.yaml'), '{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}\n');
    const slow = new RenderCache(dir);
    const timedOut = await runWithRenderCache(slow, () => renderChart(request(chart, { timeoutMs: 1000 })));
    expect(!timedOut.ok && timedOut.message).toMatch(/did not finish within/);
    expect(slow.counters.writes).toBe(0);
  });

  it('makes a second scan of an unchanged repository run no helm, with the same result', async () => {
    const { root, chart } = repository();
    tree(chart, { 'ci/prod-values.yaml': 'privileged: true\n' });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-cache-'));
    resetRenderStats();
    const cold = await scan({ paths: [root], helmPath: helm3.path, cacheDir: dir });
    const ran = { ...renderStats.helm };
    expect(ran['value-set']).toBe(2);
    expect(ran.provenance).toBeGreaterThan(0);
    resetRenderStats();
    const warm = await scan({ paths: [root], helmPath: helm3.path, cacheDir: dir });
    expect(renderStats.helm).toEqual({ 'value-set': 0, variant: 0, provenance: 0 });
    expect(renderStats.cached['value-set']).toBe(2);
    const comparable = (result: typeof cold) => JSON.stringify({ findings: result.findings, errors: result.errors, charts: result.charts.map((c) => ({ ...c, renderMs: 0, provenance: undefined, variant: c.variant && { ...c.variant, renderMs: 0 }, answers: c.answers && { ...c.answers, renderMs: 0 } })) });
    expect(cold.findings.length).toBeGreaterThan(0);
    expect(comparable(warm)).toBe(comparable(cold));
  });

  it('reads no more cached outputs ahead of their parsing than a cold scan holds (memory, issue 18)', async () => {
    // Renders from the cache wait for nothing: without a bound the scan read every output before parsing
    // the first (the corpus's warm run peaked at 390 MB against 260 MB cold).
    const { root, chart } = repository();
    const sets = 24;
    for (let i = 0; i < sets; i++) tree(chart, { [`ci/set-${String(i).padStart(2, '0')}-values.yaml`]: `image: nginx:1.${i}\n` });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-cache-'));
    await scan({ paths: [root], helmPath: helm3.path, cacheDir: dir, provenance: false });
    let read = 0;
    let handed = 0;
    let ahead = 0;
    // Two render slots, as on a 2-core runner, whatever this machine has: the bound is 4 queued outputs.
    const cores = vi.spyOn(os, 'availableParallelism').mockReturnValue(2);
    const original = RenderCache.prototype.get;
    const spy = vi.spyOn(RenderCache.prototype, 'get').mockImplementation(function (this: RenderCache, key: string, maxBytes: number) {
      read++;
      ahead = Math.max(ahead, read - handed);
      return original.call(this, key, maxBytes);
    });
    resetRenderStats();
    try {
      await scan({ paths: [root], helmPath: helm3.path, cacheDir: dir, provenance: false, onProgress: (p) => (handed = p.renders) });
    } finally {
      spy.mockRestore();
      cores.mockRestore();
    }
    expect(renderStats.helm).toEqual({ 'value-set': 0, variant: 0, provenance: 0 });
    expect(renderStats.cached['value-set']).toBe(sets + 1);
    expect(read).toBeGreaterThan(sets);
    // At most 4 outputs queued for parsing, one render per slot started and not queued yet, and the default
    // set's variant renders, which wait for its main render's parse.
    expect(ahead).toBeLessThanOrEqual(4 + 2 + renderStats.cached.variant);
    expect(ahead).toBeLessThan(sets);
  });

  it('hashes a file in chunks as the SHA-256 of its bytes (the helm binary is never read whole)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'preadmit-hash-'));
    const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    // Around the 1 MiB chunk: empty, one byte short, exact, one over, several chunks and a tail.
    for (const size of [0, 1024 * 1024 - 1, 1024 * 1024, 1024 * 1024 + 1, 2.5 * 1024 * 1024]) {
      const bytes = Buffer.alloc(size);
      for (let i = 0; i < size; i++) bytes[i] = (i * 7 + (i >> 11)) & 0xff;
      const file = path.join(dir, `f-${size}`);
      writeFileSync(file, bytes);
      expect(fileHash(file)).toBe(sha(bytes));
    }
    expect(fileHash(path.join(dir, 'missing'))).toBeUndefined();
    expect(fileHash(dir)).toBeUndefined();
  });

  it('refuses a cache folder inside the repository scanned (a pull request could commit entries there)', async () => {
    const { root } = repository();
    await expect(scan({ paths: [root], helmPath: helm3.path, cacheDir: path.join(root, '.preadmit-cache') })).rejects.toThrow(/render cache .* is inside the repository scanned/);
  });
});
