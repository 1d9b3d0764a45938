import { createRoute } from '@hono/zod-openapi';
import type { PageBody, WebhookDelivery } from '../../sdk/types.js';
import type { AccountDoc } from '../domain/state.js';
import { withEntry } from '../domain/users-map.js';
import { ApiError } from '../errors.js';
import { router, type Ctx } from '../http/context.js';
import { forServer } from '../http/route.js';
import { badCursor, decodeCursor, encodeCursor, pageLimit, pageNewestFirst } from '../http/paging.js';
import { body, json, problems } from '../openapi.js';
import * as s from '../schemas.js';
import { newSecret, rotated, toWebhookEndpoint, type WebhookEndpointRecord } from '../webhooks/endpoints.js';
import { toWebhookDelivery } from '../webhooks/messages.js';
import { webhookId } from '../webhooks/service.js';

export const webhooks = router();

async function endpointOf(c: Ctx, id: string): Promise<WebhookEndpointRecord> {
  const endpoint = await c.var.deps.webhooks.endpoint(id);
  if (!endpoint) throw new ApiError('not_found', 'No such webhook endpoint.');
  return endpoint;
}

const route = <T extends Parameters<typeof createRoute>[0]>(config: T) =>
  createRoute({ ...config, tags: ['Webhooks'], ...forServer() });

webhooks.openapi(
  route({
    method: 'post',
    path: '/webhook-endpoints',
    summary: 'Add a webhook endpoint (it receives the events of every account); its secret is shown only now',
    request: body(s.CreateWebhookEndpointBody),
    responses: { 201: json(s.WebhookEndpointWithSecret, 'The endpoint and its signing secret'), ...problems(401, 403, 413, 415) },
  }),
  async (c) => {
    const input = c.req.valid('json');
    const secret = newSecret();
    const endpoint: WebhookEndpointRecord = {
      id: webhookId('whe'),
      url: input.url,
      events: input.events ?? null,
      description: input.description ?? '',
      disabled: false,
      createdAt: c.var.deps.clock.now().toISOString(),
      secrets: [{ secret, expiresAt: null }],
    };
    await c.var.deps.webhooks.save(endpoint);
    return c.json({ ...toWebhookEndpoint(endpoint), secret }, 201);
  },
);

webhooks.openapi(
  route({
    method: 'get',
    path: '/webhook-endpoints',
    summary: 'Webhook endpoints, newest first',
    request: { query: s.ListQuery },
    responses: { 200: json(s.page(s.WebhookEndpoint, 'WebhookEndpointPage'), 'A page of endpoints'), ...problems(401, 403) },
  }),
  async (c) => {
    const oldestFirst = (await c.var.deps.webhooks.endpoints()).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    return c.json(pageNewestFirst(oldestFirst.map(toWebhookEndpoint), c.req.valid('query'), 'webhook-endpoints'), 200);
  },
);

webhooks.openapi(
  route({
    method: 'get',
    path: '/webhook-endpoints/{endpointId}',
    summary: 'One webhook endpoint',
    request: { params: s.WebhookEndpointParams },
    responses: { 200: json(s.WebhookEndpoint, 'The endpoint'), ...problems(401, 403, 404) },
  }),
  async (c) => c.json(toWebhookEndpoint(await endpointOf(c, c.req.valid('param').endpointId)), 200),
);

webhooks.openapi(
  route({
    method: 'patch',
    path: '/webhook-endpoints/{endpointId}',
    summary: 'Change a webhook endpoint: url, events, description, or disable / enable it',
    request: { params: s.WebhookEndpointParams, ...body(s.UpdateWebhookEndpointBody) },
    responses: { 200: json(s.WebhookEndpoint, 'The endpoint'), ...problems(401, 403, 404, 413, 415) },
  }),
  async (c) => {
    const endpoint = await endpointOf(c, c.req.valid('param').endpointId);
    const patch = c.req.valid('json');
    const updated: WebhookEndpointRecord = {
      ...endpoint,
      ...(patch.url !== undefined && { url: patch.url }),
      ...(patch.events !== undefined && { events: patch.events }),
      ...(patch.description !== undefined && { description: patch.description }),
      ...(patch.disabled !== undefined && { disabled: patch.disabled }),
    };
    await c.var.deps.webhooks.save(updated);
    // Enabled again: what waited for it goes out now.
    if (endpoint.disabled && !updated.disabled) c.var.deps.webhooks.kick();
    return c.json(toWebhookEndpoint(updated), 200);
  },
);

webhooks.openapi(
  route({
    method: 'delete',
    path: '/webhook-endpoints/{endpointId}',
    summary: 'Remove a webhook endpoint (its pending deliveries are dropped)',
    request: { params: s.WebhookEndpointParams },
    responses: { 200: json(s.WebhookEndpoint, 'The endpoint removed'), ...problems(401, 403, 404) },
  }),
  async (c) => {
    const endpoint = await endpointOf(c, c.req.valid('param').endpointId);
    await c.var.deps.webhooks.remove(endpoint.id);
    return c.json(toWebhookEndpoint(endpoint), 200);
  },
);

webhooks.openapi(
  route({
    method: 'post',
    path: '/webhook-endpoints/{endpointId}/rotate-secret',
    summary: 'A new signing secret; the old one keeps signing for 24 hours (both signatures are sent)',
    request: { params: s.WebhookEndpointParams, ...body(s.EmptyBody, false) },
    responses: { 200: json(s.WebhookSecret, 'The new secret'), ...problems(401, 403, 404, 413, 415) },
  }),
  async (c) => {
    const endpoint = await endpointOf(c, c.req.valid('param').endpointId);
    const next = rotated(endpoint, c.var.deps.clock.now());
    await c.var.deps.webhooks.save(next);
    c.header('Cache-Control', 'no-store');
    return c.json({ secret: next.secrets[0]!.secret }, 200);
  },
);

/** Every delivery to `endpointId`, across accounts, newest first, with the account it is in. */
async function deliveriesTo(c: Ctx, endpointId: string): Promise<{ delivery: WebhookDelivery; accountId: string }[]> {
  const { store } = c.var.deps;
  const all: { delivery: WebhookDelivery; accountId: string }[] = [];
  for (const accountId of await store.accountIds()) {
    const doc = await store.get(accountId);
    for (const record of doc?.webhookDeliveries.values() ?? []) if (record.endpointId === endpointId) all.push({ delivery: toWebhookDelivery(record), accountId });
  }
  return all.sort((a, b) => b.delivery.createdAt.localeCompare(a.delivery.createdAt) || b.delivery.id.localeCompare(a.delivery.id));
}

webhooks.openapi(
  route({
    method: 'get',
    path: '/webhook-endpoints/{endpointId}/deliveries',
    summary: 'The delivery log of an endpoint, newest first (finished deliveries are kept 7 days, 1,000 per account)',
    request: { params: s.WebhookEndpointParams, query: s.ListQuery },
    responses: { 200: json(s.page(s.WebhookDelivery, 'WebhookDeliveryPage'), 'A page of deliveries'), ...problems(401, 403, 404) },
  }),
  async (c) => {
    const { endpointId } = c.req.valid('param');
    await endpointOf(c, endpointId);
    const query = c.req.valid('query');
    const scope = `deliveries:${endpointId}`;
    const after = decodeCursor(query.cursor, scope);
    if (typeof after === 'number') throw badCursor();
    const all = await deliveriesTo(c, endpointId);
    const start = after ? all.findIndex(({ delivery: d }) => d.createdAt < String(after[0]) || (d.createdAt === after[0] && d.id < after[1])) : 0;
    const from = start === -1 ? all.length : start;
    const limit = pageLimit(query.limit);
    const data = all.slice(from, from + limit).map((x) => x.delivery);
    const last = data.at(-1);
    const page: PageBody<WebhookDelivery> = {
      data,
      total: all.length,
      nextCursor: from + limit < all.length && last ? encodeCursor({ list: scope, after: [last.createdAt, last.id] }) : null,
    };
    return c.json(page, 200);
  },
);

webhooks.openapi(
  route({
    method: 'post',
    path: '/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/retry',
    summary: 'Send a delivery again now (pending again; a failure after it fails it again unless retries remain)',
    request: { params: s.WebhookDeliveryParams, ...body(s.EmptyBody, false) },
    responses: { 200: json(s.WebhookDelivery, 'The delivery, pending'), ...problems(401, 403, 404, 413, 415) },
  }),
  async (c) => {
    const { endpointId, deliveryId } = c.req.valid('param');
    await endpointOf(c, endpointId);
    const found = (await deliveriesTo(c, endpointId)).find(({ delivery }) => delivery.id === deliveryId);
    if (!found) throw new ApiError('not_found', 'No such delivery to this endpoint.');
    const now = c.var.deps.clock.now().toISOString();
    const outcome = await c.var.deps.store.transact(found.accountId, (doc: AccountDoc) => {
      const current = doc.webhookDeliveries.get(deliveryId);
      if (!current) throw new ApiError('not_found', 'No such delivery to this endpoint.');
      const retried = { ...current, status: 'pending' as const, nextAttemptAt: now };
      return { doc: { ...doc, webhookDeliveries: withEntry(doc.webhookDeliveries, deliveryId, retried) }, events: [], result: retried };
    });
    c.var.deps.webhooks.kick();
    return c.json(toWebhookDelivery(outcome.result), 200);
  },
);
