import type { AuditEvent } from '../../sdk/types.js';
import { usersOf } from '../domain/users-map.js';
import type { AccountDoc, Outcome, UserRecord } from '../domain/state.js';
import { ApiError } from '../errors.js';
import { reindexTokens, tokenHashes, type Store } from './types.js';

/** A MemoryStore's content as plain JSON (users as an array of records: a Map does not serialise). */
export interface MemorySnapshot {
  accounts: (Omit<AccountDoc, 'users'> & { users: UserRecord[] })[];
  events: [accountId: string, events: AuditEvent[]][];
}

/** Keeps everything in memory: tests, the in-browser demo, and a base for durable stores. */
export class MemoryStore implements Store {
  readonly #docs = new Map<string, AccountDoc>();
  readonly #events = new Map<string, AuditEvent[]>();
  readonly #tokens = new Map<string, string>();
  readonly #queues = new Map<string, Promise<unknown>>();

  async create(doc: AccountDoc, events: readonly AuditEvent[]): Promise<void> {
    if (this.#docs.has(doc.id)) throw new Error(`account ${doc.id} exists`);
    this.#commit(undefined, doc, events);
  }

  async get(accountId: string): Promise<AccountDoc | undefined> {
    return this.#docs.get(accountId);
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

  async events(accountId: string): Promise<readonly AuditEvent[]> {
    return this.#events.get(accountId) ?? [];
  }

  async findTokenAccount(tokenHash: string): Promise<string | undefined> {
    return this.#tokens.get(tokenHash);
  }

  async close(): Promise<void> {
    await Promise.all(this.#queues.values());
  }

  /** Everything kept, as JSON-serialisable data (the in-browser demo saves it in localStorage). */
  snapshot(): MemorySnapshot {
    return {
      accounts: [...this.#docs.values()].map((doc) => ({ ...doc, users: [...doc.users.values()] })),
      events: [...this.#events].map(([accountId, events]) => [accountId, [...events]]),
    };
  }

  /** A store holding what `snapshot()` returned. */
  static restore(snapshot: MemorySnapshot): MemoryStore {
    const store = new MemoryStore();
    const events = new Map(snapshot.events);
    for (const { users, ...rest } of snapshot.accounts) {
      const doc: AccountDoc = { ...rest, users: usersOf(users) };
      store.#commit(undefined, doc, events.get(doc.id) ?? []);
    }
    return store;
  }

  #commit(before: AccountDoc | undefined, after: AccountDoc, events: readonly AuditEvent[]): void {
    if (before !== after) {
      if (before) reindexTokens(this.#tokens, before, after);
      else for (const hash of tokenHashes(after)) this.#tokens.set(hash, after.id);
      this.#docs.set(after.id, after);
    }
    if (events.length > 0) {
      const log = this.#events.get(after.id) ?? [];
      log.push(...events);
      this.#events.set(after.id, log);
    }
  }
}
