import { createRoute } from '@hono/zod-openapi';
import type { PageBody, User } from '../../sdk/types.js';
import { requirePermission } from '../domain/permissions.js';
import { findUser, provisionUser, touchUser, updateUser } from '../domain/users.js';
import { toUser } from '../domain/views.js';
import { ACTIVITY_RESOLUTION_MS } from '../activity.js';
import { accountNow, mutate } from '../http/account.js';
import { apiKeyOnly } from '../http/auth.js';
import { router } from '../http/context.js';
import { forAccount, forHost } from '../http/route.js';
import { etag, parseIfMatch, userResult } from '../http/etag.js';
import { eventPage, jsonText } from '../http/paging.js';
import { body, json, problems } from '../openapi.js';
import * as s from '../schemas.js';
import { listUsersJson, matchingUsers } from '../users-list.js';
import { usersCsv } from '../csv.js';

export const users = router();

users.openapi(
  createRoute({
    method: 'get',
    path: '/accounts/{accountId}/users',
    tags: ['Users'],
    summary: 'List users: search, filter (status, role, exact externalId or email, inactive for N days), sort, keyset pages',
    ...forAccount('users:read'),
    request: { params: s.AccountParams, query: s.UserListQuery },
    responses: { 200: json(s.page(s.User, 'UserPage'), 'A page of users'), ...problems(401, 403, 404) },
  }),
  async (c) => jsonText<PageBody<User>>(listUsersJson(c.get('account'), c.req.valid('query'), accountNow(c.get('account'), c.get('deps').clock))),
);

users.openapi(
  createRoute({
    method: 'get',
    path: '/accounts/{accountId}/users/{userId}',
    tags: ['Users'],
    summary: 'One user, with its ETag (members: only themselves)',
    ...forAccount(),
    request: { params: s.UserParams },
    responses: { 200: { ...json(s.User, 'The user'), headers: { ETag: { schema: { type: 'string' } } } }, ...problems(401, 403, 404) },
  }),
  async (c) => {
    const { userId } = c.req.valid('param');
    const viewer = c.var.viewer;
    if (viewer && viewer.id !== userId) requirePermission(viewer, 'users:read');
    const user = findUser(c.var.account, userId);
    c.header('ETag', etag(user));
    return c.json(toUser(user), 200);
  },
);

users.openapi(
  createRoute({
    method: 'patch',
    path: '/accounts/{accountId}/users/{userId}',
    tags: ['Users'],
    summary: 'Edit first name, last name, qualification or role (If-Match required)',
    ...forAccount('users:manage'),
    request: { params: s.UserParams, ...body(s.UpdateUserBody) },
    responses: { 200: json(s.UserResult, 'The updated user'), ...problems(401, 403, 404, 409, 412, 413, 415, 428) },
  }),
  async (c) => {
    const { accountId, userId } = c.req.valid('param');
    const patch = c.req.valid('json');
    apiKeyOnly(c, patch, ['externalId']);
    const outcome = await mutate(c, accountId, (doc, ctx) => {
      const expectedVersion = parseIfMatch(c, findUser(doc, userId).version);
      return updateUser(doc, { userId, expectedVersion, patch }, ctx);
    });
    return userResult(c, outcome.result, outcome.doc);
  },
);

users.openapi(
  createRoute({
    method: 'get',
    path: '/accounts/{accountId}/users/{userId}/events',
    tags: ['Users'],
    summary: "A user's history: the audit events about that user, newest first",
    ...forAccount('users:read'),
    request: { params: s.UserParams, query: s.ListQuery },
    responses: { 200: json(s.page(s.AuditEvent, 'AuditEventPage'), 'A page of events'), ...problems(401, 403, 404) },
  }),
  async (c) => {
    const { accountId, userId } = c.req.valid('param');
    findUser(c.var.account, userId);
    return c.json(await eventPage(c, accountId, c.req.valid('query'), userId), 200);
  },
);

users.openapi(
  createRoute({
    method: 'post',
    path: '/accounts/{accountId}/users',
    tags: ['Host back ends'],
    summary: 'Provision a person (API key): enabled at once with a license, or disabled without; no email',
    ...forHost(),
    request: { params: s.AccountParams, ...body(s.ProvisionBody) },
    responses: { 201: json(s.UserResult, 'The new user'), ...problems(401, 403, 404, 409, 413, 415) },
  }),
  async (c) => {
    const { accountId } = c.req.valid('param');
    const input = c.req.valid('json');
    const outcome = await mutate(c, accountId, (doc, ctx) => provisionUser(doc, input, ctx));
    return userResult(c, outcome.result, outcome.doc, 201);
  },
);

users.openapi(
  createRoute({
    method: 'post',
    path: '/accounts/{accountId}/users/{userId}/activity',
    tags: ['Host back ends'],
    summary: 'Record that the person used the host product now (API key; one-minute resolution)',
    ...forHost(),
    request: { params: s.UserParams, ...body(s.EmptyBody, false) },
    responses: { 200: json(s.ActivityResult, 'The user'), ...problems(401, 403, 404, 413, 415) },
  }),
  async (c) => {
    const { accountId, userId } = c.req.valid('param');
    findUser(c.var.account, userId);
    const outcome = await mutate(c, accountId, (doc) => {
      const touched = touchUser(doc, userId, accountNow(doc, c.var.deps.clock), ACTIVITY_RESOLUTION_MS);
      return { doc: touched, events: [], result: findUser(touched, userId) };
    });
    c.header('ETag', etag(outcome.result));
    return c.json({ user: toUser(outcome.result) }, 200);
  },
);

users.openapi(
  createRoute({
    method: 'get',
    path: '/accounts/{accountId}/users.csv',
    tags: ['Users'],
    summary: 'The users as CSV (the list’s filters and sort), streamed',
    description:
      'Header `email,firstName,lastName,role,qualification,status,lastActiveAt,licenseAssignedAt,externalId`; UTF-8, CRLF line ends. ' +
      'A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `\'` (so a spreadsheet does not run it).',
    ...forAccount('users:read'),
    request: { params: s.AccountParams, query: s.UsersCsvQuery },
    responses: { 200: { description: 'The CSV', content: { 'text/csv': { schema: { type: 'string' } } } }, ...problems(401, 403, 404) },
  }),
  async (c) => {
    const doc = c.var.account;
    const rows = matchingUsers(doc, c.req.valid('query'), accountNow(doc, c.var.deps.clock));
    return c.body(usersCsv(rows), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': 'attachment; filename="users.csv"',
      'Cache-Control': 'no-store',
    });
  },
);
