import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Account, InvitationLookup, User } from '../../sdk/types.js';
import { isProblem, storeHarness, type Harness, type Reply } from '../helpers/api.js';

/** Asserts a problem+json answer with this status and code, saying what came instead. */
function expectProblem(res: Reply, status: number, code: string, context = ''): void {
  assert.ok(isProblem(res, status, code), `${context ? `${context}: ` : ''}expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
}

const DAY_MS = 86_400_000;
const START = '2026-05-15T00:00:00.000Z';

/** A harness and an account (5 licenses) whose invitation expiry runs on a test clock. */
async function setup(overrides: { quantity?: number; testClock?: boolean } = {}) {
  const h = await storeHarness();
  const acc = await h.createAccount({
    licenses: { quantity: overrides.quantity ?? 5, unitPrice: 400, currency: 'USD', interval: 'month' },
    ...(overrides.testClock === false ? {} : { testClock: { frozenTime: START } }),
  });
  const invite = (body: Record<string, unknown>) => h.request('POST', `${acc.base}/invitations`, { token: acc.ownerToken, body });
  const account = async (): Promise<Account> => (await h.request<Account>('GET', acc.base, { token: acc.ownerToken })).body;
  const user = async (id: string): Promise<User> => (await h.request<User>('GET', `${acc.base}/users/${id}`, { token: acc.ownerToken })).body;
  const users = async (): Promise<User[]> => (await h.request('GET', `${acc.base}/users?limit=200`, { token: acc.ownerToken })).body.data;
  const advanceTo = (iso: string) => h.admin('POST', `${acc.base}/test-clock`, { advanceTo: iso });
  return { h, ...acc, invite, account, user, users, advanceTo };
}

const lookup = (h: Harness, token: string) => h.request<InvitationLookup>('GET', `/v1/invitations/${encodeURIComponent(token)}`);
const accept = (h: Harness, token: string, body: unknown = {}) => h.request('POST', `/v1/invitations/${encodeURIComponent(token)}/accept`, { body });
const at = (iso: string, plusMs: number) => new Date(Date.parse(iso) + plusMs).toISOString();

describe('POST /v1/accounts/{id}/invitations', () => {
  it('creates an invited user who takes a license at once, answers 201 and sends an activation email', async () => {
    const s = await setup();
    const res = await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', qualification: 'Engineer' });
    assert.equal(res.status, 201);
    assert.equal(res.body.user.status, 'invited');
    assert.equal(res.body.user.email, 'ada@example.com');
    assert.equal(res.body.user.qualification, 'Engineer');
    assert.equal(res.body.user.invitedAt, START);
    assert.equal(res.body.user.activatedAt, null);
    assert.equal(res.body.user.invitationExpired, false);
    assert.match(res.body.user.id, /^usr_/);
    assert.deepEqual(
      { quantity: res.body.licenses.quantity, enabled: res.body.licenses.enabled, invited: res.body.licenses.invited, inUse: res.body.licenses.inUse, available: res.body.licenses.available },
      { quantity: 5, enabled: 1, invited: 1, inUse: 2, available: 3 },
    );
    assert.equal(res.headers.get('ETag'), `"${res.body.user.version}"`);
    const account = await s.account();
    assert.equal(account.licenses.invited, 1);
    assert.equal(account.licenses.available, 3);
    const mail = (await s.h.outbox()).data.filter((m) => m.to === 'ada@example.com');
    assert.equal(mail.length, 1);
    assert.ok(mail[0]!.activationUrl);
  });

  it('gives an invited user the role member unless another is asked for', async () => {
    const s = await setup();
    const plain = await s.invite({ email: 'm@example.com', firstName: 'Mem', lastName: 'Ber' });
    assert.equal(plain.body.user.role, 'member');
    assert.equal(plain.body.user.qualification, '');
    const admin = await s.invite({ email: 'a@example.com', firstName: 'Ad', lastName: 'Min', role: 'admin' });
    assert.equal(admin.body.user.role, 'admin');
  });

  it('refuses an email already in the account with 409 user_exists naming that user, compared case-insensitively', async () => {
    const s = await setup();
    const first = await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    const before = await s.account();
    const again = await s.invite({ email: 'ADA@Example.COM', firstName: 'Ada', lastName: 'Again' });
    expectProblem(again, 409, 'user_exists');
    assert.equal(again.body.userId, first.body.user.id);
    assert.equal(typeof again.body.errors?.email, 'string');
    const owner = await s.invite({ email: 'Owner@ACME.example', firstName: 'Olive', lastName: 'Owner' });
    expectProblem(owner, 409, 'user_exists');
    assert.equal(owner.body.userId, s.owner.id);
    assert.deepEqual((await s.account()).licenses, before.licenses);
    assert.equal((await s.users()).length, 2);
  });

  it('refuses an email of a disabled user too (records are kept), so the UI can offer to assign instead', async () => {
    const s = await setup();
    const first = await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    await s.h.request('DELETE', `${s.base}/users/${first.body.user.id}/invitation`, { token: s.ownerToken });
    const again = await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    expectProblem(again, 409, 'user_exists');
    assert.equal(again.body.userId, first.body.user.id);
  });

  it('refuses with 409 no_license_available when every license is in use, creating no user and sending no email', async () => {
    const s = await setup({ quantity: 2 });
    await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    const mailBefore = (await s.h.outbox()).total;
    const before = await s.account();
    const res = await s.invite({ email: 'bob@example.com', firstName: 'Bob', lastName: 'Builder' });
    expectProblem(res, 409, 'no_license_available');
    assert.deepEqual((await s.account()).licenses, before.licenses);
    assert.equal((await s.users()).some((u) => u.email === 'bob@example.com'), false);
    assert.equal((await s.h.outbox()).total, mailBefore);
  });

  it('lets the same email be a user of two accounts (unique per account only)', async () => {
    const s = await setup();
    const other = await s.h.createAccount({ owner: { email: 'boss@other.example', firstName: 'B', lastName: 'O' } });
    assert.equal((await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'L' })).status, 201);
    const res = await s.h.request('POST', `${other.base}/invitations`, { token: other.ownerToken, body: { email: 'ada@example.com', firstName: 'Ada', lastName: 'L' } });
    assert.equal(res.status, 201);
  });

  it('issues invitation tokens of at least 43 base64url characters (≥ 256 bits), stored only as a hash', async () => {
    const s = await setup();
    await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    const token = await s.h.invitationToken('ada@example.com');
    assert.match(token, /^[A-Za-z0-9_-]{43,}$/);
    const stored = JSON.stringify(await s.h.store.get(s.accountId));
    assert.equal(stored.includes(token), false, 'the raw token must not be stored');
  });

  it('issues a different token for every invitation', async () => {
    const s = await setup();
    await s.invite({ email: 'a@example.com', firstName: 'A', lastName: 'A' });
    await s.invite({ email: 'b@example.com', firstName: 'B', lastName: 'B' });
    assert.notEqual(await s.h.invitationToken('a@example.com'), await s.h.invitationToken('b@example.com'));
  });
});

describe('GET /v1/invitations/{token}', () => {
  it('shows the account name, email, names and expiry (7 days) to anyone holding the token', async () => {
    const s = await setup();
    await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    const res = await lookup(s.h, await s.h.invitationToken('ada@example.com'));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      accountName: 'Acme Engineering',
      email: 'ada@example.com',
      firstName: 'Ada',
      lastName: 'Lovelace',
      expiresAt: at(START, 7 * DAY_MS),
    });
  });

  it('answers 404 invitation_invalid for a token that never existed', async () => {
    const s = await setup();
    const res = await lookup(s.h, 'A'.repeat(43));
    expectProblem(res, 404, 'invitation_invalid');
    expectProblem(await accept(s.h, 'A'.repeat(43)), 404, 'invitation_invalid');
  });
});

describe('POST /v1/invitations/{token}/accept', () => {
  it('enables the user with body {}, sets activatedAt and answers a session token that works', async () => {
    const s = await setup();
    const invited = await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    await s.advanceTo(at(START, 3600_000));
    const res = await accept(s.h, await s.h.invitationToken('ada@example.com'), {});
    assert.equal(res.status, 200);
    assert.equal(res.body.user.id, invited.body.user.id);
    assert.equal(res.body.user.status, 'enabled');
    assert.equal(res.body.user.activatedAt, at(START, 3600_000));
    assert.equal(res.body.user.firstName, 'Ada');
    assert.match(res.body.token, /^[A-Za-z0-9_-]{22,}$/);
    const me = await s.h.request('GET', `${s.base}/users/${invited.body.user.id}`, { token: res.body.token });
    assert.equal(me.status, 200);
    assert.equal(me.body.status, 'enabled');
    const account = await s.h.request('GET', s.base, { token: res.body.token });
    assert.equal(account.status, 200);
    assert.equal(account.body.viewer.userId, invited.body.user.id);
    assert.equal(account.body.licenses.enabled, 2);
    assert.equal(account.body.licenses.invited, 0);
    assert.equal(account.body.licenses.inUse, 2);
  });

  it('accepts with no body at all', async () => {
    const s = await setup();
    await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    const token = await s.h.invitationToken('ada@example.com');
    const res = await s.h.request('POST', `/v1/invitations/${token}/accept`);
    assert.equal(res.status, 200);
    assert.equal(res.body.user.status, 'enabled');
  });

  it('takes the first and last name the person typed on the activation page', async () => {
    const s = await setup();
    const invited = await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'L' });
    const res = await accept(s.h, await s.h.invitationToken('ada@example.com'), { firstName: 'Augusta Ada', lastName: 'King' });
    assert.equal(res.status, 200);
    assert.equal(res.body.user.firstName, 'Augusta Ada');
    assert.equal(res.body.user.lastName, 'King');
    const stored = await s.user(invited.body.user.id);
    assert.equal(stored.firstName, 'Augusta Ada');
    assert.equal(stored.lastName, 'King');
  });

  it('works once: a used token answers 404 invitation_invalid to lookup and accept', async () => {
    const s = await setup();
    await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    const token = await s.h.invitationToken('ada@example.com');
    assert.equal((await accept(s.h, token)).status, 200);
    expectProblem(await lookup(s.h, token), 404, 'invitation_invalid');
    expectProblem(await accept(s.h, token), 404, 'invitation_invalid');
  });
});

describe('revoke and resend', () => {
  it('revoke disables the user, frees the license and voids the token', async () => {
    const s = await setup({ quantity: 2 });
    const invited = await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    const token = await s.h.invitationToken('ada@example.com');
    const res = await s.h.request('DELETE', `${s.base}/users/${invited.body.user.id}/invitation`, { token: s.ownerToken });
    assert.equal(res.status, 200);
    assert.equal(res.body.user.status, 'disabled');
    assert.equal(res.body.user.email, 'ada@example.com');
    assert.equal(res.body.licenses.available, 1);
    assert.equal(res.body.licenses.invited, 0);
    assert.equal((await s.user(invited.body.user.id)).status, 'disabled');
    expectProblem(await lookup(s.h, token), 404, 'invitation_invalid');
    expectProblem(await accept(s.h, token), 404, 'invitation_invalid');
    assert.equal((await s.invite({ email: 'bob@example.com', firstName: 'Bob', lastName: 'B' })).status, 201);
    await s.advanceTo(at(START, 8 * DAY_MS));
    expectProblem(await lookup(s.h, token), 404, 'invitation_invalid', 'a revoked token stays invalid (not expired) later');
  });

  it('resend rotates the token: the old one stops working, the new one works', async () => {
    const s = await setup();
    const invited = await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    const oldToken = await s.h.invitationToken('ada@example.com');
    const mails = (await s.h.outbox()).total;
    const res = await s.h.request('POST', `${s.base}/users/${invited.body.user.id}/invitation/resend`, { token: s.ownerToken });
    assert.equal(res.status, 200);
    assert.equal(res.body.user.status, 'invited');
    assert.equal((await s.h.outbox()).total, mails + 1);
    const newToken = await s.h.invitationToken('ada@example.com');
    assert.notEqual(newToken, oldToken);
    expectProblem(await lookup(s.h, oldToken), 404, 'invitation_invalid');
    expectProblem(await accept(s.h, oldToken), 404, 'invitation_invalid');
    assert.equal((await lookup(s.h, newToken)).status, 200);
    assert.equal((await accept(s.h, newToken)).status, 200);
    assert.equal((await s.account()).licenses.inUse, 2);
  });

  it('resend restarts the 7-day expiry from the time it is sent', async () => {
    const s = await setup();
    const invited = await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    await s.advanceTo(at(START, 5 * DAY_MS));
    await s.h.request('POST', `${s.base}/users/${invited.body.user.id}/invitation/resend`, { token: s.ownerToken });
    await s.advanceTo(at(START, 8 * DAY_MS));
    const res = await lookup(s.h, await s.h.invitationToken('ada@example.com'));
    assert.equal(res.status, 200);
    assert.equal(res.body.expiresAt, at(START, 12 * DAY_MS));
  });

  it('unassigning an invited user voids its token and frees the license', async () => {
    const s = await setup();
    const invited = await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    const token = await s.h.invitationToken('ada@example.com');
    const res = await s.h.request('DELETE', `${s.base}/users/${invited.body.user.id}/license`, { token: s.ownerToken });
    assert.equal(res.status, 200);
    assert.equal(res.body.user.status, 'disabled');
    assert.equal(res.body.licenses.invited, 0);
    expectProblem(await lookup(s.h, token), 404, 'invitation_invalid');
    expectProblem(await accept(s.h, token), 404, 'invitation_invalid');
    assert.equal((await s.user(invited.body.user.id)).status, 'disabled');
  });
});

describe('resend and revoke of users they do not fit', () => {
  it('refuses to resend or revoke for an enabled user (409 user_not_eligible)', async () => {
    const s = await setup();
    const invited = await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    await accept(s.h, await s.h.invitationToken('ada@example.com'));
    const mails = (await s.h.outbox()).total;
    const resend = await s.h.request('POST', `${s.base}/users/${invited.body.user.id}/invitation/resend`, { token: s.ownerToken });
    expectProblem(resend, 409, 'user_not_eligible');
    const revoke = await s.h.request('DELETE', `${s.base}/users/${invited.body.user.id}/invitation`, { token: s.ownerToken });
    expectProblem(revoke, 409, 'user_not_eligible');
    assert.equal((await s.user(invited.body.user.id)).status, 'enabled');
    assert.equal((await s.h.outbox()).total, mails);
  });
});

describe('invitation expiry (account test clock)', () => {
  it('keeps the invitation valid until 7 days have passed', async () => {
    const s = await setup();
    const invited = await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    await s.advanceTo(at(START, 7 * DAY_MS - 1000));
    assert.equal((await s.user(invited.body.user.id)).status, 'invited');
    assert.equal((await lookup(s.h, await s.h.invitationToken('ada@example.com'))).status, 200);
  });

  it('after 7 days disables the user with invitationExpired true and releases the license', async () => {
    const s = await setup({ quantity: 2 });
    const invited = await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    assert.equal((await s.account()).licenses.available, 0);
    const clock = await s.advanceTo(at(START, 7 * DAY_MS));
    assert.equal(clock.status, 200);
    const user = await s.user(invited.body.user.id);
    assert.equal(user.status, 'disabled');
    assert.equal(user.invitationExpired, true);
    assert.equal(user.email, 'ada@example.com');
    const account = await s.account();
    assert.equal(account.licenses.invited, 0);
    assert.equal(account.licenses.available, 1);
    const events = await s.h.request('GET', `${s.base}/users/${invited.body.user.id}/events`, { token: s.ownerToken });
    assert.equal(events.body.data[0].action, 'invitation.expired');
  });

  it('answers 410 invitation_expired to lookup and accept of an expired token, and the user stays disabled', async () => {
    const s = await setup();
    const invited = await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    const token = await s.h.invitationToken('ada@example.com');
    await s.advanceTo(at(START, 8 * DAY_MS));
    expectProblem(await lookup(s.h, token), 410, 'invitation_expired');
    expectProblem(await accept(s.h, token), 410, 'invitation_expired');
    const user = await s.user(invited.body.user.id);
    assert.equal(user.status, 'disabled');
    assert.equal(user.activatedAt, null);
  });

  it('expires lazily: the first request after the deadline sees the license released', async () => {
    const s = await setup({ quantity: 2 });
    await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    await s.advanceTo(at(START, 6 * DAY_MS));
    expectProblem(await s.invite({ email: 'bob@example.com', firstName: 'Bob', lastName: 'B' }), 409, 'no_license_available');
    await s.advanceTo(at(START, 7 * DAY_MS + 1));
    assert.equal((await s.invite({ email: 'bob@example.com', firstName: 'Bob', lastName: 'B' })).status, 201);
  });

  it('resend of an expired invitation needs a free license (409 no_license_available when none)', async () => {
    const s = await setup({ quantity: 2 });
    const invited = await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    await s.advanceTo(at(START, 8 * DAY_MS));
    const bob = await s.invite({ email: 'bob@example.com', firstName: 'Bob', lastName: 'B' });
    assert.equal(bob.status, 201);
    const mails = (await s.h.outbox()).total;
    const res = await s.h.request('POST', `${s.base}/users/${invited.body.user.id}/invitation/resend`, { token: s.ownerToken });
    expectProblem(res, 409, 'no_license_available');
    const user = await s.user(invited.body.user.id);
    assert.equal(user.status, 'disabled');
    assert.equal(user.invitationExpired, true);
    assert.equal((await s.account()).licenses.inUse, 2);
    assert.equal((await s.h.outbox()).total, mails);
  });

  it('resend of an expired invitation with a free license makes the user invited again with a working token', async () => {
    const s = await setup({ quantity: 2 });
    const invited = await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    const oldToken = await s.h.invitationToken('ada@example.com');
    await s.advanceTo(at(START, 8 * DAY_MS));
    const res = await s.h.request('POST', `${s.base}/users/${invited.body.user.id}/invitation/resend`, { token: s.ownerToken });
    assert.equal(res.status, 200);
    assert.equal(res.body.user.status, 'invited');
    assert.equal(res.body.user.invitationExpired, false);
    assert.equal(res.body.licenses.invited, 1);
    assert.equal(res.body.licenses.available, 0);
    const newToken = await s.h.invitationToken('ada@example.com');
    assert.notEqual(newToken, oldToken);
    const shown = await lookup(s.h, newToken);
    assert.equal(shown.status, 200);
    assert.equal(shown.body.expiresAt, at(START, 15 * DAY_MS));
    assert.notEqual((await lookup(s.h, oldToken)).status, 200);
    const accepted = await accept(s.h, newToken);
    assert.equal(accepted.status, 200);
    assert.equal(accepted.body.user.status, 'enabled');
  });

  it('takes its lifetime from the invitationTtlSeconds setting', async () => {
    const h = await storeHarness({ invitationTtlSeconds: 3600 });
    const acc = await h.createAccount({ testClock: { frozenTime: START } });
    await h.request('POST', `${acc.base}/invitations`, { token: acc.ownerToken, body: { email: 'ada@example.com', firstName: 'Ada', lastName: 'L' } });
    const token = await h.invitationToken('ada@example.com');
    assert.equal((await lookup(h, token)).body.expiresAt, at(START, 3600_000));
    await h.admin('POST', `${acc.base}/test-clock`, { advanceTo: at(START, 3600_000) });
    expectProblem(await lookup(h, token), 410, 'invitation_expired');
  });

  it('follows the wall clock for accounts without a test clock, and settles lazily on the next read', async () => {
    const s = await setup({ testClock: false });
    const invited = await s.invite({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    const token = await s.h.invitationToken('ada@example.com');
    s.h.clock.advance(7 * DAY_MS - 3600_000);
    const minted = await s.h.admin('POST', `${s.base}/sessions`, { userId: s.owner.id, ttlSeconds: 86_400 });
    const ownerToken: string = minted.body.token;
    const read = () => s.h.request<User>('GET', `${s.base}/users/${invited.body.user.id}`, { token: ownerToken });
    assert.equal((await read()).body.status, 'invited');
    s.h.clock.advance(3600_000);
    const user = await read();
    assert.equal(user.body.status, 'disabled');
    assert.equal(user.body.invitationExpired, true);
    expectProblem(await lookup(s.h, token), 410, 'invitation_expired');
  });
});
