import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { bodyLimit } from 'hono/body-limit';
import type { Context, MiddlewareHandler } from 'hono';
import { LIMITS } from '../sdk/limits.js';
import type { Problem } from '../sdk/types.js';
import { defaultConfig, systemClock, type AppConfig, type Clock } from './config.js';
import { randomId, sha256, type Hasher } from './crypto.js';
import { ApiError, FRONT_ERROR, problemType } from './errors.js';
import type { Deps, Env } from './http/context.js';
import { OutboxMailer } from './mail/outbox.js';
import { duplicateKeyPath } from './json.js';
import { json } from './openapi.js';
import { Health, Problem as ProblemSchema, Ready } from './schemas.js';
import type { Mailer } from './mail/types.js';
import { ActivityRecorder } from './activity.js';
import { Jobs } from './jobs.js';
import { pruneDeliveries } from './webhooks/messages.js';
import { Webhooks } from './webhooks/service.js';
import { AppStore } from './app-store.js';
import { answerHeaders, requestIds, responseHeaders } from './response-headers.js';
import { hotPath, type HotPath } from './http/hot-path.js';
import { RateLimiter } from './rate-limit.js';
import { accounts } from './routes/accounts.js';
import { entitlements } from './routes/entitlements.js';
import { events } from './routes/events.js';
import { invitations } from './routes/invitations.js';
import { invoices } from './routes/invoices.js';
import { licenses } from './routes/licenses.js';
import { outbox } from './routes/outbox.js';
import { batch } from './routes/batch.js';
import { usage } from './routes/usage.js';
import { users } from './routes/users.js';
import { stream } from './routes/stream.js';
import { DEFAULT_STREAM_LIMITS, StreamHub } from './streams.js';
import { webhooks as webhookRoutes } from './routes/webhooks.js';
import { MemoryStore } from './store/memory.js';
import type { Store } from './store/types.js';
import { sweepSessions } from './domain/users.js';
import { needsSettling, settle } from './domain/renewal.js';
import { accountNow } from './http/account.js';

export interface AppOptions {
  store?: Store;
  mailer?: Mailer;
  clock?: Clock;
  /** SHA-256 (hex) of tokens; default WebCrypto's. */
  hash?: Hasher;
  config: Partial<AppConfig> & Pick<AppConfig, 'apiKey'>;
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The client's own id for a request (`X-Request-Id` sent by the client), for correlating its logs
 * with ours; undefined when absent or not a plain token (it goes into log lines). The request's
 * id is always the server's own.
 */
export function correlationId(header: string | null | undefined): string | undefined {
  return header != null && CORRELATION_ID.test(header) ? header : undefined;
}

/**
 * Whether a request carries no body to check: a GET, HEAD or OPTIONS, or a request with neither
 * framing (Content-Length, Transfer-Encoding) nor a Content-Type (a DELETE or PUT of a license).
 * Its body is then never read, which on Node also spares building a web Request from Node's.
 */
function hasNoBody(c: Context<Env>): boolean {
  const method = c.req.method;
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return true;
  const headers = c.req.raw.headers;
  return !headers.has('content-length') && !headers.has('transfer-encoding') && !headers.has('content-type');
}

const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json\s*(;.*)?$/i;

function problem(c: Context<Env>, error: ApiError): Response {
  const body: Problem = {
    type: problemType(error.code),
    title: error.title,
    status: error.status,
    detail: error.message,
    code: error.code,
    requestId: c.get('requestId') ?? '',
    ...(error.errors && { errors: error.errors }),
    ...error.extra,
  };
  const headers = new Headers(error.headers);
  headers.set('Content-Type', 'application/problem+json');
  return new Response(JSON.stringify(body), { status: error.status, headers });
}

/**
 * Reading the body failed: the client closed the connection before sending all of it. That is the
 * client's doing (400, logged as a client error), not a failure of the server.
 */
function bodyCutShort(error: unknown): never {
  if (error instanceof ApiError) throw error;
  throw new ApiError('invalid_json', 'The body ended before it was complete: the connection closed while it was being sent.');
}

/**
 * Refuses a body that is not JSON (415), not parseable or with a key twice in one object (400)
 * before any route sees it. An empty body needs no content type, and an empty body labelled JSON
 * counts as no fields (`{}`), so a route that needs fields names the missing ones.
 */
async function jsonBodies(c: Context<Env>, next: () => Promise<void>): Promise<void> {
  if (hasNoBody(c)) {
    const method = c.req.method;
    // Received over HTTP/1.1 by Node (its message in the bindings), a PUT or DELETE without
    // framing (a license's) has no body: said on the request itself, so the media-type check of a
    // route with an optional body (@hono/zod-openapi) does not clone the request's stream to look.
    // Reading `body` there built a web Request from Node's: measured, about a tenth of the CPU of
    // such a change. (A request made in process may carry a body without framing: it is looked at.)
    if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS' && (c.env as { incoming?: unknown } | undefined)?.incoming) {
      Object.defineProperty(c.req.raw, 'body', { value: null });
    }
  } else {
    // Read as text and never through `body`: on Node, @hono/node-server reads the text straight
    // from the socket, and touching `body` would build a web Request (a stream, an AbortSignal)
    // first: measured, about a twentieth of the CPU of an invite. A request without a body reads
    // as '' (an empty body, below).
    const text = await c.req.text().catch(bodyCutShort);
    const isJson = JSON_TYPE.test(c.req.header('Content-Type') ?? '');
    if (text !== '' && !isJson) throw new ApiError('unsupported_media_type', 'Send the body as JSON (Content-Type: application/json).');
    // Hono's body cache holds promises (its type says otherwise): the validators read `{}`.
    if (text === '' && isJson) (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve('{}');
    if (text !== '') {
      try {
        JSON.parse(text);
      } catch {
        throw new ApiError('invalid_json', 'The body is not valid JSON.');
      }
      const duplicate = duplicateKeyPath(text);
      if (duplicate !== null) {
        const shown = duplicate.length > 100 ? `${duplicate.slice(0, 100)}…` : duplicate;
        throw new ApiError('invalid_json', `The key "${shown}" appears twice in one object. Send each key once.`);
      }
    }
  }
  await next();
}

/**
 * The app, and the work it does on its own timers (`app.jobs.stop()` before closing the store);
 * `app.streams.close()` ends the live streams (before the server stops listening); `app.hotPath`
 * answers the entitlement check's plain case without the framework (http/hot-path.ts).
 */
export type SeatApp = OpenAPIHono<Env> & { jobs: Jobs; streams: StreamHub; hotPath: HotPath };

/** How often the activity noted in memory is committed. */
const ACTIVITY_FLUSH_MS = 1000;

/** How often every account is settled without a request (renewals, expiries, reclaims); at least hourly. */
const SETTLE_MS = 10 * 60 * 1000;

/** How often due webhook deliveries are looked for (besides right after a commit that makes some). */
const WEBHOOK_SWEEP_MS = 1000;

/**
 * Settles every account that has something due (renewals, expiries, idle licenses to reclaim), so
 * that happens, and its webhooks go out, also for accounts nobody opens.
 */
async function settleAll(deps: Deps): Promise<void> {
  for (const accountId of await deps.store.accountIds()) {
    const doc = await deps.store.get(accountId);
    if (!doc || !needsSettling(doc, accountNow(doc, deps.clock))) continue;
    await deps.store.transact(accountId, (current) => settle(current, { now: accountNow(current, deps.clock), actor: { type: 'system' }, newId: randomId }));
  }
}

/** Drops finished webhook deliveries past their retention from every account. */
async function pruneWebhookLog(deps: Deps): Promise<void> {
  for (const accountId of await deps.store.accountIds()) {
    const now = deps.clock.now();
    const doc = await deps.store.get(accountId);
    if (!doc || pruneDeliveries(doc, now) === doc) continue;
    await deps.store.transact(accountId, (current) => ({ doc: pruneDeliveries(current, now), events: [], result: undefined }));
  }
}

/** How often expired sessions are swept from every account (an expired session is refused anyway). */
const SESSION_SWEEP_MS = 15 * 60 * 1000;

/** Drops every account's expired sessions; an account with none is not written. */
async function sweepExpiredSessions(deps: Deps): Promise<void> {
  for (const accountId of await deps.store.accountIds()) {
    const now = deps.clock.now();
    const doc = await deps.store.get(accountId);
    if (!doc || sweepSessions(doc, now) === doc) continue;
    await deps.store.transact(accountId, (current) => ({ doc: sweepSessions(current, now), events: [], result: undefined }));
  }
}

/**
 * The reference server as a web-standard `fetch` app (docs/operations.md): the same app runs on Node and
 * inside a browser. Everything it keeps goes through `store`; mail through `mailer`.
 */
export function createApp(options: AppOptions): SeatApp {
  const config = defaultConfig(options.config);
  const clock = options.clock ?? systemClock;
  const stored: Store = options.store ?? new MemoryStore();
  const webhooks = new Webhooks(stored, clock, { retries: config.webhookRetries, timeoutMs: config.webhookTimeoutMs, log: config.log, transport: config.webhookTransport });
  const store = new AppStore(stored, webhooks, clock);
  // Counted across processes when the store is shared by several, else in this process.
  const limiter = (name: string, limit: number, windowMs: number) => stored.limiter?.(name, limit, windowMs) ?? new RateLimiter(limit, windowMs);
  const deps: Deps = {
    store,
    webhooks,
    activity: new ActivityRecorder(store),
    mailer: options.mailer ?? new OutboxMailer(),
    clock,
    config,
    limits: config.rateLimits
      ? {
          invitations: limiter('invitations', config.rateLimits.invitationsPerHour, 60 * 60 * 1000),
          tokenLookups: limiter('token-lookups', config.rateLimits.tokenLookupsPerMinute, 60 * 1000),
        }
      : null,
    inFlight: new Set(),
    hash: options.hash ?? sha256,
    streams: new StreamHub({ ...DEFAULT_STREAM_LIMITS, ...config.streams }),
  };

  const app = new OpenAPIHono<Env>();

  const nextRequestId = requestIds();
  app.use(responseHeaders(config.corsOrigins, nextRequestId, (c) => c.set('deps', deps)));
  // An error the Node front left on the request (server/affinity.ts), answered like any other.
  app.use((c, next) => {
    const left = (c.env as { incoming?: Record<string, unknown> } | undefined)?.incoming?.[FRONT_ERROR];
    if (left instanceof ApiError) throw left;
    return next();
  });
  const limit = (maxSize: number): MiddlewareHandler<Env> => {
    const tooLarge = () => {
      throw new ApiError('payload_too_large', `The body must be at most ${maxSize / 1024} KiB.`);
    };
    const counted = bodyLimit({ maxSize, onError: tooLarge });
    return (c, next) => {
      // A declared length is checked as Hono's bodyLimit checks it, without first touching `body`
      // (which, on Node, builds a web Request: see jsonBodies). A body without one is counted.
      const length = c.req.raw.headers.get('content-length');
      if (length === null || c.req.raw.headers.has('transfer-encoding')) return counted(c, next);
      return Number.parseInt(length, 10) > maxSize ? tooLarge() : next();
    };
  };
  const limitBody = limit(LIMITS.bodyMaxBytes);
  // A batch may carry a thousand operations: 1 MiB on that route only.
  const limitBatch = limit(LIMITS.batchBodyMaxBytes);
  // A body without Content-Length is read here, so a connection closed mid-body fails here too.
  // (The rest of the chain's errors never reach this catch: Hono hands them to onError.)
  // A request without a body skips the body's checks (see hasNoBody).
  app.use((c, next) => (hasNoBody(c) ? next() : (c.req.path.endsWith('/batch') ? limitBatch : limitBody)(c, next).catch(bodyCutShort)));
  app.use(jsonBodies);

  app.openapi(
    createRoute({ method: 'get', path: '/healthz', tags: ['Operations'], summary: 'Liveness', security: [], responses: { 200: json(Health, 'Alive') } }),
    (c) => c.json({ status: 'ok' as const }, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/readyz',
      tags: ['Operations'],
      summary: 'Readiness: 200 while the store can serve, 503 storage_unavailable while it cannot (the database is away)',
      security: [],
      responses: { 200: json(Ready, 'Ready'), 503: { description: 'Not ready (storage_unavailable)', content: { 'application/problem+json': { schema: ProblemSchema } } } },
    }),
    async (c) => {
      if (stored.ready && !(await stored.ready())) {
        throw new ApiError('storage_unavailable', 'The store cannot be reached.', { headers: { 'Retry-After': '2' } });
      }
      return c.json({ status: 'ready' as const }, 200);
    },
  );
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/openapi.json',
    tags: ['Operations'],
    summary: 'This OpenAPI 3.1 document',
    security: [],
    responses: { 200: { description: 'The OpenAPI document', content: { 'application/json': { schema: { type: 'object' } } } } },
  });

  for (const resource of [accounts, users, invitations, licenses, invoices, events, entitlements, usage, batch, webhookRoutes, outbox, stream]) app.route('/v1', resource);

  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'The server API key (SEATKIT_API_KEY), for host back ends only.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'http',
    scheme: 'bearer',
    description: 'A session token of one user of one account (minted with the API key, or by accepting an invitation).',
  });
  app.doc31('/v1/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'seatkit API',
      version: '1.0.0',
      description: 'License (seat) management. Errors are RFC 9457 problem+json with a stable `code`.',
    },
    servers: [{ url: '/' }],
  });

  app.notFound((c) => problem(c, new ApiError('not_found', `No route ${c.req.method} ${new URL(c.req.url).pathname}.`)));
  app.onError((error, c) => {
    if (error instanceof ApiError) return problem(c, error);
    if (error instanceof HTTPException && error.status < 500) {
      const code = error.status === 413 ? 'payload_too_large' : error.status === 415 ? 'unsupported_media_type' : 'invalid_json';
      return problem(c, new ApiError(code, error.message || undefined));
    }
    config.log({
      level: 'error',
      message: 'unexpected error',
      requestId: c.get('requestId'),
      correlationId: correlationId(c.req.header('X-Request-Id')),
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    return problem(c, new ApiError('internal_error', 'Something went wrong on our side. Quote the request id when you report it.'));
  });

  const jobs = new Jobs(config.log, stored.lease?.bind(stored));
  jobs.schedule('sessions', SESSION_SWEEP_MS, () => sweepExpiredSessions(deps), { exclusive: true });
  jobs.schedule('activity', ACTIVITY_FLUSH_MS, () => deps.activity.flush(), { atStop: true });
  jobs.schedule('webhooks', WEBHOOK_SWEEP_MS, () => webhooks.sweep());
  jobs.schedule('webhook-log', SESSION_SWEEP_MS, () => pruneWebhookLog(deps), { exclusive: true });
  jobs.schedule('settle', SETTLE_MS, () => settleAll(deps), { exclusive: true });
  jobs.onStop(() => webhooks.stop());
  jobs.onStop(async () => deps.streams.close());
  return Object.assign(app, { jobs, streams: deps.streams, hotPath: hotPath(deps, nextRequestId, answerHeaders(config.corsOrigins)) });
}
