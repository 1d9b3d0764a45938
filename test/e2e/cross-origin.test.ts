/**
 * A host page on another origin embeds the tags from the self-contained browser file against the
 * real server (`npm run server`'s entry), and shows real data: CORS works.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'vite';
import type { Browser } from 'playwright-core';
import { SeatAdmin } from '../../sdk/index.js';
import { start, type Started } from '../../server/node.js';
import { launchChromium } from '../helpers/browser.js';

const API_KEY = 'sk_e2e_cross_origin_0123456789';

describe('a host page on another origin', () => {
  let api: Started;
  let host: Server;
  let hostUrl: string;
  let browser: Browser;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seatkit-e2e-'));
    await build({ logLevel: 'silent', build: { outDir: join(dir, 'dist'), emptyOutDir: true, sourcemap: false } });
    api = await start({ PORT: '0', SEATKIT_DB: ':memory:', SEATKIT_API_KEY: API_KEY, SEATKIT_LOG_REQUESTS: 'off' }, () => {});
    const bundle = readFileSync(join(dir, 'dist', 'seatkit.js'));
    host = createServer((req, res) => {
      if (req.url === '/seatkit.js') {
        res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(bundle);
        return;
      }
      const query = new URL(req.url ?? '/', 'http://host').searchParams;
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html lang="en"><head><title>Host product</title><script type="module" src="/seatkit.js"></script></head>
<body><h1>Licenses &amp; Users</h1>
<seat-provider base-url="${api.url}" account-id="${query.get('account')}" token="${query.get('token')}">
  <seat-banner></seat-banner>
</seat-provider></body></html>`);
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    const address = host.address();
    hostUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => host?.close(resolve));
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the real license counts through CORS', async () => {
    const admin = new SeatAdmin({ baseUrl: api.url, apiKey: API_KEY });
    const { account, owner } = await admin.accounts.create({
      name: 'Host Co',
      licenses: { quantity: 7, unitPrice: 1000, currency: 'EUR', interval: 'year' },
      owner: { email: 'owner@host.example', firstName: 'Olga', lastName: 'Owner' },
    });
    const { token } = await admin.sessions.create(account.id, { userId: owner.id });
    const page = await browser.newPage();
    const failures: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') failures.push(message.text());
    });
    await page.goto(`${hostUrl}/?account=${account.id}&token=${token}`);
    assert.notEqual(new URL(hostUrl).origin, new URL(api.url).origin);
    const summary = page.locator('seat-banner').locator('[part~="summary"]');
    await summary.waitFor({ timeout: 10_000 });
    assert.equal(await summary.textContent(), '1 of 7 licenses in use');
    assert.deepEqual(failures, []);
    await page.close();
  });
});
