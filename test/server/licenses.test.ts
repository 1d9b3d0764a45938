import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Account, AuditEvent, Invoice, Quote, User } from '../../sdk/types.js';
import { isProblem, storeHarness, type Reply } from '../helpers/api.js';

/** Asserts a problem+json answer with this status and code, saying what came instead. */
function expectProblem(res: Reply, status: number, code: string, context = ''): void {
  assert.ok(isProblem(res, status, code), `${context ? `${context}: ` : ''}expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
}

const HOUR_MS = 3_600_000;
const START = '2026-05-15T00:00:00.000Z';
const at = (iso: string, plusMs: number) => new Date(Date.parse(iso) + plusMs).toISOString();

/** An account on a test clock (frozen at `frozenTime`), with helpers acting as its owner. */
async function setup(options: { quantity?: number; unitPrice?: number; frozenTime?: string; interval?: 'month' | 'year' } = {}) {
  const h = await storeHarness();
  const acc = await h.createAccount({
    licenses: { quantity: options.quantity ?? 5, unitPrice: options.unitPrice ?? 400, currency: 'USD', interval: options.interval ?? 'month' },
    testClock: { frozenTime: options.frozenTime ?? START },
  });
  let ownerToken = acc.ownerToken;
  const as = {
    get token() {
      return ownerToken;
    },
    set token(value: string) {
      ownerToken = value;
    },
  };
  const req = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    h.request(method, `${acc.base}${path}`, { token: as.token, body, headers });
  const account = async (): Promise<Account> => (await req('GET', '')).body;
  const user = async (id: string): Promise<User> => (await req('GET', `/users/${id}`)).body;
  const invoices = async (): Promise<Invoice[]> => (await req('GET', '/invoices?limit=200')).body.data;
  const quote = (quantity: number | string) => h.request<Quote>('GET', `${acc.base}/licenses/quote?quantity=${quantity}`, { token: as.token });
  let keys = 0;
  const change = (body: Record<string, unknown>, key: string | null = `key-${++keys}`) =>
    req('POST', '/licenses', body, key === null ? {} : { 'Idempotency-Key': key });
  /** Quotes, then confirms at the quoted amount. */
  const changeTo = async (quantity: number) => {
    const q = await quote(quantity);
    assert.equal(q.status, 200, JSON.stringify(q.body));
    return change({ quantity, acceptAgreement: true, expectedAmountDue: q.body.amountDue });
  };
  const advanceTo = async (iso: string) => {
    const res = await h.admin('POST', `${acc.base}/test-clock`, { advanceTo: iso });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as Account;
  };
  const add = async (email: string, accept = true) => (await h.addUser(acc.accountId, as.token, { email, firstName: email.split('@')[0]!, lastName: 'Test' }, accept)).user;
  return { h, ...acc, as, req, account, user, invoices, quote, change, changeTo, advanceTo, add };
}

const counts = (account: Account) => {
  const { quantity, enabled, invited, inUse, available } = account.licenses;
  return { quantity, enabled, invited, inUse, available };
};

describe('assign', () => {
  it('enables a disabled user who had activated, without a new invitation', async () => {
    const s = await setup();
    const ada = await s.add('ada@example.com');
    await s.req('DELETE', `/users/${ada.id}/license`);
    await s.advanceTo(at(START, HOUR_MS));
    const mails = (await s.h.outbox()).total;
    const res = await s.req('PUT', `/users/${ada.id}/license`);
    assert.equal(res.status, 200);
    assert.equal(res.body.user.status, 'enabled');
    assert.equal(res.body.user.activatedAt, ada.activatedAt);
    assert.equal(res.body.user.licenseAssignedAt, at(START, HOUR_MS));
    assert.equal(res.body.licenses.enabled, 2);
    assert.equal(res.headers.get('ETag'), `"${res.body.user.version}"`);
    assert.equal((await s.h.outbox()).total, mails);
    assert.equal((await s.user(ada.id)).status, 'enabled');
  });

  it('invites a never-activated user again with a fresh invitation email', async () => {
    const s = await setup();
    const ada = await s.add('ada@example.com', false);
    const oldToken = await s.h.invitationToken('ada@example.com');
    await s.req('DELETE', `/users/${ada.id}/invitation`);
    const mails = (await s.h.outbox()).total;
    const res = await s.req('PUT', `/users/${ada.id}/license`);
    assert.equal(res.status, 200);
    assert.equal(res.body.user.status, 'invited');
    assert.equal(res.body.licenses.invited, 1);
    assert.equal((await s.h.outbox()).total, mails + 1);
    const newToken = await s.h.invitationToken('ada@example.com');
    assert.notEqual(newToken, oldToken);
    assert.equal((await s.h.request('GET', `/v1/invitations/${newToken}`)).status, 200);
    const accepted = await s.h.request('POST', `/v1/invitations/${newToken}/accept`, { body: {} });
    assert.equal(accepted.status, 200);
    assert.equal(accepted.body.user.status, 'enabled');
  });

  it('invites a user whose invitation expired again, with a fresh token', async () => {
    const s = await setup();
    const ada = await s.add('ada@example.com', false);
    const oldToken = await s.h.invitationToken('ada@example.com');
    await s.advanceTo(at(START, 8 * 24 * HOUR_MS));
    assert.equal((await s.user(ada.id)).invitationExpired, true);
    const res = await s.req('PUT', `/users/${ada.id}/license`);
    assert.equal(res.status, 200);
    assert.equal(res.body.user.status, 'invited');
    assert.equal(res.body.user.invitationExpired, false);
    const newToken = await s.h.invitationToken('ada@example.com');
    assert.notEqual(newToken, oldToken);
    assert.equal((await s.h.request('GET', `/v1/invitations/${newToken}`)).status, 200);
  });

  it('refuses a user who already holds a license with 409 user_not_eligible', async () => {
    const s = await setup();
    const ada = await s.add('ada@example.com');
    const res = await s.req('PUT', `/users/${ada.id}/license`);
    expectProblem(res, 409, 'user_not_eligible');
    assert.equal((await s.user(ada.id)).version, ada.version);
  });

  it('refuses with 409 no_license_available when none is free, leaving the user disabled', async () => {
    const s = await setup({ quantity: 2 });
    const ada = await s.add('ada@example.com');
    await s.req('DELETE', `/users/${ada.id}/license`);
    await s.add('bob@example.com');
    const before = await s.account();
    const res = await s.req('PUT', `/users/${ada.id}/license`);
    expectProblem(res, 409, 'no_license_available');
    assert.equal((await s.user(ada.id)).status, 'disabled');
    assert.deepEqual(counts(await s.account()), counts(before));
  });
});

describe('unassign', () => {
  it('frees the license at once when a user is unassigned, keeping every other field', async () => {
    const s = await setup({ quantity: 2 });
    const ada = await s.add('ada@example.com');
    await s.req('PATCH', `/users/${ada.id}`, { qualification: 'Engineer', role: 'admin' }, { 'If-Match': `"${ada.version}"` });
    const before = await s.user(ada.id);
    const res = await s.req('DELETE', `/users/${ada.id}/license`);
    assert.equal(res.status, 200);
    assert.equal(res.body.user.status, 'disabled');
    assert.equal(res.body.licenses.available, 1);
    const after = await s.user(ada.id);
    for (const field of ['id', 'email', 'firstName', 'lastName', 'role', 'qualification', 'invitedAt', 'activatedAt', 'createdAt'] as const) {
      assert.deepEqual(after[field], before[field], field);
    }
    assert.equal(after.status, 'disabled');
    assert.equal(after.licenseAssignedAt, null);
    assert.equal(after.version, before.version + 1);
    assert.equal((await s.add('bob@example.com', false)).status, 'invited');
  });

  it('refuses to unassign the owner with 409 owner_requires_license', async () => {
    const s = await setup();
    const res = await s.req('DELETE', `/users/${s.owner.id}/license`);
    expectProblem(res, 409, 'owner_requires_license');
    const owner = await s.user(s.owner.id);
    assert.equal(owner.status, 'enabled');
    assert.equal(owner.version, s.owner.version);
    assert.equal((await s.account()).licenses.enabled, 1);
  });

  it('refuses to unassign a user who holds no license with 409 user_not_eligible', async () => {
    const s = await setup();
    const ada = await s.add('ada@example.com');
    await s.req('DELETE', `/users/${ada.id}/license`);
    const res = await s.req('DELETE', `/users/${ada.id}/license`);
    expectProblem(res, 409, 'user_not_eligible');
  });
});

describe('reassign', () => {
  /** Owner, ada (enabled), bob (activated, disabled), carol (enabled): 3 licenses, none available. */
  async function full() {
    const s = await setup({ quantity: 3 });
    const ada = await s.add('ada@example.com');
    const bob = await s.add('bob@example.com');
    await s.req('DELETE', `/users/${bob.id}/license`);
    const carol = await s.add('carol@example.com');
    assert.equal((await s.account()).licenses.available, 0);
    return { s, ada, bob, carol };
  }

  it('moves a license in one atomic step even with 0 available', async () => {
    const { s, ada, bob } = await full();
    const res = await s.req('POST', '/license-transfers', { fromUserId: ada.id, toUserId: bob.id });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const byId = Object.fromEntries((res.body.users as User[]).map((u) => [u.id, u]));
    assert.equal(byId[ada.id]!.status, 'disabled');
    assert.equal(byId[bob.id]!.status, 'enabled');
    assert.deepEqual({ inUse: res.body.licenses.inUse, available: res.body.licenses.available }, { inUse: 3, available: 0 });
    assert.equal((await s.user(ada.id)).status, 'disabled');
    assert.equal((await s.user(bob.id)).status, 'enabled');
  });

  it('invites a never-activated target with a fresh invitation', async () => {
    const { s, ada } = await full();
    await s.req('DELETE', `/users/${ada.id}/license`);
    const dan = await s.add('dan@example.com', false);
    await s.req('DELETE', `/users/${dan.id}/invitation`);
    const eve = await s.add('eve@example.com');
    const mails = (await s.h.outbox()).total;
    const res = await s.req('POST', '/license-transfers', { fromUserId: eve.id, toUserId: dan.id });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const byId = Object.fromEntries((res.body.users as User[]).map((u) => [u.id, u]));
    assert.equal(byId[dan.id]!.status, 'invited');
    assert.equal(byId[eve.id]!.status, 'disabled');
    assert.equal(res.body.licenses.invited, 1);
    assert.equal((await s.h.outbox()).total, mails + 1);
    const token = await s.h.invitationToken('dan@example.com');
    assert.equal((await s.h.request('POST', `/v1/invitations/${token}/accept`, { body: {} })).status, 200);
  });

  it('refuses users who do not fit with 409 user_not_eligible and changes nothing', async () => {
    const { s, ada, bob, carol } = await full();
    const before = await s.h.request('GET', `${s.base}/users?limit=200`, { token: s.as.token });
    const cases = [
      { fromUserId: ada.id, toUserId: ada.id }, // the same user
      { fromUserId: bob.id, toUserId: ada.id }, // from a user without a license
      { fromUserId: ada.id, toUserId: carol.id }, // to a user who holds one
    ];
    for (const body of cases) {
      const res = await s.req('POST', '/license-transfers', body);
      expectProblem(res, 409, 'user_not_eligible', JSON.stringify(body));
    }
    const after = await s.h.request('GET', `${s.base}/users?limit=200`, { token: s.as.token });
    assert.deepEqual(after.body, before.body);
  });

  it('voids the pending invitation of an invited user it takes the license from', async () => {
    const s = await setup({ quantity: 2 });
    const ada = await s.add('ada@example.com');
    await s.req('DELETE', `/users/${ada.id}/license`);
    const pia = await s.add('pia@example.com', false);
    const token = await s.h.invitationToken('pia@example.com');
    const res = await s.req('POST', '/license-transfers', { fromUserId: pia.id, toUserId: ada.id });
    assert.equal(res.status, 200);
    assert.equal((await s.user(pia.id)).status, 'disabled');
    assert.equal((await s.user(ada.id)).status, 'enabled');
    expectProblem(await s.h.request('GET', `/v1/invitations/${token}`), 404, 'invitation_invalid');
  });

  it('never takes the owner’s license (409 owner_requires_license)', async () => {
    const { s, bob } = await full();
    const res = await s.req('POST', '/license-transfers', { fromUserId: s.owner.id, toUserId: bob.id });
    expectProblem(res, 409, 'owner_requires_license');
    assert.equal((await s.user(s.owner.id)).status, 'enabled');
    assert.equal((await s.user(bob.id)).status, 'disabled');
  });

  it('records the reassignment in both users’ histories', async () => {
    const { s, ada, bob } = await full();
    await s.req('POST', '/license-transfers', { fromUserId: ada.id, toUserId: bob.id });
    for (const id of [ada.id, bob.id]) {
      const history = await s.req('GET', `/users/${id}/events`);
      assert.equal(history.status, 200);
      const event = (history.body.data as AuditEvent[])[0]!;
      assert.equal(event.action, 'license.reassigned');
      assert.deepEqual([...event.userIds].sort(), [ada.id, bob.id].sort());
    }
  });
});

describe('quote and change (GitHub case: 25 → 35 licenses on June 4 of a May 15 → June 15 month)', () => {
  async function github() {
    const s = await setup({ quantity: 25, unitPrice: 400, frozenTime: '2026-05-15T00:00:00Z' });
    await s.advanceTo('2026-06-04T10:00:00Z');
    return s;
  }
  const body = { quantity: 35, acceptAgreement: true, expectedAmountDue: 1419 };

  it('quotes $14.19 for 10 more licenses with 11 of 31 days left', async () => {
    const s = await github();
    const res = await s.quote(35);
    assert.equal(res.status, 200);
    assert.equal(res.body.quantity, 35);
    assert.equal(res.body.currentQuantity, 25);
    assert.equal(res.body.change, 10);
    assert.equal(res.body.amountDue, 1419);
    assert.equal(res.body.currency, 'USD');
    assert.equal(res.body.remainingDays, 11);
    assert.equal(res.body.periodDays, 31);
    assert.equal(res.body.mustFree, 0);
    assert.equal(Date.parse(res.body.effectiveAt), Date.parse('2026-06-04T10:00:00Z'));
  });

  it('charges exactly the quote: invoice 1419, 35 licenses at once', async () => {
    const s = await github();
    const res = await s.change(body, 'purchase-1');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.licenses.quantity, 35);
    assert.equal(res.body.licenses.available, 34);
    assert.equal(res.body.invoice.kind, 'proration');
    assert.equal(res.body.invoice.amount, 1419);
    assert.equal(res.body.invoice.currency, 'USD');
    assert.equal(res.body.billing.periodEnd, '2026-06-15T00:00:00.000Z');
    assert.equal((await s.account()).licenses.quantity, 35);
    const invoices = await s.invoices();
    assert.equal(invoices.length, 1);
    assert.equal(invoices[0]!.amount, 1419);
    assert.equal(invoices[0]!.id, res.body.invoice.id);
  });

  it('charges the change\'s own day and rounds the final amount half up once (1 × 100 × 16 / 31 = 51.6 → 52)', async () => {
    const s = await setup({ quantity: 1, unitPrice: 100 });
    await s.advanceTo('2026-05-30T23:00:00Z');
    const q = await s.quote(2);
    assert.equal(q.body.remainingDays, 16);
    assert.equal(q.body.periodDays, 31);
    assert.equal(q.body.amountDue, 52);
    const res = await s.change({ quantity: 2, acceptAgreement: true, expectedAmountDue: 52 });
    assert.equal(res.status, 200);
    assert.equal(res.body.invoice.amount, 52);
  });

  it('refuses without the license agreement (422 agreement_required) and charges nothing', async () => {
    const s = await github();
    const res = await s.change({ ...body, acceptAgreement: false });
    expectProblem(res, 422, 'agreement_required');
    assert.equal((await s.account()).licenses.quantity, 25);
    assert.deepEqual(await s.invoices(), []);
  });

  it('refuses a different amount than the current quote (409 quote_changed) and charges nothing', async () => {
    const s = await github();
    for (const expectedAmountDue of [1418, 1420, 0]) {
      const res = await s.change({ ...body, expectedAmountDue });
      expectProblem(res, 409, 'quote_changed');
    }
    assert.equal((await s.account()).licenses.quantity, 25);
    assert.deepEqual(await s.invoices(), []);
  });

  it('refuses a quote that went stale when a day passed (409 quote_changed)', async () => {
    const s = await github();
    const q = await s.quote(35);
    await s.advanceTo('2026-06-05T10:00:00Z');
    const res = await s.change({ ...body, expectedAmountDue: q.body.amountDue });
    expectProblem(res, 409, 'quote_changed');
    assert.deepEqual(await s.invoices(), []);
  });

  it('requires an Idempotency-Key (400 idempotency_key_required)', async () => {
    const s = await github();
    const res = await s.change(body, null);
    expectProblem(res, 400, 'idempotency_key_required');
    assert.equal((await s.account()).licenses.quantity, 25);
    assert.deepEqual(await s.invoices(), []);
  });

  it('refuses an Idempotency-Key longer than 255 characters (400)', async () => {
    const s = await github();
    const res = await s.change(body, 'k'.repeat(256));
    assert.equal(res.status, 400);
    assert.equal((await s.account()).licenses.quantity, 25);
    assert.equal((await s.change(body, 'k'.repeat(255))).status, 200);
  });

  it('replays the first response for the same key and body, and applies the change once', async () => {
    const s = await github();
    const first = await s.change(body, 'purchase-1');
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('Idempotent-Replayed'), null);
    const second = await s.change(body, 'purchase-1');
    assert.equal(second.status, 200);
    assert.equal(second.headers.get('Idempotent-Replayed'), 'true');
    assert.deepEqual(second.body, first.body);
    assert.equal((await s.account()).licenses.quantity, 35);
    assert.equal((await s.invoices()).length, 1);
  });

  it('keeps a key for at least 24 hours', async () => {
    const s = await github();
    const first = await s.change(body, 'purchase-1');
    s.h.clock.advance(23 * HOUR_MS + 59 * 60_000);
    s.as.token = await s.h.session(s.accountId, s.owner.id);
    const again = await s.change(body, 'purchase-1');
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('Idempotent-Replayed'), 'true');
    assert.deepEqual(again.body, first.body);
    assert.equal((await s.invoices()).length, 1);
  });

  it('refuses the same key with another body (422 idempotency_key_reused)', async () => {
    const s = await github();
    await s.change(body, 'purchase-1');
    const q = await s.quote(40);
    const res = await s.change({ quantity: 40, acceptAgreement: true, expectedAmountDue: q.body.amountDue }, 'purchase-1');
    expectProblem(res, 422, 'idempotency_key_reused');
    assert.equal((await s.account()).licenses.quantity, 35);
    assert.equal((await s.invoices()).length, 1);
  });

  it('keys are per account: another account may use the same key', async () => {
    const s = await github();
    await s.change(body, 'shared-key');
    const other = await s.h.createAccount({ owner: { email: 'o2@example.com', firstName: 'O', lastName: 'Two' } });
    const q = await s.h.request('GET', `${other.base}/licenses/quote?quantity=6`, { token: other.ownerToken });
    const res = await s.h.request('POST', `${other.base}/licenses`, {
      token: other.ownerToken,
      body: { quantity: 6, acceptAgreement: true, expectedAmountDue: q.body.amountDue },
      headers: { 'Idempotency-Key': 'shared-key' },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.headers.get('Idempotent-Replayed'), null);
    assert.equal(res.body.licenses.quantity, 6);
  });
});

describe('quantity limits', () => {
  it('refuses a total below 1 or above 100,000 with 400, in the quote and the change', async () => {
    const s = await setup();
    for (const quantity of [0, -1, 100_001]) {
      expectProblem(await s.quote(quantity), 400, 'validation_failed', `quote ${quantity}`);
      const res = await s.change({ quantity, acceptAgreement: true, expectedAmountDue: 0 });
      expectProblem(res, 400, 'validation_failed', `change ${quantity}`);
    }
    expectProblem(await s.quote('abc'), 400, 'validation_failed');
    expectProblem(await s.change({ quantity: 2.5, acceptAgreement: true, expectedAmountDue: 0 }), 400, 'validation_failed');
    assert.equal((await s.account()).licenses.quantity, 5);
  });

  it('accepts the limits themselves: 1 and 100,000', async () => {
    const s = await setup();
    assert.equal((await s.quote(1)).status, 200);
    assert.equal((await s.quote(100_000)).status, 200);
    assert.equal((await s.changeTo(100_000)).status, 200);
    assert.equal((await s.account()).licenses.quantity, 100_000);
  });
});

describe('decrease', () => {
  it('is scheduled for the period end at no charge; the total stays usable until renewal', async () => {
    const s = await setup({ quantity: 5 });
    await s.advanceTo(at(START, 10 * 24 * HOUR_MS));
    const q = await s.quote(3);
    assert.equal(q.status, 200);
    assert.equal(q.body.amountDue, 0);
    assert.equal(q.body.change, -2);
    assert.equal(q.body.effectiveAt, '2026-06-15T00:00:00.000Z');
    assert.equal(q.body.mustFree, 0);
    const res = await s.change({ quantity: 3, acceptAgreement: true, expectedAmountDue: 0 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.invoice, null);
    assert.equal(res.body.licenses.quantity, 5);
    assert.deepEqual(res.body.licenses.scheduled, { quantity: 3, effectiveAt: '2026-06-15T00:00:00.000Z', releases: [] });
    const account = await s.account();
    assert.equal(account.licenses.quantity, 5);
    assert.equal(account.licenses.scheduled?.quantity, 3);
    assert.deepEqual(await s.invoices(), []);
    // Licenses stay usable until the period end.
    for (const email of ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com']) await s.add(email, false);
    assert.equal((await s.account()).licenses.inUse, 5);
  });

  it('refuses a total below the licenses in use (409 licenses_in_use with mustFree); its quote answers 200 with the same mustFree', async () => {
    const s = await setup({ quantity: 5 });
    await s.add('a@example.com');
    await s.add('b@example.com');
    await s.add('c@example.com', false);
    const q = await s.quote(2);
    assert.equal(q.status, 200);
    assert.equal(q.body.mustFree, 2);
    const res = await s.change({ quantity: 2, acceptAgreement: true, expectedAmountDue: 0 });
    expectProblem(res, 409, 'licenses_in_use');
    assert.equal(res.body.mustFree, 2);
    const account = await s.account();
    assert.equal(account.licenses.quantity, 5);
    assert.equal(account.licenses.scheduled, null);
    assert.equal((await s.quote(4)).body.mustFree, 0);
  });

  it('replaces a scheduled decrease with a new one', async () => {
    const s = await setup({ quantity: 5 });
    await s.changeTo(4);
    const res = await s.changeTo(2);
    assert.equal(res.status, 200);
    assert.equal(res.body.licenses.scheduled.quantity, 2);
    assert.equal((await s.account()).licenses.scheduled?.quantity, 2);
  });

  it('cancels a scheduled decrease when the current total is chosen', async () => {
    const s = await setup({ quantity: 5 });
    await s.changeTo(3);
    const q = await s.quote(5);
    assert.equal(q.body.change, 0);
    assert.equal(q.body.amountDue, 0);
    const res = await s.changeTo(5);
    assert.equal(res.status, 200);
    assert.equal(res.body.licenses.scheduled, null);
    assert.equal(res.body.invoice, null);
    const account = await s.account();
    assert.equal(account.licenses.scheduled, null);
    assert.equal(account.licenses.quantity, 5);
    await s.advanceTo('2026-06-15T00:00:00Z');
    assert.equal((await s.account()).licenses.quantity, 5);
  });

  it('cancels a scheduled decrease when licenses are increased, applying the increase at once', async () => {
    const s = await setup({ quantity: 5 });
    await s.changeTo(3);
    const res = await s.changeTo(7);
    assert.equal(res.status, 200);
    assert.equal(res.body.licenses.quantity, 7);
    assert.equal(res.body.licenses.scheduled, null);
    assert.equal(res.body.invoice.kind, 'proration');
    const account = await s.account();
    assert.equal(account.licenses.quantity, 7);
    assert.equal(account.licenses.scheduled, null);
    await s.advanceTo('2026-06-15T00:00:00Z');
    assert.equal((await s.account()).licenses.quantity, 7);
  });
});

describe('renewal', () => {
  it('starts the next period at periodEnd and records a renewal invoice of quantity × unitPrice', async () => {
    const s = await setup({ quantity: 5, unitPrice: 400 });
    await s.advanceTo('2026-06-14T23:59:59Z');
    assert.equal((await s.account()).billing.periodStart, START);
    const account = await s.advanceTo('2026-06-15T00:00:00Z');
    assert.equal(account.billing.periodStart, '2026-06-15T00:00:00.000Z');
    assert.equal(account.billing.periodEnd, '2026-07-15T00:00:00.000Z');
    const invoices = await s.invoices();
    assert.equal(invoices.length, 1);
    assert.deepEqual(
      { kind: invoices[0]!.kind, quantity: invoices[0]!.quantity, amount: invoices[0]!.amount, currency: invoices[0]!.currency },
      { kind: 'renewal', quantity: 5, amount: 2000, currency: 'USD' },
    );
    assert.equal(invoices[0]!.periodStart, '2026-06-15T00:00:00.000Z');
    assert.equal(invoices[0]!.periodEnd, '2026-07-15T00:00:00.000Z');
  });

  it('records no invoice at account creation', async () => {
    const s = await setup();
    assert.deepEqual(await s.invoices(), []);
  });

  it('keeps the anchor day of month, clamped to short months (Jan 31 → Feb 28 → Mar 31)', async () => {
    const s = await setup({ frozenTime: '2026-01-31T09:30:00Z' });
    assert.equal((await s.account()).billing.periodEnd, '2026-02-28T09:30:00.000Z');
    const feb = await s.advanceTo('2026-02-28T09:30:00Z');
    assert.equal(feb.billing.periodStart, '2026-02-28T09:30:00.000Z');
    assert.equal(feb.billing.periodEnd, '2026-03-31T09:30:00.000Z');
    const apr = await s.advanceTo('2026-04-01T00:00:00Z');
    assert.equal(apr.billing.periodStart, '2026-03-31T09:30:00.000Z');
    assert.equal(apr.billing.periodEnd, '2026-04-30T09:30:00.000Z');
  });

  it('renews yearly plans on the same date', async () => {
    const s = await setup({ frozenTime: '2026-03-10T12:00:00Z', interval: 'year' });
    const account = await s.advanceTo('2027-03-10T12:00:00Z');
    assert.equal(account.billing.periodStart, '2027-03-10T12:00:00.000Z');
    assert.equal(account.billing.periodEnd, '2028-03-10T12:00:00.000Z');
  });

  it('applies the scheduled quantity at renewal and bills the new total', async () => {
    const s = await setup({ quantity: 5, unitPrice: 400 });
    await s.changeTo(3);
    const account = await s.advanceTo('2026-06-15T00:00:00Z');
    assert.equal(account.licenses.quantity, 3);
    assert.equal(account.licenses.scheduled, null);
    const invoices = await s.invoices();
    assert.equal(invoices.length, 1);
    assert.equal(invoices[0]!.kind, 'renewal');
    assert.equal(invoices[0]!.quantity, 3);
    assert.equal(invoices[0]!.amount, 1200);
  });

  it('settles every period that has passed at once (each renewal invoiced, the schedule applied at the first)', async () => {
    const s = await setup({ quantity: 5, unitPrice: 400, frozenTime: '2026-01-31T09:30:00Z' });
    await s.changeTo(3);
    const account = await s.advanceTo('2026-05-01T00:00:00Z');
    assert.equal(account.billing.periodStart, '2026-04-30T09:30:00.000Z');
    assert.equal(account.billing.periodEnd, '2026-05-31T09:30:00.000Z');
    assert.equal(account.licenses.quantity, 3);
    const invoices = await s.invoices();
    assert.deepEqual(
      invoices.map((i) => [i.kind, i.periodStart, i.quantity, i.amount]),
      [
        ['renewal', '2026-04-30T09:30:00.000Z', 3, 1200],
        ['renewal', '2026-03-31T09:30:00.000Z', 3, 1200],
        ['renewal', '2026-02-28T09:30:00.000Z', 3, 1200],
      ],
    );
  });

  it('settles lazily on the next read when the wall clock passes the period end (no test clock)', async () => {
    const h = await storeHarness();
    const acc = await h.createAccount();
    h.clock.advance(30 * 24 * HOUR_MS + 12 * HOUR_MS);
    const minted = await h.admin('POST', `${acc.base}/sessions`, { userId: acc.owner.id, ttlSeconds: 86_400 });
    const token: string = minted.body.token;
    assert.equal((await h.request('GET', acc.base, { token })).body.billing.periodStart, START);
    h.clock.advance(13 * HOUR_MS);
    const account = await h.request('GET', acc.base, { token });
    assert.equal(account.body.billing.periodStart, '2026-06-15T00:00:00.000Z');
    assert.equal(account.body.billing.periodEnd, '2026-07-15T00:00:00.000Z');
    const invoices = await h.request('GET', `${acc.base}/invoices`, { token });
    assert.equal(invoices.body.total, 1);
    assert.equal(invoices.body.data[0].kind, 'renewal');
  });
});

describe('releases when a scheduled reduction meets licenses assigned during the notice window', () => {
  /**
   * 8 licenses; everything happens in the last week of the period (so no invitation expires
   * first). Ada and Bob are enabled; a reduction to 3 is scheduled (fits: owner, Ada, Bob).
   * Then, one hour apart: Pia invited, Eve enabled, Pete invited, Ada unassigned and assigned
   * again (her license now the newest), Fay enabled and made owner (the newest, but the owner).
   */
  async function noticeWindow() {
    const s = await setup({ quantity: 8 });
    let hour = 0;
    const tick = () => s.advanceTo(at('2026-06-10T00:00:00Z', ++hour * HOUR_MS));
    await tick();
    const ada = await s.add('ada@example.com');
    await tick();
    const bob = await s.add('bob@example.com');
    await tick();
    await s.changeTo(3);
    assert.deepEqual((await s.account()).licenses.scheduled?.releases, []);
    await tick();
    const pia = await s.add('pia@example.com', false);
    await tick();
    const eve = await s.add('eve@example.com');
    await tick();
    const pete = await s.add('pete@example.com', false);
    await tick();
    await s.req('DELETE', `/users/${ada.id}/license`);
    await s.req('PUT', `/users/${ada.id}/license`);
    await tick();
    const fay = await s.add('fay@example.com');
    const transfer = await s.req('POST', '/owner', { userId: fay.id });
    assert.equal(transfer.status, 200, JSON.stringify(transfer.body));
    s.as.token = await s.h.session(s.accountId, fay.id);
    return { s, ada, bob, pia, eve, pete, fay, expected: [pete.id, pia.id, ada.id, eve.id] };
  }

  it('previews who would be released: pending invitations newest first, then users by licenseAssignedAt newest first, never the owner', async () => {
    const { s, expected } = await noticeWindow();
    const account = await s.account();
    assert.equal(account.licenses.inUse, 7);
    assert.deepEqual(account.licenses.scheduled?.releases, expected);
    const q = await s.quote(3);
    assert.equal(q.body.mustFree, 4);
    assert.deepEqual(q.body.releases, expected);
  });

  it('releases exactly those users at renewal, each with a license.released audit event', async () => {
    const { s, bob, fay, expected } = await noticeWindow();
    const account = await s.advanceTo('2026-06-15T00:00:00Z');
    assert.deepEqual(counts(account), { quantity: 3, enabled: 3, invited: 0, inUse: 3, available: 0 });
    for (const id of expected) {
      const user = await s.user(id);
      assert.equal(user.status, 'disabled', user.email);
      const history = await s.req('GET', `/users/${id}/events`);
      assert.ok((history.body.data as AuditEvent[]).some((e) => e.action === 'license.released' && e.userIds.includes(id)), user.email);
    }
    for (const id of [s.owner.id, bob.id, fay.id]) assert.equal((await s.user(id)).status, 'enabled');
    const events = (await s.req('GET', '/events?limit=200')).body.data as AuditEvent[];
    const released = events.filter((e) => e.action === 'license.released').flatMap((e) => e.userIds);
    assert.deepEqual([...released].sort(), [...expected].sort());
    const invoices = await s.invoices();
    assert.equal(invoices[0]!.kind, 'renewal');
    assert.equal(invoices[0]!.amount, 3 * 400);
  });

  it('signs out the enabled users it releases', async () => {
    const { s, ada } = await noticeWindow();
    const adaToken = await s.h.session(s.accountId, ada.id);
    await s.advanceTo('2026-06-15T00:00:00Z');
    expectProblem(await s.h.request('GET', s.base, { token: adaToken }), 401, 'unauthorized');
  });

  it('voids the invitation tokens of released invitations', async () => {
    const { s } = await noticeWindow();
    const token = await s.h.invitationToken('pete@example.com');
    await s.advanceTo('2026-06-15T00:00:00Z');
    const res = await s.h.request('GET', `/v1/invitations/${token}`);
    expectProblem(res, 404, 'invitation_invalid');
  });

  it('releases exactly the previewed users even when their licenses were taken at the same instant', async () => {
    const s = await setup({ quantity: 6 });
    await s.advanceTo('2026-06-14T00:00:00Z');
    await s.add('ada@example.com');
    await s.changeTo(2);
    for (const email of ['p1@example.com', 'p2@example.com', 'p3@example.com']) await s.add(email, false);
    await s.add('eve@example.com');
    const preview = (await s.account()).licenses.scheduled!.releases;
    assert.equal(preview.length, 4);
    assert.equal(preview.includes(s.owner.id), false);
    const again = (await s.account()).licenses.scheduled!.releases;
    assert.deepEqual(again, preview);
    await s.advanceTo('2026-06-15T00:00:00Z');
    const events = (await s.req('GET', '/events?limit=200')).body.data as AuditEvent[];
    const released = events.filter((e) => e.action === 'license.released').flatMap((e) => e.userIds);
    assert.deepEqual([...released].sort(), [...preview].sort());
    const statuses = await Promise.all(preview.map(async (id) => (await s.user(id)).status));
    assert.deepEqual(statuses, preview.map(() => 'disabled'));
  });

  it('releases nobody when everyone fits, and the preview is empty', async () => {
    const s = await setup({ quantity: 5 });
    await s.add('ada@example.com');
    await s.changeTo(3);
    assert.deepEqual((await s.account()).licenses.scheduled?.releases, []);
    const account = await s.advanceTo('2026-06-15T00:00:00Z');
    assert.equal(account.licenses.inUse, 2);
    const events = (await s.req('GET', '/events?limit=200')).body.data as AuditEvent[];
    assert.equal(events.some((e) => e.action === 'license.released'), false);
  });
});
