import { createRoute } from '@hono/zod-openapi';
import type { Entitlement } from '../../sdk/types.js';
import { findUserByEmail, findUserByExternalId } from '../domain/users.js';
import { holdsLicense } from '../domain/counts.js';
import { accountNow } from '../http/account.js';
import { router } from '../http/context.js';
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
  async (c) => {
    const doc = c.get('account');
    const query = c.req.valid('query');
    const user =
      query.userId !== undefined ? doc.users.get(query.userId) : query.externalId !== undefined ? findUserByExternalId(doc, query.externalId) : findUserByEmail(doc, query.email!);
    let answer: Entitlement;
    if (!user) {
      answer = { licensed: false, userId: null, externalId: query.externalId ?? null, status: null, role: null, reason: 'unknown_user' };
    } else {
      const licensed = holdsLicense(user);
      if (licensed) c.get('deps').activity.record(doc, user, accountNow(doc, c.get('deps').clock));
      answer = {
        licensed,
        userId: user.id,
        externalId: user.externalId,
        status: user.status,
        role: user.role,
        reason: licensed ? null : user.invitationExpired ? 'invitation_expired' : 'disabled',
      };
    }
    return c.json(answer, 200);
  },
);
