import { expect, fixture, html } from '@open-wc/testing';
import type { PageBody, User } from '../../sdk/types.js';
import '../../widget/index.js';
import type { SeatBanner } from '../../widget/seat-banner/seat-banner.js';
import type { SeatProvider } from '../../widget/seat-provider/seat-provider.js';
import type { UserTable } from '../../widget/user-table/user-table.js';
import { API_BASE, API_KEY, api, seed, type Seeded, textOf, until } from './helpers.js';

declare const describe: (name: string, fn: () => void) => void;
declare const it: (name: string, fn: () => Promise<void>) => void;

async function mount(s: Seeded, token: string, pageSize = 50) {
  const provider = await fixture<SeatProvider>(html`<seat-provider base-url=${API_BASE} account-id=${s.accountId} token=${token}>
    <seat-banner></seat-banner>
    <user-table page-size=${pageSize}></user-table>
  </seat-provider>`);
  const table = provider.querySelector('user-table')!;
  const banner = provider.querySelector<SeatBanner>('seat-banner')!;
  await until(() => rows(table).length > 0);
  return { provider, table, banner };
}

const shadow = (el: Element) => el.shadowRoot!;
const rows = (table: UserTable) => [...shadow(table).querySelectorAll<HTMLTableRowElement>('tbody tr[data-user-id]')];
const names = (table: UserTable) => rows(table).map((row) => textOf(row.querySelector('.name')));
const checkbox = (table: UserTable, name: string) => shadow(table).querySelector<HTMLInputElement>(`input[aria-label="Select ${name}"]`)!;
const bar = (table: UserTable) => shadow(table).querySelector<HTMLElement>('[part~="bulk-bar"]');
const bulkDialog = (table: UserTable) => shadow(table).querySelector<HTMLDialogElement>('dialog.bulk')!;
const button = (scope: ParentNode, text: string) => [...scope.querySelectorAll('button')].find((b) => textOf(b) === text);
const statusOf = (table: UserTable, name: string) =>
  textOf(rows(table).find((row) => textOf(row.querySelector('.name')) === name)?.querySelector('[part~="status"]'));

function check(input: HTMLInputElement): void {
  input.click();
}

describe('<user-table> bulk work', () => {
  it('removes the licenses of two selected users with one dialog naming the count, then says how each went', async () => {
    const s = await seed({ quantity: 6 });
    await s.addUser('edsger@acme.example', 'Edsger', 'Dijkstra');
    const { table, banner } = await mount(s, s.ownerToken);
    expect(textOf(banner.shadowRoot)).to.contain('4 of 6 licenses in use');
    const requests: { action: string; users: User[] }[] = [];
    table.addEventListener('seat-bulk-request', (e) => requests.push(e.detail));
    const completed: unknown[] = [];
    table.addEventListener('seat-bulk-completed', (e) => completed.push(e.detail));

    check(checkbox(table, 'Alan Turing'));
    check(checkbox(table, 'Edsger Dijkstra'));
    await until(() => !!bar(table) && textOf(bar(table)).includes('2 selected'));
    await expect(table).to.be.accessible();
    const remove = button(bar(table)!, 'Remove 2 team members')!;
    expect(remove, 'the bar offers removal for both').not.to.equal(undefined);
    // Only what applies is offered: nobody selected holds an invitation.
    expect(button(bar(table)!, 'Revoke 2 invitations')).to.equal(undefined);
    remove.click();
    await until(() => bulkDialog(table).open);
    expect(requests.map((r) => [r.action, r.users.map((u) => u.firstName).sort()])).to.deep.equal([['unassign', ['Alan', 'Edsger']]]);
    expect(textOf(bulkDialog(table))).to.contain('Alan Turing and Edsger Dijkstra');
    expect(shadow(table).querySelectorAll('dialog[open]').length, 'one dialog').to.equal(1);
    await expect(table).to.be.accessible();

    button(bulkDialog(table), 'Remove 2 team members')!.click();
    await until(() => textOf(bulkDialog(table)).includes('2 done.'));
    expect(textOf(bulkDialog(table))).to.match(/Alan Turing ?: done/);
    expect(textOf(bulkDialog(table))).to.match(/Edsger Dijkstra ?: done/);
    expect(completed).to.have.length(1);
    await until(() => textOf(banner.shadowRoot).includes('2 of 6 licenses in use'));
    await until(() => statusOf(table, 'Alan Turing') === 'Disabled' && statusOf(table, 'Edsger Dijkstra') === 'Disabled');
    await expect(table).to.be.accessible();
    button(bulkDialog(table), 'Close')!.click();
    await until(() => !bulkDialog(table).open);
    // Done rows leave the selection: the bar is gone.
    expect(bar(table)).to.equal(null);
  });

  it('keeps Escape from hiding a running batch, and shows per-row failures of a partial batch', async () => {
    const s = await seed({ quantity: 4 });
    const pending = await s.addUser('edsger@acme.example', 'Edsger', 'Dijkstra', true);
    const { table } = await mount(s, s.ownerToken);
    check(checkbox(table, 'Edsger Dijkstra'));
    await until(() => !!bar(table) && !!button(bar(table)!, 'Revoke 1 invitation'));
    button(bar(table)!, 'Revoke 1 invitation')!.click();
    await until(() => bulkDialog(table).open);
    // Meanwhile someone else revoked it: the row's outcome says so.
    await api('DELETE', `/v1/accounts/${s.accountId}/users/${pending.id}/invitation`, s.ownerToken);
    button(bulkDialog(table), 'Revoke 1 invitation')!.click();
    // Escape fires `cancel`: refused while the batch runs.
    expect(bulkDialog(table).dispatchEvent(new Event('cancel', { cancelable: true })), 'Escape does not hide it while it runs').to.equal(false);
    expect(bulkDialog(table).open).to.equal(true);
    await until(() => textOf(bulkDialog(table)).includes('could not be changed'));
    expect(textOf(bulkDialog(table))).to.match(/Edsger Dijkstra ?: Only a pending invitation/);
    // The failed user stays selected, to try again.
    button(bulkDialog(table), 'Close')!.click();
    await until(() => !bulkDialog(table).open);
    expect(textOf(bar(table))).to.contain('1 selected');
  });

  it('selects all users matching the filter across pages', async () => {
    const s = await seed({ quantity: 20 });
    for (let i = 1; i <= 8; i++) await s.addUser(`p${i}@acme.example`, `Pending${i}`, 'Person', true);
    const { table } = await mount(s, s.ownerToken, 5);
    const status = shadow(table).querySelector<HTMLSelectElement>('#status-filter')!;
    status.value = 'invited';
    status.dispatchEvent(new Event('change'));
    await until(() => rows(table).length === 5 && names(table).every((n) => n.startsWith('Pending')));
    check(shadow(table).querySelector<HTMLInputElement>('#select-page')!);
    await until(() => textOf(bar(table)).includes('5 selected'));
    button(bar(table)!, 'Select all 8 matching')!.click();
    await until(() => textOf(bar(table)).includes('8 selected'));
    expect(button(bar(table)!, 'Revoke 8 invitations')).not.to.equal(undefined);
    await expect(table).to.be.accessible();
    // A new filter starts a new selection.
    status.value = '';
    status.dispatchEvent(new Event('change'));
    await until(() => bar(table) === null);
  });

  it('filters to users inactive for 30+ days, and exports the current view as CSV', async () => {
    const s = await seed({ quantity: 6 });
    await api('POST', `/v1/accounts/${s.accountId}/test-clock`, API_KEY, { advanceTo: '2026-06-30T00:00:00.000Z' });
    await api('POST', `/v1/accounts/${s.accountId}/users/${s.admin.id}/activity`, API_KEY);
    const { table } = await mount(s, s.ownerToken);
    expect(names(table)).to.include.members(['Grace Hopper', 'Alan Turing']);
    const inactive = shadow(table).querySelector<HTMLInputElement>('#inactive-filter')!;
    expect(textOf(inactive.closest('label'))).to.equal('Inactive for 30+ days');
    inactive.click();
    await until(() => !names(table).includes('Grace Hopper'));
    expect(names(table)).to.include('Alan Turing');
    await expect(table).to.be.accessible();

    // The download: the blob handed to the browser is the server's CSV of this view.
    const blobs: Blob[] = [];
    const original = URL.createObjectURL;
    URL.createObjectURL = (blob: Blob | MediaSource) => {
      blobs.push(blob as Blob);
      return original.call(URL, blob);
    };
    try {
      shadow(table).querySelector<HTMLButtonElement>('#export')!.click();
      await until(() => blobs.length === 1);
    } finally {
      URL.createObjectURL = original;
    }
    const csv = await blobs[0]!.text();
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).to.match(/email/i);
    expect(csv).to.contain('alan@acme.example');
    expect(csv).not.to.contain('grace@acme.example');
    const all = await api<PageBody<User>>('GET', `/v1/accounts/${s.accountId}/users?inactiveDays=30`, s.ownerToken);
    expect(lines.length - 1).to.equal(all.total);
  });

  it('gives each row at most 3 tab stops with selection: checkbox, main action, More actions', async () => {
    const s = await seed({ quantity: 6 });
    const { table } = await mount(s, s.ownerToken);
    const tabbable = (row: Element) => [...row.querySelectorAll<HTMLElement>('button, input, select, a, [tabindex]')].filter((e) => e.tabIndex >= 0);
    expect(rows(table).every((row) => tabbable(row).length <= 3)).to.equal(true);
    // An admin selects too; a member sees no table at all.
    const admin = await mount(s, s.adminToken);
    expect(checkbox(admin.table, 'Alan Turing')).not.to.equal(null);
  });
});
