import { createRoute, type z } from '@hono/zod-openapi';
import type { Entitlement } from '../../sdk/types.js';
import type { AccountDoc } from '../domain/state.js';
import { entitlementOf } from '../domain/users.js';
import { accountNow } from '../http/account.js';
import { router, type Deps } from '../http/context.js';
import { forHost } from '../http/route.js';
import { json, problems } from '../openapi.js';
import * as s from '../schemas.js';

export const entitlements = router();

entitlements.openapi(
  createRoute({
    method: 'get',
    path: '/accounts/{accountId}/entitlement',
    tags: ['Host back ends'],
    summary: 'May this person work? Exactly one of userId, externalId, email (API key; the host product’s hot path)',
    description:
      'An unknown person answers 200 with `licensed: false` and `reason: "unknown_user"`. A check of a licensed user counts as their activity (one-minute resolution, no write per check).',
    ...forHost(),
    request: { params: s.AccountParams, query: s.EntitlementQuery },
    responses: { 200: json(s.Entitlement, 'The answer'), ...problems(401, 403, 404) },
  }),
  (c) => c.json(checkEntitlement(c.get('deps'), c.get('account'), c.req.valid('query')), 200),
);

/**
 * The check's answer on `doc` (settled to the present), noting a licensed person's activity: the
 * route above and the Node entry's hot path (http/hot-path.ts) both answer with it.
 */
export function checkEntitlement(deps: Pick<Deps, 'activity' | 'clock'>, doc: AccountDoc, selector: z.infer<typeof s.EntitlementQuery>): Entitlement {
  const { entitlement, holder } = entitlementOf(doc, selector);
  if (holder) deps.activity.record(doc, holder, accountNow(doc, deps.clock));
  return entitlement;
}
