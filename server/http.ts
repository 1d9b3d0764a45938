/** What every route file shares: the app's context type, auth, validation errors, mutations, lists. */
import { OpenAPIHono, type z } from '@hono/zod-openapi';
import type { Context as HonoContext, MiddlewareHandler, TypedResponse } from 'hono';
import type { Actor, AuditEvent, PageBody, Permission } from '../sdk/types.js';
import { LIMITS } from '../sdk/limits.js';
import type { AppConfig, Clock } from './config.js';
import { timingSafeEqual, type Hasher } from './crypto.js';
import { requirePermission } from './domain/permissions.js';
import { needsSettling, settle } from './domain/renewal.js';
import type { AccountDoc, Context, Outcome, UserRecord } from './domain/state.js';
import { licenseCounts, toUser } from './domain/views.js';
import { ApiError } from './errors.js';
import type { Mailer } from './mail/types.js';
import type { Limiter } from './rate-limit.js';
import { randomId } from './crypto.js';
import type { Store } from './store/types.js';
import type { ActivityRecorder } from './activity.js';
import type { Webhooks } from './webhooks/service.js';

export interface Deps {
  store: Store;
  mailer: Mailer;
  clock: Clock;
  config: AppConfig;
  limits: { invitations: Limiter; tokenLookups: Limiter } | null;
  /** Idempotency keys whose first request is still running (this process). */
  inFlight: Set<string>;
  /** SHA-256 of tokens and request fingerprints. */
  hash: Hasher;
  /** `lastActiveAt`, kept without a write per request. */
  activity: ActivityRecorder;
  /** Webhook endpoints and the sending of deliveries. */
  webhooks: Webhooks;
}

export interface Env {
  Variables: {
    deps: Deps;
    requestId: string;
    /** The signed-in user (session routes). */
    viewer: UserRecord | null;
    /** The account of the request, settled to the present. */
    account: AccountDoc;
    /** Hash of the session token, and the permission the route needs (re-checked inside each change). */
    sessionHash: string | null;
    permission: Permission | undefined;
  };
}

export type Ctx = HonoContext<Env>;

/** The value at `path` of what was validated (zod 4 keeps no input in its issues). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const EXPECTED: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  string: 'a string',
  object: 'an object',
  array: 'a list',
};

/** What a value is, for a message: small values as they are, the rest by kind (a string may be long or personal). */
function describeValue(value: unknown): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'a number out of range';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? 'a string' : 'an object';
}

/** One issue → what is wrong with the value, in words a person fixing the request can act on. */
function issueMessage(issue: z.core.$ZodIssue, input: unknown): string {
  const numeric = (origin: string) => ['number', 'int', 'bigint'].includes(origin);
  switch (issue.code) {
    case 'invalid_type': {
      const value = valueAt(input, issue.path);
      return value === undefined ? 'Required' : `Expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(value)}`;
    }
    case 'too_small':
      if (numeric(issue.origin)) return `Must be at least ${issue.minimum}`;
      return issue.origin === 'string' ? `At least ${issue.minimum} characters` : issue.message;
    case 'too_big':
      if (numeric(issue.origin)) return `Must be at most ${issue.maximum}`;
      return issue.origin === 'string' ? `At most ${issue.maximum} characters` : issue.message;
    case 'invalid_value':
      return `Expected one of: ${issue.values.map(String).join(', ')}`;
    default:
      return issue.message;
  }
}

/**
 * Zod issues → one `validation_failed` problem with a message per field. `result` is a failed
 * validation as a route hook gets it: @hono/zod-validator passes the validated value as `data`
 * (its own hook type says so; @hono/zod-openapi's leaves it out).
 */
export function validationError(result: { error: z.ZodError; data?: unknown }): ApiError {
  const { error } = result;
  const input = result.data;
  const errors: Record<string, string> = Object.create(null);
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors[path ? `${path}.${key}` : key] = 'Unknown field';
    } else {
      errors[path || 'body'] ??= issueMessage(issue, input);
    }
  }
  const fields = Object.keys(errors);
  return new ApiError('validation_failed', `Check ${fields.length === 1 ? 'this field' : 'these fields'}: ${fields.join(', ')}.`, { errors: { ...errors } });
}

/** A resource router: validation failures become problem+json. */
export function router(): OpenAPIHono<Env> {
  return new OpenAPIHono<Env>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result);
    },
  });
}

function bearer(c: Ctx): string | undefined {
  const header = c.req.header('Authorization');
  const match = header?.match(/^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/);
  return match?.[1];
}

function unauthorized(detail = 'Send a valid token: Authorization: Bearer <token>.'): ApiError {
  return new ApiError('unauthorized', detail, { headers: { 'WWW-Authenticate': 'Bearer' } });
}

function isApiKey(c: Ctx, token: string): boolean {
  return timingSafeEqual(token, c.get('deps').config.apiKey);
}

/** The account's time: its test clock, or the wall clock. */
export function accountNow(doc: AccountDoc, clock: Clock): Date {
  return doc.testClock ? new Date(doc.testClock.now) : clock.now();
}

function context(c: Ctx, doc: AccountDoc): Context {
  const viewer = c.get('viewer');
  const actor: Actor = viewer ? { type: 'user', userId: viewer.id } : { type: 'api_key' };
  return { now: accountNow(doc, c.get('deps').clock), actor, newId: randomId };
}

/**
 * Runs a domain command on the request's account: serialised with every other change of it,
 * after settling what time has passed, committed atomically with its audit events.
 */
export async function mutate<T>(c: Ctx, accountId: string, fn: (doc: AccountDoc, ctx: Context) => Outcome<T> | Promise<Outcome<T>>): Promise<Outcome<T>> {
  return c.get('deps').store.transact(accountId, async (doc) => {
    const ctx = context(c, doc);
    const settled = settle(doc, ctx);
    recheckViewer(c, settled.doc);
    const outcome = await fn(settled.doc, ctx);
    return { ...outcome, events: [...settled.events, ...outcome.events] };
  });
}

/**
 * The viewer was authorised before the change waited its turn; a change committed meanwhile
 * (ownership transfer, unassign, role edit) may have ended the session or taken the right.
 */
function recheckViewer(c: Ctx, doc: AccountDoc): void {
  const viewer = c.get('viewer');
  if (!viewer) return;
  const session = doc.sessions.get(c.get('sessionHash') ?? '');
  const current = doc.users.get(viewer.id);
  if (!session || !current || current.status !== 'enabled') throw unauthorized('Your session has ended. Sign in again.');
  const permission = c.get('permission');
  if (permission) requirePermission(current, permission);
}

/** Loads an account and settles it to the present (lazy renewals and invitation expiry). */
export async function loadAccount(c: Ctx, accountId: string): Promise<AccountDoc> {
  const { store, clock } = c.get('deps');
  const doc = await store.get(accountId);
  if (!doc) throw new ApiError('not_found', 'No such account.');
  if (!needsSettling(doc, accountNow(doc, clock))) return doc;
  return (await mutate(c, accountId, (d) => ({ doc: d, events: [], result: undefined }))).doc;
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

/** Answers JSON serialised already (a cached page), typed as the route's JSON answer. */
export function jsonText<T>(text: string): TypedResponse<T, 200, 'json'> {
  return new Response(text, { status: 200, headers: { 'Content-Type': 'application/json' } }) as unknown as TypedResponse<T, 200, 'json'>;
}

// ---- lists ----

interface Cursor {
  /** The list it belongs to (and its sort). */
  s: string;
  /** Position or key of the last item of the previous page. */
  k: [string | number | null, string] | number;
}

/** base64url of the cursor's JSON as UTF-8 (a sort key may be any text: a name in Greek). */
export function encodeCursor(cursor: Cursor): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(JSON.stringify(cursor))) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeCursor(raw: string | undefined, scope: string): Cursor['k'] | undefined {
  if (raw === undefined) return undefined;
  let cursor: unknown;
  try {
    const binary = atob(raw.replace(/-/g, '+').replace(/_/g, '/'));
    cursor = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0))));
  } catch {
    throw badCursor();
  }
  if (typeof cursor !== 'object' || cursor === null || (cursor as Cursor).s !== scope) throw badCursor();
  const k = (cursor as Cursor).k;
  const validKey =
    (typeof k === 'number' && Number.isInteger(k) && k >= 0) ||
    (Array.isArray(k) && k.length === 2 && typeof k[1] === 'string' && (k[0] === null || ['string', 'number'].includes(typeof k[0])));
  if (!validKey) throw badCursor();
  return k;
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
  return { data, total: log.length, nextCursor: start > 0 ? encodeCursor({ s: scope, k: start }) : null };
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
  return { data: page.data, total: page.total, nextCursor: page.next === null ? null : encodeCursor({ s: scope, k: page.next }) };
}
