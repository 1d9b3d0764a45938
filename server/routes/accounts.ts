import { createRoute } from '@hono/zod-openapi';
import { LIMITS } from '../../sdk/limits.js';
import { newToken, randomId } from '../crypto.js';
import { createAccount, createSession, transferOwnership } from '../domain/users.js';
import { licenseCounts, toAccount, toUser } from '../domain/views.js';
import { advanceTestClock } from '../domain/renewal.js';
import { loadAccount, mutate } from '../http/account.js';
import { router } from '../http/context.js';
import { forAccount, forServer } from '../http/route.js';
import { etag } from '../http/etag.js';
import { body, json, problems } from '../openapi.js';
import * as s from '../schemas.js';

export const accounts = router();

accounts.openapi(
  createRoute({
    method: 'post',
    path: '/accounts',
    tags: ['Accounts'],
    summary: 'Create an account with its owner (host back ends)',
    ...forServer(),
    request: body(s.CreateAccountBody),
    responses: { 201: json(s.CreateAccountResult, 'The account and its owner'), ...problems(401, 403, 413, 415) },
  }),
  async (c) => {
    const input = c.req.valid('json');
    const frozen = input.testClock && (input.testClock.frozenTime ? new Date(input.testClock.frozenTime) : c.var.deps.clock.now());
    const ctx = { now: frozen ?? c.var.deps.clock.now(), actor: { type: 'api_key' as const }, newId: randomId };
    const outcome = createAccount(input, ctx);
    await c.var.deps.store.create(outcome.doc, outcome.events);
    const owner = outcome.doc.users.get(outcome.result.ownerId)!;
    c.header('ETag', etag(owner));
    return c.json({ account: toAccount(outcome.doc), owner: toUser(owner) }, 201);
  },
);

accounts.openapi(
  createRoute({
    method: 'post',
    path: '/accounts/{accountId}/sessions',
    tags: ['Accounts'],
    summary: 'Mint a session token for an enabled user (host back ends)',
    description: 'The token goes to the browser of that user; the API key never does.',
    ...forServer(),
    request: { params: s.AccountParams, ...body(s.CreateSessionBody) },
    responses: { 200: json(s.SessionResult, 'A session token'), ...problems(401, 403, 404, 409, 413, 415) },
  }),
  async (c) => {
    const { accountId } = c.req.valid('param');
    const input = c.req.valid('json');
    await loadAccount(c, accountId);
    const token = newToken();
    const tokenHash = await c.var.deps.hash(token);
    const wallNow = c.var.deps.clock.now();
    const expiresAt = new Date(wallNow.getTime() + (input.ttlSeconds ?? LIMITS.sessionTtlDefaultSeconds) * 1000).toISOString();
    const outcome = await mutate(c, accountId, (doc) => createSession(doc, { ...input, tokenHash, wallNow, expiresAt }));
    c.header('ETag', etag(outcome.result));
    // The answer carries a session token: no cache may keep it.
    c.header('Cache-Control', 'no-store');
    return c.json({ token, expiresAt, user: toUser(outcome.result) }, 200);
  },
);

accounts.openapi(
  createRoute({
    method: 'post',
    path: '/accounts/{accountId}/test-clock',
    tags: ['Accounts'],
    summary: 'Advance the test clock of a test-clock account (forward only)',
    ...forServer(),
    request: { params: s.AccountParams, ...body(s.AdvanceClockBody) },
    responses: { 200: json(s.Account, 'The account, settled at the new time'), ...problems(401, 403, 404, 409, 413, 415) },
  }),
  async (c) => {
    const { accountId } = c.req.valid('param');
    const { advanceTo } = c.req.valid('json');
    await loadAccount(c, accountId);
    const outcome = await c.var.deps.store.transact(accountId, (doc) => advanceTestClock(doc, new Date(advanceTo), randomId));
    return c.json(toAccount(outcome.doc), 200);
  },
);

accounts.openapi(
  createRoute({
    method: 'get',
    path: '/accounts/{accountId}',
    tags: ['Accounts'],
    summary: 'The account: license counts, plan, period, scheduled change and the viewer',
    description: 'Any user of the account (and the API key, without `viewer`).',
    ...forAccount(),
    request: { params: s.AccountParams },
    responses: { 200: json(s.Account, 'The account'), ...problems(401, 404) },
  }),
  async (c) => c.json(toAccount(c.var.account, c.var.viewer ?? undefined), 200),
);

accounts.openapi(
  createRoute({
    method: 'post',
    path: '/accounts/{accountId}/owner',
    tags: ['Accounts'],
    summary: 'Transfer the account owner role (owner only); the old owner is signed out',
    ...forAccount('owner:transfer'),
    request: { params: s.AccountParams, ...body(s.TransferOwnershipBody) },
    responses: { 200: json(s.UsersResult, 'The old and the new owner'), ...problems(401, 403, 404, 409, 413, 415) },
  }),
  async (c) => {
    const { accountId } = c.req.valid('param');
    const { userId } = c.req.valid('json');
    const outcome = await mutate(c, accountId, (doc, ctx) => transferOwnership(doc, { userId }, ctx));
    return c.json({ users: outcome.result.map(toUser), licenses: licenseCounts(outcome.doc) }, 200);
  },
);
