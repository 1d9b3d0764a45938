/**
 * Webhooks over real HTTP: the server (Node entry, file store) posting to receivers on loopback.
 * Standard Webhooks signatures (checked with the `standardwebhooks` package and `verifyWebhook`),
 * at-least-once delivery with one `webhook-id` per message, retries, the timeout, 410, rotation,
 * event filters, the delivery log and manual retry, a `kill -9` right after a change, and that a
 * slow receiver never slows the change that made the message.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { AUDIT_ACTIONS, SeatAdmin, SeatClient, type WebhookDelivery, type WebhookPayload } from '../../sdk/index.js';
import { verifyWebhook, WebhookVerificationError } from '../../server/host/verify-webhook.js';
import { API_KEY } from '../helpers/api.js';
import { liveServer, receiver, type LiveServer } from '../helpers/live.js';
import { PROCESS_API_KEY, startServerProcess } from '../helpers/server-process.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A live server retrying quickly (0.2 s, 0.2 s, 0.2 s), and a receiver; both closed after the tests. */
async function setup(answer?: Parameters<typeof receiver>[0], env: Record<string, string> = {}) {
  const server = await liveServer({ SEATKIT_WEBHOOK_RETRIES: '0.2,0.2,0.2', ...env });
  const hooks = await receiver(answer);
  cleanups.push(() => server.stop(), () => hooks.close());
  return { server, hooks };
}

async function accountOn(server: LiveServer, quantity = 5) {
  const { account, owner } = await server.admin.accounts.create({
    name: 'Hooked Co',
    licenses: { quantity, unitPrice: 400, currency: 'USD', interval: 'month' },
    owner: { email: 'owner@hooked.example', firstName: 'Olive', lastName: 'Owner' },
  });
  return { id: account.id, owner, client: server.admin.account(account.id) };
}

/** Waits until the endpoint's delivery log satisfies `done`. */
async function deliveriesUntil(admin: SeatAdmin, endpointId: string, done: (deliveries: WebhookDelivery[]) => boolean, ms = 15_000): Promise<WebhookDelivery[]> {
  const until = Date.now() + ms;
  for (;;) {
    const deliveries = (await admin.webhooks.deliveries(endpointId, { limit: 200 })).data;
    if (done(deliveries)) return deliveries;
    if (Date.now() > until) assert.fail(`the delivery log did not settle: ${JSON.stringify(deliveries)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('webhooks: the message', () => {
  it('is signed per Standard Webhooks (standardwebhooks and verifyWebhook accept it) and says what changed', async () => {
    const { server, hooks } = await setup();
    const endpoint = await server.admin.webhooks.create({ url: hooks.url, description: 'Our back end' });
    assert.match(endpoint.secret, /^whsec_[A-Za-z0-9+/]{43}=$/, 'whsec_ + base64 of 32 bytes');
    assert.deepEqual(endpoint.events, [...AUDIT_ACTIONS], 'every action by default');
    const acc = await accountOn(server);
    const invited = await acc.client.invitations.create({ email: 'ada@hooked.example', firstName: 'Ada', lastName: 'Lovelace' });
    const [created, invite] = await hooks.waitFor(2);
    for (const request of [created!, invite!]) {
      const payload = new Webhook(endpoint.secret).verify(request.body, request.headers as Record<string, string>) as WebhookPayload;
      assert.deepEqual(verifyWebhook(request.body, request.headers, endpoint.secret), payload);
      assert.equal(request.headers['webhook-id'], payload.data.event.id, 'webhook-id is the audit event id');
      assert.equal(request.headers['content-type'], 'application/json');
      assert.ok(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000) < 60);
    }
    const payload = JSON.parse(invite!.body) as WebhookPayload;
    assert.equal(payload.type, 'user.invited');
    assert.equal(payload.data.event.action, 'user.invited');
    assert.equal(payload.timestamp, payload.data.event.createdAt);
    assert.deepEqual(payload.data.account, { id: acc.id, name: 'Hooked Co', licenses: invited.licenses });
    assert.deepEqual(payload.data.users, [invited.user]);
    assert.equal(JSON.parse(created!.body).type, 'account.created');

    // A wrong secret, a changed body, an old timestamp: refused.
    assert.throws(() => verifyWebhook(invite!.body, invite!.headers, 'whsec_' + Buffer.alloc(32, 1).toString('base64')), WebhookVerificationError);
    assert.throws(() => verifyWebhook(invite!.body.replace('Ada', 'Eve'), invite!.headers, endpoint.secret), WebhookVerificationError);
    const old = Math.floor(Date.now() / 1000) - 600;
    const signed = new Webhook(endpoint.secret).sign('evt_old', new Date(old * 1000), invite!.body);
    assert.throws(() => verifyWebhook(invite!.body, { 'webhook-id': 'evt_old', 'webhook-timestamp': String(old), 'webhook-signature': signed }, endpoint.secret), /timestamp/i);
  });

  it('goes only to endpoints that want the event, and not to a disabled one', async () => {
    const { server, hooks } = await setup();
    const everything = await receiver();
    const disabled = await receiver();
    cleanups.push(() => everything.close(), () => disabled.close());
    await server.admin.webhooks.create({ url: hooks.url, events: ['license.unassigned'] });
    await server.admin.webhooks.create({ url: everything.url });
    const off = await server.admin.webhooks.create({ url: disabled.url });
    await server.admin.webhooks.update(off.id, { disabled: true });
    const acc = await accountOn(server);
    const ada = await server.admin.users.provision(acc.id, { email: 'ada@hooked.example', firstName: 'Ada', lastName: 'L' });
    await acc.client.licenses.unassign(ada.user.id);
    await everything.waitFor(3);
    const [only] = await hooks.waitFor(1);
    assert.equal(JSON.parse(only!.body).type, 'license.unassigned');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(hooks.received.length, 1, 'nothing else to the filtered endpoint');
    assert.deepEqual(everything.received.map((r) => JSON.parse(r.body).type), ['account.created', 'user.provisioned', 'license.unassigned']);
    assert.equal(disabled.received.length, 0, 'nothing to a disabled endpoint');
  });
});

describe('webhooks: delivery', () => {
  it('retries a receiver that answers 500 twice: 3 attempts, one webhook-id, the log says succeeded', async () => {
    const { server, hooks } = await setup((_request, i) => (i < 2 ? 500 : 200));
    const endpoint = await server.admin.webhooks.create({ url: hooks.url, events: ['account.created'] });
    await accountOn(server);
    const attempts = await hooks.waitFor(3);
    assert.equal(new Set(attempts.map((a) => a.headers['webhook-id'])).size, 1, 'the same webhook-id on every attempt');
    assert.equal(new Set(attempts.map((a) => a.body)).size, 1, 'the same body');
    const [delivery] = await deliveriesUntil(server.admin, endpoint.id, (d) => d[0]?.status === 'succeeded');
    assert.deepEqual([delivery!.status, delivery!.attempts, delivery!.lastResponseStatus, delivery!.nextAttemptAt], ['succeeded', 3, 200, null]);
    assert.equal(delivery!.type, 'account.created');
  });

  it('delivers to a receiver that was down once it is up, and fails after the last retry', async () => {
    const { server, hooks } = await setup();
    const down = await receiver();
    const url = down.url;
    await down.close(); // nothing listens there now
    const endpoint = await server.admin.webhooks.create({ url, events: ['account.created'] });
    const ok = await server.admin.webhooks.create({ url: hooks.url, events: ['account.created'] });
    await accountOn(server);
    const [failed] = await deliveriesUntil(server.admin, endpoint.id, (d) => d[0]?.status === 'failed');
    assert.equal(failed!.attempts, 4, 'the first attempt and 3 retries');
    assert.match(failed!.lastError ?? '', /ECONNREFUSED|fetch failed|connect/i);
    // The receiver comes up; a retry by hand delivers it.
    await server.admin.webhooks.update(endpoint.id, { url: hooks.url });
    const retried = await server.admin.webhooks.retry(endpoint.id, failed!.id);
    assert.equal(retried.status, 'pending');
    await deliveriesUntil(server.admin, endpoint.id, (d) => d[0]?.status === 'succeeded');
    await deliveriesUntil(server.admin, ok.id, (d) => d[0]?.status === 'succeeded');
    assert.equal(hooks.received.length, 2, 'once for each endpoint');
  });

  it('delivers once the receiver comes back up between retries', async () => {
    let up = false;
    const { server, hooks } = await setup(() => (up ? 204 : 503));
    const endpoint = await server.admin.webhooks.create({ url: hooks.url, events: ['account.created'] });
    await accountOn(server);
    await hooks.waitFor(1);
    up = true;
    const [delivery] = await deliveriesUntil(server.admin, endpoint.id, (d) => d[0]?.status === 'succeeded');
    assert.ok(delivery!.attempts >= 2);
  });

  it('gives up on a receiver that never answers after 10 s, and keeps serving meanwhile', async () => {
    const { server, hooks } = await setup(() => 'hang', { SEATKIT_WEBHOOK_RETRIES: '60' });
    const endpoint = await server.admin.webhooks.create({ url: hooks.url, events: ['account.created'] });
    const started = Date.now();
    const acc = await accountOn(server, 10);
    await hooks.waitFor(1);
    // While the attempt hangs, the server answers others at once.
    for (let i = 0; i < 5; i++) {
      const at = Date.now();
      await acc.client.invitations.create({ email: `meanwhile${i}@hooked.example`, firstName: 'M', lastName: `${i}` });
      assert.ok(Date.now() - at < 2000, `a change took ${Date.now() - at} ms while a webhook hung`);
    }
    const [delivery] = await deliveriesUntil(server.admin, endpoint.id, (d) => d[0]?.attempts === 1, 20_000);
    const took = Date.now() - started;
    assert.ok(took >= 9_500, `gave up after ${took} ms`);
    assert.deepEqual([delivery!.status, delivery!.lastResponseStatus], ['pending', null]);
    assert.match(delivery!.lastError ?? '', /no answer within 10 s/);
    assert.ok(Date.parse(delivery!.nextAttemptAt!) > Date.now() + 30_000, 'retried after the configured delay');
  });

  it('disables an endpoint that answers 410 Gone, and fails the delivery', async () => {
    const { server, hooks } = await setup(() => 410);
    const endpoint = await server.admin.webhooks.create({ url: hooks.url });
    const acc = await accountOn(server);
    await hooks.waitFor(1);
    const [delivery] = await deliveriesUntil(server.admin, endpoint.id, (d) => d.length > 0 && d.every((x) => x.status !== 'pending'));
    assert.deepEqual([delivery!.status, delivery!.attempts, delivery!.lastResponseStatus], ['failed', 1, 410]);
    assert.equal((await server.admin.webhooks.get(endpoint.id)).disabled, true);
    await acc.client.invitations.create({ email: 'after@hooked.example', firstName: 'A', lastName: 'F' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(hooks.received.length, 1, 'nothing more to it');
  });

  it('signs with the old and the new secret for 24 hours after a rotation', async () => {
    const { server, hooks } = await setup();
    const endpoint = await server.admin.webhooks.create({ url: hooks.url, events: ['account.created'] });
    const { secret } = await server.admin.webhooks.rotateSecret(endpoint.id);
    assert.notEqual(secret, endpoint.secret);
    await accountOn(server);
    const [request] = await hooks.waitFor(1);
    assert.equal(String(request!.headers['webhook-signature']).split(' ').length, 2, 'two signatures');
    assert.ok(verifyWebhook(request!.body, request!.headers, endpoint.secret), 'the old secret verifies');
    assert.ok(verifyWebhook(request!.body, request!.headers, secret), 'the new secret verifies');
  });

  it('never slows the change that made the message (a receiver taking 2 s)', async () => {
    const { server, hooks } = await setup(() => 'hang');
    for (let i = 0; i < 3; i++) await server.admin.webhooks.create({ url: hooks.url });
    const acc = await accountOn(server);
    const at = Date.now();
    await acc.client.invitations.create({ email: 'quick@hooked.example', firstName: 'Q', lastName: 'K' });
    assert.ok(Date.now() - at < 1500, `the invite took ${Date.now() - at} ms`);
  });

  it('lists deliveries newest first, paged, and 404s for an unknown endpoint or delivery', async () => {
    const { server, hooks } = await setup();
    const endpoint = await server.admin.webhooks.create({ url: hooks.url });
    const acc = await accountOn(server);
    for (let i = 0; i < 4; i++) await acc.client.invitations.create({ email: `p${i}@hooked.example`, firstName: 'P', lastName: `${i}` });
    await hooks.waitFor(5);
    const all: WebhookDelivery[] = [];
    for await (const delivery of server.admin.webhooks.deliveries(endpoint.id, { limit: 2 })) all.push(delivery);
    assert.equal(all.length, 5);
    assert.deepEqual(all.map((d) => d.type), ['user.invited', 'user.invited', 'user.invited', 'user.invited', 'account.created']);
    const res = await fetch(`${server.url}/v1/webhook-endpoints/whe_missing/deliveries`, { headers: { Authorization: `Bearer ${API_KEY}` } });
    assert.equal(res.status, 404);
    const retry = await fetch(`${server.url}/v1/webhook-endpoints/${endpoint.id}/deliveries/whd_missing/retry`, { method: 'POST', headers: { Authorization: `Bearer ${API_KEY}` } });
    assert.equal(retry.status, 404);
  });
});

describe('webhooks: endpoints', () => {
  it('are created, read, listed, changed and removed; a bad url or event name is refused (400)', async () => {
    const { server } = await setup();
    const created = await server.admin.webhooks.create({ url: 'https://hooks.example/a', events: ['user.invited', 'license.reclaimed'], description: 'A' });
    const { secret: _secret, ...shown } = created;
    assert.deepEqual(await server.admin.webhooks.get(created.id), shown);
    const updated = await server.admin.webhooks.update(created.id, { events: ['user.provisioned'], description: 'B' });
    assert.deepEqual([updated.events, updated.description], [['user.provisioned'], 'B']);
    assert.deepEqual((await server.admin.webhooks.list()).data.map((e) => e.id), [created.id]);
    await server.admin.webhooks.delete(created.id);
    assert.equal((await server.admin.webhooks.list()).total, 0);
    for (const body of [{ url: 'ftp://hooks.example' }, { url: 'not a url' }, { url: `https://x.example/${'a'.repeat(2050)}` }, { url: 'https://hooks.example', events: ['user.exploded'] }, { url: 'https://u:p@hooks.example' }]) {
      const res = await fetch(`${server.url}/v1/webhook-endpoints`, { method: 'POST', headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(res.status, 400, JSON.stringify(body));
    }
  });

  it('survive a restart with their secrets (in a file only the server user may read)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seatkit-hooks-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    let server = await liveServer({}, dir);
    const endpoint = await server.admin.webhooks.create({ url: 'https://hooks.example/kept' });
    await server.stop({ keepData: true });
    const { stat } = await import('node:fs/promises');
    // (On PostgreSQL they are rows of the database instead.)
    if (!server.databaseUrl) assert.equal((await stat(join(dir, 'webhook-endpoints.json'))).mode & 0o777, 0o600);
    server = await liveServer({}, dir);
    cleanups.push(() => server.stop());
    assert.equal((await server.admin.webhooks.get(endpoint.id)).url, 'https://hooks.example/kept');
  });
});

describe('webhooks: a change acknowledged just before kill -9', () => {
  it('is delivered after the restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seatkit-hooks-kill-'));
    const hooks = await receiver(() => 'hang');
    cleanups.push(() => hooks.close(), () => rm(dir, { recursive: true, force: true }));
    const env = { SEATKIT_DB: dir, SEATKIT_RATE_LIMITS: 'off', SEATKIT_WEBHOOK_RETRIES: '0.2' };
    let server = await startServerProcess(env);
    const admin = new SeatAdmin({ baseUrl: server.url, apiKey: PROCESS_API_KEY });
    await admin.webhooks.create({ url: hooks.url, events: ['user.provisioned'] });
    const { account } = await admin.accounts.create({
      name: 'Killed Co',
      licenses: { quantity: 3, unitPrice: 400, currency: 'USD', interval: 'month' },
      owner: { email: 'o@killed.example', firstName: 'O', lastName: 'K' },
    });
    // The receiver hangs: the first attempt is under way (or not yet started) when the server dies.
    const { user } = await admin.users.provision(account.id, { email: 'last@killed.example', firstName: 'L', lastName: 'W' });
    await server.kill();
    const before = hooks.received.length;
    const answered = await receiver();
    cleanups.push(() => answered.close());
    server = await startServerProcess(env);
    cleanups.push(() => server.kill());
    const again = new SeatAdmin({ baseUrl: server.url, apiKey: PROCESS_API_KEY });
    const [endpoint] = (await again.webhooks.list()).data;
    await again.webhooks.update(endpoint!.id, { url: answered.url });
    const [request] = await answered.waitFor(1, 20_000);
    const payload = JSON.parse(request!.body) as WebhookPayload;
    assert.deepEqual([payload.type, payload.data.users[0]!.id], ['user.provisioned', user.id]);
    assert.ok(before <= 1);
    const client = new SeatClient({ baseUrl: server.url, accountId: account.id, token: PROCESS_API_KEY });
    assert.equal((await client.users.get(user.id)).status, 'enabled');
  });
});
