import { createRoute } from '@hono/zod-openapi';
import type { ReclaimPolicy } from '../../sdk/types.js';
import { reclaimable, setReclaimPolicy } from '../domain/reclaim.js';
import type { AccountDoc } from '../domain/state.js';
import { usageRows } from '../domain/usage.js';
import { accountNow, mutate } from '../http/account.js';
import { router, type Ctx } from '../http/context.js';
import { forAccount } from '../http/route.js';
import { body, json, problems } from '../openapi.js';
import * as s from '../schemas.js';

export const usage = router();

usage.openapi(
  createRoute({
    method: 'get',
    path: '/accounts/{accountId}/usage',
    tags: ['Usage'],
    summary: 'Licenses in use and the total per UTC day, with the day’s peak, oldest first (default 90 days)',
    ...forAccount('users:read'),
    request: { params: s.AccountParams, query: s.UsageQuery },
    responses: { 200: json(s.Usage, 'One row per day since the account was created'), ...problems(401, 403, 404) },
  }),
  async (c) => {
    const doc = c.var.account;
    const days = Number(c.req.valid('query').days ?? 90);
    return c.json({ data: usageRows(doc, days, accountNow(doc, c.var.deps.clock)) }, 200);
  },
);

function policyOf(c: Ctx, doc: AccountDoc, inactiveDays = doc.reclaimPolicy.inactiveDays): ReclaimPolicy {
  const preview = reclaimable(doc, accountNow(doc, c.var.deps.clock), inactiveDays).map((user) => user.id);
  return { enabled: doc.reclaimPolicy.enabled, inactiveDays, preview };
}

usage.openapi(
  createRoute({
    method: 'get',
    path: '/accounts/{accountId}/reclaim-policy',
    tags: ['Usage'],
    summary: 'Releasing idle licenses automatically: the policy, and who it would release now (`?inactiveDays=` previews another number)',
    ...forAccount('licenses:manage'),
    request: { params: s.AccountParams, query: s.ReclaimPolicyQuery },
    responses: { 200: json(s.ReclaimPolicy, 'The policy and its preview'), ...problems(401, 403, 404) },
  }),
  async (c) => {
    const days = c.req.valid('query').inactiveDays;
    return c.json(policyOf(c, c.var.account, days === undefined ? undefined : Number(days)), 200);
  },
);

usage.openapi(
  createRoute({
    method: 'put',
    path: '/accounts/{accountId}/reclaim-policy',
    tags: ['Usage'],
    summary: 'Set the policy; turned on, it releases at once the licenses of users inactive that long (never the owner), then on every settle and at least hourly',
    ...forAccount('licenses:manage'),
    request: { params: s.AccountParams, ...body(s.ReclaimPolicyBody) },
    responses: { 200: json(s.ReclaimPolicy, 'The policy saved, and who it would release now'), ...problems(401, 403, 404, 413, 415) },
  }),
  async (c) => {
    const { accountId } = c.req.valid('param');
    const policy = c.req.valid('json');
    const outcome = await mutate(c, accountId, (doc, ctx) => setReclaimPolicy(doc, policy, ctx));
    return c.json(policyOf(c, outcome.doc), 200);
  },
);
