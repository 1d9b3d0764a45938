import { createRoute } from '@hono/zod-openapi';
import { router } from '../http/context.js';
import { forAccount } from '../http/route.js';
import { pageNewestFirst } from '../http/paging.js';
import { json, problems } from '../openapi.js';
import * as s from '../schemas.js';

export const invoices = router();

invoices.openapi(
  createRoute({
    method: 'get',
    path: '/accounts/{accountId}/invoices',
    tags: ['Licenses'],
    summary: 'Invoices (prorations and renewals), newest first (owner only)',
    ...forAccount('licenses:manage'),
    request: { params: s.AccountParams, query: s.ListQuery },
    responses: { 200: json(s.page(s.Invoice, 'InvoicePage'), 'A page of invoices'), ...problems(401, 403, 404) },
  }),
  async (c) => c.json(pageNewestFirst(c.var.account.invoices, c.req.valid('query'), 'invoices'), 200),
);
