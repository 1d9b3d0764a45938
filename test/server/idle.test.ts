/**
 * Idle licenses over real HTTP: who is inactive (around the 30-day boundary, on a test clock), the
 * owner's reclaim policy (its preview, enforcement on settle and on the timer, never the owner,
 * audit actor `system`, the webhook, the user's history), and usage per day against a replay of
 * the audit log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SeatClient, SeatForbiddenError, type AuditEvent, type UsageDay, type User, type WebhookPayload } from '../../sdk/index.js';
import { liveServer, receiver, type LiveServer, type Receiver } from '../helpers/live.js';

const T0 = '2030-03-01T09:00:00.000Z';
const DAY = 86_400_000;
const at = (days: number, ms = 0) => new Date(Date.parse(T0) + days * DAY + ms).toISOString();

let server: LiveServer;
let hooks: Receiver;
before(async () => {
  server = await liveServer();
  hooks = await receiver();
  await server.admin.webhooks.create({ url: hooks.url, events: ['license.reclaimed'] });
});
after(async () => {
  await server.stop();
  await hooks.close();
});

async function clockedAccount(quantity = 10) {
  const { account, owner } = await server.admin.accounts.create({
    name: 'Idle Co',
    licenses: { quantity, unitPrice: 1000, currency: 'USD', interval: 'year' },
    owner: { email: 'owner@idle.example', firstName: 'Olive', lastName: 'Owner' },
    testClock: { frozenTime: T0 },
  });
  const { token } = await server.admin.sessions.create(account.id, { userId: owner.id, ttlSeconds: 86_400 });
  const asOwner = new SeatClient({ baseUrl: server.url, accountId: account.id, token });
  const people: Record<string, User> = {};
  const add = async (name: string, license = true) =>
    (people[name] = (await server.admin.users.provision(account.id, { email: `${name}@idle.example`, firstName: name, lastName: 'Test', externalId: name, license })).user);
  return { id: account.id, owner, asOwner, asKey: server.admin.account(account.id), people, add, advance: (to: string) => server.admin.testClock.advance(account.id, to) };
}

const ids = (users: { id: string }[]) => users.map((u) => u.id).sort();

describe('inactive users', () => {
  it('lists license holders inactive N days or more by the account’s clock: 29 days no, 30 and 31 days yes', async () => {
    const acc = await clockedAccount();
    const idle = await acc.add('idle');
    const busy = await acc.add('busy');
    await acc.add('unlicensed', false);
    await acc.advance(at(10));
    await server.admin.entitlements.check(acc.id, { externalId: 'busy' }); // active on day 10, by the account's clock
    await server.app.jobs.run('activity');
    assert.equal((await acc.asKey.users.get(busy.id)).lastActiveAt, at(10));
    const inactive = async (days: number) => ids((await acc.asKey.users.list({ inactiveDays: days, limit: 200 })).data);

    await acc.advance(at(29, DAY - 1));
    assert.deepEqual(await inactive(30), [], 'a minute short of 30 days');
    await acc.advance(at(30));
    // The owner has made no request either (the API key reads for it): the owner is listed too.
    assert.deepEqual(await inactive(30), ids([idle, acc.owner]), 'exactly 30 days');
    await acc.advance(at(31));
    assert.deepEqual(await inactive(30), ids([idle, acc.owner]));
    assert.deepEqual(await inactive(21), ids([idle, acc.owner, busy]), 'busy was last active 21 days ago');
    assert.deepEqual(await inactive(22), ids([idle, acc.owner]));
    // With the other filters, and in the CSV.
    assert.deepEqual(ids((await acc.asKey.users.list({ inactiveDays: 30, role: 'member' })).data), ids([idle]));
    const csv = await new Response(await acc.asKey.users.exportCsv({ inactiveDays: 30, role: 'member' })).text();
    assert.deepEqual(csv.trim().split('\r\n').slice(1).map((line) => line.split(',')[0]), ['idle@idle.example']);
  });

  it('refuses inactiveDays out of 1–3,650 (400)', async () => {
    const acc = await clockedAccount();
    for (const days of [0, 3651, 1.5]) {
      const res = await fetch(`${server.url}/v1/accounts/${acc.id}/users?inactiveDays=${days}`, { headers: { Authorization: `Bearer ${server.apiKey}` } });
      assert.equal(res.status, 400, String(days));
    }
  });
});

describe('the reclaim policy', () => {
  it('is off by default; its preview names who would be released now, never the owner; only the owner may see or set it', async () => {
    const acc = await clockedAccount();
    const idle = await acc.add('idle');
    await acc.advance(at(40));
    const policy = await acc.asOwner.reclaimPolicy.get();
    assert.deepEqual(policy, { enabled: false, inactiveDays: 30, preview: [idle.id] });
    assert.deepEqual((await acc.asOwner.reclaimPolicy.get({ inactiveDays: 60 })).preview, [], 'a preview of another number of days');
    assert.equal((await acc.asOwner.users.get(idle.id)).status, 'enabled', 'nothing is released while it is off');
    const { token } = await server.admin.sessions.create(acc.id, { userId: (await acc.add('admin')).id });
    await acc.asKey.users.update(acc.people.admin!.id, { role: 'admin' });
    const admin = new SeatClient({ baseUrl: server.url, accountId: acc.id, token });
    const refused = await admin.reclaimPolicy.get().catch((error: unknown) => error);
    assert.ok(refused instanceof SeatForbiddenError, String(refused));
  });

  it('releases idle licenses when turned on, and then on every settle and on the timer: actor system, a webhook, in the history', async () => {
    const acc = await clockedAccount();
    const idle = await acc.add('idle');
    const later = await acc.add('later');
    await acc.advance(at(20));
    await server.admin.entitlements.check(acc.id, { externalId: 'later' });
    await server.app.jobs.run('activity');
    await acc.advance(at(31));
    const saved = await acc.asOwner.reclaimPolicy.update({ enabled: true, inactiveDays: 30 });
    assert.deepEqual(saved, { enabled: true, inactiveDays: 30, preview: [] });
    assert.equal((await acc.asKey.users.get(idle.id)).status, 'disabled', 'released at once');
    assert.equal((await acc.asKey.users.get(later.id)).status, 'enabled');
    assert.equal((await acc.asKey.users.get(acc.owner.id)).status, 'enabled', 'never the owner');

    // Later falls idle too: the timer releases it, with no request in between.
    await acc.advance(at(50, 60_000));
    await server.app.jobs.run('settle');
    assert.equal((await acc.asKey.users.get(later.id)).status, 'disabled');

    for (const user of [idle, later]) {
      const [event] = (await acc.asOwner.users.history(user.id)).data;
      assert.equal(event!.action, 'license.reclaimed');
      assert.deepEqual(event!.actor, { type: 'system' });
      assert.ok(event!.before && 'lastActiveAt' in event!.before, JSON.stringify(event!.before));
      assert.equal(event!.after?.status, 'disabled');
    }
    const messages = (await hooks.waitFor(2)).map((r) => JSON.parse(r.body) as WebhookPayload).filter((m) => m.data.account.id === acc.id);
    assert.deepEqual(ids(messages.map((m) => m.data.users[0]!)), ids([idle, later]));
    assert.equal(messages[0]!.type, 'license.reclaimed');
    const audit = (await acc.asOwner.events.list({ limit: 200 })).data;
    const change = audit.find((e: AuditEvent) => e.action === 'reclaim_policy.changed')!;
    assert.deepEqual([change.before, change.after], [{ enabled: false, inactiveDays: 30 }, { enabled: true, inactiveDays: 30 }]);
  });

  it('refuses inactiveDays outside 7–365 (400), and a member or admin (403)', async () => {
    const acc = await clockedAccount();
    for (const inactiveDays of [6, 366]) {
      const error = (await acc.asOwner.reclaimPolicy.update({ enabled: true, inactiveDays }).catch((e: unknown) => e)) as { status?: number };
      assert.equal(error.status, 400);
    }
    assert.equal((await acc.asOwner.reclaimPolicy.get()).enabled, false);
  });
});

/** The usage per day a replay of the audit log gives (independent of the server's roll-up); `events` newest first, as listed. */
function replay(events: AuditEvent[], from: string, to: string): UsageDay[] {
  const holds = (status: unknown) => status === 'enabled' || status === 'invited';
  const status = new Map<string, unknown>();
  let quantity = 0;
  const days = new Map<string, UsageDay>();
  const inUse = () => [...status.values()].filter(holds).length;
  // Oldest first, in the order they were committed (a test clock stamps many events alike).
  for (const event of [...events].reverse()) {
    const date = event.createdAt.slice(0, 10);
    const start = days.get(date) ?? { date, quantity, inUse: inUse(), maxInUse: inUse() };
    for (const id of event.userIds) {
      const after = (event.after && id in event.after ? event.after[id] : event.after) as Record<string, unknown> | null;
      if (event.action === 'account.created') status.set(id, 'enabled');
      else if (after && 'status' in after) status.set(id, after.status);
    }
    if (typeof event.after?.quantity === 'number' && ['account.created', 'licenses.increased', 'licenses.decreased', 'period.renewed'].includes(event.action)) quantity = event.after.quantity as number;
    days.set(date, { date, quantity, inUse: inUse(), maxInUse: Math.max(start.maxInUse, inUse()) });
  }
  const rows: UsageDay[] = [];
  let carried: UsageDay | undefined;
  for (let t = Date.parse(from); t <= Date.parse(to); t += DAY) {
    const date = new Date(t).toISOString().slice(0, 10);
    const day = days.get(date);
    if (day) carried = day;
    rows.push(day ?? { date, quantity: carried!.quantity, inUse: carried!.inUse, maxInUse: carried!.inUse });
  }
  return rows;
}

describe('usage per day', () => {
  it('equals a replay of the audit log over a scripted month, peaks included', async () => {
    const acc = await clockedAccount(5);
    // Day 0: three invites (4 in use).
    const invited = [];
    for (const name of ['a', 'b', 'c']) invited.push((await acc.asOwner.invitations.create({ email: `${name}@idle.example`, firstName: name, lastName: 'Test' })).user);
    // Day 1: a purchase, two more in (6), then three out (3): the peak is 6.
    await acc.advance(at(1));
    const quote = await acc.asOwner.licenses.quote(7);
    await acc.asOwner.licenses.change({ quantity: 7, expectedAmountDue: quote.amountDue, acceptAgreement: true });
    const d = (await server.admin.users.provision(acc.id, { email: 'd@idle.example', firstName: 'd', lastName: 'T' })).user;
    await server.admin.users.provision(acc.id, { email: 'e@idle.example', firstName: 'e', lastName: 'T' });
    for (const user of [invited[0]!, invited[1]!, d]) await acc.asOwner.licenses.unassign(user.id);
    // Day 4: a reassign and an invite; day 9: the invitations of day 0 have expired (day 7).
    await acc.advance(at(4));
    await acc.asOwner.licenses.reassign(invited[2]!.id, invited[0]!.id);
    await acc.asOwner.invitations.create({ email: 'f@idle.example', firstName: 'f', lastName: 'Test' });
    await acc.advance(at(9));
    await acc.asOwner.account.get();
    await acc.advance(at(12));

    const usage = (await acc.asOwner.usage.get({ days: 30 })).data;
    assert.equal(usage[0]!.date, T0.slice(0, 10), 'rows start on the day the account was created');
    assert.equal(usage.at(-1)!.date, at(12).slice(0, 10));
    const events: AuditEvent[] = [];
    for await (const event of acc.asOwner.events.list({ limit: 200 })) events.push(event);
    assert.deepEqual(usage, replay(events, T0, at(12)));
    // …and what was seen: day 1 peaked at 6 and ended at 3 of 7.
    assert.deepEqual(usage[1], { date: at(1).slice(0, 10), quantity: 7, inUse: 3, maxInUse: 6 });
    assert.deepEqual(usage[2], { date: at(2).slice(0, 10), quantity: 7, inUse: 3, maxInUse: 3 }, 'a day without events carries the one before');
    assert.equal((await acc.asOwner.usage.get({ days: 3 })).data.length, 3);
  });

  it('refuses days outside 1–730 (400) and a member (403)', async () => {
    const acc = await clockedAccount();
    for (const days of [0, 731]) {
      const res = await fetch(`${server.url}/v1/accounts/${acc.id}/usage?days=${days}`, { headers: { Authorization: `Bearer ${server.apiKey}` } });
      assert.equal(res.status, 400);
    }
    const member = await acc.add('member');
    const { token } = await server.admin.sessions.create(acc.id, { userId: member.id });
    const refused = await new SeatClient({ baseUrl: server.url, accountId: acc.id, token }).usage.get().catch((e: unknown) => e);
    assert.ok(refused instanceof SeatForbiddenError);
  });
});
