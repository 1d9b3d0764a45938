import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Account, AuditEvent, PageBody, User } from '../../sdk/types.js';
import { API_KEY, isProblem, storeHarness, type Harness, type Reply } from '../helpers/api.js';

/** Asserts a problem+json answer with this status and code, saying what came instead. */
function expectProblem(res: Reply, status: number, code: string, context = ''): void {
  assert.ok(isProblem(res, status, code), `${context ? `${context}: ` : ''}expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
}

const MINUTE_MS = 60_000;

async function setup(config: Parameters<typeof storeHarness>[0] = {}) {
  const h = await storeHarness(config);
  const acc = await h.createAccount({ licenses: { quantity: 10, unitPrice: 400, currency: 'USD', interval: 'month' } });
  const req = (method: string, path: string, body?: unknown, headers?: Record<string, string>, token = acc.ownerToken) =>
    h.request(method, `${acc.base}${path}`, { token, body, headers });
  const user = async (id: string): Promise<User> => (await req('GET', `/users/${id}`)).body;
  const add = (email: string, extra: { role?: 'admin' | 'member'; qualification?: string; firstName?: string; lastName?: string } = {}, accept = true) =>
    h.addUser(acc.accountId, acc.ownerToken, { email, ...extra }, accept);
  return { h, ...acc, req, user, add };
}

/**
 * Six users, created a minute apart, with distinct names and emails whose first-name, last-name
 * and email orders agree: Olive Owner (owner), Alice Adams (admin, enabled, Architect), Bob Brown
 * (member, invited, Bricklayer), Carol Clark (member, enabled), Dave Davis (admin, disabled),
 * Erin Evans (member, disabled, never activated). Alice and Carol have been active.
 */
async function team() {
  const s = await setup();
  const step = () => s.h.clock.advance(MINUTE_MS);
  step();
  const alice = await s.add('alice@a.example', { firstName: 'Alice', lastName: 'Adams', role: 'admin', qualification: 'Architect' });
  step();
  const bob = await s.add('bob@b.example', { firstName: 'Bob', lastName: 'Brown', qualification: 'Bricklayer' }, false);
  step();
  const carol = await s.add('carol@c.example', { firstName: 'Carol', lastName: 'Clark' });
  step();
  const dave = await s.add('dave@d.example', { firstName: 'Dave', lastName: 'Davis', role: 'admin' });
  await s.req('DELETE', `/users/${dave.user.id}/license`);
  step();
  const erin = await s.add('erin@e.example', { firstName: 'Erin', lastName: 'Evans' }, false);
  await s.req('DELETE', `/users/${erin.user.id}/invitation`);
  step();
  await s.h.request('GET', s.base, { token: alice.token! });
  step();
  await s.h.request('GET', s.base, { token: carol.token! });
  step();
  // Activity is committed within a second (no write per request): commit it now.
  await s.h.app.jobs.run('activity');
  const ids = { owner: s.owner.id, alice: alice.user.id, bob: bob.user.id, carol: carol.user.id, dave: dave.user.id, erin: erin.user.id };
  const list = (query = '') => s.req('GET', `/users${query}`) as Promise<Reply<PageBody<User>>>;
  return { s, ids, list, tokens: { alice: alice.token!, carol: carol.token! } };
}

/** Each distinct value forms one contiguous run; answers the runs' values in order. */
function runs(values: unknown[]): unknown[] {
  const order: unknown[] = [];
  for (const v of values) if (order.at(-1) !== v) order.push(v);
  assert.equal(new Set(order).size, order.length, `not grouped: ${JSON.stringify(values)}`);
  return order;
}

describe('edit user (PATCH)', () => {
  it('answers GET of a user with a strong ETag equal to "<version>"', async () => {
    const s = await setup();
    const res = await s.req('GET', `/users/${s.owner.id}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('ETag'), `"${res.body.version}"`);
  });

  it('needs If-Match: missing → 428 precondition_required, nothing changed', async () => {
    const s = await setup();
    const { user } = await s.add('ada@example.com');
    const res = await s.req('PATCH', `/users/${user.id}`, { firstName: 'Changed' });
    expectProblem(res, 428, 'precondition_required');
    const after = await s.user(user.id);
    assert.equal(after.firstName, user.firstName);
    assert.equal(after.version, user.version);
  });

  it('refuses a stale ETag with 412 precondition_failed, nothing changed', async () => {
    const s = await setup();
    const { user } = await s.add('ada@example.com');
    const res = await s.req('PATCH', `/users/${user.id}`, { firstName: 'Changed' }, { 'If-Match': `"${user.version - 1}"` });
    expectProblem(res, 412, 'precondition_failed');
    const after = await s.user(user.id);
    assert.equal(after.firstName, user.firstName);
    assert.equal(after.version, user.version);
  });

  it('applies an edit with the current ETag: version + 1, a new ETag, and the old ETag goes stale', async () => {
    const s = await setup();
    const { user } = await s.add('ada@example.com');
    const got = await s.req('GET', `/users/${user.id}`);
    const etag = got.headers.get('ETag')!;
    const res = await s.req('PATCH', `/users/${user.id}`, { firstName: 'Augusta', lastName: 'King', qualification: 'Analyst', role: 'admin' }, { 'If-Match': etag });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.user.version, got.body.version + 1);
    assert.equal(res.headers.get('ETag'), `"${got.body.version + 1}"`);
    assert.deepEqual(
      { firstName: res.body.user.firstName, lastName: res.body.user.lastName, qualification: res.body.user.qualification, role: res.body.user.role },
      { firstName: 'Augusta', lastName: 'King', qualification: 'Analyst', role: 'admin' },
    );
    const after = await s.user(user.id);
    assert.equal(after.firstName, 'Augusta');
    assert.equal(after.role, 'admin');
    const stale = await s.req('PATCH', `/users/${user.id}`, { firstName: 'Again' }, { 'If-Match': etag });
    expectProblem(stale, 412, 'precondition_failed');
    const history = await s.req('GET', `/users/${user.id}/events`);
    const event = history.body.data[0] as AuditEvent;
    assert.equal(event.action, 'user.updated');
    assert.equal(event.before?.firstName, user.firstName);
    assert.equal(event.after?.firstName, 'Augusta');
  });

  it('does not let the email be edited, nor unknown fields (400 validation_failed)', async () => {
    const s = await setup();
    const { user } = await s.add('ada@example.com');
    const ifMatch = { 'If-Match': `"${user.version}"` };
    const email = await s.req('PATCH', `/users/${user.id}`, { email: 'other@example.com' }, ifMatch);
    expectProblem(email, 400, 'validation_failed');
    assert.ok(email.body.errors?.email);
    const unknown = await s.req('PATCH', `/users/${user.id}`, { firstName: 'X', nickname: 'Ace' }, ifMatch);
    expectProblem(unknown, 400, 'validation_failed');
    assert.ok(unknown.body.errors?.nickname);
    const status = await s.req('PATCH', `/users/${user.id}`, { status: 'disabled' }, ifMatch);
    expectProblem(status, 400, 'validation_failed');
    const after = await s.user(user.id);
    assert.equal(after.email, 'ada@example.com');
    assert.equal(after.firstName, user.firstName);
    assert.equal(after.status, 'enabled');
    assert.equal(after.version, user.version);
  });

  it('does not give the owner role by an edit (400)', async () => {
    const s = await setup();
    const { user } = await s.add('ada@example.com');
    const res = await s.req('PATCH', `/users/${user.id}`, { role: 'owner' }, { 'If-Match': `"${user.version}"` });
    expectProblem(res, 400, 'validation_failed');
    assert.equal((await s.user(user.id)).role, 'member');
    assert.equal((await s.h.request('GET', s.base, { token: s.ownerToken })).body.ownerId, s.owner.id);
  });

  it("refuses to change the owner's role with 409 owner_role_locked, but lets the owner's name be edited", async () => {
    const s = await setup();
    const owner = await s.user(s.owner.id);
    for (const role of ['admin', 'member']) {
      const res = await s.req('PATCH', `/users/${s.owner.id}`, { role }, { 'If-Match': `"${owner.version}"` });
      expectProblem(res, 409, 'owner_role_locked');
    }
    const after = await s.user(s.owner.id);
    assert.equal(after.role, 'owner');
    assert.equal(after.version, owner.version);
    const renamed = await s.req('PATCH', `/users/${s.owner.id}`, { firstName: 'Olivia' }, { 'If-Match': `"${owner.version}"` });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.user.role, 'owner');
  });
});

describe('ownership transfer', () => {
  async function withAdmin() {
    const s = await setup();
    const admin = await s.add('ada@example.com', { role: 'admin' });
    return { s, admin: admin.user, adminToken: admin.token! };
  }

  it('makes an enabled, activated user the owner; the old owner becomes admin and keeps the license', async () => {
    const { s, admin } = await withAdmin();
    const res = await s.req('POST', '/owner', { userId: admin.id });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const byId = Object.fromEntries((res.body.users as User[]).map((u) => [u.id, u]));
    assert.equal(byId[s.owner.id]!.role, 'admin');
    assert.equal(byId[s.owner.id]!.status, 'enabled');
    assert.equal(byId[admin.id]!.role, 'owner');
    assert.equal(res.body.licenses.enabled, 2);
    const newOwnerToken = await s.h.session(s.accountId, admin.id);
    const account = await s.h.request<Account>('GET', s.base, { token: newOwnerToken });
    assert.equal(account.body.ownerId, admin.id);
    assert.deepEqual(account.body.owner, { firstName: admin.firstName, lastName: admin.lastName, email: 'ada@example.com' });
    const old = await s.h.request<User>('GET', `${s.base}/users/${s.owner.id}`, { token: newOwnerToken });
    assert.equal(old.body.role, 'admin');
    assert.equal(old.body.status, 'enabled');
    assert.equal(old.body.licenseAssignedAt, s.owner.licenseAssignedAt);
  });

  it('signs out every session of the old owner at once (401)', async () => {
    const { s, admin } = await withAdmin();
    const second = await s.h.session(s.accountId, s.owner.id);
    await s.req('POST', '/owner', { userId: admin.id });
    for (const token of [s.ownerToken, second]) {
      const res = await s.h.request('GET', s.base, { token });
      expectProblem(res, 401, 'unauthorized');
    }
    const again = await s.h.session(s.accountId, s.owner.id);
    const account = await s.h.request<Account>('GET', s.base, { token: again });
    assert.equal(account.status, 200);
    assert.deepEqual(account.body.viewer, { userId: s.owner.id, role: 'admin', permissions: ['users:read', 'users:manage'] });
  });

  it('gives the new owner full rights, including on a session opened before the transfer', async () => {
    const { s, admin, adminToken } = await withAdmin();
    assert.equal((await s.h.request('GET', `${s.base}/licenses/quote?quantity=11`, { token: adminToken })).status, 403);
    await s.req('POST', '/owner', { userId: admin.id });
    const account = await s.h.request<Account>('GET', s.base, { token: adminToken });
    assert.equal(account.body.viewer?.role, 'owner');
    assert.deepEqual([...account.body.viewer!.permissions].sort(), ['licenses:manage', 'owner:transfer', 'users:manage', 'users:read']);
    assert.equal((await s.h.request('GET', `${s.base}/licenses/quote?quantity=11`, { token: adminToken })).status, 200);
    assert.equal((await s.h.request('GET', `${s.base}/invoices`, { token: adminToken })).status, 200);
  });

  it('refuses a target that is not enabled, never activated, or the owner (409 user_not_eligible)', async () => {
    const s = await setup();
    const invited = await s.add('inv@example.com', {}, false);
    const disabled = await s.add('dis@example.com', { role: 'admin' });
    await s.req('DELETE', `/users/${disabled.user.id}/license`);
    for (const userId of [invited.user.id, disabled.user.id, s.owner.id]) {
      const res = await s.req('POST', '/owner', { userId });
      expectProblem(res, 409, 'user_not_eligible', userId);
    }
    const account = await s.h.request<Account>('GET', s.base, { token: s.ownerToken });
    assert.equal(account.status, 200, 'the owner is still signed in');
    assert.equal(account.body.ownerId, s.owner.id);
    assert.equal((await s.user(s.owner.id)).role, 'owner');
  });

  it('is refused to an admin (403 forbidden)', async () => {
    const { s, admin, adminToken } = await withAdmin();
    const res = await s.h.request('POST', `${s.base}/owner`, { token: adminToken, body: { userId: admin.id } });
    expectProblem(res, 403, 'forbidden');
    assert.equal((await s.h.request<Account>('GET', s.base, { token: s.ownerToken })).body.ownerId, s.owner.id);
  });
});

describe('GET /users (lists)', () => {
  it('answers { data, total, nextCursor } with every user', async () => {
    const { list, ids } = await team();
    const res = await list();
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), ['data', 'nextCursor', 'total']);
    assert.equal(res.body.total, 6);
    assert.equal(res.body.nextCursor, null);
    assert.deepEqual(res.body.data.map((u) => u.id).sort(), Object.values(ids).sort());
  });

  it('searches names, emails and qualifications with q, case-insensitively', async () => {
    const { list, ids } = await team();
    const search = async (q: string) => (await list(`?q=${encodeURIComponent(q)}`)).body;
    assert.deepEqual((await search('brick')).data.map((u) => u.id), [ids.bob]);
    assert.deepEqual((await search('CLARK')).data.map((u) => u.id), [ids.carol]);
    assert.deepEqual((await search('dave@d')).data.map((u) => u.id), [ids.dave]);
    assert.deepEqual((await search('Alice Adams')).data.map((u) => u.id), [ids.alice]);
    const none = await search('zzz-nobody');
    assert.deepEqual(none, { data: [], total: 0, nextCursor: null });
    assert.equal((await search('.example')).total, 6);
  });

  it('filters by status and by role, total counting after filters', async () => {
    const { list, ids } = await team();
    const byStatus = async (status: string) => (await list(`?status=${status}`)).body;
    assert.deepEqual(new Set((await byStatus('enabled')).data.map((u) => u.id)), new Set([ids.owner, ids.alice, ids.carol]));
    assert.deepEqual((await byStatus('invited')).data.map((u) => u.id), [ids.bob]);
    assert.equal((await byStatus('disabled')).total, 2);
    const admins = (await list('?role=admin')).body;
    assert.equal(admins.total, 2);
    assert.deepEqual(new Set(admins.data.map((u) => u.id)), new Set([ids.alice, ids.dave]));
    assert.deepEqual((await list('?role=owner')).body.data.map((u) => u.id), [ids.owner]);
    const both = (await list('?role=admin&status=enabled&q=a')).body;
    assert.deepEqual(both.data.map((u) => u.id), [ids.alice]);
    assert.equal(both.total, 1);
  });

  it('sorts by name by default, and by name and email ascending and descending', async () => {
    const { list, ids } = await team();
    const alphabetical = [ids.alice, ids.bob, ids.carol, ids.dave, ids.erin, ids.owner];
    assert.deepEqual((await list()).body.data.map((u) => u.id), alphabetical);
    for (const key of ['name', 'email']) {
      assert.deepEqual((await list(`?sort=${key}`)).body.data.map((u) => u.id), alphabetical, key);
      assert.deepEqual((await list(`?sort=-${key}`)).body.data.map((u) => u.id), [...alphabetical].reverse(), `-${key}`);
    }
  });

  it('sorts by createdAt ascending and descending (e.g. -createdAt newest first)', async () => {
    const { list, ids } = await team();
    const created = [ids.owner, ids.alice, ids.bob, ids.carol, ids.dave, ids.erin];
    assert.deepEqual((await list('?sort=createdAt')).body.data.map((u) => u.id), created);
    assert.deepEqual((await list('?sort=-createdAt')).body.data.map((u) => u.id), [...created].reverse());
  });

  it('sorts by lastActiveAt ascending and descending', async () => {
    const { list } = await team();
    for (const [sort, dir] of [['lastActiveAt', 1], ['-lastActiveAt', -1]] as const) {
      const data = (await list(`?sort=${sort}`)).body.data;
      assert.equal(data.length, 6);
      const active = data.map((u) => u.lastActiveAt).filter((t): t is string => t !== null);
      assert.ok(active.length >= 3, 'owner, Alice and Carol have been active');
      assert.deepEqual(active, [...active].sort((a, b) => dir * a.localeCompare(b)), sort);
    }
  });

  it('sorts by role and by status, ascending and descending, grouping equal values', async () => {
    const { list } = await team();
    for (const key of ['role', 'status'] as const) {
      const asc = runs((await list(`?sort=${key}`)).body.data.map((u) => u[key]));
      const desc = runs((await list(`?sort=-${key}`)).body.data.map((u) => u[key]));
      assert.equal(asc.length, 3, key);
      assert.deepEqual(desc, [...asc].reverse(), key);
    }
  });

  it('walks every user exactly once with limit and nextCursor, for any sort, ending with nextCursor null', async () => {
    const { list } = await team();
    for (const sort of ['name', '-name', 'email', '-createdAt', 'role', '-role', 'status', 'lastActiveAt', '-lastActiveAt']) {
      const full = (await list(`?sort=${sort}&limit=200`)).body.data.map((u) => u.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `?sort=${sort}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page: Reply<PageBody<User>> = await list(query);
        assert.equal(page.status, 200, JSON.stringify(page.body));
        assert.equal(page.body.total, 6);
        assert.ok(page.body.data.length <= 2);
        seen.push(...page.body.data.map((u) => u.id));
        cursor = page.body.nextCursor;
        assert.ok(++pages <= 6, 'the walk ends');
      } while (cursor !== null);
      assert.deepEqual(seen, full, sort);
      assert.equal(new Set(seen).size, 6);
    }
  });

  it('refuses a bad limit, sort, status, role or cursor with 400 validation_failed (never clamped)', async () => {
    const { list } = await team();
    const cursor = (await list('?sort=name&limit=2')).body.nextCursor!;
    const bad = [
      '?limit=0',
      '?limit=201',
      '?limit=abc',
      '?limit=-1',
      '?limit=1.5',
      '?sort=age',
      '?sort=--name',
      '?sort=NAME',
      '?status=active',
      '?role=superuser',
      '?cursor=not-a-cursor',
      `?sort=email&cursor=${encodeURIComponent(cursor)}`,
    ];
    for (const query of bad) {
      const res = await list(query);
      expectProblem(res, 400, 'validation_failed', query);
    }
    assert.equal((await list('?limit=1')).body.data.length, 1);
    assert.equal((await list('?limit=200')).status, 200);
  });
});

describe('events and history', () => {
  it('lists the audit log newest first as { data, total, nextCursor }, and pages through it', async () => {
    const { s, ids } = await team();
    s.h.clock.advance(MINUTE_MS);
    await s.req('PATCH', `/users/${ids.carol}`, { qualification: 'Latest' }, { 'If-Match': `"${(await s.user(ids.carol)).version}"` });
    const res = await s.req('GET', '/events?limit=200');
    assert.equal(res.status, 200);
    const events = res.body.data as AuditEvent[];
    assert.equal(res.body.total, events.length);
    assert.equal(res.body.nextCursor, null);
    assert.equal(events[0]!.action, 'user.updated');
    assert.equal(events.at(-1)!.action, 'account.created');
    for (let i = 1; i < events.length; i++) assert.ok(events[i - 1]!.createdAt >= events[i]!.createdAt, 'newest first');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Reply<PageBody<AuditEvent>> = await s.req('GET', `/events?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(page.body.total, events.length);
      seen.push(...page.body.data.map((e) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    assert.deepEqual(seen, events.map((e) => e.id));
  });

  it("lists a user's history: only the events about that user, newest first", async () => {
    const { s, ids } = await team();
    const res = await s.req('GET', `/users/${ids.dave}/events`);
    assert.equal(res.status, 200);
    const events = res.body.data as AuditEvent[];
    assert.deepEqual(events.map((e) => e.action), ['license.unassigned', 'invitation.accepted', 'user.invited']);
    assert.ok(events.every((e) => e.userIds.includes(ids.dave)));
    assert.equal(res.body.total, 3);
    assert.equal(res.body.nextCursor, null);
    const page = await s.req('GET', `/users/${ids.dave}/events?limit=1`);
    assert.equal(page.body.data[0].action, 'license.unassigned');
    assert.equal(page.body.total, 3);
    assert.equal(typeof page.body.nextCursor, 'string');
  });

  it('records who did it, with before and after', async () => {
    const { s, ids } = await team();
    const events = (await s.req('GET', `/users/${ids.dave}/events`)).body.data as AuditEvent[];
    const unassigned = events[0]!;
    assert.deepEqual(unassigned.actor, { type: 'user', userId: ids.owner });
    assert.equal(unassigned.before?.status, 'enabled');
    assert.equal(unassigned.after?.status, 'disabled');
    assert.match(unassigned.id, /^evt_/);
  });
});

describe('sessions', () => {
  it('sets lastActiveAt on an authenticated request (committed within a second, not by the request)', async () => {
    const s = await setup();
    const { user, token } = await s.add('ada@example.com');
    assert.equal((await s.user(user.id)).lastActiveAt, null);
    s.h.clock.advance(5 * MINUTE_MS);
    const now = s.h.clock.now().toISOString();
    assert.equal((await s.h.request('GET', s.base, { token })).status, 200);
    await s.h.app.jobs.run('activity');
    assert.equal((await s.user(user.id)).lastActiveAt, now);
  });

  it('stamps activity on a test-clock account with the account’s clock, at most once a minute', async () => {
    const h = await storeHarness();
    const frozen = '2030-01-01T00:00:00.000Z';
    const acc = await h.createAccount({ testClock: { frozenTime: frozen } });
    const ada = await h.addUser(acc.accountId, acc.ownerToken, { email: 'ada@example.com' });
    await h.request('GET', acc.base, { token: ada.token });
    await h.app.jobs.run('activity');
    const user = async () => (await h.request('GET', `${acc.base}/users/${ada.user.id}`, { token: acc.ownerToken })).body as User;
    assert.equal((await user()).lastActiveAt, frozen, 'the account’s time, not the wall clock');
    await h.admin('POST', `${acc.base}/test-clock`, { advanceTo: '2030-01-01T00:00:30.000Z' });
    await h.request('GET', acc.base, { token: ada.token });
    await h.app.jobs.run('activity');
    assert.equal((await user()).lastActiveAt, frozen, 'within the minute: not stamped again');
    await h.admin('POST', `${acc.base}/test-clock`, { advanceTo: '2030-01-03T00:00:00.000Z' });
    await h.request('GET', acc.base, { token: ada.token });
    await h.app.jobs.run('activity');
    assert.equal((await user()).lastActiveAt, '2030-01-03T00:00:00.000Z');
  });

  it('ends a session after its ttlSeconds (401), by the wall clock', async () => {
    const s = await setup();
    const minted = await s.h.admin('POST', `${s.base}/sessions`, { userId: s.owner.id, ttlSeconds: 60 });
    assert.equal(minted.status, 200);
    assert.equal(minted.body.expiresAt, new Date(s.h.clock.now().getTime() + 60_000).toISOString());
    assert.equal(minted.body.user.id, s.owner.id);
    assert.equal((await s.h.request('GET', s.base, { token: minted.body.token })).status, 200);
    s.h.clock.advance(61_000);
    expectProblem(await s.h.request('GET', s.base, { token: minted.body.token }), 401, 'unauthorized');
  });

  it('lasts 1 hour by default and at most 24 hours', async () => {
    const s = await setup();
    const minted = await s.h.admin('POST', `${s.base}/sessions`, { userId: s.owner.id });
    assert.equal(minted.body.expiresAt, new Date(s.h.clock.now().getTime() + 3600_000).toISOString());
    assert.match(minted.body.token, /^[A-Za-z0-9_-]{22,}$/);
    const tooLong = await s.h.admin('POST', `${s.base}/sessions`, { userId: s.owner.id, ttlSeconds: 86_401 });
    expectProblem(tooLong, 400, 'validation_failed');
    s.h.clock.advance(3600_000 - 1);
    assert.equal((await s.h.request('GET', s.base, { token: minted.body.token })).status, 200);
    s.h.clock.advance(1);
    assert.equal((await s.h.request('GET', s.base, { token: minted.body.token })).status, 401);
  });

  it('is minted for enabled users only: disabled or invited → 409 user_not_enabled', async () => {
    const s = await setup();
    const invited = await s.add('inv@example.com', {}, false);
    const disabled = await s.add('dis@example.com');
    await s.req('DELETE', `/users/${disabled.user.id}/license`);
    for (const userId of [invited.user.id, disabled.user.id]) {
      const res = await s.h.admin('POST', `${s.base}/sessions`, { userId });
      expectProblem(res, 409, 'user_not_enabled');
    }
    const byEmail = await s.h.admin('POST', `${s.base}/sessions`, { email: 'inv@example.com' });
    expectProblem(byEmail, 409, 'user_not_enabled');
  });

  it("ends a user's sessions when the license is unassigned", async () => {
    const s = await setup();
    const { user, token } = await s.add('ada@example.com');
    await s.req('DELETE', `/users/${user.id}/license`);
    expectProblem(await s.h.request('GET', `${s.base}/users/${user.id}`, { token }), 401, 'unauthorized');
  });

  it("answers a minted session with the user's ETag (every response carrying one user carries its ETag)", async () => {
    const s = await setup();
    const res = await s.h.admin('POST', `${s.base}/sessions`, { userId: s.owner.id });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('ETag'), `"${res.body.user.version}"`);
  });

  it("answers account creation with the owner's ETag (every response carrying one user carries its ETag)", async () => {
    const h = await storeHarness();
    const res = await h.admin('POST', '/v1/accounts', {
      name: 'Etag Inc',
      licenses: { quantity: 1, unitPrice: 100, currency: 'EUR', interval: 'year' },
      owner: { email: 'o@etag.example', firstName: 'O', lastName: 'E' },
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('ETag'), `"${res.body.owner.version}"`);
  });

  it('is minted by email too, compared case-insensitively', async () => {
    const s = await setup();
    for (const email of ['owner@acme.example', 'OWNER@Acme.Example']) {
      const res = await s.h.admin('POST', `${s.base}/sessions`, { email });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.user.id, s.owner.id);
      const account = await s.h.request<Account>('GET', s.base, { token: res.body.token });
      assert.equal(account.body.viewer?.userId, s.owner.id);
    }
  });

  it('answers 401 to a garbage token and to no token', async () => {
    const s = await setup();
    expectProblem(await s.h.request('GET', s.base, { token: 'nope-nope-nope' }), 401, 'unauthorized');
    expectProblem(await s.h.request('GET', s.base), 401, 'unauthorized');
  });
});

describe('what a member sees', () => {
  it('lets a member see the account and their own user, but not other users (403)', async () => {
    const s = await setup();
    const member = await s.add('mem@example.com');
    const token = member.token!;
    const self = await s.h.request<User>('GET', `${s.base}/users/${member.user.id}`, { token });
    assert.equal(self.status, 200);
    assert.equal(self.body.id, member.user.id);
    assert.equal(self.headers.get('ETag'), `"${self.body.version}"`);
    expectProblem(await s.h.request('GET', `${s.base}/users/${s.owner.id}`, { token }), 403, 'forbidden');
    expectProblem(await s.h.request('GET', `${s.base}/users`, { token }), 403, 'forbidden');
    const account = await s.h.request<Account>('GET', s.base, { token });
    assert.equal(account.status, 200);
    assert.deepEqual(account.body.viewer, { userId: member.user.id, role: 'member', permissions: [] });
    assert.equal(account.body.licenses.enabled, 2);
    // Members cannot list users, so the summary names the owner: the person to ask for a license.
    assert.deepEqual(account.body.owner, { firstName: s.owner.firstName, lastName: s.owner.lastName, email: s.owner.email });
  });

  it('gives the owner every permission in the account summary', async () => {
    const s = await setup();
    const account = await s.h.request<Account>('GET', s.base, { token: s.ownerToken });
    assert.equal(account.body.viewer?.role, 'owner');
    assert.deepEqual([...account.body.viewer!.permissions].sort(), ['licenses:manage', 'owner:transfer', 'users:manage', 'users:read']);
  });
});

describe('HTTP conventions', () => {
  it('puts X-Request-Id on every response, equal to the problem requestId on errors', async () => {
    const s = await setup();
    const ok = await s.h.request('GET', s.base, { token: s.ownerToken });
    assert.ok(ok.headers.get('X-Request-Id'));
    const health = await s.h.request('GET', '/healthz');
    assert.ok(health.headers.get('X-Request-Id'));
    for (const res of [
      await s.h.request('GET', s.base),
      await s.h.request('GET', `${s.base}/users/usr_missing`, { token: s.ownerToken }),
      await s.h.request('GET', '/v1/nowhere'),
    ]) {
      const id = res.headers.get('X-Request-Id');
      assert.ok(id, `${res.status}`);
      assert.equal(res.body.requestId, id);
    }
    assert.notEqual(ok.headers.get('X-Request-Id'), health.headers.get('X-Request-Id'));
  });

  it('exposes ETag, X-Request-Id and Retry-After to cross-origin callers', async () => {
    const s = await setup();
    const res = await s.h.request('GET', `${s.base}/users/${s.owner.id}`, { token: s.ownerToken, headers: { Origin: 'https://host.example' } });
    assert.equal(res.status, 200);
    assert.ok(res.headers.get('Access-Control-Allow-Origin'));
    const exposed = (res.headers.get('Access-Control-Expose-Headers') ?? '').toLowerCase().split(/\s*,\s*/);
    for (const header of ['etag', 'x-request-id', 'retry-after']) assert.ok(exposed.includes(header), header);
    const error = await s.h.request('GET', s.base, { headers: { Origin: 'https://host.example' } });
    assert.equal(error.status, 401);
    assert.ok(error.headers.get('Access-Control-Allow-Origin'), 'errors are readable cross-origin too');
    assert.ok((error.headers.get('Access-Control-Expose-Headers') ?? '').toLowerCase().includes('x-request-id'));
  });

  it('answers a CORS preflight allowing the headers the SDK sends', async () => {
    const s = await setup();
    const res = await s.h.app.request(`${s.base}/users/${s.owner.id}`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://host.example',
        'Access-Control-Request-Method': 'PATCH',
        'Access-Control-Request-Headers': 'authorization,content-type,if-match',
      },
    });
    assert.ok(res.status === 204 || res.status === 200, `${res.status}`);
    assert.ok(res.headers.get('Access-Control-Allow-Origin'));
    assert.ok((res.headers.get('Access-Control-Allow-Methods') ?? '').includes('PATCH'));
    const allowed = (res.headers.get('Access-Control-Allow-Headers') ?? '').toLowerCase();
    for (const header of ['authorization', 'content-type', 'if-match', 'idempotency-key']) assert.ok(allowed.includes(header), header);
  });
});

describe('rate limits', () => {
  const limits = { rateLimits: { invitationsPerHour: 2, tokenLookupsPerMinute: 3 } };
  const invite = (s: { h: Harness; base: string; ownerToken: string }, email: string) =>
    s.h.request('POST', `${s.base}/invitations`, { token: s.ownerToken, body: { email, firstName: 'R', lastName: 'L' } });

  it('answers the 3rd invitation in an hour with 429 rate_limited and Retry-After, creating nothing', async () => {
    const s = await setup(limits);
    assert.equal((await invite(s, 'a@example.com')).status, 201);
    assert.equal((await invite(s, 'b@example.com')).status, 201);
    const before = (await s.h.request<Account>('GET', s.base, { token: s.ownerToken })).body.licenses;
    const res = await invite(s, 'c@example.com');
    expectProblem(res, 429, 'rate_limited');
    const retryAfter = Number(res.headers.get('Retry-After'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 3600, `Retry-After ${res.headers.get('Retry-After')}`);
    const after = (await s.h.request<Account>('GET', s.base, { token: s.ownerToken })).body.licenses;
    assert.deepEqual(after, before);
    const found = await s.h.request('GET', `${s.base}/users?q=c%40example.com`, { token: s.ownerToken });
    assert.equal(found.body.total, 0);
    s.h.clock.advance(retryAfter * 1000);
    const token = await s.h.session(s.accountId, s.owner.id);
    assert.equal((await invite({ ...s, ownerToken: token }, 'c@example.com')).status, 201);
  });

  it('limits each account separately', async () => {
    const s = await setup(limits);
    await invite(s, 'a@example.com');
    await invite(s, 'b@example.com');
    assert.equal((await invite(s, 'c@example.com')).status, 429);
    const other = await s.h.createAccount({ owner: { email: 'o2@example.com', firstName: 'O', lastName: 'Two' } });
    assert.equal((await invite({ ...other, h: s.h }, 'c@example.com')).status, 201);
  });

  it('does not count an invitation that was refused', async () => {
    const s = await setup(limits);
    for (let i = 0; i < 3; i++) expectProblem(await invite(s, 'owner@acme.example'), 409, 'user_exists');
    assert.equal((await invite(s, 'a@example.com')).status, 201);
    assert.equal((await invite(s, 'b@example.com')).status, 201);
  });

  it('counts a reassign that sends an invitation against the invitation limit', async () => {
    const s = await setup(limits);
    const ada = await s.add('ada@example.com');
    const bob = await invite(s, 'bob@example.com');
    await s.req('DELETE', `/users/${bob.body.user.id}/invitation`);
    const mails = (await s.h.outbox()).total;
    const res = await s.req('POST', '/license-transfers', { fromUserId: ada.user.id, toUserId: bob.body.user.id });
    expectProblem(res, 429, 'rate_limited');
    assert.ok(res.headers.get('Retry-After'));
    assert.equal((await s.user(ada.user.id)).status, 'enabled');
    assert.equal((await s.user(bob.body.user.id)).status, 'disabled');
    assert.equal((await s.h.outbox()).total, mails);
  });

  it('counts resends against the invitation limit', async () => {
    const s = await setup(limits);
    const first = await invite(s, 'a@example.com');
    await s.req('POST', `/users/${first.body.user.id}/invitation/resend`);
    const res = await s.req('POST', `/users/${first.body.user.id}/invitation/resend`);
    expectProblem(res, 429, 'rate_limited');
    assert.ok(res.headers.get('Retry-After'));
  });

  it('answers token lookups beyond 3 a minute with 429 rate_limited and Retry-After', async () => {
    const s = await setup(limits);
    await invite(s, 'a@example.com');
    const token = await s.h.invitationToken('a@example.com');
    for (let i = 0; i < 3; i++) assert.equal((await s.h.request('GET', `/v1/invitations/${token}`)).status, 200);
    const res = await s.h.request('GET', `/v1/invitations/${token}`);
    expectProblem(res, 429, 'rate_limited');
    assert.ok(Number(res.headers.get('Retry-After')) > 0);
    const accept = await s.h.request('POST', `/v1/invitations/${token}/accept`, { body: {} });
    expectProblem(accept, 429, 'rate_limited', 'accepting is a lookup too');
    assert.equal((await s.user((await s.h.request('GET', `${s.base}/users?q=a%40example.com`, { token: s.ownerToken })).body.data[0].id)).status, 'invited');
    s.h.clock.advance(MINUTE_MS);
    assert.equal((await s.h.request('GET', `/v1/invitations/${token}`)).status, 200);
  });

  it('exposes Retry-After cross-origin on a 429', async () => {
    const s = await setup(limits);
    for (let i = 0; i < 3; i++) await s.h.request('GET', `/v1/invitations/${'x'.repeat(43)}`);
    const res = await s.h.request('GET', `/v1/invitations/${'x'.repeat(43)}`, { headers: { Origin: 'https://host.example' } });
    assert.equal(res.status, 429);
    assert.ok(res.headers.get('Access-Control-Allow-Origin'));
    assert.ok((res.headers.get('Access-Control-Expose-Headers') ?? '').toLowerCase().includes('retry-after'));
  });

  it('never answers 429 when rate limits are off', async () => {
    const s = await setup({ rateLimits: false });
    for (let i = 0; i < 6; i++) assert.equal((await invite(s, `u${i}@example.com`)).status, 201);
    const token = await s.h.invitationToken('u0@example.com');
    for (let i = 0; i < 40; i++) assert.equal((await s.h.request('GET', `/v1/invitations/${token}`)).status, 200);
  });
});

describe('API key', () => {
  it('reads the account without a viewer', async () => {
    const s = await setup();
    const res = await s.h.request<Account>('GET', s.base, { token: API_KEY });
    assert.equal(res.status, 200);
    assert.equal(res.body.viewer, undefined);
  });
});
