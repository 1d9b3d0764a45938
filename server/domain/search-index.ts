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
 * refused by the check, and every map along the line of changes (or a branch of it) finds each of
 * its users. Users are numbered in the index so the lists are sorted numbers, cheap to intersect.
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
  /** User id → its number in the index (given in the order users are first indexed, never reused). */
  ordinals: Map<string, number>;
  /** Number → user id. */
  ids: string[];
  /**
   * Gram (see `gramAt`) → numbers of users whose text has (or had, since the last rebuild) it, ascending, each
   * once: the lists of a query's grams are intersected before any user is looked at.
   */
  grams: Map<number, number[]>;
  /** Entries added by edits since the build, and entries at the build: past half stale, it is rebuilt. */
  added: number;
  built: number;
}

/** The gram of `text` at `i` as one number (three UTF-16 code units, 48 bits): a cheaper key than a string. */
function gramAt(text: string, i: number): number {
  return (text.charCodeAt(i) * 65536 + text.charCodeAt(i + 1)) * 65536 + text.charCodeAt(i + 2);
}

/** Inserts `n` into the ascending list `list` unless it is there; whether it was added. */
function insert(list: number[], n: number): boolean {
  const last = list[list.length - 1]!;
  if (n > last) {
    list.push(n);
    return true;
  }
  if (n === last) return false;
  let lo = 0;
  let hi = list.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < n) lo = mid + 1;
    else hi = mid;
  }
  if (list[lo] === n) return false;
  list.splice(lo, 0, n);
  return true;
}

function addText(index: SearchIndex, id: string, text: string, except?: string): number {
  let n = index.ordinals.get(id);
  if (n === undefined) {
    n = index.ids.length;
    index.ordinals.set(id, n);
    index.ids.push(id);
  }
  let added = 0;
  for (let i = 0; i + GRAM <= text.length; i++) {
    if (except?.includes(text.slice(i, i + GRAM))) continue;
    const gram = gramAt(text, i);
    const list = index.grams.get(gram);
    if (!list) {
      index.grams.set(gram, [n]);
      added++;
    } else if (insert(list, n)) {
      added++;
    }
  }
  return added;
}

/** The index of a users map: built once, then stepped by each change (a user added or edited). */
export const searchIndex = derived<UserRecord, SearchIndex>(
  (users) => {
    const index: SearchIndex = { ordinals: new Map(), ids: [], grams: new Map(), added: 0, built: 0 };
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

/** The numbers in both ascending lists (`small` the shorter). */
function intersect(small: number[], large: number[]): number[] {
  const out: number[] = [];
  if (large.length > small.length * 16) {
    // Far apart in size: look each up by bisection.
    let lo = 0;
    for (const n of small) {
      let hi = large.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (large[mid]! < n) lo = mid + 1;
        else hi = mid;
      }
      if (lo === large.length) break;
      if (large[lo] === n) out.push(n);
    }
    return out;
  }
  let j = 0;
  for (const n of small) {
    while (j < large.length && large[j]! < n) j++;
    if (j === large.length) break;
    if (large[j] === n) out.push(n);
  }
  return out;
}

/**
 * The users of `users` whose search text contains `q` (trimmed and lowercased already, as
 * `searchQuery` makes it), in no particular order; undefined when `q` is too short to use the
 * index (the caller scans).
 */
export function searchUsers(users: Users, q: string): UserRecord[] | undefined {
  if (q.length < GRAM) return undefined;
  const index = searchIndex(users);
  const lists: number[][] = [];
  for (let i = 0; i + GRAM <= q.length; i++) {
    const list = index.grams.get(gramAt(q, i));
    if (!list) return [];
    lists.push(list);
  }
  lists.sort((a, b) => a.length - b.length);
  let candidates = lists[0]!;
  for (let i = 1; i < lists.length && candidates.length > 8; i++) {
    if (lists[i] !== lists[i - 1]) candidates = intersect(candidates, lists[i]!);
  }
  const found: UserRecord[] = [];
  for (const n of candidates) {
    const user = users.get(index.ids[n]!);
    if (user && searchText(user).includes(q)) found.push(user);
  }
  return found;
}
