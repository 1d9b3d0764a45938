/** Users' ETags: the header on answers, and `If-Match` on edits. */
import type { AccountDoc, UserRecord } from '../domain/state.js';
import { licenseCounts, toUser } from '../domain/views.js';
import { ApiError } from '../errors.js';
import type { Ctx } from './context.js';

/** `ETag` of a user: its version, strong. */
export function etag(user: { version: number }): string {
  return `"${user.version}"`;
}

/** Answers `{ user, licenses }` for a user mutation, with the user's ETag. */
export function userResult<S extends 200 | 201 = 200>(c: Ctx, user: UserRecord, doc: AccountDoc, status: S = 200 as S) {
  c.header('ETag', etag(user));
  return c.json({ user: toUser(user), licenses: licenseCounts(doc) }, status);
}

/** The version an `If-Match` header asks for: 428 when missing; a list may name several. */
export function parseIfMatch(c: Ctx, current: number): number | '*' {
  const header = c.req.header('If-Match');
  if (header === undefined || header.trim() === '') throw new ApiError('precondition_required', 'Send If-Match with the ETag of the user you edit.');
  const tags = header.split(',').map((t) => t.trim());
  if (tags.includes('*')) return '*';
  return tags.includes(etag({ version: current })) ? current : -1;
}
