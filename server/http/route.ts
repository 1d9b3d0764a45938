/**
 * Who may call a route, declared once: the OpenAPI `security` the document shows and the
 * middleware that enforces it always come together. Spread into `createRoute({ ... })`.
 */
import type { MiddlewareHandler } from 'hono';
import type { Permission } from '../../sdk/types.js';
import { accountSecurity, apiKeySecurity } from '../openapi.js';
import { apiKeyAuth, requireApiKey, sessionAuth } from './auth.js';
import type { Env } from './context.js';

/** A route of one account: a session of the account (with `permission`, when given) or the API key. */
export function forAccount(permission?: Permission) {
  return { security: accountSecurity, middleware: [sessionAuth(permission ? { permission } : {})] as [MiddlewareHandler<Env>] };
}

const hostOnly: MiddlewareHandler<Env> = async (c, next) => {
  requireApiKey(c);
  await next();
};

/** A route of one account for the host's back end only: the API key (a session of the account: 403). */
export function forHost() {
  return { security: apiKeySecurity, middleware: [sessionAuth(), hostOnly] as [MiddlewareHandler<Env>, MiddlewareHandler<Env>] };
}

/** A server-wide route for the host's back end: the API key. */
export function forServer() {
  return { security: apiKeySecurity, middleware: [apiKeyAuth] as [MiddlewareHandler<Env>] };
}
