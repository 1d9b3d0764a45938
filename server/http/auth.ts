/** Who is asking: the server API key, or a session of the account (with the permission a route needs). */
import type { MiddlewareHandler } from 'hono';
import type { Permission } from '../../sdk/types.js';
import { timingSafeEqual } from '../crypto.js';
import { requirePermission } from '../domain/permissions.js';
import { ApiError, unauthorized } from '../errors.js';
import { accountNow, loadAccount } from './account.js';
import type { Ctx, Env } from './context.js';

/** The token of an `Authorization: Bearer …` header; undefined when absent or malformed. */
export function bearerToken(header: string | undefined): string | undefined {
  return header?.match(/^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/)?.[1];
}

const bearer = (c: Ctx) => bearerToken(c.req.header('Authorization'));

function isApiKey(c: Ctx, token: string): boolean {
  return timingSafeEqual(token, c.get('deps').config.apiKey);
}

/** Routes for host back ends: the server API key only. */
export const apiKeyAuth: MiddlewareHandler<Env> = async (c, next) => {
  const token = bearer(c);
  if (!token) throw unauthorized();
  if (!isApiKey(c, token)) {
    if (await sessionOf(c, token)) throw new ApiError('forbidden', 'This route needs the server API key, not a session token.');
    throw unauthorized();
  }
  c.set('viewer', null);
  c.set('sessionHash', null);
  c.set('permission', undefined);
  await next();
};

async function sessionOf(c: Ctx, token: string): Promise<{ accountId: string; hash: string } | undefined> {
  const hash = await c.get('deps').hash(token);
  const accountId = await c.get('deps').store.findTokenAccount(hash);
  return accountId ? { accountId, hash } : undefined;
}

/**
 * Routes of one account: a session token of that account (a session of another account answers
 * 404, like a missing account), which may need a permission; or the server API key, which has
 * every permission (its requests have no viewer, and their audit actor is `api_key`).
 */
export function sessionAuth(options: { permission?: Permission } = {}): MiddlewareHandler<Env> {
  return async (c, next) => {
    const accountId = c.req.param('accountId') ?? '';
    const token = bearer(c);
    if (!token) throw unauthorized();
    if (isApiKey(c, token)) {
      c.set('viewer', null);
      c.set('sessionHash', null);
      c.set('permission', undefined);
      c.set('account', await loadAccount(c, accountId));
      return next();
    }
    c.set('permission', options.permission);
    const found = await sessionOf(c, token);
    if (!found) throw unauthorized();
    const wall = c.get('deps').clock.now();
    const doc = await loadAccount(c, found.accountId);
    const session = doc.sessions.get(found.hash);
    const viewer = session && doc.users.get(session.userId);
    if (!session || !viewer || viewer.status !== 'enabled' || Date.parse(session.expiresAt) <= wall.getTime()) {
      throw unauthorized('Your session has ended. Sign in again.');
    }
    if (found.accountId !== accountId) throw new ApiError('not_found', 'No such account.');
    c.get('deps').activity.record(doc, viewer, accountNow(doc, c.get('deps').clock));
    c.set('viewer', viewer);
    c.set('sessionHash', found.hash);
    c.set('account', doc);
    if (options.permission) requirePermission(viewer, options.permission);
    await next();
  };
}

/** Routes of one account for host back ends only: the API key (a session of the account: 403). */
export function requireApiKey(c: Ctx): void {
  if (c.get('viewer')) throw new ApiError('forbidden', 'This route needs the server API key, not a session token.');
}

/** Refuses fields only the API key may set (a session that sends them: 403). */
export function apiKeyOnly(c: Ctx, body: object, fields: readonly string[]): void {
  if (!c.get('viewer')) return;
  const sent = fields.filter((field) => (body as Record<string, unknown>)[field] !== undefined);
  if (sent.length > 0) throw new ApiError('forbidden', `Only the server API key may set ${sent.join(', ')}.`);
}
