import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { SeatError } from '../../sdk/core/errors.js';
import type { PageBody, User, UserResult } from '../../sdk/types.js';
import '../../widget/index.js';
import type { InviteForm } from '../../widget/invite-form/invite-form.js';
import type { SeatBanner } from '../../widget/seat-banner/seat-banner.js';
import type { SeatProvider } from '../../widget/seat-provider/seat-provider.js';
import type { SeatEvent, SeatEventDetails } from '../../widget/common/events.js';
import type { SeatStore } from '../../widget/common/store.js';
import { API_BASE, api, seed, textOf, until, type Seeded } from './helpers.js';

declare const describe: (name: string, fn: () => void) => void;
declare const it: (name: string, fn: () => Promise<void>) => void;

const q = <T extends Element = HTMLElement>(el: Element, selector: string) => el.shadowRoot!.querySelector(selector) as T;

/** The element's store (protected: read here only to know when the account has loaded). */
const storeOf = (el: InviteForm) => (el as unknown as { store?: SeatStore }).store;

async function standalone(s: Seeded, token = s.ownerToken): Promise<InviteForm> {
  const el = await fixture<InviteForm>(html`<invite-form base-url=${API_BASE} account-id=${s.accountId} token=${token}></invite-form>`);
  await until(() => ['ready', 'error'].includes(storeOf(el)?.status ?? ''));
  return el;
}

async function inProvider(s: Seeded) {
  const provider = await fixture<SeatProvider>(html`
    <seat-provider base-url=${API_BASE} account-id=${s.accountId} token=${s.ownerToken}>
      <seat-banner></seat-banner>
      <invite-form></invite-form>
    </seat-provider>
  `);
  const banner = provider.querySelector('seat-banner') as SeatBanner;
  const form = provider.querySelector('invite-form') as InviteForm;
  await until(() => textOf(banner).includes('licenses in use') && !!q(form, 'form'));
  return { provider, banner, form };
}

/** Types into a field as a person would (an `input` event per change). */
function fill(el: InviteForm, values: Partial<Record<'email' | 'first-name' | 'last-name' | 'qualification' | 'role', string>>): void {
  for (const [id, value] of Object.entries(values)) {
    const input = q<HTMLInputElement | HTMLSelectElement>(el, `#${id}`);
    input.value = value;
    input.dispatchEvent(new Event(id === 'role' ? 'change' : 'input', { bubbles: true, composed: true }));
  }
}

function submit(el: InviteForm): void {
  q<HTMLButtonElement>(el, '[part~="submit-button"]').click();
}

async function users(s: Seeded): Promise<User[]> {
  return (await api<PageBody<User>>('GET', `/v1/accounts/${s.accountId}/users?limit=200`, s.ownerToken)).data;
}

/** The message a field's `aria-describedby` points at. */
function messageOf(el: InviteForm, id: string): string {
  const input = q(el, `#${id}`);
  const ids = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  return ids.map((ref) => textOf(q(el, `#${ref}`))).join(' ');
}

function activeId(el: Element): string | undefined {
  return el.shadowRoot!.activeElement?.id || (el.shadowRoot!.activeElement?.getAttribute('part') ?? undefined);
}

describe('<invite-form>', () => {
  it('renders a heading and every field with its label', async () => {
    const s = await seed();
    const el = await standalone(s);
    expect(textOf(q(el, 'h2'))).to.equal('Invite a new user');
    for (const [id, label] of [
      ['email', 'Email'],
      ['first-name', 'First name'],
      ['last-name', 'Last name'],
      ['role', 'Role'],
      ['qualification', 'Qualification'],
    ]) {
      expect(textOf(q(el, `label[for="${id}"]`)), id).to.equal(label);
      expect(q(el, `#${id}`), id).not.to.equal(null);
    }
    const role = q<HTMLSelectElement>(el, '#role');
    expect(role.value).to.equal('member');
    expect([...role.options].map((o) => o.textContent!.trim())).to.deep.equal(['Member', 'Admin']);
    expect(messageOf(el, 'qualification')).to.contain('Optional');
    expect(textOf(q(el, '[part~="submit-button"]'))).to.equal('Invite new user');
    await expect(el).to.be.accessible();
  });

  it('shows the server’s validation rules at the fields, focuses the first invalid one and sends nothing', async () => {
    const s = await seed();
    const el = await standalone(s);
    let invited = 0;
    el.addEventListener('seat-user-invited', () => invited++);

    submit(el);
    await until(() => q(el, '#email').getAttribute('aria-invalid') === 'true');
    for (const id of ['email', 'first-name', 'last-name']) {
      expect(q(el, `#${id}`).getAttribute('aria-invalid'), id).to.equal('true');
      expect(messageOf(el, id), id).to.equal('Required');
    }
    expect(q(el, '#qualification').getAttribute('aria-invalid')).to.equal('false');
    expect(activeId(el)).to.equal('email');
    expect(textOf(q(el, '[role="alert"]'))).to.equal('Check the highlighted fields.');
    await expect(el).to.be.accessible();

    fill(el, { email: 'not an email', 'first-name': 'A'.repeat(101), 'last-name': 'Love\u202Elace', qualification: 'Q'.repeat(101) });
    submit(el);
    await until(() => messageOf(el, 'email').includes('valid email'));
    expect(messageOf(el, 'first-name')).to.equal('At most 100 characters');
    expect(messageOf(el, 'last-name')).to.equal('Contains characters that are not allowed');
    expect(messageOf(el, 'qualification')).to.contain('At most 100 characters');
    expect(activeId(el)).to.equal('email');
    await expect(el).to.be.accessible();

    // Fixing a field clears its message as it is typed.
    fill(el, { email: 'bob@acme.example' });
    await until(() => q(el, '#email').getAttribute('aria-invalid') === 'false');
    expect(messageOf(el, 'email')).to.equal('');
    submit(el);
    await el.updateComplete;
    expect(activeId(el)).to.equal('first-name');

    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(invited).to.equal(0);
    expect((await users(s)).length).to.equal(3);
  });

  it('refuses a name that shows nothing (Hangul filler) with the server’s message, and sends nothing', async () => {
    const s = await seed();
    const el = await standalone(s);
    fill(el, { email: 'filler@acme.example', 'first-name': '\u3164', 'last-name': 'Person' });
    submit(el);
    await until(() => q(el, '#first-name').getAttribute('aria-invalid') === 'true');
    expect(messageOf(el, 'first-name')).to.equal('Needs at least one letter or digit');
    expect(activeId(el)).to.equal('first-name');
    // The server says the same of the same name.
    const refused = await api('POST', `/v1/accounts/${s.accountId}/invitations`, s.ownerToken, { email: 'filler@acme.example', firstName: '\u3164', lastName: 'Person' }).then(
      () => 'accepted',
      (error: Error) => error.message,
    );
    expect(refused).to.contain(' 400 ').and.to.contain('"firstName":"Needs at least one letter or digit"');
    expect((await users(s)).length).to.equal(3);
  });

  it('invites, clears the form and announces it', async () => {
    const s = await seed();
    const el = await standalone(s);
    fill(el, { email: ' bob@acme.example ', 'first-name': 'Bob', 'last-name': 'Builder', role: 'admin', qualification: 'Site manager' });
    submit(el);
    await el.updateComplete;
    expect(q<HTMLButtonElement>(el, '[part~="submit-button"]').disabled).to.equal(true);
    expect(textOf(q(el, '[part~="submit-button"]'))).to.equal('Inviting…');
    await until(() => textOf(q(el, '[role="status"]')).includes('Invitation sent'));
    expect(textOf(q(el, '[role="status"]'))).to.equal('Invitation sent to Bob Builder (bob@acme.example).');
    for (const id of ['email', 'first-name', 'last-name', 'qualification']) expect(q<HTMLInputElement>(el, `#${id}`).value, id).to.equal('');
    expect(q<HTMLSelectElement>(el, '#role').value).to.equal('member');
    expect(q<HTMLButtonElement>(el, '[part~="submit-button"]').disabled).to.equal(false);
    expect(activeId(el)).to.equal('email');
    const bob = (await users(s)).find((u) => u.email === 'bob@acme.example')!;
    expect(bob).to.include({ firstName: 'Bob', lastName: 'Builder', role: 'admin', qualification: 'Site manager', status: 'invited' });
    await expect(el).to.be.accessible();
  });

  it('invites once for a double submit', async () => {
    const s = await seed();
    const el = await standalone(s);
    let invited = 0;
    el.addEventListener('seat-user-invited', () => invited++);
    fill(el, { email: 'bob@acme.example', 'first-name': 'Bob', 'last-name': 'Builder' });
    const form = q<HTMLFormElement>(el, 'form');
    form.requestSubmit();
    form.requestSubmit();
    submit(el);
    await until(() => invited > 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(invited).to.equal(1);
    expect((await users(s)).filter((u) => u.email === 'bob@acme.example')).to.have.length(1);
    expect(textOf(q(el, '[role="alert"]'))).to.equal('');
  });

  it('updates the banner of the same provider without a reload', async () => {
    const s = await seed({ quantity: 5 });
    const { banner, form } = await inProvider(s);
    expect(textOf(banner)).to.contain('3 of 5 licenses in use');
    fill(form, { email: 'bob@acme.example', 'first-name': 'Bob', 'last-name': 'Builder' });
    submit(form);
    await until(() => textOf(banner).includes('4 of 5 licenses in use'));
    expect(textOf(banner)).to.contain('1 pending invitation');
    await expect(form).to.be.accessible();
  });

  it('alone, says when no license is free; "Buy a license" asks the host, and says where to buy when nobody sells here', async () => {
    const s = await seed({ quantity: 3 });
    const el = await standalone(s);
    await until(() => !!q(el, '#no-license'));
    const notice = q(el, '#no-license');
    expect(textOf(notice.querySelector('p'))).to.equal('No license is free, so nobody can be invited now. Buy more with Manage licenses, or free one.');
    expect(q<HTMLButtonElement>(el, '[part~="submit-button"]').disabled).to.equal(true);
    await expect(el).to.be.accessible();

    const requests: SeatEventDetails['seat-purchase-request'][] = [];
    el.addEventListener('seat-purchase-request', (e) => requests.push(e.detail));
    notice.querySelector('button')!.click();
    await until(() => textOf(notice).includes('Buy a license with Manage licenses first.'));
    expect(requests).to.have.length(1);
    expect(requests[0]).to.deep.include({ needed: 1 });
    expect(requests[0]!.licenses).to.include({ quantity: 3, available: 0 });
    await expect(el).to.be.accessible();
  });

  it('beside a banner, leaves "no license is free" to it and says why Invite is disabled', async () => {
    const s = await seed({ quantity: 3 });
    const { banner, form } = await inProvider(s);
    await until(() => !!q(form, '#submit-hint'));
    expect(q(form, '#no-license')).to.equal(null);
    expect(textOf(q(form, '#submit-hint'))).to.equal('Inviting someone needs a free license.');
    const submitButton = q<HTMLButtonElement>(form, '[part~="submit-button"]');
    expect([submitButton.disabled, submitButton.getAttribute('aria-describedby')]).to.deep.equal([true, 'submit-hint']);
    expect(textOf(banner)).to.contain('All licenses are in use.');
    await expect(form).to.be.accessible();
  });

  it('beside a banner, says why nothing was sent when the last license went elsewhere meanwhile', async () => {
    const s = await seed({ quantity: 4 });
    const { provider, banner, form } = await inProvider(s);
    // Not live: the change lands between what the page shows and the click (live updates would show it first).
    provider.live = 'off';
    await provider.updateComplete;
    await api('POST', `/v1/accounts/${s.accountId}/invitations`, s.ownerToken, { email: 'zoe@acme.example', firstName: 'Zoe', lastName: 'Zed' });
    fill(form, { email: 'bob@acme.example', 'first-name': 'Bob', 'last-name': 'Builder' });
    submit(form);
    await until(() => textOf(q(form, '[role="alert"]')) === 'No license is free, so nobody can be invited now.');
    expect(q(form, '#no-license')).to.equal(null);
    await until(() => textOf(banner).includes('All licenses are in use.'));
    expect(activeId(form)).to.equal('email');
    expect(q<HTMLInputElement>(form, '#email').value).to.equal('bob@acme.example');
    await expect(form).to.be.accessible();
  });

  it('lets the host take over the purchase by cancelling seat-purchase-request', async () => {
    const s = await seed({ quantity: 3 });
    const el = await standalone(s);
    await until(() => !!q(el, '#no-license'));
    let seen = 0;
    document.addEventListener('seat-purchase-request', function cancel(e) {
      seen++;
      e.preventDefault();
      document.removeEventListener('seat-purchase-request', cancel);
    });
    q(el, '#no-license button').click();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen).to.equal(1);
    expect(textOf(q(el, '#no-license'))).not.to.contain('Manage licenses first');
  });

  it('tells an admin to free a license or ask the owner, by name, with no Buy button', async () => {
    const s = await seed({ quantity: 3 });
    const el = await standalone(s, s.adminToken);
    await until(() => !!q(el, '#no-license'));
    expect(textOf(q(el, '#no-license'))).to.equal(
      'No license is free, so nobody can be invited now. Free one, or ask Ada Lovelace, the account owner, for more licenses.',
    );
    expect(q(el, '#no-license button')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('warns, naming the date, when a scheduled reduction would take the new invitation back', async () => {
    const s = await seed({ quantity: 5 });
    const response = await fetch(`${API_BASE}/v1/accounts/${s.accountId}/licenses`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${s.ownerToken}`, 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
      body: JSON.stringify({ quantity: 4, expectedAmountDue: 0, acceptAgreement: true }),
    });
    expect(response.status).to.equal(200);
    const el = await standalone(s);
    // 3 in use, 4 from Jun 15: one more invitation still fits, and nothing warns.
    expect(q(el, '#submit-hint')).to.equal(null);
    fill(el, { email: 'bob@acme.example', 'first-name': 'Bob', 'last-name': 'Builder' });
    submit(el);
    await until(() => !!q(el, '#submit-hint'));
    // 4 in use: the next invitation would be the newest one, the first released on Jun 15.
    expect(textOf(q(el, '#submit-hint'))).to.equal(
      'Your licenses go down to 4 on Jun 15, 2026. Unless a license is freed or bought before then, this one is taken back on that date.',
    );
    expect(q(el, '[part~="submit-button"]').getAttribute('aria-describedby')).to.equal('submit-hint');
    await expect(el).to.be.accessible();
  });

  it('shows the no-license notice when the last license went elsewhere meanwhile', async () => {
    const s = await seed({ quantity: 4 });
    const el = await standalone(s);
    // Not live: the change lands between what the page shows and the click (live updates would show it first).
    el.live = 'off';
    await el.updateComplete;
    await api('POST', `/v1/accounts/${s.accountId}/invitations`, s.ownerToken, { email: 'zoe@acme.example', firstName: 'Zoe', lastName: 'Zed' });
    fill(el, { email: 'bob@acme.example', 'first-name': 'Bob', 'last-name': 'Builder' });
    submit(el);
    await until(() => !!q(el, '#no-license'));
    expect(textOf(q(el, '#no-license'))).to.contain('No license is free');
    await until(() => textOf(el.shadowRoot!.activeElement) === 'Buy a license');
    expect(q<HTMLInputElement>(el, '#email').value).to.equal('bob@acme.example');
    expect((await users(s)).some((u) => u.email === 'bob@acme.example')).to.equal(false);
  });

  it('shows "Already a user" at the email field and assigns a license to that user instead', async () => {
    const s = await seed();
    await api('DELETE', `/v1/accounts/${s.accountId}/users/${s.member.id}/license`, s.ownerToken);
    const el = await standalone(s);
    fill(el, { email: 'ALAN@acme.example', 'first-name': 'Alan', 'last-name': 'Turing' });
    submit(el);
    await until(() => messageOf(el, 'email') === 'Already a user of this account');
    expect(q(el, '#email').getAttribute('aria-invalid')).to.equal('true');
    await until(() => textOf(el).includes('Assign a license to this user instead'));
    expect(activeId(el)).to.equal('email');
    await expect(el).to.be.accessible();

    let assigned: UserResult | undefined;
    el.addEventListener('seat-license-assigned', (e) => (assigned = e.detail));
    const action = [...el.shadowRoot!.querySelectorAll('button')].find((b) => textOf(b) === 'Assign a license to this user instead')!;
    action.click();
    await until(() => !!assigned);
    expect(assigned!.user.id).to.equal(s.member.id);
    expect(assigned!.user.status).to.equal('enabled');
    await until(() => textOf(q(el, '[role="status"]')).includes('A license was assigned to Alan Turing'));
    expect(q<HTMLInputElement>(el, '#email').value).to.equal('');
    expect((await users(s)).find((u) => u.id === s.member.id)!.status).to.equal('enabled');
    await expect(el).to.be.accessible();
  });

  it('does not offer a license to an existing user who holds one', async () => {
    const s = await seed();
    const el = await standalone(s);
    fill(el, { email: 'alan@acme.example', 'first-name': 'Alan', 'last-name': 'Turing' });
    submit(el);
    await until(() => messageOf(el, 'email') === 'Already a user of this account');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(textOf(el)).not.to.contain('Assign a license');
    // Leaving the field keeps the server's message; editing it clears it.
    q(el, '#first-name').focus();
    await el.updateComplete;
    expect(messageOf(el, 'email')).to.equal('Already a user of this account');
    fill(el, { email: 'alan2@acme.example' });
    await until(() => messageOf(el, 'email') === '');
  });

  it('maps server validation errors onto the fields', async () => {
    const s = await seed();
    const { provider, form } = await inProvider(s);
    const invitations = provider.client!.invitations;
    const create = invitations.create.bind(invitations);
    // A value the form cannot produce, to make the server refuse a field.
    invitations.create = (body, options) => create({ ...body, role: 'owner' as never }, options);
    fill(form, { email: 'bob@acme.example', 'first-name': 'Bob', 'last-name': 'Builder' });
    submit(form);
    await until(() => q(form, '#role').getAttribute('aria-invalid') === 'true');
    expect(messageOf(form, 'role')).to.not.equal('');
    expect(activeId(form)).to.equal('role');
    await expect(form).to.be.accessible();
  });

  it('shows other failures in an alert and emits seat-error', async () => {
    const s = await seed();
    const { provider, form } = await inProvider(s);
    const failure = new SeatError({ status: 503, code: 'internal_error', detail: 'The server is busy.', requestId: 'req_1' });
    provider.client!.invitations.create = () => Promise.reject(failure);
    const errors: SeatEventDetails['seat-error'][] = [];
    provider.addEventListener('seat-error', (e) => errors.push(e.detail));
    fill(form, { email: 'bob@acme.example', 'first-name': 'Bob', 'last-name': 'Builder' });
    submit(form);
    await until(() => textOf(q(form, '[role="alert"]')) === 'The server is busy.');
    expect(errors).to.have.length(1);
    expect(errors[0]).to.deep.equal({ error: failure, action: 'invitations.create' });
    expect(q<HTMLInputElement>(form, '#email').value).to.equal('bob@acme.example');
    expect(activeId(form)).to.equal('submit-button');
    await expect(form).to.be.accessible();
  });

  it('shows a name with markup as text', async () => {
    const s = await seed();
    const el = await standalone(s);
    const name = '<img src=x onerror=alert(1)>';
    fill(el, { email: 'eve@acme.example', 'first-name': name, 'last-name': 'Doe' });
    submit(el);
    await until(() => textOf(q(el, '[role="status"]')).includes('Invitation sent'));
    expect(textOf(q(el, '[role="status"]'))).to.equal(`Invitation sent to ${name} Doe (eve@acme.example).`);
    expect(el.shadowRoot!.querySelectorAll('img')).to.have.length(0);
    expect((await users(s)).find((u) => u.email === 'eve@acme.example')!.firstName).to.equal(name);
    await expect(el).to.be.accessible();
  });

  it('emits seat-user-invited with typed detail, bubbling and composed out of the provider', async () => {
    const s = await seed();
    const { form } = await inProvider(s);
    const seen: SeatEvent<UserResult>[] = [];
    const listener = (e: SeatEvent<UserResult>) => seen.push(e);
    document.addEventListener('seat-user-invited', listener);
    try {
      fill(form, { email: 'bob@acme.example', 'first-name': 'Bob', 'last-name': 'Builder' });
      submit(form);
      await until(() => seen.length > 0);
    } finally {
      document.removeEventListener('seat-user-invited', listener);
    }
    const event = seen[0]!;
    expect(event.bubbles && event.composed).to.equal(true);
    expect(event.cancelable).to.equal(false);
    expect(event.detail.user.email).to.equal('bob@acme.example');
    expect(event.detail.user.status).to.equal('invited');
    expect(event.detail.licenses.invited).to.equal(1);
  });

  it('shows nothing to a member', async () => {
    const s = await seed();
    const el = await standalone(s, s.memberToken);
    expect(storeOf(el)!.account!.viewer!.role).to.equal('member');
    await el.updateComplete;
    expect(q(el, 'form')).to.equal(null);
    expect(textOf(el)).to.equal('');
    await expect(el).to.be.accessible();
  });

  it('works with the keyboard only: Tab reaches every field and the button, Enter submits', async () => {
    const s = await seed();
    const wrapper = await fixture<HTMLDivElement>(html`<div>
      <button id="before">Before</button>
      <invite-form base-url=${API_BASE} account-id=${s.accountId} token=${s.ownerToken}></invite-form>
    </div>`);
    const el = wrapper.querySelector('invite-form')!;
    await until(() => !!q(el, 'form'));
    (wrapper.querySelector('#before') as HTMLButtonElement).focus();
    const order: (string | undefined)[] = [];
    for (let i = 0; i < 7; i++) {
      await sendKeys({ press: 'Tab' });
      order.push(activeId(el));
    }
    expect(order).to.deep.equal(['several', 'email', 'first-name', 'last-name', 'role', 'qualification', 'submit-button']);

    q(el, '#email').focus();
    await sendKeys({ type: 'kay@acme.example' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ type: 'Kay' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ type: 'Adams' });
    await sendKeys({ press: 'Enter' });
    await until(() => textOf(q(el, '[role="status"]')).includes('Invitation sent to Kay Adams'));
    expect((await users(s)).some((u) => u.email === 'kay@acme.example')).to.equal(true);
  });
});
