import type { AuditEvent } from '../../sdk/types.js';
import type { AccountDoc, Outcome } from '../domain/state.js';
import { ApiError } from '../errors.js';
import { ChangeFeed, changeOf } from './changes.js';
import { EventIndex } from './event-index.js';
import { decodeDoc, encodeDoc, type StoredDoc } from './records.js';
import type { WebhookEndpointRecord } from '../webhooks/endpoints.js';
import { reindexTokens, tokenHashes, type EventPage, type EventQuery, type Store } from './types.js';

/** A MemoryStore's content as plain JSON (the in-browser demo keeps it in localStorage). */
export interface MemorySnapshot {
  accounts: StoredDoc[];
  events: [accountId: string, events: AuditEvent[]][];
  webhookEndpoints?: WebhookEndpointRecord[];
}

interface AuditLog {
  events: AuditEvent[];
  index: EventIndex;
}

/** Keeps everything in memory: tests, the in-browser demo, and a base for durable stores. */
export class MemoryStore implements Store {
  readonly #docs = new Map<string, AccountDoc>();
  readonly #logs = new Map<string, AuditLog>();
  readonly #tokens = new Map<string, string>();
  readonly #queues = new Map<string, Promise<unknown>>();
  /** Commits per account: its change sequence. */
  readonly #sequences = new Map<string, number>();
  readonly changes = new ChangeFeed();

  async create(doc: AccountDoc, events: readonly AuditEvent[]): Promise<void> {
    if (this.#docs.has(doc.id)) throw new Error(`account ${doc.id} exists`);
    this.#commit(undefined, doc, events);
  }

  async get(accountId: string): Promise<AccountDoc | undefined> {
    return this.#docs.get(accountId);
  }

  async accountIds(): Promise<string[]> {
    return [...this.#docs.keys()];
  }

  transact<T>(accountId: string, fn: (doc: AccountDoc) => Outcome<T> | Promise<Outcome<T>>): Promise<Outcome<T>> {
    const previous = this.#queues.get(accountId) ?? Promise.resolve();
    const run = previous.then(async () => {
      const doc = this.#docs.get(accountId);
      if (!doc) throw new ApiError('not_found', 'No such account.');
      const outcome = await fn(doc);
      this.#commit(doc, outcome.doc, outcome.events);
      return outcome;
    });
    const settled = run.catch(() => undefined);
    this.#queues.set(accountId, settled);
    void settled.then(() => {
      if (this.#queues.get(accountId) === settled) this.#queues.delete(accountId);
    });
    return run;
  }

  async events(accountId: string, query: EventQuery): Promise<EventPage> {
    const log = this.#logs.get(accountId);
    if (!log) return { data: [], total: 0, next: null };
    const { positions, total, next } = log.index.page(query);
    return { data: positions.map((p) => log.events[p]!), total, next };
  }

  async findTokenAccount(tokenHash: string): Promise<string | undefined> {
    return this.#tokens.get(tokenHash);
  }

  async close(): Promise<void> {
    await Promise.all(this.#queues.values());
  }

  readonly #endpoints = new Map<string, WebhookEndpointRecord>();

  async webhookEndpoints(): Promise<WebhookEndpointRecord[]> {
    return [...this.#endpoints.values()];
  }

  async saveWebhookEndpoint(endpoint: WebhookEndpointRecord): Promise<void> {
    this.#endpoints.set(endpoint.id, endpoint);
  }

  async removeWebhookEndpoint(id: string): Promise<void> {
    this.#endpoints.delete(id);
  }

  /** Everything kept, as JSON-serialisable data (the in-browser demo saves it in localStorage). */
  snapshot(): MemorySnapshot {
    return {
      accounts: [...this.#docs.values()].map(encodeDoc),
      events: [...this.#logs].map(([accountId, log]) => [accountId, [...log.events]]),
      webhookEndpoints: [...this.#endpoints.values()],
    };
  }

  /** A store holding what `snapshot()` returned. */
  static restore(snapshot: MemorySnapshot): MemoryStore {
    const store = new MemoryStore();
    const events = new Map(snapshot.events);
    for (const stored of snapshot.accounts) {
      const doc = decodeDoc(stored);
      store.#commit(undefined, doc, events.get(doc.id) ?? []);
    }
    for (const endpoint of snapshot.webhookEndpoints ?? []) store.#endpoints.set(endpoint.id, endpoint);
    return store;
  }

  #commit(before: AccountDoc | undefined, after: AccountDoc, events: readonly AuditEvent[]): void {
    if (before === undefined) this.changes.start(after.id, 0);
    const sequence = (this.#sequences.get(after.id) ?? 0) + (before === after && events.length === 0 ? 0 : 1);
    this.#sequences.set(after.id, sequence);
    if (before !== after) {
      if (before) reindexTokens(this.#tokens, before, after);
      else for (const hash of tokenHashes(after)) this.#tokens.set(hash, after.id);
      this.#docs.set(after.id, after);
    }
    let log = this.#logs.get(after.id);
    if (!log) this.#logs.set(after.id, (log = { events: [], index: new EventIndex() }));
    for (const event of events) {
      log.events.push(event);
      log.index.add(event.userIds);
    }
    this.changes.publish(changeOf(after, sequence, events));
  }
}
