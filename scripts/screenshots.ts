/**
 * Screenshots for the docs (`npm run screenshots`): the real API server in-process with the demo
 * account, the browser bundle built into a temp dir, and a host page on another port that embeds
 * `<seat-provider>` with `<seat-banner>`, `<invite-form>` and `<user-table>`. Writes PNGs to
 * docs/screenshots/ (or `SCREENSHOTS_DIR`): the table at 1280 and 400 px in light and dark, the
 * purchase dialog with a quote, a host theme (`--seat-*` tokens and a `::part()` rule), and the
 * demo page (`npm start`) as the owner, an admin and a member at 1280 and 400 px, light and dark.
 */
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { seedDemo } from '../demo/seed.js';
import { startDemo, type DemoServer } from '../demo/server.js';
import { start, type Started } from '../server/node.js';
import { launchChromium } from '../test/helpers/browser.js';

const API_KEY = 'sk_screenshots_0123456789abcdef';
const OUT = process.env.SCREENSHOTS_DIR ?? join(import.meta.dirname, '..', 'docs', 'screenshots');

/** What a host product might put around the tags; `custom` adds its own theme for seatkit. */
function hostPage(api: string, accountId: string, token: string, custom: boolean): string {
  const theme = custom
    ? `
  <style>
    seat-provider {
      --seat-color-accent: light-dark(#1b7f3b, #5fd38a);
      --seat-color-on-accent: light-dark(#ffffff, #06210f);
      --seat-color-surface: light-dark(#fbfdf9, #101a13);
      --seat-color-surface-subtle: light-dark(#eef6ee, #18261b);
      --seat-color-border: light-dark(#b9d5bf, #2f4a36);
      --seat-color-warning-surface: light-dark(#f3f9e6, #2a3310);
      --seat-radius: 16px;
      --seat-font-family: Georgia, 'Times New Roman', serif;
    }
    seat-banner::part(manage-button) { text-transform: uppercase; letter-spacing: 0.06em; }
    seat-banner::part(summary) { color: light-dark(#1b7f3b, #5fd38a); }
    user-table::part(status) { font-style: italic; }
  </style>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="color-scheme" content="light dark">
  <link rel="icon" href="data:,">
  <title>Northwind Engineering · Team</title>
  <script type="module" src="/seatkit.js"></script>
  <style>
    :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
    body { margin: 0; background: light-dark(#f3f4f6, #0d0f12); color: light-dark(#111827, #e5e7eb); }
    header { padding: 0.9rem 1.5rem; background: light-dark(#1f2937, #111418); color: #f9fafb; font-weight: 600; }
    main { max-width: 1200px; margin: 0 auto; padding: 1.25rem; }
    h1 { font-size: 1.4rem; margin: 0 0 1rem; }
    .stack { display: grid; gap: 1rem; }
    .stack > * { min-width: 0; }
    invite-form { max-width: 32rem; }
  </style>${theme}
</head>
<body>
  <header>Northwind · Admin console</header>
  <main>
    <h1>Team &amp; licenses</h1>
    <seat-provider base-url="${api}" account-id="${accountId}" token="${token}">
      <div class="stack">
        <seat-banner agreement-url="https://example.com/license-agreement"></seat-banner>
        <user-table></user-table>
        <invite-form></invite-form>
        <seat-usage days="90"></seat-usage>
      </div>
    </seat-provider>
  </main>
</body>
</html>`;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

/** Opens the host page and waits until the banner and the table show real data. */
async function open(browser: Browser, url: string, width: number, height: number, colorScheme: 'light' | 'dark'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(url);
  await page.locator('seat-banner [part~="summary"]').waitFor({ timeout: 15_000 });
  await page.locator('user-table tbody tr[data-user-id]').first().waitFor({ timeout: 15_000 });
  await page.locator('invite-form form').waitFor({ timeout: 15_000 });
  await page.evaluate(() => document.fonts.ready);
  if (errors.length > 0) throw new Error(`the host page reported errors:\n${errors.join('\n')}`);
  return page;
}

async function shoot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(OUT, name), fullPage: options.fullPage ?? false, animations: 'disabled', caret: 'hide' });
  console.log(join(OUT, name));
}

/** The demo page (`npm start`) as each role, wide and narrow, light and dark: the whole page. */
async function shootDemo(browser: Browser, dir: string): Promise<void> {
  await build({
    configFile: join(import.meta.dirname, '..', 'demo', 'vite.config.ts'),
    logLevel: 'silent',
    build: { outDir: join(dir, 'demo'), emptyOutDir: true, sourcemap: false },
  });
  let demo: DemoServer | undefined;
  try {
    demo = await startDemo({ PORT: '0', SEATKIT_DB: ':memory:', SEATKIT_API_KEY: API_KEY, SEATKIT_LOG_REQUESTS: 'off' }, () => {}, { assets: join(dir, 'demo') });
    for (const role of ['owner', 'admin', 'member'] as const) {
      for (const width of [1280, 400]) {
        for (const scheme of ['light', 'dark'] as const) {
          const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme, deviceScaleFactor: 1 });
          const page = await context.newPage();
          await page.goto(demo.url);
          await page.locator('seat-banner [part~="summary"]').waitFor({ timeout: 15_000 });
          if (role !== 'owner') {
            await page.locator('select#role:not([part])').selectOption(role);
            await page.locator('#viewer').getByText(`, ${role})`).waitFor({ timeout: 15_000 });
            await page.locator('seat-banner [part~="summary"]').waitFor({ timeout: 15_000 });
          }
          if (role !== 'member') await page.locator('user-table tbody tr[data-user-id]').first().waitFor({ timeout: 15_000 });
          await shoot(page, `demo-${role}-${width}-${scheme}.png`, { fullPage: true });
          await context.close();
        }
      }
    }
  } finally {
    await demo?.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'seatkit-shots-'));
  let api: Started | undefined;
  let host: Server | undefined;
  let browser: Browser | undefined;
  try {
    await build({ logLevel: 'silent', build: { outDir: join(dir, 'dist'), emptyOutDir: true, sourcemap: false } });
    // seatkit.js, and what it loads from next to it when the page goes live.
    const bundle = new Map(readdirSync(join(dir, 'dist')).filter((name) => /^seatkit.*\.js$/.test(name)).map((name) => [`/${name}`, readFileSync(join(dir, 'dist', name))]));
    api = await start({ PORT: '0', SEATKIT_DB: ':memory:', SEATKIT_API_KEY: API_KEY, SEATKIT_LOG_REQUESTS: 'off' }, () => {});
    const demo = await seedDemo(api.app, API_KEY);
    const apiUrl = api.url;
    host = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://host');
      const file = bundle.get(url.pathname);
      if (file) {
        res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(file);
        return;
      }
      // The parts loaded on first use (dialogs, bulk actions, CSV import, the usage chart), beside it.
      const chunk = /^\/(seatkit-[\w-]+\.js)$/.exec(url.pathname);
      if (chunk) {
        res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(readFileSync(join(dir, 'dist', chunk[1]!)));
        return;
      }
      if (url.pathname !== '/') {
        res.writeHead(404).end();
        return;
      }
      const page = hostPage(apiUrl, demo.accountId, demo.ownerToken, url.searchParams.has('custom'));
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
    });
    const hostUrl = await listen(host);
    browser = await launchChromium();
    mkdirSync(OUT, { recursive: true });

    for (const scheme of ['light', 'dark'] as const) {
      const wide = await open(browser, `${hostUrl}/`, 1280, 900, scheme);
      await shoot(wide, `table-1280-${scheme}.png`);
      await wide.context().close();

      // Narrow: the table's card layout, scrolled to the table.
      const narrow = await open(browser, `${hostUrl}/`, 400, 860, scheme);
      await narrow.locator('user-table').evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await shoot(narrow, `table-400-${scheme}.png`);
      await narrow.context().close();
    }

    const purchase = await open(browser, `${hostUrl}/`, 1280, 800, 'light');
    await purchase.locator('seat-banner [part~="manage-button"]').click();
    const quantity = purchase.locator('seat-banner #quantity');
    await quantity.fill('8');
    await purchase.locator('seat-banner #quote').getByText('Amount due now').waitFor();
    await purchase.locator('seat-banner #agree').check();
    await shoot(purchase, 'purchase-dialog.png');
    await purchase.context().close();

    // Bulk work: two rows selected, the one confirmation naming the count.
    const bulk = await open(browser, `${hostUrl}/`, 1280, 900, 'light');
    for (const name of ['Alan Turing', 'Katherine Johnson']) await bulk.locator(`user-table input[aria-label="Select ${name}"]`).check();
    await bulk.locator('user-table [part~="bulk-bar"]').waitFor();
    await shoot(bulk, 'bulk-bar-1280-light.png');
    await bulk.locator('user-table [part~="bulk-bar"] button[data-bulk="unassign"]').click();
    await bulk.locator('user-table dialog.bulk[open]').waitFor();
    await shoot(bulk, 'bulk-dialog-1280-light.png');
    await bulk.context().close();

    // Invite several: a pasted CSV with its problems previewed, before anything is sent.
    for (const [width, scheme] of [[1280, 'light'], [400, 'dark']] as const) {
      const csv = await open(browser, `${hostUrl}/`, width, 900, scheme);
      await csv.locator('invite-form #several').click();
      await csv.locator('invite-form #csv').fill(
        [
          'email,first name,last name,role,qualification',
          'rosalind.franklin@northwind.example,Rosalind,Franklin,member,Structural engineer',
          'not-an-email,Bad,Row,member,',
          'grace.hopper@northwind.example,Grace,Hopper,admin,',
          'john.vonneumann@northwind.example,John,von Neumann,admin,Computing lead',
        ].join('\n'),
      );
      await csv.locator('invite-form #csv-check').click();
      await csv.locator('invite-form [part~="csv-preview"]').waitFor();
      await csv.locator('invite-form').evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await shoot(csv, `invite-csv-${width}-${scheme}.png`);
      await csv.context().close();
    }

    // <seat-usage>: the chart, its table, and the owner's reclaim policy with its preview.
    for (const [width, scheme] of [[1280, 'light'], [1280, 'dark'], [400, 'light']] as const) {
      const usage = await open(browser, `${hostUrl}/`, width, 900, scheme);
      await usage.locator('seat-usage svg[role="img"]').waitFor();
      await usage.locator('seat-usage #reclaim-preview').getByText(/would be freed now/).waitFor();
      await usage.locator('seat-usage summary').click();
      await usage.locator('seat-usage').scrollIntoViewIfNeeded();
      await usage.locator('seat-usage').screenshot({ path: join(OUT, `usage-${width}-${scheme}.png`), animations: 'disabled' });
      console.log(join(OUT, `usage-${width}-${scheme}.png`));
      await usage.context().close();
    }

    const custom = await open(browser, `${hostUrl}/?custom`, 1280, 900, 'light');
    // The whole page, so all three elements show the host's theme.
    await shoot(custom, 'custom-theme.png', { fullPage: true });
    await custom.context().close();

    await shootDemo(browser, dir);
  } finally {
    await browser?.close();
    if (host) await new Promise((resolve) => host!.close(resolve));
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
