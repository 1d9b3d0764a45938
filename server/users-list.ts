/** Search, filter, sort and keyset pagination of an account's users (`GET /users`). */
import type { PageBody, User, UserListParams, UserSortKey } from '../sdk/types.js';
import type { AccountDoc, UserRecord } from './domain/state.js';
import type { Users } from './domain/users-map.js';
import { isInactive } from './domain/reclaim.js';
import { searchQuery, searchText, searchUsers } from './domain/search-index.js';
import { findUserByEmail, findUserByExternalId } from './domain/users.js';
import { toUser } from './domain/views.js';
import { badCursor, decodeCursor, encodeCursor, pageLimit } from './http/paging.js';

type Key = string | number | null;

const ROLE_RANK = { owner: 0, admin: 1, member: 2 } as const;
const STATUS_RANK = { enabled: 0, invited: 1, disabled: 2 } as const;

const SORT_KEYS: Record<UserSortKey, (u: UserRecord) => Key> = {
  name: (u) => `${u.firstName} ${u.lastName}`.toLowerCase(),
  email: (u) => u.email.toLowerCase(),
  role: (u) => ROLE_RANK[u.role],
  status: (u) => STATUS_RANK[u.status],
  lastActiveAt: (u) => u.lastActiveAt,
  createdAt: (u) => u.createdAt,
};

/** Orders (key, id) pairs; nulls (never active) come last in either direction; id breaks ties. */
function comparator(descending: boolean) {
  const dir = descending ? -1 : 1;
  return (a: [Key, string], b: [Key, string]): number => {
    if (a[0] !== b[0]) {
      if (a[0] === null) return 1;
      if (b[0] === null) return -1;
      return (a[0] < b[0] ? -1 : 1) * dir;
    }
    return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
  };
}

/** A user in a sorted list: the sort key, the id, the record, and its lowercased name, email and qualification. */
type Row = [key: Key, id: string, user: UserRecord, text: string];
/** The places in a row: its sort key, the user's id, the user, and the text a search looks in. */
const KEY = 0;
const ID = 1;
const USER = 2;

/** Position of each user in a sorted list (to put the users a search found in the list's order). */
const positions = new WeakMap<Row[], Map<string, number>>();

function positionsOf(rows: Row[]): Map<string, number> {
  let byId = positions.get(rows);
  if (!byId) {
    byId = new Map();
    for (let i = 0; i < rows.length; i++) byId.set(rows[i]![ID], i);
    positions.set(rows, byId);
  }
  return byId;
}

/**
 * Every user in the order of a sort, kept per users Map (documents are immutable, so a Map never
 * changes): paging the same state costs a binary search and a slice, not a sort of every user.
 */
const sortedCache = new WeakMap<Users, Map<string, Row[]>>();

function sortedRows(users: Users, sort: string, keyOf: (u: UserRecord) => Key, compare: (a: [Key, string], b: [Key, string]) => number): Row[] {
  let bySort = sortedCache.get(users);
  if (!bySort) sortedCache.set(users, (bySort = new Map()));
  let rows = bySort.get(sort);
  if (!rows) {
    rows = [];
    for (const u of users.values()) rows.push([keyOf(u), u.id, u, searchText(u)]);
    rows.sort((a, b) => compare([a[KEY], a[ID]], [b[KEY], b[ID]]));
    bySort.set(sort, rows);
  }
  return rows;
}

/**
 * The rows that pass a search and filters, kept for the last few filters of each sorted state:
 * the next pages of a search, and the same search by several admins, do not scan every user again.
 */
const filteredCache = new WeakMap<Row[], Map<string, Row[]>>();
const FILTERS_KEPT = 16;

function filteredRows(rows: Row[], status: string | undefined, role: string | undefined, q: string | undefined, users?: Users): Row[] {
  let byFilter = filteredCache.get(rows);
  if (!byFilter) filteredCache.set(rows, (byFilter = new Map()));
  const key = `${status ?? ''}\n${role ?? ''}\n${q ?? ''}`;
  let kept = byFilter.get(key);
  if (!kept) {
    // A search of the whole list: the users the index finds, put in the list's order.
    const found = q && users ? searchUsers(users, q) : undefined;
    if (found) {
      const at = positionsOf(rows);
      const places = found.map((u) => at.get(u.id)!).sort((a, b) => a - b);
      kept = [];
      for (const i of places) {
        const row = rows[i]!;
        if ((!status || row[USER].status === status) && (!role || row[USER].role === role)) kept.push(row);
      }
    } else {
      kept = rows.filter(([, , u, text]) => (!status || u.status === status) && (!role || u.role === role) && (!q || text.includes(q)));
    }
    if (byFilter.size >= FILTERS_KEPT) byFilter.delete(byFilter.keys().next().value!);
    byFilter.set(key, kept);
  }
  return kept;
}

/**
 * A page as JSON, kept per state and query: the same page of the same state (every admin opening
 * the list, paging back) is not serialised again. Bounded per sorted state.
 */
const pageCache = new WeakMap<Users, Map<string, string>>();
const PAGES_KEPT = 64;

/** The list's query as it arrives (numbers as text). */
export type UserListQuery = Omit<UserListParams, 'limit' | 'inactiveDays'> & { limit?: string; inactiveDays?: string };

export function listUsersJson(doc: AccountDoc, params: UserListQuery, now: Date): string {
  let pages = pageCache.get(doc.users);
  if (!pages) pageCache.set(doc.users, (pages = new Map()));
  // Who is inactive moves with time (a minute at a time, like lastActiveAt).
  const minute = params.inactiveDays === undefined ? null : Math.floor(now.getTime() / 60_000);
  const key = JSON.stringify([params.q, params.status, params.role, params.sort, params.limit, params.cursor, params.externalId, params.email, params.inactiveDays, minute]);
  let json = pages.get(key);
  if (json === undefined) {
    json = JSON.stringify(listUsers(doc, params, now));
    if (pages.size >= PAGES_KEPT) pages.delete(pages.keys().next().value!);
    pages.set(key, json);
  }
  return json;
}

/** The rows of the users that pass the query's filters, in the order of its sort. */
function matchingRows(doc: AccountDoc, params: Omit<UserListQuery, 'limit' | 'cursor'>, now: Date, sort: string, compare: ReturnType<typeof comparator>): Row[] {
  const descending = sort.startsWith('-');
  const keyOf = SORT_KEYS[(descending ? sort.slice(1) : sort) as UserSortKey];
  const q = searchQuery(params.q);
  let rows = sortedRows(doc.users, sort, keyOf, compare);
  const whole = rows;
  if (params.externalId !== undefined || params.email !== undefined) {
    // Exact filters name one user at most: its row, if it passes them all.
    const byExternalId = params.externalId === undefined ? undefined : findUserByExternalId(doc, params.externalId);
    const byEmail = params.email === undefined ? undefined : findUserByEmail(doc, params.email);
    const user = params.externalId !== undefined && params.email !== undefined ? (byExternalId === byEmail ? byExternalId : undefined) : (byExternalId ?? byEmail);
    rows = user ? rows.filter(([, id]) => id === user.id) : [];
  }
  if (params.status || params.role || q) rows = filteredRows(rows, params.status, params.role, q, rows === whole ? doc.users : undefined);
  if (params.inactiveDays !== undefined) {
    const days = Number(params.inactiveDays);
    rows = rows.filter(([, , user]) => isInactive(user, now, days));
  }
  return rows;
}

/** Every user the query's filters pass, in its sort's order (the CSV export): the records, not a copy of them. */
export function matchingUsers(doc: AccountDoc, params: Omit<UserListQuery, 'limit' | 'cursor'>, now: Date): UserRecord[] {
  const sort = params.sort ?? 'name';
  return matchingRows(doc, params, now, sort, comparator(sort.startsWith('-'))).map(([, , user]) => user);
}

export function listUsers(doc: AccountDoc, params: UserListQuery, now: Date): PageBody<User> {
  const sort = params.sort ?? 'name';
  const limit = pageLimit(params.limit);
  const after = decodeCursor(params.cursor, `users:${sort}`);
  if (typeof after === 'number') throw badCursor();
  const compare = comparator(sort.startsWith('-'));
  const rows = matchingRows(doc, params, now, sort, compare);
  let start = 0;
  if (after) {
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare([rows[mid]![KEY], rows[mid]![ID]], after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const slice = rows.slice(start, start + limit);
  const last = slice.at(-1);
  const more = start + limit < rows.length;
  return {
    data: slice.map((row) => toUser(row[USER])),
    total: rows.length,
    nextCursor: more && last ? encodeCursor({ list: `users:${sort}`, after: [last[KEY], last[ID]] }) : null,
  };
}
