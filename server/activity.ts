/**
 * When people were last active (their authenticated requests, the host's entitlement checks), kept
 * without a write per request: a user's activity is stamped at most once a minute, collected in
 * memory and committed within a second, one change per account for everyone active meanwhile. A
 * crash can lose the last second of activity, never a change.
 */
import type { AccountDoc, UserRecord } from './domain/state.js';
import { touchUser } from './domain/users.js';
import type { Store } from './store/types.js';

/** `lastActiveAt` moves in steps of this much (a burst of requests writes once). */
export const ACTIVITY_RESOLUTION_MS = 60_000;

/** Users whose activity one commit records at most. */
const FLUSH_USERS = 250;

export class ActivityRecorder {
  /** Account id → user id → when (the account's time). */
  #pending = new Map<string, Map<string, Date>>();

  constructor(private readonly store: Store) {}

  /** Notes that `user` was active at `at` (the account's time); nothing when it was noted less than a minute before. */
  record(doc: AccountDoc, user: UserRecord, at: Date): void {
    if (user.lastActiveAt && at.getTime() - Date.parse(user.lastActiveAt) < ACTIVITY_RESOLUTION_MS) return;
    let users = this.#pending.get(doc.id);
    if (!users) this.#pending.set(doc.id, (users = new Map()));
    users.set(user.id, at);
  }

  /** Commits what was noted, one change per account. */
  async flush(): Promise<void> {
    const pending = this.#pending;
    this.#pending = new Map();
    for (const [accountId, users] of pending) {
      // In commits of at most FLUSH_USERS users: a host checking thousands of people in a second
      // makes several short commits rather than one that holds the account (and the event loop)
      // for tens of milliseconds.
      const entries = [...users];
      for (let i = 0; i < entries.length; i += FLUSH_USERS) {
        const part = entries.slice(i, i + FLUSH_USERS);
        await this.store.transact(accountId, (doc) => {
          let next = doc;
          for (const [userId, at] of part) next = touchUser(next, userId, at, ACTIVITY_RESOLUTION_MS);
          return { doc: next, events: [], result: undefined };
        });
      }
    }
  }
}
