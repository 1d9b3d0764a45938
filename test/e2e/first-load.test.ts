/**
 * The first load of the built `dist/seatkit.js` on a host page: the banner, the form and the table
 * are painted (styled) from that one file before any part loaded on first use is requested, and a
 * dialog works on its first open with those parts slowed down on the network.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { start, type Started } from '../../server/node.js';
import { buildBundle, hostAccount, hostPage, launchChromium, serveBundle, serveHost, type Host } from '../helpers/browser.js';

const API_KEY = 'sk_e2e_first_load_0123456789';
const SLOW_MS = 1500;

describe('the first load', () => {
  let api: Started;
  let host: Host;
  let browser: Browser;
  let chunks: string[];

  before(async () => {
    const bundle = await buildBundle();
    chunks = [...bundle.chunks.keys()];
    api = await start({ PORT: '0', SEATKIT_DB: ':memory:', SEATKIT_API_KEY: API_KEY, SEATKIT_LOG_REQUESTS: 'off' }, () => {});
    host = await serveHost((req, res) => {
      const url = new URL(req.url ?? '/', 'http://host');
      if (serveBundle(bundle, url.pathname, res)) return;
      res
        .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
        .end(hostPage(api.url, url.searchParams, '<seat-banner></seat-banner><invite-form></invite-form><user-table></user-table>'));
    });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await host?.close();
    await api?.close();
  });

  /** Opens the host page; the first frame in which all three show their content, with their styles, and the scripts requested. */
  async function firstPaint(page: Page, accountId: string, token: string) {
    // Recorded by the page itself. (A string: the test's compiler names functions with a helper the page does not have.)
    await page.addInitScript(`
      const shadow = (tag, selector) => document.querySelector(tag)?.shadowRoot?.querySelector(selector);
      requestAnimationFrame(function check() {
        const summary = shadow('seat-banner', '[part~="summary"]');
        const form = shadow('invite-form', 'form');
        const row = shadow('user-table', 'tbody tr[data-user-id]');
        if (!summary || !form || !row) return requestAnimationFrame(check);
        const base = getComputedStyle(shadow('seat-banner', '.base'));
        window.__painted = { at: performance.now(), styled: base.borderTopStyle === 'solid' && base.borderRadius === '8px' };
      });
    `);
    await page.goto(`${host.url}/?account=${accountId}&token=${token}`);
    await page.waitForFunction(() => (window as unknown as { __painted?: unknown }).__painted, undefined, { timeout: 10_000 });
    return page.evaluate(() => ({
      painted: (window as unknown as { __painted: { at: number; styled: boolean } }).__painted,
      scripts: performance
        .getEntriesByType('resource')
        .filter((e) => e.name.endsWith('.js'))
        .map((e) => ({ name: new URL(e.name).pathname, start: e.startTime })),
    }));
  }

  it('paints the banner, the form and the table, styled, from dist/seatkit.js alone; the other parts come later', async () => {
    assert.ok(chunks.some((c) => c.includes('user-dialogs')) && chunks.some((c) => c.includes('purchase-dialog')), `chunks: ${chunks.join(', ')}`);
    const { accountId, token } = await hostAccount(api.url, API_KEY);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    const { painted, scripts } = await firstPaint(page, accountId, token);
    assert.equal(painted.styled, true, 'styled when first shown');
    assert.deepEqual(
      scripts.filter((s) => s.start <= painted.at).map((s) => s.name),
      ['/seatkit.js'],
      'only dist/seatkit.js before the first paint',
    );
    // Nothing else is asked for until it is used: a dialog loads its part.
    assert.deepEqual(scripts.map((s) => s.name), ['/seatkit.js']);
    await page.getByRole('button', { name: 'More actions for Mia Member' }).click();
    await page.getByRole('menuitem', { name: 'Remove team member' }).click();
    await page.getByRole('dialog', { name: 'Remove team member' }).waitFor({ timeout: 5000 });
    const later = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.endsWith('.js')));
    assert.ok(later.some((p) => p.includes('user-dialogs')), later.join(', '));
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('starts the live updates only after the table\'s rows showed, also when they come slowly', async () => {
    const { accountId, token } = await hostAccount(api.url, API_KEY);
    const page = await browser.newPage();
    // The table's page of users answered late: the account (the banner, the form) shows first.
    await page.route(/\/v1\/accounts\/[^/]+\/users\?/, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 800));
      await route.continue();
    });
    const { painted, scripts } = await firstPaint(page, accountId, token);
    assert.deepEqual(
      scripts.filter((s) => s.start <= painted.at).map((s) => s.name),
      ['/seatkit.js'],
      'only dist/seatkit.js before the first paint',
    );
    // The live updates do start, after it.
    await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.includes('live-connection')), undefined, { timeout: 5000 });
    await page.close();
  });

  it('opens and runs a dialog on first use with the network slowed', async () => {
    const { accountId, token } = await hostAccount(api.url, API_KEY);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.route(/\/seatkit-[\w-]+\.js$/, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, SLOW_MS));
      await route.continue();
    });
    await page.goto(`${host.url}/?account=${accountId}&token=${token}`);
    await page.locator('user-table tbody tr[data-user-id]').first().waitFor({ timeout: 10_000 });
    // The table's row dialog: removal, confirmed.
    await page.getByRole('button', { name: 'More actions for Mia Member' }).click();
    await page.getByRole('menuitem', { name: 'Remove team member' }).click();
    const remove = page.getByRole('dialog', { name: 'Remove team member' });
    await remove.waitFor({ timeout: SLOW_MS + 5000 });
    await remove.getByRole('button', { name: 'Remove team member' }).click();
    await remove.waitFor({ state: 'hidden' });
    await page.locator('seat-banner [part~="summary"]').getByText('1 of 5 licenses in use').waitFor({ timeout: 5000 });
    // The banner's dialog: a live quote on its first open.
    await page.getByRole('button', { name: 'Manage licenses' }).click();
    const manage = page.getByRole('dialog', { name: 'Manage licenses' });
    await manage.waitFor({ timeout: SLOW_MS + 5000 });
    await manage.getByText(/This is your current number of licenses/).waitFor({ timeout: 5000 });
    await manage.getByRole('spinbutton').fill('7');
    await manage.getByText(/Amount due now/).waitFor({ timeout: 5000 });
    await page.keyboard.press('Escape');
    await manage.waitFor({ state: 'hidden' });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
