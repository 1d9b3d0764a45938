import { createRoute } from '@hono/zod-openapi';
import { ApiError } from '../errors.js';
import { router } from '../http/context.js';
import { forServer } from '../http/route.js';
import { pageNewestFirst } from '../http/paging.js';
import { json, problems } from '../openapi.js';
import * as s from '../schemas.js';

export const outbox = router();

outbox.openapi(
  createRoute({
    method: 'get',
    path: '/outbox',
    tags: ['Dev'],
    summary: 'Messages sent by the dev mailer, newest first (not with SMTP)',
    ...forServer(),
    request: { query: s.ListQuery },
    responses: { 200: json(s.page(s.OutboxMessage, 'OutboxPage'), 'A page of messages'), ...problems(401, 403, 404) },
  }),
  async (c) => {
    const { mailer } = c.var.deps;
    if (!mailer.list) throw new ApiError('not_found', 'The outbox exists with the dev mailer only.');
    // Activation links are secrets: no cache may keep them.
    c.header('Cache-Control', 'no-store');
    return c.json(pageNewestFirst(await mailer.list(), c.req.valid('query'), 'outbox'), 200);
  },
);
