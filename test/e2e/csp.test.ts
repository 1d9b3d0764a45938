/**
 * A host page with the strict Content Security Policy of issue 8 runs every element (provider,
 * banner with its Manage licenses dialog, invite form, user table with its remove dialog) from
 * the self-contained browser file, with 0 `securitypolicyviolation` events and 0 console errors;
 * and neither the elements nor the SDK keep the session token, or an invitation token, in
 * localStorage, sessionStorage or cookies.
 *
 * `connect-src` falls back to `default-src 'self'`, so the page, /seatkit.js and the API (proxied to
 * the real server of server/node.ts) are served from one origin.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { SeatAdmin } from '../../sdk/index.js';
import { start, type Started } from '../../server/node.js';
import { buildBundle, hostAccount, hostPage, launchChromium, serveBundle, serveHost, type Host } from '../helpers/browser.js';

const API_KEY = 'sk_e2e_csp_0123456789abcdef';
const CSP = "default-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; require-trusted-types-for 'script'; trusted-types lit-html";

describe('a host page with a strict CSP', () => {
  let api: Started;
  let host: Host;
  let browser: Browser;

  before(async () => {
    const bundle = await buildBundle();
    api = await start({ PORT: '0', SEATKIT_DB: ':memory:', SEATKIT_API_KEY: API_KEY, SEATKIT_LOG_REQUESTS: 'off' }, () => {});
    host = await serveHost(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://host');
      if (url.pathname.startsWith('/v1/')) {
        // The API on the page's origin: a plain proxy to the real server.
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string' && name !== 'host') headers.set(name, value);
        const answer = await fetch(`${api.url}${req.url}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
        res.writeHead(answer.status, Object.fromEntries(answer.headers));
        // Piped as it comes: the live stream never ends by itself.
        if (!answer.body) return void res.end();
        const reader = answer.body.getReader();
        res.on('close', () => void reader.cancel().catch(() => {}));
        for (;;) {
          const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
          if (done) break;
          res.write(value);
        }
        res.end();
        return;
      }
      if (serveBundle(bundle, url.pathname, res, { 'Content-Security-Policy': CSP })) return;
      res
        .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': CSP })
        .end(hostPage(host.url, url.searchParams, '<seat-banner></seat-banner><invite-form></invite-form><user-table></user-table><seat-usage></seat-usage>'));
    });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await host?.close();
    await api?.close();
  });

  it('runs every element, its dialogs and an invite and a removal with 0 CSP violations, and stores no token', async () => {
    const admin = new SeatAdmin({ baseUrl: api.url, apiKey: API_KEY });
    // With an active member, to remove through the table's dialog.
    const { accountId, token } = await hostAccount(api.url, API_KEY);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __violations: string[] }).__violations = seen;
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
    });
    const response = await page.goto(`${host.url}/?account=${accountId}&token=${token}`);
    assert.equal(response?.headers()['content-security-policy'], CSP, 'the page is served under the strict CSP');

    const banner = page.locator('seat-banner');
    await banner.locator('[part~="summary"]').waitFor({ timeout: 10_000 });
    // The banner's dialog, with a live quote.
    await page.getByRole('button', { name: 'Manage licenses' }).click();
    const manage = page.getByRole('dialog', { name: 'Manage licenses' });
    await manage.waitFor();
    await manage.getByRole('spinbutton').fill('7');
    await manage.getByText(/Amount due now/).waitFor({ timeout: 5000 });
    await page.keyboard.press('Escape');
    await manage.waitFor({ state: 'hidden' });

    // An invite through the form; the user shows in the table.
    await page.getByLabel('Email').fill('new.person@host.example');
    await page.getByLabel('First name').fill('New');
    await page.getByLabel('Last name').fill('Person');
    await page.getByRole('button', { name: 'Invite new user' }).click();
    await page.locator('user-table').getByText('new.person@host.example').waitFor({ timeout: 5000 });
    const outbox = await admin.outbox.list();
    const invitation = decodeURIComponent(outbox.data[0]!.activationUrl!.split('/').pop()!);

    // Revoke that invitation, then remove the member, each through its confirm dialog.
    await page.getByRole('button', { name: 'More actions for New Person' }).click();
    await page.getByRole('menuitem', { name: 'Revoke invitation' }).click();
    const revoke = page.getByRole('dialog', { name: 'Revoke invitation' });
    await revoke.waitFor();
    await revoke.getByRole('button', { name: 'Revoke invitation' }).click();
    await revoke.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'More actions for Mia Member' }).click();
    await page.getByRole('menuitem', { name: 'Remove team member' }).click();
    const remove = page.getByRole('dialog', { name: 'Remove team member' });
    await remove.waitFor();
    await remove.getByRole('button', { name: 'Remove team member' }).click();
    await remove.waitFor({ state: 'hidden' });
    await banner.getByText('1 of 5 licenses in use').waitFor({ timeout: 5000 });

    // The parts loaded on first use, each with its own styles: the usage chart, bulk work, Invite several.
    await page.locator('seat-usage svg[role="img"]').waitFor({ timeout: 10_000 });
    await page.getByLabel('Select Olga Owner').check();
    await page.locator('user-table [part~="bulk-bar"]').waitFor({ timeout: 5000 });
    await page.getByRole('button', { name: 'Invite several' }).click();
    await page.locator('invite-form textarea#csv').waitFor({ timeout: 5000 });

    const stored = await page.evaluate(() => ({
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
      cookie: document.cookie,
      violations: (window as unknown as { __violations: string[] }).__violations,
    }));
    for (const secret of [token, invitation]) {
      assert.ok(!stored.local.includes(secret), 'no token in localStorage');
      assert.ok(!stored.session.includes(secret), 'no token in sessionStorage');
      assert.ok(!stored.cookie.includes(secret), 'no token in cookies');
    }
    assert.equal(stored.cookie, '', 'no cookie at all');
    assert.deepEqual(stored.violations, [], 'no securitypolicyviolation event');
    assert.deepEqual(errors, [], 'no console error');
    console.log(`csp-figures ${JSON.stringify({ elements: 4, dialogs: 3, violations: stored.violations.length, consoleErrors: errors.length, tokensStored: 0 })}`);
    await page.close();
  });
});
