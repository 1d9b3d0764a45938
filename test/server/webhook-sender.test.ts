/**
 * The webhook sender on its own (no timers of the app, a receiver the test answers by hand): at
 * most 16 attempts at once, a freed place starting the next due delivery without waiting for
 * another commit or the periodic sweep, and the results of attempts saved together.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEvent } from '../../sdk/types.js';
import { systemClock } from '../../server/config.js';
import { randomId } from '../../server/crypto.js';
import { createAccount } from '../../server/domain/users.js';
import { MemoryStore } from '../../server/store/memory.js';
import { newSecret, type WebhookEndpointRecord } from '../../server/webhooks/endpoints.js';
import { pendingDeliveries, withWebhookMessages } from '../../server/webhooks/messages.js';
import { Webhooks } from '../../server/webhooks/service.js';

/** Lets every timer-free step of the sender run (its promises and the zero-delay kicks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** An account in a memory store with `count` deliveries due to one endpoint, and a sender whose every POST waits for the test. */
async function senderWith(count: number) {
  const store = new MemoryStore();
  const now = new Date();
  const endpoint: WebhookEndpointRecord = {
    id: randomId('whe'),
    url: 'http://127.0.0.1:9/hook',
    events: null,
    description: '',
    disabled: false,
    createdAt: now.toISOString(),
    secrets: [{ secret: newSecret(), expiresAt: null }],
  };
  await store.saveWebhookEndpoint(endpoint);
  const created = createAccount(
    {
      name: 'Sender Co',
      licenses: { quantity: 5, unitPrice: 400, currency: 'USD', interval: 'month' },
      owner: { email: 'owner@sender.example', firstName: 'Olive', lastName: 'Owner' },
    },
    { now, actor: { type: 'api_key' }, newId: randomId },
  );
  const event = created.events[0]!;
  const events: AuditEvent[] = Array.from({ length: count }, () => ({ ...event, id: randomId('evt') }));
  const doc = withWebhookMessages(created.doc, events, [endpoint], now, randomId);
  await store.create(doc, events);
  const answers: (() => void)[] = [];
  const webhooks = new Webhooks(store, systemClock, {
    retries: [60],
    timeoutMs: 10_000,
    log: () => {},
    transport: { send: () => new Promise((resolve) => answers.push(() => resolve({ status: 204 }))) },
  });
  return { store, webhooks, answers, accountId: created.result.accountId };
}

describe('webhooks: the sender', () => {
  it('makes at most 16 attempts at once, and a freed place starts the next due delivery at once', async () => {
    const { webhooks, answers, store, accountId } = await senderWith(20);
    await webhooks.sweep();
    await settle();
    assert.equal(answers.length, 16, '16 attempts under way, 4 due deliveries waiting');
    answers[0]!();
    await settle();
    assert.equal(answers.length, 17, 'the answered attempt made room for the next delivery, with no commit or sweep meanwhile');
    for (const answer of answers.slice(1)) answer();
    await settle();
    for (const answer of answers.slice(17)) answer();
    await settle();
    assert.equal(answers.length, 20, 'every delivery attempted once');
    // Stopping saves the results in hand (otherwise saved together once a second).
    await webhooks.stop();
    const doc = (await store.get(accountId))!;
    assert.equal(pendingDeliveries(doc.webhookDeliveries).size, 0);
    assert.deepEqual(new Set([...doc.webhookDeliveries.values()].map((d) => d.status)), new Set(['succeeded']));
  });

  it('saves the results of attempts that end together in one commit, not one each', async () => {
    const { webhooks, answers, store, accountId } = await senderWith(10);
    let commits = 0;
    const transact = store.transact.bind(store);
    store.transact = ((id, fn) => (commits++, transact(id, fn))) as typeof store.transact;
    await webhooks.sweep();
    await settle();
    for (const answer of answers) answer();
    await settle();
    assert.equal(commits, 0, 'nothing saved yet: the results wait for the save of the second');
    await webhooks.stop();
    assert.equal(commits, 1, 'ten results, one commit');
    assert.equal(pendingDeliveries((await store.get(accountId))!.webhookDeliveries).size, 0);
  });

  it('keeps going when the store cannot be read (the database away): the deliveries wait for the next look', async () => {
    const { webhooks, answers, store, accountId } = await senderWith(3);
    const warnings: string[] = [];
    (webhooks as unknown as { options: { log: (e: { message: string }) => void } }).options.log = (entry) => warnings.push(entry.message);
    const get = store.get.bind(store);
    store.get = async () => {
      throw new Error('storage_unavailable');
    };
    const ids = [...(await get(accountId))!.webhookDeliveries.keys()];
    webhooks.kick({ accountId, ids });
    await webhooks.sweep();
    await settle();
    assert.equal(answers.length, 0, 'nothing sent while the store is away');
    assert.ok(warnings.some((w) => w.includes('storage_unavailable')), 'said why');
    store.get = get;
    await webhooks.sweep();
    await settle();
    assert.equal(answers.length, 3, 'sent once the store is back');
    for (const answer of answers) answer();
    await webhooks.stop();
  });
});
