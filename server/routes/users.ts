import { createRoute } from '@hono/zod-openapi';
import type { PageBody, User } from '../../sdk/types.js';
import { requirePermission } from '../domain/permissions.js';
import { findUser, updateUser } from '../domain/users.js';
import { toUser } from '../domain/views.js';
import { etag, eventPage, jsonText, mutate, parseIfMatch, router, sessionAuth, userResult, viewerOf } from '../http.js';
import { body, json, problems, sessionSecurity } from '../openapi.js';
import * as s from '../schemas.js';
import { listUsersJson } from '../users-list.js';

export const users = router();

users.openapi(
  createRoute({
    method: 'get',
    path: '/accounts/{accountId}/users',
    tags: ['Users'],
    summary: 'List users: search, filter, sort, keyset pages',
    security: sessionSecurity,
    middleware: [sessionAuth({ permission: 'users:read' })] as const,
    request: { params: s.AccountParams, query: s.UserListQuery },
    responses: { 200: json(s.page(s.User, 'UserPage'), 'A page of users'), ...problems(401, 403, 404) },
  }),
  async (c) => jsonText<PageBody<User>>(listUsersJson(c.var.account, c.req.valid('query'))),
);

users.openapi(
  createRoute({
    method: 'get',
    path: '/accounts/{accountId}/users/{userId}',
    tags: ['Users'],
    summary: 'One user, with its ETag (members: only themselves)',
    security: sessionSecurity,
    middleware: [sessionAuth()] as const,
    request: { params: s.UserParams },
    responses: { 200: { ...json(s.User, 'The user'), headers: { ETag: { schema: { type: 'string' } } } }, ...problems(401, 403, 404) },
  }),
  async (c) => {
    const { userId } = c.req.valid('param');
    const viewer = viewerOf(c);
    if (viewer.id !== userId) requirePermission(viewer, 'users:read');
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
    security: sessionSecurity,
    middleware: [sessionAuth({ permission: 'users:manage' })] as const,
    request: { params: s.UserParams, ...body(s.UpdateUserBody) },
    responses: { 200: json(s.UserResult, 'The updated user'), ...problems(401, 403, 404, 409, 412, 413, 415, 428) },
  }),
  async (c) => {
    const { accountId, userId } = c.req.valid('param');
    const patch = c.req.valid('json');
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
    security: sessionSecurity,
    middleware: [sessionAuth({ permission: 'users:read' })] as const,
    request: { params: s.UserParams, query: s.ListQuery },
    responses: { 200: json(s.page(s.AuditEvent, 'AuditEventPage'), 'A page of events'), ...problems(401, 403, 404) },
  }),
  async (c) => {
    const { accountId, userId } = c.req.valid('param');
    findUser(c.var.account, userId);
    return c.json(await eventPage(c, accountId, c.req.valid('query'), userId), 200);
  },
);
