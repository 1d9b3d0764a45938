/**
 * Account affinity (server/affinity.ts) in one process, over loopback: a front whose app runs on
 * the memory store, and peers played by plain HTTP servers (an owner that answers, one that is
 * gone, one that drops the connection after reading the change). The same thing across three real
 * processes on PostgreSQL is in multi-process.test.ts.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { getRequestListener } from '@hono/node-server';
import { AccountAffinity, FORWARDED_HEADER, type PeerRegistry } from '../../server/affinity.js';
import type { Logger } from '../../server/config.js';
import { API_KEY, makeHarness } from '../helpers/api.js';

const closers: (() => Promise<unknown>)[] = [];
after(() => Promise.all(closers.map((close) => close())));

async function listening(server: Server | ReturnType<typeof createTcpServer>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => (server as Server).close(resolve)));
  if ('closeAllConnections' in server) closers.push(async () => server.closeAllConnections());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A peer that records what it is sent and answers 201 with a body and headers of its own. */
async function answeringPeer() {
  const received: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const url = await listening(
    createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        res.writeHead(201, { 'Content-Type': 'application/json', 'X-Request-Id': 'req_from_owner', ETag: '"v7"', 'Set-Cookie': ['a=1', 'b=2'] });
        res.end(JSON.stringify({ madeBy: 'owner' }));
      });
    }),
  );
  return { url, received };
}

/** A port nothing listens on. */
async function deadUrl(): Promise<string> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/**
 * A front (this process) with the app of `harness`, its affinity seeing `peers()` as the live
 * processes. Returns its URL and what it logged.
 */
async function front(harness: ReturnType<typeof makeHarness>, peers: (self: string) => string[], options: { beatMs?: number; liveMs?: number; registry?: (self: string) => PeerRegistry } = {}) {
  const local = getRequestListener(harness.app.fetch);
  const logged: Parameters<Logger>[0][] = [];
  const routing: { affinity?: AccountAffinity } = {};
  const server = createServer((req, res) => {
    if (!routing.affinity!.forward(req, res, local)) void local(req, res);
  });
  const self = await listening(server);
  const registry = options.registry?.(self) ?? { beat: async () => peers(self), leave: async () => {} };
  const affinity = (routing.affinity = new AccountAffinity({ self, registry, log: (entry) => logged.push(entry), maxBody: 1024 * 1024, beatMs: options.beatMs, liveMs: options.liveMs }));
  await affinity.start();
  closers.push(async () => (await affinity.stop(), affinity.close()));
  return { url: self, affinity, logged };
}

/** An account of `harness` whose changes `affinity` gives to `owner`. */
async function accountOwnedBy(harness: ReturnType<typeof makeHarness>, affinity: AccountAffinity, owner: string | undefined) {
  for (let i = 0; i < 40; i++) {
    const account = await harness.createAccount({ owner: { email: `owner${i}@affinity.example`, firstName: 'O', lastName: 'W' } });
    if (affinity.owner(account.accountId) === owner) return account;
  }
  throw new Error(`no account of 40 is owned by ${owner}`);
}

const post = (url: string, token: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('account affinity (SEATKIT_PEER_URL)', () => {
  it('sends a change for an account another process owns to it, body and headers as sent, and relays its answer as it is', async () => {
    const harness = makeHarness();
    const peer = await answeringPeer();
    const { url, affinity } = await front(harness, (self) => [self, peer.url]);
    const account = await accountOwnedBy(harness, affinity, peer.url);
    const body = { email: 'ada@affinity.example', firstName: 'Ada', lastName: 'Lovelace ✓' };
    const answer = await post(`${url}${account.base}/invitations?notify=false`, account.ownerToken, body, { 'Idempotency-Key': 'key-1', 'X-Request-Id': 'corr-1' });
    assert.equal(answer.status, 201);
    assert.deepEqual(await answer.json(), { madeBy: 'owner' });
    assert.equal(answer.headers.get('X-Request-Id'), 'req_from_owner');
    assert.equal(answer.headers.get('ETag'), '"v7"');
    assert.deepEqual(answer.headers.getSetCookie(), ['a=1', 'b=2']);
    assert.equal(peer.received.length, 1);
    const [sent] = peer.received;
    assert.equal(sent!.method, 'POST');
    assert.equal(sent!.url, `${account.base}/invitations?notify=false`);
    assert.deepEqual(JSON.parse(sent!.body), body);
    assert.equal(sent!.headers['content-length'], String(Buffer.byteLength(JSON.stringify(body))));
    assert.equal(sent!.headers.authorization, `Bearer ${account.ownerToken}`);
    assert.equal(sent!.headers['idempotency-key'], 'key-1');
    assert.equal(sent!.headers['x-request-id'], 'corr-1');
    assert.equal(sent!.headers[FORWARDED_HEADER], url);
    // Nothing was made here.
    assert.equal((await harness.admin('GET', `${account.base}/users`)).body.data.length, 1);
  });

  it('keeps reads, changes of accounts it owns, other paths and already-forwarded changes here', async () => {
    const harness = makeHarness();
    const peer = await answeringPeer();
    const { url, affinity } = await front(harness, (self) => [self, peer.url]);
    const theirs = await accountOwnedBy(harness, affinity, peer.url);
    const ours = await accountOwnedBy(harness, affinity, undefined);
    const auth = { Authorization: `Bearer ${theirs.ownerToken}` };
    assert.equal((await fetch(`${url}${theirs.base}/users`, { headers: auth })).status, 200);
    assert.equal((await fetch(`${url}${theirs.base}`, { method: 'OPTIONS', headers: { Origin: 'https://host.example', 'Access-Control-Request-Method': 'POST' } })).status, 204);
    const person = (n: number) => ({ email: `p${n}@affinity.example`, firstName: 'P', lastName: String(n) });
    assert.equal((await post(`${url}${ours.base}/invitations`, ours.ownerToken, person(1))).status, 201);
    // A forwarded change is made where it lands, never sent on again (no loops between processes whose views differ).
    assert.equal((await post(`${url}${theirs.base}/invitations`, theirs.ownerToken, person(2), { [FORWARDED_HEADER]: 'http://elsewhere:1' })).status, 201);
    assert.equal((await post(`${url}/v1/accounts`, API_KEY, {})).status, 400);
    // A body of unknown length (chunked), or one longer than any route takes, is the app's here.
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify(person(3))));
        controller.close();
      },
    });
    const streamed = await fetch(`${url}${theirs.base}/invitations`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: chunked, duplex: 'half' } as RequestInit);
    assert.equal(streamed.status, 201, await streamed.clone().text());
    const huge = await post(`${url}${theirs.base}/invitations`, theirs.ownerToken, { ...person(4), lastName: 'x'.repeat(1024 * 1024) });
    assert.equal(huge.status, 413);
    assert.equal((await huge.json()).code, 'payload_too_large');
    assert.deepEqual(peer.received, []);
  });

  it('makes the change itself, body included, when the owner cannot be reached, and leaves the owner alone a while', async () => {
    const harness = makeHarness();
    const gone = await deadUrl();
    const { url, affinity, logged } = await front(harness, (self) => [self, gone]);
    const account = await accountOwnedBy(harness, affinity, gone);
    const answer = await post(`${url}${account.base}/invitations`, account.ownerToken, { email: 'grace@affinity.example', firstName: 'Grace', lastName: 'Hopper' });
    assert.equal(answer.status, 201, await answer.clone().text());
    assert.equal((await answer.json()).user.email, 'grace@affinity.example');
    assert.ok(answer.headers.get('X-Request-Id')?.startsWith('req_'));
    assert.ok(logged.some((entry) => entry.level === 'warn' && entry.message.includes(`${gone} cannot be reached`)));
    assert.equal(affinity.owner(account.accountId), undefined, 'the unreachable owner is skipped for a while');
  });

  it('answers 503 storage_unavailable with the app’s headers when the owner drops the connection after the change went out, and makes nothing here', async () => {
    const harness = makeHarness({ corsOrigins: ['https://host.example'] });
    let reached = 0;
    const dropper = createTcpServer((socket) => {
      socket.once('data', () => {
        reached++;
        socket.destroy();
      });
    });
    const dropperUrl = await listening(dropper);
    const { url, affinity } = await front(harness, (self) => [self, dropperUrl]);
    const account = await accountOwnedBy(harness, affinity, dropperUrl);
    const answer = await post(`${url}${account.base}/invitations`, account.ownerToken, { email: 'linus@affinity.example', firstName: 'L', lastName: 'T' }, { Origin: 'https://host.example' });
    assert.equal(answer.status, 503);
    assert.equal(answer.headers.get('Content-Type'), 'application/problem+json');
    assert.equal(answer.headers.get('Retry-After'), '1');
    assert.equal(answer.headers.get('Access-Control-Allow-Origin'), 'https://host.example');
    const problem = await answer.json();
    assert.equal(problem.code, 'storage_unavailable');
    assert.match(problem.detail, /may or may not have been made/);
    assert.equal(problem.requestId, answer.headers.get('X-Request-Id'));
    assert.equal(reached, 1);
    assert.equal((await harness.admin('GET', `${account.base}/users`)).body.data.length, 1, 'the change was not made here too');
  });

  it('spreads accounts evenly and, when a process goes, moves only the accounts it owned', async () => {
    const harness = makeHarness();
    let others = ['http://10.0.0.2:8787', 'http://10.0.0.3:8787'];
    const { affinity } = await front(harness, (self) => [self, ...others], { beatMs: 10 });
    const ids = Array.from({ length: 3000 }, (_, i) => `acc_${i.toString(36)}`);
    const before = new Map(ids.map((id) => [id, affinity.owner(id) ?? 'self']));
    const shares = [...before.values()].reduce<Record<string, number>>((all, owner) => ({ ...all, [owner]: (all[owner] ?? 0) + 1 }), {});
    assert.equal(Object.keys(shares).length, 3);
    for (const share of Object.values(shares)) assert.ok(share > 800 && share < 1200, `uneven shares: ${JSON.stringify(shares)}`);
    others = ['http://10.0.0.2:8787'];
    const deadline = Date.now() + 5000;
    while (ids.some((id) => affinity.owner(id) === 'http://10.0.0.3:8787') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const id of ids) {
      const was = before.get(id)!;
      if (was !== 'http://10.0.0.3:8787') assert.equal(affinity.owner(id) ?? 'self', was, `${id} moved from a process that stayed`);
      else assert.notEqual(affinity.owner(id), 'http://10.0.0.3:8787');
    }
  });

  it('sends nothing on once it has not heard from the database for longer than a peer lives', async () => {
    const harness = makeHarness();
    let up = true;
    const peer = 'http://10.0.0.2:8787';
    const { affinity } = await front(harness, () => [], {
      beatMs: 10,
      liveMs: 100,
      registry: (self) => ({
        beat: async () => {
          if (!up) throw new Error('database away');
          return [self, peer];
        },
        leave: async () => {},
      }),
    });
    const id = Array.from({ length: 50 }, (_, i) => `acc_${i}`).find((candidate) => affinity.owner(candidate) === peer)!;
    assert.ok(id);
    up = false;
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(affinity.owner(id), undefined);
    up = true;
    // Back at the next beat (every 10 ms; a busy machine may take longer).
    const deadline = Date.now() + 5000;
    while (affinity.owner(id) !== peer && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(affinity.owner(id), peer);
  });
});
