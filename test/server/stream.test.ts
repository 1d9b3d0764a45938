/**
 * The live stream over real HTTP (the Node server, file store): a change arrives, a resume gets
 * exactly what was missed, `reset`, `session-ended` (expiry, unassign, owner transfer), members
 * see no user ids, the caps, a slow reader, and SIGTERM.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { SeatAdmin, SeatClient } from '../../sdk/index.js';
import { createApp } from '../../server/app.js';
import { MemoryStore } from '../../server/store/memory.js';
import { API_KEY, ManualClock, TEST_STORE } from '../helpers/api.js';
import { freshDatabase } from '../helpers/postgres.js';
import { liveServer, type LiveServer } from '../helpers/live.js';
import { startServerProcess, PROCESS_API_KEY } from '../helpers/server-process.js';
import { openStream } from '../helpers/sse.js';

interface People {
  accountId: string;
  ownerId: string;
  adminId: string;
  memberId: string;
  owner: string;
  admin: string;
  member: string;
  streamUrl: string;
}

async function people(admin: SeatAdmin, url: string, quantity = 10): Promise<People> {
  const { account, owner } = await admin.accounts.create({
    name: 'Acme Engineering',
    licenses: { quantity, unitPrice: 1000, currency: 'USD', interval: 'month' },
    owner: { email: 'ada@acme.example', firstName: 'Ada', lastName: 'Lovelace' },
  });
  const grace = await admin.users.provision(account.id, { email: 'grace@acme.example', firstName: 'Grace', lastName: 'Hopper', role: 'admin' });
  const alan = await admin.users.provision(account.id, { email: 'alan@acme.example', firstName: 'Alan', lastName: 'Turing' });
  const token = async (userId: string) => (await admin.sessions.create(account.id, { userId })).token;
  return {
    accountId: account.id,
    ownerId: owner.id,
    adminId: grace.user.id,
    memberId: alan.user.id,
    owner: await token(owner.id),
    admin: await token(grace.user.id),
    member: await token(alan.user.id),
    streamUrl: `${url}/v1/accounts/${account.id}/stream`,
  };
}

const invite = (client: SeatClient, email: string) => client.invitations.create({ email, firstName: 'New', lastName: 'Person' });

describe('live stream over HTTP', () => {
  let server: LiveServer;
  before(async () => {
    server = await liveServer({ SEATKIT_STREAMS_PER_SESSION: '3', SEATKIT_STREAMS_PER_ACCOUNT: '6' });
  });
  after(() => server.stop());

  const clientOf = (p: People, token: string) => new SeatClient({ baseUrl: server.url, accountId: p.accountId, token });

  it('sends ready, then each change by another admin and by the host back end, with its sequence as id', async () => {
    const p = await people(server.admin, server.url);
    const stream = await openStream(p.streamUrl, p.owner);
    assert.equal(stream.response.status, 200);
    assert.match(stream.response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const ready = await stream.next();
    assert.equal(ready.event, 'ready');
    assert.equal(ready.data.resumed, false);
    assert.equal(ready.id, String(ready.data.sequence));

    const { user } = await invite(clientOf(p, p.admin), 'new@acme.example');
    const change = await stream.next();
    assert.equal(change.event, 'change');
    assert.equal(change.data.action, 'user.invited');
    assert.deepEqual(change.data.userIds, [user.id]);
    assert.equal(change.data.licenses.inUse, 4);
    assert.ok(change.data.sequence > ready.data.sequence);
    assert.equal(change.id, String(change.data.sequence));

    await server.admin.account(p.accountId).licenses.unassign(user.id);
    const byHost = await stream.next();
    assert.equal(byHost.data.action, 'license.unassigned');
    assert.equal(byHost.data.licenses.inUse, 3);
    assert.ok(byHost.data.sequence > change.data.sequence, 'the sequence grows');
    stream.close();
  });

  it('a resume gets exactly the changes missed while disconnected, in order (Last-Event-ID or ?lastEventId=)', async () => {
    const p = await people(server.admin, server.url);
    const client = clientOf(p, p.admin);
    const first = await openStream(p.streamUrl, p.admin);
    await first.next(); // ready
    await invite(client, 'one@acme.example');
    const seen = await first.next();
    first.close();
    await first.ended;
    const missed = [await invite(client, 'two@acme.example'), await invite(client, 'three@acme.example')];
    await client.licenses.unassign(missed[0]!.user.id);

    const resumed = [await openStream(p.streamUrl, p.admin, { lastEventId: seen.id }), await openStream(`${p.streamUrl}?lastEventId=${seen.id}`, p.admin)];
    for (const stream of resumed) {
      const got = [await stream.next(), await stream.next(), await stream.next()];
      assert.deepEqual(got.map((e) => [e.event, e.data.action]), [
        ['change', 'user.invited'],
        ['change', 'user.invited'],
        ['change', 'license.unassigned'],
      ]);
      assert.deepEqual(got.map((e) => e.data.userIds[0]), [missed[0]!.user.id, missed[1]!.user.id, missed[0]!.user.id]);
      const ready = await stream.next();
      assert.equal(ready.event, 'ready');
      assert.equal(ready.data.resumed, true);
      assert.equal(ready.data.sequence, got[2]!.data.sequence);
    }
    // Nothing is sent twice: the next event is the next change.
    const { user } = await invite(client, 'four@acme.example');
    for (const stream of resumed) {
      assert.deepEqual((await stream.next()).data.userIds, [user.id]);
      assert.equal(stream.events.filter((e) => e.event === 'change').length, 4);
      stream.close();
    }
  });

  it('a bad Last-Event-ID is a 400 problem; an id the server never gave is a reset', async () => {
    const p = await people(server.admin, server.url);
    const bad = await fetch(p.streamUrl, { headers: { Authorization: `Bearer ${p.owner}`, 'Last-Event-ID': 'abc' } });
    assert.equal(bad.status, 400);
    assert.match(bad.headers.get('content-type') ?? '', /problem\+json/);
    assert.equal(((await bad.json()) as { code: string }).code, 'validation_failed');
    const future = await openStream(p.streamUrl, p.owner, { lastEventId: 999_999 });
    const reset = await future.next();
    assert.equal(reset.event, 'reset');
    assert.equal((await future.next()).event, 'ready');
    future.close();
  });

  it('a member gets the counts and no user ids; an admin gets the ids', async () => {
    const p = await people(server.admin, server.url);
    const member = await openStream(p.streamUrl, p.member);
    const admin = await openStream(p.streamUrl, p.admin);
    await member.next();
    await admin.next();
    const { user } = await invite(clientOf(p, p.owner), 'x@acme.example');
    const [m, a] = [await member.next(), await admin.next()];
    assert.deepEqual(m.data.userIds, []);
    assert.equal(m.data.licenses.inUse, 4);
    assert.deepEqual(a.data.userIds, [user.id]);
    assert.equal(JSON.stringify(member.events).includes(user.id), false, 'no user id anywhere in what the member got');
    member.close();
    admin.close();
  });

  it('ends with session-ended when the viewer is unassigned, or loses the owner role', async () => {
    const p = await people(server.admin, server.url);
    const owner = clientOf(p, p.owner);
    const adminStream = await openStream(p.streamUrl, p.admin);
    const ownerStream = await openStream(p.streamUrl, p.owner);
    await adminStream.next();
    await ownerStream.next();

    await owner.licenses.unassign(p.adminId);
    const ended = await adminStream.next();
    assert.deepEqual([ended.event, ended.data], ['session-ended', { reason: 'license_removed' }]);
    await adminStream.ended;
    assert.equal((await ownerStream.next()).data.action, 'license.unassigned', 'the owner’s stream goes on');

    await owner.account.transferOwnership(p.memberId);
    const transferred = await ownerStream.next();
    assert.deepEqual([transferred.event, transferred.data], ['session-ended', { reason: 'owner_transferred' }]);
    await ownerStream.ended;
    const again = await fetch(p.streamUrl, { headers: { Authorization: `Bearer ${p.owner}` } });
    assert.equal(again.status, 401, 'the old owner’s token no longer opens a stream');
  });

  it('caps streams per session and per account with a 429 problem', async () => {
    const p = await people(server.admin, server.url);
    const open = [await openStream(p.streamUrl, p.admin), await openStream(p.streamUrl, p.admin), await openStream(p.streamUrl, p.admin)];
    await Promise.all(open.map((s) => s.next()));
    const fourth = await fetch(p.streamUrl, { headers: { Authorization: `Bearer ${p.admin}` } });
    assert.equal(fourth.status, 429);
    const problem = (await fourth.json()) as { code: string; detail: string };
    assert.equal(problem.code, 'too_many_streams');
    assert.match(problem.detail, /at most 3/);
    assert.ok(fourth.headers.get('retry-after'));
    // Other sessions of the account still may, up to the account's cap of 6.
    open.push(await openStream(p.streamUrl, p.owner), await openStream(p.streamUrl, p.member), await openStream(p.streamUrl, API_KEY));
    await Promise.all(open.slice(3).map((s) => s.next()));
    const seventh = await fetch(p.streamUrl, { headers: { Authorization: `Bearer ${p.owner}` } });
    assert.equal(seventh.status, 429);
    assert.match(((await seventh.json()) as { detail: string }).detail, /account already has 6/);
    // A closed stream gives its place back.
    open[0]!.close();
    await open[0]!.ended;
    let reopened: Response | undefined;
    for (let i = 0; i < 50 && reopened?.status !== 200; i++) {
      await reopened?.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 20));
      reopened = await fetch(p.streamUrl, { headers: { Authorization: `Bearer ${p.admin}` } });
    }
    assert.equal(reopened?.status, 200);
    await reopened?.body?.cancel();
    for (const s of open) s.close();
  });

  it('a new stream of a token that no longer holds is a 401; another account’s id a 404', async () => {
    const p = await people(server.admin, server.url);
    const other = await people(server.admin, server.url);
    assert.equal((await fetch(p.streamUrl, { headers: { Authorization: 'Bearer nope' } })).status, 401);
    const foreign = await fetch(other.streamUrl, { headers: { Authorization: `Bearer ${p.owner}` } });
    assert.equal(foreign.status, 404);
  });
});

describe('live stream: the resume window across a restart', () => {
  it('after a restart the old ids can no longer be told (a reset; on PostgreSQL, the missed changes), then the changes go on', async () => {
    const first = await liveServer();
    const p = await people(first.admin, first.url);
    const s1 = await openStream(p.streamUrl, p.owner);
    const ready = await s1.next();
    s1.close();
    await first.stop({ keepData: true });
    const second = await liveServer({}, first.dir);
    try {
      const client = new SeatClient({ baseUrl: second.url, accountId: p.accountId, token: p.owner });
      await invite(client, 'after@acme.example');
      const s2 = await openStream(`${second.url}/v1/accounts/${p.accountId}/stream`, p.owner, { lastEventId: ready.id });
      const first = await s2.next();
      if (second.databaseUrl) {
        // On PostgreSQL the journal outlives the process: the missed change is told, not a reset.
        assert.equal(first.event, 'change');
        assert.equal(first.data.action, 'user.invited');
      } else {
        assert.equal(first.event, 'reset');
      }
      assert.equal((await s2.next()).event, 'ready');
      await invite(client, 'later@acme.example');
      assert.equal((await s2.next()).data.action, 'user.invited');
      s2.close();
    } finally {
      await second.stop();
    }
  });
});

describe('live stream: expiry and slow readers (the app on a manual clock, over HTTP)', () => {
  const clock = new ManualClock(new Date());
  const app = createApp({ store: new MemoryStore(), clock, config: { apiKey: API_KEY, rateLimits: false, streams: { keepAliveMs: 50, queueMax: 5 } } });
  let url = '';
  let server: ReturnType<typeof serve>;
  before(async () => {
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0 }, (info: AddressInfo) => {
        url = `http://localhost:${info.port}`;
        resolve();
      });
    });
  });
  after(async () => {
    app.streams.close();
    await app.jobs.stop();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends keep-alive comments, and session-ended when the session expires', async () => {
    const p = await people(new SeatAdmin({ baseUrl: url, apiKey: API_KEY }), url);
    const stream = await openStream(p.streamUrl, p.admin);
    await stream.next();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(stream.comments.length >= 1, 'a keep-alive comment');
    clock.advance(3601 * 1000);
    const ended = await stream.next();
    assert.deepEqual([ended.event, ended.data], ['session-ended', { reason: 'expired' }]);
    await stream.ended;
  });

  it('a reader that falls behind never holds up writes, and is told to reset', async () => {
    clock.current = new Date();
    const p = await people(new SeatAdmin({ baseUrl: url, apiKey: API_KEY }), url, 50);
    const client = new SeatClient({ baseUrl: url, accountId: p.accountId, token: p.owner });
    // In process, a body nobody reads holds every write of the stream at once (no socket buffers in between).
    const response = await app.request(`/v1/accounts/${p.accountId}/stream`, { headers: { Authorization: `Bearer ${p.admin}` } });
    assert.equal(response.status, 200);
    for (let i = 0; i < 40; i++) await invite(client, `p${i}@acme.example`);
    assert.equal((await client.account.get()).licenses.inUse, 43, 'every write went through');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('event: reset')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const kinds = [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
    // What was written before the reader stalled, then a reset instead of 40 changes queued.
    assert.equal(kinds[0], 'ready');
    assert.equal(kinds.at(-1), 'reset');
    assert.ok(kinds.filter((k) => k === 'change').length <= 2, kinds.join());
    await invite(client, 'after@acme.example');
    while (!text.includes('event: change')) text += (await reader.read()).value ?? '';
    assert.match(text, /"action":"user.invited"/);
    await reader.cancel();
  });
});

describe('live stream: a reader that takes nothing', () => {
  it('is dropped after the stall time, giving its place back', async () => {
    const app = createApp({ store: new MemoryStore(), config: { apiKey: API_KEY, rateLimits: false, streams: { keepAliveMs: 50, stallMs: 300, queueMax: 1000 } } });
    try {
      const created = await app.request('/v1/accounts', {
        method: 'POST',
        headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'Acme', licenses: { quantity: 50, unitPrice: 100, currency: 'USD', interval: 'month' }, owner: { email: 'o@acme.example', firstName: 'O', lastName: 'W' } }),
      });
      const { account } = (await created.json()) as { account: { id: string } };
      const response = await app.request(`/v1/accounts/${account.id}/stream`, { headers: { Authorization: `Bearer ${API_KEY}` } });
      assert.equal(response.status, 200);
      assert.equal(app.streams.size, 1);
      // Changes pile up against a body nobody reads: a write waits for the reader.
      for (let i = 0; i < 3; i++) {
        const invited = await app.request(`/v1/accounts/${account.id}/invitations`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ email: `p${i}@acme.example`, firstName: 'P', lastName: 'Q' }),
        });
        assert.equal(invited.status, 201);
      }
      const until = Date.now() + 3000;
      while (app.streams.size > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 25));
      assert.equal(app.streams.size, 0, 'dropped, its place given back');
    } finally {
      app.streams.close();
      await app.jobs.stop();
    }
  });
});

describe('live stream: SIGTERM', () => {
  it('ends every open stream and the process exits', async () => {
    const proc = await startServerProcess({ SEATKIT_DB: ':memory:', SEATKIT_SHUTDOWN_GRACE_SECONDS: '30' });
    try {
      const admin = new SeatAdmin({ baseUrl: proc.url, apiKey: PROCESS_API_KEY });
      const p = await people(admin, proc.url);
      const streams = [await openStream(p.streamUrl, p.owner), await openStream(p.streamUrl, p.admin)];
      await Promise.all(streams.map((s) => s.next()));
      const started = Date.now();
      proc.child.kill('SIGTERM');
      await Promise.all(streams.map((s) => s.ended));
      const exit = await proc.exited;
      assert.equal(exit.code, 0);
      assert.ok(Date.now() - started < 10_000, 'long before the 30 s grace period');
    } finally {
      await proc.kill().catch(() => {});
    }
  });
});

describe('live stream: several processes on one PostgreSQL database', { skip: TEST_STORE !== 'postgres' && 'runs with SEATKIT_TEST_STORE=postgres' }, () => {
  it('a change made through one process reaches a stream held by another, and a resume there tells the missed ones', async () => {
    const database = await freshDatabase();
    const a = await liveServer({ DATABASE_URL: database.url });
    const b = await liveServer({ DATABASE_URL: database.url });
    try {
      const p = await people(a.admin, a.url);
      const onA = await openStream(p.streamUrl, p.owner);
      const ready = await onA.next();
      const viaB = new SeatClient({ baseUrl: b.url, accountId: p.accountId, token: p.admin });
      const { user } = await invite(viaB, 'far@acme.example');
      const change = await onA.next();
      assert.deepEqual([change.event, change.data.userIds], ['change', [user.id]]);
      onA.close();
      await invite(viaB, 'later@acme.example');
      // Resumed on the other process: the changes after the ready's id, from its own window.
      const onB = await openStream(`${b.url}/v1/accounts/${p.accountId}/stream`, p.owner, { lastEventId: ready.id });
      const first = await onB.next();
      if (first.event === 'change') {
        assert.equal(first.data.sequence, change.data.sequence);
        assert.equal((await onB.next()).data.action, 'user.invited');
      } else {
        // B loaded the account after the first change: what came before can no longer be told there.
        assert.equal(first.event, 'reset');
      }
      onB.close();
    } finally {
      await a.stop();
      await b.stop();
      await database.drop();
    }
  });
});
