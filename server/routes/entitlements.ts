import { createRoute, type z } from '@hono/zod-openapi';
import type { Entitlement } from '../../sdk/types.js';
import type { AccountDoc } from '../domain/state.js';
import { findUserByEmail, findUserByExternalId } from '../domain/users.js';
import { holdsLicense } from '../domain/counts.js';
import { accountNow } from '../http/account.js';
import { router, type Deps } from '../http/context.js';
import { forHost } from '../http/route.js';
import { json, problems } from '../openapi.js';
import * as s from '../schemas.js';

type EntitlementSelector = z.infer<typeof s.EntitlementQuery>;

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
  (c) => c.json(entitlementOf(c.get('deps'), c.get('account'), c.req.valid('query')), 200),
);

/**
 * The answer to an entitlement check on `doc` (settled to the present), noting a licensed
 * person's activity. The route above and the Node entry's hot path (http/hot-path.ts) both answer with it.
 */
export function entitlementOf(deps: Pick<Deps, 'activity' | 'clock'>, doc: AccountDoc, query: EntitlementSelector): Entitlement {
  const user =
    query.userId !== undefined ? doc.users.get(query.userId) : query.externalId !== undefined ? findUserByExternalId(doc, query.externalId) : findUserByEmail(doc, query.email!);
  if (!user) return { licensed: false, userId: null, externalId: query.externalId ?? null, status: null, role: null, reason: 'unknown_user' };
  const licensed = holdsLicense(user);
  if (licensed) deps.activity.record(doc, user, accountNow(doc, deps.clock));
  return {
    licensed,
    userId: user.id,
    externalId: user.externalId,
    status: user.status,
    role: user.role,
    reason: licensed ? null : user.invitationExpired ? 'invitation_expired' : 'disabled',
  };
}
