/**
 * Every SDK method against the real app (memory store) in-process, and the happy path once more
 * over real HTTP on a random port.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { start, type Started } from '../../server/node.js';
import { Page, PagePromise, SeatAdmin, SeatClient, SeatConflictError, SeatNotFoundError, type User } from '../../sdk/index.js';
import { API_KEY, makeSdkHarness } from '../helpers/api.js';

type SdkHarness = ReturnType<typeof makeSdkHarness>;

function tokenOf(activationUrl: string | null): string {
  assert.ok(activationUrl, 'the message has an activation link');
  return decodeURIComponent(activationUrl.split('/').pop()!);
}

/** Invites and activates a person through the SDK; returns the user and a client signed in as them. */
async function addActiveUser(h: SdkHarness, owner: SeatClient, person: { email: string; firstName: string; lastName: string; role?: 'admin' | 'member'; qualification?: string }) {
  await owner.invitations.create(person);
  const anonymous = h.client(owner.accountId);
  const { user, token } = await anonymous.invitations.accept(await h.invitationToken(person.email));
  return { user, token, client: h.client(owner.accountId, token) };
}

describe('SeatAdmin (in-process app)', () => {
  it('accounts.create answers the account and its owner; accounts.get reads it back without a viewer', async () => {
    const h = makeSdkHarness();
    const created = await h.admin.accounts.create({
      name: 'Acme Engineering',
      licenses: { quantity: 3, unitPrice: 1200, currency: 'EUR', interval: 'year' },
      owner: { email: 'olive@acme.example', firstName: 'Olive', lastName: 'Owner', qualification: 'CTO' },
    });
    assert.match(created.account.id, /^acc_/);
    assert.match(created.owner.id, /^usr_/);
    assert.equal(created.account.ownerId, created.owner.id);
    assert.equal(created.owner.role, 'owner');
    assert.equal(created.owner.status, 'enabled');
    assert.equal(created.owner.qualification, 'CTO');
    assert.deepEqual(created.account.licenses, { quantity: 3, enabled: 1, invited: 0, inUse: 1, available: 2, scheduled: null });
    assert.equal(created.account.billing.interval, 'year');
    assert.equal(created.account.testClock, null);

    const read = await h.admin.accounts.get(created.account.id);
    assert.equal(read.id, created.account.id);
    assert.equal(read.name, 'Acme Engineering');
    assert.equal(read.viewer, undefined, 'the API key reads no viewer');
    assert.deepEqual(read.licenses, created.account.licenses);
  });

  it('sessions.create mints a working token by userId and by email (with ttlSeconds)', async () => {
    const h = makeSdkHarness();
    const { account, owner } = await h.admin.accounts.create({
      name: 'Acme',
      licenses: { quantity: 2, unitPrice: 100, currency: 'USD', interval: 'month' },
      owner: { email: 'Olive@Acme.example', firstName: 'Olive', lastName: 'Owner' },
    });
    const byId = await h.admin.sessions.create(account.id, { userId: owner.id });
    const byEmail = await h.admin.sessions.create(account.id, { email: 'olive@acme.example', ttlSeconds: 600 });
    for (const session of [byId, byEmail]) {
      assert.equal(session.user.id, owner.id);
      assert.ok(session.token.length >= 22, 'a ≥128-bit token');
      const viewer = (await h.client(account.id, session.token).account.get()).viewer;
      assert.equal(viewer?.userId, owner.id);
      assert.equal(viewer?.role, 'owner');
    }
    assert.notEqual(byId.token, byEmail.token);
    assert.equal(Date.parse(byEmail.expiresAt) - h.clock.now().getTime(), 600_000);
    assert.equal(Date.parse(byId.expiresAt) - h.clock.now().getTime(), 3_600_000, 'default 1 h');
  });

  it('testClock.advance moves a test-clock account forward (ISO string or Date) and renews its period', async () => {
    const h = makeSdkHarness();
    const frozenTime = '2026-01-01T00:00:00.000Z';
    const { account } = await h.admin.accounts.create({
      name: 'Clocked',
      licenses: { quantity: 2, unitPrice: 1000, currency: 'USD', interval: 'month' },
      owner: { email: 'o@clock.example', firstName: 'O', lastName: 'W' },
      testClock: { frozenTime },
    });
    assert.deepEqual(account.testClock, { now: frozenTime });
    assert.equal(account.billing.periodStart, frozenTime);

    const mid = await h.admin.testClock.advance(account.id, '2026-01-20T00:00:00.000Z');
    assert.equal(mid.testClock?.now, '2026-01-20T00:00:00.000Z');
    assert.equal(mid.billing.periodStart, frozenTime);

    const later = await h.admin.testClock.advance(account.id, new Date('2026-02-02T00:00:00.000Z'));
    assert.equal(later.testClock?.now, '2026-02-02T00:00:00.000Z');
    assert.equal(later.billing.periodStart, '2026-02-01T00:00:00.000Z', 'renewed into the next period');
  });

  it('baseUrl is where the server is mounted: an origin plus a prefix, with or without a trailing slash', async () => {
    const h = makeSdkHarness();
    const paths: string[] = [];
    const mounted: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      paths.push(url.pathname);
      assert.ok(url.pathname.startsWith('/seats/v1/'), url.pathname);
      url.pathname = url.pathname.slice('/seats'.length);
      return h.fetch(new Request(url, request));
    };
    for (const baseUrl of ['http://seatkit.test/seats', 'http://seatkit.test/seats/']) {
      const admin = new SeatAdmin({ baseUrl, apiKey: API_KEY, fetch: mounted });
      assert.equal((await admin.outbox.list()).total, 0);
    }
    assert.deepEqual(paths, ['/seats/v1/outbox', '/seats/v1/outbox']);
  });

  it('outbox.list pages the sent messages, newest first', async () => {
    const h = makeSdkHarness();
    const s = await h.setup();
    for (const name of ['ada', 'bob', 'cy']) await s.ownerClient.invitations.create({ email: `${name}@acme.example`, firstName: name, lastName: 'X' });
    const page = await h.admin.outbox.list({ limit: 2 });
    assert.equal(page.total, 3);
    assert.deepEqual(
      page.data.map((m) => m.to),
      ['cy@acme.example', 'bob@acme.example'],
    );
    assert.ok(page.hasNextPage());
    const all: string[] = [];
    for await (const message of h.admin.outbox.list({ limit: 2 })) all.push(message.to);
    assert.deepEqual(all, ['cy@acme.example', 'bob@acme.example', 'ada@acme.example']);
    assert.match(page.data[0]!.subject, /Acme Engineering/);
    assert.ok(tokenOf(page.data[0]!.activationUrl).length > 20);
  });
});

describe('SeatClient (in-process app)', () => {
  let h: SdkHarness;
  let s: Awaited<ReturnType<SdkHarness['setup']>>;
  let ada: Awaited<ReturnType<typeof addActiveUser>>;
  let bob: Awaited<ReturnType<typeof addActiveUser>>;

  before(async () => {
    h = makeSdkHarness();
    s = await h.setup({ licenses: { quantity: 10, unitPrice: 3000, currency: 'USD', interval: 'month' } });
    ada = await addActiveUser(h, s.ownerClient, { email: 'ada@acme.example', firstName: 'Ada', lastName: 'Lovelace', role: 'admin', qualification: 'Mathematics' });
    bob = await addActiveUser(h, s.ownerClient, { email: 'bob@acme.example', firstName: 'Bob', lastName: 'Babbage' });
    await s.ownerClient.invitations.create({ email: 'cy@acme.example', firstName: 'Cy', lastName: 'Young' });
    await s.ownerClient.invitations.create({ email: 'dee@acme.example', firstName: 'Dee', lastName: 'Dorsey', qualification: 'Mathematics' });
  });

  it('account.get: the account, its counts and the viewer with permissions', async () => {
    const account = await s.ownerClient.account.get();
    assert.equal(account.id, s.accountId);
    assert.deepEqual(account.licenses, { quantity: 10, enabled: 3, invited: 2, inUse: 5, available: 5, scheduled: null });
    assert.deepEqual(account.viewer, { userId: s.owner.id, role: 'owner', permissions: ['users:read', 'users:manage', 'licenses:manage', 'owner:transfer'] });
    const asBob = await bob.client.account.get();
    assert.equal(asBob.viewer?.role, 'member');
    assert.equal(asBob.viewer?.userId, bob.user.id);
  });

  it('users.list: await gives the first page (data, total, nextCursor); params filter, search and sort', async () => {
    const page = await s.ownerClient.users.list();
    assert.ok(page instanceof Page);
    assert.equal(page.total, 5);
    assert.equal(page.nextCursor, null);
    assert.equal(page.hasNextPage(), false);
    await assert.rejects(page.getNextPage(), RangeError);
    // Default sort: name (first name, then last name).
    assert.deepEqual(
      page.data.map((u) => u.firstName),
      ['Ada', 'Bob', 'Cy', 'Dee', 'Olive'],
    );

    const invited = await s.ownerClient.users.list({ status: 'invited', sort: 'email' });
    assert.deepEqual(invited.data.map((u) => u.email), ['cy@acme.example', 'dee@acme.example']);
    assert.equal(invited.total, 2);

    const admins = await s.ownerClient.users.list({ role: 'admin' });
    assert.deepEqual(admins.data.map((u) => u.id), [ada.user.id]);

    const maths = await s.ownerClient.users.list({ q: 'mathematics', sort: '-email' });
    assert.deepEqual(maths.data.map((u) => u.email), ['dee@acme.example', 'ada@acme.example']);

    const byEmailDesc = await s.ownerClient.users.list({ sort: '-email' });
    assert.deepEqual(
      byEmailDesc.data.map((u) => u.email),
      ['owner@acme.example', 'dee@acme.example', 'cy@acme.example', 'bob@acme.example', 'ada@acme.example'],
    );
  });

  it('users.list with limit 2: hasNextPage/getNextPage walk the pages; total stays the whole count', async () => {
    const first = await s.ownerClient.users.list({ sort: 'email', limit: 2 });
    assert.equal(first.total, 5);
    assert.equal(first.data.length, 2);
    assert.ok(first.hasNextPage());
    assert.equal(typeof first.nextCursor, 'string');
    const second = await first.getNextPage();
    const third = await second.getNextPage();
    assert.equal(third.hasNextPage(), false);
    assert.equal(third.nextCursor, null);
    assert.deepEqual(
      [...first.data, ...second.data, ...third.data].map((u) => u.email),
      ['ada@acme.example', 'bob@acme.example', 'cy@acme.example', 'dee@acme.example', 'owner@acme.example'],
    );
    assert.equal(second.total, 5);
    // An explicit cursor starts there.
    const resumed = await s.ownerClient.users.list({ sort: 'email', limit: 2, cursor: first.nextCursor! });
    assert.deepEqual(resumed.data.map((u) => u.email), second.data.map((u) => u.email));
  });

  it('for await over the PagePromise yields every user across pages (limit 2: three requests)', async () => {
    const urls: string[] = [];
    const counting = h.client(s.accountId, s.ownerToken, {
      fetch: async (input, init) => {
        urls.push(input instanceof Request ? input.url : String(input));
        return h.fetch(input, init);
      },
    });
    const list = counting.users.list({ sort: 'email', limit: 2 });
    assert.ok(list instanceof PagePromise);
    const emails: string[] = [];
    for await (const user of list) emails.push(user.email);
    assert.deepEqual(emails, ['ada@acme.example', 'bob@acme.example', 'cy@acme.example', 'dee@acme.example', 'owner@acme.example']);
    assert.equal(urls.length, 3, urls.join('\n'));
    assert.ok(urls.every((url) => url.includes('limit=2') && url.includes('sort=email')));
    assert.equal(urls.filter((url) => url.includes('cursor=')).length, 2);
  });

  it('for await over a Page yields its items and every page after it', async () => {
    const first = await s.ownerClient.users.list({ sort: 'email', limit: 2 });
    const fromSecond: string[] = [];
    for await (const user of await first.getNextPage()) fromSecond.push(user.email);
    assert.deepEqual(fromSecond, ['cy@acme.example', 'dee@acme.example', 'owner@acme.example']);
    const all: User[] = [];
    for await (const user of first) all.push(user);
    assert.equal(all.length, first.total);
  });

  it('users.get answers one user', async () => {
    const user = await s.ownerClient.users.get(ada.user.id);
    assert.equal(user.email, 'ada@acme.example');
    assert.equal(user.role, 'admin');
    assert.equal(user.status, 'enabled');
    assert.equal(typeof user.version, 'number');
    // A member may read themselves.
    assert.equal((await bob.client.users.get(bob.user.id)).id, bob.user.id);
  });

  it('users.update without ifMatch fetches the ETag itself; with the current ifMatch it applies; with a stale one → 412', async () => {
    const before = await s.ownerClient.users.get(bob.user.id);
    const updated = await s.ownerClient.users.update(bob.user.id, { qualification: 'Engines' });
    assert.equal(updated.user.qualification, 'Engines');
    assert.equal(updated.user.version, before.version + 1);
    assert.equal(updated.licenses.quantity, 10);

    const again = await s.ownerClient.users.update(bob.user.id, { firstName: 'Robert' }, { ifMatch: `"${updated.user.version}"` });
    assert.equal(again.user.firstName, 'Robert');
    assert.equal(again.user.qualification, 'Engines');
    assert.equal(again.user.version, updated.user.version + 1);

    const stale = await s.ownerClient.users.update(bob.user.id, { lastName: 'Stale' }, { ifMatch: `"${before.version}"` }).then(
      () => assert.fail('a stale ETag must fail'),
      (error: unknown) => error,
    );
    assert.ok(stale instanceof SeatConflictError, String(stale));
    assert.equal(stale.status, 412);
    assert.equal(stale.code, 'precondition_failed');
    assert.equal(stale.problem?.version, again.user.version);
    assert.equal((await s.ownerClient.users.get(bob.user.id)).lastName, 'Babbage', 'the stale edit changed nothing');
  });

  it('users.history: the events about one user, newest first', async () => {
    const history = await s.ownerClient.users.history(bob.user.id);
    const actions = history.data.map((e) => e.action);
    assert.equal(actions.at(-1), 'user.invited');
    assert.ok(actions.includes('invitation.accepted'));
    assert.ok(history.data.every((e) => e.userIds.includes(bob.user.id)));
    const paged: string[] = [];
    for await (const event of s.ownerClient.users.history(bob.user.id, { limit: 1 })) paged.push(event.id);
    assert.deepEqual(paged, history.data.map((e) => e.id));
  });

  it('invitations: create (201 body), lookup and accept without a token, resend, revoke', async () => {
    const created = await s.ownerClient.invitations.create({ email: 'eve@acme.example', firstName: 'Eve', lastName: 'Evans', role: 'admin', qualification: 'Ops' });
    assert.equal(created.user.status, 'invited');
    assert.equal(created.user.role, 'admin');
    assert.equal(created.licenses.invited, 3);
    const firstToken = await h.invitationToken('eve@acme.example');

    const activation = h.client(s.accountId); // the activation page: no session at all
    const lookup = await activation.invitations.lookup(firstToken);
    assert.equal(lookup.accountName, 'Acme Engineering');
    assert.equal(lookup.email, 'eve@acme.example');
    assert.equal(lookup.firstName, 'Eve');
    assert.equal(lookup.lastName, 'Evans');
    assert.ok(Date.parse(lookup.expiresAt) > h.clock.now().getTime());

    const resent = await s.ownerClient.invitations.resend(created.user.id);
    assert.equal(resent.user.status, 'invited');
    const secondToken = await h.invitationToken('eve@acme.example');
    assert.notEqual(secondToken, firstToken);
    await assert.rejects(activation.invitations.lookup(firstToken), (e: unknown) => e instanceof SeatNotFoundError && e.code === 'invitation_invalid');

    const accepted = await activation.invitations.accept(secondToken, { firstName: 'Evelyn' });
    assert.equal(accepted.user.status, 'enabled');
    assert.equal(accepted.user.firstName, 'Evelyn');
    assert.equal((await h.client(s.accountId, accepted.token).account.get()).viewer?.userId, created.user.id);

    const toRevoke = await s.ownerClient.invitations.create({ email: 'fay@acme.example', firstName: 'Fay', lastName: 'F' });
    const revoked = await s.ownerClient.invitations.revoke(toRevoke.user.id);
    assert.equal(revoked.user.status, 'disabled');
    assert.equal(revoked.licenses.invited, toRevoke.licenses.invited - 1);
    await assert.rejects(activation.invitations.lookup(await h.invitationToken('fay@acme.example')), SeatNotFoundError);
  });

  it('licenses: unassign, assign, reassign', async () => {
    const unassigned = await s.ownerClient.licenses.unassign(bob.user.id);
    assert.equal(unassigned.user.status, 'disabled');
    assert.equal(unassigned.user.licenseAssignedAt, null);
    const assigned = await s.ownerClient.licenses.assign(bob.user.id);
    assert.equal(assigned.user.status, 'enabled');
    assert.equal(assigned.licenses.available, unassigned.licenses.available - 1);

    await s.ownerClient.licenses.unassign(bob.user.id);
    const moved = await s.ownerClient.licenses.reassign(ada.user.id, bob.user.id);
    const byId = new Map(moved.users.map((u) => [u.id, u]));
    assert.equal(byId.get(ada.user.id)?.status, 'disabled');
    assert.equal(byId.get(bob.user.id)?.status, 'enabled');
    assert.equal(moved.licenses.available, assigned.licenses.available + 1, 'a reassign moves a license: the count stays');
    const history = await s.ownerClient.users.history(ada.user.id);
    assert.equal(history.data[0]?.action, 'license.reassigned');
    assert.deepEqual(new Set(history.data[0]?.userIds), new Set([ada.user.id, bob.user.id]));
    await s.ownerClient.licenses.assign(ada.user.id);
  });

  it('licenses.quote and licenses.change: an increase is charged pro rata once, listed by invoices.list', async () => {
    const quote = await s.ownerClient.licenses.quote(12);
    assert.equal(quote.quantity, 12);
    assert.equal(quote.currentQuantity, 10);
    assert.equal(quote.change, 2);
    assert.equal(quote.currency, 'USD');
    assert.ok(quote.amountDue > 0 && quote.amountDue <= 2 * 3000, `amountDue ${quote.amountDue}`);
    assert.equal(quote.mustFree, 0);

    const result = await s.ownerClient.licenses.change({ quantity: 12, expectedAmountDue: quote.amountDue, acceptAgreement: true });
    assert.equal(result.licenses.quantity, 12);
    assert.equal(result.invoice?.kind, 'proration');
    assert.equal(result.invoice?.amount, quote.amountDue);
    assert.equal(result.invoice?.quantity, 2);
    assert.equal(result.billing.unitPrice, 3000);

    const invoices = await s.ownerClient.invoices.list();
    assert.equal(invoices.total, 1);
    assert.equal(invoices.data[0]?.id, result.invoice?.id);

    const decrease = await s.ownerClient.licenses.quote(11);
    assert.equal(decrease.amountDue, 0);
    const scheduled = await s.ownerClient.licenses.change({ quantity: 11, expectedAmountDue: 0, acceptAgreement: true });
    assert.equal(scheduled.invoice, null);
    assert.equal(scheduled.licenses.scheduled?.quantity, 11);
    assert.equal(scheduled.licenses.scheduled?.effectiveAt, decrease.effectiveAt);
    assert.equal((await s.ownerClient.invoices.list()).total, 1);
  });

  it('events.list: the audit log, newest first, paged', async () => {
    const events = await s.ownerClient.events.list({ limit: 200 });
    assert.ok(events.total >= 10);
    assert.equal(events.data.at(-1)?.action, 'account.created');
    assert.ok(events.data.some((e) => e.action === 'licenses.increased'));
    const times = events.data.map((e) => e.createdAt);
    assert.deepEqual(times, [...times].sort().reverse());
    let count = 0;
    for await (const event of s.ownerClient.events.list({ limit: 7 })) {
      assert.equal(event.accountId, s.accountId);
      count++;
    }
    assert.equal(count, events.total);
  });

  it('account.transferOwnership makes another activated user the owner (the old owner becomes an admin)', async () => {
    const result = await s.ownerClient.account.transferOwnership(bob.user.id);
    const byId = new Map(result.users.map((u) => [u.id, u]));
    assert.equal(byId.get(bob.user.id)?.role, 'owner');
    assert.equal(byId.get(s.owner.id)?.role, 'admin');
    // Bob's earlier session ended when his license was taken; the host mints him a new one.
    const { token } = await h.admin.sessions.create(s.accountId, { userId: bob.user.id });
    const account = await h.client(s.accountId, token).account.get();
    assert.equal(account.ownerId, bob.user.id);
    assert.equal(account.viewer?.role, 'owner');
  });
});

describe('the SDK over real HTTP (start() on a random port)', () => {
  let server: Started;
  before(async () => {
    server = await start(
      { PORT: '0', SEATKIT_DB: ':memory:', SEATKIT_API_KEY: 'sk_http_test_0123456789abcdef', SEATKIT_LOG_REQUESTS: 'off', SEATKIT_RATE_LIMITS: 'off' },
      () => {},
    );
  });
  after(() => server.close());

  it('creates an account, signs in, invites, activates, lists, quotes and buys, with global fetch', async () => {
    assert.match(server.url, /^http:\/\/localhost:\d+$/);
    const admin = new SeatAdmin({ baseUrl: `${server.url}/`, apiKey: server.apiKey });
    const { account, owner } = await admin.accounts.create({
      name: 'Acme over HTTP',
      licenses: { quantity: 3, unitPrice: 900, currency: 'USD', interval: 'month' },
      owner: { email: 'olive@acme.example', firstName: 'Olive', lastName: 'Owner' },
    });
    const { token } = await admin.sessions.create(account.id, { email: 'olive@acme.example' });
    const client = new SeatClient({ baseUrl: server.url, accountId: account.id, token });
    assert.equal((await client.account.get()).viewer?.userId, owner.id);

    const invited = await client.invitations.create({ email: 'grace@acme.example', firstName: 'Grace', lastName: 'Hopper' });
    const message = (await admin.outbox.list()).data.find((m) => m.to === 'grace@acme.example');
    const invitationToken = tokenOf(message?.activationUrl ?? null);
    const activation = new SeatClient({ baseUrl: server.url, accountId: account.id });
    assert.equal((await activation.invitations.lookup(invitationToken)).accountName, 'Acme over HTTP');
    const accepted = await activation.invitations.accept(invitationToken);
    assert.equal(accepted.user.id, invited.user.id);

    const emails: string[] = [];
    for await (const user of client.users.list({ sort: 'email', limit: 1 })) emails.push(user.email);
    assert.deepEqual(emails, ['grace@acme.example', 'olive@acme.example']);

    const updated = await client.users.update(invited.user.id, { qualification: 'Compilers' });
    assert.equal(updated.user.qualification, 'Compilers');

    const quote = await client.licenses.quote(4);
    const change = await client.licenses.change({ quantity: 4, expectedAmountDue: quote.amountDue, acceptAgreement: true });
    assert.equal(change.licenses.quantity, 4);
    assert.equal(change.invoice?.amount, quote.amountDue);
    assert.equal((await client.invoices.list()).total, 1);
    assert.ok((await client.events.list()).total >= 4);
  });
});
