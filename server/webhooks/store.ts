/**
 * The store the app works with: every commit that makes audit events also gets their webhook
 * messages (one per event an endpoint wants), in the same commit, whoever commits it (a route, a
 * renewal settled on read, a test-clock advance, account creation). Everything else is the store's.
 */
import type { AuditEvent } from '../../sdk/types.js';
import type { Clock } from '../config.js';
import type { AccountDoc, Outcome } from '../domain/state.js';
import type { EventPage, EventQuery, Store } from '../store/types.js';
import type { WebhookEndpointRecord } from './endpoints.js';
import { withWebhookMessages } from './messages.js';
import { webhookId, type Webhooks } from './service.js';

export class StoreWithWebhooks implements Store {
  constructor(
    private readonly inner: Store,
    private readonly webhooks: Webhooks,
    private readonly clock: Clock,
  ) {}

  get changes() {
    return this.inner.changes;
  }

  async create(doc: AccountDoc, events: readonly AuditEvent[]): Promise<void> {
    const withMessages = withWebhookMessages(doc, events, await this.webhooks.endpoints(), this.clock.now(), webhookId);
    await this.inner.create(withMessages, events);
    if (withMessages !== doc) this.webhooks.kick();
  }

  async transact<T>(accountId: string, fn: (doc: AccountDoc) => Outcome<T> | Promise<Outcome<T>>): Promise<Outcome<T>> {
    const endpoints: readonly WebhookEndpointRecord[] = await this.webhooks.endpoints();
    let made = false;
    const outcome = await this.inner.transact(accountId, async (doc) => {
      const done = await fn(doc);
      if (done.events.length === 0) return done;
      const withMessages = withWebhookMessages(done.doc, done.events, endpoints, this.clock.now(), webhookId);
      made = withMessages !== done.doc;
      return { ...done, doc: withMessages };
    });
    if (made) this.webhooks.kick();
    return outcome;
  }

  get(accountId: string): Promise<AccountDoc | undefined> {
    return this.inner.get(accountId);
  }

  events(accountId: string, query: EventQuery): Promise<EventPage> {
    return this.inner.events(accountId, query);
  }

  findTokenAccount(tokenHash: string): Promise<string | undefined> {
    return this.inner.findTokenAccount(tokenHash);
  }

  accountIds(): Promise<string[]> {
    return this.inner.accountIds();
  }

  webhookEndpoints(): Promise<WebhookEndpointRecord[]> {
    return this.webhooks.endpoints();
  }

  saveWebhookEndpoint(endpoint: WebhookEndpointRecord): Promise<void> {
    return this.webhooks.save(endpoint);
  }

  removeWebhookEndpoint(id: string): Promise<void> {
    return this.webhooks.remove(id);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
