import { createRoute } from '@hono/zod-openapi';
import { pageNewestFirst, router, sessionAuth } from '../http.js';
import { json, problems, sessionSecurity } from '../openapi.js';
import * as s from '../schemas.js';

export const events = router();

events.openapi(
  createRoute({
    method: 'get',
    path: '/accounts/{accountId}/events',
    tags: ['Audit'],
    summary: 'The audit log of the account, newest first',
    security: sessionSecurity,
    middleware: [sessionAuth({ permission: 'users:read' })] as const,
    request: { params: s.AccountParams, query: s.ListQuery },
    responses: { 200: json(s.page(s.AuditEvent, 'AuditEventPage'), 'A page of events'), ...problems(401, 403, 404) },
  }),
  async (c) => {
    const log = await c.var.deps.store.events(c.req.valid('param').accountId);
    return c.json(pageNewestFirst(log, c.req.valid('query'), 'events'), 200);
  },
);
