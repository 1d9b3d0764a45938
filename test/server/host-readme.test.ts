/**
 * The README's "Enforce licenses in your product" snippets run as written against a real server:
 * each `ts` block after its `<!-- host-…` marker is written to a file in the repository (so its
 * imports resolve; `seatkit/server` pointed at server/index.ts) and run with tsx as its own process.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SeatAdmin } from '../../sdk/index.js';
import { liveServer, type LiveServer } from '../helpers/live.js';
import { runSnippet, snippet, type RunningSnippet } from '../helpers/snippets.js';

const running: RunningSnippet[] = [];
let seatkit: LiveServer;
let admin: SeatAdmin;
let accountId: string;

/** Runs the README's snippet `name` with `env`. */
async function run(name: string, env: Record<string, string>): Promise<RunningSnippet> {
  const app = await runSnippet(name, await snippet('README.md', name), env);
  running.push(app);
  return app;
}

before(async () => {
  seatkit = await liveServer();
  admin = seatkit.admin;
  const { account } = await admin.accounts.create({
    name: 'Bridges & Co',
    licenses: { quantity: 3, unitPrice: 4900, currency: 'USD', interval: 'month' },
    owner: { email: 'owner@bridges.example', firstName: 'Olive', lastName: 'Owner' },
  });
  accountId = account.id;
  await admin.users.provision(accountId, { email: 'ella@bridges.example', firstName: 'Ella', lastName: 'Engineer', externalId: 'emp-1' });
  await admin.users.provision(accountId, { email: 'nils@bridges.example', firstName: 'Nils', lastName: 'Nolicense', externalId: 'emp-2', license: false });
});

after(async () => {
  await Promise.all(running.map((app) => app.close()));
  await seatkit?.stop();
});

for (const name of ['host-gate-hono', 'host-gate-express']) {
  describe(`README: ${name}`, () => {
    it('lets a licensed person through, answers 403 license_required to anyone else and 401 to nobody', async () => {
      const app = await run(name, { SEATKIT_URL: seatkit.url, SEATKIT_API_KEY: seatkit.apiKey, ACCOUNT_ID: accountId });
      const as = (employee?: string) => fetch(`${app.url}/app/drawings`, { headers: employee ? { 'x-employee-id': employee } : {} });
      const ok = await as('emp-1');
      assert.equal(ok.status, 200, app.output());
      assert.deepEqual((await ok.json()).drawings, ['bridge.dwg']);
      for (const employee of ['emp-2', 'emp-404']) {
        const denied = await as(employee);
        assert.equal(denied.status, 403);
        assert.match(denied.headers.get('content-type') ?? '', /^application\/problem\+json/);
        const problem = await denied.json();
        assert.deepEqual([problem.code, problem.status], ['license_required', 403]);
      }
      assert.equal((await as()).status, 401);
      // Taking the license back takes effect at the next request.
      const ella = (await admin.account(accountId).users.list({ externalId: 'emp-1' })).data[0]!;
      await admin.account(accountId).licenses.unassign(ella.id);
      assert.equal((await as('emp-1')).status, 403);
      await admin.account(accountId).licenses.assign(ella.id);
      assert.equal((await as('emp-1')).status, 200);
    });
  });
}

describe('README: host-webhooks', () => {
  it('verifies, handles each message once (a retry is answered but not handled again), and refuses a forgery', async () => {
    const endpoint = await admin.webhooks.create({ url: 'http://127.0.0.1:9/placeholder', events: ['user.provisioned'] });
    const receiver = await run('host-webhooks', { SEATKIT_WEBHOOK_SECRET: endpoint.secret });
    await admin.webhooks.update(endpoint.id, { url: `${receiver.url}/seatkit/webhooks` });
    await admin.users.provision(accountId, { email: 'wanda@bridges.example', firstName: 'Wanda', lastName: 'Webhook', externalId: 'emp-3' });
    const until = async (test: () => boolean) => {
      for (let i = 0; i < 300 && !test(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(test(), receiver.output());
    };
    await until(() => receiver.output().includes('user.provisioned: emp-3 is enabled'));
    // The log shows an attempt's result within a second (results are saved together).
    let [delivery] = (await admin.webhooks.deliveries(endpoint.id)).data;
    for (let i = 0; i < 100 && delivery!.status === 'pending'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      [delivery] = (await admin.webhooks.deliveries(endpoint.id)).data;
    }
    assert.equal(delivery!.status, 'succeeded');
    await admin.webhooks.retry(endpoint.id, delivery!.id);
    let attempts = 1;
    for (let i = 0; i < 200 && attempts < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const [again] = (await admin.webhooks.deliveries(endpoint.id)).data;
      if (again!.status === 'succeeded') attempts = again!.attempts;
    }
    assert.equal(attempts, 2, 'the retry was delivered');
    assert.equal(receiver.output().split('user.provisioned: emp-3').length - 1, 1, 'handled once, though delivered twice');
    const forged = await fetch(`${receiver.url}/seatkit/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': 'evt_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,Zm9yZ2Vk' },
      body: '{"type":"user.provisioned"}',
    });
    assert.equal(forged.status, 400);
  });
});
