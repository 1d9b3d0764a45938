/**
 * The README's quick starts run as written. Each snippet is taken from README.md after its
 * `<!-- …-example` marker, so the README and this test cannot drift:
 * - the host page (plain HTML, one `<script type="module">`), served on another origin than a real
 *   server with the built `dist/seatkit.js`;
 * - the React 19 and Vue 3 snippets, bundled with esbuild together with `seatkit/widget` (the
 *   sources), on a host page against the same server: real data shows, and the snippet's own event
 *   listener fires after an invite made through the form;
 * - "running the server": `npm run server`'s entry with PORT=0 and no API key.
 * Only the placeholders are replaced: the script's src, the API URL, the account id, the token.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import type { Browser, Page } from 'playwright-core';
import { SeatAdmin } from '../../sdk/index.js';
import { start, type Started } from '../../server/node.js';
import { launchChromium } from '../helpers/browser.js';
import { http, ROOT, SOURCE_ENTRY, startServerProcess } from '../helpers/server-process.js';

const API_KEY = 'sk_e2e_readme_snippets_0123456789';
const WAIT = { timeout: 15_000 };
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PLACEHOLDERS = { apiUrl: 'https://api.example.com', accountId: 'acc_…', token: '…session token…' };

/** The fenced block (```lang) that follows `<!-- name`. */
function snippet(name: string, lang: string): string {
  const marker = README.indexOf(`<!-- ${name}`);
  assert.ok(marker >= 0, `README.md has the <!-- ${name} marker`);
  const match = new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)\\n\`\`\``, 'm').exec(README.slice(marker));
  assert.ok(match && match.index < 200, `a \`\`\`${lang} block follows the <!-- ${name} marker`);
  return match[1]!;
}

/** Replaces every placeholder (each must be there) with the real value. */
function substitute(code: string, values: Record<string, string>): string {
  for (const [placeholder, value] of Object.entries(values)) {
    assert.ok(code.includes(placeholder), `the snippet contains ${placeholder}`);
    code = code.replaceAll(placeholder, value);
  }
  return code;
}

/** A page that records console errors and warnings and uncaught exceptions. */
async function openPage(browser: Browser): Promise<{ page: Page; problems: string[]; logs: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  const logs: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
    else logs.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return { page, problems, logs };
}

/** Banner, form and table show the account's real data. */
async function assertRendered(page: Page, ownerEmail: string, heading: string): Promise<void> {
  const summary = page.locator('seat-banner [part~="summary"]');
  await summary.waitFor(WAIT);
  assert.equal(await summary.textContent(), '1 of 5 licenses in use');
  assert.equal(await page.locator('invite-form h2').textContent(), heading);
  await page.locator('invite-form #email').waitFor(WAIT);
  await page.locator('user-table [part~="row"]', { hasText: ownerEmail }).waitFor(WAIT);
}

/** Invites through the form as a person would; the banner and the table follow. */
async function invite(page: Page, email: string): Promise<void> {
  await page.locator('invite-form #email').fill(email);
  await page.locator('invite-form #first-name').fill('Grace');
  await page.locator('invite-form #last-name').fill('Hopper');
  await page.locator('invite-form [part~="submit-button"]').click();
  await page.locator('user-table [part~="row"]', { hasText: email }).waitFor(WAIT);
  await page.locator('seat-banner [part~="summary"]', { hasText: '2 of 5 licenses in use' }).waitFor(WAIT);
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('README quick starts for host apps', () => {
  let api: Started;
  let admin: SeatAdmin;
  let host: Server;
  let hostUrl: string;
  let browser: Browser;
  let dir: string;
  /** path → [content type, body] served by the host page's server. */
  const files = new Map<string, [string, string | Buffer]>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seatkit-readme-e2e-'));
    const [, started, launched] = await Promise.all([
      viteBuild({ root: ROOT, configFile: join(ROOT, 'vite.config.ts'), logLevel: 'silent', build: { outDir: join(dir, 'dist'), emptyOutDir: true, sourcemap: false } }),
      start({ PORT: '0', SEATKIT_DB: ':memory:', SEATKIT_API_KEY: API_KEY, SEATKIT_LOG_REQUESTS: 'off' }, () => {}),
      launchChromium(),
    ]);
    api = started;
    browser = launched;
    admin = new SeatAdmin({ baseUrl: api.url, apiKey: API_KEY });
    files.set('/seatkit.js', ['text/javascript', readFileSync(join(dir, 'dist', 'seatkit.js'))]);
    // The parts loaded on first use, beside it (as the README says to keep them).
    for (const file of readdirSync(join(dir, 'dist')).filter((f) => /^seatkit-.+\.js$/.test(f))) files.set(`/${file}`, ['text/javascript', readFileSync(join(dir, 'dist', file))]);
    host = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://host').pathname;
      if (path === '/favicon.ico') return void res.writeHead(204).end();
      const file = files.get(path);
      if (!file) return void res.writeHead(404).end(path);
      res.writeHead(200, { 'Content-Type': file[0] }).end(file[1]);
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    const address = host.address();
    hostUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    assert.notEqual(new URL(hostUrl).origin, new URL(api.url).origin, 'the host page is on another origin');
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => host?.close(resolve));
    await api?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh account (5 licenses) and an owner session. */
  async function account(name: string) {
    const ownerEmail = `owner@${name}.example`;
    const { account, owner } = await admin.accounts.create({
      name,
      licenses: { quantity: 5, unitPrice: 4900, currency: 'USD', interval: 'month' },
      owner: { email: ownerEmail, firstName: 'Olga', lastName: 'Owner' },
    });
    const { token } = await admin.sessions.create(account.id, { userId: owner.id });
    return { ownerEmail, values: { [PLACEHOLDERS.apiUrl]: api.url, [PLACEHOLDERS.accountId]: account.id, [PLACEHOLDERS.token]: token } };
  }

  /** Bundles a framework snippet with `seatkit/widget` (the sources) and serves it on `/{name}.html`. */
  async function serveSnippet(name: string, code: string, loader: 'jsx' | 'js'): Promise<string> {
    assert.match(code, /import 'seatkit\/widget';/);
    const source = code.replaceAll(`'seatkit/widget'`, JSON.stringify(join(ROOT, 'widget', 'index.ts')));
    const result = await esbuild({
      stdin: { contents: source, loader, resolveDir: ROOT, sourcefile: `README-${name}.${loader}` },
      bundle: true,
      write: false,
      format: 'esm',
      target: 'es2022',
      platform: 'browser',
      tsconfig: join(ROOT, 'tsconfig.json'), // legacy decorators, as the widget is written
      jsx: 'automatic',
      // Vue: the full build, with the template compiler the snippet's template string needs.
      alias: { vue: 'vue/dist/vue.esm-bundler.js' },
      define: {
        'process.env.NODE_ENV': '"development"', // the frameworks' dev builds: their warnings fail the test
        __VUE_OPTIONS_API__: 'true',
        __VUE_PROD_DEVTOOLS__: 'false',
        __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
      },
      logLevel: 'silent',
    });
    files.set(`/${name}.js`, ['text/javascript', Buffer.from(result.outputFiles[0]!.contents)]);
    files.set(
      `/${name}.html`,
      ['text/html; charset=utf-8', `<!doctype html><html lang="en"><head><title>${name}</title><script type="module" src="/${name}.js"></script></head><body><div id="app"></div></body></html>`],
    );
    return `${hostUrl}/${name}.html`;
  }

  it('the host page (plain HTML, one <script type="module">) shows real data from another origin', async () => {
    const html = snippet('host-page-example', 'html');
    const src = /<script type="module" src="([^"]+)"><\/script>/.exec(html)?.[1] ?? '';
    assert.ok(src.endsWith('/dist/seatkit.js'), `the script is dist/seatkit.js: ${src}`);
    const { ownerEmail, values } = await account('plain');
    const body = substitute(html, { [src]: '/seatkit.js', ...values });
    files.set('/plain.html', ['text/html; charset=utf-8', `<!doctype html><html lang="en"><head><title>Host</title></head><body>\n${body}\n</body></html>`]);

    const { page, problems } = await openPage(browser);
    await page.goto(`${hostUrl}/plain.html`);
    await assertRendered(page, ownerEmail, 'Invite a new user');
    assert.equal(await page.locator('seat-banner').getAttribute('agreement-url'), 'https://example.com/license-agreement');
    await invite(page, 'grace@plain.example');
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('React 19: properties and the on<event> listener of the snippet work', async () => {
    const { ownerEmail, values } = await account('react');
    const url = await serveSnippet('react', substitute(snippet('react-example', 'jsx'), values), 'jsx');
    const { page, problems, logs } = await openPage(browser);
    await page.goto(url);
    await assertRendered(page, ownerEmail, 'Invite a teammate'); // the `messages` object went in as a property
    assert.ok(!logs.some((line) => line.startsWith('invited')), 'no event before the invite');
    await invite(page, 'grace@react.example');
    await until(() => logs.includes('invited grace@react.example'), 'the snippet to log the seat-user-invited event');
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('Vue 3: isCustomElement, bindings and the @seat-user-invited listener of the snippet work', async () => {
    const { ownerEmail, values } = await account('vue');
    const url = await serveSnippet('vue', substitute(snippet('vue-example', 'js'), values), 'js');
    const { page, problems, logs } = await openPage(browser);
    await page.goto(url);
    await assertRendered(page, ownerEmail, 'Invite a new user');
    await invite(page, 'grace@vue.example');
    await until(() => logs.includes('invited grace@vue.example'), 'the snippet to log the seat-user-invited event');
    // Vue's dev build warns ("Failed to resolve component") for a tag isCustomElement misses.
    assert.deepEqual(problems, []);
    await page.close();
  });
});

describe('README "For the operator of the server"', () => {
  it('`npm run server` starts with PORT=0, prints a generated API key that works, answers /healthz, exits 0 on SIGTERM', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts.server, ['node', ...SOURCE_ENTRY].join(' '), 'the helper spawns the same entry');
    assert.match(README, /`npm run server` starts the API alone/);
    // An empty SEATKIT_API_KEY is "not set": the server generates one and prints it.
    const server = await startServerProcess({ SEATKIT_DB: ':memory:', SEATKIT_API_KEY: '' });
    try {
      const health = await fetch(`${server.url}/healthz`);
      assert.equal(health.status, 200);
      const key = server.output.map((line) => /generated for this run: (\S+)/.exec(line)?.[1]).find(Boolean);
      assert.ok(key && key.length >= 16, server.output.join('\n'));
      const created = await http(server.url, 'POST', '/v1/accounts', {
        token: key,
        body: { name: 'Ops', licenses: { quantity: 1, unitPrice: 100, currency: 'USD', interval: 'month' }, owner: { email: 'ops@ops.example', firstName: 'Op', lastName: 'Erator' } },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.ok(server.output.some((line) => line.includes('data: :memory:')), server.output.join('\n'));
    } finally {
      await server.stop();
    }
    assert.deepEqual(await server.exited, { code: 0, signal: null });
  });
});
