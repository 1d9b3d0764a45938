/**
 * The collections of an account (users, sessions) as persistent maps from Immutable.js: a change
 * costs O(log n) instead of a copy of every entry, and each state stays a cheap snapshot. Values
 * derived from a whole collection (license counts, the next invitation to expire, the email
 * index, sessions by user) are cached per map and carried forward from the map a change was made
 * from, so they cost O(changes), not O(entries), per request.
 */
import { Map as ImmutableMap, Set as ImmutableSet } from 'immutable';
import { normalizeEmail } from '../../sdk/limits.js';
import type { SessionRecord, UserRecord } from './state.js';

export type Users = ImmutableMap<string, UserRecord>;
export type Sessions = ImmutableMap<string, SessionRecord>;

export function usersOf(records: Iterable<UserRecord>): Users {
  return ImmutableMap<string, UserRecord>().withMutations((map) => {
    for (const user of records) map.set(user.id, user);
  });
}

export function sessionsOf(entries: Iterable<[string, SessionRecord]>): Sessions {
  return mapOf(entries);
}

export function mapOf<V>(entries: Iterable<[string, V]>): ImmutableMap<string, V> {
  return ImmutableMap<string, V>(entries);
}

/** How a map was made from another by `withEntry` or `withoutEntry`. */
const derivations = new WeakMap<ImmutableMap<string, unknown>, { parent: ImmutableMap<string, unknown>; key: string }>();

/** `map` with one entry set (or, with `undefined`, removed); the new map remembers where it came from. */
export function withEntry<V>(map: ImmutableMap<string, V>, key: string, value: V | undefined): ImmutableMap<string, V> {
  const next = value === undefined ? map.remove(key) : map.set(key, value);
  if (next !== map) derivations.set(next, { parent: map, key });
  return next;
}

export function withUser(users: Users, user: UserRecord): Users {
  return withEntry(users, user.id, user);
}

/** How far `changedKeys` walks back: a step costs a lookup, far less than comparing every entry. */
const STEPS_WALKED = 4096;

/**
 * The keys `after` changed from `before`, when `after` was made from `before` by `withEntry` (at
 * most STEPS_WALKED steps); undefined when unknown (the caller compares every entry).
 */
export function changedKeys<V>(before: ImmutableMap<string, V>, after: ImmutableMap<string, V>): string[] | undefined {
  const keys: string[] = [];
  for (let map = after; map !== before; ) {
    const step = derivations.get(map);
    if (!step || keys.length >= STEPS_WALKED) return undefined;
    keys.push(step.key);
    map = step.parent as ImmutableMap<string, V>;
  }
  return keys;
}

/**
 * A value derived from a whole map, computed once per map: by `step` from the value of the map it
 * was made from (walking back along the maps `withEntry` made, as far as one whose value is
 * known), or from scratch when there is none (or `step` cannot tell: it answers undefined, so a
 * value that may be absent is `null`, never undefined).
 */
export function derived<V, T>(
  compute: (map: ImmutableMap<string, V>) => T,
  step: (previous: T, key: string, before: V | undefined, after: V | undefined, map: ImmutableMap<string, V>) => T | undefined,
): (map: ImmutableMap<string, V>) => T {
  const cache = new WeakMap<ImmutableMap<string, V>, T>();
  return (map) => {
    if (cache.has(map)) return cache.get(map)!;
    const chain: ImmutableMap<string, V>[] = [];
    let known = map;
    while (!cache.has(known) && chain.length < 1000) {
      const from = derivations.get(known);
      if (!from) break;
      chain.push(known);
      known = from.parent as ImmutableMap<string, V>;
    }
    let value: T;
    if (cache.has(known)) {
      value = cache.get(known)!;
    } else {
      value = compute(known);
      cache.set(known, value);
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const next = chain[i]!;
      const { parent, key } = derivations.get(next)!;
      const stepped = step(value, key, (parent as ImmutableMap<string, V>).get(key), next.get(key), next);
      value = stepped === undefined ? compute(next) : stepped;
      cache.set(next, value);
    }
    return value;
  };
}

/** Normalised email → user id (emails never change and users are never deleted). */
export const emailIndex = derived<UserRecord, Map<string, string>>(
  (users) => {
    const index = new Map<string, string>();
    for (const user of users.values()) index.set(normalizeEmail(user.email), user.id);
    return index;
  },
  // Shared along the line of maps (an id it names that a map lacks is checked by the caller).
  (index, _id, before, after) => (!after || before?.email === after.email ? index : index.set(normalizeEmail(after.email), after.id)),
);

/** External id → user id (external ids change by an edit, and two users never share one). */
export const externalIdIndex = derived<UserRecord, ImmutableMap<string, string>>(
  (users) =>
    ImmutableMap<string, string>().withMutations((index) => {
      for (const user of users.values()) if (user.externalId !== null) index.set(user.externalId, user.id);
    }),
  (index, _id, before, after) => {
    if (before?.externalId === after?.externalId) return index;
    let next = index;
    if (before?.externalId != null && next.get(before.externalId) === before.id) next = next.remove(before.externalId);
    if (after?.externalId != null) next = next.set(after.externalId, after.id);
    return next;
  },
);

/** User id → the token hashes of that user's sessions. */
export const sessionsByUser = derived<SessionRecord, ImmutableMap<string, ImmutableSet<string>>>(
  (sessions) =>
    ImmutableMap<string, ImmutableSet<string>>().withMutations((index) => {
      for (const [hash, session] of sessions) index.update(session.userId, (set = ImmutableSet<string>()) => set.add(hash));
    }),
  (index, hash, before, after) => {
    let next = index;
    if (before) next = next.update(before.userId, (set) => set?.remove(hash) ?? ImmutableSet<string>());
    if (after) next = next.update(after.userId, (set = ImmutableSet<string>()) => set.add(hash));
    return next;
  },
);
