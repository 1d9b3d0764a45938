/**
 * The users of an account: a persistent (immutable, structurally shared) map from Immutable.js,
 * so a change costs O(log n) instead of a copy of every user, and each state stays a cheap
 * snapshot. Values derived from all users (license counts, the next invitation to expire, the
 * email index) are cached per map and carried forward from the map a change was made from.
 */
import { Map as ImmutableMap } from 'immutable';
import { normalizeEmail } from '../../sdk/limits.js';
import type { UserRecord } from './state.js';

export type Users = ImmutableMap<string, UserRecord>;

export function usersOf(records: Iterable<UserRecord>): Users {
  return ImmutableMap<string, UserRecord>().withMutations((map) => {
    for (const user of records) map.set(user.id, user);
  });
}

/** How a map was made from another by `withUser`. */
const derivations = new WeakMap<Users, { parent: Users; id: string }>();

/** `users` with one user set; the new map remembers where it came from. */
export function withUser(users: Users, user: UserRecord): Users {
  const next = users.set(user.id, user);
  derivations.set(next, { parent: users, id: user.id });
  return next;
}

/**
 * The ids of the users `after` changed from `before`, when `after` was made from `before` by
 * `withUser` (a few steps at most); undefined when unknown (the caller compares every user).
 */
export function changedUserIds(before: Users, after: Users): string[] | undefined {
  const ids: string[] = [];
  for (let map = after; map !== before; ) {
    const step = derivations.get(map);
    if (!step || ids.length >= 64) return undefined;
    ids.push(step.id);
    map = step.parent;
  }
  return ids;
}

/**
 * A value derived from all users, computed once per map: from scratch, or (when the map was made
 * from one whose value is known) by `step` from that value and the one user that changed.
 */
export function derived<T>(
  compute: (users: Users) => T,
  step: (previous: T, before: UserRecord | undefined, after: UserRecord, users: Users) => T | undefined,
): (users: Users) => T {
  const cache = new WeakMap<Users, T>();
  const get = (users: Users): T => {
    if (cache.has(users)) return cache.get(users)!;
    const from = derivations.get(users);
    const previous = from && cache.has(from.parent) ? cache.get(from.parent)! : undefined;
    const value =
      (from && previous !== undefined ? step(previous, from.parent.get(from.id), users.get(from.id)!, users) : undefined) ?? compute(users);
    cache.set(users, value);
    return value;
  };
  return get;
}

/** Normalised email → user id (emails never change and users are never deleted). */
export const emailIndex = derived(
  (users) => {
    const index = new Map<string, string>();
    for (const user of users.values()) index.set(normalizeEmail(user.email), user.id);
    return index;
  },
  // Shared along the line of maps (an id it names that a map lacks is checked by the caller).
  (index, before, after) => (before?.email === after.email ? index : index.set(normalizeEmail(after.email), after.id)),
);
