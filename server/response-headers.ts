/**
 * What every answer carries besides its body, set in one middleware after the route has answered:
 * the request id, CORS and the security headers. Set on the answer's own headers, after the route,
 * so an answer made from text keeps @hono/node-server's fast path (written in one call, no stream):
 * Hono's `cors` and `secureHeaders` touch the response before the route runs or through
 * `c.header` after it, and either way rebuild it as a stream (measured: a third of the cost of a
 * small answer). Preflight requests still go through Hono's `cors`.
 */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { Env } from './http/context.js';

/** The headers of `secureHeaders({ crossOriginResourcePolicy: 'cross-origin' })` (its defaults otherwise). */
export const SECURITY_HEADERS: readonly [string, string][] = [
  ['Cross-Origin-Resource-Policy', 'cross-origin'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'SAMEORIGIN'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
];

const ALLOW_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const ALLOW_HEADERS = ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key', 'X-Request-Id', 'Last-Event-ID'];
const EXPOSE_HEADERS = ['ETag', 'X-Request-Id', 'Retry-After', 'Idempotent-Replayed'];

/**
 * A request id: a random prefix per process and a counter. Unique across processes and restarts
 * (96 random bits), and no random bytes drawn per request; it is a label for logs, not a secret.
 */
export function requestIds(): () => string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  const prefix = `req_${btoa(binary).replace(/\+/g, '-').replace(/\//g, '_')}`;
  let counter = 0;
  return () => `${prefix}${(counter++).toString(36)}`;
}

/**
 * The CORS and security headers of an answer to a request from `origin` (its `Origin` header).
 * `Vary: Origin` is to be appended (a route may vary already), the others set.
 */
export function answerHeaders(corsOrigins: readonly string[]): (origin: string | undefined) => readonly [string, string][] {
  const anyOrigin = corsOrigins.includes('*');
  const expose: [string, string] = ['Access-Control-Expose-Headers', EXPOSE_HEADERS.join(',')];
  const fixed: [string, string][] = anyOrigin ? [['Access-Control-Allow-Origin', '*'], expose, ...SECURITY_HEADERS] : [expose, ['Vary', 'Origin'], ...SECURITY_HEADERS];
  // The same list each time for the same origin (the hot path keeps it flattened).
  const allowed = new Map(anyOrigin ? [] : corsOrigins.map((origin): [string, [string, string][]] => [origin, [['Access-Control-Allow-Origin', origin], ...fixed]]));
  return (origin) => (origin !== undefined && allowed.get(origin)) || fixed;
}

/**
 * Sets `requestId` and the app's dependencies on the context, answers preflights (CORS), and
 * adds the request id, CORS and security headers to every answer.
 */
export function responseHeaders(
  corsOrigins: readonly string[],
  nextId: () => string,
  before: (c: Parameters<MiddlewareHandler<Env>>[0]) => void,
): MiddlewareHandler<Env> {
  const preflight = cors({
    origin: corsOrigins.includes('*') ? '*' : [...corsOrigins],
    allowMethods: ALLOW_METHODS,
    allowHeaders: ALLOW_HEADERS,
    exposeHeaders: EXPOSE_HEADERS,
    maxAge: 600,
  });
  const headersFor = answerHeaders(corsOrigins);
  return async (c, next) => {
    const id = nextId();
    c.set('requestId', id);
    before(c);
    if (c.req.method === 'OPTIONS') {
      const answer = await preflight(c, next);
      if (answer) c.res = answer;
      c.res.headers.set('X-Request-Id', id);
      return;
    }
    await next();
    const headers = c.res.headers;
    for (const [name, value] of headersFor(c.req.header('Origin'))) {
      if (name === 'Vary') headers.append(name, value);
      else headers.set(name, value);
    }
    headers.delete('X-Powered-By');
    headers.set('X-Request-Id', id);
  };
}
