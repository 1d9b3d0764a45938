import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { start } from '../../server/node.js';
import { createAccountOver, http } from '../helpers/server-process.js';

const KEY = 'sk_node_entry_0123456789';
const folders: string[] = [];
after(async () => {
  await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
});

type Entry = Record<string, unknown>;
const entries = (lines: string[]): Entry[] => lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Entry);

async function waitFor<T>(what: string, find: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the Node entry', () => {
  it('logs one JSON line per request with its request id, method, path, status and duration', async () => {
    const lines: string[] = [];
    const server = await start({ PORT: '0', SEATKIT_DB: ':memory:', SEATKIT_API_KEY: 'sk_node_entry_0123456789' }, (line) => lines.push(line));
    try {
      const health = await fetch(`${server.url}/healthz`);
      const missing = await fetch(`${server.url}/v1/accounts/acc_missing`, { headers: { Authorization: 'Bearer sk_node_entry_0123456789' } });
      const logged = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
      const requests = logged.filter((entry) => entry.message === 'request');
      assert.deepEqual(
        requests.map(({ method, path, status, requestId }) => ({ method, path, status, requestId })),
        [
          { method: 'GET', path: '/healthz', status: 200, requestId: health.headers.get('X-Request-Id') },
          { method: 'GET', path: '/v1/accounts/acc_missing', status: 404, requestId: missing.headers.get('X-Request-Id') },
        ],
      );
      for (const entry of requests) {
        assert.equal(typeof entry.ms, 'number');
        assert.ok(!Number.isNaN(Date.parse(entry.time as string)));
      }
    } finally {
      await server.close();
    }
  });

  it('logs no request lines with SEATKIT_LOG_REQUESTS=off', async () => {
    const lines: string[] = [];
    const server = await start({ PORT: '0', SEATKIT_DB: ':memory:', SEATKIT_API_KEY: 'sk_node_entry_0123456789', SEATKIT_LOG_REQUESTS: 'off' }, (line) => lines.push(line));
    try {
      await fetch(`${server.url}/healthz`);
      assert.equal(lines.filter((line) => line.includes('"message":"request"')).length, 0);
    } finally {
      await server.close();
    }
  });

  it('gives every request its own id (header and problem), and logs a client\'s X-Request-Id as its correlation id', async () => {
    const lines: string[] = [];
    const server = await start({ PORT: '0', SEATKIT_DB: ':memory:', SEATKIT_API_KEY: KEY }, (line) => lines.push(line));
    try {
      const first = await http(server.url, 'GET', '/v1/accounts/acc_missing', { token: KEY, headers: { 'X-Request-Id': 'client-trace-1' } });
      const second = await http(server.url, 'GET', '/v1/accounts/acc_missing', { token: KEY, headers: { 'X-Request-Id': 'client-trace-1' } });
      const serverIds = [first.headers.get('x-request-id'), second.headers.get('x-request-id')];
      for (const [i, reply] of [first, second].entries()) {
        assert.match(serverIds[i]!, /^req_/, 'the answer header is the server\'s id');
        assert.equal(reply.body.requestId, serverIds[i], 'the problem names the same id');
      }
      assert.notEqual(serverIds[0], serverIds[1], 'one id per request, whatever the client sent');
      const requests = entries(lines).filter((entry) => entry.message === 'request');
      assert.deepEqual(
        requests.map(({ requestId, correlationId }) => ({ requestId, correlationId })),
        serverIds.map((requestId) => ({ requestId, correlationId: 'client-trace-1' })),
      );
      // A value that is not a plain token is not put in the log.
      await http(server.url, 'GET', '/healthz', { headers: { 'X-Request-Id': 'x'.repeat(129) } });
      assert.equal(entries(lines).at(-1)!.correlationId, undefined);
    } finally {
      await server.close();
    }
  });

  it('checks and reads a body over HTTP whether its length is declared or it comes chunked: JSON read, over 64 KiB refused (413), not JSON refused (415)', async () => {
    const server = await start({ PORT: '0', SEATKIT_DB: ':memory:', SEATKIT_API_KEY: KEY }, () => {});
    try {
      const account = (name: string, extra = '') =>
        JSON.stringify({ name, licenses: { quantity: 3, unitPrice: 400, currency: 'USD', interval: 'month' }, owner: { email: `owner@${name.toLowerCase()}.example`, firstName: 'O', lastName: 'W' } }).replace(/}$/, extra + '}');
      const chunked = (text: string) =>
        new ReadableStream<Uint8Array>({
          start(controller) {
            const bytes = new TextEncoder().encode(text);
            for (let i = 0; i < bytes.length; i += 1000) controller.enqueue(bytes.subarray(i, i + 1000));
            controller.close();
          },
        });
      const post = (body: string | ReadableStream<Uint8Array>, type = 'application/json') =>
        fetch(`${server.url}/v1/accounts`, { method: 'POST', headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': type }, body, duplex: 'half' } as RequestInit);
      const large = `,"padding":"${'x'.repeat(70 * 1024)}"`;
      for (const [framing, send] of [
        ['Content-Length', (text: string, type?: string) => post(text, type)],
        ['chunked', (text: string, type?: string) => post(chunked(text), type)],
      ] as const) {
        const made = await send(account(framing === 'chunked' ? 'Chunked' : 'Declared'));
        assert.equal(made.status, 201, `${framing}: ${await made.clone().text()}`);
        assert.equal(((await made.json()) as { account: { name: string } }).account.name, framing === 'chunked' ? 'Chunked' : 'Declared');
        const tooLarge = await send(account('Large', large));
        assert.equal(tooLarge.status, 413, framing);
        assert.equal(((await tooLarge.json()) as { code: string }).code, 'payload_too_large');
        const plain = await send('name=Acme', 'text/plain');
        assert.equal(plain.status, 415, framing);
        assert.equal(((await plain.json()) as { code: string }).code, 'unsupported_media_type');
        const broken = await send('{"name":');
        assert.equal(((await broken.json()) as { code: string }).code, 'invalid_json', framing);
      }
    } finally {
      await server.close();
    }
  });

  it('answers a body cut short by the client as a client error: a 400 request line at level info, no error line', async () => {
    const lines: string[] = [];
    const server = await start({ PORT: '0', SEATKIT_DB: ':memory:', SEATKIT_API_KEY: KEY }, (line) => lines.push(line));
    try {
      for (const framing of ['Content-Length: 400', 'Transfer-Encoding: chunked']) {
        const socket = connect(Number(new URL(server.url).port), 'localhost');
        await new Promise((resolve) => socket.once('connect', resolve));
        const part = '{"name":"Acme","licenses":';
        const body = framing.startsWith('Transfer') ? `${part.length.toString(16)}\r\n${part}\r\n` : part;
        socket.write(`POST /v1/accounts HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\n${framing}\r\n\r\n${body}`);
        const before = lines.length;
        // The server has the headers and part of the body; the client goes away.
        await new Promise((resolve) => setTimeout(resolve, 100));
        socket.destroy();
        const line = await waitFor('the request line', () => entries(lines.slice(before)).find((entry) => entry.message === 'request'));
        assert.equal(line.status, 400, `${framing}: ${JSON.stringify(line)}`);
        assert.equal(line.level, 'info');
      }
      assert.deepEqual(entries(lines).filter((entry) => entry.level === 'error'), [], 'nothing is logged as an error');
    } finally {
      await server.close();
    }
  });

  it('keeps a generated API key in the data folder (mode 0600), prints it at the first start only, and uses it again at the next', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seatkit-key-'));
    folders.push(dir);
    const env = { PORT: '0', SEATKIT_DB: dir };
    const firstLines: string[] = [];
    const first = await start(env, (line) => firstLines.push(line));
    let accountId: string;
    try {
      assert.match(first.apiKey, /^sk_[A-Za-z0-9_-]{32}$/);
      const announced = firstLines.filter((line) => line.includes(first.apiKey));
      assert.equal(announced.length, 1, 'printed once');
      assert.ok(announced[0]!.includes(join(dir, 'api-key')), `says where it is kept: ${announced[0]}`);
      ({ accountId } = await createAccountOver(first.url, { quantity: 2, apiKey: first.apiKey }));
    } finally {
      await first.close();
    }
    const file = join(dir, 'api-key');
    assert.equal((await stat(file)).mode & 0o777, 0o600, 'readable by the owner only');
    assert.equal((await readFile(file, 'utf8')).trim(), first.apiKey);

    const secondLines: string[] = [];
    const second = await start(env, (line) => secondLines.push(line));
    try {
      assert.equal(second.apiKey, first.apiKey, 'the same key at the next start');
      assert.equal((await http(second.url, 'GET', `/v1/accounts/${accountId}`, { token: first.apiKey })).status, 200, 'the saved key still works');
      assert.ok(!secondLines.some((line) => line.includes(first.apiKey)), 'and it is not printed again');
      assert.ok(secondLines.some((line) => line.includes(file)), `the start message says where the key is: ${secondLines.join('\n')}`);
    } finally {
      await second.close();
    }
  });

  it('makes a key for the run alone when the data is in memory (no file to keep it in)', async () => {
    const lines: string[] = [];
    const server = await start({ PORT: '0', SEATKIT_DB: ':memory:' }, (line) => lines.push(line));
    try {
      assert.match(server.apiKey, /^sk_/);
      assert.ok(lines.some((line) => line.includes(server.apiKey) && line.includes('this run')));
      assert.equal((await http(server.url, 'GET', '/v1/outbox', { token: server.apiKey })).status, 200);
    } finally {
      await server.close();
    }
  });
});

describe('the Node entry: rate limits per client behind proxies', () => {
  /** Invitation-token lookups (30 a minute per client) sent with an X-Forwarded-For, until one is refused. */
  async function lookups(url: string, forwardedFor: string, count: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      statuses.push((await http(url, 'GET', `/v1/invitations/${'A'.repeat(43)}`, { headers: { 'X-Forwarded-For': forwardedFor } })).status);
    }
    return statuses;
  }

  it('ignores X-Forwarded-For by default: a client cannot dodge the limit by making addresses up', async () => {
    const server = await start({ PORT: '0', SEATKIT_DB: ':memory:', SEATKIT_API_KEY: KEY, SEATKIT_LOG_REQUESTS: 'off' }, () => {});
    try {
      assert.deepEqual(await lookups(server.url, '198.51.100.1', 30), Array(30).fill(404));
      assert.deepEqual(await lookups(server.url, '198.51.100.2', 1), [429], 'another made-up address is the same client');
    } finally {
      await server.close();
    }
  });

  it('with SEATKIT_TRUST_PROXY, counts the address the trusted proxy saw, not one the client wrote before it', async () => {
    const server = await start({ PORT: '0', SEATKIT_DB: ':memory:', SEATKIT_API_KEY: KEY, SEATKIT_LOG_REQUESTS: 'off', SEATKIT_TRUST_PROXY: '127.0.0.1, ::1' }, () => {});
    try {
      assert.deepEqual(await lookups(server.url, '198.51.100.1', 30), Array(30).fill(404));
      assert.deepEqual(await lookups(server.url, '198.51.100.1', 1), [429], 'the same client is limited');
      assert.deepEqual(await lookups(server.url, '198.51.100.2', 1), [404], 'another client is not');
      // The client prepends its own "address": the proxy appends the real one, which is what counts.
      assert.deepEqual(await lookups(server.url, '203.0.113.9, 198.51.100.1', 1), [429]);
    } finally {
      await server.close();
    }
  });

  it('counts IPv6 clients by their /64: two addresses of one network share a limit', async () => {
    const server = await start({ PORT: '0', SEATKIT_DB: ':memory:', SEATKIT_API_KEY: KEY, SEATKIT_LOG_REQUESTS: 'off', SEATKIT_TRUST_PROXY: '127.0.0.1,::1' }, () => {});
    try {
      assert.deepEqual(await lookups(server.url, '2001:db8:1:2::1', 30), Array(30).fill(404));
      assert.deepEqual(await lookups(server.url, '2001:db8:1:2:ffff:ee:dd:cc', 1), [429], 'same /64');
      assert.deepEqual(await lookups(server.url, '2001:db8:1:3::1', 1), [404], 'the next /64 is another client');
    } finally {
      await server.close();
    }
  });

  it('refuses to start with a SEATKIT_TRUST_PROXY entry that is not an address or a CIDR range', async () => {
    await assert.rejects(start({ PORT: '0', SEATKIT_DB: ':memory:', SEATKIT_API_KEY: KEY, SEATKIT_TRUST_PROXY: '10.0.0.0/33' }, () => {}), /SEATKIT_TRUST_PROXY.*10\.0\.0\.0\/33/);
    await assert.rejects(start({ PORT: '0', SEATKIT_DB: ':memory:', SEATKIT_API_KEY: KEY, SEATKIT_TRUST_PROXY: 'proxy.internal' }, () => {}), /SEATKIT_TRUST_PROXY.*proxy\.internal/);
  });
});

