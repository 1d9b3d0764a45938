/**
 * `client.stream()` against the real server over HTTP: events as they happen, a dropped connection
 * resumed with exactly the missed changes, the end of the session, a refused token, abort.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SeatAuthError, SeatClient, type StreamEvent } from '../../sdk/index.js';
import { backoff } from '../../sdk/resources/stream-events.js';
import { liveServer, type LiveServer } from '../helpers/live.js';

describe('client.stream()', () => {
  let server: LiveServer;
  let accountId = '';
  let ownerToken = '';
  let adminId = '';
  let adminToken = '';
  before(async () => {
    server = await liveServer();
    const { account, owner } = await server.admin.accounts.create({
      name: 'Acme',
      licenses: { quantity: 20, unitPrice: 1000, currency: 'USD', interval: 'month' },
      owner: { email: 'ada@acme.example', firstName: 'Ada', lastName: 'Lovelace' },
    });
    accountId = account.id;
    ownerToken = (await server.admin.sessions.create(accountId, { userId: owner.id })).token;
    const grace = await server.admin.users.provision(accountId, { email: 'grace@acme.example', firstName: 'Grace', lastName: 'Hopper', role: 'admin' });
    adminId = grace.user.id;
    adminToken = (await server.admin.sessions.create(accountId, { userId: adminId })).token;
  });
  after(() => server.stop());

  const invite = (email: string) => server.admin.account(accountId).invitations.create({ email, firstName: 'N', lastName: 'P' });

  it('yields ready, then each change; break closes the connection', async () => {
    const client = new SeatClient({ baseUrl: server.url, accountId, token: ownerToken });
    const seen: StreamEvent[] = [];
    for await (const event of client.stream()) {
      seen.push(event);
      if (event.type === 'ready') await invite('first@acme.example');
      if (event.type === 'change') break;
    }
    assert.deepEqual(seen.map((e) => e.type), ['ready', 'change']);
    const change = seen[1] as Extract<StreamEvent, { type: 'change' }>;
    assert.equal(change.action, 'user.invited');
    assert.equal(change.userIds.length, 1);
    assert.equal(typeof change.licenses.inUse, 'number');
  });

  it('reconnects after a dropped connection and resumes with exactly the missed changes', async () => {
    let cut: ((reason: Error) => void) | undefined;
    let connections = 0;
    const lastIds: (string | null)[] = [];
    // The network between the client and the server: the first connection is cut by the test.
    const fetchThrough: typeof fetch = async (input, init) => {
      const request = new Request(input as RequestInfo, init);
      if (!request.url.endsWith('/stream')) return fetch(request);
      connections++;
      lastIds.push(request.headers.get('Last-Event-ID'));
      const response = await fetch(request);
      if (connections > 1 || !response.body) return response;
      const reader = response.body.getReader();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          cut = (reason) => {
            controller.error(reason);
            void reader.cancel();
          };
        },
        async pull(controller) {
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
      });
      return new Response(body, { status: response.status, headers: response.headers });
    };
    const client = new SeatClient({ baseUrl: server.url, accountId, token: ownerToken, fetch: fetchThrough });
    const seen: StreamEvent[] = [];
    const missed: string[] = [];
    for await (const event of client.stream({ minDelay: 600, maxDelay: 600 })) {
      seen.push(event);
      if (seen.length === 1) await invite('before@acme.example');
      if (event.type === 'change' && seen.length === 2) {
        cut!(new TypeError('network connection lost'));
        // Made while the client waits to reconnect.
        for (const email of ['m1@acme.example', 'm2@acme.example']) missed.push((await invite(email)).user.id);
      }
      if (event.type === 'ready' && seen.length > 2) break;
    }
    assert.equal(connections, 2);
    assert.equal(lastIds[0], null);
    assert.equal(lastIds[1], String((seen[1] as { sequence: number }).sequence), 'the second connection resumes from the last id');
    assert.deepEqual(
      seen.map((e) => e.type),
      ['ready', 'change', 'change', 'change', 'ready'],
    );
    assert.deepEqual(seen.slice(2, 4).map((e) => (e as { userIds: string[] }).userIds[0]), missed);
    assert.equal((seen[4] as { resumed: boolean }).resumed, true);
  });

  it('keeps one connection open past the client’s request timeout (it bounds waiting for the answer, not the stream)', async () => {
    let connections = 0;
    const counting: typeof fetch = (input, init) => {
      if (new Request(input as RequestInfo, init).url.endsWith('/stream')) connections++;
      return fetch(input as RequestInfo, init);
    };
    const client = new SeatClient({ baseUrl: server.url, accountId, token: ownerToken, timeout: 300, fetch: counting });
    for await (const event of client.stream()) {
      if (event.type === 'ready') {
        await new Promise((resolve) => setTimeout(resolve, 800));
        await invite('patient@acme.example');
      }
      if (event.type === 'change') break;
    }
    assert.equal(connections, 1);
  });

  it('ends after session-ended (the viewer was unassigned)', async () => {
    const client = new SeatClient({ baseUrl: server.url, accountId, token: adminToken });
    const seen: StreamEvent[] = [];
    for await (const event of client.stream()) {
      seen.push(event);
      if (event.type === 'ready') await server.admin.account(accountId).licenses.unassign(adminId);
    }
    assert.deepEqual(seen.at(-1), { type: 'session-ended', reason: 'license_removed' });
  });

  it('rejects with SeatAuthError for a token that does not hold, and with the reason on abort', async () => {
    const refused = new SeatClient({ baseUrl: server.url, accountId, token: 'not-a-token' });
    await assert.rejects(async () => {
      for await (const _ of refused.stream()) void _;
    }, SeatAuthError);
    const controller = new AbortController();
    const client = new SeatClient({ baseUrl: server.url, accountId, token: ownerToken });
    await assert.rejects(
      async () => {
        for await (const event of client.stream({ signal: controller.signal })) if (event.type === 'ready') controller.abort();
      },
      { name: 'AbortError' },
    );
  });

  it('backs off by doubling with jitter, up to the cap, never below Retry-After', () => {
    for (let attempt = 0; attempt < 8; attempt++) {
      const wait = backoff(attempt, 1000, 30_000);
      const base = Math.min(30_000, 1000 * 2 ** attempt);
      assert.ok(wait >= base / 2 && wait <= base, `${attempt}: ${wait}`);
    }
    assert.ok(backoff(0, 1000, 30_000, 5) >= 5000);
  });
});
