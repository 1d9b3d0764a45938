import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { Account, Invoice, LicenseChangeResult, PageBody } from '../../sdk/types.js';
import '../../widget/index.js';
import type { InviteForm } from '../../widget/invite-form/invite-form.js';
import type { SeatBanner } from '../../widget/seat-banner/seat-banner.js';
import type { SeatProvider } from '../../widget/seat-provider/seat-provider.js';
import type { SeatEvent, SeatEventDetails } from '../../widget/common/events.js';
import { API_BASE, API_KEY, api, seed, textOf, until, type Seeded } from './helpers.js';

declare const describe: (name: string, fn: () => void) => void;
declare const it: (name: string, fn: () => Promise<void>) => void;

const q = <T extends Element = HTMLElement>(el: Element, selector: string) => el.shadowRoot!.querySelector(selector) as T;
const manageButton = (el: SeatBanner) => el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="manage-button"]');
const dialogOf = (el: SeatBanner) => q<HTMLDialogElement>(el, 'dialog');
const confirmButton = (el: SeatBanner) => q<HTMLButtonElement>(el, '[part~="confirm-button"]');
const checkbox = (el: SeatBanner) => q<HTMLInputElement>(el, '#agree');
const quoteText = (el: SeatBanner) => textOf(q(el, '#quote'));
const statusText = (el: SeatBanner) => textOf(q(el, 'section [role="status"]'));
const noticeTexts = (el: SeatBanner) => [...el.shadowRoot!.querySelectorAll('.base [part~="notice"]')].map((n) => textOf(n));
const activePart = (el: Element) => el.shadowRoot!.activeElement?.getAttribute('part') ?? el.shadowRoot!.activeElement?.id;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The banner alone (no provider), resolved once the account has loaded (or failed). */
async function standalone(s: Seeded, token = s.ownerToken, attrs: { agreementUrl?: string } = {}): Promise<SeatBanner> {
  const el = await fixture<SeatBanner>(
    html`<seat-banner base-url=${API_BASE} account-id=${s.accountId} token=${token} agreement-url=${attrs.agreementUrl ?? ''}></seat-banner>`,
  );
  await until(() => textOf(el).includes('licenses in use'));
  return el;
}

/** Opens *Manage licenses* with a click and waits for the first quote (of the current total). */
async function openManage(el: SeatBanner): Promise<HTMLDialogElement> {
  manageButton(el)!.click();
  await until(() => dialogOf(el).open);
  await until(() => !quoteText(el).includes('Calculating'));
  return dialogOf(el);
}

/** Types a total as a person would (one `input` event per change). */
function setTotal(el: SeatBanner, total: number | string): void {
  const input = q<HTMLInputElement>(el, '#quantity');
  input.value = String(total);
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
}

async function quoteFor(el: SeatBanner, total: number, expected: string): Promise<void> {
  setTotal(el, total);
  await until(() => quoteText(el).includes(expected));
}

function tick(el: SeatBanner, checked = true): void {
  const box = checkbox(el);
  if (box.checked !== checked) box.click();
}

/** Records every request the page makes through `window.fetch` (the SDK reads it at each call). */
function watchFetch(rewrite?: (url: string) => string) {
  const calls: { method: string; url: string }[] = [];
  const original = window.fetch;
  window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    let request = input instanceof Request ? input : new Request(input, init);
    if (rewrite) request = new Request(rewrite(request.url), request);
    calls.push({ method: request.method, url: request.url });
    return original.call(window, request);
  };
  return {
    calls,
    quotes: () => calls.filter((c) => c.url.includes('/licenses/quote')).map((c) => Number(new URL(c.url).searchParams.get('quantity'))),
    changes: () => calls.filter((c) => c.method === 'POST' && /\/licenses$/.test(new URL(c.url).pathname)).length,
    restore: () => (window.fetch = original),
  };
}

const account = (s: Seeded) => api<Account>('GET', `/v1/accounts/${s.accountId}`, s.ownerToken);
const invoices = async (s: Seeded) =>
  (await api<PageBody<Invoice>>('GET', `/v1/accounts/${s.accountId}/invoices`, s.ownerToken)).data.filter((i) => i.kind === 'proration');

/** Schedules a reduction through the API (a purchase needs an Idempotency-Key, which `api()` does not send). */
async function scheduleReduction(s: Seeded, quantity: number): Promise<void> {
  const response = await fetch(`${API_BASE}/v1/accounts/${s.accountId}/licenses`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${s.ownerToken}`, 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
    body: JSON.stringify({ quantity, expectedAmountDue: 0, acceptAgreement: true }),
  });
  if (!response.ok) throw new Error(`schedule: ${response.status} ${await response.text()}`);
}

describe('<seat-banner>', () => {
  it('shows "N of M licenses in use" with the counts, from the real API', async () => {
    const s = await seed({ quantity: 5 });
    await s.addUser('kay@acme.example', 'Kay', 'Adams', true);
    const el = await standalone(s);
    expect(textOf(q(el, '[part~="summary"]'))).to.equal('4 of 5 licenses in use');
    expect(textOf(q(el, '[part~="counts"]'))).to.equal('3 active 1 pending invitation 1 available');
    const meter = q<HTMLMeterElement>(el, 'meter');
    expect([meter.value, meter.max]).to.deep.equal([4, 5]);
    expect(noticeTexts(el)).to.deep.equal([]);
    expect(textOf(manageButton(el))).to.equal('Manage licenses');
    await expect(el).to.be.accessible();
  });

  it('shows the loading state, then the account', async () => {
    const s = await seed({ quantity: 5 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const original = window.fetch;
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      await gate;
      return original.call(window, input, init);
    };
    try {
      const el = await fixture<SeatBanner>(html`<seat-banner base-url=${API_BASE} account-id=${s.accountId} token=${s.ownerToken}></seat-banner>`);
      await el.updateComplete;
      expect(textOf(el)).to.equal('Loading…');
      expect(q(el, '[part~="base"]').getAttribute('aria-busy')).to.equal('true');
      await expect(el).to.be.accessible();
      release();
      await until(() => textOf(el).includes('3 of 5 licenses in use'));
    } finally {
      window.fetch = original;
      release();
    }
  });

  it('shows an error state with "Try again" for a wrong account id, and recovers on retry', async () => {
    const s = await seed({ quantity: 5 });
    const el = await fixture<SeatBanner>(html`<seat-banner base-url=${API_BASE} account-id="acc_missing" token=${s.ownerToken}></seat-banner>`);
    await until(() => textOf(el).includes('Could not load the licenses.'));
    expect(q(el, '[role="alert"]')).to.not.equal(null);
    const retry = [...el.shadowRoot!.querySelectorAll('button')].find((b) => textOf(b) === 'Try again')!;
    expect(retry).to.not.equal(undefined);
    expect(manageButton(el)).to.equal(null);
    await expect(el).to.be.accessible();

    // The next attempt reaches the right account: "Try again" loads it.
    const watch = watchFetch((url) => url.replace('acc_missing', s.accountId));
    try {
      retry.click();
      await until(() => textOf(el).includes('3 of 5 licenses in use'));
    } finally {
      watch.restore();
    }
    expect(watch.calls.length).to.be.greaterThan(0);
  });

  it('says what each role can do when no license is free: the owner buys, an admin frees one or asks the owner, a member is told about their own license', async () => {
    const s = await seed({ quantity: 3 });
    const owner = await standalone(s);
    expect(textOf(q(owner, '[part~="summary"]'))).to.equal('3 of 3 licenses in use');
    expect(textOf(q(owner, '[part~="counts"]'))).to.contain('0 available');
    expect(noticeTexts(owner)).to.deep.equal(['All licenses are in use. Buy more with Manage licenses, or free one.']);
    expect(q(owner, '.counts .none')).to.not.equal(null);
    expect(textOf(owner)).not.to.contain('You have a license');
    await expect(owner).to.be.accessible();

    const admin = await standalone(s, s.adminToken);
    expect(noticeTexts(admin)).to.deep.equal(['All licenses are in use. Free one, or ask Ada Lovelace, the account owner, for more licenses.']);
    expect(textOf(admin)).not.to.contain('Buy');
    expect(manageButton(admin)).to.equal(null);
    await expect(admin).to.be.accessible();

    // A member acts on nothing: no red warning, but their own license and whom to ask.
    const member = await standalone(s, s.memberToken);
    expect(textOf(q(member, '.own'))).to.equal('You have a license.');
    expect(q(member, '.counts .none')).to.equal(null);
    expect(noticeTexts(member)).to.deep.equal(['All licenses are in use. Ask Ada Lovelace, the account owner, for more licenses.']);
    expect(textOf(member)).not.to.contain('free one');
    await expect(member).to.be.accessible();
  });

  it('offers Manage licenses to the owner only', async () => {
    const s = await seed({ quantity: 5 });
    for (const token of [s.adminToken, s.memberToken]) {
      const el = await standalone(s, token);
      expect(textOf(el)).to.contain('3 of 5 licenses in use');
      expect(manageButton(el)).to.equal(null);
      expect(q(el, 'dialog')).to.equal(null);
      expect(textOf(el)).not.to.contain('Manage licenses');
      await expect(el).to.be.accessible();
    }
    const owner = await standalone(s);
    expect(manageButton(owner)).to.not.equal(null);
  });

  it('quotes each total typed, debounced: 6 then 7 typed quickly sends one quote, for 7', async () => {
    const s = await seed({ quantity: 5 });
    const el = await standalone(s);
    const dialog = await openManage(el);
    expect(dialog.getAttribute('aria-labelledby')).to.equal('manage-heading');
    expect(textOf(q(el, '#manage-heading'))).to.equal('Manage licenses');
    expect(q<HTMLInputElement>(el, '#quantity').value).to.equal('5');
    expect(quoteText(el)).to.equal('This is your current number of licenses.');
    expect(confirmButton(el).disabled).to.equal(true);
    await expect(el).to.be.accessible();

    await quoteFor(el, 6, 'Amount due now');
    expect(quoteText(el)).to.contain('Amount due now: $4.00');
    await quoteFor(el, 8, '$12.00');

    const watch = watchFetch();
    try {
      setTotal(el, 6);
      await sleep(40);
      setTotal(el, 7);
      expect(quoteText(el)).to.not.contain('$12.00');
      await until(() => quoteText(el).includes('Amount due now: $8.00'));
      await sleep(400);
    } finally {
      watch.restore();
    }
    expect(watch.quotes()).to.deep.equal([7]);
    await expect(el).to.be.accessible();
  });

  it('words an increase (amount due now, prorated) and a decrease (takes effect at the period end, no charge)', async () => {
    const s = await seed({ quantity: 5, currency: 'EUR', unitPrice: 1250 });
    const el = await standalone(s);
    await openManage(el);
    const euros = (n: number) => new Intl.NumberFormat('en', { style: 'currency', currency: 'EUR' }).format(n);
    expect(textOf(q(el, 'dialog > .hint'))).to.equal(`You have 5 licenses now. Each costs ${euros(12.5)} per month.`);
    await quoteFor(el, 7, 'Amount due now');
    expect(quoteText(el)).to.equal(
      `Amount due now: ${euros(25)} Charged for the 31 of 31 days left in this billing period. From Jun 15, 2026: 7 licenses, ${euros(87.5)} per month.`,
    );
    expect(textOf(confirmButton(el))).to.equal(`Pay ${euros(25)}`);
    await expect(el).to.be.accessible();

    await quoteFor(el, 4, 'Takes effect');
    expect(quoteText(el)).to.equal(`Takes effect on Jun 15, 2026, no charge now. From Jun 15, 2026: 4 licenses, ${euros(50)} per month.`);
    expect(textOf(confirmButton(el))).to.equal('Complete change');
    await expect(el).to.be.accessible();
  });

  it('refuses a total below the licenses in use, saying how many to free', async () => {
    const s = await seed({ quantity: 5 });
    const el = await standalone(s);
    await openManage(el);
    await quoteFor(el, 2, 'in use');
    expect(quoteText(el)).to.equal('1 more license is in use than this total. Free one first.');
    tick(el);
    await el.updateComplete;
    expect(confirmButton(el).disabled).to.equal(true);
    await expect(el).to.be.accessible();
    await quoteFor(el, 1, '2 more');
    expect(quoteText(el)).to.equal('2 more licenses are in use than this total. Free 2 first.');
    expect(confirmButton(el).disabled).to.equal(true);

    setTotal(el, 0);
    await el.updateComplete;
    expect(quoteText(el)).to.match(/^Enter a whole number from 1 to /);
    expect(q(el, '#quantity').getAttribute('aria-invalid')).to.equal('true');
    expect(confirmButton(el).disabled).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('keeps Complete change disabled until the agreement is ticked, and again when it is unticked', async () => {
    const s = await seed({ quantity: 5 });
    const el = await standalone(s, s.ownerToken, { agreementUrl: 'https://example.com/terms' });
    await openManage(el);
    const link = q<HTMLAnchorElement>(el, '.agreement a');
    expect(link.href).to.equal('https://example.com/terms');
    expect(textOf(q(el, 'label[for="agree"]'))).to.equal('I accept the license agreement');
    await quoteFor(el, 6, 'Amount due now');
    expect(confirmButton(el).disabled).to.equal(true);
    await expect(el).to.be.accessible();
    tick(el);
    await el.updateComplete;
    expect(confirmButton(el).disabled).to.equal(false);
    await expect(el).to.be.accessible();
    tick(el, false);
    await el.updateComplete;
    expect(confirmButton(el).disabled).to.equal(true);
    // Reopening starts unticked.
    tick(el);
    dialogOf(el).close();
    await openManage(el);
    expect(checkbox(el).checked).to.equal(false);
  });

  it('buys once for a double click, then shows and announces the new total', async () => {
    const s = await seed({ quantity: 5 });
    const el = await standalone(s);
    await openManage(el);
    await quoteFor(el, 7, 'Amount due now: $8.00');
    tick(el);
    await el.updateComplete;
    const watch = watchFetch();
    try {
      const confirm = confirmButton(el);
      confirm.click();
      confirm.click();
      confirm.dispatchEvent(new MouseEvent('dblclick', { bubbles: true, composed: true }));
      await until(() => !dialogOf(el).open);
      await sleep(200);
    } finally {
      watch.restore();
    }
    expect(watch.changes()).to.equal(1);
    const bought = await invoices(s);
    expect(bought.map((i) => [i.quantity, i.amount])).to.deep.equal([[2, 800]]);
    expect((await account(s)).licenses.quantity).to.equal(7);
    expect(textOf(q(el, '[part~="summary"]'))).to.equal('3 of 7 licenses in use');
    expect(textOf(q(el, '[part~="counts"]'))).to.contain('4 available');
    // Seen, not only announced: the confirmation names what changed and what it cost.
    expect(statusText(el)).to.equal('Paid $8.00: 2 licenses added, you now have 7.');
    expect(q(el, '[part~="confirmation"]').getBoundingClientRect().height).to.be.greaterThan(0);
    await expect(el).to.be.accessible();
  });

  it('schedules a decrease: no charge, the notice shows the new total and its date', async () => {
    const s = await seed({ quantity: 5 });
    const el = await standalone(s);
    await openManage(el);
    await quoteFor(el, 4, 'Takes effect');
    tick(el);
    await el.updateComplete;
    confirmButton(el).click();
    await until(() => !dialogOf(el).open);
    await until(() => noticeTexts(el).length > 0);
    expect(noticeTexts(el)).to.deep.equal(['Your licenses go down to 4 on Jun 15, 2026.']);
    expect(statusText(el)).to.equal('Your licenses go down to 4 on Jun 15, 2026.');
    expect(textOf(q(el, '[part~="summary"]'))).to.equal('3 of 5 licenses in use');
    expect(await invoices(s)).to.deep.equal([]);
    expect((await account(s)).licenses.scheduled).to.deep.include({ quantity: 4, effectiveAt: '2026-06-15T00:00:00.000Z' });
    await expect(el).to.be.accessible();

    // Reopening proposes the scheduled total; going back to 5 cancels the reduction.
    await openManage(el);
    expect(q<HTMLInputElement>(el, '#quantity').value).to.equal('4');
    await quoteFor(el, 5, 'cancels');
    expect(quoteText(el)).to.equal('This cancels the scheduled reduction to 4.');
    tick(el);
    await el.updateComplete;
    confirmButton(el).click();
    // The confirmation comes with the answer (a live update may clear the notice a moment before it).
    await until(() => statusText(el) === 'The scheduled reduction is cancelled: you keep 5 licenses.');
    expect(noticeTexts(el)).to.deep.equal([]);
    expect((await account(s)).licenses.scheduled).to.equal(null);
  });

  it('names the users a scheduled reduction would release', async () => {
    const s = await seed({ quantity: 5 });
    await scheduleReduction(s, 3);
    await s.addUser('kay@acme.example', 'Kay', 'Adams', true);
    const el = await standalone(s);
    await until(() => noticeTexts(el).some((t) => t.includes('Kay Adams')));
    expect(noticeTexts(el)).to.deep.equal([
      'Your licenses go down to 3 on Jun 15, 2026. If nothing changes, these users lose their license then: Kay Adams.',
    ]);
    await expect(el).to.be.accessible();

    // A viewer who may not read users does not get a list of placeholders.
    const member = await standalone(s, s.memberToken);
    await sleep(100);
    expect(noticeTexts(member)).to.deep.equal(['Your licenses go down to 3 on Jun 15, 2026.']);
  });

  it('asks for each name once, even when it cannot be loaded', async () => {
    const s = await seed({ quantity: 5 });
    await scheduleReduction(s, 3);
    const kay = await s.addUser('kay@acme.example', 'Kay', 'Adams', true);
    const watch = watchFetch((url) => url.replace(`/users/${kay.id}`, '/users/usr_missing'));
    try {
      const el = await standalone(s);
      await until(() => noticeTexts(el).length === 1);
      await sleep(500);
      expect(noticeTexts(el)[0]).to.contain('these users lose their license then: …');
      await expect(el).to.be.accessible();
    } finally {
      watch.restore();
    }
    expect(watch.calls.filter((c) => c.url.includes('/users/')).length).to.be.within(1, 3);
  });

  it('updates the names when the users to release change in the same provider', async () => {
    const s = await seed({ quantity: 5 });
    await scheduleReduction(s, 3);
    const provider = await fixture<SeatProvider>(html`
      <seat-provider base-url=${API_BASE} account-id=${s.accountId} token=${s.ownerToken}>
        <seat-banner></seat-banner>
        <invite-form></invite-form>
      </seat-provider>
    `);
    const el = provider.querySelector('seat-banner')!;
    const form = provider.querySelector('invite-form') as InviteForm;
    await until(() => noticeTexts(el).length === 1 && !!q(form, 'form'));
    expect(noticeTexts(el)).to.deep.equal(['Your licenses go down to 3 on Jun 15, 2026.']);
    for (const [id, value] of Object.entries({ email: 'kay@acme.example', 'first-name': 'Kay', 'last-name': 'Adams' })) {
      const input = q<HTMLInputElement>(form, `#${id}`);
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    }
    q<HTMLButtonElement>(form, '[part~="submit-button"]').click();
    await until(() => noticeTexts(el).some((t) => t.includes('Kay Adams')));
    expect(textOf(q(el, '[part~="summary"]'))).to.equal('4 of 5 licenses in use');
    await expect(el).to.be.accessible();
  });

  it('emits seat-licenses-change-request (cancelable, typed) and then seat-licenses-changed', async () => {
    const s = await seed({ quantity: 5 });
    const el = await standalone(s);
    const seen: { type: string; event: SeatEvent<unknown> }[] = [];
    const onRequest = (event: SeatEvent<SeatEventDetails['seat-licenses-change-request']>) => seen.push({ type: event.type, event });
    const onChanged = (event: SeatEvent<LicenseChangeResult>) => seen.push({ type: event.type, event });
    document.addEventListener('seat-licenses-change-request', onRequest);
    document.addEventListener('seat-licenses-changed', onChanged);
    try {
      await openManage(el);
      await quoteFor(el, 7, 'Amount due now');
      tick(el);
      await el.updateComplete;
      confirmButton(el).click();
      await until(() => seen.length === 2);
    } finally {
      document.removeEventListener('seat-licenses-change-request', onRequest);
      document.removeEventListener('seat-licenses-changed', onChanged);
    }
    expect(seen.map((e) => e.type)).to.deep.equal(['seat-licenses-change-request', 'seat-licenses-changed']);
    const request = seen[0]!.event as SeatEvent<SeatEventDetails['seat-licenses-change-request']>;
    expect([request.bubbles, request.composed, request.cancelable]).to.deep.equal([true, true, true]);
    expect(request.detail).to.deep.equal({ quantity: 7, currentQuantity: 5, amountDue: 800, currency: 'USD' });
    const changed = seen[1]!.event as SeatEvent<LicenseChangeResult>;
    expect([changed.bubbles, changed.composed, changed.cancelable]).to.deep.equal([true, true, false]);
    expect(changed.detail.licenses.quantity).to.equal(7);
    expect(changed.detail.invoice!.amount).to.equal(800);
    expect(changed.detail.invoice!.kind).to.equal('proration');
  });

  it('stops the purchase when a listener cancels seat-licenses-change-request', async () => {
    const s = await seed({ quantity: 5 });
    const el = await standalone(s);
    let changed = 0;
    el.addEventListener('seat-licenses-change-request', (event) => event.preventDefault());
    el.addEventListener('seat-licenses-changed', () => changed++);
    await openManage(el);
    await quoteFor(el, 7, 'Amount due now');
    tick(el);
    await el.updateComplete;
    const watch = watchFetch();
    try {
      confirmButton(el).click();
      await sleep(200);
    } finally {
      watch.restore();
    }
    expect(watch.changes()).to.equal(0);
    expect(changed).to.equal(0);
    expect(await invoices(s)).to.deep.equal([]);
    expect((await account(s)).licenses.quantity).to.equal(5);
    expect(textOf(q(el, '[part~="summary"]'))).to.equal('3 of 5 licenses in use');
    expect(confirmButton(el).disabled).to.equal(false);
    await expect(el).to.be.accessible();
  });

  it('says when the price changed between the quote and the confirmation, and quotes again', async () => {
    const s = await seed({ quantity: 5 });
    const el = await standalone(s);
    const errors: SeatEventDetails['seat-error'][] = [];
    el.addEventListener('seat-error', (e) => errors.push(e.detail));
    await openManage(el);
    await quoteFor(el, 7, 'Amount due now: $8.00');
    tick(el);
    await el.updateComplete;
    await api('POST', `/v1/accounts/${s.accountId}/test-clock`, API_KEY, { advanceTo: '2026-05-16T00:00:00.000Z' });
    confirmButton(el).click();
    await until(() => textOf(q(el, 'dialog [role="alert"]')).includes('The price changed'));
    expect(textOf(q(el, 'dialog [role="alert"]'))).to.equal('The price changed since you saw it. Check the new amount and confirm again.');
    await until(() => quoteText(el).includes('Amount due now') && !quoteText(el).includes('$8.00'));
    expect(quoteText(el)).to.contain('Charged for the 30 of 31 days left');
    const fresh = Number(/\$(\d+\.\d\d)/.exec(quoteText(el))![1]) * 100;
    expect(errors.map((e) => (e.error as { code?: string }).code)).to.deep.equal(['quote_changed']);
    expect(await invoices(s)).to.deep.equal([]);
    expect(dialogOf(el).open).to.equal(true);
    await expect(el).to.be.accessible();

    await until(() => !confirmButton(el).disabled);
    confirmButton(el).click();
    await until(() => !dialogOf(el).open);
    expect((await invoices(s)).map((i) => i.amount)).to.deep.equal([Math.round(fresh)]);
  });

  it('works with the keyboard only, and gives focus back to Manage licenses', async () => {
    const s = await seed({ quantity: 5 });
    const wrapper = await fixture<HTMLDivElement>(html`<div>
      <button id="before">Before</button>
      <seat-banner base-url=${API_BASE} account-id=${s.accountId} token=${s.ownerToken} agreement-url="https://example.com/terms"></seat-banner>
    </div>`);
    const el = wrapper.querySelector('seat-banner')!;
    await until(() => !!manageButton(el));
    wrapper.querySelector<HTMLButtonElement>('#before')!.focus();
    await sendKeys({ press: 'Tab' });
    expect(activePart(el)).to.equal('manage-button');

    // Escape closes the dialog and focus returns to the trigger.
    await sendKeys({ press: 'Enter' });
    await until(() => dialogOf(el).open);
    expect(activePart(el)).to.equal('quantity');
    await sendKeys({ press: 'Escape' });
    await until(() => !dialogOf(el).open);
    expect(activePart(el)).to.equal('manage-button');

    await sendKeys({ press: 'Enter' });
    await until(() => dialogOf(el).open);
    expect(activePart(el)).to.equal('quantity');
    await until(() => quoteText(el).includes('current number'));
    await sendKeys({ press: 'Backspace' });
    await sendKeys({ press: 'Delete' });
    await sendKeys({ type: '6' });
    expect(q<HTMLInputElement>(el, '#quantity').value).to.equal('6');
    await until(() => quoteText(el).includes('Amount due now: $4.00'));
    await sendKeys({ press: 'Tab' });
    expect(activePart(el)).to.equal('agree');
    await sendKeys({ press: 'Space' });
    await until(() => checkbox(el).checked);
    await sendKeys({ press: 'Tab' });
    expect(el.shadowRoot!.activeElement!.tagName).to.equal('A');
    await sendKeys({ press: 'Tab' });
    expect(textOf(el.shadowRoot!.activeElement)).to.equal('Cancel');
    await sendKeys({ press: 'Tab' });
    expect(activePart(el)).to.equal('confirm-button');
    await sendKeys({ press: 'Enter' });
    await until(() => !dialogOf(el).open);
    await until(() => textOf(q(el, '[part~="summary"]')) === '3 of 6 licenses in use');
    expect(activePart(el)).to.equal('manage-button');
    expect((await invoices(s)).map((i) => i.amount)).to.deep.equal([400]);
  });

  it('unticks the agreement when the total changes: it was given for the total shown', async () => {
    const s = await seed({ quantity: 5 });
    const el = await standalone(s);
    await openManage(el);
    await quoteFor(el, 6, 'Amount due now: $4.00');
    tick(el);
    await el.updateComplete;
    expect(confirmButton(el).disabled).to.equal(false);
    await quoteFor(el, 9, 'Amount due now: $16.00');
    expect(checkbox(el).checked).to.equal(false);
    expect(confirmButton(el).disabled).to.equal(true);
    expect(textOf(confirmButton(el))).to.equal('Pay $16.00');
  });

  it('keeps the dialog open while paying, Escape and Cancel included, then shows what changed', async () => {
    const s = await seed({ quantity: 5 });
    const el = await standalone(s);
    await openManage(el);
    await quoteFor(el, 7, 'Amount due now: $8.00');
    tick(el);
    await el.updateComplete;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const original = window.fetch;
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(input, init);
      if (request.method === 'POST') await gate;
      return original.call(window, request);
    };
    try {
      confirmButton(el).click();
      await until(() => textOf(dialogOf(el)).includes('Processing the payment'));
      const cancel = [...dialogOf(el).querySelectorAll('button')].find((b) => textOf(b) === 'Cancel')!;
      expect(cancel.disabled).to.equal(true);
      expect(textOf(q(el, 'dialog [role="status"].hint'))).to.equal('Processing the payment. Keep this window open.');
      await sendKeys({ press: 'Escape' });
      await sendKeys({ press: 'Escape' });
      await sleep(100);
      expect(dialogOf(el).open).to.equal(true);
      await expect(el).to.be.accessible();
      release();
      await until(() => !dialogOf(el).open);
    } finally {
      window.fetch = original;
      release();
    }
    expect((await invoices(s)).map((i) => i.amount)).to.deep.equal([800]);
    expect(statusText(el)).to.equal('Paid $8.00: 2 licenses added, you now have 7.');
    expect(textOf(q(el, '[part~="summary"]'))).to.equal('3 of 7 licenses in use');
    await expect(el).to.be.accessible();
  });

  it('asks a second time before a payment above ten times what a period costs now', async () => {
    const s = await seed({ quantity: 5 });
    const el = await standalone(s);
    await openManage(el);
    // 95 more licenses at $4.00 for the whole period: $380.00, against $20.00 a month now.
    await quoteFor(el, 100, 'Amount due now: $380.00');
    tick(el);
    await el.updateComplete;
    const watch = watchFetch();
    try {
      confirmButton(el).click();
      await until(() => !!q(el, 'dialog .notice[role="alert"]'));
      expect(textOf(q(el, 'dialog .notice[role="alert"]'))).to.equal(
        '$380.00 is more than ten times what you pay per month now ($20.00). Check the total, then confirm the payment.',
      );
      expect(textOf(confirmButton(el))).to.equal('Confirm payment of $380.00');
      expect(watch.changes()).to.equal(0);
      await expect(el).to.be.accessible();

      // Another total starts over: agreement and second confirmation both.
      await quoteFor(el, 99, 'Amount due now: $376.00');
      expect(q(el, 'dialog .notice[role="alert"]')).to.equal(null);
      tick(el);
      await el.updateComplete;
      expect(textOf(confirmButton(el))).to.equal('Pay $376.00');
      confirmButton(el).click();
      await until(() => textOf(confirmButton(el)) === 'Confirm payment of $376.00');
      expect(watch.changes()).to.equal(0);
      confirmButton(el).click();
      await until(() => !dialogOf(el).open);
    } finally {
      watch.restore();
    }
    expect(watch.changes()).to.equal(1);
    expect((await invoices(s)).map((i) => i.amount)).to.deep.equal([37600]);
  });

  it('inside a provider, the banner alone says no license is free, and the table\'s "Buy a license" opens its dialog', async () => {
    const s = await seed({ quantity: 3 });
    await api('DELETE', `/v1/accounts/${s.accountId}/users/${s.member.id}/license`, s.ownerToken);
    await s.addUser('kay@acme.example', 'Kay', 'Adams', true);
    const provider = await fixture<SeatProvider>(html`
      <seat-provider base-url=${API_BASE} account-id=${s.accountId} token=${s.ownerToken}>
        <seat-banner></seat-banner>
        <invite-form></invite-form>
        <user-table></user-table>
      </seat-provider>
    `);
    const el = provider.querySelector('seat-banner')!;
    const form = provider.querySelector('invite-form') as InviteForm;
    const table = provider.querySelector('user-table')!;
    const assign = () => table.shadowRoot!.querySelector<HTMLButtonElement>('[part~="action-button"][aria-label="Assign a license to Alan Turing"]');
    await until(() => !!q(form, 'form') && !!assign() && !!manageButton(el));
    const notices = [...provider.querySelectorAll('seat-banner, invite-form, user-table')].flatMap((e) =>
      [...e.shadowRoot!.querySelectorAll('.notice')].map((n) => textOf(n)),
    );
    expect(notices).to.deep.equal(['All licenses are in use. Buy more with Manage licenses, or free one.']);
    expect(textOf(q(form, '#submit-hint'))).to.equal('Inviting someone needs a free license.');
    expect(q<HTMLButtonElement>(form, '[part~="submit-button"]').getAttribute('aria-describedby')).to.equal('submit-hint');

    assign()!.click();
    await until(() => !!table.shadowRoot!.querySelector('.row-notice button'));
    table.shadowRoot!.querySelector<HTMLButtonElement>('.row-notice button')!.click();
    await until(() => dialogOf(el).open);
    await until(() => quoteText(el).includes('Amount due now: $4.00'));
    tick(el);
    await el.updateComplete;
    confirmButton(el).click();
    await until(() => !dialogOf(el).open);
    await until(() => textOf(q(el, '[part~="summary"]')) === '3 of 4 licenses in use');
    await until(() => !q(form, '#submit-hint'));
    expect(noticeTexts(el)).to.deep.equal([]);
  });
});
