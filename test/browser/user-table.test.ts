import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import { SeatClient } from '../../sdk/client.js';
import type { User } from '../../sdk/types.js';
import '../../widget/index.js';
import type { SeatBanner } from '../../widget/seat-banner/seat-banner.js';
import type { SeatProvider } from '../../widget/seat-provider/seat-provider.js';
import type { UserTable } from '../../widget/user-table/user-table.js';
import { API_BASE, API_KEY, api, seed, type Seeded, textOf, until } from './helpers.js';

declare const describe: (name: string, fn: () => void) => void;
declare const it: (name: string, fn: () => Promise<void>) => void;

interface Mounted {
  provider: SeatProvider;
  table: UserTable;
  banner: SeatBanner;
}

/** A provider with a banner and a table, as the given viewer; resolves once rows show. */
async function mount(s: Seeded, token: string, pageSize = 50): Promise<Mounted> {
  const provider = await fixture<SeatProvider>(html`<seat-provider base-url=${API_BASE} account-id=${s.accountId} token=${token}>
    <seat-banner></seat-banner>
    <user-table page-size=${pageSize}></user-table>
  </seat-provider>`);
  const table = provider.querySelector('user-table')!;
  const banner = provider.querySelector('seat-banner')!;
  await until(() => rows(table).length > 0 || (!!banner.shadowRoot?.querySelector('[part~="summary"]') && !table.shadowRoot?.querySelector('section')));
  return { provider, table, banner };
}

const shadow = (el: Element) => el.shadowRoot!;
const rows = (table: UserTable) => [...shadow(table).querySelectorAll<HTMLTableRowElement>('tbody tr[data-user-id]')];
const rowOf = (table: UserTable, name: string) => rows(table).find((row) => textOf(row.querySelector('.name')) === name);
const names = (table: UserTable) => rows(table).map((row) => textOf(row.querySelector('.name')));
/** A row's main action (Assign, Resend or Edit), by its accessible name. */
const action = (table: UserTable, label: string) => shadow(table).querySelector<HTMLButtonElement>(`[part~="action-button"][aria-label="${label}"]`);
const menuButton = (table: UserTable, name: string) => shadow(table).querySelector<HTMLButtonElement>(`[part~="menu-button"][aria-label="More actions for ${name}"]`);
const menuItems = (table: UserTable) => [...shadow(table).querySelectorAll<HTMLButtonElement>('[role="menu"] [role="menuitem"]')];
/** Opens the *More actions* menu of a user's row and answers the texts of its items. */
async function openMenu(table: UserTable, name: string): Promise<string[]> {
  const more = menuButton(table, name)!;
  if (more.getAttribute('aria-expanded') !== 'true') more.click();
  await until(() => more.getAttribute('aria-expanded') === 'true' && menuItems(table).length > 0);
  return menuItems(table).map((item) => textOf(item));
}
/** Chooses an item of a user's *More actions* menu. */
async function choose(table: UserTable, name: string, item: string): Promise<void> {
  await openMenu(table, name);
  menuItems(table).find((i) => textOf(i) === item)!.click();
}
const active = (table: UserTable) => shadow(table).activeElement as HTMLElement | null;

const dialog = (table: UserTable) => shadow(table).querySelector('dialog')!;
const buttonsOf = (scope: ParentNode) => [...scope.querySelectorAll('button')].map((b) => textOf(b));
const button = (scope: ParentNode, text: string) => [...scope.querySelectorAll('button')].find((b) => textOf(b) === text)!;
const range = (table: UserTable) => textOf(shadow(table).querySelector('.range'));
/** Each row's status label, by name. */
const statusOf = (table: UserTable, name: string) => textOf(rowOf(table, name)?.querySelector('[part~="status"]'));

function record(target: EventTarget, types: string[]): { type: string; detail: unknown }[] {
  const seen: { type: string; detail: unknown }[] = [];
  for (const type of types) target.addEventListener(type, (event) => seen.push({ type, detail: (event as CustomEvent).detail }));
  return seen;
}

/** Closes a dialog with one of its buttons, once its `close` event (which gives focus back) has fired. */
async function closeWith(d: HTMLDialogElement, text: string): Promise<void> {
  const closed = new Promise((resolve) => d.addEventListener('close', resolve, { once: true }));
  button(d, text).click();
  await closed;
}

/** Opens a dialog from a row: its main action (by accessible name) or an item of its menu (`name`, `item`). */
async function openDialogFor(table: UserTable, label: string, item?: string): Promise<HTMLDialogElement> {
  if (item) await choose(table, label, item);
  else action(table, label)!.click();
  await until(() => dialog(table).open);
  return dialog(table);
}

describe('<user-table>', () => {
  it('renders every user with email and status as text; only the owner\'s row says "Account owner"', async () => {
    const s = await seed({ quantity: 5 });
    await s.addUser('kay@acme.example', 'Kay', 'Adams', true);
    const { table } = await mount(s, s.ownerToken);
    await until(() => rows(table).length === 4);
    expect(shadow(table).querySelector('h2')!.textContent).to.equal('Users');
    expect(shadow(table).querySelector('table')!.getAttribute('aria-labelledby')).to.equal('heading');
    expect([...shadow(table).querySelectorAll('thead th')].map((th) => th.getAttribute('scope'))).to.deep.equal(Array(7).fill('col'));
    expect(textOf(rowOf(table, 'Ada Lovelace'))).to.contain('ada@acme.example');
    expect(textOf(rowOf(table, 'Alan Turing'))).to.contain('alan@acme.example');
    expect(statusOf(table, 'Ada Lovelace')).to.equal('Account owner');
    expect(statusOf(table, 'Grace Hopper')).to.equal('Enabled');
    expect(statusOf(table, 'Kay Adams')).to.equal('Invited');
    const withOwnerText = rows(table).filter((row) => textOf(row).includes('Account owner'));
    expect(withOwnerText.map((row) => textOf(row.querySelector('.name')))).to.deep.equal(['Ada Lovelace']);
    expect(textOf(rowOf(table, 'Ada Lovelace'))).to.contain('Managing director');
    await expect(table).to.be.accessible();
  });

  it('renders user text as text, never as HTML', async () => {
    const s = await seed({ quantity: 5 });
    await s.addUser('eve@acme.example', '<img src=x onerror="window.pwned=1">', '<b>Eve</b>', true);
    const { table } = await mount(s, s.ownerToken);
    await until(() => rows(table).length === 4);
    expect(shadow(table).querySelector('tbody img, tbody b')).to.equal(null);
    expect(textOf(shadow(table))).to.contain('<img src=x onerror="window.pwned=1"> <b>Eve</b>');
  });

  it('removes a license after the "Remove team member" confirmation, and the banner updates at once', async () => {
    const s = await seed({ quantity: 5 });
    const { provider, table, banner } = await mount(s, s.ownerToken);
    await until(() => textOf(banner).includes('3 of 5 licenses in use'));
    const seen = record(provider, ['seat-unassign-request', 'seat-license-unassigned']);
    const d = await openDialogFor(table, 'Alan Turing', 'Remove team member');
    expect(textOf(d.querySelector('#dialog-heading'))).to.equal('Remove team member');
    expect(d.getAttribute('aria-labelledby')).to.equal('dialog-heading');
    expect(buttonsOf(d)).to.deep.equal(['Cancel', 'Remove team member']);
    await expect(table).to.be.accessible();
    button(d, 'Remove team member').click();
    await until(() => textOf(banner).includes('2 of 5 licenses in use'));
    await until(() => statusOf(table, 'Alan Turing') === 'Disabled');
    expect(d.open).to.equal(false);
    expect(seen.map((e) => e.type)).to.deep.equal(['seat-unassign-request', 'seat-license-unassigned']);
    expect((seen[1]!.detail as { user: User }).user.status).to.equal('disabled');
    expect(textOf(action(table, 'Assign a license to Alan Turing'))).to.equal('Assign');
    expect(await openMenu(table, 'Alan Turing')).to.deep.equal(['Edit', 'View history']);
    expect(textOf(shadow(table).querySelector('[role="status"]'))).to.equal('Alan Turing no longer has a license.');
    await expect(table).to.be.accessible();
  });

  it('keeps the license when the removal is cancelled, in the dialog or by the host', async () => {
    const s = await seed({ quantity: 5 });
    const { provider, table } = await mount(s, s.ownerToken);
    const d = await openDialogFor(table, 'Alan Turing', 'Remove team member');
    button(d, 'Cancel').click();
    await until(() => !d.open);
    expect(active(table)).to.equal(menuButton(table, 'Alan Turing'));
    provider.addEventListener('seat-unassign-request', (event) => event.preventDefault());
    await choose(table, 'Alan Turing', 'Remove team member');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(dialog(table).open).to.equal(false);
    expect(statusOf(table, 'Alan Turing')).to.equal('Enabled');
    const alan = await api<User>('GET', `/v1/accounts/${s.accountId}/users/${s.member.id}`, s.ownerToken);
    expect(alan.status).to.equal('enabled');
  });

  it('assigns a license to a disabled user', async () => {
    const s = await seed({ quantity: 5 });
    await api('DELETE', `/v1/accounts/${s.accountId}/users/${s.member.id}/license`, s.ownerToken);
    const { provider, table, banner } = await mount(s, s.ownerToken);
    await until(() => statusOf(table, 'Alan Turing') === 'Disabled');
    const seen = record(provider, ['seat-license-assigned']);
    action(table, 'Assign a license to Alan Turing')!.click();
    await until(() => statusOf(table, 'Alan Turing') === 'Enabled');
    expect(textOf(banner)).to.contain('3 of 5 licenses in use');
    expect(seen).to.have.length(1);
    await expect(table).to.be.accessible();
  });

  it('reassigns a license to a disabled user chosen in a dialog, with no license available', async () => {
    const s = await seed({ quantity: 3 });
    await api('DELETE', `/v1/accounts/${s.accountId}/users/${s.member.id}/license`, s.ownerToken);
    await s.addUser('dave@acme.example', 'Dave', 'Cutler');
    const { provider, table, banner } = await mount(s, s.ownerToken);
    await until(() => textOf(banner).includes('3 of 3 licenses in use'));
    const seen = record(provider, ['seat-reassign-request', 'seat-license-reassigned']);
    const d = await openDialogFor(table, 'Dave Cutler', 'Reassign license');
    expect(textOf(d.querySelector('#dialog-heading'))).to.equal('Reassign license');
    await until(() => d.querySelectorAll('input[type="radio"]').length > 0);
    expect([...d.querySelectorAll('label.receiver')].map((l) => textOf(l))).to.deep.equal(['Alan Turing alan@acme.example']);
    expect(textOf(d.querySelector('legend'))).to.equal('Receiver');
    expect(button(d, 'Reassign license').disabled).to.equal(true);
    await expect(table).to.be.accessible();
    d.querySelector<HTMLInputElement>('input[type="radio"]')!.click();
    await table.updateComplete;
    button(d, 'Reassign license').click();
    await until(() => statusOf(table, 'Alan Turing') === 'Enabled' && statusOf(table, 'Dave Cutler') === 'Disabled');
    expect(textOf(banner)).to.contain('3 of 3 licenses in use');
    expect(seen.map((e) => e.type)).to.deep.equal(['seat-reassign-request', 'seat-license-reassigned']);
    const detail = seen[0]!.detail as { from: User; to: User };
    expect([detail.from.email, detail.to.email]).to.deep.equal(['dave@acme.example', 'alan@acme.example']);
  });

  it('makes another user primary contact, then emits seat-owner-changed and seat-session-expired', async () => {
    const s = await seed({ quantity: 5 });
    const { provider, table } = await mount(s, s.ownerToken);
    expect(await openMenu(table, 'Ada Lovelace')).to.deep.equal(['View history']);
    const seen = record(provider, ['seat-owner-change-request', 'seat-owner-changed', 'seat-session-expired']);
    const d = await openDialogFor(table, 'Grace Hopper', 'Make primary contact');
    expect(textOf(d.querySelector('#dialog-heading'))).to.equal('Change primary contact');
    expect(buttonsOf(d)).to.deep.equal(['Cancel', 'Make primary contact']);
    await expect(table).to.be.accessible();
    button(d, 'Make primary contact').click();
    await until(() => seen.some((e) => e.type === 'seat-session-expired'));
    expect(seen.map((e) => e.type)).to.deep.equal(['seat-owner-change-request', 'seat-owner-changed', 'seat-session-expired']);
    expect(seen[2]!.detail).to.deep.equal({ reason: 'owner_transferred' });
    const users = (seen[1]!.detail as { users: User[] }).users;
    expect(users.find((u) => u.email === 'grace@acme.example')!.role).to.equal('owner');
    // The page says it once: the banner, first of the provider's elements, says it; the table shows nothing.
    await until(() => textOf(provider).includes('Your session has ended'));
    expect(textOf(table)).to.equal('');
    await expect(provider).to.be.accessible();
  });

  it('edits details with If-Match, and on a conflict says so and loads the latest details', async () => {
    const s = await seed({ quantity: 5 });
    const { provider, table } = await mount(s, s.ownerToken);
    const seen = record(provider, ['seat-user-updated', 'seat-error']);
    const d = await openDialogFor(table, 'Edit Alan Turing');
    expect(textOf(d.querySelector('#dialog-heading'))).to.equal('Edit user');
    const field = (id: string) => d.querySelector<HTMLInputElement>(`#${id}`)!;
    expect(field('edit-first-name').value).to.equal('Alan');
    expect(d.querySelector<HTMLSelectElement>('#edit-role')!.value).to.equal('member');
    await expect(table).to.be.accessible();

    // Invalid input never leaves the form.
    field('edit-first-name').value = '';
    field('edit-first-name').dispatchEvent(new Event('input'));
    button(d, 'Save').click();
    await until(() => textOf(d).includes('Required'));
    expect(field('edit-first-name').getAttribute('aria-invalid')).to.equal('true');
    await expect(table).to.be.accessible();
    field('edit-first-name').value = 'Alan';
    field('edit-first-name').dispatchEvent(new Event('input'));

    // Someone else changes Alan after the dialog opened.
    const other = new SeatClient({ baseUrl: API_BASE, accountId: s.accountId, token: s.adminToken });
    await other.users.update(s.member.id, { lastName: 'Turing-Smith', qualification: 'Mathematician' });

    field('edit-qualification').value = 'Cryptanalyst';
    field('edit-qualification').dispatchEvent(new Event('input'));
    button(d, 'Save').click();
    await until(() => textOf(d).includes('Someone else changed this user'));
    expect(textOf(d.querySelector('[role="alert"]'))).to.equal('Someone else changed this user. The latest details are shown; make your change again.');
    expect(field('edit-last-name').value).to.equal('Turing-Smith');
    expect(field('edit-qualification').value).to.equal('Mathematician');
    expect((seen.find((e) => e.type === 'seat-error')!.detail as { error: { status: number } }).error.status).to.equal(412);
    await expect(table).to.be.accessible();

    // Again, on the latest version: saved.
    field('edit-qualification').value = 'Cryptanalyst';
    field('edit-qualification').dispatchEvent(new Event('input'));
    const role = d.querySelector<HTMLSelectElement>('#edit-role')!;
    role.value = 'admin';
    role.dispatchEvent(new Event('change'));
    button(d, 'Save').click();
    await until(() => !d.open);
    const updated = seen.find((e) => e.type === 'seat-user-updated')!.detail as { user: User };
    expect([updated.user.lastName, updated.user.qualification, updated.user.role]).to.deep.equal(['Turing-Smith', 'Cryptanalyst', 'admin']);
    await until(() => textOf(rowOf(table, 'Alan Turing-Smith')).includes('Cryptanalyst'));
    expect(textOf(rowOf(table, 'Alan Turing-Smith'))).to.contain('Admin');
  });

  it("does not offer the owner's role in the owner's edit dialog", async () => {
    const s = await seed({ quantity: 5 });
    const { table } = await mount(s, s.adminToken);
    const d = await openDialogFor(table, 'Edit Ada Lovelace');
    expect(d.querySelector('#edit-role')).to.equal(null);
    expect(d.querySelector<HTMLInputElement>('#edit-first-name')!.value).to.equal('Ada');
  });

  it('resends and revokes a pending invitation', async () => {
    const s = await seed({ quantity: 5 });
    await s.addUser('kay@acme.example', 'Kay', 'Adams', true);
    const { provider, table, banner } = await mount(s, s.ownerToken);
    await until(() => statusOf(table, 'Kay Adams') === 'Invited');
    expect(await openMenu(table, 'Kay Adams')).to.deep.equal(['Edit', 'Reassign license', 'Revoke invitation', 'View history']);
    const seen = record(provider, ['seat-invitation-resent', 'seat-revoke-request', 'seat-invitation-revoked']);
    action(table, 'Resend the invitation to Kay Adams')!.click();
    await until(() => seen.length === 1);
    expect(textOf(shadow(table).querySelector('[role="status"]'))).to.equal('Invitation sent again to kay@acme.example.');
    expect(textOf(action(table, 'Resend the invitation to Kay Adams'))).to.equal('Resend');

    const d = await openDialogFor(table, 'Kay Adams', 'Revoke invitation');
    expect(textOf(d.querySelector('#dialog-heading'))).to.equal('Revoke invitation');
    expect(buttonsOf(d)).to.deep.equal(['Cancel', 'Revoke invitation']);
    button(d, 'Revoke invitation').click();
    await until(() => statusOf(table, 'Kay Adams') === 'Disabled');
    expect(seen.map((e) => e.type)).to.deep.equal(['seat-invitation-resent', 'seat-revoke-request', 'seat-invitation-revoked']);
    expect(textOf(banner)).to.contain('3 of 5 licenses in use');
    await expect(table).to.be.accessible();
  });

  it("shows a user's history, newest first, with readable actions", async () => {
    const s = await seed({ quantity: 5 });
    await api('DELETE', `/v1/accounts/${s.accountId}/users/${s.member.id}/license`, s.ownerToken);
    await api('PUT', `/v1/accounts/${s.accountId}/users/${s.member.id}/license`, s.ownerToken);
    const { table } = await mount(s, s.ownerToken);
    const d = await openDialogFor(table, 'Alan Turing', 'View history');
    expect(textOf(d.querySelector('#dialog-heading'))).to.equal('History of Alan Turing');
    await until(() => d.querySelectorAll('li').length > 0);
    const entries = [...d.querySelectorAll('li .event')].map((li) => textOf(li));
    expect(entries).to.deep.equal(['License assigned, by you', 'License removed, by you', 'Invitation accepted, by Alan Turing', 'Invited, by you']);
    expect(d.querySelector('li time')!.getAttribute('datetime')).to.match(/^\d{4}-\d\d-\d\dT/);
    await expect(table).to.be.accessible();
    button(d, 'Close').click();
    await until(() => !d.open);
  });

  it("hides what an admin may not do: primary contact, the owner's license", async () => {
    const s = await seed({ quantity: 5 });
    const { table } = await mount(s, s.adminToken);
    await until(() => rows(table).length === 3);
    expect(action(table, 'Edit Ada Lovelace')).to.not.equal(null);
    expect(await openMenu(table, 'Ada Lovelace')).to.deep.equal(['View history']);
    expect(await openMenu(table, 'Alan Turing')).to.deep.equal(['Reassign license', 'View history', 'Remove team member']);
    await expect(table).to.be.accessible();
  });

  it('shows a member nothing: no list to read, no dead end (the banner tells them about their license)', async () => {
    const s = await seed({ quantity: 5 });
    const { table, banner } = await mount(s, s.memberToken);
    expect(shadow(table).querySelector('table, section, button')).to.equal(null);
    expect(textOf(table)).to.equal('');
    expect(textOf(banner)).to.contain('You have a license.');
  });

  it('searches, filters, sorts and pages on the server', async () => {
    const s = await seed({ quantity: 40 });
    for (let i = 1; i <= 30; i++) await s.addUser(`user${String(i).padStart(2, '0')}@acme.example`, `User${String(i).padStart(2, '0')}`, 'Test', i > 27);
    const { table } = await mount(s, s.ownerToken, 25);
    await until(() => range(table) === '1–25 of 33');
    expect(rows(table)).to.have.length(25);
    expect(names(table).slice(0, 4)).to.deep.equal(['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'User01 Test']);
    await expect(table).to.be.accessible();

    // Pages (keyset cursors; Previous goes back).
    const next = shadow(table).querySelector<HTMLButtonElement>('#next')!;
    const previous = shadow(table).querySelector<HTMLButtonElement>('#previous')!;
    expect(previous.disabled).to.equal(true);
    next.click();
    await until(() => range(table) === '26–33 of 33');
    expect(rows(table)).to.have.length(8);
    expect(names(table)[0]).to.equal('User23 Test');
    expect(shadow(table).querySelector<HTMLButtonElement>('#next')!.disabled).to.equal(true);
    previous.click();
    await until(() => range(table) === '1–25 of 33');

    // A quiet reload in flight (a change made elsewhere) does not swallow a click on the pager.
    next.click();
    await until(() => range(table) === '26–33 of 33');
    table.reload();
    await table.updateComplete;
    expect(shadow(table).querySelector('table')!.getAttribute('aria-busy')).to.equal('true');
    previous.click();
    await until(() => range(table) === '1–25 of 33');
    table.reload();
    await table.updateComplete;
    next.click();
    await until(() => range(table) === '26–33 of 33');
    previous.click();
    await until(() => range(table) === '1–25 of 33');

    // Page size.
    const size = shadow(table).querySelector<HTMLSelectElement>('#page-size')!;
    size.value = '50';
    size.dispatchEvent(new Event('change'));
    await until(() => range(table) === '1–33 of 33');
    size.value = '25';
    size.dispatchEvent(new Event('change'));
    await until(() => range(table) === '1–25 of 33');

    // Sort: aria-sort on the header, the order from the server.
    const nameHeader = shadow(table).querySelector('#sort-name')!.closest('th')!;
    expect(nameHeader.getAttribute('aria-sort')).to.equal('ascending');
    shadow(table).querySelector<HTMLButtonElement>('#sort-name')!.click();
    await until(() => names(table)[0] === 'User30 Test');
    expect(nameHeader.getAttribute('aria-sort')).to.equal('descending');
    shadow(table).querySelector<HTMLButtonElement>('#sort-status')!.click();
    await until(() => shadow(table).querySelector('#sort-status')!.closest('th')!.getAttribute('aria-sort') === 'ascending');
    expect(nameHeader.getAttribute('aria-sort')).to.equal('none');
    shadow(table).querySelector<HTMLButtonElement>('#sort-status')!.click();
    await until(() => statusOf(table, names(table)[0]!) === 'Invited');
    expect(shadow(table).querySelector('#sort-status')!.closest('th')!.getAttribute('aria-sort')).to.equal('descending');
    await expect(table).to.be.accessible();

    // Search (debounced, server-side).
    const search = shadow(table).querySelector<HTMLInputElement>('#search')!;
    search.value = 'grace';
    search.dispatchEvent(new Event('input'));
    await until(() => rows(table).length === 1);
    expect(names(table)).to.deep.equal(['Grace Hopper']);
    expect(range(table)).to.equal('1–1 of 1');
    search.value = 'nobody-like-this';
    search.dispatchEvent(new Event('input'));
    await until(() => textOf(table).includes('No users match.'));
    expect(rows(table)).to.have.length(0);
    await expect(table).to.be.accessible();
    search.value = '';
    search.dispatchEvent(new Event('input'));
    await until(() => rows(table).length === 25);

    // Filters.
    const status = shadow(table).querySelector<HTMLSelectElement>('#status-filter')!;
    status.value = 'invited';
    status.dispatchEvent(new Event('change'));
    await until(() => range(table) === '1–3 of 3');
    expect(rows(table).every((row) => textOf(row.querySelector('[part~="status"]')) === 'Invited')).to.equal(true);
    status.value = '';
    status.dispatchEvent(new Event('change'));
    const role = shadow(table).querySelector<HTMLSelectElement>('#role-filter')!;
    role.value = 'admin';
    role.dispatchEvent(new Event('change'));
    await until(() => range(table) === '1–1 of 1');
    expect(names(table)).to.deep.equal(['Grace Hopper']);
    await expect(table).to.be.accessible();
  });

  it('has at most 3 tab stops per row: its checkbox, the main action and a More actions menu button', async () => {
    const s = await seed({ quantity: 12 });
    for (let i = 1; i <= 7; i++) await s.addUser(`user${i}@acme.example`, `User${i}`, 'Test', i > 5);
    const { table } = await mount(s, s.ownerToken);
    await until(() => rows(table).length === 10);
    const tabbable = (row: Element) => [...row.querySelectorAll<HTMLElement>('button, input, select, a, [tabindex]')].filter((e) => e.tabIndex >= 0);
    expect(rows(table).map((row) => tabbable(row).length)).to.deep.equal(Array(10).fill(3));
    // Tab walks main action, menu button, next row's checkbox and main action.
    action(table, 'Edit Alan Turing')!.focus();
    await sendKeys({ press: 'Tab' });
    expect(active(table) === menuButton(table, 'Alan Turing')).to.equal(true);
    await sendKeys({ press: 'Tab' });
    expect(active(table) === rows(table)[2]!.querySelector('input[type="checkbox"]')).to.equal(true);
    await sendKeys({ press: 'Tab' });
    expect(active(table) === rows(table)[2]!.querySelector('[part~="action-button"]')).to.equal(true);
    await expect(table).to.be.accessible();
  });

  it('runs the More actions menu by keyboard (WAI-ARIA menu button): Enter, Space and arrows open it, arrows move, Escape closes it and focus returns', async () => {
    const s = await seed({ quantity: 5 });
    const { table } = await mount(s, s.ownerToken);
    const more = menuButton(table, 'Alan Turing')!;
    expect([more.getAttribute('aria-haspopup'), more.getAttribute('aria-expanded'), textOf(more)]).to.deep.equal(['menu', 'false', 'More ▾']);
    more.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => menuItems(table).length > 0);
    const menu = shadow(table).querySelector('[role="menu"]')!;
    expect(more.getAttribute('aria-expanded')).to.equal('true');
    expect(more.getAttribute('aria-controls')).to.equal(menu.id);
    expect(menu.getAttribute('aria-labelledby')).to.equal(more.id);
    expect(menuItems(table).map((i) => [textOf(i), i.tabIndex])).to.deep.equal([
      ['Reassign license', -1],
      ['View history', -1],
      ['Make primary contact', -1],
      ['Remove team member', -1],
    ]);
    expect(textOf(active(table))).to.equal('Reassign license');
    await expect(table).to.be.accessible();
    await sendKeys({ press: 'ArrowDown' });
    expect(textOf(active(table))).to.equal('View history');
    await sendKeys({ press: 'End' });
    expect(textOf(active(table))).to.equal('Remove team member');
    await sendKeys({ press: 'ArrowDown' });
    expect(textOf(active(table))).to.equal('Reassign license');
    await sendKeys({ press: 'ArrowUp' });
    expect(textOf(active(table))).to.equal('Remove team member');
    await sendKeys({ press: 'Home' });
    expect(textOf(active(table))).to.equal('Reassign license');
    await sendKeys({ press: 'Escape' });
    await until(() => menuItems(table).length === 0);
    expect(active(table)).to.equal(more);
    expect(more.getAttribute('aria-expanded')).to.equal('false');

    // Space opens it too; ArrowDown and ArrowUp on the button open it at the first and the last item.
    await sendKeys({ press: 'Space' });
    await until(() => textOf(active(table)) === 'Reassign license');
    await sendKeys({ press: 'Escape' });
    await until(() => active(table) === more);
    await sendKeys({ press: 'ArrowUp' });
    await until(() => textOf(active(table)) === 'Remove team member');
    await sendKeys({ press: 'Escape' });
    await until(() => active(table) === more);
    await sendKeys({ press: 'ArrowDown' });
    await until(() => textOf(active(table)) === 'Reassign license');

    // Enter on an item runs it; its dialog gives focus back to the menu button.
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: 'Enter' });
    await until(() => dialog(table).open);
    expect(textOf(dialog(table).querySelector('#dialog-heading'))).to.equal('History of Alan Turing');
    expect(menuItems(table)).to.have.length(0);
    await sendKeys({ press: 'Escape' });
    await until(() => !dialog(table).open);
    expect(active(table)).to.equal(more);

    // Tab leaves the menu and closes it.
    await sendKeys({ press: 'Enter' });
    await until(() => menuItems(table).length > 0);
    await sendKeys({ press: 'Tab' });
    await until(() => menuItems(table).length === 0);
    expect(more.getAttribute('aria-expanded')).to.equal('false');
  });

  it('moves focus to a remaining row when the row of the acted-on user leaves the list', async () => {
    const s = await seed({ quantity: 5 });
    const { table } = await mount(s, s.ownerToken);
    const status = shadow(table).querySelector<HTMLSelectElement>('#status-filter')!;
    status.value = 'enabled';
    status.dispatchEvent(new Event('change'));
    await until(() => rows(table).length === 3);
    const d = await openDialogFor(table, 'Alan Turing', 'Remove team member');
    button(d, 'Remove team member').click();
    await until(() => rows(table).length === 2);
    await until(() => shadow(table).activeElement?.getAttribute('part') === 'action-button');
    expect(shadow(table).activeElement!.getAttribute('aria-label')).to.equal('Edit Grace Hopper');
  });

  it('shows an error with a retry when the account cannot be loaded, and when the users cannot', async () => {
    const s = await seed({ quantity: 5 });
    const table = await fixture<UserTable>(html`<user-table base-url=${API_BASE} account-id="acc_missing" token=${s.ownerToken}></user-table>`);
    await until(() => textOf(table).includes('Could not load the licenses.'));
    expect(button(shadow(table), 'Try again')).to.not.equal(undefined);
    await expect(table).to.be.accessible();

    const original = window.fetch;
    window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(input, init);
      return request.url.includes('/users') ? Promise.resolve(new Response('{}', { status: 500 })) : original.call(window, request);
    };
    try {
      const other = await fixture<UserTable>(html`<user-table base-url=${API_BASE} account-id=${s.accountId} token=${s.ownerToken}></user-table>`);
      await until(() => textOf(other).includes('Could not load the users.'), 8000);
      expect(button(shadow(other), 'Try again')).to.not.equal(undefined);
      await expect(other).to.be.accessible();
    } finally {
      window.fetch = original;
    }
  });

  it('lays rows out as cards under 600 px', async () => {
    const s = await seed({ quantity: 5 });
    const wrapper = await fixture<HTMLDivElement>(html`<div style="width: 400px">
      <user-table base-url=${API_BASE} account-id=${s.accountId} token=${s.ownerToken}></user-table>
    </div>`);
    const table = wrapper.querySelector('user-table')!;
    await until(() => rows(table).length === 3);
    expect(getComputedStyle(rows(table)[0]!).display).to.equal('block');
    expect(table.scrollWidth).to.be.at.most(400);
    await expect(table).to.be.accessible();
  });

  it('wraps a 100+100-character name, a 254-character email and a long qualification: no sideways scrolling at 1280 or 400 px, actions in view', async () => {
    const s = await seed({ quantity: 6 });
    const first = 'F'.repeat(100);
    const last = 'L'.repeat(100);
    const email = `${'e'.repeat(64)}@${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(59)}.example`;
    expect(email).to.have.length(254);
    const long = await s.addUser(email, first, last);
    await new SeatClient({ baseUrl: API_BASE, accountId: s.accountId, token: s.ownerToken }).users.update(long.id, { qualification: 'Q'.repeat(100) });
    try {
      // 780: about the narrowest page that still gets the table rather than cards.
      for (const width of [1280, 780, 400]) {
        await setViewport({ width, height: 900 });
        const { table } = await mount(s, s.ownerToken);
        await until(() => rows(table).length === 4);
        const wrap = shadow(table).querySelector<HTMLElement>('.table-wrap')!;
        const base = shadow(table).querySelector<HTMLElement>('[part~="base"]')!;
        expect(wrap.scrollWidth, `table at ${width}`).to.be.at.most(wrap.clientWidth);
        expect(base.scrollWidth, `box at ${width}`).to.be.at.most(base.clientWidth);
        expect(document.documentElement.scrollWidth, `page at ${width}`).to.be.at.most(width);
        const box = wrap.getBoundingClientRect();
        for (const row of rows(table)) {
          for (const control of row.querySelectorAll('button')) {
            const rect = control.getBoundingClientRect();
            expect(rect.right, `${textOf(control)} at ${width}`).to.be.at.most(box.right + 0.5);
            expect(rect.left).to.be.at.least(box.left - 0.5);
          }
        }
        expect(textOf(rowOf(table, `${first} ${last}`))).to.contain(email);
        await expect(table).to.be.accessible();
      }
    } finally {
      await setViewport({ width: 800, height: 600 });
    }
  });

  it('shows a failed row action under its row, with what the viewer can do about it', async () => {
    const s = await seed({ quantity: 4 });
    await api('DELETE', `/v1/accounts/${s.accountId}/users/${s.member.id}/license`, s.ownerToken);
    await s.addUser('kay@acme.example', 'Kay', 'Adams', true);
    await api('DELETE', `/v1/accounts/${s.accountId}/users/${(await s.addUser('zed@acme.example', 'Zed', 'Zulu', true)).id}/invitation`, s.ownerToken);
    for (const [token, advice, ivy] of [
      [s.ownerToken, 'Buy more with Manage licenses, or free one.', 'ivy'],
      [s.adminToken, 'Free one, or ask Ada Lovelace, the account owner, for more licenses.', 'ivo'],
    ] as const) {
      const { table, provider } = await mount(s, token);
      // Not live: the change lands between what the page shows and the click (live updates would show it first).
      provider.live = 'off';
      await until(() => statusOf(table, 'Alan Turing') === 'Disabled');
      // The last license goes elsewhere after the page loaded: the table still offers it.
      const taken = await api<{ user: User }>('POST', `/v1/accounts/${s.accountId}/invitations`, s.ownerToken, { email: `${ivy}@acme.example`, firstName: 'Ivy', lastName: 'Ives' });
      const errors = record(table, ['seat-error']);
      const assign = action(table, 'Assign a license to Alan Turing')!;
      assign.click();
      await until(() => !!shadow(table).querySelector('.row-notice'));
      const notice = shadow(table).querySelector('.row-notice')!;
      expect(notice.previousElementSibling).to.equal(rowOf(table, 'Alan Turing'));
      expect(textOf(notice.querySelector('[role="alert"] p'))).to.equal(`No license is free. ${advice}`);
      expect(buttonsOf(notice)).to.deep.equal(token === s.ownerToken ? ['Buy a license'] : []);
      expect((errors[0]!.detail as { error: { code: string } }).error.code).to.equal('no_license_available');
      expect(shadow(table).querySelector('.notice:not(.row-notice .notice)')).to.equal(null);
      await expect(table).to.be.accessible();
      await api('DELETE', `/v1/accounts/${s.accountId}/users/${taken.user.id}/invitation`, s.ownerToken);
    }

    // Another failure says the server's words at the row: Zed got a license from someone else meanwhile.
    const { table, provider } = await mount(s, s.ownerToken);
    provider.live = 'off';
    await until(() => statusOf(table, 'Zed Zulu') === 'Disabled');
    await api('PUT', `/v1/accounts/${s.accountId}/users/${(await api<{ data: User[] }>('GET', `/v1/accounts/${s.accountId}/users?q=zed`, s.ownerToken)).data[0]!.id}/license`, s.ownerToken);
    action(table, 'Assign a license to Zed Zulu')!.click();
    await until(() => !!shadow(table).querySelector('.row-notice'));
    expect(shadow(table).querySelector('.row-notice')!.previousElementSibling).to.equal(rowOf(table, 'Zed Zulu'));
    expect(textOf(shadow(table).querySelector('.row-notice [role="alert"]'))).to.equal('This user already holds a license.');
  });

  it('disables Assign and Resend when no license is free, saying why, and says it at the row when activated', async () => {
    const s = await seed({ quantity: 3 });
    await api('DELETE', `/v1/accounts/${s.accountId}/users/${s.member.id}/license`, s.ownerToken);
    await s.addUser('kay@acme.example', 'Kay', 'Adams', true);
    const { table } = await mount(s, s.adminToken);
    await until(() => statusOf(table, 'Alan Turing') === 'Disabled');
    const assign = action(table, 'Assign a license to Alan Turing')!;
    expect(assign.getAttribute('aria-disabled')).to.equal('true');
    const reason = shadow(table).getElementById(assign.getAttribute('aria-describedby')!)!;
    expect(textOf(reason)).to.equal('No license is free. Free one, or ask Ada Lovelace, the account owner, for more licenses.');
    // An invitation still pending takes no new license: its Resend stays available.
    expect(action(table, 'Resend the invitation to Kay Adams')!.hasAttribute('aria-disabled')).to.equal(false);
    await expect(table).to.be.accessible();
    const requests: string[] = [];
    const original = window.fetch;
    window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(input, init);
      requests.push(`${request.method} ${new URL(request.url).pathname}`);
      return original.call(window, request);
    };
    try {
      assign.click();
      await until(() => !!shadow(table).querySelector('.row-notice'));
    } finally {
      window.fetch = original;
    }
    expect(requests.filter((r) => r.startsWith('PUT'))).to.deep.equal([]);
    expect(textOf(shadow(table).querySelector('.row-notice'))).to.equal(textOf(reason));
  });

  it('warns before an assign that a scheduled reduction would undo, naming the date', async () => {
    const s = await seed({ quantity: 5 });
    await api('DELETE', `/v1/accounts/${s.accountId}/users/${s.member.id}/license`, s.ownerToken);
    const response = await fetch(`${API_BASE}/v1/accounts/${s.accountId}/licenses`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${s.ownerToken}`, 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
      body: JSON.stringify({ quantity: 2, expectedAmountDue: 0, acceptAgreement: true }),
    });
    expect(response.status).to.equal(200);
    const { provider, table } = await mount(s, s.ownerToken);
    await until(() => statusOf(table, 'Alan Turing') === 'Disabled');
    const seen = record(provider, ['seat-license-assigned']);
    const d = await openDialogFor(table, 'Assign a license to Alan Turing');
    expect(textOf(d.querySelector('#dialog-heading'))).to.equal('Assign a license to Alan Turing');
    expect(textOf(d.querySelector('p'))).to.equal(
      'Your licenses go down to 2 on Jun 15, 2026. Unless a license is freed or bought before then, this one is taken back on that date.',
    );
    expect(buttonsOf(d)).to.deep.equal(['Cancel', 'Assign']);
    await expect(table).to.be.accessible();
    button(d, 'Cancel').click();
    await until(() => !d.open);
    expect(seen).to.have.length(0);
    expect(statusOf(table, 'Alan Turing')).to.equal('Disabled');

    await openDialogFor(table, 'Assign a license to Alan Turing');
    button(d, 'Assign').click();
    await until(() => statusOf(table, 'Alan Turing') === 'Enabled');
    expect(seen).to.have.length(1);
  });

  it('finds anyone without a license in the reassign picker by searching the server: the 258th of 300 users', async () => {
    const s = await seed({ quantity: 5 });
    for (let i = 1; i <= 297; i++) {
      const { user } = await api<{ user: User }>('POST', `/v1/accounts/${s.accountId}/invitations`, s.ownerToken, {
        email: `p${i}@acme.example`,
        firstName: `Pat${String(i).padStart(3, '0')}`,
        lastName: 'Person',
      });
      await api('DELETE', `/v1/accounts/${s.accountId}/users/${user.id}/invitation`, s.ownerToken);
    }
    const { provider, table } = await mount(s, s.ownerToken, 25);
    await until(() => range(table) === '1–25 of 300');
    const d = await openDialogFor(table, 'Alan Turing', 'Reassign license');
    await until(() => d.querySelectorAll('label.receiver').length === 20);
    expect(textOf(d.querySelector('#receivers-count'))).to.equal('Showing 20 of 297. Search to find the others.');
    expect(textOf(d.querySelector('label.receiver'))).to.equal('Pat001 Person p1@acme.example');
    await expect(table).to.be.accessible();

    const search = d.querySelector<HTMLInputElement>('#receiver-search')!;
    search.value = 'Pat258';
    search.dispatchEvent(new Event('input'));
    await until(() => d.querySelectorAll('label.receiver').length === 1);
    expect(textOf(d.querySelector('label.receiver'))).to.equal('Pat258 Person p258@acme.example');
    search.value = 'nobody-like-this';
    search.dispatchEvent(new Event('input'));
    await until(() => textOf(d.querySelector('#receivers-count')) === 'Nobody without a license matches.');
    search.value = 'pat258';
    search.dispatchEvent(new Event('input'));
    await until(() => d.querySelectorAll('label.receiver').length === 1);
    d.querySelector<HTMLInputElement>('input[type="radio"]')!.click();
    await table.updateComplete;
    const seen = record(provider, ['seat-license-reassigned']);
    button(d, 'Reassign license').click();
    await until(() => seen.length === 1);
    const pat = (await api<{ data: User[] }>('GET', `/v1/accounts/${s.accountId}/users?q=Pat258`, s.ownerToken)).data[0]!;
    expect(pat.status).to.equal('invited');
    await until(() => statusOf(table, 'Alan Turing') === 'Disabled');
  });

  it('pages the history, and each entry says to whom, what changed, and what happened by itself', async () => {
    const s = await seed({ quantity: 5 });
    const dave = await s.addUser('dave@acme.example', 'Dave', 'Cutler');
    await api('DELETE', `/v1/accounts/${s.accountId}/users/${s.member.id}/license`, s.ownerToken);
    await api('POST', `/v1/accounts/${s.accountId}/license-transfers`, s.ownerToken, { fromUserId: dave.id, toUserId: s.member.id });
    await new SeatClient({ baseUrl: API_BASE, accountId: s.accountId, token: s.adminToken }).users.update(s.member.id, { lastName: 'Turing-Smith', role: 'admin' });
    // 22 more entries: more than a page.
    for (let i = 0; i < 11; i++) {
      await api('DELETE', `/v1/accounts/${s.accountId}/users/${s.member.id}/license`, s.ownerToken);
      await api('PUT', `/v1/accounts/${s.accountId}/users/${s.member.id}/license`, s.ownerToken);
    }
    // An invitation left a week: it expires by itself.
    await s.addUser('kay@acme.example', 'Kay', 'Adams', true);
    await api('POST', `/v1/accounts/${s.accountId}/test-clock`, API_KEY, { advanceTo: '2026-05-23T00:00:00.000Z' });

    const { table } = await mount(s, s.ownerToken);
    const d = await openDialogFor(table, 'Alan Turing-Smith', 'View history');
    await until(() => d.querySelectorAll('li').length === 20);
    expect(textOf(d.querySelector('[role="status"]'))).to.equal('20 of 27 entries');
    await expect(table).to.be.accessible();
    button(d, 'Show more').click();
    await until(() => d.querySelectorAll('li').length === 27);
    await until(() => !textOf(d).includes('…'));
    const entries = [...d.querySelectorAll('li .event')].map((li) => textOf(li));
    expect(entries.slice(-5)).to.deep.equal([
      'Details changed: Last name from “Turing” to “Turing-Smith” and Role from “Member” to “Admin”, by Grace Hopper',
      'License received from Dave Cutler, by you',
      'License removed, by you',
      'Invitation accepted, by Alan Turing-Smith',
      'Invited, by you',
    ]);
    expect(textOf(d)).not.to.contain('Show more');
    expect(textOf(d.querySelector('[role="status"]'))).to.equal('27 of 27 entries');
    await until(() => textOf(active(table)) === 'Close');
    await closeWith(d, 'Close');
    expect(active(table)).to.equal(menuButton(table, 'Alan Turing-Smith'));

    const daveHistory = await openDialogFor(table, 'Dave Cutler', 'View history');
    await until(() => textOf(daveHistory).includes('License reassigned to'));
    expect(textOf(daveHistory.querySelector('li .event'))).to.equal('License reassigned to Alan Turing-Smith, by you');
    await closeWith(daveHistory, 'Close');

    expect(statusOf(table, 'Kay Adams')).to.equal('Invitation expired');
    const kayHistory = await openDialogFor(table, 'Kay Adams', 'View history');
    await until(() => kayHistory.querySelectorAll('li').length === 2);
    expect([...kayHistory.querySelectorAll('li .event')].map((li) => textOf(li))).to.deep.equal([
      'Invitation expired (not accepted in time), automatically',
      'Invited, by you',
    ]);
  });

  it('draws skeleton rows while the first page loads', async () => {
    const s = await seed({ quantity: 5 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const original = window.fetch;
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(input, init);
      if (new URL(request.url).pathname.endsWith('/users')) await gate;
      return original.call(window, request);
    };
    try {
      const table = await fixture<UserTable>(html`<user-table base-url=${API_BASE} account-id=${s.accountId} token=${s.ownerToken}></user-table>`);
      await until(() => !!shadow(table).querySelector('tbody'));
      const skeleton = [...shadow(table).querySelectorAll('tbody tr.skeleton')];
      expect(skeleton).to.have.length(5);
      expect(skeleton.every((row) => row.getAttribute('aria-hidden') === 'true')).to.equal(true);
      expect(shadow(table).querySelector('table')!.getAttribute('aria-busy')).to.equal('true');
      expect(textOf(table)).not.to.contain('Loading');
      await expect(table).to.be.accessible();
      release();
      await until(() => rows(table).length === 3);
      expect(shadow(table).querySelector('tr.skeleton')).to.equal(null);
      expect(shadow(table).querySelector('table')!.getAttribute('aria-busy')).to.equal('false');
    } finally {
      window.fetch = original;
      release();
    }
  });

  it('takes any page size from 1 to 200, as the API does; another value becomes the nearest one, with a warning', async () => {
    const s = await seed({ quantity: 6 });
    for (let i = 1; i <= 3; i++) await s.addUser(`user${i}@acme.example`, `User${i}`, 'Test', true);
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => warnings.push(message);
    try {
      const { table } = await mount(s, s.ownerToken, 2);
      await until(() => range(table) === '1–2 of 6');
      expect(rows(table)).to.have.length(2);
      const size = shadow(table).querySelector<HTMLSelectElement>('#page-size')!;
      expect([size.value, [...size.options].map((o) => o.value)]).to.deep.equal(['2', ['2', '25', '50', '100']]);
      expect(warnings).to.deep.equal([]);
      await expect(table).to.be.accessible();

      table.pageSize = 500;
      await until(() => range(table) === '1–6 of 6');
      expect(shadow(table).querySelector<HTMLSelectElement>('#page-size')!.value).to.equal('200');
      table.setAttribute('page-size', 'lots');
      await until(() => shadow(table).querySelector<HTMLSelectElement>('#page-size')!.value === '50');
      table.pageSize = 2.4;
      await until(() => range(table) === '1–2 of 6');
      expect(warnings).to.deep.equal([
        '<user-table>: page-size must be a whole number from 1 to 200; got "500", using 200.',
        '<user-table>: page-size must be a whole number from 1 to 200; got "NaN", using 50.',
        '<user-table>: page-size must be a whole number from 1 to 200; got "2.4", using 2.',
      ]);
    } finally {
      console.warn = warn;
    }
  });
});
