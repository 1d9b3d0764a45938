/**
 * Batches over real HTTP: atomic (all or nothing: a missing license or one invalid row refuses the
 * whole batch, 409 batch_rejected with every result and licensesNeeded), partial (in order, each
 * that fits), dry runs, the limits (1–1,000 operations, 1 MiB), each operation's own permissions,
 * one audit event per user, emails after the commit and rate-limited as a batch, a 1,000-invite
 * batch in one request, and batches racing single invites for the last licenses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SeatClient, SeatConflictError, SeatRateLimitError, type BatchOperation, type BatchResult } from '../../sdk/index.js';
import { API_KEY } from '../helpers/api.js';
import { liveServer, type LiveServer } from '../helpers/live.js';

let server: LiveServer;
before(async () => {
  server = await liveServer();
});
after(() => server.stop());

async function account(quantity: number) {
  const { account, owner } = await server.admin.accounts.create({
    name: 'Batch Co',
    licenses: { quantity, unitPrice: 400, currency: 'USD', interval: 'month' },
    owner: { email: 'owner@batch.example', firstName: 'Olive', lastName: 'Owner' },
  });
  const { token } = await server.admin.sessions.create(account.id, { userId: owner.id });
  return { id: account.id, owner, asOwner: new SeatClient({ baseUrl: server.url, accountId: account.id, token }), asKey: server.admin.account(account.id) };
}

const person = (i: number | string) => ({ email: `p${i}@batch.example`, firstName: 'Person', lastName: `${i}` });
const invite = (i: number | string): BatchOperation => ({ op: 'invite', ...person(i) });

async function state(acc: Awaited<ReturnType<typeof account>>) {
  return {
    licenses: (await acc.asKey.account.get()).licenses,
    users: (await acc.asKey.users.list({ limit: 200, sort: 'email' })).data,
    events: (await acc.asKey.events.list({ limit: 1 })).total,
  };
}

async function rejected(promise: Promise<unknown>): Promise<SeatConflictError> {
  const error = await promise.then(
    () => assert.fail('the batch should be refused'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof SeatConflictError && error.code === 'batch_rejected', String(error));
  return error;
}

describe('batches: atomic (the default)', () => {
  it('refuses a batch short of licenses, saying how many more it needs, and changes nothing', async () => {
    const acc = await account(4);
    const before = await state(acc);
    const error = await rejected(acc.asOwner.batch({ operations: [invite(1), invite(2), invite(3), invite(4), invite(5)] }));
    const results = error.problem!.results!;
    assert.deepEqual(results.map((r) => r.ok), [true, true, true, false, false]);
    assert.deepEqual(results.slice(3).map((r) => r.code), ['no_license_available', 'no_license_available']);
    assert.equal(error.problem!.licensesNeeded, 2);
    assert.deepEqual(await state(acc), before);
  });

  it('refuses a batch with one invalid row, naming its fields, and changes nothing', async () => {
    const acc = await account(10);
    const before = await state(acc);
    const bad = { op: 'invite', email: 'not-an-email', firstName: '', lastName: 'X' } as BatchOperation;
    const error = await rejected(acc.asOwner.batch({ operations: [invite(1), bad, invite(3)] }));
    const [first, second, third] = error.problem!.results!;
    assert.deepEqual([first!.ok, second!.ok, third!.ok], [true, false, true]);
    assert.equal(second!.code, 'validation_failed');
    assert.deepEqual(Object.keys(second!.errors!).sort(), ['email', 'firstName']);
    assert.equal(error.problem!.licensesNeeded, 0);
    assert.deepEqual(await state(acc), before);
  });

  it('applies every operation in one commit: one audit event per user, the emails after the commit', async () => {
    const acc = await account(10);
    const [ada, bob] = [(await acc.asOwner.invitations.create(person('ada'))).user, (await acc.asOwner.invitations.create(person('bob'))).user];
    const mails = (await server.admin.outbox.list()).total;
    const events = (await acc.asKey.events.list({ limit: 1 })).total;
    const result = await acc.asOwner.batch({
      operations: [invite(1), { op: 'revoke', userId: ada.id }, { op: 'resend', userId: bob.id }, { op: 'assign', userId: ada.id }, invite(2)],
    });
    assert.equal(result.dryRun, false);
    assert.deepEqual(result.results.map((r) => [r.index, r.ok]), [[0, true], [1, true], [2, true], [3, true], [4, true]]);
    assert.deepEqual(result.results.map((r) => r.user?.status), ['invited', 'disabled', 'invited', 'invited', 'invited']);
    assert.equal(result.licenses.inUse, 5);
    assert.equal((await acc.asKey.events.list({ limit: 1 })).total, events + 5, 'one event per operation');
    for (let i = 0; i < 50 && (await server.admin.outbox.list()).total < mails + 4; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal((await server.admin.outbox.list()).total, mails + 4, 'invite, resend, assign (a new invitation), invite');
  });
});

describe('batches: partial, dry run', () => {
  it('applies each operation that fits, in order', async () => {
    const acc = await account(3);
    const result = await acc.asOwner.batch({ mode: 'partial', operations: [invite(1), invite(1), invite(2), invite(3), { op: 'unassign', userId: acc.owner.id }] });
    assert.deepEqual(result.results.map((r) => (r.ok ? 'ok' : r.code)), ['ok', 'user_exists', 'ok', 'no_license_available', 'owner_requires_license']);
    assert.equal(result.licenses.inUse, 3);
    assert.deepEqual((await acc.asKey.users.list({ status: 'invited' })).data.map((u) => u.email).sort(), ['p1@batch.example', 'p2@batch.example']);
  });

  it('answers a dry run as the batch would be answered, and changes nothing', async () => {
    const acc = await account(3);
    const before = await state(acc);
    const dry = await acc.asOwner.batch({ dryRun: true, mode: 'partial', operations: [invite(1), invite(2), invite(3)] });
    assert.equal(dry.dryRun, true);
    assert.deepEqual(dry.results.map((r) => r.ok), [true, true, false]);
    assert.equal(dry.licenses.inUse, 3);
    const refused = await rejected(acc.asOwner.batch({ dryRun: true, operations: [invite(1), invite(2), invite(3)] }));
    assert.equal(refused.problem!.licensesNeeded, 1);
    assert.deepEqual(await state(acc), before);
    assert.equal((await acc.asOwner.batch({ dryRun: true, operations: [invite(1)] })).results[0]!.user!.email, 'p1@batch.example');
    assert.deepEqual(await state(acc), before);
  });
});

describe('batches: limits and permissions', () => {
  it('refuses 0 and 1,001 operations, an unknown op or mode (400), and a body over 1 MiB (413)', async () => {
    const acc = await account(3);
    const post = (body: unknown) =>
      fetch(`${server.url}/v1/accounts/${acc.id}/batch`, { method: 'POST', headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    for (const body of [{ operations: [] }, { operations: Array.from({ length: 1001 }, (_, i) => invite(i)) }, { operations: [{ op: 'explode' }] }, { operations: [invite(1)], mode: 'most' }]) {
      const res = await post(body);
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal((await res.json()).code, 'validation_failed');
    }
    const big = await post({ operations: Array.from({ length: 900 }, (_, i) => ({ ...invite(i), qualification: 'x'.repeat(100), firstName: 'y'.repeat(100), lastName: 'z'.repeat(100), email: `${'e'.repeat(60)}${i}@batch.example` })), filler: 'f'.repeat(800_000) });
    assert.equal(big.status, 413);
    assert.equal((await state(acc)).licenses.inUse, 1);
  });

  it('keeps each operation’s permission: a member may do none, a session may not provision or set externalId', async () => {
    const acc = await account(10);
    const member = await server.admin.users.provision(acc.id, { email: 'member@batch.example', firstName: 'M', lastName: 'M' });
    const { token } = await server.admin.sessions.create(acc.id, { userId: member.user.id });
    const asMember = new SeatClient({ baseUrl: server.url, accountId: acc.id, token });
    const refused = await rejected(asMember.batch({ operations: [invite(1)] }));
    assert.equal(refused.problem!.results![0]!.code, 'forbidden');
    const partial = await acc.asOwner.batch({
      mode: 'partial',
      operations: [{ op: 'provision', email: 'pro@batch.example', firstName: 'P', lastName: 'R' }, { ...invite(2), externalId: 'x-2' } as BatchOperation, invite(3)],
    });
    assert.deepEqual(partial.results.map((r) => (r.ok ? 'ok' : r.code)), ['forbidden', 'forbidden', 'ok']);
    const byKey = await acc.asKey.batch({ operations: [{ op: 'provision', email: 'pro@batch.example', firstName: 'P', lastName: 'R', externalId: 'x-1' }] });
    assert.equal(byKey.results[0]!.user!.externalId, 'x-1');
  });

  it('counts the batch’s invitation emails against the hourly limit together: all fit, or 429 and nothing done', async () => {
    const limited = await liveServer({ SEATKIT_RATE_LIMITS: 'on' });
    try {
      const { account: acc } = await limited.admin.accounts.create({
        name: 'Limited',
        licenses: { quantity: 500, unitPrice: 1, currency: 'USD', interval: 'month' },
        owner: { email: 'o@limited.example', firstName: 'O', lastName: 'L' },
      });
      const asKey = limited.admin.account(acc.id);
      await asKey.batch({ operations: Array.from({ length: 90 }, (_, i) => invite(i)) });
      const error = await asKey.batch({ operations: Array.from({ length: 20 }, (_, i) => invite(100 + i)) }).catch((e: unknown) => e);
      assert.ok(error instanceof SeatRateLimitError, String(error));
      assert.ok(error.retryAfter! > 0);
      assert.equal((await asKey.users.list()).total, 91, 'nothing of the refused batch');
      assert.equal((await asKey.batch({ operations: Array.from({ length: 10 }, (_, i) => invite(200 + i)) })).results.length, 10, 'what fits goes through');
    } finally {
      await limited.stop();
    }
  });
});

describe('batches: scale and races', () => {
  it('invites 1,000 people in one request', async () => {
    const acc = await account(1001);
    const result = await acc.asKey.batch({ operations: Array.from({ length: 1000 }, (_, i) => invite(i)) });
    assert.equal(result.results.filter((r) => r.ok).length, 1000);
    assert.equal(result.licenses.inUse, 1001);
    assert.equal((await acc.asKey.users.list({ status: 'invited', limit: 1 })).total, 1000);
  });

  it('keeps inUse ≤ quantity when batches race single invites for the last licenses', async () => {
    const acc = await account(21);
    const requests: Promise<unknown>[] = [];
    for (let i = 0; i < 5; i++) requests.push(acc.asOwner.batch({ mode: i % 2 ? 'partial' : 'atomic', operations: Array.from({ length: 6 }, (_, j) => invite(`b${i}-${j}`)) }).catch(() => undefined));
    for (let i = 0; i < 20; i++) requests.push(acc.asOwner.invitations.create(person(`s${i}`)).catch(() => undefined));
    await Promise.all(requests);
    const { licenses } = await acc.asKey.account.get();
    assert.ok(licenses.inUse <= licenses.quantity, `${licenses.inUse} in use of ${licenses.quantity}`);
    assert.equal(licenses.inUse, 21, 'every license went to someone');
    assert.equal((await acc.asKey.users.list({ limit: 200 })).total, 21);
    const result: BatchResult = await acc.asOwner.batch({ mode: 'partial', operations: [invite('late')] });
    assert.equal(result.results[0]!.code, 'no_license_available');
  });
});
