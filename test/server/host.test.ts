/**
 * The host's back end acting on licenses over real HTTP (the Node entry on a port, the file store):
 * the API key on every account route, `externalId`, provisioning, the entitlement check and
 * activity. The authorization matrix (test/server/authz.test.ts) covers every route × caller.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SeatClient, SeatConflictError, SeatForbiddenError, SeatValidationError, type User } from '../../sdk/index.js';
import { http } from '../helpers/server-process.js';
import { API_KEY } from '../helpers/api.js';
import pg from 'pg';
import { liveServer, type LiveServer } from '../helpers/live.js';

let server: LiveServer;
before(async () => {
  server = await liveServer();
});
after(() => server.stop());

let accounts = 0;
async function account(quantity = 5) {
  const { account, owner } = await server.admin.accounts.create({
    name: `Host Co ${++accounts}`,
    licenses: { quantity, unitPrice: 400, currency: 'USD', interval: 'month' },
    owner: { email: 'owner@host.example', firstName: 'Olive', lastName: 'Owner' },
  });
  const { token } = await server.admin.sessions.create(account.id, { userId: owner.id });
  const asOwner = new SeatClient({ baseUrl: server.url, accountId: account.id, token });
  const asKey = server.admin.account(account.id);
  return { id: account.id, owner, asOwner, asKey, path: `/v1/accounts/${account.id}` };
}

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; status?: number; errors?: Record<string, string>; problem?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  assert.fail('expected a rejection');
}

describe('host back ends: the API key on every account route', () => {
  it('acts on an account with every permission, as actor api_key, and its answers carry no viewer', async () => {
    const acc = await account();
    const read = await acc.asKey.account.get();
    assert.equal(read.viewer, undefined);
    const invited = await acc.asKey.invitations.create({ email: 'ada@host.example', firstName: 'Ada', lastName: 'Lovelace' });
    const quote = await acc.asKey.licenses.quote(7);
    await acc.asKey.licenses.change({ quantity: 7, expectedAmountDue: quote.amountDue, acceptAgreement: true });
    assert.equal((await acc.asKey.invoices.list()).total, 1);
    const [latest] = (await acc.asKey.events.list({ limit: 2 })).data;
    assert.equal(latest!.action, 'licenses.increased');
    assert.deepEqual(latest!.actor, { type: 'api_key' });
    const history = await acc.asKey.users.history(invited.user.id);
    assert.deepEqual(history.data[0]!.actor, { type: 'api_key' });
  });
});

describe('host back ends: externalId', () => {
  it('is set by provisioning, an invite and an edit with the API key, and listed with exact filters', async () => {
    const acc = await account();
    const provisioned = await server.admin.users.provision(acc.id, { email: 'Grace@Host.example', firstName: 'Grace', lastName: 'Hopper', externalId: 'emp-7' });
    assert.equal(provisioned.user.externalId, 'emp-7');
    const invited = await acc.asKey.invitations.create({ email: 'alan@host.example', firstName: 'Alan', lastName: 'Turing', externalId: 'emp-8' });
    assert.equal(invited.user.externalId, 'emp-8');
    const edited = await acc.asKey.users.update(acc.owner.id, { externalId: 'emp-1' });
    assert.equal(edited.user.externalId, 'emp-1');
    assert.deepEqual((await acc.asOwner.users.list({ externalId: 'emp-7' })).data.map((u) => u.id), [provisioned.user.id]);
    assert.deepEqual((await acc.asOwner.users.list({ externalId: 'EMP-7' })).data, [], 'an external id is compared exactly');
    assert.deepEqual((await acc.asOwner.users.list({ email: 'grace@HOST.example' })).data.map((u) => u.id), [provisioned.user.id], 'an email case-insensitively');
    assert.equal((await acc.asOwner.users.list({ email: 'nobody@host.example' })).total, 0);
    assert.equal((await acc.asOwner.users.list({ externalId: 'emp-8', status: 'enabled' })).total, 0, 'with the other filters');
  });

  it('may not be sent by a session (403), on an invite or an edit; nothing changes', async () => {
    const acc = await account();
    const invite = await rejection(acc.asOwner.invitations.create({ email: 'x@host.example', firstName: 'X', lastName: 'Y', externalId: 'mine' }));
    assert.ok(invite instanceof SeatForbiddenError && invite.code === 'forbidden', String(invite));
    const edit = await rejection(acc.asOwner.users.update(acc.owner.id, { externalId: 'mine' }));
    assert.ok(edit instanceof SeatForbiddenError, String(edit));
    assert.equal((await acc.asOwner.users.list()).total, 1);
    assert.equal((await acc.asOwner.users.get(acc.owner.id)).externalId, null);
  });

  it('is unique per account (409 external_id_exists, naming the holder), free again once removed, and may repeat across accounts', async () => {
    const acc = await account();
    const other = await account();
    const first = await server.admin.users.provision(acc.id, { email: 'a@host.example', firstName: 'A', lastName: 'A', externalId: 'emp-1' });
    const again = await rejection(server.admin.users.provision(acc.id, { email: 'b@host.example', firstName: 'B', lastName: 'B', externalId: 'emp-1' }));
    assert.ok(again instanceof SeatConflictError && again.code === 'external_id_exists', String(again));
    assert.equal(again.problem?.userId, first.user.id);
    assert.equal(again.errors?.externalId !== undefined, true);
    await server.admin.users.provision(other.id, { email: 'a@host.example', firstName: 'A', lastName: 'A', externalId: 'emp-1' });
    await acc.asKey.users.update(first.user.id, { externalId: null });
    const reused = await server.admin.users.provision(acc.id, { email: 'b@host.example', firstName: 'B', lastName: 'B', externalId: 'emp-1' });
    assert.equal(reused.user.externalId, 'emp-1');
  });

  it('stays unique under 20 concurrent provisionings with one external id: exactly one wins', async () => {
    const acc = await account(50);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => server.admin.users.provision(acc.id, { email: `racer${i}@host.example`, firstName: 'R', lastName: `${i}`, externalId: 'same' })),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as SeatConflictError).code, 'external_id_exists');
    assert.equal((await acc.asOwner.users.list({ externalId: 'same' })).total, 1);
  });

  it('refuses a bad external id with a clear 400', async () => {
    const acc = await account();
    for (const externalId of ['', '   ', 'a\nb', 'x'.repeat(256)]) {
      const error = await rejection(server.admin.users.provision(acc.id, { email: 'v@host.example', firstName: 'V', lastName: 'V', externalId }));
      assert.ok(error instanceof SeatValidationError && error.errors?.externalId, `${JSON.stringify(externalId)}: ${String(error)}`);
    }
  });
});

describe('host back ends: provisioning', () => {
  it('enables a person at once (activated, no email), or adds them disabled; a later assign enables without an invitation', async () => {
    const acc = await account();
    const mails = (await server.admin.outbox.list()).total;
    const { user, licenses } = await server.admin.users.provision(acc.id, { email: 'now@host.example', firstName: 'Now', lastName: 'Here', role: 'admin', qualification: 'Engineer' });
    assert.equal(user.status, 'enabled');
    assert.ok(user.activatedAt);
    assert.equal(user.role, 'admin');
    assert.equal(licenses.inUse, 2);
    const later = await server.admin.users.provision(acc.id, { email: 'later@host.example', firstName: 'Later', lastName: 'On', license: false });
    assert.equal(later.user.status, 'disabled');
    assert.equal(later.licenses.inUse, 2);
    const assigned = await acc.asOwner.licenses.assign(later.user.id);
    assert.equal(assigned.user.status, 'enabled', 'vouched for by the host: no invitation');
    assert.equal((await server.admin.outbox.list()).total, mails, 'no email was sent');
    const { token } = await server.admin.sessions.create(acc.id, { userId: user.id });
    assert.equal((await new SeatClient({ baseUrl: server.url, accountId: acc.id, token }).account.get()).viewer?.role, 'admin');
    const event = (await acc.asOwner.users.history(user.id)).data[0]!;
    assert.equal(event.action, 'user.provisioned');
    assert.deepEqual(event.actor, { type: 'api_key' });
  });

  it('refuses with no license free (409 no_license_available) and an existing email (409 user_exists, with its userId)', async () => {
    const acc = await account(1);
    const full = await rejection(server.admin.users.provision(acc.id, { email: 'x@host.example', firstName: 'X', lastName: 'Y' }));
    assert.equal((full as SeatConflictError).code, 'no_license_available');
    const exists = await rejection(server.admin.users.provision(acc.id, { email: 'OWNER@host.example', firstName: 'O', lastName: 'W', license: false }));
    assert.equal((exists as SeatConflictError).code, 'user_exists');
    assert.equal((exists as SeatConflictError).problem?.userId, acc.owner.id);
    assert.equal((await acc.asOwner.users.list()).total, 1);
  });

  it('gives the last license to exactly one of 20 concurrent provisionings', async () => {
    const acc = await account(2);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => server.admin.users.provision(acc.id, { email: `last${i}@host.example`, firstName: 'L', lastName: `${i}` })),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as SeatConflictError).code, 'no_license_available');
    const counts = (await acc.asOwner.account.get()).licenses;
    assert.equal(counts.inUse, 2);
    assert.ok(counts.inUse <= counts.quantity);
  });
});

describe('host back ends: the entitlement check', () => {
  it('answers by userId, externalId or email: licensed while enabled or invited, and why not otherwise', async () => {
    const acc = await account();
    const worker = (await server.admin.users.provision(acc.id, { email: 'Worker@Host.example', firstName: 'W', lastName: 'K', externalId: 'w-1' })).user;
    const pending = (await acc.asOwner.invitations.create({ email: 'pending@host.example', firstName: 'P', lastName: 'N' })).user;
    const gone = (await server.admin.users.provision(acc.id, { email: 'gone@host.example', firstName: 'G', lastName: 'N', license: false })).user;
    const check = (selector: Parameters<typeof server.admin.entitlements.check>[1]) => server.admin.entitlements.check(acc.id, selector);
    const licensed = { licensed: true, userId: worker.id, externalId: 'w-1', status: 'enabled', role: 'member', reason: null };
    assert.deepEqual(await check({ userId: worker.id }), licensed);
    assert.deepEqual(await check({ externalId: 'w-1' }), licensed);
    assert.deepEqual(await check({ email: 'worker@HOST.example' }), licensed);
    assert.deepEqual(await check({ userId: pending.id }), { licensed: true, userId: pending.id, externalId: null, status: 'invited', role: 'member', reason: null });
    assert.deepEqual(await check({ userId: gone.id }), { licensed: false, userId: gone.id, externalId: null, status: 'disabled', role: 'member', reason: 'disabled' });
    assert.deepEqual(await check({ externalId: 'nobody' }), { licensed: false, userId: null, externalId: 'nobody', status: null, role: null, reason: 'unknown_user' });
    assert.deepEqual(await check({ email: 'nobody@host.example' }), { licensed: false, userId: null, externalId: null, status: null, role: null, reason: 'unknown_user' });
    await acc.asOwner.licenses.unassign(worker.id);
    assert.equal((await check({ externalId: 'w-1' })).reason, 'disabled');
  });

  it('says invitation_expired for a person whose invitation ran out', async () => {
    const { account: acc, owner } = await server.admin.accounts.create({
      name: 'Clocked',
      licenses: { quantity: 3, unitPrice: 400, currency: 'USD', interval: 'month' },
      owner: { email: 'o@clock.example', firstName: 'O', lastName: 'C' },
      testClock: { frozenTime: '2030-01-01T00:00:00.000Z' },
    });
    const asKey = server.admin.account(acc.id);
    const invited = await asKey.invitations.create({ email: 'late@clock.example', firstName: 'L', lastName: 'T' });
    await server.admin.testClock.advance(acc.id, '2030-01-09T00:00:00.000Z');
    const answer = await server.admin.entitlements.check(acc.id, { userId: invited.user.id });
    assert.deepEqual([answer.licensed, answer.status, answer.reason], [false, 'disabled', 'invitation_expired']);
    assert.equal((await server.admin.entitlements.check(acc.id, { userId: owner.id })).licensed, true);
  });

  it('refuses anything but exactly one selector (400), a session (403), an unknown account (404)', async () => {
    const acc = await account();
    for (const query of ['', '?userId=usr_x&email=a@b.example', '?externalId=a&email=a@b.example', '?user=usr_x', '?externalId=']) {
      const res = await http(server.url, 'GET', `${acc.path}/entitlement${query}`, { token: API_KEY });
      assert.equal(res.status, 400, `${query}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'validation_failed');
    }
    const { token } = await server.admin.sessions.create(acc.id, { userId: acc.owner.id });
    const session = await http(server.url, 'GET', `${acc.path}/entitlement?userId=${acc.owner.id}`, { token });
    assert.equal(session.status, 403);
    const missing = await http(server.url, 'GET', '/v1/accounts/acc_missing0000000000000/entitlement?email=a@b.example', { token: API_KEY });
    assert.equal(missing.status, 404);
  });

  it('counts as activity at one-minute resolution, without a write per check', async () => {
    const acc = await account();
    const worker = (await server.admin.users.provision(acc.id, { email: 'busy@host.example', firstName: 'B', lastName: 'Z', externalId: 'busy' })).user;
    // The account's committed changes: its journal lines on file, its sequence on PostgreSQL.
    const journal = async () => {
      if (server.databaseUrl) {
        const client = new pg.Client({ connectionString: server.databaseUrl });
        await client.connect();
        try {
          return Number((await client.query<{ seq: string }>('SELECT seq FROM seatkit_accounts WHERE id = $1', [acc.id])).rows[0]!.seq);
        } finally {
          await client.end();
        }
      }
      const dir = join(server.dir, 'accounts', acc.id, 'journal');
      let lines = 0;
      for (const name of await readdir(dir)) lines += (await readFile(join(dir, name), 'utf8')).split('\n').length - 1;
      return lines;
    };
    await server.app.jobs.run('activity');
    const before = await journal();
    const started = new Date();
    await Promise.all(Array.from({ length: 100 }, () => server.admin.entitlements.check(acc.id, { externalId: 'busy' })));
    await server.app.jobs.run('activity');
    const lines = (await journal()) - before;
    assert.equal(lines, 1, `100 checks → ${lines} journal lines`);
    // (Read with the API key: a session's own requests are activity too.)
    const active = (await acc.asKey.users.get(worker.id)).lastActiveAt!;
    assert.ok(Date.parse(active) >= started.getTime() - 1000, active);
    // Within the minute, more checks record nothing more.
    await Promise.all(Array.from({ length: 20 }, () => server.admin.entitlements.check(acc.id, { externalId: 'busy' })));
    await server.app.jobs.run('activity');
    assert.equal((await journal()) - before, 1);
    assert.equal((await acc.asKey.users.get(worker.id)).lastActiveAt, active);
  });
});

describe('host back ends: recording activity', () => {
  it('records that a person used the host product now, and answers the user', async () => {
    const acc = await account();
    const { user } = await server.admin.users.provision(acc.id, { email: 'act@host.example', firstName: 'A', lastName: 'C' });
    assert.equal(user.lastActiveAt, null);
    const before = Date.now();
    const recorded: { user: User } = await server.admin.users.recordActivity(acc.id, user.id);
    assert.ok(Date.parse(recorded.user.lastActiveAt!) >= before - 1000);
    assert.equal((await acc.asOwner.users.get(user.id)).lastActiveAt, recorded.user.lastActiveAt);
    const missing = await http(server.url, 'POST', `${acc.path}/users/usr_missing00000000000000/activity`, { token: API_KEY });
    assert.equal(missing.status, 404);
  });
});
