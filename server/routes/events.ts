import { createRoute } from '@hono/zod-openapi';
import { router } from '../http/context.js';
import { forAccount } from '../http/route.js';
import { eventPage } from '../http/paging.js';
import { json, problems } from '../openapi.js';
import * as s from '../schemas.js';

export const events = router();

events.openapi(
  createRoute({
    method: 'get',
    path: '/accounts/{accountId}/events',
    tags: ['Audit'],
    summary: 'The audit log of the account, newest first',
    ...forAccount('users:read'),
    request: { params: s.AccountParams, query: s.ListQuery },
    responses: { 200: json(s.page(s.AuditEvent, 'AuditEventPage'), 'A page of events'), ...problems(401, 403, 404) },
  }),
  async (c) => c.json(await eventPage(c, c.req.valid('param').accountId, c.req.valid('query')), 200),
);
