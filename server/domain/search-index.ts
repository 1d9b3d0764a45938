/**
 * The users search (`GET /users?q=`) without a scan of every user: a trigram index over the text
 * the search matches (name, email and qualification, lowercased), kept per users map and carried
 * forward as changes commit (see `derived` in users-map.ts), so a search costs the users sharing
 * the query's rarest trigram, not the whole account.
 *
 * The index only narrows: every candidate is checked with the very test the scan makes
 * (`searchText(user).includes(q)`), so it answers exactly what the scan answers, with the same case
 * folding (String.prototype.toLowerCase of the same text). Its posting lists only grow between
 * rebuilds (an edit adds the new text's trigrams and leaves the old ones): a stale entry is
 * refused by the check, and every map along the line of changes finds each of its users.
 */
import type { UserRecord } from './state.js';
import { derived, type Users } from './users-map.js';

/** Characters (UTF-16 code units) per indexed gram; a shorter query is answered by a scan. */
export const GRAM = 3;

const texts = new WeakMap<UserRecord, string>();

/** What a search matches in a user, as the search compares it: name, email and qualification, lowercased. */
export function searchText(user: UserRecord): string {
  let text = texts.get(user);
  if (text === undefined) {
    text = `${user.firstName} ${user.lastName}\n${user.email}\n${user.qualification}`.toLowerCase();
    texts.set(user, text);
  }
  return text;
}

/** The search of the list as a scan would make it: the query trimmed and lowercased ('' searches nothing). */
export function searchQuery(q: string | undefined): string {
  return q?.trim().toLowerCase() ?? '';
}

export interface SearchIndex {
  /** Gram → ids of users whose text has (or had, since the last rebuild) it; an id at most once in a row. */
  grams: Map<string, string[]>;
  /** Entries added by edits since the build, and entries at the build: past half stale, it is rebuilt. */
  added: number;
  built: number;
}

function addText(index: SearchIndex, id: string, text: string, except?: string): number {
  let added = 0;
  for (let i = 0; i + GRAM <= text.length; i++) {
    const gram = text.slice(i, i + GRAM);
    if (except?.includes(gram)) continue;
    const ids = index.grams.get(gram);
    if (!ids) {
      index.grams.set(gram, [id]);
      added++;
    } else if (ids[ids.length - 1] !== id) {
      ids.push(id);
      added++;
    }
  }
  return added;
}

/** The index of a users map: built once, then stepped by each change (a user added or edited). */
export const searchIndex = derived<UserRecord, SearchIndex>(
  (users) => {
    const index: SearchIndex = { grams: new Map(), added: 0, built: 0 };
    for (const user of users.values()) index.built += addText(index, user.id, searchText(user));
    return index;
  },
  (index, id, before, after) => {
    if (!after) return index; // a removed user is refused by the check
    const text = searchText(after);
    const old = before ? searchText(before) : undefined;
    if (text === old) return index;
    index.added += addText(index, id, text, old);
    return index.added > index.built / 2 + 1000 ? undefined : index;
  },
);

/**
 * The users of `users` whose search text contains `q` (trimmed and lowercased already, as
 * `searchQuery` makes it), in no particular order; undefined when `q` is too short to use the
 * index (the caller scans).
 */
export function searchUsers(users: Users, q: string): UserRecord[] | undefined {
  if (q.length < GRAM) return undefined;
  const { grams } = searchIndex(users);
  let rarest: string[] | undefined;
  for (let i = 0; i + GRAM <= q.length; i++) {
    const ids = grams.get(q.slice(i, i + GRAM));
    if (!ids) return [];
    if (!rarest || ids.length < rarest.length) rarest = ids;
  }
  const found: UserRecord[] = [];
  const seen = new Set<string>();
  for (const id of rarest!) {
    if (seen.has(id)) continue;
    seen.add(id);
    const user = users.get(id);
    if (user && searchText(user).includes(q)) found.push(user);
  }
  return found;
}
