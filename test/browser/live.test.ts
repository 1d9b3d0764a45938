/**
 * Live updates in the elements: two pages of one account (each a provider on its own base URL,
 * served by the same app, so each holds its own stream as a page would) see a change made by the
 * other admin or by the host back end within a second, without a reload; a row being edited is
 * kept; `live="off"` keeps a page as loaded; a page holds one stream per account.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { SeatClient } from '../../sdk/client.js';
import '../../widget/index.js';
import type { SeatProvider } from '../../widget/seat-provider/seat-provider.js';
import { openStreams } from '../../widget/common/live-connection.js';
import type { UserTable } from '../../widget/user-table/user-table.js';
import { API_BASE, API_BASE_2, API_KEY, api, seed, textOf, until } from './helpers.js';

declare const describe: (name: string, fn: () => void) => void;
declare const it: (name: string, fn: () => Promise<void>) => void;

/** Every request the page makes to a stream, counted (the elements' SDK reads `window.fetch` per request). */
function countStreams(): { urls: string[]; restore(): void } {
  const original = window.fetch;
  const urls: string[] = [];
  window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.endsWith('/stream')) urls.push(url);
    return original.call(window, input, init);
  };
  return { urls, restore: () => (window.fetch = original) };
}

async function page(base: string, accountId: string, token: string, live?: string) {
  const provider = await fixture<SeatProvider>(html`<seat-provider base-url=${base} account-id=${accountId} token=${token} live=${live ?? 'on'}>
    <seat-banner></seat-banner>
    <invite-form></invite-form>
    <user-table></user-table>
  </seat-provider>`);
  const table = provider.querySelector('user-table')!;
  await until(() => rows(table).length > 0);
  return { provider, table, banner: provider.querySelector('seat-banner')!, form: provider.querySelector('invite-form')! };
}

const rows = (table: UserTable) => [...table.shadowRoot!.querySelectorAll('tbody tr[data-user-id]')];
const names = (table: UserTable) => rows(table).map((row) => textOf(row.querySelector('.name')));
const summary = (el: Element) => textOf(el.shadowRoot?.querySelector('[part~="summary"]'));

/** Waits for `check`, and fails if it takes over `ms` or if `steady` ever fails meanwhile (a flicker). */
async function within(ms: number, check: () => boolean, steady: () => boolean): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (!steady()) throw new Error(`the page flickered: ${steady.toString()}`);
    if (check()) return performance.now() - started;
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms: ${check.toString()}`);
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
}

describe('live updates', () => {
  it('shows a change by the other admin, and by the host back end, on both pages within 1 s, without a reload', async () => {
    const s = await seed({ quantity: 5 });
    const streams = countStreams();
    try {
      const a = await page(API_BASE, s.accountId, s.ownerToken);
      const b = await page(API_BASE_2, s.accountId, s.adminToken);
      await until(() => streams.urls.length === 2);
      expect(summary(a.banner)).to.equal('3 of 5 licenses in use');
      const tablesBefore = [a.table, b.table];
      // Let both streams be open before the change.
      await new Promise((resolve) => setTimeout(resolve, 100));

      const steady = () => [a, b].every((p) => rows(p.table).length > 0 && !textOf(p.banner).includes('Loading'));
      const admin = new SeatClient({ baseUrl: API_BASE, accountId: s.accountId, token: s.adminToken });
      await admin.invitations.create({ email: 'linus@acme.example', firstName: 'Linus', lastName: 'Torvalds' });
      await within(1000, () => [a, b].every((p) => summary(p.banner) === '4 of 5 licenses in use' && names(p.table).includes('Linus Torvalds')), steady);

      // The host back end (API key) releases Alan's license.
      await api('DELETE', `/v1/accounts/${s.accountId}/users/${s.member.id}/license`, API_KEY);
      await within(1000, () => [a, b].every((p) => summary(p.banner) === '3 of 5 licenses in use' && textOf(p.table).includes('Disabled')), steady);

      expect([a.table, b.table]).to.deep.equal(tablesBefore, 'the same elements: nothing was reloaded');
      expect(streams.urls.length).to.equal(2, 'no stream was opened again');
    } finally {
      streams.restore();
    }
  });

  it('brings the form’s license state up to date: the last license taken elsewhere disables Invite, a freed one enables it', async () => {
    const s = await seed({ quantity: 4 });
    const a = await page(API_BASE, s.accountId, s.adminToken);
    const submit = () => a.form.shadowRoot!.querySelector<HTMLButtonElement>('[part~="submit-button"]')!;
    await until(() => !!a.form.shadowRoot?.querySelector('[part~="submit-button"]'));
    expect(submit().disabled).to.equal(false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { user } = await api<{ user: { id: string } }>('POST', `/v1/accounts/${s.accountId}/invitations`, API_KEY, { email: 'last@acme.example', firstName: 'Last', lastName: 'One' });
    await until(() => submit().disabled, 1000);
    await api('DELETE', `/v1/accounts/${s.accountId}/users/${user.id}/invitation`, API_KEY);
    await until(() => !submit().disabled, 1000);
  });

  it('keeps the row being edited while the table refreshes under it', async () => {
    const s = await seed({ quantity: 5 });
    const a = await page(API_BASE, s.accountId, s.ownerToken);
    const table = a.table;
    table.shadowRoot!.querySelector<HTMLButtonElement>('[part~="action-button"][aria-label="Edit Alan Turing"]')!.click();
    // (The dialog comes with its part, loaded on first use: looked up once it is there.)
    const open = () => [...table.shadowRoot!.querySelectorAll('dialog')].find((d) => d.open && d.querySelector('#edit-qualification'));
    await until(() => !!open());
    const dialog = open()!;
    const field = dialog.querySelector<HTMLInputElement>('#edit-qualification')!;
    field.value = 'Cryptanalyst';
    field.dispatchEvent(new Event('input'));
    await new Promise((resolve) => setTimeout(resolve, 100));

    const other = new SeatClient({ baseUrl: API_BASE_2, accountId: s.accountId, token: s.adminToken });
    await other.invitations.create({ email: 'linus@acme.example', firstName: 'Linus', lastName: 'Torvalds' });
    await until(() => names(table).includes('Linus Torvalds'), 1000);

    expect(dialog.open).to.equal(true);
    expect(dialog.querySelector<HTMLInputElement>('#edit-qualification')!.value).to.equal('Cryptanalyst');
    expect(dialog.querySelector<HTMLInputElement>('#edit-first-name')!.value).to.equal('Alan');
  });

  it('catches up a change made after the page read the account and before its stream opened', async () => {
    // The stream starts from the present: the change lands just before it opens, and no other
    // change follows to bring it. The page reads what it shows again when the stream opens.
    const s = await seed({ quantity: 5 });
    const original = window.fetch;
    let changed = false;
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.endsWith('/stream') && !changed) {
        changed = true;
        await api('DELETE', `/v1/accounts/${s.accountId}/users/${s.member.id}/license`, API_KEY);
      }
      return original.call(window, input, init);
    };
    try {
      const a = await page(API_BASE, s.accountId, s.ownerToken);
      await until(() => changed);
      await until(() => summary(a.banner) === '2 of 5 licenses in use' && textOf(a.table).includes('Disabled'));
    } finally {
      window.fetch = original;
    }
  });

  it('live="off" keeps a page as loaded, with no stream', async () => {
    const s = await seed({ quantity: 5 });
    const streams = countStreams();
    try {
      const a = await page(API_BASE, s.accountId, s.ownerToken, 'off');
      const lone = await fixture(html`<seat-banner base-url=${API_BASE_2} account-id=${s.accountId} token=${s.adminToken} live="off"></seat-banner>`);
      await until(() => summary(lone) === '3 of 5 licenses in use');
      await api('POST', `/v1/accounts/${s.accountId}/invitations`, API_KEY, { email: 'linus@acme.example', firstName: 'Linus', lastName: 'Torvalds' });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(summary(a.banner)).to.equal('3 of 5 licenses in use');
      expect(summary(lone)).to.equal('3 of 5 licenses in use');
      expect(names(a.table)).not.to.include('Linus Torvalds');
      expect(streams.urls).to.deep.equal([]);
      expect(openStreams()).to.equal(0);
    } finally {
      streams.restore();
    }
  });

  it('holds one stream per account however many providers and lone elements show it', async () => {
    const s = await seed({ quantity: 5 });
    const streams = countStreams();
    try {
      const root = await fixture(html`<div>
        <seat-provider base-url=${API_BASE} account-id=${s.accountId} token=${s.ownerToken}><seat-banner></seat-banner><user-table></user-table></seat-provider>
        <seat-provider base-url=${API_BASE} account-id=${s.accountId} token=${s.ownerToken}><invite-form></invite-form></seat-provider>
        <seat-banner base-url=${API_BASE} account-id=${s.accountId} token=${s.ownerToken}></seat-banner>
        <user-table base-url=${API_BASE} account-id=${s.accountId} token=${s.ownerToken}></user-table>
      </div>`);
      const banners = [...root.querySelectorAll('seat-banner')];
      await until(() => banners.every((banner) => summary(banner) === '3 of 5 licenses in use'));
      await until(() => streams.urls.length >= 1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(streams.urls.length).to.equal(1);
      expect(openStreams()).to.equal(1);
      // And that one stream brings every element up to date.
      await api('POST', `/v1/accounts/${s.accountId}/invitations`, API_KEY, { email: 'linus@acme.example', firstName: 'Linus', lastName: 'Torvalds' });
      await until(() => banners.every((banner) => summary(banner) === '4 of 5 licenses in use'), 1000);
      root.remove();
      await until(() => openStreams() === 0);
    } finally {
      streams.restore();
    }
  });

  it('shows the old owner’s page signed out the moment the owner role goes to someone else', async () => {
    const s = await seed({ quantity: 5 });
    const a = await page(API_BASE, s.accountId, s.ownerToken);
    const expired: unknown[] = [];
    a.provider.addEventListener('seat-session-expired', (event) => expired.push(event.detail));
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The owner, in another tab, makes Grace the owner.
    const elsewhere = new SeatClient({ baseUrl: API_BASE_2, accountId: s.accountId, token: await s.token(s.owner.id) });
    await elsewhere.account.transferOwnership(s.admin.id);
    await until(() => textOf(a.provider).includes('Your session has ended'), 1000);
    expect(expired).to.deep.equal([{ reason: 'owner_transferred' }]);
    await until(() => openStreams() === 0);
  });
});
