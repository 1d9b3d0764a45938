/**
 * A host page on another origin embeds the tags from the self-contained browser file against the
 * real server (`npm run server`'s entry), and shows real data: CORS works.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { SeatAdmin } from '../../sdk/index.js';
import { start, type Started } from '../../server/node.js';
import { buildBundle, hostPage, launchChromium, serveBundle, serveHost, type Host } from '../helpers/browser.js';

const API_KEY = 'sk_e2e_cross_origin_0123456789';

describe('a host page on another origin', () => {
  let api: Started;
  let host: Host;
  let browser: Browser;

  before(async () => {
    const bundle = await buildBundle();
    api = await start({ PORT: '0', SEATKIT_DB: ':memory:', SEATKIT_API_KEY: API_KEY, SEATKIT_LOG_REQUESTS: 'off' }, () => {});
    host = await serveHost((req, res) => {
      const url = new URL(req.url ?? '/', 'http://host');
      if (serveBundle(bundle, url.pathname, res)) return;
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(hostPage(api.url, url.searchParams, '<seat-banner></seat-banner>'));
    });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await host?.close();
    await api?.close();
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
    await page.goto(`${host.url}/?account=${account.id}&token=${token}`);
    assert.notEqual(new URL(host.url).origin, new URL(api.url).origin);
    const summary = page.locator('seat-banner').locator('[part~="summary"]');
    await summary.waitFor({ timeout: 10_000 });
    assert.equal(await summary.textContent(), '1 of 7 licenses in use');
    assert.deepEqual(failures, []);
    await page.close();
  });
});
