/**
 * Several server processes on one PostgreSQL database (`npm run server` with DATABASE_URL, three
 * of them, requests spread over them): the account rules hold across processes, sessions, rate
 * limits and webhook deliveries are shared, `kill -9` of one loses nothing another acknowledged,
 * and the database going away answers 503 and recovers without restarting the servers.
 *
 * The database is reached through a TCP relay the test can cut and restore, so "the database went
 * away" is tested without stopping the machine's PostgreSQL (which other runs may be using).
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SeatClient } from '../../sdk/index.js';
import type { Account, User } from '../../sdk/types.js';
import { freshDatabase } from '../helpers/postgres.js';
import { createAccountOver, http, listAll, PROCESS_API_KEY, startServerProcess, type HttpReply, type ServerProcess } from '../helpers/server-process.js';
import { receiver, type Receiver } from '../helpers/live.js';
import { configFromEnv } from '../../server/node.js';

/** A TCP relay to PostgreSQL that can be cut (every connection dropped, new ones refused) and restored on the same port. */
async function relay(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    server = createServer((client) => {
      const upstream = connect(target.port, target.host);
      // Either end closing (a killed server's connection reset included) closes the other, as a direct connection would.
      for (const [s, other] of [[client, upstream], [upstream, client]] as const) {
        sockets.add(s);
        s.on('close', () => {
          sockets.delete(s);
          other.destroy();
        });
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };
  await listen();
  return {
    get port() {
      return port;
    },
    async cut() {
      const closed = new Promise((resolve) => server!.close(resolve));
      for (const s of sockets) s.destroy();
      await closed;
    },
    restore: listen,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server?.close(resolve));
    },
  };
}

const database = await freshDatabase();
const target = new URL(database.url);
const db = await relay({ host: target.hostname, port: Number(target.port || 5432) });
const viaRelay = new URL(database.url);
viaRelay.port = String(db.port);

let servers: ServerProcess[] = [];
let hooks: Receiver;
/** Each request goes to the next process. */
let turn = 0;
const next = () => servers[turn++ % servers.length]!.url;

const startOne = (env: Record<string, string> = {}) =>
  startServerProcess(
    { DATABASE_URL: viaRelay.toString(), SEATKIT_DATABASE_POOL: '5', SEATKIT_RATE_LIMITS: 'off', SEATKIT_WEBHOOK_RETRIES: '0.2', SMTP_URL: '', ...env },
    { viaNpm: true, timeoutMs: 60_000 },
  );
// Started at once: migrations must be safe when several processes start together.
const startAll = (env: Record<string, string> = {}) => Promise.all([0, 1, 2].map(() => startOne(env)));

before(async () => {
  hooks = await receiver();
  servers = await startAll();
});

after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await hooks.close();
  await db.close();
  await database.drop();
});

const tally = (replies: HttpReply[]) => replies.reduce<Record<string, number>>((all, r) => ({ ...all, [r.status]: (all[r.status] ?? 0) + 1 }), {});

async function account(quantity: number) {
  const created = await createAccountOver(next(), { quantity });
  return { ...created, path: `/v1/accounts/${created.accountId}` };
}

/**
 * Opens a stream of `acc` on `reader`, makes one invite through each of `writers`, and checks the
 * stream tells each change, in commit order, within 10 s.
 */
async function streamSees(acc: { accountId: string; ownerToken: string; path: string }, reader: string, writers: string[]): Promise<void> {
  const abort = new AbortController();
  const seen: { sequence: number; action: string }[] = [];
  let isReady = () => {};
  const ready = new Promise<void>((resolve) => (isReady = resolve));
  const reading = (async () => {
    for await (const event of new SeatClient({ baseUrl: reader, accountId: acc.accountId, token: acc.ownerToken }).stream({ signal: abort.signal })) {
      if (event.type === 'ready') isReady();
      if (event.type === 'change') seen.push({ sequence: event.sequence, action: event.action });
      if (seen.length === writers.length) return;
    }
  })();
  const timer = setTimeout(() => abort.abort(new Error(`the stream told ${seen.length} of ${writers.length} changes within 10 s`)), 10_000);
  try {
    await Promise.race([ready, reading]);
    for (const [i, url] of writers.entries()) {
      const r = await http(url, 'POST', `${acc.path}/invitations`, { token: acc.ownerToken, body: { email: `s${i}-${Date.now()}@multi.example`, firstName: 'S', lastName: `T${i}` } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    await reading;
  } finally {
    clearTimeout(timer);
  }
  assert.deepEqual(seen.map((e) => e.action), writers.map(() => 'user.invited'));
  assert.deepEqual(seen.map((e) => e.sequence), [...seen.map((e) => e.sequence)].sort((x, y) => x - y), 'in the order they committed');
}

describe('three server processes on one database', () => {
  it('lets exactly 5 of 100 concurrent invites, spread over the processes, take the 5 free licenses', async () => {
    for (let round = 0; round < 3; round++) {
      const acc = await account(6);
      const replies = await Promise.all(
        Array.from({ length: 100 }, (_, i) => http(next(), 'POST', `${acc.path}/invitations`, { token: acc.ownerToken, body: { email: `r${round}-${i}@multi.example`, firstName: 'Ivy', lastName: `No${i}` } })),
      );
      assert.equal(replies.filter((r) => r.status === 201).length, 5, JSON.stringify(tally(replies)));
      assert.equal(replies.filter((r) => r.status === 409 && r.body.code === 'no_license_available').length, 95, JSON.stringify(tally(replies)));
      for (const server of servers) {
        const { body } = await http<Account>(server.url, 'GET', acc.path, { token: acc.ownerToken });
        assert.deepEqual([body.licenses.inUse, body.licenses.quantity], [6, 6], `seen alike by ${server.url}`);
      }
      assert.equal((await listAll<User>(next(), `${acc.path}/users`, acc.ownerToken)).length, 6);
    }
  });

  it('applies 30 purchases with one Idempotency-Key once: one invoice', async () => {
    const acc = await account(5);
    const quote = await http(next(), 'GET', `${acc.path}/licenses/quote?quantity=8`, { token: acc.ownerToken });
    const body = { quantity: 8, acceptAgreement: true, expectedAmountDue: quote.body.amountDue };
    const replies = await Promise.all(
      Array.from({ length: 30 }, () => http(next(), 'POST', `${acc.path}/licenses`, { token: acc.ownerToken, body, headers: { 'Idempotency-Key': 'buy-3' } })),
    );
    for (const r of replies) assert.ok(r.status === 200 || (r.status === 409 && r.body.code === 'idempotency_key_in_use'), `${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(replies.filter((r) => r.status === 200 && r.headers.get('Idempotent-Replayed') !== 'true').length, 1, JSON.stringify(tally(replies)));
    const invoices = await http(next(), 'GET', `${acc.path}/invoices`, { token: acc.ownerToken });
    assert.equal(invoices.body.total, 1);
    assert.equal((await http<Account>(next(), 'GET', acc.path, { token: acc.ownerToken })).body.licenses.quantity, 8);
  });

  it('lets one of 5 concurrent owner transfers on different processes win: one owner, the old one signed out everywhere', async () => {
    const acc = await account(10);
    const admins: User[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await http(next(), 'POST', `${acc.path}/users`, { token: PROCESS_API_KEY, body: { email: `admin${i}@multi.example`, firstName: 'A', lastName: `D${i}`, role: 'admin' } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      admins.push(r.body.user as User);
    }
    const replies = await Promise.all(admins.map((a) => http(next(), 'POST', `${acc.path}/owner`, { token: acc.ownerToken, body: { userId: a.id } })));
    assert.equal(replies.filter((r) => r.status === 200).length, 1, JSON.stringify(tally(replies)));
    const users = await listAll<User>(next(), `${acc.path}/users`, PROCESS_API_KEY);
    assert.equal(users.filter((u) => u.role === 'owner').length, 1);
    for (const server of servers) assert.equal((await http(server.url, 'GET', acc.path, { token: acc.ownerToken })).status, 401, `old session refused by ${server.url}`);
  });

  it('takes a session minted on one process on every other, and shows a change on one to the next request on any', async () => {
    const acc = await account(5);
    const [a, b, c] = servers.map((s) => s.url) as [string, string, string];
    const session = await http(a, 'POST', `${acc.path}/sessions`, { token: PROCESS_API_KEY, body: { userId: acc.ownerId } });
    for (const url of [b, c]) assert.equal((await http(url, 'GET', acc.path, { token: session.body.token })).status, 200);
    const invited = await http(a, 'POST', `${acc.path}/invitations`, { token: acc.ownerToken, body: { email: 'seen@multi.example', firstName: 'S', lastName: 'Een' } });
    const userPath = `${acc.path}/users/${invited.body.user.id}`;
    for (let i = 0; i < 20; i++) {
      const [writer, reader] = [servers[i % 3]!.url, servers[(i + 1) % 3]!.url];
      const etag = (await http(writer, 'GET', userPath, { token: acc.ownerToken })).headers.get('ETag')!;
      const edited = await http(writer, 'PATCH', userPath, { token: acc.ownerToken, body: { qualification: `Title ${i}` }, headers: { 'If-Match': etag } });
      assert.equal(edited.status, 200, JSON.stringify(edited.body));
      assert.equal((await http(reader, 'GET', userPath, { token: acc.ownerToken })).body.qualification, `Title ${i}`, `edit ${i} seen on the next request to another process`);
    }
  });

  it('feeds a stream open on one process with the changes made on the others, in order', async () => {
    const acc = await account(10);
    await streamSees(acc, servers[0]!.url, [servers[1]!.url, servers[2]!.url, servers[1]!.url, servers[2]!.url]);
  });

  it('delivers each webhook once, though every process runs deliveries', async () => {
    const endpoint = await http(next(), 'POST', '/v1/webhook-endpoints', { token: PROCESS_API_KEY, body: { url: hooks.url, events: ['user.provisioned'] } });
    assert.equal(endpoint.status, 201, JSON.stringify(endpoint.body));
    const acc = await account(20);
    // The endpoint list is cached for up to a second by each process.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => http(next(), 'POST', `${acc.path}/users`, { token: PROCESS_API_KEY, body: { email: `hook${i}@multi.example`, firstName: 'H', lastName: `K${i}` } })),
    );
    await hooks.waitFor(12, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // room for a duplicate to show up
    const ids = hooks.received.map((r) => r.headers['webhook-id']);
    assert.equal(ids.length, 12, `12 deliveries, not ${ids.length}`);
    assert.equal(new Set(ids).size, 12, 'one delivery per event');
    await http(next(), 'DELETE', `/v1/webhook-endpoints/${endpoint.body.id}`, { token: PROCESS_API_KEY });
  });
});

describe('three processes: limits, kill -9 and the database going away', () => {
  it('counts rate limits across the processes', async () => {
    const limited = await startAll({ SEATKIT_RATE_LIMITS: 'on' });
    try {
      // 30 token lookups a minute per client: 12 to each of the 3 processes makes 36.
      const replies = await Promise.all(limited.flatMap((s) => Array.from({ length: 12 }, (_, i) => http(s.url, 'GET', `/v1/invitations/inv_wrong${i}${s.pid}x`))));
      assert.equal(replies.filter((r) => r.status === 429).length, 6, JSON.stringify(tally(replies)));
      assert.ok(replies.filter((r) => r.status === 429).every((r) => r.body.code === 'rate_limited' && Number(r.headers.get('Retry-After')) > 0));
    } finally {
      await Promise.all(limited.map((s) => s.stop()));
    }
  });

  it('loses no write another process acknowledged when one is killed with -9 under write load', async () => {
    const acc = await account(1000);
    const acknowledged: string[] = [];
    let failedOnKilled = 0;
    let stop = false;
    const victim = servers[0]!;
    const writers = Array.from({ length: 9 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const server = servers[(w + i) % 3]!;
        try {
          const r = await http(server.url, 'POST', `${acc.path}/users`, { token: PROCESS_API_KEY, body: { email: `w${w}-${i}@multi.example`, firstName: 'W', lastName: `${w}-${i}` } });
          if (r.status === 201) acknowledged.push(r.body.user.id as string);
          else assert.fail(`${r.status} ${JSON.stringify(r.body)}`);
        } catch (error) {
          if (server !== victim) throw error;
          failedOnKilled++;
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 700));
    await victim.kill();
    await new Promise((resolve) => setTimeout(resolve, 500));
    stop = true;
    await Promise.all(writers);
    const survivors = servers.slice(1);
    const kept = new Set((await listAll<User>(survivors[0]!.url, `${acc.path}/users`, PROCESS_API_KEY)).map((u) => u.id));
    const lost = acknowledged.filter((id) => !kept.has(id));
    assert.ok(acknowledged.length > 20, `a write load (${acknowledged.length} acknowledged)`);
    assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged writes lost (${failedOnKilled} requests to the killed process failed)`);
    const { body } = await http<Account>(survivors[1]!.url, 'GET', acc.path, { token: PROCESS_API_KEY });
    assert.equal(body.licenses.inUse, kept.size, 'the counts agree with the users kept');
    servers = [...survivors, await startOne()];
  });

  it('answers 503 storage_unavailable quickly while the database is away, /readyz too, and recovers by itself', async () => {
    const acc = await account(5);
    await db.cut();
    try {
      for (const server of servers) {
        const started = performance.now();
        const [read, write, ready] = await Promise.all([
          http(server.url, 'GET', acc.path, { token: acc.ownerToken }),
          http(server.url, 'POST', `${acc.path}/invitations`, { token: acc.ownerToken, body: { email: 'away@multi.example', firstName: 'A', lastName: 'Way' } }),
          http(server.url, 'GET', '/readyz'),
        ]);
        const took = performance.now() - started;
        for (const r of [read, write, ready]) {
          assert.equal(r.status, 503, JSON.stringify(r.body));
          assert.equal(r.body.code, 'storage_unavailable');
          assert.ok(Number(r.headers.get('Retry-After')) > 0);
        }
        assert.ok(took < 8000, `answered within seconds (${took.toFixed(0)} ms)`);
        assert.equal((await http(server.url, 'GET', '/healthz')).status, 200, 'alive, though not ready');
      }
    } finally {
      await db.restore();
    }
    const deadline = Date.now() + 20_000;
    for (const server of servers) {
      while ((await http(server.url, 'GET', '/readyz')).status !== 200) {
        assert.ok(Date.now() < deadline, `${server.url} ready again without a restart`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    const invited = await http(next(), 'POST', `${acc.path}/invitations`, { token: acc.ownerToken, body: { email: 'back@multi.example', firstName: 'B', lastName: 'Ack' } });
    assert.equal(invited.status, 201, JSON.stringify(invited.body));
    // The listening connections came back too: a stream on one process hears a change on another.
    await streamSees({ ...acc, path: acc.path }, servers[2]!.url, [servers[0]!.url]);
    for (const server of servers) {
      const users = await listAll<User>(server.url, `${acc.path}/users`, acc.ownerToken);
      assert.deepEqual(users.map((u) => u.email).filter((e) => !e.startsWith('s0-')).sort(), ['back@multi.example', 'owner@load.example'], 'nothing of the refused invite, the later one everywhere');
    }
  });
});

describe('three processes with SEATKIT_PEER_URL: each account’s changes made by one of them', () => {
  it('sends every change to the account’s owner (5 of 100 concurrent invites win), and makes a killed owner’s changes on the others (one retry after the documented 503 at most)', async () => {
    const trio = await startAll({ SEATKIT_PEER_URL: 'http://127.0.0.1:{port}', SEATKIT_LOG_REQUESTS: 'on' });
    const requests = (server: ServerProcess, path: string) =>
      server.output.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line)).filter((entry) => entry.message === 'request' && entry.path === path);
    const port = (url: string) => new URL(url).port;
    const until = async (what: string, done: () => boolean) => {
      const deadline = Date.now() + 15_000;
      while (!done()) {
        assert.ok(Date.now() < deadline, what);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      // Each hears of the other two at its next beat (every 2 s).
      await until('every process sees the three', () => trio.every((s) => s.output.some((line) => line.includes('3 processes share'))));
      const created = await createAccountOver(trio[0]!.url, { quantity: 6 });
      const path = `/v1/accounts/${created.accountId}`;
      const replies = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          http(trio[i % 3]!.url, 'POST', `${path}/invitations`, { token: created.ownerToken, body: { email: `a${i}@affinity.example`, firstName: 'Ivy', lastName: `No${i}` } }),
        ),
      );
      assert.equal(replies.filter((r) => r.status === 201).length, 5, JSON.stringify(tally(replies)));
      assert.equal(replies.filter((r) => r.status === 409 && r.body.code === 'no_license_available').length, 95, JSON.stringify(tally(replies)));
      assert.ok(replies.every((r) => r.headers.get('X-Request-Id')?.startsWith('req_')));
      // The processes agree on the owner: the two others forwarded all they were sent to it, and it made all 100.
      const forwardedTo = new Set(trio.flatMap((s) => requests(s, `${path}/invitations`).map((entry) => entry.forwardedTo)).filter(Boolean));
      assert.equal(forwardedTo.size, 1, `one owner: ${[...forwardedTo].join(', ')}`);
      const owner = trio.find((s) => port(s.url) === port([...forwardedTo][0]))!;
      const others = trio.filter((s) => s !== owner);
      const sentTo = (server: ServerProcess) => replies.filter((_, i) => trio[i % 3] === server).length;
      // (A request's log line is written after its answer: wait for the last ones.)
      await until('the owner made all 100', () => requests(owner, `${path}/invitations`).filter((entry) => !entry.forwardedTo).length === 100);
      for (const other of others) {
        await until(`${other.url} forwarded each change it was sent`, () => requests(other, `${path}/invitations`).length === sentTo(other));
        assert.ok(requests(other, `${path}/invitations`).every((entry) => entry.forwardedTo && entry.requestId?.startsWith('req_')));
      }
      // The owner gone: the others find its port closed and make its accounts' changes themselves.
      // A change written into a kept-alive connection to it before its close was seen may have
      // reached it, so that one is answered the documented 503, and the client retries (a
      // purchase with its Idempotency-Key): any other answer, or a second 503, fails.
      await owner.kill();
      const retried = async (send: () => Promise<HttpReply>) => {
        const first = await send();
        if (first.status !== 503) return first;
        assert.equal(first.body.code, 'storage_unavailable', JSON.stringify(first.body));
        assert.match(first.body.detail, /may or may not have been made/);
        assert.equal(first.headers.get('Retry-After'), '1');
        return send();
      };
      const quote = await http(others[0]!.url, 'GET', `${path}/licenses/quote?quantity=8`, { token: created.ownerToken });
      const bought = await retried(() =>
        http(others[0]!.url, 'POST', `${path}/licenses`, {
          token: created.ownerToken,
          body: { quantity: 8, acceptAgreement: true, expectedAmountDue: quote.body.amountDue },
          headers: { 'Idempotency-Key': 'after-the-owner' },
        }),
      );
      assert.equal(bought.status, 200, JSON.stringify(bought.body));
      const invited = await retried(() => http(others[1]!.url, 'POST', `${path}/invitations`, { token: created.ownerToken, body: { email: 'after@affinity.example', firstName: 'A', lastName: 'Fter' } }));
      assert.equal(invited.status, 201, JSON.stringify(invited.body));
      await until('the two left see each other alone', () => others.every((s) => s.output.some((line) => line.includes('2 processes share'))));
      const { body } = await http<Account>(others[1]!.url, 'GET', path, { token: created.ownerToken });
      assert.deepEqual([body.licenses.inUse, body.licenses.quantity], [7, 8]);
    } finally {
      await Promise.all(trio.map((s) => s.stop()));
    }
  });
});

describe('configuration for a shared database', () => {
  it('refuses DATABASE_URL without SEATKIT_API_KEY (a generated key would differ per process), a bad pool size and a bad SEATKIT_PEER_URL', () => {
    const log = () => {};
    assert.throws(() => configFromEnv({ DATABASE_URL: viaRelay.toString() }, log), /SEATKIT_API_KEY must be set with DATABASE_URL/);
    for (const pool of ['0', '201', 'ten', '2.5']) {
      assert.throws(() => configFromEnv({ DATABASE_URL: viaRelay.toString(), SEATKIT_API_KEY: PROCESS_API_KEY, SEATKIT_DATABASE_POOL: pool }, log), /SEATKIT_DATABASE_POOL must be/);
    }
    assert.equal(configFromEnv({ DATABASE_URL: viaRelay.toString(), SEATKIT_API_KEY: PROCESS_API_KEY, SEATKIT_DATABASE_POOL: '20' }, log).databasePoolSize, 20);
    const shared = { DATABASE_URL: viaRelay.toString(), SEATKIT_API_KEY: PROCESS_API_KEY };
    for (const peer of ['127.0.0.1:8787', 'https://10.0.0.2:8787', 'http://10.0.0.2', 'http://10.0.0.2:8787/v1', 'http://user@10.0.0.2:8787']) {
      assert.throws(() => configFromEnv({ ...shared, SEATKIT_PEER_URL: peer }, log), /SEATKIT_PEER_URL must be this process's address/, peer);
    }
    assert.throws(() => configFromEnv({ SEATKIT_PEER_URL: 'http://10.0.0.2:8787' }, log), /SEATKIT_PEER_URL needs DATABASE_URL/);
    assert.equal(configFromEnv({ ...shared, SEATKIT_PEER_URL: 'http://10.0.0.2:8787/' }, log).peerUrl, 'http://10.0.0.2:8787');
    assert.equal(configFromEnv({ ...shared, SEATKIT_PEER_URL: 'http://seatkit-2.internal:{port}' }, log).peerUrl, 'http://seatkit-2.internal:{port}');
  });
});
