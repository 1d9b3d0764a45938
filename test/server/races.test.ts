/**
 * Invariants under concurrency (docs/rules.md): many requests fired at once through `app.request`, then
 * the account is read back and checked. Rate limits are off so that only the rules answer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Account, AuditEvent, Invoice, LicenseChangeResult, PageBody, Quote, User } from '../../sdk/types.js';
import { isProblem, storeHarness, type Harness, type Reply } from '../helpers/api.js';
import { prng } from '../helpers/faulty-fs.js';

/**
 * Makes every change of the harness's store hold its account for `ms` before it runs, so that
 * concurrent requests overlap the change in flight (in memory a change otherwise completes within
 * one tick, before the other requests get that far).
 */
function slowChanges(h: Harness, ms: number): void {
  const transact = h.store.transact.bind(h.store);
  h.store.transact = (accountId, fn) =>
    transact(accountId, async (doc) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return fn(doc);
    });
}

function tally(replies: Reply[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of replies) {
    const key = r.status < 300 ? String(r.status) : `${r.status} ${r.body?.code}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

async function accountByKey(h: Harness, accountId: string): Promise<Account> {
  const res = await h.admin('GET', `/v1/accounts/${accountId}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

async function allUsers(h: Harness, base: string, token: string): Promise<User[]> {
  const res = await h.request<PageBody<User>>('GET', `${base}/users?limit=200`, { token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.nextCursor, null);
  return res.body.data;
}

async function allEvents(h: Harness, base: string, token: string): Promise<AuditEvent[]> {
  const res = await h.request<PageBody<AuditEvent>>('GET', `${base}/events?limit=200`, { token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.nextCursor, null, 'the test expects the whole log on one page');
  return res.body.data;
}

/** The account invariants (docs/rules.md) that hold for every account at rest, checked on the users themselves. */
function assertInvariants(account: Account, users: User[]): void {
  const enabled = users.filter((u) => u.status === 'enabled').length;
  const invited = users.filter((u) => u.status === 'invited').length;
  assert.equal(account.licenses.enabled, enabled, 'enabled count matches the users');
  assert.equal(account.licenses.invited, invited, 'invited count matches the users');
  assert.equal(account.licenses.inUse, enabled + invited);
  assert.equal(account.licenses.available, account.licenses.quantity - account.licenses.inUse);
  assert.ok(account.licenses.inUse <= account.licenses.quantity, `inUse ${account.licenses.inUse} ≤ quantity ${account.licenses.quantity}`);
  const owners = users.filter((u) => u.role === 'owner');
  assert.equal(owners.length, 1, 'exactly one owner');
  assert.equal(owners[0]!.id, account.ownerId);
  assert.equal(owners[0]!.status, 'enabled', 'the owner is enabled');
  const emails = users.map((u) => u.email.toLowerCase());
  assert.equal(new Set(emails).size, emails.length, 'emails are unique (case-insensitive)');
}

describe('races: invariants under concurrent requests', () => {
  it('lets exactly 5 of 100 concurrent invites take the 5 free licenses, 20 rounds in a row', async (t) => {
    const h = await storeHarness({ rateLimits: false });
    const timings: number[] = [];
    for (let round = 0; round < 20; round++) {
      const { accountId, base, ownerToken } = await h.createAccount({
        licenses: { quantity: 6, unitPrice: 400, currency: 'USD', interval: 'month' },
        owner: { email: `owner-${round}@acme.example`, firstName: 'Olive', lastName: 'Owner' },
      });
      const started = performance.now();
      const replies = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          h.request('POST', `${base}/invitations`, { token: ownerToken, body: { email: `r${round}-u${i}@acme.example`, firstName: 'Ivy', lastName: `No${i}` } }),
        ),
      );
      timings.push(performance.now() - started);

      const created = replies.filter((r) => r.status === 201);
      const refused = replies.filter((r) => isProblem(r, 409, 'no_license_available'));
      assert.equal(created.length, 5, `round ${round}: ${JSON.stringify(tally(replies))}`);
      assert.equal(refused.length, 95, `round ${round}: ${JSON.stringify(tally(replies))}`);

      const account = await accountByKey(h, accountId);
      assert.equal(account.licenses.quantity, 6);
      assert.equal(account.licenses.inUse, 1 + 5);
      assert.ok(account.licenses.inUse <= account.licenses.quantity);
      const users = await allUsers(h, base, ownerToken);
      assertInvariants(account, users);
      assert.equal(users.length, 6, 'no user record is created by a refused invite');
      assert.deepEqual(
        users.filter((u) => u.status === 'invited').map((u) => u.id).sort(),
        created.map((r) => r.body.user.id).sort(),
        'the invited users are exactly those answered 201',
      );
      const invitedEvents = (await allEvents(h, base, ownerToken)).filter((e) => e.action === 'user.invited');
      assert.equal(invitedEvents.length, 5, 'one audit event per invite that succeeded');
      const mails = (await h.mailer.list()).filter((m) => m.to.startsWith(`r${round}-`));
      assert.equal(mails.length, 5, 'an activation email only for the invites that succeeded');
    }
    const slowest = Math.max(...timings);
    t.diagnostic(`100 concurrent invites × 20 rounds: per round min ${Math.min(...timings).toFixed(1)} ms, max ${slowest.toFixed(1)} ms`);
    assert.ok(slowest < 1000, `a round takes well under a second (slowest ${slowest.toFixed(0)} ms)`);
  });

  it('still lets exactly 5 of 100 concurrent invites through when every change takes a while (slow store)', async () => {
    const h = await storeHarness({ rateLimits: false });
    slowChanges(h, 1);
    for (let round = 0; round < 3; round++) {
      const { accountId, base, ownerToken } = await h.createAccount({
        licenses: { quantity: 6, unitPrice: 400, currency: 'USD', interval: 'month' },
        owner: { email: `owner-${round}@acme.example`, firstName: 'Olive', lastName: 'Owner' },
      });
      const replies = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          h.request('POST', `${base}/invitations`, { token: ownerToken, body: { email: `slow${round}-u${i}@acme.example`, firstName: 'Ivy', lastName: `No${i}` } }),
        ),
      );
      assert.equal(replies.filter((r) => r.status === 201).length, 5, JSON.stringify(tally(replies)));
      assert.equal(replies.filter((r) => isProblem(r, 409, 'no_license_available')).length, 95, JSON.stringify(tally(replies)));
      const account = await accountByKey(h, accountId);
      assertInvariants(account, await allUsers(h, base, ownerToken));
      assert.equal(account.licenses.inUse, 6);
    }
  });

  it('applies a license increase once when 30 requests carry the same Idempotency-Key and body', async (t) => {
    const h = await storeHarness({ rateLimits: false });
    const { accountId, base, ownerToken } = await h.createAccount();
    const quote = await h.request<Quote>('GET', `${base}/licenses/quote?quantity=8`, { token: ownerToken });
    assert.equal(quote.status, 200);
    assert.ok(quote.body.amountDue > 0);
    const body = { quantity: 8, acceptAgreement: true, expectedAmountDue: quote.body.amountDue };

    const replies = await Promise.all(
      Array.from({ length: 30 }, () =>
        h.request<LicenseChangeResult>('POST', `${base}/licenses`, { token: ownerToken, body, headers: { 'Idempotency-Key': 'purchase-3-more' } }),
      ),
    );

    for (const r of replies) {
      assert.ok(r.status === 200 || isProblem(r, 409, 'idempotency_key_in_use'), `unexpected answer ${r.status} ${JSON.stringify(r.body)}`);
    }
    t.diagnostic(`30 concurrent license changes, one key: ${JSON.stringify(tally(replies))}`);
    const ok = replies.filter((r) => r.status === 200);
    const originals = ok.filter((r) => r.headers.get('Idempotent-Replayed') !== 'true');
    assert.equal(originals.length, 1, `exactly one original answer: ${JSON.stringify(tally(replies))}`);
    const original = originals[0]!.body;
    assert.equal(original.licenses.quantity, 8);
    assert.equal(original.invoice?.kind, 'proration');
    assert.equal(original.invoice?.amount, quote.body.amountDue);
    for (const replay of ok.filter((r) => r.headers.get('Idempotent-Replayed') === 'true')) assert.deepEqual(replay.body, original);

    const account = await accountByKey(h, accountId);
    assert.equal(account.licenses.quantity, 8, 'the quantity grew once (5 → 8)');
    const invoices = await h.request<PageBody<Invoice>>('GET', `${base}/invoices`, { token: ownerToken });
    assert.equal(invoices.status, 200);
    assert.deepEqual(
      invoices.body.data.map((i) => i.id),
      [original.invoice!.id],
      'exactly one proration invoice',
    );
    const increases = (await allEvents(h, base, ownerToken)).filter((e) => e.action === 'licenses.increased');
    assert.equal(increases.length, 1, 'one audit event for the one change');

    const later = await h.request('POST', `${base}/licenses`, { token: ownerToken, body, headers: { 'Idempotency-Key': 'purchase-3-more' } });
    assert.equal(later.status, 200);
    assert.equal(later.headers.get('Idempotent-Replayed'), 'true');
    assert.deepEqual(later.body, original, 'a retry after the race replays the first answer');
  });

  it('answers 409 idempotency_key_in_use, with Retry-After, while the first request of a key is still running', async (t) => {
    const h = await storeHarness({ rateLimits: false });
    const { accountId, base, ownerToken } = await h.createAccount();
    const quote = await h.request<Quote>('GET', `${base}/licenses/quote?quantity=6`, { token: ownerToken });
    const body = { quantity: 6, acceptAgreement: true, expectedAmountDue: quote.body.amountDue };
    slowChanges(h, 20);

    const replies = await Promise.all(
      Array.from({ length: 30 }, () => h.request('POST', `${base}/licenses`, { token: ownerToken, body, headers: { 'Idempotency-Key': 'slow-key' } })),
    );

    t.diagnostic(`30 concurrent license changes, one key, slow store: ${JSON.stringify(tally(replies))}`);
    const inUse = replies.filter((r) => isProblem(r, 409, 'idempotency_key_in_use'));
    assert.ok(inUse.length >= 1, JSON.stringify(tally(replies)));
    for (const r of inUse) assert.ok(r.headers.get('Retry-After'), 'a retry hint');
    assert.equal(replies.filter((r) => r.status === 200 && r.headers.get('Idempotent-Replayed') !== 'true').length, 1);
    assert.equal(inUse.length + replies.filter((r) => r.status === 200).length, 30, JSON.stringify(tally(replies)));
    assert.equal((await accountByKey(h, accountId)).licenses.quantity, 6);
    const invoices = await h.request<PageBody<Invoice>>('GET', `${base}/invoices`, { token: ownerToken });
    assert.equal(invoices.body.total, 1);
  });

  it('lets exactly one of 5 concurrent ownership transfers succeed, and signs the old owner out', async (t) => {
    const h = await storeHarness({ rateLimits: false });
    const { accountId, base, owner, ownerToken } = await h.createAccount({ licenses: { quantity: 10, unitPrice: 400, currency: 'USD', interval: 'month' } });
    const admins: User[] = [];
    for (let i = 0; i < 5; i++) admins.push((await h.addUser(accountId, ownerToken, { email: `admin${i}@acme.example`, role: 'admin' })).user);

    const replies = await Promise.all(admins.map((a) => h.request('POST', `${base}/owner`, { token: ownerToken, body: { userId: a.id } })));

    t.diagnostic(`5 concurrent ownership transfers: ${JSON.stringify(tally(replies))}`);
    const ok = replies.filter((r) => r.status === 200);
    assert.equal(ok.length, 1, `exactly one transfer succeeds: ${JSON.stringify(tally(replies))}`);
    for (const r of replies.filter((x) => x.status !== 200)) {
      assert.ok(
        isProblem(r, 401, 'unauthorized') || isProblem(r, 403, 'forbidden') || isProblem(r, 409, 'user_not_eligible'),
        `a losing transfer fails cleanly, not ${r.status} ${JSON.stringify(r.body)}`,
      );
    }
    const winner = (ok[0]!.body.users as User[]).find((u) => u.role === 'owner')!;
    assert.ok(admins.some((a) => a.id === winner.id));

    const account = await accountByKey(h, accountId);
    assert.equal(account.ownerId, winner.id);
    const newOwnerToken = await h.session(accountId, winner.id);
    const users = await allUsers(h, base, newOwnerToken);
    assertInvariants(account, users);
    assert.equal(users.length, 6);
    assert.deepEqual(
      users.filter((u) => u.role === 'owner').map((u) => u.id),
      [winner.id],
    );
    const oldOwner = users.find((u) => u.id === owner.id)!;
    assert.equal(oldOwner.role, 'admin', 'the old owner becomes admin');
    assert.equal(oldOwner.status, 'enabled', 'and keeps the license');
    for (const a of admins.filter((x) => x.id !== winner.id)) assert.equal(users.find((u) => u.id === a.id)!.role, 'admin');

    assert.ok(isProblem(await h.request('GET', base, { token: ownerToken }), 401, 'unauthorized'), "the old owner's session is revoked");
    const transfers = (await allEvents(h, base, newOwnerToken)).filter((e) => e.action === 'owner.transferred');
    assert.equal(transfers.length, 1);
  });

  it('keeps every invariant through 50 concurrent random assigns, unassigns and reassigns (10 seeds)', async (t) => {
    const h = await storeHarness({ rateLimits: false });
    const timings: number[] = [];
    const outcomes: Record<string, number> = {};
    for (let seed = 1; seed <= 10; seed++) {
      const { accountId, base, owner, ownerToken } = await h.createAccount({
        licenses: { quantity: 9, unitPrice: 400, currency: 'USD', interval: 'month' },
        owner: { email: `owner-${seed}@acme.example`, firstName: 'Olive', lastName: 'Owner' },
      });
      // An admin who acts too, and is never a target (so its session stays valid).
      const admin = await h.addUser(accountId, ownerToken, { email: `s${seed}-admin@acme.example`, role: 'admin' });
      const pool: User[] = [];
      for (let i = 0; i < 7; i++) pool.push((await h.addUser(accountId, ownerToken, { email: `s${seed}-u${i}@acme.example` })).user);
      // 3 activated users lose their license; 2 invitations stay pending; 1 never-activated user is revoked.
      for (const u of pool.slice(0, 3)) assert.equal((await h.request('DELETE', `${base}/users/${u.id}/license`, { token: ownerToken })).status, 200);
      for (let i = 0; i < 3; i++) pool.push((await h.addUser(accountId, ownerToken, { email: `s${seed}-p${i}@acme.example` }, false)).user);
      assert.equal((await h.request('DELETE', `${base}/users/${pool[9]!.id}/invitation`, { token: ownerToken })).status, 200);
      const targets = [owner, ...pool];
      const before = await allUsers(h, base, ownerToken);
      const eventsBefore = (await allEvents(h, base, ownerToken)).length;
      assertInvariants(await accountByKey(h, accountId), before);

      const rand = prng(seed);
      const pick = () => targets[Math.floor(rand() * targets.length)]!;
      const ops = Array.from({ length: 50 }, () => {
        const token = rand() < 0.5 ? ownerToken : admin.token!;
        const kind = rand();
        if (kind < 0.35) return { kind: 'assign', send: () => h.request('PUT', `${base}/users/${pick().id}/license`, { token }) };
        if (kind < 0.7) return { kind: 'unassign', send: () => h.request('DELETE', `${base}/users/${pick().id}/license`, { token }) };
        const from = pick();
        const to = pick();
        return { kind: 'reassign', send: () => h.request('POST', `${base}/license-transfers`, { token, body: { fromUserId: from.id, toUserId: to.id } }) };
      });
      const started = performance.now();
      const replies = await Promise.all(ops.map((op) => op.send()));
      timings.push(performance.now() - started);
      replies.forEach((r, i) => {
        const key = `${ops[i]!.kind} ${r.status === 200 ? 'ok' : r.body?.code}`;
        outcomes[key] = (outcomes[key] ?? 0) + 1;
      });

      for (const r of replies) {
        assert.ok(
          r.status === 200 ||
            isProblem(r, 409, 'no_license_available') ||
            isProblem(r, 409, 'user_not_eligible') ||
            isProblem(r, 409, 'owner_requires_license'),
          `seed ${seed}: unexpected answer ${r.status} ${JSON.stringify(r.body)}`,
        );
      }
      const account = await accountByKey(h, accountId);
      const after = await allUsers(h, base, ownerToken);
      assertInvariants(account, after);
      assert.equal(after.length, before.length, 'no user record is lost');
      assert.deepEqual(after.map((u) => u.id).sort(), before.map((u) => u.id).sort());
      assert.equal(after.find((u) => u.id === owner.id)!.role, 'owner');

      const log = await allEvents(h, base, ownerToken);
      const newEvents = log.slice(0, log.length - eventsBefore);
      const succeeded = (kind: string) => replies.filter((r, i) => r.status === 200 && ops[i]!.kind === kind).length;
      assert.equal(newEvents.length, replies.filter((r) => r.status === 200).length, `seed ${seed}: one audit event per successful change`);
      assert.equal(newEvents.filter((e) => e.action === 'license.assigned').length, succeeded('assign'));
      assert.equal(newEvents.filter((e) => e.action === 'license.unassigned').length, succeeded('unassign'));
      assert.equal(newEvents.filter((e) => e.action === 'license.reassigned').length, succeeded('reassign'));
    }
    t.diagnostic(`50 concurrent mixed license operations × 10 seeds: per round max ${Math.max(...timings).toFixed(1)} ms; ${JSON.stringify(outcomes)}`);
  });

  it('accepts one invitation once when 20 accepts race', async () => {
    const h = await storeHarness({ rateLimits: false });
    const { accountId, base, ownerToken } = await h.createAccount();
    const { user } = await h.addUser(accountId, ownerToken, { email: 'ivy@acme.example' }, false);
    const token = await h.invitationToken('ivy@acme.example');

    const replies = await Promise.all(Array.from({ length: 20 }, () => h.request('POST', `/v1/invitations/${token}/accept`, { body: {} })));

    const ok = replies.filter((r) => r.status === 200);
    assert.equal(ok.length, 1, JSON.stringify(tally(replies)));
    assert.equal(ok[0]!.body.user.id, user.id);
    assert.equal(replies.filter((r) => isProblem(r, 404, 'invitation_invalid')).length, 19, JSON.stringify(tally(replies)));
    const accepted = (await allEvents(h, base, ownerToken)).filter((e) => e.action === 'invitation.accepted');
    assert.equal(accepted.length, 1);
    const account = await accountByKey(h, accountId);
    assert.equal(account.licenses.enabled, 2);
    assert.equal(account.licenses.invited, 0);
  });

  it('creates one user when the same email is invited concurrently in differing case', async () => {
    const h = await storeHarness({ rateLimits: false });
    const { accountId, base, ownerToken } = await h.createAccount({ licenses: { quantity: 50, unitPrice: 400, currency: 'USD', interval: 'month' } });
    const spellings = ['dup@acme.example', 'Dup@acme.example', 'DUP@ACME.EXAMPLE', 'dup@Acme.Example', 'dUp@acme.EXAMPLE', 'duP@acMe.example'];
    const emails = Array.from({ length: 24 }, (_, i) => spellings[i % spellings.length]!);

    const replies = await Promise.all(emails.map((email) => h.request('POST', `${base}/invitations`, { token: ownerToken, body: { email, firstName: 'Dee', lastName: 'Up' } })));

    const created = replies.filter((r) => r.status === 201);
    assert.equal(created.length, 1, JSON.stringify(tally(replies)));
    const losers = replies.filter((r) => r.status !== 201);
    for (const r of losers) {
      assert.ok(isProblem(r, 409, 'user_exists'), `${r.status} ${JSON.stringify(r.body)}`);
      assert.equal(r.body.userId, created[0]!.body.user.id, 'user_exists names the existing user');
    }
    const users = await allUsers(h, base, ownerToken);
    assert.equal(users.filter((u) => u.email.toLowerCase() === 'dup@acme.example').length, 1);
    const account = await accountByKey(h, accountId);
    assertInvariants(account, users);
    assert.equal(account.licenses.inUse, 2);
  });
});
