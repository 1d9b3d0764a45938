/**
 * The store the app works with. Whoever commits audit events (a route, a renewal settled on read,
 * a test-clock advance, the reclaim timer, account creation), the same commit also records what
 * follows from them: the day's usage, and the webhook messages of the endpoints that want them.
 * Everything else is the underlying store's.
 */
import type { AuditEvent } from '../sdk/types.js';
import type { Clock } from './config.js';
import type { AccountDoc, Outcome } from './domain/state.js';
import { withUsage } from './domain/usage.js';
import { changedKeys } from './domain/users-map.js';
import type { EventPage, EventQuery, Store } from './store/types.js';
import type { WebhookEndpointRecord } from './webhooks/endpoints.js';
import { withWebhookMessages } from './webhooks/messages.js';
import { webhookId, type Webhooks } from './webhooks/service.js';

export class AppStore implements Store {
  constructor(
    private readonly inner: Store,
    private readonly webhooks: Webhooks,
    private readonly clock: Clock,
  ) {}

  get changes() {
    return this.inner.changes;
  }

  async create(doc: AccountDoc, events: readonly AuditEvent[]): Promise<void> {
    const withMessages = withWebhookMessages(withUsage(undefined, doc, events), events, await this.webhooks.endpoints(), this.clock.now(), webhookId);
    await this.inner.create(withMessages, events);
    if (withMessages.webhookMessages !== doc.webhookMessages) this.webhooks.kick();
  }

  async transact<T>(accountId: string, fn: (doc: AccountDoc) => Outcome<T> | Promise<Outcome<T>>): Promise<Outcome<T>> {
    const endpoints: readonly WebhookEndpointRecord[] = await this.webhooks.endpoints();
    let made: string[] | undefined | null = null;
    const outcome = await this.inner.transact(accountId, async (doc) => {
      const done = await fn(doc);
      if (done.events.length === 0) return done;
      const withMessages = withWebhookMessages(withUsage(doc, done.doc, done.events), done.events, endpoints, this.clock.now(), webhookId);
      // The deliveries it made (unknown past a few thousand: then the sender looks for them).
      made = withMessages.webhookDeliveries === done.doc.webhookDeliveries ? null : changedKeys(done.doc.webhookDeliveries, withMessages.webhookDeliveries);
      return { ...done, doc: withMessages };
    });
    if (made !== null) this.webhooks.kick(made && { accountId, ids: made });
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

  get lease() {
    return this.inner.lease?.bind(this.inner);
  }

  get limiter() {
    return this.inner.limiter?.bind(this.inner);
  }

  get ready() {
    return this.inner.ready?.bind(this.inner);
  }
}
