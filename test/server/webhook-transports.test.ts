/**
 * The two ways an attempt is sent, held to one contract against a real receiver on loopback:
 * `fetchTransport` (fetch and Web Crypto, the default, which also runs in a browser) and
 * `workerTransport` (node:http and node:crypto on a worker thread, what the Node entry uses).
 * Signatures checked with the `standardwebhooks` package, for every secret of a rotation.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { newSecret } from '../../server/webhooks/endpoints.js';
import { fetchTransport, type WebhookAttempt, type WebhookTransport } from '../../server/webhooks/transport.js';
import { workerTransport } from '../../server/webhooks/worker-transport.js';
import { receiver, type Receiver } from '../helpers/live.js';

const receivers: Receiver[] = [];
after(async () => {
  for (const r of receivers) await r.close();
});

async function receiving(answer?: Parameters<typeof receiver>[0]): Promise<Receiver> {
  const r = await receiver(answer);
  receivers.push(r);
  return r;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const attemptTo = (url: string, overrides: Partial<WebhookAttempt> = {}): WebhookAttempt => ({
  url,
  id: 'evt_transport_1',
  timestamp: Math.floor(Date.now() / 1000),
  body: JSON.stringify({ type: 'user.invited', note: 'ünïcödé survives signing' }),
  secrets: [newSecret()],
  timeoutMs: 10_000,
  ...overrides,
});

const never = new AbortController().signal;

for (const [name, make] of [
  ['fetchTransport (fetch, Web Crypto)', () => fetchTransport()],
  ['workerTransport (node:http, node:crypto, a worker thread)', () => workerTransport()],
] as const) {
  describe(`webhooks: ${name}`, () => {
    const transport: WebhookTransport = make();
    after(() => transport.close?.());

    it('posts the body with the Standard Webhooks headers, signed by every secret, and answers the status', async () => {
      const hooks = await receiving(() => 202);
      const attempt = attemptTo(hooks.url, { secrets: [newSecret(), newSecret()] });
      assert.deepEqual(await transport.send(attempt, never), { status: 202 });
      const [request] = await hooks.waitFor(1);
      assert.equal(request!.body, attempt.body);
      assert.equal(request!.headers['content-type'], 'application/json');
      assert.equal(request!.headers['webhook-id'], attempt.id);
      assert.equal(request!.headers['webhook-timestamp'], String(attempt.timestamp));
      assert.equal(String(request!.headers['webhook-signature']).split(' ').length, 2, 'one signature per secret');
      const headers = request!.headers as Record<string, string>;
      for (const secret of attempt.secrets) assert.deepEqual(new Webhook(secret).verify(request!.body, headers), JSON.parse(attempt.body));
      assert.throws(() => new Webhook(newSecret()).verify(request!.body, headers), 'another secret does not verify');
    });

    it('answers any status as it came (no redirect followed), and keeps one connection for many attempts', async () => {
      const hooks = await receiving((_, i) => [500, 410, 302, 204][i % 4]!);
      const results = [];
      for (let i = 0; i < 8; i++) results.push(await transport.send(attemptTo(hooks.url), never));
      assert.deepEqual(results, [500, 410, 302, 204, 500, 410, 302, 204].map((status) => ({ status })));
      assert.equal(hooks.received.length, 8);
    });

    it('gives up on a receiver that never answers after the timeout', async () => {
      const hooks = await receiving(() => 'hang');
      const started = Date.now();
      const result = await transport.send(attemptTo(hooks.url, { timeoutMs: 300 }), never);
      assert.deepEqual(result, { error: 'no answer within 0.3 s' });
      assert.ok(Date.now() - started >= 290, `gave up after ${Date.now() - started} ms`);
    });

    it('says why when the receiver is down, or the URL cannot be reached', async () => {
      const refused = await transport.send(attemptTo(`http://127.0.0.1:${await closedPort()}/hooks`), never);
      assert.match('error' in refused ? refused.error : '', /ECONNREFUSED/);
      const nowhere = await transport.send(attemptTo('http://nowhere.invalid/hooks', { timeoutMs: 5000 }), never);
      assert.ok('error' in nowhere && nowhere.error.length > 0, JSON.stringify(nowhere));
    });

    it('ends an attempt at once when stopped', async () => {
      const hooks = await receiving(() => 'hang');
      const stop = new AbortController();
      const sending = transport.send(attemptTo(hooks.url), stop.signal);
      await hooks.waitFor(1);
      const started = Date.now();
      stop.abort();
      const result = await sending;
      assert.ok('error' in result, JSON.stringify(result));
      assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
    });
  });
}
