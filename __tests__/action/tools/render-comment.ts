// Renders the Action's PR comment the way GitHub would show it, for eyes rather than for the test suite
// (nothing here runs under vitest, and nothing in the suite needs these tools):
//   apt-get install -y cmark-gfm chromium fonts-noto-color-emoji
//   npm run bundle && npx tsx __tests__/action/tools/render-comment.ts [--out docs/action-comment.png]
//
// 1. runs dist/index.js on a pull request against the fake GitHub, scanning examples/insecure-chart and a
//    manifest, and takes the comment it posted;
// 2. converts it with cmark-gfm (GitHub's own GFM implementation: tables, strikethrough, autolinks and the
//    tagfilter extension, raw HTML on as in comments) and styles it with github-markdown-css;
// 3. screenshots it with headless Chromium (collapsed, as GitHub shows it, and expanded);
// 4. renders a comment built from hostile values (HTML, images, links, mentions, references, bidi) and
//    checks the HTML has no element, link, image or mention that came from the scanned files.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RULES } from '../../../rules/index.ts';
import { provisionOpenapi } from '../../../scripts/provision-openapi.ts';
import { blobUrl, commentMarker, composeReport } from '../../../src/action/report.ts';
import { repoRoot } from '../../helpers/shared.ts';
import { blastRadius, finding, HOSTILE, HOSTILE_ALL, ref, scanResult } from '../../reporters/fixtures.ts';
import { OWNER, PODS_YAML, REPO, TOKEN, HEAD_SHA, BASE_SHA, MERGE_SHA, PR_NUMBER } from '../fixtures.ts';
import { FakeGitHub } from '../helpers/fake-github.ts';
import { OpenApi } from '../helpers/openapi.ts';
import { makeRepo, pullRequestEvent, runAction } from '../helpers/runner.ts';

const { values } = parseArgs({ options: { out: { type: 'string' }, helm: { type: 'string' }, work: { type: 'string' } } });
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

/** GitHub-flavoured Markdown to HTML with GitHub's cmark-gfm, as comments are rendered (raw HTML allowed, tag filter on). */
function gfm(markdown: string): string {
  return execFileSync('cmark-gfm', ['--unsafe', '-e', 'table', '-e', 'strikethrough', '-e', 'autolink', '-e', 'tagfilter', '-e', 'tasklist'], { input: markdown, encoding: 'utf8' });
}

function page(body: string, open: boolean): string {
  return `<!doctype html><html><head><meta charset="utf-8"><style>${githubMarkdownCss()}
body { margin: 0; background: #fff; font-family: -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
.frame { width: 960px; margin: 16px; border: 1px solid #d0d7de; border-radius: 6px; }
.head { background: #f6f8fa; border-bottom: 1px solid #d0d7de; padding: 8px 16px; font-size: 14px; color: #57606a; border-radius: 6px 6px 0 0; }
.head b { color: #1f2328; } .bot { border: 1px solid #d0d7de; border-radius: 2em; padding: 0 6px; font-size: 12px; margin: 0 4px; }
.markdown-body { padding: 16px; font-size: 14px; }
</style></head><body><div class="frame"><div class="head"><b>github-actions</b><span class="bot">bot</span> commented</div>
<article class="markdown-body">${open ? body.replace(/<details>/g, '<details open>') : body}</article></div>
<script>document.title = String(document.documentElement.scrollHeight);</script></body></html>`;
}

function screenshot(html: string, png: string): void {
  const file = path.join(work, `${path.basename(png, '.png')}.html`);
  writeFileSync(file, html);
  const chromium = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--force-device-scale-factor=1'];
  const dom = execFileSync('chromium', [...chromium, '--window-size=1000,800', '--dump-dom', `file://${file}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const height = Number(/<title>(\d+)<\/title>/.exec(dom)?.[1] ?? 2000) + 16;
  execFileSync('chromium', [...chromium, `--window-size=1000,${height}`, `--screenshot=${png}`, `file://${file}`], { stdio: 'ignore' });
  console.log(`${png} (${height}px high)`);
}

/** What a hostile chart must never get into the rendered comment. */
function injectionProblems(html: string): string[] {
  const problems: string[] = [];
  const allowedTags = new Set(['h3', 'h4', 'p', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'code', 'sub', 'details', 'summary', 'a', 'blockquote', 'em', 'strong', 'br', 'hr', 'ul', 'li']);
  for (const m of html.matchAll(/<([a-z][a-z0-9]*)\b[^>]*>/gi)) if (!allowedTags.has(m[1]!.toLowerCase())) problems.push(`element <${m[1]}>`);
  // Links only to the repository's files at the head commit (their text may be a hostile file name, escaped) and rule docs.
  for (const m of html.matchAll(/<a\b[^>]*href="([^"]*)"/gi)) {
    if (!m[1]!.startsWith(`https://github.com/${OWNER}/${REPO}/blob/${HEAD_SHA}/`) && !m[1]!.startsWith('https://kubernetes.io/')) problems.push(`link to ${m[1]}`);
  }
  if (/<img\b/i.test(html)) problems.push('an image');
  if (/<details open/.test(html)) problems.push('an opened details element');
  // A mention GitHub would link: @ directly followed by a login character.
  if (/@[A-Za-z0-9]/.test(html.replace(/<[^>]*>/g, ''))) problems.push('an @mention');
  if (/(^|[\s(])#\d/.test(html.replace(/<[^>]*>/g, ''))) problems.push('an issue reference');
  if (/[\u202a-\u202e\u2066-\u2069]/.test(html)) problems.push('a bidi control');
  return problems;
}

// 1. A real run of the bundled Action.
const helm = values.helm ?? path.join(repoRoot, '.cache', 'helm', 'v3', 'helm');
const workspace = makeRepo({ 'deploy/pods.yaml': PODS_YAML });
cpSync(path.join(repoRoot, 'examples', 'insecure-chart'), path.join(workspace, 'charts', 'insecure-chart'), { recursive: true });
const api = new OpenApi(await provisionOpenapi(console.error));
const github = await FakeGitHub.start(api, OWNER, REPO, TOKEN);
try {
  const result = await runAction({
    workspace,
    apiUrl: github.url,
    repository: `${OWNER}/${REPO}`,
    sha: MERGE_SHA,
    event: pullRequestEvent({ owner: OWNER, repo: REPO, number: PR_NUMBER, headSha: HEAD_SHA, baseSha: BASE_SHA }),
    inputs: { paths: '.', 'github-token': TOKEN, helm },
  });
  const comment = [...github.comments.values()][0];
  if (comment === undefined) throw new Error(`no comment posted:\n${result.stdout}\n${result.stderr}`);
  if (github.invalid().length > 0) throw new Error(`invalid requests: ${JSON.stringify(github.invalid())}`);
  writeFileSync(path.join(work, 'comment.md'), comment.body);
  const html = gfm(comment.body);
  writeFileSync(path.join(work, 'comment.html'), html);
  console.log(`comment: ${comment.body.length} characters, ${result.report?.findings.length} findings; problems: ${JSON.stringify(injectionProblems(html))}`);
  screenshot(page(html, false), values.out ?? path.join(work, 'action-comment.png'));
  screenshot(page(html, true), path.join(work, 'action-comment-expanded.png'));
} finally {
  await github.close();
  rmSync(workspace, { recursive: true, force: true });
}

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
screenshot(page(hostileHtml, true), path.join(work, 'hostile-expanded.png'));
