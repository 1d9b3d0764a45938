/**
 * The static demo (`npm run build:demo`) needs no server: served by a plain static file server, the
 * page runs the real app behind MSW, and keeps its data in localStorage across reloads.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';

const CONFIG = fileURLToPath(new URL('../../demo/vite.config.ts', import.meta.url));
const WAIT = { timeout: 15_000 };
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

describe('the static demo (npm run build:demo)', () => {
  let dir: string;
  let server: Server;
  let url: string;
  let browser: Browser;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seatkit-static-e2e-'));
    await build({ configFile: CONFIG, mode: 'static', logLevel: 'silent', build: { outDir: dir, emptyOutDir: true, sourcemap: false } });
    // Served under a sub-path, as on any static host.
    server = createServer((req, res) => {
      const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      const file = path.startsWith('/demo/') ? join(dir, path.slice('/demo/'.length) || 'index.html') : '';
      void readFile(file).then(
        (body) => res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
        () => res.writeHead(404).end('not found'),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/demo/`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the seeded account in the page, and keeps an invite across a reload', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    const summary = page.locator('seat-banner [part~="summary"]');
    await summary.getByText('5 of 5 licenses in use').waitFor(WAIT);
    assert.match((await page.locator('#account-name').textContent()) ?? '', /Northwind Engineering · running in your browser/);

    // Free a license (unassign Alan Turing), then invite.
    await page.getByRole('button', { name: 'More actions for Alan Turing' }).click();
    await page.getByRole('menuitem', { name: 'Remove team member' }).click();
    const remove = page.getByRole('dialog', { name: 'Remove team member' });
    await remove.getByRole('button', { name: 'Remove team member' }).click();
    await summary.getByText('4 of 5 licenses in use').waitFor(WAIT);
    const form = page.locator('invite-form');
    await form.getByLabel('Email').fill('hedy.lamarr@northwind.example');
    await form.getByLabel('First name').fill('Hedy');
    await form.getByLabel('Last name').fill('Lamarr');
    await form.getByRole('button', { name: 'Invite new user' }).click();
    await summary.getByText('5 of 5 licenses in use').waitFor(WAIT);
    await page.locator('user-table tr[part~="row"]', { hasText: 'Hedy Lamarr' }).getByText('Invited').waitFor(WAIT);
    await page.getByRole('link', { name: 'Open activation link for hedy.lamarr@northwind.example' }).waitFor(WAIT);

    await page.reload();
    await summary.getByText('5 of 5 licenses in use').waitFor(WAIT);
    await page.locator('user-table tr[part~="row"]', { hasText: 'Hedy Lamarr' }).getByText('Invited').waitFor(WAIT);
    await page.getByRole('link', { name: 'Open activation link for hedy.lamarr@northwind.example' }).waitFor(WAIT);

    // The data store is in localStorage; no session token is.
    const stored = await page.evaluate(() => Object.entries(localStorage).map(([key, value]) => `${key}=${value}`).join('\n'));
    const token = await page.locator('seat-provider').first().evaluate((provider) => (provider as HTMLElement & { token: string }).token);
    assert.ok(token && token.length > 20);
    assert.ok(!stored.includes(token), 'the session token is not in localStorage');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('shows two people side by side in the page too: each pane reaches the app in the page, and a change crosses over', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    await page.locator('seat-banner [part~="summary"]').getByText(/licenses in use/).waitFor(WAIT);
    await page.getByRole('button', { name: 'Two people side by side' }).click();
    const owner = page.frameLocator('#pane-owner');
    const admin = page.frameLocator('#pane-admin');
    const before = await owner.locator('seat-banner [part~="summary"]').getByText(/licenses in use/).textContent(WAIT);
    await admin.locator('seat-banner [part~="summary"]').getByText(before!).waitFor(WAIT);
    await page.waitForTimeout(300);
    await page.locator('#pane-owner').evaluate((frame) => frame.scrollIntoView());
    await owner.locator('seat-banner [part~="manage-button"]').click();
    const dialog = owner.locator('seat-banner [part~="dialog"]');
    await dialog.waitFor({ state: 'visible', ...WAIT });
    const total = Number(/of (\d+)/.exec(before!)![1]) + 1;
    await dialog.locator('#quantity').fill(String(total));
    await dialog.getByText(/Amount due now/).waitFor(WAIT);
    await dialog.locator('#agree').check();
    await dialog.locator('[part~="confirm-button"]').click();
    await owner.locator('seat-banner [part~="summary"]').getByText(`of ${total} licenses in use`).waitFor(WAIT);
    await admin.locator('seat-banner [part~="summary"]').getByText(`of ${total} licenses in use`).waitFor({ timeout: 1000 });
    assert.deepEqual(errors, []);
    await context.close();
  });
});
