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
 * A value derived from all users, computed once per map: by `step` from the value of the map it
 * was made from (walking back along the maps `withUser` made, as far as one whose value is known),
 * or from scratch when there is none (or `step` cannot tell).
 */
export function derived<T>(
  compute: (users: Users) => T,
  step: (previous: T, before: UserRecord | undefined, after: UserRecord, users: Users) => T | undefined,
): (users: Users) => T {
  const cache = new WeakMap<Users, T>();
  return (users: Users): T => {
    if (cache.has(users)) return cache.get(users)!;
    const chain: Users[] = [];
    let map = users;
    while (!cache.has(map) && chain.length < 1000) {
      const from = derivations.get(map);
      if (!from) break;
      chain.push(map);
      map = from.parent;
    }
    let value: T;
    if (cache.has(map)) {
      value = cache.get(map)!;
    } else {
      value = compute(map);
      cache.set(map, value);
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const next = chain[i]!;
      const { parent, id } = derivations.get(next)!;
      value = step(value, parent.get(id), next.get(id)!, next) ?? compute(next);
      cache.set(next, value);
    }
    return value;
  };
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
