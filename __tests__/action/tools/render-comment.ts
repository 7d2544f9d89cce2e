// Renders the Action's PR comment the way GitHub would show it, for eyes rather than for the test suite
// (nothing here runs under vitest, and nothing in the suite needs these tools):
//   apt-get install -y cmark-gfm chromium fonts-noto-color-emoji
//   npm run bundle && npx tsx __tests__/action/tools/render-comment.ts [--out docs/action-comment.png]
//     [--expanded-out docs/action-comment-expanded.png]
//
// 1. runs dist/index.js on a pull request against the fake GitHub (a real git history, see pullRequestRepo:
//    the head turns privileged and hostNetwork on in examples/insecure-chart and adds an ops-agent manifest
//    whose service account reads secrets and execs into pods, so a blast-radius graph shows a path through
//    RBAC), and takes the comment it posted;
// 2. converts it with cmark-gfm (GitHub's own GFM implementation: tables, strikethrough, autolinks and the
//    tagfilter extension, raw HTML on as in comments) and styles it with github-markdown-css;
// 3. draws its ```mermaid blocks with Mermaid 11 (npm pack'ed into the work folder like the stylesheet,
//    never a dependency; securityLevel 'strict' as GitHub uses) and screenshots the comment with headless
//    Chromium: collapsed, as GitHub shows it, and with the blast-radius graphs opened;
// 4. renders a comment built from hostile values (HTML, images, links, mentions, references, bidi) and
//    checks the HTML has no element, link, image or mention that came from the scanned files.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { RULES } from '../../../rules/index.ts';
import { provisionOpenapi } from '../../../scripts/provision-openapi.ts';
import { blobUrl, commentMarker, composeReport } from '../../../src/action/report.ts';
import { repoRoot } from '../../helpers/shared.ts';
import { blastRadius, finding, HOSTILE, HOSTILE_ALL, ref, scanResult } from '../../reporters/fixtures.ts';
import { OWNER, PODS_YAML, REPO, TOKEN, HEAD_SHA, MERGE_SHA, PR_NUMBER } from '../fixtures.ts';
import { FakeGitHub } from '../helpers/fake-github.ts';
import { OpenApi } from '../helpers/openapi.ts';
import { makeRepo, pullRequestEvent, runAction } from '../helpers/runner.ts';

const { values } = parseArgs({
  options: { out: { type: 'string' }, 'expanded-out': { type: 'string' }, helm: { type: 'string' }, work: { type: 'string' }, chromium: { type: 'string' } },
});
const work = values.work ?? path.join(repoRoot, '.cache', 'render');
mkdirSync(work, { recursive: true });

function githubMarkdownCss(): string {
  const css = path.join(work, 'package', 'github-markdown-light.css');
  if (!existsSync(css)) {
    execFileSync('npm', ['pack', 'github-markdown-css@5.9.0', '--silent', '--pack-destination', work], { stdio: ['ignore', 'pipe', 'inherit'] });
    execFileSync('tar', ['xzf', path.join(work, 'github-markdown-css-5.9.0.tgz'), '-C', work]);
  }
  return readFileSync(css, 'utf8');
}

const MERMAID = '11.17.2';

/** Mermaid's browser bundle, fetched once into the work folder (GitHub draws ```mermaid blocks with Mermaid 11). */
function mermaidBundle(): string {
  const dir = path.join(work, `mermaid-${MERMAID}`);
  const js = path.join(dir, 'package', 'dist', 'mermaid.min.js');
  if (!existsSync(js)) {
    execFileSync('npm', ['pack', `mermaid@${MERMAID}`, '--silent', '--pack-destination', work], { stdio: ['ignore', 'pipe', 'inherit'] });
    mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['xzf', path.join(work, `mermaid-${MERMAID}.tgz`), '-C', dir]);
  }
  return js;
}

/** GitHub-flavoured Markdown to HTML with GitHub's cmark-gfm, as comments are rendered (raw HTML allowed, tag filter on). */
function gfm(markdown: string): string {
  return execFileSync('cmark-gfm', ['--unsafe', '-e', 'table', '-e', 'strikethrough', '-e', 'autolink', '-e', 'tagfilter', '-e', 'tasklist'], { input: markdown, encoding: 'utf8' });
}

/**
 * cmark-gfm's code block for a ```mermaid fence (`<pre lang="mermaid">` with --github-pre-lang, a
 * language-mermaid class without) as the `<pre class="mermaid">` Mermaid draws, holding the same text.
 */
function mermaidBlocks(html: string): string {
  return html.replace(/<pre(?: lang="mermaid")?><code(?: class="language-mermaid")?>([\s\S]*?)<\/code><\/pre>/g, (block, text: string) =>
    /^<pre lang="mermaid">|<code class="language-mermaid">/.test(block) ? `<pre class="mermaid">${text}</pre>` : block,
  );
}

/** Which details elements are open: none (as GitHub shows the comment), every one, or those whose summary matches. */
type Open = 'none' | 'all' | RegExp;

function page(body: string, open: Open): string {
  const opened = body.replace(/<details>(\s*<summary>([\s\S]*?)<\/summary>)/g, (all, rest: string, summary: string) =>
    open === 'all' || (open instanceof RegExp && open.test(summary)) ? `<details open>${rest}` : all,
  );
  return `<!doctype html><html><head><meta charset="utf-8"><style>${githubMarkdownCss()}
body { margin: 0; background: #fff; font-family: -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
.frame { width: 960px; margin: 16px; border: 1px solid #d0d7de; border-radius: 6px; }
.head { background: #f6f8fa; border-bottom: 1px solid #d0d7de; padding: 8px 16px; font-size: 14px; color: #57606a; border-radius: 6px 6px 0 0; }
.head b { color: #1f2328; } .bot { border: 1px solid #d0d7de; border-radius: 2em; padding: 0 6px; font-size: 12px; margin: 0 4px; }
.markdown-body { padding: 16px; font-size: 14px; }
.markdown-body pre.mermaid { background: none; text-align: center; padding: 8px 0; white-space: normal; }
</style></head><body><div class="frame"><div class="head"><b>github-actions</b><span class="bot">bot</span> commented</div>
<article class="markdown-body">${opened}</article></div>
<script src="file://${mermaidBundle()}"></script>
<script>
// Drawn while shown (a closed details element has no layout, as GitHub draws a graph when it is shown), then closed again.
window.drawn = (async () => {
  const closed = [...document.querySelectorAll('details:not([open])')].filter((d) => d.querySelector('pre.mermaid'));
  for (const d of closed) d.open = true;
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'default' });
  await mermaid.run({ querySelector: 'pre.mermaid' });
  for (const d of closed) d.open = false;
  return document.querySelectorAll('pre.mermaid:not([data-processed]), pre.mermaid:not(:has(svg))').length;
})().catch((e) => 'mermaid: ' + e);
</script></body></html>`;
}

/** The comment frame as a PNG (from the element `from` selects down, when given), once Mermaid has drawn every graph. */
async function screenshot(browser: Browser, html: string, png: string, from?: string): Promise<void> {
  const file = path.join(work, `${path.basename(png, '.png')}.html`);
  writeFileSync(file, html);
  const tab = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  try {
    await tab.goto(`file://${file}`);
    const undrawn = await tab.evaluate(() => (globalThis as unknown as { drawn: Promise<number | string> }).drawn);
    if (undrawn !== 0) throw new Error(`${file}: graphs not drawn: ${undrawn}`);
    const graphs = await tab.locator('pre.mermaid svg').count();
    // A drawn graph holds shapes and text only: no link, image or script from a scanned label.
    const foreign = await tab.locator('pre.mermaid :is(a, img, image, script, iframe, object, embed, use)').count();
    if (foreign > 0) throw new Error(`${file}: ${foreign} link, image or script elements in a drawn graph`);
    if (from === undefined) await tab.locator('.frame').screenshot({ path: png });
    else {
      const frame = (await tab.locator('.frame').boundingBox())!;
      const top = (await tab.locator(from).boundingBox())!.y - 16;
      await tab.screenshot({ path: png, fullPage: true, clip: { x: frame.x, y: top, width: frame.width, height: Math.ceil(frame.y + frame.height - top) } });
    }
    console.log(`${png} (${graphs} graphs drawn)`);
  } finally {
    await tab.close();
  }
}

/** What a hostile chart must never get into the rendered comment. */
function injectionProblems(html: string): string[] {
  const problems: string[] = [];
  const allowedTags = new Set(['h3', 'h4', 'p', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'code', 'sub', 'details', 'summary', 'a', 'blockquote', 'em', 'strong', 'br', 'hr', 'ul', 'li']);
  // Code blocks (the blast-radius graphs, the fix diffs) are the comment's own fences; their text is not
  // linked by GitHub, so mentions and references inside them do not count.
  const blocks = /<pre><code class="language-(?:mermaid|diff)">[^<]*<\/code><\/pre>/g;
  const text = html.replace(blocks, '').replace(/<[^>]*>/g, '');
  for (const m of html.replace(blocks, '').matchAll(/<([a-z][a-z0-9]*)\b[^>]*>/gi)) if (!allowedTags.has(m[1]!.toLowerCase())) problems.push(`element <${m[1]}>`);
  // Links only to the repository's files at the head commit (their text may be a hostile file name, escaped) and rule docs.
  for (const m of html.matchAll(/<a\b[^>]*href="([^"]*)"/gi)) {
    if (!m[1]!.startsWith(`https://github.com/${OWNER}/${REPO}/blob/${HEAD_SHA}/`) && !m[1]!.startsWith('https://kubernetes.io/')) problems.push(`link to ${m[1]}`);
  }
  if (/<img\b/i.test(html)) problems.push('an image');
  if (/<details open/.test(html)) problems.push('an opened details element');
  // A mention GitHub would link: @ directly followed by a login character.
  if (/@[A-Za-z0-9]/.test(text)) problems.push('an @mention');
  if (/(^|[\s(])#\d/.test(text)) problems.push('an issue reference');
  if (/[\u202a-\u202e\u2066-\u2069]/.test(html)) problems.push('a bidi control');
  return problems;
}

/** A hardened workload whose token reads secrets and execs into pods through a ClusterRole: a blast radius through RBAC. */
const OPS_AGENT_YAML = `apiVersion: v1
kind: ServiceAccount
metadata: {name: ops-agent, namespace: ops}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ops-agent}
rules:
  - {apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}
  - {apiGroups: [""], resources: [pods/exec], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-agent}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ops-agent}
subjects: [{kind: ServiceAccount, name: ops-agent, namespace: ops}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ops-agent, namespace: ops}
spec:
  selector: {matchLabels: {app: ops-agent}}
  template:
    metadata: {labels: {app: ops-agent}}
    spec:
      serviceAccountName: ops-agent
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: agent
          image: registry.example/ops-agent@sha256:${'4'.repeat(64)}
          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
          resources: {requests: {cpu: 50m, memory: 64Mi}, limits: {memory: 128Mi}}
          livenessProbe: {httpGet: {path: /healthz, port: 8080}}
          readinessProbe: {httpGet: {path: /healthz, port: 8080}}
---
apiVersion: v1
kind: Service
metadata: {name: ops-agent, namespace: ops}
spec: {type: LoadBalancer, selector: {app: ops-agent}, ports: [{port: 8080}]}
`;

/**
 * A pull request as a checkout holds it, so the comment reads as on a real pull request (new findings listed
 * with their values lines, existing ones collapsed) rather than warning that the base could not be compared:
 * the base commit has the debug pod and the example chart without privileged and hostNetwork; the head is
 * the example chart as it is (both turned on in values.yaml) and adds the ops agent.
 */
function pullRequestRepo(): { workspace: string; baseSha: string } {
  const workspace = makeRepo({ 'README.md': '# shop\n' });
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=dev@example.com', '-c', 'user.name=dev', ...args], { cwd: workspace, encoding: 'utf8' }).trim();
  const values = path.join(workspace, 'charts', 'insecure-chart', 'values.yaml');
  cpSync(path.join(repoRoot, 'examples', 'insecure-chart'), path.join(workspace, 'charts', 'insecure-chart'), { recursive: true });
  const headValues = readFileSync(values, 'utf8');
  const baseValues = headValues.replace('privileged: true', 'privileged: false').replace('hostNetwork: true', 'hostNetwork: false');
  if (baseValues === headValues) throw new Error(`${values}: no privileged: true or hostNetwork: true to turn off in the base`);
  writeFileSync(values, baseValues);
  mkdirSync(path.join(workspace, 'deploy'));
  writeFileSync(path.join(workspace, 'deploy', 'pods.yaml'), PODS_YAML);
  git('add', '-A');
  git('commit', '-q', '-m', 'base: the chart, not privileged, and a debug pod');
  const baseSha = git('rev-parse', 'HEAD');
  writeFileSync(values, headValues);
  writeFileSync(path.join(workspace, 'deploy', 'ops-agent.yaml'), OPS_AGENT_YAML);
  git('add', '-A');
  git('commit', '-q', '-m', 'head: the chart privileged on the host network, and the ops agent');
  return { workspace, baseSha };
}

/** 1. A real run of the bundled Action on that pull request: the comment it posted, as Markdown. */
async function actionComment(): Promise<string> {
  const helm = values.helm ?? path.join(repoRoot, '.cache', 'helm', 'v3', 'helm');
  const { workspace, baseSha } = pullRequestRepo();
  const api = new OpenApi(await provisionOpenapi(console.error));
  const github = await FakeGitHub.start(api, OWNER, REPO, TOKEN);
  try {
    const result = await runAction({
      workspace,
      apiUrl: github.url,
      repository: `${OWNER}/${REPO}`,
      sha: MERGE_SHA,
      event: pullRequestEvent({ owner: OWNER, repo: REPO, number: PR_NUMBER, headSha: HEAD_SHA, baseSha }),
      inputs: { paths: '.', 'github-token': TOKEN, helm },
    });
    const comment = [...github.comments.values()][0];
    if (comment === undefined) throw new Error(`no comment posted:\n${result.stdout}\n${result.stderr}`);
    if (github.invalid().length > 0) throw new Error(`invalid requests: ${JSON.stringify(github.invalid())}`);
    console.log(`comment: ${comment.body.length} characters, ${result.report?.findings.length} findings`);
    return comment.body;
  } finally {
    await github.close();
    rmSync(workspace, { recursive: true, force: true });
  }
}

const browser = await chromium.launch({
  executablePath: values.chromium ?? process.env.PREADMIT_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--hide-scrollbars', '--force-device-scale-factor=1'],
});
try {
  const comment = await actionComment();
  writeFileSync(path.join(work, 'comment.md'), comment);
  const html = gfm(comment);
  writeFileSync(path.join(work, 'comment.html'), html);
  const graphs = html.match(/<code class="language-mermaid">/g)?.length ?? 0;
  console.log(`comment: ${graphs} graphs; problems: ${JSON.stringify(injectionProblems(html))}`);
  if (graphs === 0) throw new Error('the comment has no blast-radius graph to draw');
  // 2, 3. As GitHub shows it (everything collapsed), and its blast-radius section with the graphs opened.
  await screenshot(browser, page(mermaidBlocks(html), 'none'), values.out ?? path.join(work, 'action-comment.png'));
  const expanded = values['expanded-out'] ?? path.join(work, 'action-comment-expanded.png');
  await screenshot(browser, page(mermaidBlocks(html), /what a compromise reaches/), expanded, 'h4:text-is("Largest blast radius")');

  // 4. A hostile chart: every value a chart controls carries markup.
  const hostile = scanResult({
    findings: Object.entries(HOSTILE).map(([key, value], i) =>
      finding({
        ruleId: i % 2 === 0 ? 'pss-privileged' : 'image-tag-latest',
        object: ref('Deployment', `${key}-${value}`, value),
        path: `/spec/${value}`,
        message: `container ${value} is bad`,
        source: { kind: 'helm', file: `charts/${value}/templates/x.yaml`, line: i + 1, chart: `charts/${value}`, template: 'x', valueSet: value },
      }),
    ),
    objects: [{ object: ref('Deployment', HOSTILE_ALL.slice(0, 200), 'shop'), source: { kind: 'manifest', file: HOSTILE.link, line: 3 }, blastRadius: { ...blastRadius(), reasons: [HOSTILE_ALL, HOSTILE.html, HOSTILE.mention] } }],
    charts: [{ chart: HOSTILE.details, name: 'x', valueSet: HOSTILE.comment, objects: 1, renderMs: 1, admission: { level: 'restricted', version: 'latest', allowed: false, deniedBy: [HOSTILE.image] } }],
    errors: [{ kind: 'render', file: HOSTILE.newline, message: HOSTILE_ALL }],
  });
  const marker = commentMarker('preadmit');
  const hostileMd = composeReport(hostile, { rules: RULES, limit: 65_000, prefix: `${marker}\n`, fileUrl: blobUrl('https://github.com', OWNER, REPO, HEAD_SHA) });
  const hostileHtml = gfm(hostileMd);
  writeFileSync(path.join(work, 'hostile.md'), hostileMd);
  console.log(`hostile comment: problems: ${JSON.stringify(injectionProblems(hostileHtml))}`);
  await screenshot(browser, page(mermaidBlocks(hostileHtml), 'all'), path.join(work, 'hostile-expanded.png'));
} finally {
  await browser.close();
}
