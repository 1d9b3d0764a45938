/** Lists: opaque cursors (which list, and where the last page ended), page sizes, pages of logs. */
import type { TypedResponse } from 'hono';
import { LIMITS } from '../../sdk/limits.js';
import type { AuditEvent, PageBody } from '../../sdk/types.js';
import { ApiError } from '../errors.js';
import type { Ctx } from './context.js';

/** Answers JSON serialised already (a cached page), typed as the route's JSON answer. */
export function jsonText<T>(text: string): TypedResponse<T, 200, 'json'> {
  return new Response(text, { status: 200, headers: { 'Content-Type': 'application/json' } }) as unknown as TypedResponse<T, 200, 'json'>;
}

interface Cursor {
  /** The list it belongs to (and its sort). */
  list: string;
  /** Position, or sort key and id, of the last item of the previous page. */
  after: [string | number | null, string] | number;
}

/** base64url of the cursor's JSON as UTF-8 (a sort key may be any text: a name in Greek). */
export function encodeCursor(cursor: Cursor): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(JSON.stringify(cursor))) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeCursor(raw: string | undefined, scope: string): Cursor['after'] | undefined {
  if (raw === undefined) return undefined;
  let cursor: unknown;
  try {
    const binary = atob(raw.replace(/-/g, '+').replace(/_/g, '/'));
    cursor = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0))));
  } catch {
    throw badCursor();
  }
  if (typeof cursor !== 'object' || cursor === null || (cursor as Cursor).list !== scope) throw badCursor();
  const after = (cursor as Cursor).after;
  const validKey =
    (typeof after === 'number' && Number.isInteger(after) && after >= 0) ||
    (Array.isArray(after) && after.length === 2 && typeof after[1] === 'string' && (after[0] === null || ['string', 'number'].includes(typeof after[0])));
  if (!validKey) throw badCursor();
  return after;
}

export function pageLimit(raw: string | undefined): number {
  return raw === undefined ? LIMITS.pageSizeDefault : Number(raw);
}

/** A page of an append-only list, newest first; the cursor is the position of the last item given. */
export function pageNewestFirst<T>(log: readonly T[], query: { limit?: string; cursor?: string }, scope: string): PageBody<T> {
  const limit = pageLimit(query.limit);
  const position = decodeCursor(query.cursor, scope);
  if (position !== undefined && typeof position !== 'number') throw badCursor();
  const end = Math.min(position ?? log.length, log.length);
  const start = Math.max(0, end - limit);
  const data = log.slice(start, end).reverse();
  return { data, total: log.length, nextCursor: start > 0 ? encodeCursor({ list: scope, after: start }) : null };
}

export function badCursor(): ApiError {
  return new ApiError('validation_failed', 'The cursor is not valid for this list.', { errors: { cursor: 'Not a valid cursor' } });
}

/** A page of the account's audit log, or of one user's history, read from the store (newest first). */
export async function eventPage(c: Ctx, accountId: string, query: { limit?: string; cursor?: string }, userId?: string): Promise<PageBody<AuditEvent>> {
  const scope = userId === undefined ? 'events' : `history:${userId}`;
  const before = decodeCursor(query.cursor, scope);
  if (before !== undefined && typeof before !== 'number') throw badCursor();
  const page = await c.get('deps').store.events(accountId, { userId, before, limit: pageLimit(query.limit) });
  return { data: page.data, total: page.total, nextCursor: page.next === null ? null : encodeCursor({ list: scope, after: page.next }) };
}
