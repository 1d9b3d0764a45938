/**
 * The demo as a person evaluates it (`npm start`'s server: the built page and the API on one
 * port): buy, invite, accept through the outbox link, unassign, reassign, reduce, advance the
 * clock, transfer the owner; and the same page as a member, with no management actions.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { Browser, Page } from 'playwright-core';
import { startDemo, type DemoServer } from '../../demo/server.js';
import { launchChromium } from '../helpers/browser.js';

const CONFIG = fileURLToPath(new URL('../../demo/vite.config.ts', import.meta.url));
const WAIT = { timeout: 15_000 };
const AXE = readFileSync(fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url)), 'utf8');

/** A free port: the activation links in the mails name the server's port (INVITE_URL defaults to PUBLIC_URL), so PORT=0 would not do. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

describe('the demo (npm start)', () => {
  let dir: string;
  let demo: DemoServer;
  let browser: Browser;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seatkit-demo-e2e-'));
    await build({ configFile: CONFIG, logLevel: 'silent', build: { outDir: join(dir, 'page'), emptyOutDir: true, sourcemap: false } });
    demo = await startDemo({ PORT: String(await freePort()), SEATKIT_DB: join(dir, 'data'), SEATKIT_API_KEY: 'sk_e2e_demo_0123456789abcdef', SEATKIT_LOG_REQUESTS: 'off' }, () => {}, {
      assets: join(dir, 'page'),
    });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await demo?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(demo.url);
    return { page, errors };
  }

  const summary = (page: Page) => page.locator('seat-banner [part~="summary"]').first();
  const log = (page: Page) => page.locator('#log');
  const row = (page: Page, name: string) => page.locator('user-table tr[part~="row"]', { hasText: name });
  /** Chooses an item of a user's *More actions* menu. */
  async function choose(page: Page, name: string, item: string) {
    await page.getByRole('button', { name: `More actions for ${name}` }).click();
    await page.getByRole('menuitem', { name: item }).click();
  }

  async function changeLicenses(page: Page, quantity: number, expectQuote: RegExp) {
    const dialog = page.locator('seat-banner [part~="dialog"]');
    if (!(await dialog.isVisible())) await page.locator('seat-banner [part~="manage-button"]').click();
    await dialog.waitFor({ state: 'visible', ...WAIT });
    await dialog.locator('#quantity').fill(String(quantity));
    await dialog.getByText(expectQuote).waitFor(WAIT);
    await dialog.locator('#agree').check();
    await dialog.locator('[part~="confirm-button"]').click();
    await dialog.waitFor({ state: 'hidden', ...WAIT });
  }

  it('walks invite, activation, unassign, reassign, purchase, reduction, renewal and owner transfer', async () => {
    const { page, errors } = await open();
    await page.getByRole('heading', { level: 1, name: 'seatkit demo' }).waitFor(WAIT);
    await summary(page).getByText('5 of 5 licenses in use').waitFor(WAIT);
    assert.match((await page.locator('#viewer').textContent()) ?? '', /Ada Lovelace, owner/);

    // The seeded account has no free license: the banner says so, once for the page.
    await page.locator('seat-banner').getByText('All licenses are in use. Buy more with Manage licenses, or free one.').waitFor(WAIT);
    await page.locator('invite-form').getByText('Inviting someone needs a free license.').waitFor(WAIT);
    await changeLicenses(page, 7, /Amount due now/);
    await page.locator('seat-banner [part~="confirmation"]').getByText('Paid $98.00: 2 licenses added, you now have 7.').waitFor(WAIT);
    await summary(page).getByText('5 of 7 licenses in use').waitFor(WAIT);
    await log(page).getByText('seat-licenses-changed').first().waitFor(WAIT);

    // Invite: the license is taken at once, the email lands in the outbox.
    const form = page.locator('invite-form');
    await form.getByLabel('Email').fill('rosalind.franklin@northwind.example');
    await form.getByLabel('First name').fill('Rosalind');
    await form.getByLabel('Last name').fill('Franklin');
    await form.getByRole('button', { name: 'Invite new user' }).click();
    await summary(page).getByText('6 of 7 licenses in use').waitFor(WAIT);
    await log(page).getByText('seat-user-invited').waitFor(WAIT);
    const link = page.getByRole('link', { name: 'Open activation link for rosalind.franklin@northwind.example' });
    await link.waitFor(WAIT);

    // Accept through the outbox link: the activation page shows who and the account, then signs in.
    await link.click();
    await page.waitForURL(/\/activate\//);
    await page.getByText('Rosalind Franklin').first().waitFor(WAIT);
    await page.getByText('Northwind Engineering').first().waitFor(WAIT);
    await page.getByRole('button', { name: 'Accept invitation and sign in' }).click();
    await page.getByText('Welcome, Rosalind Franklin: you are signed in to Northwind Engineering.').waitFor(WAIT);
    await page.locator('#activation seat-banner [part~="summary"]').getByText('6 of 7 licenses in use').waitFor(WAIT);
    assert.equal(await page.locator('#activation seat-banner [part~="manage-button"]').count(), 0);
    await page.getByRole('link', { name: 'Back to the demo (acting as the owner)' }).click();
    await summary(page).getByText('6 of 7 licenses in use').waitFor(WAIT);
    await row(page, 'Rosalind Franklin').getByText('Enabled').waitFor(WAIT);

    // Unassign: confirm in "Remove team member"; the license is free at once.
    await choose(page, 'Rosalind Franklin', 'Remove team member');
    const remove = page.getByRole('dialog', { name: 'Remove team member' });
    await remove.getByRole('button', { name: 'Remove team member' }).click();
    await remove.waitFor({ state: 'hidden', ...WAIT });
    await summary(page).getByText('5 of 7 licenses in use').waitFor(WAIT);
    await row(page, 'Rosalind Franklin').getByText('Disabled').waitFor(WAIT);
    await log(page).getByText('seat-license-unassigned').waitFor(WAIT);

    // Reassign Alan Turing's license to Rosalind Franklin (who had activated: enabled again).
    await choose(page, 'Alan Turing', 'Reassign license');
    const reassign = page.getByRole('dialog', { name: 'Reassign license' });
    await reassign.getByLabel('Search people without a license').fill('rosalind');
    await reassign.getByRole('radio', { name: 'Rosalind Franklin rosalind.franklin@northwind.example' }).check();
    await reassign.getByRole('button', { name: 'Reassign license' }).click();
    await reassign.waitFor({ state: 'hidden', ...WAIT });
    await row(page, 'Rosalind Franklin').getByText('Enabled').waitFor(WAIT);
    await row(page, 'Alan Turing').getByText('Disabled').waitFor(WAIT);
    await log(page).getByText('seat-license-reassigned').waitFor(WAIT);
    await summary(page).getByText('5 of 7 licenses in use').waitFor(WAIT);

    // Reduce to 5: takes effect at the period end, licenses stay usable until then.
    await changeLicenses(page, 5, /Takes effect on/);
    await page.locator('seat-banner [part~="notice"]').getByText(/5/).first().waitFor(WAIT);
    await summary(page).getByText('5 of 7 licenses in use').waitFor(WAIT);

    // Advance the test clock to the next period: the reduction applies.
    await page.getByRole('button', { name: 'Advance to next period' }).click();
    // A month passed on the test clock: Tim Berners-Lee's week-old invitation expired too.
    await summary(page).getByText('4 of 5 licenses in use').waitFor(WAIT);
    await row(page, 'Tim Berners-Lee').getByText('Invitation expired').waitFor(WAIT);
    await page.getByText(/The next period started/).waitFor(WAIT);

    // A role edit changes whom the page can act as: Katherine Johnson, an admin now, is no member to act as.
    const actAs = page.getByLabel('Act as');
    await actAs.getByRole('option', { name: 'Member: Katherine Johnson' }).waitFor({ state: 'attached', ...WAIT });
    await page.getByRole('button', { name: 'Edit Katherine Johnson' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit user' });
    await edit.getByLabel('Role').selectOption('admin');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'hidden', ...WAIT });
    await actAs.getByRole('option', { name: 'Member: Rosalind Franklin' }).waitFor({ state: 'attached', ...WAIT });

    // Transfer the owner to Grace Hopper: the old owner's session ends, the page says so.
    await choose(page, 'Grace Hopper', 'Make primary contact');
    const transfer = page.getByRole('dialog', { name: 'Change primary contact' });
    await transfer.getByRole('button', { name: 'Make primary contact' }).click();
    await log(page).getByText('seat-session-expired').waitFor(WAIT);
    await log(page).getByText('seat-owner-changed').waitFor(WAIT);
    await page.locator('seat-banner').getByText('Your session has ended. Sign in again to continue.').waitFor(WAIT);
    assert.equal(await page.getByText('Your session has ended').count(), 1);
    await page.locator('#viewer').getByText('(signed out)').waitFor(WAIT);
    await actAs.getByRole('option', { name: 'Owner: Grace Hopper' }).waitFor({ state: 'attached', ...WAIT });
    // Acting as the owner again is the new owner now.
    await actAs.selectOption('owner');
    await page.locator('#viewer').getByText('Grace Hopper, owner').waitFor(WAIT);
    await page.locator('seat-banner [part~="manage-button"]').waitFor(WAIT);

    assert.deepEqual(errors, []);
    await page.close();
  });

  it("shows only the fresh account's mail after a reset, long addresses wrapped", async () => {
    const { page, errors } = await open();
    await page.setViewportSize({ width: 400, height: 900 });
    await page.getByRole('link', { name: /^Open activation link for / }).first().waitFor(WAIT);
    // The walk-through above sent Rosalind Franklin's invitation; the fresh account never did.
    assert.ok((await page.locator('#outbox').textContent())!.includes('rosalind.franklin@northwind.example'));
    await page.getByRole('button', { name: 'Reset demo data' }).click();
    await page.getByText('The demo was reset').waitFor(WAIT);
    const outbox = page.locator('#outbox');
    await outbox.getByText('tim.bernerslee@northwind.example').first().waitFor(WAIT);
    assert.ok(!(await outbox.textContent())!.includes('rosalind.franklin'));
    const overflowing = await outbox.locator('li').evaluateAll((items) => items.filter((li) => li.scrollWidth > li.clientWidth).length);
    assert.equal(overflowing, 0);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('has no axe violations (WCAG 2.2 A/AA) in light, dark and the custom theme', async () => {
    const { page, errors } = await open();
    await page.locator('user-table tr[part~="row"]').first().waitFor(WAIT);
    await page.addScriptTag({ content: AXE });
    for (const theme of ['light', 'dark', 'evergreen']) {
      await page.getByLabel('Theme').selectOption(theme);
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
        const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
        return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      });
      assert.deepEqual(violations, [], theme);
    }
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('shows a member no management actions', async () => {
    const { page, errors } = await open();
    await summary(page).waitFor(WAIT);
    await page.locator('seat-banner [part~="manage-button"]').waitFor(WAIT);
    await page.getByLabel('Act as').selectOption('member');
    await page.locator('#viewer').getByText(', member)').waitFor(WAIT);
    await summary(page).getByText(/licenses in use/).waitFor(WAIT);
    await page.locator('seat-banner').getByText('You have a license.').waitFor(WAIT);
    assert.equal(await page.locator('user-table').textContent(), '');
    assert.equal(await page.getByRole('button', { name: 'Manage licenses' }).count(), 0);
    assert.equal(await page.locator('invite-form form').count(), 0);
    assert.equal(await page.locator('user-table [part~="action-button"]').count(), 0);
    assert.equal(await page.locator('user-table [part~="row"]').count(), 0);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('shows two people side by side: a change on one page crosses over to the other within a second', async () => {
    const { page, errors } = await open();
    await summary(page).waitFor(WAIT);
    await page.getByRole('button', { name: 'Reset demo data' }).click();
    await page.getByText('The demo was reset').waitFor(WAIT);
    // The streams the two panes open (each page opens its stream once it has painted).
    let streams = 0;
    page.on('request', (request) => void (new URL(request.url()).pathname.endsWith('/stream') && streams++));
    await page.getByRole('button', { name: 'Two people side by side' }).click();
    const owner = page.frameLocator('#pane-owner');
    const admin = page.frameLocator('#pane-admin');
    for (const pane of [owner, admin]) await pane.locator('seat-banner [part~="summary"]').getByText('5 of 5 licenses in use').waitFor(WAIT);
    await admin.getByText('(acting as Grace Hopper, admin)').waitFor(WAIT);
    // Both pages hold their stream before the change: "within a second" is the stream's delivery.
    for (let waited = 0; streams < 2; waited += 50) {
      assert.ok(waited < WAIT.timeout, `the panes opened ${streams} streams`);
      await page.waitForTimeout(50);
    }

    await owner.getByRole('button', { name: 'More actions for Katherine Johnson' }).click();
    await owner.getByRole('menuitem', { name: 'Remove team member' }).click();
    await owner.getByRole('dialog', { name: 'Remove team member' }).getByRole('button', { name: 'Remove team member' }).click();
    await owner.locator('seat-banner [part~="summary"]').getByText('4 of 5 licenses in use').waitFor(WAIT);
    await admin.locator('seat-banner [part~="summary"]').getByText('4 of 5 licenses in use').waitFor({ timeout: 1000 });
    await admin.getByRole('button', { name: 'Assign a license to Katherine Johnson' }).waitFor({ timeout: 1000 });

    // The admin gives it back; the owner's page shows it.
    await admin.getByRole('button', { name: 'Assign a license to Katherine Johnson' }).click();
    await admin.locator('seat-banner [part~="summary"]').getByText('5 of 5 licenses in use').waitFor(WAIT);
    await owner.locator('seat-banner [part~="summary"]').getByText('5 of 5 licenses in use').waitFor({ timeout: 1000 });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
