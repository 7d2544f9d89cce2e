// The HTML report in a real browser: Debian's Chromium, headless, driven by playwright-core (which never
// downloads a browser here). A real scan of small charts with the real helm writes the report through the
// CLI; the page is opened from file:// and must load nothing, log nothing, run no planted markup, filter
// and search (and, against a base commit, show the new findings alone), and draw the blast-radius graph. Without Chromium the suite skips with one line, unless
// PREADMIT_REQUIRE_CHROMIUM=1 (CI), where a missing browser fails it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { main } from '../../src/cli.ts';

const CHROMIUM = process.env.PREADMIT_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRED = process.env.PREADMIT_REQUIRE_CHROMIUM === '1';
const present = existsSync(CHROMIUM);
const helm = process.env.PREADMIT_TEST_HELM3!;

/** Markup a chart author could plant: each would set window.__pwned, show a dialog or add an element if it ran. */
/** The little of the DOM the assertions read (the project compiles without the DOM library). */
interface Shown {
  hidden: boolean;
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  value: string;
}

const PLANTED = {
  containerName: 'app</script><img src=x onerror=window.__pwned=1>{{ evil }}\u202eolleh',
  chartDir: 'evil<img src=x onerror=window.__pwned=2>',
  failMessage: '</script><script>window.__pwned=3</script><img src=x onerror=alert(3)>',
  manifestFile: 'pod<svg onload=alert(4)>.yaml',
  podName: 'debug</script><img src=x onerror=alert(5)>',
};

const made: string[] = [];

/** A temporary folder, removed after the suite. */
function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

function put(dir: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), text);
}

/** charts/web: a privileged (or not) Deployment whose token is bound to cluster-admin, behind a LoadBalancer. */
function writeWebChart(dir: string, privileged: boolean, containerName: string): void {
  put(dir, 'charts/web/Chart.yaml', 'apiVersion: v2\nname: web\nversion: 0.1.0\n');
  put(dir, 'charts/web/values.yaml', `image: registry.example/web:1.2.3\nsecurityContext:\n  privileged: ${privileged}\ncontainerName: ${JSON.stringify(containerName)}\n`);
  put(
    dir,
    'charts/web/templates/rbac.yaml',
    `apiVersion: v1
kind: ServiceAccount
metadata: {name: web}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: web-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: web, namespace: "{{ .Release.Namespace }}"}]
`,
  );
  put(
    dir,
    'charts/web/templates/deployment.yaml',
    `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers:
        - name: {{ .Values.containerName | quote }}
          image: {{ .Values.image }}
          securityContext:
            privileged: {{ .Values.securityContext.privileged }}
          volumeMounts: [{name: creds, mountPath: /creds}]
      volumes: [{name: creds, secret: {secretName: db-creds}}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80}]}
`,
  );
}

function writeRepo(): string {
  const dir = tempDir('preadmit-html-');
  writeWebChart(dir, true, PLANTED.containerName);
  put(dir, `charts/${PLANTED.chartDir}/Chart.yaml`, 'apiVersion: v2\nname: evil\nversion: 0.1.0\n');
  put(dir, `charts/${PLANTED.chartDir}/templates/fail.yaml`, `{{ fail ${JSON.stringify(PLANTED.failMessage)} }}\n`);
  put(
    dir,
    `deploy/${PLANTED.manifestFile}`,
    `apiVersion: v1
kind: Pod
metadata: {name: ${JSON.stringify(PLANTED.podName)}, namespace: "{{ .Values.ns }}"}
spec:
  hostNetwork: true
  containers: [{name: "c\\u202Etxt.exe", image: "busybox:latest"}]
`,
  );
  return dir;
}

/** Runs the CLI in-process in `dir`, as a user would there (its stderr lists the render error); the report's path. */
async function scanToHtml(dir: string, ...extra: string[]): Promise<string> {
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const before = process.cwd();
  process.chdir(dir);
  try {
    const code = await main(['scan', '.', '--helm', helm, '--format', 'html', '--output', 'out/report.html', ...extra]);
    expect(code).toBe(1);
  } finally {
    process.chdir(before);
    stderr.mockRestore();
  }
  return path.join(dir, 'out', 'report.html');
}

if (!present && !REQUIRED) process.stderr.write(`HTML report browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set PREADMIT_CHROMIUM)\n`);

describe.skipIf(!present && !REQUIRED)('HTML report in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  let report: string;
  const consoleMessages: string[] = [];
  const pageErrors: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    if (!present) throw new Error(`PREADMIT_REQUIRE_CHROMIUM=1 but there is no Chromium at ${CHROMIUM}`);
    report = await scanToHtml(writeRepo());
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => consoleMessages.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  const visible = () =>
    page.$$eval('article.finding', (els) =>
      (els as unknown as Shown[]).filter((e) => !e.hidden).map((e) => ({ sev: e.dataset.sev!, rule: e.dataset.rule!, where: e.dataset.where!, blocks: e.dataset.blocks!, text: e.textContent! })),
    );

  it('loads from file:// with no request but itself, no console message and no script error', async () => {
    expect(requests).toEqual([pathToFileURL(report).href]);
    expect(consoleMessages).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(await page.title()).toBe('preadmit: FAIL: 3 blocking findings');
    expect(await page.textContent('header.verdict h1')).toBe('FAIL: 3 blocking findings');
  });

  it('runs none of the planted markup: no dialog, no added script, image or handler, the text shown as written', async () => {
    expect(dialogs).toEqual([]);
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(await page.$$eval('script', (s) => s.length)).toBe(1);
    expect(await page.$$eval('img, iframe, object, embed, link, base', (s) => s.length)).toBe(0);
    const handlers = await page.evaluate("[...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].filter((a) => a.name.startsWith('on')).map((a) => e.tagName + ' ' + a.name))");
    expect(handlers).toEqual([]);
    const text = (await page.textContent('body'))!;
    expect(text).toContain(PLANTED.podName);
    expect(text).toContain(PLANTED.failMessage);
    expect(text).toContain(`deploy/${PLANTED.manifestFile}`);
    expect(text).toContain('app</script><img src=x onerror=window.__pwned=1>{{ evil }}\\u202eolleh');
    expect(text).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    // After using every filter, still nothing ran.
    expect(dialogs).toEqual([]);
  });

  it('filters by severity, rule, chart or file, blocking, and searches', async () => {
    const all = await visible();
    expect(all.length).toBeGreaterThan(10);
    expect(await page.textContent('#shown')).toBe(`${all.length} of ${all.length} findings shown`);

    await page.uncheck('input[name=sev][value=critical]');
    const noCritical = await visible();
    expect(noCritical.length).toBe(all.filter((f) => f.sev !== 'critical').length);
    expect(noCritical.length).toBeLessThan(all.length);
    await page.check('input[name=sev][value=critical]');

    await page.selectOption('select[name=rule]', 'pss-privileged');
    expect((await visible()).map((f) => f.rule)).toEqual(['pss-privileged']);
    await page.selectOption('select[name=rule]', '');

    const wheres = await page.$$eval('select[name=where] option', (os) => (os as unknown as Shown[]).map((o) => o.value));
    const manifest = `deploy/${PLANTED.manifestFile}`;
    expect(wheres).toEqual(['', 'charts/web', manifest]);
    await page.selectOption('select[name=where]', manifest);
    const inFile = await visible();
    expect(inFile.length).toBeGreaterThan(0);
    expect(inFile.every((f) => f.where === manifest)).toBe(true);
    // The chart's group is hidden with all of its findings.
    expect(await page.$$eval('section.group', (gs) => (gs as unknown as Shown[]).map((g) => `${g.dataset.where} ${g.hidden}`))).toEqual(['charts/web true', `${manifest} false`]);
    await page.selectOption('select[name=where]', '');

    await page.check('input[name=blocking]');
    const blocking = await visible();
    expect(blocking.map((f) => f.rule).sort()).toEqual(['pss-host-namespaces', 'pss-privileged', 'rbac-cluster-admin-binding']);
    await page.uncheck('input[name=blocking]');

    await page.fill('input[name=q]', 'cluster-admin');
    const found = await visible();
    expect(found.length).toBeGreaterThan(0);
    expect(found.length).toBeLessThan(all.length);
    expect(found.every((f) => f.text.toLowerCase().includes('cluster-admin'))).toBe(true);
    await page.fill('input[name=q]', 'CLUSTER-ADMIN');
    expect((await visible()).length).toBe(found.length);
    await page.fill('input[name=q]', 'no finding says this');
    expect(await visible()).toEqual([]);
    expect(await page.isVisible('#none')).toBe(true);
    await page.fill('input[name=q]', '');
    expect((await visible()).length).toBe(all.length);
    expect(await page.isDisabled('input[name=new]')).toBe(true); // no base to compare with
  });

  it('draws the blast radius of the riskiest workload with the expected nodes and edges', async () => {
    const graph = page.locator('svg.blast').first();
    await graph.scrollIntoViewIfNeeded();
    expect(await graph.isVisible()).toBe(true);
    const nodes = await graph.locator('g.node').evaluateAll((gs) => gs.map((g) => `${g.getAttribute('class')}: ${g.querySelector('title')!.textContent}`));
    expect(nodes.slice(0, 5)).toEqual([
      'node k-workload: Deployment default/web',
      'node k-exposure: LoadBalancer Service web',
      'node k-node: node: privileged',
      'node k-account: ServiceAccount default/web',
      'node k-role: ClusterRoleBinding/web-admin -> ClusterRole/cluster-admin',
    ]);
    expect(nodes).toContain('node k-secret: reads every Secret in the cluster');
    expect(nodes).toContain('node k-secret: Secrets db-creds');
    // Laid out left to right: the Service left of the workload, the account right of it, the binding further right.
    const x = async (label: string) => (await graph.locator('g.node', { hasText: label }).first().boundingBox())!.x;
    expect(await x('LoadBalancer Service')).toBeLessThan(await x('Deployment default/web'));
    expect(await x('Deployment default/web')).toBeLessThan(await x('ServiceAccount default/web'));
    expect(await x('ServiceAccount default/web')).toBeLessThan(await x('ClusterRoleBinding/web-admin'));
    expect(await graph.locator('g.edge').count()).toBe(nodes.length - 1);
    // The report's other sections: errors and the Pod Security verdicts.
    expect(await page.textContent('#errors h2')).toBe('Errors (1): these inputs were not scanned, or not completely');
    expect(await page.locator('#pss tr.denied').count()).toBeGreaterThanOrEqual(2);
    expect(readFileSync(report, 'utf8').length).toBeLessThan(200_000);
  });

  it('against a base revision: new and existing marked, the new-only filter shows the new finding alone', async () => {
    // The base commit runs the chart unprivileged; the work tree (what --base compares) turns privileged on.
    const dir = tempDir('preadmit-html-base-');
    writeWebChart(dir, false, 'app');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: dir }, stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('-c', 'user.email=dev@example.com', '-c', 'user.name=dev', 'commit', '-q', '-m', 'base');
    writeWebChart(dir, true, 'app');
    const based = await scanToHtml(dir, '--base', 'HEAD');
    const second = await browser.newPage();
    const seen: string[] = [];
    second.on('console', (m) => seen.push(m.text()));
    second.on('request', (r) => seen.push(r.url()));
    await second.goto(pathToFileURL(based).href);
    expect(seen).toEqual([pathToFileURL(based).href]);
    const shownRules = () => second.$$eval('article.finding', (els) => (els as unknown as Shown[]).filter((e) => !e.hidden).map((e) => `${e.dataset.rule} ${e.dataset.status}`));
    const all = await shownRules();
    expect(all).toContain('pss-privileged new');
    expect(all.filter((r) => r.endsWith(' existing')).length).toBeGreaterThan(5);
    expect(await second.isEnabled('input[name=new]')).toBe(true);
    await second.check('input[name=new]');
    expect(await shownRules()).toEqual(['pss-privileged new']);
    expect(await second.textContent('header.verdict h1')).toBe('FAIL: 1 blocking new finding');
    await second.close();
  });
});
